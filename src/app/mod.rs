//! The pure core of the console: state, messages in, effects out. No tokio,
//! reqwest, ratatui or crossterm here; every behaviour of the console (tabs,
//! paging state, the generate and revoke dialogs, filtering, what a 403
//! means) is testable without I/O.

pub mod effect;
pub mod explain;
mod handlers;
pub mod modal;
pub mod msg;
pub mod table;

use std::time::Duration;

use time::OffsetDateTime;
use tui_input::Input;

use crate::api::{KeyKind, Organization, Target};
use crate::keymap::{Action, Keymap, Layer};
use crate::region::Region;

pub use effect::Effect;
use modal::Modal;
pub use msg::{Msg, Outcome, ReqId, TcFacts};
use table::KeyTable;

/// The four tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    User,
    Organization,
    MultiTenant,
    ThreatCommand,
}

impl Tab {
    pub const ALL: [Tab; 4] = [
        Tab::User,
        Tab::Organization,
        Tab::MultiTenant,
        Tab::ThreatCommand,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::User => "User keys",
            Tab::Organization => "Organization keys",
            Tab::MultiTenant => "Multi-Tenant keys",
            Tab::ThreatCommand => "Threat Command",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The title as drawn in the tab bar (`1 User keys`), used for mouse hits too.
    pub fn label(self) -> String {
        format!(" {} {} ", self.index() + 1, self.title())
    }
}

/// What the session is: shown in the header, and what the console may assume.
#[derive(Debug, Clone)]
pub struct Session {
    pub profile: String,
    pub region: Region,
    /// The tenant header a multi-tenant key sends at home.
    pub home_tenant: Option<String>,
    /// The kind of the key in use, when known (the demo knows it).
    pub key_kind: Option<KeyKind>,
    /// Who the key belongs to, when known.
    pub owner: Option<String>,
    pub platform_admin: Option<bool>,
    pub read_only: bool,
    /// Where the Threat Command key comes from, or `None` when not configured.
    pub tc_source: Option<String>,
    pub clipboard_clear: Duration,
    /// `http://127.0.0.1:PORT/{region}` in the demo, else the real template.
    pub endpoint: String,
}

/// A tenant in focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantFocus {
    pub id: String,
    pub name: Option<String>,
    pub region: Region,
}

/// How a listing's load is going.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub req: Option<ReqId>,
    pub pages: usize,
    pub total_pages: Option<usize>,
    pub keys: usize,
    pub total_keys: Option<usize>,
    pub done: bool,
    pub error: Option<String>,
}

/// The Threat Command panel's state.
#[derive(Debug, Clone, Default)]
pub enum TcPanel {
    #[default]
    Unloaded,
    Loading(ReqId),
    Loaded(TcFacts),
    Failed(String),
}

/// A line at the bottom: what just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The whole console state.
pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub tab: Tab,
    pub user: KeyTable,
    pub organization: KeyTable,
    pub multi_tenant: KeyTable,
    /// Scroll offsets of the three tables.
    pub offsets: [usize; 3],
    /// The filter being typed, when the filter bar is open.
    pub filter_input: Option<Input>,
    pub tenant: Option<TenantFocus>,
    pub context_progress: Progress,
    /// The multi-tenant keys' own listing, used only while a tenant is in
    /// focus (at home the context listing feeds that table): see
    /// [`App::multi_tenant_progress`].
    pub home_progress: Progress,
    pub orgs: Vec<Organization>,
    pub managed: Result<Vec<Organization>, String>,
    pub tc: TcPanel,
    pub modal: Option<Modal>,
    pub status: Option<Status>,
    pub budget: Option<(u64, Option<u64>)>,
    pub width: u16,
    pub height: u16,
    /// The clock, set by the runtime before each update (ages are relative to it).
    pub now: OffsetDateTime,
    pub quit: bool,
    next_req: ReqId,
    orgs_req: Option<ReqId>,
    managed_req: Option<ReqId>,
}

/// The smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Rows above the first table row: header, tabs, block border, column titles.
pub const TABLE_TOP: u16 = 4;
/// Rows below the table: block border, status and hints.
pub const TABLE_BOTTOM: u16 = 3;

