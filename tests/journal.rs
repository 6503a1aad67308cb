//! The local journal of mutations: what it records around a generate, a
//! rotate and a revoke (the built binary against the simulator), that its
//! intent is on disk before the request leaves, that a full disk stops the
//! mutation, that read-only mode and `--no-journal` write nothing, and that
//! it survives concurrent writers and a kill -9 mid-write (child processes
//! of this test binary append to one file).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{Method as HttpMethod, StatusCode as HttpStatus};
use axum::response::{IntoResponse, Response};
use common::cli::{Run, Shell};
use common::{Sim, TempDir, count_method, last_seq, log_since, sim_generate, text};
use r7keys::api::journal::{self, Action, Entry, Journal, Phase};
use r7keys::api::{ApiKey, Client, KeyKind, KeyNote, NewKey, Settings, Target};
use r7keys::region::Region;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ADMIN: &str = "platform-admin";
const KEYS: &str = "/account/api/1/api-keys";

/// The short SHA-256 fingerprint the journal keeps of a secret.
fn fingerprint(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..6])
}

fn journal_path(shell: &Shell) -> PathBuf {
    shell.state_dir().join("r7keys/journal.jsonl")
}

fn entries(shell: &Shell) -> Vec<Entry> {
    let contents = journal::read(&journal_path(shell)).unwrap();
    assert_eq!(contents.skipped, [], "every line reads");
    contents.entries
}

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}: {run:?}");
}

/// (action, phase or outcome) of each entry, in order.
fn story(entries: &[Entry]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| {
            let event = match e.phase {
                Phase::Intent => "intent".to_string(),
                _ => e.outcome.clone().unwrap_or_default(),
            };
            (e.action.label().to_string(), event)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

// ------------------------------------------------ through the binary

#[tokio::test]
async fn generate_rotate_and_revoke_are_journaled_with_intent_and_outcome() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, ADMIN);
    let generate = shell
        .run(&["keys", "generate", "--kind", "user", "--name", "journaled"])
        .await;
    ok(&generate, "generate");
    let first_secret = generate.stdout.trim().to_string();
    let keys = sim.all_pages(ADMIN, KEYS).await;
    let old_id = keys
        .iter()
        .find(|k| k["name"] == "journaled")
        .map(|k| text(k, "id").to_string())
        .unwrap();
    let rotate = shell.run(&["keys", "rotate", &old_id, "--yes"]).await;
    ok(&rotate, "rotate");
    let second_secret = rotate.stdout.trim().to_string();
    let keys = sim.all_pages(ADMIN, KEYS).await;
    let new_id = keys
        .iter()
        .find(|k| k["name"] == "journaled")
        .map(|k| text(k, "id").to_string())
        .unwrap();
    ok(
        &shell.run(&["keys", "revoke", &new_id, "--yes"]).await,
        "revoke",
    );

    let entries = entries(&shell);
    assert_eq!(
        story(&entries),
        pairs(&[
            ("generate", "intent"),
            ("generate", "ok"),
            ("generate", "intent"),
            ("generate", "ok"),
            ("revoke", "intent"),
            ("revoke", "ok"),
            ("revoke", "intent"),
            ("revoke", "ok"),
        ])
    );
    // Intent and outcome share an operation id; the four operations differ.
    for pair in entries.chunks(2) {
        assert_eq!(pair[0].op, pair[1].op);
        assert_eq!(pair[1].region.as_deref(), Some("us"));
        let correlation = pair[1].correlation_id.as_deref().unwrap();
        assert_eq!(correlation.len(), 36, "the server's correlation id");
        assert_eq!(pair[0].correlation_id, None, "an intent has no answer yet");
    }
    let ops: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(ops.len(), 4);

    let (generated, rotated_in, rotated_out, revoked) =
        (&entries[1], &entries[3], &entries[5], &entries[7]);
    assert_eq!(generated.key_id.as_deref(), Some(old_id.as_str()));
    assert_eq!(generated.fingerprint, Some(fingerprint(&first_secret)));
    assert_eq!(generated.status, Some(201));
    assert_eq!(generated.step, None);
    assert_eq!(rotated_in.key_id.as_deref(), Some(new_id.as_str()));
    assert_eq!(rotated_in.fingerprint, Some(fingerprint(&second_secret)));
    for step in [&entries[2], rotated_in, &entries[4], rotated_out] {
        assert_eq!(step.step.as_deref(), Some("rotate"), "{step:?}");
        assert_eq!(
            step.rotation_of.as_deref(),
            Some(old_id.as_str()),
            "{step:?}"
        );
    }
    assert_eq!(rotated_out.key_id.as_deref(), Some(old_id.as_str()));
    assert_eq!(
        rotated_out.name.as_deref(),
        Some("journaled"),
        "the rotated key is named"
    );
    assert_eq!(rotated_out.kind.as_deref(), Some("user"));
    assert_eq!(revoked.key_id.as_deref(), Some(new_id.as_str()));
    assert_eq!(revoked.status, Some(204));
    assert_eq!(revoked.step, None);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(journal_path(&shell))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the journal is private: {mode:o}");
    }

    printed_in_each_format(&shell, &new_id, &second_secret).await;
}

