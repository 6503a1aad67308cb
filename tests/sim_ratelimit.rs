//! The per-key rate budget over real HTTP: `RateLimit-*` headers on every
//! Account API answer (not on `/validate`, not on a 401), the 429 with
//! `Retry-After` once the budget is spent, separate budgets per key and per
//! region, and the window resetting; and each plausible shape of those
//! headers (`--rate-headers standard|epoch|x-only`).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::time::Duration;

use common::{Sim, small_config};
use r7keys::simulator::{RateHeaders, SimConfig};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

const KEYS: &str = "/account/api/1/api-keys";

/// A header as a number.
fn number(headers: &HeaderMap, name: &str) -> u64 {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("{name} is present: {headers:?}"))
        .to_str()
        .expect("a text header")
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number: {headers:?}"))
}

/// The `(limit, remaining)` advertised; asserts a sane reset.
fn budget(headers: &HeaderMap, window: u64) -> (u64, u64) {
    let reset = number(headers, "ratelimit-reset");
    assert!(
        (1..=window).contains(&reset),
        "ratelimit-reset {reset} within the window"
    );
    (
        number(headers, "ratelimit-limit"),
        number(headers, "ratelimit-remaining"),
    )
}

fn has_no_budget(headers: &HeaderMap) -> bool {
    [
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "retry-after",
    ]
    .iter()
    .all(|h| headers.get(*h).is_none())
}

#[tokio::test]
async fn every_account_answer_advertises_the_budget() {
    let sim = Sim::small().await;
    let user = sim.principal("user").organization_id.clone();
    let answers = [
        (StatusCode::OK, sim.as_principal("user", Method::GET, KEYS)),
        (
            StatusCode::FORBIDDEN,
            sim.as_principal("user", Method::POST, KEYS)
                .json(&json!({"name": "x", "type": "ORGANIZATION", "organization_id": user})),
        ),
        (
            StatusCode::NOT_FOUND,
            sim.as_principal(
                "user",
                Method::DELETE,
                &format!("{KEYS}/4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
            ),
        ),
        (
            StatusCode::BAD_REQUEST,
            sim.as_principal("user", Method::GET, &format!("{KEYS}?size=0")),
        ),
        (
            StatusCode::OK,
            sim.as_principal("user", Method::GET, "/account/api/1/users"),
        ),
        (
            StatusCode::FORBIDDEN,
            sim.as_principal("user", Method::GET, "/account/api/1/managed-organizations"),
        ),
    ];
    let mut expected_remaining = 10_000;
    for (expected, request) in answers {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), expected);
        expected_remaining -= 1;
        assert_eq!(
            budget(response.headers(), 60),
            (10_000, expected_remaining),
            "a {expected} spends one request and says so"
        );
        assert!(
            response.headers().get("retry-after").is_none(),
            "only a 429 says Retry-After"
        );
    }

    let admin = sim.principal("platform-admin").api_key.clone();
    for _ in 0..3 {
        let ok = sim
            .request(Method::GET, &admin, "us", "/validate", None)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert!(
            has_no_budget(ok.headers()),
            "/validate as recorded: {:?}",
            ok.headers()
        );
    }
    let bad = sim
        .request(Method::GET, "nope", "us", "/validate", None)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert!(has_no_budget(bad.headers()));
    let first = sim
        .as_principal("platform-admin", Method::GET, KEYS)
        .send()
        .await
        .unwrap();
    assert_eq!(
        budget(first.headers(), 60),
        (10_000, 9_999),
        "/validate does not spend the Account API budget"
    );
}

