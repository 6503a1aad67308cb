//! `n`: the generate dialog. Kind (when the tab offers two), name, and the
//! organization picked by type-ahead; the request's destination; and, once
//! sent, that it was sent exactly once, so nobody presses Enter again.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::api::KeyKind;
use crate::app::modal::{Field, GenerateForm};
use crate::sanitize::display;

use super::super::Theme;
use super::super::field;
use super::super::text::{thousands, width};
use super::{Dialog, content_width, prose, show};

const WIDTH: u16 = 68;
/// Width of the field labels (`▸ organization `).
const LABEL: usize = 16;
/// Organizations listed under the type-ahead.
const MATCHES: usize = 5;

/// `a user key`, `an organization key`: the title reads as a sentence.
pub fn kind_phrase(kind: &KeyKind) -> String {
    match kind {
        KeyKind::User => "a user key".to_string(),
        KeyKind::Organization => "an organization key".to_string(),
        KeyKind::MultiTenantAdmin => "a multi-tenant admin key".to_string(),
        KeyKind::MultiTenantUser => "a multi-tenant user key".to_string(),
        KeyKind::Other(raw) => format!("a {} key", display(raw, 24)),
    }
}

/// A field's label, marked `▸` when it has the focus (visible without colour).
fn label(text: &str, focused: bool, theme: &Theme) -> Span<'static> {
    let marker = if focused { "▸ " } else { "  " };
    let style = if focused { theme.title } else { theme.muted };
    Span::styled(format!("{marker}{text:<w$}", w = LABEL - 2), style)
}

/// The type-ahead's matches: up to five, the choice in view and marked.
fn matches<'a>(form: &GenerateForm, room: usize, theme: &Theme) -> Vec<Line<'a>> {
    let found = form.matches();
    if found.is_empty() {
        return vec![Line::from(vec![
            Span::raw(" ".repeat(LABEL)),
            Span::styled("no organization matches", theme.error),
        ])];
    }
    let start = form.org_choice.saturating_sub(MATCHES - 1);
    let mut lines: Vec<Line> = found
        .iter()
        .enumerate()
        .skip(start)
        .take(MATCHES)
        .map(|(i, org)| {
            let chosen = i == form.org_choice;
            let name = org
                .name
                .as_deref()
                .map_or_else(|| theme.mask.id(&org.id), |n| theme.mask.org(n));
            let region = org
                .region
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({})", display(r, 8)));
            let text = format!(
                "{}{}{region}",
                if chosen { "▶ " } else { "  " },
                display(&name, room.saturating_sub(LABEL + 4 + width(&region)))
            );
            let style = if chosen {
                theme.row_selected
            } else {
                theme.hint
            };
            Line::from(vec![
                Span::raw(" ".repeat(LABEL)),
                Span::styled(text, style),
            ])
        })
        .collect();
    let more = found.len().saturating_sub(start + MATCHES);
    if more > 0 {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(LABEL)),
            Span::styled(
                format!("  … {} more: type to narrow", thousands(more)),
                theme.muted,
            ),
        ]));
    }
    lines
}

/// Draws the generate dialog over `body`.
pub fn draw(frame: &mut Frame, body: Rect, form: &GenerateForm, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let value_room = room.saturating_sub(LABEL);
    let mut lines: Vec<Line> = Vec::new();
    if form.kinds.len() > 1 {
        let focused = form.field == Field::Kind;
        let style = if focused { theme.input } else { theme.hint };
        lines.push(Line::from(vec![
            label("kind", focused, theme),
            Span::styled(format!("◀ {} ▶", display(form.kind.label(), 20)), style),
        ]));
    }
    let focused = form.field == Field::Name && form.submitting.is_none();
    let mut name = vec![label("name", form.field == Field::Name, theme)];
    if form.name.value().is_empty() && !focused {
        name.push(Span::styled("(say what the key is for)", theme.muted));
    } else {
        name.extend(field::spans(&form.name, value_room, focused, theme.input));
    }
    lines.push(Line::from(name));
    if form.needs_org() {
        let focused = form.field == Field::Organization && form.submitting.is_none();
        let mut org = vec![label(
            "organization",
            form.field == Field::Organization,
            theme,
        )];
        org.extend(field::spans(
            &form.org_query,
            value_room,
            focused,
            theme.input,
        ));
        if form.org_query.value().is_empty() && !focused {
            org.push(Span::styled("(type to search)", theme.muted));
        }
        lines.push(Line::from(org));
        lines.extend(matches(form, room, theme));
    }
    let place = match &form.target.tenant {
        Some(tenant) => format!(
            "region {} · tenant {}",
            form.target.region,
            crate::sanitize::sanitize(&theme.mask.id(tenant))
        ),
        None => format!("region {} · home", form.target.region),
    };
    for (i, part) in super::super::text::wrap(&place, value_room)
        .into_iter()
        .enumerate()
    {
        let label = if i == 0 { "sent to" } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("  {label:<w$}", w = LABEL - 2), theme.muted),
            Span::styled(part, theme.muted),
        ]));
    }
    if let Some(doubt) = &form.doubt {
        lines.push(Line::raw(""));
        lines.extend(prose(
            &format!("{doubt}: the platform decides."),
            room,
            theme.muted,
        ));
    }
    if let Some(error) = &form.error {
        lines.push(Line::raw(""));
        lines.extend(prose(&theme.mask.text(error), room, theme.error));
    }
    if form.submitting.is_some() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("generating… (sent once)", theme.ok));
    }
    let dialog = Dialog {
        title: format!("Generate {}", kind_phrase(&form.kind)),
        width: WIDTH,
        lines,
        danger: false,
    };
    show(frame, body, dialog, theme);
}
