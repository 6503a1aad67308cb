//! Copying a secret to the clipboard, locally and over SSH and tmux.
//!
//! The order (research/peers.md section d.5): a setting `R7KEYS_CLIPBOARD`
//! (`auto`, `native`, `osc52`, `off`) overrides; inside SSH, OSC 52 first (a
//! native copy would land on the remote host); on a local desktop, arboard,
//! falling back to OSC 52. OSC 52 is wrapped for tmux (DCS passthrough when
//! `allow-passthrough` is on, else raw for `set-clipboard on`) and GNU
//! screen (chunked). A terminal never confirms an OSC 52 copy, so the route
//! is always reported and the secret stays on screen as the fallback.

use std::fmt::Write as _;
use std::io::Write;

use base64::Engine;
use sha2::{Digest, Sha256};

/// Copies secrets; a recording fake stands in for it in tests.
pub trait Clipboard: Send {
    /// Copies `text`; answers the route used, in words, or why it failed.
    fn copy(&mut self, text: &str) -> Result<String, String>;
    /// Clears the clipboard if it still holds the secret with this SHA-256
    /// (OSC 52 cannot read back, so there it clears anyway, best effort).
    fn clear_if_holds(&mut self, secret_hash: &[u8; 32]);
}

/// Where the console runs, as far as copying goes.
#[allow(clippy::struct_excessive_bools)] // five independent facts of the environment
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surroundings {
    pub mode: String,
    pub ssh: bool,
    pub tmux: bool,
    /// tmux passes DCS sequences through (`allow-passthrough on`).
    pub tmux_passthrough: bool,
    /// tmux's `set-clipboard` (`on`, `external`, `off`), when asked.
    pub tmux_set_clipboard: Option<String>,
    pub screen: bool,
    pub desktop: bool,
}

impl Surroundings {
    /// Reads the environment (and asks tmux about passthrough when inside it).
    pub fn detect() -> Surroundings {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let tmux = set("TMUX");
        Surroundings {
            mode: std::env::var("R7KEYS_CLIPBOARD").unwrap_or_else(|_| "auto".into()),
            ssh: set("SSH_TTY") || set("SSH_CONNECTION") || set("SSH_CLIENT"),
            tmux,
            tmux_passthrough: tmux
                && tmux_option("allow-passthrough")
                    .is_some_and(|v| matches!(v.as_str(), "on" | "all")),
            tmux_set_clipboard: if tmux {
                tmux_option("set-clipboard")
            } else {
                None
            },
            screen: !tmux && set("STY"),
            desktop: set("DISPLAY") || set("WAYLAND_DISPLAY"),
        }
    }
}

/// An option's value in force (session, window or global), as tmux says it.
fn tmux_option(name: &str) -> Option<String> {
    std::process::Command::new("tmux")
        .args(["show", "-Av", name])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The way a copy goes, decided from the surroundings alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Copying is off: the secret is copied from the screen.
    Off,
    /// The desktop clipboard only (`R7KEYS_CLIPBOARD=native`).
    Native,
    /// The desktop clipboard, OSC 52 if it fails (a local desktop).
    NativeThenOsc52,
    /// OSC 52 to the terminal (SSH, no desktop, or `R7KEYS_CLIPBOARD=osc52`).
    Osc52,
}

/// How an OSC 52 sequence is wrapped for the multiplexer in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapping {
    /// Straight to the terminal.
    Raw,
    /// tmux DCS passthrough (`allow-passthrough on`).
    TmuxPassthrough,
    /// Raw to tmux, which forwards it only with `set-clipboard on`.
    TmuxClipboard,
    /// GNU screen, in chunked DCS strings.
    Screen,
}

/// What `c` would do, why, and how sure that is: for `doctor` and the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub route: Route,
    pub wrapping: Wrapping,
    /// The route and the reason, in words.
    pub why: String,
    /// Whether the copy is likely to arrive (OSC 52 is never confirmed).
    pub doubtful: bool,
    /// What to change when it is doubtful.
    pub fix: Option<String>,
}

/// How OSC 52 is wrapped in these surroundings.
pub fn wrapping(surroundings: &Surroundings) -> Wrapping {
    if surroundings.tmux && surroundings.tmux_passthrough {
        Wrapping::TmuxPassthrough
    } else if surroundings.tmux {
        Wrapping::TmuxClipboard
    } else if surroundings.screen {
        Wrapping::Screen
    } else {
        Wrapping::Raw
    }
}

