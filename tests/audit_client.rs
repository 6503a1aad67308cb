//! The Log Search client against small purpose-built servers that answer
//! the way the contract says the real service may: 202 "still running" with
//! a `Self` link to poll, `progress` below 100, `Next` links absolute and
//! relative, links that repeat or point elsewhere, searches that never end.
//! Every test counts the requests the server saw.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use r7keys::api::{
    ApiError, ApiKey, AuditAction, AuditQuery, Client, SearchLimits, Settings, Target,
};
use r7keys::region::Region;
use serde_json::{Value, json};
use time::OffsetDateTime;

const KEY: &str = "audit-client-test-key-0b1c2d3e";

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    /// Path and query.
    uri: String,
    api_key: Option<String>,
}

type Reply = dyn Fn(&str, usize) -> (u16, Value) + Send + Sync;

/// A server whose every answer comes from `reply(path_and_query, n)`, `n`
/// counting the requests from 0.
struct Fake {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    async fn start(reply: impl Fn(&str, usize) -> (u16, Value) + Send + Sync + 'static) -> Fake {
        r7keys::api::tls::install_default_provider();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let reply: Arc<Reply> = Arc::new(reply);
        let log = Arc::clone(&seen);
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let log = Arc::clone(&log);
            let reply = Arc::clone(&reply);
            async move {
                let path = uri
                    .path_and_query()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(Seen {
                        uri: path.clone(),
                        api_key: headers
                            .get("x-api-key")
                            .map(|v| v.to_str().unwrap().to_string()),
                    });
                    log.len() - 1
                };
                let (status, body) = reply(&path, n);
                let mut response: Response = (
                    StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    body.to_string(),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert("r7-correlation-id", "corr-fake".parse().unwrap());
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { addr, seen }
    }

    fn endpoint(&self) -> String {
        format!("http://{}/{{region}}", self.addr)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The requests that were not the log list.
    fn searches(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .map(|s| s.uri)
            .filter(|u| !u.contains("/management/logs"))
            .collect()
    }
}

fn limits() -> SearchLimits {
    SearchLimits {
        max_polls: 5,
        poll_interval: Duration::from_millis(5),
        max_pages: 4,
        deadline: Duration::from_secs(10),
        per_page: 500,
    }
}

fn client(fake: &Fake, limits: SearchLimits) -> Client {
    let settings = Settings {
        endpoint: fake.endpoint(),
        request_timeout: Duration::from_secs(5),
        retries: 0,
        log_search: limits,
        ..Settings::default()
    };
    Client::new(settings, ApiKey::new(KEY).unwrap()).unwrap()
}

fn us() -> Target {
    Target::new(Region::Us, None)
}

fn last_day() -> AuditQuery {
    let now = OffsetDateTime::now_utc();
    AuditQuery::between(now - time::Duration::days(1), now)
}

fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap()
}

/// An API-key event `seq` seconds before now, in the guessed payload.
fn event(seq: i64, action: &str, key: &str) -> Value {
    let message = json!({
        "action": action,
        "actor": {"email": "pat@acme.example", "name": "Pat Admin"},
        "organization_id": "org-1",
        "target": {"id": key, "name": format!("key-{key}"), "type": "USER"},
        "product": "Platform",
    });
    json!({
        "labels": [],
        "timestamp": now_ms() - (100 - seq) * 1000,
        "sequence_number": seq.to_string(),
        "log_id": "log-1",
        "message": message.to_string(),
    })
}

fn logs() -> Value {
    json!({"logs": [
        {"id": "log-1", "name": "Platform Audit", "logsets_info": [{"name": "Audit Logs"}]},
        {"id": "fw-1", "name": "Firewall", "logsets_info": [{"name": "Network"}]},
    ]})
}

fn running(self_link: &str, progress: u64) -> (u16, Value) {
    (
        202,
        json!({"id": "q1", "progress": progress, "links": [{"rel": "Self", "href": self_link}]}),
    )
}

#[tokio::test]
async fn a_running_search_is_polled_then_its_next_links_are_followed() {
    // The first page answers 202 three times (the third with a partial
    // result), then 200 with an absolute Next link; the second page is 200
    // with progress below 100 and a Self link once, then done with a
    // relative Next; the third is the last.
    let base = Arc::new(Mutex::new(String::new()));
    let shared = Arc::clone(&base);
    let fake = Fake::start(move |path, _| {
        let origin = shared.lock().unwrap().clone();
        if path.contains("/management/logs") {
            return (200, logs());
        }
        if path.starts_with("/us/log_search/query/logs/log-1?from=") {
            return running("/us/log_search/query/q1?poll=1", 0);
        }
        match path {
            "/us/log_search/query/q1?poll=1" => running("/us/log_search/query/q1?poll=2", 30),
            "/us/log_search/query/q1?poll=2" => (
                202,
                json!({"progress": 60, "events": [event(1, "API_KEY_CREATED", "k1")],
                       "links": [{"rel": "Self", "href": "q1?poll=3"}]}),
            ),
            "/us/log_search/query/q1?poll=3" => (
                200,
                json!({"progress": 100,
                       "events": [event(1, "API_KEY_CREATED", "k1"), event(2, "API_KEY_DELETED", "k1")],
                       "links": [{"rel": "Next", "href": format!("{origin}/us/log_search/query/logs/log-1?page=2")}]}),
            ),
            "/us/log_search/query/logs/log-1?page=2" => (
                200,
                json!({"progress": 50, "events": [event(3, "API_KEY_CREATED", "k2")],
                       "links": [{"rel": "Self", "href": "/us/log_search/query/q2"}]}),
            ),
            "/us/log_search/query/q2" => (
                200,
                json!({"progress": 100,
                       "events": [event(3, "API_KEY_CREATED", "k2"), event(4, "USER_LOGIN", "-")],
                       "links": [{"rel": "Next", "href": "/us/log_search/query/logs/log-1?page=3"}]}),
            ),
            "/us/log_search/query/logs/log-1?page=3" => (
                200,
                json!({"progress": 100, "events": [event(5, "API_KEY_ROTATED", "k3")], "links": []}),
            ),
            other => (404, json!({"message": format!("unexpected {other}")})),
        }
    })
    .await;
    *base.lock().unwrap() = format!("http://{}", fake.addr);
    let started = Instant::now();
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert_eq!(trail.incomplete, None, "{:#?}", fake.searches());
    assert_eq!(trail.requests, 8, "{:#?}", fake.searches());
    let got: Vec<(String, Option<String>)> = trail
        .events
        .iter()
        .map(|e| (e.action.label().to_string(), e.key_id.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("API_KEY_ROTATED".to_string(), Some("k3".to_string())),
            ("generate".into(), Some("k2".into())),
            ("revoke".into(), Some("k1".into())),
            ("generate".into(), Some("k1".into())),
        ],
        "newest first, each event once, the login left out, the unknown action kept"
    );
    let first = &trail.events[3];
    assert_eq!(first.actor_email.as_deref(), Some("pat@acme.example"));
    assert_eq!(first.key_name.as_deref(), Some("key-k1"));
    assert_eq!(first.action, AuditAction::Generate);

    // Exactly the requests needed, each with the key; only the audit log queried.
    let searches = fake.searches();
    assert_eq!(searches.len(), 7, "{searches:#?}");
    assert_eq!(trail.requests, 8, "the log list and seven searches");
    let query = &searches[0];
    assert!(
        query.starts_with("/us/log_search/query/logs/log-1?"),
        "{query}"
    );
    for param in ["from=", "to=", "per_page=500"] {
        assert!(query.contains(param), "{query}");
    }
    assert!(
        fake.seen()
            .iter()
            .all(|s| s.api_key.as_deref() == Some(KEY))
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_search_that_never_finishes_stops_at_the_poll_bound() {
    let fake = Fake::start(|path, n| {
        if path.contains("/management/logs") {
            (200, logs())
        } else {
            running(&format!("/us/log_search/query/q?poll={n}"), 10)
        }
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    let why = trail.incomplete.unwrap();
    assert!(why.contains("still running after 5 polls"), "{why}");
    assert_eq!(
        fake.searches().len(),
        6,
        "the query and five polls, no more"
    );
}

#[tokio::test]
async fn the_same_self_link_is_polled_until_the_search_is_done() {
    let fake = Fake::start(|path, n| {
        if path.contains("/management/logs") {
            (200, logs())
        } else if n < 4 {
            running("/us/log_search/query/q1", 25 * u64::try_from(n).unwrap())
        } else {
            (
                200,
                json!({"progress": 100, "events": [event(1, "API_KEY_CREATED", "k1")]}),
            )
        }
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert_eq!(trail.incomplete, None);
    assert_eq!(trail.events.len(), 1);
    let searches = fake.searches();
    assert_eq!(searches.len(), 4, "{searches:#?}");
    assert!(searches[1..].iter().all(|s| s == "/us/log_search/query/q1"));
}

#[tokio::test]
async fn the_deadline_ends_a_slow_search() {
    let fake = Fake::start(|path, n| {
        if path.contains("/management/logs") {
            (200, logs())
        } else {
            running(&format!("/us/log_search/query/q?poll={n}"), 10)
        }
    })
    .await;
    let slow = SearchLimits {
        max_polls: 1000,
        poll_interval: Duration::from_millis(40),
        deadline: Duration::from_millis(300),
        ..limits()
    };
    let started = Instant::now();
    let trail = client(&fake, slow)
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let why = trail.incomplete.unwrap();
    assert!(why.contains("300ms"), "{why}");
    assert!(fake.searches().len() < 12, "{}", fake.searches().len());
}

#[tokio::test]
async fn next_links_are_bounded_and_a_repeated_link_is_not_requested_again() {
    // An endless result: every page names a new Next page.
    let fake = Fake::start(|path, n| {
        if path.contains("/management/logs") {
            return (200, logs());
        }
        let seq = i64::try_from(n).unwrap();
        (
            200,
            json!({"progress": 100, "events": [event(seq, "API_KEY_CREATED", &format!("k{n}"))],
                   "links": [{"rel": "Next", "href": format!("/us/log_search/query/logs/log-1?page={n}")}]}),
        )
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert!(trail.incomplete.unwrap().contains("stopped after 4 pages"));
    assert_eq!(trail.events.len(), 4, "the pages read are kept");
    assert_eq!(fake.searches().len(), 4);

    // A server that sends the same Next link again.
    let fake = Fake::start(|path, _| {
        if path.contains("/management/logs") {
            return (200, logs());
        }
        (
            200,
            json!({"progress": 100, "events": [event(1, "API_KEY_CREATED", "k1")],
                   "links": [{"rel": "Next", "href": "/us/log_search/query/logs/log-1?page=2"}]}),
        )
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert!(
        trail.incomplete.unwrap().contains("already sent"),
        "stopped on the repeat"
    );
    assert_eq!(
        fake.searches().len(),
        2,
        "the repeated link is not requested"
    );
    assert_eq!(trail.events.len(), 1, "the same event twice counts once");
}

#[tokio::test]
async fn a_link_to_another_origin_is_never_sent_the_key() {
    let elsewhere = Fake::start(|_, _| (200, json!({"events": []}))).await;
    let foreign = elsewhere.url("/us/log_search/query/logs/log-1?page=2");
    let fake = Fake::start(move |path, _| {
        if path.contains("/management/logs") {
            return (200, logs());
        }
        (
            200,
            json!({"progress": 100, "events": [event(1, "API_KEY_CREATED", "k1")],
                   "links": [{"rel": "Next", "href": foreign}]}),
        )
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    let why = trail.incomplete.unwrap();
    assert!(why.contains("not following it with the API key"), "{why}");
    assert_eq!(trail.events.len(), 1);
    assert!(
        elsewhere.seen().is_empty(),
        "the other server was never called"
    );
}

#[tokio::test]
async fn a_202_without_a_link_and_a_later_failure_end_the_search_with_what_was_read() {
    let fake = Fake::start(|path, _| {
        if path.contains("/management/logs") {
            (200, logs())
        } else {
            (202, json!({"progress": 0}))
        }
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert!(trail.incomplete.unwrap().contains("without a Self link"));
    assert_eq!(fake.searches().len(), 1);

    let fake = Fake::start(|path, _| {
        if path.contains("/management/logs") {
            (200, logs())
        } else if path.contains("page=2") {
            (403, json!({"message": "Forbidden"}))
        } else {
            (
                200,
                json!({"events": [event(1, "API_KEY_CREATED", "k1")],
                       "links": [{"rel": "next", "href": "/us/log_search/query/logs/log-1?page=2"}]}),
            )
        }
    })
    .await;
    let trail = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap();
    assert!(trail.incomplete.unwrap().contains("a later request failed"));
    assert_eq!(trail.events.len(), 1, "the first page is kept");
}

#[tokio::test]
async fn no_audit_log_and_a_refused_query_are_errors_that_say_so() {
    let fake = Fake::start(|_, _| (200, json!({"logs": [{"id": "fw", "name": "Firewall"}]}))).await;
    let error = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("audit logging may be off"),
        "{error}"
    );
    assert_eq!(fake.searches().len(), 0, "nothing else is asked");

    let fake = Fake::start(|path, _| {
        if path.contains("/management/logs") {
            (200, logs())
        } else {
            (403, json!({"message": "Forbidden"}))
        }
    })
    .await;
    let error = client(&fake, limits())
        .audit_trail(&us(), &last_day())
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Forbidden { .. }), "{error:?}");
}

#[tokio::test]
async fn filters_narrow_the_search_and_the_answer() {
    let fake = Fake::start(|path, _| {
        if path.contains("/management/logs") {
            return (200, logs());
        }
        (
            200,
            json!({"events": [
                event(1, "API_KEY_CREATED", "k1"),
                event(2, "API_KEY_DELETED", "k1"),
                event(3, "API_KEY_CREATED", "k2"),
            ]}),
        )
    })
    .await;
    let client = client(&fake, limits());
    let mut query = last_day();
    query.key_id = Some("k1".into());
    query.action = Some(AuditAction::Revoke);
    let trail = client.audit_trail(&us(), &query).await.unwrap();
    assert_eq!(trail.events.len(), 1);
    assert_eq!(trail.events[0].action, AuditAction::Revoke);
    let search = &fake.searches()[0];
    assert!(
        search.contains("query=where%28%22k1%22%29"),
        "the key id goes to LEQL: {search}"
    );

    let mut query = last_day();
    query.actor = Some("someone-else@acme.example".into());
    assert!(
        client
            .audit_trail(&us(), &query)
            .await
            .unwrap()
            .events
            .is_empty()
    );
    let mut query = last_day();
    query.from = OffsetDateTime::now_utc() - time::Duration::milliseconds(97_500);
    let recent = client.audit_trail(&us(), &query).await.unwrap();
    assert_eq!(recent.events.len(), 1, "only the event inside the window");
}
