//! `R`: the rotation, step by step. The steps are listed with where the
//! rotation is, so the user always sees what has happened and what comes;
//! the new key's secret is shown here once (masked until asked), both keys
//! are named while the new one is deployed, and leaving says what exists.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use tui_input::Input;

use crate::api::{KeyInfo, NewSecret};
use crate::app::App;
use crate::app::modal::Copy;
use crate::app::rotate::{Proof, Rotation, Stage};
use crate::keymap::{Action, Layer};
use crate::present::HIDDEN_SECRET;
use crate::sanitize::{display, sanitize};

use super::super::text::{masked_prose, wrap};
use super::super::{Theme, field};
use super::{Dialog, content_width, labelled, prose, show};

const WIDTH: u16 = 72;

/// The five steps and how far the rotation is.
fn steps<'a>(rotation: &Rotation, theme: &Theme) -> Vec<Line<'a>> {
    let at = match &rotation.stage {
        Stage::Plan => 0,
        Stage::Generating(_) | Stage::Leaving { .. } => 1,
        Stage::New { proof, copied, .. } => match (matches!(copied, Some(Copy::Done(_))), proof) {
            (false, _) => 1,
            (true, Proof::Works { .. }) => 3,
            (true, _) => 2,
        },
        Stage::Retire { .. } | Stage::Revoking { .. } => 4,
        Stage::Done { .. } => 5,
    };
    let names = [
        "generate the replacement",
        "reveal it once and copy it",
        "prove it works (/validate at its region)",
        "deploy it, then confirm",
        "revoke the old key",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (mark, style) = match i.cmp(&at) {
                std::cmp::Ordering::Less => ("✓", theme.ok),
                std::cmp::Ordering::Equal => ("▸", theme.title),
                std::cmp::Ordering::Greater => (" ", theme.muted),
            };
            Line::styled(format!("{mark} {}. {name}", i + 1), style)
        })
        .collect()
}

fn key_for(app: &App, layer: Layer, action: Action, fallback: &str) -> String {
    app.keymap
        .key_for(layer, action)
        .unwrap_or_else(|| fallback.into())
}

fn proof_words(proof: &Proof) -> (String, bool) {
    match proof {
        Proof::Pending(_) => ("proving it works…".into(), true),
        Proof::Works { region, ms } => (
            format!("works at region {region} (/validate answered in {ms} ms)"),
            true,
        ),
        Proof::Fails(why) => (format!("does not work: {why}"), false),
    }
}

/// The new key, once: masked until asked, the copy and the proof.
#[allow(clippy::too_many_arguments)]
fn new_key_lines<'a>(
    app: &App,
    info: &KeyInfo,
    secret: &NewSecret,
    shown: bool,
    copied: Option<&Copy>,
    proof: &Proof,
    room: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    lines.extend(labelled(
        "new key",
        &named(info, 40, theme),
        room,
        theme,
        theme.title,
    ));
    if theme.mask.is_on() {
        // Presenting: not even on request; `c` still copies it.
        lines.push(Line::styled(HIDDEN_SECRET, theme.masked));
    } else if shown {
        lines.extend(
            wrap(&sanitize(secret.expose()), room)
                .into_iter()
                .map(|l| Line::styled(l, theme.title)),
        );
    } else {
        lines.push(Line::styled("●".repeat(36), theme.masked));
    }
    lines.push(Line::styled(
        "This key will not be shown again.",
        theme.danger,
    ));
    let copy = match copied {
        None => format!(
            "press {} to copy it",
            key_for(app, Layer::Rotate, Action::Copy, "c")
        ),
        Some(Copy::Copying) => "copying…".into(),
        Some(Copy::Done(route)) => format!("copied via {}", sanitize(route)),
        Some(Copy::Failed(why)) => format!("copy failed: {} — the key stays here", sanitize(why)),
    };
    lines.extend(prose(&copy, room, theme.hint));
    let (words, good) = proof_words(proof);
    lines.extend(prose(
        &words,
        room,
        if good { theme.ok } else { theme.error },
    ));
    if matches!(proof, Proof::Works { .. }) && matches!(copied, Some(Copy::Done(_))) {
        lines.extend(prose(
            &format!(
                "Deploy the new key where the old one is used, then press {} to revoke the old key.",
                key_for(app, Layer::Rotate, Action::Confirm, "enter")
            ),
            room,
            theme.hint,
        ));
    }
    lines
}

/// `name (id …)`, sanitized and masked when presenting; the id cut to `id_room`.
fn named(key: &KeyInfo, id_room: usize, theme: &Theme) -> String {
    format!(
        "{} (id {})",
        display(&theme.mask.text(key.name.as_deref().unwrap_or("")), 30),
        display(&theme.mask.id(key.id.as_deref().unwrap_or("-")), id_room)
    )
}

