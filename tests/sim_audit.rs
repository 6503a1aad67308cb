//! Audit events for every generate and revoke, served through Log Search the
//! way Rapid7 serves platform audit logs (contract section 6).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::Sim;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn audit_log_ids(sim: &Sim, principal: &str) -> (StatusCode, Vec<String>) {
    let p = sim.principal(principal);
    let response = sim
        .request(
            reqwest::Method::GET,
            &p.api_key,
            &p.region,
            "/log_search/management/logs",
            None,
        )
        .send()
        .await
        .unwrap();
    let (status, body) = common::status_json(response).await;
    let ids = body["logs"]
        .as_array()
        .map(|logs| {
            logs.iter()
                .map(|l| l["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (status, ids)
}

async fn query(sim: &Sim, principal: &str, path: &str) -> (StatusCode, Value) {
    let p = sim.principal(principal);
    let url = if path.starts_with("http") {
        path.to_string()
    } else {
        sim.url(&p.region, path)
    };
    let response = sim
        .http
        .get(url)
        .header("X-Api-Key", &p.api_key)
        .send()
        .await
        .unwrap();
    common::status_json(response).await
}

fn messages(body: &Value) -> Vec<Value> {
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(e["message"].as_str().unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn generate_and_revoke_are_audited() {
    let sim = Sim::small().await;
    let (_, key) = sim
        .generate(
            "platform-admin",
            json!({"name": "audited-key", "type": "USER"}),
        )
        .await;
    assert_eq!(
        sim.revoke("platform-admin", key["id"].as_str().unwrap())
            .await,
        StatusCode::NO_CONTENT
    );

    let (status, logs) = audit_log_ids(&sim, "platform-admin").await;
    assert_eq!(status, StatusCode::OK);
    let ids = logs.join(":");
    let (status, body) = query(
        &sim,
        "platform-admin",
        &format!("/log_search/query/logs/{ids}?time_range=Last%2030%20Days"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["progress"], 100);
    let events = messages(&body);
    let actions: Vec<&str> = events
        .iter()
        .filter(|m| m["target"]["id"] == key["id"])
        .map(|m| m["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["API_KEY_CREATED", "API_KEY_DELETED"]);
    let created = &events[0];
    assert_eq!(
        created["actor"]["email"],
        "platform-admin@acme-partners.example"
    );
    assert_eq!(created["target"]["name"], "audited-key");
    assert_eq!(created["target"]["type"], "USER");
    assert_eq!(created["product"], "Platform");
    assert!(
        !body.to_string().contains(key["key"].as_str().unwrap()),
        "the secret is never audited"
    );
}

#[tokio::test]
async fn audit_logs_need_an_organization_key_or_a_platform_admin() {
    let sim = Sim::small().await;
    assert_eq!(
        audit_log_ids(&sim, "platform-admin").await.0,
        StatusCode::OK
    );
    assert_eq!(audit_log_ids(&sim, "org-key").await.0, StatusCode::OK);
    assert_eq!(audit_log_ids(&sim, "user").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        audit_log_ids(&sim, "org-admin").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, admin_logs) = audit_log_ids(&sim, "platform-admin").await;
    let (status, _) = query(
        &sim,
        "user",
        &format!(
            "/log_search/query/logs/{}?time_range=Last%201%20Days",
            admin_logs[0]
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn queries_filter_and_page_with_next_links() {
    let sim = Sim::small().await;
    for n in 0..5 {
        let (_, key) = sim.generate("org-key", json!({"name": format!("batch-{n}"), "type": "ORGANIZATION", "organization_id": sim.principal("org-key").organization_id})).await;
        if n % 2 == 0 {
            assert_eq!(
                sim.revoke("org-key", key["id"].as_str().unwrap()).await,
                StatusCode::NO_CONTENT
            );
        }
    }
    let (_, logs) = audit_log_ids(&sim, "org-key").await;
    let log = &logs[0];
    let (_, deleted) = query(
        &sim,
        "org-key",
        &format!(
            "/log_search/query/logs/{log}?time_range=Last%201%20Hours&query=where(API_KEY_DELETED)"
        ),
    )
    .await;
    assert_eq!(messages(&deleted).len(), 3);
    assert!(
        messages(&deleted)
            .iter()
            .all(|m| m["action"] == "API_KEY_DELETED")
    );

    let mut seen = Vec::new();
    let (_, mut page) = query(
        &sim,
        "org-key",
        &format!("/log_search/query/logs/{log}?time_range=Last%201%20Hours&per_page=3"),
    )
    .await;
    loop {
        seen.extend(messages(&page));
        let Some(next) = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "Next")
        else {
            break;
        };
        let href = format!("{}{}", sim.sim.base_url(), next["href"].as_str().unwrap());
        page = query(&sim, "org-key", &href).await.1;
    }
    assert_eq!(seen.len(), 8, "5 created + 3 deleted, across pages of 3");

    let (status, _) = query(&sim, "org-key", &format!("/log_search/query/logs/{log}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a time range is required");
}
