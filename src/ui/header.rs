//! Row 0: who and where the console acts. An admin juggling profiles,
//! regions and tenants must see at a glance which key is in use, for which
//! tenant, and whether it can change anything, before pressing `x`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::sanitize::{display, display_middle};

use super::Theme;
use super::text::{cols, thousands, width};

const SEP: &str = " · ";

/// The tenant in focus: its name and region, or `home`.
pub fn tenant_words(app: &App, theme: &Theme) -> String {
    tenant_words_in(app, 28, theme)
}

/// The same with the name cut to `room` columns.
pub(super) fn tenant_words_in(app: &App, room: usize, theme: &Theme) -> String {
    match &app.tenant {
        Some(t) => {
            let name = match &t.name {
                Some(name) => theme.mask.org(name),
                None => theme.mask.id(&t.id),
            };
            format!("tenant {} ({})", display_middle(&name, room), t.region)
        }
        None => "tenant home".to_string(),
    }
}

/// Who the key belongs to: the owner's email, else the key's kind.
fn who(app: &App, theme: &Theme) -> String {
    if let Some(owner) = &app.session.owner {
        return crate::sanitize::sanitize(&theme.mask.owner(owner)).into_owned();
    }
    match &app.session.key_kind {
        Some(kind) => format!("{} key", display(kind.label(), 20)),
        None => "key owner unknown".to_string(),
    }
}

/// `budget 47/50`: the rate budget left at the region in use.
fn budget(app: &App) -> String {
    match app.budget {
        Some((left, Some(limit))) => format!(
            "budget {}/{}",
            thousands(usize::try_from(left).unwrap_or(usize::MAX)),
            thousands(usize::try_from(limit).unwrap_or(usize::MAX))
        ),
        Some((left, None)) => format!(
            "budget {}",
            thousands(usize::try_from(left).unwrap_or(usize::MAX))
        ),
        None => "budget -".to_string(),
    }
}

/// Draws the header into `area` (one row).
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut right = Vec::new();
    // Said in words, so it shows without colour too.
    if theme.mask.is_on() {
        right.push(Span::styled(" PRESENTING ", theme.badge));
        right.push(Span::raw(" "));
    }
    if app.session.read_only {
        right.push(Span::styled(" READ-ONLY ", theme.badge));
        right.push(Span::raw(" "));
    }
    right.push(Span::styled(budget(app), theme.hint));
    let right_width: usize = right.iter().map(|s| width(&s.content)).sum();

    // The region requests on this tab go to (a tenant's, when one is in focus).
    let region = app.tab_target().region;
    let room = usize::from(area.width).saturating_sub(right_width + 1);
    // Narrow screens shorten the profile and the tenant first, in the
    // middle, so both ends (which tell them apart) stay.
    let (profile_room, tenant_room) = if room >= 110 { (24, 28) } else { (16, 16) };
    let fixed = format!(
        "r7keys{SEP}profile {}{SEP}region {region}{SEP}{}{SEP}",
        display_middle(&app.session.profile, profile_room),
        tenant_words_in(app, tenant_room, theme),
    );
    // The owner gets what is left (an email's start tells who it is).
    let room = room.saturating_sub(width(&fixed));
    let who = who(app, theme);
    let who = if width(&who) > room {
        display(&who, room.max(2))
    } else {
        who
    };
    let left = Line::from(vec![
        Span::styled("r7keys", theme.header),
        Span::styled(fixed.trim_start_matches("r7keys").to_string(), theme.hint),
        Span::styled(who, theme.hint),
    ]);
    let right_cols = cols(right_width);
    // The left part stops a column short of the budget, so the two never run together.
    let left_area = Rect {
        width: area.width.saturating_sub(right_cols + 1),
        ..area
    };
    frame.render_widget(Paragraph::new(left), left_area);

    if right_cols < area.width {
        let at = Rect {
            x: area.right() - right_cols,
            width: right_cols,
            ..area
        };
        frame.render_widget(Paragraph::new(Line::from(right)), at);
    }
}
