//! The local journal: every key mutation r7keys makes, written down twice
//! in `$XDG_STATE_HOME/r7keys/journal.jsonl` (mode 0600), once before the
//! request is sent ("intent") and once after its answer ("outcome"), so a
//! crash between the two still leaves a trace. It never holds a key: a new
//! key appears as a short SHA-256 fingerprint only.
//!
//! One entry is one JSON line, appended with a single `write` on a file
//! opened with `O_APPEND`: lines from concurrent processes never interleave.
//! A line torn by a crash or a full disk is skipped, with a warning, when the
//! journal is read, and the next append starts on a fresh line so that the
//! torn one never swallows it.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::sanitize::is_unsafe;

/// The journal's file name in the state directory.
pub const FILE_NAME: &str = "journal.jsonl";

/// A journal is never read past this size (a path pointing at a device
/// would otherwise be read for ever).
const MAX_READ_BYTES: u64 = 256 << 20;

/// Where a profile's mutations are written down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    path: PathBuf,
    profile: Option<String>,
}

/// When an entry was written, relative to its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Before the request is sent.
    Intent,
    /// After its answer (or after what took the answer's place).
    Outcome,
    /// Written by a newer r7keys.
    #[serde(other)]
    Unknown,
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Generate,
    Revoke,
    /// After a generate's answer was lost: the key list was searched for it.
    Reconcile,
    /// Written by a newer r7keys.
    #[serde(other)]
    Unknown,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Generate => "generate",
            Action::Revoke => "revoke",
            Action::Reconcile => "reconcile",
            Action::Unknown => "?",
        }
    }
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Intent => "intent",
            Phase::Outcome => "outcome",
            Phase::Unknown => "?",
        }
    }
}

/// Outcome values (the `outcome` field), as the journal writes them.
pub mod outcome {
    /// Done: the key was generated or revoked.
    pub const OK: &str = "ok";
    /// A revoke answered 404: the key was already gone.
    pub const ALREADY_GONE: &str = "already-gone";
    /// The platform refused, or nothing reached it: nothing changed.
    pub const FAILED: &str = "failed";
    /// The answer was lost: the request may have been carried out.
    pub const ANSWER_LOST: &str = "answer-lost";
    /// Reconciliation found the key the lost answer created (its secret is lost).
    pub const FOUND: &str = "found";
    /// Reconciliation found no such key.
    pub const NOT_FOUND: &str = "not-found";
    /// Reconciliation could not list the keys.
    pub const UNCHECKED: &str = "unchecked";
}

/// One line of the journal. Every field but `time`, `op`, `phase` and
/// `action` is optional, so that older and newer lines still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    /// Ties an intent to its outcome lines.
    pub op: String,
    pub phase: Phase,
    pub action: Action,
    /// `rotate` for each step of a rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// For a rotation step: the id of the key being replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_of: Option<String>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// `R7-Organization-Id`, for a multi-tenant key.
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub key_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `user`, `organization`, `mt-admin`, `mt-user`, or the type as the server sent it.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// One of [`outcome`]; none on an intent.
    #[serde(default)]
    pub outcome: Option<String>,
    /// The HTTP status of the last answer.
    #[serde(default)]
    pub status: Option<u16>,
    /// The answer's `r7-correlation-id`.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// Short SHA-256 fingerprint of a new key (never the key).
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// What went wrong, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Entry {
    /// A blank entry stamped now.
    pub fn new(op: &str, phase: Phase, action: Action) -> Entry {
        Entry {
            time: now_text(),
            op: op.to_string(),
            phase,
            action,
            step: None,
            rotation_of: None,
            profile: None,
            region: None,
            tenant: None,
            key_id: None,
            name: None,
            kind: None,
            organization_id: None,
            outcome: None,
            status: None,
            correlation_id: None,
            fingerprint: None,
            detail: None,
        }
    }

    /// When it was written, if the time reads.
    pub fn at(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.time, &Rfc3339).ok()
    }
}

/// Now, as the journal writes times.
pub(crate) fn now_text() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// A journal line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

/// What reading a journal gave.
#[derive(Debug, Default)]
pub struct Contents {
    /// In the order they were written.
    pub entries: Vec<Entry>,
    /// Torn or unreadable lines, skipped.
    pub skipped: Vec<Skipped>,
}

impl Contents {
    /// Operations with an intent but no outcome: interrupted, or still running.
    pub fn unfinished(&self) -> Vec<&Entry> {
        let finished: std::collections::HashSet<&str> = self
            .entries
            .iter()
            .filter(|e| e.phase == Phase::Outcome)
            .map(|e| e.op.as_str())
            .collect();
        self.entries
            .iter()
            .filter(|e| e.phase == Phase::Intent && !finished.contains(e.op.as_str()))
            .collect()
    }
}

/// The journal could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write the journal {path}: {detail}")]
pub struct JournalError {
    pub path: String,
    pub detail: String,
}

impl Journal {
    pub fn new(path: PathBuf, profile: Option<String>) -> Journal {
        Journal { path, profile }
    }

