//! The client's fault handling, proved through the built binary against the
//! simulator: every fault kind on every api-keys request ends in the
//! documented exit code with a clear message and no panic; transient faults
//! are retried; a generate whose answer is lost is reconciled (never sent
//! twice); pacing keeps a large listing under the rate budget; and the
//! recorded fixtures read through every command.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::cli::{Run, Shell, command_at, finish};
use common::{Sim, TempDir, small_config};
use r7keys::api::{ApiKey, Client, KeyFilter, Settings, Target};
use r7keys::region::Region;
use r7keys::simulator::SimConfig;
use serde_json::Value;

const ADMIN: &str = "platform-admin";
const KEYS: &str = "/account/api/1/api-keys";

/// A shell as the platform admin with a short timeout and one retry.
fn admin_shell(sim: &Sim) -> Shell {
    Shell::as_principal(sim, ADMIN)
        .arg("--timeout")
        .arg("2")
        .arg("--retries")
        .arg("1")
}

/// No panic, and a failure says what happened on stderr.
fn assert_sane(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    if run.code != 0 {
        assert!(run.stderr.starts_with("r7keys: "), "a message: {run:?}");
    }
}

/// Runs `keys list --output json` as the platform admin with `spec` on
/// every api-keys request; answers the run and how long it took.
async fn list_with_fault(sim: &Sim, spec: &str) -> (Run, Duration) {
    list_with_fault_and(sim, spec, &[]).await
}

/// [`list_with_fault`] with more arguments.
async fn list_with_fault_and(sim: &Sim, spec: &str, more: &[&str]) -> (Run, Duration) {
    sim.set_faults(spec).await;
    let started = Instant::now();
    let mut args = vec!["keys", "list", "--output", "json"];
    args.extend_from_slice(more);
    let run = admin_shell(sim).run(&args).await;
    let took = started.elapsed();
    assert_sane(&run);
    assert!(took < Duration::from_secs(10), "{spec}: took {took:?}");
    (run, took)
}

/// The simulator's log entries for api-keys requests.
async fn key_requests(sim: &Sim) -> Vec<Value> {
    sim.request_log()
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().unwrap().contains("api-keys"))
        .collect()
}

/// Every key id the platform admin sees, faults cleared first.
async fn server_ids(sim: &Sim) -> BTreeSet<String> {
    sim.set_faults("").await;
    sim.all_pages(ADMIN, KEYS)
        .await
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_string())
        .collect()
}

fn listed_ids(run: &Run) -> BTreeSet<String> {
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_string())
        .collect()
}

// ---- every fault kind on every api-keys request ----

#[tokio::test]
async fn spike_is_only_late() {
    let sim = Sim::small().await;
    // Pages of 30: several requests, each late.
    let (run, took) = list_with_fault_and(&sim, "spike=300@api-keys", &["--page-size", "30"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(took >= Duration::from_millis(300), "{took:?}");
    let log = key_requests(&sim).await;
    assert!(log.len() > 2, "{log:?}");
    assert!(
        log.iter()
            .all(|e| e["fault"] == "spike=300" && e["status"] == 200),
        "{log:?}"
    );
    let listed = listed_ids(&run);
    assert_eq!(listed, server_ids(&sim).await);
}

#[tokio::test]
async fn a_lasting_5xx_is_refused_after_the_retry() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "5xx@api-keys").await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("server error (503)"), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    let log = key_requests(&sim).await;
    assert_eq!(log.len(), 2, "one try and one retry: {log:?}");
    assert!(log.iter().all(|e| e["status"] == 503));
}

#[tokio::test]
async fn a_lasting_429_is_rate_limited() {
    let sim = Sim::small().await;
    let (run, took) = list_with_fault(&sim, "429=1@api-keys").await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("rate limited"), "{run:?}");
    let log = key_requests(&sim).await;
    assert_eq!(log.len(), 2, "one try and one retry: {log:?}");
    assert!(log.iter().all(|e| e["status"] == 429));
    assert!(
        took >= Duration::from_secs(1),
        "waited Retry-After: {took:?}"
    );
}

#[tokio::test]
async fn hang_times_out_once() {
    let sim = Sim::small().await;
    let (run, took) = list_with_fault(&sim, "hang@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("timed out"), "{run:?}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    let log = key_requests(&sim).await;
    assert_eq!(log.len(), 1, "a timeout is not retried: {log:?}");
}

#[tokio::test]
async fn reset_is_a_network_failure() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "reset@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("connection broke"), "{run:?}");
    let log = key_requests(&sim).await;
    assert_eq!(log.len(), 2, "a broken connection is retried: {log:?}");
}

