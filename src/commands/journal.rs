//! `r7keys journal`: the local journal of every key mutation, oldest first,
//! with the operations that never got an outcome called out.

use serde_json::Value;
use time::OffsetDateTime;

use super::context::Context;
use super::keys::output_failure;
use super::output::{Printable, Printer};
use super::when::short_time;
use super::{CommandResult, Failure};
use crate::api::error::exit;
use crate::api::journal::{self, Contents, Entry, Journal, Phase};
use crate::cli::{JournalArgs, OutputFormat};
use crate::sanitize::display;
use crate::say;

pub fn run(cx: &Context, args: &JournalArgs) -> CommandResult {
    let Some(path) = Journal::default_path() else {
        return Err(Failure::new(
            exit::USAGE,
            "no state directory for the journal (is HOME set?)",
        ));
    };
    let contents = journal::read(&path).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!("cannot read the journal {}: {e}", path.display()),
        )
    })?;
    for skipped in &contents.skipped {
        say!(
            "warning: {} line {}: {}; skipped",
            path.display(),
            skipped.line,
            skipped.reason
        );
    }
    let now = OffsetDateTime::now_utc();
    let from = args.since.map(|s| s.resolve(now));
    let to = args.until.map(|u| u.resolve(now));
    let shown: Vec<&Entry> = contents
        .entries
        .iter()
        .filter(|e| {
            let at = e.at();
            from.is_none_or(|f| at.is_some_and(|at| at >= f))
                && to.is_none_or(|t| at.is_some_and(|at| at <= t))
        })
        .collect();
    print_entries(&shown, cx.output)?;
    summary(&path, &contents, shown.len());
    Ok(exit::OK)
}

fn summary(path: &std::path::Path, contents: &Contents, shown: usize) {
    if contents.entries.is_empty() && contents.skipped.is_empty() {
        say!("the journal {} is empty", path.display());
        return;
    }
    say!(
        "{shown} of {} entries in {}",
        contents.entries.len(),
        path.display()
    );
    let unfinished = contents.unfinished();
    if !unfinished.is_empty() {
        let ops: Vec<String> = unfinished.iter().map(|e| short(&e.op)).collect();
        say!(
            "{} operations have an intent but no outcome (interrupted, or still running): {}",
            unfinished.len(),
            ops.join(", ")
        );
    }
}

fn short(id: &str) -> String {
    display(&id.chars().take(8).collect::<String>(), 8)
}

fn cell(text: Option<&str>, max: usize) -> String {
    text.map_or_else(|| "-".to_string(), |t| display(t, max))
}

/// What the entry records: `intent`, or the outcome.
fn event(entry: &Entry) -> &str {
    match entry.phase {
        Phase::Intent => "intent",
        _ => entry.outcome.as_deref().unwrap_or("?"),
    }
}

/// Where the mutation went: profile, region and tenant.
fn place(entry: &Entry) -> String {
    let mut parts = vec![
        entry.profile.clone().unwrap_or_else(|| "-".into()),
        entry.region.clone().unwrap_or_else(|| "-".into()),
    ];
    if let Some(tenant) = &entry.tenant {
        parts.push(tenant.chars().take(8).collect());
    }
    display(&parts.join("/"), 40)
}

fn entry_json(entry: &Entry) -> Value {
    serde_json::to_value(entry).unwrap_or(Value::Null)
}

const CSV_COLUMNS: [&str; 18] = [
    "time",
    "op",
    "phase",
    "action",
    "step",
    "rotation_of",
    "outcome",
    "profile",
    "region",
    "tenant",
    "key_id",
    "name",
    "kind",
    "organization_id",
    "status",
    "correlation_id",
    "fingerprint",
    "detail",
];

/// A JSON value's field as CSV text (not yet escaped).
fn csv_text(json: &Value, column: &str) -> String {
    match &json[column] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An entry, and whether the table shows a detail column.
struct Shown<'a>(&'a Entry, bool);

impl Printable for Shown<'_> {
    fn json(&self) -> Value {
        entry_json(self.0)
    }

    fn csv(&self) -> Vec<String> {
        let json = entry_json(self.0);
        CSV_COLUMNS.iter().map(|c| csv_text(&json, c)).collect()
    }

    fn row(&self) -> Vec<String> {
        let e = self.0;
        let mut row = vec![
            e.at().map_or_else(|| display(&e.time, 20), short_time),
            short(&e.op),
            e.action.label().to_string(),
            display(event(e), 16),
            cell(e.step.as_deref(), 8),
            cell(e.kind.as_deref(), 16),
            cell(e.name.as_deref(), 32),
            e.key_id.as_deref().map_or_else(|| "-".into(), short),
            place(e),
            cell(e.fingerprint.as_deref(), 16),
            cell(e.correlation_id.as_deref(), 36),
            cell(e.detail.as_deref(), 60),
        ];
        if !self.1 {
            row.pop();
        }
        row
    }
}

const TABLE_COLUMNS: [&str; 12] = [
    "time (UTC)",
    "op",
    "action",
    "event",
    "step",
    "kind",
    "name",
    "key",
    "where",
    "fingerprint",
    "correlation",
    "detail",
];

fn print_entries(entries: &[&Entry], format: OutputFormat) -> Result<(), Failure> {
    // The detail column only when some entry has one.
    let detail = entries.iter().any(|e| e.detail.is_some());
    let columns = if detail {
        &TABLE_COLUMNS[..]
    } else {
        &TABLE_COLUMNS[..TABLE_COLUMNS.len() - 1]
    };
    let mut printer = Printer::new(format, &CSV_COLUMNS, columns);
    for entry in entries {
        printer.print(&Shown(entry, detail));
    }
    printer.finish().map(drop).map_err(output_failure)
}
