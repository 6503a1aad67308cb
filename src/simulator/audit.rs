//! Platform audit events for every key generated and revoked, kept per
//! organization and served through Log Search, as Rapid7 serves platform
//! audit logs (contract section 6).

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::world::{KeyRecord, OrgIdx, User, World, format_date};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditAction {
    ApiKeyCreated,
    ApiKeyDeleted,
}

/// One stored event; `message` is the JSON text Log Search returns.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub org: OrgIdx,
    pub timestamp_ms: i64,
    pub sequence: u64,
    pub message: String,
}

#[derive(Serialize)]
struct Actor<'a> {
    id: Option<Uuid>,
    email: Option<&'a str>,
    name: Option<String>,
}

#[derive(Serialize)]
struct Target<'a> {
    id: Uuid,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Message<'a> {
    timestamp: String,
    action: AuditAction,
    actor: Actor<'a>,
    organization_id: Uuid,
    target: Target<'a>,
    product: &'static str,
}

/// Builds the event for `action` on `key`, done by `actor` (none for an organization key).
pub fn event(
    world: &World,
    action: AuditAction,
    key: &KeyRecord,
    actor: Option<&User>,
    sequence: u64,
) -> AuditEvent {
    event_at(
        world,
        action,
        key,
        actor,
        sequence,
        OffsetDateTime::now_utc(),
    )
}

/// A trail to start with: the generation of every key generated in the
/// 30 days before `now`, by its owner, oldest first.
pub fn history(world: &World, now: OffsetDateTime) -> Vec<AuditEvent> {
    let from = now - time::Duration::days(30);
    let mut recent: Vec<&KeyRecord> = world
        .keys()
        .map(|(_, key)| key)
        .filter(|key| key.generated_on >= from && key.generated_on <= now)
        .collect();
    recent.sort_by_key(|key| key.generated_on);
    recent
        .into_iter()
        .enumerate()
        .map(|(i, key)| {
            let actor = key.owner.and_then(|owner| world.user(owner));
            event_at(
                world,
                AuditAction::ApiKeyCreated,
                key,
                actor,
                i as u64 + 1,
                key.generated_on,
            )
        })
        .collect()
}

fn event_at(
    world: &World,
    action: AuditAction,
    key: &KeyRecord,
    actor: Option<&User>,
    sequence: u64,
    now: OffsetDateTime,
) -> AuditEvent {
    let org = world.org(key.org);
    let message = Message {
        timestamp: format_date(now),
        action,
        actor: Actor {
            id: actor.map(|u| u.id),
            email: actor.map(|u| u.email.as_str()),
            name: actor.map(|u| format!("{} {}", u.first_name, u.last_name)),
        },
        organization_id: org.id,
        target: Target {
            id: key.id,
            name: &key.name,
            kind: key.kind.wire_name(false),
        },
        product: "Platform",
    };
    AuditEvent {
        org: key.org,
        timestamp_ms: (now.unix_timestamp_nanos() / 1_000_000) as i64,
        sequence,
        message: serde_json::to_string(&message).unwrap_or_default(),
    }
}
