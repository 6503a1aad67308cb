//! Row 1: the tab bar, drawn exactly as `App::on_click` measures it: each
//! `Tab::label()` followed by one `│`, short titles when the full ones do
//! not fit. Changing this layout means changing the mouse hit-testing in the
//! core too.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use strum::IntoEnumIterator;

use crate::app::{App, Tab};

use super::Theme;

/// Draws the tab bar into `area` (one row).
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let compact = Tab::compact_at(area.width.min(app.width));
    let mut spans = Vec::new();
    for tab in Tab::iter() {
        let style = if tab == app.tab {
            theme.tab_selected
        } else {
            theme.tab
        };
        spans.push(Span::styled(tab.label(compact), style));
        spans.push(Span::styled("│", theme.border));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
