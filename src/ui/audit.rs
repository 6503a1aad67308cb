//! The Audit tab (`6`): the platform's API-key events and this profile's
//! journal, newest first, in one table; a journal operation the platform
//! has no event for is marked `⚠`. Under the table: how the reading of the
//! trail went (requests, a stop short, a refusal with who may read), and
//! what the journal is (off, lines skipped).

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};
use time::{OffsetDateTime, UtcOffset};

use crate::app::audit::{AuditRow, Source, TrailState, WINDOW_DAYS};
use crate::app::{App, INVENTORY_PROGRESS};
use crate::present::Mask;
use crate::sanitize::{display, display_middle};

use super::Theme;
use super::text::{cols, date, short_id, thousands};

/// The columns shown, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Mark,
    Time,
    Source,
    Action,
    Name,
    Id,
    Kind,
    Who,
    Outcome,
}

/// Columns and widths for `inner` columns of room: below 110, the time is
/// shorter and id and kind give way, so the name and the actor stay readable.
fn layout(inner: u16) -> Vec<(Col, u16)> {
    let wide = inner >= 110;
    let mut fixed = vec![
        (Col::Mark, 1),
        (Col::Time, if wide { 16 } else { 11 }),
        (Col::Source, 8),
        (Col::Action, if wide { 17 } else { 10 }),
        (Col::Outcome, if wide { 14 } else { 9 }),
    ];
    if wide {
        fixed.extend([(Col::Id, 8), (Col::Kind, 8)]);
    }
    let gaps = u16::try_from(fixed.len()).unwrap_or(0) + 1;
    let used: u16 = fixed.iter().map(|(_, w)| *w).sum::<u16>() + gaps;
    let flexible = inner.saturating_sub(used);
    let name = flexible * 11 / 20;
    let who = flexible - name;
    let width = |col: Col| match col {
        Col::Name => name,
        Col::Who => who,
        other => fixed
            .iter()
            .find(|(c, _)| *c == other)
            .map_or(0, |(_, w)| *w),
    };
    let order: &[Col] = if wide {
        &[
            Col::Mark,
            Col::Time,
            Col::Source,
            Col::Action,
            Col::Name,
            Col::Id,
            Col::Kind,
            Col::Who,
            Col::Outcome,
        ]
    } else {
        &[
            Col::Mark,
            Col::Time,
            Col::Source,
            Col::Action,
            Col::Name,
            Col::Who,
            Col::Outcome,
        ]
    };
    order.iter().map(|c| (*c, width(*c))).collect()
}

fn title(col: Col) -> &'static str {
    match col {
        Col::Mark => "",
        Col::Time => "time (UTC)",
        Col::Source => "source",
        Col::Action => "action",
        Col::Name => "key name",
        Col::Id => "id",
        Col::Kind => "kind",
        Col::Who => "by",
        Col::Outcome => "outcome",
    }
}

/// `2026-12-02 04:11`, or `12-02 04:11` where room is short.
fn time(at: Option<OffsetDateTime>, room: u16) -> String {
    let Some(at) = at else {
        return "-".into();
    };
    let utc = at.to_offset(UtcOffset::UTC);
    let day = date(utc);
    let day = if room < 16 { &day[5..] } else { &day[..] };
    format!("{day} {:02}:{:02}", utc.hour(), utc.minute())
}

fn row_of<'a>(row: &AuditRow, columns: &[(Col, u16)], mask: &Mask) -> Row<'a> {
    let cell = |col: Col, room: u16| -> String {
        let room_chars = usize::from(room);
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map_or_else(|| "-".into(), |v| display(v, room_chars))
        };
        match col {
            Col::Mark => if row.unmatched { "⚠" } else { " " }.into(),
            Col::Time => time(row.at, room),
            Col::Source => row.source.label().into(),
            Col::Action => display(&row.action, room_chars),
            Col::Name => row
                .key_name
                .as_deref()
                .map_or_else(|| "-".into(), |n| display(&mask.text(n), room_chars)),
            Col::Id => short_id(row.key_id.as_deref().map(|id| mask.id(id)).as_deref()),
            Col::Kind => text(&row.kind),
            Col::Who => row.who.as_deref().map_or_else(
                || "-".into(),
                |who| {
                    // A journal row names the profile, which the header shows too.
                    let who = match row.source {
                        Source::Journal => mask.text(who),
                        Source::Platform => mask.owner(who),
                    };
                    display_middle(&who, room_chars)
                },
            ),
            Col::Outcome => match (&row.outcome, row.source) {
                (_, Source::Journal) if row.unmatched => display("no event yet", room_chars),
                (Some(outcome), _) => display(outcome, room_chars),
                (None, _) => "-".into(),
            },
        }
    };
    Row::new(
        columns
            .iter()
            .map(|(c, w)| cell(*c, *w))
            .collect::<Vec<_>>(),
    )
}

