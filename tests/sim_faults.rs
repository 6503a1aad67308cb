//! Faults on demand, over real HTTP: every fault kind, set both by
//! configuration and at run time (`PUT /_sim/faults`), and what a client sees
//! (status, headers, body, timing); whether the faulted request took effect;
//! how the request log records it; rates, path matches and counts; the same
//! faults for the same seed; added latency; and `/_sim/faults` itself, which
//! is never faulted nor logged.

mod common;

use std::time::{Duration, Instant};

use common::{Sim, small_config, status_json};
use r7keys::simulator::SimConfig;
use r7keys::simulator::faults::parse_spec;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ADMIN: &str = "platform-admin";
const KEYS: &str = "/account/api/1/api-keys";
const USERS: &str = "/account/api/1/users";

/// Two simulators with the same faults: one configured at start, one given
/// them at run time through `PUT /_sim/faults`.
async fn both_ways(spec: &str) -> [(&'static str, Sim); 2] {
    let configured = Sim::start(SimConfig {
        faults: parse_spec(spec).expect("valid spec"),
        ..small_config()
    })
    .await;
    let at_run_time = Sim::small().await;
    at_run_time.set_faults(spec).await;
    [("configured", configured), ("set at run time", at_run_time)]
}

fn get_keys(sim: &Sim) -> reqwest::RequestBuilder {
    sim.as_principal(ADMIN, Method::GET, KEYS)
}

fn generate(sim: &Sim, name: &str) -> reqwest::RequestBuilder {
    sim.as_principal(ADMIN, Method::POST, KEYS)
        .json(&json!({"name": name, "type": "USER"}))
}

async fn clear_faults(sim: &Sim) {
    let response = sim
        .http
        .delete(sim.control("/faults"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
}

async fn fault_settings(sim: &Sim) -> Value {
    let response = sim
        .http
        .get(sim.control("/faults"))
        .send()
        .await
        .expect("answer");
    let (status, body) = status_json(response).await;
    assert_eq!(status, StatusCode::OK);
    body
}

/// Every key name the platform admin sees, with faults cleared first.
async fn key_names(sim: &Sim) -> Vec<String> {
    clear_faults(sim).await;
    sim.all_pages(ADMIN, KEYS)
        .await
        .iter()
        .map(|k| k["name"].as_str().expect("key name").to_string())
        .collect()
}

/// The body of the api-keys listing with no fault.
async fn clean_body(sim: &Sim, path: &str) -> Vec<u8> {
    clear_faults(sim).await;
    let response = sim
        .as_principal(ADMIN, Method::GET, path)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.expect("body").to_vec()
}

async fn last_logged(sim: &Sim) -> Value {
    sim.request_log().await.pop().expect("a logged request")
}

fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes).is_ok()
}

#[tokio::test]
async fn spike_answers_late() {
    for (how, sim) in both_ways("spike=300").await {
        let started = Instant::now();
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}");
        let body = response.bytes().await.unwrap();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(300), "{how}: {took:?}");
        assert!(is_json(&body), "{how}: the answer itself is intact");
        let logged = last_logged(&sim).await;
        assert_eq!(logged["fault"], "spike=300", "{how}");
        assert_eq!(logged["status"], 200, "{how}");
    }
}

#[tokio::test]
async fn server_error_answers_the_status_and_does_not_process() {
    let reference = Sim::small().await;
    let before = key_names(&reference).await;
    for (how, sim) in both_ways("5xx=502").await {
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{how}");
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(
            response.text().await.unwrap(),
            r#"{"message":"Bad Gateway"}"#
        );

        sim.set_faults("5xx=502@api-keys").await;
        let response = generate(&sim, "never-made").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{how}");
        let logged = last_logged(&sim).await;
        assert_eq!(logged["method"], "POST");
        assert_eq!(logged["status"], 502);
        assert_eq!(logged["fault"], "5xx=502");
        let after = key_names(&sim).await;
        assert_eq!(after, before, "{how}: the generate was not processed");
        assert!(!after.iter().any(|n| n == "never-made"));
    }
}

#[tokio::test]
async fn throttle_answers_429_with_retry_after() {
    for (how, sim) in both_ways("429=3").await {
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{how}");
        let headers = response.headers().clone();
        assert_eq!(headers["retry-after"], "3", "{how}");
        assert_eq!(headers["ratelimit-remaining"], "0", "{how}");
        assert_eq!(headers["content-type"], "application/json", "{how}");
        assert_eq!(
            response.text().await.unwrap(),
            r#"{"message":"API rate limit exceeded"}"#,
            "{how}"
        );
        assert_eq!(last_logged(&sim).await["fault"], "429=3", "{how}");
    }
}

