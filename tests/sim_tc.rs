//! Threat Command over real HTTP: HTTP Basic (account ID : API key) and its
//! bodiless 401, the account endpoints (system modules, used assets, IOC
//! quota, users with their filters and plain-text 422 codes), the MSSP's
//! customers and the `Account-Id` header that acts on one of them (with the
//! plain-text 403 codes), the simulator's stand-in for the web-only
//! subscription page, and what the request log keeps of a TC request.

mod common;

use std::collections::BTreeSet;

use common::{Sim, small_config, status_json};
use r7keys::fingerprint::fingerprint;
use r7keys::simulator::SimConfig;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

const MODULES: [&str; 8] = [
    "Discovery",
    "Remediation",
    "IOC",
    "VirtualAppliance",
    "InvestigationPage",
    "ThreatLibrary",
    "IntelliFind",
    "Cve",
];

fn tc_url(sim: &Sim, path: &str) -> String {
    format!("{}/public/v1{path}", sim.creds().threat_command_endpoint)
}

/// A Threat Command request with the right Basic credentials.
fn tc(sim: &Sim, method: Method, path: &str) -> RequestBuilder {
    let creds = &sim.creds().threat_command;
    sim.http
        .request(method, tc_url(sim, path))
        .basic_auth(&creds.account_id, Some(&creds.api_key))
}

/// `GET` as the MSSP, or on behalf of a customer with `Account-Id`.
async fn tc_get(sim: &Sim, path: &str, account: Option<&str>) -> (StatusCode, Value) {
    let mut request = tc(sim, Method::GET, path);
    if let Some(account) = account {
        request = request.header("Account-Id", account);
    }
    status_json(request.send().await.expect("answer")).await
}

/// Status, content type and text of an answer.
async fn plain(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("ascii").to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.expect("body"))
}

/// Asserts a plain-text Threat Command error code.
async fn assert_code(response: Response, status: StatusCode, code: &str) {
    let (got, content_type, text) = plain(response).await;
    assert_eq!(got, status, "{code}: {text}");
    assert!(
        content_type.starts_with("text/plain"),
        "{code}: {content_type}"
    );
    assert_eq!(text, code);
}

