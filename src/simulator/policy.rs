//! Who may see, generate and revoke which keys, as pure functions over the
//! [`World`] and the [`Caller`].
//!
//! Two rule sets ([`RoleRules`]) differ only in what an organization
//! administrator may do. Today's rules (Rapid7's current "Manage Platform API
//! Keys" page, contract Part 2 section 1.2): only Platform Administrators
//! generate, view and manage organization keys, and everyone else sees and
//! manages only their own user keys. The legacy rules (seeds 000 and 003)
//! also let an organization administrator manage organization keys of their
//! organization and see every key of it. Under both, an organization key (the
//! "super key") has full power within its own organization, and the
//! multi-tenant rules (seed 001) are the same.
//!
//! Permissions are evaluated at call time from the key's owner, so a user
//! whose role drops loses what the role gave, including the keys they created.

use uuid::Uuid;

use super::world::{KeyKind, KeyRecord, KeySlot, OrgIdx, PRIMARY_ACCOUNT, User, UserIdx, World};
use crate::region::Region;

/// Which edition of Rapid7's role rules the platform follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RoleRules {
    /// Today's documentation: organization keys are for Platform Administrators only.
    #[default]
    Current,
    /// Seeds 000/003: an organization administrator also manages their
    /// organization's organization keys and sees all of its keys.
    Legacy,
}

/// The authenticated key behind a request, and the organization it acts in.
#[derive(Debug, Clone)]
pub struct Caller {
    pub slot: KeySlot,
    pub kind: KeyKind,
    pub owner: Option<UserIdx>,
    /// The organization the key belongs to.
    pub key_org: OrgIdx,
    /// The organization this request acts in: the key's own, or the tenant
    /// named by `R7-Organization-Id` for multi-tenant keys.
    pub context: OrgIdx,
    /// The rule set the request is judged by.
    pub rules: RoleRules,
}

/// A refusal with the HTTP status and the words the platform answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

/// What a caller is in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// May see and manage every user and organization key of the organization:
    /// a Platform Administrator, the organization's own organization key, a
    /// multi-tenant admin key in its tenant, and under the legacy rules an
    /// organization administrator.
    Admin,
    /// May see and manage only their own user keys there.
    Member,
    /// Has no business there.
    Outsider,
}

/// The 403 for organization keys under today's rules (fixture `account-403.json`).
const ORG_KEY_PLATFORM_ADMINS_ONLY: &str =
    "Only Platform Administrators can manage Organization API keys";
/// The 403 for organization keys under the legacy rules, which also admit organization administrators.
const ORG_KEY_ADMINS_ONLY_LEGACY: &str = "Only Platform Administrators and administrators of this organization can manage Organization API keys";

fn org_key_refusal(rules: RoleRules) -> Refusal {
    Refusal::new(
        403,
        match rules {
            RoleRules::Current => ORG_KEY_PLATFORM_ADMINS_ONLY,
            RoleRules::Legacy => ORG_KEY_ADMINS_ONLY_LEGACY,
        },
    )
}
const MT_ADMIN_ONLY: &str =
    "Only Platform Administrators in the primary account can manage Multi-Tenant admin keys";

/// Works out which organization a request acts in, or why the key may not be used here.
///
/// Platform keys (user, organization) work only at their own region's base URL
/// (elsewhere: 401). Multi-tenant keys work at every region but must name, in
/// `R7-Organization-Id`, an organization they can reach in that region
/// (missing: 400; not reachable or in another region: 403).
pub fn resolve_context(
    world: &World,
    slot: KeySlot,
    region: Region,
    tenant_header: Option<&str>,
    rules: RoleRules,
) -> Result<Caller, Refusal> {
    let key = world
        .key(slot)
        .ok_or_else(|| Refusal::new(401, "Unauthorized"))?;
    let mut caller = Caller {
        slot,
        kind: key.kind,
        owner: key.owner,
        key_org: key.org,
        context: key.org,
        rules,
    };
    if !key.kind.is_multi_tenant() {
        if world.org(key.org).region != region {
            return Err(Refusal::new(401, "Unauthorized"));
        }
        return Ok(caller);
    }
    let Some(header) = tenant_header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err(Refusal::new(
            400,
            "The R7-Organization-Id header is required when using a multi-tenant API key",
        ));
    };
    let not_managed = || {
        Refusal::new(
            403,
            format!(
                "Organization {header} is not managed by this account or not accessible to this key"
            ),
        )
    };
    let org = Uuid::parse_str(header)
        .ok()
        .and_then(|id| world.org_by_id(id))
        .ok_or_else(not_managed)?;
    let target = world.org(org);
    if !(target.managed || target.account == PRIMARY_ACCOUNT) {
        return Err(not_managed());
    }
    caller.context = org;
    if role(world, &caller, org) == Role::Outsider {
        return Err(not_managed());
    }
    if target.region != region {
        return Err(Refusal::new(
            403,
            format!(
                "Organization {header} is hosted in region {}; send the request to that region's endpoint",
                target.region
            ),
        ));
    }
    Ok(caller)
}

