//! Semantic styles: the drawing code asks for "the selected row" or "a
//! danger warning", never for a colour, so a theme (or `NO_COLOR`) changes
//! every screen at once.
//!
//! Nothing on screen relies on colour alone: old keys carry a `!` marker,
//! module states a ✓/✗, the selected tab and row are reversed or bold. The
//! `mono` theme (what `NO_COLOR` gives) uses only bold, reversed and
//! underlined, so it stays readable on any terminal.

use ratatui::style::{Color, Modifier, Style};

use crate::present::Mask;

/// The styles the console draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Which theme this is (`dark`, `light` or `mono`), for the help screen and tests.
    pub name: &'static str,
    /// The top row: program, profile, region, tenant, who.
    pub header: Style,
    /// The `READ-ONLY` badge, so nobody wonders why generate is missing.
    pub badge: Style,
    /// A tab that is not selected.
    pub tab: Style,
    /// The selected tab: coloured, and bold + underlined or reversed without colour.
    pub tab_selected: Style,
    /// Block titles and dialog titles.
    pub title: Style,
    /// Column titles of tables.
    pub column_title: Style,
    /// The selected row of a table or a list.
    pub row_selected: Style,
    /// A key older than 90 days (also marked `!`).
    pub old_key: Style,
    /// Warnings about what a revoke breaks.
    pub danger: Style,
    /// Hint descriptions in the footer and dialogs.
    pub hint: Style,
    /// The key of a hint (`n` in `n generate`).
    pub hint_key: Style,
    /// A hint whose action is refused right now.
    pub hint_disabled: Style,
    /// Errors: failed loads, refused actions, failed copies.
    pub error: Style,
    /// Good news: credentials valid, copied, modules on.
    pub ok: Style,
    /// Borders of blocks and dialogs.
    pub border: Style,
    /// The masked secret and the masked Threat Command key.
    pub masked: Style,
    /// Secondary text: ids, regions, explanations.
    pub muted: Style,
    /// A text field being edited.
    pub input: Style,
    /// Screen-share mode's pseudonyms (`--present`), off unless asked. It
    /// travels with the styles because every drawing function already gets
    /// the theme: masking a value is one call where it is drawn (see
    /// `crate::present`).
    pub mask: Mask,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

impl Theme {
    /// The theme named `name` (`dark`, the default, `light` or `mono`); with
    /// `no_color` (the `NO_COLOR` convention) always `mono`. An unknown name
    /// falls back to `dark`: a typo in a config must not stop the console.
    pub fn new(no_color: bool, name: Option<&str>) -> Theme {
        if no_color {
            return Theme::mono();
        }
        match name.map(str::to_ascii_lowercase).as_deref() {
            Some("light") => Theme::light(),
            Some("mono" | "none" | "no-color") => Theme::mono(),
            _ => Theme::dark(),
        }
    }

    /// This theme drawing with `mask`: `Mask::random()` for `--present`.
    #[must_use]
    pub fn presenting(self, mask: Mask) -> Theme {
        Theme { mask, ..self }
    }

    /// The names `Theme::new` knows.
    pub const NAMES: [&'static str; 3] = ["dark", "light", "mono"];

    fn bold() -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// For dark terminal backgrounds.
    pub fn dark() -> Theme {
        let bold = Theme::bold();
        Theme {
            name: "dark",
            header: bold.fg(Color::Cyan),
            badge: bold.fg(Color::Black).bg(Color::Yellow),
            tab: Style::new().fg(Color::Gray),
            tab_selected: bold
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::UNDERLINED),
            title: bold.fg(Color::Cyan),
            column_title: bold.fg(Color::Gray),
            row_selected: bold.fg(Color::Black).bg(Color::LightBlue),
            old_key: Style::new().fg(Color::Yellow),
            danger: bold.fg(Color::LightRed),
            hint: Style::new().fg(Color::Gray),
            hint_key: bold.fg(Color::Cyan),
            hint_disabled: Style::new().fg(Color::DarkGray),
            error: bold.fg(Color::LightRed),
            ok: Style::new().fg(Color::LightGreen),
            border: Style::new().fg(Color::DarkGray),
            masked: Style::new().fg(Color::Gray),
            muted: Style::new().fg(Color::DarkGray),
            input: Style::new().fg(Color::White).bg(Color::DarkGray),
            mask: Mask::OFF,
        }
    }

