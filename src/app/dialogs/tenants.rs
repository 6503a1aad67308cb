//! The tenant picker: home first, then the managed organizations matching
//! the search; choosing one puts the user and organization tabs in its
//! context (its region and `R7-Organization-Id`).

use crate::keymap::Action;

use super::super::effect::Effect;
use super::super::modal::Modal;
use super::super::{App, Tab, TenantFocus};

impl App {
    /// The tenant picker's rows: home, then managed organizations matching the query.
    pub fn tenant_choices(&self, query: &str) -> Vec<Option<TenantFocus>> {
        let query = query.to_lowercase();
        let mut choices = vec![None];
        if let Some(tenants) = self.managed.ready() {
            choices.extend(
                tenants
                    .iter()
                    .filter(|t| {
                        query.is_empty()
                            || t.id.to_lowercase().contains(&query)
                            || t.name
                                .as_deref()
                                .is_some_and(|n| n.to_lowercase().contains(&query))
                    })
                    .filter_map(|t| {
                        Some(Some(TenantFocus {
                            id: t.id.clone(),
                            name: t.name.clone(),
                            region: t.known_region()?,
                        }))
                    }),
            );
        }
        choices
    }

    #[must_use]
    pub(super) fn tenant_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Modal::Tenants(picker)) = &mut self.modal else {
            return Vec::new();
        };
        let query = picker.query.value().to_string();
        let count = self.tenant_choices(&query).len();
        let Some(Modal::Tenants(picker)) = &mut self.modal else {
            return Vec::new();
        };
        match action {
            Action::Cancel => {
                self.modal = None;
                Vec::new()
            }
            Action::Up => {
                picker.choice = picker.choice.saturating_sub(1);
                Vec::new()
            }
            Action::Down => {
                picker.choice = (picker.choice + 1).min(count.saturating_sub(1));
                Vec::new()
            }
            Action::Confirm => {
                let choice = picker.choice;
                let Some(choice) = self.tenant_choices(&query).get(choice).cloned() else {
                    return Vec::new();
                };
                self.modal = None;
                self.focus(choice)
            }
            _ => Vec::new(),
        }
    }

    /// Puts the user and organization tabs in a tenant's context (or home).
    #[must_use]
    fn focus(&mut self, choice: Option<TenantFocus>) -> Vec<Effect> {
        // A walk from home still running goes on for the multi-tenant tab
        // alone (the context listing cancels only what no tab still needs).
        let mut effects = Vec::new();
        self.tenant = choice;
        if self.tab == Tab::MultiTenant || self.tab == Tab::ThreatCommand {
            self.tab = Tab::User;
        }
        effects.extend(self.load_context());
        effects.extend(self.load_orgs());
        if self.tab == Tab::Audit {
            effects.extend(self.load_audit());
        }
        effects
    }
}
