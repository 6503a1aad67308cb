//! The simulator's HTTP surface: the Account API, `/validate` and Log Search
//! per region under `/{region}/`, Threat Command under `/tc/`, and the
//! simulator's own control surface under `/_sim/`.
//!
//! Every request except `/_sim/` passes [`observe`], which adds the
//! configured latency, injects faults and writes the request log.

mod account;
mod audit;
mod control;
mod gate;
mod keys;
mod tc;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{delete, get};
use base64::Engine;
use serde::Serialize;

use super::SimState;
use super::faults::{self, FaultKind};
use super::paging::Metadata;
use super::reqlog::LoggedRequest;
use super::world::format_date;
use crate::fingerprint::fingerprint;

pub(crate) fn router(state: Arc<SimState>) -> Router {
    let gated = Router::new()
        .route(
            "/{region}/account/api/1/api-keys",
            get(keys::list).post(keys::generate),
        )
        .route(
            "/{region}/account/api/1/api-keys/{id}",
            delete(keys::revoke),
        )
        .route(
            "/{region}/account/api/1/organizations",
            get(account::organizations),
        )
        .route(
            "/{region}/account/api/1/managed-organizations",
            get(account::managed_organizations),
        )
        .route("/{region}/account/api/1/users", get(account::users))
        .route("/{region}/account/api/1/products", get(account::products))
        .route("/{region}/account/api/1/roles", get(account::roles))
        .route("/{region}/log_search/management/logs", get(audit::logs))
        .route("/{region}/log_search/query/logs/{ids}", get(audit::query))
        .route("/{region}/log_search/query/{id}", get(audit::poll))
        .route_layer(from_fn_with_state(Arc::clone(&state), gate::gate));
    Router::new()
        .route("/{region}/validate", get(account::validate))
        .merge(gated)
        .merge(tc::routes())
        .merge(control::routes())
        .fallback(|| async { gate::no_route() })
        .layer(from_fn_with_state(Arc::clone(&state), observe))
        .with_state(state)
}

/// A JSON answer with the given status.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    data: &'a [T],
    metadata: &'a Metadata,
}

/// A page as the platform serves it: the `{data, metadata}` envelope, or in
/// compatibility mode a bare array.
pub(crate) fn list_body<T: Serialize>(items: &[T], metadata: &Metadata, compat: bool) -> Response {
    let body = if compat {
        serde_json::to_vec(items)
    } else {
        serde_json::to_vec(&Envelope {
            data: items,
            metadata,
        })
    };
    json_response(StatusCode::OK, body.unwrap_or_default())
}

/// The fingerprint of the key a request presents: `X-Api-Key`, or the
/// password of Threat Command's Basic auth.
fn presented_key(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(key) = gate::header_text(headers, "x-api-key") {
        return Some(fingerprint(key));
    }
    let basic = gate::header_text(headers, "authorization")?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':').map(|(_, key)| fingerprint(key))
}

/// Latency, faults and the request log, around every non-control request.
async fn observe(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), ToString::to_string);
    if path.starts_with("/_sim") {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = request.method().to_string();
    let headers = request.headers();
    let tenant = gate::header_text(headers, gate::TENANT_HEADER)
        .or_else(|| gate::header_text(headers, "account-id"))
        .map(str::to_string);
    let key = presented_key(&request);
    let decision = state.faults.decide(&method, &path);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    let log = |status: u16| LoggedRequest {
        seq: 0,
        at: format_date(time::OffsetDateTime::now_utc()),
        method: method.clone(),
        path: path.clone(),
        status,
        tenant: tenant.clone(),
        key: key.clone(),
        fault: decision.fault.map(|f| f.to_string()),
        millis: started.elapsed().as_millis() as u64,
    };
    let response = match decision.fault {
        None => next.run(request).await,
        Some(FaultKind::Spike(ms)) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(FaultKind::Hang) => {
            let answered = next.run(request).await;
            state.log.push(log(0));
            drop(answered);
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
        Some(kind) => match faults::refuse(kind, state.rate_headers) {
            Some(refused) => refused,
            None => faults::mangle(kind, next.run(request).await).await,
        },
    };
    state.log.push(log(response.status().as_u16()));
    response
}