fn owner<'w>(world: &'w World, caller: &Caller) -> Option<&'w User> {
    caller.owner.and_then(|o| world.user(o))
}

/// The caller's role in `org`, evaluated now.
pub fn role(world: &World, caller: &Caller, org: OrgIdx) -> Role {
    match caller.kind {
        KeyKind::Organization if org == caller.key_org => Role::Admin,
        KeyKind::MultiTenantAdmin if org == caller.context => Role::Admin,
        KeyKind::Organization | KeyKind::MultiTenantAdmin => Role::Outsider,
        KeyKind::MultiTenantUser if org != caller.context => Role::Outsider,
        KeyKind::User | KeyKind::MultiTenantUser => {
            let Some(user) = owner(world, caller) else {
                return Role::Outsider;
            };
            let target = world.org(org);
            let same_account = target.account == user.account;
            let partner_over_tenant = user.account == PRIMARY_ACCOUNT
                && target.managed
                && caller.kind == KeyKind::MultiTenantUser;
            let admin_here = user.platform_admin && (same_account || partner_over_tenant);
            let org_admin_here = user.org_admin_of == Some(org);
            if admin_here || (org_admin_here && caller.rules == RoleRules::Legacy) {
                Role::Admin
            } else if org_admin_here || user.access.contains(&org) {
                Role::Member
            } else {
                Role::Outsider
            }
        }
    }
}

/// A caller's standing in every organization, worked out once per request so
/// that listing 100,000 keys costs one lookup per key.
pub struct Viewer {
    kind: KeyKind,
    owner: Option<UserIdx>,
    /// Whether each organization is within the caller's reach at all (else its keys are 404).
    reach: Vec<bool>,
    roles: Vec<Role>,
    partner_admin: bool,
    in_primary: bool,
}

impl Viewer {
    pub fn new(world: &World, caller: &Caller) -> Self {
        let user = owner(world, caller);
        let reach: Vec<bool> = (0..world.orgs.len() as OrgIdx)
            .map(|o| match caller.kind {
                KeyKind::Organization => o == caller.key_org,
                KeyKind::MultiTenantAdmin | KeyKind::MultiTenantUser => o == caller.context,
                KeyKind::User => user.is_some_and(|u| world.org(o).account == u.account),
            })
            .collect();
        let roles = reach
            .iter()
            .enumerate()
            .map(|(o, &r)| {
                if r {
                    role(world, caller, o as OrgIdx)
                } else {
                    Role::Outsider
                }
            })
            .collect();
        let partner_admin = caller.kind != KeyKind::Organization
            && user.is_some_and(|u| u.platform_admin && u.account == PRIMARY_ACCOUNT);
        let in_primary = match caller.kind {
            KeyKind::Organization => false,
            KeyKind::User => user.is_some_and(|u| u.account == PRIMARY_ACCOUNT),
            KeyKind::MultiTenantAdmin | KeyKind::MultiTenantUser => {
                world.org(caller.context).account == PRIMARY_ACCOUNT
            }
        };
        Viewer {
            kind: caller.kind,
            owner: caller.owner,
            reach,
            roles,
            partner_admin,
            in_primary,
        }
    }

    /// The organizations the request can act in.
    pub fn scope(&self) -> Vec<OrgIdx> {
        (0..self.roles.len())
            .filter(|&o| self.roles[o] != Role::Outsider)
            .map(|o| o as OrgIdx)
            .collect()
    }

    pub fn role(&self, org: OrgIdx) -> Role {
        self.roles
            .get(org as usize)
            .copied()
            .unwrap_or(Role::Outsider)
    }

    /// A platform administrator of the primary account, acting through a key that represents them.
    pub fn is_partner_admin(&self) -> bool {
        self.partner_admin
    }

    /// Whether the caller acts as someone of the primary account (where multi-tenant keys live).
    pub fn acts_in_primary(&self) -> bool {
        self.in_primary
    }

    /// Whether the key is within reach of the caller (else it does not exist for them: 404).
    pub fn key_in_scope(&self, key: &KeyRecord) -> bool {
        if key.kind.is_multi_tenant() {
            self.in_primary
        } else {
            self.reach.get(key.org as usize).copied().unwrap_or(false)
        }
    }

