//! `r7keys keys`, `orgs` and `tc` end to end: the built binary over real HTTP
//! to the simulator, checking exit codes, stdout, stderr and what reached the
//! server (the simulator's request log).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::cli::{Run, Shell};
use common::{Sim, count_method, last_seq, log_since, sim_generate, small_config, text};
use r7keys::simulator::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEYS: &str = "/account/api/1/api-keys";

/// `keys list --output json` plus `extra`, which must succeed.
async fn listed(shell: &Shell, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["keys", "list", "--output", "json"];
    args.extend_from_slice(extra);
    let run = shell.run(&args).await;
    assert_eq!(run.code, 0, "{run:?}");
    run.json().as_array().expect("a JSON array").clone()
}

fn ids(keys: &[Value]) -> BTreeSet<String> {
    keys.iter().map(|k| text(k, "id").to_string()).collect()
}

fn by_id(keys: &[Value]) -> BTreeMap<String, Value> {
    keys.iter()
        .map(|k| (text(k, "id").to_string(), k.clone()))
        .collect()
}

/// The secret a command printed: stdout must be exactly one line.
fn only_secret(run: &Run) -> String {
    assert_eq!(run.stdout.lines().count(), 1, "only the secret: {run:?}");
    assert!(run.stdout.ends_with('\n'), "{run:?}");
    let secret = run.stdout.trim_end_matches('\n').to_string();
    assert!(
        secret.len() >= 16 && !secret.contains(char::is_whitespace),
        "{run:?}"
    );
    secret
}

// ---------------------------------------------------------------- keys list

#[tokio::test]
async fn list_prints_the_same_keys_as_json_csv_and_table() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let keys = listed(&shell, &[]).await;
    let expected = sim.all_pages("platform-admin", KEYS).await;
    assert_eq!(ids(&keys), ids(&expected), "every key the admin sees");
    assert_eq!(keys.len(), expected.len(), "no duplicates");
    for key in &keys {
        for field in [
            "id",
            "name",
            "type",
            "organization_id",
            "organization_name",
            "owner_email",
            "generated_on",
        ] {
            assert!(key[field].is_string(), "{field} in {key}");
        }
        assert!(key["age_days"].as_i64().unwrap() >= 0, "{key}");
    }
    let server = by_id(&expected);
    for key in &keys {
        let raw = &server[text(key, "id")];
        assert_eq!(key["name"], raw["name"]);
        assert_eq!(key["type"], raw["type"]);
        assert_eq!(key["organization_id"], raw["organization_id"]);
        assert_eq!(key["owner_email"], raw["user_email"]);
    }

    let csv = shell.run(&["keys", "list", "--output", "csv"]).await;
    assert_eq!(csv.code, 0, "{csv:?}");
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "id,name,type,kind,organization_id,organization_name,owner_email,generated_on,age_days,tenant_id,region"
    );
    assert_eq!(lines.len(), keys.len() + 1, "a header, then a line per key");
    let csv_ids: BTreeSet<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(csv_ids, ids(&keys));

    let table = shell.run(&["keys", "list", "--output", "table"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("id  "), "{}", lines[0]);
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "id",
            "name",
            "type",
            "organization",
            "owner",
            "created",
            "age"
        ]
    );
    assert_eq!(lines.len(), keys.len() + 1, "a header, then a line per key");
    let rows: BTreeMap<&str, &str> = lines[1..]
        .iter()
        .map(|l| (l.split_whitespace().next().unwrap(), *l))
        .collect();
    assert_eq!(rows.len(), keys.len(), "short ids are unique in this world");
    let mut old = 0;
    for key in &keys {
        let row = rows[&text(key, "id")[..8]];
        let age = key["age_days"].as_i64().unwrap();
        assert_eq!(row.ends_with(" !"), age > 90, "{row} ({age} days)");
        assert!(row.contains(&format!("{age}d")), "{row} ({age} days)");
        old += usize::from(age > 90);
    }
    assert!(old > 0 && old < keys.len(), "both old and recent keys");
    assert!(
        table
            .stderr
            .contains(&format!("{} keys; {old} older than 90 days", keys.len())),
        "{table:?}"
    );
}

