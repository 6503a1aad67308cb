//! Keys to actions, per layer (the part of the screen that owns the keys).
//! The defaults are `assets/keymap.toml`; a user file overrides them action
//! by action. The footer hints and the `?` help are generated from the same
//! map, so they always show the keys in force.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextTab,
    PrevTab,
    TabUser,
    TabOrganization,
    TabMultiTenant,
    TabThreatCommand,
    TabInventory,
    TabAudit,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Filter,
    ClearFilter,
    NextSort,
    ReverseSort,
    Details,
    Generate,
    Revoke,
    Refresh,
    ChooseTenant,
    TestCredentials,
    Confirm,
    Cancel,
    NextField,
    PrevField,
    Reveal,
    Copy,
    /// Copy the selected key's id (no secret).
    CopyId,
    /// Mark or unmark the selected key for a bulk revoke.
    Mark,
    /// Scroll the managed organizations list (multi-tenant tab).
    TenantsUp,
    TenantsDown,
    /// Inventory: the next flag filter.
    CycleFlag,
    /// Inventory: write the visible rows to a file.
    Export,
    /// Replace the selected key: generate, reveal, prove, deploy, revoke the old.
    Rotate,
}

impl Action {
    /// Words for the help screen and footer.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::NextTab => "next tab",
            Action::PrevTab => "previous tab",
            Action::TabUser => "user keys",
            Action::TabOrganization => "organization keys",
            Action::TabMultiTenant => "multi-tenant",
            Action::TabThreatCommand => "threat command",
            Action::TabInventory => "inventory",
            Action::TabAudit => "audit",
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Filter => "filter",
            Action::ClearFilter => "clear filter",
            Action::NextSort => "sort",
            Action::ReverseSort => "reverse",
            Action::Details => "details",
            Action::Generate => "generate",
            Action::Revoke => "revoke",
            Action::Refresh => "refresh",
            Action::ChooseTenant => "tenant",
            Action::TestCredentials => "test credentials",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::Reveal => "reveal/mask",
            Action::Copy => "copy",
            Action::CopyId => "copy id",
            Action::Mark => "mark",
            Action::TenantsUp => "tenants up",
            Action::TenantsDown => "tenants down",
            Action::CycleFlag => "flag filter",
            Action::Export => "export",
            Action::Rotate => "rotate",
        }
    }
}

/// Who owns the keys right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Browse,
    Filter,
    Generate,
    Reveal,
    Confirm,
    ConfirmTyped,
    Tenants,
    Details,
    Help,
    Message,
    /// Typing the path of an export.
    Export,
    /// The rotate dialog's plan (the new key's name is typed).
    RotateName,
    /// The rotate dialog's new key: reveal, copy, go on.
    Rotate,
}

impl Layer {
    /// Layers where unbound printable keys are typed into a field.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Layer::Filter
                | Layer::Generate
                | Layer::ConfirmTyped
                | Layer::Tenants
                | Layer::Export
                | Layer::RotateName
        )
    }
}

/// One key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Chord {
    /// From a terminal key event; a character's case already says shift.
    pub fn from_event(event: &KeyEvent) -> Chord {
        // A character's case, and back-tab itself, already say shift.
        let shift = event.modifiers.contains(KeyModifiers::SHIFT)
            && !matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab);
        Chord {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
            shift,
        }
    }
}

impl FromStr for Chord {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut chord = Chord {
            code: KeyCode::Null,
            ctrl: false,
            alt: false,
            shift: false,
        };
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                chord.ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                chord.alt = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("shift-") {
                chord.shift = true;
                rest = r;
            } else {
                break;
            }
        }
        chord.code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" if chord.shift => {
                chord.shift = false;
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            other => return Err(format!("unknown key {other:?} in {text:?}")),
        };
        if matches!(chord.code, KeyCode::Char(_)) {
            chord.shift = false;
        }
        Ok(chord)
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            _ => f.write_str("?"),
        }
    }
}

