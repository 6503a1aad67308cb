//! Platform audit logs through Log Search (contract section 6): the audit
//! logs are found with `GET /log_search/management/logs`, then queried with
//! `GET /log_search/query/logs/{id:id...}` over a time window. A search that
//! is still running answers 202 (or `progress` below 100) with a `Self` link
//! to poll; a long result continues through `Next` links.
//!
//! Every loop here ends: polls of one page, pages and the whole search are
//! bounded ([`SearchLimits`]), a link the server already sent is not
//! followed again, and a link is followed only at the platform's own origin
//! (the API key goes with it). A failure after the first page keeps the
//! events already read and says why the trail is incomplete.
//!
//! The event payload (`message`) is not public: it is decoded tolerantly,
//! every field optional, and an API-key action the client does not know is
//! kept as it came.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::time::Instant;

use super::client::{Client, Target};
use super::error::ApiError;
use super::fanout::TenantOutcome;
use super::keys::urlencode;
use super::model::{KeyKind, Organization, TenantRef};
use crate::sanitize::sanitize;

const LOGS: &str = "/log_search/management/logs";

/// Who may read the platform audit logs (seed 002), for a 403's explanation.
pub const WHO_MAY_READ: &str = "Platform audit logs can be read with an organization key or a Platform Administrator's user key.";
const QUERY: &str = "/log_search/query/logs";

/// The bounds of one Log Search query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLimits {
    /// Polls of one page that is still running, before giving up.
    pub max_polls: u32,
    /// The wait between two polls.
    pub poll_interval: Duration,
    /// Pages read, following `Next` links.
    pub max_pages: u32,
    /// The whole search, polls and pages included.
    pub deadline: Duration,
    /// Events asked for per page.
    pub per_page: u32,
}

impl Default for SearchLimits {
    fn default() -> Self {
        SearchLimits {
            max_polls: 60,
            poll_interval: Duration::from_secs(1),
            max_pages: 200,
            deadline: Duration::from_secs(300),
            per_page: 500,
        }
    }
}

/// What happened to a key, as the audit log says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Generate,
    Revoke,
    /// Another API-key action, as the server spelled it.
    Other(String),
}

impl AuditAction {
    pub fn label(&self) -> &str {
        match self {
            AuditAction::Generate => "generate",
            AuditAction::Revoke => "revoke",
            AuditAction::Other(raw) => raw,
        }
    }

    /// The action of an API-key event, or `None` for any other event.
    /// Spellings vary (`API_KEY_CREATED`, `ApiKeyRevoked`, `api-key.delete`):
    /// what counts is "API key" and the verb.
    pub fn from_wire(raw: &str) -> Option<AuditAction> {
        let squashed: String = raw
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !squashed.contains("APIKEY") {
            return None;
        }
        Some(
            if squashed.contains("CREAT") || squashed.contains("GENERAT") {
                AuditAction::Generate
            } else if squashed.contains("DELET") || squashed.contains("REVOK") {
                AuditAction::Revoke
            } else {
                AuditAction::Other(raw.to_string())
            },
        )
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&sanitize(self.label()))
    }
}

impl FromStr for AuditAction {
    type Err = String;

    /// `generate` or `revoke` (as on the command line).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "generate" | "generated" | "create" => Ok(AuditAction::Generate),
            "revoke" | "revoked" | "delete" => Ok(AuditAction::Revoke),
            _ => Err(format!(
                "unknown action {text:?}; expected generate or revoke"
            )),
        }
    }
}

/// One API-key event of the platform audit log. Everything but the action
/// is optional: the payload is not public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: Option<OffsetDateTime>,
    pub action: AuditAction,
    /// The action as the server spelled it.
    pub wire_action: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub actor_name: Option<String>,
    pub organization_id: Option<String>,
    pub key_id: Option<String>,
    pub key_name: Option<String>,
    pub key_kind: Option<KeyKind>,
    pub product: Option<String>,
    pub log_id: Option<String>,
    pub sequence: Option<String>,
    /// The tenant whose trail it is, for a multi-tenant key.
    pub tenant: Option<TenantRef>,
}