#[tokio::test]
async fn tenant_refusals_of_a_known_key_advertise_the_budget() {
    let sim = Sim::small().await;
    let mt = sim.principal("mt-admin").clone();
    let missing = sim
        .request(Method::GET, &mt.api_key, &mt.region, KEYS, None)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(budget(missing.headers(), 60), (10_000, 9_999));
    let stranger = "4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    let unmanaged = sim
        .request(Method::GET, &mt.api_key, &mt.region, KEYS, Some(stranger))
        .send()
        .await
        .unwrap();
    assert_eq!(unmanaged.status(), StatusCode::FORBIDDEN);
    assert_eq!(budget(unmanaged.headers(), 60), (10_000, 9_998));
}

#[tokio::test]
async fn a_spent_budget_answers_429_until_the_window_ends() {
    let sim = Sim::start(SimConfig {
        rate_limit: "5/60".parse().unwrap(),
        ..small_config()
    })
    .await;
    for remaining in [4, 3, 2, 1, 0] {
        let response = sim
            .as_principal("platform-admin", Method::GET, KEYS)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(budget(response.headers(), 60), (5, remaining));
    }
    for _ in 0..2 {
        let refused = sim
            .as_principal("platform-admin", Method::GET, KEYS)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let headers = refused.headers().clone();
        let retry_after = number(&headers, "retry-after");
        assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
        assert_eq!(budget(&headers, 60), (5, 0));
        assert_eq!(number(&headers, "ratelimit-reset"), retry_after);
        assert_eq!(headers["content-type"], "application/json");
        assert!(headers.get("r7-correlation-id").is_some());
        assert_eq!(
            refused.text().await.unwrap(),
            r#"{"message":"API rate limit exceeded"}"#
        );
    }
    let generate = sim
        .generate("platform-admin", json!({"name": "late", "type": "USER"}))
        .await;
    assert_eq!(
        generate.0,
        StatusCode::TOO_MANY_REQUESTS,
        "a 429 processes nothing"
    );
    let listed = sim
        .all_pages("user", &format!("{KEYS}?sort=name,ASC"))
        .await;
    assert!(listed.iter().all(|k| k["name"] != "late"));

    // Another key has its own budget (all_pages above spent one request of it).
    let other = sim
        .as_principal("user", Method::GET, KEYS)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(budget(other.headers(), 60), (5, 3));
    let admin_key = sim.principal("platform-admin").api_key.clone();
    assert_eq!(
        sim.validate(&admin_key, "us").await,
        StatusCode::OK,
        "/validate is not limited"
    );
}

