//! The pacer against every plausible spelling of the rate budget (contract
//! Part 1): `RateLimit-*` with the reset in seconds left, `RateLimit-*`
//! with the reset as an epoch second, and `X-RateLimit-*` only. A listing
//! that needs three budget windows, through the real client against the
//! simulator, earns no 429 in any shape: the client waits for the window
//! instead. And a 429 whose `Retry-After` is an HTTP date is waited out.
//!
//! The simulator's windows run on the real clock, so these run in real
//! time, with a one-second window to stay short.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use common::{Sim, small_config};
use r7keys::api::{ApiKey, Client, KeyFilter, Settings, Target};
use r7keys::region::Region;
use r7keys::simulator::{RateHeaders, SimConfig};
use serde_json::Value;

const ADMIN: &str = "platform-admin";

fn client_for(sim: &Sim, page_size: usize) -> Client {
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        page_size,
        ..Settings::default()
    };
    Client::new(
        settings,
        ApiKey::new(&sim.principal(ADMIN).api_key).unwrap(),
    )
    .unwrap()
}

/// The simulator's log entries for api-keys requests.
async fn key_requests(sim: &Sim) -> Vec<Value> {
    sim.request_log()
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().unwrap().contains("api-keys"))
        .collect()
}

/// 250 keys in pages of 10 against a budget of 10 a second: 25 requests,
/// which fit in three windows and no fewer.
async fn a_listing_over_three_windows_earns_no_429(shape: RateHeaders) {
    let sim = Sim::start(SimConfig {
        keys: 244,
        tenants: 0,
        rate_limit: "10/1".parse().unwrap(),
        rate_headers: Some(shape),
        ..small_config()
    })
    .await;
    let client = client_for(&sim, 10);
    let waits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&waits);
    client.on_budget_wait(Arc::new(move |_, wait| {
        if !wait.is_zero() {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    }));
    let started = Instant::now();
    let keys = client
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(keys.len(), 250, "{shape}");
    let log = key_requests(&sim).await;
    let refused: Vec<_> = log.iter().filter(|e| e["status"] != 200).collect();
    assert!(refused.is_empty(), "{shape}: {refused:?}");
    assert_eq!(log.len(), 25, "{shape}: one request a page");
    let stats = client.stats();
    assert_eq!(stats.requests.load(Ordering::Relaxed), 25, "{shape}");
    assert_eq!(stats.throttled.load(Ordering::Relaxed), 0, "{shape}");
    // Requests 21 to 25 belong to the third window: without waiting for
    // the reset they would have been refused.
    assert!(
        took >= Duration::from_millis(1_900),
        "{shape}: did not wait for the window ({took:?})"
    );
    assert!(
        took < Duration::from_secs(5),
        "{shape}: waited too long ({took:?})"
    );
    println!(
        "{shape}: 25 requests in {took:?}, {} waits reported",
        waits.load(Ordering::Relaxed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seconds_left_resets_are_paced() {
    a_listing_over_three_windows_earns_no_429(RateHeaders::Standard).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epoch_resets_are_paced() {
    a_listing_over_three_windows_earns_no_429(RateHeaders::Epoch).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_ratelimit_only_is_paced() {
    a_listing_over_three_windows_earns_no_429(RateHeaders::XOnly).await;
}

/// A 429 in the epoch and `X-` shapes carries `Retry-After` as an HTTP
/// date: the client waits it out (not its short backoff) and retries once,
/// then reads the rest.
async fn a_429_with_a_date_is_waited_out(shape: RateHeaders) {
    let sim = Sim::start(SimConfig {
        tenants: 0,
        rate_headers: Some(shape),
        ..small_config()
    })
    .await;
    sim.set_faults("429=2@api-keys*1").await;
    let client = client_for(&sim, 1000);
    let started = Instant::now();
    let keys = client
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(keys.len(), 156, "{shape}");
    let log = key_requests(&sim).await;
    let statuses: Vec<_> = log.iter().map(|e| e["status"].as_u64().unwrap()).collect();
    // The first page refused once, then both pages (the simulator serves 100 at most).
    assert_eq!(statuses, [429, 200, 200], "{shape}: {log:?}");
    assert_eq!(
        log[0]["path"], log[1]["path"],
        "{shape}: the same page retried"
    );
    // The date is whole seconds, two ahead: at least one full second left.
    assert!(
        took >= Duration::from_millis(990),
        "{shape}: did not wait for the date ({took:?})"
    );
    assert!(took < Duration::from_secs(4), "{shape}: {took:?}");
}

#[tokio::test]
async fn an_epoch_429_retry_after_date_is_waited_out() {
    a_429_with_a_date_is_waited_out(RateHeaders::Epoch).await;
}

#[tokio::test]
async fn an_x_only_429_retry_after_date_is_waited_out() {
    a_429_with_a_date_is_waited_out(RateHeaders::XOnly).await;
}

/// A server that refuses the first request with nothing but a `Retry-After`
/// date (no budget headers to fall back on), then answers: the date alone
/// must make the client wait.
#[tokio::test]
async fn a_retry_after_date_alone_is_understood() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    let app = Router::new().route(
        "/us/account/api/1/api-keys",
        axum::routing::get(move || {
            let counter = Arc::clone(&counter);
            async move {
                let mut headers = HeaderMap::new();
                if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                    let at = SystemTime::now() + Duration::from_secs(3);
                    headers.insert("retry-after", httpdate::fmt_http_date(at).parse().unwrap());
                    return (StatusCode::TOO_MANY_REQUESTS, headers, "{}").into_response();
                }
                headers.insert("content-type", "application/json".parse().unwrap());
                (
                    StatusCode::OK,
                    headers,
                    r#"[{"id": "only", "type": "USER"}]"#,
                )
                    .into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    r7keys::api::tls::install_default_provider();
    let settings = Settings {
        endpoint: format!("http://{addr}/{{region}}"),
        ..Settings::default()
    };
    let client = Client::new(settings, ApiKey::new("test-key").unwrap()).unwrap();
    let started = Instant::now();
    let keys = client
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(keys.len(), 1);
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    // Three seconds ahead, in whole seconds: more than two are left, far
    // past the retry backoff (a quarter of a second).
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}
