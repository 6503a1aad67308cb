//! Test harness: an in-process simulator on 127.0.0.1:0, a small HTTP
//! helper that calls it exactly as a client would, (in `cli`) a shell that
//! runs the built binary against it, (in `pty`) the binary on a
//! pseudo-terminal, and (in `tls`) a test CA with a TLS-terminating proxy.
#![allow(dead_code)]

pub mod cli;
pub mod console;
pub mod home;
pub mod pty;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use r7keys::simulator::{Credentials, Principal, SimConfig, Simulator};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

/// The six principals the simulator seeds.
pub const PRINCIPALS: [&str; 6] = [
    "platform-admin",
    "org-admin",
    "user",
    "org-key",
    "mt-admin",
    "mt-user",
];

pub struct Sim {
    pub sim: Simulator,
    pub http: reqwest::Client,
}

/// A small world with a high rate budget, so tests that are not about rate
/// limits never meet one.
pub fn small_config() -> SimConfig {
    SimConfig {
        keys: 150,
        users: 20,
        tenants: 8,
        rate_limit: "10000/60".parse().expect("valid budget"),
        ..SimConfig::default()
    }
}

impl Sim {
    pub async fn start(config: SimConfig) -> Sim {
        r7keys::api::tls::install_default_provider();
        let sim = Simulator::start(config).await.expect("simulator starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Sim { sim, http }
    }

    pub async fn small() -> Sim {
        Sim::start(small_config()).await
    }

    pub fn creds(&self) -> &Credentials {
        self.sim.credentials()
    }

    pub fn principal(&self, name: &str) -> &Principal {
        self.creds()
            .principal(name)
            .unwrap_or_else(|| panic!("no principal {name}"))
    }

    /// `http://127.0.0.1:PORT/{region}` + `path`.
    pub fn url(&self, region: &str, path: &str) -> String {
        format!(
            "{}{path}",
            self.creds().endpoint.replace("{region}", region)
        )
    }

    /// A request with `key` at `region`, and an optional tenant header.
    pub fn request(
        &self,
        method: Method,
        key: &str,
        region: &str,
        path: &str,
        tenant: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, self.url(region, path))
            .header("X-Api-Key", key);
        if let Some(tenant) = tenant {
            request = request.header("R7-Organization-Id", tenant);
        }
        request
    }

    /// A request as the named principal, at its own region; multi-tenant
    /// principals name their home organization as the tenant.
    pub fn as_principal(&self, name: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
        let p = self.principal(name);
        let tenant = p.key_type.starts_with("MULTI_TENANT") || p.key_type.starts_with("ENTERPRISE");
        self.request(
            method,
            &p.api_key,
            &p.region,
            path,
            tenant.then_some(p.organization_id.as_str()),
        )
    }

    pub async fn get_json(&self, name: &str, path: &str) -> (StatusCode, Value) {
        let response = self
            .as_principal(name, Method::GET, path)
            .send()
            .await
            .expect("answer");
        status_json(response).await
    }

    /// Every item of a paged list, following `metadata`.
    pub async fn all_pages(&self, name: &str, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut index = 0;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let (status, body) = self
                .get_json(name, &format!("{path}{sep}index={index}&size=100"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            items.extend(body["data"].as_array().expect("data").iter().cloned());
            index += 1;
            if index
                >= body["metadata"]["total_pages"]
                    .as_u64()
                    .expect("total_pages") as usize
            {
                return items;
            }
        }
    }

    /// Generates a key as `name`; answers the status and body.
    pub async fn generate(&self, name: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .as_principal(name, Method::POST, "/account/api/1/api-keys")
            .json(&body)
            .send()
            .await
            .expect("answer");
        status_json(response).await
    }

    pub async fn revoke(&self, name: &str, id: &str) -> StatusCode {
        self.as_principal(
            name,
            Method::DELETE,
            &format!("/account/api/1/api-keys/{id}"),
        )
        .send()
        .await
        .expect("answer")
        .status()
    }

    /// `GET /validate` with a raw key at a region (no tenant header).
    pub async fn validate(&self, key: &str, region: &str) -> StatusCode {
        self.request(Method::GET, key, region, "/validate", None)
            .send()
            .await
            .expect("answer")
            .status()
    }

    /// The simulator's control surface.
    pub fn control(&self, path: &str) -> String {
        format!("{}/_sim{path}", self.sim.base_url())
    }

    /// A control path's body text, exactly as served.
    pub async fn control_text(&self, path: &str) -> String {
        self.http
            .get(self.control(path))
            .send()
            .await
            .expect("answer")
            .text()
            .await
            .expect("body")
    }

    pub async fn request_log(&self) -> Vec<Value> {
        let body: Value = self
            .http
            .get(self.control("/requests"))
            .send()
            .await
            .expect("log")
            .json()
            .await
            .expect("json");
        body.as_array().expect("array").clone()
    }

    pub async fn set_faults(&self, spec: &str) {
        let response = self
            .http
            .put(self.control("/faults"))
            .json(&serde_json::json!({ "spec": spec }))
            .send()
            .await
            .expect("answer");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "fault spec {spec:?} accepted"
        );
    }

    /// The user id behind a principal (through `/_sim/whoami`).
    pub async fn owner_id(&self, name: &str) -> String {
        let p = self.principal(name);
        let tenant = p.key_type.starts_with("MULTI_TENANT");
        let mut request = self
            .http
            .get(self.control(&format!("/whoami/{}", p.region)))
            .header("X-Api-Key", &p.api_key);
        if tenant {
            request = request.header("R7-Organization-Id", &p.organization_id);
        }
        let body: Value = request
            .send()
            .await
            .expect("whoami")
            .json()
            .await
            .expect("json");
        body["owner"]["id"].as_str().expect("owner").to_string()
    }
}

pub async fn status_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// The number of the last request the simulator logged.
pub async fn last_seq(sim: &Sim) -> u64 {
    sim.request_log()
        .await
        .last()
        .map_or(0, |e| e["seq"].as_u64().expect("seq"))
}

/// The requests logged after `seq`.
pub async fn log_since(sim: &Sim, seq: u64) -> Vec<Value> {
    sim.request_log()
        .await
        .into_iter()
        .filter(|e| e["seq"].as_u64().expect("seq") > seq)
        .collect()
}

/// How many of the logged requests used `method`.
pub fn count_method(log: &[Value], method: &str) -> usize {
    log.iter().filter(|e| e["method"] == method).count()
}

/// A string field of a JSON object.
pub fn text<'v>(value: &'v Value, field: &str) -> &'v str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string in {value}"))
}

/// The sorted names of an object's keys.
pub fn key_set(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// Generates a key through the simulator directly; answers its id and secret.
pub async fn sim_generate(sim: &Sim, principal: &str, body: Value) -> (String, String) {
    let (status, created) = sim.generate(principal, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        text(&created, "id").to_string(),
        text(&created, "key").to_string(),
    )
}

/// A unique temporary directory, removed when dropped; `what` names it
/// (`r7keys-{what}-PID-N`).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "r7keys-{what}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