#[tokio::test]
async fn the_window_resets() {
    let sim = Sim::start(SimConfig {
        rate_limit: "2/1".parse().unwrap(),
        ..small_config()
    })
    .await;
    for remaining in [1, 0] {
        let response = sim
            .as_principal("platform-admin", Method::GET, KEYS)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(budget(response.headers(), 1), (2, remaining));
    }
    let refused = sim
        .as_principal("platform-admin", Method::GET, KEYS)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(number(refused.headers(), "retry-after"), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = sim
        .as_principal("platform-admin", Method::GET, KEYS)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(budget(again.headers(), 1), (2, 1), "a fresh window");
}

#[tokio::test]
async fn unauthenticated_answers_carry_no_budget() {
    let sim = Sim::start(SimConfig {
        rate_limit: "1/60".parse().unwrap(),
        ..small_config()
    })
    .await;
    for _ in 0..3 {
        let unknown = sim
            .request(Method::GET, "not-a-key", "us", KEYS, None)
            .send()
            .await
            .unwrap();
        assert_eq!(
            unknown.status(),
            StatusCode::UNAUTHORIZED,
            "never 429 for an unknown key"
        );
        assert!(has_no_budget(unknown.headers()), "{:?}", unknown.headers());
    }
    let none = sim.http.get(sim.url("us", KEYS)).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert!(has_no_budget(none.headers()));
    let admin = sim.principal("platform-admin").api_key.clone();
    let abroad = sim
        .request(Method::GET, &admin, "eu", KEYS, None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        abroad.status(),
        StatusCode::UNAUTHORIZED,
        "a platform key abroad is unknown there"
    );
    assert!(has_no_budget(abroad.headers()));
    let home = sim
        .request(Method::GET, &admin, "us", KEYS, None)
        .send()
        .await
        .unwrap();
    assert_eq!(
        budget(home.headers(), 60),
        (1, 0),
        "the 401s abroad spent nothing"
    );
}

/// Each region has its own gateway: spending a multi-tenant key's budget at
/// one region leaves its budget at another region whole.
#[tokio::test]
async fn each_region_has_its_own_budget() {
    let sim = Sim::start(SimConfig {
        rate_limit: "3/60".parse().unwrap(),
        ..small_config()
    })
    .await;
    let key = sim.principal("mt-admin").api_key.clone();
    let home = sim.principal("mt-admin").organization_id.clone();
    // One request of the budget at us (the home region).
    let tenants = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    let abroad = tenants
        .iter()
        .find(|t| t["region"] != "us")
        .expect("a tenant outside us");
    let list = |region: &str, tenant: &str| {
        sim.request(Method::GET, &key, region, KEYS, Some(tenant))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(list("us", &home).await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(
        list("us", &home).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the budget at us is spent"
    );
    let region = abroad["region"].as_str().unwrap();
    let response = list(region, abroad["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{region} has its own budget"
    );
    assert_eq!(budget(response.headers(), 60), (3, 2));
}

const RATELIMIT: [&str; 3] = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"];
const X_RATELIMIT: [&str; 3] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

fn now_epoch() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as epoch seconds.
fn http_date_epoch(text: &str) -> i64 {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    assert_eq!(text.len(), 29, "an IMF-fixdate: {text:?}");
    time::PrimitiveDateTime::parse(text, &format)
        .unwrap_or_else(|e| panic!("{text:?} is an HTTP date: {e}"))
        .assume_utc()
        .unix_timestamp()
}

/// Whether `epoch` is when a `window`-second window that began around now ends.
fn is_reset_epoch(epoch: i64, window: i64) -> bool {
    let now = now_epoch();
    (now..=now + window + 1).contains(&epoch)
}

/// Spends a budget of 3 at `shape`: three answers, then a 429. Answers the
/// headers of the three and of the 429.
async fn spend_three(config: SimConfig) -> (Vec<HeaderMap>, HeaderMap) {
    let sim = Sim::start(SimConfig {
        rate_limit: "3/60".parse().unwrap(),
        ..config
    })
    .await;
    let mut answered = Vec::new();
    for _ in 0..3 {
        let response = sim
            .as_principal("user", Method::GET, KEYS)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        answered.push(response.headers().clone());
    }
    let refused = sim
        .as_principal("user", Method::GET, KEYS)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    (answered, refused.headers().clone())
}

/// A header as epoch seconds.
fn epoch(headers: &HeaderMap, name: &str) -> i64 {
    i64::try_from(number(headers, name)).unwrap()
}

fn absent(headers: &HeaderMap, names: &[&str]) -> bool {
    names.iter().all(|h| headers.get(*h).is_none())
}

fn text<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("{name} is present: {headers:?}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn standard_headers_count_seconds_left() {
    let (answered, refused) = spend_three(SimConfig {
        rate_headers: Some(RateHeaders::Standard),
        ..small_config()
    })
    .await;
    for (headers, remaining) in answered.iter().zip([2, 1, 0]) {
        assert_eq!(budget(headers, 60), (3, remaining));
        assert!(absent(headers, &X_RATELIMIT) && absent(headers, &["retry-after"]));
    }
    assert_eq!(budget(&refused, 60), (3, 0));
    let retry = number(&refused, "retry-after");
    assert!((1..=60).contains(&retry), "seconds: {retry}");
    assert_eq!(retry, number(&refused, "ratelimit-reset"));
    assert!(absent(&refused, &X_RATELIMIT));
}

#[tokio::test]
async fn epoch_headers_give_the_reset_as_epoch_seconds_and_retry_after_as_a_date() {
    let (answered, refused) = spend_three(SimConfig {
        rate_headers: Some(RateHeaders::Epoch),
        ..small_config()
    })
    .await;
    for (headers, remaining) in answered.iter().zip([2, 1, 0]) {
        assert_eq!(number(headers, "ratelimit-limit"), 3);
        assert_eq!(number(headers, "ratelimit-remaining"), remaining);
        let reset = epoch(headers, "ratelimit-reset");
        assert!(is_reset_epoch(reset, 60), "epoch seconds: {reset}");
        assert!(absent(headers, &X_RATELIMIT) && absent(headers, &["retry-after"]));
    }
    assert_eq!(number(&refused, "ratelimit-remaining"), 0);
    let reset = epoch(&refused, "ratelimit-reset");
    let retry_at = http_date_epoch(text(&refused, "retry-after"));
    assert!(is_reset_epoch(retry_at, 60), "{retry_at}");
    assert!(
        (retry_at - reset).abs() <= 1,
        "Retry-After names the reset: {retry_at} vs {reset}"
    );
    assert!(absent(&refused, &X_RATELIMIT));
}

#[tokio::test]
async fn x_only_headers_are_the_only_ones() {
    let (answered, refused) = spend_three(SimConfig {
        rate_headers: Some(RateHeaders::XOnly),
        ..small_config()
    })
    .await;
    for (headers, remaining) in answered.iter().zip([2, 1, 0]) {
        assert!(absent(headers, &RATELIMIT), "{headers:?}");
        assert_eq!(number(headers, "x-ratelimit-limit"), 3);
        assert_eq!(number(headers, "x-ratelimit-remaining"), remaining);
        let reset = epoch(headers, "x-ratelimit-reset");
        assert!(is_reset_epoch(reset, 60), "epoch seconds: {reset}");
        assert!(absent(headers, &["retry-after"]));
    }
    assert!(absent(&refused, &RATELIMIT), "{refused:?}");
    assert_eq!(number(&refused, "x-ratelimit-remaining"), 0);
    let reset = epoch(&refused, "x-ratelimit-reset");
    let retry_at = http_date_epoch(text(&refused, "retry-after"));
    assert!((retry_at - reset).abs() <= 1, "{retry_at} vs {reset}");
}

#[tokio::test]
async fn compat_serves_x_only_unless_a_shape_is_given() {
    let (answered, refused) = spend_three(SimConfig {
        compat: true,
        ..small_config()
    })
    .await;
    assert!(absent(&answered[0], &RATELIMIT), "{:?}", answered[0]);
    assert_eq!(number(&answered[0], "x-ratelimit-remaining"), 2);
    http_date_epoch(text(&refused, "retry-after"));

    let (answered, _) = spend_three(SimConfig {
        compat: true,
        rate_headers: Some(RateHeaders::Standard),
        ..small_config()
    })
    .await;
    assert_eq!(budget(&answered[0], 60), (3, 2));
    assert!(absent(&answered[0], &X_RATELIMIT));
}

#[tokio::test]
async fn a_throttle_fault_speaks_the_configured_shape() {
    let sim = Sim::start(SimConfig {
        rate_headers: Some(RateHeaders::XOnly),
        faults: r7keys::simulator::faults::parse_spec("429=7").unwrap(),
        ..small_config()
    })
    .await;
    let refused = sim
        .as_principal("user", Method::GET, KEYS)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let headers = refused.headers();
    assert!(absent(headers, &RATELIMIT), "{headers:?}");
    assert_eq!(number(headers, "x-ratelimit-remaining"), 0);
    let retry_at = http_date_epoch(text(headers, "retry-after"));
    let now = now_epoch();
    assert!(
        (now + 6..=now + 8).contains(&retry_at),
        "about 7 s: {retry_at}"
    );
    assert!(
        (epoch(headers, "x-ratelimit-reset") - retry_at).abs() <= 1,
        "{headers:?}"
    );
}
