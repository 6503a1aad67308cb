//! Reducer tests of the pure core: messages in, state and effects out, no I/O.
//! Every test that sends a message looks at the effects it returns.

use std::time::Duration;

use rstest::rstest;
use secrecy::SecretString;
use time::OffsetDateTime;
use tui_input::InputRequest;

use super::effect::Effect;
use super::modal::{Copy, Modal};
use super::msg::{Msg, Outcome, ReqId};
use super::{App, Loadable, Session, Status, Tab, TcFacts};
use crate::api::{ApiError, KeyInfo, KeyKind, NewSecret, Organization, Revocation};
use crate::keymap::{Action, Keymap, Layer};
use crate::region::Region;

pub(super) fn session() -> Session {
    Session {
        profile: "test".into(),
        region: Region::Us,
        home_tenant: None,
        key_kind: Some(KeyKind::User),
        own_key_id: None,
        max_key_age_days: 90,
        owner: Some("admin@example.com".into()),
        platform_admin: Some(true),
        read_only: false,
        tc_source: None,
        clipboard_clear: Duration::from_secs(30),
        endpoint: "http://127.0.0.1:1/{region}".into(),
    }
}

pub(super) fn key(id: &str, name: &str, kind: KeyKind) -> KeyInfo {
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

pub(super) fn done(outcome: Outcome) -> Msg {
    Msg::Done(Box::new(outcome))
}

fn org(id: &str, name: &str, region: &str) -> Organization {
    Organization {
        id: id.into(),
        name: Some(name.into()),
        region: Some(region.into()),
        external_id: None,
    }
}

/// The request id of the (first) listing among `effects`.
fn listing_req(effects: &[Effect]) -> ReqId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadKeys { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a listing")
}

/// Answers a listing with one page of `keys`, then its end.
fn answer(app: &mut App, req: ReqId, keys: Vec<KeyInfo>) {
    let effects = app.update(done(Outcome::KeysPage {
        req,
        keys,
        page: 0,
        total_pages: Some(1),
        total_keys: None,
    }));
    assert!(effects.is_empty());
    let effects = app.update(done(Outcome::KeysDone {
        req,
        result: Ok(()),
    }));
    assert!(effects.is_empty());
}

/// An app that started with `session` and got one page with the given keys.
fn loaded_as(session: Session, keys: Vec<KeyInfo>) -> (App, ReqId) {
    let mut app = App::new(session, Keymap::defaults());
    let effects = app.start();
    let req = listing_req(&effects);
    let orgs_req = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadOrgs { req, .. } => Some(*req),
            _ => None,
        })
        .expect("organizations");
    answer(&mut app, req, keys);
    let effects = app.update(done(Outcome::Orgs {
        req: orgs_req,
        result: Ok(vec![org("org-1", "Acme", "us")]),
    }));
    assert!(effects.is_empty());
    (app, req)
}

pub(super) fn loaded(keys: Vec<KeyInfo>) -> (App, ReqId) {
    loaded_as(session(), keys)
}

pub(super) fn act(app: &mut App, action: Action) -> Vec<Effect> {
    app.update(Msg::Action(action))
}

pub(super) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let effects = app.update(Msg::Text(InputRequest::InsertChar(c)));
        assert!(effects.is_empty());
    }
}

pub(super) fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn multi_tenant(app: &mut App, tenants: Vec<Organization>) {
    app.session.key_kind = Some(KeyKind::MultiTenantAdmin);
    app.session.home_tenant = Some("home-org".into());
    app.managed = Loadable::Ready(tenants);
}

// ------------------------------------------------------------ listings

#[test]
fn one_listing_fills_each_pane_with_its_kinds() {
    let (app, req) = loaded(vec![
        key("1", "u", KeyKind::User),
        key("2", "o", KeyKind::Organization),
        key("3", "m", KeyKind::MultiTenantAdmin),
        key("4", "odd", KeyKind::Other("SERVICE".into())),
    ]);
    let lens = (
        app.user.table.len(),
        app.organization.table.len(),
        app.multi_tenant.table.len(),
    );
    assert_eq!(
        lens,
        (2, 1, 1),
        "an unknown kind is shown with the user keys"
    );
    for pane in [&app.user, &app.organization, &app.multi_tenant] {
        assert!(pane.listing.answers(req));
        assert!(pane.listing.is_done());
    }
}

#[test]
fn an_answer_to_a_replaced_listing_is_dropped() {
    let (mut app, old) = loaded(vec![key("1", "u", KeyKind::User)]);
    let effects = act(&mut app, Action::Refresh);
    let new = listing_req(&effects);
    assert_ne!(new, old);
    let effects = app.update(done(Outcome::KeysPage {
        req: old,
        keys: vec![key("9", "stale", KeyKind::User)],
        page: 1,
        total_pages: None,
        total_keys: None,
    }));
    assert!(effects.is_empty());
    assert_eq!(app.user.table.len(), 0, "the old request changes nothing");
}

#[test]
fn a_refresh_during_a_load_cancels_the_old_listing() {
    let mut app = App::new(session(), Keymap::defaults());
    let first = listing_req(&app.start());
    let effects = app.update(done(Outcome::KeysPage {
        req: first,
        keys: vec![key("1", "u", KeyKind::User)],
        page: 0,
        total_pages: Some(40),
        total_keys: None,
    }));
    assert!(effects.is_empty());
    let effects = act(&mut app, Action::Refresh);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Cancel { req } if *req == first)),
        "the old walk is stopped"
    );
    assert_ne!(listing_req(&effects), first);
}

#[test]
fn a_refresh_of_a_finished_listing_cancels_nothing() {
    let (mut app, _) = loaded(vec![]);
    let effects = act(&mut app, Action::Refresh);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Cancel { .. })));
    assert_eq!(effects.len(), 1);
}

