//! What can go wrong talking to the platform, in words an admin can act on,
//! and the stable exit code of each (documented in the README).

use crate::region::Region;

/// The exit codes of the scriptable commands.
pub mod exit {
    pub const OK: u8 = 0;
    /// Usage or configuration.
    pub const USAGE: u8 = 1;
    /// The API refused: a 4xx other than 401, or a 5xx after retries.
    pub const REFUSED: u8 = 2;
    /// Network, timeout, or an answer that could not be read.
    pub const NETWORK: u8 = 3;
    /// Authentication failed (401).
    pub const AUTH: u8 = 4;
    /// Declined at a confirmation.
    pub const DECLINED: u8 = 5;
}

/// A failed call. Messages quote server text only after sanitizing it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error(
        "authentication failed (401) at region {region}: check the API key (R7_API_KEY, \
         --api-key-file or the profile's api_key_command) and the region; a platform key \
         works only at its own region's endpoint"
    )]
    Unauthorized { region: Region },
    #[error("forbidden (403): {message}")]
    Forbidden { message: String },
    #[error("not found (404): {message}")]
    NotFound { message: String },
    #[error("the API refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("rate limited (429) after {}; try again in a minute", attempts_words(*attempts))]
    RateLimited { attempts: u32 },
    #[error("server error ({status}) after {}: {message}", attempts_words(*attempts))]
    Server {
        status: u16,
        message: String,
        attempts: u32,
    },
    #[error("timed out: {what}")]
    Timeout { what: String },
    #[error(
        "gave up: the whole operation took longer than its deadline of {secs} s (--deadline, or \
         the profile's deadline_secs)"
    )]
    Deadline { secs: u64 },
    #[error(
        "gave up listing {path} after {pages} pages: the server keeps sending more (the \
         --max-pages ceiling; raise it if the list really is that long)"
    )]
    PageCeiling { path: String, pages: usize },
    #[error("network error: {detail}")]
    Network { detail: String },
    #[error("the answer could not be read: {detail}")]
    Unreadable { detail: String },
    #[error("read-only mode: refused to {action}")]
    ReadOnly { action: String },
    #[error(
        "the key {name:?} was created (id {id}) but its secret was lost on the way ({cause}); \
         nobody has seen it, so revoke it: r7keys keys revoke {id}"
    )]
    LostSecret {
        id: String,
        name: String,
        cause: String,
    },
    #[error(
        "the answer to generating {name:?} was lost ({cause}) and the key list could not be \
         checked; look for a key with that name and revoke it"
    )]
    OutcomeUnknown { name: String, cause: String },
    #[error(
        "the answer to generating {name:?} was lost ({cause}); r7keys then listed the keys \
         ({checks}x) and no new key by that name was there, so it was most likely not created. \
         If one appears later (r7keys keys list), revoke it: nobody has its secret"
    )]
    NotCreated {
        name: String,
        cause: String,
        checks: u32,
        /// Whether the server answered (a 5xx) rather than the answer being lost.
        answered: bool,
    },
    #[error(
        "{detail}; nothing was sent. Free some space or fix the path, or turn the journal off \
         (--no-journal, or journal = false in the profile)"
    )]
    Journal { detail: String },
    #[error("{0}")]
    Config(String),
}

/// `1 attempt`, `3 attempts`.
fn attempts_words(attempts: u32) -> String {
    if attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{attempts} attempts")
    }
}

impl ApiError {
    /// The exit code a command ends with for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            ApiError::Unauthorized { .. } => exit::AUTH,
            ApiError::Forbidden { .. }
            | ApiError::NotFound { .. }
            | ApiError::Refused { .. }
            | ApiError::RateLimited { .. }
            | ApiError::Server { .. }
            | ApiError::NotCreated { answered: true, .. } => exit::REFUSED,
            ApiError::Timeout { .. }
            | ApiError::Deadline { .. }
            | ApiError::PageCeiling { .. }
            | ApiError::Network { .. }
            | ApiError::Unreadable { .. }
            | ApiError::LostSecret { .. }
            | ApiError::OutcomeUnknown { .. }
            | ApiError::NotCreated {
                answered: false, ..
            } => exit::NETWORK,
            ApiError::ReadOnly { .. } | ApiError::Journal { .. } | ApiError::Config(_) => {
                exit::USAGE
            }
        }
    }

    /// Whether the request may have been carried out although no good answer came back.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ApiError::Timeout { .. }
                | ApiError::Network { .. }
                | ApiError::Unreadable { .. }
                | ApiError::Server { .. }
        )
    }
}