async fn subscription(sim: &Sim, account: Option<&str>) -> Value {
    let mut request = sim.http.get(sim.control("/tc/subscription"));
    if let Some(account) = account {
        request = request.query(&[("account_id", account)]);
    }
    let (status, body) = status_json(request.send().await.expect("answer")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn customers(sim: &Sim) -> Vec<Value> {
    let (status, body) = tc_get(sim, "/mssp/customers", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().expect("array").clone()
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

fn is_hex_id(id: &str, len: usize) -> bool {
    id.len() == len && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn keys_of(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn test_credentials_accepts_only_the_right_pair() {
    let sim = Sim::small().await;
    let creds = sim.creds().threat_command.clone();
    assert!(is_hex_id(&creds.account_id, 24), "{}", creds.account_id);
    let url = tc_url(&sim, "/test-credentials");

    let ok = tc(&sim, Method::HEAD, "/test-credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let mut wrong_key = creds.api_key.clone();
    wrong_key.replace_range(..1, if wrong_key.starts_with('0') { "1" } else { "0" });
    let other_account = "0123456789abcdef01234567";
    assert_ne!(other_account, creds.account_id);
    let refused = [
        (
            "wrong key",
            Some((creds.account_id.as_str(), wrong_key.as_str())),
        ),
        (
            "wrong account",
            Some((other_account, creds.api_key.as_str())),
        ),
        ("no password", Some((creds.account_id.as_str(), ""))),
        ("no credentials", None),
    ];
    for (what, pair) in refused {
        let mut head = sim.http.head(&url);
        let mut get = sim.http.get(tc_url(&sim, "/account/system-modules"));
        if let Some((user, pass)) = pair {
            head = head.basic_auth(user, Some(pass));
            get = get.basic_auth(user, Some(pass));
        }
        let response = head.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        let length = response.headers().get("content-length");
        assert!(length.is_none_or(|l| l == "0"), "{what}: {length:?}");
        assert!(response.bytes().await.unwrap().is_empty(), "{what}");

        // The same refusal on a GET shows there is no body at all.
        let response = get.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert!(response.headers().get("content-type").is_none(), "{what}");
        assert_eq!(response.text().await.unwrap(), "", "{what}: no body on 401");
    }

    let bearer = sim
        .http
        .head(&url)
        .bearer_auth(&creds.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED, "only Basic");
    let x_api_key = sim
        .http
        .head(&url)
        .header("X-Api-Key", &creds.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        x_api_key.status(),
        StatusCode::UNAUTHORIZED,
        "not the platform's header"
    );
}

#[tokio::test]
async fn system_modules_is_a_flat_object_of_the_eight_modules() {
    let sim = Sim::small().await;
    let (status, body) = tc_get(&sim, "/account/system-modules", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys_of(&body), MODULES.into_iter().collect(), "{body}");
    assert!(
        body.as_object().unwrap().values().all(Value::is_boolean),
        "{body}"
    );
    assert_eq!(body["IOC"], true, "the MSSP has the IOC module");
    assert_eq!(body, subscription(&sim, None).await["SystemModules"]);
}

#[tokio::test]
async fn used_assets_counts_within_the_limit() {
    let sim = Sim::small().await;
    let (status, body) = tc_get(&sim, "/account/used-assets", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys_of(&body),
        BTreeSet::from(["AssetsLimit", "AssetsCount"])
    );
    let limit = body["AssetsLimit"].as_u64().expect("integer limit");
    let count = body["AssetsCount"].as_u64().expect("integer count");
    assert!(count <= limit, "{body}");
    let assets = &subscription(&sim, None).await["CustomerLimitations"]["Assets"];
    assert_eq!(assets, &json!({"Limit": limit, "Used": count}));
}

#[tokio::test]
async fn ioc_quota_has_the_recorded_shape() {
    let sim = Sim::small().await;
    let (status, body) = tc_get(&sim, "/iocs/quota", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys_of(&body),
        BTreeSet::from(["EnrichIocsQuota"]),
        "{body}"
    );
    let quota = &body["EnrichIocsQuota"];
    assert_eq!(
        keys_of(quota),
        BTreeSet::from(["TimePeriod", "Total", "Remaining"]),
        "{body}"
    );
    assert!(!text(&quota["TimePeriod"]).is_empty());
    let total = quota["Total"].as_u64().expect("integer total");
    let remaining = quota["Remaining"].as_u64().expect("integer remaining");
    assert!(total > 0 && remaining <= total, "{body}");
}

#[tokio::test]
async fn users_details_lists_users_and_filters_them() {
    let sim = Sim::small().await;
    let (status, body) = tc_get(&sim, "/account/users-details", None).await;
    assert_eq!(status, StatusCode::OK);
    let users = body.as_array().expect("array").clone();
    assert!(users.len() >= 2, "{body}");
    for user in &users {
        let keys = keys_of(user);
        for field in ["_id", "Email", "Role", "FirstName", "LastName", "IsDeleted"] {
            assert!(keys.contains(field), "{field} in {user}");
        }
        assert!(is_hex_id(text(&user["_id"]), 24), "{user}");
        assert!(text(&user["Email"]).contains('@'), "{user}");
        assert!(
            ["Admin", "Analyst"].contains(&text(&user["Role"])),
            "{user}"
        );
        assert!(user["IsDeleted"].is_boolean(), "{user}");
        assert!(!text(&user["FirstName"]).is_empty() && !text(&user["LastName"]).is_empty());
    }
    let ids: BTreeSet<&str> = users.iter().map(|u| text(&u["_id"])).collect();
    assert_eq!(ids.len(), users.len(), "distinct ids");

    let filter = |query: &[(&str, &str)]| {
        let request = tc(&sim, Method::GET, "/account/users-details").query(query);
        async move { status_json(request.send().await.unwrap()).await }
    };
    let email = text(&users[1]["Email"]).to_string();
    let (status, found) = filter(&[("userEmail", &email)]).await;
    assert_eq!(status, StatusCode::OK);
    let expected: Vec<Value> = users
        .iter()
        .filter(|u| u["Email"] == email.as_str())
        .cloned()
        .collect();
    assert_eq!(found, json!(expected), "userEmail={email}");
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (status, none) = filter(&[("userEmail", "nobody@nowhere.example")]).await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));

    let mut by_role = 0;
    for role in ["Admin", "Analyst"] {
        let (status, found) = filter(&[("userType", role)]).await;
        assert_eq!(status, StatusCode::OK);
        let expected: Vec<Value> = users
            .iter()
            .filter(|u| u["Role"] == role)
            .cloned()
            .collect();
        assert_eq!(found, json!(expected), "userType={role}");
        by_role += expected.len();
    }
    assert_eq!(by_role, users.len());
    let role = text(&users[1]["Role"]).to_string();
    let (_, both) = filter(&[("userEmail", &email), ("userType", &role)]).await;
    assert_eq!(both.as_array().unwrap().len(), 1, "filters combine");
    let other = if role == "Admin" { "Analyst" } else { "Admin" };
    let (_, neither) = filter(&[("userEmail", &email), ("userType", other)]).await;
    assert_eq!(neither, json!([]), "filters combine");

    let url = tc_url(&sim, "/account/users-details");
    let creds = &sim.creds().threat_command;
    let invalid = |query: [(&str, &str); 1]| {
        sim.http
            .get(&url)
            .basic_auth(&creds.account_id, Some(&creds.api_key))
            .query(&query)
            .send()
    };
    let response = invalid([("userEmail", "not-an-email")]).await.unwrap();
    assert_code(response, StatusCode::UNPROCESSABLE_ENTITY, "InvalidEmails").await;
    let response = invalid([("userType", "Boss")]).await.unwrap();
    assert_code(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "InvalidUserType",
    )
    .await;
}

#[tokio::test]
async fn mssp_customers_are_the_managed_organizations() {
    let sim = Sim::small().await;
    let customers = customers(&sim).await;
    let managed: BTreeSet<String> = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await
        .iter()
        .map(|o| text(&o["name"]).to_string())
        .collect();
    assert!(!customers.is_empty());
    assert_eq!(customers.len(), managed.len().min(12), "{customers:?}");
    let mut ids = BTreeSet::new();
    for customer in &customers {
        assert_eq!(
            keys_of(customer),
            BTreeSet::from(["_id", "CompanyName", "Status", "Note"]),
            "{customer}"
        );
        let id = text(&customer["_id"]);
        assert!(is_hex_id(id, 24), "{customer}");
        assert_ne!(id, sim.creds().threat_command.account_id);
        assert!(ids.insert(id), "distinct ids");
        let name = text(&customer["CompanyName"]);
        assert!(
            managed.contains(name),
            "{name} is a managed organization: {managed:?}"
        );
        assert!(
            ["Enabled", "Disabled"].contains(&text(&customer["Status"])),
            "{customer}"
        );
        assert!(customer["Note"].is_string(), "{customer}");
    }
    let names: BTreeSet<&str> = customers.iter().map(|c| text(&c["CompanyName"])).collect();
    assert_eq!(names.len(), customers.len(), "each organization once");
}

#[tokio::test]
async fn account_id_acts_on_a_customer() {
    let sim = Sim::small().await;
    let customers = customers(&sim).await;
    let (_, own_modules) = tc_get(&sim, "/account/system-modules", None).await;
    let (_, own_assets) = tc_get(&sim, "/account/used-assets", None).await;
    let mut differs = false;
    for customer in &customers {
        let id = text(&customer["_id"]);
        let facts = subscription(&sim, Some(id)).await;
        let (status, modules) = tc_get(&sim, "/account/system-modules", Some(id)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(modules, facts["SystemModules"], "{id}");
        assert_eq!(keys_of(&modules), MODULES.into_iter().collect());
        let (status, assets) = tc_get(&sim, "/account/used-assets", Some(id)).await;
        assert_eq!(status, StatusCode::OK);
        let limits = &facts["CustomerLimitations"]["Assets"];
        assert_eq!(assets["AssetsLimit"], limits["Limit"], "{id}");
        assert_eq!(assets["AssetsCount"], limits["Used"], "{id}");
        differs |= modules != own_modules || assets != own_assets;

        let response = tc(&sim, Method::GET, "/mssp/customers")
            .header("Account-Id", id)
            .send()
            .await
            .unwrap();
        assert_code(response, StatusCode::FORBIDDEN, "ModuleNotAvailable").await;
    }
    assert!(
        differs,
        "some customer's answers differ from the MSSP's own"
    );

    // The MSSP's own id is the MSSP.
    let own = sim.creds().threat_command.account_id.clone();
    let (status, body) = tc_get(&sim, "/mssp/customers", Some(&own)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), customers.len());
    assert_eq!(
        tc_get(&sim, "/account/used-assets", Some(&own)).await.1,
        own_assets
    );

    let stranger = "0123456789abcdef01234567";
    for path in [
        "/account/used-assets",
        "/account/system-modules",
        "/mssp/customers",
    ] {
        let response = tc(&sim, Method::GET, path)
            .header("Account-Id", stranger)
            .send()
            .await
            .unwrap();
        assert_code(response, StatusCode::FORBIDDEN, "InvalidAccountId").await;
    }
    // Credentials come first: a bad key with a good Account-Id is a 401.
    let response = sim
        .http
        .get(tc_url(&sim, "/account/used-assets"))
        .basic_auth(&own, Some("wrong"))
        .header("Account-Id", text(&customers[0]["_id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn ioc_quota_needs_the_ioc_module() {
    for seed in 7..57 {
        let sim = Sim::start(SimConfig {
            seed,
            ..small_config()
        })
        .await;
        let mut without = None;
        let mut with = None;
        for customer in customers(&sim).await {
            let id = text(&customer["_id"]).to_string();
            let (status, modules) = tc_get(&sim, "/account/system-modules", Some(&id)).await;
            assert_eq!(status, StatusCode::OK);
            match modules["IOC"].as_bool() {
                Some(false) => without = Some(id),
                Some(true) => with = Some(id),
                None => panic!("IOC is a boolean: {modules}"),
            }
        }
        let Some(without) = without else { continue };
        let response = tc(&sim, Method::GET, "/iocs/quota")
            .header("Account-Id", &without)
            .send()
            .await
            .unwrap();
        assert_code(response, StatusCode::FORBIDDEN, "ModuleNotAvailable").await;
        if let Some(with) = with {
            let (status, body) = tc_get(&sim, "/iocs/quota", Some(&with)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body["EnrichIocsQuota"]["Total"].is_u64(), "{body}");
        }
        return;
    }
    panic!("no seed from 7 to 56 gives a customer without the IOC module");
}

#[tokio::test]
async fn subscription_is_the_simulated_web_page() {
    let sim = Sim::small().await;
    let body = subscription(&sim, None).await;
    assert_eq!(
        keys_of(&body),
        BTreeSet::from([
            "SIMULATED",
            "SubscriptionType",
            "ExpirationDate",
            "Credits",
            "CustomerLimitations",
            "StoredDataLocation",
            "SystemModules",
        ]),
        "{body}"
    );
    assert!(text(&body["SIMULATED"]).contains("simulator"), "{body}");
    assert!(["Platinum", "Gold", "Bronze"].contains(&text(&body["SubscriptionType"])));
    assert!(text(&body["ExpirationDate"]).ends_with('Z'), "{body}");
    let credits = &body["Credits"];
    assert!(credits["Remaining"].as_u64().unwrap() <= credits["Total"].as_u64().unwrap());
    let remediations = &body["CustomerLimitations"]["Remediations"];
    assert!(remediations["Used"].as_u64().unwrap() <= remediations["Limit"].as_u64().unwrap());
    assert!(["US", "EU", "AU"].contains(&text(&body["StoredDataLocation"])));
    assert_eq!(
        keys_of(&body["SystemModules"]),
        MODULES.into_iter().collect()
    );

    let own = sim.creds().threat_command.account_id.clone();
    assert_eq!(subscription(&sim, Some(&own)).await, body);
    let customer = text(&customers(&sim).await[0]["_id"]).to_string();
    let theirs = subscription(&sim, Some(&customer)).await;
    let (_, modules) = tc_get(&sim, "/account/system-modules", Some(&customer)).await;
    assert_eq!(theirs["SystemModules"], modules);
    let response = sim
        .http
        .get(sim.control("/tc/subscription"))
        .query(&[("account_id", "0123456789abcdef01234567")])
        .send()
        .await
        .unwrap();
    assert_code(response, StatusCode::NOT_FOUND, "InvalidAccountId").await;
}

#[tokio::test]
async fn the_request_log_keeps_a_fingerprint_and_the_account_id() {
    let sim = Sim::small().await;
    let creds = sim.creds().threat_command.clone();
    let customer = text(&customers(&sim).await[0]["_id"]).to_string();
    let cleared = sim
        .http
        .delete(sim.control("/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);

    assert_eq!(
        tc_get(&sim, "/account/used-assets", None).await.0,
        StatusCode::OK
    );
    let (status, _) = tc_get(&sim, "/account/system-modules", Some(&customer)).await;
    assert_eq!(status, StatusCode::OK);
    let refused = sim
        .http
        .head(tc_url(&sim, "/test-credentials"))
        .basic_auth(&creds.account_id, Some("not-the-key"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let log = sim.request_log().await;
    assert_eq!(log.len(), 3, "{log:?}");
    let (mine, customers_call, wrong) = (&log[0], &log[1], &log[2]);
    assert_eq!(mine["method"], "GET");
    assert_eq!(mine["path"], "/tc/public/v1/account/used-assets");
    assert_eq!(mine["status"], 200);
    assert_eq!(mine["tenant"], Value::Null, "no Account-Id sent");
    let key = text(&mine["key"]);
    assert!(is_hex_id(key, 12), "{key}");
    assert_ne!(key, creds.api_key);
    assert!(!creds.api_key.contains(key), "no part of the key");
    assert_eq!(
        key,
        fingerprint(&creds.api_key),
        "the fingerprint of the key"
    );

    assert_eq!(
        customers_call["path"],
        "/tc/public/v1/account/system-modules"
    );
    assert_eq!(
        customers_call["tenant"],
        customer.as_str(),
        "the Account-Id header"
    );
    assert_eq!(customers_call["key"], key);

    assert_eq!(wrong["method"], "HEAD");
    assert_eq!(wrong["status"], 401);
    assert_eq!(wrong["key"], fingerprint("not-the-key").as_str());
    let everything = serde_json::to_string(&log).unwrap();
    assert!(
        !everything.contains(&creds.api_key),
        "the log never holds the key"
    );
}
