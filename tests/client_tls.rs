//! The custom-CA path: a test CA signs a certificate for 127.0.0.1, a
//! TLS-terminating proxy in front of the simulator presents it, and the
//! binary trusts it through `--ca-cert` or `SSL_CERT_FILE`, and refuses it
//! otherwise.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::Sim;
use common::cli::Run;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A unique temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "r7keys-tls-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A test CA and a server certificate for 127.0.0.1 and localhost signed by it.
struct Pki {
    ca_pem: String,
    leaf: CertificateDer<'static>,
    leaf_key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "r7keys test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        leaf: leaf_cert.der().clone(),
        leaf_key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()).into(),
    }
}

/// A TLS-terminating proxy on 127.0.0.1:0 forwarding to `upstream`;
/// answers its address.
async fn tls_proxy(pki: &Pki, upstream: SocketAddr) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![pki.leaf.clone()], pki.leaf_key.clone_key())
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
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

/// Runs the binary as the platform admin at `endpoint`, in private XDG
/// directories under `dir`, with `env` added.
async fn run(sim: &Sim, dir: &Path, endpoint: &str, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"))
        .args(["--endpoint", endpoint, "--region", "us", "--timeout", "5"])
        .args(args)
        .env_remove("R7_PROFILE")
        .env_remove("R7KEYS_CONFIG")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env("R7_API_KEY", &sim.principal("platform-admin").api_key)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("r7keys finished")
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    run
}

/// The simulator behind the proxy, the PEM files, and the https endpoint.
struct Setup {
    sim: Sim,
    dir: TempDir,
    ca: PathBuf,
    endpoint: String,
}

async fn setup() -> Setup {
    let sim = Sim::small().await;
    let pki = pki();
    let dir = TempDir::new();
    let ca = dir.0.join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let proxy = tls_proxy(&pki, sim.sim.addr()).await;
    let endpoint = format!("https://127.0.0.1:{}/{{region}}", proxy.port());
    Setup {
        sim,
        dir,
        ca,
        endpoint,
    }
}

#[tokio::test]
async fn the_ca_flag_makes_the_proxy_trusted() {
    let s = setup().await;
    let ca = s.ca.display().to_string();
    let r = run(
        &s.sim,
        &s.dir.0,
        &s.endpoint,
        &["--ca-cert", &ca, "validate"],
        &[],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("works at region us"), "{r:?}");
    // It really went through the proxy to the simulator.
    let log = s.sim.request_log().await;
    assert!(
        log.iter()
            .any(|e| e["path"] == "/us/validate" && e["status"] == 200),
        "{log:?}"
    );

    let r = run(
        &s.sim,
        &s.dir.0,
        &s.endpoint,
        &["--ca-cert", &ca, "keys", "list", "--output", "json"],
        &[],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.json().as_array().unwrap().len() > 50, "{r:?}");
}

#[tokio::test]
async fn without_the_ca_the_certificate_is_refused() {
    let s = setup().await;
    let r = run(&s.sim, &s.dir.0, &s.endpoint, &["validate"], &[]).await;
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.starts_with("r7keys: network error"), "{r:?}");
    assert!(
        r.stderr.to_ascii_lowercase().contains("certificate"),
        "names the certificate problem: {r:?}"
    );
    assert!(
        s.sim.request_log().await.is_empty(),
        "nothing reached the simulator"
    );
}

#[tokio::test]
async fn ssl_cert_file_is_honoured() {
    let s = setup().await;
    let r = run(
        &s.sim,
        &s.dir.0,
        &s.endpoint,
        &["validate"],
        &[("SSL_CERT_FILE", &s.ca)],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("works at region us"), "{r:?}");
}

#[tokio::test]
async fn a_ca_file_that_is_not_pem_is_a_usage_error() {
    let s = setup().await;
    let bogus = s.dir.0.join("not-a-ca.txt");
    std::fs::write(&bogus, "this is not a certificate\n").unwrap();
    let shown = bogus.display().to_string();
    let r = run(
        &s.sim,
        &s.dir.0,
        &s.endpoint,
        &["--ca-cert", &shown, "validate"],
        &[],
    )
    .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains(&shown), "names the file: {r:?}");

    let missing = s.dir.0.join("missing.pem").display().to_string();
    let r = run(
        &s.sim,
        &s.dir.0,
        &s.endpoint,
        &["--ca-cert", &missing, "validate"],
        &[],
    )
    .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains(&missing), "names the file: {r:?}");
    assert!(s.sim.request_log().await.is_empty(), "no request was made");
}
