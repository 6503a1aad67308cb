//! The console end to end: the built binary, with no command and no
//! `--demo`, runs on a 120x40 pseudo-terminal against the in-process
//! simulator, as the platform administrator (`R7_API_KEY`), with the
//! Threat Command credentials in the environment and private XDG
//! directories. The desktop and multiplexer variables (`DISPLAY`,
//! `WAYLAND_DISPLAY`, `TMUX`, `STY`, `SSH_*`) are removed, so a copy goes
//! to the terminal as a raw OSC 52 sequence.
//!
//! Every byte the console writes is kept: the tests read the screen through
//! a `vt100` emulator, and search the raw bytes for what must (the OSC 52
//! copy and clear, the terminal restored on exit) or must never be there (a
//! secret in clear, escape sequences smuggled in key names).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::cli::Shell;
use common::pty::{Pty, command, r7keys};
use common::{Sim, small_config};
use r7keys::simulator::SimConfig;
use reqwest::StatusCode;

/// The console's size in every test but the one about a small terminal.
const COLS: u16 = 120;
const ROWS: u16 = 40;

/// What the status line says once the user keys are loaded.
const LOADED: &str = "older than 90 days";

/// Page Down, as a terminal sends it.
const PAGE_DOWN: &[u8] = b"\x1b[6~";

/// Variables that would send a copy elsewhere than the terminal, or change
/// the console's colours and clipboard settings.
const UNSET: [&str; 8] = [
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "TMUX",
    "STY",
    "R7KEYS_CLIPBOARD",
    "R7KEYS_CLIPBOARD_CLEAR_SECS",
    "R7KEYS_THEME",
    "NO_COLOR",
];

/// The console on a pseudo-terminal, with the shell whose directories it
/// uses. The console goes first when dropped (killed if still running),
/// then the directories.
struct Console {
    pty: Pty,
    _shell: Shell,
}

/// How a console is started.
struct Start<'a> {
    principal: &'a str,
    args: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
    cols: u16,
    rows: u16,
}

impl Default for Start<'_> {
    fn default() -> Self {
        Start {
            principal: "platform-admin",
            args: &[],
            env: &[],
            cols: COLS,
            rows: ROWS,
        }
    }
}

/// A command line with the desktop, multiplexer and SSH variables removed.
fn isolated(mut command: portable_pty::CommandBuilder) -> portable_pty::CommandBuilder {
    for name in UNSET {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SSH_") {
            command.env_remove(name);
        }
    }
    command
}

impl Console {
    /// `r7keys --endpoint .. --tc-endpoint .. --region ..` as `start.principal`.
    fn open(sim: &Sim, start: &Start) -> Console {
        let tc = &sim.creds().threat_command;
        let shell = Shell::as_principal(sim, start.principal)
            .env("R7_TC_ACCOUNT_ID", &tc.account_id)
            .env("R7_TC_API_KEY", &tc.api_key);
        let mut command = isolated(r7keys(&shell, start.args));
        // After the isolation, which would remove some of them.
        for (name, value) in start.env {
            command.env(name, value);
        }
        let pty = Pty::start(command, start.cols, start.rows);
        Console { pty, _shell: shell }
    }

    /// The row of the screen at `row` (0 is the header).
    fn row(&self, row: usize) -> String {
        self.pty.rows().get(row).cloned().unwrap_or_default()
    }

    /// The status line (second row from the bottom).
    fn status(&self) -> String {
        let rows = self.pty.rows();
        rows.get(rows.len().saturating_sub(2))
            .cloned()
            .unwrap_or_default()
    }

    /// The hint line (the bottom row).
    fn hints(&self) -> String {
        self.pty.rows().last().cloned().unwrap_or_default()
    }

    /// Waits for the user keys to be loaded.
    async fn loaded(&mut self) {
        self.pty.expect_screen(LOADED).await;
    }

    /// Quits with `q`; answers the exit code.
    async fn quit(&mut self) -> u32 {
        self.pty.send(b"q");
        self.pty.finish().await
    }
}

/// Whether a screen row is a dialog's `name  <name>` line.
fn names(row: &str, name: &str) -> bool {
    let words: Vec<&str> = row.split_whitespace().collect();
    words.windows(2).any(|w| w == ["name", name])
}

