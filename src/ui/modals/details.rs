//! `enter` on a key: every field the platform gave, in full (wrapped, not
//! cut), because the table shows only the start of long names and ids.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::KeyInfo;
use crate::app::App;
use crate::present::Mask;
use crate::sanitize::sanitize;

use super::super::Theme;
use super::super::text::{OLD_DAYS, date_time, days};
use super::{Dialog, content_width, labelled, show};

/// The widest the dialog gets: long ids and names wrap inside it.
const WIDTH: u16 = 76;

/// An optional server string, sanitized in full, or `-`.
fn full(text: Option<&str>) -> String {
    text.map_or_else(|| "-".to_string(), |t| sanitize(t).into_owned())
}

/// `name (id)`, or whichever is known.
fn both(name: Option<&str>, id: Option<&str>) -> String {
    match (name, id) {
        (Some(name), Some(id)) => format!("{} ({})", sanitize(name), sanitize(id)),
        (name, id) => full(name.or(id)),
    }
}

/// Where the key lives: the tenant it was found in, the tenant in focus, or home.
fn location(app: &App, key: &KeyInfo, mask: &Mask) -> String {
    if let Some(tenant) = &key.tenant {
        return format!(
            "tenant {} ({})",
            sanitize(&mask.id(&tenant.id)),
            tenant.region
        );
    }
    match &app.tenant {
        Some(t) => {
            let name = match &t.name {
                Some(name) => mask.org(name),
                None => mask.id(&t.id),
            };
            format!("tenant {} ({})", sanitize(&name), t.region)
        }
        None => format!("home ({})", app.session.region),
    }
}

/// Draws the details of `key` over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, key: &KeyInfo, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let age = match key.age_days(app.now) {
        Some(n) if n > OLD_DAYS => format!("{} (! older than {OLD_DAYS} days)", days(n)),
        Some(n) => days(n),
        None => "-".to_string(),
    };
    let mask = &theme.mask;
    let id = key.id.as_deref().map(|t| mask.id(t));
    let name = key.name.as_deref().map(|t| mask.text(t));
    let org_name = key.organization_name.as_deref().map(|t| mask.org(t));
    let org_id = key.organization_id.as_deref().map(|t| mask.id(t));
    let email = key.owner_email.as_deref().map(|t| mask.email(t));
    let owner_id = key.owner_id.as_deref().map(|t| mask.id(t));
    let fields = [
        ("id", full(id.as_deref())),
        ("name", full(name.as_deref())),
        ("kind", sanitize(key.kind.label()).into_owned()),
        ("organization", both(org_name.as_deref(), org_id.as_deref())),
        ("owner", both(email.as_deref(), owner_id.as_deref())),
        (
            "generated on",
            key.generated_on.map_or_else(|| "-".to_string(), date_time),
        ),
        ("age", age),
        ("tenant/region", location(app, key, mask)),
    ];
    let mut lines: Vec<Line> = Vec::new();
    for (label, value) in fields {
        lines.extend(labelled(label, &value, room, theme, theme.hint));
    }
    let dialog = Dialog {
        title: "Key details".to_string(),
        width: WIDTH,
        lines,
        danger: false,
    };
    show(frame, body, dialog, theme);
}
