//! Secret types. They have no `Debug` or `Display`, are zeroized when
//! dropped, and are exposed only where a secret must leave the process (an
//! HTTP header, the reveal dialog, stdout of `generate`).

use secrecy::{ExposeSecret, SecretString};

/// The user's own API key (or Threat Command API key).
pub struct ApiKey(SecretString);

/// The longest key r7keys accepts: platform keys are 36 characters and
/// Threat Command keys 128, so anything this long is a wrong file or command.
pub const MAX_KEY_LEN: usize = 1024;

/// Why text is not a plausible API key. The key itself is never quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    #[error("it is empty")]
    Empty,
    #[error("it is {0} characters long; a key is a short token")]
    TooLong(usize),
    #[error(
        "it holds a space, a control character or a non-ASCII character at position {0}; a key is one printable token"
    )]
    BadCharacter(usize),
}

impl ApiKey {
    /// Wraps a key read from the environment, a file or a command; surrounding
    /// whitespace (a trailing newline from `pass`) is not part of the key.
    pub fn new(raw: &str) -> Option<ApiKey> {
        ApiKey::parse(raw).ok()
    }

    /// Like [`ApiKey::new`], saying why the text cannot be a key: one
    /// printable ASCII token of at most [`MAX_KEY_LEN`] characters, since it
    /// travels in an HTTP header.
    pub fn parse(raw: &str) -> Result<ApiKey, KeyProblem> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(KeyProblem::Empty);
        }
        if trimmed.len() > MAX_KEY_LEN {
            return Err(KeyProblem::TooLong(trimmed.chars().count()));
        }
        if let Some(at) = trimmed.chars().position(|c| !c.is_ascii_graphic()) {
            return Err(KeyProblem::BadCharacter(at + 1));
        }
        Ok(ApiKey(SecretString::from(trimmed.to_string())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// A short SHA-256 fingerprint, safe to log ([`crate::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.expose())
    }
}

impl Clone for ApiKey {
    fn clone(&self) -> Self {
        ApiKey(SecretString::from(self.expose().to_string()))
    }
}

/// The secret of a key just generated: shown once, never stored.
pub struct NewSecret(SecretString);

impl NewSecret {
    pub(crate) fn new(secret: SecretString) -> Self {
        NewSecret(secret)
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The same short SHA-256 fingerprint as [`ApiKey::fingerprint`]: what
    /// the journal keeps of a new key.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.expose())
    }

    /// The new key as an [`ApiKey`], to prove it works.
    pub fn as_api_key(&self) -> Option<ApiKey> {
        ApiKey::new(self.expose())
    }
}

/// The one fingerprint function of every secret.
fn fingerprint_of(secret: &str) -> String {
    crate::fingerprint::fingerprint(secret)
}
