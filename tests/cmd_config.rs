//! How a command finds its settings and key, end to end through the built
//! binary: profiles, key sources, broken config files, `--verbose`, region
//! aliases, and the exit code of every kind of failure.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};

use common::Sim;
use common::cli::{Run, Shell, files_under};
use serde_json::Value;

/// The simulator's request log, without the test's own control calls.
async fn requests(sim: &Sim) -> Vec<Value> {
    sim.request_log().await
}

/// `--config`-free shell with `key` in `R7_API_KEY` and no region flag, so
/// the profile decides.
fn shell_with_key(sim: &Sim, principal: &str) -> Shell {
    Shell::new(sim).env("R7_API_KEY", &sim.principal(principal).api_key)
}

/// A TOML basic string holding `path`.
fn toml_path(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// Runs the binary with exactly `args` (no endpoint flags), private XDG
/// directories and `env`, for the cases the harness's endpoint flags would
/// get in the way of.
async fn raw(args: &[&str], env: &[(&str, &str)]) -> Run {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "r7keys-cmd-config-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"))
        .args(args)
        .env_remove("R7_API_KEY")
        .env_remove("R7_PROFILE")
        .env_remove("R7KEYS_CONFIG")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const TWO_PROFILES: &str = "default_profile = \"a\"\n\n\
    [profiles.a]\nregion = \"us\"\n\n\
    [profiles.b]\nregion = \"eu\"\nread_only = true\n";

// ----------------------------------------------------------------- profiles

#[tokio::test]
async fn profiles_are_chosen_by_flag_environment_or_default() {
    let sim = Sim::small().await;
    // The organization admin's key works at eu only.
    let shell = shell_with_key(&sim, "org-admin");
    shell.write_config(TWO_PROFILES);

    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 4, "the default profile a is us: {run:?}");
    assert!(run.stderr.contains("region us"), "{run:?}");

    let run = shell.run(&["--profile", "b", "validate"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("works at region eu"), "{run:?}");

    let by_env = shell_with_key(&sim, "org-admin").env("R7_PROFILE", "b");
    by_env.write_config(TWO_PROFILES);
    let run = by_env.run(&["validate"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("works at region eu"), "{run:?}");
    let run = by_env.run(&["--profile", "a", "validate"]).await;
    assert_eq!(run.code, 4, "the flag beats R7_PROFILE: {run:?}");

    // b is read-only.
    let run = shell
        .run(&[
            "--profile",
            "b",
            "keys",
            "generate",
            "--kind",
            "user",
            "--name",
            "x",
        ])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("read-only"), "{run:?}");
    assert!(
        requests(&sim).await.iter().all(|e| e["method"] == "GET"),
        "nothing but GETs"
    );
}

#[tokio::test]
async fn flags_override_the_profile() {
    let sim = Sim::small().await;
    let shell = shell_with_key(&sim, "platform-admin");
    shell.write_config(TWO_PROFILES);
    let run = shell.run(&["--profile", "b", "validate"]).await;
    assert_eq!(run.code, 4, "the us key at b's region eu: {run:?}");
    let run = shell
        .run(&["--profile", "b", "--region", "us", "validate"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("works at region us"), "{run:?}");
    let run = shell
        .run(&[
            "--profile",
            "b",
            "--region",
            "us",
            "keys",
            "list",
            "--output",
            "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.json().as_array().unwrap().len() > 50);
    // What the flags do not set still comes from the profile.
    let run = shell
        .run(&[
            "--profile",
            "b",
            "--region",
            "us",
            "keys",
            "revoke",
            "some-id",
            "--yes",
        ])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("read-only"), "{run:?}");
}

// -------------------------------------------------------------- key sources

#[tokio::test]
async fn the_key_comes_from_a_file_a_flag_or_a_command() {
    let sim = Sim::small().await;
    let key = sim.principal("platform-admin").api_key.clone();
    let shell = Shell::new(&sim);
    let key_file = shell.dir.join("r7.key");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();

    shell.write_config(&format!(
        "default_profile = \"a\"\n[profiles.a]\napi_key_file = {}\n",
        toml_path(&key_file)
    ));
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 0, "profile api_key_file: {run:?}");
    assert!(run.stderr.contains("works at region us"), "{run:?}");

    shell.write_config(&format!(
        "default_profile = \"a\"\n[profiles.a]\napi_key_command = \"cat {}\"\n",
        key_file.display()
    ));
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 0, "profile api_key_command: {run:?}");

    shell.write_config("");
    let file = key_file.display().to_string();
    let run = shell.run(&["--api-key-file", &file, "validate"]).await;
    assert_eq!(run.code, 0, "--api-key-file: {run:?}");
    // --api-key-file comes before R7_API_KEY.
    let wrong = Shell::new(&sim).env("R7_API_KEY", "not-a-key-0123456789");
    let run = wrong.run(&["--api-key-file", &file, "validate"]).await;
    assert_eq!(run.code, 0, "--api-key-file wins: {run:?}");
    let run = wrong.run(&["validate"]).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(!run.stderr.contains(&key) && !run.stdout.contains(&key));
}

