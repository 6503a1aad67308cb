//! `x` with keys marked: revoke them all, confirmed by typing how many. The
//! keys are listed with where each is revoked; once started, each line says
//! how its revoke went, one request after another.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::modal::BulkRevoke;
use crate::sanitize::display;

use super::super::{Theme, field};
use super::{Dialog, content_width, prose, show};

const WIDTH: u16 = 72;

/// Draws the dialog over `body`.
pub fn draw(frame: &mut Frame, body: Rect, bulk: &BulkRevoke, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let count = bulk.items.len();
    let mut lines: Vec<Line> = vec![
        Line::styled(
            format!("{count} keys, each its own request; anything using them stops working."),
            theme.danger,
        ),
        Line::raw(""),
    ];
    // Borders, the two lines above, the blank and prompt below.
    let rows = usize::from(body.height.saturating_sub(8)).max(3);
    let current = bulk.current.map(|(_, at)| at);
    let first = current.unwrap_or(0).saturating_sub(rows / 2);
    for (i, item) in bulk.items.iter().enumerate().skip(first).take(rows) {
        let name = display(
            &theme.mask.text(item.key.name.as_deref().unwrap_or("-")),
            room / 2,
        );
        let place = match &item.target.tenant {
            Some(t) => format!(
                "{} · {}",
                item.target.region,
                display(&theme.mask.id(t), 12)
            ),
            None => item.target.region.to_string(),
        };
        let (state, style) = match (&item.outcome, current == Some(i)) {
            (Some(Ok(())), _) => ("revoked".to_string(), theme.ok),
            (Some(Err(why)), _) => (
                format!("failed: {}", display(&theme.mask.text(why), 40)),
                theme.error,
            ),
            (None, true) => ("revoking…".to_string(), theme.muted),
            (None, false) => (String::new(), theme.hint),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{name}  "), theme.title),
            Span::styled(format!("{} · {place}  ", item.key.kind), theme.muted),
            Span::styled(state, style),
        ]));
    }
    if bulk.items.len() > first + rows {
        lines.push(Line::styled(
            format!("… {} more", bulk.items.len() - first - rows),
            theme.muted,
        ));
    }
    lines.push(Line::raw(""));
    if bulk.finished() {
        let (revoked, failed) = bulk.tally();
        lines.push(Line::styled(
            format!("done: {revoked} revoked, {failed} failed"),
            if failed == 0 { theme.ok } else { theme.error },
        ));
    } else if !bulk.started() {
        lines.push(Line::raw(format!("Type {count} to revoke them:")));
        let mut typed = vec![Span::raw("  ")];
        typed.extend(field::spans(&bulk.typed, 8, true, theme.input));
        lines.push(Line::from(typed));
    }
    if let Some(error) = &bulk.error {
        lines.extend(prose(error, room, theme.error));
    }
    let dialog = Dialog {
        title: format!("Revoke {count} marked keys"),
        width: WIDTH,
        lines,
        danger: true,
    };
    show(frame, body, dialog, theme);
}
