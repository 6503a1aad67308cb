//! Authentication rules: `/validate` as recorded, `X-Api-Key` on every call,
//! 401 for unknown and revoked keys at once, region binding of platform keys,
//! and the tenant header of multi-tenant keys.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::{Sim, status_json};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn validate_answers_exactly_as_recorded() {
    let sim = Sim::small().await;
    let admin = sim.principal("platform-admin");
    let ok = sim
        .request(Method::GET, &admin.api_key, "us", "/validate", None)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let headers = ok.headers().clone();
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(headers["content-length"], "24");
    assert_eq!(headers["vary"], "Origin");
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert!(
        headers.get("r7-correlation-id").is_none(),
        "recorded /validate has no correlation id"
    );
    assert!(
        headers.get("ratelimit-limit").is_none(),
        "recorded /validate has no rate-limit headers"
    );
    assert_eq!(ok.text().await.unwrap(), r#"{"message":"Authorized"}"#);

    let bad = sim
        .request(Method::GET, "not-a-key", "us", "/validate", None)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(bad.headers()["content-length"], "26");
    assert_eq!(bad.text().await.unwrap(), r#"{"message":"Unauthorized"}"#);
}

#[tokio::test]
async fn every_account_call_needs_a_key() {
    let sim = Sim::small().await;
    for path in [
        "/validate",
        "/account/api/1/api-keys",
        "/account/api/1/organizations",
        "/account/api/1/users",
    ] {
        let response = sim.http.get(sim.url("us", path)).send().await.unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body, json!({"message": "Unauthorized"}), "{path}");
    }
}

#[tokio::test]
async fn account_answers_carry_correlation_and_error_shape() {
    let sim = Sim::small().await;
    let response = sim.as_principal("user", Method::POST, "/account/api/1/api-keys")
        .json(&json!({"name": "x", "type": "ORGANIZATION", "organization_id": sim.principal("user").organization_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let correlation = response.headers()["r7-correlation-id"]
        .to_str()
        .unwrap()
        .to_string();
    let (_, body) = status_json(response).await;
    assert_eq!(body["status"], 403);
    assert_eq!(body["correlation_id"], correlation.as_str());
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Organization API keys")
    );
}

#[tokio::test]
async fn revoked_and_unknown_keys_get_401_at_once() {
    let sim = Sim::small().await;
    let (status, created) = sim
        .generate(
            "platform-admin",
            json!({"name": "short-lived", "type": "USER"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = created["key"].as_str().unwrap().to_string();
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
    let listed = sim
        .request(Method::GET, &secret, "us", "/account/api/1/api-keys", None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.status(),
        StatusCode::OK,
        "a new key works on the Account API"
    );

    assert_eq!(
        sim.revoke("platform-admin", created["id"].as_str().unwrap())
            .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::UNAUTHORIZED);
    let after = sim
        .request(Method::GET, &secret, "us", "/account/api/1/api-keys", None)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        sim.validate("5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f", "us")
            .await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn platform_keys_work_only_in_their_region() {
    let sim = Sim::small().await;
    for name in ["platform-admin", "org-admin", "user", "org-key"] {
        let p = sim.principal(name);
        assert_eq!(
            sim.validate(&p.api_key, &p.region).await,
            StatusCode::OK,
            "{name} at home"
        );
        let elsewhere = if p.region == "us" { "eu" } else { "us" };
        assert_eq!(
            sim.validate(&p.api_key, elsewhere).await,
            StatusCode::UNAUTHORIZED,
            "{name} abroad"
        );
        let response = sim
            .request(
                Method::GET,
                &p.api_key,
                elsewhere,
                "/account/api/1/api-keys",
                None,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{name} abroad on the Account API"
        );
    }
    assert_eq!(
        sim.principal("org-admin").region,
        "eu",
        "the org admin's organization is abroad"
    );
}

#[tokio::test]
async fn unknown_regions_and_paths_get_the_gateways_404() {
    let sim = Sim::small().await;
    let key = &sim.principal("platform-admin").api_key;
    for (region, path) in [
        ("mars", "/validate"),
        ("us1", "/validate"),
        ("us", "/account/api/1/nothing"),
    ] {
        let response = sim
            .request(Method::GET, key, region, path, None)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{region}{path}");
        assert_eq!(body["message"], "no Route matched with those values");
    }
}

/// A managed tenant in `region`, from the multi-tenant admin's view.
async fn tenant_in(sim: &Sim, region: &str) -> Option<String> {
    let orgs = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    orgs.iter()
        .find(|o| o["region"] == region)
        .map(|o| o["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn multi_tenant_keys_need_a_reachable_tenant_in_the_right_region() {
    let sim = Sim::small().await;
    let mt = sim.principal("mt-admin").api_key.clone();
    let orgs = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    assert!(!orgs.is_empty());
    let tenant = &orgs[0];
    let (id, region) = (
        tenant["id"].as_str().unwrap(),
        tenant["region"].as_str().unwrap(),
    );

    let missing = sim
        .request(Method::GET, &mt, region, "/account/api/1/api-keys", None)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(missing).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("R7-Organization-Id")
    );

    let ok = sim
        .request(
            Method::GET,
            &mt,
            region,
            "/account/api/1/api-keys",
            Some(id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let wrong_region = if region == "eu" { "us" } else { "eu" };
    let misrouted = sim
        .request(
            Method::GET,
            &mt,
            wrong_region,
            "/account/api/1/api-keys",
            Some(id),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(misrouted).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["message"].as_str().unwrap().contains(region),
        "names the right region: {body}"
    );

    let stranger = "4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    let unmanaged = sim
        .request(
            Method::GET,
            &mt,
            region,
            "/account/api/1/api-keys",
            Some(stranger),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unmanaged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn multi_tenant_user_keys_reach_only_the_owners_tenants() {
    let sim = Sim::small().await;
    let all = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    let mine = sim
        .all_pages("mt-user", "/account/api/1/managed-organizations")
        .await;
    assert!(
        !mine.is_empty() && mine.len() < all.len(),
        "mt-user reaches some tenants, not all"
    );
    let key = sim.principal("mt-user").api_key.clone();
    let reachable = &mine[0];
    let region = reachable["region"].as_str().unwrap();
    let ok = sim
        .request(
            Method::GET,
            &key,
            region,
            "/account/api/1/api-keys",
            reachable["id"].as_str(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let other = all.iter().find(|o| !mine.contains(o)).unwrap();
    let region = other["region"].as_str().unwrap();
    let refused = sim
        .request(
            Method::GET,
            &key,
            region,
            "/account/api/1/api-keys",
            other["id"].as_str(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn platform_keys_ignore_the_tenant_header() {
    let sim = Sim::small().await;
    let admin = sim.principal("platform-admin").api_key.clone();
    let tenant = tenant_in(&sim, "us").await;
    let response = sim
        .request(
            Method::GET,
            &admin,
            "us",
            "/account/api/1/organizations",
            tenant.as_deref(),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("Acme Security Partners")),
        "{names:?}"
    );
}