#[test]
fn a_tenant_visit_keeps_the_home_walk_the_multi_tenant_tab_needs() {
    let mut app = App::new(session(), Keymap::defaults());
    let home = listing_req(&app.start());
    multi_tenant(&mut app, vec![org("t1", "Globex", "eu")]);
    act(&mut app, Action::ChooseTenant);
    act(&mut app, Action::Down);
    let effects = act(&mut app, Action::Confirm);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Cancel { .. })),
        "the multi-tenant tab still waits for the home walk"
    );
    assert!(app.multi_tenant.listing.answers(home));
    // Back home: that walk is replaced, so it is stopped.
    act(&mut app, Action::ChooseTenant);
    let effects = act(&mut app, Action::Confirm);
    assert!(app.tenant.is_none());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Cancel { req } if *req == home))
    );
}

// ----------------------------------------------------------- browsing

#[test]
fn tabs_switch_by_number_and_tab() {
    let (mut app, _) = loaded(vec![]);
    // A key of unknown kind with a home tenant: the inventory waits for the tenant list.
    app.session.key_kind = None;
    app.session.home_tenant = Some("home-org".into());
    assert!(act(&mut app, Action::TabOrganization).is_empty());
    assert_eq!(app.tab, Tab::Organization);
    assert!(act(&mut app, Action::NextTab).is_empty());
    assert_eq!(app.tab, Tab::MultiTenant);
    assert!(act(&mut app, Action::PrevTab).is_empty());
    assert!(act(&mut app, Action::PrevTab).is_empty());
    assert_eq!(app.tab, Tab::User);
    let effects = act(&mut app, Action::PrevTab);
    assert_eq!(app.tab, Tab::Audit, "round the bar");
    assert!(matches!(effects.as_slice(), [Effect::LoadAudit { .. }]));
    let effects = act(&mut app, Action::PrevTab);
    assert_eq!(app.tab, Tab::Inventory);
    assert!(
        effects.is_empty(),
        "the inventory waits for the tenant list"
    );
    assert!(app.fleet.waiting_for_tenants);
}

#[test]
fn filter_narrows_and_escape_clears() {
    let (mut app, _) = loaded(vec![
        key("1", "splunk", KeyKind::User),
        key("2", "jira", KeyKind::User),
    ]);
    assert!(act(&mut app, Action::Filter).is_empty());
    assert_eq!(app.layer(), Layer::Filter);
    type_text(&mut app, "spl");
    assert_eq!(app.user.table.visible_len(), 1);
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert_eq!(app.user.table.visible_len(), 2);
    assert_eq!(app.layer(), Layer::Browse);
}

#[test]
fn sorting_a_single_kind_tab_skips_the_kind_column() {
    let (mut app, _) = loaded(vec![key("1", "a", KeyKind::User)]);
    let mut seen = Vec::new();
    for _ in 0..5 {
        assert!(act(&mut app, Action::NextSort).is_empty());
        seen.push(app.user.table.sort);
    }
    assert!(!seen.contains(&super::table::Column::Kind), "{seen:?}");
}

#[test]
fn mouse_clicks_pick_tabs_and_rows() {
    let (mut app, _) = loaded(vec![
        key("1", "a", KeyKind::User),
        key("2", "b", KeyKind::User),
    ]);
    let _ = app.update(Msg::Resize {
        width: 100,
        height: 30,
    });
    let compact = Tab::compact_at(100);
    let second_tab = u16::try_from(Tab::User.label(compact).chars().count() + 2).unwrap();
    let effects = app.update(Msg::Click {
        column: second_tab,
        row: 1,
    });
    assert!(effects.is_empty());
    assert_eq!(app.tab, Tab::Organization);
    let _ = app.update(Msg::Click { column: 1, row: 1 });
    let _ = app.update(Msg::Click {
        column: 10,
        row: super::TABLE_TOP + 1,
    });
    assert_eq!(app.user.table.selected, 1);
}

#[test]
fn y_copies_the_selected_keys_id() {
    let (mut app, _) = loaded(vec![key("k-1", "siem", KeyKind::User)]);
    let effects = act(&mut app, Action::CopyId);
    assert!(matches!(effects.as_slice(), [Effect::CopyText(id)] if id == "k-1"));
    let effects = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: false,
    });
    assert!(effects.is_empty());
    assert!(
        status(&app).contains("copied the id of siem"),
        "{}",
        status(&app)
    );
}

// ----------------------------------------------------------- generate

#[test]
fn generate_sends_exactly_one_request_however_often_enter_is_pressed() {
    let (mut app, _) = loaded(vec![]);
    assert!(act(&mut app, Action::Generate).is_empty());
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
    assert!(act(&mut app, Action::Generate).is_empty());
    assert!(act(&mut app, Action::Confirm).is_empty());
    let Some(Modal::Generate(form)) = &app.modal else {
        panic!("still open")
    };
    assert!(form.error.as_deref().unwrap_or("").contains("name"));
}

fn generated(app: &mut App) -> ReqId {
    assert!(act(app, Action::Generate).is_empty());
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
    let effects = app.update(done(Outcome::Generated {
        req,
        result: Ok((key("n", "new-key", KeyKind::User), secret())),
    }));
    assert!(effects.is_empty());
    assert_eq!(app.layer(), Layer::Reveal);
    assert_eq!(app.user.table.len(), 1, "the new key is listed");
    let effects = act(&mut app, Action::Copy);
    assert!(
        matches!(effects.as_slice(), [Effect::Copy(s)] if s.as_str() == "5f0c6d7e-8a9b-4c1d-9e2f-3a4b5c6d7e8f")
    );
    let effects = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: true,
    });
    assert!(effects.is_empty());
    let Some(Modal::Reveal(reveal)) = &app.modal else {
        panic!("the reveal dialog")
    };
    assert_eq!(reveal.copied, Some(Copy::Done("OSC 52".into())));
    let effects = act(&mut app, Action::Confirm);
    assert!(
        matches!(effects.as_slice(), [Effect::ClearClipboardLater { after, .. }] if *after == Duration::from_secs(30))
    );
    assert!(
        app.modal.is_none(),
        "the dialog, and the secret with it, is gone"
    );
    assert!(
        status(&app).contains("clipboard in 30 s"),
        "{}",
        status(&app)
    );
}