#[tokio::test]
async fn hang_processes_the_request_and_never_answers() {
    for (how, sim) in both_ways("hang@api-keys*1").await {
        let name = format!("lost-answer-{}", how.replace(' ', "-"));
        let started = Instant::now();
        let error = generate(&sim, &name)
            .timeout(Duration::from_millis(500))
            .send()
            .await
            .expect_err("a hung request gets no answer");
        assert!(error.is_timeout(), "{how}: {error:?}");
        assert!(started.elapsed() >= Duration::from_millis(500), "{how}");

        let logged = last_logged(&sim).await;
        assert_eq!(logged["method"], "POST", "{how}");
        assert_eq!(logged["status"], 0, "{how}: logged as unanswered");
        assert_eq!(logged["fault"], "hang", "{how}");

        // The rule is spent: the next call answers, and finds the key the
        // lost answer would have announced.
        let (status, _) = sim.get_json(ADMIN, KEYS).await;
        assert_eq!(status, StatusCode::OK, "{how}: hang*1 retired");
        let names = key_names(&sim).await;
        assert_eq!(
            names.iter().filter(|n| **n == name).count(),
            1,
            "{how}: the hung generate was processed"
        );
    }
}

#[tokio::test]
async fn reset_breaks_the_connection_mid_body() {
    for (how, sim) in both_ways("reset").await {
        let mut response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}: headers arrive");
        let promised: usize = response.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut received = Vec::new();
        let error = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => received.extend_from_slice(&chunk),
                Ok(None) => panic!("{how}: the body completed ({} bytes)", received.len()),
                Err(error) => break error,
            }
        };
        assert!(error.is_body() || error.is_decode(), "{how}: {error:?}");
        assert_eq!(last_logged(&sim).await["fault"], "reset", "{how}");
        let full = clean_body(&sim, KEYS).await;
        assert_eq!(promised, full.len(), "{how}: the whole body is promised");
        assert_eq!(
            received,
            full[..full.len() / 2],
            "{how}: half of it arrives"
        );

        // `.bytes()` and `.text()` fail the same way.
        sim.set_faults("reset").await;
        assert!(
            get_keys(&sim).send().await.unwrap().bytes().await.is_err(),
            "{how}"
        );
        assert!(
            get_keys(&sim).send().await.unwrap().text().await.is_err(),
            "{how}"
        );
    }
}

#[tokio::test]
async fn truncate_sends_a_well_framed_half() {
    for (how, sim) in both_ways("truncate").await {
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}");
        let length: usize = response.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let truncated = response.bytes().await.unwrap();
        assert_eq!(truncated.len(), length, "{how}: framed as sent");
        assert!(
            !is_json(&truncated),
            "{how}: half of the JSON does not parse"
        );
        let full = clean_body(&sim, KEYS).await;
        assert!(is_json(&full));
        assert!(truncated.len() < full.len(), "{how}");
        assert_eq!(truncated.len(), full.len() / 2, "{how}: half");
        assert_eq!(
            &truncated[..],
            &full[..full.len() / 2],
            "{how}: its first half"
        );
    }
}

#[tokio::test]
async fn malformed_is_json_that_does_not_parse() {
    for (how, sim) in both_ways("malformed").await {
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{how}"
        );
        let body = response.bytes().await.unwrap();
        assert!(!body.is_empty(), "{how}");
        assert!(!is_json(&body), "{how}: {}", String::from_utf8_lossy(&body));
    }
}

#[tokio::test]
async fn html_is_a_proxy_page_with_status_200() {
    for (how, sim) in both_ways("html").await {
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("text/html"),
            "{how}: {content_type}"
        );
        let body = response.text().await.unwrap();
        assert!(body.starts_with("<!DOCTYPE html>"), "{how}: {body}");
        assert!(!is_json(body.as_bytes()), "{how}");
    }
}

#[tokio::test]
async fn oversize_sends_at_least_the_bytes_asked() {
    for (how, sim) in both_ways("oversize=2000000").await {
        let response = get_keys(&sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{how}"
        );
        let body = response.bytes().await.unwrap();
        assert!(body.len() >= 2_000_000, "{how}: {} bytes", body.len());
        assert!(
            body.len() < 2_200_000,
            "{how}: about what was asked, {}",
            body.len()
        );
        let parsed: Value = serde_json::from_slice(&body).unwrap();
        assert!(parsed["data"].as_array().unwrap().len() > 1000, "{how}");
    }
}

