//! Snapshots of the reveal dialog. They live in the crate because a
//! `NewSecret` can only be made here; every other screen is snapshotted in
//! `tests/ui_snapshots.rs`.

use std::time::Duration;

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::SecretString;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::api::{KeyInfo, KeyKind, NewSecret, Organization};
use crate::app::{App, Effect, Msg, Outcome, Session};
use crate::keymap::{Action, Keymap};
use crate::region::Region;

use super::{Theme, draw};

const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const SECRET: &str = "d3f1c0de-7e57-4b1d-9a55-5ec2e7000001";

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
        tc_source: None,
        clipboard_clear: Duration::from_secs(30),
        endpoint: "http://127.0.0.1:0/{region}".into(),
    }
}

/// The console with the reveal dialog open for a key named `ci-deploy`.
fn revealed(width: u16, height: u16) -> App {
    let mut app = App::new(session(), Keymap::defaults());
    app.now = NOW;
    let _ = app.update(Msg::Resize { width, height });
    let (mut keys_req, mut orgs_req) = (0, 0);
    for effect in app.start() {
        match effect {
            Effect::LoadKeys { req, .. } => keys_req = req,
            Effect::LoadOrgs { req, .. } => orgs_req = req,
            _ => {}
        }
    }
    let _ = app.update(Msg::Done(Box::new(Outcome::KeysDone {
        req: keys_req,
        result: Ok(()),
    })));
    let _ = app.update(Msg::Done(Box::new(Outcome::Orgs {
        req: orgs_req,
        result: Ok(vec![Organization {
            id: "000000a1-0a0a-4b4b-8c8c-0000000000a1".into(),
            name: Some("Acme Security".into()),
            region: Some("us".into()),
            external_id: None,
        }]),
    })));
    let _ = app.update(Msg::Action(Action::Generate));
    let _ = app.update(Msg::Paste("ci-deploy".into()));
    let req = app
        .update(Msg::Action(Action::Confirm))
        .iter()
        .find_map(|e| match e {
            Effect::Generate { req, .. } => Some(*req),
            _ => None,
        })
        .expect("the form sends one generate");
    let info = KeyInfo {
        id: Some("0000abcd-5d1c-4e7a-9b2f-00000000abcd".into()),
        name: Some("ci-deploy".into()),
        kind: KeyKind::User,
        organization_id: Some("000000a1-0a0a-4b4b-8c8c-0000000000a1".into()),
        organization_name: Some("Acme Security".into()),
        owner_id: None,
        owner_email: Some("dana.admin@acme-partners.example".into()),
        generated_on: Some(NOW),
        tenant: None,
        wire_type: None,
    };
    let secret = NewSecret::new(SecretString::from(SECRET.to_string()));
    let _ = app.update(Msg::Done(Box::new(Outcome::Generated {
        req,
        result: Ok((info, secret)),
    })));
    app
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
    terminal
        .draw(|f| draw(f, app, &Theme::default()))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn reveal_masked_by_default() {
    for (w, h) in [(100, 30), (80, 24)] {
        let app = revealed(w, h);
        let text = screen(&app);
        assert!(!text.contains(SECRET), "the secret is masked");
        assert!(text.contains(&"●".repeat(super::modals::MASK_LEN)));
        assert_snapshot!(format!("reveal_masked_{w}x{h}"), text);
    }
}

#[test]
fn reveal_shown() {
    let mut app = revealed(80, 24);
    let _ = app.update(Msg::Action(Action::Reveal));
    let text = screen(&app);
    assert!(text.contains(SECRET));
    assert_snapshot!("reveal_shown", text);
}

#[test]
fn reveal_copy_states() {
    let mut app = revealed(80, 24);
    let _ = app.update(Msg::Action(Action::Copy));
    assert_snapshot!("reveal_copying", screen(&app));
    let _ = app.update(Msg::Copied {
        result: Ok("OSC 52 (tmux)".into()),
        secret: true,
    });
    assert_snapshot!("reveal_copied", screen(&app));

    let mut app = revealed(80, 24);
    let _ = app.update(Msg::Copied {
        result: Err("no clipboard: no display and not over SSH".into()),
        secret: true,
    });
    assert_snapshot!("reveal_copy_failed", screen(&app));
}

#[test]
fn reveal_asks_before_leaving_uncopied() {
    let mut app = revealed(80, 24);
    let _ = app.update(Msg::Action(Action::Confirm));
    let text = screen(&app);
    assert!(text.contains("Leave anyway and lose it?"));
    assert_snapshot!("reveal_confirm_leave", text);
}

fn presented(app: &App) -> String {
    let theme = Theme::default().presenting(crate::present::Mask::with_salt([9; 16]));
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
    terminal.draw(|f| draw(f, app, &theme)).expect("draw");
    terminal.backend().to_string()
}

#[test]
fn presenting_the_reveal_never_shows_the_secret() {
    for (w, h) in [(100, 30), (80, 24)] {
        let mut app = revealed(w, h);
        let masked = presented(&app);
        // Asked to reveal, it still does not.
        let _ = app.update(Msg::Action(Action::Reveal));
        let asked = presented(&app);
        assert_eq!(masked, asked);
        for text in [&masked, &asked] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(!text.contains(&SECRET[..8]), "{text}");
            assert!(text.contains(crate::present::HIDDEN_SECRET), "{text}");
            assert!(text.contains("PRESENTING"), "{text}");
            let lower = text.to_lowercase();
            for real in ["acme", "dana.admin", "abcd", "0a0a"] {
                assert!(!lower.contains(real), "{real:?} on screen:\n{text}");
            }
        }
        // The key's name is kept: it is what the user just typed.
        assert!(masked.contains("New key: ci-deploy"), "{masked}");
        assert_snapshot!(format!("present_reveal_{w}x{h}"), masked);
    }
    // And copying still hands the real secret over.
    let mut app = revealed(80, 24);
    let copied: Vec<String> = app
        .update(Msg::Action(Action::Copy))
        .into_iter()
        .filter_map(|e| match e {
            Effect::Copy(secret) => Some(secret.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(copied, [SECRET]);
}
