//! A test CA that signs a server certificate for 127.0.0.1 and localhost,
//! and a TLS-terminating proxy that presents it in front of a plain-HTTP
//! upstream (the simulator).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA (PEM) and a server certificate for 127.0.0.1 and localhost
/// signed by it.
pub struct Pki {
    pub ca_pem: String,
    pub leaf: CertificateDer<'static>,
    pub leaf_key: PrivateKeyDer<'static>,
}

impl Pki {
    /// A fresh CA named `ca_name` and its server certificate.
    pub fn new(ca_name: &str) -> Pki {
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, ca_name);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().expect("CA key");
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca, ca_key);

        let mut leaf = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("leaf params");
        leaf.distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        leaf.use_authority_key_identifier_extension = true;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf_cert = leaf
            .signed_by(&leaf_key, &issuer)
            .expect("leaf certificate");
        Pki {
            ca_pem: ca_cert.pem(),
            leaf: leaf_cert.der().clone(),
            leaf_key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()).into(),
        }
    }
}

/// A TLS-terminating proxy on 127.0.0.1:0 that presents `pki`'s server
/// certificate and forwards the plain bytes to `upstream`; answers its
/// address.
pub async fn tls_proxy(pki: &Pki, upstream: SocketAddr) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![pki.leaf.clone()], pki.leaf_key.clone_key())
        .expect("server certificate");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust the CA aborts the handshake: nothing to forward.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    addr
}

/// A plain-HTTP upstream behind [`tls_proxy`], with a fresh test CA whose
/// PEM is written to a file.
pub struct HttpsFront {
    /// The CA's PEM file.
    pub ca: PathBuf,
    /// The TLS proxy's address.
    pub addr: SocketAddr,
}

impl HttpsFront {
    /// A CA named `ca_name` (its PEM at `dir/ca.pem`) and a TLS proxy to
    /// `upstream` presenting the server certificate it signed.
    pub async fn start(ca_name: &str, dir: &Path, upstream: SocketAddr) -> HttpsFront {
        let pki = Pki::new(ca_name);
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, &pki.ca_pem).expect("write CA");
        let addr = tls_proxy(&pki, upstream).await;
        HttpsFront { ca, addr }
    }

    /// `https://127.0.0.1:PORT/{region}`, the endpoint template through the proxy.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}/{{region}}", self.addr.port())
    }
}
