//! A block of keys: the user and organization tabs, and the top half of the
//! multi-tenant tab. Only the rows on screen are built (`KeyTable::window`),
//! so a table of 100,000 keys draws as fast as one of ten.
//!
//! The block's top border is the row above the column titles, and the data
//! rows start right below the titles: `TABLE_TOP` in the core, which the
//! mouse hit-testing and paging rely on.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use crate::api::KeyInfo;
use crate::app::table::{Column, KeyTable};
use crate::app::{App, Progress};
use crate::keymap::{Action, Layer};
use crate::sanitize::display;

use super::Theme;
use super::text::{
    OLD_DAYS, arrow, cols, count_words, date, field, loading, paragraphs, short_id, sort_words,
    width,
};

/// Fixed widths: marker, created (`2024-03-01`), short id.
const MARKER: u16 = 1;
const CREATED: u16 = 10;
const ID: u16 = 8;
const GAPS: u16 = 7;

/// The widths of the eight columns for `inner` columns of room. Kind and age
/// are as wide as the rows on screen need; name, organization and owner
/// share the rest (the name gets the most), so 80 columns fit and wider
/// terminals show more of the names.
fn widths(inner: u16, kind: u16, age: u16) -> [u16; 8] {
    let flexible = inner.saturating_sub(MARKER + kind + CREATED + age + ID + GAPS);
    let name = flexible * 2 / 5;
    let org = flexible * 3 / 10;
    let owner = flexible - name - org;
    [MARKER, name, kind, org, owner, CREATED, age, ID]
}

/// A column title, with the sort arrow when the table is sorted by it, cut
/// to the column.
fn title(table: &KeyTable, column: Column, room: u16) -> String {
    let mut text = column.title().to_string();
    if column == Column::Organization && width(&text) + 2 > usize::from(room) {
        text = "org".to_string();
    }
    if table.sort == column {
        text = format!("{text} {}", arrow(table.ascending));
    }
    display(&text, usize::from(room))
}

/// Whether a key is old enough to flag.
fn is_old(key: &KeyInfo, app: &App) -> bool {
    key.age_days(app.now).is_some_and(|d| d > OLD_DAYS)
}

fn age_words(key: &KeyInfo, app: &App) -> String {
    key.age_days(app.now)
        .map_or_else(|| "-".to_string(), |d| format!("{d}d"))
}

/// One table row: every server string through `display`.
fn row<'a>(key: &KeyInfo, app: &App, w: &[u16; 8]) -> Row<'a> {
    let at = |i: usize| usize::from(w[i]);
    let org = key
        .organization_name
        .as_deref()
        .or(key.organization_id.as_deref());
    let owner = key.owner_email.as_deref().or(key.owner_id.as_deref());
    Row::new(vec![
        if is_old(key, app) { "!" } else { " " }.to_string(),
        field(key.name.as_deref(), at(1)),
        display(key.kind.label(), at(2)),
        field(org, at(3)),
        field(owner, at(4)),
        key.generated_on.map_or_else(|| "-".to_string(), date),
        age_words(key, app),
        short_id(key.id.as_deref()),
    ])
}

/// Draws a block of keys: title with what, count and sort; column titles;
/// the rows at `app.offset()`; or, when there is nothing to show, why.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    table: &KeyTable,
    progress: &Progress,
    what: &str,
    theme: &Theme,
) {
    let heading = format!(
        " {what} · {} · {} ",
        count_words(table, progress),
        sort_words(table)
    );
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(heading, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let rows: Vec<&KeyInfo> = table
        .window(app.offset(), app.viewport())
        .take(usize::from(inner.height.saturating_sub(1)))
        .collect();
    let kind = rows
        .iter()
        .map(|k| cols(width(&display(k.kind.label(), 12))))
        .chain([cols(width(&title(table, Column::Kind, 12)))])
        .max()
        .unwrap_or(4);
    let age = rows
        .iter()
        .map(|k| cols(width(&age_words(k, app))))
        .chain([3])
        .max()
        .unwrap_or(3);
    let w = widths(inner.width, kind, age);
    let header = Row::new(vec![
        String::new(),
        title(table, Column::Name, w[1]),
        title(table, Column::Kind, w[2]),
        title(table, Column::Organization, w[3]),
        title(table, Column::Owner, w[4]),
        title(table, Column::Created, w[5]),
        "age".to_string(),
        "id".to_string(),
    ])
    .style(theme.column_title);

    let selected = table.selected.checked_sub(app.offset());
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let style = if Some(i) == selected {
                theme.row_selected
            } else if is_old(key, app) {
                theme.old_key
            } else {
                ratatui::style::Style::new()
            };
            row(key, app, &w).style(style)
        })
        .collect();
    let widget = Table::new(body, w.map(Constraint::Length))
        .header(header)
        .column_spacing(1);
    frame.render_widget(widget, inner);

    if rows.is_empty() {
        let below = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(empty_words(app, table, progress, theme)).wrap(Wrap { trim: false }),
            below,
        );
    }
}

/// Why a table shows no rows: still loading, failed, filtered out, or empty.
fn empty_words<'a>(
    app: &App,
    table: &KeyTable,
    progress: &Progress,
    theme: &Theme,
) -> Vec<Line<'a>> {
    if !table.is_empty() {
        let clear = app
            .keymap
            .key_for(Layer::Browse, Action::ClearFilter)
            .unwrap_or_else(|| "esc".into());
        return vec![
            Line::from(format!("no key matches /{}", display(table.filter(), 40))),
            Line::styled(format!("press {clear} to clear the filter"), theme.muted),
        ];
    }
    if let Some(error) = &progress.error {
        return paragraphs(error)
            .into_iter()
            .map(|l| Line::styled(l, theme.error))
            .collect();
    }
    let words = loading(progress).unwrap_or_else(|| "no keys".to_string());
    vec![Line::styled(words, theme.muted)]
}
