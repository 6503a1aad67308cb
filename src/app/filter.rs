//! The filter typed after `/`: words that must all appear (in the name, id,
//! organization or owner), and terms that ask about a field:
//!
//! | term | keeps |
//! |---|---|
//! | `age>90d`, `age<2w`, `age>1y` | keys older / younger than that (d, w, y; a bare number is days) |
//! | `kind:org`, `kind:user`, `kind:mt-admin`, `kind:mt` | keys of a kind (`mt` is both multi-tenant kinds) |
//! | `tenant:dunder` | keys of a tenant (name or id contains it) |
//! | `region:eu` | keys reached at that region |
//! | `owner:alice` | keys whose owner contains it |
//! | `flag:orphan`, `flag:old`, `flag:admin`, `flag:dup` | keys with that flag |
//!
//! A `field:value` that is not one of these is taken as a word.

use time::OffsetDateTime;

use crate::api::{KeyInfo, KeyKind};
use crate::inventory::{Flag, Flags};

/// A parsed filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    words: Vec<String>,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    OlderThan(i64),
    YoungerThan(i64),
    Kind(KindTerm),
    Tenant(String),
    Region(String),
    Owner(String),
    Flag(Flag),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KindTerm {
    User,
    Organization,
    MultiTenantAdmin,
    MultiTenantUser,
    MultiTenant,
    Unknown,
}

/// `90d`, `2w`, `1y`, `90` as days.
fn days(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "d"),
    };
    let n: i64 = number.parse().ok()?;
    let per = match unit {
        "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        "m" | "month" | "months" => 30,
        "y" | "year" | "years" => 365,
        _ => return None,
    };
    n.checked_mul(per)
}

fn kind_term(text: &str) -> Option<KindTerm> {
    Some(match text {
        "user" | "u" => KindTerm::User,
        "org" | "organization" | "o" => KindTerm::Organization,
        "mt-admin" | "mtadmin" => KindTerm::MultiTenantAdmin,
        "mt-user" | "mtuser" => KindTerm::MultiTenantUser,
        "mt" | "multi-tenant" => KindTerm::MultiTenant,
        "unknown" | "other" => KindTerm::Unknown,
        _ => return None,
    })
}

fn term(token: &str) -> Option<Term> {
    if let Some(rest) = token.strip_prefix("age>") {
        return days(rest.trim_start_matches('=')).map(Term::OlderThan);
    }
    if let Some(rest) = token.strip_prefix("age<") {
        return days(rest.trim_start_matches('=')).map(Term::YoungerThan);
    }
    let (field, value) = token.split_once(':')?;
    if value.is_empty() {
        return None;
    }
    match field {
        "kind" | "type" => kind_term(value).map(Term::Kind),
        "tenant" | "org" => Some(Term::Tenant(value.to_string())),
        "region" => Some(Term::Region(value.to_string())),
        "owner" => Some(Term::Owner(value.to_string())),
        "flag" | "is" => value.parse().ok().map(Term::Flag),
        _ => None,
    }
}

fn contains(text: Option<&str>, needle: &str) -> bool {
    text.is_some_and(|t| t.to_lowercase().contains(needle))
}

impl Filter {
    /// Parses what was typed (case does not matter).
    pub fn parse(text: &str) -> Filter {
        let mut filter = Filter::default();
        for token in text.to_lowercase().split_whitespace() {
            match term(token) {
                Some(term) => filter.terms.push(term),
                None => filter.words.push(token.to_string()),
            }
        }
        filter
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.terms.is_empty()
    }

