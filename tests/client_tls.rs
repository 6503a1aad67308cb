//! The custom-CA path: a test CA signs a certificate for 127.0.0.1, a
//! TLS-terminating proxy in front of the simulator presents it, and the
//! binary trusts it through `--ca-cert` or `SSL_CERT_FILE`, and refuses it
//! otherwise.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::path::{Path, PathBuf};

use common::cli::{Run, command_at, finish};
use common::tls::HttpsFront;
use common::{Sim, TempDir};

/// Runs the binary as the platform admin at `endpoint`, in private XDG
/// directories under `dir`, with `env` added.
async fn run(sim: &Sim, dir: &Path, endpoint: &str, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let key = &sim.principal("platform-admin").api_key;
    let run = finish(
        command_at(endpoint, key, dir, args)
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .envs(env.iter().copied()),
    )
    .await;
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
    let dir = TempDir::new("tls");
    let proxy = HttpsFront::start("r7keys test CA", dir.path(), sim.sim.addr()).await;
    let endpoint = proxy.endpoint();
    Setup {
        sim,
        dir,
        ca: proxy.ca,
        endpoint,
    }
}

#[tokio::test]
async fn the_ca_flag_makes_the_proxy_trusted() {
    let s = setup().await;
    let ca = s.ca.display().to_string();
    let r = run(
        &s.sim,
        s.dir.path(),
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
        s.dir.path(),
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
    let started = std::time::Instant::now();
    let r = run(&s.sim, s.dir.path(), &s.endpoint, &["validate"], &[]).await;
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.starts_with("r7keys: network error"), "{r:?}");
    assert!(
        r.stderr.to_ascii_lowercase().contains("certificate"),
        "names the certificate problem: {r:?}"
    );
    assert!(
        r.stderr.contains("--ca-cert"),
        "says how to trust a proxy's CA: {r:?}"
    );
    // A certificate does not change on retry: it fails at once (retries took about 3.5 s).
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
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
        s.dir.path(),
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
    let bogus = s.dir.path().join("not-a-ca.txt");
    std::fs::write(&bogus, "this is not a certificate\n").unwrap();
    let shown = bogus.display().to_string();
    let r = run(
        &s.sim,
        s.dir.path(),
        &s.endpoint,
        &["--ca-cert", &shown, "validate"],
        &[],
    )
    .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains(&shown), "names the file: {r:?}");

    let missing = s.dir.path().join("missing.pem").display().to_string();
    let r = run(
        &s.sim,
        s.dir.path(),
        &s.endpoint,
        &["--ca-cert", &missing, "validate"],
        &[],
    )
    .await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains(&missing), "names the file: {r:?}");
    assert!(s.sim.request_log().await.is_empty(), "no request was made");
}