/// Which events to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub key_id: Option<String>,
    /// The actor's email.
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
}

impl AuditQuery {
    /// Every API-key event from `from` to `to`.
    pub fn between(from: OffsetDateTime, to: OffsetDateTime) -> AuditQuery {
        AuditQuery {
            from,
            to,
            key_id: None,
            actor: None,
            action: None,
        }
    }

    pub fn matches(&self, event: &AuditEvent) -> bool {
        let same = |filter: &Option<String>, value: &Option<String>| {
            filter.as_ref().is_none_or(|f| {
                value
                    .as_deref()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case(f.trim()))
            })
        };
        event.at.is_none_or(|at| at >= self.from && at <= self.to)
            && same(&self.key_id, &event.key_id)
            && same(&self.actor, &event.actor_email)
            && self.action.as_ref().is_none_or(|a| *a == event.action)
    }

    /// A LEQL keyword search that narrows the server's answer: the key id,
    /// else the actor. The client filters again, so this only saves pages;
    /// a value LEQL might misread is not sent.
    fn leql(&self) -> Option<String> {
        let plain = |v: &String| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c))
        };
        self.key_id
            .iter()
            .chain(self.actor.iter())
            .find(|v| plain(v))
            .map(|v| format!("where(\"{v}\")"))
    }
}

/// A platform audit log (a Log Search log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    pub id: String,
    pub name: Option<String>,
    pub logset: Option<String>,
}

/// What a search gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditTrail {
    /// Newest first.
    pub events: Vec<AuditEvent>,
    /// Requests made: the log list, pages and polls.
    pub requests: u32,
    /// Why the trail stops short, when it does (a bound was reached, or a
    /// later page failed): the events read until then are kept.
    pub incomplete: Option<String>,
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn millis_of(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn time_of_millis(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The audit logs among a `management/logs` answer: those whose name, or
/// whose log set's name, says "audit".
fn decode_logs(body: &[u8]) -> Result<Vec<AuditLog>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let logs = match &value {
        Value::Array(items) => items,
        Value::Object(object) => match object.get("logs") {
            Some(Value::Array(items)) => items,
            _ => return Err("expected {\"logs\": [...]}".into()),
        },
        _ => return Err("expected {\"logs\": [...]}".into()),
    };
    let audit = |text: &Option<String>| {
        text.as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().contains("audit"))
    };
    Ok(logs
        .iter()
        .filter_map(|log| {
            let id = text_of(log.get("id"))?;
            let name = text_of(log.get("name"));
            let logset = log
                .get("logsets_info")
                .and_then(Value::as_array)
                .and_then(|sets| sets.iter().find_map(|s| text_of(s.get("name"))));
            (audit(&name) || audit(&logset)).then_some(AuditLog { id, name, logset })
        })
        .collect())
}

/// An event of a query answer, if it is an API-key event.
fn decode_event(raw: &Value, tenant: Option<&TenantRef>) -> Option<AuditEvent> {
    let parsed;
    let message = match raw.get("message")? {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).ok()?;
            &parsed
        }
        object @ Value::Object(_) => object,
        _ => return None,
    };
    let wire_action = text_of(message.get("action"))?;
    let action = AuditAction::from_wire(&wire_action)?;
    let actor = message.get("actor");
    let (actor_id, actor_email, actor_name) = match actor {
        Some(Value::String(email)) => (None, Some(email.clone()), None),
        Some(actor) => (
            text_of(actor.get("id")),
            text_of(actor.get("email")),
            text_of(actor.get("name")),
        ),
        None => (None, None, None),
    };
    let target = message.get("target");
    let field = |name: &str| target.and_then(|t| text_of(t.get(name)));
    let at = millis_of(raw.get("timestamp"))
        .and_then(time_of_millis)
        .or_else(|| {
            text_of(message.get("timestamp")).and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok())
        });
    Some(AuditEvent {
        at,
        action,
        wire_action,
        actor_id,
        actor_email,
        actor_name,
        organization_id: text_of(message.get("organization_id")),
        key_id: field("id"),
        key_name: field("name"),
        key_kind: field("type").map(|t| super::model::KindNames::default().parse(&t)),
        product: text_of(message.get("product")),
        log_id: text_of(raw.get("log_id")),
        sequence: text_of(raw.get("sequence_number")),
        tenant: tenant.cloned(),
    })
}

