//! Row 1: the tab bar, drawn exactly as `App::on_click` measures it: each
//! `Tab::label()` followed by one `│`. Changing this layout means changing the
//! mouse hit-testing in the core too.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Tab};

use super::Theme;

/// Draws the tab bar into `area` (one row).
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::with_capacity(Tab::ALL.len() * 2);
    for tab in Tab::ALL {
        let style = if tab == app.tab {
            theme.tab_selected
        } else {
            theme.tab
        };
        spans.push(Span::styled(tab.label(), style));
        spans.push(Span::styled("│", theme.border));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
