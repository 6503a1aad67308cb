//! `r7keys audit` end to end: the built binary reads the simulator's
//! platform audit trail through Log Search (its events, its Next links, its
//! 403 for keys that may not read it, every tenant's trail for a
//! multi-tenant key), checked against what reached the server.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::cli::{Run, Shell};
use common::{Sim, last_seq, log_since, sim_generate, text};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ADMIN: &str = "platform-admin";
const QUERY: &str = "/log_search/query/logs/";
const LOGS: &str = "/log_search/management/logs";

fn events(run: &Run) -> Vec<Value> {
    assert_eq!(run.code, 0, "{run:?}");
    run.json().as_array().expect("a JSON array").clone()
}

fn field<'v>(events: &'v [Value], name: &str) -> Vec<&'v str> {
    events.iter().map(|e| text(e, name)).collect()
}

/// How many logged requests went to a path containing `part`.
fn count(log: &[Value], part: &str) -> usize {
    log.iter()
        .filter(|e| e["path"].as_str().unwrap().contains(part))
        .count()
}

#[tokio::test]
async fn audit_says_who_generated_and_revoked_which_key() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, ADMIN);
    let (kept, _) = sim_generate(&sim, ADMIN, json!({"name": "audit-kept", "type": "USER"})).await;
    let (gone, _) = sim_generate(&sim, ADMIN, json!({"name": "audit-gone", "type": "USER"})).await;
    assert_eq!(sim.revoke(ADMIN, &gone).await, StatusCode::NO_CONTENT);

    let before = last_seq(&sim).await;
    let all = events(
        &shell
            .run(&["audit", "--since", "1h", "--output", "json"])
            .await,
    );
    assert_eq!(
        field(&all, "action"),
        ["revoke", "generate", "generate"],
        "newest first"
    );
    assert_eq!(
        field(&all, "key_id"),
        [gone.as_str(), gone.as_str(), kept.as_str()]
    );
    assert_eq!(
        field(&all, "key_name"),
        ["audit-gone", "audit-gone", "audit-kept"]
    );
    assert!(
        all.iter().all(
            |e| e["actor_email"] == "platform-admin@acme-partners.example"
                && e["key_type"] == "USER"
        ),
        "{all:#?}"
    );
    let log = log_since(&sim, before).await;
    assert_eq!(count(&log, LOGS), 1, "{log:#?}");
    assert_eq!(count(&log, QUERY), 1, "one page holds them: {log:#?}");

    // Filters: by key, by action, by actor.
    let only = events(
        &shell
            .run(&["audit", "--since", "1h", "--key", &gone, "--output", "json"])
            .await,
    );
    assert_eq!(field(&only, "key_id"), [gone.as_str(), gone.as_str()]);
    let revokes = events(
        &shell
            .run(&[
                "audit", "--since", "1h", "--action", "revoke", "--output", "json",
            ])
            .await,
    );
    assert_eq!(field(&revokes, "key_id"), [gone.as_str()]);
    let nobody = events(
        &shell
            .run(&[
                "audit",
                "--actor",
                "nobody@acme.example",
                "--output",
                "json",
            ])
            .await,
    );
    assert!(nobody.is_empty());

    // CSV and the table carry the same rows.
    let csv = shell
        .run(&["audit", "--since", "1h", "--output", "csv"])
        .await;
    assert_eq!(csv.code, 0, "{csv:?}");
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert!(lines[0].starts_with("time,action,wire_action,key_id,key_name"));
    assert_eq!(lines.len(), 4, "{csv:?}");
    assert!(lines[1].contains(&format!(",revoke,API_KEY_DELETED,{gone},audit-gone,USER,")));
    let table = shell
        .run(&["audit", "--since", "1h", "--output", "table"])
        .await;
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("audit-kept") && table.stdout.contains(&kept[..8]));
    assert!(table.stderr.contains("3 API-key events"), "{table:?}");

    let bad = shell.run(&["audit", "--since", "yesterday-ish"]).await;
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.stderr.contains("7d"), "{bad:?}");
}

