//! The dialogs' behaviour and the handling of worker answers.

use sha2::{Digest, Sha256};
use tui_input::{Input, InputRequest};
use zeroize::Zeroizing;

use crate::api::{ApiError, KeyInfo, KeyKind, NewKey, Revocation};
use crate::keymap::Action;
use crate::sanitize::display;

use super::effect::Effect;
use super::explain::{explain, unauthorized};
use super::modal::{Field, GenerateForm, Modal, Reveal, RevokeConfirm};
use super::msg::{Listing, Outcome};
use super::{App, Status, Tab, TcPanel, TenantFocus};

fn kind_of(tab: Tab) -> Vec<KeyKind> {
    match tab {
        Tab::Organization => vec![KeyKind::Organization],
        Tab::MultiTenant => vec![KeyKind::MultiTenantUser, KeyKind::MultiTenantAdmin],
        _ => vec![KeyKind::User],
    }
}

impl App {
    pub(super) fn on_text(&mut self, request: InputRequest) {
        if let Some(input) = &mut self.filter_input {
            input.handle(request);
            let value = input.value().to_string();
            if let Some(t) = self.table_mut() {
                t.set_filter(&value);
            }
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
            Some(Modal::Tenants(picker)) => {
                picker.query.handle(request);
                picker.choice = 0;
            }
            _ => {}
        }
    }

    pub(super) fn open_generate(&mut self) {
        let mut kinds = kind_of(self.tab);
        if self.session.platform_admin == Some(false) {
            kinds.retain(|k| *k != KeyKind::MultiTenantAdmin);
        }
        let kind = kinds.first().cloned().unwrap_or(KeyKind::User);
        let mut form = GenerateForm {
            kind,
            kinds,
            field: super::modal::Field::Name,
            name: Input::default(),
            org_query: Input::default(),
            org_choice: 0,
            orgs: self.orgs.clone(),
            target: if self.tab == Tab::MultiTenant {
                self.home_target()
            } else {
                self.context_target()
            },
            submitting: None,
            error: None,
        };
        if form.fields().first() == Some(&Field::Kind) {
            form.field = Field::Kind;
        }
        self.modal = Some(Modal::Generate(Box::new(form)));
    }

    pub(super) fn open_revoke(&mut self) {
        let Some(key) = self
            .table()
            .and_then(super::KeyTable::selected_key)
            .cloned()
        else {
            return;
        };
        let target = if self.tab == Tab::MultiTenant {
            self.home_target()
        } else {
            self.context_target()
        };
        self.modal = Some(Modal::Revoke(Box::new(RevokeConfirm {
            key,
            target,
            typed: Input::default(),
            submitting: None,
            error: None,
        })));
    }

