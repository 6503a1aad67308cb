//! Snapshots of every tab and dialog, drawn from `App` states built directly
//! (no runtime, no network) on ratatui's `TestBackend` at 100x30 and 80x24.
//! Every render is also checked for control characters: nothing a server
//! sends may reach the terminal as it is.
//!
//! The reveal dialog needs a `NewSecret`, which only the crate can make:
//! its snapshots are in `src/ui/tests.rs`.

use std::time::Duration;

use insta::assert_snapshot;
use r7keys::api::tc::{Customer, Quota, UsedAssets};
use r7keys::api::{ApiError, KeyInfo, KeyKind, Organization};
use r7keys::app::{App, Effect, Msg, Outcome, Session, TcFacts};
use r7keys::keymap::{Action, Keymap};
use r7keys::present::Mask;
use r7keys::region::Region;
use r7keys::sanitize::is_unsafe;
use r7keys::ui::{Theme, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const SIZES: [(u16, u16); 2] = [(100, 30), (80, 24)];

fn session() -> Session {
    Session {
        profile: "demo".into(),
        region: Region::Us,
        home_tenant: None,
        key_kind: Some(KeyKind::User),
        own_key_id: None,
        max_key_age_days: 90,
        owner: Some("dana.admin@acme-partners.example".into()),
        platform_admin: Some(true),
        read_only: false,
        tc_source: Some("R7_TC_API_KEY".into()),
        clipboard_clear: Duration::from_secs(30),
        endpoint: "http://127.0.0.1:0/{region}".into(),
    }
}

fn org(n: u32, name: &str, region: &str) -> Organization {
    Organization {
        id: format!("{n:08x}-0a0a-4b4b-8c8c-{n:012x}"),
        name: Some(name.into()),
        region: Some(region.into()),
        external_id: None,
    }
}

fn own_orgs() -> Vec<Organization> {
    vec![
        org(0xa1, "Acme Security", "us"),
        org(0xa2, "Acme EU", "eu"),
        org(0xa3, "Acme Labs", "us2"),
    ]
}

fn managed() -> Vec<Organization> {
    vec![
        org(0xb1, "Globex Corp", "eu"),
        org(0xb2, "Initech", "us"),
        org(0xb3, "Umbrella Health", "au"),
        org(0xb4, "Soylent Foods", "ca"),
        org(0xb5, "Hooli", "us"),
        org(0xb6, "Vandelay Industries", "eu"),
    ]
}

fn key(n: u32, kind: KeyKind, name: &str, org: Option<&str>, owner: &str, days: i64) -> KeyInfo {
    KeyInfo {
        id: Some(format!("{n:08x}-5d1c-4e7a-9b2f-{n:012x}")),
        name: Some(name.into()),
        kind,
        organization_id: org.map(|_| format!("{:08x}-0a0a-4b4b-8c8c-{:012x}", 0xa1, 0xa1)),
        organization_name: org.map(Into::into),
        owner_id: None,
        owner_email: Some(owner.into()),
        generated_on: Some(NOW - time::Duration::days(days) - time::Duration::hours(3)),
        tenant: None,
        wire_type: None,
    }
}

/// Kind, name, organization, owner (at acme-partners.example), age in days.
type Row = (
    KeyKind,
    &'static str,
    Option<&'static str>,
    &'static str,
    i64,
);

fn keys() -> Vec<KeyInfo> {
    use KeyKind::{MultiTenantAdmin, MultiTenantUser, Organization, User};
    const ACME: Option<&str> = Some("Acme Security");
    const EU: Option<&str> = Some("Acme EU");
    let rows: [Row; 18] = [
        (User, "splunk-forwarder", ACME, "dana.admin", 412),
        (User, "jira-sync", ACME, "lee.ops", 12),
        (User, "siem-prod-ingest", EU, "sam.soc", 95),
        (User, "terraform-ci", ACME, "lee.ops", 3),
        (User, "backup-audit", ACME, "kim.audit", 200),
        (User, "grafana-dashboards", EU, "sam.soc", 45),
        (User, "soar-playbooks", ACME, "dana.admin", 89),
        (
            User,
            "splunk-heavy-forwarder-eu-west-secondary",
            EU,
            "sam.soc",
            30,
        ),
        (User, "vuln-export", ACME, "kim.audit", 700),
        (User, "personal-scripts", ACME, "dana.admin", 1),
        (Organization, "org-siem-collector", ACME, "dana.admin", 500),
        (Organization, "org-splunk-app", EU, "sam.soc", 80),
        (Organization, "org-ticketing", ACME, "lee.ops", 10),
        (Organization, "cloud-connector", ACME, "dana.admin", 91),
        (MultiTenantAdmin, "mssp-automation", None, "dana.admin", 220),
        (MultiTenantUser, "tenant-reporting", None, "sam.soc", 40),
        (MultiTenantUser, "soc-dashboard", None, "lee.ops", 5),
        (MultiTenantAdmin, "mssp-onboarding", None, "dana.admin", 100),
    ];
    rows.into_iter()
        .zip(1..)
        .map(|((kind, name, org, owner, days), n)| {
            key(
                n,
                kind,
                name,
                org,
                &format!("{owner}@acme-partners.example"),
                days,
            )
        })
        .collect()
}

/// The request ids the console started with.
struct Started {
    app: App,
    keys: u64,
    orgs: u64,
    managed: u64,
}

/// A multi-tenant admin key's session: the only kind that acts for tenants.
fn mt_session() -> Session {
    let mut session = session();
    session.key_kind = Some(KeyKind::MultiTenantAdmin);
    session.home_tenant = Some("00000000-0000-4000-8000-0000000000a0".into());
    session
}

fn start(session: Session, width: u16, height: u16) -> Started {
    let mut app = App::new(session, Keymap::defaults());
    app.now = NOW;
    let _ = app.update(Msg::Resize { width, height });
    let (mut keys, mut orgs, mut managed) = (0, 0, 0);
    for effect in app.start() {
        match effect {
            Effect::LoadKeys { req, .. } => keys = req,
            Effect::LoadOrgs { req, .. } => orgs = req,
            Effect::LoadManaged { req, .. } => managed = req,
            _ => {}
        }
    }
    Started {
        app,
        keys,
        orgs,
        managed,
    }
}

fn done(app: &mut App, msg: Outcome) {
    let _ = app.update(Msg::Done(Box::new(msg)));
}

fn page(s: &mut Started, keys: Vec<KeyInfo>, page: usize, pages: usize, total: usize) {
    let req = s.keys;
    done(
        &mut s.app,
        Outcome::KeysPage {
            req,
            keys,
            page,
            total_pages: Some(pages),
            total_keys: Some(total),
        },
    );
}

fn finish(s: &mut Started, result: Result<(), ApiError>) {
    let req = s.keys;
    done(&mut s.app, Outcome::KeysDone { req, result });
}

/// The console with everything loaded.
fn loaded_with(session: Session, keys: Vec<KeyInfo>, width: u16, height: u16) -> App {
    let mut s = start(session, width, height);
    let total = keys.len();
    page(&mut s, keys, 1, 1, total);
    finish(&mut s, Ok(()));
    let (orgs, managed_req) = (s.orgs, s.managed);
    done(
        &mut s.app,
        Outcome::Orgs {
            req: orgs,
            result: Ok(own_orgs()),
        },
    );
    done(
        &mut s.app,
        Outcome::Managed {
            req: managed_req,
            result: Ok(managed()),
        },
    );
    done(
        &mut s.app,
        Outcome::Budget {
            remaining: 47,
            limit: Some(50),
        },
    );
    s.app
}

fn loaded(width: u16, height: u16) -> App {
    loaded_with(session(), keys(), width, height)
}

fn act(app: &mut App, actions: &[Action]) {
    for action in actions {
        let _ = app.update(Msg::Action(*action));
    }
}

fn type_text(app: &mut App, text: &str) {
    let _ = app.update(Msg::Paste(text.into()));
}

/// Draws `app` with a theme and checks that no cell holds a control or
/// other unsafe character.
fn render_with(app: &App, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal =
        Terminal::new(TestBackend::new(app.width, app.height)).expect("test terminal");
    terminal.draw(|f| draw(f, app, theme)).expect("draw");
    for cell in terminal.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || is_unsafe(c)),
            "a cell holds an unsafe character: {:?}",
            cell.symbol()
        );
    }
    terminal
}