/// `r7keys journal` prints the story of the test above in each format.
async fn printed_in_each_format(shell: &Shell, new_id: &str, second_secret: &str) {
    let json = shell.run(&["journal", "--output", "json"]).await;
    ok(&json, "journal json");
    let printed = json.json();
    assert_eq!(printed.as_array().unwrap().len(), 8);
    assert_eq!(
        printed[3]["fingerprint"],
        fingerprint(second_secret).as_str()
    );
    assert!(json.stderr.contains("8 of 8 entries"), "{json:?}");
    let table = shell.run(&["journal", "--output", "table"]).await;
    ok(&table, "journal table");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{table:?}");
    assert!(lines[0].starts_with("time (UTC)"));
    assert!(
        lines[4].contains("generate")
            && lines[4].contains("rotate")
            && lines[4].contains(&new_id[..8])
    );
    let csv = shell.run(&["journal", "--output", "csv"]).await;
    ok(&csv, "journal csv");
    assert_eq!(csv.stdout.lines().count(), 9);
    assert!(
        csv.stdout
            .starts_with("time,op,phase,action,step,rotation_of,outcome,")
    );
    let none = shell
        .run(&[
            "journal",
            "--since",
            "2000-01-01",
            "--until",
            "2000-01-02",
            "--output",
            "json",
        ])
        .await;
    ok(&none, "journal window");
    assert_eq!(none.json(), json!([]));
}

#[tokio::test]
async fn read_only_no_journal_and_a_profile_switch_write_nothing() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, ADMIN);
    let args = [
        "keys",
        "generate",
        "--kind",
        "user",
        "--name",
        "unjournaled",
    ];
    let refused = shell.run(&[&["--read-only"][..], &args[..]].concat()).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        !journal_path(&shell).exists(),
        "read-only mode writes nothing"
    );
    ok(
        &shell
            .run(&[&["--no-journal"][..], &args[..]].concat())
            .await,
        "--no-journal",
    );
    assert!(!journal_path(&shell).exists());
    shell.write_config("default_profile = \"p\"\n[profiles.p]\njournal = false\n");
    ok(&shell.run(&args).await, "journal = false");
    assert!(!journal_path(&shell).exists());
    let empty = shell.run(&["journal"]).await;
    ok(&empty, "journal");
    assert!(empty.stderr.contains("is empty"), "{empty:?}");
    // With the switch on again, the next generate is journaled under the profile.
    shell.write_config("default_profile = \"p\"\n[profiles.p]\njournal = true\n");
    ok(&shell.run(&args).await, "journal = true");
    let entries = entries(&shell);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].profile.as_deref(), Some("p"));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_full_disk_stops_the_mutation_before_it_is_sent() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, ADMIN);
    let (id, secret) =
        sim_generate(&sim, ADMIN, json!({"name": "must-stay", "type": "USER"})).await;
    std::fs::create_dir_all(shell.state_dir().join("r7keys")).unwrap();
    std::os::unix::fs::symlink("/dev/full", journal_path(&shell)).unwrap();

    let before = last_seq(&sim).await;
    let generate = shell
        .run(&["keys", "generate", "--kind", "user", "--name", "never-made"])
        .await;
    assert_eq!(generate.code, 1, "{generate:?}");
    assert!(generate.stdout.is_empty(), "{generate:?}");
    for words in [
        "cannot write the journal",
        "No space left on device",
        "nothing was sent",
    ] {
        assert!(generate.stderr.contains(words), "{words}: {generate:?}");
    }
    let revoke = shell.run(&["keys", "revoke", &id, "--yes"]).await;
    assert_eq!(revoke.code, 1, "{revoke:?}");
    assert!(revoke.stderr.contains("nothing was sent"), "{revoke:?}");
    let log = log_since(&sim, before).await;
    assert_eq!(count_method(&log, "POST"), 0, "{log:#?}");
    assert_eq!(count_method(&log, "DELETE"), 0, "{log:#?}");
    assert_eq!(
        sim.validate(&secret, "us").await,
        StatusCode::OK,
        "the key is untouched"
    );
    let keys = sim.all_pages(ADMIN, KEYS).await;
    assert!(!keys.iter().any(|k| k["name"] == "never-made"));

    let read = shell.run(&["journal"]).await;
    assert_eq!(read.code, 1, "{read:?}");
    assert!(read.stderr.contains("not a regular file"), "{read:?}");
}

