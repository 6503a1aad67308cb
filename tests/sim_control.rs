//! The simulator's own guarantees over real HTTP: hostile names served
//! safely JSON-escaped, a request log that never holds a key, deterministic
//! worlds, the exact credentials document, and the bare-array `users`,
//! `products` and `roles` lists.

mod common;

use std::collections::HashSet;

use common::{PRINCIPALS, Sim, key_set, small_config};
use r7keys::fingerprint::fingerprint;
use r7keys::simulator::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEYS: &str = "/account/api/1/api-keys";
const ORGS: &str = "/account/api/1/organizations";
const MANAGED: &str = "/account/api/1/managed-organizations";

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A page's raw body text, as the wire carries it.
async fn raw(sim: &Sim, who: &str, path: &str) -> String {
    let response = sim
        .as_principal(who, Method::GET, path)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("a body")
}

#[tokio::test]
async fn hostile_names_are_served_and_json_escaped() {
    // Enough keys that every hostile string is drawn (about one name in three is hostile).
    let sim = Sim::start(SimConfig {
        hostile_names: true,
        keys: 400,
        ..small_config()
    })
    .await;
    let mut names: Vec<String> = Vec::new();
    for (who, path) in [
        ("platform-admin", KEYS),
        ("platform-admin", ORGS),
        ("mt-admin", MANAGED),
    ] {
        let items = sim.all_pages(who, path).await;
        names.extend(
            items
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string()),
        );
        let pages = items.len().div_ceil(100);
        for index in 0..pages {
            let body = raw(&sim, who, &format!("{path}?index={index}&size=100")).await;
            assert!(
                !body.as_bytes().contains(&0x1b),
                "no raw ESC byte on the wire: {path}"
            );
            assert!(
                !body.bytes().any(|b| b < 0x20),
                "no raw C0 control on the wire: {path}"
            );
        }
    }
    let tenant_names = sim.all_pages("mt-admin", MANAGED).await;
    assert!(
        tenant_names
            .iter()
            .any(|o| o["name"].as_str().unwrap().chars().any(char::is_control)),
        "organizations carry hostile names too"
    );
    let has = |what: &str, test: &dyn Fn(&str) -> bool| {
        assert!(names.iter().any(|n| test(n)), "a name with {what}");
    };
    has("ESC", &|n| n.contains('\u{1b}'));
    has("BEL", &|n| n.contains('\u{7}'));
    has("C1 CSI", &|n| n.contains('\u{9b}'));
    has("a bidi override", &|n| n.contains('\u{202e}'));
    has("nothing at all", &|n| n.is_empty());
    has("over 5,000 characters", &|n| n.chars().count() > 5000);

    let escaped = raw(
        &sim,
        "platform-admin",
        &format!("{KEYS}?sort=name,ASC&size=100"),
    )
    .await;
    assert!(escaped.contains("\\u001b"), "ESC travels as \\u001b");
}

#[tokio::test]
async fn the_request_log_records_requests_with_key_fingerprints() {
    let sim = Sim::small().await;
    let admin = sim.principal("platform-admin").clone();
    let mt = sim.principal("mt-admin").clone();
    let listed = sim
        .get_json("platform-admin", &format!("{KEYS}?index=0&size=5"))
        .await;
    assert_eq!(listed.0, StatusCode::OK);
    let tenants = sim.get_json("mt-admin", MANAGED).await;
    assert_eq!(tenants.0, StatusCode::OK);
    let stranger = sim
        .request(Method::GET, "not-a-key", "us", "/account/api/1/users", None)
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);

    let log = sim.request_log().await;
    assert_eq!(log.len(), 3, "{log:?}");
    let first = &log[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], format!("/us{KEYS}?index=0&size=5"));
    assert_eq!(first["status"], 200);
    assert_eq!(first["tenant"], Value::Null);
    let key = first["key"].as_str().unwrap();
    assert!(is_hex(key, 12), "a 12-hex fingerprint: {key}");
    assert_eq!(key, fingerprint(&admin.api_key));
    assert!(!admin.api_key.contains(key) && !key.contains(&admin.api_key));

    let second = &log[1];
    assert_eq!(second["path"], format!("/{}{MANAGED}", mt.region));
    assert_eq!(second["tenant"], mt.organization_id.as_str());
    assert_eq!(second["key"], fingerprint(&mt.api_key).as_str());
    assert_ne!(
        second["key"], first["key"],
        "keys have distinct fingerprints"
    );
    let third = &log[2];
    assert_eq!(
        (third["status"].as_u64(), third["method"].as_str()),
        (Some(401), Some("GET"))
    );
    assert_eq!(third["key"], fingerprint("not-a-key").as_str());
    assert!(log.iter().all(|e| e["fault"].is_null()));
    let seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);
}

