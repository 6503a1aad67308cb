//! Paging against small purpose-built servers, one per plausible shape of
//! the real, half-documented API (not the simulator's defaults): every walk
//! ends, with the fewest requests, without losing or repeating a key.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use r7keys::api::{ApiError, ApiKey, Client, KeyFilter, Settings, Target};
use r7keys::region::Region;
use serde_json::{Value, json};

/// What a page request asked for.
#[derive(Debug, Clone, Copy)]
struct Asked {
    index: usize,
    size: usize,
}

type Answer = Arc<dyn Fn(Asked) -> Value + Send + Sync>;

struct Server {
    endpoint: String,
    requests: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Shared {
    answer: Answer,
    requests: Arc<AtomicUsize>,
}

async fn page(
    State(shared): State<Shared>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> impl IntoResponse {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let number = |name: &str| query.get(name).and_then(|v| v.parse().ok()).unwrap_or(0);
    let body = (shared.answer)(Asked {
        index: number("index"),
        size: number("size"),
    });
    ([("content-type", "application/json")], body.to_string())
}

/// A server answering `GET /us/account/api/1/api-keys` with `answer`.
async fn serve(answer: impl Fn(Asked) -> Value + Send + Sync + 'static) -> Server {
    let requests = Arc::new(AtomicUsize::new(0));
    let shared = Shared {
        answer: Arc::new(answer),
        requests: Arc::clone(&requests),
    };
    let app = Router::new()
        .route("/us/account/api/1/api-keys", axum::routing::get(page))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        endpoint: format!("http://{addr}/{{region}}"),
        requests,
    }
}

fn key(n: usize) -> Value {
    json!({"id": format!("key-{n:05}"), "name": format!("k{n}"), "type": "USER"})
}

fn keys(range: std::ops::Range<usize>) -> Vec<Value> {
    range.map(key).collect()
}

fn client(server: &Server, page_size: usize, max_pages: usize) -> Client {
    r7keys::api::tls::install_default_provider();
    let settings = Settings {
        endpoint: server.endpoint.clone(),
        page_size,
        max_pages,
        retries: 0,
        request_timeout: Duration::from_secs(5),
        ..Settings::default()
    };
    Client::new(settings, ApiKey::new("test-key").unwrap()).unwrap()
}

async fn list(server: &Server, page_size: usize) -> Result<Vec<String>, ApiError> {
    let keys = client(server, page_size, 50)
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await?;
    Ok(keys.into_iter().map(|k| k.id.unwrap()).collect())
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("key-{n:05}")).collect()
}

fn requests(server: &Server) -> usize {
    server.requests.load(Ordering::SeqCst)
}

/// A bare array that ignores `index`: every page is the same three keys.
#[tokio::test]
async fn a_bare_array_that_ignores_index_is_read_once() {
    let server = serve(|_| Value::Array(keys(0..3))).await;
    assert_eq!(list(&server, 1000).await.unwrap(), ids(0..3));
    assert_eq!(requests(&server), 1, "shorter than asked: the whole list");
}

/// A bare array whose server caps the page size at 100 without saying so:
/// 213 keys asked for 1000 at a time. The round first page may be a cap, so
/// the walk goes on at that size and ends at the short page.
#[tokio::test]
async fn a_bare_array_capped_below_the_size_asked_loses_nothing() {
    let server = serve(|asked| {
        let size = asked.size.min(100);
        let from = asked.index * size;
        Value::Array(keys(from.min(213)..(from + size).min(213)))
    })
    .await;
    assert_eq!(list(&server, 1000).await.unwrap(), ids(0..213));
    assert_eq!(requests(&server), 3, "100 + 100 + 13");
}

/// A round whole list under a cap costs one request more, an empty page.
#[tokio::test]
async fn a_round_bare_list_shorter_than_asked_costs_one_more_request() {
    let server = serve(|asked| {
        let from = asked.index * asked.size;
        Value::Array(keys(from.min(40)..(from + asked.size).min(40)))
    })
    .await;
    assert_eq!(list(&server, 1000).await.unwrap(), ids(0..40));
    assert_eq!(requests(&server), 2);
}

/// The same, when the server's pages are exactly the size asked.
#[tokio::test]
async fn a_full_bare_page_repeated_ends_the_walk() {
    let server = serve(|asked| Value::Array(keys(0..asked.size))).await;
    assert_eq!(list(&server, 10).await.unwrap(), ids(0..10));
    assert_eq!(requests(&server), 2, "the second page held nothing new");
}

/// Bare pages that honour `index`, ending in a short page.
#[tokio::test]
async fn bare_pages_end_at_a_short_page() {
    let server = serve(|asked| {
        let from = asked.index * asked.size;
        Value::Array(keys(from..(from + asked.size).min(25)))
    })
    .await;
    assert_eq!(list(&server, 10).await.unwrap(), ids(0..25));
    assert_eq!(requests(&server), 3);
}

