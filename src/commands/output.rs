//! Printing results: aligned tables for people, JSON and CSV for scripts.
//! Every server string is sanitized before it reaches the terminal; JSON
//! escapes the characters a terminal would obey, so a parser still recovers
//! the exact text.

use std::fmt::Write as _;

use serde_json::Value;
use time::OffsetDateTime;
use unicode_width::UnicodeWidthStr;

use super::out::{Output, WriteError};
use crate::api::{KeyInfo, KeyKind};
use crate::cli::OutputFormat;
use crate::sanitize::{display, is_unsafe};

/// Keys older than this stand out.
pub const OLD_AFTER_DAYS: i64 = 90;

/// A table: headers and rows of already-sanitized cells.
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| r.get(c).map_or(0, |cell| cell.width()))
                    .chain([self.headers[c].width()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut text = String::new();
            for (c, cell) in cells.enumerate() {
                text.push_str(cell);
                if c + 1 < widths.len() {
                    text.push_str(&" ".repeat(widths[c].saturating_sub(cell.width()) + 2));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&mut self.headers.iter().copied());
        for row in &self.rows {
            line(&mut row.iter().map(String::as_str));
        }
        out
    }
}

/// JSON text in which every character a terminal would obey is a `\u` escape.
pub fn json_text(value: &Value) -> String {
    escape_unsafe(&serde_json::to_string_pretty(value).unwrap_or_default())
}

fn escape_unsafe(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        // Outside strings JSON has only ASCII punctuation, spaces and newlines,
        // so any unsafe non-whitespace character is inside a string.
        if is_unsafe(c) && !matches!(c, '\n' | ' ') {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A CSV field: sanitized, quoted when needed, and guarded against
/// spreadsheet formula injection.
pub fn csv_field(text: &str) -> String {
    let safe = crate::sanitize::sanitize(text);
    let guarded = if safe.starts_with(['=', '+', '-', '@']) {
        format!("'{safe}")
    } else {
        safe.into_owned()
    };
    if guarded.contains([',', '"', '\n']) || guarded.starts_with(' ') || guarded.ends_with(' ') {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn date(at: Option<OffsetDateTime>) -> Option<String> {
    at.and_then(|at| {
        at.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
}

/// The usual `type` spelling of a kind, when the server's own is not known.
pub fn kind_name(kind: &KeyKind) -> String {
    match kind {
        KeyKind::User => "USER".into(),
        KeyKind::Organization => "ORGANIZATION".into(),
        KeyKind::MultiTenantAdmin => "MULTI_TENANT_ADMIN".into(),
        KeyKind::MultiTenantUser => "MULTI_TENANT_USER".into(),
        KeyKind::Other(raw) => raw.clone(),
    }
}

/// A key's `type` as the server spelled it, else the usual spelling of its kind.
fn wire_type(key: &KeyInfo) -> String {
    key.wire_type
        .clone()
        .unwrap_or_else(|| kind_name(&key.kind))
}

/// A key as a JSON object with stable `snake_case` keys: `type` is the
/// server's own spelling, `kind` the normalized one.
pub fn key_json(key: &KeyInfo, now: OffsetDateTime) -> Value {
    serde_json::json!({
        "id": key.id,
        "name": key.name,
        "type": wire_type(key),
        "kind": key.kind.normalized(),
        "organization_id": key.organization_id,
        "organization_name": key.organization_name,
        "owner_id": key.owner_id,
        "owner_email": key.owner_email,
        "generated_on": date(key.generated_on),
        "age_days": key.age_days(now),
        "tenant_id": key.tenant.as_ref().map(|t| t.id.clone()),
        "region": key.tenant.as_ref().map(|t| t.region.code()),
    })
}

/// The CSV columns of a key.
pub const KEY_CSV: [&str; 11] = [
    "id",
    "name",
    "type",
    "kind",
    "organization_id",
    "organization_name",
    "owner_email",
    "generated_on",
    "age_days",
    "tenant_id",
    "region",
];

/// A key as CSV fields, in the order of [`KEY_CSV`] (not yet escaped).
pub fn key_csv(key: &KeyInfo, now: OffsetDateTime) -> Vec<String> {
    vec![
        key.id.clone().unwrap_or_default(),
        key.name.clone().unwrap_or_default(),
        wire_type(key),
        key.kind.normalized().to_string(),
        key.organization_id.clone().unwrap_or_default(),
        key.organization_name.clone().unwrap_or_default(),
        key.owner_email.clone().unwrap_or_default(),
        date(key.generated_on).unwrap_or_default(),
        key.age_days(now).map(|d| d.to_string()).unwrap_or_default(),
        key.tenant
            .as_ref()
            .map(|t| t.id.clone())
            .unwrap_or_default(),
        key.tenant
            .as_ref()
            .map(|t| t.region.code().to_string())
            .unwrap_or_default(),
    ]
}

/// The table columns of a key.
pub const KEY_COLUMNS: [&str; 7] = [
    "id",
    "name",
    "type",
    "organization",
    "owner",
    "created",
    "age",
];

fn cell(text: Option<&str>, max: usize) -> String {
    text.map_or_else(|| "-".to_string(), |t| display(t, max))
}

/// A key as a table row; keys older than 90 days get a `!` after their age.
pub fn key_row(key: &KeyInfo, now: OffsetDateTime) -> Vec<String> {
    let age = key.age_days(now).map_or_else(
        || "-".to_string(),
        |d| {
            if d > OLD_AFTER_DAYS {
                format!("{d}d !")
            } else {
                format!("{d}d")
            }
        },
    );
    vec![
        key.id.as_deref().map_or_else(
            || "-".into(),
            |id| display(&id.chars().take(8).collect::<String>(), 8),
        ),
        cell(key.name.as_deref(), 40),
        display(key.kind.label(), 16),
        cell(
            key.organization_name
                .as_deref()
                .or(key.organization_id.as_deref()),
            28,
        ),
        cell(key.owner_email.as_deref(), 32),
        key.generated_on
            .map_or_else(|| "-".into(), |at| at.date().to_string()),
        age,
    ]
}

/// Something the printer can show in every format.
pub trait Printable {
    fn json(&self) -> Value;
    /// The fields in the order of the printer's CSV header, not yet escaped.
    fn csv(&self) -> Vec<String>;
    /// The cells in the order of the printer's table header, already sanitized.
    fn row(&self) -> Vec<String>;
}

/// A key with the time its age is counted from.
pub struct KeyAt<'a>(pub &'a KeyInfo, pub OffsetDateTime);

impl Printable for KeyAt<'_> {
    fn json(&self) -> Value {
        key_json(self.0, self.1)
    }

    fn csv(&self) -> Vec<String> {
        key_csv(self.0, self.1)
    }

    fn row(&self) -> Vec<String> {
        key_row(self.0, self.1)
    }
}

/// Prints records as they come: JSON lines and CSV rows at once, a JSON
/// array item by item, and a table (which needs every row for its widths)
/// from compact rows of cells at the end. Nothing is held that has already
/// been written, so a listing of 100,000 keys does not hold 100,000 JSON values.
pub struct Printer {
    format: OutputFormat,
    out: Output,
    table_headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    count: usize,
}

impl Printer {
    /// A printer for `format`; the CSV header line is written at once.
    pub fn new(
        format: OutputFormat,
        csv_headers: &[&str],
        table_headers: &[&'static str],
    ) -> Printer {
        let mut out = Output::new();
        if format == OutputFormat::Csv {
            out.line(&csv_headers.join(","));
        }
        Printer {
            format,
            out,
            table_headers: table_headers.to_vec(),
            rows: Vec::new(),
            count: 0,
        }
    }

    /// Whether the output failed (the caller should stop fetching).
    pub fn failed(&self) -> bool {
        self.out.failed()
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Prints one record (or keeps its row, for a table).
    pub fn print(&mut self, record: &impl Printable) {
        match self.format {
            OutputFormat::Json => {
                self.out.write(if self.count == 0 { "[\n" } else { ",\n" });
                let text = json_text(&record.json());
                for (i, line) in text.lines().enumerate() {
                    if i > 0 {
                        self.out.write("\n");
                    }
                    self.out.write("  ");
                    self.out.write(line);
                }
            }
            OutputFormat::Jsonl => {
                self.out.line(&compact_json_text(&record.json()));
            }
            OutputFormat::Csv => {
                let fields = record.csv();
                let line = fields
                    .iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(",");
                self.out.line(&line);
            }
            OutputFormat::Table => self.rows.push(record.row()),
        }
        self.count += 1;
    }

    /// Sends what is buffered on (after each page, so readers see it as it comes).
    pub fn flush(&mut self) {
        self.out.flush();
    }

    /// Ends the output: closes the JSON array, draws the table.
    pub fn finish(mut self) -> Result<usize, WriteError> {
        match self.format {
            OutputFormat::Json if self.count == 0 => self.out.line("[]"),
            OutputFormat::Json => self.out.write("\n]\n"),
            OutputFormat::Table => {
                let table = Table {
                    headers: std::mem::take(&mut self.table_headers),
                    rows: std::mem::take(&mut self.rows),
                };
                self.out.write(&table.render());
            }
            OutputFormat::Jsonl | OutputFormat::Csv => {}
        }
        let count = self.count;
        self.out.finish().map(|()| count)
    }
}

/// One-line JSON in which every character a terminal would obey is a `\u` escape.
pub fn compact_json_text(value: &Value) -> String {
    escape_unsafe(&serde_json::to_string(value).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_a_terminal_would_obey_and_round_trips() {
        let value = serde_json::json!({"name": "a\u{1b}[2J\u{9b}b\u{202e}c"});
        let text = json_text(&value);
        assert!(!text.chars().any(|c| is_unsafe(c) && c != '\n'), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn csv_fields_are_quoted_sanitized_and_guarded() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_field("x\u{1b}y"), "x\\x1by");
    }

    #[test]
    fn tables_align_wide_characters() {
        let table = Table {
            headers: vec!["name", "x"],
            rows: vec![
                vec!["本番".into(), "1".into()],
                vec!["ab".into(), "2".into()],
            ],
        };
        let text = table.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1].find('1').map(|i| lines[1][..i].width()),
            lines[2].find('2').map(|i| lines[2][..i].width())
        );
    }
}
