//! Secret types. They have no `Debug` or `Display`, are zeroized when
//! dropped, and are exposed only where a secret must leave the process (an
//! HTTP header, the reveal dialog, stdout of `generate`).

use secrecy::{ExposeSecret, SecretString};

/// The user's own API key (or Threat Command API key).
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key read from the environment, a file or a command; surrounding
    /// whitespace (a trailing newline from `pass`) is not part of the key.
    pub fn new(raw: &str) -> Option<ApiKey> {
        let trimmed = raw.trim();
        (!trimmed.is_empty()).then(|| ApiKey(SecretString::from(trimmed.to_string())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// A short SHA-256 fingerprint, safe to log ([`crate::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        crate::fingerprint::fingerprint(self.expose())
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

    /// The new key as an [`ApiKey`], to prove it works.
    pub fn as_api_key(&self) -> Option<ApiKey> {
        ApiKey::new(self.expose())
    }
}