#[tokio::test]
async fn list_filters_by_kind_organization_and_age() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let all = listed(&shell, &[]).await;

    let orgs = listed(&shell, &["--kind", "organization"]).await;
    assert!(!orgs.is_empty());
    assert!(orgs.iter().all(|k| k["type"] == "ORGANIZATION"), "{orgs:?}");
    let expected: BTreeSet<String> = ids(&all
        .iter()
        .filter(|k| k["type"] == "ORGANIZATION")
        .cloned()
        .collect::<Vec<_>>());
    assert_eq!(ids(&orgs), expected);

    let eu = sim.principal("org-admin").organization_id.clone();
    let of_eu = listed(&shell, &["--org", &eu]).await;
    assert!(!of_eu.is_empty());
    assert!(of_eu.iter().all(|k| k["organization_id"] == eu.as_str()));
    let expected = all
        .iter()
        .filter(|k| k["organization_id"] == eu.as_str())
        .count();
    assert_eq!(of_eu.len(), expected);
    assert!(of_eu.len() < all.len());

    let old = listed(&shell, &["--older-than", "365d"]).await;
    assert!(!old.is_empty() && old.len() < all.len(), "{}", old.len());
    // Older than 365 days: at least 365 whole days, and every key of more
    // than 365 whole days is there.
    assert!(old.iter().all(|k| k["age_days"].as_i64().unwrap() >= 365));
    let older: BTreeSet<String> = all
        .iter()
        .filter(|k| k["age_days"].as_i64().unwrap() > 365)
        .map(|k| text(k, "id").to_string())
        .collect();
    assert!(ids(&old).is_superset(&older));
}

#[tokio::test]
async fn compat_mode_keeps_the_servers_type_beside_the_same_kind() {
    let default = Sim::small().await;
    let compat = Sim::start(SimConfig {
        compat: true,
        ..small_config()
    })
    .await;
    let plain = listed(&Shell::as_principal(&default, "platform-admin"), &[]).await;
    let tolerant = listed(&Shell::as_principal(&compat, "platform-admin"), &[]).await;
    assert_eq!(ids(&plain), ids(&tolerant), "same seed, same keys");
    assert_eq!(plain.len(), tolerant.len());
    // Compat mode serves bare arrays: walk them until a short page.
    let mut wire = BTreeSet::new();
    for index in 0.. {
        let (status, page) = compat
            .get_json("platform-admin", &format!("{KEYS}?index={index}&size=100"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page = page.as_array().expect("a bare array").clone();
        wire.extend(page.iter().map(|k| text(k, "type").to_string()));
        if page.len() < 100 {
            break;
        }
    }
    assert!(wire.contains("ENTERPRISE_ADMIN"), "{wire:?}");
    // `kind` is the same whatever the spelling; `type` is the server's own,
    // so a script can tell ENTERPRISE_ADMIN from MULTI_TENANT_ADMIN.
    let plain = by_id(&plain);
    for key in &tolerant {
        assert_eq!(key["kind"], plain[text(key, "id")]["kind"], "{key}");
    }
    let types: BTreeSet<&str> = tolerant.iter().map(|k| text(k, "type")).collect();
    assert_eq!(
        types,
        BTreeSet::from([
            "ENTERPRISE_ADMIN",
            "ENTERPRISE_USER",
            "ORGANIZATION",
            "USER"
        ])
    );
    let kinds: BTreeSet<&str> = tolerant.iter().map(|k| text(k, "kind")).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["mt-admin", "mt-user", "organization", "user"])
    );
}

