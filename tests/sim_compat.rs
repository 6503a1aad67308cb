//! Compatibility mode (`compat: true`) over real HTTP: bare arrays for every
//! list (paged by `index`/`size`, ended by a short page), 200 with a
//! `data`-wrapped key on generate, 200 on revoke, and `ENTERPRISE_*` type
//! names; both multi-tenant spellings are accepted in both modes.

mod common;

use std::collections::HashSet;

use common::{Sim, small_config};
use r7keys::simulator::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEYS: &str = "/account/api/1/api-keys";
const ORGS: &str = "/account/api/1/organizations";
const MANAGED: &str = "/account/api/1/managed-organizations";

async fn compat() -> Sim {
    Sim::start(SimConfig {
        compat: true,
        ..small_config()
    })
    .await
}

/// Walks a bare-array list at `size` until a short page; answers the items
/// and the length of every page fetched.
async fn walk_bare(sim: &Sim, who: &str, path: &str, size: usize) -> (Vec<Value>, Vec<usize>) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut lengths = Vec::new();
    for index in 0.. {
        let (status, body) = sim
            .get_json(who, &format!("{path}{sep}index={index}&size={size}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{path} page {index}: {body}");
        let page = body
            .as_array()
            .unwrap_or_else(|| panic!("{path}: a bare array, got {body}"));
        assert!(page.len() <= size);
        lengths.push(page.len());
        items.extend(page.iter().cloned());
        if page.len() < size {
            break;
        }
        assert!(index < 1000, "the walk ends");
    }
    (items, lengths)
}

