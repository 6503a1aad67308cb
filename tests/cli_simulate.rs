//! `r7keys simulate` as a user runs it: the built binary prints the
//! credentials JSON, writes them (mode 0600) with `--credentials-out`, and
//! serves on the printed endpoint; `--legacy-roles`, `--rate-headers` and
//! `--log-search-pending` reach the simulator; bad flags exit 1 with a
//! message naming the bad value; `--help` exits 0.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_r7keys");

/// Kills and reaps the child however the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh directory under the system temp dir, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("r7keys-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).expect("a fresh temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Starts `r7keys simulate ARGS` and reads the credentials document it prints.
fn start_simulator(args: &[&str]) -> (KillOnDrop, Value) {
    let mut child = KillOnDrop(
        Command::new(BIN)
            .arg("simulate")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Read the pretty-printed document up to its closing line, off the test's thread
    // so a silent binary fails the test instead of hanging it.
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut document = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            document.push_str(&line);
            document.push('\n');
            if line == "}" {
                break;
            }
        }
        let _ = tx.send(document);
    });
    let printed = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the credentials are printed");
    let creds: Value = serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{e}: {printed}"));
    (child, creds)
}

fn principal<'v>(creds: &'v Value, name: &str) -> &'v Value {
    creds["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()
}

fn http() -> reqwest::Client {
    r7keys::api::tls::install_default_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn simulate_prints_writes_and_serves_the_credentials() {
    let dir = TempDir::new("cli");
    let out = dir.0.join("credentials.json");
    let out_arg = out.to_str().unwrap().to_string();
    let (mut child, creds) = start_simulator(&[
        "--listen",
        "127.0.0.1:0",
        "--keys",
        "50",
        "--credentials-out",
        &out_arg,
    ]);

    let endpoint = creds["endpoint"].as_str().unwrap();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") && endpoint.ends_with("/{region}"),
        "{endpoint}"
    );
    assert!(
        !endpoint.contains("127.0.0.1:0/"),
        "the real port is printed: {endpoint}"
    );
    let admin = principal(&creds, "platform-admin");
    assert_eq!(admin["region"], "us");
    let http = http();
    let key = admin["api_key"].as_str().unwrap();
    let validate = format!("{}/validate", endpoint.replace("{region}", "us"));
    let response = http
        .get(&validate)
        .header("X-Api-Key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Authorized"}"#
    );
    let refused = http
        .get(&validate)
        .header("X-Api-Key", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);

    let written = std::fs::read_to_string(&out).unwrap();
    let from_file: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(from_file, creds, "the file holds the printed document");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "readable by the owner only: {mode:o}");
    }
    assert!(child.0.try_wait().unwrap().is_none(), "still serving");
}

#[test]
fn a_bad_rate_limit_exits_1_naming_it() {
    let output = run(&["simulate", "--rate-limit", "nonsense"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nonsense"), "{stderr}");
    assert!(stderr.contains("--rate-limit"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn an_unknown_fault_exits_1() {
    let output = run(&["simulate", "--faults", "boom"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown fault"), "{stderr}");
    assert!(stderr.contains("boom"), "{stderr}");
}

#[test]
fn help_exits_0() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("simulate"), "{stdout}");
    let output = run(&["simulate", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("--credentials-out"));
}

#[tokio::test]
async fn the_rule_header_and_log_search_flags_reach_the_simulator() {
    let (_child, creds) = start_simulator(&[
        "--legacy-roles",
        "--rate-headers",
        "epoch",
        "--log-search-pending",
        "2",
    ]);
    let endpoint = creds["endpoint"].as_str().unwrap().to_string();
    let base = endpoint.trim_end_matches("/{region}").to_string();
    let http = http();
    let org_admin = principal(&creds, "org-admin");
    let at = |region: &str, path: &str| format!("{}{path}", endpoint.replace("{region}", region));
    let key = org_admin["api_key"].as_str().unwrap();
    let region = org_admin["region"].as_str().unwrap();

    let whoami: Value = http
        .get(format!("{base}/_sim/whoami/{region}"))
        .header("X-Api-Key", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(whoami["role_rules"], "legacy", "{whoami}");

    let listed = http
        .get(at(region, "/account/api/1/api-keys?type=ORGANIZATION"))
        .header("X-Api-Key", key)
        .send()
        .await
        .unwrap();
    let reset: i64 = listed.headers()["ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    assert!((now..=now + 61).contains(&reset), "epoch seconds: {reset}");
    let body: Value = listed.json().await.unwrap();
    assert!(
        !body["data"].as_array().unwrap().is_empty(),
        "under the legacy rules an organization admin sees organization keys"
    );

    let settings: Value = http
        .get(format!("{base}/_sim/log-search"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["pending_polls"], 2);
}

#[test]
fn a_bad_rate_header_shape_exits_1_naming_it() {
    let output = run(&["simulate", "--rate-headers", "seconds"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("seconds") && stderr.contains("x-only"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout");
}