/// Where `needle` last occurs in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The payloads of the OSC 52 sequences in `bytes`, in order (empty: a clear).
fn osc52_payloads(bytes: &[u8]) -> Vec<String> {
    const START: &[u8] = b"\x1b]52;c;";
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(START.len()).position(|w| w == START) {
        let begin = at + i + START.len();
        let Some(len) = bytes[begin..].iter().position(|&b| b == 0x07) else {
            break;
        };
        found.push(String::from_utf8_lossy(&bytes[begin..begin + len]).into_owned());
        at = begin + len;
    }
    found
}

/// Asserts the output ends with the terminal given back: the alternate
/// screen left, mouse capture and bracketed paste off, and nothing drawn
/// after that.
fn assert_restored(pty: &Pty) {
    let seen = &pty.seen;
    let left = rfind(seen, b"\x1b[?1049l")
        .unwrap_or_else(|| panic!("the alternate screen was never left: {}", pty.report()));
    assert!(
        rfind(seen, b"\x1b[?1049h").is_some_and(|entered| entered < left),
        "the alternate screen was entered after it was left: {}",
        pty.report()
    );
    for (on, off, what) in [
        (&b"\x1b[?1000h"[..], &b"\x1b[?1000l"[..], "mouse capture"),
        (b"\x1b[?2004h", b"\x1b[?2004l", "bracketed paste"),
    ] {
        let off_at =
            rfind(seen, off).unwrap_or_else(|| panic!("{what} never turned off: {}", pty.report()));
        assert!(
            rfind(seen, on).is_none_or(|on_at| on_at < off_at),
            "{what} is on at the end: {}",
            pty.report()
        );
    }
    // After leaving the alternate screen only mode changes may follow (the
    // cursor shown again), no text.
    let tail = &seen[left..];
    assert!(
        tail.len() < 64
            && !tail
                .iter()
                .any(|b| b.is_ascii_alphabetic() && !b"hl".contains(b)),
        "output after the terminal was restored: {:?}",
        String::from_utf8_lossy(tail)
    );
}

/// Generates a user key called `name` through the console and copies it:
/// answers the secret, read back from the OSC 52 payload.
async fn generate_and_copy(console: &mut Console, name: &str) -> String {
    console.pty.send(b"n");
    console.pty.expect_screen("Generate a user key").await;
    console.pty.send(name.as_bytes());
    console.pty.send(b"\r");
    console.pty.expect_screen("New key").await;
    // Masked, whatever its length.
    console.pty.expect_screen(&"●".repeat(36)).await;
    console.pty.expect_screen("press c to copy").await;
    assert!(
        osc52_payloads(&console.pty.seen).is_empty(),
        "nothing copied before c: {}",
        console.pty.report()
    );
    console.pty.send(b"c");
    console
        .pty
        .wait_for("an OSC 52 copy", |p| {
            osc52_payloads(&p.seen).iter().any(|s| !s.is_empty())
        })
        .await;
    console.pty.expect_screen("copied via OSC 52").await;
    let payloads = osc52_payloads(&console.pty.seen);
    assert_eq!(payloads.len(), 1, "one copy: {payloads:?}");
    let secret = base64::engine::general_purpose::STANDARD
        .decode(&payloads[0])
        .unwrap();
    String::from_utf8(secret).unwrap()
}

// ------------------------------------------------- generate, copy, revoke

