//! The generate dialog: kind, name and organization; Enter sends exactly one
//! request, however often it is pressed.

use tui_input::Input;

use crate::api::{KeyKind, KeyNote, NewKey};
use crate::keymap::Action;

use super::super::access::{Access, kinds_of};
use super::super::effect::Effect;
use super::super::modal::{Field, GenerateForm, Modal};
use super::super::{App, Tab};
use super::{Cx, Step};

impl App {
    pub(in crate::app) fn open_generate(&mut self) {
        let mut kinds = kinds_of(self.tab);
        if self.session.platform_admin == Some(false) {
            kinds.retain(|k| *k != KeyKind::MultiTenantAdmin);
        }
        let kind = kinds.first().cloned().unwrap_or(KeyKind::User);
        let doubt = match self.access(Action::Generate) {
            Access::Doubtful(why) => Some(why),
            _ => None,
        };
        let mut form = GenerateForm {
            kind,
            kinds,
            field: Field::Name,
            name: Input::default(),
            org_query: Input::default(),
            org_choice: 0,
            orgs: self.orgs.ready().cloned().unwrap_or_default(),
            target: if self.tab == Tab::MultiTenant {
                self.home_target()
            } else {
                self.context_target()
            },
            doubt,
            submitting: None,
            error: None,
        };
        if form.fields().first() == Some(&Field::Kind) {
            form.field = Field::Kind;
        }
        self.modal = Some(Modal::Generate(Box::new(form)));
    }
}

impl GenerateForm {
    pub(super) fn act(&mut self, action: Action, cx: &mut Cx<'_>) -> Step {
        if self.submitting.is_some() {
            // Exactly one key, however often Enter is pressed.
            return Step::stay();
        }
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        match action {
            Action::Cancel => return Step::close(),
            Action::NextField => self.field = fields[(at + 1) % fields.len()],
            Action::PrevField => self.field = fields[(at + fields.len() - 1) % fields.len()],
            Action::Up | Action::Down => self.change(action == Action::Up),
            Action::Confirm => return self.submit(cx),
            _ => {}
        }
        Step::stay()
    }

    /// Up and down: the next kind, or the next organization match.
    fn change(&mut self, up: bool) {
        match self.field {
            Field::Kind => {
                let i = self.kinds.iter().position(|k| *k == self.kind).unwrap_or(0);
                self.kind = self.kinds[(i + 1) % self.kinds.len()].clone();
            }
            Field::Organization => {
                let count = self.matches().len();
                if count > 0 {
                    self.org_choice = if up {
                        (self.org_choice + count - 1) % count
                    } else {
                        (self.org_choice + 1) % count
                    };
                }
            }
            Field::Name => {}
        }
    }

    fn submit(&mut self, cx: &mut Cx<'_>) -> Step {
        let name = self.name.value().trim().to_string();
        if name.is_empty() {
            self.error = Some("a name is required: say what the key is for".into());
            self.field = Field::Name;
            return Step::stay();
        }
        if self.kind == KeyKind::Organization && self.chosen_org().is_none() {
            self.error = Some("choose the organization the key is for".into());
            self.field = Field::Organization;
            return Step::stay();
        }
        let organization_id = if self.needs_org() {
            self.chosen_org().map(|o| o.id.clone())
        } else {
            None
        };
        let spec = NewKey {
            name,
            kind: self.kind.clone(),
            organization_id,
        };
        let req = cx.req();
        self.submitting = Some(req);
        Step::stay().with_effects(vec![Effect::Generate {
            req,
            target: self.target.clone(),
            spec,
            note: KeyNote::default(),
        }])
    }
}
