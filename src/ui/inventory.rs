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
use ratatui::widgets::{Block, Paragraph, Row, Table};

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
const KIND: u16 = 8;
const CREATED: u16 = 10;
const AGE: u16 = 5;
const FLAGS: u16 = 18;
const ID: u16 = 8;

/// The columns shown, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Marker,
    Tenant,
    Region,
    Kind,
    Name,
    Owner,
    Created,
    Age,
    Flags,
    Id,
}

/// The columns and their widths for `inner` columns of room: below 110,
/// owner, created and id give way, so tenant and name stay readable.
fn layout(inner: u16) -> Vec<(Col, u16)> {
    let wide = inner >= 110;
    let mut fixed = vec![
        (Col::Marker, MARKER),
        (Col::Region, REGION),
        (Col::Kind, KIND),
        (Col::Age, AGE),
        (Col::Flags, if wide { FLAGS } else { 16 }),
    ];
    if wide {
        fixed.extend([(Col::Created, CREATED), (Col::Id, ID)]);
    }
    let flexible_cols: u16 = if wide { 3 } else { 2 };
    let gaps = u16::try_from(fixed.len()).unwrap_or(0) + flexible_cols - 1;
    let used: u16 = fixed.iter().map(|(_, w)| *w).sum::<u16>() + gaps;
    let flexible = inner.saturating_sub(used);
    let (tenant, name, owner) = if wide {
        let tenant = flexible * 3 / 10;
        let name = flexible * 4 / 10;
        (tenant, name, flexible - tenant - name)
    } else {
        let tenant = flexible * 2 / 5;
        (tenant, flexible - tenant, 0)
    };
    let width = |col: Col| match col {
        Col::Tenant => tenant,
        Col::Name => name,
        Col::Owner => owner,
        other => fixed
            .iter()
            .find(|(c, _)| *c == other)
            .map_or(0, |(_, w)| *w),
    };
    let order: &[Col] = if wide {
        &[
            Col::Marker,
            Col::Tenant,
            Col::Region,
            Col::Kind,
            Col::Name,
            Col::Owner,
            Col::Created,
            Col::Age,
            Col::Flags,
            Col::Id,
        ]
    } else {
        &[
            Col::Marker,
            Col::Tenant,
            Col::Region,
            Col::Kind,
            Col::Name,
            Col::Age,
            Col::Flags,
        ]
    };
    order.iter().map(|c| (*c, width(*c))).collect()
}

fn title(col: Col) -> &'static str {
    match col {
        Col::Marker => "",
        Col::Tenant => "tenant",
        Col::Region => "region",
        Col::Kind => "kind",
        Col::Name => "name",
        Col::Owner => "owner",
        Col::Created => "created",
        Col::Age => "age",
        Col::Flags => "flags",
        Col::Id => "id",
    }
}

fn key_row<'a>(
    key: &KeyInfo,
    flags: &str,
    app: &App,
    marked: bool,
    cols: &[(Col, u16)],
    theme: &Theme,
) -> Row<'a> {
    let mask = &theme.mask;
    let cell = |col: Col, room: u16| -> String {
        let room = usize::from(room);
        match col {
            Col::Marker => if marked {
                "✓"
            } else if app.is_own_key(key) {
                "●"
            } else {
                " "
            }
            .to_string(),
            Col::Tenant => display_middle(
                &match (&key.organization_name, &key.tenant) {
                    (Some(name), _) => mask.org(name),
                    (None, Some(tenant)) => mask.id(&tenant.id),
                    (None, None) => "home".into(),
                },
                room,
            ),
            Col::Region => key
                .tenant
                .as_ref()
                .map_or(app.session.region, |t| t.region)
                .code()
                .to_string(),
            Col::Kind => display(key.kind.short_label(), room),
            Col::Name => key
                .name
                .as_deref()
                .map_or_else(|| "-".into(), |n| display(&mask.text(n), room)),
            Col::Owner => key
                .owner_email
                .as_deref()
                .or(key.owner_id.as_deref())
                .map_or_else(|| "-".into(), |o| display(&mask.owner(o), room)),
            Col::Created => key.generated_on.map_or_else(|| "-".into(), date),
            Col::Age => key
                .age_days(app.now)
                .map_or_else(|| "-".into(), |d| format!("{d}d")),
            Col::Flags => display(flags, room),
            Col::Id => super::text::short_id(key.id.as_deref().map(|id| mask.id(id)).as_deref()),
        }
    };
    Row::new(cols.iter().map(|(c, w)| cell(*c, *w)).collect::<Vec<_>>())
}

