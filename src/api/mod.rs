//! The typed, async client shared by the console and the scriptable commands.
//!
//! Everything in contract Part 1 is here: tolerant decoding (`decode`),
//! paging by `metadata` (`paging`), rate-limit pacing (`pacing`), retries
//! and the read-only gate (`client`), lost-answer reconciliation (`keys`),
//! multi-tenant fan-out (`fanout`), platform audit logs through Log Search
//! (`audit`), the local journal of mutations (`journal`, `journaling`), and
//! Threat Command (`tc`). Server text is
//! untrusted: it is sanitized before it is put in an error message, and
//! callers sanitize it before drawing it.

pub mod audit;
pub mod client;
pub mod decode;
pub mod error;
pub mod fanout;
pub mod journal;
pub mod journaling;
pub mod keys;
pub mod model;
pub mod orgs;
pub mod pacing;
pub mod paging;
pub mod secret;
pub mod tc;
pub mod tls;

pub use audit::{AuditAction, AuditEvent, AuditQuery, AuditTrail, SearchLimits};
pub use client::{Client, Settings, Target};
pub use error::ApiError;
pub use journal::Journal;
pub use journaling::KeyNote;
pub use keys::{Generated, KeyFilter, Revocation};
pub use model::{KeyInfo, KeyKind, KindNames, NewKey, Organization, User};
pub use secret::{ApiKey, NewSecret};
