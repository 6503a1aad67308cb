//! The two bottom rows. The status line says what just happened (or how the
//! listing is going, a wait for the rate budget, or what the table holds and
//! why the tab's main action is not open); the hint line shows the keys in
//! force, or the filter being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::Tab;
use crate::keymap::{Action, Layer};
use crate::sanitize::display;

use super::text::{loading, masked_prose, paragraphs, summary, width};
use super::{Theme, field, hints};

/// Why the tab's generate is not open, in a few words for the status line.
fn generate_note(app: &App) -> Option<String> {
    if app.layer() != Layer::Browse
        || matches!(app.tab, Tab::ThreatCommand | Tab::Inventory | Tab::Audit)
    {
        return None;
    }
    let why = app.refusal(Action::Generate)?;
    let key = app.keymap.key_for(Layer::Browse, Action::Generate)?;
    Some(format!("{key} unavailable: {why}"))
}

/// Draws the status line into `area` (one row).
pub fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let room = usize::from(area.width);
    let first_line = |text: &str| {
        let text = masked_prose(app, &theme.mask, text);
        let first = paragraphs(&text).into_iter().next().unwrap_or_default();
        display(&first, room)
    };
    let line = if let Some(status) = &app.status {
        let style = if status.error { theme.error } else { theme.ok };
        Line::styled(first_line(&status.text), style)
    } else if let Some((region, left)) = app.budget_wait {
        Line::styled(
            first_line(&format!(
                "waiting {left} s for the rate budget at region {region}; the screen stays live"
            )),
            theme.muted,
        )
    } else {
        let Some(pane) = app.pane() else {
            return;
        };
        if let Some(error) = pane.listing.error() {
            Line::styled(first_line(error), theme.error)
        } else if let (Some(words), false) = (loading(&pane.listing), app.tab == Tab::Inventory) {
            Line::styled(words, theme.muted)
        } else {
            let mut text = summary(&pane.table, app.now);
            if let Some(note) = generate_note(app) {
                text = format!("{text} · {note}");
            }
            Line::styled(first_line(&text), theme.hint)
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
