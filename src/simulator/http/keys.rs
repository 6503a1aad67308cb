//! `/account/api/1/api-keys`: list (paged, sorted, filtered, from snapshots),
//! generate (201 with the secret in `key`) and revoke (204).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::super::SimState;
use super::super::audit::{self, AuditAction};
use super::super::paging::{ListingKey, Order, PageQuery, caseless, directed, parse_page_query};
use super::super::policy::{self, Caller, Viewer};
use super::super::world::{
    KeyKind, KeyRecord, KeySlot, OrgIdx, World, format_date, hash_secret, new_secret,
};
use super::gate::ApiError;
use super::{json_response, list_body};

/// Sort keys the api-keys listing supports.
pub const KEY_SORTS: &[&str] = &[
    "name",
    "type",
    "generated_on",
    "organization_name",
    "user_email",
    "id",
];

/// An API key as the platform serves it.
#[derive(Serialize)]
pub struct KeyJson<'a> {
    pub id: Uuid,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub organization_id: Uuid,
    pub organization_name: &'a str,
    pub user_id: Option<Uuid>,
    pub user_email: Option<&'a str>,
    pub generated_on: String,
    /// The secret: present only in the answer to a generate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<&'a str>,
}

pub fn key_json<'a>(world: &'a World, key: &'a KeyRecord, compat: bool) -> KeyJson<'a> {
    let org = world.org(key.org);
    KeyJson {
        id: key.id,
        name: &key.name,
        kind: key.kind.wire_name(compat),
        organization_id: org.id,
        organization_name: &org.name,
        user_id: key.owner_id,
        user_email: key.owner_email.as_deref(),
        generated_on: format_date(key.generated_on),
        key: None,
    }
}

fn compare(world: &World, a: &KeyRecord, b: &KeyRecord, field: &str) -> Ordering {
    match field {
        "name" => caseless(&a.name, &b.name),
        "type" => a.kind.wire_name(false).cmp(b.kind.wire_name(false)),
        "generated_on" => a.generated_on.cmp(&b.generated_on),
        "organization_name" => caseless(&world.org(a.org).name, &world.org(b.org).name),
        "user_email" => a.owner_email.cmp(&b.owner_email),
        _ => a.id.cmp(&b.id),
    }
}

/// The slots of every key the caller may see, filtered and sorted
/// (default: newest first; ties broken by id so the order is total).
fn build_listing(
    world: &World,
    viewer: &Viewer,
    kind: Option<KeyKind>,
    org: Option<OrgIdx>,
    sort: &[(String, Order)],
) -> Vec<KeySlot> {
    let mut slots: Vec<KeySlot> = world
        .keys()
        .filter(|(_, k)| kind.is_none_or(|want| k.kind == want))
        .filter(|(_, k)| org.is_none_or(|want| k.org == want))
        .filter(|(_, k)| viewer.can_manage(k))
        .map(|(slot, _)| slot)
        .collect();
    let default_sort = [("generated_on".to_string(), Order::Desc)];
    let sort = if sort.is_empty() {
        &default_sort[..]
    } else {
        sort
    };
    slots.sort_unstable_by(|&x, &y| {
        let (Some(a), Some(b)) = (world.key(x), world.key(y)) else {
            return Ordering::Equal;
        };
        sort.iter()
            .map(|(field, order)| directed(compare(world, a, b, field), *order))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.id.cmp(&b.id))
    });
    slots
}

fn parse_query(state: &SimState, params: &HashMap<String, String>) -> Result<PageQuery, ApiError> {
    let get = |k: &str| params.get(k).map(String::as_str);
    parse_page_query(
        get("index"),
        get("size"),
        get("sort"),
        state.page_cap,
        KEY_SORTS,
    )
    .map_err(ApiError::bad_request)
}