/// One answer of a query: its events, links and progress.
struct SearchPage {
    events: Vec<Value>,
    self_link: Option<String>,
    next_link: Option<String>,
    progress: Option<u64>,
}

fn decode_page(body: &[u8]) -> Result<SearchPage, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    if !value.is_object() {
        return Err("expected a Log Search answer (an object)".into());
    }
    let link = |rel: &str| {
        value
            .get("links")
            .and_then(Value::as_array)
            .and_then(|links| {
                links.iter().find_map(|l| {
                    let named = l
                        .get("rel")
                        .and_then(Value::as_str)
                        .is_some_and(|r| r.eq_ignore_ascii_case(rel));
                    named.then(|| text_of(l.get("href"))).flatten()
                })
            })
    };
    Ok(SearchPage {
        events: value
            .get("events")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        self_link: link("self"),
        next_link: link("next"),
        progress: millis_of(value.get("progress")).and_then(|p| u64::try_from(p).ok()),
    })
}

/// Newest first; events without a time last.
fn sort_newest_first(events: &mut [AuditEvent]) {
    let sequence = |e: &AuditEvent| e.sequence.as_deref().and_then(|s| s.parse::<u128>().ok());
    events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| sequence(b).cmp(&sequence(a))));
}

/// Called with the events of each page as it is read (the console streams them).
pub type OnEvents<'a> = &'a (dyn Fn(&[AuditEvent]) + Send + Sync);

/// The search loop's state: what was read, and what it cost.
struct Search<'a> {
    client: &'a Client,
    on_events: Option<OnEvents<'a>>,
    target: &'a Target,
    query: &'a AuditQuery,
    limits: SearchLimits,
    origin: reqwest::Url,
    deadline: Instant,
    tenant: Option<TenantRef>,
    events: Vec<AuditEvent>,
    /// (log id, sequence number) of every event read.
    seen: HashSet<(Option<String>, String)>,
    requested: HashSet<String>,
    requests: u32,
}

/// Why a search stopped before the end.
enum Stop {
    /// Nothing was read yet: the search failed.
    Failed(ApiError),
    /// The trail is incomplete, for this reason.
    Short(String),
}

