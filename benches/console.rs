//! The console with 100,000 keys loaded: a keystroke (move, filter one
//! character, sort) to a finished frame on a 200x50 `TestBackend` must stay
//! under 16 ms. Criterion reports each; a separate pass over many keystrokes
//! prints the median and the worst, and the resident memory of the process.
//! The same for the Inventory tab holding the 100,000 keys as 100 places.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::OffsetDateTime;
use tui_input::InputRequest;

use r7keys::api::{KeyInfo, KeyKind};
use r7keys::app::{App, Msg, Outcome, Session};
use r7keys::keymap::{Action, Keymap};
use r7keys::region::Region;
use r7keys::ui::{Theme, draw};

const KEYS: usize = 100_000;
const SYSTEMS: &[&str] = &[
    "splunk",
    "sentinel",
    "jira",
    "terraform",
    "soar",
    "siem",
    "grafana",
    "backup",
    "cmdb",
    "okta",
];
const PURPOSES: &[&str] = &[
    "forwarder",
    "sync",
    "export",
    "pipeline",
    "reader",
    "ingest",
    "alerts",
];

fn keys() -> Vec<KeyInfo> {
    let now = OffsetDateTime::now_utc();
    (0..KEYS)
        .map(|i| KeyInfo {
            id: Some(format!("{i:08x}-6a55-4d1c-9d3a-5e0d7d1b2a11")),
            name: Some(format!(
                "{}-{}-{i}",
                SYSTEMS[i % SYSTEMS.len()],
                PURPOSES[i % PURPOSES.len()]
            )),
            kind: if i % 3 == 0 {
                KeyKind::Organization
            } else {
                KeyKind::User
            },
            organization_id: Some(format!("org-{}", i % 40)),
            organization_name: Some(format!("Organization {}", i % 40)),
            owner_id: None,
            owner_email: Some(format!("user{}@acme.example", i % 500)),
            generated_on: Some(now - time::Duration::hours(i64::try_from(i % 17_000).unwrap_or(0))),
            tenant: None,
            wire_type: None,
        })
        .collect()
}

fn session() -> Session {
    Session {
        profile: "bench".into(),
        region: Region::Us,
        home_tenant: None,
        key_kind: Some(KeyKind::User),
        own_key_id: None,
        max_key_age_days: 90,
        owner: Some("admin@acme.example".into()),
        platform_admin: Some(true),
        read_only: false,
        tc_source: None,
        clipboard_clear: Duration::from_secs(30),
        endpoint: "https://{region}.api.insight.rapid7.com".into(),
    }
}