    /// `$XDG_STATE_HOME/r7keys/journal.jsonl`.
    pub fn default_path() -> Option<PathBuf> {
        crate::config::state_dir().map(|dir| dir.join(FILE_NAME))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The profile every entry names.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    fn error(&self, detail: impl std::fmt::Display) -> JournalError {
        JournalError {
            path: self.path.display().to_string(),
            detail: detail.to_string(),
        }
    }

    /// Appends one entry as one line, in a single write.
    pub fn append(&self, entry: &Entry) -> Result<(), JournalError> {
        let mut line = line_of(entry).map_err(|e| self.error(e))?;
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir).map_err(|e| self.error(e))?;
        }
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(|e| self.error(e))?;
        if ends_torn(&file) {
            line.insert(0, '\n');
        }
        // One write of the whole line: O_APPEND makes it atomic with respect
        // to other appenders. A short write is a torn line, and an error.
        let written = file.write(line.as_bytes()).map_err(|e| self.error(e))?;
        if written < line.len() {
            return Err(self.error(format!(
                "only {written} of {} bytes were written (is the disk full?)",
                line.len()
            )));
        }
        Ok(())
    }
}

/// The entry as one JSON line; characters a terminal would obey are `\u`
/// escapes, so that even `cat journal.jsonl` is safe.
fn line_of(entry: &Entry) -> Result<String, serde_json::Error> {
    let raw = serde_json::to_string(entry)?;
    let mut line = String::with_capacity(raw.len() + 1);
    for c in raw.chars() {
        if is_unsafe(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(line, "\\u{unit:04x}");
            }
        } else {
            line.push(c);
        }
    }
    line.push('\n');
    Ok(line)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Whether the file's last byte is not a newline: a torn line ends it.
fn ends_torn(file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let Ok(len) = file.metadata().map(|m| m.len()) else {
            return false;
        };
        if len == 0 {
            return false;
        }
        let mut last = [0u8; 1];
        matches!(file.read_at(&mut last, len - 1), Ok(1) if last[0] != b'\n')
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

/// Reads a journal; a missing file is an empty journal.
pub fn read(path: &Path) -> std::io::Result<Contents> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_READ_BYTES).read_to_end(&mut bytes)?;
    Ok(parse(&bytes))
}

/// Parses journal text line by line; blank lines are ignored, and a line
/// that is not an entry (torn, or not JSON) is skipped.
pub fn parse(bytes: &[u8]) -> Contents {
    let mut contents = Contents::default();
    let ends_cleanly = bytes.last().is_none_or(|&b| b == b'\n');
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let last = index + 1 == count;
        match serde_json::from_slice::<Entry>(line) {
            Ok(entry) => contents.entries.push(entry),
            Err(error) => contents.skipped.push(Skipped {
                line: index + 1,
                reason: if last && !ends_cleanly {
                    "torn (the write was cut short)".to_string()
                } else {
                    crate::sanitize::display(&format!("not a journal entry: {error}"), 120)
                },
            }),
        }
    }
    contents
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> Entry {
        let mut entry = Entry::new(&format!("op-{n}"), Phase::Intent, Action::Generate);
        entry.name = Some(format!("key-{n}"));
        entry
    }

    fn temp_path(what: &str) -> PathBuf {
        std::env::temp_dir().join(format!("r7keys-journal-unit-{what}-{}", std::process::id()))
    }

    #[test]
    fn entries_round_trip_and_unknown_fields_and_values_are_tolerated() {
        let mut first = entry(1);
        first.kind = Some("user".into());
        first.detail = Some("a\u{1b}[2Jb\u{202e}c".into());
        let line = line_of(&first).unwrap();
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        assert!(!line.chars().any(|c| is_unsafe(c) && c != '\n'), "{line}");
        let newer = r#"{"time":"2030-01-01T00:00:00Z","op":"x","phase":"checkpoint","action":"rename","new_field":[1,2]}"#;
        let text = format!("{line}\n{newer}\n");
        let contents = parse(text.as_bytes());
        assert_eq!(contents.skipped, []);
        assert_eq!(contents.entries[0], first);
        assert_eq!(contents.entries[1].phase, Phase::Unknown);
        assert_eq!(contents.entries[1].action, Action::Unknown);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_named_so() {
        let text = format!("{}{{\"time\":\"2026", line_of(&entry(1)).unwrap());
        let contents = parse(text.as_bytes());
        assert_eq!(contents.entries.len(), 1);
        assert_eq!(contents.skipped.len(), 1);
        assert_eq!(contents.skipped[0].line, 2);
        assert!(contents.skipped[0].reason.contains("torn"), "{contents:?}");
    }

    #[test]
    fn an_append_after_a_torn_line_starts_a_fresh_line() {
        let path = temp_path("torn");
        let _ = std::fs::remove_file(&path);
        let journal = Journal::new(path.clone(), None);
        journal.append(&entry(1)).unwrap();
        // A crash cut the second write short.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"time":"2026-01-01T00:00:00Z","op":"to"#)
            .unwrap();
        journal.append(&entry(3)).unwrap();
        let contents = read(&path).unwrap();
        let names: Vec<_> = contents
            .entries
            .iter()
            .map(|e| e.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["key-1", "key-3"]);
        assert_eq!(contents.skipped.len(), 1, "{contents:?}");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn unfinished_operations_are_those_without_an_outcome() {
        let mut done = Entry::new("op-1", Phase::Outcome, Action::Generate);
        done.outcome = Some(outcome::OK.into());
        let contents = Contents {
            entries: vec![entry(1), done, entry(2)],
            skipped: Vec::new(),
        };
        let unfinished: Vec<&str> = contents
            .unfinished()
            .iter()
            .map(|e| e.op.as_str())
            .collect();
        assert_eq!(unfinished, ["op-2"]);
    }

    #[test]
    fn a_missing_journal_is_empty_and_a_device_is_refused() {
        let contents = read(Path::new("/nonexistent/r7keys/journal.jsonl")).unwrap();
        assert!(contents.entries.is_empty());
        #[cfg(unix)]
        assert!(read(Path::new("/dev/zero")).is_err());
    }
}
