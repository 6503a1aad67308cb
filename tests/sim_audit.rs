//! Audit events for every generate and revoke, served through Log Search the
//! way Rapid7 serves platform audit logs (contract section 6): queries that
//! answer 202 "still running" with a `Self` link to poll, pages by `Next`
//! links, a tenant's trail through a multi-tenant key, who may read.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::{Sim, small_config};
use r7keys::simulator::SimConfig;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
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
        let href = next["href"].as_str().unwrap();
        assert!(
            href.starts_with(&sim.url(&sim.principal("org-key").region, "/log_search/query/logs/")),
            "an absolute link, as Rapid7's: {href}"
        );
        page = query(&sim, "org-key", href).await.1;
    }
    assert_eq!(seen.len(), 8, "5 created + 3 deleted, across pages of 3");

    let (status, _) = query(&sim, "org-key", &format!("/log_search/query/logs/{log}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a time range is required");
}

/// A GET of `url` with `key` and an optional tenant header: status, body, headers.
async fn get(
    sim: &Sim,
    key: &str,
    url: &str,
    tenant: Option<&str>,
) -> (StatusCode, Value, HeaderMap) {
    let mut request = sim.http.get(url).header("X-Api-Key", key);
    if let Some(tenant) = tenant {
        request = request.header("R7-Organization-Id", tenant);
    }
    let response = request.send().await.unwrap();
    let headers = response.headers().clone();
    let (status, body) = common::status_json(response).await;
    (status, body, headers)
}