/// The block's title: the context, the window, the counts.
fn heading(app: &App, theme: &Theme) -> String {
    let audit = &app.audit;
    let place = match (&app.tenant, &audit.target) {
        (Some(_), _) => super::header::tenant_words_in(app, 24, theme),
        (None, Some(target)) => format!("home ({})", target.region),
        (None, None) => "home".into(),
    };
    let count = if audit.filter_text().is_empty() {
        let mut words = match audit.total() {
            1 => "1 event".to_string(),
            n => format!("{} events", thousands(n)),
        };
        if audit.journal_rows() > 0 {
            let _ = write!(
                words,
                ", {} from the journal",
                thousands(audit.journal_rows())
            );
        }
        if audit.unmatched() > 0 {
            let _ = write!(words, ", {} ⚠ without a platform event", audit.unmatched());
        }
        words
    } else {
        format!(
            "{} of {} match /{}",
            thousands(audit.len()),
            thousands(audit.total()),
            display(audit.filter_text(), 24)
        )
    };
    format!(" Audit · {place} · last {WINDOW_DAYS} days · {count} ")
}

/// The two lines under the table.
fn state_lines(app: &App, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let audit = &app.audit;
    let platform = audit.total() - audit.journal_rows();
    let first = match &audit.state {
        TrailState::Unread => Line::styled("the trail has not been read", theme.muted),
        TrailState::Reading => Line::styled(
            format!(
                "reading the platform audit log… {} events so far",
                thousands(platform)
            ),
            theme.muted,
        ),
        TrailState::Done => Line::styled(
            format!(
                "platform audit log read: {} events in {} requests · r reads it again",
                thousands(platform),
                audit.requests
            ),
            theme.hint,
        ),
        TrailState::Incomplete(why) => Line::styled(
            format!(
                "the trail stops short ({} events read): {}",
                thousands(platform),
                display(why, 160)
            ),
            theme.old_key,
        ),
        TrailState::Failed(why) => {
            // The reason and who may read audit logs matter more than the
            // journal's note: they take both lines.
            let lines = super::text::wrap(&display(&theme.mask.text(why), 400), width);
            return lines
                .into_iter()
                .take(2)
                .map(|line| Line::styled(line, theme.error))
                .collect();
        }
    };
    let second = match &audit.journal_note {
        Some(note) => display(note, 200),
        None if audit.unmatched() > 0 => {
            "⚠ journal entry without a platform event: logged late, or it never got there".into()
        }
        None => "journal: this profile's mutations in this context, beside the platform's".into(),
    };
    vec![first, Line::styled(second, theme.muted)]
}

/// Draws the tab into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let audit = &app.audit;
    let below_rows = cols(INVENTORY_PROGRESS);
    let top = Rect {
        height: area.height.saturating_sub(below_rows),
        ..area
    };
    let below = Rect {
        y: area.y + top.height,
        height: area.height - top.height,
        ..area
    };
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(
            display(
                &heading(app, theme),
                usize::from(top.width.saturating_sub(2)),
            ),
            theme.title,
        ));
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let columns = layout(inner.width);
    let header = Row::new(columns.iter().map(|(c, _)| title(*c)).collect::<Vec<_>>())
        .style(theme.column_title);
    let selected = audit.selected.checked_sub(audit.offset);
    let shown = usize::from(inner.height.saturating_sub(1)).min(app.viewport());
    let body: Vec<Row> = audit
        .window(audit.offset, shown)
        .enumerate()
        .map(|(i, row)| {
            let style = if Some(i) == selected {
                theme.row_selected
            } else if row.unmatched {
                theme.old_key
            } else if row.source == Source::Journal {
                theme.muted
            } else {
                Style::new()
            };
            row_of(row, &columns, &theme.mask).style(style)
        })
        .collect();
    let empty = body.is_empty();
    frame.render_widget(
        Table::new(body, columns.iter().map(|(_, w)| Constraint::Length(*w)))
            .header(header)
            .column_spacing(1),
        inner,
    );
    if empty && inner.height > 1 {
        let words = match (&audit.state, audit.total()) {
            (TrailState::Reading, _) => "reading…",
            (_, 0) => "no API-key event in this window",
            _ => "no event matches the filter (esc clears it)",
        };
        let at = Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Line::styled(words, theme.muted)), at);
    }
    frame.render_widget(
        Paragraph::new(state_lines(app, usize::from(below.width), theme)),
        below,
    );
}
