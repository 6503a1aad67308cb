//! What makes a key worth a second look, across a fleet: older than the
//! profile's `max_key_age`; owned by someone who is no longer a user of the
//! organization (seed 000: deleting a user keeps the organization keys they
//! generated); an organization or multi-tenant admin key (the highest blast
//! radius); a name used twice within one tenant. Pure functions of the keys,
//! the users and the clock, shared by the console and `r7keys inventory`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::api::{KeyInfo, User};

/// A set of flags, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

/// One flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Flag {
    Old,
    Orphan,
    Admin,
    Duplicate,
}

impl Flag {
    fn bit(self) -> u8 {
        match self {
            Flag::Old => 1,
            Flag::Orphan => 2,
            Flag::Admin => 4,
            Flag::Duplicate => 8,
        }
    }

    /// The word used in filters, the table and scripts.
    pub fn word(self) -> &'static str {
        match self {
            Flag::Old => "old",
            Flag::Orphan => "orphan",
            Flag::Admin => "admin",
            Flag::Duplicate => "dup",
        }
    }

    /// What it means, for help texts.
    pub fn meaning(self) -> &'static str {
        match self {
            Flag::Old => "older than the profile's max_key_age",
            Flag::Orphan => "its owner is no longer a user of the organization",
            Flag::Admin => "an organization or multi-tenant admin key (the highest blast radius)",
            Flag::Duplicate => "another key of the tenant has the same name",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl FromStr for Flag {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "old" | "age" => Ok(Flag::Old),
            "orphan" | "orphaned" => Ok(Flag::Orphan),
            "admin" | "power" => Ok(Flag::Admin),
            "dup" | "duplicate" | "duplicates" => Ok(Flag::Duplicate),
            _ => Err(format!(
                "unknown flag {text:?}; expected old, orphan, admin or dup"
            )),
        }
    }
}

impl Flags {
    #[must_use]
    pub fn with(self, flag: Flag) -> Flags {
        Flags(self.0 | flag.bit())
    }

    pub fn has(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The flags set, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        <Flag as strum::IntoEnumIterator>::iter().filter(move |f| self.has(*f))
    }

    /// `old orphan`, or `-`.
    pub fn words(self) -> String {
        if self.is_empty() {
            return "-".to_string();
        }
        self.iter().map(Flag::word).collect::<Vec<_>>().join(" ")
    }
}

/// What flags are worked out from.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub max_age_days: i64,
    pub now: OffsetDateTime,
}

/// The flags of each key of one tenant (or the home organizations), in the
/// order of `keys`. `users` are the organization's users, when they were
/// read: without them nobody is called an orphan.
pub fn flag_keys(keys: &[KeyInfo], users: Option<&[User]>, rules: Rules) -> Vec<Flags> {
    let known = users.map(|users| {
        let ids: HashSet<String> = users.iter().filter_map(|u| u.id.clone()).collect();
        let emails: HashSet<String> = users
            .iter()
            .filter_map(|u| u.email.as_deref().map(str::to_lowercase))
            .collect();
        (ids, emails)
    });
    let mut names: HashMap<String, usize> = HashMap::new();
    for key in keys {
        if let Some(name) = key.name.as_deref().map(normalized_name) {
            *names.entry(name).or_default() += 1;
        }
    }
    keys.iter()
        .map(|key| {
            let mut flags = Flags::default();
            if key
                .age_days(rules.now)
                .is_some_and(|d| d > rules.max_age_days)
            {
                flags = flags.with(Flag::Old);
            }
            if key.kind.is_admin_power() {
                flags = flags.with(Flag::Admin);
            }
            // Deleting a user removes their user keys: only a key that can
            // outlive its owner can be an orphan.
            if let (Some((ids, emails)), true) = (&known, key.kind.is_admin_power()) {
                if is_orphan(key, ids, emails) {
                    flags = flags.with(Flag::Orphan);
                }
            }
            let name = key.name.as_deref().map(normalized_name);
            if name.is_some_and(|n| names.get(&n).copied().unwrap_or(0) > 1) {
                flags = flags.with(Flag::Duplicate);
            }
            flags
        })
        .collect()
}

fn normalized_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A key whose owner is named but is not among the users: the user was
/// deleted (or moved), the key stayed. A key with no owner named is not
/// called an orphan: there is nothing to compare.
fn is_orphan(key: &KeyInfo, ids: &HashSet<String>, emails: &HashSet<String>) -> bool {
    match (&key.owner_id, &key.owner_email) {
        (None, None) => false,
        (id, email) => {
            let by_id = id.as_ref().is_some_and(|id| ids.contains(id));
            let by_email = email
                .as_ref()
                .is_some_and(|e| emails.contains(&e.to_lowercase()));
            !(by_id || by_email)
        }
    }
}

/// Whether the keys of a tenant need its users read: only a key that can
/// outlive its owner (an organization or multi-tenant admin key) can be an
/// orphan, since deleting a user removes their user keys.
pub fn needs_users(keys: &[KeyInfo]) -> bool {
    keys.iter()
        .any(|k| k.kind.is_admin_power() && (k.owner_id.is_some() || k.owner_email.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::KeyKind;

    fn key(name: &str, kind: KeyKind, owner: &str, days: i64) -> KeyInfo {
        KeyInfo {
            id: Some(format!("{name}-id")),
            name: Some(name.into()),
            kind,
            organization_id: None,
            organization_name: None,
            owner_id: Some(format!("{owner}-id")),
            owner_email: Some(format!("{owner}@x.example")),
            generated_on: Some(OffsetDateTime::UNIX_EPOCH + time::Duration::days(1000 - days)),
            tenant: None,
            wire_type: None,
        }
    }

    fn user(name: &str) -> User {
        User {
            id: Some(format!("{name}-id")),
            email: Some(format!("{name}@x.example")),
            first_name: None,
            last_name: None,
            platform_admin: None,
            status: None,
        }
    }

    #[test]
    fn each_flag_for_its_reason() {
        let keys = [
            key("fresh", KeyKind::User, "ann", 10),
            key("ancient", KeyKind::User, "ann", 400),
            key("siem", KeyKind::Organization, "gone", 10),
            key("SIEM ", KeyKind::User, "ann", 10),
        ];
        let rules = Rules {
            max_age_days: 90,
            now: OffsetDateTime::UNIX_EPOCH + time::Duration::days(1000),
        };
        let users = [user("ann")];
        let flags = flag_keys(&keys, Some(&users), rules);
        assert_eq!(flags[0], Flags::default());
        assert_eq!(flags[1].words(), "old");
        assert_eq!(flags[2].words(), "orphan admin dup");
        assert_eq!(flags[3].words(), "dup");
        let unknown = flag_keys(&keys, None, rules);
        assert!(
            !unknown[2].has(Flag::Orphan),
            "no users read, no orphans claimed"
        );
        assert!(needs_users(&keys));
        assert!(!needs_users(&keys[..2]));
    }

    #[test]
    fn flag_words_parse_back() {
        for flag in <Flag as strum::IntoEnumIterator>::iter() {
            assert_eq!(flag.word().parse::<Flag>(), Ok(flag));
        }
        assert!("nope".parse::<Flag>().is_err());
    }
}