    /// Whether the filter is only words (then a longer one only narrows).
    pub fn is_words(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the words all appear in `haystack` (the terms are not asked).
    pub fn keeps_text(&self, haystack: &str) -> bool {
        self.words.iter().all(|w| haystack.contains(w.as_str()))
    }

    /// Whether a key passes: `haystack` is its lowercase search text.
    pub fn keeps(&self, key: &KeyInfo, flags: Flags, haystack: &str, now: OffsetDateTime) -> bool {
        self.words.iter().all(|w| haystack.contains(w.as_str()))
            && self.terms.iter().all(|t| term_keeps(t, key, flags, now))
    }
}

fn term_keeps(term: &Term, key: &KeyInfo, flags: Flags, now: OffsetDateTime) -> bool {
    match term {
        Term::OlderThan(days) => key.age_days(now).is_some_and(|d| d > *days),
        Term::YoungerThan(days) => key.age_days(now).is_some_and(|d| d < *days),
        Term::Kind(kind) => match (kind, &key.kind) {
            (KindTerm::User, KeyKind::User)
            | (KindTerm::Organization, KeyKind::Organization)
            | (KindTerm::MultiTenantAdmin, KeyKind::MultiTenantAdmin)
            | (KindTerm::MultiTenantUser, KeyKind::MultiTenantUser)
            | (KindTerm::Unknown, KeyKind::Other(_)) => true,
            (KindTerm::MultiTenant, k) => k.is_multi_tenant(),
            _ => false,
        },
        Term::Tenant(needle) => {
            contains(key.organization_name.as_deref(), needle)
                || contains(key.organization_id.as_deref(), needle)
                || contains(key.tenant.as_ref().map(|t| t.id.as_str()), needle)
        }
        Term::Region(code) => key.tenant.as_ref().is_some_and(|t| t.region.code() == code),
        Term::Owner(needle) => {
            contains(key.owner_email.as_deref(), needle)
                || contains(key.owner_id.as_deref(), needle)
        }
        Term::Flag(flag) => flags.has(*flag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::TenantRef;
    use crate::region::Region;

    fn key(kind: KeyKind, days: i64) -> KeyInfo {
        KeyInfo {
            id: Some("k".into()),
            name: Some("siem".into()),
            kind,
            organization_id: Some("t-1".into()),
            organization_name: Some("Dunder Mifflin".into()),
            owner_id: None,
            owner_email: Some("Alice@x.example".into()),
            generated_on: Some(OffsetDateTime::UNIX_EPOCH),
            tenant: Some(TenantRef {
                id: "t-1".into(),
                region: Region::Eu,
            }),
            wire_type: None,
        }
        .with_age(days)
    }

    trait Aged {
        fn with_age(self, days: i64) -> Self;
    }

    impl Aged for KeyInfo {
        fn with_age(mut self, days: i64) -> Self {
            self.generated_on = Some(now() - time::Duration::days(days));
            self
        }
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + time::Duration::days(2000)
    }

    fn keeps(text: &str, key: &KeyInfo, flags: Flags) -> bool {
        Filter::parse(text).keeps(key, flags, "siem dunder mifflin alice@x.example", now())
    }

    #[test]
    fn terms_ask_about_fields() {
        let org = key(KeyKind::Organization, 120);
        let flags = Flags::default().with(Flag::Orphan);
        assert!(keeps("age>90d", &org, flags));
        assert!(!keeps("age>1y", &org, flags));
        assert!(keeps("age<20w", &org, flags));
        assert!(keeps("kind:org tenant:dunder", &org, flags));
        assert!(!keeps("kind:user", &org, flags));
        assert!(keeps("region:eu owner:alice flag:orphan siem", &org, flags));
        assert!(!keeps("flag:dup", &org, flags));
        assert!(keeps("kind:mt", &key(KeyKind::MultiTenantUser, 1), flags));
    }

    #[test]
    fn unknown_fields_are_words() {
        let filter = Filter::parse("colour:blue");
        assert!(!filter.is_words() || filter.words == ["colour:blue"]);
        assert!(!keeps(
            "colour:blue",
            &key(KeyKind::User, 1),
            Flags::default()
        ));
        assert!(Filter::parse("splunk prod").is_words());
        assert!(!Filter::parse("age>90d").is_words());
        assert!(Filter::parse("  ").is_empty());
    }
}
