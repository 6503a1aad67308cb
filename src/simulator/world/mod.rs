//! The simulated Command Platform's data: accounts, organizations, users and
//! API keys, with the indexes the HTTP layer needs to answer quickly.
//!
//! Keys live in a slab that never reuses a slot, so a page snapshot (a list of
//! slots) stays meaningful after keys are added or revoked.

mod names;
mod seed;

pub use seed::{SeedPlan, seed_world};

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::region::Region;

/// Index of an organization in [`World::orgs`].
pub type OrgIdx = u32;
/// Index of a user in [`World::users`].
pub type UserIdx = u32;
/// Slot of a key in the key slab.
pub type KeySlot = u32;

/// The account that owns the partner organizations and manages the tenants.
pub const PRIMARY_ACCOUNT: u32 = 0;

/// The four kinds of Command Platform API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    /// Represents one user; inherits that user's permissions at call time.
    User,
    /// Represents a whole organization: a super key.
    Organization,
    /// Full admin over every current and future managed tenant.
    MultiTenantAdmin,
    /// A primary-account user's key that works across the tenants they can reach.
    MultiTenantUser,
}

impl KeyKind {
    /// The `type` value served; `compat` serves the older "Enterprise" names.
    pub fn wire_name(self, compat: bool) -> &'static str {
        match (self, compat) {
            (KeyKind::User, _) => "USER",
            (KeyKind::Organization, _) => "ORGANIZATION",
            (KeyKind::MultiTenantAdmin, false) => "MULTI_TENANT_ADMIN",
            (KeyKind::MultiTenantUser, false) => "MULTI_TENANT_USER",
            (KeyKind::MultiTenantAdmin, true) => "ENTERPRISE_ADMIN",
            (KeyKind::MultiTenantUser, true) => "ENTERPRISE_USER",
        }
    }

    /// Parses a `type` value; both the current and the "Enterprise" spellings are accepted.
    pub fn from_wire(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "USER" => Some(KeyKind::User),
            "ORGANIZATION" => Some(KeyKind::Organization),
            "MULTI_TENANT_ADMIN" | "ENTERPRISE_ADMIN" => Some(KeyKind::MultiTenantAdmin),
            "MULTI_TENANT_USER" | "ENTERPRISE_USER" => Some(KeyKind::MultiTenantUser),
            _ => None,
        }
    }

    /// Multi-tenant keys work at every region with `R7-Organization-Id`.
    pub fn is_multi_tenant(self) -> bool {
        matches!(self, KeyKind::MultiTenantAdmin | KeyKind::MultiTenantUser)
    }
}

/// An organization: one of the primary account's own, or a managed tenant.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: Uuid,
    pub name: String,
    pub region: Region,
    /// `PRIMARY_ACCOUNT` for the partner's own organizations; each tenant is an account of its own.
    pub account: u32,
    /// A tenant managed by the primary account.
    pub managed: bool,
    pub external_id: Option<String>,
    /// Product codes licensed to the organization (`IVM`, `IDR`, ...).
    pub products: Vec<&'static str>,
    /// The id of the organization's platform audit log in Log Search.
    pub audit_log_id: Uuid,
}

/// A Command Platform user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account: u32,
    pub platform_admin: bool,
    /// The organization this user administers, if they are an organization administrator.
    pub org_admin_of: Option<OrgIdx>,
    /// Organizations the user can reach (includes `org_admin_of`).
    pub access: Vec<OrgIdx>,
    pub status: &'static str,
    pub federated: bool,
    pub timezone: &'static str,
    pub created_on: OffsetDateTime,
    pub last_login: Option<OffsetDateTime>,
}

/// An API key as the platform stores it: never the secret, only its hash.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: Uuid,
    pub name: String,
    pub kind: KeyKind,
    pub org: OrgIdx,
    /// The user the key represents (user kinds) or who generated it (admin kinds).
    pub owner: Option<UserIdx>,
    /// Kept so an organization key still names its creator after that user is deleted.
    pub owner_id: Option<Uuid>,
    pub owner_email: Option<String>,
    pub generated_on: OffsetDateTime,
    pub secret_hash: [u8; 32],
}

/// Why a mutation of the world was refused (before any HTTP status is chosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldError {
    NoSuchUser,
}

/// Everything the simulated platform knows.
#[derive(Debug, Default)]
pub struct World {
    pub orgs: Vec<Org>,
    users: Vec<Option<User>>,
    keys: Vec<Option<KeyRecord>>,
    org_by_id: HashMap<Uuid, OrgIdx>,
    user_by_id: HashMap<Uuid, UserIdx>,
    key_by_id: HashMap<Uuid, KeySlot>,
    key_by_hash: HashMap<[u8; 32], KeySlot>,
    live_keys: usize,
    /// Bumped on every change of keys or users; page snapshots compare against it.
    version: u64,
}