    pub(super) fn modal_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(modal) = self.modal.take() else {
            return Vec::new();
        };
        match modal {
            Modal::Help | Modal::Message { .. } => {
                if !matches!(action, Action::Cancel | Action::Confirm) {
                    self.modal = Some(modal);
                }
                Vec::new()
            }
            Modal::Details(key) => {
                if action == Action::Revoke && self.refusal(Action::Revoke).is_none() {
                    self.open_revoke();
                } else if action != Action::Cancel {
                    self.modal = Some(Modal::Details(key));
                }
                Vec::new()
            }
            Modal::Generate(form) => self.generate_action(*form, action),
            Modal::Reveal(reveal) => self.reveal_action(*reveal, action),
            Modal::Revoke(confirm) => self.revoke_action(*confirm, action),
            Modal::Tenants(picker) => self.tenant_action(picker, action),
        }
    }

    fn generate_action(&mut self, mut form: GenerateForm, action: Action) -> Vec<Effect> {
        if form.submitting.is_some() {
            // Exactly one key, however often Enter is pressed.
            self.modal = Some(Modal::Generate(Box::new(form)));
            return Vec::new();
        }
        let fields = form.fields();
        let at = fields.iter().position(|f| *f == form.field).unwrap_or(0);
        match action {
            Action::Cancel => return Vec::new(),
            Action::NextField => form.field = fields[(at + 1) % fields.len()],
            Action::PrevField => form.field = fields[(at + fields.len() - 1) % fields.len()],
            Action::Up | Action::Down => match form.field {
                Field::Kind => {
                    let i = form.kinds.iter().position(|k| *k == form.kind).unwrap_or(0);
                    form.kind = form.kinds[(i + 1) % form.kinds.len()].clone();
                }
                Field::Organization => {
                    let count = form.matches().len();
                    if count > 0 {
                        form.org_choice = if action == Action::Up {
                            (form.org_choice + count - 1) % count
                        } else {
                            (form.org_choice + 1) % count
                        };
                    }
                }
                Field::Name => {}
            },
            Action::Confirm => {
                let name = form.name.value().trim().to_string();
                if name.is_empty() {
                    form.error = Some("a name is required: say what the key is for".into());
                    form.field = Field::Name;
                } else if form.kind == KeyKind::Organization && form.chosen_org().is_none() {
                    form.error = Some("choose the organization the key is for".into());
                    form.field = Field::Organization;
                } else {
                    let organization_id = if form.needs_org() {
                        form.chosen_org().map(|o| o.id.clone())
                    } else {
                        None
                    };
                    let spec = NewKey {
                        name,
                        kind: form.kind.clone(),
                        organization_id,
                    };
                    let req = self.req();
                    form.submitting = Some(req);
                    let target = form.target.clone();
                    self.modal = Some(Modal::Generate(Box::new(form)));
                    return vec![Effect::Generate { req, target, spec }];
                }
            }
            _ => {}
        }
        self.modal = Some(Modal::Generate(Box::new(form)));
        Vec::new()
    }

    fn reveal_action(&mut self, mut reveal: Reveal, action: Action) -> Vec<Effect> {
        if reveal.confirm_leave {
            match action {
                Action::Confirm => return self.close_reveal(&reveal),
                _ => reveal.confirm_leave = false,
            }
            self.modal = Some(Modal::Reveal(Box::new(reveal)));
            return Vec::new();
        }
        let mut effects = Vec::new();
        match action {
            Action::Reveal => reveal.shown = !reveal.shown,
            Action::Copy => {
                effects.push(Effect::Copy(Zeroizing::new(
                    reveal.secret.expose().to_string(),
                )));
                reveal.copied = Some(Ok("copying…".into()));
            }
            Action::Confirm | Action::Cancel => {
                if matches!(reveal.copied, Some(Ok(_))) {
                    return self.close_reveal(&reveal);
                }
                reveal.confirm_leave = true;
            }
            _ => {}
        }
        self.modal = Some(Modal::Reveal(Box::new(reveal)));
        effects
    }

    /// Closes the reveal dialog: the secret is dropped (zeroized) here, and the
    /// clipboard is cleared later if it still holds it.
    fn close_reveal(&mut self, reveal: &Reveal) -> Vec<Effect> {
        let name = display(reveal.info.name.as_deref().unwrap_or(""), 40);
        self.status = Some(Status {
            text: format!("generated {name}; the secret is gone from r7keys"),
            error: false,
        });
        if matches!(reveal.copied, Some(Ok(_))) {
            let secret_hash: [u8; 32] = Sha256::digest(reveal.secret.expose().as_bytes()).into();
            return vec![Effect::ClearClipboardLater {
                after: self.session.clipboard_clear,
                secret_hash,
            }];
        }
        Vec::new()
    }

    fn revoke_action(&mut self, mut confirm: RevokeConfirm, action: Action) -> Vec<Effect> {
        if confirm.submitting.is_some() {
            self.modal = Some(Modal::Revoke(Box::new(confirm)));
            return Vec::new();
        }
        match action {
            Action::Cancel => {
                self.status = Some(Status {
                    text: "revoke declined: nothing changed".into(),
                    error: false,
                });
                Vec::new()
            }
            Action::Confirm if confirm.needs_typed_name() && !confirm.typed_matches() => {
                confirm.error = Some("the name does not match: type the key's name exactly".into());
                self.modal = Some(Modal::Revoke(Box::new(confirm)));
                Vec::new()
            }
            Action::Confirm => {
                let Some(id) = confirm.key.id.clone() else {
                    confirm.error = Some(
                        "the server gave this key no id: it cannot be revoked from here".into(),
                    );
                    self.modal = Some(Modal::Revoke(Box::new(confirm)));
                    return Vec::new();
                };
                let req = self.req();
                confirm.submitting = Some(req);
                let target = confirm.target.clone();
                self.modal = Some(Modal::Revoke(Box::new(confirm)));
                vec![Effect::Revoke { req, target, id }]
            }
            _ => {
                self.modal = Some(Modal::Revoke(Box::new(confirm)));
                Vec::new()
            }
        }
    }

    /// The tenant picker's rows: home, then managed organizations matching the query.
    pub fn tenant_choices(&self, query: &str) -> Vec<Option<TenantFocus>> {
        let query = query.to_lowercase();
        let mut choices = vec![None];
        if let Ok(tenants) = &self.managed {
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

    fn tenant_action(
        &mut self,
        mut picker: super::modal::TenantPicker,
        action: Action,
    ) -> Vec<Effect> {
        let choices = self.tenant_choices(picker.query.value());
        match action {
            Action::Cancel => Vec::new(),
            Action::Up => {
                picker.choice = picker.choice.saturating_sub(1);
                self.modal = Some(Modal::Tenants(picker));
                Vec::new()
            }
            Action::Down => {
                picker.choice = (picker.choice + 1).min(choices.len().saturating_sub(1));
                self.modal = Some(Modal::Tenants(picker));
                Vec::new()
            }
            Action::Confirm => {
                let Some(choice) = choices.get(picker.choice).cloned() else {
                    self.modal = Some(Modal::Tenants(picker));
                    return Vec::new();
                };
                if self.tenant.is_none() && choice.is_some() {
                    // The multi-tenant table keeps what the home listing brought.
                    self.home_progress = self.context_progress.clone();
                }
                self.tenant = choice;
                if self.tab == Tab::MultiTenant || self.tab == Tab::ThreatCommand {
                    self.tab = Tab::User;
                }
                let mut effects = self.load_context();
                effects.extend(self.load_orgs());
                effects
            }
            _ => {
                self.modal = Some(Modal::Tenants(picker));
                Vec::new()
            }
        }
    }

    /// Files a page's keys into the tables it feeds.
    fn file_keys(&mut self, listing: Listing, keys: Vec<KeyInfo>) {
        let (mut user, mut organization, mut multi) = (Vec::new(), Vec::new(), Vec::new());
        for key in keys {
            match key.kind {
                KeyKind::Organization => organization.push(key),
                KeyKind::MultiTenantAdmin | KeyKind::MultiTenantUser => multi.push(key),
                _ => user.push(key),
            }
        }
        let feeds_multi = listing == Listing::Home || self.tenant.is_none();
        if listing == Listing::Context {
            self.user.extend(user);
            self.organization.extend(organization);
        }
        if feeds_multi {
            self.multi_tenant.extend(multi);
        }
    }

    pub(super) fn on_outcome(&mut self, outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::KeysPage {
                req,
                listing,
                keys,
                total_pages,
                total_keys,
                ..
            } => {
                let progress = if listing == Listing::Context {
                    &mut self.context_progress
                } else {
                    &mut self.home_progress
                };
                if progress.req != Some(req) {
                    return Vec::new();
                }
                progress.pages += 1;
                progress.keys += keys.len();
                progress.total_pages = total_pages;
                progress.total_keys = total_keys;
                self.file_keys(listing, keys);
            }
            Outcome::KeysDone {
                req,
                listing,
                result,
            } => self.on_keys_done(req, listing, &result),
            Outcome::Orgs { req, result } => {
                if self.orgs_req == Some(req) {
                    self.orgs = result.unwrap_or_default();
                }
            }
            Outcome::Managed { req, result } => {
                if self.managed_req == Some(req) {
                    self.managed = result.map_err(|e| match e {
                        ApiError::Forbidden { .. } => "not available to this key (403)".to_string(),
                        other => other.to_string(),
                    });
                }
            }
            Outcome::Generated { req, result } => self.on_generated(req, result),
            Outcome::Revoked { req, id, result } => self.on_revoked(req, &id, result),
            Outcome::Tc { req, result } => {
                if matches!(self.tc, TcPanel::Loading(r) if r == req) {
                    self.tc = match result {
                        Ok(facts) => TcPanel::Loaded(facts),
                        Err(why) => TcPanel::Failed(why),
                    };
                }
            }
            Outcome::Budget { remaining, limit } => self.budget = Some((remaining, limit)),
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

    /// A listing finished: sorts get ready, and a failure is shown (a 401 with how to fix it).
    fn on_keys_done(&mut self, req: super::ReqId, listing: Listing, result: &Result<(), ApiError>) {
        let progress = if listing == Listing::Context {
            &mut self.context_progress
        } else {
            &mut self.home_progress
        };
        if progress.req != Some(req) {
            return;
        }
        progress.done = true;
        if let Err(error) = result {
            progress.error = Some(explain("list keys", None, error));
            if matches!(error, ApiError::Unauthorized { .. }) {
                let mut body = unauthorized(self.context_target().region);
                if let Some(tenant) = &self.tenant {
                    let name = display(tenant.name.as_deref().unwrap_or(&tenant.id), 40);
                    body.push_str("\n\nThe tenant in focus (");
                    body.push_str(&name);
                    body.push_str(
                        ") is reached only with a multi-tenant key: press o and choose home to go back.",
                    );
                }
                self.modal = Some(Modal::Message {
                    title: "Authentication failed".into(),
                    body,
                    error: true,
                });
            }
        }
        for table in [
            &mut self.user,
            &mut self.organization,
            &mut self.multi_tenant,
        ] {
            table.prepare_sorts();
        }
    }

    fn on_generated(
        &mut self,
        req: super::ReqId,
        result: Result<(KeyInfo, crate::api::NewSecret), ApiError>,
    ) {
        let Some(Modal::Generate(form)) = &mut self.modal else {
            return;
        };
        if form.submitting != Some(req) {
            return;
        }
        let kind = form.kind.clone();
        match result {
            Ok((info, secret)) => {
                match info.kind {
                    KeyKind::Organization => self.organization.insert(info.clone()),
                    KeyKind::MultiTenantAdmin | KeyKind::MultiTenantUser => {
                        self.multi_tenant.insert(info.clone());
                    }
                    _ => self.user.insert(info.clone()),
                }
                self.modal = Some(Modal::Reveal(Box::new(Reveal {
                    info,
                    secret,
                    shown: false,
                    copied: None,
                    confirm_leave: false,
                })));
            }
            Err(error @ (ApiError::LostSecret { .. } | ApiError::OutcomeUnknown { .. })) => {
                self.modal = Some(Modal::Message {
                    title: "The key was created, but its secret was lost".into(),
                    body: format!("{error}\n\nSelect it in the list and press x to revoke it."),
                    error: true,
                });
                let _ = self.load_context();
            }
            Err(error) => {
                form.submitting = None;
                form.error = Some(explain("generate", Some(&kind), &error));
            }
        }
    }

    fn on_revoked(&mut self, req: super::ReqId, id: &str, result: Result<Revocation, ApiError>) {
        let Some(Modal::Revoke(confirm)) = &mut self.modal else {
            return;
        };
        if confirm.submitting != Some(req) {
            return;
        }
        let name = display(confirm.key.name.as_deref().unwrap_or(""), 40);
        match result {
            Ok(outcome) => {
                for table in [
                    &mut self.user,
                    &mut self.organization,
                    &mut self.multi_tenant,
                ] {
                    table.remove(id);
                }
                let text = match outcome {
                    Revocation::Revoked => format!("revoked {name}"),
                    Revocation::AlreadyGone => format!("{name} was already revoked"),
                };
                self.status = Some(Status { text, error: false });
                self.modal = None;
            }
            Err(error) => {
                confirm.submitting = None;
                confirm.error = Some(explain("revoke", Some(&confirm.key.kind), &error));
            }
        }
    }
}