impl Search<'_> {
    /// Resolves a link against the URL it came with, refusing one at
    /// another origin (the API key would go there).
    fn follow(&self, href: &str, from: &Url, rel: &str) -> Result<Url, Stop> {
        let url = from.join(href).map_err(|e| {
            Stop::Short(format!(
                "the server's {rel} link {:?} is not a URL ({e})",
                crate::sanitize::display(href, 80)
            ))
        })?;
        if url.origin() != self.origin.origin() {
            return Err(Stop::Short(format!(
                "the server's {rel} link points to {}, not to {}: not following it with the API key",
                crate::sanitize::display(&url.origin().ascii_serialization(), 80),
                self.origin.origin().ascii_serialization()
            )));
        }
        // A Self link may name the same URL poll after poll; a Next link
        // that was already read would loop.
        if rel == "Next" && self.requested.contains(url.as_str()) {
            return Err(Stop::Short(format!(
                "the server sent a {rel} link it had already sent; stopped there"
            )));
        }
        Ok(url)
    }

    fn time_left(&self) -> Result<(), Stop> {
        if Instant::now() >= self.deadline {
            return Err(Stop::Short(format!(
                "the search took longer than {}",
                humantime::format_duration(self.limits.deadline)
            )));
        }
        Ok(())
    }

    async fn fetch(&mut self, url: &Url) -> Result<(StatusCode, SearchPage), Stop> {
        self.time_left()?;
        self.requested.insert(url.to_string());
        self.requests += 1;
        let first = self.requests == 1;
        let fail = |error: ApiError| {
            if first {
                Stop::Failed(error)
            } else {
                Stop::Short(format!("a later request failed: {error}"))
            }
        };
        let answer = tokio::time::timeout_at(
            self.deadline,
            self.client.get_url(self.target, url.as_str()),
        )
        .await
        .map_err(|_| {
            fail(ApiError::Timeout {
                what: format!(
                    "the search took longer than {}",
                    humantime::format_duration(self.limits.deadline)
                ),
            })
        })?
        .map_err(fail)?;
        let page = decode_page(&answer.body).map_err(|detail| {
            fail(ApiError::Unreadable {
                detail: sanitize(&detail).into_owned(),
            })
        })?;
        Ok((answer.status, page))
    }

    fn keep(&mut self, page: &SearchPage) {
        let before = self.events.len();
        for raw in &page.events {
            let Some(event) = decode_event(raw, self.tenant.as_ref()) else {
                continue;
            };
            // The same event in a poll and in the final answer counts once.
            if let Some(sequence) = &event.sequence {
                if !self.seen.insert((event.log_id.clone(), sequence.clone())) {
                    continue;
                }
            }
            if self.query.matches(&event) {
                self.events.push(event);
            }
        }
        if let Some(on_events) = self.on_events {
            if self.events.len() > before {
                on_events(&self.events[before..]);
            }
        }
    }

    /// Reads one page: polls it while it is still running.
    async fn page(&mut self, mut url: Url) -> Result<(Url, SearchPage), Stop> {
        let mut polls = 0;
        loop {
            let (status, page) = self.fetch(&url).await?;
            self.keep(&page);
            let running = status == StatusCode::ACCEPTED || page.progress.is_some_and(|p| p < 100);
            let poll = match (&page.self_link, running) {
                (Some(href), true) => href.clone(),
                (None, true) if status == StatusCode::ACCEPTED => {
                    return Err(Stop::Short(
                        "Log Search answered 202 (still running) without a Self link to poll"
                            .into(),
                    ));
                }
                _ => return Ok((url, page)),
            };
            polls += 1;
            if polls > self.limits.max_polls {
                return Err(Stop::Short(format!(
                    "Log Search was still running after {} polls",
                    self.limits.max_polls
                )));
            }
            let next = self.follow(&poll, &url, "Self")?;
            if Instant::now() + self.limits.poll_interval >= self.deadline {
                return Err(Stop::Short(format!(
                    "Log Search was still running when the {} allowed ran out",
                    humantime::format_duration(self.limits.deadline)
                )));
            }
            tokio::time::sleep(self.limits.poll_interval).await;
            url = next;
        }
    }

    async fn run(&mut self, first: Url) -> Result<Option<String>, ApiError> {
        let mut url = first;
        let mut pages = 0;
        loop {
            let (answered, page) = match self.page(url).await {
                Ok(done) => done,
                Err(Stop::Failed(error)) => return Err(error),
                Err(Stop::Short(why)) => return Ok(Some(why)),
            };
            pages += 1;
            let Some(next) = page.next_link else {
                return Ok(None);
            };
            if pages >= self.limits.max_pages {
                return Ok(Some(format!(
                    "stopped after {pages} pages; narrow the time window"
                )));
            }
            url = match self.follow(&next, &answered, "Next") {
                Ok(url) => url,
                Err(Stop::Short(why)) => return Ok(Some(why)),
                Err(Stop::Failed(error)) => return Err(error),
            };
        }
    }
}

impl Client {
    /// The platform audit logs this key may read at `target`.
    pub async fn audit_logs(&self, target: &Target) -> Result<Vec<AuditLog>, ApiError> {
        self.get(target, LOGS, Vec::new(), decode_logs).await
    }

