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
    /// The clipboard was copied to (or failed), by which route.
    Copied(Result<String, String>),
}

/// Which listing a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The keys of the context (home or the chosen tenant): user and organization tabs.
    Context,
    /// The primary account's keys: the multi-tenant tab.
    Home,
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
}

/// A worker's answer, tagged with the request it answers.
pub enum Outcome {
    KeysPage {
        req: ReqId,
        listing: Listing,
        keys: Vec<KeyInfo>,
        page: usize,
        total_pages: Option<usize>,
        total_keys: Option<usize>,
    },
    KeysDone {
        req: ReqId,
        listing: Listing,
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
    /// Whether the profile's user is a platform administrator.
    Identity {
        email: String,
        platform_admin: Option<bool>,
    },
}