fn link<'v>(body: &'v Value, rel: &str) -> Option<&'v str> {
    body["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

fn remaining(headers: &HeaderMap) -> u64 {
    headers["ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn pending_sim(pending: u32) -> Sim {
    Sim::start(SimConfig {
        log_search_pending: pending,
        ..small_config()
    })
    .await
}

/// Generates `n` organization keys as the organization key (n audit events).
async fn audited_keys(sim: &Sim, n: usize) {
    let org = sim.principal("org-key").organization_id.clone();
    for i in 0..n {
        common::sim_generate(
            sim,
            "org-key",
            json!({"name": format!("audited-{i}"), "type": "ORGANIZATION", "organization_id": org}),
        )
        .await;
    }
}

/// The first query URL of the organization key's audit log.
async fn first_query_url(sim: &Sim, extra: &str) -> String {
    let (_, logs) = audit_log_ids(sim, "org-key").await;
    let region = sim.principal("org-key").region.clone();
    sim.url(
        &region,
        &format!(
            "/log_search/query/logs/{}?time_range=Last%201%20Hours{extra}",
            logs[0]
        ),
    )
}

#[tokio::test]
async fn a_query_answers_still_running_then_its_events() {
    let sim = pending_sim(2).await;
    audited_keys(&sim, 1).await;
    let key = sim.principal("org-key").api_key.clone();
    let url = first_query_url(&sim, "&per_page=20").await;

    let (status, first, headers) = get(&sim, &key, &url, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["progress"], 0);
    assert_eq!(first["events"], json!([]));
    assert!(first["id"].is_string(), "{first}");
    assert!(link(&first, "Next").is_none());
    let poll = link(&first, "Self").expect("a Self link").to_string();
    let region = sim.principal("org-key").region.clone();
    assert!(
        poll.starts_with(&sim.url(&region, "/log_search/query/")),
        "absolute, at the region: {poll}"
    );
    assert!(poll.contains("per_page=20"), "repeats the query: {poll}");
    let budget = remaining(&headers);

    let (status, second, headers) = get(&sim, &key, &poll, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{second}");
    assert_eq!(second["progress"], 50);
    assert_eq!(link(&second, "Self"), Some(poll.as_str()));
    assert_eq!(remaining(&headers), budget - 1, "a poll spends the budget");

    let (status, done, headers) = get(&sim, &key, &poll, None).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["progress"], 100);
    assert_eq!(remaining(&headers), budget - 2);
    let events = messages(&done);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["target"]["name"], "audited-0");
    assert_eq!(events[0]["action"], "API_KEY_CREATED");

    let (status, again, _) = get(&sim, &key, &poll, None).await;
    assert_eq!(status, StatusCode::OK, "a finished query keeps its result");
    assert_eq!(messages(&again), events);
}

#[tokio::test]
async fn the_self_link_answers_only_the_key_and_tenant_that_asked() {
    let sim = pending_sim(3).await;
    let mt = sim.principal("mt-admin").clone();
    let (status, logs, _) = get(
        &sim,
        &mt.api_key,
        &sim.url(&mt.region, "/log_search/management/logs"),
        Some(&mt.organization_id),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{logs}");
    let log = logs["logs"][0]["id"].as_str().unwrap();
    let url = sim.url(
        &mt.region,
        &format!("/log_search/query/logs/{log}?time_range=Last%201%20Days"),
    );
    let (status, first, _) = get(&sim, &mt.api_key, &url, Some(&mt.organization_id)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let poll = link(&first, "Self").unwrap().to_string();

    let (status, _, _) = get(&sim, &mt.api_key, &poll, None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the tenant header is still required"
    );
    let (status, body, _) = get(&sim, &sim.principal("org-key").api_key, &poll, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another key's query: {body}");
    assert!(
        body["message"].as_str().unwrap().contains("not found"),
        "{body}"
    );
    let (status, _, _) = get(&sim, "not-a-key", &poll, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body, _) = get(&sim, &mt.api_key, &poll, Some(&mt.organization_id)).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "the refused polls did not advance it: {body}"
    );
    assert_eq!(body["progress"], 33);
    let unknown = poll.replace(
        first["id"].as_str().unwrap(),
        "4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    );
    let (status, _, _) = get(&sim, &mt.api_key, &unknown, Some(&mt.organization_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_is_polled_for_then_next_links_lead_on() {
    let sim = pending_sim(1).await;
    audited_keys(&sim, 5).await;
    let key = sim.principal("org-key").api_key.clone();
    let since = common::last_seq(&sim).await;
    let mut url = first_query_url(&sim, "&per_page=2&query=where(API_KEY_CREATED)").await;
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let (status, running, _) = get(&sim, &key, &url, None).await;
        assert_eq!(status, StatusCode::ACCEPTED, "page {pages}: {running}");
        let (status, page, _) = get(&sim, &key, link(&running, "Self").unwrap(), None).await;
        assert_eq!(status, StatusCode::OK, "page {pages}: {page}");
        pages += 1;
        names.extend(
            messages(&page)
                .iter()
                .map(|m| m["target"]["name"].as_str().unwrap().to_string()),
        );
        match link(&page, "Next") {
            Some(next) => {
                assert!(next.contains("query=where%28API_KEY_CREATED%29"), "{next}");
                url = next.to_string();
            }
            None => break,
        }
        assert!(pages < 10, "the pages end");
    }
    assert_eq!(pages, 3, "5 events in pages of 2");
    assert_eq!(
        names,
        (0..5).map(|i| format!("audited-{i}")).collect::<Vec<_>>(),
        "every event once, in order"
    );
    let log = common::log_since(&sim, since).await;
    let queries = log
        .iter()
        .filter(|e| e["path"].as_str().unwrap().contains("/log_search/query/"))
        .count();
    assert_eq!(queries, 2 * 3, "a query and a poll per page");
    assert_eq!(log.len(), 1 + 2 * 3, "and one request for the log ids");
}

#[tokio::test]
async fn polls_count_against_the_rate_budget() {
    let sim = Sim::start(SimConfig {
        log_search_pending: 10,
        rate_limit: "4/60".parse().unwrap(),
        ..small_config()
    })
    .await;
    let key = sim.principal("org-key").api_key.clone();
    // One request for the log ids, one for the query, two polls: the budget is spent.
    let url = first_query_url(&sim, "").await;
    let (status, first, _) = get(&sim, &key, &url, None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let poll = link(&first, "Self").unwrap().to_string();
    for expected in [
        StatusCode::ACCEPTED,
        StatusCode::ACCEPTED,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        assert_eq!(get(&sim, &key, &poll, None).await.0, expected);
    }
}

#[tokio::test]
async fn the_pending_setting_changes_at_run_time() {
    let sim = Sim::small().await;
    let settings = |body: &Value| body["pending_polls"].as_u64().unwrap();
    let (status, body) = common::status_json(
        sim.http
            .get(sim.control("/log-search"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, settings(&body)), (StatusCode::OK, 0));
    let key = sim.principal("org-key").api_key.clone();
    let url = first_query_url(&sim, "").await;
    assert_eq!(
        get(&sim, &key, &url, None).await.0,
        StatusCode::OK,
        "at once by default"
    );

    let response = sim
        .http
        .put(sim.control("/log-search"))
        .body(r#"{"pending_polls": 1}"#)
        .send()
        .await
        .unwrap();
    let (status, body) = common::status_json(response).await;
    assert_eq!((status, settings(&body)), (StatusCode::OK, 1));
    let (status, first, _) = get(&sim, &key, &url, None).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    for bad in [r#"{"pending_polls": -1}"#, r#"{"pending": 1}"#, "1"] {
        let response = sim
            .http
            .put(sim.control("/log-search"))
            .body(bad)
            .send()
            .await
            .unwrap();
        let (status, body) = common::status_json(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    let response = sim
        .http
        .put(sim.control("/log-search"))
        .json(&json!({"pending_polls": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        get(&sim, &key, link(&first, "Self").unwrap(), None).await.0,
        StatusCode::OK,
        "a running query finishes on its own terms"
    );
    assert_eq!(get(&sim, &key, &url, None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_multi_tenant_admin_reads_its_tenants_trail() {
    let sim = pending_sim(1).await;
    let mt = sim.principal("mt-admin").clone();
    let tenants = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    let tenant = tenants
        .iter()
        .find(|t| t["region"] != mt.region.as_str())
        .expect("a tenant in another region");
    let (id, region) = (
        tenant["id"].as_str().unwrap(),
        tenant["region"].as_str().unwrap(),
    );
    let response = sim
        .request(
            reqwest::Method::POST,
            &mt.api_key,
            region,
            "/account/api/1/api-keys",
            Some(id),
        )
        .json(&json!({"name": "tenant-siem", "type": "ORGANIZATION", "organization_id": id}))
        .send()
        .await
        .unwrap();
    let (status, created) = common::status_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // Something in the partner's own trail, which the tenant's must not show.
    audited_keys(&sim, 1).await;

    let (status, logs, _) = get(
        &sim,
        &mt.api_key,
        &sim.url(region, "/log_search/management/logs"),
        Some(id),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{logs}");
    let logs = logs["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "the tenant's own audit log: {logs:?}");
    assert_eq!(logs[0]["user_data"]["organization_id"], id);
    let log = logs[0]["id"].as_str().unwrap();
    let (_, partner_logs) = audit_log_ids(&sim, "platform-admin").await;
    assert!(!partner_logs.iter().any(|l| l == log), "not the partner's");

    let url = sim.url(
        region,
        &format!("/log_search/query/logs/{log}?time_range=Last%201%20Hours"),
    );
    let (status, running, _) = get(&sim, &mt.api_key, &url, Some(id)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{running}");
    let poll = link(&running, "Self").unwrap();
    assert!(
        poll.starts_with(&sim.url(region, "/")),
        "at the tenant's region: {poll}"
    );
    let (status, done, _) = get(&sim, &mt.api_key, poll, Some(id)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let events = messages(&done);
    assert_eq!(events.len(), 1, "only the tenant's event: {events:?}");
    assert_eq!(events[0]["organization_id"], id);
    assert_eq!(events[0]["target"]["id"], created["id"]);

    let home = &mt.organization_id;
    let at_home = sim.url(
        &mt.region,
        &format!("/log_search/query/logs/{log}?time_range=Last%201%20Hours"),
    );
    let (status, body, _) = get(&sim, &mt.api_key, &at_home, Some(home)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the tenant's log does not exist in another context: {body}"
    );
}

#[tokio::test]
async fn a_user_key_without_platform_admin_may_not_read_or_poll() {
    let sim = pending_sim(2).await;
    let message = "Platform audit logs can only be read with an organization key or a Platform Administrator's user key";
    for principal in ["user", "org-admin", "mt-user"] {
        let p = sim.principal(principal);
        let tenant = principal
            .starts_with("mt-")
            .then_some(p.organization_id.as_str());
        let (status, body, _) = get(
            &sim,
            &p.api_key,
            &sim.url(&p.region, "/log_search/management/logs"),
            tenant,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{principal}: {body}");
        assert_eq!(body["message"], message, "{principal}");
    }
    let admin = sim.principal("platform-admin").clone();
    let (_, logs) = audit_log_ids(&sim, "platform-admin").await;
    let url = sim.url(
        &admin.region,
        &format!(
            "/log_search/query/logs/{}?time_range=Last%201%20Hours",
            logs[0]
        ),
    );
    let (status, running, _) = get(&sim, &admin.api_key, &url, None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let poll = link(&running, "Self").unwrap().to_string();
    let user = sim.principal("user").api_key.clone();
    let (status, body, _) = get(&sim, &user, &poll, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["message"], message);
    // An admin who loses the role mid-query can no longer poll it.
    let owner = sim.owner_id("platform-admin").await;
    let response = sim
        .http
        .patch(sim.control(&format!("/users/{owner}")))
        .json(&json!({"platform_admin": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body, _) = get(&sim, &admin.api_key, &poll, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}
