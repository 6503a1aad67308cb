//! The console's flows through the real runtime (`r7keys::runtime::run`),
//! the real worker and API client, against the in-process simulator: only
//! the terminal is replaced. The screen is a `TestBackend` shared with the
//! test (so it can be read while the console runs), key presses come from a
//! channel the test writes to, and the clipboard is the `Recording` fake.
//!
//! A test presses keys and waits (polling, bounded) for what can be seen
//! from outside: the screen, the simulator's request log, the clipboard.
//! After `q` the runtime hands the `App` back for a last look.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::console::{Console, KEYS_PATH, LOADED, PATIENCE, ROWS, session};
use common::{Sim, count_method, last_seq, log_since, small_config};
use r7keys::api::Settings;
use r7keys::app::{App, TABLE_TOP};
use r7keys::present::{HIDDEN_SECRET, Mask};
use r7keys::simulator::SimConfig;
use r7keys::ui::Theme;
use ratatui::crossterm::event::KeyCode;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The user keys the platform administrator sees at home, as the API lists them.
async fn user_keys(sim: &Sim) -> usize {
    sim.all_pages("platform-admin", KEYS_PATH)
        .await
        .iter()
        .filter(|k| {
            k["type"] != "ORGANIZATION" && !k["type"].as_str().unwrap().starts_with("MULTI")
        })
        .count()
}

/// `1200` as `1,200`, as the console writes counts.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The ids of a table's rows, in order.
fn ids(table: &r7keys::app::table::KeyTable) -> Vec<String> {
    table
        .window(0, table.len())
        .map(|k| k.id.clone().unwrap())
        .collect()
}

/// Listing requests (`GET /{region}/account/api/1/api-keys?...`) in `log`.
fn listings(log: &[Value]) -> usize {
    log.iter()
        .filter(|e| {
            e["method"] == "GET"
                && e["path"]
                    .as_str()
                    .and_then(|p| p.split('?').next())
                    .is_some_and(|p| p.ends_with(KEYS_PATH))
        })
        .count()
}

/// How many pages the platform administrator's listing has, 100 keys a page.
async fn total_pages(sim: &Sim) -> usize {
    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS_PATH}?index=0&size=100"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    usize::try_from(body["metadata"]["total_pages"].as_u64().unwrap()).unwrap()
}

/// A world of 3,000 keys served 100 a page, 50 ms an answer.
fn big_slow_world() -> SimConfig {
    SimConfig {
        keys: 3000,
        latency: "50".parse().unwrap(),
        page_cap: 100,
        ..small_config()
    }
}

// ------------------------------------------------------ (a) progressive pages

