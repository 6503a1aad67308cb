//! Reducer tests of the pure core: messages in, state and effects out, no I/O.

use std::time::Duration;

use secrecy::SecretString;
use time::OffsetDateTime;
use tui_input::InputRequest;

use super::effect::Effect;
use super::modal::Modal;
use super::msg::{Listing, Msg, Outcome};
use super::{App, Session, Tab};
use crate::api::{ApiError, KeyInfo, KeyKind, NewSecret, Organization, Revocation};
use crate::keymap::{Action, Keymap, Layer};
use crate::region::Region;

fn session() -> Session {
    Session {
        profile: "test".into(),
        region: Region::Us,
        home_tenant: None,
        key_kind: Some(KeyKind::User),
        owner: Some("admin@example.com".into()),
        platform_admin: Some(true),
        read_only: false,
        tc_source: None,
        clipboard_clear: Duration::from_secs(30),
        endpoint: "http://127.0.0.1:1/{region}".into(),
    }
}

fn key(id: &str, name: &str, kind: KeyKind) -> KeyInfo {
    KeyInfo {
        id: Some(id.into()),
        name: Some(name.into()),
        kind,
        organization_id: Some("org-1".into()),
        organization_name: Some("Acme".into()),
        owner_id: None,
        owner_email: Some("a@example.com".into()),
        generated_on: Some(OffsetDateTime::UNIX_EPOCH),
        tenant: None,
        wire_type: None,
    }
}

fn done(outcome: Outcome) -> Msg {
    Msg::Done(Box::new(outcome))
}

/// An app that started and got one page with the given keys.
fn loaded(keys: Vec<KeyInfo>) -> (App, u64) {
    let mut app = App::new(session(), Keymap::defaults());
    let effects = app.start();
    let Some(Effect::LoadKeys { req, .. }) = effects.first() else {
        panic!("loads keys first")
    };
    let req = *req;
    app.update(done(Outcome::KeysPage {
        req,
        listing: Listing::Context,
        keys,
        page: 0,
        total_pages: Some(1),
        total_keys: None,
    }));
    app.update(done(Outcome::KeysDone {
        req,
        listing: Listing::Context,
        result: Ok(()),
    }));
    app.update(done(Outcome::Orgs {
        req: 3,
        result: Ok(vec![Organization {
            id: "org-1".into(),
            name: Some("Acme".into()),
            region: Some("us".into()),
            external_id: None,
        }]),
    }));
    (app, req)
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    app.update(Msg::Action(action))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Text(InputRequest::InsertChar(c)));
    }
}

#[test]
fn pages_fill_the_tables_by_kind() {
    let (app, _) = loaded(vec![
        key("1", "u", KeyKind::User),
        key("2", "o", KeyKind::Organization),
        key("3", "m", KeyKind::MultiTenantAdmin),
    ]);
    assert_eq!(
        (
            app.user.len(),
            app.organization.len(),
            app.multi_tenant.len()
        ),
        (1, 1, 1)
    );
    assert!(app.context_progress.done);
}

#[test]
fn stale_pages_are_dropped() {
    let (mut app, old) = loaded(vec![key("1", "u", KeyKind::User)]);
    act(&mut app, Action::Refresh);
    app.update(done(Outcome::KeysPage {
        req: old,
        listing: Listing::Context,
        keys: vec![key("9", "stale", KeyKind::User)],
        page: 1,
        total_pages: None,
        total_keys: None,
    }));
    assert_eq!(
        app.user.len(),
        0,
        "an answer to the old request changes nothing"
    );
}

#[test]
fn tabs_switch_by_number_and_tab() {
    let (mut app, _) = loaded(vec![]);
    act(&mut app, Action::TabOrganization);
    assert_eq!(app.tab, Tab::Organization);
    act(&mut app, Action::NextTab);
    assert_eq!(app.tab, Tab::MultiTenant);
    act(&mut app, Action::PrevTab);
    act(&mut app, Action::PrevTab);
    assert_eq!(app.tab, Tab::User);
}