impl App {
    pub fn new(session: Session, keymap: Keymap) -> App {
        App {
            session,
            keymap,
            tab: Tab::User,
            user: KeyTable::default(),
            organization: KeyTable::default(),
            multi_tenant: KeyTable::default(),
            offsets: [0; 3],
            filter_input: None,
            tenant: None,
            context_progress: Progress::default(),
            home_progress: Progress::default(),
            orgs: Vec::new(),
            managed: Err("loading…".into()),
            tc: TcPanel::Unloaded,
            modal: None,
            status: None,
            budget: None,
            width: MIN_WIDTH,
            height: MIN_HEIGHT,
            now: OffsetDateTime::UNIX_EPOCH,
            quit: false,
            next_req: 1,
            orgs_req: None,
            managed_req: None,
        }
    }

    fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    /// The target at home: the session's region, and the home tenant for multi-tenant keys.
    pub fn home_target(&self) -> Target {
        Target::new(self.session.region, self.session.home_tenant.clone())
    }

    /// The target of the user and organization tabs: home, or the tenant in focus.
    pub fn context_target(&self) -> Target {
        match &self.tenant {
            Some(t) => Target::new(t.region, Some(t.id.clone())),
            None => self.home_target(),
        }
    }

    /// The effects that start the console: keys, organizations, tenants.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.load_context();
        effects.extend(self.load_orgs());
        let req = self.req();
        self.managed_req = Some(req);
        effects.push(Effect::LoadManaged {
            req,
            target: self.home_target(),
        });
        effects
    }

    fn load_orgs(&mut self) -> Vec<Effect> {
        let req = self.req();
        self.orgs_req = Some(req);
        vec![Effect::LoadOrgs {
            req,
            target: self.context_target(),
        }]
    }

    /// (Re)loads the context listing; at home it feeds all three tables.
    fn load_context(&mut self) -> Vec<Effect> {
        let req = self.req();
        self.context_progress = Progress {
            req: Some(req),
            ..Progress::default()
        };
        self.user.set_rows(Vec::new());
        self.organization.set_rows(Vec::new());
        if self.tenant.is_none() {
            // At home this listing feeds the multi-tenant table too; a home
            // listing still running from a tenant's visit is now stale.
            self.multi_tenant.set_rows(Vec::new());
            self.home_progress = Progress::default();
        }
        vec![Effect::LoadKeys {
            req,
            listing: msg::Listing::Context,
            target: self.context_target(),
            filter: crate::api::KeyFilter::default(),
        }]
    }

    /// (Re)loads the primary account's multi-tenant keys while a tenant is in focus.
    fn load_home(&mut self) -> Vec<Effect> {
        if self.tenant.is_none() {
            return self.load_context();
        }
        let req = self.req();
        self.home_progress = Progress {
            req: Some(req),
            ..Progress::default()
        };
        self.multi_tenant.set_rows(Vec::new());
        vec![Effect::LoadKeys {
            req,
            listing: msg::Listing::Home,
            target: self.home_target(),
            filter: crate::api::KeyFilter::default(),
        }]
    }

    /// How the listing behind the multi-tenant table is going.
    pub fn multi_tenant_progress(&self) -> &Progress {
        if self.tenant.is_none() {
            &self.context_progress
        } else {
            &self.home_progress
        }
    }

    /// The table of the current tab (none on the Threat Command tab).
    pub fn table(&self) -> Option<&KeyTable> {
        match self.tab {
            Tab::User => Some(&self.user),
            Tab::Organization => Some(&self.organization),
            Tab::MultiTenant => Some(&self.multi_tenant),
            Tab::ThreatCommand => None,
        }
    }

    fn table_mut(&mut self) -> Option<&mut KeyTable> {
        match self.tab {
            Tab::User => Some(&mut self.user),
            Tab::Organization => Some(&mut self.organization),
            Tab::MultiTenant => Some(&mut self.multi_tenant),
            Tab::ThreatCommand => None,
        }
    }

    /// Rows of table the screen shows.
    pub fn viewport(&self) -> usize {
        let rows = usize::from(self.height.saturating_sub(TABLE_TOP + TABLE_BOTTOM));
        if self.tab == Tab::MultiTenant {
            (rows / 2).max(1)
        } else {
            rows.max(1)
        }
    }

    /// The scroll offset of the current table.
    pub fn offset(&self) -> usize {
        self.offsets[self.tab.index().min(2)]
    }

    fn keep_selection_visible(&mut self) {
        let viewport = self.viewport();
        let slot = self.tab.index().min(2);
        let Some(selected) = self.table().map(|t| t.selected) else {
            return;
        };
        let offset = &mut self.offsets[slot];
        if selected < *offset {
            *offset = selected;
        } else if selected >= *offset + viewport {
            *offset = selected + 1 - viewport;
        }
    }

    /// Which part of the screen owns the keys.
    pub fn layer(&self) -> Layer {
        match &self.modal {
            Some(Modal::Help) => Layer::Help,
            Some(Modal::Details(_)) => Layer::Details,
            Some(Modal::Generate(_)) => Layer::Generate,
            Some(Modal::Reveal(r)) if r.confirm_leave => Layer::Confirm,
            Some(Modal::Reveal(_)) => Layer::Reveal,
            Some(Modal::Revoke(r)) if r.needs_typed_name() => Layer::ConfirmTyped,
            Some(Modal::Revoke(_)) => Layer::Confirm,
            Some(Modal::Tenants(_)) => Layer::Tenants,
            Some(Modal::Message { .. }) => Layer::Message,
            None if self.filter_input.is_some() => Layer::Filter,
            None => Layer::Browse,
        }
    }

    /// Why an action is not available now, when it is not.
    pub fn refusal(&self, action: Action) -> Option<String> {
        let mutation = matches!(action, Action::Generate | Action::Revoke);
        if mutation && self.session.read_only {
            return Some("read-only mode: generating and revoking are off".into());
        }
        if mutation && self.tab == Tab::ThreatCommand {
            return Some(
                "Threat Command API keys are generated and revoked only in its web console \
                 (Settings > Subscription)"
                    .into(),
            );
        }
        if action == Action::Revoke && self.table().and_then(KeyTable::selected_key).is_none() {
            return Some("no key selected".into());
        }
        if action == Action::ChooseTenant {
            if let Some(kind) = self
                .session
                .key_kind
                .as_ref()
                .filter(|k| !k.is_multi_tenant())
            {
                return Some(format!(
                    "only a multi-tenant key can act for a tenant; this is {} key",
                    if *kind == KeyKind::Organization {
                        "an organization"
                    } else {
                        "a user"
                    }
                ));
            }
            return match &self.managed {
                Ok(tenants) if tenants.is_empty() => Some("this account manages no tenants".into()),
                Ok(_) => None,
                Err(why) => Some(format!("no tenants to choose from: {why}")),
            };
        }
        if action == Action::Generate {
            let kind = self.session.key_kind.as_ref();
            return match (self.tab, kind) {
                (Tab::User, Some(KeyKind::Organization)) => Some(
                    "an organization key cannot generate user keys: a user key represents a user"
                        .into(),
                ),
                (Tab::User, Some(k)) if k.is_multi_tenant() => {
                    Some("a multi-tenant key cannot generate user keys".into())
                }
                (Tab::MultiTenant, Some(k)) if *k != KeyKind::User => Some(
                    "multi-tenant keys are generated with a user key of the primary account".into(),
                ),
                (Tab::MultiTenant, _) if self.tenant.is_some() => Some(
                    "multi-tenant keys belong to the primary account: choose the home context (o)"
                        .into(),
                ),
                _ => None,
            };
        }
        None
    }

    /// Handles one message; answers the effects to run.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let effects = match msg {
            Msg::Action(action) => self.on_action(action),
            Msg::Text(request) => {
                self.on_text(request);
                Vec::new()
            }
            Msg::Paste(text) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    self.on_text(tui_input::InputRequest::InsertChar(c));
                }
                Vec::new()
            }
            Msg::Click { column, row } => self.on_click(column, row),
            Msg::Scroll(delta) => {
                if self.modal.is_none() {
                    if let Some(table) = self.table_mut() {
                        table.move_by(isize::from(delta) * 3);
                    }
                }
                Vec::new()
            }
            Msg::Resize { width, height } => {
                self.width = width;
                self.height = height;
                Vec::new()
            }
            Msg::Done(outcome) => self.on_outcome(*outcome),
            Msg::Copied(result) => {
                if let Some(Modal::Reveal(reveal)) = &mut self.modal {
                    reveal.copied = Some(result);
                }
                Vec::new()
            }
        };
        self.keep_selection_visible();
        effects
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        match self.layer() {
            Layer::Browse => self.browse(action),
            Layer::Filter => {
                match action {
                    Action::Confirm => self.filter_input = None,
                    Action::Cancel => {
                        self.filter_input = None;
                        if let Some(t) = self.table_mut() {
                            t.set_filter("");
                        }
                    }
                    _ => {}
                }
                Vec::new()
            }
            _ => self.modal_action(action),
        }
    }

    fn select_tab(&mut self, tab: Tab) -> Vec<Effect> {
        self.tab = tab;
        self.filter_input = None;
        if tab == Tab::ThreatCommand && matches!(self.tc, TcPanel::Unloaded) {
            return self.load_tc();
        }
        Vec::new()
    }

    fn load_tc(&mut self) -> Vec<Effect> {
        if self.session.tc_source.is_none() {
            self.tc = TcPanel::Failed(
                "Threat Command is not configured: set R7_TC_ACCOUNT_ID and R7_TC_API_KEY, or the \
                 profile's tc_account_id and tc_api_key_command"
                    .into(),
            );
            return Vec::new();
        }
        let req = self.req();
        self.tc = TcPanel::Loading(req);
        vec![Effect::LoadTc { req }]
    }

    fn browse(&mut self, action: Action) -> Vec<Effect> {
        if let Some(reason) = self.refusal(action) {
            if matches!(
                action,
                Action::Generate | Action::Revoke | Action::ChooseTenant
            ) {
                self.status = Some(Status {
                    text: reason,
                    error: true,
                });
                return Vec::new();
            }
        }
        let page = isize::try_from(self.viewport()).unwrap_or(1);
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Help => self.modal = Some(Modal::Help),
            Action::NextTab => return self.select_tab(Tab::ALL[(self.tab.index() + 1) % 4]),
            Action::PrevTab => return self.select_tab(Tab::ALL[(self.tab.index() + 3) % 4]),
            Action::TabUser => return self.select_tab(Tab::User),
            Action::TabOrganization => return self.select_tab(Tab::Organization),
            Action::TabMultiTenant => return self.select_tab(Tab::MultiTenant),
            Action::TabThreatCommand => return self.select_tab(Tab::ThreatCommand),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Filter if self.table().is_some() => {
                let current = self
                    .table()
                    .map(|t| t.filter().to_string())
                    .unwrap_or_default();
                self.filter_input = Some(Input::new(current));
            }
            Action::ClearFilter => {
                if let Some(t) = self.table_mut() {
                    t.set_filter("");
                }
            }
            Action::NextSort => {
                if let Some(t) = self.table_mut() {
                    t.next_sort();
                }
            }
            Action::ReverseSort => {
                if let Some(t) = self.table_mut() {
                    t.reverse_sort();
                }
            }
            Action::Details => {
                if let Some(key) = self.table().and_then(KeyTable::selected_key) {
                    self.modal = Some(Modal::Details(Box::new(key.clone())));
                }
            }
            Action::Refresh => {
                return match self.tab {
                    Tab::ThreatCommand => self.load_tc(),
                    Tab::MultiTenant => self.load_home(),
                    _ => self.load_context(),
                };
            }
            Action::TestCredentials if self.tab == Tab::ThreatCommand => return self.load_tc(),
            Action::Generate => self.open_generate(),
            Action::Revoke => self.open_revoke(),
            Action::ChooseTenant => {
                self.modal = Some(Modal::Tenants(modal::TenantPicker {
                    query: Input::default(),
                    choice: 0,
                }));
            }
            _ => {}
        }
        Vec::new()
    }

    fn move_by(&mut self, delta: isize) {
        if let Some(t) = self.table_mut() {
            t.move_by(delta);
        }
    }

    fn on_click(&mut self, column: u16, row: u16) -> Vec<Effect> {
        if self.modal.is_some() {
            return Vec::new();
        }
        if row == 1 {
            let mut left = 0u16;
            for tab in Tab::ALL {
                let width = u16::try_from(tab.label().chars().count()).unwrap_or(0) + 1;
                if column >= left && column < left + width {
                    return self.select_tab(tab);
                }
                left += width;
            }
            return Vec::new();
        }
        if row >= TABLE_TOP && row < TABLE_TOP + u16::try_from(self.viewport()).unwrap_or(0) {
            let index = self.offset() + usize::from(row - TABLE_TOP);
            if let Some(t) = self.table_mut() {
                t.select(index);
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests;
