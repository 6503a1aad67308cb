//! `r7keys audit`: who generated and revoked which key, when, in which
//! tenant, from the platform audit log.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::context::Context;
use super::keys::output_failure;
use super::output::{Printable, Printer, kind_name};
use super::when::short_time;
use super::{CommandResult, Failure};
use crate::api::audit::merge;
use crate::api::error::exit;
use crate::api::{ApiError, AuditEvent, AuditQuery, AuditTrail};
use crate::cli::{AuditArgs, OutputFormat};
use crate::sanitize::display;
use crate::say;

/// A 403 in words: who may read the platform audit log.
fn explain(error: ApiError) -> Failure {
    match error {
        ApiError::Forbidden { message } if !message.contains("organization key") => Failure::new(
            exit::REFUSED,
            format!(
                "forbidden (403): {message}. {}",
                crate::api::audit::WHO_MAY_READ
            ),
        ),
        other => other.into(),
    }
}

pub async fn run(cx: &Context, args: AuditArgs) -> CommandResult {
    let now = OffsetDateTime::now_utc();
    let query = AuditQuery {
        from: args.since.resolve(now),
        to: args.until.map_or(now, |u| u.resolve(now)),
        key_id: args.key,
        actor: args.actor,
        action: args.action,
    };
    if query.from > query.to {
        return Err(Failure::new(exit::USAGE, "--since is later than --until"));
    }
    let client = cx.client()?;
    let mut worst = exit::OK;
    let trail = if args.all_tenants {
        if cx.tenant.is_none() {
            return Err(Failure::new(
                exit::USAGE,
                "--all-tenants needs a multi-tenant key and its home organization as --tenant \
                 (or the profile's tenant)",
            ));
        }
        let tenants = client.managed_organizations(&cx.target()).await?;
        say!("reading the audit trails of {} tenants", tenants.len());
        let mut trails = Vec::new();
        for outcome in client.audit_of_tenants(tenants, &query).await {
            match outcome.outcome {
                Ok(trail) => trails.push(trail),
                Err(error) => {
                    say!(
                        "tenant {} ({}): {}",
                        display(&outcome.tenant.id, 40),
                        display(outcome.tenant.name.as_deref().unwrap_or("-"), 40),
                        explain(error).message
                    );
                    worst = worst.max(exit::REFUSED);
                }
            }
        }
        merge(trails)
    } else {
        client
            .audit_trail(&cx.target(), &query)
            .await
            .map_err(explain)?
    };
    print_events(&trail.events, cx.output)?;
    summary(&trail);
    if let Some(why) = &trail.incomplete {
        say!("the trail is incomplete: {why}");
        worst = worst.max(exit::NETWORK);
    }
    Ok(worst)
}

fn summary(trail: &AuditTrail) {
    say!(
        "{} API-key events ({} requests)",
        trail.events.len(),
        trail.requests
    );
}

fn rfc3339(at: Option<OffsetDateTime>) -> Option<String> {
    at.and_then(|at| at.format(&Rfc3339).ok())
}

fn cell(text: Option<&str>, max: usize) -> String {
    text.map_or_else(|| "-".to_string(), |t| display(t, max))
}

/// An event as a JSON object with stable `snake_case` keys.
pub fn event_json(event: &AuditEvent) -> Value {
    serde_json::json!({
        "time": rfc3339(event.at),
        "action": event.action.label(),
        "wire_action": event.wire_action,
        "key_id": event.key_id,
        "key_name": event.key_name,
        "key_type": event.key_kind.as_ref().map(kind_name),
        "actor_email": event.actor_email,
        "actor_name": event.actor_name,
        "actor_id": event.actor_id,
        "organization_id": event.organization_id,
        "product": event.product,
        "tenant_id": event.tenant.as_ref().map(|t| t.id.clone()),
        "region": event.tenant.as_ref().map(|t| t.region.code()),
        "log_id": event.log_id,
        "sequence_number": event.sequence,
    })
}

const CSV_COLUMNS: [&str; 15] = [
    "time",
    "action",
    "wire_action",
    "key_id",
    "key_name",
    "key_type",
    "actor_email",
    "actor_name",
    "actor_id",
    "organization_id",
    "product",
    "tenant_id",
    "region",
    "log_id",
    "sequence_number",
];

/// A JSON value's field as CSV text (not yet escaped).
fn csv_text(json: &Value, column: &str) -> String {
    match &json[column] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Printable for AuditEvent {
    fn json(&self) -> Value {
        event_json(self)
    }

    fn csv(&self) -> Vec<String> {
        let json = event_json(self);
        CSV_COLUMNS.iter().map(|c| csv_text(&json, c)).collect()
    }

    fn row(&self) -> Vec<String> {
        let e = self;

        vec![
            e.at.map_or_else(|| "-".into(), short_time),
            display(e.action.label(), 24),
            cell(
                e.key_id
                    .as_deref()
                    .map(|id| id.chars().take(8).collect::<String>())
                    .as_deref(),
                8,
            ),
            cell(e.key_name.as_deref(), 32),
            cell(e.key_kind.as_ref().map(crate::api::KeyKind::label), 16),
            cell(e.actor_email.as_deref().or(e.actor_name.as_deref()), 48),
            cell(
                e.tenant
                    .as_ref()
                    .map(|t| t.id.as_str())
                    .or(e.organization_id.as_deref()),
                36,
            ),
        ]
    }
}

fn print_events(events: &[AuditEvent], format: OutputFormat) -> Result<(), Failure> {
    let mut printer = Printer::new(format, &CSV_COLUMNS, &TABLE_COLUMNS);
    for event in events {
        printer.print(event);
    }
    printer.finish().map(drop).map_err(output_failure)
}

const TABLE_COLUMNS: [&str; 7] = [
    "time (UTC)",
    "action",
    "key",
    "name",
    "type",
    "actor",
    "organization",
];
