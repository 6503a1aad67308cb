//! A bounded soak of the console: the real runtime, worker and client on a
//! `TestBackend` against the simulator, driven by a seeded sequence of user
//! actions (generate a key with a name, revoke with confirmation, refresh,
//! tab switches 1-5, tenant switches with `o`) while the simulator injects
//! seeded faults (5xx, 429, lost and broken answers, slow answers).
//!
//! At the end, with the faults cleared and the tables refreshed at home:
//! - the user and organization tables hold exactly the keys the simulator has;
//! - every key the simulator's audit log says was generated was shown to
//!   the user (the reveal dialog) or the user was told it may exist (the
//!   lost-answer dialogs), and no key was revealed that was not created;
//! - nothing panicked, and every action ended within its patience.
//!
//! `SOAK_SEED` picks the run (default fixed), `SOAK_STEPS` its length; a
//! failure prints both and the step, so the run can be replayed exactly.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::console::{Console, session};
use common::{Sim, small_config};
use r7keys::api::{ApiKey, AuditAction, AuditQuery, Client, KeyKind, Settings, Target};
use r7keys::app::App;
use r7keys::region::Region;
use r7keys::simulator::SimConfig;
use r7keys::ui::Theme;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ratatui::crossterm::event::KeyCode;
use serde_json::Value;

const KEYS_PATH: &str = "/account/api/1/api-keys";

/// How long one action may take to show its outcome.
const PATIENCE: Duration = Duration::from_secs(8);

/// The faults a step may arm, each for one request of the API-key endpoints.
const FAULTS: [&str; 9] = [
    "5xx=503@api-keys*1",
    "5xx=500@api-keys*1",
    "429=1@api-keys*1",
    "spike=300@api-keys*1",
    "reset@api-keys*1",
    "truncate@api-keys*1",
    "malformed@api-keys*1",
    "html@api-keys*1",
    "drip=50@api-keys*1",
];

