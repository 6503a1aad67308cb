//! What the pure core asks the runtime to do.

use std::time::Duration;

use zeroize::Zeroizing;

use crate::api::keys::KeyFilter;
use crate::api::{KeyInfo, KeyNote, NewKey, Organization, Target};
use crate::inventory::Flags;

use super::msg::ReqId;

/// One place of the inventory to read.
#[derive(Debug, Clone)]
pub struct PlaceRequest {
    /// The managed tenant, or `None` for the home organizations.
    pub tenant: Option<Organization>,
    pub target: Target,
    /// Its keys, when a listing of this run already brought them.
    pub known: Option<Vec<KeyInfo>>,
}

/// A side effect for the runtime.
pub enum Effect {
    /// A paged listing; its pages come back as `KeysPage` answers to `req`.
    LoadKeys {
        req: ReqId,
        target: Target,
        filter: KeyFilter,
    },
    LoadOrgs {
        req: ReqId,
        target: Target,
    },
    LoadManaged {
        req: ReqId,
        target: Target,
    },
    Generate {
        req: ReqId,
        target: Target,
        spec: NewKey,
        /// For the journal: set on a rotation's step.
        note: KeyNote,
    },
    Revoke {
        req: ReqId,
        target: Target,
        id: String,
        /// What the journal writes beside the id: name, kind, rotation.
        note: KeyNote,
    },
    LoadTc {
        req: ReqId,
    },
    /// Read the places of the inventory, each paced at its region; a place
    /// whose keys are already known (listed in this run) only needs its users.
    LoadInventory {
        req: ReqId,
        places: Vec<PlaceRequest>,
    },
    /// Read the Audit tab's sources for `target` from `from`: the local
    /// journal (`AuditJournal`), then the platform trail page by page
    /// (`AuditEvents`), then `AuditDone`.
    LoadAudit {
        req: ReqId,
        target: Target,
        from: time::OffsetDateTime,
    },
    /// Prove a new key works: `/validate` with it at `target`.
    Prove {
        req: ReqId,
        target: Target,
        key: crate::api::ApiKey,
    },
    /// Sign every request from now on with this key: the console rotated
    /// its own key and is about to revoke the old one.
    AdoptKey(crate::api::ApiKey),
    /// Write rows of the inventory (metadata only) to a file, mode 0600.
    Export {
        path: String,
        rows: Vec<(KeyInfo, Flags)>,
    },
    /// Stop the work started for `req`: its answers would be thrown away,
    /// and its requests spend the rate budget. Never sent for a generate or
    /// a revoke (their outcome must be known).
    Cancel {
        req: ReqId,
    },
    /// Put a secret on the clipboard.
    Copy(Zeroizing<String>),
    /// Put text that is no secret on the clipboard (a key id).
    CopyText(String),
    /// Clear the clipboard after `after`, if it still holds the secret with this SHA-256.
    ClearClipboardLater {
        after: Duration,
        secret_hash: [u8; 32],
    },
    Quit,
}