#[test]
fn leaving_without_copying_asks_first() {
    let (mut app, _) = loaded(vec![]);
    let req = generated(&mut app);
    let _ = app.update(done(Outcome::Generated {
        req,
        result: Ok((key("n", "new-key", KeyKind::User), secret())),
    }));
    assert!(act(&mut app, Action::Confirm).is_empty());
    assert_eq!(app.layer(), Layer::Confirm, "asks before losing the key");
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert_eq!(app.layer(), Layer::Reveal, "back to the key");
    assert!(act(&mut app, Action::Confirm).is_empty());
    let effects = act(&mut app, Action::Confirm);
    assert!(
        effects.is_empty(),
        "nothing was copied, so nothing to clear"
    );
    assert!(app.modal.is_none());
}

#[rstest]
#[case::found(ApiError::LostSecret { id: "abc".into(), name: "new-key".into(), cause: "timed out".into() }, "revoke it")]
#[case::not_found(ApiError::NotCreated { name: "new-key".into(), cause: "timed out".into(), checks: 2, answered: false }, "most likely not created")]
#[case::unchecked(ApiError::OutcomeUnknown { name: "new-key".into(), cause: "reset".into() }, "revoke")]
fn a_lost_answer_tells_the_user_and_reloads(#[case] lost: ApiError, #[case] says: &str) {
    let (mut app, before) = loaded(vec![]);
    let req = generated(&mut app);
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
    assert!(body.contains(says), "{body}");
    // The list is reloaded, so the key (if any) can be found and revoked.
    let reload = listing_req(&effects);
    assert_ne!(reload, before);
    assert!(app.user.listing.answers(reload));
    assert!(app.user.listing.running());
}

#[test]
fn a_403_on_generate_is_told_in_the_platforms_words_and_remembered() {
    let (mut app, _) = loaded(vec![]);
    assert!(act(&mut app, Action::TabOrganization).is_empty());
    assert!(act(&mut app, Action::Generate).is_empty());
    type_text(&mut app, "siem");
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Generate { req, .. }) = effects.first() else {
        panic!("generate")
    };
    let req = *req;
    let effects = app.update(done(Outcome::Generated {
        req,
        result: Err(ApiError::Forbidden {
            message: "Only Platform Administrators can manage Organization API keys".into(),
        }),
    }));
    assert!(effects.is_empty());
    let Some(Modal::Generate(form)) = &app.modal else {
        panic!("form stays")
    };
    let error = form.error.as_deref().unwrap_or("");
    assert!(
        error.contains("Only Platform Administrators can manage"),
        "{error}"
    );
    assert!(
        error.contains("documentation"),
        "marked as the docs: {error}"
    );
    assert!(form.submitting.is_none(), "the user may try again");
    assert!(act(&mut app, Action::Cancel).is_empty());
    let refusal = app.refusal(Action::Generate).unwrap_or_default();
    assert!(
        refusal.contains("the platform refused this earlier"),
        "{refusal}"
    );
    assert!(act(&mut app, Action::Generate).is_empty());
    assert!(app.modal.is_none());
}

#[test]
fn a_rule_only_the_docs_state_is_doubted_not_enforced() {
    let mut session = session();
    session.platform_admin = Some(false);
    let (mut app, _) = loaded_as(session, vec![]);
    assert!(act(&mut app, Action::TabOrganization).is_empty());
    assert!(!app.access(Action::Generate).is_open());
    // Once: why, and how to ask anyway.
    assert!(act(&mut app, Action::Generate).is_empty());
    assert!(app.modal.is_none());
    assert!(
        status(&app).contains("Rapid7 documents"),
        "{}",
        status(&app)
    );
    assert!(status(&app).contains("press n again"), "{}", status(&app));
    // Twice: the platform decides (an older one lets organization admins).
    assert!(act(&mut app, Action::Generate).is_empty());
    let Some(Modal::Generate(form)) = &app.modal else {
        panic!("the dialog, with the doubt in it")
    };
    assert!(form.doubt.is_some());
    type_text(&mut app, "legacy");
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Generate { req, .. }) = effects.first() else {
        panic!("sent")
    };
    let req = *req;
    let _ = app.update(done(Outcome::Generated {
        req,
        result: Ok((key("o9", "legacy", KeyKind::Organization), secret())),
    }));
    assert!(
        app.access(Action::Generate).is_open(),
        "the platform allowed it"
    );
}

// ------------------------------------------------------------- revoke

fn revoke_effect(effects: &[Effect]) -> (ReqId, String) {
    match effects {
        [Effect::Revoke { req, id, .. }] => (*req, id.clone()),
        _ => panic!("one revoke"),
    }
}

#[rstest]
#[case::organization(KeyKind::Organization, Tab::Organization)]
#[case::mt_admin(KeyKind::MultiTenantAdmin, Tab::MultiTenant)]
#[case::mt_user(KeyKind::MultiTenantUser, Tab::MultiTenant)]
fn revoking_a_key_with_reach_needs_its_name(#[case] kind: KeyKind, #[case] tab: Tab) {
    let (mut app, _) = loaded(vec![key("k1", "siem-forwarder", kind)]);
    let _ = act(&mut app, Action::Generate); // nothing: a different tab
    let _ = act(&mut app, Action::Cancel);
    app.tab = tab;
    assert!(act(&mut app, Action::Revoke).is_empty());
    assert_eq!(app.layer(), Layer::ConfirmTyped);
    assert!(act(&mut app, Action::Confirm).is_empty(), "nothing typed");
    type_text(&mut app, "siem");
    assert!(act(&mut app, Action::Confirm).is_empty(), "a partial name");
    type_text(&mut app, "-forwarder");
    let (req, id) = revoke_effect(&act(&mut app, Action::Confirm));
    assert_eq!(id, "k1");
    let effects = app.update(done(Outcome::Revoked {
        req,
        id: "k1".into(),
        result: Ok(Revocation::Revoked),
    }));
    assert!(effects.is_empty());
    assert!(
        app.pane().is_some_and(|p| p.table.is_empty()),
        "gone when the server agrees"
    );
}

