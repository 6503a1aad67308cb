//! The shell's habits, as a new user meets them in a clean HOME: completion
//! scripts for every shell and the man page name every command, and
//! `simulate --help` lists only the simulator's own flags.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::home::Home;

/// Every command path of the definition: `["keys", "list"]`, ...
fn command_paths(command: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for sub in command.get_subcommands() {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        out.push(path.clone());
        command_paths(sub, &path, out);
    }
}

fn all_paths() -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    command_paths(&r7keys::cli::definition(), &[], &mut paths);
    paths
}

#[tokio::test]
async fn every_shell_completes_every_command() {
    let home = Home::new();
    let paths = all_paths();
    assert!(
        paths.iter().any(|p| p == &["config", "init"])
            && paths.iter().any(|p| p == &["doctor"])
            && paths.iter().any(|p| p == &["keys", "rotate"]),
        "{paths:?}"
    );
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = home.run(&["completions", shell]).await;
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stderr.is_empty(), "{shell}: {run:?}");
        for path in &paths {
            let name = path.last().unwrap();
            assert!(
                run.stdout.contains(name.as_str()),
                "{shell} completes {}",
                path.join(" ")
            );
        }
        // Flags of commands several levels down, and the doctor's own.
        for flag in [
            "older-than",
            "find-region",
            "api-key-command",
            "credentials-out",
        ] {
            assert!(run.stdout.contains(flag), "{shell} completes --{flag}");
        }
    }
    let run = home.run(&["completions", "tcsh"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("bash"), "lists the shells: {run:?}");
}

#[tokio::test]
async fn the_man_page_names_every_command() {
    let home = Home::new();
    let run = home.run(&["man"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH r7keys 1"),
        "roff: {run:?}"
    );
    for path in all_paths().iter().filter(|p| p.len() == 1) {
        assert!(
            run.stdout
                .contains(&format!("r7keys\\-{}(1)", path[0].replace('-', "\\-"))),
            "the page names {}",
            path[0]
        );
    }
    // One page per command in a directory, for `man r7keys-keys-list`.
    let dir = home.path().join("man1");
    let run = home.run(&["man", "--dir", dir.to_str().unwrap()]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(dir.join("r7keys.1").is_file());
    for path in all_paths() {
        let page = dir.join(format!("r7keys-{}.1", path.join("-")));
        assert!(page.is_file(), "{} exists", page.display());
    }
    let page = std::fs::read_to_string(dir.join("r7keys-doctor.1")).unwrap();
    assert!(page.contains("find\\-region"), "{page}");
}

#[tokio::test]
async fn simulate_help_shows_the_simulators_flags_only() {
    let home = Home::new();
    let run = home.run(&["simulate", "--help"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    for own in [
        "--listen",
        "--seed",
        "--faults",
        "--credentials-out",
        "--rate-limit",
    ] {
        assert!(run.stdout.contains(own), "{own}: {}", run.stdout);
    }
    for client in [
        "--api-key-file",
        "--tenant ",
        "--output",
        "--region",
        "--profile",
        "--ca-cert",
        "--read-only",
        "--verbose",
        "Connection",
    ] {
        assert!(
            !run.stdout.contains(client),
            "{client} leaks into: {}",
            run.stdout
        );
    }
    // And the simulator refuses them rather than ignoring them.
    let run = home.run(&["simulate", "--tenant", "x"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let run = home.run(&["--region", "eu", "simulate"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--region does not apply"), "{run:?}");

    // A platform command's help still lists the connection flags.
    let run = home.run(&["keys", "list", "--help"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    for flag in [
        "--older-than",
        "--api-key-file",
        "--tenant",
        "--output",
        "--region",
    ] {
        assert!(run.stdout.contains(flag), "{flag}: {}", run.stdout);
    }
}
