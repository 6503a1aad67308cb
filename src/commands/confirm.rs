//! Confirmations that match the damage: `y` for a user key, the key's name
//! typed for an organization or multi-tenant admin key.

use std::io::{BufRead, IsTerminal, Write};

use time::OffsetDateTime;

use crate::api::{KeyInfo, KeyKind};
use crate::sanitize::display;

/// The answer at a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// A name was typed but it was not the key's.
    Mismatch,
    /// No terminal to ask on.
    CannotAsk,
}

/// What a key is, in one line: kind, name, organization and age.
pub fn describe(key: &KeyInfo, now: OffsetDateTime) -> String {
    format!(
        "{} key \"{}\" (id {}) of {}{}",
        key.kind,
        display(key.name.as_deref().unwrap_or(""), 60),
        display(key.id.as_deref().unwrap_or("-"), 40),
        display(
            key.organization_name
                .as_deref()
                .or(key.organization_id.as_deref())
                .unwrap_or("an unknown organization"),
            60
        ),
        key.age_days(now)
            .map(|d| format!(", {d} days old"))
            .unwrap_or_default()
    )
}

/// Asks on the terminal whether to `action` the key.
pub fn confirm(action: &str, key: &KeyInfo, now: OffsetDateTime) -> Answer {
    if !std::io::stdin().is_terminal() {
        return Answer::CannotAsk;
    }
    let mut err = std::io::stderr();
    let _ = writeln!(err, "About to {action} the {}.", describe(key, now));
    if key.kind == KeyKind::MultiTenantAdmin {
        let _ = writeln!(
            err,
            "Every current and future tenant loses the access this key gives; every integration using it stops."
        );
    } else if key.kind == KeyKind::Organization {
        let _ = writeln!(
            err,
            "Every integration using this organization key stops working."
        );
    }
    let name = key.name.clone().unwrap_or_default();
    let typed_name = key.kind.needs_typed_confirmation();
    if typed_name {
        let _ = write!(err, "Type the key's name to confirm: ");
    } else {
        let _ = write!(err, "Proceed? [y/N] ");
    }
    let _ = err.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return Answer::No;
    }
    let line = line.trim_end_matches(['\n', '\r']);
    let yes = if typed_name {
        // The name as shown (sanitized) is accepted: control characters cannot be typed.
        !name.is_empty() && (line == name || line == crate::sanitize::sanitize(&name))
    } else {
        matches!(line.trim(), "y" | "Y" | "yes")
    };
    if yes {
        Answer::Yes
    } else if typed_name && !line.trim().is_empty() {
        Answer::Mismatch
    } else {
        Answer::No
    }
}
