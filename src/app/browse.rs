//! Keys on the tables (the browse layer): moving, tabs, filter and sort,
//! marks, and opening the dialogs. Whether an action is open is asked of
//! [`App::access`]; a refusal is said in the status line.

use tui_input::Input;

use crate::keymap::Action;
use crate::sanitize::display;

use super::access::Access;
use super::effect::Effect;
use super::modal::{BulkItem, BulkRevoke, Modal, TenantPicker};
use super::{App, Status, Tab};

impl App {
    /// Says why an action is not open; answers whether to go on anyway (a
    /// doubtful action pressed a second time in a row).
    fn allowed(&mut self, action: Action) -> bool {
        let access = self.access(action);
        let again = self.doubted == Some((self.tab, action));
        self.doubted = None;
        match access {
            Access::Open => true,
            Access::Doubtful(_) if again => true,
            Access::Doubtful(why) => {
                let key = self
                    .keymap
                    .key_for(crate::keymap::Layer::Browse, action)
                    .unwrap_or_default();
                self.status = Status::error(format!(
                    "{why}; press {key} again to ask the platform anyway"
                ));
                self.doubted = Some((self.tab, action));
                false
            }
            Access::Refused(why) => {
                self.status = Status::error(why);
                false
            }
        }
    }

    #[must_use]
    pub(super) fn browse(&mut self, action: Action) -> Vec<Effect> {
        if self.tab == Tab::Audit {
            if let Some(effects) = self.audit_action(action) {
                return effects;
            }
        }
        let guarded = matches!(
            action,
            Action::Generate
                | Action::Revoke
                | Action::Rotate
                | Action::ChooseTenant
                | Action::CopyId
                | Action::Mark
        );
        if guarded && !self.allowed(action) {
            return Vec::new();
        }
        if !guarded {
            self.doubted = None;
        }
        let page = isize::try_from(self.viewport()).unwrap_or(1);
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Help => self.modal = Some(Modal::Help),
            Action::NextTab => return self.select_tab(self.tab.step(1)),
            Action::PrevTab => return self.select_tab(self.tab.step(-1)),
            Action::TabUser => return self.select_tab(Tab::User),
            Action::TabOrganization => return self.select_tab(Tab::Organization),
            Action::TabMultiTenant => return self.select_tab(Tab::MultiTenant),
            Action::TabThreatCommand => return self.select_tab(Tab::ThreatCommand),
            Action::TabInventory => return self.select_tab(Tab::Inventory),
            Action::TabAudit => return self.select_tab(Tab::Audit),
            Action::CycleFlag => self.cycle_flag(),
            Action::Export if self.tab == Tab::Inventory => {
                self.modal = Some(Modal::Export {
                    path: Input::new("r7keys-inventory.csv".into()),
                    error: None,
                });
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::TenantsUp => self.managed_offset = self.managed_offset.saturating_sub(1),
            Action::TenantsDown => self.scroll_managed(),
            Action::Filter if self.table().is_some() || self.tab == Tab::Audit => {
                let current = match self.table() {
                    Some(table) => table.filter().to_string(),
                    None => self.audit.filter_text().to_string(),
                };
                self.filter_input = Some(Input::new(current));
            }
            Action::ClearFilter => self.clear_filter_or_marks(),
            Action::NextSort => {
                let single_kind = self.tab != Tab::MultiTenant;
                if let Some(pane) = self.pane_mut() {
                    pane.table.next_sort(single_kind);
                }
            }
            Action::ReverseSort => {
                if let Some(pane) = self.pane_mut() {
                    pane.table.reverse_sort();
                }
            }
            Action::Details => {
                if let Some(key) = self.selected_key() {
                    self.modal = Some(Modal::Details(Box::new(key.clone())));
                }
            }
            Action::Refresh => return self.refresh(),
            Action::TestCredentials if self.tab == Tab::ThreatCommand => return self.load_tc(),
            Action::Generate => self.open_generate(),
            Action::Revoke => self.open_revoke(),
            Action::ChooseTenant => {
                self.modal = Some(Modal::Tenants(TenantPicker {
                    query: Input::default(),
                    choice: 0,
                }));
            }
            Action::CopyId => return self.copy_id(),
            Action::Rotate => self.open_rotate(),
            Action::Mark => self.toggle_mark(),
            _ => {}
        }
        Vec::new()
    }

