//! A block of keys: the user and organization tabs, and the top half of the
//! multi-tenant tab. Only the rows on screen are built (`KeyTable::window`),
//! so a table of 100,000 keys draws as fast as one of ten.
//!
//! The block's top border is the row above the column titles, and the data
//! rows start right below the titles: `TABLE_TOP` in the core, which the
//! mouse hit-testing and paging rely on.
//!
//! The first column marks a row without colour: `✓` marked for a bulk
//! revoke, `●` the key this console runs as, `!` older than 90 days.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use crate::api::KeyInfo;
use crate::app::table::{Column, KeyTable};
use crate::app::{App, Pane};
use crate::keymap::{Action, Layer};
use crate::sanitize::{display, display_middle};

use super::Theme;
use super::text::{
    OLD_DAYS, arrow, cols, count_words, date, field, loading, paragraphs, short_id, sort_words,
    width,
};

/// Fixed widths: markers, created (`2024-03-01`), short id.
const MARKER: u16 = 2;
const CREATED: u16 = 10;
const ID: u16 = 8;

/// The columns of a block, and their widths.
struct Layout {
    kind: Option<u16>,
    widths: Vec<u16>,
}

/// The widths of the columns for `inner` columns of room. Kind (when shown)
/// and age are as wide as the rows on screen need; name, organization and
/// owner share the rest (the name gets the most), so 80 columns fit and
/// wider terminals show more of the names.
fn layout(inner: u16, kind: Option<u16>, age: u16) -> Layout {
    let columns = if kind.is_some() { 8 } else { 7 };
    let gaps = columns - 1;
    let fixed = MARKER + kind.unwrap_or(0) + CREATED + age + ID + gaps;
    let flexible = inner.saturating_sub(fixed);
    let name = flexible * 2 / 5;
    let org = flexible * 3 / 10;
    let owner = flexible - name - org;
    let mut widths = vec![MARKER, name];
    widths.extend(kind);
    widths.extend([org, owner, CREATED, age, ID]);
    Layout { kind, widths }
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

/// The marker cell: marked, own key, old.
fn markers(key: &KeyInfo, app: &App, pane: &Pane) -> String {
    let marked = key.id.as_ref().is_some_and(|id| pane.marked.contains(id));
    let first = if marked {
        '✓'
    } else if app.is_own_key(key) {
        '●'
    } else {
        ' '
    };
    let second = if is_old(key, app) { '!' } else { ' ' };
    format!("{first}{second}")
}

/// One table row: every server string through `display`, and through the
/// screen-share mask first.
fn row<'a>(key: &KeyInfo, app: &App, pane: &Pane, layout: &Layout, theme: &Theme) -> Row<'a> {
    let w = &layout.widths;
    let at = |i: usize| usize::from(w[i]);
    let mask = &theme.mask;
    let org = masked_org(key, theme);
    let owner = key
        .owner_email
        .as_deref()
        .or(key.owner_id.as_deref())
        .map(|o| mask.owner(o));
    let name = key.name.as_deref().map(|n| mask.text(n));
    let mut cells = vec![markers(key, app, pane), field(name.as_deref(), at(1))];
    let mut next = 2;
    if layout.kind.is_some() {
        cells.push(display(key.kind.label(), at(2)));
        next = 3;
    }
    cells.extend([
        org.map_or_else(|| "-".to_string(), |o| display_middle(&o, at(next))),
        field(owner.as_deref(), at(next + 1)),
        key.generated_on.map_or_else(|| "-".to_string(), date),
        age_words(key, app),
        short_id(key.id.as_deref().map(|id| mask.id(id)).as_deref()),
    ]);
    Row::new(cells)
}

/// A key's organization as drawn: its name, else its id, each masked.
pub(super) fn masked_org<'k>(key: &'k KeyInfo, theme: &Theme) -> Option<Cow<'k, str>> {
    match (&key.organization_name, &key.organization_id) {
        (Some(name), _) => Some(theme.mask.org(name)),
        (None, Some(id)) => Some(theme.mask.id(id)),
        (None, None) => None,
    }
}

/// Draws a block of keys: title with what, count and sort; column titles;
/// the rows at the pane's offset; or, when there is nothing to show, why.
/// `show_kind` is false for a tab of one kind (its kind column would say
/// the same on every row), unless some key is of a kind r7keys does not know.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    pane: &Pane,
    what: &str,
    show_kind: bool,
    theme: &Theme,
) {
    let table = &pane.table;
    let marked = if pane.marked.is_empty() {
        String::new()
    } else {
        format!(" · {} marked", pane.marked.len())
    };
    let heading = format!(
        " {what} · {}{marked} · {} ",
        count_words(table, &pane.listing),
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
        .window(pane.offset, app.viewport())
        .take(usize::from(inner.height.saturating_sub(1)))
        .collect();
    let show_kind = show_kind || table.has_unknown_kinds();
    let kind = show_kind.then(|| {
        rows.iter()
            .map(|k| cols(width(&display(k.kind.label(), 12))))
            .chain([cols(width(&title(table, Column::Kind, 12)))])
            .max()
            .unwrap_or(4)
    });
    let age = rows
        .iter()
        .map(|k| cols(width(&age_words(k, app))))
        .chain([3])
        .max()
        .unwrap_or(3);
    let layout = layout(inner.width, kind, age);
    let w = &layout.widths;
    let mut titles = vec![String::new(), title(table, Column::Name, w[1])];
    let mut next = 2;
    if layout.kind.is_some() {
        titles.push(title(table, Column::Kind, w[2]));
        next = 3;
    }
    titles.extend([
        title(table, Column::Organization, w[next]),
        title(table, Column::Owner, w[next + 1]),
        title(table, Column::Created, w[next + 2]),
        "age".to_string(),
        "id".to_string(),
    ]);
    let header = Row::new(titles).style(theme.column_title);

    let selected = table.selected.checked_sub(pane.offset);
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
            row(key, app, pane, &layout, theme).style(style)
        })
        .collect();
    let widget = Table::new(body, layout.widths.iter().map(|w| Constraint::Length(*w)))
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
            Paragraph::new(empty_words(app, pane, theme)).wrap(Wrap { trim: false }),
            below,
        );
    }
}

/// Why a table shows no rows: still loading, failed, filtered out, or empty.
fn empty_words<'a>(app: &App, pane: &Pane, theme: &Theme) -> Vec<Line<'a>> {
    let table = &pane.table;
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
    if let Some(error) = pane.listing.error() {
        return paragraphs(&theme.mask.text(error))
            .into_iter()
            .map(|l| Line::styled(l, theme.error))
            .collect();
    }
    let words = loading(&pane.listing).unwrap_or_else(|| "no keys".to_string());
    vec![Line::styled(words, theme.muted)]
}
