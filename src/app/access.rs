//! Which actions are open now, and why not: decided here, once, for the key
//! handling, the footer and the help alike.
//!
//! Three kinds of answer, so the console never claims a rule the platform
//! did not state:
//! - [`Access::Refused`]: certain. Read-only mode, what a kind of key cannot
//!   be (an organization key is not a user), the Threat Command tab, or a
//!   refusal the platform itself gave earlier in this session (in its words).
//! - [`Access::Doubtful`]: Rapid7's documentation says this role cannot, but
//!   the platform has not said so, and older platforms allowed it (seeds 000
//!   and 003 let organization administrators manage organization keys). The
//!   hint is shown as unavailable with the documentation's words; pressing
//!   the key once says why, pressing it again asks the platform anyway.
//! - [`Access::Open`].

use std::collections::HashMap;

use crate::api::{KeyInfo, KeyKind};
use crate::keymap::Action;

use super::{App, Loadable, Tab};

/// Whether an action is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Open,
    /// Rapid7's documentation says no; the platform decides if asked again.
    Doubtful(String),
    Refused(String),
}

impl Access {
    pub fn is_open(&self) -> bool {
        *self == Access::Open
    }

    /// The reason, when not open.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Access::Open => None,
            Access::Doubtful(why) | Access::Refused(why) => Some(why),
        }
    }
}

/// A mutation the platform answered, by what it was for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attempt {
    Generate(KeyKind),
    /// Revoking a key of this kind that is not the caller's own.
    RevokeOthers(KeyKind),
}

/// What the platform answered to an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Told {
    Allowed,
    /// Refused, in the platform's words.
    Refused(String),
}

/// What the platform said about attempts in this session.
#[derive(Debug, Clone, Default)]
pub struct Learned(HashMap<Attempt, Told>);

impl Learned {
    pub fn refused(&mut self, attempt: Attempt, message: &str) {
        self.0.insert(attempt, Told::Refused(message.to_string()));
    }

    pub fn allowed(&mut self, attempt: Attempt) {
        self.0.insert(attempt, Told::Allowed);
    }

    /// What the platform said, if the attempt was made.
    fn told(&self, attempt: &Attempt) -> Option<&Told> {
        self.0.get(attempt)
    }
}

/// The kinds the generate dialog offers on a tab.
pub fn kinds_of(tab: Tab) -> Vec<KeyKind> {
    match tab {
        Tab::Organization => vec![KeyKind::Organization],
        Tab::MultiTenant => vec![KeyKind::MultiTenantUser, KeyKind::MultiTenantAdmin],
        _ => vec![KeyKind::User],
    }
}

impl App {
    /// Whether `action` is open on the current tab now, and why not.
    pub fn access(&self, action: Action) -> Access {
        if self.tab == Tab::Audit && action == Action::Details {
            return match self.audit.selected_row() {
                Some(row) if row.key_id.is_some() => Access::Open,
                Some(_) => Access::Refused("this event names no key id".into()),
                None => Access::Refused("no event selected".into()),
            };
        }
        match action {
            Action::Generate => self.generate_access(),
            Action::Revoke => self.revoke_access(),
            Action::Rotate => self.rotate_access(),
            Action::ChooseTenant => self.tenant_access(),
            Action::Details | Action::CopyId | Action::Mark => {
                if self.selected_key().is_some() {
                    Access::Open
                } else {
                    Access::Refused("no key selected".into())
                }
            }
            _ => Access::Open,
        }
    }

    /// The reason an action is not available now, when it is not.
    pub fn refusal(&self, action: Action) -> Option<String> {
        self.access(action).reason().map(str::to_string)
    }

    fn mutation_refused(&self) -> Option<Access> {
        if self.session.read_only {
            return Some(Access::Refused(
                "read-only mode: generating and revoking are off".into(),
            ));
        }
        if self.tab == Tab::Audit {
            return Some(Access::Refused(
                "the audit trail is read-only: act on the key from its tab (enter opens it)".into(),
            ));
        }
        if self.tab == Tab::ThreatCommand {
            return Some(Access::Refused(
                "Threat Command API keys are generated and revoked only in its web console \
                 (Settings > Subscription)"
                    .into(),
            ));
        }
        None
    }

    /// What the platform said about `attempt` earlier, as an answer.
    fn learned_access(&self, attempt: &Attempt) -> Option<Access> {
        match self.learned.told(attempt)? {
            Told::Refused(message) => Some(Access::Refused(format!(
                "the platform refused this earlier: {message}"
            ))),
            Told::Allowed => Some(Access::Open),
        }
    }