#[tokio::test]
async fn audit_follows_the_simulators_next_links() {
    let sim = Sim::small().await;
    let org = sim.principal("org-key").organization_id.clone();
    let mut ids = Vec::new();
    for n in 0..7 {
        let (id, _) = sim_generate(
            &sim,
            "org-key",
            json!({"name": format!("paged-{n}"), "type": "ORGANIZATION", "organization_id": org}),
        )
        .await;
        ids.push(id);
    }
    let shell = Shell::as_principal(&sim, "org-key");
    let before = last_seq(&sim).await;
    let run = shell
        .run(&[
            "audit",
            "--since",
            "1h",
            "--page-size",
            "3",
            "--output",
            "json",
        ])
        .await;
    let found = events(&run);
    ids.reverse();
    assert_eq!(
        field(&found, "key_id"),
        ids.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let log = log_since(&sim, before).await;
    let pages: Vec<&str> = log
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .filter(|p| p.contains(QUERY))
        .collect();
    assert_eq!(pages.len(), 3, "7 events in pages of 3: {pages:#?}");
    assert!(
        pages[1].contains("sequence_number="),
        "a Next link: {pages:#?}"
    );
    assert!(
        run.stderr.contains("7 API-key events (4 requests)"),
        "{run:?}"
    );
}

#[tokio::test]
async fn audit_needs_an_organization_key_or_a_platform_admin() {
    let sim = Sim::small().await;
    for who in ["user", "org-admin"] {
        let run = Shell::as_principal(&sim, who).run(&["audit"]).await;
        assert_eq!(run.code, 2, "{who}: {run:?}");
        assert!(run.stderr.contains("forbidden (403)"), "{who}: {run:?}");
        assert!(
            run.stderr
                .contains("organization key or a Platform Administrator"),
            "{who}: {run:?}"
        );
        assert!(run.stdout.is_empty(), "{run:?}");
    }
    let before = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "user").run(&["audit"]).await;
    assert_eq!(run.code, 2);
    let log = log_since(&sim, before).await;
    assert_eq!(log.len(), 1, "nothing is asked after the refusal: {log:#?}");
    let run = Shell::as_principal(&sim, "org-key")
        .run(&["audit", "--output", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
}

#[tokio::test]
async fn a_multi_tenant_key_reads_every_tenants_trail() {
    let sim = Sim::small().await;
    let mt = sim.principal("mt-admin").clone();
    let shell = Shell::as_principal(&sim, "mt-admin");
    let (status, tenants) = sim
        .get_json("mt-admin", "/account/api/1/managed-organizations?size=100")
        .await;
    assert_eq!(status, StatusCode::OK);
    let tenants = tenants["data"].as_array().unwrap().clone();
    assert!(tenants.len() >= 3);
    // A key generated and revoked in two tenants of different regions.
    let mut expected = Vec::new();
    let mut regions = std::collections::BTreeSet::new();
    for tenant in tenants
        .iter()
        .filter(|t| regions.insert(text(t, "region").to_string()))
        .take(2)
    {
        let (id, region) = (text(tenant, "id"), text(tenant, "region"));
        let response = sim
            .request(Method::POST, &mt.api_key, region, "/account/api/1/api-keys", Some(id))
            .json(&json!({"name": format!("tenant-key-{region}"), "type": "ORGANIZATION", "organization_id": id}))
            .send()
            .await
            .unwrap();
        let (status, created) = common::status_json(response).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let key = text(&created, "id").to_string();
        let response = sim
            .request(
                Method::DELETE,
                &mt.api_key,
                region,
                &format!("/account/api/1/api-keys/{key}"),
                Some(id),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        expected.push((id.to_string(), region.to_string(), key));
    }

    let before = last_seq(&sim).await;
    let run = shell
        .run(&[
            "audit",
            "--all-tenants",
            "--since",
            "1h",
            "--output",
            "json",
        ])
        .await;
    let found = events(&run);
    assert_eq!(found.len(), 4, "{found:#?}");
    for (tenant, region, key) in &expected {
        let mine: Vec<&Value> = found
            .iter()
            .filter(|e| e["key_id"] == key.as_str())
            .collect();
        assert_eq!(mine.len(), 2, "{key}: {found:#?}");
        assert!(
            mine.iter()
                .all(|e| e["tenant_id"] == tenant.as_str() && e["region"] == region.as_str())
        );
        assert_eq!(mine[0]["action"], "revoke", "newest first");
    }
    assert!(
        run.stderr.contains(&format!(
            "reading the audit trails of {} tenants",
            tenants.len()
        )),
        "{run:?}"
    );

    // Each tenant asked at its own region, naming it.
    let log = log_since(&sim, before).await;
    for tenant in &tenants {
        let id = text(tenant, "id");
        let asked: Vec<&Value> = log
            .iter()
            .filter(|e| e["path"].as_str().unwrap().contains(LOGS) && e["tenant"] == id)
            .collect();
        assert_eq!(asked.len(), 1, "{id}: {log:#?}");
        let region = text(tenant, "region");
        assert!(
            text(asked[0], "path").starts_with(&format!("/{region}/")),
            "{asked:?}"
        );
    }
    assert_eq!(count(&log, QUERY), tenants.len());

    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["audit", "--all-tenants"])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("--all-tenants needs a multi-tenant key"),
        "{run:?}"
    );
    assert_eq!(mt.region, "us");
}
