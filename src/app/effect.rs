//! What the pure core asks the runtime to do.

use std::time::Duration;

use zeroize::Zeroizing;

use crate::api::keys::KeyFilter;
use crate::api::{NewKey, Target};

use super::msg::{Listing, ReqId};

/// A side effect for the runtime.
pub enum Effect {
    LoadKeys {
        req: ReqId,
        listing: Listing,
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
    },
    Revoke {
        req: ReqId,
        target: Target,
        id: String,
    },
    LoadTc {
        req: ReqId,
    },
    /// Put a secret on the clipboard.
    Copy(Zeroizing<String>),
    /// Clear the clipboard after `after`, if it still holds the secret with this SHA-256.
    ClearClipboardLater {
        after: Duration,
        secret_hash: [u8; 32],
    },
    Quit,
}
