//! The role rules over HTTP: who may see, generate and revoke which kind of
//! key, for which organizations; what deleting a user and dropping a role do.
//!
//! Two rule sets are served. Today's (the default): organization keys are for
//! Platform Administrators only, and everyone else sees and manages only their
//! own user keys. The legacy rules of seeds 000/003 (`legacy_roles: true`):
//! an organization administrator also manages their organization's
//! organization keys and sees every key of it. Tests that differ between the
//! two run both and assert the status, the message and what a listing holds.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use common::{Sim, small_config};
use r7keys::simulator::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The 403 for organization keys under today's rules (fixture `account-403.json`).
const ORG_KEYS_TODAY: &str = "Only Platform Administrators can manage Organization API keys";
/// The 403 for organization keys under the legacy rules.
const ORG_KEYS_LEGACY: &str = "Only Platform Administrators and administrators of this organization can manage Organization API keys";
const OWN_KEYS_ONLY: &str = "You can only manage your own API keys";
const NO_ACCESS: &str = "You can only generate user keys for organizations you have access to";

/// The small world under the legacy (seeds 000/003) role rules.
fn legacy_config() -> SimConfig {
    SimConfig {
        legacy_roles: true,
        ..small_config()
    }
}

/// The same small world under both rule sets: `(today, legacy)`.
async fn both_rule_sets() -> (Sim, Sim) {
    (Sim::small().await, Sim::start(legacy_config()).await)
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_string())
        .collect()
}

/// A revoke's status and error message (empty on success).
async fn revoke_answer(sim: &Sim, principal: &str, id: &str) -> (StatusCode, String) {
    let response = sim
        .as_principal(
            principal,
            reqwest::Method::DELETE,
            &format!("/account/api/1/api-keys/{id}"),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = common::status_json(response).await;
    (status, body["message"].as_str().unwrap_or("").to_string())
}

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
async fn organization_admin_sees_only_their_own_keys_today() {
    let sim = Sim::small().await;
    let email = sim.principal("org-admin").email.clone().unwrap();
    let keys = keys_of(&sim, "org-admin").await;
    assert!(!keys.is_empty(), "at least their own principal key");
    assert_eq!(field(&keys, "user_email"), BTreeSet::from([email.as_str()]));
    assert!(
        field(&keys, "type").is_subset(&BTreeSet::from(["USER", "MULTI_TENANT_USER"])),
        "no organization keys, not even their organization's: {keys:?}"
    );
    let (status, body) = sim
        .get_json("org-admin", "/account/api/1/api-keys?type=ORGANIZATION")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"],
        json!([]),
        "organization keys are not theirs to see"
    );
}

#[tokio::test]
async fn organization_admin_sees_their_whole_organization_under_the_legacy_rules() {
    let sim = Sim::start(legacy_config()).await;
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
        field(&platform, "type").contains("ORGANIZATION"),
        "their organization's organization keys"
    );
    assert!(
        multi
            .iter()
            .all(|k| k["type"] == "MULTI_TENANT_USER" && k["user_email"] == email.as_str()),
        "of multi-tenant keys, only their own user keys: {multi:?}"
    );
}

#[tokio::test]
async fn the_rule_sets_differ_only_in_what_an_organization_admin_sees() {
    let (today, legacy) = both_rule_sets().await;
    for (sim, rules) in [(&today, "current"), (&legacy, "legacy")] {
        let p = sim.principal("org-admin");
        let whoami: Value = sim
            .http
            .get(sim.control(&format!("/whoami/{}", p.region)))
            .header("X-Api-Key", &p.api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(whoami["role_rules"], rules, "{whoami}");
    }
    for principal in ["platform-admin", "user", "org-key", "mt-user"] {
        let (a, b) = (
            keys_of(&today, principal).await,
            keys_of(&legacy, principal).await,
        );
        assert!(!a.is_empty(), "{principal}");
        assert_eq!(ids(&a), ids(&b), "{principal} sees the same under both");
    }
    let email = today.principal("org-admin").email.clone().unwrap();
    let now = keys_of(&today, "org-admin").await;
    let before = keys_of(&legacy, "org-admin").await;
    let own_user_keys: Vec<Value> = before
        .into_iter()
        .filter(|k| {
            k["user_email"] == email.as_str()
                && (k["type"] == "USER" || k["type"] == "MULTI_TENANT_USER")
        })
        .collect();
    assert_eq!(
        ids(&now),
        ids(&own_user_keys),
        "today: exactly the own user keys of the legacy listing"
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

/// What a generate answers under each rule set: status and message
/// (empty on success).
#[derive(Clone, Copy)]
struct Expect {
    today: (StatusCode, &'static str),
    legacy: (StatusCode, &'static str),
}

const fn same(status: StatusCode, message: &'static str) -> Expect {
    Expect {
        today: (status, message),
        legacy: (status, message),
    }
}

const CREATED: Expect = same(StatusCode::CREATED, "");

type Case = (&'static str, Value, Expect);

const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
const ORG_KEYS_REFUSED: Expect = Expect {
    today: (FORBIDDEN, ORG_KEYS_TODAY),
    legacy: (FORBIDDEN, ORG_KEYS_LEGACY),
};
const MT_ADMIN_REFUSED: Expect = same(
    FORBIDDEN,
    "Only Platform Administrators in the primary account can generate Multi-Tenant admin keys",
);

/// What users and organization admins may generate, with their user keys.
fn generate_cases_of_people(home: &str, abroad: &str) -> Vec<Case> {
    vec![
        ("user", json!({"name": "u", "type": "USER"}), CREATED),
        (
            "user",
            json!({"name": "u", "type": "USER", "organization_id": abroad}),
            same(FORBIDDEN, NO_ACCESS),
        ),
        (
            "user",
            json!({"name": "u", "type": "ORGANIZATION", "organization_id": home}),
            ORG_KEYS_REFUSED,
        ),
        (
            "user",
            json!({"name": "u", "type": "MULTI_TENANT_ADMIN"}),
            MT_ADMIN_REFUSED,
        ),
        (
            "user",
            json!({"name": "u", "type": "MULTI_TENANT_USER"}),
            CREATED,
        ),
        ("org-admin", json!({"name": "o", "type": "USER"}), CREATED),
        (
            "org-admin",
            json!({"name": "o", "type": "USER", "organization_id": abroad}),
            CREATED,
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "USER", "organization_id": home}),
            same(FORBIDDEN, NO_ACCESS),
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "ORGANIZATION", "organization_id": abroad}),
            Expect {
                today: (FORBIDDEN, ORG_KEYS_TODAY),
                legacy: (StatusCode::CREATED, ""),
            },
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "ORGANIZATION", "organization_id": home}),
            ORG_KEYS_REFUSED,
        ),
        (
            "org-admin",
            json!({"name": "o", "type": "MULTI_TENANT_ADMIN"}),
            MT_ADMIN_REFUSED,
        ),
    ]
}