#[test]
fn a_user_key_is_revoked_with_y() {
    let (mut app, _) = loaded(vec![key("u1", "laptop", KeyKind::User)]);
    assert!(act(&mut app, Action::Revoke).is_empty());
    assert_eq!(app.layer(), Layer::Confirm);
    let (_, id) = revoke_effect(&act(&mut app, Action::Confirm));
    assert_eq!(id, "u1");
}

#[test]
fn declining_a_revoke_changes_nothing() {
    let (mut app, _) = loaded(vec![key("u1", "laptop", KeyKind::User)]);
    assert!(act(&mut app, Action::Revoke).is_empty());
    assert_eq!(app.layer(), Layer::Confirm);
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert_eq!(app.user.table.len(), 1);
    assert!(app.modal.is_none());
    assert!(status(&app).contains("nothing changed"));
}

#[test]
fn the_consoles_own_key_is_marked_warned_of_and_its_401_explained() {
    let mut session = session();
    session.own_key_id = Some("me".into());
    let (mut app, _) = loaded_as(session, vec![key("me", "my console key", KeyKind::User)]);
    assert!(app.is_own_key(&app.user.table.window(0, 1).next().cloned().unwrap()));
    assert!(act(&mut app, Action::Revoke).is_empty());
    let Some(Modal::Revoke(confirm)) = &app.modal else {
        panic!("the confirmation")
    };
    assert!(confirm.own);
    assert_eq!(
        app.layer(),
        Layer::ConfirmTyped,
        "a user key, but ours: typed"
    );
    type_text(&mut app, "my console key");
    let (req, _) = revoke_effect(&act(&mut app, Action::Confirm));
    let _ = app.update(done(Outcome::Revoked {
        req,
        id: "me".into(),
        result: Ok(Revocation::Revoked),
    }));
    // The next request is refused: the console says what happened.
    let reload = listing_req(&act(&mut app, Action::Refresh));
    let effects = app.update(done(Outcome::KeysDone {
        req: reload,
        result: Err(ApiError::Unauthorized { region: Region::Us }),
    }));
    assert!(effects.is_empty());
    let Some(Modal::Message { title, body, .. }) = &app.modal else {
        panic!("a message")
    };
    assert!(title.contains("no longer works"), "{title}");
    assert!(body.contains("the key this console runs as"), "{body}");
}

#[test]
fn marked_keys_are_revoked_one_request_after_another_after_typing_the_count() {
    let (mut app, _) = loaded(vec![
        key("a", "one", KeyKind::User),
        key("b", "two", KeyKind::User),
        key("c", "three", KeyKind::User),
    ]);
    assert!(act(&mut app, Action::Mark).is_empty());
    assert!(act(&mut app, Action::Mark).is_empty());
    assert_eq!(app.user.marked.len(), 2);
    assert!(act(&mut app, Action::Revoke).is_empty());
    assert_eq!(app.layer(), Layer::ConfirmTyped);
    type_text(&mut app, "3");
    assert!(act(&mut app, Action::Confirm).is_empty(), "the wrong count");
    let _ = app.update(Msg::Text(InputRequest::DeletePrevChar));
    type_text(&mut app, "2");
    let (first, first_id) = revoke_effect(&act(&mut app, Action::Confirm));
    let effects = app.update(done(Outcome::Revoked {
        req: first,
        id: first_id.clone(),
        result: Ok(Revocation::Revoked),
    }));
    let (second, second_id) = revoke_effect(&effects);
    assert_ne!(first_id, second_id);
    let effects = app.update(done(Outcome::Revoked {
        req: second,
        id: second_id,
        result: Err(ApiError::Forbidden {
            message: "no".into(),
        }),
    }));
    assert!(effects.is_empty(), "nothing left to send");
    assert_eq!(app.user.table.len(), 2, "one revoked, one refused");
    assert_eq!(app.user.marked.len(), 1, "the refused one stays marked");
    assert!(
        status(&app).contains("revoked 1 keys; 1 failed"),
        "{}",
        status(&app)
    );
    assert_eq!(app.layer(), Layer::Message);
    assert!(act(&mut app, Action::Confirm).is_empty());
    assert!(app.modal.is_none());
}

// ------------------------------------------------------------ refusals

#[test]
fn read_only_refuses_mutations_with_a_reason() {
    let mut session = session();
    session.read_only = true;
    let (mut app, _) = loaded_as(session, vec![key("u1", "laptop", KeyKind::User)]);
    assert!(act(&mut app, Action::Generate).is_empty());
    assert!(act(&mut app, Action::Revoke).is_empty());
    assert!(app.modal.is_none());
    assert!(status(&app).contains("read-only"));
}

#[rstest]
#[case::org_key_on_user_tab(
    KeyKind::Organization,
    Tab::User,
    Action::Generate,
    "represents a user"
)]
#[case::mt_key_on_user_tab(
    KeyKind::MultiTenantUser,
    Tab::User,
    Action::Generate,
    "multi-tenant key cannot"
)]
#[case::platform_key_tenants(
    KeyKind::User,
    Tab::User,
    Action::ChooseTenant,
    "only a multi-tenant key"
)]
#[case::tc_generate(KeyKind::User, Tab::ThreatCommand, Action::Generate, "web console")]
#[case::tc_revoke(KeyKind::User, Tab::ThreatCommand, Action::Revoke, "web console")]
fn refusals_are_decided_in_one_place(
    #[case] caller: KeyKind,
    #[case] tab: Tab,
    #[case] action: Action,
    #[case] says: &str,
) {
    let mut session = session();
    session.key_kind = Some(caller);
    let (mut app, _) = loaded_as(session, vec![key("u1", "laptop", KeyKind::User)]);
    app.managed = Loadable::Ready(vec![org("t1", "Globex", "eu")]);
    app.tab = tab;
    let refusal = app.refusal(action).unwrap_or_default();
    assert!(refusal.contains(says), "{refusal}");
    assert!(act(&mut app, action).is_empty());
    assert!(app.modal.is_none());
    assert!(status(&app).contains(says), "{}", status(&app));
}

