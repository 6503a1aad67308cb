//! The fleet view's domain: every key the credentials can see, flagged.
//! Shared by the console's Inventory tab and `r7keys inventory`: what one
//! place (the home organizations or a managed tenant) costs to read, and the
//! flags of its keys. The fan-out over tenants is the client's
//! (`Client::tenant_stream`), paced per region.

pub mod export;
pub mod flags;

pub use flags::{Flag, Flags, Rules, flag_keys, needs_users};

use crate::api::{ApiError, Client, KeyFilter, KeyInfo, Target, User};

/// What one place gave: its keys and, when they were needed and could be
/// read, its users (to tell orphaned keys).
#[derive(Debug, Clone)]
pub struct PlaceKeys {
    pub keys: Vec<KeyInfo>,
    pub users: Option<Vec<User>>,
}

impl PlaceKeys {
    /// The keys with their flags.
    pub fn flagged(&self, rules: Rules) -> Vec<(KeyInfo, Flags)> {
        let flags = flag_keys(&self.keys, self.users.as_deref(), rules);
        self.keys.iter().cloned().zip(flags).collect()
    }
}

/// Reads one place: its keys (every page), then its users only if a key
/// could be an orphan. A refusal to list users (a 403) leaves orphans
/// unknown rather than failing the place.
pub async fn read_place(client: &Client, target: &Target) -> Result<PlaceKeys, ApiError> {
    let keys = client.list_keys(target, &KeyFilter::default()).await?;
    let users = if needs_users(&keys) {
        match client.users(target).await {
            Ok(users) => Some(users),
            Err(ApiError::Forbidden { .. } | ApiError::NotFound { .. }) => None,
            Err(error) => return Err(error),
        }
    } else {
        None
    };
    Ok(PlaceKeys { keys, users })
}