/// The OSC 52 leg of a plan: its words, and a fix when it may not arrive.
fn osc52_leg(surroundings: &Surroundings) -> (String, Option<String>) {
    match wrapping(surroundings) {
        Wrapping::TmuxPassthrough => (
            "OSC 52 wrapped for tmux passthrough (allow-passthrough is on)".into(),
            None,
        ),
        Wrapping::TmuxClipboard => match surroundings.tmux_set_clipboard.as_deref() {
            Some("on") => (
                "OSC 52 to tmux, which forwards it (set-clipboard on); tmux keeps a copy in its paste buffers (tmux delete-buffer)".into(),
                None,
            ),
            other => (
                format!(
                    "OSC 52 to tmux, which drops it: allow-passthrough is off and set-clipboard is {}",
                    other.unwrap_or("unknown")
                ),
                Some(
                    "tmux set -g allow-passthrough on (best: no copy stays in tmux), or tmux set -g set-clipboard on; add the line to ~/.tmux.conf"
                        .into(),
                ),
            ),
        },
        Wrapping::Screen => (
            "OSC 52 through GNU screen, in chunks; only some screen versions pass it on".into(),
            Some("check with a paste; tmux (allow-passthrough on) is the surer route".into()),
        ),
        Wrapping::Raw => (
            "OSC 52 to the terminal, which must allow it (most do; GNOME Terminal and macOS Terminal do not)"
                .into(),
            None,
        ),
    }
}

/// Decides the route a copy takes (research/peers.md, section d.5).
pub fn plan(surroundings: &Surroundings) -> Plan {
    let mode = surroundings.mode.as_str();
    let (osc52, osc52_fix) = osc52_leg(surroundings);
    let wrapping = wrapping(surroundings);
    let mut plan = Plan {
        route: Route::Osc52,
        wrapping,
        why: String::new(),
        doubtful: false,
        fix: None,
    };
    match mode {
        "off" => {
            plan.route = Route::Off;
            plan.why = "off (R7KEYS_CLIPBOARD=off): the key is copied from the screen".into();
        }
        "native" => {
            plan.route = Route::Native;
            plan.why = "the desktop clipboard (R7KEYS_CLIPBOARD=native)".into();
            if surroundings.ssh {
                plan.why
                    .push_str(", but inside SSH that is the remote host's clipboard");
                plan.doubtful = true;
                plan.fix = Some("unset R7KEYS_CLIPBOARD (auto uses OSC 52 over SSH)".into());
            }
        }
        "osc52" => {
            plan.why = format!("{osc52} (R7KEYS_CLIPBOARD=osc52)");
            plan.doubtful = osc52_fix.is_some();
            plan.fix = osc52_fix;
        }
        _ => {
            let reason = if surroundings.ssh {
                "inside SSH, where a desktop copy would land on the remote host"
            } else if !surroundings.desktop {
                "no desktop here (neither DISPLAY nor WAYLAND_DISPLAY)"
            } else {
                ""
            };
            if reason.is_empty() {
                plan.route = Route::NativeThenOsc52;
                plan.why = format!("the desktop clipboard on this local desktop, else {osc52}");
            } else {
                plan.why = format!("{osc52}: {reason}");
                plan.doubtful = osc52_fix.is_some();
                plan.fix = osc52_fix;
            }
            if !matches!(mode, "auto" | "") {
                let _ = write!(
                    plan.why,
                    " (R7KEYS_CLIPBOARD={} is not auto, native, osc52 or off: taken as auto)",
                    crate::sanitize::sanitize(mode)
                );
                plan.doubtful = true;
                plan.fix.get_or_insert_with(|| {
                    "set R7KEYS_CLIPBOARD to auto, native, osc52 or off".into()
                });
            }
        }
    }
    plan
}

/// The OSC 52 sequence for `text` (empty text clears), wrapped for the multiplexer.
pub fn osc52(text: &str, surroundings: &Surroundings) -> Vec<u8> {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let raw = format!("\u{1b}]52;c;{payload}\u{7}");
    match wrapping(surroundings) {
        // DCS passthrough: every ESC inside is doubled.
        Wrapping::TmuxPassthrough => format!(
            "\u{1b}Ptmux;{}\u{1b}\\",
            raw.replace('\u{1b}', "\u{1b}\u{1b}")
        )
        .into_bytes(),
        Wrapping::Screen => {
            // screen caps string sequences (256 bytes on old versions): one DCS per chunk.
            let mut out = Vec::new();
            for chunk in raw.as_bytes().chunks(250) {
                out.extend_from_slice(b"\x1bP");
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\x1b\\");
            }
            out
        }
        Wrapping::Raw | Wrapping::TmuxClipboard => raw.into_bytes(),
    }
}