#[tokio::test]
async fn list_fetches_every_page_once() {
    let sim = Sim::start(SimConfig {
        keys: 2000,
        page_cap: 100,
        ..small_config()
    })
    .await;
    let expected = sim.all_pages("platform-admin", KEYS).await;
    let (_, first) = sim
        .get_json("platform-admin", &format!("{KEYS}?size=100"))
        .await;
    let total_pages = first["metadata"]["total_pages"].as_u64().unwrap() as usize;
    assert!(total_pages > 10, "{total_pages}");
    let since = last_seq(&sim).await;
    let keys = listed(&Shell::as_principal(&sim, "platform-admin"), &[]).await;
    assert_eq!(keys.len(), expected.len());
    assert_eq!(ids(&keys), ids(&expected));
    let log = log_since(&sim, since).await;
    let listing: Vec<&Value> = log
        .iter()
        .filter(|e| text(e, "path").contains("/api-keys"))
        .collect();
    assert_eq!(listing.len(), 1 + (total_pages - 1), "{listing:?}");
    assert!(listing.iter().all(|e| e["method"] == "GET"));
    let pages: BTreeSet<usize> = listing
        .iter()
        .map(|e| {
            let path = text(e, "path");
            let index = path
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("index="));
            index.unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(pages, (0..total_pages).collect(), "each page once");
    assert!(log.iter().all(|e| e["status"] != 429), "{log:?}");
}

// ------------------------------------------------------------ keys generate

#[tokio::test]
async fn generate_prints_only_the_secret_once() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let run = shell
        .run(&["keys", "generate", "--kind", "user", "--name", "ci deploy"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let secret = only_secret(&run);
    assert!(run.stderr.contains("shown once"), "{run:?}");
    assert!(run.stderr.contains("ci deploy"), "{run:?}");
    assert!(!run.stderr.contains(&secret), "the secret only on stdout");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);

    // An ordinary user may not generate an organization key: 403.
    let home = sim.principal("user").organization_id.clone();
    let user = Shell::as_principal(&sim, "user");
    let run = user
        .run(&[
            "keys",
            "generate",
            "--kind",
            "organization",
            "--name",
            "not mine",
            "--org",
            &home,
        ])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("403"), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");

    // An organization key needs its organization: the server's 400 and message.
    let run = shell
        .run(&[
            "keys",
            "generate",
            "--kind",
            "organization",
            "--name",
            "orphan",
        ])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("400"), "{run:?}");
    assert!(
        run.stderr
            .contains("Organization ID is required for ORGANIZATION type keys"),
        "{run:?}"
    );
    assert_eq!(run.stdout, "", "{run:?}");

    let names: BTreeSet<String> = sim
        .all_pages("platform-admin", KEYS)
        .await
        .iter()
        .map(|k| text(k, "name").to_string())
        .collect();
    assert!(names.contains("ci deploy"));
    assert!(!names.contains("not mine") && !names.contains("orphan"));
}

