//! The Audit tab (`6`): who generated and revoked which key, when, from the
//! platform audit log of the context in focus, with this profile's local
//! journal beside it. A journal operation that should have left a platform
//! event (a generate or revoke that succeeded, lost its answer, or never
//! finished) but has none in the trail read is marked: either the platform
//! has not logged it yet, or the mutation never reached it.
//!
//! The rows are rebuilt from both sources whenever either changes (events
//! stream in page by page); the filter keeps words and a few `field:value`
//! terms, like the key tables'.

use time::{Duration, OffsetDateTime};

use crate::api::journal::{self, Entry, Phase};
use crate::api::{ApiError, AuditEvent, Target};

use super::msg::ReqId;

/// How far back the tab reads.
pub const WINDOW_DAYS: i64 = 30;

/// How far a journal entry's time may be from its platform event's: clocks
/// differ, and the platform logs an event when it has carried it out.
const MATCH_SLACK: Duration = Duration::minutes(15);

/// Where a row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Platform,
    Journal,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Platform => "platform",
            Source::Journal => "journal",
        }
    }
}

/// One mutation in the journal: its intent, and its last outcome if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalOp {
    pub at: Option<OffsetDateTime>,
    pub action: journal::Action,
    /// `rotate` for a rotation's steps.
    pub step: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub tenant: Option<String>,
    pub key_id: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `None`: the intent was written and nothing after it (a crash, or still running).
    pub outcome: Option<String>,
}

impl JournalOp {
    /// Whether the platform should have logged it.
    fn expects_event(&self) -> bool {
        matches!(
            self.action,
            journal::Action::Generate | journal::Action::Revoke
        ) && match self.outcome.as_deref() {
            None => true,
            Some(outcome) => {
                [journal::outcome::OK, journal::outcome::ANSWER_LOST].contains(&outcome)
            }
        }
    }

    /// Whether `event` is this operation, as the platform logged it.
    fn is(&self, event: &AuditEvent) -> bool {
        let same_action = matches!(
            (self.action, &event.action),
            (journal::Action::Generate, crate::api::AuditAction::Generate)
                | (journal::Action::Revoke, crate::api::AuditAction::Revoke)
        );
        let same_key = match (&self.key_id, &event.key_id) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => {
                matches!((&self.name, &event.key_name), (Some(a), Some(b)) if a.trim() == b.trim())
            }
        };
        let close = match (self.at, event.at) {
            (Some(a), Some(b)) => (a - b).abs() <= MATCH_SLACK,
            _ => true,
        };
        same_action && same_key && close
    }
}

/// The journal's operations, in the order they were written: each intent
/// with what its outcome lines said.
pub fn journal_ops(entries: &[Entry]) -> Vec<JournalOp> {
    let mut ops: Vec<(String, JournalOp)> = Vec::new();
    for entry in entries {
        let index = if let Some(index) = ops.iter().position(|(op, _)| *op == entry.op) {
            index
        } else {
            {
                ops.push((
                    entry.op.clone(),
                    JournalOp {
                        at: entry.at(),
                        action: entry.action,
                        step: entry.step.clone(),
                        profile: entry.profile.clone(),
                        region: entry.region.clone(),
                        tenant: entry.tenant.clone(),
                        key_id: None,
                        name: None,
                        kind: None,
                        outcome: None,
                    },
                ));
                ops.len() - 1
            }
        };
        let op = &mut ops[index].1;
        // Later lines know more (a generate's key id comes with its outcome).
        if entry.key_id.is_some() {
            op.key_id.clone_from(&entry.key_id);
        }
        if entry.name.is_some() {
            op.name.clone_from(&entry.name);
        }
        if entry.kind.is_some() {
            op.kind.clone_from(&entry.kind);
        }
        if entry.phase == Phase::Outcome {
            op.outcome.clone_from(&entry.outcome);
            if op.outcome.is_none() {
                op.outcome = Some("?".into());
            }
        }
    }
    ops.into_iter().map(|(_, op)| op).collect()
}

/// One row of the tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub at: Option<OffsetDateTime>,
    pub source: Source,
    pub action: String,
    pub key_id: Option<String>,
    pub key_name: Option<String>,
    pub kind: Option<String>,
    /// The actor's email (platform) or the profile (journal).
    pub who: Option<String>,
    pub tenant: Option<String>,
    /// The journal's outcome; none for a platform event.
    pub outcome: Option<String>,
    /// A journal operation with no platform event in the trail read.
    pub unmatched: bool,
}

impl AuditRow {
    fn of_event(event: &AuditEvent) -> AuditRow {
        AuditRow {
            at: event.at,
            source: Source::Platform,
            action: event.action.label().to_string(),
            key_id: event.key_id.clone(),
            key_name: event.key_name.clone(),
            kind: event.key_kind.as_ref().map(|k| k.label().to_string()),
            who: event
                .actor_email
                .clone()
                .or_else(|| event.actor_name.clone())
                .or_else(|| event.actor_id.clone()),
            tenant: event.tenant.as_ref().map(|t| t.id.clone()),
            outcome: None,
            unmatched: false,
        }
    }

