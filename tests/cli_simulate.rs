//! `r7keys simulate` as a user runs it: the built binary prints the
//! credentials JSON, writes them (mode 0600) with `--credentials-out`, and
//! serves on the printed endpoint; bad flags exit 1 with a message naming
//! the bad value; `--help` exits 0.

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

#[tokio::test]
async fn simulate_prints_writes_and_serves_the_credentials() {
    let dir = TempDir::new("cli");
    let out = dir.0.join("credentials.json");
    let mut child = KillOnDrop(
        Command::new(BIN)
            .args([
                "simulate",
                "--listen",
                "127.0.0.1:0",
                "--keys",
                "50",
                "--credentials-out",
            ])
            .arg(&out)
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

    let endpoint = creds["endpoint"].as_str().unwrap();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") && endpoint.ends_with("/{region}"),
        "{endpoint}"
    );
    assert!(
        !endpoint.contains("127.0.0.1:0/"),
        "the real port is printed: {endpoint}"
    );
    let admin = creds["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "platform-admin")
        .unwrap();
    assert_eq!(admin["region"], "us");
    r7keys::api::tls::install_default_provider();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
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
