//! TLS for the client: rustls trusting the operating system's store (which
//! honours `SSL_CERT_FILE` and `SSL_CERT_DIR`) plus any `--ca-cert` files, so
//! r7keys works behind TLS-inspecting corporate proxies.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::error::ApiError;

/// A rustls configuration trusting the OS roots and the extra CA files.
pub fn client_config(extra_cas: &[PathBuf]) -> Result<rustls::ClientConfig, ApiError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    for path in extra_cas {
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
        for cert in certs {
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