#[test]
fn filter_narrows_and_escape_clears() {
    let (mut app, _) = loaded(vec![
        key("1", "splunk", KeyKind::User),
        key("2", "jira", KeyKind::User),
    ]);
    act(&mut app, Action::Filter);
    assert_eq!(app.layer(), Layer::Filter);
    type_text(&mut app, "spl");
    assert_eq!(app.user.visible_len(), 1);
    act(&mut app, Action::Cancel);
    assert_eq!(app.user.visible_len(), 2);
    assert_eq!(app.layer(), Layer::Browse);
}

#[test]
fn generate_sends_exactly_one_request_however_often_enter_is_pressed() {
    let (mut app, _) = loaded(vec![]);
    act(&mut app, Action::Generate);
    assert_eq!(app.layer(), Layer::Generate);
    type_text(&mut app, "ci-pipeline");
    let first = act(&mut app, Action::Confirm);
    assert!(matches!(first.as_slice(), [Effect::Generate { .. }]));
    for _ in 0..5 {
        assert!(act(&mut app, Action::Confirm).is_empty());
    }
}

#[test]
fn generate_requires_a_name() {
    let (mut app, _) = loaded(vec![]);
    act(&mut app, Action::Generate);
    assert!(act(&mut app, Action::Confirm).is_empty());
    let Some(Modal::Generate(form)) = &app.modal else {
        panic!("still open")
    };
    assert!(form.error.as_deref().unwrap_or("").contains("name"));
}

fn generated(app: &mut App) -> u64 {
    act(app, Action::Generate);
    type_text(app, "new-key");
    let effects = act(app, Action::Confirm);
    let Some(Effect::Generate { req, .. }) = effects.first() else {
        panic!("generate")
    };
    *req
}

fn secret() -> NewSecret {
    NewSecret::new(SecretString::from(
        "5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f".to_string(),
    ))
}

#[test]
fn a_generated_key_is_revealed_copied_and_forgotten() {
    let (mut app, _) = loaded(vec![]);
    let req = generated(&mut app);
    app.update(done(Outcome::Generated {
        req,
        result: Ok((key("n", "new-key", KeyKind::User), secret())),
    }));
    assert_eq!(app.layer(), Layer::Reveal);
    assert_eq!(app.user.len(), 1, "the new key is listed");
    let effects = act(&mut app, Action::Copy);
    assert!(
        matches!(effects.as_slice(), [Effect::Copy(s)] if s.as_str() == "5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f")
    );
    app.update(Msg::Copied(Ok("OSC 52".into())));
    let effects = act(&mut app, Action::Confirm);
    assert!(
        matches!(effects.as_slice(), [Effect::ClearClipboardLater { after, .. }] if *after == Duration::from_secs(30))
    );
    assert!(
        app.modal.is_none(),
        "the dialog, and the secret with it, is gone"
    );
}

#[test]
fn leaving_without_copying_asks_first() {
    let (mut app, _) = loaded(vec![]);
    let req = generated(&mut app);
    app.update(done(Outcome::Generated {
        req,
        result: Ok((key("n", "new-key", KeyKind::User), secret())),
    }));
    act(&mut app, Action::Confirm);
    assert_eq!(app.layer(), Layer::Confirm, "asks before losing the key");
    act(&mut app, Action::Cancel);
    assert_eq!(app.layer(), Layer::Reveal, "back to the key");
    act(&mut app, Action::Confirm);
    let effects = act(&mut app, Action::Confirm);
    assert!(
        effects.is_empty(),
        "nothing was copied, so nothing to clear"
    );
    assert!(app.modal.is_none());
}

