//! Test harness: an in-process simulator on 127.0.0.1:0, a small HTTP
//! helper that calls it exactly as a client would, (in `cli`) a shell that
//! runs the built binary against it, and (in `pty`) the binary on a
//! pseudo-terminal.
#![allow(dead_code)]

pub mod cli;
pub mod pty;

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