/// The route the last copy took, so that clearing takes the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Used {
    Native,
    Osc52,
}

/// The real clipboard: arboard (one handle for the run) or OSC 52 on `out`.
pub struct SystemClipboard<W: Write + Send> {
    surroundings: Surroundings,
    native: Option<arboard::Clipboard>,
    out: W,
    last: Option<Used>,
}

impl<W: Write + Send> SystemClipboard<W> {
    pub fn new(surroundings: Surroundings, out: W) -> Self {
        SystemClipboard {
            surroundings,
            native: None,
            out,
            last: None,
        }
    }

    fn native_copy(&mut self, text: &str) -> Result<(), String> {
        if self.native.is_none() {
            self.native = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
        }
        let clipboard = self.native.as_mut().ok_or("no clipboard")?;
        clipboard
            .set_text(text.to_string())
            .map_err(|e| e.to_string())
    }

    fn osc52_copy(&mut self, text: &str) -> Result<String, String> {
        let bytes = osc52(text, &self.surroundings);
        self.out
            .write_all(&bytes)
            .and_then(|()| self.out.flush())
            .map_err(|e| e.to_string())?;
        self.last = Some(Used::Osc52);
        let route = match wrapping(&self.surroundings) {
            Wrapping::TmuxPassthrough => "OSC 52 through tmux passthrough",
            Wrapping::TmuxClipboard => "OSC 52 to tmux (needs `set -g set-clipboard on`)",
            Wrapping::Screen => "OSC 52 through GNU screen",
            Wrapping::Raw => "OSC 52",
        };
        Ok(format!(
            "{route}; terminals do not confirm it, so check with a paste"
        ))
    }
}

impl<W: Write + Send> Clipboard for SystemClipboard<W> {
    fn copy(&mut self, text: &str) -> Result<String, String> {
        match plan(&self.surroundings).route {
            Route::Off => {
                Err("copying is off (R7KEYS_CLIPBOARD=off): copy the key from the screen".into())
            }
            Route::Osc52 => self.osc52_copy(text),
            Route::Native => self.native_copy(text).map(|()| {
                self.last = Some(Used::Native);
                "the desktop clipboard".to_string()
            }),
            Route::NativeThenOsc52 => match self.native_copy(text) {
                Ok(()) => {
                    self.last = Some(Used::Native);
                    Ok("the desktop clipboard".into())
                }
                Err(why) => self
                    .osc52_copy(text)
                    .map(|route| format!("{route} (the desktop clipboard failed: {why})")),
            },
        }
    }

    fn clear_if_holds(&mut self, secret_hash: &[u8; 32]) {
        match self.last {
            Some(Used::Native) => {
                if let Some(clipboard) = self.native.as_mut() {
                    let holds = clipboard.get_text().is_ok_and(|t| {
                        <[u8; 32]>::from(Sha256::digest(t.as_bytes())) == *secret_hash
                    });
                    if holds {
                        let _ = clipboard.set_text(String::new());
                    }
                }
            }
            Some(Used::Osc52) => {
                let bytes = osc52("", &self.surroundings);
                let _ = self.out.write_all(&bytes).and_then(|()| self.out.flush());
            }
            None => {}
        }
    }
}

/// A clipboard that records what it was given: for tests.
#[derive(Debug, Default)]
pub struct Recording {
    pub copies: Vec<String>,
    pub clears: usize,
}

impl Clipboard for std::sync::Arc<std::sync::Mutex<Recording>> {
    fn copy(&mut self, text: &str) -> Result<String, String> {
        let mut recording = self.lock().map_err(|e| e.to_string())?;
        recording.copies.push(text.to_string());
        Ok("the test clipboard".into())
    }

