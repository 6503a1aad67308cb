//! Deterministic seeding of the simulated world from a seed number.
//!
//! The shape: a primary (partner) account with its own organizations in
//! several regions; managed tenant organizations spread over regions; users
//! of every role; keys of every kind with realistic names, owners and dates
//! spread over two years. Six principals (the credentials the simulator
//! prints) are always present.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::names;
use super::{
    KeyKind, KeyRecord, KeySlot, Org, OrgIdx, PRIMARY_ACCOUNT, User, UserIdx, World, hash_secret,
};
use crate::region::Region;

/// How big a world to seed, and from which seed.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub seed: u64,
    /// Organizations of the primary account (at least 2: a home one and one abroad).
    pub orgs: usize,
    /// Managed tenant organizations.
    pub tenants: usize,
    /// Users besides the principals' owners.
    pub users: usize,
    /// Keys besides the principals' own.
    pub keys: usize,
    pub hostile_names: bool,
    /// Regions tenants are spread over (empty: a default spread of seven).
    pub tenant_regions: Vec<Region>,
    /// "Now" for the seeded dates; ages are measured from it.
    pub now: OffsetDateTime,
}

/// A principal's credentials, as printed at start.
#[derive(Debug, Clone)]
pub struct SeededPrincipal {
    pub name: &'static str,
    pub email: Option<String>,
    pub secret: String,
    pub kind: KeyKind,
    pub org: OrgIdx,
}

const PRIMARY_REGIONS: [Region; 4] = [Region::Us, Region::Eu, Region::Au, Region::Ca];
const TENANT_REGIONS: [Region; 7] = [
    Region::Us,
    Region::Us2,
    Region::Eu,
    Region::Ca,
    Region::Au,
    Region::Ap,
    Region::Me1,
];

struct Seeder {
    rng: ChaCha8Rng,
    plan: SeedPlan,
    hostile: Vec<String>,
    world: World,
}

/// Builds the world for `plan`; the same plan always gives the same world
/// (ids, names, dates relative to `plan.now`, principal secrets).
pub fn seed_world(plan: &SeedPlan) -> (World, Vec<SeededPrincipal>) {
    let mut seeder = Seeder {
        rng: ChaCha8Rng::seed_from_u64(plan.seed),
        plan: plan.clone(),
        hostile: names::hostile_names(),
        world: World::default(),
    };
    seeder.orgs();
    let owners = seeder.principal_users();
    seeder.other_users();
    let principals = seeder.principal_keys(&owners);
    seeder.other_keys();
    seeder.departures(&owners);
    (seeder.world, principals)
}

impl Seeder {
    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    /// With `--hostile-names`, about one name in three is replaced by a hostile one.
    fn maybe_hostile(&mut self, name: String) -> String {
        if self.plan.hostile_names && self.rng.random_ratio(1, 3) {
            self.hostile.choose(&mut self.rng).cloned().unwrap_or(name)
        } else {
            name
        }
    }