/// `total_data` of a list in the standard shape.
async fn total_data(sim: &Sim, who: &str, path: &str) -> usize {
    let (status, body) = sim.get_json(who, &format!("{path}?size=1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["metadata"]["total_data"].as_u64().expect("total_data") as usize
}

fn distinct_ids(items: &[Value]) -> usize {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("an id").to_string())
        .collect::<HashSet<_>>()
        .len()
}

/// The page lengths a walk at `size` over `total` items sees.
fn expected_lengths(total: usize, size: usize) -> Vec<usize> {
    let mut lengths = vec![size; total / size];
    lengths.push(total % size);
    lengths
}

#[tokio::test]
async fn lists_are_bare_arrays_paged_by_index_and_size() {
    let sim = compat().await;
    // The same seed in the standard shape says how much there is.
    let standard = Sim::small().await;

    for (who, path, size) in [
        ("platform-admin", KEYS, 10),
        ("platform-admin", ORGS, 2),
        ("mt-admin", MANAGED, 3),
    ] {
        let total = total_data(&standard, who, path).await;
        let (items, lengths) = walk_bare(&sim, who, path, size).await;
        assert_eq!(lengths, expected_lengths(total, size), "{path}");
        assert_eq!(items.len(), total, "{path}");
        assert_eq!(distinct_ids(&items), total, "{path}: no item twice");
    }

    let (status, body) = sim.get_json("platform-admin", KEYS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 20, "default size 20");
    let (status, body) = sim
        .get_json("mt-admin", &format!("{MANAGED}?size=1000"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 8);
    let capped = Sim::start(SimConfig {
        compat: true,
        page_cap: 7,
        ..small_config()
    })
    .await;
    let (status, body) = capped
        .get_json("platform-admin", &format!("{KEYS}?size=1000"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 7, "the cap still applies");
    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?index=999"))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!([])));
    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?size=0"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("size"));

    for path in [
        "/account/api/1/users",
        "/account/api/1/products",
        "/account/api/1/roles",
    ] {
        let (status, body) = sim.get_json("platform-admin", path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.as_array().is_some_and(|a| !a.is_empty()),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn generate_answers_200_with_a_wrapped_key_and_revoke_200() {
    let sim = compat().await;
    let (status, body) = sim
        .generate(
            "platform-admin",
            json!({"name": "compat-made", "type": "USER"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let object = body.as_object().unwrap();
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        ["data"],
        "wrapped: {body}"
    );
    let key = &body["data"];
    assert_eq!(key["name"], "compat-made");
    assert_eq!(key["type"], "USER");
    assert_eq!(
        key["organization_id"],
        sim.principal("platform-admin").organization_id.as_str()
    );
    let id = key["id"].as_str().unwrap().to_string();
    let secret = key["key"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 36, "UUID-shaped secret");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
    let listed = sim
        .request(Method::GET, &secret, "us", KEYS, None)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK, "the new key works");

    let response = sim
        .as_principal("platform-admin", Method::DELETE, &format!("{KEYS}/{id}"))
        .send()
        .await
        .unwrap();
    let (status, body) = common::status_json(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["id"],
        id.as_str(),
        "the revoked key, wrapped: {body}"
    );
    assert!(body["data"].get("key").is_none(), "never the secret again");
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sim.revoke("platform-admin", &id).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn multi_tenant_keys_are_typed_enterprise() {
    let sim = compat().await;
    assert_eq!(sim.principal("mt-admin").key_type, "ENTERPRISE_ADMIN");
    assert_eq!(sim.principal("mt-user").key_type, "ENTERPRISE_USER");
    for name in ["platform-admin", "org-admin", "user"] {
        assert_eq!(sim.principal(name).key_type, "USER");
    }
    assert_eq!(sim.principal("org-key").key_type, "ORGANIZATION");

    let (keys, _) = walk_bare(&sim, "platform-admin", KEYS, 100).await;
    let types: HashSet<&str> = keys.iter().map(|k| k["type"].as_str().unwrap()).collect();
    let mut types: Vec<&str> = types.into_iter().collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "ENTERPRISE_ADMIN",
            "ENTERPRISE_USER",
            "ORGANIZATION",
            "USER"
        ]
    );
    let mt_admin_keys = keys
        .iter()
        .filter(|k| k["type"] == "ENTERPRISE_ADMIN")
        .count();

    for filter in ["ENTERPRISE_ADMIN", "MULTI_TENANT_ADMIN"] {
        let (filtered, _) = walk_bare(
            &sim,
            "platform-admin",
            &format!("{KEYS}?type={filter}"),
            100,
        )
        .await;
        assert_eq!(filtered.len(), mt_admin_keys, "type={filter}");
        assert!(filtered.iter().all(|k| k["type"] == "ENTERPRISE_ADMIN"));
    }

    // The multi-tenant principals work with their tenant header.
    let tenants = sim.get_json("mt-admin", MANAGED).await;
    assert_eq!(tenants.0, StatusCode::OK);
    assert_eq!(tenants.1.as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn both_multi_tenant_spellings_generate_in_both_modes() {
    for compat in [false, true] {
        let sim = Sim::start(SimConfig {
            compat,
            ..small_config()
        })
        .await;
        let home = sim.principal("user").organization_id.clone();
        for (n, (spelling, who)) in [
            ("MULTI_TENANT_USER", "user"),
            ("ENTERPRISE_USER", "user"),
            ("MULTI_TENANT_ADMIN", "platform-admin"),
            ("ENTERPRISE_ADMIN", "platform-admin"),
        ]
        .into_iter()
        .enumerate()
        {
            let name = format!("spelling-{n}");
            let (status, body) = sim
                .generate(who, json!({"name": name, "type": spelling}))
                .await;
            let (expected_status, key) = if compat {
                (StatusCode::OK, &body["data"])
            } else {
                (StatusCode::CREATED, &body)
            };
            assert_eq!(
                status, expected_status,
                "{spelling} compat={compat}: {body}"
            );
            let admin = spelling.ends_with("ADMIN");
            let wire = match (compat, admin) {
                (false, false) => "MULTI_TENANT_USER",
                (false, true) => "MULTI_TENANT_ADMIN",
                (true, false) => "ENTERPRISE_USER",
                (true, true) => "ENTERPRISE_ADMIN",
            };
            assert_eq!(key["type"], wire, "{spelling} compat={compat}");
            assert_eq!(key["name"], name.as_str());
            let secret = key["key"].as_str().unwrap();
            let validated = sim
                .request(Method::GET, secret, "us", "/validate", Some(&home))
                .send()
                .await
                .unwrap();
            assert_eq!(
                validated.status(),
                StatusCode::OK,
                "the new multi-tenant key works"
            );
        }
    }
}
