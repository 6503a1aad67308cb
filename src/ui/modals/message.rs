//! A message from the core (a failed authentication, a lost secret): its
//! title and its paragraphs, wrapped, framed in red when it is an error.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::sanitize::display;

use super::super::Theme;
use super::{Dialog, content_width, prose, show};

const WIDTH: u16 = 72;

/// Draws the message over `body`.
pub fn draw(frame: &mut Frame, body: Rect, title: &str, text: &str, error: bool, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let style = if error { theme.error } else { theme.hint };
    let dialog = Dialog {
        title: display(title, room),
        width: WIDTH,
        lines: prose(text, room, style),
        danger: error,
    };
    show(frame, body, dialog, theme);
}