#[test]
fn a_401_at_start_says_how_to_fix_it() {
    let mut app = App::new(session(), Keymap::defaults());
    let req = listing_req(&app.start());
    let effects = app.update(done(Outcome::KeysDone {
        req,
        result: Err(ApiError::Unauthorized { region: Region::Eu }),
    }));
    assert!(effects.is_empty());
    let Some(Modal::Message { body, .. }) = &app.modal else {
        panic!("a message")
    };
    assert!(
        body.contains("R7_API_KEY") && body.contains("region"),
        "{body}"
    );
}

// ------------------------------------------------------------- tenants

#[test]
fn the_tenant_search_moves_the_choice_to_the_first_match() {
    let (mut app, _) = loaded(vec![]);
    multi_tenant(
        &mut app,
        vec![
            org("t0", "Initech", "us"),
            org("t1", "Dunder Mifflin", "eu"),
        ],
    );
    assert!(act(&mut app, Action::ChooseTenant).is_empty());
    type_text(&mut app, "dunder");
    let effects = act(&mut app, Action::Confirm);
    assert_eq!(app.tenant.as_ref().map(|t| t.id.as_str()), Some("t1"));
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadKeys { target, .. } if target.region == Region::Eu && target.tenant.as_deref() == Some("t1"))));
    assert_eq!(
        app.tab_target().region,
        Region::Eu,
        "the header shows the tenant's region"
    );
}

#[test]
fn choosing_home_again_lists_home() {
    let (mut app, _) = loaded(vec![]);
    multi_tenant(&mut app, vec![org("t1", "Globex", "eu")]);
    let _ = act(&mut app, Action::ChooseTenant);
    let _ = act(&mut app, Action::Down);
    let _ = act(&mut app, Action::Confirm);
    assert!(app.tenant.is_some());
    assert!(act(&mut app, Action::ChooseTenant).is_empty());
    let effects = act(&mut app, Action::Confirm);
    assert!(app.tenant.is_none());
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadKeys { target, .. } if target.tenant.as_deref() == Some("home-org"))));
}

// ------------------------------------------------------ Threat Command

#[test]
fn testing_threat_command_says_so_then_how_long_it_took() {
    let mut session = session();
    session.tc_source = Some("test".into());
    let (mut app, _) = loaded_as(session, vec![]);
    let effects = act(&mut app, Action::TabThreatCommand);
    assert!(matches!(effects.as_slice(), [Effect::LoadTc { .. }]));
    let effects = act(&mut app, Action::TestCredentials);
    let (old, req) = match effects.as_slice() {
        [Effect::Cancel { req: old }, Effect::LoadTc { req }] => (*old, *req),
        _ => panic!("the old test stopped, a new one started"),
    };
    assert_ne!(old, req);
    assert!(status(&app).contains("testing"), "{}", status(&app));
    let effects = app.update(done(Outcome::Tc {
        req,
        result: Ok(TcFacts {
            account_id: "acct".into(),
            credentials_valid: true,
            modules: Ok(Vec::new()),
            assets: Err("-".into()),
            quota: Err("-".into()),
            customers: Ok(Vec::new()),
            tested_in_ms: 42,
        }),
    }));
    assert!(effects.is_empty());
    assert!(
        status(&app).contains("work (answered in 42 ms)"),
        "{}",
        status(&app)
    );
}

#[test]
fn status_helpers_build_what_they_say() {
    assert_eq!(Status::ok("x").map(|s| s.error), Some(false));
    assert_eq!(Status::error("x").map(|s| s.error), Some(true));
}

// ------------------------------------------------------------ inventory

fn inventory_effect(effects: &[Effect]) -> (ReqId, Vec<super::effect::PlaceRequest>) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadInventory { req, places } => Some((*req, places.clone())),
            _ => None,
        })
        .expect("an inventory load")
}

fn user(id: &str, email: &str) -> crate::api::User {
    crate::api::User {
        id: Some(id.into()),
        email: Some(email.into()),
        first_name: None,
        last_name: None,
        platform_admin: None,
        status: None,
    }
}

fn place_keys(
    keys: Vec<KeyInfo>,
    users: Option<Vec<crate::api::User>>,
) -> crate::inventory::PlaceKeys {
    crate::inventory::PlaceKeys { keys, users }
}

