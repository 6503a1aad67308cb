//! A one-line text field drawn from a `tui_input::Input`: the visible part
//! of the value with a block cursor, scrolled so the cursor stays in view.
//! Used by the filter bar, the generate dialog, the typed revoke
//! confirmation and the tenant picker.
//!
//! The cursor is drawn as a cell (`█`, or the character under it reversed)
//! rather than the terminal's cursor, so it shows in snapshots and never
//! fights with a second field.

use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use tui_input::Input;

use crate::sanitize::sanitize;

use super::text::width;

/// The spans of a field `max` columns wide; `focused` draws the cursor.
/// Typed text is sanitized too: a paste is filtered, but nothing on screen
/// may carry a control character.
pub fn spans(input: &Input, max: usize, focused: bool, style: Style) -> Vec<Span<'static>> {
    let value = input.value();
    let split = value
        .char_indices()
        .nth(input.cursor())
        .map_or(value.len(), |(i, _)| i);
    let before = sanitize(&value[..split]).into_owned();
    let after = sanitize(&value[split..]).into_owned();
    if !focused {
        return vec![Span::styled(clip_end(&(before + &after), max), style)];
    }
    let mut after_chars = after.chars();
    let (cursor, rest) = match after_chars.next() {
        Some(c) => (c.to_string(), after_chars.as_str().to_string()),
        None => ("█".to_string(), String::new()),
    };
    // Keep the cursor in view: drop leading text until it fits.
    let room = max.saturating_sub(width(&cursor));
    let before = clip_start(&before, room);
    let rest = clip_end(&rest, room.saturating_sub(width(&before)));
    let cursor_style = if cursor == "█" {
        style
    } else {
        style.add_modifier(Modifier::REVERSED)
    };
    vec![
        Span::styled(before, style),
        Span::styled(cursor, cursor_style),
        Span::styled(rest, style),
    ]
}

/// The end of `text` that fits in `max` columns.
fn clip_start(text: &str, max: usize) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.into_iter().rev().collect()
}

/// The start of `text` that fits in `max` columns.
fn clip_end(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span<'_>]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn cursor_at_the_end_is_a_block() {
        let input = Input::new("splunk".into());
        assert_eq!(text(&spans(&input, 20, true, Style::new())), "splunk█");
        assert_eq!(text(&spans(&input, 20, false, Style::new())), "splunk");
    }

    #[test]
    fn long_text_scrolls_to_keep_the_cursor() {
        let input = Input::new("abcdefghij".into());
        assert_eq!(text(&spans(&input, 5, true, Style::new())), "ghij█");
    }

    #[test]
    fn control_characters_never_reach_the_screen() {
        let input = Input::new("a\u{1b}b".into());
        assert_eq!(text(&spans(&input, 20, false, Style::new())), "a\\x1bb");
    }
}