    /// The API-key events of the platform audit log at `target` matching
    /// `query`, newest first: finds the audit logs, then searches them.
    pub async fn audit_trail(
        &self,
        target: &Target,
        query: &AuditQuery,
    ) -> Result<AuditTrail, ApiError> {
        self.audit_trail_streaming(target, query, None).await
    }

    /// [`Client::audit_trail`], handing each page's events to `on_events`
    /// as they are read.
    pub async fn audit_trail_streaming(
        &self,
        target: &Target,
        query: &AuditQuery,
        on_events: Option<OnEvents<'_>>,
    ) -> Result<AuditTrail, ApiError> {
        let logs = self.audit_logs(target).await?;
        if logs.is_empty() {
            return Err(ApiError::Config(
                "no platform audit log is visible to this key: audit logging may be off \
                 (Administration > Settings > Audit Logs in the Command Platform)"
                    .into(),
            ));
        }
        let mut trail = self.search(target, &logs, query, on_events).await?;
        trail.requests += 1;
        Ok(trail)
    }

    /// Searches the given audit logs (see [`Client::audit_trail`]).
    pub async fn search_audit_logs(
        &self,
        target: &Target,
        logs: &[AuditLog],
        query: &AuditQuery,
    ) -> Result<AuditTrail, ApiError> {
        self.search(target, logs, query, None).await
    }

    async fn search(
        &self,
        target: &Target,
        logs: &[AuditLog],
        query: &AuditQuery,
        on_events: Option<OnEvents<'_>>,
    ) -> Result<AuditTrail, ApiError> {
        let limits = self.settings().log_search;
        // The client's page size bounds Log Search pages too (`--page-size`).
        let per_page = u64::from(limits.per_page)
            .min(self.settings().page_size as u64)
            .max(1);
        let base = target.region.base_url(&self.settings().endpoint);
        let origin = Url::parse(&base).map_err(|e| bad_endpoint(&base, e))?;
        let ids: Vec<String> = logs.iter().map(|l| urlencode(&l.id)).collect();
        let mut first = Url::parse(&format!("{base}{QUERY}/{}", ids.join(":")))
            .map_err(|e| bad_endpoint(&base, e))?;
        {
            let mut pairs = first.query_pairs_mut();
            pairs
                .append_pair("from", &millis(query.from).to_string())
                .append_pair("to", &millis(query.to).to_string())
                .append_pair("per_page", &per_page.to_string());
            if let Some(leql) = query.leql() {
                pairs.append_pair("query", &leql);
            }
        }
        let mut search = Search {
            client: self,
            on_events,
            target,
            query,
            limits,
            origin,
            deadline: Instant::now() + limits.deadline,
            tenant: target.tenant.clone().map(|id| TenantRef {
                id,
                region: target.region,
            }),
            events: Vec::new(),
            seen: HashSet::new(),
            requested: HashSet::new(),
            requests: 0,
        };
        let incomplete = search.run(first).await?;
        let mut events = search.events;
        sort_newest_first(&mut events);
        Ok(AuditTrail {
            events,
            requests: search.requests,
            incomplete,
        })
    }

    /// Every tenant's audit trail, each at its region with its
    /// `R7-Organization-Id`, paced like any fan-out.
    pub async fn audit_of_tenants(
        &self,
        tenants: Vec<Organization>,
        query: &AuditQuery,
    ) -> Vec<TenantOutcome<AuditTrail>> {
        self.for_each_tenant(tenants, |target| async move {
            self.audit_trail(&target, query).await
        })
        .await
    }
}

fn bad_endpoint(base: &str, error: impl fmt::Display) -> ApiError {
    ApiError::Config(format!("the endpoint {base:?} is not a URL: {error}"))
}