#[tokio::test]
async fn truncate_is_unreadable() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "truncate@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("could not be read") && run.stderr.contains("invalid JSON"),
        "{run:?}"
    );
}

#[tokio::test]
async fn malformed_is_unreadable() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "malformed@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("could not be read") && run.stderr.contains("invalid JSON"),
        "{run:?}"
    );
}

#[tokio::test]
async fn html_names_the_proxy() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "html@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("expected JSON but got text/html"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("<html"), "no server HTML: {run:?}");
}

#[tokio::test]
async fn oversize_is_refused() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "oversize=40000000@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("larger than 32 MiB"), "{run:?}");
    let log = key_requests(&sim).await;
    assert_eq!(
        log.len(),
        1,
        "an oversized answer is not fetched again: {log:?}"
    );
}

#[tokio::test]
async fn drip_times_out_once() {
    let sim = Sim::small().await;
    let (run, took) = list_with_fault(&sim, "drip=400@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("timed out"), "{run:?}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    let log = key_requests(&sim).await;
    assert_eq!(log.len(), 1, "a timeout is not retried: {log:?}");
}

// ---- transient faults are retried ----

#[tokio::test]
async fn a_transient_5xx_is_retried() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "5xx@api-keys*1").await;
    assert_eq!(run.code, 0, "{run:?}");
    let log = key_requests(&sim).await;
    assert_eq!(log[0]["status"], 503, "{log:?}");
    assert_eq!(log[1]["status"], 200, "{log:?}");
    assert_eq!(
        log[0]["path"], log[1]["path"],
        "the same page again: {log:?}"
    );
    assert_eq!(listed_ids(&run), server_ids(&sim).await);
}

#[tokio::test]
async fn a_transient_429_waits_for_retry_after() {
    let sim = Sim::small().await;
    let (run, took) = list_with_fault(&sim, "429=1@api-keys*1").await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        took >= Duration::from_secs(1),
        "waited Retry-After: {took:?}"
    );
    let log = key_requests(&sim).await;
    let throttled = log.iter().filter(|e| e["status"] == 429).count();
    assert_eq!(throttled, 1, "no second 429: {log:?}");
    assert_eq!(log[0]["status"], 429, "{log:?}");
    assert_eq!(log[1]["path"], log[0]["path"], "{log:?}");
    assert_eq!(listed_ids(&run), server_ids(&sim).await);
}

// ---- a generate whose answer is lost ----

/// Generates `lost-one` with `spec` on the first api-keys request (the POST).
async fn generate_with_fault(sim: &Sim, spec: &str) -> Run {
    sim.set_faults(spec).await;
    let started = Instant::now();
    let run = Shell::as_principal(sim, ADMIN)
        .run(&[
            "keys",
            "generate",
            "--kind",
            "user",
            "--name",
            "lost-one",
            "--timeout",
            "2",
        ])
        .await;
    assert!(started.elapsed() < Duration::from_secs(10), "{spec}");
    assert_sane(&run);
    let posts = sim
        .request_log()
        .await
        .into_iter()
        .filter(|e| e["method"] == "POST")
        .count();
    assert_eq!(posts, 1, "{spec}: a generate is never sent twice");
    run
}

/// The ids of the server's keys called `lost-one`.
async fn lost_ones(sim: &Sim) -> Vec<String> {
    sim.set_faults("").await;
    sim.all_pages(ADMIN, KEYS)
        .await
        .iter()
        .filter(|k| k["name"] == "lost-one")
        .map(|k| k["id"].as_str().unwrap().to_string())
        .collect()
}

async fn assert_reconciled(spec: &str) {
    let sim = Sim::small().await;
    let run = generate_with_fault(&sim, spec).await;
    assert_eq!(run.code, 3, "{spec}: {run:?}");
    assert!(run.stdout.is_empty(), "{spec}: no secret: {run:?}");
    let ids = lost_ones(&sim).await;
    assert_eq!(ids.len(), 1, "{spec}: the key was created once: {ids:?}");
    let id = &ids[0];
    assert!(run.stderr.contains("was created"), "{spec}: {run:?}");
    assert!(
        run.stderr.contains(&format!("(id {id})")),
        "{spec}: {run:?}"
    );
    assert!(
        run.stderr.contains(&format!("r7keys keys revoke {id}")),
        "{spec}: tells how to revoke: {run:?}"
    );
}

