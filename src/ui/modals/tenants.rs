//! `o`: choose the tenant the user and organization tabs act on. Home comes
//! first; the managed organizations follow, narrowed by type-ahead, each
//! with its region (a tenant's keys live at its own region's endpoint).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::modal::TenantPicker;
use crate::app::{App, Loadable, TenantFocus};
use crate::sanitize::display;

use super::super::text::{thousands, width};
use super::super::{Theme, field};
use super::{Dialog, content_width, prose, show};

const WIDTH: u16 = 72;

/// One choice: `home (the primary account)` or `name  region  id`.
fn choice_text(choice: Option<&TenantFocus>, app: &App, room: usize, theme: &Theme) -> String {
    match choice {
        None => format!("home (the primary account) · {}", app.session.region),
        Some(t) => {
            let id = theme.mask.id(&t.id);
            let tail = format!(" · {} · {}", t.region, display(&id, 12));
            let name = t.name.as_deref().map_or(id, |n| theme.mask.org(n));
            let name = display(&name, room.saturating_sub(width(&tail)).max(8));
            format!("{name}{tail}")
        }
    }
}

/// Draws the picker over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, picker: &TenantPicker, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let choices = app.tenant_choices(picker.query.value());
    let mut lines: Vec<Line> = Vec::new();
    let mut search = vec![Span::styled("search  ", theme.muted)];
    search.extend(field::spans(
        &picker.query,
        room.saturating_sub(8),
        true,
        theme.input,
    ));
    lines.push(Line::from(search));
    lines.push(Line::raw(""));
    // Borders, search, blank, and the count line below the list.
    let rows = usize::from(body.height.saturating_sub(5)).clamp(1, 12);
    let start = picker.choice.saturating_sub(rows - 1);
    for (i, choice) in choices.iter().enumerate().skip(start).take(rows) {
        let chosen = i == picker.choice;
        let in_focus = choice.as_ref() == app.tenant.as_ref();
        let mark = if in_focus { " (in focus)" } else { "" };
        let text = choice_text(
            choice.as_ref(),
            app,
            room.saturating_sub(2 + width(mark)),
            theme,
        );
        let style = if chosen {
            theme.row_selected
        } else {
            theme.hint
        };
        lines.push(Line::from(vec![
            Span::styled(if chosen { "▶ " } else { "  " }, style),
            Span::styled(text, style),
            Span::styled(mark, theme.muted),
        ]));
    }
    match &app.managed {
        Loadable::Ready(all) => lines.push(Line::styled(
            format!(
                "{} of {} tenants match",
                thousands(choices.len().saturating_sub(1)),
                thousands(all.len())
            ),
            theme.muted,
        )),
        Loadable::Loading(_) => lines.push(Line::styled("loading the tenants…", theme.muted)),
        Loadable::Failed(why) => lines.extend(prose(why, room, theme.muted)),
    }
    let dialog = Dialog {
        title: "Choose the tenant in focus".to_string(),
        width: WIDTH,
        lines,
        danger: false,
    };
    show(frame, body, dialog, theme);
}
