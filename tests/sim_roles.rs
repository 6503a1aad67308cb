//! The role rules of seeds 000, 001 and 003 over HTTP: who may see, generate
//! and revoke which kind of key, for which organizations; what deleting a user
//! and dropping a role do.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::Sim;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn field<'v>(items: &'v [Value], name: &str) -> BTreeSet<&'v str> {
    items
        .iter()
        .map(|k| k[name].as_str().unwrap_or("-"))
        .collect()
}

async fn keys_of(sim: &Sim, principal: &str) -> Vec<Value> {
    sim.all_pages(principal, "/account/api/1/api-keys").await
}

#[tokio::test]
async fn platform_admin_sees_every_key_of_every_own_organization() {
    let sim = Sim::small().await;
    let keys = keys_of(&sim, "platform-admin").await;
    let orgs = sim
        .all_pages("platform-admin", "/account/api/1/organizations")
        .await;
    assert!(
        orgs.len() >= 2,
        "the primary account has several organizations"
    );
    let own_orgs = field(&orgs, "id");
    assert!(
        field(&keys, "organization_id")
            .iter()
            .all(|o| own_orgs.contains(o)),
        "no tenant keys"
    );
    assert!(
        field(&keys, "organization_id").len() >= 2,
        "keys of several organizations"
    );
    assert_eq!(
        field(&keys, "type"),
        BTreeSet::from([
            "MULTI_TENANT_ADMIN",
            "MULTI_TENANT_USER",
            "ORGANIZATION",
            "USER"
        ])
    );
    assert!(field(&keys, "user_email").len() > 3, "keys of many owners");
}

#[tokio::test]
async fn organization_admin_sees_only_their_organization() {
    let sim = Sim::small().await;
    let home = sim.principal("org-admin").organization_id.clone();
    let email = sim.principal("org-admin").email.clone().unwrap();
    let keys = keys_of(&sim, "org-admin").await;
    let (platform, multi): (Vec<Value>, Vec<Value>) = keys
        .into_iter()
        .partition(|k| k["type"] == "USER" || k["type"] == "ORGANIZATION");
    assert!(!platform.is_empty());
    assert_eq!(
        field(&platform, "organization_id"),
        BTreeSet::from([home.as_str()])
    );
    assert!(
        field(&platform, "user_email").len() > 1,
        "other users' keys too"
    );
    assert!(
        multi
            .iter()
            .all(|k| k["type"] == "MULTI_TENANT_USER" && k["user_email"] == email.as_str()),
        "of multi-tenant keys, only their own user keys: {multi:?}"
    );
}

#[tokio::test]
async fn ordinary_user_sees_only_their_own_keys() {
    let sim = Sim::small().await;
    let email = sim.principal("user").email.clone().unwrap();
    let keys = keys_of(&sim, "user").await;
    assert!(!keys.is_empty(), "at least their own principal key");
    assert_eq!(field(&keys, "user_email"), BTreeSet::from([email.as_str()]));
}

#[tokio::test]
async fn organization_key_sees_its_organization_but_not_multi_tenant_keys() {
    let sim = Sim::small().await;
    let home = sim.principal("org-key").organization_id.clone();
    let keys = keys_of(&sim, "org-key").await;
    assert_eq!(
        field(&keys, "organization_id"),
        BTreeSet::from([home.as_str()])
    );
    assert!(field(&keys, "type").contains("ORGANIZATION") && field(&keys, "type").contains("USER"));
    assert!(!field(&keys, "type").contains("MULTI_TENANT_ADMIN"));
}

#[tokio::test]
async fn multi_tenant_admin_sees_a_tenants_keys_in_its_context() {
    let sim = Sim::small().await;
    let tenants = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    let key = sim.principal("mt-admin").api_key.clone();
    let mut seen = 0;
    for tenant in &tenants {
        let id = tenant["id"].as_str().unwrap();
        let region = tenant["region"].as_str().unwrap();
        let response = sim
            .request(
                reqwest::Method::GET,
                &key,
                region,
                "/account/api/1/api-keys?size=100",
                Some(id),
            )
            .send()
            .await
            .unwrap();
        let (status, body) = common::status_json(response).await;
        assert_eq!(status, StatusCode::OK);
        let items = body["data"].as_array().unwrap();
        assert!(
            items.iter().all(|k| k["organization_id"] == id),
            "only the tenant's keys"
        );
        seen += items.len();
    }
    assert!(seen > 0, "tenants have keys");
}