#[tokio::test]
async fn drip_delivers_the_intact_body_slowly() {
    let path = format!("{KEYS}?size=1");
    for (how, sim) in both_ways("drip=20").await {
        let started = Instant::now();
        let response = sim
            .as_principal(ADMIN, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{how}");
        let body = response.bytes().await.unwrap();
        let took = started.elapsed();
        assert!(is_json(&body), "{how}: intact");
        let chunks = body.len().div_ceil(16) as u64;
        assert!(chunks >= 10, "{how}: a body of {} bytes", body.len());
        assert!(
            took >= Duration::from_millis(chunks * 20),
            "{how}: {took:?} for {chunks} chunks"
        );
        assert_eq!(last_logged(&sim).await["fault"], "drip=20", "{how}");
        assert_eq!(
            &body[..],
            &clean_body(&sim, &path).await[..],
            "{how}: the same answer"
        );
    }
}

/// What the README's table promises: which faults let the request take effect.
#[tokio::test]
async fn only_refusing_faults_leave_the_request_unprocessed() {
    let sim = Sim::small().await;
    // (rule, how the log names it, is the request processed?)
    let cases = [
        ("spike=10", "spike=10", true),
        ("5xx", "5xx=503", false),
        ("429", "429=2", false),
        ("hang", "hang", true),
        ("reset", "reset", true),
        ("truncate", "truncate", true),
        ("malformed", "malformed", true),
        ("html", "html", false),
        ("oversize=1000", "oversize=1000", false),
        ("drip=1", "drip=1", true),
    ];
    for (i, (kind, logged_as, processed)) in cases.into_iter().enumerate() {
        sim.set_faults(&format!("{kind}@api-keys*1")).await;
        let name = format!("fault-probe-{i}");
        if let Ok(response) = generate(&sim, &name)
            .timeout(Duration::from_millis(500))
            .send()
            .await
        {
            let _ = response.bytes().await;
        }
        let logged = last_logged(&sim).await;
        assert_eq!(logged["method"], "POST", "{kind}");
        assert_eq!(logged["fault"], logged_as, "{kind}");
        let made = key_names(&sim).await.contains(&name);
        assert_eq!(made, processed, "{kind}: processed?");
    }
}

#[tokio::test]
async fn rules_match_paths_and_retire_after_their_count() {
    for (how, sim) in both_ways("5xx@api-keys*2").await {
        let mut statuses = Vec::new();
        for path in [USERS, KEYS, USERS, KEYS, KEYS, USERS, KEYS] {
            let response = sim
                .as_principal(ADMIN, Method::GET, path)
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [200, 503, 200, 503, 200, 200, 200], "{how}");
        let faulted: Vec<String> = sim
            .request_log()
            .await
            .iter()
            .filter(|e| !e["fault"].is_null())
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(faulted.len(), 2, "{how}");
        assert!(
            faulted.iter().all(|p| p.ends_with(KEYS)),
            "{how}: {faulted:?}"
        );
        assert_eq!(
            fault_settings(&sim).await["spec"],
            "5xx=503@api-keys*0",
            "{how}"
        );
    }
}

async fn statuses_for_seed(seed: u64) -> Vec<u16> {
    let sim = Sim::start(SimConfig {
        seed,
        faults: parse_spec("5xx:0.5").expect("valid spec"),
        ..small_config()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(
            get_keys(&sim)
                .send()
                .await
                .expect("answer")
                .status()
                .as_u16(),
        );
    }
    statuses
}

#[tokio::test]
async fn faults_are_the_same_for_the_same_seed() {
    let first = statuses_for_seed(7).await;
    let again = statuses_for_seed(7).await;
    let other = statuses_for_seed(8).await;
    assert_eq!(first, again, "same seed, same faults");
    assert_ne!(first, other, "another seed, other faults");
    assert!(first.iter().all(|s| *s == 200 || *s == 503), "{first:?}");
    let failed = first.iter().filter(|s| **s == 503).count();
    assert!((5..=25).contains(&failed), "about half fail: {first:?}");
}

#[tokio::test]
async fn latency_delays_every_answer_until_removed() {
    let configured = Sim::start(SimConfig {
        latency: "200~0".parse().unwrap(),
        ..small_config()
    })
    .await;
    let at_run_time = Sim::small().await;
    let response = at_run_time
        .http
        .put(at_run_time.control("/faults"))
        .json(&json!({"latency": "200~0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    for (how, sim) in [
        ("configured", &configured),
        ("set at run time", &at_run_time),
    ] {
        assert_eq!(
            fault_settings(sim).await["latency"],
            json!({"ms": 200, "jitter_ms": 0}),
            "{how}"
        );
        let region = sim.principal(ADMIN).region.clone();
        for path in [KEYS, USERS] {
            let started = Instant::now();
            let response = sim
                .as_principal(ADMIN, Method::GET, path)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{how} {path}");
            assert!(
                started.elapsed() >= Duration::from_millis(200),
                "{how} {path}"
            );
        }
        let started = Instant::now();
        let key = sim.principal(ADMIN).api_key.clone();
        assert_eq!(sim.validate(&key, &region).await, StatusCode::OK);
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{how} /validate"
        );

        let response = sim
            .http
            .put(sim.control("/faults"))
            .json(&json!({"latency": "0"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let started = Instant::now();
        let response = get_keys(sim).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(200),
            "{how}: latency removed, {took:?}"
        );
        let logged = last_logged(sim).await;
        assert!(logged["millis"].as_u64().unwrap() < 200, "{how}: {logged}");
    }
}

#[tokio::test]
async fn the_fault_control_surface_validates_shows_and_clears() {
    let sim = Sim::start(SimConfig {
        faults: parse_spec("spike=5@users").unwrap(),
        ..small_config()
    })
    .await;
    let shown = fault_settings(&sim).await;
    assert_eq!(
        shown["spec"], "spike=5@users",
        "configured faults are shown"
    );
    assert_eq!(shown["rules"][0]["kind"], "spike=5");
    assert_eq!(shown["rules"][0]["matching"], "users");

    let response = sim
        .http
        .put(sim.control("/faults"))
        .json(&json!({"spec": "5xx=502:0.25@api-keys*3, hang"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["spec"], "5xx=502:0.25@api-keys*3,hang");
    let shown = fault_settings(&sim).await;
    assert_eq!(shown["spec"], "5xx=502:0.25@api-keys*3,hang");
    assert_eq!(
        shown["rules"],
        json!([
            {"kind": "5xx=502", "rate": 0.25, "matching": "api-keys", "remaining": 3},
            {"kind": "hang", "rate": 1.0, "matching": null, "remaining": null},
        ])
    );

    for (bad, why) in [
        (json!({"spec": "boom"}), "unknown fault"),
        (json!({"spec": "5xx=404"}), "500 to 599"),
        (json!({"spec": "hang:2"}), "between 0 and 1"),
        (json!({"spec": "hang=1"}), "no argument"),
        (json!({"spec": "5xx*many"}), "bad count"),
        (json!({"latency": "soon"}), "bad latency"),
    ] {
        let response = sim
            .http
            .put(sim.control("/faults"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(why), "{bad}: {body}");
    }
    assert_eq!(
        fault_settings(&sim).await["spec"],
        "5xx=502:0.25@api-keys*3,hang",
        "a refused spec changes nothing"
    );

    let response = sim
        .http
        .delete(sim.control("/faults"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["spec"], "");
    assert_eq!(body["rules"], json!([]));
    assert_eq!(body["latency"], json!({"ms": 0, "jitter_ms": 0}));
    let response = get_keys(&sim).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "cleared");
}

#[tokio::test]
async fn control_paths_are_never_faulted_nor_logged() {
    for (how, sim) in both_ways("5xx").await {
        for path in ["/credentials", "/faults", "/requests", "/tc/subscription"] {
            let response = sim.http.get(sim.control(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{how} /_sim{path}");
            assert!(
                is_json(&response.bytes().await.unwrap()),
                "{how} /_sim{path}"
            );
        }
        assert_eq!(get_keys(&sim).send().await.unwrap().status(), 503, "{how}");
        let log = sim.request_log().await;
        let paths: Vec<&str> = log.iter().map(|e| e["path"].as_str().unwrap()).collect();
        assert_eq!(paths.len(), 1, "{how}: {paths:?}");
        assert!(paths[0].ends_with(KEYS), "{how}: {paths:?}");
        assert!(!paths.iter().any(|p| p.starts_with("/_sim")), "{how}");
    }
}

#[tokio::test]
async fn fault_settings_take_a_json_body_whatever_its_content_type() {
    let sim = Sim::small().await;
    for (content_type, spec) in [
        (None, "5xx=502@api-keys"),
        (Some("application/x-www-form-urlencoded"), "hang@users*1"),
        (Some("text/plain"), "spike=5"),
    ] {
        let mut request = sim
            .http
            .put(sim.control("/faults"))
            .body(json!({ "spec": spec }).to_string());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let (status, body) = status_json(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{content_type:?}: {body}");
        assert_eq!(body["spec"], spec, "{content_type:?}");
        assert_eq!(fault_settings(&sim).await["spec"], spec, "{content_type:?}");
    }
    let response = sim
        .http
        .put(sim.control("/faults"))
        .body("spec=hang")
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("JSON object"),
        "{body}"
    );
    assert_eq!(
        fault_settings(&sim).await["spec"],
        "spike=5",
        "a body that is not JSON changes nothing"
    );
}
