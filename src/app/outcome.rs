//! The worker's answers, routed by the request id they answer: an answer no
//! pane or dialog is waiting for any more is dropped.

use crate::api::{ApiError, KeyInfo, NewSecret, Revocation};
use crate::sanitize::display;

use super::access::Attempt;
use super::dialogs::Cx;
use super::effect::Effect;
use super::explain::{explain, unauthorized};
use super::modal::{Modal, Reveal};
use super::msg::{Outcome, ReqId};
use super::{App, Loadable, Status, TcPanel};

impl App {
    #[must_use]
    pub(super) fn on_outcome(&mut self, outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::KeysPage {
                req,
                keys,
                total_pages,
                total_keys,
                ..
            } => {
                for pane in self.panes_mut() {
                    if pane.listing.answers(req) {
                        pane.take_page(&keys, total_pages, total_keys);
                    }
                }
            }
            Outcome::KeysDone { req, result } => return self.on_keys_done(req, &result),
            Outcome::Orgs { req, result } => {
                if self.orgs.answers(req) {
                    self.orgs = match result {
                        Ok(orgs) => Loadable::Ready(orgs),
                        Err(error) => Loadable::Failed(error.to_string()),
                    };
                }
            }
            Outcome::Managed { req, result } => {
                if self.managed.answers(req) {
                    self.managed = match result {
                        Ok(orgs) => Loadable::Ready(orgs),
                        Err(ApiError::Forbidden { .. }) => {
                            Loadable::Failed("not available to this key (403)".to_string())
                        }
                        Err(other) => Loadable::Failed(other.to_string()),
                    };
                    return self.inventory_after_tenants();
                }
            }
            Outcome::InventoryPlace {
                req,
                tenant,
                result,
            } => self.on_inventory_place(req, tenant, result),
            Outcome::InventoryProgress {
                req,
                requests,
                budgets,
            } => self.on_inventory_progress(req, requests, budgets),
            Outcome::InventoryDone { req } => self.on_inventory_done(req),
            Outcome::Exported { path, result } => {
                let path = display(&path, 60);
                self.status = match result {
                    Ok(rows) => Status::ok(format!(
                        "wrote {rows} rows to {path} (metadata only, readable by you alone)"
                    )),
                    Err(why) => Status::error(format!("could not write {path}: {why}")),
                };
            }
            Outcome::Generated { req, result } => {
                if matches!(self.modal, Some(Modal::Rotate(_))) {
                    return self.on_rotation_generated(req, result);
                }
                return self.on_generated(req, result);
            }
            Outcome::Proved { req, result } => self.on_proved(req, result),
            Outcome::Revoked { req, id, result } => return self.on_revoked(req, &id, result),
            Outcome::Tc { req, result } => {
                if matches!(self.tc, TcPanel::Loading(r) if r == req) {
                    self.status = match &result {
                        Ok(facts) if facts.credentials_valid => Status::ok(format!(
                            "Threat Command credentials work (answered in {} ms)",
                            facts.tested_in_ms
                        )),
                        Ok(facts) => Status::error(format!(
                            "Threat Command refused the credentials (answered in {} ms)",
                            facts.tested_in_ms
                        )),
                        Err(why) => Status::error(format!("Threat Command: {}", display(why, 200))),
                    };
                    self.tc = match result {
                        Ok(facts) => TcPanel::Loaded(facts),
                        Err(why) => TcPanel::Failed(why),
                    };
                }
            }
            Outcome::Budget { remaining, limit } => self.budget = Some((remaining, limit)),
            Outcome::BudgetWait { region, left } => {
                self.budget_wait = (left > 0).then_some((region, left));
            }
            Outcome::AuditJournal { req, ops, note } => self.on_audit_journal(req, ops, note),
            Outcome::AuditEvents { req, events } => self.on_audit_events(req, events),
            Outcome::AuditDone { req, result } => self.on_audit_done(req, &result),
            Outcome::Identity {
                email,
                platform_admin,
            } => {
                self.session.owner = Some(email);
                self.session.platform_admin = platform_admin;
            }
        }
        Vec::new()
    }

    /// A listing finished: sorts get ready, and a failure is shown (a 401
    /// with how to fix it, or what a revoke just did to the console's key).
    #[must_use]
    fn on_keys_done(&mut self, req: ReqId, result: &Result<(), ApiError>) -> Vec<Effect> {
        let mut answered = false;
        let failure = result.as_ref().err().map(|e| explain("list keys", None, e));
        for pane in self.panes_mut() {
            if pane.listing.answers(req) {
                answered = true;
                pane.listing.finish(failure.clone().map_or(Ok(()), Err));
                pane.table.prepare_sorts();
            }
        }
        if let (true, Err(ApiError::Unauthorized { .. })) = (answered, result) {
            self.modal = Some(self.unauthorized_message());
        }
        Vec::new()
    }

    /// What to say about a 401: how to fix the key or region, or, right
    /// after a revoke, that the revoked key may have been this console's own.
    fn unauthorized_message(&self) -> Modal {
        let region = self.context_target().region;
        if let Some(revoked) = &self.last_revoked {
            let name = display(revoked.name.as_deref().unwrap_or("-"), 40);
            let body = if self.is_own_key(revoked) {
                format!(
                    "You revoked \"{name}\", the key this console runs as, so the platform \
                     now refuses every request (401). Nothing else is wrong: quit and start \
                     r7keys with another key."
                )
            } else {
                format!(
                    "The platform now refuses this console's key (401). You revoked \"{name}\" \
                     a moment ago: if that was the key this console runs as, that is why. \
                     Quit and start r7keys with another key."
                )
            };
            return Modal::error("The console's key no longer works", body);
        }
        let mut body = unauthorized(region);
        if let Some(tenant) = &self.tenant {
            let name = display(tenant.name.as_deref().unwrap_or(&tenant.id), 40);
            body.push_str("\n\nThe tenant in focus (");
            body.push_str(&name);
            body.push_str(
                ") is reached only with a multi-tenant key: press o and choose home to go back.",
            );
        }
        Modal::error("Authentication failed", body)
    }

    #[must_use]
    fn on_generated(
        &mut self,
        req: ReqId,
        result: Result<(KeyInfo, NewSecret), ApiError>,
    ) -> Vec<Effect> {
        let Some(Modal::Generate(form)) = &mut self.modal else {
            return Vec::new();
        };
        if form.submitting != Some(req) {
            return Vec::new();
        }
        let kind = form.kind.clone();
        match result {
            Ok((info, secret)) => {
                self.learned.allowed(Attempt::Generate(kind));
                for pane in self.panes_mut() {
                    if pane.holds.takes(&info.kind) && pane.listing.req.is_some() {
                        pane.table.insert(info.clone());
                    }
                }
                self.modal = Some(Modal::Reveal(Box::new(Reveal {
                    info,
                    secret,
                    shown: false,
                    copied: None,
                    confirm_leave: false,
                })));
                Vec::new()
            }
            Err(
                error @ (ApiError::LostSecret { .. }
                | ApiError::OutcomeUnknown { .. }
                | ApiError::NotCreated { .. }),
            ) => {
                let (title, advice) = match &error {
                    ApiError::LostSecret { .. } => (
                        "The key was created, but its secret was lost",
                        "Select it in the list (reloaded now) and press x to revoke it.",
                    ),
                    ApiError::NotCreated { .. } => (
                        "The key was most likely not created",
                        "The list is reloaded now; if the key shows up later, revoke it.",
                    ),
                    _ => (
                        "The key may have been created",
                        "Look for it in the list (reloaded now) and revoke it.",
                    ),
                };
                self.modal = Some(Modal::error(title, format!("{error}\n\n{advice}")));
                self.load_context()
            }
            Err(error) => {
                if let ApiError::Forbidden { message } = &error {
                    self.learned
                        .refused(Attempt::Generate(kind.clone()), message);
                }
                form.submitting = None;
                form.error = Some(explain("generate", Some(&kind), &error));
                Vec::new()
            }
        }
    }

    #[must_use]
    fn on_revoked(
        &mut self,
        req: ReqId,
        id: &str,
        result: Result<Revocation, ApiError>,
    ) -> Vec<Effect> {
        if self.on_rotation_revoked(req, result.as_ref().map(|_| ())) {
            return Vec::new();
        }
        match &mut self.modal {
            Some(Modal::Revoke(confirm)) if confirm.submitting == Some(req) => {}
            Some(Modal::BulkRevoke(bulk)) if bulk.current.is_some_and(|(r, _)| r == req) => {
                return self.on_bulk_revoked(id, &result);
            }
            _ => return Vec::new(),
        }
        let Some(Modal::Revoke(confirm)) = &mut self.modal else {
            return Vec::new();
        };
        let key = confirm.key.clone();
        let name = display(key.name.as_deref().unwrap_or(""), 40);
        let theirs = !self
            .session
            .owner
            .as_deref()
            .zip(key.owner_email.as_deref())
            .is_some_and(|(me, owner)| me.eq_ignore_ascii_case(owner));
        match result {
            Ok(outcome) => {
                if theirs {
                    self.learned
                        .allowed(Attempt::RevokeOthers(key.kind.clone()));
                }
                self.forget_key(id);
                self.status = Status::ok(match outcome {
                    Revocation::Revoked => format!("revoked {name}"),
                    Revocation::AlreadyGone => format!("{name} was already revoked"),
                });
                self.last_revoked = Some(key);
                self.modal = None;
            }
            Err(error) => {
                if let (ApiError::Forbidden { message }, true) = (&error, theirs) {
                    self.learned
                        .refused(Attempt::RevokeOthers(key.kind.clone()), message);
                }
                confirm.submitting = None;
                confirm.error = Some(explain("revoke", Some(&key.kind), &error));
            }
        }
        Vec::new()
    }

    /// One key of a bulk revoke answered: note it, then the next.
    #[must_use]
    fn on_bulk_revoked(&mut self, id: &str, result: &Result<Revocation, ApiError>) -> Vec<Effect> {
        if result.is_ok() {
            self.forget_key(id);
        }
        let App {
            modal,
            next_req,
            session,
            ..
        } = self;
        let Some(Modal::BulkRevoke(bulk)) = modal.as_mut() else {
            return Vec::new();
        };
        if let Some((_, at)) = bulk.current.take() {
            if let Some(item) = bulk.items.get_mut(at) {
                item.outcome = Some(match result {
                    Ok(_) => Ok(()),
                    Err(error) => Err(explain("revoke", Some(&item.key.kind), error)),
                });
            }
        }
        let mut cx = Cx::new(next_req, session);
        let effects = bulk.next(&mut cx);
        if bulk.finished() {
            let (revoked, failed) = bulk.tally();
            self.status = if failed == 0 {
                Status::ok(format!("revoked {revoked} keys"))
            } else {
                Status::error(format!(
                    "revoked {revoked} keys; {failed} failed (see the list)"
                ))
            };
        }
        effects
    }
}