#[tokio::test]
async fn pages_fill_the_table_as_they_arrive() {
    let sim = Sim::start(big_slow_world()).await;
    let console = Console::start(&sim, 2);
    // Watch the load: the status line counts pages, the title says "so far".
    let mut progress: Vec<String> = Vec::new();
    let mut partial_title = false;
    let started = Instant::now();
    loop {
        let status = console.status();
        if status.contains(LOADED) {
            break;
        }
        if status.contains("loading page") && progress.last() != Some(&status) {
            progress.push(status);
        }
        partial_title |= console.rows()[2].contains("keys so far");
        assert!(started.elapsed() < PATIENCE, "{}", console.screen());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(
        progress.len() >= 3,
        "the load was seen page by page: {progress:?}"
    );
    assert!(partial_title, "the title said \"so far\" while loading");

    let mut console = console;
    let rows = console.rows();
    let app = console.quit().await;
    let expected = user_keys(&sim).await;
    assert!(expected > 500, "a big world: {expected}");
    assert_eq!(app.user.table.len(), expected);
    assert!(app.user.listing.is_done());
    let pages = total_pages(&sim).await;
    assert!(pages > 10, "many pages: {pages}");
    assert_eq!(app.user.listing.total_pages, Some(pages));
    assert_eq!(app.user.listing.pages, pages);
    let of_pages = format!(" of {pages},");
    assert!(
        progress.iter().all(|s| s.contains(&of_pages)),
        "{progress:?}"
    );
    // The screen shows the full table: the count, the column titles, and a
    // row on every line of the table.
    assert!(
        rows[2].contains(&format!("User keys · {} keys ·", thousands(expected))),
        "{}",
        rows.join("\n")
    );
    assert!(rows[3].contains("name") && rows[3].contains("created"));
    let first = usize::from(TABLE_TOP);
    let last = usize::from(ROWS) - usize::from(r7keys::app::TABLE_BOTTOM);
    for row in &rows[first..last] {
        let cells = row.trim_matches(|c| c == '│' || c == ' ');
        assert!(
            cells.contains("-20") || cells.contains(" 20"),
            "a full table: {}",
            rows.join("\n")
        );
    }
    assert!(rows[usize::from(ROWS) - 2].starts_with(&format!("{} keys,", thousands(expected))));
}

// ------------------------------------------------------------- (b) generate

#[tokio::test]
async fn a_generated_key_is_copied_once_and_works() {
    let sim = Sim::small().await;
    let region = sim.principal("platform-admin").region.clone();
    let mut console = Console::start(&sim, 4);
    console.loaded().await;

    console.key('n');
    console.shows("Generate a user key").await;
    console.type_text("flow-key");
    // The answer comes late: Enter pressed three times meanwhile still
    // generates exactly one key.
    sim.set_faults("spike=300@api-keys*1").await;
    let since = last_seq(&sim).await;
    for _ in 0..3 {
        console.press(KeyCode::Enter);
    }
    console.shows("New key: flow-key").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let log = log_since(&sim, since).await;
    assert_eq!(count_method(&log, "POST"), 1, "one key generated: {log:?}");
    assert!(console.clipboard.lock().unwrap().copies.is_empty());

    console.key('c');
    console
        .until("a copy", |c| !c.clipboard.lock().unwrap().copies.is_empty())
        .await;
    console.shows("copied via the test clipboard").await;
    let secret = console.clipboard.lock().unwrap().copies[0].clone();
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);
    assert!(
        !console.screen().contains(&secret),
        "the secret stays masked"
    );

    // Copied: Enter closes at once; the clipboard is cleared after the delay.
    console.press(KeyCode::Enter);
    console
        .shows("generated flow-key; the secret is gone")
        .await;
    assert_eq!(console.clipboard.lock().unwrap().clears, 0);
    console
        .until("the clipboard cleared", |c| {
            c.clipboard.lock().unwrap().clears == 1
        })
        .await;
    let app = console.quit().await;
    let recording = console.clipboard.lock().unwrap();
    assert_eq!(recording.copies, vec![secret], "exactly one copy");
    assert_eq!(recording.clears, 1, "cleared once");
    assert_eq!(
        app.user
            .table
            .selected_key()
            .and_then(|k| k.name.as_deref()),
        Some("flow-key"),
        "the new key is selected"
    );
}

// --------------------------------------------------------------- (c) revoke

