//! Screen-share mode (`--present`, or `present = true` in a profile): the
//! console draws pseudonyms instead of the organization names, emails, ids
//! and Threat Command account id it shows, so it can be shared on a demo or
//! an incident bridge without naming customers or people.
//!
//! A pseudonym is a keyed hash of the real value with a salt drawn at
//! startup and never stored: the same organization is `org-7f3a` on every
//! screen of one run (so people can still say "that one"), and nobody can
//! tell from a recording which organization it was, nor match it across
//! runs. Four hex digits is plenty for telling rows apart on one screen; a
//! rare collision only makes two rows look alike.
//!
//! Only what is drawn is masked: filters and the tenant search still match
//! the real values (the user types what they know), and the clipboard still
//! receives the real secret or id.
//!
//! ## Masking one more view
//!
//! Every drawing function receives the [`Theme`](crate::ui::Theme), and the
//! theme carries the run's mask as `theme.mask`. Pass each real value
//! through the call that names what it is, before cutting it to the column
//! (`display`, `display_middle`): the mask answers the value itself,
//! borrowed, when it is off.
//!
//! ```
//! # use r7keys::present::Mask;
//! # let mask = Mask::with_salt([7; 16]);
//! let org = mask.org("Acme Security Partners"); // org-xxxx
//! let who = mask.email("dana@acme.example"); // user-xxxx@…
//! let id = mask.id("0000abcd-5d1c-4e7a-9b2f-00000000abcd"); // …xxxx
//! let prose = mask.text("revoked by dana@acme.example"); // emails and ids inside
//! assert!(!format!("{org}{who}{id}{prose}").contains("acme"));
//! ```
//!
//! `mask.owner(..)` takes an owner that is an email or a user id, and
//! `mask.text(..)` any free text (a key name, an error, an audit line).
//! Prose that may also name an organization (a status line, a server's
//! message) goes through `ui::text::masked_prose(app, &theme.mask, text)`,
//! which adds the names of the organizations and tenants loaded. A new
//! screen is proved by drawing it with `Theme::presenting(Mask::with_salt(..))`
//! and checking the buffer for the fixture's real values, as
//! `tests/ui_snapshots.rs` does (`presented`).

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

/// What the reveal dialog shows in place of a secret while presenting.
pub const HIDDEN_SECRET: &str = "●●●● (hidden: presenting; c copies it)";

/// The run's mask: off (text passes through), or on with its salt.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Mask {
    salt: Option<[u8; 16]>,
}

/// The salt is no secret worth a leak, but it has no business in a log either.
impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_on() {
            "Mask(on)"
        } else {
            "Mask(off)"
        })
    }
}

impl Mask {
    /// Everything drawn as it is.
    pub const OFF: Mask = Mask { salt: None };

    /// Screen-share mode with a fresh random salt (one per run).
    pub fn random() -> Mask {
        Mask::with_salt(rand::random())
    }

    /// Screen-share mode with a given salt: tests and snapshots, which must
    /// be the same on every run.
    pub const fn with_salt(salt: [u8; 16]) -> Mask {
        Mask { salt: Some(salt) }
    }

    /// `Mask::random()` when `presenting`, else off.
    pub fn for_run(presenting: bool) -> Mask {
        if presenting {
            Mask::random()
        } else {
            Mask::OFF
        }
    }

    /// Whether the console is presenting (the header says so).
    pub fn is_on(&self) -> bool {
        self.salt.is_some()
    }

    /// Four hex digits of the keyed hash of `value` in the domain `kind`
    /// (so an id and a name that happen to be equal do not look alike).
    fn tag(salt: &[u8; 16], kind: &str, value: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(salt);
        hash.update(kind.as_bytes());
        hash.update([0]);
        hash.update(value.as_bytes());
        hex::encode(&hash.finalize()[..2])
    }