#[tokio::test]
async fn a_lost_answer_and_its_reconciliation_are_journaled() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, ADMIN);
    sim.set_faults("malformed@api-keys*1").await;
    let run = shell
        .run(&[
            "keys",
            "generate",
            "--kind",
            "user",
            "--name",
            "lost-answer",
        ])
        .await;
    assert_eq!(run.code, 3, "{run:?}");
    let keys = sim.all_pages(ADMIN, KEYS).await;
    let id = keys
        .iter()
        .find(|k| k["name"] == "lost-answer")
        .map(|k| text(k, "id").to_string())
        .unwrap();
    assert!(run.stderr.contains(&id), "{run:?}");
    let entries = entries(&shell);
    assert_eq!(
        story(&entries),
        pairs(&[
            ("generate", "intent"),
            ("generate", "answer-lost"),
            ("reconcile", "found")
        ])
    );
    assert!(entries.iter().all(|e| e.op == entries[0].op));
    assert_eq!(entries[1].status, Some(201));
    assert!(
        entries[1]
            .detail
            .as_deref()
            .unwrap()
            .contains("invalid JSON")
    );
    assert_eq!(entries[2].key_id.as_deref(), Some(id.as_str()));
    assert_eq!(entries[2].fingerprint, None, "nobody saw the secret");
}

#[tokio::test]
async fn a_torn_line_is_skipped_with_a_warning_and_never_swallows_the_next() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, ADMIN);
    let path = journal_path(&shell);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut old = Entry::new("old-op", Phase::Intent, Action::Revoke);
    old.time = "2020-01-01T00:00:00Z".into();
    old.key_id = Some("k-2020".into());
    std::fs::write(
        &path,
        format!(
            "{}\n{{\"time\":\"2026-",
            serde_json::to_string(&old).unwrap()
        ),
    )
    .unwrap();
    ok(
        &shell
            .run(&["keys", "generate", "--kind", "user", "--name", "after-tear"])
            .await,
        "generate",
    );
    let run = shell.run(&["journal", "--output", "json"]).await;
    ok(&run, "journal");
    assert!(
        run.stderr.contains("journal.jsonl line 2:") && run.stderr.contains("skipped"),
        "{run:?}"
    );
    let printed = run.json();
    let ops: Vec<&str> = printed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["revoke", "generate", "generate"]);
    assert!(
        run.stderr
            .contains("1 operations have an intent but no outcome"),
        "the 2020 intent: {run:?}"
    );
    let recent = shell
        .run(&["journal", "--since", "1d", "--output", "json"])
        .await;
    ok(&recent, "journal --since");
    assert_eq!(recent.json().as_array().unwrap().len(), 2, "{recent:?}");
}

// ------------------------------------------------ the client, to a purpose-built server

