//! The revoke confirmations: one key (`y`, or its name typed for keys that
//! act for a whole organization or reach into tenants, and for the key the
//! console runs as), or the marked keys (their count typed), revoked one
//! request after another.

use crate::api::KeyNote;
use crate::keymap::Action;

use super::super::Status;
use super::super::effect::Effect;
use super::super::modal::{BulkRevoke, RevokeConfirm};
use super::{Cx, Step};

impl RevokeConfirm {
    pub(super) fn act(&mut self, action: Action, cx: &mut Cx<'_>) -> Step {
        if self.submitting.is_some() {
            return Step::stay();
        }
        match action {
            Action::Cancel => Step::close().saying(Status::ok("revoke declined: nothing changed")),
            Action::Confirm if self.needs_typed_name() && !self.typed_matches() => {
                self.error = Some("the name does not match: type the key's name exactly".into());
                Step::stay()
            }
            Action::Confirm => {
                let Some(id) = self.key.id.clone() else {
                    self.error = Some(
                        "the server gave this key no id: it cannot be revoked from here".into(),
                    );
                    return Step::stay();
                };
                let req = cx.req();
                self.submitting = Some(req);
                Step::stay().with_effects(vec![Effect::Revoke {
                    req,
                    target: self.target.clone(),
                    id,
                    note: KeyNote::of(&self.key),
                }])
            }
            _ => Step::stay(),
        }
    }
}

impl BulkRevoke {
    pub(super) fn act(&mut self, action: Action, cx: &mut Cx<'_>) -> Step {
        if self.finished() {
            return match action {
                Action::Cancel | Action::Confirm => Step::close(),
                _ => Step::stay(),
            };
        }
        if self.started() {
            // Requests under way are seen through; each is reported.
            return Step::stay();
        }
        match action {
            Action::Cancel => Step::close().saying(Status::ok("revoke declined: nothing changed")),
            Action::Confirm if !self.typed_matches() => {
                self.error = Some(format!(
                    "type {} (how many keys) to revoke them",
                    self.items.len()
                ));
                Step::stay()
            }
            Action::Confirm => Step::stay().with_effects(self.next(cx)),
            _ => Step::stay(),
        }
    }

    /// The revoke of the next key not yet done, if any.
    pub fn next(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        let Some(at) = self.items.iter().position(|i| i.outcome.is_none()) else {
            self.current = None;
            return Vec::new();
        };
        let item = &mut self.items[at];
        let Some(id) = item.key.id.clone() else {
            item.outcome = Some(Err("it has no id".into()));
            return self.next(cx);
        };
        let req = cx.req();
        self.current = Some((req, at));
        vec![Effect::Revoke {
            req,
            target: item.target.clone(),
            id,
            note: KeyNote::of(&item.key),
        }]
    }
}