#[tokio::test]
async fn a_generated_secret_reaches_neither_the_log_nor_the_credentials() {
    let sim = Sim::small().await;
    // Presented afterwards too, as a client would use it.
    let (status, created) = sim
        .generate(
            "platform-admin",
            json!({"name": "log-probe", "type": "USER"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = created["key"].as_str().unwrap().to_string();
    assert_eq!(sim.validate(&secret, "us").await, StatusCode::OK);
    let used = sim
        .request(Method::GET, &secret, "us", KEYS, None)
        .send()
        .await
        .unwrap();
    assert_eq!(used.status(), StatusCode::OK);
    let log_text = sim.control_text("/requests").await;
    let creds_text = sim.control_text("/credentials").await;
    assert!(
        log_text.contains(&fingerprint(&secret)),
        "the new key's use is logged"
    );
    assert!(!log_text.contains(&secret), "the log never holds a secret");
    assert!(
        !creds_text.contains(&secret),
        "the credentials never list a generated secret"
    );
    for p in &sim.creds().principals {
        assert!(
            !log_text.contains(&p.api_key),
            "no principal's key in the log: {}",
            p.name
        );
    }
    let since: Value = sim
        .http
        .get(sim.control("/requests?since=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = since
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["/us/validate", "/us/account/api/1/api-keys"],
        "entries after the generate"
    );
}

/// The first page sorted by name: `(id, name)` pairs.
async fn first_page(sim: &Sim) -> Vec<(String, String)> {
    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?sort=name,ASC"))
        .await;
    assert_eq!(status, StatusCode::OK);
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|k| {
            (
                k["id"].as_str().expect("an id").into(),
                k["name"].as_str().expect("a name").into(),
            )
        })
        .collect()
}

fn principal_keys(sim: &Sim) -> Vec<String> {
    sim.creds()
        .principals
        .iter()
        .map(|p| p.api_key.clone())
        .collect()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_world() {
    let a = Sim::small().await;
    let b = Sim::small().await;
    let other = Sim::start(SimConfig {
        seed: 8,
        ..small_config()
    })
    .await;
    let (page_a, page_b, page_other) = (
        first_page(&a).await,
        first_page(&b).await,
        first_page(&other).await,
    );
    assert_eq!(page_a.len(), 20);
    assert_eq!(page_a, page_b, "same seed, same keys");
    assert_ne!(page_a, page_other, "another seed, another world");
    let ids_a: HashSet<&String> = page_a.iter().map(|(id, _)| id).collect();
    assert!(
        page_other.iter().all(|(id, _)| !ids_a.contains(id)),
        "no shared ids"
    );
    assert_eq!(principal_keys(&a), principal_keys(&b));
    let keys_other = principal_keys(&other);
    assert!(principal_keys(&a).iter().all(|k| !keys_other.contains(k)));
    assert_eq!(
        a.creds().threat_command.api_key,
        b.creds().threat_command.api_key
    );
    assert_ne!(
        a.creds().endpoint,
        b.creds().endpoint,
        "each on its own port"
    );
}

#[tokio::test]
async fn the_credentials_document_is_exact() {
    let sim = Sim::small().await;
    let creds: Value = sim
        .http
        .get(sim.control("/credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        key_set(&creds),
        [
            "endpoint",
            "principals",
            "threat_command",
            "threat_command_endpoint"
        ]
    );
    let base = sim.sim.base_url();
    assert_eq!(creds["endpoint"], format!("{base}/{{region}}"));
    assert_eq!(creds["threat_command_endpoint"], format!("{base}/tc"));
    let principals = creds["principals"].as_array().unwrap();
    let names: Vec<&str> = principals
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, PRINCIPALS);
    let types: Vec<&str> = principals
        .iter()
        .map(|p| p["key_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "USER",
            "USER",
            "USER",
            "ORGANIZATION",
            "MULTI_TENANT_ADMIN",
            "MULTI_TENANT_USER"
        ]
    );
    let mut secrets = HashSet::new();
    for p in principals {
        assert_eq!(
            key_set(p),
            [
                "api_key",
                "email",
                "key_id",
                "key_type",
                "name",
                "organization_id",
                "region"
            ],
            "{p}"
        );
        // The key id is the one the principal's key is listed under.
        assert!(p["key_id"].as_str().is_some_and(|id| id.len() == 36), "{p}");
        let key = p["api_key"].as_str().unwrap();
        assert!(secrets.insert(key.to_string()), "distinct keys");
        let region = p["region"].as_str().unwrap();
        let tenant = p["key_type"].as_str().unwrap().starts_with("MULTI_TENANT");
        let org = p["organization_id"].as_str().unwrap();
        let validated = sim
            .request(Method::GET, key, region, "/validate", tenant.then_some(org))
            .send()
            .await
            .unwrap();
        assert_eq!(
            validated.status(),
            StatusCode::OK,
            "{} validates at {region}",
            p["name"]
        );
    }
    assert_eq!(
        principals[0]["email"],
        "platform-admin@acme-partners.example"
    );
    let tc = &creds["threat_command"];
    assert_eq!(key_set(tc), ["account_id", "api_key"]);
    assert!(is_hex(tc["account_id"].as_str().unwrap(), 24), "{tc}");
    assert!(is_hex(tc["api_key"].as_str().unwrap(), 128), "{tc}");
    assert_eq!(
        serde_json::to_value(sim.creds()).unwrap(),
        creds,
        "the served document is the one printed at start"
    );
}

#[tokio::test]
async fn users_are_a_bare_array_with_filters() {
    let sim = Sim::small().await;
    let (status, users) = sim.get_json("platform-admin", "/account/api/1/users").await;
    assert_eq!(status, StatusCode::OK);
    let users = users.as_array().unwrap().clone();
    assert!(users.len() > 4);
    for user in &users {
        assert_eq!(
            key_set(user),
            [
                "created_on",
                "email",
                "federated",
                "first_name",
                "id",
                "last_login",
                "last_name",
                "platform_admin",
                "status",
                "timezone"
            ]
        );
    }
    let email = "platform-admin@acme-partners.example";
    let (status, found) = sim
        .get_json(
            "platform-admin",
            &format!("/account/api/1/users?email={email}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["email"], email);
    assert_eq!(
        (
            found[0]["first_name"].as_str(),
            found[0]["last_name"].as_str()
        ),
        (Some("Pat"), Some("Admin"))
    );
    assert_eq!(found[0]["platform_admin"], true);
    let (_, nobody) = sim
        .get_json(
            "platform-admin",
            "/account/api/1/users?email=nobody@example.com",
        )
        .await;
    assert_eq!(nobody, json!([]));

    let (status, admins) = sim
        .get_json("platform-admin", "/account/api/1/users?platform-admin=true")
        .await;
    assert_eq!(status, StatusCode::OK);
    let admins = admins.as_array().unwrap();
    let expected: Vec<&Value> = users
        .iter()
        .filter(|u| u["platform_admin"] == true)
        .collect();
    assert_eq!(admins.iter().collect::<Vec<_>>(), expected);
    assert!(admins.iter().any(|u| u["email"] == email));
    assert!(admins.len() < users.len());
    let (_, others) = sim
        .get_json(
            "platform-admin",
            "/account/api/1/users?platform-admin=false",
        )
        .await;
    assert_eq!(others.as_array().unwrap().len() + admins.len(), users.len());
}

#[tokio::test]
async fn products_and_roles_are_bare_arrays() {
    let sim = Sim::small().await;
    let (status, products) = sim
        .get_json("platform-admin", "/account/api/1/products")
        .await;
    assert_eq!(status, StatusCode::OK);
    let products = products.as_array().unwrap();
    assert!(!products.is_empty());
    let orgs = sim.all_pages("platform-admin", ORGS).await;
    let org_ids: HashSet<&str> = orgs.iter().map(|o| o["id"].as_str().unwrap()).collect();
    let known = ["IVM", "IDR", "OPS", "AS", "ICON", "SC", "TC", "IH", "ICS"];
    for product in products {
        assert_eq!(
            key_set(product),
            [
                "organization_id",
                "organization_name",
                "product_code",
                "product_token"
            ]
        );
        assert!(
            known.contains(&product["product_code"].as_str().unwrap()),
            "{product}"
        );
        assert!(
            org_ids.contains(product["organization_id"].as_str().unwrap()),
            "{product}"
        );
        assert!(!product["product_token"].as_str().unwrap().is_empty());
    }

    let (status, roles) = sim.get_json("platform-admin", "/account/api/1/roles").await;
    assert_eq!(status, StatusCode::OK);
    let roles = roles.as_array().unwrap();
    assert!(!roles.is_empty());
    for role in roles {
        assert_eq!(
            key_set(role),
            [
                "description",
                "id",
                "name",
                "organization_id",
                "supported_products"
            ]
        );
        let supported = role["supported_products"].as_array().unwrap();
        assert!(!supported.is_empty());
        assert!(supported.iter().all(|p| key_set(p) == ["product_code"]));
    }
}
