//! Where output goes when it cannot go: a closed stdout, a full disk, a
//! reader that left. A generated secret is delivered or its key is named for
//! revocation; a listing ends quietly or with a clear error; nothing panics.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::cli::{Run, Shell};
use common::{Sim, count_method, last_seq, log_since, sim_generate, small_config, text};
use r7keys::simulator::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEYS: &str = "/account/api/1/api-keys";

fn no_panic(run: &Run) {
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "{run:?}"
    );
}

/// The keys named `name` on the server.
async fn named(sim: &Sim, name: &str) -> Vec<Value> {
    sim.all_pages("platform-admin", KEYS)
        .await
        .into_iter()
        .filter(|k| k["name"] == name)
        .collect()
}

#[tokio::test]
async fn generate_with_stdout_closed_creates_nothing() {
    let sim = Sim::small().await;
    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run_sh(
            &["keys", "generate", "--kind", "user", "--name", "nowhere"],
            ">&-",
            "",
        )
        .await;
    no_panic(&run);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("stdout is closed"), "{run:?}");
    assert!(run.stderr.contains("nothing was generated"), "{run:?}");
    // `> /dev/null` throws the secret away just the same.
    let run = Shell::as_principal(&sim, "platform-admin")
        .run_sh(
            &["keys", "generate", "--kind", "user", "--name", "nowhere"],
            "> /dev/null",
            "",
        )
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    let log = log_since(&sim, since).await;
    assert_eq!(count_method(&log, "POST"), 0, "nothing sent: {log:?}");
    assert!(named(&sim, "nowhere").await.is_empty());
}

/// The id a failure message gives in `r7keys keys revoke ID`.
fn revoke_id(run: &Run) -> String {
    let at = run
        .stderr
        .find("r7keys keys revoke ")
        .unwrap_or_else(|| panic!("the revoke command is given: {run:?}"));
    run.stderr[at + "r7keys keys revoke ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_string()
}

#[tokio::test]
async fn generate_onto_a_full_disk_names_the_key_to_revoke() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let run = shell
        .run_sh(
            &["keys", "generate", "--kind", "user", "--name", "full disk"],
            "> /dev/full",
            "",
        )
        .await;
    no_panic(&run);
    assert_eq!(run.code, 3, "a lost answer: {run:?}");
    assert!(run.stderr.contains("could not be delivered"), "{run:?}");
    let created = named(&sim, "full disk").await;
    assert_eq!(created.len(), 1, "the key exists");
    let id = revoke_id(&run);
    assert_eq!(id, text(&created[0], "id"), "{run:?}");
    // And the advice works.
    let revoked = shell.run(&["keys", "revoke", &id, "--yes"]).await;
    assert_eq!(revoked.code, 0, "{revoked:?}");
    assert!(named(&sim, "full disk").await.is_empty());
}

#[tokio::test]
async fn generate_into_a_pipe_nobody_reads_names_the_key_to_revoke() {
    let sim = Sim::small().await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run_sh(
            &["keys", "generate", "--kind", "user", "--name", "unread"],
            "",
            "| (exec <&-; sleep 2)",
        )
        .await;
    no_panic(&run);
    assert_eq!(run.code, 3, "{run:?}");
    let created = named(&sim, "unread").await;
    assert_eq!(revoke_id(&run), text(&created[0], "id"), "{run:?}");
}

#[tokio::test]
async fn rotate_onto_a_full_disk_keeps_the_old_key_and_names_the_new() {
    let sim = Sim::small().await;
    let (old_id, old_secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "to rotate", "type": "USER"}),
    )
    .await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run_sh(&["keys", "rotate", &old_id, "--yes"], "> /dev/full", "")
        .await;
    no_panic(&run);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "The old key (id {old_id}) was kept and is still active"
        )),
        "{run:?}"
    );
    assert_eq!(sim.validate(&old_secret, "us").await, StatusCode::OK);
    let both = named(&sim, "to rotate").await;
    assert_eq!(both.len(), 2, "old and new: {both:?}");
    let new_id = revoke_id(&run);
    assert_ne!(new_id, old_id);
    assert!(both.iter().any(|k| k["id"] == new_id.as_str()));
}

#[tokio::test]
async fn a_listing_into_a_closed_pipe_ends_quietly() {
    // Far more output than a pipe holds, so the writer meets the closed end.
    let sim = Sim::start(SimConfig {
        keys: 3000,
        ..small_config()
    })
    .await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    for format in ["json", "jsonl", "csv", "table"] {
        let run = shell
            .run_sh(
                &["keys", "list", "--output", format, "--page-size", "20"],
                "",
                "| head -c 10 > /dev/null",
            )
            .await;
        no_panic(&run);
        assert_eq!(run.code, 0, "{format}: {run:?}");
        assert!(
            !run.stderr.contains("r7keys:"),
            "{format}: quietly: {run:?}"
        );
    }
}

#[tokio::test]
async fn output_onto_a_full_disk_is_a_clear_error_in_every_command() {
    let sim = Sim::small().await;
    let admin = Shell::as_principal(&sim, "platform-admin");
    let mt = Shell::as_principal(&sim, "mt-admin");
    let tc = Shell::new(&sim)
        .env("R7_TC_ACCOUNT_ID", &sim.creds().threat_command.account_id)
        .env("R7_TC_API_KEY", &sim.creds().threat_command.api_key);
    let runs = [
        (&admin, vec!["keys", "list", "--output", "json"]),
        (&admin, vec!["keys", "list", "--output", "csv"]),
        (&admin, vec!["orgs", "list", "--output", "json"]),
        (&mt, vec!["orgs", "managed", "--output", "table"]),
        (
            &mt,
            vec!["keys", "list", "--all-tenants", "--output", "jsonl"],
        ),
        (&tc, vec!["tc", "status", "--output", "table"]),
    ];
    for (shell, args) in runs {
        let run = shell.run_sh(&args, "> /dev/full", "").await;
        no_panic(&run);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("cannot write the output"),
            "{args:?}: {run:?}"
        );
    }
}

#[tokio::test]
async fn messages_onto_a_full_disk_do_not_panic() {
    let sim = Sim::small().await;
    let run = Shell::new(&sim)
        .env("R7_API_KEY", "00000000-0000-4000-8000-000000000000")
        .run_sh(&["validate"], "2> /dev/full", "")
        .await;
    no_panic(&run);
    assert_eq!(run.code, 4, "the exit code still tells: {run:?}");
}

#[tokio::test]
async fn json_lines_give_every_key_once() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let run = shell
        .run(&["keys", "list", "--output", "jsonl", "--page-size", "25"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected = sim.all_pages("platform-admin", KEYS).await;
    assert_eq!(lines.len(), expected.len());
    let ids: std::collections::BTreeSet<&str> = lines.iter().map(|k| text(k, "id")).collect();
    assert_eq!(ids.len(), lines.len(), "no key twice");
    assert!(
        lines
            .iter()
            .all(|k| k["kind"].is_string() && k["type"].is_string())
    );
}