    fn clear_if_holds(&mut self, _secret_hash: &[u8; 32]) {
        if let Ok(mut recording) = self.lock() {
            recording.clears += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn around(tmux: bool, passthrough: bool, screen: bool) -> Surroundings {
        Surroundings {
            mode: "osc52".into(),
            ssh: true,
            tmux,
            tmux_passthrough: passthrough,
            tmux_set_clipboard: None,
            screen,
            desktop: false,
        }
    }

    fn auto(change: impl FnOnce(&mut Surroundings)) -> Plan {
        let mut surroundings = Surroundings {
            mode: "auto".into(),
            ..Surroundings::default()
        };
        change(&mut surroundings);
        plan(&surroundings)
    }

    #[test]
    fn the_plan_follows_the_decision_order() {
        let local = auto(|s| s.desktop = true);
        assert_eq!(local.route, Route::NativeThenOsc52);
        assert!(!local.doubtful, "{local:?}");

        let ssh = auto(|s| {
            s.desktop = true;
            s.ssh = true;
        });
        assert_eq!((ssh.route, ssh.wrapping), (Route::Osc52, Wrapping::Raw));
        assert!(ssh.why.contains("inside SSH"), "{ssh:?}");

        let headless = auto(|_| {});
        assert_eq!(headless.route, Route::Osc52);
        assert!(headless.why.contains("no desktop"), "{headless:?}");

        let off = auto(|s| s.mode = "off".into());
        assert_eq!(off.route, Route::Off);

        let odd = auto(|s| s.mode = "tmux".into());
        assert_eq!(odd.route, Route::Osc52);
        assert!(odd.doubtful && odd.why.contains("taken as auto"), "{odd:?}");

        let native_over_ssh = auto(|s| {
            s.mode = "native".into();
            s.ssh = true;
        });
        assert_eq!(native_over_ssh.route, Route::Native);
        assert!(native_over_ssh.doubtful, "{native_over_ssh:?}");
    }

    #[test]
    fn the_plan_reads_tmux_options() {
        let passthrough = auto(|s| {
            s.tmux = true;
            s.tmux_passthrough = true;
        });
        assert_eq!(passthrough.wrapping, Wrapping::TmuxPassthrough);
        assert!(!passthrough.doubtful, "{passthrough:?}");

        let dropped = auto(|s| {
            s.tmux = true;
            s.tmux_set_clipboard = Some("external".into());
        });
        assert_eq!(dropped.wrapping, Wrapping::TmuxClipboard);
        assert!(dropped.doubtful, "{dropped:?}");
        assert!(
            dropped.why.contains("set-clipboard is external"),
            "{dropped:?}"
        );
        assert!(
            dropped
                .fix
                .as_deref()
                .is_some_and(|f| f.contains("allow-passthrough on")),
            "{dropped:?}"
        );

        let forwarded = auto(|s| {
            s.tmux = true;
            s.tmux_set_clipboard = Some("on".into());
        });
        assert!(!forwarded.doubtful, "{forwarded:?}");
        assert!(forwarded.why.contains("paste buffers"), "{forwarded:?}");

        let screen = auto(|s| s.screen = true);
        assert_eq!(screen.wrapping, Wrapping::Screen);
        assert!(screen.doubtful, "{screen:?}");
    }

    #[test]
    fn raw_osc52_is_base64_with_bel() {
        assert_eq!(
            osc52("key", &around(false, false, false)),
            b"\x1b]52;c;a2V5\x07"
        );
    }

    #[test]
    fn tmux_passthrough_doubles_escapes() {
        assert_eq!(
            osc52("key", &around(true, true, false)),
            b"\x1bPtmux;\x1b\x1b]52;c;a2V5\x07\x1b\\"
        );
        assert_eq!(
            osc52("key", &around(true, false, false)),
            b"\x1b]52;c;a2V5\x07",
            "route A: raw"
        );
    }

    #[test]
    fn screen_chunks_in_dcs() {
        let long = "k".repeat(600);
        let bytes = osc52(&long, &around(false, false, true));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.matches("\u{1b}P").count() >= 4);
        assert!(text.split("\u{1b}\\").all(|c| c.len() <= 252));
    }

    #[test]
    fn copies_over_ssh_go_by_osc52_and_say_so() {
        let mut clipboard = SystemClipboard::new(
            Surroundings {
                mode: "auto".into(),
                ssh: true,
                ..around(false, false, false)
            },
            Vec::new(),
        );
        let route = clipboard.copy("secret").unwrap();
        assert!(route.starts_with("OSC 52"), "{route}");
        assert_eq!(clipboard.out, b"\x1b]52;c;c2VjcmV0\x07");
        clipboard.clear_if_holds(&[0; 32]);
        assert!(
            clipboard.out.ends_with(b"\x1b]52;c;\x07"),
            "cleared with an empty payload"
        );
    }

    #[test]
    fn off_refuses() {
        let mut clipboard = SystemClipboard::new(
            Surroundings {
                mode: "off".into(),
                ..Surroundings::default()
            },
            Vec::new(),
        );
        assert!(clipboard.copy("x").is_err());
        assert!(clipboard.out.is_empty());
    }
}
