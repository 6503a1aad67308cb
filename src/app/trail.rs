//! The Audit tab's glue: starting a read of the trail, taking its answers,
//! and the keys that act on it (the rows themselves live in `audit`).

use crate::api::ApiError;
use crate::api::audit::WHO_MAY_READ;
use crate::keymap::Action;
use crate::sanitize::display;

use super::audit::{JournalOp, window_start};
use super::effect::Effect;
use super::modal::Modal;
use super::msg::ReqId;
use super::{App, Status, Tab};

impl App {
    /// (Re)reads the trail of the context in focus, over the last 30 days;
    /// a read still under way is cancelled (its pages would be thrown away).
    #[must_use]
    pub(super) fn load_audit(&mut self) -> Vec<Effect> {
        let req = self.req();
        let target = self.context_target();
        let from = window_start(self.now);
        let mut effects = Vec::new();
        if let Some(stale) = self.audit.restart(req, target.clone(), from) {
            effects.push(Effect::Cancel { req: stale });
        }
        effects.push(Effect::LoadAudit { req, target, from });
        effects
    }

    pub(super) fn on_audit_journal(
        &mut self,
        req: ReqId,
        ops: Vec<JournalOp>,
        note: Option<String>,
    ) {
        if self.audit.answers(req) {
            let profile = self.session.profile.clone();
            self.audit.take_journal(&profile, ops, note);
        }
    }

    pub(super) fn on_audit_events(&mut self, req: ReqId, events: Vec<crate::api::AuditEvent>) {
        if self.audit.answers(req) {
            self.audit.take_events(events);
        }
    }

    pub(super) fn on_audit_done(
        &mut self,
        req: ReqId,
        result: &Result<(Option<String>, u32), ApiError>,
    ) {
        if self.audit.answers(req) {
            self.audit.finish(
                result
                    .as_ref()
                    .map(|(why, requests)| (why.clone(), *requests)),
                WHO_MAY_READ,
            );
        }
    }

    /// Keys of the Audit tab; `None` leaves the action to the common handling.
    #[must_use]
    pub(super) fn audit_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let page = self.viewport().max(1);
        let step = isize::try_from(page).unwrap_or(isize::MAX);
        match action {
            Action::Up => self.audit.move_by(-1, page),
            Action::Down => self.audit.move_by(1, page),
            Action::PageUp => self.audit.move_by(-step, page),
            Action::PageDown => self.audit.move_by(step, page),
            Action::Top => self.audit.move_by(isize::MIN / 2, page),
            Action::Bottom => self.audit.move_by(isize::MAX / 2, page),
            Action::Refresh => return Some(self.load_audit()),
            Action::ClearFilter => self.set_filter(""),
            Action::Details => self.open_audited_key(),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Enter on an event: the key's details on the tab that lists it, if
    /// it is still listed there; else why not.
    fn open_audited_key(&mut self) {
        let Some(row) = self.audit.selected_row() else {
            return;
        };
        let Some(id) = row.key_id.clone() else {
            self.status = Status::error("this event names no key id".to_string());
            return;
        };
        let now = self.now;
        for tab in [
            Tab::User,
            Tab::Organization,
            Tab::MultiTenant,
            Tab::Inventory,
        ] {
            let Some(pane) = self.pane_of_mut(tab) else {
                continue;
            };
            if let Some(key) = pane.table.reveal_id(&id, now) {
                self.tab = tab;
                self.modal = Some(Modal::Details(Box::new(key)));
                return;
            }
        }
        self.status = Status::error(format!(
            "key {} is not listed here now: revoked, or in another context",
            display(&id, 40)
        ));
    }
}
