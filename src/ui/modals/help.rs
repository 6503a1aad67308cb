//! `?`: the keys in force, generated from the live keymap (defaults plus the
//! user's file), layer by layer, in as many columns as the screen needs, so
//! the whole map fits on one screen even at 80x24.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::keymap::{Action, Layer};

use super::super::Theme;
use super::super::hints::{all_keys, words};
use super::super::text::{cols, unique_keys, width};
use super::{CHROME, Dialog, show};

/// The layers worth explaining, with a heading each; the two confirmation
/// layers share one. Help, message and details dialogs only close (and
/// details offers revoke), which their own footer hints say.
const SECTIONS: [(&str, Layer); 7] = [
    ("browsing", Layer::Browse),
    ("filter bar", Layer::Filter),
    ("generate dialog", Layer::Generate),
    ("new key", Layer::Reveal),
    ("confirmations", Layer::Confirm),
    ("", Layer::ConfirmTyped),
    ("tenant picker", Layer::Tenants),
];

/// The tab-number actions, shown as one entry.
const TAB_NUMBERS: [Action; 6] = [
    Action::TabUser,
    Action::TabOrganization,
    Action::TabMultiTenant,
    Action::TabThreatCommand,
    Action::TabInventory,
    Action::TabAudit,
];

/// One line of the help: a heading or a key with its words.
enum Entry {
    Heading(String),
    Key(String, String),
    Blank,
}

/// The entries of one layer, from the keymap.
fn entries(app: &App, layer: Layer) -> Vec<Entry> {
    let merge_arrows = matches!(layer, Layer::Generate | Layer::Tenants);
    let mut out = Vec::new();
    for (_, action) in app.keymap.bindings(layer) {
        if app.session.read_only && matches!(action, Action::Generate | Action::Revoke) {
            continue;
        }
        if TAB_NUMBERS[1..].contains(&action) || (merge_arrows && action == Action::Down) {
            continue;
        }
        let keys = if action == Action::TabUser {
            TAB_NUMBERS
                .iter()
                .filter_map(|a| all_keys(app, layer, *a))
                .collect::<Vec<_>>()
                .join("/")
        } else if merge_arrows && action == Action::Up {
            [Action::Up, Action::Down]
                .iter()
                .filter_map(|a| all_keys(app, layer, *a))
                .collect::<Vec<_>>()
                .join("/")
        } else {
            all_keys(app, layer, action).unwrap_or_default()
        };
        let what = match action {
            Action::TabUser => "go to tab",
            _ => words(app, layer, action),
        };
        // Marked as the footer marks it: not open here, now.
        let unavailable = layer == Layer::Browse && !app.access(action).is_open();
        let mark = if unavailable { "✗" } else { "" };
        out.push(Entry::Key(keys, format!("{mark}{what}")));
    }
    out
}

/// Lays the entries out column by column, `rows` high: a heading never
/// ends a column, a group that goes on in the next column is headed there
/// again (`browsing, cont.`), and with `gaps` a heading after other entries
/// gets a blank line above it.
fn columns(all: &[Entry], rows: usize, gaps: bool) -> Vec<Vec<Entry>> {
    let mut out: Vec<Vec<Entry>> = vec![Vec::new()];
    let mut group: Option<&str> = None;
    for entry in all {
        let heading = matches!(entry, Entry::Heading(_));
        let used = out.last().map_or(0, Vec::len);
        let gap = heading && gaps && used > 0;
        let needed = usize::from(gap) + if heading { 2 } else { 1 };
        if used > 0 && used + needed > rows {
            out.push(Vec::new());
            if let (false, Some(name)) = (heading, group) {
                if let Some(column) = out.last_mut() {
                    column.push(Entry::Heading(format!("{name}, cont.")));
                }
            }
        }
        if let Entry::Heading(name) = entry {
            group = Some(name.as_str());
        }
        if let Some(column) = out.last_mut() {
            if heading && gaps && !column.is_empty() {
                column.push(Entry::Blank);
            }
            column.push(match entry {
                Entry::Heading(h) => Entry::Heading(h.clone()),
                Entry::Key(k, w) => Entry::Key(k.clone(), w.clone()),
                Entry::Blank => Entry::Blank,
            });
        }
    }
    out
}

