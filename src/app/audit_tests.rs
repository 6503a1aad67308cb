//! Reducer tests of the Audit tab: what it asks the worker for, how the
//! platform's pages and the journal meet, and its keys.

use time::{Duration, OffsetDateTime};

use super::audit::{JournalOp, TrailState, journal_ops};
use super::effect::Effect;
use super::modal::Modal;
use super::msg::{Outcome, ReqId};
use super::tests::{act, done, key, loaded, status, type_text};
use super::{App, Tab};
use crate::api::journal::{self, Entry, Phase};
use crate::api::{ApiError, AuditAction, AuditEvent, KeyKind};
use crate::keymap::Action;

fn at(minutes: i64) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::minutes(minutes)
}

fn event(action: AuditAction, id: &str, name: &str, minutes: i64) -> AuditEvent {
    AuditEvent {
        at: Some(at(minutes)),
        action,
        wire_action: "API_KEY_CREATED".into(),
        actor_id: None,
        actor_email: Some("alice@example.com".into()),
        actor_name: None,
        organization_id: Some("org-1".into()),
        key_id: Some(id.into()),
        key_name: Some(name.into()),
        key_kind: Some(KeyKind::User),
        product: None,
        log_id: None,
        sequence: None,
        tenant: None,
    }
}

/// A journal generate of `name` (`id`) by profile `test` at region us.
fn journaled(op: &str, id: &str, name: &str, minutes: i64, outcome: Option<&str>) -> Vec<Entry> {
    let stamp = |mut entry: Entry| {
        entry.time = at(minutes)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        entry.profile = Some("test".into());
        entry.region = Some("us".into());
        entry.name = Some(name.into());
        entry
    };
    let mut lines = vec![stamp(Entry::new(
        op,
        Phase::Intent,
        journal::Action::Generate,
    ))];
    if let Some(outcome) = outcome {
        let mut line = stamp(Entry::new(op, Phase::Outcome, journal::Action::Generate));
        line.key_id = Some(id.into());
        line.outcome = Some(outcome.into());
        lines.push(line);
    }
    lines
}

/// Opens the Audit tab; answers the read it asked for.
fn open(app: &mut App) -> ReqId {
    let effects = act(app, Action::TabAudit);
    assert_eq!(app.tab, Tab::Audit);
    match effects.as_slice() {
        [Effect::LoadAudit { req, target, from }] => {
            assert_eq!(*target, app.context_target());
            assert_eq!(*from, OffsetDateTime::UNIX_EPOCH - Duration::days(30));
            *req
        }
        _ => panic!("one LoadAudit, got {} effects", effects.len()),
    }
}

fn journal(app: &mut App, req: ReqId, ops: Vec<JournalOp>) {
    assert!(
        app.update(done(Outcome::AuditJournal {
            req,
            ops,
            note: None
        }))
        .is_empty()
    );
}

fn events(app: &mut App, req: ReqId, events: Vec<AuditEvent>) {
    assert!(
        app.update(done(Outcome::AuditEvents { req, events }))
            .is_empty()
    );
}

fn finish(app: &mut App, req: ReqId, result: Result<(Option<String>, u32), ApiError>) {
    assert!(
        app.update(done(Outcome::AuditDone { req, result }))
            .is_empty()
    );
}

#[test]
fn tab_6_reads_the_trail_once_and_r_reads_it_again_cancelling_a_read_under_way() {
    let (mut app, _) = loaded(vec![]);
    let first = open(&mut app);
    // Back and forth: the trail of this context is on screen, no new read.
    assert!(act(&mut app, Action::TabUser).is_empty());
    assert!(act(&mut app, Action::TabAudit).is_empty());
    let effects = act(&mut app, Action::Refresh);
    let [
        Effect::Cancel { req: cancelled },
        Effect::LoadAudit { req: second, .. },
    ] = effects.as_slice()
    else {
        panic!("a cancel of the stale read, then a new read");
    };
    assert_eq!(*cancelled, first);
    // A page of the stale read is dropped.
    events(
        &mut app,
        first,
        vec![event(AuditAction::Generate, "k1", "ci", 60)],
    );
    assert_eq!(app.audit.total(), 0);
    events(
        &mut app,
        *second,
        vec![event(AuditAction::Generate, "k1", "ci", 60)],
    );
    assert_eq!(app.audit.total(), 1);
    finish(&mut app, *second, Ok((None, 3)));
    // A finished read is not cancelled by the next refresh.
    let effects = act(&mut app, Action::Refresh);
    assert!(matches!(effects.as_slice(), [Effect::LoadAudit { .. }]));
}

