//! The gate in front of every Account API and Log Search route, doing what
//! Rapid7's gateway does: find the key, check the region and the tenant
//! header, spend the rate budget, and dress every answer in the platform's
//! headers (`r7-correlation-id`, `RateLimit-*`) and error bodies.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use super::super::SimState;
use super::super::policy::{self, Refusal};
use super::super::ratelimit::{Advert, Budget, RateHeaders, rate_headers};
use crate::region::Region;

/// The header naming the tenant a multi-tenant key acts for.
pub const TENANT_HEADER: &str = "r7-organization-id";

/// An error a handler returns; the gate renders its body with the request's correlation id.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(400, message)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::new(refusal.status, refusal.message)
    }
}

/// Marks a response whose body the gate still has to write.
#[derive(Debug, Clone)]
struct PendingError(String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self.status;
        response.extensions_mut().insert(PendingError(self.message));
        response
    }
}

/// The body of an Account API error, by status (contract Part 1).
pub fn error_body(status: StatusCode, message: &str, correlation: Uuid) -> String {
    match status {
        StatusCode::UNAUTHORIZED => json!({"message": "Unauthorized"}).to_string(),
        StatusCode::TOO_MANY_REQUESTS => json!({"message": "API rate limit exceeded"}).to_string(),
        _ => json!({
            "status": status.as_u16(),
            "message": message,
            "correlation_id": correlation.to_string(),
        })
        .to_string(),
    }
}

/// The canonical region named by the first path segment, if any.
pub fn path_region(path: &str) -> Option<Region> {
    let segment = path.trim_start_matches('/').split('/').next()?;
    let region: Region = segment.parse().ok()?;
    (region.code() == segment).then_some(region)
}

/// A header's text, if present and valid.
pub fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Kong's answer for a path it has no route for.
pub fn no_route() -> Response {
    let mut response = Response::new(Body::from(
        json!({"message": "no Route matched with those values"}).to_string(),
    ));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub async fn gate(
    State(state): State<Arc<SimState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let correlation = Uuid::new_v4();
    let Some(region) = path_region(request.uri().path()) else {
        return no_route();
    };
    let admitted = admit(&state, region, request.headers());
    let mut response = match admitted {
        Ok((caller, budget)) => {
            request.extensions_mut().insert(caller);
            request.extensions_mut().insert(region);
            let response = next.run(request).await;
            with_budget(response, Some(budget), state.rate_headers)
        }
        Err((error, budget)) => with_budget(error.into_response(), budget, state.rate_headers),
    };
    if let Some(PendingError(message)) = response.extensions_mut().remove::<PendingError>() {
        let body = error_body(response.status(), &message, correlation);
        *response.body_mut() = Body::from(body);
    }
    let has_body = response.status() != StatusCode::NO_CONTENT;
    platform_headers(response.headers_mut(), correlation, has_body);
    response
}

/// Authenticates and rate-limits; on failure, the error and (once the key is
/// known) the budget to advertise.
fn admit(
    state: &SimState,
    region: Region,
    headers: &HeaderMap,
) -> Result<(policy::Caller, Budget), (ApiError, Option<Budget>)> {
    let unauthorized = || (ApiError::new(401, "Unauthorized"), None);
    let secret = header_text(headers, "x-api-key").ok_or_else(unauthorized)?;
    let (slot, resolved) = {
        let world = state.world();
        let slot = world.key_by_secret(secret).ok_or_else(unauthorized)?;
        let resolved = policy::resolve_context(
            &world,
            slot,
            region,
            header_text(headers, TENANT_HEADER),
            state.role_rules,
        );
        (slot, resolved)
    };
    // A key unknown at this region (401) spends nothing; a known key refused
    // for its tenant header (400, 403) spends a request like any other call.
    if resolved
        .as_ref()
        .is_err_and(|refusal| refusal.status == 401)
    {
        return Err(unauthorized());
    }
    match (state.limiter.spend((slot, region)), resolved) {
        (Err(budget), _) => Err((ApiError::new(429, "API rate limit exceeded"), Some(budget))),
        (Ok(budget), Err(refusal)) => Err((ApiError::from(refusal), Some(budget))),
        (Ok(budget), Ok(caller)) => Ok((caller, budget)),
    }
}

fn with_budget(mut response: Response, budget: Option<Budget>, shape: RateHeaders) -> Response {
    if let Some(budget) = budget {
        let advert = Advert {
            refused: response.status() == StatusCode::TOO_MANY_REQUESTS,
            ..Advert::from(budget)
        };
        insert_rate_headers(response.headers_mut(), shape, advert);
    }
    response
}

/// Writes the budget's headers in the configured shape.
pub fn insert_rate_headers(headers: &mut HeaderMap, shape: RateHeaders, advert: Advert) {
    for (name, value) in rate_headers(shape, advert, time::OffsetDateTime::now_utc()) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// The headers Rapid7's gateway puts on Account API answers (contract section 0).
fn platform_headers(headers: &mut HeaderMap, correlation: Uuid, has_body: bool) {
    if let Ok(value) = HeaderValue::from_str(&correlation.to_string()) {
        headers.insert("r7-correlation-id", value);
    }
    if has_body {
        headers
            .entry(header::CONTENT_TYPE)
            .or_insert(HeaderValue::from_static("application/json"));
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, max-age=0, must-revalidate"),
    );
    headers.insert(header::VIA, HeaderValue::from_static("kong/2.8.4"));
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        "access-control-allow-credentials",
        HeaderValue::from_static("true"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
}
