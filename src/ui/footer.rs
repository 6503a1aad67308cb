//! The two bottom rows. The status line says what just happened (or how the
//! listing is going, or what the table holds); the hint line shows the keys
//! in force, or the filter being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Tab};
use crate::keymap::Layer;
use crate::sanitize::display;

use super::text::{loading, paragraphs, summary, width};
use super::{Theme, field, hints};

/// Draws the status line into `area` (one row).
pub fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let room = usize::from(area.width);
    let first_line = |text: &str| {
        let first = paragraphs(text).into_iter().next().unwrap_or_default();
        display(&first, room)
    };
    let line = if let Some(status) = &app.status {
        let style = if status.error { theme.error } else { theme.ok };
        Line::styled(first_line(&status.text), style)
    } else {
        let (table, progress) = match app.tab {
            Tab::MultiTenant => (&app.multi_tenant, app.multi_tenant_progress()),
            Tab::ThreatCommand => return,
            _ => (app.table().unwrap_or(&app.user), &app.context_progress),
        };
        if let Some(error) = &progress.error {
            Line::styled(first_line(error), theme.error)
        } else if let Some(words) = loading(progress) {
            Line::styled(words, theme.muted)
        } else {
            Line::styled(summary(table, app.now), theme.hint)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Draws the hint line into `area` (one row): the filter being typed, or
/// the keys of the layer in force.
pub fn draw_hints(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let room = usize::from(area.width);
    let layer = app.layer();
    let line = match &app.filter_input {
        Some(input) if layer == Layer::Filter => {
            let keys = hints::line(&hints::hints(app, layer), room / 2, theme);
            let keys_width: usize = keys.spans.iter().map(|s| width(&s.content)).sum();
            let mut spans = vec![Span::styled("/", theme.hint_key)];
            spans.extend(field::spans(
                input,
                room.saturating_sub(keys_width + 3),
                true,
                theme.input,
            ));
            spans.push(Span::raw("  "));
            spans.extend(keys.spans);
            Line::from(spans)
        }
        _ => hints::line(&hints::hints(app, layer), room, theme),
    };
    frame.render_widget(Paragraph::new(line), area);
}