#[test]
fn a_lost_answer_tells_the_user_and_reloads() {
    let (mut app, _) = loaded(vec![]);
    let req = generated(&mut app);
    let lost = ApiError::LostSecret {
        id: "abc".into(),
        name: "new-key".into(),
        cause: "timed out".into(),
    };
    let effects = app.update(done(Outcome::Generated {
        req,
        result: Err(lost),
    }));
    let Some(Modal::Message {
        body, error: true, ..
    }) = &app.modal
    else {
        panic!("a message")
    };
    assert!(body.contains("revoke"), "{body}");
    assert!(effects.is_empty() || matches!(effects[0], Effect::LoadKeys { .. }));
    assert!(app.context_progress.req.is_some());
}

#[test]
fn a_403_on_generate_is_explained() {
    let (mut app, _) = loaded(vec![]);
    act(&mut app, Action::TabOrganization);
    act(&mut app, Action::Generate);
    type_text(&mut app, "siem");
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Generate { req, .. }) = effects.first() else {
        panic!("generate")
    };
    let req = *req;
    app.update(done(Outcome::Generated {
        req,
        result: Err(ApiError::Forbidden {
            message: "no".into(),
        }),
    }));
    let Some(Modal::Generate(form)) = &app.modal else {
        panic!("form stays")
    };
    assert!(
        form.error
            .as_deref()
            .unwrap_or("")
            .contains("platform administrator")
    );
    assert!(form.submitting.is_none(), "the user may try again");
}

#[test]
fn revoking_an_organization_key_needs_its_name() {
    let (mut app, _) = loaded(vec![key("o1", "siem-forwarder", KeyKind::Organization)]);
    act(&mut app, Action::TabOrganization);
    act(&mut app, Action::Revoke);
    assert_eq!(app.layer(), Layer::ConfirmTyped);
    type_text(&mut app, "siem");
    assert!(
        act(&mut app, Action::Confirm).is_empty(),
        "a partial name does nothing"
    );
    type_text(&mut app, "-forwarder");
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Revoke { req, id, .. }) = effects.first() else {
        panic!("revoke")
    };
    assert_eq!(id, "o1");
    let req = *req;
    app.update(done(Outcome::Revoked {
        req,
        id: "o1".into(),
        result: Ok(Revocation::Revoked),
    }));
    assert_eq!(
        app.organization.len(),
        0,
        "the row goes when the server agrees"
    );
}

#[test]
fn declining_a_revoke_changes_nothing() {
    let (mut app, _) = loaded(vec![key("u1", "laptop", KeyKind::User)]);
    act(&mut app, Action::Revoke);
    assert_eq!(app.layer(), Layer::Confirm);
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert_eq!(app.user.len(), 1);
    assert!(app.modal.is_none());
}

#[test]
fn read_only_refuses_mutations_with_a_reason() {
    let mut session = session();
    session.read_only = true;
    let mut app = App::new(session, Keymap::defaults());
    app.start();
    assert!(act(&mut app, Action::Generate).is_empty());
    assert!(app.modal.is_none());
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("read-only"))
    );
}

#[test]
fn an_organization_key_cannot_open_a_user_key_dialog() {
    let mut session = session();
    session.key_kind = Some(KeyKind::Organization);
    let mut app = App::new(session, Keymap::defaults());
    app.start();
    act(&mut app, Action::Generate);
    assert!(app.modal.is_none());
    assert!(
        app.refusal(Action::Generate)
            .is_some_and(|r| r.contains("represents a user"))
    );
}

#[test]
fn a_401_at_start_says_how_to_fix_it() {
    let mut app = App::new(session(), Keymap::defaults());
    let effects = app.start();
    let Some(Effect::LoadKeys { req, .. }) = effects.first() else {
        panic!()
    };
    let req = *req;
    app.update(done(Outcome::KeysDone {
        req,
        listing: Listing::Context,
        result: Err(ApiError::Unauthorized { region: Region::Eu }),
    }));
    let Some(Modal::Message { body, .. }) = &app.modal else {
        panic!("a message")
    };
    assert!(
        body.contains("R7_API_KEY") && body.contains("region"),
        "{body}"
    );
}