#[tokio::test]
async fn missing_or_failing_key_sources_are_usage_errors() {
    let sim = Sim::small().await;
    let shell = Shell::new(&sim);

    shell.write_config("default_profile = \"a\"\n[profiles.a]\napi_key_command = \"exit 3\"\n");
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("api_key_command"), "{run:?}");
    assert!(run.stderr.contains("failed"), "{run:?}");

    shell.write_config("");
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("R7_API_KEY"), "{run:?}");

    let missing = shell.dir.join("no-such.key");
    let run = shell
        .run(&["--api-key-file", &missing.display().to_string(), "validate"])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&missing.display().to_string()),
        "{run:?}"
    );

    // The key is never a flag value (it would show in `ps`).
    let run = shell
        .run(&["--api-key", "supersecret-0123456789", "validate"])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("unexpected argument '--api-key'"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("supersecret"), "{run:?}");
    assert!(requests(&sim).await.is_empty(), "no request was sent");
}

// ------------------------------------------------------------ broken config

#[tokio::test]
async fn a_broken_config_file_names_its_path_line_and_problem() {
    let sim = Sim::small().await;
    let shell = shell_with_key(&sim, "platform-admin");
    let path = shell.config_file().display().to_string();

    shell.write_config("[profiles.a]\nregion = \"us\"\nread_only = maybe\n");
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!("config file {path}: line 3")),
        "{run:?}"
    );
    assert!(run.stderr.contains("must be quoted"), "{run:?}");

    shell.write_config("[profiles.a]\nregoin = \"us\"\n");
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(&path), "{run:?}");
    assert!(run.stderr.contains("line 2"), "{run:?}");
    assert!(run.stderr.contains("unknown field `regoin`"), "{run:?}");

    shell.write_config(TWO_PROFILES);
    let run = shell.run(&["--profile", "c", "validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(&path), "{run:?}");
    assert!(run.stderr.contains("no profile named \"c\""), "{run:?}");
    assert!(run.stderr.contains("(profiles: a, b)"), "{run:?}");

    shell.write_config("default_profile = \"gone\"\n[profiles.a]\n");
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("\"gone\""), "{run:?}");
    assert!(run.stderr.contains("(profiles: a)"), "{run:?}");

    assert!(requests(&sim).await.is_empty(), "no request was sent");
}

// ---------------------------------------------------------------- --verbose

