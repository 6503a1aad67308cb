//! `r7keys config init` and `r7keys config show` as a new user meets them in
//! a clean HOME: flags without a terminal, the questions on one, a private
//! file that never holds the key, no overwrite without `--force`, and the
//! settings in force with where each came from and no secret.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::path::Path;

use common::Sim;
use common::home::Home;
use common::pty::Pty;
use serde_json::Value;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn profile(home: &Home) -> (String, r7keys::config::Profile) {
    let text = std::fs::read_to_string(home.config_file()).unwrap();
    r7keys::config::parse(&text, &home.config_file())
        .unwrap()
        .profile(None, &home.config_file())
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn init_writes_a_private_commented_profile_from_flags() {
    let home = Home::new();
    let run = home
        .run(&[
            "config",
            "init",
            "--region",
            "ap-south-2",
            "--api-key-command",
            "pass show rapid7/in",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("region aps2 (India)"), "{run:?}");
    assert!(run.stderr.contains("next: r7keys doctor"), "{run:?}");
    let (name, p) = profile(&home);
    assert_eq!(name, "aps2", "the profile is named after the region");
    assert_eq!(p.region.as_deref(), Some("aps2"), "canonical code");
    assert_eq!(p.api_key_command.as_deref(), Some("pass show rapid7/in"));
    let text = std::fs::read_to_string(home.config_file()).unwrap();
    assert!(
        text.contains("# read_only = true"),
        "commented settings: {text}"
    );
    assert!(text.contains("# tc_api_key_command"), "{text}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&home.config_file()), 0o600);
        assert_eq!(mode(home.config_file().parent().unwrap()), 0o700);
    }

    // Never over an existing file without --force.
    let before = std::fs::read_to_string(home.config_file()).unwrap();
    let run = home
        .run(&["config", "init", "--region", "eu", "--profile", "other"])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("already exists") && run.stderr.contains("--force"),
        "{run:?}"
    );
    assert_eq!(std::fs::read_to_string(home.config_file()).unwrap(), before);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.config_file(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    let key_file = home.path().join("eu.key");
    std::fs::write(&key_file, "k\n").unwrap();
    let run = home
        .run(&[
            "config",
            "init",
            "--force",
            "--region",
            "eu",
            "--profile",
            "eu-prod",
            "--api-key-file",
            "eu.key",
            "--read-only",
            "--email",
            "me@example.com",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let (name, p) = profile(&home);
    assert_eq!(name, "eu-prod");
    assert_eq!(p.api_key_file, Some(key_file.clone()), "made absolute");
    assert_eq!(p.api_key_command, None);
    assert_eq!(
        (p.read_only, p.email.as_deref()),
        (Some(true), Some("me@example.com"))
    );
    #[cfg(unix)]
    {
        assert_eq!(
            mode(&home.config_file()),
            0o600,
            "a replaced file is private too"
        );
        assert!(run.stderr.contains("readable by other users"), "{run:?}");
    }
    let text = std::fs::read_to_string(home.config_file()).unwrap();
    assert!(!text.contains("\nk\n"), "never the key itself");
}

#[tokio::test]
async fn without_a_terminal_init_needs_the_region_and_asks_nothing() {
    let home = Home::new();
    let run = home.run(&["config", "init"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--region"), "{run:?}");
    assert!(!home.config_file().exists());
    let run = home.run(&["config", "init", "--region", "mars"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("unknown region \"mars\""), "{run:?}");
    let run = home
        .run(&[
            "config",
            "init",
            "--region",
            "us",
            "--api-key-command",
            "x",
            "--api-key-file",
            "y",
        ])
        .await;
    assert_eq!(run.code, 1, "one source at a time: {run:?}");

    // No key source given: the file says how to add one, R7_API_KEY still works.
    let run = home.run(&["config", "init", "--region", "us"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("R7_API_KEY"), "{run:?}");
    let (_, p) = profile(&home);
    assert_eq!((p.api_key_command, p.api_key_file), (None, None));
}

#[tokio::test]
async fn init_asks_on_a_terminal() {
    let home = Home::new();
    let mut command = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_r7keys"));
    command.args(["config", "init"]);
    command.env_clear();
    command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command.env("HOME", home.path());
    command.env("TERM", "xterm-256color");
    command.cwd(home.path());
    let mut pty = Pty::start(command, 120, 40);
    pty.expect("Region [1-9 or a code]: ").await;
    assert!(pty.text().contains("4) eu    Europe"), "{}", pty.text());
    pty.type_line("mars");
    pty.expect("unknown region").await;
    pty.type_line("4");
    pty.expect("Key source [1]: ").await;
    pty.type_line("");
    pty.expect("Command [pass show rapid7/eu]: ").await;
    pty.type_line("op read op://vault/rapid7-eu/key");
    pty.expect("next: r7keys doctor").await;
    assert_eq!(pty.finish().await, 0);
    let (name, p) = profile(&home);
    assert_eq!(name, "eu");
    assert_eq!(p.region.as_deref(), Some("eu"));
    assert_eq!(
        p.api_key_command.as_deref(),
        Some("op read op://vault/rapid7-eu/key")
    );
}

#[tokio::test]
async fn a_new_user_goes_from_init_to_a_passing_doctor() {
    let sim = Sim::small().await;
    let home = Home::new();
    let key_file = home.path().join("us.key");
    std::fs::write(
        &key_file,
        format!("{}\n", sim.principal("platform-admin").api_key),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let run = home
        .run(&[
            "config",
            "init",
            "--region",
            "us",
            "--api-key-file",
            key_file.to_str().unwrap(),
            "--endpoint",
            &sim.creds().endpoint,
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let run = home.run(&["doctor", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let run = home.run(&["validate"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("works at region us"), "{run:?}");
}

fn setting<'v>(shown: &'v Value, name: &str) -> &'v Value {
    shown["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"] == name)
        .unwrap_or_else(|| panic!("no {name}: {shown:#}"))
}

#[tokio::test]
async fn show_prints_the_merged_settings_and_their_sources_without_secrets() {
    let home = Home::new()
        .env("R7_TC_API_KEY", "tc-very-secret")
        .env("R7_TC_ACCOUNT_ID", "acct-1");
    let run = home.run(&["config", "show", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let shown = run.json();
    assert_eq!(shown["config_file_exists"], false);
    assert_eq!(setting(&shown, "region")["source"], "default");
    assert_eq!(setting(&shown, "api key")["value"], "none");

    std::fs::create_dir_all(home.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        home.config_file(),
        "default_profile = \"eu\"\n[profiles.eu]\nregion = \"eu\"\nread_only = true\n\
         api_key_command = \"printf my-secret-key\"\npage_size = 200\n",
    )
    .unwrap();
    let run = home
        .run(&[
            "config",
            "show",
            "--output",
            "json",
            "--region",
            "ca",
            "--retries",
            "1",
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let shown = run.json();
    assert_eq!(shown["profile"], "eu");
    assert_eq!(setting(&shown, "region")["value"], "ca (Canada)");
    assert_eq!(setting(&shown, "region")["source"], "flag");
    assert_eq!(
        setting(&shown, "base url")["value"],
        "https://ca.api.insight.rapid7.com"
    );
    assert_eq!(setting(&shown, "read only")["value"], "true");
    assert_eq!(setting(&shown, "read only")["source"], "profile eu");
    assert_eq!(setting(&shown, "page size")["value"], "200");
    assert_eq!(setting(&shown, "retries")["source"], "flag");
    assert_eq!(setting(&shown, "concurrency")["source"], "default");
    assert_eq!(setting(&shown, "tc account id")["source"], "environment");
    let key = setting(&shown, "api key");
    assert_eq!(
        key["value"],
        "the command `printf …` (the profile's api_key_command)"
    );

    // The table, for people; and an environment key wins over the profile's.
    let home = home.env("R7_API_KEY", "env-very-secret");
    let run = home.run(&["config", "show", "--output", "table"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("SETTING"), "{run:?}");
    assert!(
        run.stdout.contains("the environment variable R7_API_KEY"),
        "{run:?}"
    );
    for secret in ["my-secret-key", "tc-very-secret", "env-very-secret"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{run:?}"
        );
    }
    // CSV for scripts.
    let run = home.run(&["config", "show", "--output", "csv"]).await;
    assert!(run.stdout.starts_with("setting,value,source\n"), "{run:?}");
}
