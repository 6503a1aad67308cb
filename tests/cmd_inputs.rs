//! What the user hands r7keys, checked before anything is sent: key sources
//! within time and size bounds, a named config file that must exist, flags
//! and profile values within range, endpoints that are URLs, key ids that
//! are ids. Each is a clear usage error (exit 1), at once.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::time::{Duration, Instant};

use common::cli::{Run, Shell};
use common::{Sim, TempDir, count_method, last_seq, log_since, sim_generate};
use serde_json::json;

fn usage(run: &Run, says: &str) {
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(says), "{says:?} in {run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
}

/// A shell with no key in the environment and a profile `p` holding `body`.
fn with_profile(sim: &Sim, body: &str) -> Shell {
    let shell = Shell::new(sim).arg("--profile").arg("p");
    shell.write_config(&format!("[profiles.p]\n{body}\n"));
    shell
}

#[tokio::test]
async fn a_key_command_that_never_ends_is_stopped_at_its_time_limit() {
    let sim = Sim::small().await;
    // A shell that runs `sleep` as its child: stopping the shell alone
    // would leave the sleep behind.
    let shell = with_profile(
        &sim,
        "api_key_command = \"sleep 1733; true\"\napi_key_command_timeout_secs = 1",
    );
    let started = Instant::now();
    let run = shell.run(&["validate"]).await;
    usage(&run, "did not finish within 1 s");
    assert!(
        run.stderr.contains("api_key_command_timeout_secs"),
        "{run:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(!sleeping("1733"), "the command's children were stopped too");
}

/// Whether a `sleep SECS` process is running (read from /proc).
fn sleeping(secs: &str) -> bool {
    let wanted = format!("sleep\0{secs}\0");
    std::fs::read_dir("/proc").is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            std::fs::read(entry.path().join("cmdline")).is_ok_and(|line| line == wanted.as_bytes())
        })
    })
}

#[tokio::test]
async fn a_key_command_that_never_stops_printing_is_stopped() {
    let sim = Sim::small().await;
    let started = Instant::now();
    let run = with_profile(&sim, "api_key_command = \"yes\"")
        .run(&["validate"])
        .await;
    usage(&run, "printed more than 4096 bytes");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn key_files_are_read_within_bounds_and_must_hold_a_key() {
    let sim = Sim::small().await;
    let dir = TempDir::new("key-files");
    let since = last_seq(&sim).await;
    let shell = Shell::new(&sim);
    let run = shell
        .run(&["--api-key-file", "/dev/zero", "validate"])
        .await;
    usage(&run, "holds more than 4096 bytes");

    let big = dir.path().join("big.key");
    std::fs::write(&big, "k".repeat(10 << 20)).unwrap();
    let run = shell
        .run(&["--api-key-file", big.to_str().unwrap(), "validate"])
        .await;
    usage(&run, "holds more than 4096 bytes");

    let spaced = dir.path().join("spaced.key");
    std::fs::write(&spaced, "two words\n").unwrap();
    let run = shell
        .run(&["--api-key-file", spaced.to_str().unwrap(), "validate"])
        .await;
    usage(&run, "is not a plausible key");
    assert!(
        !run.stderr.contains("two words"),
        "the text is not quoted: {run:?}"
    );

    let run = Shell::new(&sim)
        .env("R7_API_KEY", "not\u{7f}a-key")
        .run(&["validate"])
        .await;
    usage(&run, "R7_API_KEY is not a plausible key");
    let log = log_since(&sim, since).await;
    assert!(log.is_empty(), "nothing was sent: {log:?}");
}

#[tokio::test]
async fn a_named_config_file_must_exist() {
    let sim = Sim::small().await;
    let key = sim.principal("platform-admin").api_key.clone();
    let shell = Shell::new(&sim).env("R7_API_KEY", &key);
    let run = shell
        .run(&["--config", "/nonexistent/r7keys.toml", "validate"])
        .await;
    usage(&run, "/nonexistent/r7keys.toml does not exist");
    let run = Shell::new(&sim)
        .env("R7_API_KEY", &key)
        .env("R7KEYS_CONFIG", "/nonexistent/env.toml")
        .run(&["validate"])
        .await;
    usage(&run, "/nonexistent/env.toml does not exist");
    // The default location may be absent.
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 0, "{run:?}");
}