/// What platform admins and the organization and multi-tenant keys may generate.
fn generate_cases_of_admins_and_keys(home: &str, abroad: &str) -> Vec<Case> {
    vec![
        (
            "platform-admin",
            json!({"name": "p", "type": "ORGANIZATION", "organization_id": abroad}),
            CREATED,
        ),
        (
            "platform-admin",
            json!({"name": "p", "type": "ORGANIZATION"}),
            same(
                StatusCode::BAD_REQUEST,
                "Organization ID is required for ORGANIZATION type keys",
            ),
        ),
        (
            "platform-admin",
            json!({"name": "p", "type": "MULTI_TENANT_ADMIN"}),
            CREATED,
        ),
        (
            "org-key",
            json!({"name": "k", "type": "USER"}),
            same(
                FORBIDDEN,
                "A user key represents a user: generate it with that user's own user key",
            ),
        ),
        (
            "org-key",
            json!({"name": "k", "type": "ORGANIZATION", "organization_id": home}),
            CREATED,
        ),
        (
            "org-key",
            json!({"name": "k", "type": "ORGANIZATION", "organization_id": abroad}),
            ORG_KEYS_REFUSED,
        ),
        (
            "mt-admin",
            json!({"name": "m", "type": "MULTI_TENANT_ADMIN"}),
            MT_ADMIN_REFUSED,
        ),
        (
            "mt-user",
            json!({"name": "m", "type": "MULTI_TENANT_USER"}),
            same(
                FORBIDDEN,
                "Multi-Tenant user keys can only be generated by users of the primary account, with their user key",
            ),
        ),
    ]
}

