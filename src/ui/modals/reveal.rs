//! The new key's secret, the only time it exists on screen: masked until
//! asked, copyable, and the dialog says how the copy went (a terminal never
//! confirms an OSC 52 copy, so the secret stays here as the fallback).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::app::App;
use crate::app::modal::{Copy, Reveal};
use crate::keymap::{Action, Layer};
use crate::present::HIDDEN_SECRET;
use crate::sanitize::{display, sanitize};

use super::super::Theme;
use super::super::hints;
use super::super::text::wrap;
use super::{Dialog, content_width, prose, show};

const WIDTH: u16 = 68;
/// The mask is always this long, whatever the secret's length, so the
/// screen does not even tell how long the key is.
pub const MASK_LEN: usize = 36;

/// The first key of an action in a layer, or a fallback.
fn key(app: &App, layer: Layer, action: Action, fallback: &str) -> String {
    app.keymap
        .key_for(layer, action)
        .unwrap_or_else(|| fallback.to_string())
}

/// How the copy went, in words.
fn copy_state<'a>(app: &App, reveal: &Reveal, room: usize, theme: &Theme) -> Vec<Line<'a>> {
    match &reveal.copied {
        None => vec![Line::styled(
            format!(
                "press {} to copy",
                key(app, Layer::Reveal, Action::Copy, "c")
            ),
            theme.hint,
        )],
        Some(Copy::Copying) => vec![Line::styled("copying…", theme.hint)],
        // Wrapped, not cut: the route says what the user may need to set up.
        Some(Copy::Done(route)) => prose(
            &format!(
                "copied via {}; the clipboard is cleared {} s after you close this",
                sanitize(route),
                app.session.clipboard_clear.as_secs()
            ),
            room,
            theme.ok,
        ),
        Some(Copy::Failed(why)) => prose(
            &format!("copy failed: {} — the key stays here", sanitize(why)),
            room,
            theme.error,
        ),
    }
}

/// Draws the reveal dialog over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, reveal: &Reveal, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let info = &reveal.info;
    let org = super::super::keys_table::masked_org(info, theme).map_or_else(String::new, |o| {
        format!(" · organization {}", display(&o, 30))
    });
    let mut lines: Vec<Line> = vec![
        Line::styled(
            format!("{} key{org}", display(info.kind.label(), 20)),
            theme.muted,
        ),
        Line::raw(""),
    ];
    if theme.mask.is_on() {
        // Presenting: not even on request; `c` still copies it.
        lines.push(Line::styled(HIDDEN_SECRET, theme.masked));
    } else if reveal.shown {
        // The whole secret, wrapped: it must be readable to be typed elsewhere.
        let secret = sanitize(reveal.secret.expose()).into_owned();
        lines.extend(
            wrap(&secret, room)
                .into_iter()
                .map(|l| Line::styled(l, theme.title)),
        );
    } else {
        lines.push(Line::styled("●".repeat(MASK_LEN), theme.masked));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "This key will not be shown again.",
        theme.danger,
    ));
    lines.extend(copy_state(app, reveal, room, theme));
    lines.push(Line::raw(""));
    if reveal.confirm_leave {
        let yes = key(app, Layer::Confirm, Action::Confirm, "y");
        let no = key(app, Layer::Confirm, Action::Cancel, "n");
        lines.extend(prose(
            &format!("You have not copied the key. Leave anyway and lose it? {yes}/{no}"),
            room,
            theme.danger,
        ));
    } else {
        let shown: Vec<hints::Hint> = hints::hints(app, Layer::Reveal)
            .into_iter()
            .filter(|h| matches!(h.action, Action::Reveal | Action::Copy | Action::Confirm))
            // Presenting, `v` shows nothing more: not offered.
            .filter(|h| !(theme.mask.is_on() && h.action == Action::Reveal))
            .collect();
        lines.push(hints::line(&shown, room, theme));
    }
    let dialog = Dialog {
        title: format!(
            "New key: {}",
            display(&theme.mask.text(info.name.as_deref().unwrap_or("")), 40)
        ),
        width: WIDTH,
        lines,
        danger: false,
    };
    show(frame, body, dialog, theme);
}
