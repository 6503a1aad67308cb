//! The proxy environment is honoured: a small forward proxy written here
//! (plain HTTP in absolute form, and CONNECT tunnels for https) records what
//! passes through it, and the binary reaches the simulator through it when
//! `HTTP_PROXY` / `http_proxy` / `HTTPS_PROXY` say so, and around it when
//! `NO_PROXY` names the host.
//!
//! reqwest (through hyper-util's matcher) has no built-in exception for
//! loopback addresses: `http://127.0.0.1:PORT` is proxied like any other
//! host unless `NO_PROXY` names it, so the simulator's own endpoint serves.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::cli::{Run, Shell, UNSET_ENV, finish};
use common::tls::HttpsFront;
use common::{Sim, TempDir};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every variable that chooses a proxy; removed from the inherited
/// environment so only what a test sets counts.
const PROXY_ENV: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    // Set, it makes every proxy variable ignored (the httpoxy defence).
    "REQUEST_METHOD",
];

/// The largest request head the proxy reads.
const MAX_HEAD: usize = 64 << 10;

/// A forward proxy on 127.0.0.1:0 that records each request line.
struct Proxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let _ = serve(client, &log).await;
                });
            }
        });
        Proxy { addr, seen }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines seen so far.
    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// One client connection: a CONNECT tunnel, or one plain request forwarded
/// in origin form with `Connection: close` (so the next request comes on a
/// new connection and is recorded too).
async fn serve(mut client: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > MAX_HEAD {
            return Ok(());
        }
        let mut chunk = [0u8; 4096];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let rest = &buf[head_end..];
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    log.lock().unwrap().push(request_line.clone());
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    };

    if method == "CONNECT" {
        let Ok(mut upstream) = TcpStream::connect(target).await else {
            return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        };
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        upstream.write_all(rest).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }

    // `GET http://host:port/path HTTP/1.1` becomes `GET /path HTTP/1.1` to host:port.
    let Some(after_scheme) = target.strip_prefix("http://") else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    };
    let (authority, path) = after_scheme
        .find('/')
        .map_or((after_scheme, "/"), |at| after_scheme.split_at(at));
    let authority = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let Ok(mut upstream) = TcpStream::connect(&authority).await else {
        return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
    };
    let mut forwarded = format!("{method} {path} {version}\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name != "connection" && name != "proxy-connection" && name != "keep-alive" {
            forwarded.push_str(line);
            forwarded.push_str("\r\n");
        }
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    upstream.write_all(forwarded.as_bytes()).await?;
    upstream.write_all(rest).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// Runs `r7keys <shell args> <args>` with every proxy variable removed from
/// the inherited environment and `env` set.
async fn run(shell: &Shell, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_at(shell, None, args, env).await
}

/// As [`run`], with the shell's `--endpoint` replaced by `endpoint` if given.
async fn run_at(shell: &Shell, endpoint: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut shell_args = shell.args().to_vec();
    if let Some(endpoint) = endpoint {
        let at = shell_args.iter().position(|a| a == "--endpoint").unwrap();
        endpoint.clone_into(&mut shell_args[at + 1]);
    }
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"));
    command
        .args(&shell_args)
        .args(["--timeout", "5"])
        .args(args);
    for name in UNSET_ENV.iter().chain(PROXY_ENV.iter()) {
        command.env_remove(name);
    }
    command
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .envs(shell.envs().iter().map(|(k, v)| (k, v)))
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let run = finish(&mut command).await;
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    run
}

/// The paths the simulator served, in order.
async fn served(sim: &Sim) -> Vec<String> {
    sim.request_log()
        .await
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

/// The simulator's `host:port`.
fn sim_host(sim: &Sim) -> String {
    let endpoint = &sim.creds().endpoint;
    endpoint
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("a plain-http endpoint: {endpoint}"))
        .to_string()
}

// ---------------------------------------------------------------- plain HTTP

#[tokio::test]
async fn http_proxy_carries_the_requests() {
    let sim = Sim::small().await;
    let proxy = Proxy::start().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let host = sim_host(&sim);

    let r = run(&shell, &["validate"], &[("HTTP_PROXY", &proxy.url())]).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("works at region us"), "{r:?}");
    assert_eq!(
        proxy.seen(),
        [format!("GET http://{host}/us/validate HTTP/1.1")],
        "the proxy saw the request in absolute form"
    );
    assert_eq!(served(&sim).await, ["/us/validate"]);

    // Several requests (a paged listing), each through the proxy.
    let r = run(
        &shell,
        &["keys", "list", "--output", "json", "--page-size", "50"],
        &[("HTTP_PROXY", &proxy.url())],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.json().as_array().unwrap().len() > 50, "{r:?}");
    let seen = proxy.seen();
    let log = sim.request_log().await;
    assert!(log.len() > 2, "more than one page: {log:?}");
    assert_eq!(
        seen.len(),
        log.len(),
        "every request the simulator served came through the proxy: {seen:?} {log:?}"
    );
    assert!(
        seen.iter()
            .all(|l| l.starts_with(&format!("GET http://{host}/"))),
        "{seen:?}"
    );
}