/// A server for generate and revoke that records, for each request, how
/// many lines the journal held when the request arrived.
async fn recording_server(journal: PathBuf) -> (String, Arc<Mutex<Vec<(String, usize)>>>) {
    let seen: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
    let log = Arc::clone(&seen);
    let app = Router::new().fallback(move |method: HttpMethod| {
        let log = Arc::clone(&log);
        let journal = journal.clone();
        async move {
            let lines = std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count());
            log.lock().unwrap().push((method.to_string(), lines));
            let (status, correlation, body) = if method == HttpMethod::POST {
                (
                    HttpStatus::CREATED,
                    "corr-generate-1",
                    json!({"id": "new-key-1", "name": "served", "type": "USER",
                           "key": "fake-secret-for-the-journal-test-1"}),
                )
            } else {
                (
                    HttpStatus::FORBIDDEN,
                    "corr-revoke-1",
                    json!({"message": "You may not revoke this key"}),
                )
            };
            let mut response: Response = (
                status,
                [("content-type", "application/json")],
                body.to_string(),
            )
                .into_response();
            response
                .headers_mut()
                .insert("r7-correlation-id", correlation.parse().unwrap());
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/{{region}}"), seen)
}

#[tokio::test]
async fn the_intent_is_on_disk_before_the_request_and_the_answer_is_traced() {
    r7keys::api::tls::install_default_provider();
    let dir = TempDir::new("journal-trace");
    let path = dir.path().join("r7keys/journal.jsonl");
    let (endpoint, seen) = recording_server(path.clone()).await;
    let settings = Settings {
        endpoint,
        retries: 0,
        journal: Some(Journal::new(path.clone(), Some("traced".into()))),
        ..Settings::default()
    };
    let client = Client::new(settings, ApiKey::new("journal-test-key-1").unwrap()).unwrap();
    let target = Target::new(Region::Eu, Some("tenant-7".into()));
    let spec = NewKey {
        name: "asked".into(),
        kind: KeyKind::User,
        organization_id: None,
    };
    let generated = client.generate_key(&target, &spec).await.unwrap();
    let note = KeyNote {
        name: Some("someone else's".into()),
        kind: Some(KeyKind::Organization),
        rotation_of: None,
    };
    let refused = client
        .revoke_key_noted(&target, "other-key", &note)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("forbidden (403)"));

    assert_eq!(
        *seen.lock().unwrap(),
        [("POST".to_string(), 1), ("DELETE".to_string(), 3)],
        "each request arrived after its intent was written"
    );
    let entries = journal::read(&path).unwrap().entries;
    assert_eq!(entries.len(), 4);
    for entry in &entries {
        assert_eq!(entry.profile.as_deref(), Some("traced"));
        assert_eq!(entry.region.as_deref(), Some("eu"));
        assert_eq!(entry.tenant.as_deref(), Some("tenant-7"));
    }
    let (intent, done) = (&entries[0], &entries[1]);
    assert_eq!(
        (intent.name.as_deref(), intent.kind.as_deref()),
        (Some("asked"), Some("user"))
    );
    assert_eq!(done.correlation_id.as_deref(), Some("corr-generate-1"));
    assert_eq!(
        done.name.as_deref(),
        Some("served"),
        "the name the server answered"
    );
    assert_eq!(done.key_id.as_deref(), Some("new-key-1"));
    assert_eq!(done.fingerprint, Some(generated.secret.fingerprint()));
    assert_eq!(
        done.fingerprint,
        Some(fingerprint("fake-secret-for-the-journal-test-1"))
    );
    let (intent, refused) = (&entries[2], &entries[3]);
    assert_eq!(intent.key_id.as_deref(), Some("other-key"));
    assert_eq!(intent.kind.as_deref(), Some("organization"));
    assert_eq!(refused.outcome.as_deref(), Some("failed"));
    assert_eq!(refused.status, Some(403));
    assert_eq!(refused.correlation_id.as_deref(), Some("corr-revoke-1"));
    assert!(
        refused
            .detail
            .as_deref()
            .unwrap()
            .contains("You may not revoke")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("fake-secret-for-the-journal-test-1"));
}

// ------------------------------------------------ several processes, and kill -9

const CHILD_PATH: &str = "R7KEYS_JOURNAL_TEST_PATH";
const CHILD_WRITER: &str = "R7KEYS_JOURNAL_TEST_WRITER";
const CHILD_COUNT: &str = "R7KEYS_JOURNAL_TEST_COUNT";

/// Not a test by itself: a child process of the tests below, appending
/// `COUNT` entries (or for ever, with 0) to the journal at `PATH`. Each
/// entry is a few KiB, so that a non-atomic append would interleave.
#[test]
fn journal_writer_child() {
    let Ok(path) = std::env::var(CHILD_PATH) else {
        return;
    };
    let writer = std::env::var(CHILD_WRITER).unwrap();
    let count: usize = std::env::var(CHILD_COUNT).unwrap().parse().unwrap();
    let journal = Journal::new(PathBuf::from(path), Some(writer.clone()));
    let padding = "x".repeat(3000);
    let mut n = 0;
    while count == 0 || n < count {
        let mut entry = Entry::new(&format!("{writer}-{n}"), Phase::Intent, Action::Generate);
        entry.name = Some(format!("{writer}-{n}"));
        entry.detail = Some(padding.clone());
        journal.append(&entry).unwrap();
        n += 1;
    }
}

fn spawn_writer(path: &Path, writer: &str, count: usize) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "journal_writer_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_PATH, path)
        .env(CHILD_WRITER, writer)
        .env(CHILD_COUNT, count.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn appends_from_concurrent_processes_stay_whole_lines() {
    let dir = TempDir::new("journal-concurrent");
    let path = dir.path().join("journal.jsonl");
    let writers: Vec<_> = (0..4)
        .map(|w| spawn_writer(&path, &format!("w{w}"), 200))
        .collect();
    for mut child in writers {
        assert!(child.wait().unwrap().success());
    }
    let contents = journal::read(&path).unwrap();
    assert_eq!(contents.skipped, [], "no line was torn or interleaved");
    assert_eq!(contents.entries.len(), 800);
    let ops: std::collections::BTreeSet<&str> =
        contents.entries.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(ops.len(), 800, "every append is there once");
    assert!(
        contents
            .entries
            .iter()
            .all(|e| e.detail.as_ref().unwrap().len() == 3000)
    );
}

#[test]
fn a_kill_mid_write_leaves_at_most_one_torn_line() {
    let dir = TempDir::new("journal-kill");
    let path = dir.path().join("journal.jsonl");
    let mut child = spawn_writer(&path, "doomed", 0);
    let started = Instant::now();
    // Let it write a few hundred entries (about 3.3 KB each), then SIGKILL
    // it mid-stream.
    while std::fs::metadata(&path).map_or(0, |m| m.len()) < 1_000_000 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the writer writes"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let contents = journal::read(&path).unwrap();
    assert!(contents.skipped.len() <= 1, "{:?}", contents.skipped);
    assert!(contents.entries.len() >= 250, "{}", contents.entries.len());
    // The next writer starts on a fresh line even after a torn one.
    let journal = Journal::new(path.clone(), None);
    journal
        .append(&Entry::new("after-kill", Phase::Intent, Action::Revoke))
        .unwrap();
    let after = journal::read(&path).unwrap();
    assert_eq!(after.entries.last().unwrap().op, "after-kill");
    assert_eq!(after.entries.len(), contents.entries.len() + 1);
    assert!(after.skipped.len() <= 1);
}

#[test]
fn the_journal_is_json_lines_a_script_can_read() {
    let dir = TempDir::new("journal-lines");
    let path = dir.path().join("journal.jsonl");
    let journal = Journal::new(path.clone(), Some("p".into()));
    let mut entry = Entry::new("op-1", Phase::Outcome, Action::Generate);
    entry.name = Some("evil\u{1b}]52;c;AAAA\u{7}name".into());
    journal.append(&entry).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains('\u{1b}'), "escapes are escaped: {text}");
    let value: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(
        value["name"], "evil\u{1b}]52;c;AAAA\u{7}name",
        "and round-trip"
    );
    assert_eq!(value["phase"], "outcome");
}
