//! The simulated Threat Command (ex-IntSights) account: an MSSP account with
//! customers, modules, asset usage, enrichment quota and users, in the
//! `PascalCase`, Mongo-`_id` style of the real API.

use std::collections::BTreeMap;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::world::{World, hash_secret, names_for_tc};

/// The system modules, by their API names.
pub const MODULES: [&str; 8] = [
    "Discovery",
    "Remediation",
    "IOC",
    "VirtualAppliance",
    "InvestigationPage",
    "ThreatLibrary",
    "IntelliFind",
    "Cve",
];

/// A Threat Command user (`users-details`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TcUser {
    #[serde(rename = "_id")]
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub first_name: String,
    pub last_name: String,
    pub is_deleted: bool,
}

/// Subscription facts of one Threat Command account (the MSSP or a customer).
#[derive(Debug, Clone)]
pub struct TcAccount {
    pub id: String,
    pub modules: BTreeMap<&'static str, bool>,
    pub assets_limit: u32,
    pub assets_count: u32,
    pub quota_total: u32,
    pub quota_remaining: u32,
    pub users: Vec<TcUser>,
    pub subscription_type: &'static str,
    pub expiration: String,
    pub credits_total: u32,
    pub credits_remaining: u32,
    pub remediations_limit: u32,
    pub remediations_used: u32,
    pub data_location: &'static str,
}

/// An MSSP customer (`mssp/customers`).
#[derive(Debug, Clone)]
pub struct TcCustomer {
    pub company_name: String,
    pub status: &'static str,
    pub note: String,
    pub account: TcAccount,
}

/// The whole Threat Command side.
#[derive(Debug, Clone)]
pub struct TcWorld {
    pub main: TcAccount,
    pub api_key_hash: [u8; 32],
    pub customers: Vec<TcCustomer>,
    /// The MSSP's own users (`mssp/users-details`).
    pub mssp_users: Vec<TcUser>,
}

fn hex_id(rng: &mut ChaCha8Rng, bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rng.random()).collect();
    hex::encode(raw)
}

fn tc_account(rng: &mut ChaCha8Rng, users: Vec<TcUser>) -> TcAccount {
    let modules = MODULES
        .iter()
        .map(|m| (*m, rng.random_ratio(4, 5)))
        .collect();
    let assets_limit = *[50, 100, 150, 250, 500].choose(rng).unwrap_or(&150);
    let quota_total = *[50, 100, 200].choose(rng).unwrap_or(&50);
    let credits_total = rng.random_range(5..40);
    let remediations_limit = rng.random_range(10..50);
    TcAccount {
        id: hex_id(rng, 12),
        modules,
        assets_limit,
        assets_count: rng.random_range(assets_limit / 3..=assets_limit),
        quota_total,
        quota_remaining: rng.random_range(0..=quota_total),
        users,
        subscription_type: ["Platinum", "Gold", "Bronze"]
            .choose(rng)
            .unwrap_or(&"Gold"),
        expiration: format!(
            "2027-{:02}-{:02}T00:00:00.000Z",
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        ),
        credits_total,
        credits_remaining: rng.random_range(0..=credits_total),
        remediations_limit,
        remediations_used: rng.random_range(0..=remediations_limit),
        data_location: ["US", "EU", "AU"].choose(rng).unwrap_or(&"US"),
    }
}

fn tc_users(rng: &mut ChaCha8Rng, world: &World, account: u32, domain: &str) -> Vec<TcUser> {
    let mut users: Vec<TcUser> = world
        .users()
        .filter(|(_, u)| u.account == account)
        .take(6)
        .map(|(_, u)| TcUser {
            id: String::new(),
            email: u.email.clone(),
            role: if u.platform_admin { "Admin" } else { "Analyst" },
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            is_deleted: false,
        })
        .collect();
    if users.is_empty() {
        users.push(TcUser {
            id: String::new(),
            email: format!("analyst@{domain}"),
            role: "Admin",
            first_name: "Ana".into(),
            last_name: "Lyst".into(),
            is_deleted: false,
        });
    }
    for user in &mut users {
        user.id = hex_id(rng, 12);
    }
    if let Some(last) = users.last_mut().filter(|_| rng.random_ratio(1, 3)) {
        last.is_deleted = true;
    }
    users
}

/// Seeds the Threat Command side: the MSSP account mirrors the primary
/// account, and up to 12 managed tenants are its customers.
/// Returns the world and the API key (128 hex characters), which only the
/// credentials output keeps.
pub fn seed_tc(seed: u64, world: &World, hostile_names: bool) -> (TcWorld, String) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7c7c_7c7c);
    let api_key = hex_id(&mut rng, 64);
    let users = tc_users(&mut rng, world, 0, "acme-partners.example");
    let mut main = tc_account(&mut rng, users.clone());
    main.modules.insert("IOC", true);
    let customers = world
        .orgs
        .iter()
        .filter(|o| o.managed)
        .take(12)
        .map(|org| {
            let users = tc_users(&mut rng, world, org.account, "tenant.example");
            let account = tc_account(&mut rng, users);
            let note = if hostile_names {
                names_for_tc(&mut rng)
            } else {
                String::new()
            };
            TcCustomer {
                company_name: org.name.clone(),
                status: if rng.random_ratio(5, 6) {
                    "Enabled"
                } else {
                    "Disabled"
                },
                note,
                account,
            }
        })
        .collect();
    let tc = TcWorld {
        main,
        api_key_hash: hash_secret(&api_key),
        customers,
        mssp_users: users,
    };
    (tc, api_key)
}

impl TcWorld {
    /// The account a request acts on: the main one, or the customer named by `Account-Id`.
    pub fn account(&self, account_id: Option<&str>) -> Option<&TcAccount> {
        match account_id {
            None => Some(&self.main),
            Some(id) if id == self.main.id => Some(&self.main),
            Some(id) => self
                .customers
                .iter()
                .map(|c| &c.account)
                .find(|a| a.id == id),
        }
    }
}