/// An app holding 100,000 keys (fed page by page, as the worker would) on a 200x50 screen.
fn loaded() -> (App, Terminal<TestBackend>) {
    let mut app = App::new(session(), Keymap::defaults());
    let effects = app.start();
    let req = effects
        .iter()
        .find_map(|e| match e {
            r7keys::app::Effect::LoadKeys { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a key load");
    app.now = OffsetDateTime::now_utc();
    let all = keys();
    for (page, chunk) in all.chunks(1000).enumerate() {
        let _ = app.update(Msg::Done(Box::new(Outcome::KeysPage {
            req,
            keys: chunk.to_vec(),
            page,
            total_pages: Some(KEYS / 1000),
            total_keys: Some(KEYS),
        })));
    }
    let _ = app.update(Msg::Done(Box::new(Outcome::KeysDone {
        req,
        result: Ok(()),
    })));
    let _ = app.update(Msg::Resize {
        width: 200,
        height: 50,
    });
    let terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    (app, terminal)
}

fn frame(app: &mut App, terminal: &mut Terminal<TestBackend>, theme: &Theme, msg: Msg) -> Duration {
    let started = Instant::now();
    let _ = app.update(msg);
    terminal.draw(|f| draw(f, app, theme)).expect("draw");
    started.elapsed()
}

/// The time of each of `times` presses of `action`, to a finished frame.
fn repeat(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    theme: &Theme,
    action: Action,
    times: usize,
) -> Vec<Duration> {
    (0..times)
        .map(|_| frame(app, terminal, theme, Msg::Action(action)))
        .collect()
}

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    eprintln!(
        "{name}: median {:.2} ms, worst {:.2} ms over {} keystrokes",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        times.len()
    );
}

fn keystrokes(c: &mut Criterion) {
    let theme = Theme::new(false, None);
    let (mut app, mut terminal) = loaded();
    eprintln!(
        "resident memory with {KEYS} keys loaded: {} MiB",
        resident_kib().unwrap_or(0) / 1024
    );

    // Median and worst over many keystrokes of each kind.
    summary(
        "move",
        repeat(&mut app, &mut terminal, &theme, Action::Down, 500),
    );
    // Screen-share mode hashes every masked cell on screen, each frame.
    let presenting = theme.presenting(r7keys::present::Mask::random());
    summary(
        "move, presenting",
        (0..500)
            .map(|_| {
                frame(
                    &mut app,
                    &mut terminal,
                    &presenting,
                    Msg::Action(Action::Down),
                )
            })
            .collect(),
    );
    summary(
        "sort",
        repeat(&mut app, &mut terminal, &theme, Action::NextSort, 50),
    );
    let mut filter = Vec::new();
    for _ in 0..20 {
        frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Filter));
        for c in "splunk-fo".chars() {
            filter.push(frame(
                &mut app,
                &mut terminal,
                &theme,
                Msg::Text(InputRequest::InsertChar(c)),
            ));
        }
        for _ in 0..9 {
            filter.push(frame(
                &mut app,
                &mut terminal,
                &theme,
                Msg::Text(InputRequest::DeletePrevChar),
            ));
        }
        frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Cancel));
    }
    summary("filter one character", filter);

    let mut group = c.benchmark_group("keystroke_100k");
    group.bench_function("move", |b| {
        b.iter(|| frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Down)));
    });
    group.bench_function("sort", |b| {
        b.iter(|| {
            frame(
                &mut app,
                &mut terminal,
                &theme,
                Msg::Action(Action::NextSort),
            )
        });
    });
    frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Filter));
    group.bench_function("filter_char", |b| {
        b.iter(|| {
            frame(
                &mut app,
                &mut terminal,
                &theme,
                Msg::Text(InputRequest::InsertChar('s')),
            );
            frame(
                &mut app,
                &mut terminal,
                &theme,
                Msg::Text(InputRequest::DeletePrevChar),
            )
        });
    });
    group.finish();
}

/// The Inventory tab with the same 100,000 keys, fed as 100 places of
/// 1,000 keys each (home and 99 tenants), as the worker streams them:
/// keystroke to frame for move, sort and one filter character.
fn inventory_keystrokes(c: &mut Criterion) {
    let theme = Theme::new(false, None);
    let (mut app, mut terminal) = loaded();
    let effects = app.update(Msg::Action(Action::TabInventory));
    let req = effects
        .iter()
        .find_map(|e| match e {
            r7keys::app::Effect::LoadInventory { req, .. } => Some(*req),
            _ => None,
        })
        .expect("an inventory load");
    for (n, chunk) in keys().chunks(1000).enumerate() {
        let tenant = (n > 0).then(|| r7keys::api::Organization {
            id: format!("{n:08x}-0000-4000-8000-00000000aaaa"),
            name: Some(format!("Tenant {n}")),
            region: Some("eu".into()),
            external_id: None,
        });
        let _ = app.update(Msg::Done(Box::new(Outcome::InventoryPlace {
            req,
            tenant,
            result: Ok(r7keys::inventory::PlaceKeys {
                keys: chunk.to_vec(),
                users: None,
            }),
        })));
    }
    let _ = app.update(Msg::Done(Box::new(Outcome::InventoryDone { req })));
    assert_eq!(app.inventory.table.key_count(), KEYS, "every row is in");
    eprintln!(
        "resident memory with {KEYS} keys in the tables and the inventory: {} MiB",
        resident_kib().unwrap_or(0) / 1024
    );
    summary(
        "inventory move",
        repeat(&mut app, &mut terminal, &theme, Action::Down, 500),
    );
    summary(
        "inventory sort",
        repeat(&mut app, &mut terminal, &theme, Action::NextSort, 50),
    );
    let mut filter = Vec::new();
    for _ in 0..10 {
        frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Filter));
        for c in "flag:old splunk".chars() {
            filter.push(frame(
                &mut app,
                &mut terminal,
                &theme,
                Msg::Text(InputRequest::InsertChar(c)),
            ));
        }
        frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Cancel));
    }
    summary("inventory filter one character", filter);
    let mut group = c.benchmark_group("inventory_100k");
    group.bench_function("move", |b| {
        b.iter(|| frame(&mut app, &mut terminal, &theme, Msg::Action(Action::Down)));
    });
    group.finish();
}

criterion_group!(benches, keystrokes, inventory_keystrokes);
criterion_main!(benches);