#[tokio::test]
async fn a_generated_key_is_copied_by_osc52_works_and_is_revoked() {
    let sim = Sim::small().await;
    let region = sim.principal("platform-admin").region.clone();
    let mut console = Console::open(&sim, &Start::default());
    console.loaded().await;

    let secret = generate_and_copy(&mut console, "pty-console-key").await;
    assert_eq!(secret.chars().count(), 36, "a platform key: {secret:?}");
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);

    // Copied: Enter closes without asking, and the new key is selected at
    // the top of the list (newest first).
    console.pty.send(b"\r");
    console
        .pty
        .expect_screen("generated pty-console-key; the secret is gone")
        .await;
    let first = console.row(usize::from(r7keys::app::TABLE_TOP));
    assert!(
        first.contains("pty-console-key"),
        "the new key is the first row: {first:?}{}",
        console.pty.report()
    );

    console.pty.send(b"x");
    console.pty.expect_screen("Revoke a user key").await;
    console.pty.expect_screen("Revoke? y/n").await;
    assert!(
        console
            .pty
            .rows()
            .iter()
            .any(|r| names(r, "pty-console-key")),
        "the dialog names the selected key: {}",
        console.pty.report()
    );
    console.pty.send(b"y");
    console.pty.expect_screen("revoked pty-console-key").await;
    assert_eq!(
        sim.validate(&secret, &region).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        !console
            .row(usize::from(r7keys::app::TABLE_TOP))
            .contains("pty-console-key"),
        "the row is gone: {}",
        console.pty.report()
    );

    assert_eq!(console.quit().await, 0, "{}", console.pty.report());
    assert_restored(&console.pty);
    // The secret never reached the terminal in clear (only base64-encoded,
    // inside the OSC 52 copy).
    assert!(
        !contains(&console.pty.seen, secret.as_bytes()),
        "the secret was written in clear"
    );
    // The copy was cleared on the way out (the 30 s had not passed): an
    // empty OSC 52 before the terminal was given back.
    let payloads = osc52_payloads(&console.pty.seen);
    assert_eq!(payloads.len(), 2, "a copy and a clear: {payloads:?}");
    assert!(payloads[1].is_empty(), "{payloads:?}");
    let clear = rfind(&console.pty.seen, b"\x1b]52;c;\x07").unwrap();
    assert!(clear < rfind(&console.pty.seen, b"\x1b[?1049l").unwrap());
}

#[tokio::test]
async fn the_clipboard_is_cleared_after_the_delay() {
    let sim = Sim::small().await;
    let mut console = Console::open(
        &sim,
        &Start {
            env: &[("R7KEYS_CLIPBOARD_CLEAR_SECS", "1")],
            ..Start::default()
        },
    );
    console.loaded().await;
    let secret = generate_and_copy(&mut console, "pty-clear-key").await;
    assert!(!secret.is_empty());
    console.pty.send(b"\r");
    let closed = Instant::now();
    console.pty.expect_screen("generated pty-clear-key").await;
    console
        .pty
        .wait_for("an empty OSC 52 (the clear)", |p| {
            contains(&p.seen, b"\x1b]52;c;\x07")
        })
        .await;
    let waited = closed.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "cleared after the delay, not at once: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "cleared in time: {waited:?}"
    );
    assert_eq!(osc52_payloads(&console.pty.seen).len(), 2);
    assert_eq!(console.quit().await, 0, "{}", console.pty.report());
    assert_restored(&console.pty);
    // Cleared once: nothing was left to clear on the way out.
    assert_eq!(osc52_payloads(&console.pty.seen).len(), 2);
}

// ----------------------------------------------------------- the terminal

#[tokio::test]
async fn sigterm_quits_and_restores_the_terminal() {
    let sim = Sim::small().await;
    let mut console = Console::open(&sim, &Start::default());
    console.loaded().await;
    console.pty.terminate();
    assert_eq!(console.pty.finish().await, 0, "{}", console.pty.report());
    assert_restored(&console.pty);
}

#[tokio::test]
async fn a_small_terminal_says_so_until_it_grows() {
    let sim = Sim::small().await;
    let mut console = Console::open(
        &sim,
        &Start {
            cols: 60,
            rows: 20,
            ..Start::default()
        },
    );
    console.pty.expect_screen("too small").await;
    assert!(
        console.pty.screen().contains("60x20"),
        "{}",
        console.pty.report()
    );
    // Let the keys load while small: nothing but the notice is drawn.
    console.pty.settle(Duration::from_millis(500)).await;
    assert!(
        !console.pty.screen().contains("User keys"),
        "{}",
        console.pty.report()
    );

    console.pty.resize(COLS, ROWS);
    console.loaded().await;
    let screen = console.pty.screen();
    assert!(!screen.contains("too small"), "{}", console.pty.report());
    assert!(
        console.row(1).contains("1 User keys"),
        "the tab bar: {}",
        console.pty.report()
    );
    assert_eq!(console.quit().await, 0, "{}", console.pty.report());
    assert_restored(&console.pty);
}