    /// One of `items`, which must not be empty.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).unwrap_or(&items[0])
    }

    fn past_date(&mut self, max_days: i64) -> OffsetDateTime {
        let seconds = self.rng.random_range(0..max_days * 86_400);
        self.plan.now - Duration::seconds(seconds)
    }

    fn products(&mut self) -> Vec<&'static str> {
        let mut products: Vec<&'static str> = names::PRODUCTS
            .iter()
            .copied()
            .filter(|_| self.rng.random_ratio(1, 2))
            .collect();
        if products.is_empty() {
            products.push("IDR");
        }
        products
    }

    fn orgs(&mut self) {
        let own = self.plan.orgs.max(2);
        for i in 0..own {
            let region = PRIMARY_REGIONS[i % PRIMARY_REGIONS.len()];
            let name = match i {
                0 => "Acme Security Partners".to_string(),
                _ => format!("Acme Security Partners - {}", region.describe()),
            };
            let name = if i < 2 {
                name
            } else {
                self.maybe_hostile(name)
            };
            let org = Org {
                id: self.uuid(),
                name,
                region,
                account: PRIMARY_ACCOUNT,
                managed: false,
                external_id: None,
                products: self.products(),
                audit_log_id: self.uuid(),
            };
            self.world.add_org(org);
        }
        for i in 0..self.plan.tenants {
            let stem = self.pick(names::COMPANY_STEMS);
            let suffix = self.pick(names::COMPANY_SUFFIXES);
            let round = i / names::COMPANY_STEMS.len();
            let name = if round == 0 {
                format!("{stem} {suffix}")
            } else {
                format!("{stem} {suffix} {}", round + 1)
            };
            let name = self.maybe_hostile(name);
            let region = if self.plan.tenant_regions.is_empty() {
                self.pick(&TENANT_REGIONS)
            } else {
                self.plan.tenant_regions[i % self.plan.tenant_regions.len()]
            };
            let external_id = self
                .rng
                .random_ratio(1, 3)
                .then(|| format!("CRM-{:04}", i + 1));
            let org = Org {
                id: self.uuid(),
                name,
                region,
                account: 1 + i as u32,
                managed: true,
                external_id,
                products: self.products(),
                audit_log_id: self.uuid(),
            };
            self.world.add_org(org);
        }
    }

    fn person(&mut self, account: u32, domain: &str) -> User {
        let first = self.pick(names::FIRST_NAMES);
        let last = self.pick(names::LAST_NAMES);
        let serial = self.world.users().count();
        let email = format!(
            "{}.{}{serial}@{domain}",
            first.to_ascii_lowercase(),
            last.to_ascii_lowercase().replace('\'', "")
        );
        let created_on = self.past_date(900);
        let last_login = self.rng.random_ratio(9, 10).then(|| self.past_date(60));
        User {
            id: self.uuid(),
            email,
            first_name: self.maybe_hostile(first.to_string()),
            last_name: last.to_string(),
            account,
            platform_admin: false,
            org_admin_of: None,
            access: Vec::new(),
            status: "ACTIVE",
            federated: self.rng.random_ratio(1, 2),
            timezone: self.pick(names::TIMEZONES),
            created_on,
            last_login,
        }
    }

    fn account_orgs(&self, account: u32) -> Vec<OrgIdx> {
        (0..self.world.orgs.len() as OrgIdx)
            .filter(|&o| self.world.org(o).account == account)
            .collect()
    }

    fn managed_orgs(&self) -> Vec<OrgIdx> {
        (0..self.world.orgs.len() as OrgIdx)
            .filter(|&o| self.world.org(o).managed)
            .collect()
    }

    /// The owners of the principals: a platform admin, an organization admin
    /// of the second (abroad) organization, an ordinary user, and an ordinary
    /// user with access to about half the tenants (for the multi-tenant user key).
    fn principal_users(&mut self) -> [UserIdx; 4] {
        let domain = "acme-partners.example";
        let own = self.account_orgs(PRIMARY_ACCOUNT);

        let mut admin = self.person(PRIMARY_ACCOUNT, domain);
        admin.email = "platform-admin@acme-partners.example".into();
        admin.first_name = "Pat".into();
        admin.last_name = "Admin".into();
        admin.platform_admin = true;
        admin.access.clone_from(&own);
        let admin = self.world.add_user(admin);

        let mut org_admin = self.person(PRIMARY_ACCOUNT, domain);
        org_admin.email = "org-admin@acme-partners.example".into();
        org_admin.first_name = "Olga".into();
        org_admin.last_name = "Orgadmin".into();
        org_admin.org_admin_of = Some(own[1]);
        org_admin.access = vec![own[1]];
        let org_admin = self.world.add_user(org_admin);

        let mut user = self.person(PRIMARY_ACCOUNT, domain);
        user.email = "user@acme-partners.example".into();
        user.first_name = "Uri".into();
        user.last_name = "User".into();
        user.access = vec![own[0]];
        let user = self.world.add_user(user);

        let mut mt_user = self.person(PRIMARY_ACCOUNT, domain);
        mt_user.email = "mt-user@acme-partners.example".into();
        mt_user.first_name = "Mia".into();
        mt_user.last_name = "Multitenant".into();
        mt_user.access = vec![own[0]];
        let managed = self.managed_orgs();
        mt_user.access.extend(
            managed
                .iter()
                .copied()
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, o)| o),
        );
        let mt_user = self.world.add_user(mt_user);

        [admin, org_admin, user, mt_user]
    }

    fn other_users(&mut self) {
        let tenants = self.managed_orgs();
        for n in 0..self.plan.users {
            // Three in five users work for the partner; the rest for tenants.
            let in_primary = tenants.is_empty() || n % 5 < 3;
            let (account, domain, orgs) = if in_primary {
                (
                    PRIMARY_ACCOUNT,
                    "acme-partners.example".to_string(),
                    self.account_orgs(PRIMARY_ACCOUNT),
                )
            } else {
                let org = self.pick(&tenants);
                let account = self.world.org(org).account;
                (account, format!("tenant{account}.example"), vec![org])
            };
            let mut user = self.person(account, &domain);
            match self.rng.random_range(0..10) {
                0 => {
                    user.platform_admin = true;
                    user.access.clone_from(&orgs);
                }
                1 | 2 => {
                    let org = self.pick(&orgs);
                    user.org_admin_of = Some(org);
                    user.access = vec![org];
                }
                _ => {
                    let org = self.pick(&orgs);
                    user.access = vec![org];
                    if in_primary && !tenants.is_empty() && self.rng.random_ratio(1, 3) {
                        let extra = self.pick(&tenants);
                        user.access.push(extra);
                    }
                }
            }
            if self.rng.random_ratio(1, 25) {
                user.status = "DISABLED";
            }
            self.world.add_user(user);
        }
    }

    fn principal_keys(&mut self, owners: &[UserIdx; 4]) -> Vec<SeededPrincipal> {
        let [admin, org_admin, user, mt_user] = *owners;
        let home = self.world.primary_org();
        let abroad = self.account_orgs(PRIMARY_ACCOUNT)[1];
        let specs = [
            ("platform-admin", KeyKind::User, home, admin),
            ("org-admin", KeyKind::User, abroad, org_admin),
            ("user", KeyKind::User, home, user),
            ("org-key", KeyKind::Organization, home, admin),
            ("mt-admin", KeyKind::MultiTenantAdmin, home, admin),
            ("mt-user", KeyKind::MultiTenantUser, home, mt_user),
        ];
        specs
            .into_iter()
            .map(|(name, kind, org, owner)| {
                let secret = self.uuid().to_string();
                let (owner_id, email) = self.world.owner_snapshot(Some(owner));
                let generated_on = self.past_date(30);
                let record = KeyRecord {
                    id: self.uuid(),
                    name: format!("r7keys {name}"),
                    kind,
                    org,
                    owner: Some(owner),
                    owner_id,
                    owner_email: email.clone(),
                    generated_on,
                    secret_hash: hash_secret(&secret),
                };
                self.world.add_key(record);
                SeededPrincipal {
                    name,
                    email,
                    secret,
                    kind,
                    org,
                }
            })
            .collect()
    }

    fn key_name(&mut self) -> String {
        let system = self.pick(names::KEY_SYSTEMS);
        let purpose = self.pick(names::KEY_PURPOSES);
        let name = if self.rng.random_ratio(1, 2) {
            let env = self.pick(names::KEY_ENVS);
            format!("{system}-{purpose}-{env}")
        } else {
            format!("{system}-{purpose}")
        };
        self.maybe_hostile(name)
    }

    /// Users who left: about one organization key in six was generated by
    /// someone an administrator has since deleted in the web console. The key
    /// stays, naming an owner who is no longer there (seed 000): the orphans
    /// a fleet review looks for. The leavers are extra people, made and
    /// deleted here, so the world keeps the users and keys it was asked for.
    fn departures(&mut self, principal_owners: &[UserIdx; 4]) {
        let keys: Vec<(KeySlot, OrgIdx)> = self
            .world
            .keys()
            .filter(|(_, k)| k.kind == KeyKind::Organization)
            .filter(|(_, k)| k.owner.is_none_or(|o| !principal_owners.contains(&o)))
            .map(|(slot, k)| (slot, k.org))
            .collect();
        for (slot, org) in keys {
            if self.rng.random_range(0..6) != 0 {
                continue;
            }
            let account = self.world.org(org).account;
            let domain = if account == PRIMARY_ACCOUNT {
                "acme-partners.example".to_string()
            } else {
                format!("tenant{account}.example")
            };
            let mut leaver = self.person(account, &domain);
            leaver.access = vec![org];
            let idx = self.world.add_user(leaver);
            self.world.set_owner(slot, Some(idx));
            let _ = self.world.delete_user(idx);
        }
    }

    fn other_keys(&mut self) {
        let users: Vec<(UserIdx, u32, bool, Vec<OrgIdx>)> = self
            .world
            .users()
            .map(|(i, u)| (i, u.account, u.platform_admin, u.access.clone()))
            .collect();
        let primary_users: Vec<UserIdx> = users
            .iter()
            .filter(|u| u.1 == PRIMARY_ACCOUNT)
            .map(|u| u.0)
            .collect();
        let primary_admins: Vec<UserIdx> = users
            .iter()
            .filter(|u| u.1 == PRIMARY_ACCOUNT && u.2)
            .map(|u| u.0)
            .collect();
        let org_count = self.world.orgs.len() as OrgIdx;
        for _ in 0..self.plan.keys {
            let roll = self.rng.random_range(0..100);
            let (kind, org, owner) = if roll < 55 {
                let (idx, _, _, access) = users.choose(&mut self.rng).cloned().unwrap_or_default();
                let org = access.choose(&mut self.rng).copied().unwrap_or(0);
                (KeyKind::User, org, Some(idx))
            } else if roll < 85 {
                let org = self.rng.random_range(0..org_count);
                let account = self.world.org(org).account;
                let admins: Vec<UserIdx> = users
                    .iter()
                    .filter(|u| u.1 == account && (u.2 || u.3.contains(&org)))
                    .map(|u| u.0)
                    .collect();
                (
                    KeyKind::Organization,
                    org,
                    admins.choose(&mut self.rng).copied(),
                )
            } else if roll < 95 {
                let owner = primary_users.choose(&mut self.rng).copied();
                (KeyKind::MultiTenantUser, self.world.primary_org(), owner)
            } else {
                let owner = primary_admins.choose(&mut self.rng).copied();
                (KeyKind::MultiTenantAdmin, self.world.primary_org(), owner)
            };
            let secret_bytes: [u8; 16] = self.rng.random();
            let id = self.uuid();
            let name = self.key_name();
            let generated_on = self.past_date(730);
            let (owner_id, owner_email) = self.world.owner_snapshot(owner);
            let record = KeyRecord {
                id,
                name,
                kind,
                org,
                owner,
                owner_id,
                owner_email,
                generated_on,
                secret_hash: hash_secret(&hex::encode(secret_bytes)),
            };
            self.world.add_key(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(seed: u64) -> SeedPlan {
        SeedPlan {
            seed,
            orgs: 3,
            tenants: 10,
            users: 20,
            keys: 200,
            hostile_names: false,
            tenant_regions: Vec::new(),
            now: time::macros::datetime!(2026-06-01 12:00 UTC),
        }
    }

    #[test]
    fn same_seed_same_world() {
        let (a, pa) = seed_world(&plan(7));
        let (b, pb) = seed_world(&plan(7));
        let names_a: Vec<_> = a.keys().map(|(_, k)| (k.id, k.name.clone())).collect();
        let names_b: Vec<_> = b.keys().map(|(_, k)| (k.id, k.name.clone())).collect();
        assert_eq!(names_a, names_b);
        assert_eq!(pa[0].secret, pb[0].secret);
        let (c, _) = seed_world(&plan(8));
        assert_ne!(
            a.keys().next().map(|k| k.1.id),
            c.keys().next().map(|k| k.1.id)
        );
    }

    #[test]
    fn worlds_without_tenants_or_extra_users_seed() {
        for (tenants, users, keys) in [(0, 20, 100), (0, 0, 0), (5, 0, 50)] {
            let (world, principals) = seed_world(&SeedPlan {
                tenants,
                users,
                keys,
                ..plan(3)
            });
            assert_eq!(principals.len(), 6);
            assert_eq!(world.live_key_count(), keys + 6);
            assert_eq!(world.orgs.iter().filter(|o| o.managed).count(), tenants);
        }
    }

    #[test]
    fn every_kind_region_and_role_is_present() {
        let (world, principals) = seed_world(&plan(1));
        assert_eq!(principals.len(), 6);
        assert_eq!(world.live_key_count(), 206);
        for kind in [
            KeyKind::User,
            KeyKind::Organization,
            KeyKind::MultiTenantAdmin,
            KeyKind::MultiTenantUser,
        ] {
            assert!(
                world.keys().filter(|(_, k)| k.kind == kind).count() > 1,
                "{kind:?}"
            );
        }
        let tenant_regions: std::collections::BTreeSet<_> = world
            .orgs
            .iter()
            .filter(|o| o.managed)
            .map(|o| o.region)
            .collect();
        assert!(tenant_regions.len() >= 3);
        assert!(world.users().any(|(_, u)| u.platform_admin));
        assert!(world.users().any(|(_, u)| u.org_admin_of.is_some()));
        let oldest = world.keys().map(|(_, k)| k.generated_on).min();
        assert!(oldest < Some(plan(1).now - Duration::days(365)));
    }
}