#[tokio::test]
async fn verbose_logs_requests_with_the_key_redacted() {
    let sim = Sim::small().await;
    let key = sim.principal("platform-admin").api_key.clone();
    let shell = Shell::as_principal(&sim, "platform-admin");
    let run = shell
        .run(&["--verbose", "keys", "list", "--output", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let url = sim.url("us", "/account/api/1/api-keys");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with(&format!("> GET {url} ")))
        .collect();
    assert!(!lines.is_empty(), "{run:?}");
    assert!(
        lines.iter().all(|l| l.contains("X-Api-Key: [redacted]")),
        "{lines:?}"
    );
    assert!(run.stderr.contains("< 200 OK"), "{run:?}");
    assert!(!run.stderr.contains(&key), "the key is never logged");
    assert!(!run.stdout.contains(&key));
    let files = files_under(&shell.dir);
    assert!(
        files.iter().any(|f| f.ends_with("r7keys.log")),
        "the log file is written: {files:?}"
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(!text.contains(&key), "{} holds the key", file.display());
    }

    let quiet = shell.run(&["keys", "list", "--output", "json"]).await;
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert!(!quiet.stderr.contains("> GET"), "{quiet:?}");
}

// ----------------------------------------------------------------- regions

#[tokio::test]
async fn region_aliases_and_unknown_regions() {
    let sim = Sim::small().await;
    let shell = shell_with_key(&sim, "platform-admin");
    for alias in ["us1", "US1", "us"] {
        let run = shell.run(&["--region", alias, "validate"]).await;
        assert_eq!(run.code, 0, "{alias}: {run:?}");
        assert!(run.stderr.contains("works at region us"), "{run:?}");
    }
    let run = shell.run(&["--region", "mars", "validate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("\"mars\""), "{run:?}");
    assert!(
        run.stderr
            .contains("us, us2, us3, eu, ca, au, ap, aps2, me1"),
        "{run:?}"
    );
    let log = requests(&sim).await;
    assert_eq!(
        log.len(),
        3,
        "one validate per alias, none for mars: {log:?}"
    );
    assert!(log.iter().all(|e| e["path"] == "/us/validate"), "{log:?}");
}

// --------------------------------------------------------------- exit codes

#[tokio::test]
async fn api_refusals_map_to_their_exit_codes() {
    let sim = Sim::small().await;

    // 401: a key the platform does not know.
    let run = Shell::new(&sim)
        .env("R7_API_KEY", "0123456789abcdef0123456789abcdef")
        .run(&["validate"])
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("authentication failed (401)"),
        "{run:?}"
    );

    // 401: a good key at another region.
    let run = shell_with_key(&sim, "platform-admin")
        .run(&["--region", "eu", "keys", "list"])
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("at region eu"), "{run:?}");
    assert_eq!(run.stdout, "");

    // 403: a user may not generate a multi-tenant admin key.
    let run = Shell::as_principal(&sim, "user")
        .run(&["keys", "generate", "--kind", "mt-admin", "--name", "x"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("forbidden (403)"), "{run:?}");
    assert_eq!(run.stdout, "");

    // 404 on revoke: already gone, which is what was asked.
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&[
            "keys",
            "revoke",
            "00000000-0000-4000-8000-000000000000",
            "--yes",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("already revoked"), "{run:?}");
}

#[tokio::test]
async fn server_and_transport_failures_map_to_their_exit_codes() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let fast = ["--retries", "0", "--timeout", "2"];
    let with =
        |args: &[&'static str]| -> Vec<&'static str> { fast.iter().chain(args).copied().collect() };

    // 5xx (after the retries): the API refused.
    sim.set_faults("5xx=502@api-keys").await;
    let run = shell.run(&with(&["keys", "list"])).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("server error (502)"), "{run:?}");

    // 429 (after the retries): refused too.
    sim.set_faults("429=0@api-keys").await;
    let run = shell.run(&with(&["keys", "list"])).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("rate limited (429)"), "{run:?}");

    // An answer that is not JSON: unreadable.
    sim.set_faults("html@api-keys").await;
    let run = shell.run(&with(&["keys", "list"])).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("could not be read"), "{run:?}");

    // No answer at all: a timeout.
    sim.set_faults("hang@validate").await;
    let started = std::time::Instant::now();
    let run = shell
        .run(&["--retries", "0", "--timeout", "1", "validate"])
        .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("timed out"), "{run:?}");
    assert!(started.elapsed().as_secs() < 5);
    sim.set_faults("").await;
}

#[tokio::test]
async fn bad_endpoints_are_usage_or_network_errors() {
    let sim = Sim::small().await;
    let key = sim.principal("platform-admin").api_key.clone();
    let env = [("R7_API_KEY", key.as_str())];

    let run = raw(&["--endpoint", "http://127.0.0.1:1/api", "validate"], &env).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("{region}"), "{run:?}");
    assert!(run.stderr.contains("http://127.0.0.1:1/api"), "{run:?}");

    // A port nobody listens on: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}/{{region}}");
    let run = raw(
        &[
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
            "--timeout",
            "2",
            "validate",
        ],
        &env,
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("network error"), "{run:?}");
    assert!(run.stderr.contains(&format!("127.0.0.1:{port}")), "{run:?}");
    assert!(!run.stderr.contains(&key), "{run:?}");

    // The simulator's own endpoint works through the same runner.
    let run = raw(&["--endpoint", &sim.creds().endpoint, "validate"], &env).await;
    assert_eq!(run.code, 0, "{run:?}");
}