fn render(app: &App) -> Terminal<TestBackend> {
    render_with(app, &Theme::new(false, None))
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

/// Snapshots the state `build` makes at both sizes.
fn both(name: &str, build: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = build(w, h);
        assert_snapshot!(format!("{name}_{w}x{h}"), screen(&render(&app)));
    }
}

fn tc_facts() -> TcFacts {
    let modules = [
        ("Discovery", true),
        ("Remediation", true),
        ("IOC", true),
        ("VirtualAppliance", false),
        ("InvestigationPage", true),
        ("ThreatLibrary", true),
        ("IntelliFind", false),
        ("Cve", true),
    ];
    let customer = |n: u32, name: &str, status: &str| Customer {
        id: Some(format!("{n:024x}")),
        company_name: Some(name.into()),
        status: Some(status.into()),
        note: None,
    };
    TcFacts {
        account_id: "5f1c0ffee0ddba11c0ffee00".into(),
        credentials_valid: true,
        tested_in_ms: 42,
        modules: Ok(modules
            .iter()
            .map(|(m, on)| ((*m).to_string(), *on))
            .collect()),
        assets: Ok(UsedAssets {
            assets_limit: Some(150),
            assets_count: Some(97),
        }),
        quota: Ok(Quota {
            time_period: Some("Monthly".into()),
            total: Some(50),
            remaining: Some(43),
        }),
        customers: Ok(vec![
            customer(1, "Globex Corp", "Active"),
            customer(2, "Initech", "Active"),
            customer(3, "Umbrella Health", "Suspended"),
        ]),
    }
}