#[test]
fn a_platform_key_is_not_offered_tenants() {
    let (mut app, _) = loaded(vec![]);
    app.managed = Ok(vec![Organization {
        id: "t1".into(),
        name: None,
        region: Some("eu".into()),
        external_id: None,
    }]);
    act(&mut app, Action::ChooseTenant);
    assert!(app.modal.is_none());
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("only a multi-tenant key"))
    );
}

#[test]
fn choosing_a_tenant_reloads_in_its_context() {
    let (mut app, _) = loaded(vec![]);
    app.session.key_kind = Some(KeyKind::MultiTenantAdmin);
    app.update(done(Outcome::Managed {
        req: 4,
        result: Ok(vec![Organization {
            id: "t1".into(),
            name: Some("Globex".into()),
            region: Some("eu".into()),
            external_id: None,
        }]),
    }));
    // The managed list answered a different request id than start() made: set it directly.
    app.managed = Ok(vec![Organization {
        id: "t1".into(),
        name: Some("Globex".into()),
        region: Some("eu".into()),
        external_id: None,
    }]);
    act(&mut app, Action::ChooseTenant);
    type_text(&mut app, "glob");
    act(&mut app, Action::Down);
    let effects = act(&mut app, Action::Confirm);
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadKeys { target, .. } if target.region == Region::Eu && target.tenant.as_deref() == Some("t1"))));
    assert_eq!(app.tenant.as_ref().map(|t| t.id.as_str()), Some("t1"));
}

#[test]
fn mouse_clicks_pick_tabs_and_rows() {
    let (mut app, _) = loaded(vec![
        key("1", "a", KeyKind::User),
        key("2", "b", KeyKind::User),
    ]);
    app.update(Msg::Resize {
        width: 100,
        height: 30,
    });
    let second_tab = u16::try_from(Tab::User.label().chars().count() + 2).unwrap();
    app.update(Msg::Click {
        column: second_tab,
        row: 1,
    });
    assert_eq!(app.tab, Tab::Organization);
    app.update(Msg::Click { column: 1, row: 1 });
    app.update(Msg::Click {
        column: 10,
        row: super::TABLE_TOP + 1,
    });
    assert_eq!(app.user.selected, 1);
}

#[test]
fn multi_tenant_progress_follows_home_and_survives_a_tenant_visit() {
    let (mut app, _) = loaded(vec![key("m", "mt", KeyKind::MultiTenantUser)]);
    app.session.key_kind = Some(KeyKind::MultiTenantAdmin);
    assert!(
        app.multi_tenant_progress().done,
        "at home it is the context listing's"
    );
    app.managed = Ok(vec![Organization {
        id: "t1".into(),
        name: None,
        region: Some("eu".into()),
        external_id: None,
    }]);
    act(&mut app, Action::ChooseTenant);
    act(&mut app, Action::Down);
    act(&mut app, Action::Confirm);
    assert!(
        !app.context_progress.done,
        "the tenant's listing is loading"
    );
    assert!(
        app.multi_tenant_progress().done,
        "the multi-tenant table keeps what home brought"
    );
    assert_eq!(app.multi_tenant.len(), 1);

    act(&mut app, Action::TabMultiTenant);
    let effects = act(&mut app, Action::Refresh);
    let Some(Effect::LoadKeys {
        req: home_req,
        listing: Listing::Home,
        ..
    }) = effects.first()
    else {
        panic!("a home listing")
    };
    let home_req = *home_req;
    act(&mut app, Action::ChooseTenant);
    act(&mut app, Action::Confirm); // back home
    assert!(app.tenant.is_none());
    app.update(done(Outcome::KeysPage {
        req: home_req,
        listing: Listing::Home,
        keys: vec![key("s", "stale", KeyKind::MultiTenantAdmin)],
        page: 0,
        total_pages: None,
        total_keys: None,
    }));
    assert_eq!(
        app.multi_tenant.len(),
        0,
        "the abandoned home listing is stale"
    );
}