#[test]
fn events_stream_in_newest_first_beside_the_journal() {
    let (mut app, _) = loaded(vec![]);
    let req = open(&mut app);
    journal(
        &mut app,
        req,
        journal_ops(&journaled("op1", "k2", "mine", 90, Some("ok"))),
    );
    events(
        &mut app,
        req,
        vec![event(AuditAction::Generate, "k1", "older", 30)],
    );
    events(
        &mut app,
        req,
        vec![event(AuditAction::Revoke, "k3", "newest", 120)],
    );
    assert_eq!(app.audit.state, TrailState::Reading);
    let names: Vec<_> = app
        .audit
        .window(0, 10)
        .map(|r| (r.source.label(), r.key_name.clone().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("platform", "newest".to_string()),
            ("journal", "mine".to_string()),
            ("platform", "older".to_string())
        ]
    );
}

#[test]
fn a_journal_generate_without_its_platform_event_is_marked_only_once_the_trail_is_whole() {
    let (mut app, _) = loaded(vec![]);
    let req = open(&mut app);
    let mut lines = journaled("op1", "k1", "logged", 60, Some(journal::outcome::OK));
    lines.extend(journaled(
        "op2",
        "k2",
        "missing",
        70,
        Some(journal::outcome::OK),
    ));
    lines.extend(journaled("op3", "-", "crashed", 80, None));
    lines.extend(journaled(
        "op4",
        "k4",
        "refused",
        85,
        Some(journal::outcome::FAILED),
    ));
    journal(&mut app, req, journal_ops(&lines));
    // The platform logged op1's generate, 3 minutes later by its clock.
    events(
        &mut app,
        req,
        vec![event(AuditAction::Generate, "K1", "logged", 63)],
    );
    assert_eq!(app.audit.unmatched(), 0, "not before the trail is whole");
    finish(&mut app, req, Ok((None, 2)));
    let unmatched: Vec<_> = app
        .audit
        .window(0, 10)
        .filter(|r| r.unmatched)
        .map(|r| r.key_name.clone().unwrap())
        .collect();
    // A refused generate made nothing: no event is expected of it.
    assert_eq!(unmatched, ["crashed", "missing"]);
    type_text_filter(&mut app, "flag:unmatched");
    assert_eq!(app.audit.len(), 2);
}

fn type_text_filter(app: &mut App, text: &str) {
    assert!(act(app, Action::Filter).is_empty());
    type_text(app, text);
    assert!(act(app, Action::Confirm).is_empty());
}

#[test]
fn a_trail_that_stops_short_marks_nothing_and_says_why() {
    let (mut app, _) = loaded(vec![]);
    let req = open(&mut app);
    journal(
        &mut app,
        req,
        journal_ops(&journaled("op1", "k2", "x", 60, Some("ok"))),
    );
    finish(
        &mut app,
        req,
        Ok((Some("the page bound (200) was reached".into()), 201)),
    );
    assert_eq!(app.audit.unmatched(), 0);
    assert!(matches!(&app.audit.state, TrailState::Incomplete(why) if why.contains("page bound")));
}

#[test]
fn a_403_says_which_keys_may_read_the_audit_logs() {
    let (mut app, _) = loaded(vec![]);
    let req = open(&mut app);
    finish(
        &mut app,
        req,
        Err(ApiError::Forbidden {
            message: "Forbidden\u{1b}[31m".into(),
        }),
    );
    let TrailState::Failed(why) = &app.audit.state else {
        panic!("failed");
    };
    assert!(why.contains("403"), "{why}");
    assert!(
        why.contains("organization key or a Platform Administrator's user key"),
        "{why}"
    );
    assert!(!why.contains('\u{1b}'), "server text is sanitized: {why:?}");
}

