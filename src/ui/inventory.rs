//! The Inventory tab (`5`): every key across the home organizations and the
//! managed tenants, with its tenant, region and flags; a tenant that could
//! not be read as a row of its own; and under the table, how the fan-out is
//! going in words and numbers: tenants done of total, keys so far, requests
//! spent, the budget left at each region, and how long the rest will take.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use crate::api::KeyInfo;
use crate::app::table::{Entry, Row as TableRow};
use crate::app::{App, INVENTORY_PROGRESS};
use crate::keymap::{Action, Layer};
use crate::sanitize::{display, display_middle};

use super::Theme;
use super::text::{cols, date, sort_words, thousands};

/// Fixed widths: marker, region, kind, created, age, flags, id.
const MARKER: u16 = 2;
const REGION: u16 = 6;
const KIND: u16 = 9;
const CREATED: u16 = 10;
const AGE: u16 = 5;
const FLAGS: u16 = 18;
const ID: u16 = 8;

fn widths(inner: u16) -> [u16; 10] {
    let fixed = MARKER + REGION + KIND + CREATED + AGE + FLAGS + ID + 9;
    let flexible = inner.saturating_sub(fixed);
    let tenant = flexible * 3 / 10;
    let name = flexible * 4 / 10;
    let owner = flexible - tenant - name;
    [
        MARKER, tenant, REGION, KIND, name, owner, CREATED, AGE, FLAGS, ID,
    ]
}

fn key_row<'a>(key: &KeyInfo, flags: &str, app: &App, marked: bool, w: &[u16; 10]) -> Row<'a> {
    let at = |i: usize| usize::from(w[i]);
    let tenant = key
        .organization_name
        .as_deref()
        .or(key.tenant.as_ref().map(|t| t.id.as_str()))
        .unwrap_or("home");
    let region = key
        .tenant
        .as_ref()
        .map_or(app.session.region, |t| t.region)
        .code();
    let mark = if marked {
        '✓'
    } else if app.is_own_key(key) {
        '●'
    } else {
        ' '
    };
    Row::new(vec![
        mark.to_string(),
        display_middle(tenant, at(1)),
        region.to_string(),
        display(key.kind.short_label(), at(3)),
        key.name
            .as_deref()
            .map_or_else(|| "-".into(), |n| display(n, at(4))),
        key.owner_email
            .as_deref()
            .or(key.owner_id.as_deref())
            .map_or_else(|| "-".into(), |o| display(o, at(5))),
        key.generated_on.map_or_else(|| "-".into(), date),
        key.age_days(app.now)
            .map_or_else(|| "-".into(), |d| format!("{d}d")),
        flags.to_string(),
        super::text::short_id(key.id.as_deref()),
    ])
}

fn failure_row<'a>(row: &TableRow, app: &App, w: &[u16; 10]) -> Row<'a> {
    let Entry::Unreachable(failure) = &row.entry else {
        return Row::new(Vec::<String>::new());
    };
    let retry = app
        .keymap
        .key_for(Layer::Browse, Action::Refresh)
        .unwrap_or_else(|| "r".into());
    let name = failure.tenant.name.as_deref().unwrap_or(&failure.tenant.id);
    let room = usize::from(w[3] + w[4] + w[5] + w[6] + w[7] + w[8] + w[9] + 6);
    Row::new(vec![
        "✗".to_string(),
        display_middle(name, usize::from(w[1])),
        failure
            .tenant
            .region
            .as_deref()
            .map_or_else(|| "-".into(), |r| display(r, 5)),
        display(
            &format!(
                "could not be read: {} ({retry} reads it again)",
                failure.reason
            ),
            room,
        ),
    ])
}

