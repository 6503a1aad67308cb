//! `r7keys inventory`: every key across the home organizations and the
//! managed tenants, each read at its tenant's region, flagged, in the fewest
//! requests (a page of keys each, and the users only where a key could be
//! an orphan).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::collections::BTreeSet;

use common::cli::Shell;
use common::{Sim, text};
use serde_json::Value;

const MANAGED: &str = "/account/api/1/managed-organizations";

fn rows(run: &common::cli::Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn every_tenants_keys_are_listed_at_its_region_in_the_fewest_requests() {
    let sim = Sim::small().await;
    let run = Shell::as_principal(&sim, "mt-admin")
        .run(&["inventory", "--output", "jsonl"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    // What the command asked, before this test asks anything itself.
    let log = sim.request_log().await;
    let listed = rows(&run);
    let tenants = sim.all_pages("mt-admin", MANAGED).await;
    assert_eq!(tenants.len(), 8);
    let mut expected = 0;
    for tenant in &tenants {
        let id = text(tenant, "id");
        let region = text(tenant, "region");
        let theirs: Vec<&Value> = listed.iter().filter(|r| r["tenant_id"] == id).collect();
        assert!(theirs.iter().all(|r| r["region"] == region), "{theirs:?}");
        expected += theirs.len();
    }
    let home = &sim.principal("mt-admin").organization_id;
    let at_home = listed
        .iter()
        .filter(|r| r["tenant_id"] == home.as_str())
        .count();
    assert!(at_home > 0, "the home organizations' keys too");
    assert_eq!(
        expected + at_home,
        listed.len(),
        "every row is home's or a tenant's"
    );
    let ids: BTreeSet<&str> = listed.iter().map(|r| text(r, "id")).collect();
    assert_eq!(ids.len(), listed.len(), "no key twice");

    // The floor: the tenant list, a page of keys per place (each fits one
    // page of 100 here), and the users of the places holding a key that
    // could be an orphan.
    let places_with_admin_keys = places_needing_users(&listed);
    let floor = 1 + (tenants.len() + 1) + places_with_admin_keys;
    assert_eq!(log.len(), floor, "{log:?}");
    assert!(log.iter().all(|e| e["status"] == 200), "no 429, no refusal");
}

/// The places (by tenant id) holding an organization or multi-tenant admin key with an owner.
fn places_needing_users(rows: &[Value]) -> usize {
    rows.iter()
        .filter(|r| r["kind"] == "organization" || r["kind"] == "mt-admin")
        .filter(|r| r["owner_email"].is_string() || r["owner_id"].is_string())
        .map(|r| text(r, "tenant_id").to_string())
        .collect::<BTreeSet<_>>()
        .len()
}

#[tokio::test]
async fn flags_select_rows_and_orphans_are_organization_keys_whose_owner_left() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "mt-admin");
    let run = shell
        .run(&["inventory", "--flag", "orphan", "--output", "jsonl"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let orphans = rows(&run);
    assert!(!orphans.is_empty(), "the seeded world has leavers");
    for row in &orphans {
        let flags: Vec<&str> = row["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert!(
            flags.contains(&"orphan") && flags.contains(&"admin"),
            "{row}"
        );
    }
    let old = shell
        .run(&[
            "inventory",
            "--flag",
            "old",
            "--max-age",
            "1y",
            "--output",
            "jsonl",
        ])
        .await;
    assert!(
        rows(&old)
            .iter()
            .all(|r| r["age_days"].as_i64().unwrap() > 365)
    );
    let bad = shell.run(&["inventory", "--flag", "stale"]).await;
    assert_eq!(bad.code, 1, "{bad:?}");
}

#[tokio::test]
async fn a_platform_key_inventory_is_its_own_organizations() {
    let sim = Sim::small().await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["inventory", "--output", "jsonl"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("the inventory is this key's own organizations"),
        "{run:?}"
    );
    let listed = rows(&run);
    let keys = sim
        .all_pages("platform-admin", "/account/api/1/api-keys")
        .await;
    assert_eq!(listed.len(), keys.len());
}

#[tokio::test]
async fn a_failing_region_is_reported_and_the_rest_listed() {
    let sim = Sim::small().await;
    let tenants = sim.all_pages("mt-admin", MANAGED).await;
    let eu = tenants.iter().filter(|t| t["region"] == "eu").count();
    assert!(eu > 0 && eu < tenants.len());
    sim.set_faults("5xx@/eu/account").await;
    let run = Shell::as_principal(&sim, "mt-admin")
        .run(&["inventory", "--output", "csv", "--retries", "0"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr.matches("server error (503)").count(),
        eu,
        "{run:?}"
    );
    assert!(
        run.stderr.contains(&format!("{eu} could not be read")),
        "{run:?}"
    );
    assert!(!run.stdout.contains(",eu,"), "no eu rows");
    assert!(
        run.stdout.lines().count() > 1,
        "the other tenants are listed"
    );
}
