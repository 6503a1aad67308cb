//! Key hints, generated from the keymap in force: the footer and the dialogs
//! never print a key the user has rebound. An action that is not open right
//! now ([`App::access`]) is marked `✗` and dimmed, visible without colour
//! too; pressing it says why in the status line, and the status line names
//! the reason for the tab's main action before any key is pressed.

use ratatui::text::{Line, Span};

use crate::app::modal::Modal;
use crate::app::{App, Tab};
use crate::keymap::{Action, Layer};

use super::Theme;
use super::text::{unique_keys, width};

/// One hint: keys, words, and whether the action is refused now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub action: Action,
    pub keys: String,
    pub words: String,
    pub disabled: bool,
}

/// The browse hints worth the footer, most useful first (at 80 columns the
/// first ones fit); help and quit are always kept, at the end.
const BROWSE: [Action; 14] = [
    Action::Generate,
    Action::Revoke,
    Action::Rotate,
    Action::TestCredentials,
    Action::CycleFlag,
    Action::Export,
    Action::Filter,
    Action::Refresh,
    Action::NextTab,
    Action::NextSort,
    Action::Details,
    Action::ChooseTenant,
    Action::Mark,
    Action::CopyId,
];
const PINNED: [Action; 2] = [Action::Help, Action::Quit];

/// Dialog hints, most useful first.
const DIALOG: [Action; 8] = [
    Action::Reveal,
    Action::Copy,
    Action::Confirm,
    Action::Revoke,
    Action::Cancel,
    Action::NextField,
    Action::PrevField,
    Action::Up,
];

/// The words for an action in a layer: "enter generate" reads better than
/// "enter confirm".
pub fn words(app: &App, layer: Layer, action: Action) -> &'static str {
    let leaving = matches!(app.modal, Some(Modal::Reveal(_)));
    match (layer, action) {
        (Layer::Filter, Action::Confirm) => "keep filter",
        (Layer::Filter, Action::Cancel) => "clear filter",
        (Layer::Generate | Layer::RotateName, Action::Confirm) => "generate",
        (Layer::RotateName | Layer::Rotate, Action::Cancel) => "leave",
        (Layer::Rotate, Action::Confirm) => "next step",
        (Layer::Reveal, Action::Confirm | Action::Cancel) => "done",
        (Layer::Confirm, Action::Confirm) if leaving => "leave, lose the key",
        (Layer::Confirm, Action::Cancel) if leaving => "stay",
        (Layer::Confirm, Action::Confirm) => "yes",
        (Layer::Confirm, Action::Cancel) => "no",
        (Layer::ConfirmTyped, Action::Confirm) => "revoke",
        (Layer::Tenants, Action::Confirm) => "choose",
        (Layer::Export, Action::Cancel) => "cancel",
        (Layer::Help | Layer::Details | Layer::Message, Action::Cancel | Action::Confirm) => {
            "close"
        }
        (Layer::Browse, Action::NextTab) => "next",
        (Layer::Browse, Action::CycleFlag) => "flags",
        (Layer::Browse, Action::Details) if app.tab == Tab::Audit => "open key",
        (Layer::Export, Action::Confirm) => "write",
        (Layer::Generate, Action::Up) => "change",
        (Layer::Tenants, Action::Up) => "move",
        _ => action.describe(),
    }
}