type RawMap = BTreeMap<Layer, BTreeMap<Action, Vec<String>>>;

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    layers: BTreeMap<Layer, Vec<(Action, Vec<Chord>)>>,
}

/// The defaults shipped with r7keys.
pub const DEFAULT_KEYMAP: &str = include_str!("../assets/keymap.toml");

fn parse_raw(text: &str) -> Result<RawMap, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

impl Keymap {
    /// The defaults, with `user` (a keymap file's text) laid over them.
    pub fn load(user: Option<&str>) -> Result<Keymap, String> {
        let mut raw = parse_raw(DEFAULT_KEYMAP)?;
        if let Some(user) = user {
            for (layer, actions) in parse_raw(user)? {
                raw.entry(layer).or_default().extend(actions);
            }
        }
        let mut layers = BTreeMap::new();
        for (layer, actions) in raw {
            let mut bound = Vec::new();
            for (action, keys) in actions {
                let chords = keys
                    .iter()
                    .map(|k| k.parse())
                    .collect::<Result<Vec<Chord>, _>>()?;
                bound.push((action, chords));
            }
            layers.insert(layer, bound);
        }
        Ok(Keymap { layers })
    }

    /// The defaults alone.
    pub fn defaults() -> Keymap {
        Keymap::load(None).unwrap_or(Keymap {
            layers: BTreeMap::new(),
        })
    }

    /// The action bound to `chord` in `layer`.
    pub fn action(&self, layer: Layer, chord: &Chord) -> Option<Action> {
        self.layers
            .get(&layer)?
            .iter()
            .find(|(_, chords)| chords.contains(chord))
            .map(|(action, _)| *action)
    }

    /// `(keys, action)` pairs of a layer, for hints and help.
    pub fn bindings(&self, layer: Layer) -> Vec<(String, Action)> {
        self.layers
            .get(&layer)
            .map(|actions| {
                actions
                    .iter()
                    .filter(|(_, chords)| !chords.is_empty())
                    .map(|(action, chords)| {
                        let keys = chords
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("/");
                        (keys, *action)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first key of an action in a layer, for hints like "press n".
    pub fn key_for(&self, layer: Layer, action: Action) -> Option<String> {
        self.layers
            .get(&layer)?
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, chords)| chords.first())
            .map(ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Chord {
        Chord::from_event(&KeyEvent::new(code, modifiers))
    }

    #[test]
    fn defaults_bind_the_documented_keys() {
        let map = Keymap::defaults();
        assert_eq!(
            map.action(Layer::Browse, &key(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Action::Generate)
        );
        assert_eq!(
            map.action(Layer::Browse, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.action(Layer::Browse, &key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevTab)
        );
        assert_eq!(
            map.action(
                Layer::Browse,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action(Layer::Reveal, &key(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Action::Copy)
        );
        assert_eq!(
            map.action(Layer::Browse, &key(KeyCode::Delete, KeyModifiers::NONE)),
            Some(Action::Revoke)
        );
    }

    #[test]
    fn a_user_file_rebinds_an_action() {
        let map = Keymap::load(Some("[browse]\ngenerate = [\"ctrl-g\"]\n")).unwrap();
        assert_eq!(
            map.action(Layer::Browse, &key(KeyCode::Char('n'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(
                Layer::Browse,
                &key(KeyCode::Char('g'), KeyModifiers::CONTROL)
            ),
            Some(Action::Generate)
        );
        assert_eq!(
            map.key_for(Layer::Browse, Action::Generate).as_deref(),
            Some("ctrl-g")
        );
    }

    #[test]
    fn bad_files_say_why() {
        assert!(Keymap::load(Some("[browse]\nexplode = [\"x\"]\n")).is_err());
        assert!(
            Keymap::load(Some("[browse]\nquit = [\"hyper-q\"]\n"))
                .unwrap_err()
                .contains("hyper-q")
        );
    }
}