    /// An organization's (or tenant's, or MSSP customer's) name: `org-7f3a`.
    pub fn org<'a>(&self, name: &'a str) -> Cow<'a, str> {
        match &self.salt {
            None => Cow::Borrowed(name),
            Some(salt) => Cow::Owned(format!("org-{}", Mask::tag(salt, "org", name.trim()))),
        }
    }

    /// An email: `user-1c2d@…` (the same for any spelling of its case).
    pub fn email<'a>(&self, email: &'a str) -> Cow<'a, str> {
        match &self.salt {
            None => Cow::Borrowed(email),
            Some(salt) => Cow::Owned(format!(
                "user-{}@…",
                Mask::tag(salt, "email", &email.trim().to_ascii_lowercase())
            )),
        }
    }

    /// An id (a key's, an organization's, a user's): `…7f3a`.
    pub fn id<'a>(&self, id: &'a str) -> Cow<'a, str> {
        match &self.salt {
            None => Cow::Borrowed(id),
            Some(salt) => Cow::Owned(format!(
                "…{}",
                Mask::tag(salt, "id", &id.trim().to_ascii_lowercase())
            )),
        }
    }

    /// The Threat Command account id: `account …7f3a`.
    pub fn account<'a>(&self, id: &'a str) -> Cow<'a, str> {
        match &self.salt {
            None => Cow::Borrowed(id),
            Some(salt) => Cow::Owned(format!(
                "account …{}",
                Mask::tag(salt, "account", id.trim())
            )),
        }
    }

    /// A key's owner, which the platform gives as an email or a user id.
    pub fn owner<'a>(&self, owner: &'a str) -> Cow<'a, str> {
        if owner.contains('@') {
            self.email(owner)
        } else {
            self.id(owner)
        }
    }

    /// Free text (a key name, a status line, an error): every email and
    /// every id-like word in it (a UUID, or 16 or more hex digits) masked,
    /// the rest kept. Organization names cannot be told from other words;
    /// [`Mask::text_naming`] also masks the names it is given.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.is_on() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        let mut rest = text;
        while let Some(start) = rest.find(is_word_char) {
            let (before, from) = rest.split_at(start);
            out.push_str(before);
            let end = from.find(|c: char| !is_word_char(c)).unwrap_or(from.len());
            let (word, after) = from.split_at(end);
            // A sentence's full stop is not part of the address or id.
            let core = word.trim_end_matches(['.', '-', '_']);
            let tail = &word[core.len()..];
            if looks_like_email(core) {
                out.push_str(&self.email(core));
                changed = true;
            } else if looks_like_id(core) {
                out.push_str(&self.id(core));
                changed = true;
            } else {
                out.push_str(core);
            }
            out.push_str(tail);
            rest = after;
        }
        out.push_str(rest);
        if changed {
            Cow::Owned(out)
        } else {
            Cow::Borrowed(text)
        }
    }

    /// Free text as [`Mask::text`], and each of `names` (organization or
    /// tenant names the console knows) replaced by its pseudonym, longest
    /// first so `Acme Rail - EU` is not half replaced by `Acme Rail`.
    pub fn text_naming<'a>(&self, text: &'a str, names: &[&str]) -> Cow<'a, str> {
        if !self.is_on() {
            return Cow::Borrowed(text);
        }
        let mut names: Vec<&str> = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| n.chars().count() >= 3 && text.contains(n))
            .collect();
        if names.is_empty() {
            return self.text(text);
        }
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.dedup();
        let mut replaced = text.to_string();
        for name in names {
            replaced = replaced.replace(name, &self.org(name));
        }
        Cow::Owned(self.text(&replaced).into_owned())
    }
}

/// Characters an email or an id is made of.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+' | '%')
}

