//! Untrusted text made safe for a terminal.
//!
//! Every string a server sends (key names, organization names, error
//! messages) may carry escape sequences that would clear the screen, set the
//! window title, write the clipboard (OSC 52) or reorder text (bidi
//! overrides). Before anything reaches a terminal it passes through here:
//! control and invisible formatting characters become visible escapes, so
//! the admin sees that a name is odd instead of the terminal obeying it.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// The text with every unsafe character replaced by a visible escape
/// (`\x1b`, `\n`, `\u{202e}`); borrowed when nothing needed replacing.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x100 => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Sanitized and cut to at most `max` characters (with `…` when cut); an
/// empty or blank name shows as `(empty)` so a row never looks missing.
pub fn display(text: &str, max: usize) -> String {
    let safe = sanitize(text);
    if safe.trim().is_empty() {
        return "(empty)".to_string();
    }
    if safe.chars().count() <= max {
        return safe.into_owned();
    }
    let mut cut: String = safe.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Like [`display`], but cut in the middle: the end of a name often tells
/// it from its neighbours (`Acme Security Partners - Australia` and
/// `- Canada`), so both ends are kept.
pub fn display_middle(text: &str, max: usize) -> String {
    let safe = sanitize(text);
    if safe.trim().is_empty() {
        return "(empty)".to_string();
    }
    let count = safe.chars().count();
    if count <= max || max < 5 {
        return display(text, max);
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let mut cut: String = safe.chars().take(head).collect();
    cut.push('…');
    cut.extend(safe.chars().skip(count - tail));
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        assert_eq!(sanitize("\u{1b}[2Jwipe"), "\\x1b[2Jwipe");
        assert_eq!(
            sanitize("clip\u{1b}]52;c;eA==\u{7}"),
            "clip\\x1b]52;c;eA==\\x07"
        );
        assert_eq!(sanitize("c1\u{9b}31m"), "c1\\x9b31m");
        assert_eq!(sanitize("\u{202e}txt"), "\\u{202e}txt");
        assert_eq!(sanitize("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(sanitize("zero\u{200b}width"), "zero\\u{200b}width");
    }

    #[test]
    fn safe_text_is_borrowed_untouched() {
        assert!(matches!(
            sanitize("siem-forwarder 🔑 本番"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn display_middle_keeps_both_ends() {
        assert_eq!(
            display_middle("Acme Security Partners - Australia", 20),
            "Acme Secur…Australia"
        );
        assert_eq!(display_middle("short", 20), "short");
        assert_eq!(
            display_middle("a\u{1b}bcdefghijklmnop", 9).chars().count(),
            9
        );
    }

    #[test]
    fn display_cuts_and_marks_empty() {
        assert_eq!(display("", 10), "(empty)");
        assert_eq!(display("   ", 10), "(empty)");
        assert_eq!(display("abcdefghijkl", 5), "abcd…");
        assert_eq!(display("\u{1b}", 10), "\\x1b");
    }

    #[test]
    fn nothing_unsafe_survives() {
        let hostile = "\u{1b}P+q\u{1b}\\\u{7}\u{0}\u{7f}\u{85}\u{9b}\u{2066}\u{feff}";
        assert!(!sanitize(hostile).chars().any(is_unsafe));
    }
}
