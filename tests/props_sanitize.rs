//! Property tests of the sanitizer: whatever text a server sends, nothing
//! that leaves a sanitizing function can drive the terminal or reorder what
//! it shows. The forbidden set is written out here, apart from the
//! sanitizer's own `is_unsafe`, so a narrowing of that predicate fails here.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

use proptest::prelude::*;
use proptest::sample::select;
use r7keys::api::KeyKind;
use r7keys::api::audit::AuditAction;
use r7keys::commands::output::{Table, compact_json_text, csv_field, json_text};
use r7keys::sanitize::{display, display_middle, is_unsafe, sanitize};
use serde_json::{Value, json};

/// What must never reach a terminal from untrusted text: C0 controls (ESC
/// among them), DEL, C1 controls, the bidi embeddings and overrides, the
/// isolates, the directional marks and the Arabic letter mark.
fn forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}' | '\u{80}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// One forbidden character, any of them.
fn forbidden_char() -> impl Strategy<Value = char> {
    prop_oneof![
        (0u32..0x20).prop_map(|n| char::from_u32(n).unwrap()),
        Just('\u{7f}'),
        (0x80u32..0xa0).prop_map(|n| char::from_u32(n).unwrap()),
        (0x202au32..=0x202e).prop_map(|n| char::from_u32(n).unwrap()),
        (0x2066u32..=0x2069).prop_map(|n| char::from_u32(n).unwrap()),
        select(vec!['\u{200e}', '\u{200f}', '\u{061c}']),
    ]
}

/// Pieces of hostile and ordinary text: whole escape sequences (CSI, OSC
/// with BEL or ST, DCS, the C1 forms), lone controls, and the text around
/// them (ASCII, CJK, emoji, combining marks, right-to-left script).
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "\u{1b}[2J",
            "\u{1b}[31;1m",
            "\u{1b}]52;c;ZXZpbA==\u{7}",
            "\u{1b}]0;title\u{1b}\\",
            "\u{1b}P+q544e\u{1b}\\",
            "\u{1b}c",
            "\u{9b}6n",
            "\u{9d}8;;http://x\u{9c}",
            "\u{202e}gpj.exe",
            "\u{2067}admin\u{2069}",
            "\r\n",
            "\\x1b",
            "\\u{202e}",
        ])
        .prop_map(str::to_string),
        forbidden_char().prop_map(String::from),
        "[a-z -]{0,6}",
        select(vec![
            "本番",
            "🔑",
            "e\u{301}",
            "שלום",
            "مرحبا",
            "\u{200b}",
            "\u{feff}",
            "…"
        ])
        .prop_map(str::to_string),
        any::<char>().prop_map(String::from),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..12).prop_map(|pieces| pieces.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), hostile_text()]
}

fn assert_clean(label: &str, input: &str, output: &str) -> Result<(), TestCaseError> {
    let bad: Vec<char> = output.chars().filter(|c| forbidden(*c)).collect();
    prop_assert!(
        bad.is_empty(),
        "{} of {:?} kept {:?} in {:?}",
        label,
        input,
        bad,
        output
    );
    prop_assert!(
        !output.chars().any(is_unsafe),
        "{} of {:?} is unsafe",
        label,
        input
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every public sanitizing function, on any text: nothing forbidden out.
    #[test]
    fn nothing_forbidden_leaves_any_sanitizer(text in any_text(), max in 0usize..48) {
        assert_clean("sanitize", &text, &sanitize(&text))?;
        assert_clean("display", &text, &display(&text, max))?;
        assert_clean("display_middle", &text, &display_middle(&text, max))?;
        assert_clean("KeyKind", &text, &KeyKind::Other(text.clone()).to_string())?;
        assert_clean("AuditAction", &text, &AuditAction::Other(text.clone()).to_string())?;
    }

    /// The scriptable outputs on any text: a CSV field and one-line JSON
    /// hold nothing forbidden, pretty JSON and a table only their own line
    /// breaks; JSON still reads back to the very text that went in.
    #[test]
    fn nothing_forbidden_leaves_the_outputs(text in any_text()) {
        assert_clean("csv_field", &text, &csv_field(&text))?;
        let value = json!({"name": text, "list": [text]});
        let compact = compact_json_text(&value);
        assert_clean("compact_json_text", &text, &compact)?;
        prop_assert_eq!(serde_json::from_str::<Value>(&compact).unwrap(), value.clone());
        let pretty = json_text(&value);
        for line in pretty.split('\n') {
            assert_clean("json_text", &text, line)?;
        }
        prop_assert_eq!(serde_json::from_str::<Value>(&pretty).unwrap(), value);
        let table = Table {
            headers: vec!["NAME", "KIND"],
            rows: vec![vec![display(&text, 40), KeyKind::Other(text.clone()).to_string()]],
        };
        let rendered = table.render();
        prop_assert_eq!(rendered.lines().count(), 2);
        for line in rendered.split('\n') {
            assert_clean("Table::render", &text, line)?;
        }
    }

    /// Every forbidden character is one the sanitizer replaces, and the
    /// replacement is visible (it starts with a backslash).
    #[test]
    fn every_forbidden_char_becomes_a_visible_escape(c in forbidden_char(), before in "[a-z]{0,3}", after in "[a-z]{0,3}") {
        prop_assert!(is_unsafe(c), "{:?} is not unsafe", c);
        let text = format!("{before}{c}{after}");
        let out = sanitize(&text);
        prop_assert!(out.starts_with(&before) && out.ends_with(&after), "{:?}", out);
        prop_assert!(out[before.len()..].starts_with('\\'), "{:?}", out);
    }

    /// Safe text passes untouched; unsafe text only grows (each character
    /// replaced by its escape, nothing dropped).
    #[test]
    fn safe_text_is_kept_and_nothing_is_dropped(text in any_text()) {
        let out = sanitize(&text);
        if text.chars().any(is_unsafe) {
            prop_assert!(out.chars().count() > text.chars().count());
        } else {
            prop_assert_eq!(out.as_ref(), text.as_str());
        }
        // A sanitized text is safe text: a second pass keeps it.
        let again = sanitize(&out);
        prop_assert_eq!(again.as_ref(), out.as_ref());
    }

    /// The display cuts stay within their width (an empty name shows as
    /// `(empty)`, which is never cut).
    #[test]
    fn display_cuts_stay_within_their_width(text in any_text(), max in 1usize..48) {
        let limit = max.max("(empty)".len());
        prop_assert!(display(&text, max).chars().count() <= limit);
        prop_assert!(display_middle(&text, max).chars().count() <= limit);
    }
}