/// `text` cut (with `…`) or padded to exactly `room` columns.
fn cell(text: &str, room: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room {
            out.pop();
            out.push('…');
            break;
        }
        used += w;
        out.push(c);
    }
    let used = width(&out);
    out.push_str(&" ".repeat(room.saturating_sub(used)));
    out
}

/// A column's key width and total width when nothing is cut.
fn natural(column: &[Entry]) -> (usize, usize) {
    let (mut keys, mut words, mut headings) = (0, 0, 0);
    for entry in column {
        match entry {
            Entry::Heading(h) => headings = headings.max(width(h)),
            Entry::Key(k, w) => {
                keys = keys.max(width(k));
                words = words.max(width(w));
            }
            Entry::Blank => {}
        }
    }
    (keys, headings.max(keys + 1 + words))
}

/// Why the browse actions marked `✗` are not open: a line each.
fn unavailable(app: &App) -> Vec<String> {
    let mut seen = Vec::new();
    for (keys, action) in app.keymap.bindings(Layer::Browse) {
        if let Some(why) = app.access(action).reason() {
            let line = format!("✗ {} {}: {why}", unique_keys(&keys), action.describe());
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
    }
    seen
}

/// Draws the help over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let mut all = Vec::new();
    for (heading, layer) in SECTIONS {
        let keys = entries(app, layer);
        if keys.is_empty() {
            continue;
        }
        if !heading.is_empty() {
            all.push(Entry::Heading(heading.to_string()));
        }
        all.extend(keys);
    }
    let reasons = unavailable(app);
    let rows = usize::from(body.height.saturating_sub(2 + cols(reasons.len()))).max(1);
    let room = usize::from(body.width.saturating_sub(CHROME));
    // Blank lines between sections when they fit in three columns.
    let spaced = columns(&all, rows, true);
    let columns = if spaced.len() <= 3 {
        spaced
    } else {
        columns(&all, rows, false)
    };
    let naturals: Vec<(usize, usize)> = columns.iter().map(|c| natural(c)).collect();
    let gaps = 2 * columns.len().saturating_sub(1);
    let fits = naturals.iter().map(|n| n.1).sum::<usize>() + gaps <= room;
    let even = room.saturating_sub(gaps) / columns.len().max(1);
    let mut lines: Vec<Vec<Span>> = vec![Vec::new(); rows];
    for (i, column) in columns.iter().enumerate() {
        let (key_width, natural_width) = naturals[i];
        let column_width = if fits { natural_width } else { even };
        let key_width = key_width.min(column_width / 2);
        let what_width = column_width.saturating_sub(key_width + 1);
        let gap = if i + 1 < columns.len() { "  " } else { "" };
        for (row, line) in lines.iter_mut().enumerate() {
            match column.get(row) {
                Some(Entry::Heading(h)) => {
                    line.push(Span::styled(cell(h, column_width), theme.title));
                }
                Some(Entry::Key(keys, what)) => {
                    line.push(Span::styled(cell(keys, key_width), theme.hint_key));
                    line.push(Span::styled(
                        format!(" {}", cell(what, what_width)),
                        theme.hint,
                    ));
                }
                Some(Entry::Blank) | None => line.push(Span::raw(" ".repeat(column_width))),
            }
            line.push(Span::raw(gap));
        }
    }
    let used = columns.iter().map(Vec::len).max().unwrap_or(0);
    lines.truncate(used);
    let mut lines: Vec<Line> = lines.into_iter().map(Line::from).collect();
    for reason in reasons {
        lines.push(Line::styled(cell(&reason, room), theme.muted));
    }
    let dialog = Dialog {
        title: "keys in force".to_string(),
        width: body.width,
        lines,
        danger: false,
    };
    show(frame, body, dialog, theme);
}