/// The dialogs that tell the user a generate's answer was lost.
const LOST_ANSWER_TITLES: [&str; 3] = [
    "The key was created, but its secret was lost",
    "The key was most likely not created",
    "The key may have been created",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// What the run has seen and done, for the failure report and the checks.
struct Run {
    /// Whose key the console signs with.
    principal: &'static str,
    seed: u64,
    step: usize,
    /// The action under way, as a short text.
    doing: String,
    rng: ChaCha8Rng,
    /// Names whose new secret the reveal dialog showed.
    revealed: BTreeSet<String>,
    /// Names the user was told may have been created (a lost answer).
    maybe: BTreeSet<String>,
    /// Names generated (Enter pressed on the form).
    asked: BTreeSet<String>,
    tab: char,
    /// Tenant switches made through the picker, and revokes sent.
    switches: usize,
    revokes: usize,
}

impl Run {
    fn whereabouts(&self) -> String {
        format!(
            "SOAK_SEED={} as {} at step {} ({})",
            self.seed, self.principal, self.step, self.doing
        )
    }
}

/// Waits until `done` holds, at most [`PATIENCE`]; panics with the seed,
/// the step and the screen otherwise.
async fn until(console: &Console, run: &Run, what: &str, done: impl Fn(&str) -> bool) {
    let started = Instant::now();
    loop {
        let screen = console.screen();
        if done(&screen) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{}: no {what} within {PATIENCE:?}:\n{screen}",
            run.whereabouts()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Whether any dialog the soak opens is on the screen.
fn dialog_open(screen: &str) -> bool {
    [
        "Generate a",
        "Generate an",
        "Revoke a",
        "Revoke an",
        "New key:",
        "Choose the tenant in focus",
    ]
    .iter()
    .chain(LOST_ANSWER_TITLES.iter())
    .any(|t| screen.contains(t))
}

/// `n`, a name, Enter; then whatever the answer was, back to the table.
async fn generate(console: &Console, run: &mut Run) {
    let name = format!("soak-{}-{}", run.seed, run.step);
    console.key('n');
    let opened = Instant::now();
    while !console.screen().contains("Generate a") {
        if opened.elapsed() > Duration::from_millis(500) {
            return; // not offered here (say, the tab has no generate)
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    console.type_text(&name);
    console.press(KeyCode::Enter);
    run.asked.insert(name.clone());
    let sent = Instant::now();
    let new_key = format!("New key: {name}");
    loop {
        let screen = console.screen();
        if screen.contains(&new_key) {
            run.revealed.insert(name.clone());
            if run.rng.random_bool(0.5) {
                console.key('c');
                until(console, run, "the copy", |s| {
                    s.contains("copied via the test clipboard")
                })
                .await;
                console.press(KeyCode::Enter);
            } else {
                // Never copied: Enter asks whether to leave, y leaves.
                console.press(KeyCode::Enter);
                until(console, run, "the question to leave", |s| {
                    s.contains("Leave anyway")
                })
                .await;
                console.key('y');
            }
            until(console, run, "the reveal closed", |s| {
                !s.contains("New key:")
            })
            .await;
            return;
        }
        if LOST_ANSWER_TITLES.iter().any(|t| screen.contains(t)) {
            run.maybe.insert(name.clone());
            console.press(KeyCode::Enter);
            until(console, run, "the message closed", |s| {
                !LOST_ANSWER_TITLES.iter().any(|t| s.contains(t))
            })
            .await;
            return;
        }
        let form_open = screen.contains("Generate a");
        if !form_open
            && !screen.contains("generating…")
            && sent.elapsed() > Duration::from_millis(300)
        {
            panic!(
                "{}: the generate form closed without a word:\n{screen}",
                run.whereabouts()
            );
        }
        if form_open
            && !screen.contains("generating…")
            && sent.elapsed() > Duration::from_millis(300)
        {
            // Refused with a reason on the form (a 5xx, say): leave it.
            console.press(KeyCode::Esc);
            until(console, run, "the form closed", |s| {
                !s.contains("Generate a")
            })
            .await;
            return;
        }
        assert!(
            sent.elapsed() < PATIENCE,
            "{}: no answer to the generate within {PATIENCE:?}:\n{screen}",
            run.whereabouts()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A row a few down, `x`, `y`; a key that wants its name typed is declined.
async fn revoke(console: &Console, run: &mut Run) {
    for _ in 0..run.rng.random_range(0..6) {
        console.key('j');
    }
    console.key('x');
    let opened = Instant::now();
    while !console.screen().contains("Revoke a") {
        if opened.elapsed() > Duration::from_millis(500) {
            return; // nothing selected, or not offered here
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    console.key('y');
    let sent = Instant::now();
    loop {
        let screen = console.screen();
        if !screen.contains("Revoke a") {
            run.revokes += 1;
            return;
        }
        if !screen.contains("revoking…") && sent.elapsed() > Duration::from_millis(300) {
            // A typed confirmation ('y' went into the field), or a failure
            // shown on the dialog: decline.
            console.press(KeyCode::Esc);
            until(console, run, "the revoke dialog closed", |s| {
                !s.contains("Revoke a")
            })
            .await;
            return;
        }
        assert!(
            sent.elapsed() < PATIENCE,
            "{}: no answer to the revoke within {PATIENCE:?}:\n{screen}",
            run.whereabouts()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `o`, a few rows down, Enter (or Esc when the picker did not open).
async fn switch_tenant(console: &Console, run: &mut Run, down: usize) {
    console.key('o');
    let opened = Instant::now();
    while !console.screen().contains("Choose the tenant in focus") {
        if opened.elapsed() > Duration::from_millis(500) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for _ in 0..down {
        console.press(KeyCode::Down);
    }
    console.press(KeyCode::Enter);
    run.switches += 1;
    until(console, run, "the picker closed", |s| {
        !s.contains("Choose the tenant in focus")
    })
    .await;
}

/// The keys the platform administrator's home listing holds, split into
/// user keys and organization keys, by id.
async fn server_keys(sim: &Sim, principal: &str) -> (Vec<String>, Vec<String>) {
    let keys = sim.all_pages(principal, KEYS_PATH).await;
    let id = |k: &Value| k["id"].as_str().unwrap().to_string();
    let kind = |k: &Value| k["type"].as_str().unwrap().to_string();
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    let users = keys
        .iter()
        .filter(|k| kind(k) != "ORGANIZATION" && !kind(k).starts_with("MULTI"))
        .map(id)
        .collect();
    let orgs = keys
        .iter()
        .filter(|k| kind(k) == "ORGANIZATION")
        .map(id)
        .collect();
    (sorted(users), sorted(orgs))
}

/// The ids of a table's rows, sorted, duplicates kept (a key listed twice
/// is a defect the comparison must see).
fn table_ids(table: &r7keys::app::table::KeyTable) -> Vec<String> {
    let mut ids: Vec<String> = table
        .window(0, table.len())
        .map(|k| k.id.clone().unwrap())
        .collect();
    ids.sort();
    ids
}

/// The names of the soak's keys the platform's audit logs say were
/// generated (at home and in every managed tenant the key reaches), read
/// through Log Search as any client reads them.
async fn generated_names(sim: &Sim, principal: &str, seed: u64) -> BTreeSet<String> {
    let who = sim.principal(principal);
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        ..Settings::default()
    };
    let client = Client::new(settings, ApiKey::new(&who.api_key).unwrap()).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let query = AuditQuery::between(now - time::Duration::days(1), now + time::Duration::days(1));
    let region: Region = who.region.parse().unwrap();
    let multi_tenant = principal.starts_with("mt-");
    let home = Target::new(region, multi_tenant.then(|| who.organization_id.clone()));
    let mut trails = vec![client.audit_trail(&home, &query).await.unwrap()];
    if multi_tenant {
        let tenants = client.managed_organizations(&home).await.unwrap();
        for outcome in client.audit_of_tenants(tenants, &query).await {
            trails.push(outcome.outcome.unwrap());
        }
    }
    let prefix = format!("soak-{seed}-");
    trails
        .into_iter()
        .inspect(|trail| assert!(trail.incomplete.is_none(), "{:?}", trail.incomplete))
        .flat_map(|trail| trail.events)
        .filter(|e| e.action == AuditAction::Generate)
        .filter_map(|e| e.key_name)
        .filter(|name| name.starts_with(&prefix))
        .collect()
}

/// The simulator, the console on it as the platform administrator, and a
/// fresh run at `seed`, once the first load is in.
async fn start(seed: u64, principal: &'static str) -> (Sim, Console, Run) {
    let sim = Sim::start(SimConfig {
        seed,
        keys: 60,
        users: 10,
        tenants: 3,
        ..small_config()
    })
    .await;
    let who = sim.principal(principal).clone();
    let mut session = session(&sim);
    // Revoking the console's own key asks for its name, which the soak
    // declines: the run keeps a working key.
    session.own_key_id = Some(who.key_id.clone());
    if principal == "mt-admin" {
        // As the demo builds it: a multi-tenant key names its home
        // organization as the tenant, and may act for its managed tenants.
        session.key_kind = Some(KeyKind::MultiTenantAdmin);
        session.home_tenant = Some(who.organization_id.clone());
        session.owner.clone_from(&who.email);
        session.region = who.region.parse().unwrap();
    }
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        concurrency: 4,
        request_timeout: Duration::from_secs(2),
        ..Settings::default()
    };
    let console = Console::start_with(&sim, settings, session, principal, &Theme::new(true, None));
    let run = Run {
        principal,
        seed,
        step: 0,
        doing: "the first load".into(),
        rng: ChaCha8Rng::seed_from_u64(seed),
        revealed: BTreeSet::new(),
        maybe: BTreeSet::new(),
        asked: BTreeSet::new(),
        tab: '1',
        switches: 0,
        revokes: 0,
    };
    until(&console, &run, "the first load", |s| {
        s.contains(common::console::LOADED)
    })
    .await;
    (sim, console, run)
}

/// One step: perhaps a fault armed, then one action, then a pause.
async fn step(sim: &Sim, console: &Console, run: &mut Run) {
    if run.rng.random_bool(0.35) {
        let fault = FAULTS[run.rng.random_range(0..FAULTS.len())];
        run.doing = format!("arming {fault}");
        sim.set_faults(fault).await;
    }
    let roll = run.rng.random_range(0..100);
    if roll < 45 && !matches!(run.tab, '1' | '2') {
        // Generate and revoke act on the user and organization tabs.
        run.tab = if run.rng.random_bool(0.6) { '1' } else { '2' };
        console.key(run.tab);
    }
    match roll {
        0..30 => {
            run.doing = format!("generate on tab {}", run.tab);
            generate(console, run).await;
        }
        30..45 => {
            run.doing = format!("revoke on tab {}", run.tab);
            revoke(console, run).await;
        }
        45..60 => {
            run.doing = "refresh".into();
            console.key('r');
        }
        60..85 => {
            let tab = char::from(b'1' + run.rng.random_range(0..5u8));
            run.doing = format!("tab {tab}");
            console.key(tab);
            run.tab = tab;
        }
        _ => {
            let down = run.rng.random_range(0..4);
            run.doing = format!("tenant {down} down");
            switch_tenant(console, run, down).await;
        }
    }
    // Some actions follow each other at once, some after the answers.
    let pause = run.rng.random_range(0..120);
    tokio::time::sleep(Duration::from_millis(pause)).await;
    let screen = console.screen();
    assert!(
        !dialog_open(&screen) || screen.contains("generating…"),
        "{}: a dialog was left open:\n{screen}",
        run.whereabouts()
    );
}

/// No faults, home, the user tab refreshed: waits until its listing is in.
async fn final_refresh(sim: &Sim, console: &Console, run: &mut Run) {
    run.doing = "the final refresh at home".into();
    sim.set_faults("").await;
    switch_tenant(console, run, 0).await;
    console.key('1');
    let seq = common::last_seq(sim).await;
    console.key('r');
    let since = Instant::now();
    loop {
        let listed = common::log_since(sim, seq).await.iter().any(|e| {
            e["method"] == "GET" && e["path"].as_str().is_some_and(|p| p.contains("api-keys"))
        });
        let screen = console.screen();
        let title = screen.lines().nth(2).unwrap_or("");
        if listed && !title.contains("so far") && !screen.contains("loading") {
            return;
        }
        assert!(
            since.elapsed() < PATIENCE,
            "{}: no final load within {PATIENCE:?}:\n{screen}",
            run.whereabouts()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The tables are what the server has; every generated key was told of.
async fn check_the_end(sim: &Sim, app: &App, run: &Run, screen: &str) {
    let (users, orgs) = server_keys(sim, run.principal).await;
    assert!(
        app.user.listing.is_done() && app.user.listing.error().is_none(),
        "{}: the final listing ended well:\n{screen}",
        run.whereabouts()
    );
    assert!(
        app.tenant.is_none(),
        "{}: back home: {:?}",
        run.whereabouts(),
        app.tenant
    );
    assert_eq!(
        table_ids(&app.user.table),
        users,
        "{}: the user table is what the server has:\n{screen}",
        run.whereabouts()
    );
    assert_eq!(
        table_ids(&app.organization.table),
        orgs,
        "{}: the organization table is what the server has:\n{screen}",
        run.whereabouts()
    );
    let generated = generated_names(sim, run.principal, run.seed).await;
    let told: BTreeSet<String> = run.revealed.union(&run.maybe).cloned().collect();
    let untold: Vec<_> = generated.difference(&told).collect();
    assert!(
        untold.is_empty(),
        "{}: created without the user being told: {untold:?}",
        run.whereabouts()
    );
    let phantom: Vec<_> = run.revealed.difference(&generated).collect();
    assert!(
        phantom.is_empty(),
        "{}: revealed but never created: {phantom:?}",
        run.whereabouts()
    );
    println!(
        "SOAK_SEED={} SOAK_STEPS={}: {} generates asked, {} revealed, {} told maybe, \
         {} created, {} revokes, {} tenant switches; {} user and {} organization keys at the end",
        run.seed,
        run.step,
        run.asked.len(),
        run.revealed.len(),
        run.maybe.len(),
        generated.len(),
        run.revokes,
        run.switches,
        users.len(),
        orgs.len(),
    );
}

async fn soak(seed: u64, steps: usize, principal: &'static str) {
    let (sim, mut console, mut run) = start(seed, principal).await;
    for n in 0..steps {
        run.step = n;
        step(&sim, &console, &mut run).await;
    }
    run.step = steps;
    final_refresh(&sim, &console, &mut run).await;
    let screen = console.screen();
    let app = console.quit().await;
    check_the_end(&sim, &app, &run, &screen).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_holds_up_under_random_actions_and_faults() {
    let seed = env_number("SOAK_SEED", 20_261_202);
    let steps = usize::try_from(env_number("SOAK_STEPS", 40)).unwrap();
    let started = Instant::now();
    soak(seed, steps, "platform-admin").await;
    println!("soak took {:?}", started.elapsed());
}

/// The same as a multi-tenant administrator, whose `o` puts the user and
/// organization tabs in a managed tenant's context.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_tenant_console_holds_up_under_random_actions_and_faults() {
    let seed = env_number("SOAK_SEED", 20_261_202);
    let steps = usize::try_from(env_number("SOAK_STEPS", 40)).unwrap();
    let started = Instant::now();
    soak(seed, steps, "mt-admin").await;
    println!("multi-tenant soak took {:?}", started.elapsed());
}

/// Found by the soak: a key generated while a listing is under way is put in
/// the table at once, and must not be added again when the listing's page
/// holding it arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_generated_during_a_listing_is_listed_once() {
    let sim = Sim::start(SimConfig {
        tenants: 0,
        ..small_config()
    })
    .await;
    let settings = Settings {
        endpoint: sim.creds().endpoint.clone(),
        concurrency: 1,
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
    // The refresh's first page is answered late, after the generate: the
    // server's answer then holds the new key.
    sim.set_faults("spike=700@api-keys*1").await;
    console.key('r');
    console
        .until("the refresh", |c| c.status().contains("loading"))
        .await;
    console.key('n');
    console.shows("Generate a user key").await;
    console.type_text("during-the-listing");
    console.press(KeyCode::Enter);
    console.shows("New key: during-the-listing").await;
    console.key('c');
    console.shows("copied via the test clipboard").await;
    console.press(KeyCode::Enter);
    console
        .until("the listing's end", |c| {
            !c.rows()[2].contains("so far") && !c.status().contains("loading")
        })
        .await;
    let app = console.quit().await;
    assert!(app.user.listing.is_done());
    let ids = table_ids(&app.user.table);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "a key listed twice");
    let (users, _) = server_keys(&sim, "platform-admin").await;
    assert_eq!(ids, users);
}