/// Both keys named, and the confirmation the old key's kind deserves.
fn retire_lines<'a>(
    app: &App,
    rotation: &Rotation,
    info: &KeyInfo,
    typed: &Input,
    room: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    lines.extend(labelled(
        "new key",
        &format!("{} · active, deployed", named(info, 20, theme)),
        room,
        theme,
        theme.ok,
    ));
    lines.extend(labelled(
        "old key",
        &format!("{} · to revoke", named(&rotation.old, 20, theme)),
        room,
        theme,
        theme.danger,
    ));
    if rotation.own {
        lines.extend(prose(
            "This is the key r7keys signs in with: it switches to the new key first, \
             then revokes this one.",
            room,
            theme.hint,
        ));
    }
    if rotation.typed_retire() {
        lines.push(Line::raw("Type the old key's name to revoke it:"));
        let mut input = vec![Span::raw("  ")];
        input.extend(field::spans(
            typed,
            room.saturating_sub(2),
            true,
            theme.input,
        ));
        lines.push(Line::from(input));
    } else {
        lines.push(Line::from(vec![
            Span::styled("Revoke the old key? ", theme.danger),
            Span::styled(
                format!(
                    "{}/{}",
                    key_for(app, Layer::Confirm, Action::Confirm, "y"),
                    key_for(app, Layer::Confirm, Action::Cancel, "n")
                ),
                theme.hint_key,
            ),
        ]));
    }
    lines
}

/// The lines of the current step.
fn stage_lines<'a>(app: &App, rotation: &Rotation, room: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    match &rotation.stage {
        Stage::Plan => {
            let mut name = vec![Span::styled("new name  ", theme.muted)];
            name.extend(field::spans(
                &rotation.name,
                room.saturating_sub(10),
                true,
                theme.input,
            ));
            lines.push(Line::from(name));
            lines.push(Line::styled(
                format!(
                    "{} generates it; {} leaves with nothing changed",
                    key_for(app, Layer::RotateName, Action::Confirm, "enter"),
                    key_for(app, Layer::RotateName, Action::Cancel, "esc")
                ),
                theme.muted,
            ));
        }
        Stage::Generating(_) => lines.push(Line::styled("generating… (sent once)", theme.ok)),
        Stage::New {
            info,
            secret,
            shown,
            copied,
            proof,
        } => lines.extend(new_key_lines(
            app,
            info,
            secret,
            *shown,
            copied.as_ref(),
            proof,
            room,
            theme,
        )),
        Stage::Leaving { .. } => lines.extend(prose(
            &format!(
                "You have not copied the new key. Leave anyway and lose its secret? {}/{}",
                key_for(app, Layer::Confirm, Action::Confirm, "y"),
                key_for(app, Layer::Confirm, Action::Cancel, "n")
            ),
            room,
            theme.danger,
        )),
        Stage::Retire { info, typed, .. } => {
            lines.extend(retire_lines(app, rotation, info, typed, room, theme));
        }
        Stage::Revoking { .. } => lines.push(Line::styled("revoking the old key…", theme.muted)),
        Stage::Done { words, error } => {
            lines.extend(prose(
                &masked_prose(app, &theme.mask, words),
                room,
                if *error { theme.error } else { theme.ok },
            ));
        }
    }
    lines
}

/// Draws the dialog over `body`.
pub fn draw(frame: &mut Frame, body: Rect, app: &App, rotation: &Rotation, theme: &Theme) {
    let room = usize::from(content_width(body, WIDTH));
    let old = &rotation.old;
    let mut lines: Vec<Line> = Vec::new();
    lines.extend(labelled(
        "rotating",
        &format!(
            "{} key \"{}\" of {}",
            sanitize(old.kind.label()),
            sanitize(&theme.mask.text(old.name.as_deref().unwrap_or(""))),
            sanitize(&super::super::keys_table::masked_org(old, theme).unwrap_or("-".into()))
        ),
        room,
        theme,
        theme.hint,
    ));
    let place = match &rotation.target.tenant {
        Some(tenant) => format!(
            "region {} · tenant {}",
            rotation.target.region,
            sanitize(&theme.mask.id(tenant))
        ),
        None => format!("region {} · home", rotation.target.region),
    };
    lines.extend(labelled("in", &place, room, theme, theme.muted));
    lines.push(Line::raw(""));
    lines.extend(steps(rotation, theme));
    lines.push(Line::raw(""));
    lines.extend(stage_lines(app, rotation, room, theme));
    if let Some(error) = &rotation.error {
        lines.push(Line::raw(""));
        lines.extend(prose(
            &masked_prose(app, &theme.mask, error),
            room,
            theme.error,
        ));
    }
    let dialog = Dialog {
        title: format!("Rotate {}", super::generate::kind_phrase(&old.kind)),
        width: WIDTH,
        lines,
        danger: false,
    };
    show(frame, body, dialog, theme);
}
