//! TLS for the client: rustls trusting the operating system's store (which
//! honours `SSL_CERT_FILE` and `SSL_CERT_DIR`) plus any `--ca-cert` files, so
//! r7keys works behind TLS-inspecting corporate proxies.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::error::ApiError;

/// What the client trusts, for `doctor`: where the roots come from and how
/// many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` when set: they replace the OS store.
    pub from_env: Vec<String>,
    /// Roots loaded from the OS store (or from the variables).
    pub roots: usize,
    /// Problems met loading them.
    pub errors: Vec<String>,
    /// Each `--ca-cert` / `ca_cert` file and its certificate count.
    pub extra: Vec<(PathBuf, usize)>,
}

impl Trust {
    /// The trust store in words: "the OS trust store (146 roots) + corp.pem (1)".
    pub fn describe(&self) -> String {
        let mut text = if self.from_env.is_empty() {
            format!("the OS trust store ({} roots)", self.roots)
        } else {
            format!(
                "{} ({} roots, instead of the OS store)",
                self.from_env.join(", "),
                self.roots
            )
        };
        for (path, count) in &self.extra {
            let _ = write!(text, " + {} ({count})", path.display());
        }
        text
    }
}

/// Loads the roots the client would trust, reporting instead of failing.
pub fn trust(extra_cas: &[PathBuf]) -> Result<Trust, ApiError> {
    let native = rustls_native_certs::load_native_certs();
    let from_env = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .filter_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{name}={v}"))
        })
        .collect();
    let extra = extra_cas
        .iter()
        .map(|path| extra_certs(path).map(|certs| (path.clone(), certs.len())))
        .collect::<Result<_, _>>()?;
    Ok(Trust {
        from_env,
        roots: native.certs.len(),
        errors: native.errors.iter().map(ToString::to_string).collect(),
        extra,
    })
}

/// The certificates of one extra CA file; an unreadable, empty or non-PEM
/// file is an error naming it.
fn extra_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, ApiError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| ApiError::Config(format!("cannot read CA file {}: {e}", path.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| {
            ApiError::Config(format!("CA file {} is not valid PEM: {e}", path.display()))
        })?;
    if certs.is_empty() {
        return Err(ApiError::Config(format!(
            "CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// A rustls configuration trusting the OS roots and the extra CA files.
pub fn client_config(extra_cas: &[PathBuf]) -> Result<rustls::ClientConfig, ApiError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    for path in extra_cas {
        for cert in extra_certs(path)? {
            roots.add(cert).map_err(|e| {
                ApiError::Config(format!(
                    "CA file {}: unusable certificate: {e}",
                    path.display()
                ))
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ApiError::Config(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Makes ring the process's default crypto provider, so that any HTTP client
/// built without [`client_config`] (tests, benchmarks) still has TLS.
/// Harmless when one is already installed.
pub fn install_default_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