    /// Whether the caller may see and manage `key` (the platform grants both together).
    pub fn can_manage(&self, key: &KeyRecord) -> bool {
        if !self.key_in_scope(key) {
            return false;
        }
        let own =
            self.owner.is_some() && key.owner == self.owner && self.kind != KeyKind::Organization;
        match key.kind {
            KeyKind::User | KeyKind::Organization => match self.role(key.org) {
                Role::Admin => true,
                Role::Member => key.kind == KeyKind::User && own,
                Role::Outsider => false,
            },
            KeyKind::MultiTenantAdmin => self.partner_admin,
            KeyKind::MultiTenantUser => self.partner_admin || own,
        }
    }
}

/// Checks a generate request; answers the organization the new key will belong to.
pub fn check_generate(
    world: &World,
    caller: &Caller,
    kind: KeyKind,
    org: Option<OrgIdx>,
) -> Result<OrgIdx, Refusal> {
    let viewer = Viewer::new(world, caller);
    match kind {
        KeyKind::User => {
            if caller.kind != KeyKind::User {
                return Err(Refusal::new(
                    403,
                    "A user key represents a user: generate it with that user's own user key",
                ));
            }
            let org = org.unwrap_or(caller.key_org);
            if viewer.role(org) == Role::Outsider {
                return Err(Refusal::new(
                    403,
                    "You can only generate user keys for organizations you have access to",
                ));
            }
            Ok(org)
        }
        KeyKind::Organization => {
            let org = org.ok_or_else(|| {
                Refusal::new(
                    400,
                    "Organization ID is required for ORGANIZATION type keys",
                )
            })?;
            if viewer.role(org) == Role::Admin {
                Ok(org)
            } else {
                Err(org_key_refusal(caller.rules))
            }
        }
        KeyKind::MultiTenantAdmin => {
            if caller.kind == KeyKind::User && viewer.is_partner_admin() {
                Ok(world.primary_org())
            } else {
                Err(Refusal::new(
                    403,
                    "Only Platform Administrators in the primary account can generate Multi-Tenant admin keys",
                ))
            }
        }
        KeyKind::MultiTenantUser => {
            if caller.kind == KeyKind::User && viewer.acts_in_primary() {
                Ok(world.primary_org())
            } else {
                Err(Refusal::new(
                    403,
                    "Multi-Tenant user keys can only be generated by users of the primary account, with their user key",
                ))
            }
        }
    }
}

/// Checks a revoke request: 404 when the key does not exist for the caller,
/// 403 when it does but the caller may not manage it.
pub fn check_revoke(
    world: &World,
    caller: &Caller,
    slot: Option<KeySlot>,
) -> Result<KeySlot, Refusal> {
    let not_found = || Refusal::new(404, "API key not found");
    let slot = slot.ok_or_else(not_found)?;
    let key = world.key(slot).ok_or_else(not_found)?;
    let viewer = Viewer::new(world, caller);
    if !viewer.key_in_scope(key) {
        return Err(not_found());
    }
    if viewer.can_manage(key) {
        return Ok(slot);
    }
    match key.kind {
        KeyKind::Organization => Err(org_key_refusal(caller.rules)),
        KeyKind::MultiTenantAdmin => Err(Refusal::new(403, MT_ADMIN_ONLY)),
        KeyKind::User | KeyKind::MultiTenantUser => {
            Err(Refusal::new(403, "You can only manage your own API keys"))
        }
    }
}

/// Platform audit logs are readable with an organization key or a platform
/// administrator's user key (and a multi-tenant admin key, a full admin of the tenant).
pub fn can_read_audit(world: &World, caller: &Caller) -> bool {
    match caller.kind {
        KeyKind::Organization | KeyKind::MultiTenantAdmin => true,
        KeyKind::User => owner(world, caller).is_some_and(|u| u.platform_admin),
        KeyKind::MultiTenantUser => false,
    }
}

/// The managed organizations the caller may list, or why not.
pub fn managed_orgs(world: &World, caller: &Caller) -> Result<Vec<OrgIdx>, Refusal> {
    let all = (0..world.orgs.len() as OrgIdx).filter(|&o| world.org(o).managed);
    match caller.kind {
        KeyKind::MultiTenantAdmin => Ok(all.collect()),
        KeyKind::User if Viewer::new(world, caller).is_partner_admin() => Ok(all.collect()),
        KeyKind::MultiTenantUser => {
            let Some(user) = owner(world, caller) else {
                return Ok(Vec::new());
            };
            Ok(all
                .filter(|o| user.platform_admin || user.access.contains(o))
                .collect())
        }
        _ => Err(Refusal::new(
            403,
            "Only multi-tenant keys and Platform Administrators of the primary account can list managed organizations",
        )),
    }
}

/// The account whose users the caller sees.
pub fn context_account(world: &World, caller: &Caller) -> u32 {
    match caller.kind {
        KeyKind::User => {
            owner(world, caller).map_or(world.org(caller.key_org).account, |u| u.account)
        }
        _ => world.org(caller.context).account,
    }
}
