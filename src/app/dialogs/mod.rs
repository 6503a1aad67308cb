//! The dialogs' behaviour. A dialog handles a key with the dialog borrowed
//! in place (never taken out and put back) and answers a [`Step`]: whether
//! it stays, closes or is replaced by another dialog, the effects to run,
//! and what to say in the status line. What a dialog needs from the rest of
//! the console comes in a [`Cx`].

mod generate;
mod reveal;
mod revoke;
mod tenants;

use tui_input::InputRequest;

use crate::keymap::Action;

use super::effect::Effect;
use super::modal::{Field, Modal};
use super::msg::ReqId;
use super::{App, Session, Status};

/// What becomes of the dialog.
pub enum Flow {
    Stay,
    Close,
    Replace(Modal),
}

/// A dialog's answer to a key.
pub struct Step {
    pub flow: Flow,
    pub effects: Vec<Effect>,
    pub status: Option<Status>,
}

impl Step {
    pub fn stay() -> Step {
        Step {
            flow: Flow::Stay,
            effects: Vec::new(),
            status: None,
        }
    }

    pub fn close() -> Step {
        Step {
            flow: Flow::Close,
            ..Step::stay()
        }
    }

    pub fn replace(modal: Modal) -> Step {
        Step {
            flow: Flow::Replace(modal),
            ..Step::stay()
        }
    }

    #[must_use]
    pub fn with_effects(mut self, effects: Vec<Effect>) -> Step {
        self.effects = effects;
        self
    }

    #[must_use]
    pub fn saying(mut self, status: Option<Status>) -> Step {
        self.status = status;
        self
    }
}

/// What a dialog may use of the console while it handles a key.
pub struct Cx<'a> {
    next_req: &'a mut ReqId,
    pub session: &'a Session,
}

impl<'a> Cx<'a> {
    pub(in crate::app) fn new(next_req: &'a mut ReqId, session: &'a Session) -> Cx<'a> {
        Cx { next_req, session }
    }

    /// A new request id.
    pub fn req(&mut self) -> ReqId {
        *self.next_req += 1;
        *self.next_req
    }
}

impl App {
    /// A key for the open dialog.
    #[must_use]
    pub(super) fn dialog_action(&mut self, action: Action) -> Vec<Effect> {
        let step = {
            let App {
                modal,
                next_req,
                session,
                ..
            } = self;
            let mut cx = Cx { next_req, session };
            match modal.as_mut() {
                None => return Vec::new(),
                Some(Modal::Help | Modal::Message { .. }) => {
                    if matches!(action, Action::Cancel | Action::Confirm) {
                        Step::close()
                    } else {
                        Step::stay()
                    }
                }
                Some(Modal::Details(_)) => match action {
                    Action::Cancel => Step::close(),
                    _ => Step::stay(),
                },
                Some(Modal::Generate(form)) => form.act(action, &mut cx),
                Some(Modal::Reveal(reveal)) => reveal.act(action, &cx),
                Some(Modal::Revoke(confirm)) => confirm.act(action, &mut cx),
                Some(Modal::BulkRevoke(bulk)) => bulk.act(action, &mut cx),
                Some(Modal::Rotate(rotation)) => rotation.act(action, &mut cx),
                Some(Modal::Tenants(_)) => return self.tenant_action(action),
                Some(Modal::Export { .. }) => return self.export_action(action),
            }
        };
        // Revoke from the details dialog opens the confirmation, if open.
        if matches!(self.modal, Some(Modal::Details(_))) && action == Action::Revoke {
            if self.access(Action::Revoke).reason().is_none() {
                self.open_revoke();
            }
            return Vec::new();
        }
        self.apply(step)
    }

    /// Carries out a dialog's step.
    #[must_use]
    pub(super) fn apply(&mut self, step: Step) -> Vec<Effect> {
        match step.flow {
            Flow::Stay => {}
            Flow::Close => self.modal = None,
            Flow::Replace(modal) => self.modal = Some(modal),
        }
        if step.status.is_some() {
            self.status = step.status;
        }
        step.effects
    }

    /// Text typed into the field in focus: the filter bar or a dialog's.
    pub(super) fn on_text(&mut self, request: InputRequest) {
        if let Some(Modal::Tenants(picker)) = &mut self.modal {
            picker.query.handle(request);
            let query = picker.query.value().to_string();
            // The cursor follows the first match, not home.
            let first_match =
                usize::from(!query.is_empty() && self.tenant_choices(&query).len() > 1);
            if let Some(Modal::Tenants(picker)) = &mut self.modal {
                picker.choice = first_match;
            }
            return;
        }
        if let Some(input) = &mut self.filter_input {
            input.handle(request);
            let value = input.value().to_string();
            self.set_filter(&value);
            return;
        }
        match &mut self.modal {
            Some(Modal::Generate(form)) if form.submitting.is_none() => {
                match form.field {
                    Field::Name => {
                        form.name.handle(request);
                    }
                    Field::Organization => {
                        form.org_query.handle(request);
                        form.org_choice = 0;
                    }
                    Field::Kind => {}
                }
                form.error = None;
            }
            Some(Modal::Revoke(confirm)) if confirm.submitting.is_none() => {
                confirm.typed.handle(request);
            }
            Some(Modal::Export { path, error }) => {
                path.handle(request);
                *error = None;
            }
            Some(Modal::Rotate(rotation)) => match &mut rotation.stage {
                crate::app::rotate::Stage::Plan => {
                    rotation.name.handle(request);
                    rotation.error = None;
                }
                crate::app::rotate::Stage::Retire { typed, .. } => {
                    typed.handle(request);
                    rotation.error = None;
                }
                _ => {}
            },
            Some(Modal::BulkRevoke(bulk)) if !bulk.started() => {
                bulk.typed.handle(request);
                bulk.error = None;
            }
            _ => {}
        }
    }
}