/// SHA-256 of a presented secret: the only form in which the platform keeps keys.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl World {
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn add_org(&mut self, org: Org) -> OrgIdx {
        let idx = self.orgs.len() as OrgIdx;
        self.org_by_id.insert(org.id, idx);
        self.orgs.push(org);
        idx
    }

    pub fn add_user(&mut self, user: User) -> UserIdx {
        let idx = self.users.len() as UserIdx;
        self.user_by_id.insert(user.id, idx);
        self.users.push(Some(user));
        self.version += 1;
        idx
    }

    pub fn add_key(&mut self, key: KeyRecord) -> KeySlot {
        let slot = self.keys.len() as KeySlot;
        self.key_by_id.insert(key.id, slot);
        self.key_by_hash.insert(key.secret_hash, slot);
        self.keys.push(Some(key));
        self.live_keys += 1;
        self.version += 1;
        slot
    }

    /// Removes a key; it stops authenticating at once.
    /// Gives a key another owner (its snapshot of the owner's id and email too).
    pub fn set_owner(&mut self, slot: KeySlot, owner: Option<UserIdx>) {
        let (owner_id, owner_email) = self.owner_snapshot(owner);
        if let Some(Some(key)) = self.keys.get_mut(slot as usize) {
            key.owner = owner;
            key.owner_id = owner_id;
            key.owner_email = owner_email;
        }
    }

    pub fn remove_key(&mut self, slot: KeySlot) -> Option<KeyRecord> {
        let key = self.keys.get_mut(slot as usize)?.take()?;
        self.key_by_id.remove(&key.id);
        self.key_by_hash.remove(&key.secret_hash);
        self.live_keys -= 1;
        self.version += 1;
        Some(key)
    }

    pub fn org(&self, idx: OrgIdx) -> &Org {
        &self.orgs[idx as usize]
    }

    pub fn org_by_id(&self, id: Uuid) -> Option<OrgIdx> {
        self.org_by_id.get(&id).copied()
    }

    /// The primary account's first organization: where multi-tenant keys live.
    pub fn primary_org(&self) -> OrgIdx {
        0
    }

    pub fn user(&self, idx: UserIdx) -> Option<&User> {
        self.users.get(idx as usize)?.as_ref()
    }

    pub fn user_mut(&mut self, idx: UserIdx) -> Option<&mut User> {
        self.version += 1;
        self.users.get_mut(idx as usize)?.as_mut()
    }

    /// The owner's id and email as a key keeps them: a copy, so an
    /// organization key still names its creator after that user is deleted.
    pub fn owner_snapshot(&self, owner: Option<UserIdx>) -> (Option<Uuid>, Option<String>) {
        let user = owner.and_then(|o| self.user(o));
        (user.map(|u| u.id), user.map(|u| u.email.clone()))
    }

    pub fn user_by_id(&self, id: Uuid) -> Option<UserIdx> {
        self.user_by_id.get(&id).copied()
    }

    /// Live users with their index.
    pub fn users(&self) -> impl Iterator<Item = (UserIdx, &User)> {
        self.users
            .iter()
            .enumerate()
            .filter_map(|(i, u)| u.as_ref().map(|u| (i as UserIdx, u)))
    }

    pub fn key(&self, slot: KeySlot) -> Option<&KeyRecord> {
        self.keys.get(slot as usize)?.as_ref()
    }

    pub fn key_by_id(&self, id: Uuid) -> Option<KeySlot> {
        self.key_by_id.get(&id).copied()
    }

    pub fn key_by_secret(&self, secret: &str) -> Option<KeySlot> {
        self.key_by_hash.get(&hash_secret(secret)).copied()
    }

    /// Live keys with their slot, in slot order.
    pub fn keys(&self) -> impl Iterator<Item = (KeySlot, &KeyRecord)> {
        self.keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.as_ref().map(|k| (i as KeySlot, k)))
    }

    pub fn live_key_count(&self) -> usize {
        self.live_keys
    }

    /// Deletes a user the way the platform does (seed 000): their user keys go,
    /// the organization and multi-tenant admin keys they generated stay.
    /// Returns the removed keys.
    pub fn delete_user(&mut self, idx: UserIdx) -> Result<Vec<KeyRecord>, WorldError> {
        let user = self
            .users
            .get_mut(idx as usize)
            .and_then(Option::take)
            .ok_or(WorldError::NoSuchUser)?;
        self.user_by_id.remove(&user.id);
        let doomed: Vec<KeySlot> = self
            .keys()
            .filter(|(_, k)| {
                k.owner == Some(idx) && matches!(k.kind, KeyKind::User | KeyKind::MultiTenantUser)
            })
            .map(|(slot, _)| slot)
            .collect();
        let removed = doomed
            .into_iter()
            .filter_map(|slot| self.remove_key(slot))
            .collect();
        for slot in 0..self.keys.len() {
            if let Some(key) = self.keys[slot].as_mut() {
                if key.owner == Some(idx) {
                    key.owner = None;
                }
            }
        }
        self.version += 1;
        Ok(removed)
    }
}

/// RFC 3339 with whole seconds, as the platform prints dates.
pub fn format_date(at: OffsetDateTime) -> String {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A fresh secret in the platform's format (UUID-shaped), from the OS's randomness.
pub fn new_secret() -> String {
    Uuid::new_v4().to_string()
}

/// A note for a Threat Command customer in a hostile world: one of the hostile strings.
pub fn names_for_tc(rng: &mut impl rand::Rng) -> String {
    use rand::seq::IndexedRandom;
    names::hostile_names()
        .choose(rng)
        .cloned()
        .unwrap_or_default()
}