#[tokio::test]
async fn a_hung_generate_is_reconciled() {
    assert_reconciled("hang@api-keys*1").await;
}

#[tokio::test]
async fn a_malformed_generate_answer_is_reconciled() {
    assert_reconciled("malformed@api-keys*1").await;
}

#[tokio::test]
async fn a_reset_generate_answer_is_reconciled() {
    assert_reconciled("reset@api-keys*1").await;
}

#[tokio::test]
async fn a_5xx_generate_created_nothing_and_says_so() {
    let sim = Sim::small().await;
    let run = generate_with_fault(&sim, "5xx@api-keys*1").await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("server error (503)"), "{run:?}");
    assert!(!run.stderr.contains("was created"), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(lost_ones(&sim).await.is_empty(), "nothing was created");
    // The reconciliation looked: a listing followed the refused POST.
    let log = key_requests(&sim).await;
    assert_eq!(log[0]["method"], "POST", "{log:?}");
    assert!(log[1..].iter().all(|e| e["method"] == "GET"), "{log:?}");
}

// ---- pacing, at library level ----

fn client_for(sim: &Sim) -> Client {
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        ..Settings::default()
    };
    let key = ApiKey::new(&sim.principal(ADMIN).api_key).unwrap();
    Client::new(settings, key).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_listing_stays_within_the_budget() {
    // With no tenants the platform admin sees every key: 4,994 and the six
    // principals' own are 5,000, 50 pages of 100.
    let sim = Sim::start(SimConfig {
        keys: 4_994,
        tenants: 0,
        rate_limit: "50/60".parse().unwrap(),
        latency: "20~10".parse().unwrap(),
        ..small_config()
    })
    .await;
    let client = client_for(&sim);
    let target = Target::new(Region::Us, None);
    let started = Instant::now();
    let keys = client
        .list_keys(&target, &KeyFilter::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(keys.len(), 5_000);
    // The budget fits the listing exactly: nothing may wait for the 60 s window.
    assert!(
        took < Duration::from_secs(15),
        "stalled {took:?}: the pacer waited for the window with budget left"
    );
    let stats = client.stats();
    assert_eq!(stats.requests.load(Ordering::Relaxed), 50);
    assert_eq!(stats.throttled.load(Ordering::Relaxed), 0);
    let log = sim.request_log().await;
    assert_eq!(log.len(), 50);
    assert!(log.iter().all(|e| e["status"] == 200), "no 429");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_listing_waits_for_the_window() {
    // 2,000 keys are 20 pages: two listings are 40 requests against a
    // budget of 30 per 2 s.
    let sim = Sim::start(SimConfig {
        keys: 1_994,
        tenants: 0,
        rate_limit: "30/2".parse().unwrap(),
        latency: "10~5".parse().unwrap(),
        ..small_config()
    })
    .await;
    let client = client_for(&sim);
    let target = Target::new(Region::Us, None);
    let started = Instant::now();
    let first = client
        .list_keys(&target, &KeyFilter::default())
        .await
        .unwrap();
    let pages = client.stats().requests.load(Ordering::Relaxed);
    assert_eq!(first.len(), 2_000);
    assert_eq!(pages, 20);
    let second = client
        .list_keys(&target, &KeyFilter::default())
        .await
        .unwrap();
    let took = started.elapsed();
    let stats = client.stats();
    assert_eq!(stats.requests.load(Ordering::Relaxed), 2 * pages);
    assert_eq!(stats.throttled.load(Ordering::Relaxed), 0, "no 429");
    assert!(took >= Duration::from_millis(1_900), "waited: {took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    let ids = |keys: &[r7keys::api::KeyInfo]| keys.iter().map(|k| k.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
    let log = sim.request_log().await;
    assert!(log.iter().all(|e| e["status"] == 200), "no 429");
}

// ---- the recorded fixtures, served by a tiny server ----

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Keys the fixture server refuses: one with 401, one with 403.
const REVOKED_KEY: &str = "fixture-revoked-key";
const FORBIDDEN_KEY: &str = "fixture-forbidden-key";

fn json_answer(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

/// The fixture for `ok`, or the recorded refusal the key earns.
fn answer(headers: &HeaderMap, status: StatusCode, ok: &str) -> Response {
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        Some(REVOKED_KEY) | None => {
            json_answer(StatusCode::UNAUTHORIZED, fixture("account-401.json"))
        }
        Some(FORBIDDEN_KEY) => json_answer(StatusCode::FORBIDDEN, fixture("account-403.json")),
        Some(_) => json_answer(status, fixture(ok)),
    }
}

/// Serves the fixtures at `/us/...`; answers `http://127.0.0.1:PORT/{region}`.
async fn fixture_server() -> String {
    let ok =
        |file: &'static str| move |h: HeaderMap| async move { answer(&h, StatusCode::OK, file) };
    let app = Router::new()
        .route("/us/validate", get(ok("account-validate-200.json")))
        .route(
            "/us/account/api/1/api-keys",
            get(ok("account-api-keys-list.json")).post(|h: HeaderMap| async move {
                answer(
                    &h,
                    StatusCode::CREATED,
                    "account-api-keys-create-response.json",
                )
            }),
        )
        .route(
            "/us/account/api/1/organizations",
            get(ok("account-organizations.json")),
        )
        .route(
            "/us/account/api/1/managed-organizations",
            get(ok("account-managed-organizations.json")),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/{{region}}")
}

/// Runs the binary at `endpoint` with `key`, in private XDG directories.
async fn run_at(endpoint: &str, key: &str, args: &[&str]) -> Run {
    let dir = TempDir::new("fixtures");
    let run = finish(&mut command_at(endpoint, key, dir.path(), args)).await;
    drop(dir);
    assert_sane(&run);
    run
}

#[tokio::test]
async fn the_fixtures_read_through_every_command() {
    let endpoint = fixture_server().await;
    let key = "fixture-good-key";

    let run = run_at(&endpoint, key, &["validate"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("works at region us"), "{run:?}");

    let run = run_at(&endpoint, key, &["keys", "list", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let keys = run.json();
    let names: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ci-pipeline", "siem-forwarder", "mssp-soar"]);
    assert_eq!(keys[2]["type"], "MULTI_TENANT_ADMIN", "{keys}");
    assert_eq!(keys[0]["owner_email"], "alice@acme.example");

    let run = run_at(&endpoint, key, &["orgs", "list", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let orgs = run.json();
    assert_eq!(orgs[0]["name"], "Acme Corp", "{orgs}");
    assert_eq!(orgs[1]["region"], "eu", "{orgs}");

    let run = run_at(&endpoint, key, &["orgs", "managed", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let managed = run.json();
    assert_eq!(managed.as_array().unwrap().len(), 3, "{managed}");
    assert_eq!(managed[1]["name"], "Initech GmbH", "{managed}");
    assert_eq!(managed[1]["external_id"], "CRM-0042", "{managed}");

    let run = run_at(
        &endpoint,
        key,
        &[
            "keys",
            "generate",
            "--kind",
            "organization",
            "--name",
            "ci-pipeline-2",
            "--org",
            "fae6e8f0-1b1d-4fda-af82-34d63b1df399",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f\n");
    assert!(
        run.stderr.contains("ci-pipeline-2")
            && run.stderr.contains("7c1e2d9a-3f4b-4c55-8a6e-9b0c1d2e3f40"),
        "{run:?}"
    );
}

#[tokio::test]
async fn the_recorded_refusals_have_their_exit_codes() {
    let endpoint = fixture_server().await;

    let run = run_at(&endpoint, REVOKED_KEY, &["validate"]).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("authentication failed (401)"),
        "{run:?}"
    );
    let run = run_at(&endpoint, REVOKED_KEY, &["keys", "list"]).await;
    assert_eq!(run.code, 4, "{run:?}");

    let run = run_at(
        &endpoint,
        FORBIDDEN_KEY,
        &[
            "keys",
            "generate",
            "--kind",
            "organization",
            "--name",
            "nope",
            "--org",
            "fae6e8f0-1b1d-4fda-af82-34d63b1df399",
        ],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "forbidden (403): Only Platform Administrators can manage Organization API keys"
        ),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "{run:?}");
}

// ---- every walk ends, every wait is told ----

#[tokio::test]
async fn a_late_generate_answer_is_reconciled_too() {
    let sim = Sim::small().await;
    // The answer would come after the 2 s timeout; this simulator, like a
    // proxy that drops a request its client left, then never makes the key.
    sim.set_faults("spike=8000@api-keys*1").await;
    let run = Shell::as_principal(&sim, ADMIN)
        .run(&[
            "keys",
            "generate",
            "--kind",
            "user",
            "--name",
            "late",
            "--timeout",
            "2",
        ])
        .await;
    assert_sane(&run);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("timed out"), "{run:?}");
    assert!(run.stderr.contains("listed the keys (2x)"), "{run:?}");
    assert!(run.stderr.contains("most likely not created"), "{run:?}");
    let log = key_requests(&sim).await;
    assert!(
        log.iter().filter(|e| e["method"] == "GET").count() >= 2,
        "two listings looked for it: {log:?}"
    );
}

#[tokio::test]
async fn oversized_pages_under_the_cap_end_the_walk() {
    let sim = Sim::small().await;
    // Each answer is 20 MB of the same padding key: the second page holds
    // nothing new, so the walk stops there.
    let (run, took) = list_with_fault(&sim, "oversize=20000000@api-keys").await;
    assert_eq!(run.code, 0, "{run:?}");
    let listed = run.json();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "one id, one key: {listed}"
    );
    let log = key_requests(&sim).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[tokio::test]
async fn a_whole_listing_ends_at_its_deadline() {
    let sim = Sim::small().await;
    sim.set_faults("spike=900@api-keys").await;
    let started = Instant::now();
    let run = admin_shell(&sim)
        .run(&[
            "keys",
            "list",
            "--page-size",
            "10",
            "--concurrency",
            "1",
            "--deadline",
            "2",
        ])
        .await;
    let took = started.elapsed();
    assert_sane(&run);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("deadline of 2 s"), "{run:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[tokio::test]
async fn a_slow_answer_is_told_from_one_that_stopped() {
    let sim = Sim::small().await;
    let (run, _) = list_with_fault(&sim, "drip=100@api-keys").await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("still arriving"), "{run:?}");
    assert!(!run.stderr.contains("stopped arriving"), "{run:?}");
}

#[tokio::test]
async fn an_answer_that_stops_halfway_is_told_as_such() {
    // Headers and half a body, then nothing.
    let app = Router::new().route(
        "/us/validate",
        get(|| async {
            let stream = futures_util::StreamExt::chain(
                futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(
                    b"{\"message\":",
                ))]),
                futures_util::stream::pending(),
            );
            Response::builder()
                .header("content-type", "application/json")
                .body(axum::body::Body::from_stream(stream))
                .unwrap()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/{{region}}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = TempDir::new("stall");
    let run = finish(&mut command_at(
        &endpoint,
        "a-key",
        dir.path(),
        &["validate"],
    ))
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("stopped arriving"), "{run:?}");
}

#[tokio::test]
async fn one_attempt_is_one_attempt() {
    let sim = Sim::small().await;
    sim.set_faults("5xx@api-keys").await;
    let run = Shell::as_principal(&sim, ADMIN)
        .run(&["keys", "list", "--retries", "0"])
        .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("after 1 attempt:"), "{run:?}");
}

#[tokio::test]
async fn a_spent_budget_is_waited_for_out_loud_and_remembered_across_runs() {
    // 3 requests per 3 s; each listing is 3 pages of 50.
    let sim = Sim::start(SimConfig {
        keys: 144,
        tenants: 0,
        rate_limit: "3/3".parse().unwrap(),
        ..small_config()
    })
    .await;
    let shell = Shell::as_principal(&sim, ADMIN);
    let args = ["keys", "list", "--page-size", "50", "--output", "json"];
    let first = shell.run(&args).await;
    assert_eq!(first.code, 0, "{first:?}");
    // The budget is spent; the next run knows it from the state directory,
    // so it waits (and says so) instead of earning a 429.
    let since = common::last_seq(&sim).await;
    let second = shell.run(&args).await;
    assert_eq!(second.code, 0, "{second:?}");
    assert!(
        second.stderr.contains("for the rate budget at region us"),
        "{second:?}"
    );
    let log = common::log_since(&sim, since).await;
    assert!(log.iter().all(|e| e["status"] == 200), "no 429: {log:?}");
    assert_eq!(first.json(), second.json());
    let remembered =
        std::fs::read_to_string(shell.state_dir().join("r7keys/budgets.json")).unwrap();
    assert!(
        !remembered.contains(&sim.principal(ADMIN).api_key),
        "fingerprints only"
    );
}