#[test]
fn the_filter_takes_words_and_field_terms() {
    let (mut app, _) = loaded(vec![]);
    let req = open(&mut app);
    journal(
        &mut app,
        req,
        journal_ops(&journaled("op1", "k9", "ci-deploy", 50, Some("ok"))),
    );
    events(
        &mut app,
        req,
        vec![
            event(AuditAction::Generate, "k1", "ci-deploy", 10),
            event(AuditAction::Revoke, "k1", "ci-deploy", 20),
            event(AuditAction::Generate, "k2", "siem", 30),
        ],
    );
    finish(&mut app, req, Ok((None, 2)));
    for (filter, rows) in [
        ("ci", 3),
        ("action:revoke", 1),
        ("source:journal", 1),
        ("key:k1", 2),
        ("by:alice", 3),
        ("siem action:generate", 1),
        ("nothing-like-this", 0),
    ] {
        type_text_filter(&mut app, filter);
        assert_eq!(app.audit.len(), rows, "/{filter}");
        assert!(act(&mut app, Action::ClearFilter).is_empty());
        assert_eq!(app.audit.len(), 4, "esc clears /{filter}");
    }
}

#[test]
fn enter_opens_the_key_on_its_tab_or_says_it_is_gone() {
    let (mut app, _) = loaded(vec![key("k1", "ci", KeyKind::User)]);
    let req = open(&mut app);
    events(
        &mut app,
        req,
        vec![
            event(AuditAction::Generate, "K1", "ci", 20),
            event(AuditAction::Revoke, "gone", "old", 10),
        ],
    );
    finish(&mut app, req, Ok((None, 2)));
    assert!(act(&mut app, Action::Down).is_empty());
    assert!(act(&mut app, Action::Details).is_empty());
    assert_eq!(app.tab, Tab::Audit);
    assert!(
        status(&app).contains("not listed here now"),
        "{}",
        status(&app)
    );
    assert!(act(&mut app, Action::Up).is_empty());
    assert!(act(&mut app, Action::Details).is_empty());
    assert_eq!(app.tab, Tab::User);
    assert!(matches!(&app.modal, Some(Modal::Details(k)) if k.id.as_deref() == Some("k1")));
}

#[test]
fn mutations_are_refused_on_the_trail_with_a_reason() {
    let (mut app, _) = loaded(vec![key("k1", "ci", KeyKind::User)]);
    let _ = open(&mut app);
    for action in [Action::Generate, Action::Revoke, Action::Rotate] {
        assert!(act(&mut app, action).is_empty());
        assert!(app.modal.is_none(), "{action:?} opens nothing");
        assert!(
            status(&app).contains("read-only"),
            "{action:?}: {}",
            status(&app)
        );
    }
}

#[test]
fn the_journal_of_another_profile_or_context_stays_out() {
    let (mut app, _) = loaded(vec![]);
    let req = open(&mut app);
    let mut lines = journaled("op1", "k1", "here", 10, Some("ok"));
    let mut other_profile = journaled("op2", "k2", "other-profile", 10, Some("ok"));
    for line in &mut other_profile {
        line.profile = Some("prod".into());
    }
    let mut other_region = journaled("op3", "k3", "other-region", 10, Some("ok"));
    for line in &mut other_region {
        line.region = Some("eu".into());
    }
    let mut tenant = journaled("op4", "k4", "in-a-tenant", 10, Some("ok"));
    for line in &mut tenant {
        line.tenant = Some("t-1".into());
    }
    lines.extend(other_profile);
    lines.extend(other_region);
    lines.extend(tenant);
    journal(&mut app, req, journal_ops(&lines));
    let names: Vec<_> = app
        .audit
        .window(0, 10)
        .filter_map(|r| r.key_name.clone())
        .collect();
    assert_eq!(names, ["here"]);
}
