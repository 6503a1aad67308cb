//! `x`: the revoke confirmation. It names the key fully and says what the
//! revoke breaks before asking; keys that act for a whole organization or
//! every tenant must be confirmed by typing their name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::api::{KeyInfo, KeyKind};
use crate::app::App;
use crate::app::modal::RevokeConfirm;
use crate::keymap::{Action, Layer};
use crate::sanitize::sanitize;

use super::super::field;
use super::super::text::{OLD_DAYS, date};
use super::super::{Theme, text};
use super::{Dialog, content_width, labelled, prose, show};

const WIDTH: u16 = 68;

/// What revoking this kind of key breaks.
fn consequence(kind: &KeyKind) -> &'static str {
    match kind {
        KeyKind::MultiTenantAdmin => {
            "Every current and future tenant loses the access this key gives."
        }
        KeyKind::MultiTenantUser => {
            "Every tenant this key reaches loses the access it gives; integrations using it stop."
        }
        KeyKind::Organization => "Every integration using this key stops working.",
        _ => "Anything using this key stops working.",
    }
}

/// What the revoke breaks, the console's own key first, then any doubt.
fn warnings<'a>(confirm: &RevokeConfirm, room: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if confirm.own {
        lines.extend(prose(
            "This is the key this console runs as: once it is revoked, this console stops \
             working (every request is refused) until it is started with another key.",
            room,
            theme.danger,
        ));
    }
    lines.extend(prose(consequence(&confirm.key.kind), room, theme.danger));
    if let Some(doubt) = &confirm.doubt {
        lines.extend(prose(
            &format!("{doubt}: the platform decides."),
            room,
            theme.muted,
        ));
    }
    lines
}

/// The key, fully named: name, kind, organization, owner, age and id.
fn key_lines<'a>(app: &App, key: &KeyInfo, room: usize, theme: &Theme) -> Vec<Line<'a>> {
    let full = |t: Option<&str>| t.map_or_else(|| "-".to_string(), |t| sanitize(t).into_owned());
    let mask = &theme.mask;
    let org = super::super::keys_table::masked_org(key, theme);
    let owner = key
        .owner_email
        .as_deref()
        .or(key.owner_id.as_deref())
        .map(|o| mask.owner(o));
    let age = match (key.age_days(app.now), key.generated_on) {
        (Some(n), Some(at)) => {
            let flag = if n > OLD_DAYS { " !" } else { "" };
            format!("{}{flag} (generated {})", text::days(n), date(at))
        }
        _ => "-".to_string(),
    };
    let mut lines: Vec<Line> = Vec::new();
    for (label, value) in [
        (
            "name",
            full(key.name.as_deref().map(|n| mask.text(n)).as_deref()),
        ),
        ("kind", sanitize(key.kind.label()).into_owned()),
        ("organization", full(org.as_deref())),
        ("owner", full(owner.as_deref())),
        ("age", age),
        (
            "id",
            full(key.id.as_deref().map(|id| mask.id(id)).as_deref()),
        ),
    ] {
        let style = if label == "name" {
            theme.title
        } else {
            theme.hint
        };
        lines.extend(labelled(label, &value, room, theme, style));
    }
    lines
}

/// Draws the confirmation over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, confirm: &RevokeConfirm, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let key = &confirm.key;
    let mask = &theme.mask;
    let mut lines = key_lines(app, key, room, theme);
    if let Some(tenant) = &confirm.target.tenant {
        // Named by the tenant's own name where it is known.
        let name = app
            .managed
            .ready()
            .and_then(|all| all.iter().find(|o| o.id == *tenant))
            .and_then(|o| o.name.as_deref())
            .map_or_else(
                || sanitize(&mask.id(tenant)).into_owned(),
                |n| {
                    format!(
                        "{} ({})",
                        sanitize(&mask.org(n)),
                        text::short_id(Some(&mask.id(tenant)))
                    )
                },
            );
        lines.extend(labelled(
            "revoked in",
            &format!("tenant {name} · region {}", confirm.target.region),
            room,
            theme,
            theme.hint,
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(warnings(confirm, room, theme));
    lines.push(Line::raw(""));
    if confirm.needs_typed_name() {
        lines.push(Line::raw("Type the key's name to confirm:"));
        let focused = confirm.submitting.is_none();
        let mut typed = vec![Span::raw("  ")];
        typed.extend(field::spans(
            &confirm.typed,
            room.saturating_sub(2),
            focused,
            theme.input,
        ));
        lines.push(Line::from(typed));
    } else {
        let yes = app
            .keymap
            .key_for(Layer::Confirm, Action::Confirm)
            .unwrap_or_else(|| "y".into());
        let no = app
            .keymap
            .key_for(Layer::Confirm, Action::Cancel)
            .unwrap_or_else(|| "n".into());
        lines.push(Line::from(vec![
            Span::styled("Revoke? ", theme.danger),
            Span::styled(format!("{yes}/{no}"), theme.hint_key),
        ]));
    }
    if let Some(error) = &confirm.error {
        lines.push(Line::raw(""));
        lines.extend(prose(
            &text::masked_prose(app, mask, error),
            room,
            theme.error,
        ));
    }
    if confirm.submitting.is_some() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("revoking…", theme.muted));
    }
    let dialog = Dialog {
        title: format!("Revoke {}", super::generate::kind_phrase(&key.kind)),
        width: WIDTH,
        lines,
        danger: true,
    };
    show(frame, body, dialog, theme);
}