#[tokio::test]
async fn generate_works_in_compat_mode() {
    let sim = Sim::start(SimConfig {
        compat: true,
        ..small_config()
    })
    .await;
    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["keys", "generate", "--kind", "user", "--name", "compat"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let secret = only_secret(&run);
    assert!(run.stderr.contains("shown once"), "{run:?}");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
    let log = log_since(&sim, since).await;
    assert!(
        log.iter()
            .any(|e| e["method"] == "POST" && e["status"] == 200),
        "compat answers 200: {log:?}"
    );
}

// -------------------------------------------------------------- keys revoke

#[tokio::test]
async fn revoke_asks_for_yes_revokes_and_is_idempotent() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let (id, secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "to revoke", "type": "USER"}),
    )
    .await;

    let since = last_seq(&sim).await;
    let run = shell.run(&["keys", "revoke", &id]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--yes"), "{run:?}");
    assert_eq!(count_method(&log_since(&sim, since).await, "DELETE"), 0);
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);

    let run = shell.run(&["keys", "revoke", &id, "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(&format!("revoked {id}")), "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::UNAUTHORIZED);

    let run = shell.run(&["keys", "revoke", &id, "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("already revoked"), "{run:?}");
}

#[tokio::test]
async fn revoking_someone_elses_key_is_refused() {
    let sim = Sim::small().await;
    let (id, secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "the admin's", "type": "USER"}),
    )
    .await;
    let run = Shell::as_principal(&sim, "user")
        .run(&["keys", "revoke", &id, "--yes"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("403"), "{run:?}");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
}

// -------------------------------------------------------------- keys rotate

#[tokio::test]
async fn rotate_replaces_a_key_with_the_same_name_kind_and_organization() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let (old_id, old_secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "nightly export", "type": "USER"}),
    )
    .await;
    let before = listed(&shell, &[]).await;
    let old = by_id(&before)[&old_id].clone();

    let run = shell.run(&["keys", "rotate", &old_id, "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let new_secret = only_secret(&run);
    assert_ne!(new_secret, old_secret);
    assert!(
        run.stderr.contains("proved it works at region us"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains(&format!("revoked the old key (id {old_id})")),
        "{run:?}"
    );
    assert_eq!(sim.validate(&new_secret, "us").await, StatusCode::OK);
    assert_eq!(
        sim.validate(&old_secret, "us").await,
        StatusCode::UNAUTHORIZED
    );

    let after = listed(&shell, &[]).await;
    assert!(!ids(&after).contains(&old_id));
    let added: Vec<String> = ids(&after).difference(&ids(&before)).cloned().collect();
    assert_eq!(added.len(), 1, "{added:?}");
    let new = &by_id(&after)[&added[0]];
    for field in ["name", "type", "organization_id"] {
        assert_eq!(new[field], old[field], "{field}");
    }
}

#[tokio::test]
async fn rotate_keep_old_leaves_the_old_key_working() {
    let sim = Sim::small().await;
    let (old_id, old_secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "siem feed", "type": "USER"}),
    )
    .await;
    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["keys", "rotate", &old_id, "--yes", "--keep-old"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let new_secret = only_secret(&run);
    assert!(run.stderr.contains("kept the old key"), "{run:?}");
    assert_eq!(sim.validate(&new_secret, "us").await, StatusCode::OK);
    assert_eq!(sim.validate(&old_secret, "us").await, StatusCode::OK);
    assert_eq!(count_method(&log_since(&sim, since).await, "DELETE"), 0);
}

#[tokio::test]
async fn rotate_proves_an_organization_key_at_its_organizations_region() {
    let sim = Sim::small().await;
    let eu = sim.principal("org-admin").clone();
    assert_eq!(eu.region, "eu");
    let (old_id, old_secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "eu integration", "type": "ORGANIZATION",
               "organization_id": eu.organization_id}),
    )
    .await;
    assert_eq!(sim.validate(&old_secret, "eu").await, StatusCode::OK);

    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["keys", "rotate", &old_id, "--yes"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let new_secret = only_secret(&run);
    assert!(
        run.stderr.contains("proved it works at region eu"),
        "{run:?}"
    );
    assert_eq!(sim.validate(&new_secret, "eu").await, StatusCode::OK);
    assert_eq!(
        sim.validate(&new_secret, "us").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sim.validate(&old_secret, "eu").await,
        StatusCode::UNAUTHORIZED
    );
    let log = log_since(&sim, since).await;
    assert!(
        log.iter()
            .any(|e| e["path"] == "/eu/validate" && e["status"] == 200),
        "the proof went to eu: {log:?}"
    );
}

#[tokio::test]
async fn rotate_stops_without_revoking_when_generating_fails() {
    let sim = Sim::small().await;
    // The organization key sees (and may revoke) the user keys of its
    // organization, but a user key can only be generated with a user key: the
    // lookup succeeds and the generate is refused with 403.
    let (id, secret) = sim_generate(
        &sim,
        "user",
        json!({"name": "uri's script", "type": "USER"}),
    )
    .await;
    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "org-key")
        .run(&["keys", "rotate", &id, "--yes"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("403"), "{run:?}");
    assert_eq!(run.stdout, "", "no secret: {run:?}");
    let log = log_since(&sim, since).await;
    assert!(
        log.iter()
            .any(|e| e["method"] == "GET" && text(e, "path").contains("/api-keys")),
        "the key was looked up: {log:?}"
    );
    assert!(
        log.iter()
            .any(|e| e["method"] == "POST" && e["status"] == 403),
        "the generate was refused: {log:?}"
    );
    assert_eq!(count_method(&log, "DELETE"), 0, "{log:?}");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
}