pub async fn list(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let query = parse_query(&state, &params)?;
    let kind = match params.get("type").filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => Some(
            KeyKind::from_wire(text)
                .ok_or_else(|| ApiError::bad_request(format!("Unknown key type {text:?}")))?,
        ),
    };
    let world = state.world();
    let org = match params.get("organization_id").filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => {
            let id = Uuid::parse_str(text)
                .map_err(|_| ApiError::bad_request(format!("Invalid organization_id {text:?}")))?;
            // An organization the caller cannot see simply has no keys for them.
            Some(world.org_by_id(id).unwrap_or(OrgIdx::MAX))
        }
    };
    let viewer = Viewer::new(&world, &caller);
    let listing = ListingKey {
        caller_slot: caller.slot,
        context: caller.context,
        filter: format!("{kind:?}/{org:?}/{}", query.size),
        sort: query.sort_text().unwrap_or_default(),
    };
    let slots = state
        .snapshots
        .listing(&listing, world.version(), query.index == 0, || {
            build_listing(&world, &viewer, kind, org, &query.sort)
        });
    let (range, metadata) = query.window(slots.len());
    let items: Vec<KeyJson<'_>> = slots[range]
        .iter()
        .filter_map(|&slot| world.key(slot))
        .filter(|k| viewer.can_manage(k))
        .map(|k| key_json(&world, k, state.compat))
        .collect();
    Ok(list_body(&items, &metadata, state.compat))
}

#[derive(Deserialize)]
struct GenerateRequest {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    organization_id: Option<String>,
}

pub async fn generate(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: GenerateRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("Malformed request body: {e}")))?;
    let name = request.name.unwrap_or_default();
    let length = name.trim().chars().count();
    if length == 0 || name.chars().count() > 255 {
        return Err(ApiError::bad_request(
            "The key name must be 1 to 255 characters long",
        ));
    }
    let kind_text = request
        .kind
        .ok_or_else(|| ApiError::bad_request("The key type is required"))?;
    let kind = KeyKind::from_wire(&kind_text).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Unknown key type {kind_text:?}; expected USER, ORGANIZATION, MULTI_TENANT_ADMIN or MULTI_TENANT_USER"
        ))
    })?;
    let secret = Zeroizing::new(new_secret());
    let mut world = state.world_mut();
    let org = match request.organization_id.filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => Some(
            Uuid::parse_str(&text)
                .ok()
                .and_then(|id| world.org_by_id(id))
                .ok_or_else(|| {
                    ApiError::bad_request(format!("Unknown organization_id {text:?}"))
                })?,
        ),
    };
    let org = policy::check_generate(&world, &caller, kind, org)?;
    let owner = caller.owner;
    let (owner_id, owner_email) = world.owner_snapshot(owner);
    let record = KeyRecord {
        id: Uuid::new_v4(),
        name,
        kind,
        org,
        owner,
        owner_id,
        owner_email,
        generated_on: time::OffsetDateTime::now_utc(),
        secret_hash: hash_secret(&secret),
    };
    let slot = world.add_key(record);
    record_audit(&state, &world, AuditAction::ApiKeyCreated, slot, owner);
    let Some(stored) = world.key(slot) else {
        return Err(ApiError::new(500, "The key vanished while being generated"));
    };
    let mut json = key_json(&world, stored, state.compat);
    json.key = Some(&secret);
    let body = if state.compat {
        Zeroizing::new(serde_json::to_vec(&serde_json::json!({ "data": json })).unwrap_or_default())
    } else {
        Zeroizing::new(serde_json::to_vec(&json).unwrap_or_default())
    };
    let status = if state.compat {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json_response(status, body.to_vec()))
}

pub async fn revoke(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path((_region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let mut world = state.world_mut();
    let slot = Uuid::parse_str(&id).ok().and_then(|id| world.key_by_id(id));
    let slot = policy::check_revoke(&world, &caller, slot)?;
    record_audit(
        &state,
        &world,
        AuditAction::ApiKeyDeleted,
        slot,
        caller.owner,
    );
    let removed = world.remove_key(slot);
    if state.compat {
        let body = removed
            .map(|k| serde_json::to_vec(&serde_json::json!({ "data": key_json(&world, &k, true) })))
            .transpose()
            .unwrap_or_default()
            .unwrap_or_default();
        return Ok(json_response(StatusCode::OK, body));
    }
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

fn record_audit(
    state: &SimState,
    world: &World,
    action: AuditAction,
    slot: KeySlot,
    actor: Option<u32>,
) {
    let Some(key) = world.key(slot) else { return };
    let actor = actor.and_then(|a| world.user(a));
    let mut events = state.audit();
    let sequence = events.len() as u64 + 1;
    events.push(audit::event(world, action, key, actor, sequence));
}