#[tokio::test]
async fn revoking_asks_and_declining_sends_nothing() {
    let sim = Sim::small().await;
    let region = sim.principal("platform-admin").region.clone();
    let (status, created) = sim
        .generate(
            "platform-admin",
            json!({"name": "flow-revoke", "type": "USER"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let secret = created["key"].as_str().unwrap().to_string();

    let mut console = Console::start(&sim, 4);
    console.loaded().await;
    // The newest key is the first row, selected.
    assert!(
        console.rows()[usize::from(TABLE_TOP)].contains("flow-revoke"),
        "{}",
        console.screen()
    );
    let since = last_seq(&sim).await;

    console.key('x');
    console.shows("Revoke a user key").await;
    assert!(
        console.rows().iter().any(|row| {
            let words: Vec<&str> = row.split_whitespace().collect();
            words.windows(2).any(|w| w == ["name", "flow-revoke"])
        }),
        "the dialog names the selected key: {}",
        console.screen()
    );
    console.key('n');
    console.shows("revoke declined: nothing changed").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = log_since(&sim, since).await;
    assert_eq!(count_method(&log, "DELETE"), 0, "declined: {log:?}");
    assert_eq!(sim.validate(&secret, &region).await, StatusCode::OK);

    console.key('x');
    console.shows("Revoke a user key").await;
    console.key('y');
    console.shows("revoked flow-revoke").await;
    let log = log_since(&sim, since).await;
    assert_eq!(count_method(&log, "DELETE"), 1, "{log:?}");
    assert_eq!(
        sim.validate(&secret, &region).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        console.rows()[usize::from(TABLE_TOP)..usize::from(ROWS) - 3]
            .iter()
            .all(|row| !row.contains("flow-revoke")),
        "the row is gone: {}",
        console.screen()
    );
    let app = console.quit().await;
    assert!(!ids(&app.user.table).contains(&id));
}

// --------------------------------------------------------- (d) a 429 storm

#[tokio::test]
async fn a_429_storm_during_a_refresh_does_not_freeze_the_console() {
    let sim = Sim::start(SimConfig {
        keys: 1000,
        ..small_config()
    })
    .await;
    let mut console = Console::start(&sim, 4);
    console.loaded().await;
    let since = last_seq(&sim).await;
    sim.set_faults("429=1@api-keys*2").await;

    console.key('r');
    console
        .until("the refresh", |c| c.status().contains("loading"))
        .await;
    // The console answers keys while the client waits out Retry-After.
    console.key('2');
    console.shows("┌ Organization keys").await;
    assert!(
        console.status().contains("loading"),
        "switched tabs before the load was done: {}",
        console.screen()
    );
    console.key('1');
    console.shows("┌ User keys").await;

    console.loaded().await;
    let log = log_since(&sim, since).await;
    let throttled = log.iter().filter(|e| e["status"] == 429).count();
    assert_eq!(throttled, 2, "the storm happened: {log:?}");
    let app = console.quit().await;
    let expected = user_keys(&sim).await;
    assert_eq!(app.user.table.len(), expected);
    assert!(app.user.listing.error().is_none());
    let unique: HashSet<String> = ids(&app.user.table).into_iter().collect();
    assert_eq!(unique.len(), expected);
}

// ------------------------------------------------------- (e) stale answers

#[tokio::test]
async fn a_second_refresh_cancels_the_first_and_spends_nothing_on_it() {
    let sim = Sim::start(big_slow_world()).await;
    let mut console = Console::start(&sim, 2);
    console.loaded().await;
    let pages = total_pages(&sim).await;
    let since = last_seq(&sim).await;

    // The first refresh is under way (pages are arriving) when the second starts.
    console.key('r');
    console
        .until("the first refresh's pages", |c| {
            c.status().starts_with("loading page") && !c.status().starts_with("loading page 1 ")
        })
        .await;
    console.key('r');
    console
        .until("the second refresh", |c| {
            c.status().contains("loading…") || c.status().contains("loading page 1 of")
        })
        .await;
    console.loaded().await;
    // The first walk was cancelled in the worker: after the second one's
    // pages, no request of the first comes in any more.
    let seen = listings(&log_since(&sim, since).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = listings(&log_since(&sim, since).await);
    assert_eq!(
        seen, later,
        "nothing more was asked after the listing ended"
    );
    assert!(
        later < 2 * pages,
        "{later} page requests: the first walk stopped early (a full one is {pages})"
    );
    assert!(later > pages, "the first walk had begun: {later}");

    let app = console.quit().await;
    let expected = user_keys(&sim).await;
    let ids = ids(&app.user.table);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no duplicates");
    assert_eq!(ids.len(), expected);
    assert_eq!(app.user.listing.pages, pages);
}

// ------------------------------------------------------------- (f) rotate

#[tokio::test]
async fn rotating_the_consoles_own_key_keeps_the_console_working() {
    let sim = Sim::small().await;
    let admin = sim.principal("platform-admin").clone();
    let mut session = session(&sim);
    session.own_key_id = Some(admin.key_id.clone());
    let mut console = Console::start_as(&sim, 4, session);
    console.loaded().await;
    console.key('/');
    console.type_text("r7keys platform-admin");
    console.press(KeyCode::Enter);
    console.shows("1 of").await;

    console.key('R');
    console.shows("rotating").await;
    console.press(KeyCode::Enter);
    console.shows("works at region").await;
    console.key('c');
    console.shows("copied via the test clipboard").await;
    let new_secret = console.clipboard.lock().unwrap().copies[0].clone();
    console.press(KeyCode::Enter);
    console.shows("signs in with").await;
    let before_revoke = last_seq(&sim).await;
    console.key('y');
    console.shows("now signs in with the new key").await;

    assert_eq!(
        sim.validate(&admin.api_key, &admin.region).await,
        StatusCode::UNAUTHORIZED,
        "the old key is revoked"
    );
    assert_eq!(
        sim.validate(&new_secret, &admin.region).await,
        StatusCode::OK
    );
    // Everything from the revoke on is signed with the new key: a refresh works.
    console.press(KeyCode::Enter);
    console.key('r');
    let mut after = Vec::new();
    let started = Instant::now();
    while listings(&after) == 0 {
        assert!(
            started.elapsed() < PATIENCE,
            "no listing after the rotation"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        after = log_since(&sim, before_revoke).await;
    }
    let signers: HashSet<_> = after
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| !p.contains("/validate")))
        .map(|e| e["key"].clone())
        .collect();
    assert_eq!(
        signers.len(),
        1,
        "one key signs the revoke and what follows: {after:?}"
    );
    assert!(
        after
            .iter()
            .filter(|e| e["path"].as_str().is_some_and(|p| !p.contains("/validate")))
            .all(|e| e["status"].as_u64().is_some_and(|s| s < 300)),
        "{after:?}"
    );
    let app = console.quit().await;
    assert_ne!(
        app.session.own_key_id.as_deref(),
        Some(admin.key_id.as_str())
    );
    assert!(
        app.session.own_key_id.is_some(),
        "the new key is the console's own"
    );
}

// ------------------------------------------------------ (f) screen-share mode

/// Pieces of the real values in the console's tables and organizations
/// that a screen must not show while presenting: key ids as the table cuts
/// them, the start of each organization name, each email's `local@` and
/// its domain.
fn real_pieces(app: &App) -> Vec<String> {
    let mut pieces = Vec::new();
    for pane in [&app.user, &app.organization, &app.multi_tenant] {
        for key in pane.table.visible_rows().filter_map(|r| r.key()) {
            pieces.extend(key.id.as_deref().map(|id| id.chars().take(8).collect()));
            pieces.extend(
                key.organization_name
                    .as_deref()
                    .map(|n| n.chars().take(10).collect()),
            );
            if let Some((local, domain)) =
                key.owner_email.as_deref().and_then(|e| e.split_once('@'))
            {
                pieces.push(format!("{local}@"));
                pieces.push(domain.to_string());
            }
        }
    }
    let orgs = app.orgs.ready().into_iter().flatten();
    let managed = app.managed.ready().into_iter().flatten();
    for org in orgs.chain(managed) {
        pieces.extend(org.name.as_deref().map(|n| n.chars().take(10).collect()));
        pieces.push(org.id.chars().take(8).collect());
    }
    pieces.retain(|p: &String| p.chars().count() >= 4);
    pieces.sort();
    pieces.dedup();
    pieces
}

#[tokio::test]
async fn presenting_hides_every_real_value_and_the_secret_but_copies_it() {
    let sim = Sim::small().await;
    let admin = sim.principal("platform-admin").clone();
    let theme = Theme::new(true, None).presenting(Mask::random());
    let mut console = Console::start_drawing(&sim, 4, session(&sim), &theme);
    console.loaded().await;
    let mut screens = vec![console.screen()];
    assert!(screens[0].lines().next().unwrap().contains("PRESENTING"));

    // The details of a key, the multi-tenant tab and its tenants.
    console.press(KeyCode::Enter);
    console.shows("Key details").await;
    screens.push(console.screen());
    console.press(KeyCode::Esc);
    console.key('3');
    console.shows("Managed organizations ·").await;
    screens.push(console.screen());
    console.key('1');
    console.loaded().await;

    // A new key: its secret is never drawn, not even when asked, and `c` copies it.
    console.key('n');
    console.shows("Generate a user key").await;
    console.type_text("present-key");
    console.press(KeyCode::Enter);
    console.shows("New key: present-key").await;
    console.shows(HIDDEN_SECRET).await;
    console.key('v');
    screens.push(console.screen());
    console.key('c');
    console
        .until("a copy", |c| !c.clipboard.lock().unwrap().copies.is_empty())
        .await;
    console.shows("copied via the test clipboard").await;
    screens.push(console.screen());
    let secret = console.clipboard.lock().unwrap().copies[0].clone();
    assert_eq!(sim.validate(&secret, &admin.region).await, StatusCode::OK);
    console.press(KeyCode::Enter);
    console.shows("generated present-key").await;
    screens.push(console.screen());

    // Rotating it: the new secret is not drawn either, and leaving names
    // both keys by their masked ids only.
    console.key('R');
    console.shows("rotating").await;
    console.press(KeyCode::Enter);
    console.shows("works at region").await;
    console.key('v');
    assert!(
        console.screen().contains(HIDDEN_SECRET),
        "{}",
        console.screen()
    );
    screens.push(console.screen());
    console.key('c');
    console
        .until("a second copy", |c| {
            c.clipboard.lock().unwrap().copies.len() == 2
        })
        .await;
    let rotated = console.clipboard.lock().unwrap().copies[1].clone();
    assert_eq!(sim.validate(&rotated, &admin.region).await, StatusCode::OK);
    console.press(KeyCode::Enter);
    console.shows("to revoke").await;
    screens.push(console.screen());
    console.press(KeyCode::Esc);
    console.shows("is still active").await;
    screens.push(console.screen());

    let app = console.quit().await;
    let pieces = real_pieces(&app);
    assert!(
        pieces.len() > 20,
        "the test looks for something: {pieces:?}"
    );
    let email = admin.email.clone().unwrap();
    for screen in &screens {
        assert!(
            !screen.contains(&secret) && !screen.contains(&secret[..8]),
            "{screen}"
        );
        assert!(!screen.contains(&email), "{screen}");
        for piece in &pieces {
            assert!(
                !screen.contains(piece.as_str()),
                "{piece:?} on screen:\n{screen}"
            );
        }
    }
    // Key names are kept.
    assert!(screens.iter().any(|s| s.contains("present-key")));
}

// ----------------------------------------------------------------- audit

#[tokio::test]
async fn the_audit_tab_shows_a_generate_from_the_platform_and_the_journal() {
    let sim = Sim::small().await;
    let dir = std::env::temp_dir().join(format!("r7keys-flows-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("journal.jsonl");
    let _ = std::fs::remove_file(&journal);
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        concurrency: 4,
        journal: Some(r7keys::api::journal::Journal::new(
            journal.clone(),
            Some("flows".into()),
        )),
        ..Settings::default()
    };
    let mut console = Console::start_with(
        &sim,
        settings,
        session(&sim),
        "platform-admin",
        &Theme::new(true, None),
    );
    console.loaded().await;
    console.key('n');
    console.shows("Generate a user key").await;
    console.type_text("audit-flow");
    console.press(KeyCode::Enter);
    console.shows("New key: audit-flow").await;
    console.key('c');
    console.shows("copied via the test clipboard").await;
    console.press(KeyCode::Enter);
    console.shows("generated audit-flow").await;
    let secret = console.clipboard.lock().unwrap().copies[0].clone();

    let since = last_seq(&sim).await;
    console.key('6');
    console.shows("platform audit log read").await;
    let rows: Vec<String> = console
        .rows()
        .into_iter()
        .filter(|r| r.starts_with('│') && r.contains("audit-flow"))
        .collect();
    assert_eq!(rows.len(), 2, "{}", console.screen());
    assert!(
        rows.iter()
            .any(|r| r.contains("platform") && r.contains("generate"))
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("journal") && r.contains("ok"))
    );
    assert!(
        !console.screen().contains('⚠'),
        "the journal's generate has its platform event: {}",
        console.screen()
    );
    let log = log_since(&sim, since).await;
    assert!(
        log.iter().all(|e| e["path"]
            .as_str()
            .is_some_and(|p| p.contains("/log_search/"))),
        "the tab reads Log Search only: {log:?}"
    );
    // Enter on the event opens the key on the User tab.
    console.press(KeyCode::Enter);
    console.shows("Key details").await;
    assert!(console.screen().contains("audit-flow"));
    console.press(KeyCode::Esc);
    console
        .until("the details closed", |c| {
            !c.screen().contains("Key details")
        })
        .await;
    let app = console.quit().await;
    assert_eq!(app.tab, r7keys::app::Tab::User);
    // The secret reached the clipboard, never the journal.
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("audit-flow"));
    assert!(!text.contains(&secret), "no secret in the journal");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_user_without_audit_rights_is_told_which_keys_may_read() {
    let sim = Sim::small().await;
    let user = sim.principal("user").clone();
    let mut session = session(&sim);
    session.platform_admin = Some(false);
    session.owner.clone_from(&user.email);
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        concurrency: 4,
        ..Settings::default()
    };
    let mut console = Console::start_with(&sim, settings, session, "user", &Theme::new(true, None));
    console.key('6');
    console.shows("refused (403)").await;
    console.shows("Platform Administrator's user key").await;
    let _ = console.quit().await;
}
