//! Platform audit logs through Log Search (contract section 6):
//! `GET /log_search/management/logs` lists the audit logs the caller may read,
//! `GET /log_search/query/logs/{ids}` returns their events, paged by `Next`
//! links, or (see [`super::super::logsearch`]) answers 202 "still running"
//! with a `Self` link, `GET /log_search/query/{id}`, to poll.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::super::SimState;
use super::super::logsearch::{Poll, QuerySpec};
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

/// Checks a query's request and resolves what it reads.
fn query_spec(
    state: &SimState,
    caller: &Caller,
    ids: &str,
    params: &HashMap<String, String>,
) -> Result<QuerySpec, ApiError> {
    let orgs = readable_orgs(state, caller)?;
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
    let (from, to) = time_window(params)?;
    let statement = params.get("query").cloned();
    if let Some(q) = &statement {
        where_text(q).ok_or_else(|| ApiError::bad_request(format!("Unsupported query {q:?}")))?;
    }
    let after: u64 = params
        .get("sequence_number")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(QuerySpec {
        ids: ids.to_string(),
        orgs: wanted,
        per_page,
        from,
        to,
        statement,
        after,
    })
}

/// `http://127.0.0.1:PORT/{region}`: links are absolute, as Rapid7's are.
fn base_url(state: &SimState, region: Region) -> String {
    state
        .credentials
        .endpoint
        .replace("{region}", region.code())
}

/// The answer of a query still running: 202, `progress` below 100, and the
/// `Self` link to poll.
fn running(
    state: &SimState,
    region: Region,
    id: Uuid,
    progress: u32,
    spec: &QuerySpec,
    query_string: &str,
) -> Response {
    let world = state.world();
    let logs: Vec<Uuid> = spec
        .orgs
        .iter()
        .map(|&o| world.org(o).audit_log_id)
        .collect();
    let mut href = format!("{}/log_search/query/{id}", base_url(state, region));
    if !query_string.is_empty() {
        href.push('?');
        href.push_str(query_string);
    }
    let body = json!({
        "id": id,
        "logs": logs,
        "progress": progress,
        "events": [],
        "links": [{"rel": "Self", "href": href}],
        "leql": {
            "statement": spec.statement,
            "during": {"from": spec.from, "to": spec.to},
        },
    });
    json_response(StatusCode::ACCEPTED, body.to_string().into_bytes())
}

/// The answer of a complete query: a page of events and, when more follow,
/// the `Next` link (itself a new query).
fn results(state: &SimState, region: Region, spec: &QuerySpec) -> Response {
    let filter = spec.statement.as_deref().and_then(where_text);
    let audit = state.audit();
    let matching: Vec<_> = audit
        .iter()
        .filter(|e| {
            spec.orgs.contains(&e.org) && e.timestamp_ms >= spec.from && e.timestamp_ms <= spec.to
        })
        .filter(|e| e.sequence > spec.after)
        .filter(|e| {
            filter
                .as_ref()
                .is_none_or(|f| e.message.to_ascii_lowercase().contains(f))
        })
        .collect();
    let world = state.world();
    let events: Vec<serde_json::Value> = matching
        .iter()
        .take(spec.per_page)
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
    if matching.len() > spec.per_page {
        if let Some(last) = matching.get(spec.per_page - 1) {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("per_page", &spec.per_page.to_string())
                .append_pair("from", &spec.from.to_string())
                .append_pair("to", &spec.to.to_string())
                .append_pair("sequence_number", &last.sequence.to_string());
            if let Some(statement) = &spec.statement {
                query.append_pair("query", statement);
            }
            let next = format!(
                "{}/log_search/query/logs/{}?{}",
                base_url(state, region),
                spec.ids,
                query.finish()
            );
            links.push(json!({"rel": "Next", "href": next}));
        }
    }
    let ids: Vec<Uuid> = spec
        .orgs
        .iter()
        .map(|&o| world.org(o).audit_log_id)
        .collect();
    let body = json!({
        "logs": ids,
        "progress": 100,
        "events": events,
        "links": links,
        "statistics": null,
    });
    json_response(StatusCode::OK, body.to_string().into_bytes())
}

/// `GET /log_search/query/logs/{ids}`: starts a query; its events at once,
/// or (when queries are set to take time) 202 and a `Self` link.
pub async fn query(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Extension(region): Extension<Region>,
    Path((_region, ids)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let spec = query_spec(&state, &caller, &ids, &params)?;
    let query_string = raw.unwrap_or_default();
    let owner = (caller.slot, caller.context);
    Ok(
        match state.log_search.start(owner, spec.clone(), &query_string) {
            None => results(&state, region, &spec),
            Some((id, progress)) => running(&state, region, id, progress, &spec, &query_string),
        },
    )
}

/// `GET /log_search/query/{id}`: a query's `Self` link, polled with the key
/// (and tenant header) that started it.
pub async fn poll(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Extension(region): Extension<Region>,
    Path((_region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    // Permissions are evaluated at call time: a role lost mid-query ends it.
    let readable = readable_orgs(&state, &caller)?;
    let not_found = || ApiError::new(404, format!("Query {id} not found"));
    let query_id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let poll = state
        .log_search
        .poll(query_id, (caller.slot, caller.context))
        .ok_or_else(not_found)?;
    Ok(match poll {
        Poll::Running {
            progress,
            spec,
            query_string,
        } => running(&state, region, query_id, progress, &spec, &query_string),
        Poll::Done(spec) => {
            if !spec.orgs.iter().all(|o| readable.contains(o)) {
                return Err(not_found());
            }
            results(&state, region, &spec)
        }
    })
}
