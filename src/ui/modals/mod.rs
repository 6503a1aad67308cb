//! The dialogs, drawn centered over the body with `Clear` underneath, so the
//! table behind never shows through. One file per dialog; this one holds
//! the frame they share and the dispatch.

mod bulk;
mod details;
mod export;
mod generate;
mod help;
mod message;
mod reveal;
mod revoke;
mod rotate;
mod tenants;

#[cfg(test)]
pub use reveal::MASK_LEN;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

use crate::app::App;
use crate::app::modal::Modal;

use super::Theme;
use super::text::{cols, wrap};

/// Draws the open dialog, if any, over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    match &app.modal {
        None => {}
        Some(Modal::Help) => help::draw(frame, body, app, theme),
        Some(Modal::Details(key)) => details::draw(frame, body, app, key, theme),
        Some(Modal::Generate(form)) => generate::draw(frame, body, form, theme),
        Some(Modal::Reveal(reveal)) => reveal::draw(frame, body, app, reveal, theme),
        Some(Modal::Revoke(confirm)) => revoke::draw(frame, body, app, confirm, theme),
        Some(Modal::BulkRevoke(bulk)) => bulk::draw(frame, body, bulk, theme),
        Some(Modal::Rotate(rotation)) => rotate::draw(frame, body, app, rotation, theme),
        Some(Modal::Export { path, error }) => {
            export::draw(frame, body, app, path, error.as_deref(), theme);
        }
        Some(Modal::Tenants(picker)) => tenants::draw(frame, body, app, picker, theme),
        Some(Modal::Message {
            title,
            body: text,
            error,
        }) => {
            let text = super::text::masked_prose(app, &theme.mask, text);
            message::draw(frame, body, title, &text, *error, theme);
        }
    }
}

/// A dialog: its frame and its lines, built by each dialog's file.
struct Dialog<'a> {
    title: String,
    /// Width wanted, in columns, borders included.
    width: u16,
    /// Lines of content (borders and padding are added).
    lines: Vec<Line<'a>>,
    /// Red border and title: errors and revokes.
    danger: bool,
}

/// Space a dialog leaves around itself inside the body.
const MARGIN: u16 = 2;
/// Borders plus one column of padding each side.
pub const CHROME: u16 = 4;

/// The widest a dialog may be inside `body`.
fn max_width(body: Rect) -> u16 {
    body.width.saturating_sub(MARGIN * 2).max(20)
}

/// The content width of a dialog `wanted` columns wide inside `body`.
fn content_width(body: Rect, wanted: u16) -> u16 {
    wanted.min(max_width(body)).saturating_sub(CHROME)
}

/// A centered rectangle of at most `width` x `height` inside `within`.
fn centered(within: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(within.width);
    let height = height.min(within.height);
    Rect {
        x: within.x + (within.width - width) / 2,
        y: within.y + (within.height - height) / 2,
        width,
        height,
    }
}

/// Clears the dialog's place, draws its frame and its lines. Lines that do
/// not fit are cut at the bottom (the body is at least 20 rows, which every
/// dialog is laid out for).
fn show(frame: &mut Frame, body: Rect, dialog: Dialog<'_>, theme: &Theme) {
    let height = cols(dialog.lines.len()).saturating_add(2);
    // A dialog as wide as the body (the help) covers it whole.
    let width = if dialog.width >= body.width {
        body.width
    } else {
        dialog.width.min(max_width(body))
    };
    let area = centered(body, width, height);
    let style = if dialog.danger {
        theme.danger
    } else {
        theme.title
    };
    let block = Block::bordered()
        .border_style(style)
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {} ", dialog.title), style));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(dialog.lines), inner);
}

/// Width of the labels on the left of a dialog.
const LABEL: usize = 14;

/// A label and a value wrapped beside it (continuation lines indented).
/// The value must already be sanitized.
fn labelled<'a>(
    label: &str,
    value: &str,
    room: usize,
    theme: &Theme,
    style: Style,
) -> Vec<Line<'a>> {
    let value_room = room.saturating_sub(LABEL).max(8);
    wrap(value, value_room)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let head = if i == 0 {
                format!("{label:<LABEL$}")
            } else {
                " ".repeat(LABEL)
            };
            Line::from(vec![
                Span::styled(head, theme.muted),
                Span::styled(part, style),
            ])
        })
        .collect()
}

/// Prose wrapped to `room`, each paragraph of `text` sanitized on its own.
fn prose<'a>(text: &str, room: usize, style: Style) -> Vec<Line<'a>> {
    super::text::paragraphs(text)
        .iter()
        .flat_map(|p| wrap(p, room))
        .map(|l| Line::styled(l, style))
        .collect()
}