#[test]
fn the_inventory_reads_home_and_every_tenant_using_what_is_already_listed() {
    let (mut app, _) = loaded(vec![key("h1", "home key", KeyKind::User)]);
    multi_tenant(
        &mut app,
        vec![org("t1", "Globex", "eu"), org("t2", "Dunder", "au")],
    );
    let (req, places) = inventory_effect(&act(&mut app, Action::TabInventory));
    assert_eq!(app.tab, Tab::Inventory);
    assert_eq!(places.len(), 3, "home and two tenants");
    assert!(places[0].tenant.is_none());
    assert!(
        places[0].known.as_ref().is_some_and(|k| k.len() == 1),
        "the home listing of this run is used, not asked again"
    );
    let eu = places
        .iter()
        .find(|p| p.tenant.as_ref().is_some_and(|t| t.id == "t1"))
        .unwrap();
    assert_eq!(eu.target.region, Region::Eu);
    assert_eq!(eu.target.tenant.as_deref(), Some("t1"));
    assert_eq!(app.fleet.pending.values().sum::<usize>(), 2);

    // A tenant answers: its keys, flagged (an organization key whose owner is gone).
    let mut orphan = key("o1", "siem", KeyKind::Organization);
    orphan.owner_email = Some("gone@example.com".into());
    let effects = app.update(done(Outcome::InventoryPlace {
        req,
        tenant: Some(org("t1", "Globex", "eu")),
        result: Ok(place_keys(
            vec![orphan],
            Some(vec![user("u", "a@example.com")]),
        )),
    }));
    assert!(effects.is_empty());
    // Another fails: a row of its own.
    let _ = app.update(done(Outcome::InventoryPlace {
        req,
        tenant: Some(org("t2", "Dunder", "au")),
        result: Err(ApiError::Timeout {
            what: "no answer".into(),
        }),
    }));
    assert_eq!(app.fleet.failed, 1);
    app.inventory.table.select(0);
    assert!(app.selected_unreachable().is_some(), "the failure is first");
    // The orphan filter finds the organization key.
    let _ = act(&mut app, Action::CycleFlag); // old
    let _ = act(&mut app, Action::CycleFlag); // orphan
    assert_eq!(app.inventory.table.filter(), "flag:orphan");
    let shown: Vec<_> = app
        .inventory
        .table
        .window(0, 10)
        .map(|k| k.id.clone())
        .collect();
    assert_eq!(shown, [Some("o1".to_string())]);
    // r on the failed tenant reads that tenant again, and only it.
    let _ = act(&mut app, Action::CycleFlag);
    let _ = act(&mut app, Action::CycleFlag);
    let _ = act(&mut app, Action::CycleFlag);
    assert_eq!(app.inventory.table.filter(), "", "round to no flag");
    app.inventory.table.select(0);
    let (retry, again) = inventory_effect(&act(&mut app, Action::Refresh));
    assert_ne!(retry, req);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].target.tenant.as_deref(), Some("t2"));
    assert!(
        app.selected_unreachable().is_none(),
        "the failure row is gone while it is read"
    );
    let _ = app.update(done(Outcome::InventoryPlace {
        req: retry,
        tenant: Some(org("t2", "Dunder", "au")),
        result: Ok(place_keys(
            vec![key("d1", "dunder key", KeyKind::User)],
            None,
        )),
    }));
    // The home place (sent by the worker from what was listed) is not in
    // yet; the two tenants' keys are.
    assert_eq!(app.inventory.table.key_count(), 2);
}

#[test]
fn a_revoke_from_the_inventory_goes_to_the_rows_tenant() {
    let (mut app, _) = loaded(vec![]);
    multi_tenant(&mut app, vec![org("t1", "Globex", "eu")]);
    let (req, _) = inventory_effect(&act(&mut app, Action::TabInventory));
    let mut theirs = key("g1", "globex key", KeyKind::User);
    theirs.organization_name = None;
    let _ = app.update(done(Outcome::InventoryPlace {
        req,
        tenant: Some(org("t1", "Globex", "eu")),
        result: Ok(place_keys(vec![theirs], None)),
    }));
    let row = app.inventory.table.window(0, 1).next().cloned().unwrap();
    assert_eq!(
        row.organization_name.as_deref(),
        Some("Globex"),
        "named by its tenant"
    );
    assert!(act(&mut app, Action::Revoke).is_empty());
    let Some(Modal::Revoke(confirm)) = &app.modal else {
        panic!("the confirmation")
    };
    assert_eq!(confirm.target.region, Region::Eu);
    assert_eq!(confirm.target.tenant.as_deref(), Some("t1"));
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Revoke { target, .. }) = effects.first() else {
        panic!("a revoke")
    };
    assert_eq!(target.tenant.as_deref(), Some("t1"));
}

#[test]
fn a_platform_key_inventory_is_its_own_organizations_and_says_why() {
    // A key of unknown kind, with a home tenant, whose tenant list was refused.
    let (mut app, _) = loaded(vec![key("h1", "home key", KeyKind::User)]);
    app.session.key_kind = None;
    app.session.home_tenant = Some("home-org".into());
    app.managed = Loadable::Failed("not available to this key (403)".into());
    let (_, places) = inventory_effect(&act(&mut app, Action::TabInventory));
    assert_eq!(places.len(), 1);
    assert!(
        app.fleet
            .no_tenants
            .as_deref()
            .is_some_and(|w| w.contains("403"))
    );
    // A user key: the platform may list managed tenants to it, but it
    // cannot read them (no `R7-Organization-Id`): not one request is spent.
    let (mut app, _) = loaded(vec![key("h1", "home key", KeyKind::User)]);
    app.managed = Loadable::Ready(vec![org("t1", "Globex", "eu"), org("t2", "Dunder", "us")]);
    let (_, places) = inventory_effect(&act(&mut app, Action::TabInventory));
    assert_eq!(places.len(), 1, "home only");
    assert!(places[0].tenant.is_none());
    assert!(
        app.fleet
            .no_tenants
            .as_deref()
            .is_some_and(|w| w.contains("multi-tenant key")),
        "{:?}",
        app.fleet.no_tenants
    );
    // A key of unknown kind without a home tenant (a profile without
    // `tenant`): as `r7keys inventory`, its own organizations only.
    let (mut app, _) = loaded(vec![key("h1", "home key", KeyKind::User)]);
    app.session.key_kind = None;
    app.managed = Loadable::Ready(vec![org("t1", "Globex", "eu")]);
    let (_, places) = inventory_effect(&act(&mut app, Action::TabInventory));
    assert_eq!(places.len(), 1, "home only");
    assert!(
        app.fleet
            .no_tenants
            .as_deref()
            .is_some_and(|w| w.contains("profile's tenant"))
    );
}

#[test]
fn a_key_two_places_answer_with_is_one_row() {
    let (mut app, _) = loaded(vec![]);
    multi_tenant(
        &mut app,
        vec![org("t1", "Globex", "us"), org("t2", "Dunder", "us")],
    );
    let (req, _) = inventory_effect(&act(&mut app, Action::TabInventory));
    let same = key("k1", "shared", KeyKind::User);
    for tenant in [
        None,
        Some(org("t1", "Globex", "us")),
        Some(org("t2", "Dunder", "us")),
    ] {
        let mut again = same.clone();
        again.id = Some("K1".into());
        let effects = app.update(done(Outcome::InventoryPlace {
            req,
            tenant,
            result: Ok(place_keys(vec![same.clone(), again], None)),
        }));
        assert!(effects.is_empty());
    }
    assert_eq!(
        app.inventory.table.key_count(),
        1,
        "ids compare without case"
    );
}