// -------------------------------------------------------------- read-only

#[tokio::test]
async fn read_only_offers_no_mutation_and_sends_none() {
    let sim = Sim::small().await;
    let mut console = Console::open(
        &sim,
        &Start {
            args: &["--read-only"],
            ..Start::default()
        },
    );
    console.loaded().await;
    let hints = console.hints();
    assert!(hints.contains("quit"), "the hint line: {hints:?}");
    // Shown marked as unavailable, not offered.
    assert!(hints.contains("✗generate"), "the hint line: {hints:?}");
    assert!(hints.contains("✗revoke"), "the hint line: {hints:?}");

    console.pty.send(b"n");
    console
        .pty
        .wait_for("read-only on the status line", |p| {
            let rows = p.rows();
            rows.get(rows.len() - 2)
                .is_some_and(|s| s.contains("read-only"))
        })
        .await;
    assert!(
        !console.pty.screen().contains("Generate"),
        "no dialog: {}",
        console.pty.report()
    );
    console.pty.send(b"x");
    console.pty.settle(Duration::from_millis(300)).await;
    assert!(
        console.status().contains("read-only"),
        "{}",
        console.status()
    );
    assert!(
        !console.pty.screen().contains("Revoke"),
        "no dialog: {}",
        console.pty.report()
    );
    assert_eq!(console.quit().await, 0, "{}", console.pty.report());

    let log = sim.request_log().await;
    assert!(!log.is_empty());
    let changes: Vec<_> = log
        .iter()
        .filter(|e| e["method"] != "GET" && e["method"] != "HEAD")
        .collect();
    assert!(changes.is_empty(), "read-only sent {changes:?}");
}

// ------------------------------------------------------- hostile key names

#[tokio::test]
async fn hostile_key_names_never_reach_the_terminal() {
    let sim = Sim::start(SimConfig {
        keys: 400,
        hostile_names: true,
        ..small_config()
    })
    .await;
    let mut console = Console::open(&sim, &Start::default());
    console.loaded().await;
    // The names are there, shown escaped by the sanitizer. (ratatui also
    // drops control characters from what it draws, so the byte checks below
    // also guard every other way a name could reach the terminal, such as
    // a title or a clipboard write.)
    let mut shown_escaped = console.pty.screen().contains("\\x1b");
    for _ in 0..6 {
        console.pty.send(PAGE_DOWN);
        console.pty.settle(Duration::from_millis(250)).await;
        shown_escaped |= console.pty.screen().contains("\\x1b");
    }
    assert!(
        shown_escaped,
        "hostile names were listed, escaped: {}",
        console.pty.report()
    );
    assert_eq!(console.quit().await, 0, "{}", console.pty.report());
    assert_restored(&console.pty);

    let seen = &console.pty.seen;
    for payload in [
        &b"\x1b]0;pwned"[..],
        b"\x1b]52;c;cm0gLXJmIH4=",
        b"\x1b[2J\x1b[H",
        b"\x1b]8;;http://evil.example",
        b"\x1bP+q544e",
        b"red\x1b[0m-and-",
        "\u{9b}".as_bytes(),
        "\u{202e}".as_bytes(),
    ] {
        assert!(
            !contains(seen, payload),
            "{:?} reached the terminal",
            String::from_utf8_lossy(payload)
        );
    }
    assert!(!contains(seen, b"\x07\x07"), "a hostile name rang the bell");
}

// -------------------------------------------------------- a refused key

#[tokio::test]
async fn a_refused_key_says_how_to_fix_it() {
    let sim = Sim::small().await;
    let mut console = Console::open(
        &sim,
        &Start {
            env: &[("R7_API_KEY", "00000000-0000-4000-8000-000000000000")],
            ..Start::default()
        },
    );
    console.pty.expect_screen("Authentication failed").await;
    let screen = console.pty.screen();
    assert!(
        screen.contains("did not accept the API key"),
        "{}",
        console.pty.report()
    );
    assert!(screen.contains("R7_API_KEY"), "{}", console.pty.report());
    console.pty.send(b"\r");
    console
        .pty
        .wait_for("the message closed", |p| {
            !p.screen().contains("Authentication failed")
        })
        .await;
    assert_eq!(console.quit().await, 0, "{}", console.pty.report());
    assert_restored(&console.pty);
}

