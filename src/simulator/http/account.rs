//! `/validate` and the read-only Account API lists: organizations, managed
//! organizations (enveloped and paged), users, products and roles (bare arrays).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::super::SimState;
use super::super::paging::{Order, caseless, directed, parse_page_query};
use super::super::policy::{self, Caller, Viewer};
use super::super::world::{OrgIdx, World, format_date, hash_secret};
use super::gate::{ApiError, TENANT_HEADER, header_text, no_route, path_region};
use super::{json_response, list_body};

/// `GET /validate`, with the recorded bodies and headers: `charset=utf-8`,
/// no correlation id, no rate-limit headers.
pub async fn validate(
    State(state): State<Arc<SimState>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let Some(region) = path_region(uri.path()) else {
        return no_route();
    };
    let outcome = {
        let world = state.world();
        match header_text(&headers, "x-api-key").and_then(|s| world.key_by_secret(s)) {
            None => Err((401, "Unauthorized".to_string())),
            Some(slot) => policy::resolve_context(
                &world,
                slot,
                region,
                header_text(&headers, TENANT_HEADER),
                state.role_rules,
            )
            .map(|_| ())
            .map_err(|r| {
                (
                    r.status,
                    if r.status == 401 {
                        "Unauthorized".into()
                    } else {
                        r.message
                    },
                )
            }),
        }
    };
    let (status, body) = match outcome {
        Ok(()) => (StatusCode::OK, json!({"message": "Authorized"}).to_string()),
        Err((status, message)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED),
            json!({"message": message}).to_string(),
        ),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        "access-control-allow-credentials",
        HeaderValue::from_static("true"),
    );
    response
}

#[derive(Serialize)]
struct OrgJson<'a> {
    id: Uuid,
    name: &'a str,
    region: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
}

const ORG_SORTS: &[&str] = &["name", "region", "id"];

/// Pages a list of organizations (default order: name).
fn org_page(
    state: &SimState,
    world: &World,
    mut orgs: Vec<OrgIdx>,
    params: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let get = |k: &str| params.get(k).map(String::as_str);
    let query = parse_page_query(
        get("index"),
        get("size"),
        get("sort"),
        state.page_cap,
        ORG_SORTS,
    )
    .map_err(ApiError::bad_request)?;
    let default_sort = [("name".to_string(), Order::Asc)];
    let sort = if query.sort.is_empty() {
        &default_sort[..]
    } else {
        &query.sort[..]
    };
    orgs.sort_by(|&a, &b| {
        let (a, b) = (world.org(a), world.org(b));
        sort.iter()
            .map(|(field, order)| {
                let o = match field.as_str() {
                    "name" => caseless(&a.name, &b.name),
                    "region" => a.region.code().cmp(b.region.code()),
                    _ => a.id.cmp(&b.id),
                };
                directed(o, *order)
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.id.cmp(&b.id))
    });
    let (range, metadata) = query.window(orgs.len());
    let items: Vec<OrgJson<'_>> = orgs[range]
        .iter()
        .map(|&o| {
            let org = world.org(o);
            OrgJson {
                id: org.id,
                name: &org.name,
                region: org.region.code(),
                external_id: org.external_id.as_deref(),
            }
        })
        .collect();
    Ok(list_body(&items, &metadata, state.compat))
}

pub async fn organizations(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let world = state.world();
    let orgs = Viewer::new(&world, &caller).scope();
    org_page(&state, &world, orgs, &params)
}

pub async fn managed_organizations(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let world = state.world();
    let orgs = policy::managed_orgs(&world, &caller)?;
    org_page(&state, &world, orgs, &params)
}

#[derive(Serialize)]
struct UserJson<'a> {
    id: Uuid,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    status: &'static str,
    platform_admin: bool,
    federated: bool,
    last_login: Option<String>,
    timezone: &'static str,
    created_on: String,
}

/// `GET /users`: the users of the caller's account, with the platform's filters
/// (`status`, `platform-admin`, `email`, `first_name`, `last_name`).
pub async fn users(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let world = state.world();
    let account = policy::context_account(&world, &caller);
    let admin_filter = match params.get("platform-admin").map(|v| v.to_ascii_lowercase()) {
        None => None,
        Some(v) if v == "true" => Some(true),
        Some(v) if v == "false" => Some(false),
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value for platform-admin: {v:?}"
            )));
        }
    };
    let matches = |field: &str, value: &str| {
        params
            .get(field)
            .is_none_or(|want| want.eq_ignore_ascii_case(value))
    };
    let items: Vec<UserJson<'_>> = world
        .users()
        .map(|(_, u)| u)
        .filter(|u| u.account == account)
        .filter(|u| admin_filter.is_none_or(|a| a == u.platform_admin))
        .filter(|u| matches("status", u.status) && matches("email", &u.email))
        .filter(|u| matches("first_name", &u.first_name) && matches("last_name", &u.last_name))
        .map(|u| UserJson {
            id: u.id,
            email: &u.email,
            first_name: &u.first_name,
            last_name: &u.last_name,
            status: u.status,
            platform_admin: u.platform_admin,
            federated: u.federated,
            last_login: u.last_login.map(format_date),
            timezone: u.timezone,
            created_on: format_date(u.created_on),
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        serde_json::to_vec(&items).unwrap_or_default(),
    ))
}

#[derive(Serialize)]
struct ProductJson<'a> {
    product_token: String,
    product_code: &'static str,
    organization_id: Uuid,
    organization_name: &'a str,
}

/// `GET /products`: a bare array of the products licensed to the caller's organizations.
pub async fn products(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let world = state.world();
    let items: Vec<ProductJson<'_>> = Viewer::new(&world, &caller)
        .scope()
        .into_iter()
        .flat_map(|o| {
            let org = world.org(o);
            org.products.iter().map(move |code| ProductJson {
                product_token: hex::encode_upper(&hash_secret(&format!("{}{code}", org.id))[..10]),
                product_code: code,
                organization_id: org.id,
                organization_name: &org.name,
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&items).unwrap_or_default(),
    )
}

/// `GET /roles`: the role catalogue of the caller's organization.
pub async fn roles(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let world = state.world();
    let org = world.org(caller.context);
    let catalogue = [
        (
            "Platform Administrator",
            "Full access to every product and to user and key management",
            &["IVM", "IDR", "ICON", "AS", "TC"][..],
        ),
        (
            "Organization Administrator",
            "Manages users and API keys of one organization",
            &["IVM", "IDR", "ICON"][..],
        ),
        (
            "Read Only",
            "Views data in every product of the organization",
            &["IVM", "IDR"][..],
        ),
        (
            "InsightIDR Analyst",
            "Investigates alerts in InsightIDR",
            &["IDR"][..],
        ),
    ];
    let items: Vec<serde_json::Value> = catalogue
        .iter()
        .enumerate()
        .map(|(i, (name, description, products))| {
            json!({
                "id": Uuid::from_u64_pair(org.id.as_u64_pair().0, i as u64),
                "name": name,
                "description": description,
                "organization_id": org.id,
                "supported_products": products.iter().map(|p| json!({"product_code": p})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&items).unwrap_or_default(),
    )
}
