//! Key fingerprints: a short, non-reversible tag for an API key, safe to
//! write to logs and request logs.
//!
//! The client and the simulator both compute it, so one function serves
//! both: a fingerprint in the client's log matches the one in the
//! simulator's request log for the same key.

use sha2::{Digest, Sha256};

/// The first 6 bytes of the key's SHA-256, as 12 hex digits.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    hex::encode(&digest[..6])
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn twelve_hex_digits_that_depend_on_the_key() {
        let tag = fingerprint("5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f");
        assert_eq!(tag.len(), 12);
        assert!(tag.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(tag, fingerprint("5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f"));
        assert_ne!(tag, fingerprint("5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e80"));
        // SHA-256("abc") starts ba7816bf8f01.
        assert_eq!(fingerprint("abc"), "ba7816bf8f01");
    }
}