/// Whether a hint is shown as unavailable: the action is not open now.
fn disabled(app: &App, layer: Layer, action: Action) -> bool {
    match (layer, action) {
        (Layer::Browse | Layer::Details, _) => !app.access(action).is_open(),
        (Layer::ConfirmTyped, Action::Confirm) => match &app.modal {
            Some(Modal::Revoke(confirm)) => !confirm.typed_matches(),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a hint is left out: table actions on the Threat Command tab,
/// the Threat Command test elsewhere, tenant scrolling off the
/// multi-tenant tab, everything but reading on the Audit tab. (Unavailable actions are shown, marked, not hidden.)
fn hidden(app: &App, layer: Layer, action: Action) -> bool {
    if layer != Layer::Browse {
        return false;
    }
    let on_tc = app.tab == Tab::ThreatCommand;
    if app.tab == Tab::Audit {
        // The trail is read-only: its keys move, filter, refresh and open.
        return !matches!(
            action,
            Action::Filter
                | Action::Refresh
                | Action::Details
                | Action::NextTab
                | Action::ChooseTenant
        ) && !PINNED.contains(&action);
    }
    match action {
        Action::Details
        | Action::Filter
        | Action::NextSort
        | Action::Mark
        | Action::CopyId
        | Action::Rotate => on_tc,
        Action::TestCredentials => !on_tc,
        Action::TenantsUp | Action::TenantsDown => app.tab != Tab::MultiTenant,
        Action::CycleFlag | Action::Export => app.tab != Tab::Inventory,
        Action::Generate => app.tab == Tab::Inventory,
        _ => false,
    }
}

/// The hints of a layer, in the order worth showing.
pub fn hints(app: &App, layer: Layer) -> Vec<Hint> {
    let bindings = app.keymap.bindings(layer);
    let find = |action: Action| {
        bindings
            .iter()
            .find(|(_, a)| *a == action)
            .map(|(keys, _)| keys.clone())
    };
    let first_key = |action: Action| app.keymap.key_for(layer, action);
    let make = |action: Action, keys: String| Hint {
        action,
        keys,
        words: words(app, layer, action).to_string(),
        disabled: disabled(app, layer, action),
    };
    let order: Vec<Action> = if layer == Layer::Browse {
        let mut order: Vec<Action> = BROWSE.to_vec();
        if app.tab == Tab::MultiTenant {
            // Where the tenants are listed, choosing one matters most.
            order.retain(|a| *a != Action::ChooseTenant);
            order.insert(2, Action::ChooseTenant);
        }
        order.extend(PINNED);
        order
    } else {
        let mut order = DIALOG.to_vec();
        order.extend(
            bindings
                .iter()
                .map(|(_, a)| *a)
                .filter(|a| !DIALOG.contains(a) && *a != Action::Down),
        );
        order
    };
    let mut out = Vec::new();
    for action in order {
        if hidden(app, layer, action) || find(action).is_none() {
            continue;
        }
        if action == Action::Up {
            // ↑ and ↓ read as one hint: `↑/↓ choose`.
            let keys = match (first_key(Action::Up), first_key(Action::Down)) {
                (Some(up), Some(down)) => format!("{up}/{down}"),
                (Some(up), None) => up,
                _ => continue,
            };
            out.push(make(action, keys));
            continue;
        }
        // The footer shows one key per action; the help shows them all.
        if let Some(key) = first_key(action) {
            out.push(make(action, key));
        }
    }
    out
}

/// Every key of an action, for the help screen (`x/del`).
pub fn all_keys(app: &App, layer: Layer, action: Action) -> Option<String> {
    app.keymap
        .bindings(layer)
        .into_iter()
        .find(|(_, a)| *a == action)
        .map(|(keys, _)| unique_keys(&keys))
}

/// Spans of hints, as many as fit in `room` columns; in the browse layer
/// help and quit are kept whatever else is dropped.
pub fn line(hints: &[Hint], room: usize, theme: &Theme) -> Line<'static> {
    // Each hint costs its text and the two spaces before the next one; the
    // last one needs no spaces after it, hence the `+ 2`.
    let cost = |h: &Hint| width(&h.keys) + 1 + usize::from(h.disabled) + width(&h.words) + 2;
    let pinned: Vec<&Hint> = hints
        .iter()
        .filter(|h| PINNED.contains(&h.action))
        .collect();
    let mut left = (room + 2).saturating_sub(pinned.iter().map(|h| cost(h)).sum());
    let mut chosen: Vec<&Hint> = Vec::new();
    for hint in hints {
        if pinned.contains(&hint) {
            chosen.push(hint);
            continue;
        }
        if cost(hint) <= left {
            left -= cost(hint);
            chosen.push(hint);
        }
    }
    let mut spans = Vec::new();
    for (i, hint) in chosen.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        let (key_style, word_style) = if hint.disabled {
            (theme.hint_disabled, theme.hint_disabled)
        } else {
            (theme.hint_key, theme.hint)
        };
        spans.push(Span::styled(hint.keys.clone(), key_style));
        let mark = if hint.disabled { "✗" } else { "" };
        spans.push(Span::styled(format!(" {mark}{}", hint.words), word_style));
    }
    Line::from(spans)
}
