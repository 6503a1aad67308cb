//! `e` on the inventory: where to write the visible rows. A `.json` path
//! gets JSON, anything else CSV; metadata only, mode 0600, never over an
//! existing file.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use tui_input::Input;

use crate::app::App;

use super::super::{Theme, field};
use super::{Dialog, content_width, prose, show};

const WIDTH: u16 = 72;

pub fn draw(
    frame: &mut Frame,
    body: Rect,
    app: &App,
    path: &Input,
    error: Option<&str>,
    theme: &Theme,
) {
    let room = usize::from(content_width(body, WIDTH));
    let rows = app.inventory.table.visible_len();
    let mut lines = vec![
        Line::raw(format!(
            "Write the {rows} rows shown (the filter applies) to a file: .json for JSON, else CSV."
        )),
        Line::styled(
            "Key metadata only (never a secret); readable by you alone.",
            theme.muted,
        ),
        Line::raw(""),
    ];
    let mut typed = vec![Span::styled("path  ", theme.muted)];
    typed.extend(field::spans(
        path,
        room.saturating_sub(6),
        true,
        theme.input,
    ));
    lines.push(Line::from(typed));
    if let Some(error) = error {
        lines.push(Line::raw(""));
        lines.extend(prose(error, room, theme.error));
    }
    show(
        frame,
        body,
        Dialog {
            title: "Export the inventory".to_string(),
            width: WIDTH,
            lines,
            danger: false,
        },
        theme,
    );
}