    /// For light terminal backgrounds: darker foregrounds, no white text.
    pub fn light() -> Theme {
        let bold = Theme::bold();
        Theme {
            name: "light",
            header: bold.fg(Color::Blue),
            badge: bold.fg(Color::White).bg(Color::Red),
            tab: Style::new().fg(Color::DarkGray),
            tab_selected: bold
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            title: bold.fg(Color::Blue),
            column_title: bold.fg(Color::DarkGray),
            row_selected: bold.fg(Color::Black).bg(Color::LightCyan),
            old_key: Style::new().fg(Color::Magenta),
            danger: bold.fg(Color::Red),
            hint: Style::new().fg(Color::DarkGray),
            hint_key: bold.fg(Color::Blue),
            hint_disabled: Style::new().fg(Color::Gray),
            error: bold.fg(Color::Red),
            ok: Style::new().fg(Color::Green),
            border: Style::new().fg(Color::Gray),
            masked: Style::new().fg(Color::DarkGray),
            muted: Style::new().fg(Color::DarkGray),
            input: Style::new().fg(Color::Black).bg(Color::Gray),
            mask: Mask::OFF,
        }
    }

    /// No colour at all: only bold, reversed and underlined (`NO_COLOR`).
    pub fn mono() -> Theme {
        let bold = Theme::bold();
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
        Theme {
            name: "mono",
            header: bold,
            badge: reversed.add_modifier(Modifier::BOLD),
            tab: Style::new(),
            tab_selected: reversed.add_modifier(Modifier::BOLD),
            title: bold,
            column_title: underlined,
            row_selected: reversed,
            old_key: bold,
            danger: bold,
            hint: Style::new(),
            hint_key: bold,
            hint_disabled: Style::new().add_modifier(Modifier::DIM),
            error: bold,
            ok: Style::new(),
            border: Style::new(),
            masked: Style::new(),
            muted: Style::new(),
            input: underlined,
            mask: Mask::OFF,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colours(style: Style) -> bool {
        style.fg.is_some() || style.bg.is_some() || style.underline_color.is_some()
    }

    #[test]
    fn no_color_means_no_colour_anywhere() {
        let theme = Theme::new(true, Some("light"));
        assert_eq!(theme.name, "mono");
        let all = [
            theme.header,
            theme.badge,
            theme.tab,
            theme.tab_selected,
            theme.title,
            theme.column_title,
            theme.row_selected,
            theme.old_key,
            theme.danger,
            theme.hint,
            theme.hint_key,
            theme.hint_disabled,
            theme.error,
            theme.ok,
            theme.border,
            theme.masked,
            theme.muted,
            theme.input,
        ];
        assert!(!all.into_iter().any(colours));
    }

    #[test]
    fn names_choose_and_unknown_falls_back() {
        assert_eq!(Theme::new(false, None).name, "dark");
        assert_eq!(Theme::new(false, Some("LIGHT")).name, "light");
        assert_eq!(Theme::new(false, Some("mono")).name, "mono");
        assert_eq!(Theme::new(false, Some("solarized")).name, "dark");
    }

    #[test]
    fn the_selected_tab_and_row_stand_out_without_colour() {
        for theme in Theme::NAMES.map(|n| Theme::new(false, Some(n))) {
            assert!(
                !theme.tab_selected.add_modifier.is_empty(),
                "{}",
                theme.name
            );
            assert!(
                !theme.row_selected.add_modifier.is_empty(),
                "{}",
                theme.name
            );
        }
    }
}
