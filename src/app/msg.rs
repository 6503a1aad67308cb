//! Messages into the pure core: user actions, text, mouse and worker results.

use tui_input::InputRequest;

use crate::api::keys::Revocation;
use crate::api::tc::{Customer, Quota, UsedAssets};
use crate::api::{ApiError, KeyInfo, NewSecret, Organization};

use crate::keymap::Action;

/// Identifies a request, so a stale answer never overwrites a newer one.
pub type ReqId = u64;

/// Something that happened.
pub enum Msg {
    /// A key bound to an action in the current layer.
    Action(Action),
    /// Editing of the text field in focus.
    Text(InputRequest),
    /// Text pasted into the field in focus.
    Paste(String),
    /// A left click at a terminal cell.
    Click {
        column: u16,
        row: u16,
    },
    /// The mouse wheel: negative is up.
    Scroll(i16),
    Resize {
        width: u16,
        height: u16,
    },
    /// A worker's answer (boxed: it is much larger than the other messages).
    Done(Box<Outcome>),
    /// The clipboard was copied to (or failed), by which route; `secret`
    /// says whether it was the new key's secret (else a key id).
    Copied {
        result: Result<String, String>,
        secret: bool,
    },
}

/// The rate budget known at a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionBudget {
    pub region: crate::region::Region,
    pub remaining: u64,
    pub limit: Option<u64>,
    /// Seconds until the window turns.
    pub reset_in: u64,
}

/// Threat Command facts for the panel.
#[derive(Debug, Clone)]
pub struct TcFacts {
    pub account_id: String,
    pub credentials_valid: bool,
    pub modules: Result<Vec<(String, bool)>, String>,
    pub assets: Result<UsedAssets, String>,
    pub quota: Result<Quota, String>,
    pub customers: Result<Vec<Customer>, String>,
    /// How long the credentials test took.
    pub tested_in_ms: u64,
}

/// A worker's answer, tagged with the request it answers.
pub enum Outcome {
    KeysPage {
        req: ReqId,
        keys: Vec<KeyInfo>,
        page: usize,
        total_pages: Option<usize>,
        total_keys: Option<usize>,
    },
    KeysDone {
        req: ReqId,
        result: Result<(), ApiError>,
    },
    Orgs {
        req: ReqId,
        result: Result<Vec<Organization>, ApiError>,
    },
    Managed {
        req: ReqId,
        result: Result<Vec<Organization>, ApiError>,
    },
    Generated {
        req: ReqId,
        result: Result<(KeyInfo, NewSecret), ApiError>,
    },
    Revoked {
        req: ReqId,
        id: String,
        result: Result<Revocation, ApiError>,
    },
    Tc {
        req: ReqId,
        result: Result<TcFacts, String>,
    },
    /// The rate budget left at the region in use.
    Budget { remaining: u64, limit: Option<u64> },
    /// A request waits for the rate budget at `region`: `left` seconds (0: the wait ended).
    BudgetWait {
        region: crate::region::Region,
        left: u64,
    },
    /// What one place of the inventory (the home organizations when
    /// `tenant` is `None`, else a managed tenant) gave.
    InventoryPlace {
        req: ReqId,
        tenant: Option<Organization>,
        result: Result<crate::inventory::PlaceKeys, ApiError>,
    },
    /// How the inventory's fan-out is going: requests spent, budgets left.
    InventoryProgress {
        req: ReqId,
        requests: u64,
        budgets: Vec<RegionBudget>,
    },
    /// Every place of the inventory has answered.
    InventoryDone { req: ReqId },
    /// A new key's proof: how long `/validate` took, or why it failed.
    Proved {
        req: ReqId,
        result: Result<u64, String>,
    },
    /// The export of the inventory's visible rows was written (how many), or why not.
    Exported {
        path: String,
        result: Result<usize, String>,
    },
    /// The journal's operations for the Audit tab, and what to say about it
    /// (off, or lines skipped).
    AuditJournal {
        req: ReqId,
        ops: Vec<super::audit::JournalOp>,
        note: Option<String>,
    },
    /// One page of the platform audit trail.
    AuditEvents {
        req: ReqId,
        events: Vec<crate::api::AuditEvent>,
    },
    /// The platform trail ended: why it stops short (if it does) and the
    /// requests it took, or why it could not be read.
    AuditDone {
        req: ReqId,
        result: Result<(Option<String>, u32), ApiError>,
    },
    /// Whether the profile's user is a platform administrator.
    Identity {
        email: String,
        platform_admin: Option<bool>,
    },
}
