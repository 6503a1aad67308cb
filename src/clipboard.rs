//! Copying a secret to the clipboard, locally and over SSH and tmux.
//!
//! The order (research/peers.md section d.5): a setting `R7KEYS_CLIPBOARD`
//! (`auto`, `native`, `osc52`, `off`) overrides; inside SSH, OSC 52 first (a
//! native copy would land on the remote host); on a local desktop, arboard,
//! falling back to OSC 52. OSC 52 is wrapped for tmux (DCS passthrough when
//! `allow-passthrough` is on, else raw for `set-clipboard on`) and GNU
//! screen (chunked). A terminal never confirms an OSC 52 copy, so the route
//! is always reported and the secret stays on screen as the fallback.

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
            tmux_passthrough: tmux && tmux_allows_passthrough(),
            screen: !tmux && set("STY"),
            desktop: set("DISPLAY") || set("WAYLAND_DISPLAY"),
        }
    }
}

fn tmux_allows_passthrough() -> bool {
    std::process::Command::new("tmux")
        .args(["show", "-Av", "allow-passthrough"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| matches!(String::from_utf8_lossy(&o.stdout).trim(), "on" | "all"))
}

/// The OSC 52 sequence for `text` (empty text clears), wrapped for the multiplexer.
pub fn osc52(text: &str, surroundings: &Surroundings) -> Vec<u8> {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let raw = format!("\u{1b}]52;c;{payload}\u{7}");
    if surroundings.tmux && surroundings.tmux_passthrough {
        // DCS passthrough: every ESC inside is doubled.
        return format!(
            "\u{1b}Ptmux;{}\u{1b}\\",
            raw.replace('\u{1b}', "\u{1b}\u{1b}")
        )
        .into_bytes();
    }
    if surroundings.screen {
        // screen caps string sequences (256 bytes on old versions): one DCS per chunk.
        let mut out = Vec::new();
        for chunk in raw.as_bytes().chunks(250) {
            out.extend_from_slice(b"\x1bP");
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\x1b\\");
        }
        return out;
    }
    raw.into_bytes()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Native,
    Osc52,
}

/// The real clipboard: arboard (one handle for the run) or OSC 52 on `out`.
pub struct SystemClipboard<W: Write + Send> {
    surroundings: Surroundings,
    native: Option<arboard::Clipboard>,
    out: W,
    last: Option<Route>,
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
        self.last = Some(Route::Osc52);
        let route = if self.surroundings.tmux && self.surroundings.tmux_passthrough {
            "OSC 52 through tmux passthrough"
        } else if self.surroundings.tmux {
            "OSC 52 to tmux (needs `set -g set-clipboard on`)"
        } else if self.surroundings.screen {
            "OSC 52 through GNU screen"
        } else {
            "OSC 52"
        };
        Ok(format!(
            "{route}; terminals do not confirm it, so check with a paste"
        ))
    }
}

impl<W: Write + Send> Clipboard for SystemClipboard<W> {
    fn copy(&mut self, text: &str) -> Result<String, String> {
        let mode = self.surroundings.mode.clone();
        match mode.as_str() {
            "off" => {
                Err("copying is off (R7KEYS_CLIPBOARD=off): copy the key from the screen".into())
            }
            "osc52" => self.osc52_copy(text),
            "native" => self.native_copy(text).map(|()| {
                self.last = Some(Route::Native);
                "the desktop clipboard".to_string()
            }),
            _ if self.surroundings.ssh || !self.surroundings.desktop => self.osc52_copy(text),
            _ => match self.native_copy(text) {
                Ok(()) => {
                    self.last = Some(Route::Native);
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
            Some(Route::Native) => {
                if let Some(clipboard) = self.native.as_mut() {
                    let holds = clipboard.get_text().is_ok_and(|t| {
                        <[u8; 32]>::from(Sha256::digest(t.as_bytes())) == *secret_hash
                    });
                    if holds {
                        let _ = clipboard.set_text(String::new());
                    }
                }
            }
            Some(Route::Osc52) => {
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
            screen,
            desktop: false,
        }
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