// ------------------------------------------------------------------ --demo

#[tokio::test]
async fn the_demo_starts_and_quits() {
    // The simulator only lends its shell's private directories: the demo
    // starts its own.
    let sim = Sim::small().await;
    let shell = Shell::new(&sim);
    let mut pty = Pty::start(
        isolated(command(&["--demo"], shell.envs(), &shell.dir)),
        COLS,
        ROWS,
    );
    pty.expect_screen(LOADED).await;
    assert!(pty.screen().contains("profile demo"), "{}", pty.report());
    pty.send(b"q");
    assert_eq!(pty.finish().await, 0, "{}", pty.report());
    assert_restored(&pty);
    drop(pty);
    drop(shell);
}

// -------------------------------------------------------------- inventory

/// The text after a dialog's `label` on its line (the dialog is drawn over
/// the table, so its cells are the ones between `│ label` and the next `│`).
fn dialog_value(rows: &[String], label: &str) -> Option<String> {
    let start = format!("│ {label} ");
    rows.iter().find_map(|row| {
        let at = row.find(&start)? + start.len();
        let value = row[at..].split('│').next()?.trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

#[tokio::test]
async fn the_inventory_finds_an_orphan_and_revokes_it_in_its_tenant() {
    let sim = Sim::small().await;
    let mut console = Console::open(
        &sim,
        &Start {
            principal: "mt-admin",
            cols: 120,
            rows: 40,
            ..Start::default()
        },
    );
    console.loaded().await;
    console.pty.send(b"5");
    console
        .pty
        .expect_screen("keys in the home organizations and 8 tenants")
        .await;
    console.pty.send(b"/flag:orphan\r");
    console.pty.expect_screen("match /flag:orphan").await;
    // The first row is an orphaned organization key of some tenant.
    let first = console.row(4);
    assert!(
        first.contains("orphan") && first.contains(" org "),
        "{}",
        console.pty.report()
    );
    console.pty.send(b"x");
    console
        .pty
        .expect_screen("Type the key's name to confirm")
        .await;
    let rows = console.pty.rows();
    let name = dialog_value(&rows, "name").expect("the dialog names the key");
    let id = dialog_value(&rows, "id").expect("and its id");
    let place = dialog_value(&rows, "revoked in").expect("and the tenant it is revoked in");
    assert!(place.starts_with("tenant "), "{place}");
    let since = common::last_seq(&sim).await;
    console.pty.send(name.as_bytes());
    console.pty.send(b"\r");
    console.pty.expect_screen(&format!("revoked {name}")).await;
    // One DELETE, of that key, sent with the tenant's header at its region.
    let log = common::log_since(&sim, since).await;
    let deletes: Vec<_> = log.iter().filter(|e| e["method"] == "DELETE").collect();
    assert_eq!(deletes.len(), 1, "{log:?}");
    let delete = deletes[0];
    assert!(
        delete["path"].as_str().unwrap_or("").ends_with(&id),
        "{delete}"
    );
    let tenant = delete["tenant"]
        .as_str()
        .expect("a tenant header")
        .to_string();
    let home = &sim.principal("mt-admin").organization_id;
    assert_ne!(&tenant, home, "revoked in the tenant, not at home");
    let managed = sim
        .all_pages("mt-admin", "/account/api/1/managed-organizations")
        .await;
    let region = managed
        .iter()
        .find(|t| t["id"] == tenant.as_str())
        .and_then(|t| t["region"].as_str())
        .expect("a managed tenant")
        .to_string();
    assert!(
        delete["path"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("/{region}/")),
        "at the tenant's region {region}: {delete}"
    );
    assert_eq!(delete["status"], 204, "{delete}");
    assert_eq!(console.quit().await, 0, "{}", console.pty.report());
}