fn on_threat_command(app: &mut App, result: Result<TcFacts, String>) {
    let effects = app.update(Msg::Action(Action::TabThreatCommand));
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadTc { req } => Some(*req),
            _ => None,
        })
        .expect("the tab loads Threat Command");
    done(app, Outcome::Tc { req, result });
}

// ---- tabs ---------------------------------------------------------------

#[test]
fn user_tab() {
    both("user_tab", loaded);
}

#[test]
fn organization_tab() {
    both("organization_tab", |w, h| {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::TabOrganization]);
        app
    });
}

#[test]
fn multi_tenant_tab() {
    both("multi_tenant_tab", |w, h| {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::TabMultiTenant, Action::Down]);
        app
    });
}

#[test]
fn multi_tenant_tab_without_tenants() {
    let mut s = start(session(), 80, 24);
    let total = keys().len();
    page(&mut s, keys(), 1, 1, total);
    finish(&mut s, Ok(()));
    let req = s.managed;
    done(
        &mut s.app,
        Outcome::Managed {
            req,
            result: Err(ApiError::Forbidden {
                message: "forbidden".into(),
            }),
        },
    );
    act(&mut s.app, &[Action::TabMultiTenant]);
    assert_snapshot!(screen(&render(&s.app)));
}

#[test]
fn threat_command_tab() {
    both("threat_command_tab", |w, h| {
        let mut app = loaded(w, h);
        on_threat_command(&mut app, Ok(tc_facts()));
        app
    });
}

#[test]
fn threat_command_loading_and_failed() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::TabThreatCommand]);
    assert_snapshot!("threat_command_loading", screen(&render(&app)));

    let mut app = loaded(80, 24);
    on_threat_command(
        &mut app,
        Err("Threat Command refused the credentials (account ID and API key)".into()),
    );
    assert_snapshot!("threat_command_failed", screen(&render(&app)));

    let mut unconfigured = session();
    unconfigured.tc_source = None;
    let mut app = loaded_with(unconfigured, keys(), 80, 24);
    act(&mut app, &[Action::TabThreatCommand]);
    assert_snapshot!("threat_command_unconfigured", screen(&render(&app)));
}

#[test]
fn loading_progress() {
    let mut s = start(session(), 80, 24);
    assert_snapshot!("loading_first_page", screen(&render(&s.app)));
    let first: Vec<KeyInfo> = keys().into_iter().take(6).collect();
    page(&mut s, first, 4, 12, 1_200);
    assert_snapshot!("loading_page_4_of_12", screen(&render(&s.app)));
}

#[test]
fn empty_and_failed_listings() {
    let mut s = start(session(), 80, 24);
    finish(&mut s, Ok(()));
    assert_snapshot!("empty", screen(&render(&s.app)));

    let mut s = start(session(), 80, 24);
    finish(
        &mut s,
        Err(ApiError::Network {
            detail: "connection refused".into(),
        }),
    );
    assert_snapshot!("listing_failed", screen(&render(&s.app)));
}

#[test]
fn filtered() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::Filter]);
    type_text(&mut app, "splunk");
    assert_snapshot!("filter_typing", screen(&render(&app)));
    act(&mut app, &[Action::Confirm]);
    assert_snapshot!("filter_kept", screen(&render(&app)));

    let mut app = loaded(80, 24);
    act(&mut app, &[Action::Filter]);
    type_text(&mut app, "nothing-matches-this");
    act(&mut app, &[Action::Confirm]);
    assert_snapshot!("filter_matches_nothing", screen(&render(&app)));
}

#[test]
fn sorted() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::NextSort]);
    assert_snapshot!("sorted_by_name", screen(&render(&app)));
    act(&mut app, &[Action::ReverseSort]);
    assert_snapshot!("sorted_by_name_reversed", screen(&render(&app)));
}

#[test]
fn scrolled_far_down() {
    let many: Vec<KeyInfo> = (0..60)
        .map(|i| {
            key(
                100 + i,
                KeyKind::User,
                &format!("svc-{i:03}"),
                Some("Acme Security"),
                "lee.ops@acme-partners.example",
                i64::from(i) * 7,
            )
        })
        .collect();
    let mut app = loaded_with(session(), many, 80, 24);
    act(
        &mut app,
        &[Action::PageDown, Action::PageDown, Action::Down],
    );
    assert_snapshot!("scrolled", screen(&render(&app)));
}

