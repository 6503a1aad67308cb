//! The drawing layer: pure functions from `&App` to a frame. Nothing here
//! mutates the state or performs I/O; the runtime calls [`draw`] whenever
//! something changed.
//!
//! The screen, top to bottom (the core's `TABLE_TOP`/`TABLE_BOTTOM` and the
//! mouse hit-testing in `App::on_click` depend on it):
//!
//! | row | what |
//! |---|---|
//! | 0 | header: profile, region, tenant, who, read-only badge, rate budget |
//! | 1 | tab bar: each `Tab::label()` followed by `│` |
//! | 2 ..= height-3 | the tab's bordered block (column titles on row 3, rows from 4) |
//! | height-2 | status line |
//! | height-1 | key hints, or the filter being typed |
//!
//! Dialogs are drawn last, centered over the body. Every string that came
//! from a server passes through `sanitize::display` (or `sanitize`) first.

mod audit;
mod field;
mod footer;
mod header;
mod hints;
mod inventory;
mod keys_table;
mod modals;
mod multi_tenant;
mod tabs;
mod text;
pub mod theme;
mod threat_command;

#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{App, MIN_HEIGHT, MIN_WIDTH, Tab};

pub use theme::Theme;

/// The four regions of a normal screen.
struct Areas {
    header: Rect,
    tabs: Rect,
    body: Rect,
    status: Rect,
    hints: Rect,
}

/// Splits the screen by fixed rows (not a constraint solver), so the rows
/// are exactly where the core's hit-testing expects them.
fn areas(area: Rect) -> Areas {
    let row = |y: u16, height: u16| Rect {
        x: area.x,
        y: area.y + y,
        width: area.width,
        height,
    };
    Areas {
        header: row(0, 1),
        tabs: row(1, 1),
        body: row(2, area.height - 4),
        status: row(area.height - 2, 1),
        hints: row(area.height - 1, 1),
    }
}

/// Draws the whole console for `app` into `frame`.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let width = area.width.min(app.width);
    let height = area.height.min(app.height);
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        too_small(frame, area, width, height, theme);
        return;
    }
    let at = areas(area);
    header::draw(frame, at.header, app, theme);
    tabs::draw(frame, at.tabs, app, theme);
    match app.tab {
        Tab::User => keys_table::draw(
            frame,
            at.body,
            app,
            &app.user,
            Tab::User.title(),
            false,
            theme,
        ),
        Tab::Organization => keys_table::draw(
            frame,
            at.body,
            app,
            &app.organization,
            Tab::Organization.title(),
            false,
            theme,
        ),
        Tab::MultiTenant => multi_tenant::draw(frame, at.body, app, theme),
        Tab::ThreatCommand => threat_command::draw(frame, at.body, app, theme),
        Tab::Inventory => inventory::draw(frame, at.body, app, theme),
        Tab::Audit => audit::draw(frame, at.body, app, theme),
    }
    footer::draw_status(frame, at.status, app, theme);
    footer::draw_hints(frame, at.hints, app, theme);
    modals::draw(frame, at.body, app, theme);
}

/// The only thing drawn when the terminal is smaller than the console needs:
/// a half-drawn table would hide rows the keys still act on.
fn too_small(frame: &mut Frame, area: Rect, width: u16, height: u16, theme: &Theme) {
    let words =
        format!("Terminal too small: {width}x{height}, r7keys needs {MIN_WIDTH}x{MIN_HEIGHT}");
    let lines = text::wrap(&words, usize::from(area.width));
    let rows = text::cols(lines.len()).min(area.height);
    let middle = Rect {
        y: area.y + (area.height - rows) / 2,
        height: rows,
        ..area
    };
    let lines: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .style(theme.error)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        middle,
    );
}