async fn generate_status(sim: &Sim, principal: &str, body: Value) -> StatusCode {
    sim.generate(principal, body).await.0
}

#[tokio::test]
async fn who_may_generate_which_kind() {
    let sim = Sim::small().await;
    let home = sim.principal("platform-admin").organization_id.clone();
    let abroad = sim.principal("org-admin").organization_id.clone();
    let cases = [
        (
            "user",
            json!({"name": "u", "type": "USER"}),
            StatusCode::CREATED,
        ),
        (
            "user",
            json!({"name": "u", "type": "USER", "organization_id": abroad}),
            StatusCode::FORBIDDEN,
        ),
        (
            "user",
            json!({"name": "u", "type": "ORGANIZATION", "organization_id": home}),
            StatusCode::FORBIDDEN,
        ),
        (
            "user",
            json!({"name": "u", "type": "MULTI_TENANT_ADMIN"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "user",
            json!({"name": "u", "type": "MULTI_TENANT_USER"}),
            StatusCode::CREATED,
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "ORGANIZATION", "organization_id": abroad}),
            StatusCode::CREATED,
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "ORGANIZATION", "organization_id": home}),
            StatusCode::FORBIDDEN,
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "MULTI_TENANT_ADMIN"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "platform-admin",
            json!({"name": "p", "type": "ORGANIZATION", "organization_id": abroad}),
            StatusCode::CREATED,
        ),
        (
            "platform-admin",
            json!({"name": "p", "type": "ORGANIZATION"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "platform-admin",
            json!({"name": "p", "type": "MULTI_TENANT_ADMIN"}),
            StatusCode::CREATED,
        ),
        (
            "org-key",
            json!({"name": "k", "type": "USER"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "org-key",
            json!({"name": "k", "type": "ORGANIZATION", "organization_id": home}),
            StatusCode::CREATED,
        ),
        (
            "org-key",
            json!({"name": "k", "type": "ORGANIZATION", "organization_id": abroad}),
            StatusCode::FORBIDDEN,
        ),
        (
            "mt-admin",
            json!({"name": "m", "type": "MULTI_TENANT_ADMIN"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "mt-user",
            json!({"name": "m", "type": "MULTI_TENANT_USER"}),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (principal, body, expected) in cases {
        assert_eq!(
            generate_status(&sim, principal, body.clone()).await,
            expected,
            "{principal} {body}"
        );
    }
}

#[tokio::test]
async fn a_generated_key_is_whole_and_works() {
    let sim = Sim::small().await;
    let abroad = sim.principal("org-admin").organization_id.clone();
    let (status, key) = sim
        .generate(
            "platform-admin",
            json!({"name": "siem-forwarder-eu", "type": "ORGANIZATION", "organization_id": abroad}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for field in [
        "id",
        "name",
        "type",
        "organization_id",
        "organization_name",
        "generated_on",
        "key",
    ] {
        assert!(key[field].is_string(), "{field} in {key}");
    }
    assert_eq!(key["type"], "ORGANIZATION");
    assert_eq!(key["organization_id"], abroad.as_str());
    assert_eq!(
        key["user_email"],
        sim.principal("platform-admin")
            .email
            .clone()
            .unwrap()
            .as_str()
    );
    let secret = key["key"].as_str().unwrap();
    assert_eq!(secret.len(), 36, "UUID-shaped secret");
    assert_eq!(
        sim.validate(secret, "eu").await,
        StatusCode::OK,
        "an organization key works in its region"
    );
    let listed = keys_of(&sim, "platform-admin").await;
    let found = listed
        .iter()
        .find(|k| k["id"] == key["id"])
        .expect("listed");
    assert!(found.get("key").is_none(), "the secret is never listed");
}

#[tokio::test]
async fn a_multi_tenant_admin_key_generates_for_the_tenant() {
    let sim = Sim::small().await;
    let tenant = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await[0]
        .clone();
    let (id, region) = (
        tenant["id"].as_str().unwrap(),
        tenant["region"].as_str().unwrap(),
    );
    let key = sim.principal("mt-admin").api_key.clone();
    let response = sim
        .request(
            reqwest::Method::POST,
            &key,
            region,
            "/account/api/1/api-keys",
            Some(id),
        )
        .json(&json!({"name": "tenant-siem", "type": "ORGANIZATION", "organization_id": id}))
        .send()
        .await
        .unwrap();
    let (status, body) = common::status_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        sim.validate(body["key"].as_str().unwrap(), region).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_generate_requests_are_400_with_a_message() {
    let sim = Sim::small().await;
    let long = "x".repeat(256);
    for body in [
        json!({"name": "", "type": "USER"}),
        json!({"name": "   ", "type": "USER"}),
        json!({"name": long, "type": "USER"}),
        json!({"name": "n"}),
        json!({"name": "n", "type": "SUPER"}),
        json!({"name": "n", "type": "USER", "organization_id": "not-a-uuid"}),
        json!({"name": "n", "type": "USER", "organization_id": "00000000-0000-4000-8000-000000000000"}),
    ] {
        let (status, answer) = sim.generate("platform-admin", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    let raw = sim
        .as_principal(
            "platform-admin",
            reqwest::Method::POST,
            "/account/api/1/api-keys",
        )
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn who_may_revoke_which_key() {
    let sim = Sim::small().await;
    let admin_keys = keys_of(&sim, "platform-admin").await;
    let user_email = sim.principal("user").email.clone().unwrap();
    let someone_elses = admin_keys
        .iter()
        .find(|k| k["type"] == "USER" && k["user_email"] != user_email.as_str())
        .unwrap();
    let mt_admin_key = admin_keys
        .iter()
        .find(|k| k["type"] == "MULTI_TENANT_ADMIN")
        .unwrap();
    let home_org_key = admin_keys
        .iter()
        .find(|k| {
            k["type"] == "ORGANIZATION"
                && k["organization_id"] == sim.principal("platform-admin").organization_id.as_str()
        })
        .unwrap();

    assert_eq!(
        sim.revoke("user", someone_elses["id"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sim.revoke("user", mt_admin_key["id"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sim.revoke("org-admin", home_org_key["id"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sim.revoke("user", "00000000-0000-4000-8000-000000000000")
            .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sim.revoke("user", "not-a-uuid").await,
        StatusCode::NOT_FOUND
    );

    let (_, mine) = sim
        .generate("user", json!({"name": "laptop", "type": "USER"}))
        .await;
    let id = mine["id"].as_str().unwrap();
    assert_eq!(sim.revoke("user", id).await, StatusCode::NO_CONTENT);
    assert_eq!(
        sim.revoke("user", id).await,
        StatusCode::NOT_FOUND,
        "already revoked"
    );

    assert_eq!(
        sim.revoke("platform-admin", mt_admin_key["id"].as_str().unwrap())
            .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.revoke("platform-admin", someone_elses["id"].as_str().unwrap())
            .await,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn tenant_keys_do_not_exist_for_a_partner_user_key() {
    let sim = Sim::small().await;
    let tenant = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await[0]
        .clone();
    let key = sim.principal("mt-admin").api_key.clone();
    let region = tenant["region"].as_str().unwrap();
    let response = sim
        .request(
            reqwest::Method::GET,
            &key,
            region,
            "/account/api/1/api-keys?size=1",
            tenant["id"].as_str(),
        )
        .send()
        .await
        .unwrap();
    let (_, body) = common::status_json(response).await;
    if let Some(tenant_key) = body["data"].as_array().unwrap().first() {
        let id = tenant_key["id"].as_str().unwrap();
        assert_eq!(
            sim.revoke("platform-admin", id).await,
            StatusCode::NOT_FOUND
        );
    }
}

async fn patch_user(sim: &Sim, user_id: &str, change: Value) {
    let response = sim
        .http
        .patch(sim.control(&format!("/users/{user_id}")))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn deleting_a_user_removes_their_user_keys_and_keeps_their_organization_keys() {
    let sim = Sim::small().await;
    let abroad = sim.principal("org-admin").organization_id.clone();
    let (_, user_key) = sim
        .generate("org-admin", json!({"name": "scanner", "type": "USER"}))
        .await;
    let (_, org_key) = sim
        .generate(
            "org-admin",
            json!({"name": "eu-siem", "type": "ORGANIZATION", "organization_id": abroad}),
        )
        .await;
    let owner = sim.owner_id("org-admin").await;
    let response = sim
        .http
        .delete(sim.control(&format!("/users/{owner}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    assert_eq!(
        sim.validate(user_key["key"].as_str().unwrap(), "eu").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sim.validate(&sim.principal("org-admin").api_key, "eu")
            .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sim.validate(org_key["key"].as_str().unwrap(), "eu").await,
        StatusCode::OK
    );
    let listed = keys_of(&sim, "platform-admin").await;
    assert!(listed.iter().all(|k| k["id"] != user_key["id"]));
    let kept = listed
        .iter()
        .find(|k| k["id"] == org_key["id"])
        .expect("organization key kept");
    assert_eq!(
        kept["user_email"], "org-admin@acme-partners.example",
        "still names its creator"
    );
}

#[tokio::test]
async fn a_user_whose_role_drops_can_no_longer_manage_the_keys_they_created() {
    let sim = Sim::small().await;
    let abroad = sim.principal("org-admin").organization_id.clone();
    let (_, org_key) = sim
        .generate(
            "org-admin",
            json!({"name": "eu-soar", "type": "ORGANIZATION", "organization_id": abroad}),
        )
        .await;
    let id = org_key["id"].as_str().unwrap();
    let owner = sim.owner_id("org-admin").await;
    patch_user(
        &sim,
        &owner,
        json!({"org_admin_of": null, "access": [abroad]}),
    )
    .await;

    assert_eq!(sim.revoke("org-admin", id).await, StatusCode::FORBIDDEN);
    assert!(
        keys_of(&sim, "org-admin")
            .await
            .iter()
            .all(|k| k["id"] != id),
        "no longer visible to them"
    );
    let (status, _) = sim
        .generate(
            "org-admin",
            json!({"name": "again", "type": "ORGANIZATION", "organization_id": abroad}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        sim.revoke("platform-admin", id).await,
        StatusCode::NO_CONTENT,
        "an admin still can"
    );
}

#[tokio::test]
async fn losing_platform_admin_loses_the_multi_tenant_admin_keys() {
    let sim = Sim::small().await;
    let (_, mt) = sim
        .generate(
            "platform-admin",
            json!({"name": "mssp-soar", "type": "MULTI_TENANT_ADMIN"}),
        )
        .await;
    let owner = sim.owner_id("platform-admin").await;
    patch_user(&sim, &owner, json!({"platform_admin": false})).await;
    assert_eq!(
        sim.revoke("platform-admin", mt["id"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN
    );
    patch_user(&sim, &owner, json!({"platform_admin": true})).await;
    assert_eq!(
        sim.revoke("platform-admin", mt["id"].as_str().unwrap())
            .await,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn only_partner_admins_and_multi_tenant_keys_list_managed_organizations() {
    let sim = Sim::small().await;
    for (principal, expected) in [
        ("platform-admin", StatusCode::OK),
        ("mt-admin", StatusCode::OK),
        ("mt-user", StatusCode::OK),
        ("org-admin", StatusCode::FORBIDDEN),
        ("user", StatusCode::FORBIDDEN),
        ("org-key", StatusCode::FORBIDDEN),
    ] {
        let (status, body) = sim
            .get_json(principal, "/account/api/1/managed-organizations")
            .await;
        assert_eq!(status, expected, "{principal}: {body}");
    }
    let orgs = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    assert_eq!(orgs.len(), common::small_config().tenants);
    assert!(
        field(&orgs, "region").len() >= 3,
        "tenants in several regions"
    );
}