#[tokio::test]
async fn who_may_generate_which_kind_under_both_rule_sets() {
    let (today, legacy) = both_rule_sets().await;
    let home = today.principal("platform-admin").organization_id.clone();
    let abroad = today.principal("org-admin").organization_id.clone();
    let mut cases = generate_cases_of_people(&home, &abroad);
    cases.extend(generate_cases_of_admins_and_keys(&home, &abroad));
    for (principal, body, expect) in cases {
        for (rules, sim, (status, message)) in [
            ("today", &today, expect.today),
            ("legacy", &legacy, expect.legacy),
        ] {
            let (got, answer) = sim.generate(principal, body.clone()).await;
            assert_eq!(got, status, "{rules}: {principal} {body}: {answer}");
            if status.is_success() {
                assert!(answer["key"].is_string(), "{rules}: {principal} {body}");
            } else {
                assert_eq!(answer["message"], message, "{rules}: {principal} {body}");
            }
        }
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
        revoke_answer(&sim, "user", someone_elses["id"].as_str().unwrap()).await,
        (StatusCode::FORBIDDEN, OWN_KEYS_ONLY.to_string())
    );
    assert_eq!(
        sim.revoke("user", mt_admin_key["id"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        revoke_answer(&sim, "org-admin", home_org_key["id"].as_str().unwrap()).await,
        (StatusCode::FORBIDDEN, ORG_KEYS_TODAY.to_string())
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

/// Keys of the organization administrator's organization, as a platform
/// admin lists them: an organization key, and a user key of someone else.
async fn keys_of_the_org_admins_organization(sim: &Sim) -> (Value, Value) {
    let abroad = sim.principal("org-admin").organization_id.clone();
    let email = sim.principal("org-admin").email.clone().unwrap();
    let keys = keys_of(sim, "platform-admin").await;
    let in_abroad = |k: &&Value| k["organization_id"] == abroad.as_str();
    let org_key = keys
        .iter()
        .filter(in_abroad)
        .find(|k| k["type"] == "ORGANIZATION")
        .expect("an organization key of the organization")
        .clone();
    let others = keys
        .iter()
        .filter(in_abroad)
        .find(|k| k["type"] == "USER" && k["user_email"] != email.as_str())
        .expect("someone else's user key in the organization")
        .clone();
    (org_key, others)
}

#[tokio::test]
async fn an_organization_admin_manages_only_their_own_keys_today() {
    let sim = Sim::small().await;
    let (org_key, others) = keys_of_the_org_admins_organization(&sim).await;
    let org_key_id = org_key["id"].as_str().unwrap();
    let others_id = others["id"].as_str().unwrap();
    assert_eq!(
        revoke_answer(&sim, "org-admin", org_key_id).await,
        (StatusCode::FORBIDDEN, ORG_KEYS_TODAY.to_string())
    );
    assert_eq!(
        revoke_answer(&sim, "org-admin", others_id).await,
        (StatusCode::FORBIDDEN, OWN_KEYS_ONLY.to_string())
    );
    let (_, mine) = sim
        .generate("org-admin", json!({"name": "laptop", "type": "USER"}))
        .await;
    let listed = ids(&keys_of(&sim, "org-admin").await);
    assert!(
        listed.contains(mine["id"].as_str().unwrap()),
        "their new key is listed"
    );
    assert!(!listed.contains(org_key_id) && !listed.contains(others_id));
    assert_eq!(
        revoke_answer(&sim, "org-admin", mine["id"].as_str().unwrap()).await,
        (StatusCode::NO_CONTENT, String::new())
    );
    // An organization key keeps its full power in its own organization.
    let seen_by_org_key = keys_of(&sim, "org-key").await;
    assert!(field(&seen_by_org_key, "type").contains("ORGANIZATION"));
    assert!(field(&seen_by_org_key, "user_email").len() > 1);
    assert_eq!(
        sim.revoke("platform-admin", org_key_id).await,
        StatusCode::NO_CONTENT,
        "a platform admin still can"
    );
}

#[tokio::test]
async fn an_organization_admin_manages_their_organizations_keys_under_the_legacy_rules() {
    let sim = Sim::start(legacy_config()).await;
    let (org_key, others) = keys_of_the_org_admins_organization(&sim).await;
    let org_key_id = org_key["id"].as_str().unwrap();
    let others_id = others["id"].as_str().unwrap();
    let listed = ids(&keys_of(&sim, "org-admin").await);
    assert!(
        listed.contains(org_key_id) && listed.contains(others_id),
        "both listed"
    );
    assert_eq!(
        revoke_answer(&sim, "org-admin", org_key_id).await,
        (StatusCode::NO_CONTENT, String::new())
    );
    assert_eq!(
        revoke_answer(&sim, "org-admin", others_id).await,
        (StatusCode::NO_CONTENT, String::new())
    );
    let home_org_key = keys_of(&sim, "platform-admin")
        .await
        .into_iter()
        .find(|k| {
            k["type"] == "ORGANIZATION"
                && k["organization_id"] == sim.principal("platform-admin").organization_id.as_str()
        })
        .unwrap();
    assert_eq!(
        revoke_answer(&sim, "org-admin", home_org_key["id"].as_str().unwrap()).await,
        (StatusCode::FORBIDDEN, ORG_KEYS_LEGACY.to_string()),
        "not another organization's"
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
    // Under the legacy rules, so that the organization admin can generate an organization key.
    let sim = Sim::start(legacy_config()).await;
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
async fn an_organization_admin_whose_role_drops_loses_the_keys_they_created_legacy() {
    let sim = Sim::start(legacy_config()).await;
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
async fn a_platform_admin_who_loses_the_role_loses_the_organization_keys_they_created() {
    let sim = Sim::small().await;
    let home = sim.principal("platform-admin").organization_id.clone();
    let (_, org_key) = sim
        .generate(
            "platform-admin",
            json!({"name": "us-siem", "type": "ORGANIZATION", "organization_id": home}),
        )
        .await;
    let id = org_key["id"].as_str().unwrap();
    let owner = sim.owner_id("platform-admin").await;
    patch_user(&sim, &owner, json!({"platform_admin": false})).await;
    assert_eq!(
        revoke_answer(&sim, "platform-admin", id).await,
        (StatusCode::FORBIDDEN, ORG_KEYS_TODAY.to_string())
    );
    let listed = keys_of(&sim, "platform-admin").await;
    assert!(
        listed.iter().all(|k| k["id"] != id),
        "no longer visible to them"
    );
    assert_eq!(
        field(&listed, "user_email"),
        BTreeSet::from(["platform-admin@acme-partners.example"]),
        "only their own user keys now"
    );
    assert_eq!(
        sim.revoke("org-key", id).await,
        StatusCode::NO_CONTENT,
        "the organization's own key still can"
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
