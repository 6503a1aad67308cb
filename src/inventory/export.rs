//! Writing inventory rows to a file: metadata only (never a secret: none is
//! held), CSV or JSON by the file's extension, readable by the owner alone,
//! and never over a file that is there already (an export is a new file).

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Flags;
use crate::api::KeyInfo;

/// The columns of an inventory row, in CSV order.
pub const COLUMNS: [&str; 13] = [
    "tenant_id",
    "tenant",
    "region",
    "kind",
    "type",
    "name",
    "id",
    "organization_id",
    "owner_email",
    "generated_on",
    "age_days",
    "flags",
    "owner_id",
];

/// A row as JSON.
pub fn row_json(key: &KeyInfo, flags: Flags, now: OffsetDateTime) -> Value {
    json!({
        "tenant_id": key.tenant.as_ref().map(|t| t.id.clone()),
        "tenant": key.organization_name,
        "region": key.tenant.as_ref().map(|t| t.region.code()),
        "kind": key.kind.normalized(),
        "type": key.wire_type,
        "name": key.name,
        "id": key.id,
        "organization_id": key.organization_id,
        "owner_email": key.owner_email,
        "generated_on": key.generated_on.and_then(|at| at.format(&Rfc3339).ok()),
        "age_days": key.age_days(now),
        "flags": flags.iter().map(super::Flag::word).collect::<Vec<_>>(),
        "owner_id": key.owner_id,
    })
}

/// A row as CSV fields (not yet escaped), in the order of [`COLUMNS`].
pub fn row_fields(key: &KeyInfo, flags: Flags, now: OffsetDateTime) -> Vec<String> {
    let json = row_json(key, flags, now);
    COLUMNS
        .iter()
        .map(|c| match &json[*c] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        })
        .collect()
}

/// Writes `rows` to `path` (JSON for `.json`, else CSV); answers how many.
pub fn write(path: &Path, rows: &[(KeyInfo, Flags)], now: OffsetDateTime) -> Result<usize, String> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let mut text = String::new();
    if json {
        let items: Vec<Value> = rows.iter().map(|(k, f)| row_json(k, *f, now)).collect();
        text.push_str(&crate::commands::output::json_text(&Value::Array(items)));
        text.push('\n');
    } else {
        text.push_str(&COLUMNS.join(","));
        text.push('\n');
        for (key, flags) in rows {
            let fields: Vec<String> = row_fields(key, *flags, now)
                .iter()
                .map(|f| crate::commands::output::csv_field(f))
                .collect();
            text.push_str(&fields.join(","));
            text.push('\n');
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => "the file exists already: choose a new name".into(),
        _ => e.to_string(),
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| e.to_string())?;
    Ok(rows.len())
}