// ---------------------------------------------------------------- read-only

async fn assert_read_only(sim: &Sim, shell: &Shell, flag: &[&str]) {
    let (id, secret) = sim_generate(
        sim,
        "platform-admin",
        json!({"name": "protected", "type": "USER"}),
    )
    .await;
    let since = last_seq(sim).await;
    let commands: [&[&str]; 3] = [
        &["keys", "generate", "--kind", "user", "--name", "nope"],
        &["keys", "revoke", &id, "--yes"],
        &["keys", "rotate", &id, "--yes"],
    ];
    for command in commands {
        let args: Vec<&str> = flag.iter().chain(command).copied().collect();
        let run = shell.run(&args).await;
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(run.stderr.contains("read-only"), "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}: {run:?}");
    }
    let args: Vec<&str> = flag
        .iter()
        .chain(&["keys", "list", "--output", "json"])
        .copied()
        .collect();
    assert_eq!(shell.run(&args).await.code, 0, "listing is allowed");
    let log = log_since(sim, since).await;
    assert_eq!(count_method(&log, "POST"), 0, "{log:?}");
    assert_eq!(count_method(&log, "DELETE"), 0, "{log:?}");
    assert!(count_method(&log, "GET") > 0, "{log:?}");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
}

#[tokio::test]
async fn read_only_flag_refuses_every_change() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    assert_read_only(&sim, &shell, &["--read-only"]).await;
}

#[tokio::test]
async fn read_only_profile_refuses_every_change() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    shell.write_config("default_profile = \"ro\"\n\n[profiles.ro]\nread_only = true\n");
    assert_read_only(&sim, &shell, &[]).await;
}

// ------------------------------------------------------------ --all-tenants