fn failure_row<'a>(row: &TableRow, app: &App, cols: &[(Col, u16)], theme: &Theme) -> Row<'a> {
    let Entry::Unreachable(failure) = &row.entry else {
        return Row::new(Vec::<String>::new());
    };
    let retry = app
        .keymap
        .key_for(Layer::Browse, Action::Refresh)
        .unwrap_or_else(|| "r".into());
    let name = match &failure.tenant.name {
        // The home row's name is the console's own words, not a tenant's.
        Some(name) if name == "home organizations" => name.into(),
        Some(name) => theme.mask.org(name),
        None => theme.mask.id(&failure.tenant.id),
    };
    let width = |col: Col| cols.iter().find(|(c, _)| *c == col).map_or(0, |(_, w)| *w);
    // The reason is drawn over the columns after the region (see `draw`).
    let _ = retry;
    Row::new(vec![
        "✗".to_string(),
        display_middle(&name, usize::from(width(Col::Tenant))),
        failure
            .tenant
            .region
            .as_deref()
            .map_or_else(|| "-".into(), |r| display(r, 6)),
    ])
}

/// Why a tenant could not be read, for the room after its region.
fn failure_reason(row: &TableRow, app: &App, room: usize, theme: &Theme) -> String {
    let Entry::Unreachable(failure) = &row.entry else {
        return String::new();
    };
    let retry = app
        .keymap
        .key_for(Layer::Browse, Action::Refresh)
        .unwrap_or_else(|| "r".into());
    display(
        &format!(
            "could not be read ({retry} reads it again): {}",
            theme.mask.text(&failure.reason)
        ),
        room,
    )
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
    let keys = thousands(app.inventory.table.key_count());
    let tenants = thousands(fleet.places.saturating_sub(1));
    let requests = thousands(usize::try_from(fleet.requests).unwrap_or(usize::MAX));
    let narrow = app.width < 110;
    let mut first = match (fleet.running(), narrow) {
        (true, false) => format!(
            "reading: {} of {} places (home and {tenants} tenants) · {keys} keys so far · {requests} requests",
            thousands(fleet.done),
            thousands(fleet.places),
        ),
        (true, true) => format!(
            "reading {}/{} places ({tenants} tenants) · {keys} keys · {requests} requests",
            thousands(fleet.done),
            thousands(fleet.places),
        ),
        (false, false) => format!(
            "{keys} keys in the home organizations and {tenants} tenants · {requests} requests"
        ),
        (false, true) => format!("{keys} keys, home and {tenants} tenants · {requests} requests"),
    };
    if fleet.failed > 0 {
        let _ = write!(first, " · {} failed", fleet.failed);
    }
    let mut second: Vec<String> = Vec::new();
    if let Some(why) = &fleet.no_tenants {
        second.push(format!(
            "no tenants ({}): the inventory is this key's own organizations",
            display(&theme.mask.text(why), 80)
        ));
    }
    if !fleet.budgets.is_empty() {
        let budgets: Vec<String> = fleet
            .budgets
            .iter()
            .map(|b| match b.limit {
                Some(limit) => format!("{} {}/{}", b.region, b.remaining, limit),
                None => format!("{} {}", b.region, b.remaining),
            })
            .collect();
        second.push(format!("budget left: {}", budgets.join(" ")));
    }
    if let Some(eta) = fleet.eta() {
        second.push(match eta.as_secs() {
            0..=59 => "under a minute left".to_string(),
            secs => format!(
                "about {} min left at about 50 requests a minute per key and region",
                secs.div_ceil(60)
            ),
        });
    }
    vec![
        Line::styled(first, theme.hint),
        Line::styled(second.join(" · "), theme.muted),
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
    let columns = layout(inner.width);
    let header = Row::new(columns.iter().map(|(c, _)| title(*c)).collect::<Vec<_>>())
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
                    key_row(key, &row.flags.words(), app, marked, &columns, theme).style(style)
                }
                None => failure_row(row, app, &columns, theme).style(style),
            }
        })
        .collect();
    let empty = body.is_empty();
    frame.render_widget(
        Table::new(body, columns.iter().map(|(_, w)| Constraint::Length(*w)))
            .header(header)
            .column_spacing(1),
        inner,
    );
    draw_reasons(frame, inner, app, &columns, shown, selected, theme);
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
    frame.render_widget(Paragraph::new(progress(app, theme)), below);
}

/// A tenant that could not be read says why across the key columns.
fn draw_reasons(
    frame: &mut Frame,
    inner: Rect,
    app: &App,
    columns: &[(Col, u16)],
    shown: usize,
    selected: Option<usize>,
    theme: &Theme,
) {
    let pane = &app.inventory;
    let table = &pane.table;
    let before: u16 = columns
        .iter()
        .take_while(|(c, _)| *c != Col::Kind)
        .map(|(_, w)| *w + 1)
        .sum();
    for (i, row) in table.rows_from(pane.offset, shown).enumerate() {
        if row.key().is_some() {
            continue;
        }
        let at = Rect {
            x: inner.x + before,
            y: inner.y + 1 + cols(i),
            width: inner.width.saturating_sub(before),
            height: 1,
        };
        let style = if Some(i) == selected {
            theme.row_selected
        } else {
            theme.error
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                failure_reason(row, app, usize::from(at.width), theme),
                style,
            )),
            at,
        );
    }
}