#[tokio::test]
async fn numbers_out_of_range_are_refused_from_flags_and_profiles() {
    let sim = Sim::small().await;
    let key = sim.principal("platform-admin").api_key.clone();
    let shell = Shell::new(&sim).env("R7_API_KEY", &key);
    for flags in [
        ["--page-size", "0"],
        ["--page-size", "5000"],
        ["--concurrency", "0"],
        ["--retries", "1000"],
        ["--timeout", "0"],
        ["--deadline", "0"],
        ["--max-pages", "0"],
    ] {
        let run = shell.run(&[flags[0], flags[1], "keys", "list"]).await;
        assert_eq!(run.code, 1, "{flags:?}: {run:?}");
        assert!(run.stderr.contains(flags[0]), "{flags:?}: {run:?}");
    }
    let profile = with_profile(&sim, "page_size = 0").env("R7_API_KEY", &key);
    let run = profile.run(&["keys", "list"]).await;
    usage(&run, "page_size = 0 is out of range");
    assert!(
        run.stderr.contains("config.toml"),
        "names the file: {run:?}"
    );
}

/// The binary with only `args`: no endpoint flags of the harness.
async fn bare(args: &[&str], key: &str) -> Run {
    let dir = TempDir::new("bare");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"));
    command
        .args(args)
        .env_remove("R7_PROFILE")
        .env_remove("R7KEYS_CONFIG")
        .env("R7_API_KEY", key)
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(std::process::Stdio::null());
    common::cli::finish(&mut command).await
}

#[tokio::test]
async fn endpoints_must_be_http_urls() {
    let sim = Sim::small().await;
    let key = sim.principal("platform-admin").api_key.clone();
    for endpoint in [
        "ftp://{region}.example",
        "not a url {region}",
        "https://exa mple/{region}",
    ] {
        let run = bare(&["--endpoint", endpoint, "validate"], &key).await;
        assert_eq!(run.code, 1, "{endpoint}: {run:?}");
        assert!(
            run.stderr.contains("is not an http:// or https:// URL"),
            "{endpoint}: {run:?}"
        );
    }
    let run = bare(&["--tc-endpoint", "ftp://tc.example", "tc", "status"], &key).await;
    usage(&run, "is not an http:// or https:// URL");
}

#[tokio::test]
async fn key_ids_are_checked_before_they_reach_a_url() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let since = last_seq(&sim).await;
    for id in ["../x", "a/b", "", "x y", ".."] {
        for command in ["revoke", "rotate"] {
            let run = shell.run(&["keys", command, id, "--yes"]).await;
            usage(&run, "is not a key id");
        }
    }
    assert!(log_since(&sim, since).await.is_empty(), "nothing sent");
}

#[tokio::test]
async fn revoking_an_unknown_key_gives_one_answer_with_or_without_yes() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let unknown = "0b6f3f0e-6a55-4d1c-9d3a-5e0d7d1b2a11";
    let since = last_seq(&sim).await;
    let asked = shell.run(&["keys", "revoke", unknown]).await;
    let log = log_since(&sim, since).await;
    assert_eq!(
        count_method(&log, "DELETE"),
        0,
        "nothing to delete: {log:?}"
    );
    let forced = shell.run(&["keys", "revoke", unknown, "--yes"]).await;
    assert_eq!(asked.code, 0, "{asked:?}");
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(asked.stderr, forced.stderr);
    assert!(asked.stderr.contains("nothing to revoke"), "{asked:?}");
}

#[tokio::test]
async fn a_revoked_key_given_again_is_nothing_to_revoke() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let (id, _) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "twice", "type": "USER"}),
    )
    .await;
    let first = shell.run(&["keys", "revoke", &id, "--yes"]).await;
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stderr.contains("revoked"), "{first:?}");
    let again = shell.run(&["keys", "revoke", &id, "--yes"]).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("nothing to revoke"), "{again:?}");
}