#[test]
fn too_small() {
    let app = loaded(60, 20);
    let terminal = render(&app);
    let text = screen(&terminal);
    assert!(text.contains("Terminal too small: 60x20, r7keys needs 80x24"));
    assert!(!text.contains("User keys"), "nothing else is drawn");
    assert_snapshot!("too_small_60x20", text);
}

#[test]
fn read_only_session() {
    let mut session = session();
    session.read_only = true;
    let app = loaded_with(session, keys(), 100, 30);
    let text = screen(&render(&app));
    assert!(text.contains("READ-ONLY"));
    // Shown, but marked unavailable, so the keys' meaning stays learnable.
    let hints = text.lines().last().unwrap_or_default();
    assert!(
        hints.contains("n ✗generate") && hints.contains("x ✗revoke"),
        "{hints}"
    );
    assert_snapshot!("read_only", text);
}

#[test]
fn tenant_in_focus() {
    let mut app = loaded_with(mt_session(), keys(), 100, 30);
    act(
        &mut app,
        &[Action::ChooseTenant, Action::Down, Action::Confirm],
    );
    assert_snapshot!("tenant_in_focus_loading", screen(&render(&app)));
}

// ---- dialogs ------------------------------------------------------------

#[test]
fn help() {
    both("help", |w, h| {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::Help]);
        app
    });
}

#[test]
fn details() {
    both("details", |w, h| {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::Down, Action::Details]);
        app
    });
}

#[test]
fn generate_user_key() {
    both("generate_user", |w, h| {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::Generate]);
        app
    });
}

#[test]
fn generate_organization_key_with_type_ahead() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::TabOrganization, Action::Generate]);
    type_text(&mut app, "siem-collector-eu");
    act(&mut app, &[Action::NextField]);
    type_text(&mut app, "acme");
    act(&mut app, &[Action::Down]);
    assert_snapshot!("generate_organization", screen(&render(&app)));
}

#[test]
fn generate_multi_tenant_key_offers_two_kinds() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::TabMultiTenant, Action::Generate]);
    assert_snapshot!("generate_multi_tenant", screen(&render(&app)));
}

#[test]
fn generate_error_and_submitting() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::Generate, Action::Confirm]);
    assert_snapshot!("generate_name_required", screen(&render(&app)));
    type_text(&mut app, "ci-deploy");
    let effects = app.update(Msg::Action(Action::Confirm));
    assert!(effects.iter().any(|e| matches!(e, Effect::Generate { .. })));
    assert_snapshot!("generate_submitting", screen(&render(&app)));
}

#[test]
fn revoke_user_key() {
    both("revoke_user", |w, h| {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::Revoke]);
        app
    });
}

#[test]
fn revoke_organization_key_needs_the_name() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::TabOrganization, Action::Revoke]);
    type_text(&mut app, "org-tick");
    assert_snapshot!("revoke_organization_typing", screen(&render(&app)));
    act(&mut app, &[Action::Confirm]);
    assert_snapshot!("revoke_organization_mismatch", screen(&render(&app)));
}

#[test]
fn revoke_multi_tenant_admin_key_warns_about_every_tenant() {
    let mut app = loaded(80, 24);
    act(&mut app, &[Action::TabMultiTenant]);
    // Select the multi-tenant admin key (newest first: soc-dashboard,
    // tenant-reporting, mssp-onboarding, ...).
    act(&mut app, &[Action::Down, Action::Down, Action::Revoke]);
    let text = screen(&render(&app));
    assert!(text.contains("Every current and future tenant"), "{text}");
    type_text(&mut app, "mssp-onboarding");
    let effects = app.update(Msg::Action(Action::Confirm));
    assert!(effects.iter().any(|e| matches!(e, Effect::Revoke { .. })));
    assert_snapshot!("revoke_multi_tenant_admin_revoking", screen(&render(&app)));
}

#[test]
fn tenant_picker() {
    both("tenants", |w, h| {
        let mut app = loaded_with(mt_session(), keys(), w, h);
        act(
            &mut app,
            &[Action::ChooseTenant, Action::Down, Action::Down],
        );
        app
    });
    let mut app = loaded_with(mt_session(), keys(), 80, 24);
    act(&mut app, &[Action::ChooseTenant]);
    type_text(&mut app, "corp");
    act(&mut app, &[Action::Down]);
    assert_snapshot!("tenants_searching", screen(&render(&app)));
}

#[test]
fn message_after_a_401() {
    let mut s = start(session(), 80, 24);
    finish(&mut s, Err(ApiError::Unauthorized { region: Region::Us }));
    assert_snapshot!("message_unauthorized", screen(&render(&s.app)));
}