/// The two lines under the table.
fn progress(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let fleet = &app.fleet;
    if fleet.waiting_for_tenants {
        return vec![Line::styled(
            "waiting for the list of managed tenants…",
            theme.muted,
        )];
    }
    let keys = app.inventory.table.key_count();
    let tenants = fleet.places.saturating_sub(1);
    let mut first = if fleet.running() {
        format!(
            "reading: {} of {} places answered (home and {} tenants), {} keys so far, {} requests",
            thousands(fleet.done),
            thousands(fleet.places),
            thousands(tenants),
            thousands(keys),
            thousands(usize::try_from(fleet.requests).unwrap_or(usize::MAX))
        )
    } else {
        format!(
            "{} keys in the home organizations and {} tenants ({} requests)",
            thousands(keys),
            thousands(tenants),
            thousands(usize::try_from(fleet.requests).unwrap_or(usize::MAX))
        )
    };
    if fleet.failed > 0 {
        let _ = write!(first, " · {} could not be read", fleet.failed);
    }
    let mut second = String::new();
    if !fleet.budgets.is_empty() {
        let budgets: Vec<String> = fleet
            .budgets
            .iter()
            .map(|b| match b.limit {
                Some(limit) => format!("{} {}/{}", b.region, b.remaining, limit),
                None => format!("{} {}", b.region, b.remaining),
            })
            .collect();
        second = format!("budget left: {}", budgets.join(" "));
    }
    if let Some(eta) = fleet.eta() {
        let words = match eta.as_secs() {
            0..=59 => "under a minute left".to_string(),
            secs => format!(
                "about {} min left: the platform allows about 50 requests a minute per key and region",
                secs.div_ceil(60)
            ),
        };
        second = if second.is_empty() {
            words
        } else {
            format!("{second} · {words}")
        };
    }
    if let Some(why) = &fleet.no_tenants {
        second = format!(
            "no tenants ({}): the inventory is this key's own organizations",
            display(why, 80)
        );
    }
    vec![
        Line::styled(first, theme.hint),
        Line::styled(second, theme.muted),
    ]
}

/// Draws the tab into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.inventory;
    let table = &pane.table;
    let progress_rows = cols(INVENTORY_PROGRESS);
    let top = Rect {
        height: area.height.saturating_sub(progress_rows),
        ..area
    };
    let below = Rect {
        y: area.y + top.height,
        height: area.height - top.height,
        ..area
    };
    let count = if table.filter().is_empty() {
        format!("{} rows", thousands(table.len()))
    } else {
        format!(
            "{} of {} match /{}",
            thousands(table.visible_len()),
            thousands(table.len()),
            display(table.filter(), 24)
        )
    };
    let heading = format!(" Inventory · {count} · {} ", sort_words(table));
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(heading, theme.title));
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let w = widths(inner.width);
    let header = Row::new(vec![
        "", "tenant", "region", "kind", "name", "owner", "created", "age", "flags", "id",
    ])
    .style(theme.column_title);
    let selected = table.selected.checked_sub(pane.offset);
    let shown = usize::from(inner.height.saturating_sub(1)).min(app.viewport());
    let body: Vec<Row> = table
        .rows_from(pane.offset, shown)
        .enumerate()
        .map(|(i, row)| {
            let style = if Some(i) == selected {
                theme.row_selected
            } else if row.key().is_none() {
                theme.error
            } else if !row.flags.is_empty() {
                theme.old_key
            } else {
                Style::new()
            };
            match row.key() {
                Some(key) => {
                    let marked = key.id.as_ref().is_some_and(|id| pane.marked.contains(id));
                    key_row(key, &row.flags.words(), app, marked, &w).style(style)
                }
                None => failure_row(row, app, &w).style(style),
            }
        })
        .collect();
    let empty = body.is_empty();
    frame.render_widget(
        Table::new(body, w.map(Constraint::Length))
            .header(header)
            .column_spacing(1),
        inner,
    );
    if empty && inner.height > 1 {
        let words = if table.is_empty() {
            "no keys yet"
        } else {
            "no row matches the filter (esc clears it)"
        };
        let at = Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(Line::styled(words, theme.muted)), at);
    }
    frame.render_widget(
        Paragraph::new(progress(app, theme)).wrap(Wrap { trim: true }),
        below,
    );
}