    fn of_op(op: &JournalOp, unmatched: bool) -> AuditRow {
        let action = match &op.step {
            Some(step) => format!("{} ({step})", op.action.label()),
            None => op.action.label().to_string(),
        };
        AuditRow {
            at: op.at,
            source: Source::Journal,
            action,
            key_id: op.key_id.clone(),
            key_name: op.name.clone(),
            kind: op.kind.clone(),
            who: op.profile.as_ref().map(|p| format!("profile {p}")),
            tenant: op.tenant.clone(),
            outcome: Some(op.outcome.clone().unwrap_or_else(|| "no outcome".into())),
            unmatched,
        }
    }

    /// Everything a filter word may match, lowercased.
    fn haystack(&self) -> String {
        [
            Some(self.source.label()),
            Some(self.action.as_str()),
            self.key_id.as_deref(),
            self.key_name.as_deref(),
            self.kind.as_deref(),
            self.who.as_deref(),
            self.tenant.as_deref(),
            self.outcome.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
    }

    fn keeps(&self, filter: &AuditFilter) -> bool {
        let contains = |value: &Option<String>, wanted: &str| {
            value
                .as_deref()
                .is_some_and(|v| v.to_lowercase().contains(wanted))
        };
        let haystack = self.haystack();
        filter.words.iter().all(|w| haystack.contains(w.as_str()))
            && filter.terms.iter().all(|term| match term {
                Term::Action(a) => self.action.to_lowercase().starts_with(a.as_str()),
                Term::Source(s) => self.source == *s,
                Term::Who(w) => contains(&self.who, w),
                Term::Key(k) => contains(&self.key_id, k) || contains(&self.key_name, k),
                Term::Unmatched => self.unmatched,
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Action(String),
    Source(Source),
    Who(String),
    Key(String),
    Unmatched,
}

/// The tab's filter: words that must all appear, and `action:revoke`,
/// `source:journal` (or `platform`), `by:alice` (or `actor:`), `key:ci`
/// (id or name), `flag:unmatched`. Another `field:value` is a word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    words: Vec<String>,
    terms: Vec<Term>,
}

impl AuditFilter {
    pub fn parse(text: &str) -> AuditFilter {
        let mut filter = AuditFilter::default();
        for token in text.split_whitespace().map(str::to_lowercase) {
            let term = token.split_once(':').and_then(|(field, value)| {
                Some(match (field, value) {
                    ("action", a) if !a.is_empty() => Term::Action(a.to_string()),
                    ("source" | "from", "journal" | "j") => Term::Source(Source::Journal),
                    ("source" | "from", "platform" | "p") => Term::Source(Source::Platform),
                    ("by" | "actor", w) if !w.is_empty() => Term::Who(w.to_string()),
                    ("key", k) if !k.is_empty() => Term::Key(k.to_string()),
                    ("flag", "unmatched" | "missing" | "nolog") => Term::Unmatched,
                    _ => return None,
                })
            });
            match term {
                Some(term) => filter.terms.push(term),
                None => filter.words.push(token),
            }
        }
        filter
    }
}

/// How the platform trail's reading went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrailState {
    /// Not read yet (the tab was never opened).
    Unread,
    Reading,
    Done,
    /// Read, but short of the end: why.
    Incomplete(String),
    /// Not read: why, in words for the user.
    Failed(String),
}

/// The Audit tab's state.
#[derive(Debug, Clone)]
pub struct AuditView {
    /// The search under way (answers to other requests are dropped).
    pub req: Option<ReqId>,
    /// The context the trail is of.
    pub target: Option<Target>,
    pub from: OffsetDateTime,
    pub state: TrailState,
    /// Requests the search made, once it ended.
    pub requests: u32,
    platform: Vec<AuditEvent>,
    journal: Vec<JournalOp>,
    /// What to say about the journal: off, or lines skipped.
    pub journal_note: Option<String>,
    /// Rebuilt from both sources, newest first.
    rows: Vec<AuditRow>,
    /// Of `rows`, counted when they are rebuilt (the screen asks every frame).
    journal_count: usize,
    unmatched_count: usize,
    /// Indices of the rows the filter keeps.
    visible: Vec<usize>,
    filter_text: String,
    filter: AuditFilter,
    pub selected: usize,
    pub offset: usize,
}

impl Default for AuditView {
    fn default() -> Self {
        AuditView {
            req: None,
            target: None,
            from: OffsetDateTime::UNIX_EPOCH,
            state: TrailState::Unread,
            requests: 0,
            platform: Vec::new(),
            journal: Vec::new(),
            journal_note: None,
            rows: Vec::new(),
            journal_count: 0,
            unmatched_count: 0,
            visible: Vec::new(),
            filter_text: String::new(),
            filter: AuditFilter::default(),
            selected: 0,
            offset: 0,
        }
    }
}

impl AuditView {
    /// Starts over for `target`, reading from `from`; answers the request to cancel, if one ran.
    pub fn restart(&mut self, req: ReqId, target: Target, from: OffsetDateTime) -> Option<ReqId> {
        let stale = self.req.filter(|_| self.state == TrailState::Reading);
        self.req = Some(req);
        self.target = Some(target);
        self.from = from;
        self.state = TrailState::Reading;
        self.requests = 0;
        self.platform.clear();
        self.journal.clear();
        self.journal_note = None;
        self.rebuild();
        stale
    }

    pub fn answers(&self, req: ReqId) -> bool {
        self.req == Some(req)
    }

    /// Whether the trail on screen is of `target`.
    pub fn is_of(&self, target: &Target) -> bool {
        self.target.as_ref() == Some(target) && self.state != TrailState::Unread
    }

    /// Events of one page of the search.
    pub fn take_events(&mut self, events: Vec<AuditEvent>) {
        self.platform.extend(events);
        self.rebuild();
    }

    /// The journal as read: the operations of this profile in this context.
    pub fn take_journal(&mut self, profile: &str, ops: Vec<JournalOp>, note: Option<String>) {
        let target = self.target.clone();
        self.journal = ops
            .into_iter()
            .filter(|op| op.profile.as_deref().is_none_or(|p| p == profile))
            .filter(|op| {
                target.as_ref().is_none_or(|t| {
                    op.region
                        .as_deref()
                        .is_none_or(|r| r.eq_ignore_ascii_case(t.region.code()))
                        && op.tenant == t.tenant
                })
            })
            .collect();
        self.journal_note = note;
        self.rebuild();
    }

    /// The search ended.
    pub fn finish(&mut self, result: Result<(Option<String>, u32), &ApiError>, who_may: &str) {
        self.state = match result {
            Ok((None, requests)) => {
                self.requests = requests;
                TrailState::Done
            }
            Ok((Some(why), requests)) => {
                self.requests = requests;
                TrailState::Incomplete(why)
            }
            Err(ApiError::Forbidden { message }) => TrailState::Failed(format!(
                "the platform refused (403): {}. {who_may}",
                crate::sanitize::display(message, 200)
            )),
            Err(error) => {
                TrailState::Failed(format!("the platform audit log could not be read: {error}"))
            }
        };
        self.rebuild();
    }

    /// Whether the platform trail is whole, so a missing event means something.
    fn trail_is_whole(&self) -> bool {
        self.state == TrailState::Done
    }

    fn rebuild(&mut self) {
        let whole = self.trail_is_whole();
        let from = self.from;
        let mut rows: Vec<AuditRow> = self.platform.iter().map(AuditRow::of_event).collect();
        rows.extend(
            self.journal
                .iter()
                .filter(|op| op.at.is_none_or(|at| at >= from))
                .map(|op| {
                    let unmatched =
                        whole && op.expects_event() && !self.platform.iter().any(|e| op.is(e));
                    AuditRow::of_op(op, unmatched)
                }),
        );
        // Newest first; a row without a time last.
        rows.sort_by_key(|row| std::cmp::Reverse(row.at));
        self.journal_count = rows.iter().filter(|r| r.source == Source::Journal).count();
        self.unmatched_count = rows.iter().filter(|r| r.unmatched).count();
        self.rows = rows;
        self.refilter();
    }

    fn refilter(&mut self) {
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.keeps(&self.filter))
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter_text = text.to_string();
        self.filter = AuditFilter::parse(text);
        self.refilter();
    }

    pub fn filter_text(&self) -> &str {
        &self.filter_text
    }

    /// Rows the filter keeps.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// Every row, filtered or not.
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Journal operations without their platform event.
    pub fn unmatched(&self) -> usize {
        self.unmatched_count
    }

    pub fn journal_rows(&self) -> usize {
        self.journal_count
    }

    /// `count` visible rows from `offset`.
    pub fn window(&self, offset: usize, count: usize) -> impl Iterator<Item = &AuditRow> {
        self.visible
            .iter()
            .skip(offset)
            .take(count)
            .map(|&i| &self.rows[i])
    }

    pub fn selected_row(&self) -> Option<&AuditRow> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    pub fn move_by(&mut self, delta: isize, viewport: usize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.offset = super::scrolled_to(self.selected, self.offset, viewport);
    }

    pub fn select(&mut self, index: usize) {
        if index < self.visible.len() {
            self.selected = index;
        }
    }
}

/// The window the tab reads, ending `now`.
pub fn window_start(now: OffsetDateTime) -> OffsetDateTime {
    now - Duration::days(WINDOW_DAYS)
}