// ---- hostile server text ------------------------------------------------

fn hostile_keys() -> Vec<KeyInfo> {
    let mut hostile = key(
        900,
        KeyKind::User,
        "\u{1b}[2Jwipe\u{7}\u{202e}txt.exe",
        Some("Evil\u{1b}]52;c;cHduZWQ=\u{7}Org"),
        "owner\u{200b}@evil.example\r\n",
        400,
    );
    hostile.id = Some("\u{1b}[31mred-id-0000".into());
    let mut keys = keys();
    keys.insert(0, hostile);
    keys
}

#[test]
fn hostile_names_show_as_visible_escapes() {
    let mut app = loaded_with(session(), hostile_keys(), 100, 30);
    let text = screen(&render(&app));
    assert!(text.contains("\\x1b[2Jwipe\\x07"), "{text}");
    assert_snapshot!("hostile_table", text);

    act(&mut app, &[Action::Filter]);
    type_text(&mut app, "wipe");
    act(&mut app, &[Action::Confirm, Action::Details]);
    let text = screen(&render(&app));
    assert!(text.contains("\\x1b[2Jwipe\\x07\\u{202e}txt.exe"), "{text}");
    assert!(text.contains("\\x1b]52;c;cHduZWQ=\\x07Org"), "{text}");
    assert_snapshot!("hostile_details", text);

    act(&mut app, &[Action::Cancel, Action::Revoke]);
    assert_snapshot!("hostile_revoke", screen(&render(&app)));
}

#[test]
fn hostile_tenant_names_and_messages() {
    let mut s = start(mt_session(), 80, 24);
    finish(&mut s, Ok(()));
    let req = s.managed;
    done(
        &mut s.app,
        Outcome::Managed {
            req,
            result: Ok(vec![org(0xc1, "\u{1b}[5mBlink\u{9b}Tenant\u{2066}", "eu")]),
        },
    );
    act(&mut s.app, &[Action::TabMultiTenant]);
    let text = screen(&render(&s.app));
    assert!(text.contains("\\x1b[5mBlink\\x9bTenant\\u{2066}"), "{text}");
    act(&mut s.app, &[Action::ChooseTenant, Action::Down]);
    let text = screen(&render(&s.app));
    assert!(
        text.contains("Choose the tenant"),
        "the picker is open: {text}"
    );
    assert!(text.contains("\\x1b[5mBlink"), "{text}");
}

// ---- styles that snapshots do not show ------------------------------------

#[test]
fn the_selected_tab_is_marked_without_colour() {
    let app = loaded(80, 24);
    for theme in Theme::NAMES.map(|n| Theme::new(false, Some(n))) {
        let terminal = render_with(&app, &theme);
        let cell = &terminal.backend().buffer()[(3, 1)];
        assert_eq!(cell.symbol(), "U");
        assert!(
            cell.modifier.contains(Modifier::BOLD)
                && (cell.modifier.contains(Modifier::REVERSED)
                    || cell.modifier.contains(Modifier::UNDERLINED)),
            "{}: {:?}",
            theme.name,
            cell.modifier
        );
    }
}

#[test]
fn no_color_draws_no_colour() {
    let mut app = loaded(100, 30);
    act(&mut app, &[Action::Generate]);
    let terminal = render_with(&app, &Theme::new(true, None));
    for cell in terminal.backend().buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
}

#[test]
fn refused_hints_are_dimmed_and_old_keys_stand_out() {
    let theme = Theme::new(false, Some("dark"));
    let mut app = loaded(80, 24);
    on_threat_command(&mut app, Ok(tc_facts()));
    let terminal = render_with(&app, &theme);
    let buffer = terminal.backend().buffer();
    let last = buffer.area.height - 1;
    let row: String = (0..buffer.area.width)
        .map(|x| buffer[(x, last)].symbol().to_string())
        .collect();
    let at = row
        .find("n ✗generate")
        .expect("the generate hint is shown, marked");
    let at = row[..at].chars().count();
    assert_eq!(buffer[(at as u16, last)].style().fg, theme.hint_disabled.fg);

    // The oldest user key (row 2 of the data, sorted newest first) is old.
    let app = loaded(80, 24);
    let terminal = render_with(&app, &theme);
    let buffer = terminal.backend().buffer();
    let old_row = (4..buffer.area.height)
        .find(|y| buffer[(2, *y)].symbol() == "!" && *y != 4)
        .expect("an old key is marked");
    assert_eq!(buffer[(2, old_row)].style().fg, theme.old_key.fg);
}