/// Bare pages ending exactly at a page boundary: one empty page tells.
#[tokio::test]
async fn bare_pages_end_at_an_empty_page() {
    let server = serve(|asked| {
        let from = asked.index * asked.size;
        Value::Array(keys(from.min(20)..(from + asked.size).min(20)))
    })
    .await;
    assert_eq!(list(&server, 10).await.unwrap(), ids(0..20));
    assert_eq!(requests(&server), 3);
}

/// A server capping bare pages below the size asked, and overlapping them.
#[tokio::test]
async fn overlapping_bare_pages_never_repeat_a_key() {
    // Pages of 10 that start 5 keys later each time: half of each is old.
    let server = serve(|asked| {
        let from = asked.index * 5;
        Value::Array(keys(from.min(30)..(from + 10).min(30)))
    })
    .await;
    let got = list(&server, 10).await.unwrap();
    assert_eq!(got, ids(0..30), "every key, once, in order");
}

/// A bare list that never ends meets the page ceiling, with a clear error.
#[tokio::test]
async fn an_endless_bare_list_meets_the_ceiling() {
    let server = serve(|asked| {
        let from = asked.index * asked.size;
        Value::Array(keys(from..from + asked.size))
    })
    .await;
    let error = client(&server, 10, 7)
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ApiError::PageCeiling { pages: 7, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("--max-pages"), "{error}");
    assert_eq!(requests(&server), 7);
}

fn envelope(
    items: &[Value],
    index: usize,
    size: usize,
    total_data: usize,
    total_pages: usize,
) -> Value {
    json!({"data": items, "metadata": {"index": index, "size": size, "total_data": total_data, "total_pages": total_pages}})
}

/// Metadata whose page count grows while the walk runs (keys were added).
#[tokio::test]
async fn a_page_count_that_grows_is_followed() {
    let server = serve(|asked| {
        // 3 pages at first; from page 1 on the server says 5.
        let total = if asked.index == 0 { 3 } else { 5 };
        let from = asked.index * 10;
        envelope(&keys(from..from + 10), asked.index, 10, total * 10, total)
    })
    .await;
    assert_eq!(list(&server, 10).await.unwrap().len(), 50);
    assert_eq!(requests(&server), 5);
}

/// Metadata whose page count shrinks (keys were revoked): no hang, no repeat.
#[tokio::test]
async fn a_page_count_that_shrinks_ends_sooner() {
    let server = serve(|asked| {
        let total = if asked.index == 0 { 6 } else { 2 };
        let from = asked.index * 10;
        let items = if asked.index < total {
            keys(from..from + 10)
        } else {
            Vec::new()
        };
        envelope(&items, asked.index, 10, total * 10, total)
    })
    .await;
    let got: BTreeSet<String> = list(&server, 10).await.unwrap().into_iter().collect();
    assert_eq!(got, ids(0..20).into_iter().collect());
    assert!(requests(&server) <= 6, "{}", requests(&server));
}

/// Metadata that says page 0 whatever was asked: the server ignores index.
#[tokio::test]
async fn metadata_that_ignores_index_is_not_walked_again_and_again() {
    let server = serve(|_| envelope(&keys(0..10), 0, 10, 100, 10)).await;
    let got = list(&server, 10).await.unwrap();
    assert_eq!(got, ids(0..10));
    assert!(
        requests(&server) <= 10,
        "bounded by the page count: {}",
        requests(&server)
    );
}

/// A `size` of 0 in the metadata is no page size.
#[tokio::test]
async fn a_page_size_of_zero_is_worked_around() {
    let server = serve(|asked| {
        // The server pages by 10 whatever is asked, and says size 0.
        let from = asked.index * 10;
        envelope(&keys(from..(from + 10).min(30)), asked.index, 0, 30, 3)
    })
    .await;
    assert_eq!(list(&server, 100).await.unwrap(), ids(0..30));
    assert_eq!(requests(&server), 3);
}

/// An absurd page count meets the ceiling before it costs a request each.
#[tokio::test]
async fn an_absurd_page_count_meets_the_ceiling() {
    let server = serve(|asked| {
        envelope(
            &keys(asked.index..asked.index + 1),
            asked.index,
            1,
            1 << 40,
            1 << 40,
        )
    })
    .await;
    let error = client(&server, 1, 20)
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::PageCeiling { .. }), "{error:?}");
    assert!(requests(&server) <= 20, "{}", requests(&server));
}

/// Items without ids are told apart by their content.
#[tokio::test]
async fn items_without_ids_repeat_only_as_themselves() {
    let server = serve(|asked| {
        let from = asked.index * 5;
        Value::Array(
            (from..(from + 5).min(12))
                .map(|n| json!({"name": format!("anonymous {n}"), "type": "USER"}))
                .collect(),
        )
    })
    .await;
    let keys = client(&server, 5, 50)
        .list_keys(&Target::new(Region::Us, None), &KeyFilter::default())
        .await
        .unwrap();
    assert_eq!(keys.len(), 12);
    assert_eq!(requests(&server), 3);
}
