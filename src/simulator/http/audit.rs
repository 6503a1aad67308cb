//! Platform audit logs through Log Search (contract section 6):
//! `GET /log_search/management/logs` lists the audit logs the caller may read,
//! `GET /log_search/query/logs/{ids}` returns their events, paged by `links`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::super::SimState;
use super::super::policy::{self, Caller, Viewer};
use super::super::world::OrgIdx;
use super::gate::ApiError;
use super::json_response;
use crate::region::Region;

fn readable_orgs(state: &SimState, caller: &Caller) -> Result<Vec<OrgIdx>, ApiError> {
    let world = state.world();
    if !policy::can_read_audit(&world, caller) {
        return Err(ApiError::new(
            403,
            "Platform audit logs can only be read with an organization key or a Platform Administrator's user key",
        ));
    }
    Ok(Viewer::new(&world, caller).scope())
}

pub async fn logs(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let orgs = readable_orgs(&state, &caller)?;
    let world = state.world();
    let logs: Vec<serde_json::Value> = orgs
        .iter()
        .map(|&o| {
            let org = world.org(o);
            json!({
                "id": org.audit_log_id,
                "name": "Platform Audit",
                "source_type": "internal",
                "retention_period": "default",
                "logsets_info": [{
                    "id": Uuid::from_u64_pair(org.audit_log_id.as_u64_pair().1, 1),
                    "name": "Audit Logs",
                    "rrn": format!("rrn:logsearch:{}:{}:logset", org.region, org.id),
                }],
                "user_data": {"organization_id": org.id},
            })
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        json!({ "logs": logs }).to_string().into_bytes(),
    ))
}

/// `Last 30 Days`, `Last 2 Hours`, `Last 10 Minutes` → milliseconds.
fn time_range_ms(text: &str) -> Option<i64> {
    let mut words = text.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("last") {
        return None;
    }
    let n: i64 = words.next()?.parse().ok()?;
    let unit = words.next()?.to_ascii_lowercase();
    let per = match unit.trim_end_matches('s') {
        "minute" => 60_000,
        "hour" => 3_600_000,
        "day" => 86_400_000,
        _ => return None,
    };
    Some(n * per)
}

/// The `[from, to]` window in epoch milliseconds, from `from`/`to` or `time_range`.
fn time_window(params: &HashMap<String, String>) -> Result<(i64, i64), ApiError> {
    let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    match (
        params.get("from"),
        params.get("to"),
        params.get("time_range"),
    ) {
        (Some(from), Some(to), _) => Ok((
            from.parse()
                .map_err(|_| ApiError::bad_request("from must be epoch milliseconds"))?,
            to.parse()
                .map_err(|_| ApiError::bad_request("to must be epoch milliseconds"))?,
        )),
        (_, _, Some(range)) => {
            let span = time_range_ms(range).ok_or_else(|| {
                ApiError::bad_request(format!("Unsupported time_range {range:?}"))
            })?;
            Ok((now - span, now))
        }
        _ => Err(ApiError::bad_request(
            "Either time_range or from and to are required",
        )),
    }
}

/// The text inside LEQL `where(...)`, used as a case-insensitive filter.
fn where_text(query: &str) -> Option<String> {
    let inner = query.trim().strip_prefix("where(")?.strip_suffix(')')?;
    Some(inner.trim().trim_matches('"').to_ascii_lowercase())
}

pub async fn query(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Extension(region): Extension<Region>,
    Path((_region, ids)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let orgs = readable_orgs(&state, &caller)?;
    let wanted: Vec<OrgIdx> = {
        let world = state.world();
        let mut wanted = Vec::new();
        for id in ids.split(':') {
            let org = Uuid::parse_str(id)
                .ok()
                .and_then(|id| {
                    orgs.iter()
                        .copied()
                        .find(|&o| world.org(o).audit_log_id == id)
                })
                .ok_or_else(|| ApiError::new(404, format!("Log {id} not found")))?;
            wanted.push(org);
        }
        wanted
    };
    let per_page: usize = match params.get("per_page") {
        None => 50,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| ApiError::bad_request("per_page must be between 1 and 500"))?,
    };
    let (from, to) = time_window(&params)?;
    let filter = match params.get("query") {
        None => None,
        Some(q) => Some(
            where_text(q)
                .ok_or_else(|| ApiError::bad_request(format!("Unsupported query {q:?}")))?,
        ),
    };
    let after: u64 = params
        .get("sequence_number")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let audit = state.audit();
    let matching: Vec<_> = audit
        .iter()
        .filter(|e| wanted.contains(&e.org) && e.timestamp_ms >= from && e.timestamp_ms <= to)
        .filter(|e| e.sequence > after)
        .filter(|e| {
            filter
                .as_ref()
                .is_none_or(|f| e.message.to_ascii_lowercase().contains(f))
        })
        .collect();
    let world = state.world();
    let events: Vec<serde_json::Value> = matching
        .iter()
        .take(per_page)
        .map(|e| {
            json!({
                "labels": [],
                "timestamp": e.timestamp_ms,
                "sequence_number": e.sequence.to_string(),
                "log_id": world.org(e.org).audit_log_id,
                "message": e.message,
            })
        })
        .collect();
    let mut links = Vec::new();
    if matching.len() > per_page {
        if let Some(last) = matching.get(per_page - 1) {
            let mut next = format!(
                "/{region}/log_search/query/logs/{ids}?per_page={per_page}&from={from}&to={to}&sequence_number={}",
                last.sequence
            );
            if let Some(q) = params.get("query") {
                next.push_str("&query=");
                next.push_str(&q.replace(' ', "+").replace('(', "%28").replace(')', "%29"));
            }
            links.push(json!({"rel": "Next", "href": next}));
        }
    }
    let ids: Vec<Uuid> = wanted.iter().map(|&o| world.org(o).audit_log_id).collect();
    let body = json!({
        "logs": ids,
        "progress": 100,
        "events": events,
        "links": links,
        "statistics": null,
    });
    Ok(json_response(StatusCode::OK, body.to_string().into_bytes()))
}