#[test]
fn the_selected_row_is_highlighted() {
    for theme in Theme::NAMES.map(|n| Theme::new(false, Some(n))) {
        let mut app = loaded(80, 24);
        act(&mut app, &[Action::Down, Action::Down]);
        let terminal = render_with(&app, &theme);
        let buffer = terminal.backend().buffer();
        // Data rows start at TABLE_TOP (4); the third is selected.
        for y in 4..8 {
            let style = buffer[(5, y)].style();
            let selected = style.add_modifier == theme.row_selected.add_modifier
                && style.bg == theme.row_selected.bg.or(Some(Color::Reset));
            assert_eq!(selected, y == 6, "{}: row {y}: {style:?}", theme.name);
        }
    }
}

// ------------------------------------------------------------ inventory

/// Globex's keys: an orphaned organization key (its owner is not among the
/// users) and two user keys of the same name.
fn globex_place() -> r7keys::inventory::PlaceKeys {
    use r7keys::api::model::TenantRef;
    let globex = managed()[0].clone();
    let tenant_key = |n: u32, kind: KeyKind, name: &str, owner: &str, days| {
        let mut k = key(n, kind, name, globex.name.as_deref(), owner, days);
        k.tenant = Some(TenantRef {
            id: globex.id.clone(),
            region: globex.known_region().expect("a region"),
        });
        k
    };
    r7keys::inventory::PlaceKeys {
        keys: vec![
            tenant_key(
                0x40,
                KeyKind::Organization,
                "globex-siem",
                "gone@globex.example",
                400,
            ),
            tenant_key(
                0x41,
                KeyKind::User,
                "globex-ticketing",
                "ann@globex.example",
                20,
            ),
            tenant_key(
                0x42,
                KeyKind::User,
                "globex-ticketing",
                "ann@globex.example",
                5,
            ),
        ],
        users: Some(vec![r7keys::api::User {
            id: None,
            email: Some("ann@globex.example".into()),
            first_name: None,
            last_name: None,
            platform_admin: None,
            status: None,
        }]),
    }
}

fn budgets() -> Vec<r7keys::app::msg::RegionBudget> {
    use r7keys::app::msg::RegionBudget;
    use r7keys::region::Region;
    vec![
        RegionBudget {
            region: Region::Us,
            remaining: 3,
            limit: Some(50),
            reset_in: 40,
        },
        RegionBudget {
            region: Region::Eu,
            remaining: 47,
            limit: Some(50),
            reset_in: 55,
        },
    ]
}

/// The inventory of a multi-tenant admin: home's keys, Globex's (flagged),
/// one tenant that could not be read, and the fan-out still under way.
fn inventory(width: u16, height: u16) -> App {
    let mut app = loaded_with(mt_session(), keys(), width, height);
    let effects = app.update(Msg::Action(Action::TabInventory));
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadInventory { req, .. } => Some(*req),
            _ => None,
        })
        .expect("the inventory starts");
    let progress = |requests, budgets| Outcome::InventoryProgress {
        req,
        requests,
        budgets,
    };
    done(&mut app, progress(0, Vec::new()));
    let home = r7keys::inventory::PlaceKeys {
        keys: keys().into_iter().take(6).collect(),
        users: None,
    };
    for (tenant, result) in [
        (None, Ok(home)),
        (Some(managed()[0].clone()), Ok(globex_place())),
        (
            Some(managed()[2].clone()),
            Err(ApiError::Timeout {
                what: "no answer from the au gateway".into(),
            }),
        ),
    ] {
        done(
            &mut app,
            Outcome::InventoryPlace {
                req,
                tenant,
                result,
            },
        );
    }
    done(&mut app, progress(9, budgets()));
    app
}

#[test]
fn inventory_streaming_with_flags_and_an_unreachable_tenant() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = inventory(w, h);
        let text = screen(&render(&app));
        assert!(
            text.contains("could not be read (r reads it again)"),
            "{text}"
        );
        assert!(text.contains("1 failed"), "{text}");
        assert!(text.contains("orphan"), "{text}");
        assert!(text.contains("dup"), "{text}");
        assert!(text.contains("budget left"), "{text}");
        assert_snapshot!(format!("inventory_{w}x{h}"), text);
    }
}

#[test]
fn inventory_filtered_by_orphans() {
    let mut app = inventory(120, 40);
    act(&mut app, &[Action::CycleFlag, Action::CycleFlag]);
    let text = screen(&render(&app));
    assert!(text.contains("match /flag:orphan"), "{text}");
    assert!(
        text.contains("globex-siem") && !text.contains("globex-ticketing"),
        "{text}"
    );
    assert_snapshot!("inventory_orphans_120x40", text);
}

// ---- screen-share mode (`--present`) ----------------------------------------

/// A fixed salt, so the pseudonyms are the same on every run of the snapshots.
const SALT: [u8; 16] = *b"snapshot-salt-16";