/// Every key of one tenant, straight from the simulator.
async fn tenant_keys(sim: &Sim, tenant: &Value) -> Vec<Value> {
    let key = sim.principal("mt-admin").api_key.clone();
    let mut items = Vec::new();
    let mut index = 0;
    loop {
        let response = sim
            .request(
                Method::GET,
                &key,
                text(tenant, "region"),
                &format!("{KEYS}?index={index}&size=100"),
                Some(text(tenant, "id")),
            )
            .send()
            .await
            .unwrap();
        let (status, body) = common::status_json(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        items.extend(body["data"].as_array().unwrap().iter().cloned());
        index += 1;
        if index >= body["metadata"]["total_pages"].as_u64().unwrap() {
            return items;
        }
    }
}

/// The managed tenants and the ids of their keys.
async fn tenants_with_keys(sim: &Sim) -> Vec<(Value, BTreeSet<String>)> {
    let tenants = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    assert!(!tenants.is_empty());
    let mut out = Vec::new();
    for tenant in tenants {
        let keys = ids(&tenant_keys(sim, &tenant).await);
        out.push((tenant, keys));
    }
    out
}

/// Output keys grouped by `tenant_id`, checking each carries its tenant's region.
fn group_by_tenant(
    keys: &[Value],
    tenants: &[(Value, BTreeSet<String>)],
) -> BTreeMap<String, BTreeSet<String>> {
    let regions: BTreeMap<&str, &str> = tenants
        .iter()
        .map(|(t, _)| (text(t, "id"), text(t, "region")))
        .collect();
    let mut grouped: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for key in keys {
        let tenant = text(key, "tenant_id");
        assert_eq!(regions.get(tenant), Some(&text(key, "region")), "{key}");
        assert_eq!(key["organization_id"], key["tenant_id"], "{key}");
        grouped
            .entry(tenant.to_string())
            .or_default()
            .insert(text(key, "id").to_string());
    }
    grouped
}

#[tokio::test]
async fn all_tenants_lists_the_keys_of_every_tenant() {
    let sim = Sim::small().await;
    let tenants = tenants_with_keys(&sim).await;
    let run = Shell::as_principal(&sim, "mt-admin")
        .run(&["keys", "list", "--all-tenants", "--output", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("listing the keys of {} tenants", tenants.len())),
        "{run:?}"
    );
    let keys = run.json().as_array().unwrap().clone();
    let grouped = group_by_tenant(&keys, &tenants);
    let expected: BTreeMap<String, BTreeSet<String>> = tenants
        .iter()
        .filter(|(_, keys)| !keys.is_empty())
        .map(|(t, keys)| (text(t, "id").to_string(), keys.clone()))
        .collect();
    assert!(expected.len() >= 2, "several tenants have keys");
    assert_eq!(grouped, expected);
    let regions: BTreeSet<&str> = keys.iter().map(|k| text(k, "region")).collect();
    assert!(
        regions.len() >= 2,
        "tenants of several regions: {regions:?}"
    );
}

#[tokio::test]
async fn all_tenants_reports_a_failing_region_and_lists_the_others() {
    let sim = Sim::small().await;
    let tenants = tenants_with_keys(&sim).await;
    let home = sim.principal("mt-admin").region.clone();
    // A region other than the key's own (where managed-organizations is asked)
    // with tenants that have keys.
    let failing = tenants
        .iter()
        .filter(|(t, keys)| text(t, "region") != home && !keys.is_empty())
        .map(|(t, _)| text(t, "region").to_string())
        .next()
        .expect("a tenant with keys outside the home region");
    assert!(
        tenants
            .iter()
            .any(|(t, keys)| text(t, "region") != failing && !keys.is_empty()),
        "tenants with keys elsewhere too"
    );
    sim.set_faults(&format!("5xx@/{failing}/")).await;
    let run = Shell::as_principal(&sim, "mt-admin")
        .run(&[
            "keys",
            "list",
            "--all-tenants",
            "--output",
            "json",
            "--retries",
            "0",
        ])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    let keys = run.json().as_array().unwrap().clone();
    let grouped = group_by_tenant(&keys, &tenants);
    let expected: BTreeMap<String, BTreeSet<String>> = tenants
        .iter()
        .filter(|(t, keys)| text(t, "region") != failing && !keys.is_empty())
        .map(|(t, keys)| (text(t, "id").to_string(), keys.clone()))
        .collect();
    assert_eq!(grouped, expected, "the other tenants are all there");
    for (tenant, _) in &tenants {
        let named = run
            .stderr
            .contains(&format!("tenant {}", text(tenant, "id")));
        assert_eq!(
            named,
            text(tenant, "region") == failing,
            "{tenant}: {run:?}"
        );
    }
    assert!(run.stderr.contains("503"), "{run:?}");
}

// --------------------------------------------------------------------- orgs

fn id_names(items: &[Value]) -> BTreeMap<String, Value> {
    items
        .iter()
        .map(|o| (text(o, "id").to_string(), o["name"].clone()))
        .collect()
}

#[tokio::test]
async fn orgs_list_and_managed_match_the_platform() {
    let sim = Sim::small().await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["orgs", "list", "--output", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let orgs = run.json().as_array().unwrap().clone();
    let expected = sim
        .all_pages("platform-admin", "/account/api/1/organizations")
        .await;
    assert!(orgs.len() >= 2);
    assert_eq!(id_names(&orgs), id_names(&expected));

    let run = Shell::as_principal(&sim, "mt-admin")
        .run(&["orgs", "managed", "--output", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let managed = run.json().as_array().unwrap().clone();
    let expected = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    assert_eq!(managed.len(), 8);
    assert_eq!(id_names(&managed), id_names(&expected));
    let regions = |items: &[Value]| -> BTreeMap<String, String> {
        items
            .iter()
            .map(|o| (text(o, "id").to_string(), text(o, "region").to_string()))
            .collect()
    };
    assert_eq!(regions(&managed), regions(&expected));

    let run = Shell::as_principal(&sim, "user")
        .run(&["orgs", "managed", "--output", "json"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("403"), "{run:?}");
    assert_eq!(run.stdout, "");
}

// ----------------------------------------------------------------------- tc

#[tokio::test]
async fn tc_status_reports_the_subscription_without_the_key() {
    let sim = Sim::small().await;
    let tc = sim.creds().threat_command.clone();
    let run = Shell::new(&sim)
        .env("R7_TC_ACCOUNT_ID", &tc.account_id)
        .env("R7_TC_API_KEY", &tc.api_key)
        .run(&["tc", "status", "--output", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let status = run.json();
    assert_eq!(status["account_id"], tc.account_id.as_str());
    assert_eq!(status["credentials_valid"], true);
    assert!(status["system_modules"].is_object(), "{status}");
    assert!(status["system_modules"].get("error").is_none(), "{status}");
    assert!(status["assets"]["limit"].is_u64(), "{status}");
    assert!(status["assets"]["used"].is_u64(), "{status}");
    assert!(status["enrichment_quota"]["total"].is_u64(), "{status}");
    assert!(status["mssp_customers"].is_array(), "{status}");
    assert!(
        text(&status, "web_console_only").contains("Subscription"),
        "{status}"
    );
    assert!(!run.stdout.contains(&tc.api_key) && !run.stderr.contains(&tc.api_key));

    let run = Shell::new(&sim)
        .env("R7_TC_ACCOUNT_ID", &tc.account_id)
        .env("R7_TC_API_KEY", "wrong-key-0123456789")
        .run(&["tc", "status", "--output", "json"])
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("refused the credentials"), "{run:?}");
    assert_eq!(run.stdout, "");
}

// ------------------------------------------------------------ hostile names

fn obeyed(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c != '\n' && r7keys::sanitize::is_unsafe(c))
        .collect()
}

#[tokio::test]
async fn hostile_names_never_reach_the_terminal() {
    let sim = Sim::start(SimConfig {
        keys: 400,
        hostile_names: true,
        ..small_config()
    })
    .await;
    let names: BTreeMap<String, Value> = sim
        .all_pages("platform-admin", KEYS)
        .await
        .iter()
        .map(|k| (text(k, "id").to_string(), k["name"].clone()))
        .collect();
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(
            names.values().any(|n| n.as_str().unwrap().contains(bad)),
            "the world holds a name with {bad:?}"
        );
    }
    let shell = Shell::as_principal(&sim, "platform-admin");
    for format in ["table", "csv", "json"] {
        let run = shell.run(&["keys", "list", "--output", format]).await;
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!run.stdout.contains(bad), "{format} holds {bad:?}");
        }
        assert_eq!(obeyed(&run.stdout), Vec::<char>::new(), "{format}");
        assert_eq!(obeyed(&run.stderr), Vec::<char>::new(), "{format}");
        if format != "json" {
            assert_eq!(run.stdout.lines().count(), names.len() + 1, "{format}");
        }
    }
    let keys = listed(&shell, &[]).await;
    let parsed: BTreeMap<String, Value> = keys
        .iter()
        .map(|k| (text(k, "id").to_string(), k["name"].clone()))
        .collect();
    assert_eq!(parsed, names, "JSON gives back the exact names");
}

// ------------------------------------------------- rotate: what must not happen

#[tokio::test]
async fn rotate_refuses_to_replace_someone_elses_user_key() {
    let sim = Sim::small().await;
    // Uri's key represents Uri; a key generated by the admin represents the admin.
    let (id, secret) = sim_generate(
        &sim,
        "user",
        json!({"name": "uri's script", "type": "USER"}),
    )
    .await;
    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["keys", "rotate", &id, "--yes"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "", "no secret: {run:?}");
    assert!(
        run.stderr.contains("only its owner can rotate it"),
        "{run:?}"
    );
    assert!(run.stderr.contains("user@acme-partners.example"), "{run:?}");
    assert!(
        run.stderr
            .contains("the old key is unchanged and still active"),
        "{run:?}"
    );
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
    let log = log_since(&sim, since).await;
    let deleted: Vec<&str> = log
        .iter()
        .filter(|e| e["method"] == "DELETE")
        .map(|e| text(e, "path"))
        .collect();
    assert_eq!(deleted.len(), 1, "the unwanted new key is revoked: {log:?}");
    assert!(!deleted[0].ends_with(&id), "not the old key: {log:?}");
    let named: Vec<Value> = sim
        .all_pages("platform-admin", KEYS)
        .await
        .into_iter()
        .filter(|k| k["name"] == "uri's script")
        .collect();
    assert_eq!(
        ids(&named),
        BTreeSet::from([id.clone()]),
        "only the old key"
    );
}

#[tokio::test]
async fn rotate_keeps_the_old_key_and_withdraws_a_new_one_that_fails_its_proof() {
    let sim = Sim::small().await;
    let (id, old_secret) = sim_generate(
        &sim,
        "platform-admin",
        json!({"name": "edge proxy", "type": "USER"}),
    )
    .await;
    sim.set_faults("5xx@/validate").await;
    let since = last_seq(&sim).await;
    let run = Shell::as_principal(&sim, "platform-admin")
        .run(&["keys", "rotate", &id, "--yes", "--retries", "0"])
        .await;
    let log = log_since(&sim, since).await;
    sim.set_faults("").await;
    assert_eq!(run.code, 2, "{run:?}");
    // An unproven key is not handed out: it is revoked again, and the
    // message says which key is live.
    assert_eq!(run.stdout, "", "no secret of an unproven key: {run:?}");
    assert!(
        run.stderr.contains(&format!(
            "the old key (id {id}) is unchanged and still active"
        )),
        "{run:?}"
    );
    assert!(run.stderr.contains("could not be proven"), "{run:?}");
    assert!(run.stderr.contains("was revoked again"), "{run:?}");
    let deleted: Vec<&str> = log
        .iter()
        .filter(|e| e["method"] == "DELETE")
        .map(|e| text(e, "path"))
        .collect();
    assert_eq!(deleted.len(), 1, "{log:?}");
    assert!(
        !deleted[0].ends_with(&id),
        "the new key, not the old: {log:?}"
    );
    assert_eq!(sim.validate(&old_secret, "us").await, StatusCode::OK);
    let named = sim
        .all_pages("platform-admin", KEYS)
        .await
        .into_iter()
        .filter(|k| k["name"] == "edge proxy")
        .count();
    assert_eq!(named, 1, "only the old key is left");
}

#[tokio::test]
async fn all_tenants_needs_a_multi_tenant_key() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let run = shell
        .run(&["keys", "list", "--all-tenants", "--output", "json"])
        .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("needs a multi-tenant key"), "{run:?}");
    assert_eq!(run.stdout, "");

    // With a tenant named, a platform key's answers are its own keys, which
    // must never be shown as the tenant's.
    let tenants = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    let local = tenants
        .iter()
        .find(|t| t["region"] == "us")
        .expect("a tenant in the admin's region");
    let run = shell
        .run(&[
            "keys",
            "list",
            "--all-tenants",
            "--output",
            "json",
            "--retries",
            "0",
            "--tenant",
            text(local, "id"),
        ])
        .await;
    let elsewhere = tenants.iter().any(|t| t["region"] != "us");
    assert_eq!(run.code, if elsewhere { 4 } else { 2 }, "{run:?}");
    assert_eq!(run.json(), json!([]), "{run:?}");
    assert!(
        run.stderr.contains("holds keys of other organizations"),
        "{run:?}"
    );
}