/// `someone@somewhere.tld`, roughly: enough to catch addresses in prose.
fn looks_like_email(word: &str) -> bool {
    match word.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

/// A UUID (`8-4-4-4-12` hex), or a run of 16 or more hex digits (a Threat
/// Command account id, a key id in another shape).
fn looks_like_id(word: &str) -> bool {
    let hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = word.split('-').collect();
    let uuid = parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| hex(p));
    // Every digit a decimal one is a number (a count, a date), not an id.
    let long_hex = word.len() >= 16 && hex(word) && !word.chars().all(|c| c.is_ascii_digit());
    uuid || long_hex
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Mask = Mask::with_salt([1; 16]);
    const OTHER: Mask = Mask::with_salt([2; 16]);
    const KEY_ID: &str = "0000abcd-5d1c-4e7a-9b2f-00000000abcd";

    #[test]
    fn off_passes_everything_through_unchanged_and_borrowed() {
        let off = Mask::OFF;
        assert!(!off.is_on());
        for text in ["Acme Security", "dana@acme.example", KEY_ID, "a b"] {
            assert!(matches!(off.org(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(off.email(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(off.id(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(off.account(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(off.text(text), Cow::Borrowed(t) if t == text));
            assert_eq!(off.text_naming(text, &["Acme Security"]), text);
        }
        assert_eq!(Mask::default(), Mask::OFF);
        assert_eq!(Mask::for_run(false), Mask::OFF);
    }

    #[test]
    fn pseudonyms_have_their_shapes_and_hide_the_value() {
        let org = ON.org("Acme Security Partners");
        assert!(org.starts_with("org-") && org.len() == 8, "{org}");
        let email = ON.email("dana.admin@acme-partners.example");
        assert!(
            email.starts_with("user-") && email.ends_with("@…"),
            "{email}"
        );
        let id = ON.id(KEY_ID);
        assert!(id.starts_with('…') && id.chars().count() == 5, "{id}");
        let account = ON.account("5f2e9c0b1a3d4e5f6a7b8c9d");
        assert!(account.starts_with("account …"), "{account}");
        for masked in [org, email, id, account] {
            assert!(
                !masked.contains("acme") && !masked.contains("abcd"),
                "{masked}"
            );
        }
    }

    #[test]
    fn the_same_value_gets_the_same_pseudonym_within_a_run() {
        assert_eq!(ON.org("Acme Rail"), ON.org("Acme Rail"));
        assert_eq!(ON.email("Dana@Acme.example"), ON.email("dana@acme.example"));
        assert_eq!(ON.id(KEY_ID), ON.id(&KEY_ID.to_uppercase()));
        assert_eq!(ON.owner("dana@acme.example"), ON.email("dana@acme.example"));
        assert_eq!(ON.owner(KEY_ID), ON.id(KEY_ID));
        assert_ne!(ON.org("Acme Rail"), ON.org("Acme Rail - EU"));
        let random = Mask::random();
        assert!(random.is_on());
        assert_eq!(random.org("Acme Rail"), random.org("Acme Rail"));
    }

    #[test]
    fn another_salt_gives_other_pseudonyms() {
        // Over a few values, so a one-in-65536 coincidence cannot fail it.
        let values = ["Acme Rail", "Globex", "Initech", "Umbrella"];
        let differ = values.iter().filter(|v| ON.org(v) != OTHER.org(v)).count();
        assert!(differ >= 3, "{differ} of 4 differ");
        let a: Vec<_> = values.iter().map(|v| ON.email(v)).collect();
        let b: Vec<_> = values.iter().map(|v| OTHER.email(v)).collect();
        assert_ne!(a, b);
        assert_ne!(Mask::random(), Mask::random(), "a new salt each run");
    }

    #[test]
    fn free_text_masks_emails_and_ids_and_keeps_the_words() {
        let text = format!("revoked ci-deploy of dana@acme.example (id {KEY_ID}).");
        let masked = ON.text(&text);
        assert_eq!(
            masked,
            format!(
                "revoked ci-deploy of {} (id {}).",
                ON.email("dana@acme.example"),
                ON.id(KEY_ID)
            )
        );
        assert_eq!(
            ON.text("backup for dana@acme.example"),
            format!("backup for {}", ON.email("dana@acme.example"))
        );
        // Words, dates and counts stay.
        for kept in [
            "ci-deploy",
            "2026-03-01 12:00",
            "1234567890123456789",
            "splunk.forwarder",
        ] {
            assert!(matches!(ON.text(kept), Cow::Borrowed(_)), "{kept}");
        }
        assert_eq!(
            ON.text("account 5f2e9c0b1a3d4e5f6a7b"),
            format!("account {}", ON.id("5f2e9c0b1a3d4e5f6a7b"))
        );
    }

    #[test]
    fn text_naming_masks_the_known_names_longest_first() {
        let names = ["Acme Rail", "Acme Rail - EU", "x"];
        let masked = ON.text_naming("reading Acme Rail - EU again; Acme Rail done", &names);
        assert_eq!(
            masked,
            format!(
                "reading {} again; {} done",
                ON.org("Acme Rail - EU"),
                ON.org("Acme Rail")
            )
        );
        assert!(!masked.contains("Acme"));
    }

    #[test]
    fn debug_does_not_print_the_salt() {
        assert_eq!(format!("{ON:?}"), "Mask(on)");
        assert_eq!(format!("{:?}", Mask::OFF), "Mask(off)");
    }
}