fn presenting(no_color: bool) -> Theme {
    Theme::new(no_color, None).presenting(Mask::with_salt(SALT))
}

/// Pieces of every real value the fixtures hold: organization and tenant
/// names, emails, key and organization ids, the Threat Command account id
/// and customers. Pieces rather than whole values, so a value cut to its
/// column (`dana.admin@acme-part…`) is caught too.
const REAL: [&str; 14] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "soylent",
    "hooli",
    "vandelay",
    "dana.admin",
    "lee.ops",
    "sam.soc",
    "kim.audit",
    "-5d1c-",
    "0000000",
    "c0ffee",
];

/// Draws `app` presenting, checks that nothing real is on screen and that
/// the header says so; answers the screen.
fn presented(app: &App) -> String {
    let text = screen(&render_with(app, &presenting(false)));
    let lower = text.to_lowercase();
    for real in REAL {
        assert!(!lower.contains(real), "{real:?} is on screen:\n{text}");
    }
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.contains("PRESENTING")),
        "{text}"
    );
    text
}

#[test]
fn presenting_the_user_tab() {
    for (w, h) in SIZES {
        let app = loaded(w, h);
        let text = presented(&app);
        // Stable pseudonyms: the same organization and owner on every row.
        let mask = Mask::with_salt(SALT);
        assert!(text.contains(mask.org("Acme Security").as_ref()), "{text}");
        assert!(text.contains("user-"), "{text}");
        // Key names are kept: they say what a key is for, not whose it is.
        assert!(text.contains("splunk-forwarder"), "{text}");
        assert_snapshot!(format!("present_user_tab_{w}x{h}"), text);
    }
}

#[test]
fn presenting_the_details_dialog() {
    for (w, h) in SIZES {
        let mut app = loaded(w, h);
        act(&mut app, &[Action::Down, Action::Details]);
        let text = presented(&app);
        assert!(text.contains("Key details"), "{text}");
        assert_snapshot!(format!("present_details_{w}x{h}"), text);
    }
}

#[test]
fn presenting_the_other_tabs_and_dialogs() {
    let mut app = loaded_with(mt_session(), keys(), 100, 30);
    act(&mut app, &[Action::TabMultiTenant]);
    assert_snapshot!("present_multi_tenant_tab", presented(&app));

    act(
        &mut app,
        &[Action::ChooseTenant, Action::Down, Action::Down],
    );
    assert_snapshot!("present_tenant_picker", presented(&app));
    // The search still matches the real names the user types; what they
    // type is drawn as typed (it is theirs to show), the match masked.
    let mut app = loaded_with(mt_session(), keys(), 100, 30);
    act(&mut app, &[Action::ChooseTenant]);
    type_text(&mut app, "globex");
    let text = screen(&render_with(&app, &presenting(false)));
    let mask = Mask::with_salt(SALT);
    assert!(text.contains("1 of 6 tenants match"), "{text}");
    assert!(text.contains(mask.org("Globex Corp").as_ref()), "{text}");
    let typed: Vec<&str> = text
        .lines()
        .filter(|l| l.to_lowercase().contains("globex"))
        .collect();
    assert_eq!(typed.len(), 1, "{text}");
    assert!(typed[0].contains("search  globex"), "{text}");

    let mut app = loaded(100, 30);
    on_threat_command(&mut app, Ok(tc_facts()));
    let text = presented(&app);
    assert!(text.contains("account …"), "{text}");
    assert_snapshot!("present_threat_command_tab", text);

    let mut app = loaded(100, 30);
    act(&mut app, &[Action::Revoke]);
    assert_snapshot!("present_revoke", presented(&app));

    let mut app = loaded(100, 30);
    act(&mut app, &[Action::Generate]);
    presented(&app);
}

#[test]
fn presenting_a_tenant_in_focus_and_a_status_naming_one() {
    let mut app = loaded_with(mt_session(), keys(), 100, 30);
    act(
        &mut app,
        &[Action::ChooseTenant, Action::Down, Action::Confirm],
    );
    let text = presented(&app);
    assert!(text.contains("tenant org-"), "{text}");
}

#[test]
fn presenting_says_so_without_colour() {
    let app = loaded(80, 24);
    let terminal = render_with(&app, &presenting(true));
    let text = screen(&terminal);
    let header = text.lines().next().unwrap_or_default();
    assert!(header.contains("PRESENTING"), "{header}");
    let buffer = terminal.backend().buffer();
    let at = header
        .find("PRESENTING")
        .map(|i| header[..i].chars().count());
    let cell = &buffer[(u16::try_from(at.unwrap_or(0)).unwrap_or(0), 0)];
    assert!(
        cell.modifier.contains(Modifier::REVERSED),
        "{:?}",
        cell.modifier
    );
}