#[tokio::test]
async fn lowercase_http_proxy_is_honoured_too() {
    let sim = Sim::small().await;
    let proxy = Proxy::start().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let r = run(&shell, &["validate"], &[("http_proxy", &proxy.url())]).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        proxy.seen(),
        [format!(
            "GET http://{}/us/validate HTTP/1.1",
            sim_host(&sim)
        )]
    );
    assert_eq!(served(&sim).await, ["/us/validate"]);
}

#[tokio::test]
async fn no_proxy_goes_around_the_proxy() {
    let sim = Sim::small().await;
    let proxy = Proxy::start().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let cases = [
        ("NO_PROXY", "127.0.0.1"),
        ("no_proxy", "127.0.0.1"),
        ("NO_PROXY", "example.com, 127.0.0.0/8"),
    ];
    for no_proxy in cases {
        let r = run(
            &shell,
            &["validate"],
            &[("HTTP_PROXY", &proxy.url()), no_proxy],
        )
        .await;
        assert_eq!(r.code, 0, "{no_proxy:?}: {r:?}");
        assert!(proxy.seen().is_empty(), "{no_proxy:?}: {:?}", proxy.seen());
    }
    assert_eq!(
        served(&sim).await.len(),
        cases.len(),
        "each went straight to the simulator"
    );
}

/// With a host name (`localhost`) in the endpoint: proxied like any other
/// host, and `NO_PROXY` by name or `*` goes around. (`*` matches host names
/// only: hyper-util 0.1 consults just the address rules for an IP literal,
/// so `NO_PROXY=*` still proxies `http://127.0.0.1:PORT`.)
#[tokio::test]
async fn a_host_name_endpoint_is_proxied_unless_no_proxy_names_it() {
    let sim = Sim::small().await;
    let proxy = Proxy::start().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let port = sim.sim.addr().port();
    let endpoint = format!("http://localhost:{port}/{{region}}");
    let at = Some(endpoint.as_str());

    let r = run_at(&shell, at, &["validate"], &[("HTTP_PROXY", &proxy.url())]).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        proxy.seen(),
        [format!("GET http://localhost:{port}/us/validate HTTP/1.1")]
    );

    for no_proxy in ["localhost", ".localhost", "*", "example.com,localhost"] {
        let r = run_at(
            &shell,
            at,
            &["validate"],
            &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", no_proxy)],
        )
        .await;
        assert_eq!(r.code, 0, "{no_proxy:?}: {r:?}");
        assert_eq!(proxy.seen().len(), 1, "{no_proxy:?}: {:?}", proxy.seen());
    }
    assert_eq!(served(&sim).await.len(), 5);
}

#[tokio::test]
async fn a_proxy_that_is_not_there_is_a_network_error() {
    let sim = Sim::small().await;
    // A port nothing listens on any more.
    let dead = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let shell = Shell::as_principal(&sim, "platform-admin");
    let r = run(
        &shell,
        &["validate", "--retries", "0"],
        &[("HTTP_PROXY", &format!("http://{dead}"))],
    )
    .await;
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.starts_with("r7keys: network error"), "{r:?}");
    assert!(
        served(&sim).await.is_empty(),
        "nothing went around the proxy"
    );
}

#[tokio::test]
async fn https_proxy_alone_leaves_plain_http_direct() {
    let sim = Sim::small().await;
    let proxy = Proxy::start().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let r = run(&shell, &["validate"], &[("HTTPS_PROXY", &proxy.url())]).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert_eq!(served(&sim).await, ["/us/validate"]);
}

// ------------------------------------------------------ https through CONNECT

#[tokio::test]
async fn https_proxy_tunnels_https_with_connect() {
    let sim = Sim::small().await;
    let proxy = Proxy::start().await;
    let dir = TempDir::new("proxy");
    // The "real" https server the tunnel leads to.
    let front = HttpsFront::start("r7keys proxy test CA", dir.path(), sim.sim.addr()).await;
    let endpoint = front.endpoint();
    let ca = front.ca.display().to_string();
    let shell = Shell::as_principal(&sim, "platform-admin")
        .arg("--ca-cert")
        .arg(&ca);
    let https = Some(endpoint.as_str());

    let r = run_at(
        &shell,
        https,
        &["validate"],
        &[("HTTPS_PROXY", &proxy.url())],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("works at region us"), "{r:?}");
    assert_eq!(
        proxy.seen(),
        [format!("CONNECT 127.0.0.1:{} HTTP/1.1", front.addr.port())],
        "one tunnel to the https server"
    );
    assert_eq!(served(&sim).await, ["/us/validate"]);

    // HTTP_PROXY alone does not apply to https.
    let r = run_at(
        &shell,
        https,
        &["validate"],
        &[("HTTP_PROXY", &proxy.url())],
    )
    .await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(proxy.seen().len(), 1, "{:?}", proxy.seen());

    // ALL_PROXY covers https too.
    let r = run_at(&shell, https, &["validate"], &[("ALL_PROXY", &proxy.url())]).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(proxy.seen().len(), 2, "{:?}", proxy.seen());
    assert!(
        proxy.seen()[1].starts_with("CONNECT "),
        "{:?}",
        proxy.seen()
    );
    let log: Vec<Value> = sim.request_log().await;
    assert_eq!(log.len(), 3, "{log:?}");
}