    fn generate_access(&self) -> Access {
        if let Some(refused) = self.mutation_refused() {
            return refused;
        }
        if self.tab == Tab::Inventory {
            return Access::Refused(
                "the inventory spans tenants: generate on the user, organization or \
                 multi-tenant tab (in the tenant in focus)"
                    .into(),
            );
        }
        let caller = self.session.key_kind.as_ref();
        let kinds = kinds_of(self.tab);
        match (self.tab, caller) {
            (Tab::User, Some(KeyKind::Organization)) => {
                return Access::Refused(
                    "an organization key cannot generate user keys: a user key represents a \
                     user, and is generated with that user's own key"
                        .into(),
                );
            }
            (Tab::User, Some(k)) if k.is_multi_tenant() => {
                return Access::Refused(
                    "a multi-tenant key cannot generate user keys: a user key represents a user"
                        .into(),
                );
            }
            (Tab::MultiTenant, Some(k)) if *k != KeyKind::User => {
                return Access::Refused(
                    "multi-tenant keys are generated with a user key of the primary account".into(),
                );
            }
            (Tab::MultiTenant, _) if self.tenant.is_some() => {
                return Access::Refused(
                    "multi-tenant keys belong to the primary account: choose the home context (o)"
                        .into(),
                );
            }
            _ => {}
        }
        // A kind the platform already answered for decides; else the docs.
        let answers: Vec<Access> = kinds
            .iter()
            .filter_map(|k| self.learned_access(&Attempt::Generate(k.clone())))
            .collect();
        if answers.iter().any(Access::is_open) {
            return Access::Open;
        }
        if let Some(refused) = answers.into_iter().next() {
            return refused;
        }
        let not_admin = self.session.platform_admin == Some(false);
        match self.tab {
            Tab::Organization if not_admin => Access::Doubtful(
                "Rapid7 documents that only Platform Administrators generate organization keys, \
                 and this key's user is not one"
                    .into(),
            ),
            _ => Access::Open,
        }
    }

    /// Whether the selected key belongs to the session's user.
    fn is_mine(&self, key: &KeyInfo) -> bool {
        match (&self.session.owner, &key.owner_email) {
            (Some(me), Some(owner)) => me.eq_ignore_ascii_case(owner),
            _ => false,
        }
    }

    fn revoke_access(&self) -> Access {
        if let Some(refused) = self.mutation_refused() {
            return refused;
        }
        let pane = self.pane();
        let marked = pane.is_some_and(|p| !p.marked.is_empty());
        let Some(key) = self.selected_key() else {
            return Access::Refused("no key selected".into());
        };
        if marked {
            return Access::Open;
        }
        if key.id.is_none() {
            return Access::Refused(
                "the platform gave this key no id: it cannot be revoked from here".into(),
            );
        }
        if self.is_mine(key) {
            return Access::Open;
        }
        if let Some(told) = self.learned_access(&Attempt::RevokeOthers(key.kind.clone())) {
            return told;
        }
        let not_admin = self.session.platform_admin == Some(false);
        match &key.kind {
            KeyKind::Organization if not_admin => Access::Doubtful(
                "Rapid7 documents that only Platform Administrators manage organization keys, \
                 and this key's user is not one"
                    .into(),
            ),
            KeyKind::User | KeyKind::MultiTenantUser
                if not_admin && self.session.owner.is_some() && key.owner_email.is_some() =>
            {
                Access::Doubtful(
                    "Rapid7 documents that only Platform Administrators manage other users' \
                     keys, and this key belongs to someone else"
                        .into(),
                )
            }
            KeyKind::MultiTenantAdmin if not_admin => Access::Doubtful(
                "Rapid7 documents that only Platform Administrators of the primary account \
                 manage multi-tenant admin keys"
                    .into(),
            ),
            _ => Access::Open,
        }
    }

    fn rotate_access(&self) -> Access {
        if let Some(refused) = self.mutation_refused() {
            return refused;
        }
        if self.selected_key().is_none() {
            return Access::Refused("no key selected".into());
        }
        Access::Open
    }

    fn tenant_access(&self) -> Access {
        if let Some(kind) = self
            .session
            .key_kind
            .as_ref()
            .filter(|k| !k.is_multi_tenant())
        {
            return Access::Refused(format!(
                "only a multi-tenant key can act for a tenant; this is {} key",
                if *kind == KeyKind::Organization {
                    "an organization"
                } else {
                    "a user"
                }
            ));
        }
        match &self.managed {
            Loadable::Ready(tenants) if tenants.is_empty() => {
                Access::Refused("this account manages no tenants".into())
            }
            Loadable::Ready(_) => Access::Open,
            Loadable::Loading(_) => Access::Refused("the tenants are still loading".into()),
            Loadable::Failed(why) => Access::Refused(format!("no tenants to choose from: {why}")),
        }
    }
}