#[test]
fn not_presenting_draws_the_real_values() {
    // The same screens without the mask do show them: the checks above can fail.
    let text = screen(&render(&loaded(100, 30))).to_lowercase();
    assert!(text.contains("acme") && text.contains("dana.admin") && !text.contains("presenting"));
}

// ------------------------------------------------------------ audit

fn audit_event(
    action: r7keys::api::AuditAction,
    key: &KeyInfo,
    by: &str,
    at: OffsetDateTime,
) -> r7keys::api::AuditEvent {
    r7keys::api::AuditEvent {
        at: Some(at),
        action,
        wire_action: "API_KEY_CREATED".into(),
        actor_id: None,
        actor_email: Some(by.into()),
        actor_name: None,
        organization_id: key.organization_id.clone(),
        key_id: key.id.clone(),
        key_name: key.name.clone(),
        key_kind: Some(key.kind.clone()),
        product: Some("Platform".into()),
        log_id: None,
        sequence: None,
        tenant: None,
    }
}

/// A journal generate by this profile that the platform has no event for.
fn unmatched_journal() -> Vec<r7keys::app::audit::JournalOp> {
    use r7keys::api::journal::{Action as Act, Entry, Phase, outcome};
    let at = (NOW - time::Duration::hours(2))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a time");
    let line = |phase| {
        let mut entry = Entry::new("op-1", phase, Act::Generate);
        entry.time.clone_from(&at);
        entry.profile = Some("demo".into());
        entry.region = Some("us".into());
        entry.name = Some("ci-deploy-2".into());
        entry.kind = Some("user".into());
        entry
    };
    let mut done = line(Phase::Outcome);
    done.key_id = Some("0000aaaa-0000-4000-8000-00000000ffff".into());
    done.outcome = Some(outcome::OK.into());
    r7keys::app::audit::journal_ops(&[line(Phase::Intent), done])
}

/// The Audit tab with the platform's events (one with a hostile name) and
/// the journal, read to the end.
fn audit(width: u16, height: u16) -> App {
    use r7keys::api::AuditAction::{Generate, Revoke};
    let mut app = loaded(width, height);
    let effects = app.update(Msg::Action(Action::TabAudit));
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadAudit { req, .. } => Some(*req),
            _ => None,
        })
        .expect("the trail is read");
    done(
        &mut app,
        Outcome::AuditJournal {
            req,
            ops: unmatched_journal(),
            note: None,
        },
    );
    let keys = keys();
    let mut hostile = keys[1].clone();
    hostile.name = Some("evil\u{1b}]52;c;AAAA\u{7}\u{202e}name".into());
    let hour = |h: i64| NOW - time::Duration::hours(h);
    let events = vec![
        audit_event(
            Generate,
            &keys[0],
            "dana.admin@acme-partners.example",
            hour(1),
        ),
        audit_event(Revoke, &hostile, "sam.ops@acme-partners.example", hour(30)),
        audit_event(
            Generate,
            &keys[2],
            "sam.ops@acme-partners.example",
            hour(200),
        ),
    ];
    done(&mut app, Outcome::AuditEvents { req, events });
    done(
        &mut app,
        Outcome::AuditDone {
            req,
            result: Ok((None, 3)),
        },
    );
    app
}

#[test]
fn audit_tab_with_the_journal_beside_the_platform() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = audit(w, h);
        let text = screen(&render(&app));
        assert!(
            text.contains("⚠"),
            "the unmatched journal row is marked: {text}"
        );
        assert!(text.contains("3 requests"), "{text}");
        assert!(text.contains("journal"), "{text}");
        assert_snapshot!(format!("audit_{w}x{h}"), text);
    }
}

#[test]
fn audit_tab_refused_says_who_may_read() {
    let mut app = loaded(80, 24);
    let effects = app.update(Msg::Action(Action::TabAudit));
    let Some(Effect::LoadAudit { req, .. }) = effects.first() else {
        panic!("the trail is read");
    };
    let req = *req;
    done(
        &mut app,
        Outcome::AuditDone {
            req,
            result: Err(ApiError::Forbidden {
                message: "Insufficient permissions".into(),
            }),
        },
    );
    let text = screen(&render(&app));
    assert!(text.contains("refused (403)"), "{text}");
    assert_snapshot!("audit_refused_80x24", text);
}

#[test]
fn presenting_the_audit_tab() {
    let app = audit(120, 40);
    let text = presented(&app);
    assert!(text.contains("user-"), "actors are pseudonyms: {text}");
    assert!(text.contains("profile demo"), "the profile stays: {text}");
    assert!(text.contains("splunk-forwarder"), "key names stay: {text}");
    assert!(!text.contains("sam.ops"), "{text}");
    assert_snapshot!("present_audit_120x40", text);
}