/// Merges several trails into one, newest first.
pub fn merge(trails: impl IntoIterator<Item = AuditTrail>) -> AuditTrail {
    let mut merged = AuditTrail::default();
    for trail in trails {
        merged.events.extend(trail.events);
        merged.requests += trail.requests;
        if merged.incomplete.is_none() {
            merged.incomplete = trail.incomplete;
        }
    }
    sort_newest_first(&mut merged.events);
    merged
}

#[cfg(test)]
mod decode_props;

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/audit-log-query.json");

    #[test]
    fn the_recorded_answer_decodes() {
        let page = decode_page(FIXTURE.as_bytes()).unwrap();
        assert_eq!(page.progress, Some(100));
        assert!(page.next_link.unwrap().contains("sequence_number="));
        let event = decode_event(&page.events[0], None).unwrap();
        assert_eq!(event.action, AuditAction::Generate);
        assert_eq!(
            event.actor_email.as_deref(),
            Some("platform-admin@acme.example")
        );
        assert_eq!(event.key_name.as_deref(), Some("ci-pipeline-2"));
        assert_eq!(event.key_kind, Some(KeyKind::Organization));
        assert_eq!(event.at.map(millis), Some(1_748_779_200_412));
    }

    #[test]
    fn actions_are_recognised_in_any_spelling_and_unknown_ones_kept() {
        assert_eq!(
            AuditAction::from_wire("API_KEY_CREATED"),
            Some(AuditAction::Generate)
        );
        assert_eq!(
            AuditAction::from_wire("ApiKeyRevoked"),
            Some(AuditAction::Revoke)
        );
        assert_eq!(
            AuditAction::from_wire("api-key.delete"),
            Some(AuditAction::Revoke)
        );
        assert_eq!(
            AuditAction::from_wire("API_KEY_RENAMED"),
            Some(AuditAction::Other("API_KEY_RENAMED".into()))
        );
        assert_eq!(AuditAction::from_wire("USER_LOGIN"), None);
    }

    #[test]
    fn odd_events_decode_as_far_as_they_go() {
        let bare = serde_json::json!({"message": {"action": "API_KEY_DELETED"}});
        let event = decode_event(&bare, None).unwrap();
        assert_eq!(event.action, AuditAction::Revoke);
        assert_eq!(
            (event.at, event.key_id, event.actor_email),
            (None, None, None)
        );
        let actor_text = serde_json::json!({
            "timestamp": "1748779200412",
            "message": "{\"action\":\"API_KEY_CREATED\",\"actor\":\"a@b.example\",\"target\":{\"id\":7}}"
        });
        let event = decode_event(&actor_text, None).unwrap();
        assert_eq!(event.actor_email.as_deref(), Some("a@b.example"));
        assert_eq!(event.key_id.as_deref(), Some("7"));
        assert!(event.at.is_some());
        for junk in [
            serde_json::json!({"message": "plain text line"}),
            serde_json::json!({"message": 5}),
            serde_json::json!({"message": "{\"action\": \"USER_LOGIN\"}"}),
            serde_json::json!({}),
        ] {
            assert_eq!(decode_event(&junk, None), None, "{junk}");
        }
    }

    #[test]
    fn only_audit_logs_are_searched() {
        let body = br#"{"logs": [
            {"id": "a", "name": "Platform Audit"},
            {"id": "b", "name": "Firewall", "logsets_info": [{"name": "Network"}]},
            {"id": "c", "name": "Events", "logsets_info": [{"name": "Audit Logs"}]},
            {"name": "no id, audit"}
        ]}"#;
        let ids: Vec<String> = decode_logs(body)
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(ids, ["a", "c"]);
    }

    #[test]
    fn only_plain_values_are_pushed_into_leql() {
        let now = OffsetDateTime::now_utc();
        let mut query = AuditQuery::between(now, now);
        assert_eq!(query.leql(), None);
        query.actor = Some("pat@acme.example".into());
        assert_eq!(query.leql().as_deref(), Some("where(\"pat@acme.example\")"));
        query.key_id = Some("x\") or (\"".into());
        assert_eq!(query.leql().as_deref(), Some("where(\"pat@acme.example\")"));
    }
}
