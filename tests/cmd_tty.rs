//! The confirmation prompts on a real pseudo-terminal: the built binary runs
//! with a PTY as its stdin, stdout and stderr, exactly as in an admin's
//! shell. The test waits for the prompt, types the answer, and checks the
//! exit code and what the simulator did (the key still works, or it is gone).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::cli::Shell;
use common::pty::Pty;
use common::{Sim, count_method, last_seq, log_since, sim_generate, text};
use reqwest::StatusCode;
use serde_json::json;

/// An organization key of the platform admin's own organization.
async fn org_key(sim: &Sim, name: &str) -> (String, String) {
    let org = sim.principal("platform-admin").organization_id.clone();
    sim_generate(
        sim,
        "platform-admin",
        json!({"name": name, "type": "ORGANIZATION", "organization_id": org}),
    )
    .await
}

/// The platform admin's region (where its organization's keys work).
fn admin_region(sim: &Sim) -> String {
    sim.principal("platform-admin").region.clone()
}

// ------------------------------------------------------ organization keys

#[tokio::test]
async fn an_organization_key_is_revoked_only_when_its_name_is_typed() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let region = admin_region(&sim);
    let (id, secret) = org_key(&sim, "pty-org-key").await;

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("Type the key's name").await;
    assert!(
        pty.text()
            .contains("Every integration using this organization key stops working"),
        "{}",
        pty.transcript()
    );
    pty.type_line("pty-org-kez");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
    assert!(
        pty.text().contains("the name did not match"),
        "{}",
        pty.transcript()
    );
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);

    // "y" is not the name either: an organization key wants the name.
    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("Type the key's name").await;
    pty.type_line("y");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("Type the key's name").await;
    pty.type_line("pty-org-key");
    assert_eq!(pty.finish().await, 0, "{}", pty.transcript());
    assert!(
        pty.text().contains(&format!("revoked {id}")),
        "{}",
        pty.transcript()
    );
    assert_eq!(
        sim.validate(&secret, &region).await,
        StatusCode::UNAUTHORIZED
    );
}

// -------------------------------------------------------------- user keys

#[tokio::test]
async fn a_user_key_is_revoked_on_y_and_kept_on_n() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let region = admin_region(&sim);
    let (id, secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "pty-user-key", "type": "USER"}),
    )
    .await;

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("[y/N]").await;
    assert!(
        !pty.text().contains("Type the key's name"),
        "{}",
        pty.transcript()
    );
    pty.type_line("n");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
    let log = sim.request_log().await;
    assert_eq!(count_method(&log, "DELETE"), 0, "{log:?}");
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);

    // Enter alone is the default: no.
    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("[y/N]").await;
    pty.type_line("");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("[y/N]").await;
    pty.type_line("y");
    assert_eq!(pty.finish().await, 0, "{}", pty.transcript());
    assert_eq!(
        sim.validate(&secret, &region).await,
        StatusCode::UNAUTHORIZED
    );
    let log = sim.request_log().await;
    assert_eq!(count_method(&log, "DELETE"), 1, "{log:?}");
}

// --------------------------------------------------- multi-tenant admin keys

#[tokio::test]
async fn a_multi_tenant_admin_key_warns_that_every_tenant_loses_access() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let (id, _) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "pty-mssp", "type": "MULTI_TENANT_ADMIN"}),
    )
    .await;

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("Type the key's name").await;
    let shown = pty.text().to_lowercase();
    assert!(
        shown.contains("every current and future tenant"),
        "{}",
        pty.transcript()
    );
    assert!(
        shown.contains("mt-admin key \"pty-mssp\""),
        "{}",
        pty.transcript()
    );
    pty.type_line("not the name");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
    let log = sim.request_log().await;
    assert_eq!(count_method(&log, "DELETE"), 0, "{log:?}");
}

// ------------------------------------------------------ what the prompt says

#[tokio::test]
async fn the_prompt_shows_kind_name_organization_and_age() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    // A seeded user key of some age, with a plain name, as the binary lists it.
    let listed = shell.run(&["keys", "list", "--output", "json"]).await;
    assert_eq!(listed.code, 0, "{listed:?}");
    let keys = listed.json();
    let key = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| {
            k["type"] == "USER"
                && k["age_days"].as_i64().is_some_and(|d| d > 30)
                && k["organization_name"].is_string()
                && k["name"].as_str().is_some_and(|n| {
                    !n.is_empty()
                        && n.len() < 50
                        && n.chars().all(|c| c.is_ascii_graphic() || c == ' ')
                })
        })
        .unwrap_or_else(|| panic!("a seeded user key older than 30 days: {keys}"));
    let id = text(key, "id");
    let age = key["age_days"].as_i64().unwrap();

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", id]);
    pty.expect("[y/N]").await;
    let shown = pty.text();
    let expected = format!(
        "About to revoke the user key \"{}\" (id {id}) of {}, {age} days old.",
        text(key, "name"),
        text(key, "organization_name")
    );
    assert!(
        shown.contains(&expected),
        "expected {expected:?} in {}",
        pty.transcript()
    );
    assert!(shown.contains("days old"), "{}", pty.transcript());
    pty.type_line("n");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
}

// ---------------------------------------------------------- a hostile name

#[tokio::test]
async fn a_hostile_name_is_shown_escaped_and_confirmed_as_shown() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let region = admin_region(&sim);
    let (id, secret) = org_key(&sim, "evil\u{1b}]0;pwned\u{7}name").await;
    let shown = r"evil\x1b]0;pwned\x07name";

    let mut pty = Pty::spawn(&shell, &["keys", "revoke", &id]);
    pty.expect("Type the key's name").await;
    assert!(
        pty.text().contains(&format!("\"{shown}\"")),
        "the name appears escaped: {}",
        pty.transcript()
    );
    pty.type_line(shown);
    assert_eq!(pty.finish().await, 0, "{}", pty.transcript());
    assert!(
        !pty.seen.windows(3).any(|w| w == b"\x1b]0"),
        "a raw OSC 0 (set title) reached the terminal: {}",
        pty.transcript()
    );
    assert!(
        !pty.seen.contains(&0x07),
        "a raw BEL reached the terminal: {}",
        pty.transcript()
    );
    assert_eq!(
        sim.validate(&secret, &region).await,
        StatusCode::UNAUTHORIZED
    );
}

// ------------------------------------------------------------- keys rotate

#[tokio::test]
async fn rotate_asks_on_a_terminal_and_declining_changes_nothing() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let region = admin_region(&sim);
    let (id, secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "pty-rotate", "type": "USER"}),
    )
    .await;
    let since = last_seq(&sim).await;

    let mut pty = Pty::spawn(&shell, &["keys", "rotate", &id]);
    pty.expect("[y/N]").await;
    assert!(
        pty.text()
            .contains("About to rotate the user key \"pty-rotate\""),
        "{}",
        pty.transcript()
    );
    pty.type_line("n");
    assert_eq!(pty.finish().await, 5, "{}", pty.transcript());
    let after = log_since(&sim, since).await;
    assert!(
        after.iter().any(|e| e["method"] == "GET"),
        "the key was looked up: {after:?}"
    );
    assert_eq!(
        count_method(&after, "POST"),
        0,
        "nothing generated: {after:?}"
    );
    assert_eq!(
        count_method(&after, "DELETE"),
        0,
        "nothing revoked: {after:?}"
    );
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);
}