    fn move_by(&mut self, delta: isize) {
        if let Some(pane) = self.pane_mut() {
            pane.table.move_by(delta);
        }
    }

    /// The managed organizations list scrolls while there is more below.
    fn scroll_managed(&mut self) {
        let count = self.managed.ready().map_or(0, Vec::len);
        if self.managed_offset + 1 < count {
            self.managed_offset += 1;
        }
    }

    /// Esc: the filter goes first, then the marks.
    /// Reads the tab's content again (on the inventory, a failed tenant's row
    /// reads only that tenant).
    #[must_use]
    fn refresh(&mut self) -> Vec<Effect> {
        match self.tab {
            Tab::ThreatCommand => self.load_tc(),
            Tab::MultiTenant => self.load_multi_tenant(),
            Tab::Inventory => match self.selected_unreachable() {
                Some(failure) => self.retry_place(&failure),
                None => self.load_inventory(),
            },
            Tab::User | Tab::Organization => self.load_context(),
            Tab::Audit => self.load_audit(),
        }
    }

    fn clear_filter_or_marks(&mut self) {
        let now = self.now;
        let Some(pane) = self.pane_mut() else {
            return;
        };
        if !pane.table.filter().is_empty() {
            pane.table.set_filter("", now);
        } else if !pane.marked.is_empty() {
            let count = pane.marked.len();
            pane.marked.clear();
            self.status = Status::ok(format!("{count} marks cleared"));
        }
    }

    fn toggle_mark(&mut self) {
        let Some(pane) = self.pane_mut() else {
            return;
        };
        if pane.toggle_mark().is_some() {
            let count = pane.marked.len();
            // Moving on after marking makes a run of marks one key each.
            pane.table.move_by(1);
            self.status = Status::ok(match count {
                0 => "no keys marked".to_string(),
                n => {
                    format!("{n} marked: x revokes them (typing the count to confirm), esc clears")
                }
            });
        }
    }

    /// `y`: the selected key's id on the clipboard (an id is no secret).
    #[must_use]
    fn copy_id(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected_key().and_then(|k| k.id.clone()) else {
            self.status = Status::error("this key has no id to copy");
            return Vec::new();
        };
        vec![Effect::CopyText(id)]
    }

    pub(super) fn open_revoke(&mut self) {
        let marked = self
            .pane()
            .map(super::Pane::marked_keys)
            .unwrap_or_default();
        if !marked.is_empty() {
            let items = marked
                .into_iter()
                .map(|key| BulkItem {
                    target: self.target_for_key(&key),
                    key,
                    outcome: None,
                })
                .collect();
            self.modal = Some(Modal::BulkRevoke(Box::new(BulkRevoke {
                items,
                typed: Input::default(),
                current: None,
                error: None,
            })));
            return;
        }
        let Some(key) = self.selected_key().cloned() else {
            return;
        };
        let doubt = match self.access(Action::Revoke) {
            Access::Doubtful(why) => Some(why),
            _ => None,
        };
        self.modal = Some(Modal::Revoke(Box::new(super::modal::RevokeConfirm {
            target: self.target_for_key(&key),
            own: self.is_own_key(&key),
            key,
            typed: Input::default(),
            doubt,
            submitting: None,
            error: None,
        })));
    }

    /// A copy the runtime made (or could not).
    #[must_use]
    pub(super) fn on_copied(
        &mut self,
        result: Result<String, String>,
        secret: bool,
    ) -> Vec<Effect> {
        if secret {
            let copy = match result {
                Ok(route) => super::modal::Copy::Done(route),
                Err(why) => super::modal::Copy::Failed(why),
            };
            match &mut self.modal {
                Some(Modal::Reveal(reveal)) => reveal.copied = Some(copy),
                Some(Modal::Rotate(rotation)) => {
                    if let super::rotate::Stage::New { copied, .. } = &mut rotation.stage {
                        *copied = Some(copy);
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        let name = self
            .selected_key()
            .map(|k| display(k.name.as_deref().unwrap_or("-"), 40))
            .unwrap_or_default();
        self.status = match result {
            Ok(route) => Status::ok(format!("copied the id of {name} ({route})")),
            Err(why) => Status::error(format!("could not copy the id: {why}")),
        };
        Vec::new()
    }
}