#[test]
fn an_inventory_waits_for_the_tenant_list_then_starts() {
    let mut session = session();
    session.key_kind = Some(KeyKind::MultiTenantAdmin);
    let mut app = App::new(session, Keymap::defaults());
    let effects = app.start();
    let managed = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadManaged { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap();
    assert!(
        act(&mut app, Action::TabInventory).is_empty(),
        "nothing yet"
    );
    assert!(app.fleet.waiting_for_tenants);
    let effects = app.update(done(Outcome::Managed {
        req: managed,
        result: Ok(vec![org("t1", "Globex", "eu")]),
    }));
    let (_, places) = inventory_effect(&effects);
    assert_eq!(places.len(), 2);
}

#[test]
fn the_inventory_exports_what_the_filter_shows() {
    let (mut app, _) = loaded(vec![]);
    app.managed = Loadable::Ready(Vec::new());
    let (req, _) = inventory_effect(&act(&mut app, Action::TabInventory));
    let _ = app.update(done(Outcome::InventoryPlace {
        req,
        tenant: None,
        result: Ok(place_keys(
            vec![
                key("a", "splunk", KeyKind::User),
                key("b", "jira", KeyKind::User),
            ],
            None,
        )),
    }));
    let _ = act(&mut app, Action::Filter);
    type_text(&mut app, "splunk");
    let _ = act(&mut app, Action::Confirm);
    assert!(act(&mut app, Action::Export).is_empty());
    assert_eq!(app.layer(), Layer::Export);
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Export { path, rows }) = effects.first() else {
        panic!("an export")
    };
    assert_eq!(path, "r7keys-inventory.csv");
    assert_eq!(rows.len(), 1, "the filtered rows only");
    let _ = app.update(done(Outcome::Exported {
        path: path.clone(),
        result: Ok(1),
    }));
    assert!(status(&app).contains("wrote 1 rows"), "{}", status(&app));
}

#[test]
fn refreshing_a_running_inventory_cancels_it() {
    let (mut app, _) = loaded(vec![]);
    multi_tenant(&mut app, vec![org("t1", "Globex", "eu")]);
    let (first, _) = inventory_effect(&act(&mut app, Action::TabInventory));
    let effects = act(&mut app, Action::Refresh);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Cancel { req } if *req == first))
    );
    let (second, _) = inventory_effect(&effects);
    assert_ne!(first, second);
    let _ = app.update(done(Outcome::InventoryPlace {
        req: first,
        tenant: None,
        result: Ok(place_keys(vec![key("late", "stale", KeyKind::User)], None)),
    }));
    assert_eq!(
        app.inventory.table.len(),
        0,
        "an answer to the old load is dropped"
    );
}

// ------------------------------------------------------------- rotate

fn own(id: &str, name: &str) -> KeyInfo {
    let mut k = key(id, name, KeyKind::User);
    k.owner_email = Some("admin@example.com".into());
    k
}

fn rotation_stage(app: &App) -> &'static str {
    use super::rotate::Stage;
    match &app.modal {
        Some(Modal::Rotate(r)) => match r.stage {
            Stage::Plan => "plan",
            Stage::Generating(_) => "generating",
            Stage::New { .. } => "new",
            Stage::Leaving { .. } => "leaving",
            Stage::Retire { .. } => "retire",
            Stage::Revoking { .. } => "revoking",
            Stage::Done { .. } => "done",
        },
        _ => "closed",
    }
}

/// Rotates the selected key up to the new key's reveal; answers the proof's request.
fn rotate_to_new(app: &mut App) -> ReqId {
    assert!(act(app, Action::Rotate).is_empty());
    assert_eq!(rotation_stage(app), "plan");
    let effects = act(app, Action::Confirm);
    let Some(Effect::Generate { req, spec, .. }) = effects.first() else {
        panic!("the replacement is generated")
    };
    assert_eq!(spec.kind, KeyKind::User);
    assert_eq!(
        spec.organization_id.as_deref(),
        Some("org-1"),
        "same organization"
    );
    let req = *req;
    assert!(act(app, Action::Confirm).is_empty(), "sent once");
    let effects = app.update(done(Outcome::Generated {
        req,
        result: Ok((own("new", "ci"), secret())),
    }));
    let Some(Effect::Prove {
        req: proof, target, ..
    }) = effects.first()
    else {
        panic!("the new key is proved at once")
    };
    assert_eq!(target.region, Region::Us);
    assert_eq!(rotation_stage(app), "new");
    *proof
}

#[test]
fn a_rotation_generates_reveals_proves_and_then_revokes_the_old_key() {
    let (mut app, _) = loaded(vec![own("old", "ci")]);
    let proof = rotate_to_new(&mut app);
    assert!(act(&mut app, Action::Confirm).is_empty());
    assert!(
        app.modal
            .as_ref()
            .is_some_and(|_| rotation_stage(&app) == "new"),
        "not proved yet"
    );
    let _ = app.update(done(Outcome::Proved {
        req: proof,
        result: Ok(12),
    }));
    // Not before it is copied.
    assert!(act(&mut app, Action::Confirm).is_empty());
    assert_eq!(rotation_stage(&app), "new");
    let effects = act(&mut app, Action::Copy);
    assert!(matches!(effects.as_slice(), [Effect::Copy(_)]));
    let _ = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: true,
    });
    assert!(act(&mut app, Action::Confirm).is_empty());
    assert_eq!(rotation_stage(&app), "retire");
    assert_eq!(app.layer(), Layer::Confirm, "a user key: y");
    let effects = act(&mut app, Action::Confirm);
    let Some(Effect::Revoke { req, id, .. }) = effects.first() else {
        panic!("the old key is revoked")
    };
    assert_eq!(id, "old");
    let req = *req;
    let _ = app.update(done(Outcome::Revoked {
        req,
        id: "old".into(),
        result: Ok(Revocation::Revoked),
    }));
    assert_eq!(rotation_stage(&app), "done");
    assert!(
        status(&app).contains("only the new key"),
        "{}",
        status(&app)
    );
    let ids: Vec<_> = app
        .user
        .table
        .window(0, 10)
        .filter_map(|k| k.id.clone())
        .collect();
    assert_eq!(ids, ["new"]);
}

