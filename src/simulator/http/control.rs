//! `/_sim/`: the simulator's own control surface. Not Rapid7's API; the
//! client never calls it. Tests and people use it to read the request log,
//! change faults at run time, fetch the credentials, and play the web
//! console's part (deleting a user, changing a role).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

use super::super::SimState;
use super::super::faults::{self, Latency};
use super::super::policy;
use super::gate::{TENANT_HEADER, header_text, path_region};
use super::json_response;

pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/_sim/credentials", get(credentials))
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route(
            "/_sim/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route("/_sim/whoami/{region}", get(whoami))
        .route("/_sim/log-search", get(get_log_search).put(put_log_search))
        .route("/_sim/users/{id}", patch(change_user).delete(delete_user))
        .route("/_sim/tc/subscription", get(super::tc::subscription))
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"message": message.into()}))).into_response()
}

/// A control call's JSON body, whatever its `Content-Type` says: people
/// type these with `curl -d`, which sends a form type, and the body is
/// what matters. A body that is not the expected JSON is refused with why.
fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body must be a JSON object: {e}"))
}

async fn credentials(State(state): State<Arc<SimState>>) -> Response {
    Json(&state.credentials).into_response()
}

async fn requests(
    State(state): State<Arc<SimState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let since = params
        .get("since")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Json(state.log.since(since)).into_response()
}

async fn clear_requests(State(state): State<Arc<SimState>>) -> StatusCode {
    state.log.clear();
    StatusCode::NO_CONTENT
}

async fn get_faults(State(state): State<Arc<SimState>>) -> Response {
    Json(state.faults.settings()).into_response()
}

#[derive(Deserialize)]
struct FaultUpdate {
    spec: Option<String>,
    latency: Option<String>,
}

/// `PUT /_sim/faults {"spec": "5xx:0.2", "latency": "30~10"}`: either or both.
async fn put_faults(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let update: FaultUpdate = match json_body(&body) {
        Ok(update) => update,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    let rules = match update.spec.as_deref().map(faults::parse_spec).transpose() {
        Ok(rules) => rules,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    let latency = match update
        .latency
        .as_deref()
        .map(str::parse::<Latency>)
        .transpose()
    {
        Ok(latency) => latency,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    if let Some(rules) = rules {
        state.faults.set_rules(rules);
    }
    if let Some(latency) = latency {
        state.faults.set_latency(latency);
    }
    Json(state.faults.settings()).into_response()
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> Response {
    state.faults.set_rules(Vec::new());
    state.faults.set_latency(Latency::default());
    Json(state.faults.settings()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogSearchUpdate {
    pending_polls: u32,
}

fn log_search_settings(state: &SimState) -> Response {
    Json(json!({ "pending_polls": state.log_search.pending_polls() })).into_response()
}

async fn get_log_search(State(state): State<Arc<SimState>>) -> Response {
    log_search_settings(&state)
}

/// `PUT /_sim/log-search {"pending_polls": N}`: how many answers new Log
/// Search queries give "still running" before their result.
async fn put_log_search(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let update: LogSearchUpdate = match json_body(&body) {
        Ok(update) => update,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    state.log_search.set_pending_polls(update.pending_polls);
    log_search_settings(&state)
}

/// Who a key is (there is no such endpoint on the real platform; contract section 8).
async fn whoami(
    State(state): State<Arc<SimState>>,
    Path(region): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(region) = path_region(&format!("/{region}")) else {
        return problem(StatusCode::NOT_FOUND, "unknown region");
    };
    let world = state.world();
    let Some(slot) = header_text(&headers, "x-api-key").and_then(|k| world.key_by_secret(k)) else {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    let caller = match policy::resolve_context(
        &world,
        slot,
        region,
        header_text(&headers, TENANT_HEADER),
        state.role_rules,
    ) {
        Ok(caller) => caller,
        Err(refusal) => {
            return problem(
                StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::FORBIDDEN),
                refusal.message,
            );
        }
    };
    let Some(key) = world.key(slot) else {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    let owner = caller.owner.and_then(|o| world.user(o)).map(|u| {
        json!({
            "id": u.id,
            "email": u.email,
            "platform_admin": u.platform_admin,
            "org_admin_of": u.org_admin_of.map(|o| world.org(o).id),
        })
    });
    Json(json!({
        "key_id": key.id,
        "key_type": key.kind.wire_name(state.compat),
        "organization_id": world.org(caller.key_org).id,
        "context_organization_id": world.org(caller.context).id,
        "owner": owner,
        "role_rules": match state.role_rules {
            policy::RoleRules::Current => "current",
            policy::RoleRules::Legacy => "legacy",
        },
    }))
    .into_response()
}

/// The user a `/_sim/users/{id}` path names, if any.
fn user_at(world: &super::super::world::World, id: &str) -> Option<super::super::world::UserIdx> {
    Uuid::parse_str(id).ok().and_then(|id| world.user_by_id(id))
}

/// Deletes a user as the web console would: their user keys go, the
/// organization keys they generated stay (seed 000).
async fn delete_user(State(state): State<Arc<SimState>>, Path(id): Path<String>) -> Response {
    let mut world = state.world_mut();
    let Some(idx) = user_at(&world, &id) else {
        return problem(StatusCode::NOT_FOUND, "no such user");
    };
    match world.delete_user(idx) {
        Ok(removed) => {
            let ids: Vec<Uuid> = removed.iter().map(|k| k.id).collect();
            json_response(
                StatusCode::OK,
                json!({ "removed_keys": ids }).to_string().into_bytes(),
            )
        }
        Err(_) => problem(StatusCode::NOT_FOUND, "no such user"),
    }
}

#[derive(Deserialize)]
#[allow(clippy::option_option)] // absent (keep) differs from null (remove the role)
struct UserChange {
    platform_admin: Option<bool>,
    /// `Some(None)` (JSON null) removes the organization-admin role.
    #[serde(default, with = "double_option")]
    org_admin_of: Option<Option<Uuid>>,
    access: Option<Vec<Uuid>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    #[allow(clippy::option_option)]
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Changes a user's role, as an administrator would in the web console.
async fn change_user(
    State(state): State<Arc<SimState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let change: UserChange = match json_body(&body) {
        Ok(change) => change,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    let mut world = state.world_mut();
    let Some(idx) = user_at(&world, &id) else {
        return problem(StatusCode::NOT_FOUND, "no such user");
    };
    let resolve = |world: &super::super::world::World, id: Uuid| world.org_by_id(id);
    let org_admin_of = match change.org_admin_of {
        None => None,
        Some(None) => Some(None),
        Some(Some(id)) => match resolve(&world, id) {
            Some(o) => Some(Some(o)),
            None => return problem(StatusCode::BAD_REQUEST, "unknown organization"),
        },
    };
    let access = match change.access {
        None => None,
        Some(ids) => match ids
            .into_iter()
            .map(|id| resolve(&world, id))
            .collect::<Option<Vec<_>>>()
        {
            Some(orgs) => Some(orgs),
            None => return problem(StatusCode::BAD_REQUEST, "unknown organization"),
        },
    };
    let Some(user) = world.user_mut(idx) else {
        return problem(StatusCode::NOT_FOUND, "no such user");
    };
    if let Some(admin) = change.platform_admin {
        user.platform_admin = admin;
    }
    if let Some(org) = org_admin_of {
        user.org_admin_of = org;
    }
    if let Some(access) = access {
        user.access = access;
    }
    StatusCode::NO_CONTENT.into_response()
}
