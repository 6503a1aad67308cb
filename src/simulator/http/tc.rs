//! Threat Command under `/tc/public/v1/`: HTTP Basic (account ID : API key),
//! the MSSP `Account-Id` header, `PascalCase` bodies, and plain-text error codes
//! (`ModuleNotAvailable`, `InvalidEmails`, ...), as the real API answers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, head};
use base64::Engine;
use serde_json::json;

use super::super::SimState;
use super::super::tc::{TcAccount, TcUser};
use super::super::world::hash_secret;
use super::gate::header_text;
use super::json_response;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/tc/public/v1/test-credentials", head(test_credentials))
        .route("/tc/public/v1/api/version", get(version))
        .route("/tc/public/v1/account/system-modules", get(system_modules))
        .route("/tc/public/v1/account/used-assets", get(used_assets))
        .route("/tc/public/v1/account/users-details", get(users_details))
        .route("/tc/public/v1/mssp/customers", get(mssp_customers))
        .route("/tc/public/v1/mssp/users-details", get(mssp_users))
        .route("/tc/public/v1/iocs/quota", get(quota))
}

/// A plain-text Threat Command error: the code is the whole body.
fn code(status: StatusCode, code: &'static str) -> Response {
    let mut response = Response::new(Body::from(code));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn unauthorized() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

/// Why Threat Command refused a request before looking at it.
enum Denied {
    /// Bad or missing Basic credentials: 401 with no body.
    Credentials,
    /// `Account-Id` names no customer of this MSSP.
    AccountId,
}

impl From<Denied> for Response {
    fn from(denied: Denied) -> Response {
        match denied {
            Denied::Credentials => unauthorized(),
            Denied::AccountId => code(StatusCode::FORBIDDEN, "InvalidAccountId"),
        }
    }
}

/// Checks Basic auth; answers the account acted on (the MSSP's own, or the
/// customer named by `Account-Id`) and whether it is the MSSP itself.
fn authenticate<'s>(
    state: &'s SimState,
    headers: &HeaderMap,
) -> Result<(&'s TcAccount, bool), Denied> {
    let basic = header_text(headers, "authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .ok_or(Denied::Credentials)?;
    let (account_id, key) = basic.split_once(':').ok_or(Denied::Credentials)?;
    if account_id != state.tc.main.id || hash_secret(key) != state.tc.api_key_hash {
        return Err(Denied::Credentials);
    }
    let sub = header_text(headers, "account-id").filter(|s| !s.is_empty());
    let account = state.tc.account(sub).ok_or(Denied::AccountId)?;
    Ok((account, sub.is_none_or(|s| s == state.tc.main.id)))
}

fn json_ok(value: &serde_json::Value) -> Response {
    json_response(StatusCode::OK, value.to_string().into_bytes())
}

async fn test_credentials(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok(_) => StatusCode::OK.into_response_empty(),
        Err(denied) => denied.into(),
    }
}

trait EmptyResponse {
    fn into_response_empty(self) -> Response;
}

impl EmptyResponse for StatusCode {
    fn into_response_empty(self) -> Response {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self;
        response
    }
}

async fn version(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok(_) => json_ok(&json!({"Version": "1.0.0"})),
        Err(denied) => denied.into(),
    }
}

async fn system_modules(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok((account, _)) => json_ok(&json!(account.modules)),
        Err(denied) => denied.into(),
    }
}

async fn used_assets(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok((account, _)) => json_ok(&json!({
            "AssetsLimit": account.assets_limit,
            "AssetsCount": account.assets_count,
        })),
        Err(denied) => denied.into(),
    }
}

fn user_json(user: &TcUser, full: bool) -> serde_json::Value {
    if full {
        json!({
            "_id": user.id,
            "Email": user.email,
            "Role": user.role,
            "FirstName": user.first_name,
            "LastName": user.last_name,
            "IsDeleted": user.is_deleted,
            "Permissions": {"IsUserManagementAllowed": user.role == "Admin"},
        })
    } else {
        json!({"_id": user.id, "Email": user.email, "Role": user.role, "IsDeleted": user.is_deleted})
    }
}

async fn users_details(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (account, _) = match authenticate(&state, &headers) {
        Ok(found) => found,
        Err(denied) => return denied.into(),
    };
    let role = params.get("userType").filter(|t| !t.is_empty());
    if role.is_some_and(|r| r != "Admin" && r != "Analyst") {
        return code(StatusCode::UNPROCESSABLE_ENTITY, "InvalidUserType");
    }
    let email = params.get("userEmail").filter(|e| !e.is_empty());
    if email.is_some_and(|e| !e.contains('@')) {
        return code(StatusCode::UNPROCESSABLE_ENTITY, "InvalidEmails");
    }
    let id = params.get("userId").filter(|i| !i.is_empty());
    let users: Vec<serde_json::Value> = account
        .users
        .iter()
        .filter(|u| role.is_none_or(|r| u.role == r))
        .filter(|u| email.is_none_or(|e| u.email.eq_ignore_ascii_case(e)))
        .filter(|u| id.is_none_or(|i| &u.id == i))
        .map(|u| user_json(u, true))
        .collect();
    json_ok(&json!(users))
}

async fn mssp_customers(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok((_, false)) => code(StatusCode::FORBIDDEN, "ModuleNotAvailable"),
        Ok((_, true)) => {
            let customers: Vec<serde_json::Value> = state
                .tc
                .customers
                .iter()
                .map(|c| {
                    json!({
                        "_id": c.account.id,
                        "CompanyName": c.company_name,
                        "Status": c.status,
                        "Note": c.note,
                    })
                })
                .collect();
            json_ok(&json!(customers))
        }
        Err(denied) => denied.into(),
    }
}

async fn mssp_users(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok((_, false)) => code(StatusCode::FORBIDDEN, "ModuleNotAvailable"),
        Ok((_, true)) => {
            let users: Vec<serde_json::Value> = state
                .tc
                .mssp_users
                .iter()
                .map(|u| user_json(u, false))
                .collect();
            json_ok(&json!(users))
        }
        Err(denied) => denied.into(),
    }
}

async fn quota(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers) {
        Ok((account, _)) if account.modules.get("IOC") != Some(&true) => {
            code(StatusCode::FORBIDDEN, "ModuleNotAvailable")
        }
        Ok((account, _)) => json_ok(&json!({
            "EnrichIocsQuota": {
                "TimePeriod": time::OffsetDateTime::now_utc().date().to_string(),
                "Total": account.quota_total,
                "Remaining": account.quota_remaining,
            }
        })),
        Err(denied) => denied.into(),
    }
}

/// `GET /_sim/tc/subscription[?account_id=]`: the subscription facts Rapid7
/// shows only in its web console. A simulator extension, never a Rapid7 endpoint.
pub(crate) async fn subscription(
    State(state): State<Arc<SimState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(account) = state
        .tc
        .account(params.get("account_id").map(String::as_str))
    else {
        return code(StatusCode::NOT_FOUND, "InvalidAccountId");
    };
    json_ok(&json!({
        "SIMULATED": "This object is the simulator's stand-in for Threat Command's web-only Subscription page",
        "SubscriptionType": account.subscription_type,
        "ExpirationDate": account.expiration,
        "Credits": {"Total": account.credits_total, "Remaining": account.credits_remaining},
        "CustomerLimitations": {
            "Assets": {"Limit": account.assets_limit, "Used": account.assets_count},
            "Remediations": {"Limit": account.remediations_limit, "Used": account.remediations_used},
        },
        "StoredDataLocation": account.data_location,
        "SystemModules": account.modules,
    }))
}