#[test]
fn leaving_a_rotation_says_exactly_what_exists() {
    let (mut app, _) = loaded(vec![own("old", "ci")]);
    let proof = rotate_to_new(&mut app);
    let _ = app.update(done(Outcome::Proved {
        req: proof,
        result: Ok(9),
    }));
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert_eq!(
        rotation_stage(&app),
        "leaving",
        "asks before the secret is lost"
    );
    assert!(act(&mut app, Action::Confirm).is_empty());
    assert!(app.modal.is_none());
    let words = status(&app);
    assert!(
        words.contains("the new key (id new) exists and works"),
        "{words}"
    );
    assert!(
        words.contains("the old key \"ci\" is still active"),
        "{words}"
    );
}

#[test]
fn a_replacement_that_does_not_work_is_not_deployable() {
    let (mut app, _) = loaded(vec![own("old", "ci")]);
    let proof = rotate_to_new(&mut app);
    let _ = app.update(done(Outcome::Proved {
        req: proof,
        result: Err("authentication failed (401)".into()),
    }));
    let _ = act(&mut app, Action::Copy);
    let _ = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: true,
    });
    assert!(act(&mut app, Action::Confirm).is_empty());
    let Some(Modal::Rotate(rotation)) = &app.modal else {
        panic!("still open")
    };
    assert!(
        rotation
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not deployable")
    );
    assert!(act(&mut app, Action::Cancel).is_empty());
    assert!(
        status(&app).contains("exists but did not work"),
        "{}",
        status(&app)
    );
}

#[test]
fn another_users_user_key_is_refused_before_anything_is_generated() {
    let (mut app, _) = loaded(vec![key("theirs", "their script", KeyKind::User)]);
    let effects = act(&mut app, Action::Rotate);
    assert!(effects.is_empty(), "nothing generated");
    assert!(app.modal.is_none());
    assert!(
        status(&app).contains("only its owner can rotate it"),
        "{}",
        status(&app)
    );
}

#[test]
fn an_organization_keys_rotation_ends_with_its_name_typed() {
    let (mut app, _) = loaded(vec![key("o1", "siem", KeyKind::Organization)]);
    let _ = act(&mut app, Action::TabOrganization);
    assert!(act(&mut app, Action::Rotate).is_empty());
    let Some(Effect::Generate { req, spec, .. }) =
        act(&mut app, Action::Confirm).first().map(|e| match e {
            Effect::Generate {
                req,
                spec,
                target,
                note,
            } => Effect::Generate {
                note: note.clone(),
                req: *req,
                spec: spec.clone(),
                target: target.clone(),
            },
            _ => panic!("a generate"),
        })
    else {
        panic!()
    };
    assert_eq!(spec.kind, KeyKind::Organization);
    let effects = app.update(done(Outcome::Generated {
        req,
        result: Ok((key("o2", "siem", KeyKind::Organization), secret())),
    }));
    let Some(Effect::Prove { req: proof, .. }) = effects.first() else {
        panic!()
    };
    let proof = *proof;
    let _ = app.update(done(Outcome::Proved {
        req: proof,
        result: Ok(5),
    }));
    let _ = act(&mut app, Action::Copy);
    let _ = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: true,
    });
    let _ = act(&mut app, Action::Confirm);
    assert_eq!(app.layer(), Layer::ConfirmTyped);
    assert!(act(&mut app, Action::Confirm).is_empty(), "the name first");
    type_text(&mut app, "siem");
    assert!(
        matches!(act(&mut app, Action::Confirm).as_slice(), [Effect::Revoke { id, .. }] if id == "o1")
    );
}

#[test]
fn rotating_the_consoles_own_key_switches_to_the_new_key_before_revoking() {
    let mut session = session();
    session.own_key_id = Some("old".into());
    let (mut app, _) = loaded_as(session, vec![own("old", "ci")]);
    let proof = rotate_to_new(&mut app);
    let _ = app.update(done(Outcome::Proved {
        req: proof,
        result: Ok(7),
    }));
    let _ = act(&mut app, Action::Copy);
    let _ = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: true,
    });
    assert!(act(&mut app, Action::Confirm).is_empty());
    let effects = act(&mut app, Action::Confirm);
    let [Effect::AdoptKey(adopted), Effect::Revoke { req, id, .. }] = effects.as_slice() else {
        panic!("adopt the new key, then revoke the old one")
    };
    assert_eq!(adopted.expose(), secret().expose(), "the new key's secret");
    assert_eq!(id, "old");
    let req = *req;
    let _ = app.update(done(Outcome::Revoked {
        req,
        id: "old".into(),
        result: Ok(Revocation::Revoked),
    }));
    assert_eq!(app.session.own_key_id.as_deref(), Some("new"));
    let words = status(&app);
    assert!(words.contains("now signs in with the new key"), "{words}");
    assert!(words.contains("profile"), "{words}");
}

#[test]
fn rotating_another_key_never_changes_the_consoles_key() {
    let mut session = session();
    session.own_key_id = Some("mine".into());
    let (mut app, _) = loaded_as(session, vec![own("old", "ci")]);
    let proof = rotate_to_new(&mut app);
    let _ = app.update(done(Outcome::Proved {
        req: proof,
        result: Ok(7),
    }));
    let _ = act(&mut app, Action::Copy);
    let _ = app.update(Msg::Copied {
        result: Ok("OSC 52".into()),
        secret: true,
    });
    assert!(act(&mut app, Action::Confirm).is_empty());
    let effects = act(&mut app, Action::Confirm);
    assert!(
        matches!(effects.as_slice(), [Effect::Revoke { .. }]),
        "only the revoke"
    );
}
