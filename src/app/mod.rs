//! The pure core of the console: state, messages in, effects out. No tokio,
//! reqwest, ratatui or crossterm here; every behaviour of the console (tabs,
//! listings, dialogs, filtering, refusals, what a 403 means) is testable
//! without I/O.
//!
//! Where things are: [`pane`] holds a tab's table and the listing that fills
//! it; [`access`] decides, in one place, which actions are open and why not
//! (the keys, the footer and the help all ask it); `browse` handles keys on
//! the tables, `dialogs` the dialogs (each answers a [`dialogs::Step`]:
//! stay, close or replace itself, with its effects), `outcome` the worker's
//! answers, routed by request id. Every handler returns the effects it
//! wants, and every such function is `#[must_use]`, so none can be dropped.

pub mod access;
pub mod audit;
mod browse;
pub mod dialogs;
pub mod effect;
pub mod explain;
pub mod filter;
pub mod inventory;
pub mod modal;
pub mod msg;
mod outcome;
pub mod pane;
pub mod rotate;
pub mod table;
mod trail;

use std::time::Duration;

use strum::{EnumCount, EnumIter, IntoEnumIterator};
use time::OffsetDateTime;
use tui_input::Input;

use crate::api::{KeyFilter, KeyInfo, KeyKind, Organization, Target};
use crate::keymap::{Action, Keymap, Layer};
use crate::region::Region;

pub use effect::Effect;
use modal::Modal;
pub use msg::{Msg, Outcome, ReqId, TcFacts};
pub use pane::{Holds, Listing, ListingState, Pane};
use table::KeyTable;

/// The tabs, in the order of the tab bar and the number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, EnumCount)]
pub enum Tab {
    User,
    Organization,
    MultiTenant,
    ThreatCommand,
    Inventory,
    Audit,
}

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Tab::User => "User keys",
            Tab::Organization => "Organization keys",
            Tab::MultiTenant => "Multi-Tenant keys",
            Tab::ThreatCommand => "Threat Command",
            Tab::Inventory => "Inventory",
            Tab::Audit => "Audit",
        }
    }

    /// The title where room is short (the tab bar below 120 columns).
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::User => "User",
            Tab::Organization => "Org",
            Tab::MultiTenant => "Multi-tenant",
            Tab::ThreatCommand => "Threat Cmd",
            Tab::Inventory => "Inventory",
            Tab::Audit => "Audit",
        }
    }

    pub fn index(self) -> usize {
        Tab::iter().position(|t| t == self).unwrap_or(0)
    }

    /// The tab `steps` after this one, round the bar.
    fn step(self, steps: isize) -> Tab {
        let count = isize::try_from(Tab::COUNT).unwrap_or(1);
        let at = isize::try_from(self.index()).unwrap_or(0);
        let index = usize::try_from((at + steps).rem_euclid(count)).unwrap_or(0);
        Tab::iter().nth(index).unwrap_or(Tab::User)
    }

    /// The title as drawn in the tab bar (`1 User keys`, or `1 User` when
    /// `compact`), used for mouse hits too.
    pub fn label(self, compact: bool) -> String {
        let title = if compact {
            self.short_title()
        } else {
            self.title()
        };
        format!(" {} {title} ", self.index() + 1)
    }

    /// Whether the tab bar is drawn compact at this width.
    pub fn compact_at(width: u16) -> bool {
        let full: usize = Tab::iter()
            .map(|t| t.label(false).chars().count() + 1)
            .sum();
        usize::from(width) < full
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
    /// The id of the key in use, when known (the profile's `key_id`, or the
    /// demo): that key is marked in every table, and revoking it is warned of.
    pub own_key_id: Option<String>,
    /// Who the key belongs to, when known.
    pub owner: Option<String>,
    /// Keys older than this many days are flagged old (the profile's `max_key_age`).
    pub max_key_age_days: i64,
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

/// Something loaded once: organizations, managed organizations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loadable<T> {
    Loading(ReqId),
    Ready(T),
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(value) => Some(value),
            _ => None,
        }
    }

    fn answers(&self, req: ReqId) -> bool {
        matches!(self, Loadable::Loading(r) if *r == req)
    }
}

/// The Threat Command panel's state.
#[derive(Debug, Clone, Default)]
pub enum TcPanel {
    #[default]
    Unloaded,
    /// Testing the credentials and loading the facts (`t`, or the first visit).
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

impl Status {
    pub fn ok(text: impl Into<String>) -> Option<Status> {
        Some(Status {
            text: text.into(),
            error: false,
        })
    }

    pub fn error(text: impl Into<String>) -> Option<Status> {
        Some(Status {
            text: text.into(),
            error: true,
        })
    }
}

/// The whole console state.
pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    pub tab: Tab,
    pub user: Pane,
    pub organization: Pane,
    pub multi_tenant: Pane,
    /// Every key the credentials can see, across tenants.
    pub inventory: Pane,
    /// How the inventory's fan-out is going.
    pub fleet: inventory::Fleet,
    /// The Audit tab: the platform trail and the journal.
    pub audit: audit::AuditView,
    /// The filter being typed, when the filter bar is open.
    pub filter_input: Option<Input>,
    pub tenant: Option<TenantFocus>,
    pub orgs: Loadable<Vec<Organization>>,
    pub managed: Loadable<Vec<Organization>>,
    /// How far the managed organizations list (multi-tenant tab) is scrolled.
    pub managed_offset: usize,
    pub tc: TcPanel,
    pub modal: Option<Modal>,
    pub status: Option<Status>,
    pub budget: Option<(u64, Option<u64>)>,
    /// A wait for the rate budget under way: the region and seconds left.
    pub budget_wait: Option<(Region, u64)>,
    /// What the platform refused, in its own words, learnt from a 403: the
    /// same action is then shown refused with the platform's reason.
    pub learned: access::Learned,
    /// The key just revoked, to explain a 401 that follows it.
    pub last_revoked: Option<KeyInfo>,
    /// A doubtful action pressed once on a tab: pressed again, it is asked.
    doubted: Option<(Tab, Action)>,
    pub width: u16,
    pub height: u16,
    /// The clock, set by the runtime before each update (ages are relative to it).
    pub now: OffsetDateTime,
    pub quit: bool,
    next_req: ReqId,
}

/// The smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Rows above the first table row: header, tabs, block border, column titles.
pub const TABLE_TOP: u16 = 4;
/// Rows below the table: block border, status and hints.
pub const TABLE_BOTTOM: u16 = 3;
/// Lines of progress under the inventory's table.
pub const INVENTORY_PROGRESS: usize = 2;

impl App {
    pub fn new(session: Session, keymap: Keymap) -> App {
        App {
            session,
            keymap,
            tab: Tab::User,
            user: Pane::new(Holds::UserKeys),
            organization: Pane::new(Holds::OrganizationKeys),
            multi_tenant: Pane::new(Holds::MultiTenantKeys),
            inventory: Pane::new(Holds::Everything),
            fleet: inventory::Fleet::default(),
            audit: audit::AuditView::default(),
            filter_input: None,
            tenant: None,
            orgs: Loadable::Failed("not loaded".into()),
            managed: Loadable::Failed("not loaded".into()),
            managed_offset: 0,
            tc: TcPanel::Unloaded,
            modal: None,
            status: None,
            budget: None,
            budget_wait: None,
            learned: access::Learned::default(),
            last_revoked: None,
            doubted: None,
            width: MIN_WIDTH,
            height: MIN_HEIGHT,
            now: OffsetDateTime::UNIX_EPOCH,
            quit: false,
            next_req: 1,
        }
    }

    /// A new request id.
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

    /// Where the current tab's requests go (the header shows this region).
    pub fn tab_target(&self) -> Target {
        match self.tab {
            Tab::MultiTenant | Tab::ThreatCommand | Tab::Inventory => self.home_target(),
            Tab::User | Tab::Organization | Tab::Audit => self.context_target(),
        }
    }

    /// The effects that start the console: keys, organizations, tenants.
    #[must_use]
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.load_context();
        effects.extend(self.load_orgs());
        let req = self.req();
        self.managed = Loadable::Loading(req);
        effects.push(Effect::LoadManaged {
            req,
            target: self.home_target(),
        });
        effects
    }

    #[must_use]
    fn load_orgs(&mut self) -> Vec<Effect> {
        let req = self.req();
        self.orgs = Loadable::Loading(req);
        vec![Effect::LoadOrgs {
            req,
            target: self.context_target(),
        }]
    }

    /// The listings to cancel when the panes of `restarting` start over:
    /// those still running that no other tab still waits for.
    fn stale_listings(&self, restarting: &[Tab]) -> Vec<Effect> {
        let running = |tab: &Tab| {
            self.pane_of(*tab)
                .filter(|p| p.listing.running())
                .and_then(|p| p.listing.req)
        };
        let key_tabs = [Tab::User, Tab::Organization, Tab::MultiTenant];
        let still_needed: Vec<ReqId> = key_tabs
            .iter()
            .filter(|t| !restarting.contains(t))
            .filter_map(running)
            .collect();
        let mut stale: Vec<ReqId> = restarting
            .iter()
            .filter_map(running)
            .filter(|req| !still_needed.contains(req))
            .collect();
        stale.sort_unstable();
        stale.dedup();
        stale
            .into_iter()
            .map(|req| Effect::Cancel { req })
            .collect()
    }

    /// (Re)loads the context listing. At home it fills all three key tabs
    /// from one walk; with a tenant in focus, the user and organization tabs.
    #[must_use]
    fn load_context(&mut self) -> Vec<Effect> {
        let home = self.tenant.is_none();
        let mut effects = if home {
            self.stale_listings(&[Tab::User, Tab::Organization, Tab::MultiTenant])
        } else {
            self.stale_listings(&[Tab::User, Tab::Organization])
        };
        let req = self.req();
        self.user.restart(req);
        self.organization.restart(req);
        if home {
            self.multi_tenant.restart(req);
        }
        effects.push(Effect::LoadKeys {
            req,
            target: self.context_target(),
            filter: KeyFilter::default(),
        });
        effects
    }

    /// (Re)loads the multi-tenant tab: from home, whatever is in focus.
    #[must_use]
    fn load_multi_tenant(&mut self) -> Vec<Effect> {
        if self.tenant.is_none() {
            return self.load_context();
        }
        let mut effects = self.stale_listings(&[Tab::MultiTenant]);
        let req = self.req();
        self.multi_tenant.restart(req);
        effects.push(Effect::LoadKeys {
            req,
            target: self.home_target(),
            filter: KeyFilter::default(),
        });
        effects
    }

    /// The key pane of a tab (none on the Threat Command tab).
    pub fn pane_of(&self, tab: Tab) -> Option<&Pane> {
        match tab {
            Tab::User => Some(&self.user),
            Tab::Organization => Some(&self.organization),
            Tab::MultiTenant => Some(&self.multi_tenant),
            Tab::Inventory => Some(&self.inventory),
            Tab::ThreatCommand | Tab::Audit => None,
        }
    }

    fn pane_of_mut(&mut self, tab: Tab) -> Option<&mut Pane> {
        match tab {
            Tab::User => Some(&mut self.user),
            Tab::Organization => Some(&mut self.organization),
            Tab::MultiTenant => Some(&mut self.multi_tenant),
            Tab::Inventory => Some(&mut self.inventory),
            Tab::ThreatCommand | Tab::Audit => None,
        }
    }

    /// A revoked key leaves every table (and its mark).
    fn forget_key(&mut self, id: &str) {
        for pane in self.panes_mut() {
            pane.forget(id);
        }
        self.inventory.forget(id);
    }

    /// The panes one context listing fills, to route its answers.
    fn panes_mut(&mut self) -> [&mut Pane; 3] {
        [
            &mut self.user,
            &mut self.organization,
            &mut self.multi_tenant,
        ]
    }

    /// The current tab's pane.
    pub fn pane(&self) -> Option<&Pane> {
        self.pane_of(self.tab)
    }

    fn pane_mut(&mut self) -> Option<&mut Pane> {
        self.pane_of_mut(self.tab)
    }

    /// The table of the current tab (none on the Threat Command tab).
    pub fn table(&self) -> Option<&KeyTable> {
        self.pane().map(|p| &p.table)
    }

    /// The key selected on the current tab.
    pub fn selected_key(&self) -> Option<&KeyInfo> {
        self.table().and_then(KeyTable::selected_key)
    }

    /// The tenant row selected on the inventory, when it is one that could not be read.
    pub fn selected_unreachable(&self) -> Option<table::Unreachable> {
        match &self.table()?.selected_row()?.entry {
            table::Entry::Unreachable(failure) => Some(failure.clone()),
            table::Entry::Key(_) => None,
        }
    }

    /// Where a request about a key on the current tab goes: the primary
    /// account's multi-tenant keys at home, the rest in the context.
    pub fn target_for_key(&self, key: &KeyInfo) -> Target {
        if let Some(tenant) = &key.tenant {
            return Target::new(tenant.region, Some(tenant.id.clone()));
        }
        if self.tab == Tab::MultiTenant {
            self.home_target()
        } else {
            self.context_target()
        }
    }

    /// Whether this key is the one the console runs as.
    pub fn is_own_key(&self, key: &KeyInfo) -> bool {
        self.session.own_key_id.is_some() && key.id == self.session.own_key_id
    }

    /// Rows of table the screen shows.
    pub fn viewport(&self) -> usize {
        let rows = usize::from(self.height.saturating_sub(TABLE_TOP + TABLE_BOTTOM));
        match self.tab {
            Tab::MultiTenant => (rows / 2).max(1),
            // Two lines below the table say how the fan-out is going.
            Tab::Inventory | Tab::Audit => rows.saturating_sub(INVENTORY_PROGRESS).max(1),
            _ => rows.max(1),
        }
    }

    /// The scroll offset of the current table.
    pub fn offset(&self) -> usize {
        if self.tab == Tab::Audit {
            return self.audit.offset;
        }
        self.pane().map_or(0, |p| p.offset)
    }

    /// Applies the filter text to the current tab's rows.
    fn set_filter(&mut self, text: &str) {
        let now = self.now;
        if self.tab == Tab::Audit {
            self.audit.set_filter(text);
        } else if let Some(pane) = self.pane_mut() {
            pane.table.set_filter(text, now);
        }
    }

    fn keep_selection_visible(&mut self) {
        let viewport = self.viewport();
        let Some(pane) = self.pane_mut() else {
            return;
        };
        pane.offset = scrolled_to(pane.table.selected, pane.offset, viewport);
    }

    /// Which part of the screen owns the keys.
    pub fn layer(&self) -> Layer {
        match &self.modal {
            Some(modal) => modal.layer(),
            None if self.filter_input.is_some() => Layer::Filter,
            None => Layer::Browse,
        }
    }

    /// Handles one message; answers the effects to run.
    #[must_use]
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
                    if let Some(pane) = self.pane_mut() {
                        pane.table.move_by(isize::from(delta) * 3);
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
            Msg::Copied { result, secret } => self.on_copied(result, secret),
        };
        self.keep_selection_visible();
        effects
    }

    #[must_use]
    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        match self.layer() {
            Layer::Browse => self.browse(action),
            Layer::Filter => {
                match action {
                    Action::Confirm => self.filter_input = None,
                    Action::Cancel => {
                        self.filter_input = None;
                        self.set_filter("");
                    }
                    _ => {}
                }
                Vec::new()
            }
            _ => self.dialog_action(action),
        }
    }

    #[must_use]
    fn select_tab(&mut self, tab: Tab) -> Vec<Effect> {
        self.tab = tab;
        self.filter_input = None;
        if tab == Tab::ThreatCommand && matches!(self.tc, TcPanel::Unloaded) {
            return self.load_tc();
        }
        if tab == Tab::Inventory && self.fleet.req.is_none() && !self.fleet.waiting_for_tenants {
            return self.load_inventory();
        }
        if tab == Tab::Audit && !self.audit.is_of(&self.context_target()) {
            return self.load_audit();
        }
        Vec::new()
    }

    #[must_use]
    fn load_tc(&mut self) -> Vec<Effect> {
        if self.session.tc_source.is_none() {
            self.tc = TcPanel::Failed(
                "Threat Command is not configured: set R7_TC_ACCOUNT_ID and R7_TC_API_KEY, or the \
                 profile's tc_account_id and tc_api_key_command"
                    .into(),
            );
            return Vec::new();
        }
        let mut effects = Vec::new();
        if let TcPanel::Loading(old) = self.tc {
            effects.push(Effect::Cancel { req: old });
        }
        let req = self.req();
        self.tc = TcPanel::Loading(req);
        self.status = Status::ok("testing the Threat Command credentials…");
        effects.push(Effect::LoadTc { req });
        effects
    }

    /// The tab bar's tabs at the current width, with their column spans.
    fn tab_spans(&self) -> Vec<(Tab, u16, u16)> {
        let compact = Tab::compact_at(self.width);
        let mut left = 0u16;
        Tab::iter()
            .map(|tab| {
                let width = u16::try_from(tab.label(compact).chars().count()).unwrap_or(0) + 1;
                let span = (tab, left, left + width);
                left += width;
                span
            })
            .collect()
    }

    #[must_use]
    fn on_click(&mut self, column: u16, row: u16) -> Vec<Effect> {
        if self.modal.is_some() {
            return Vec::new();
        }
        if row == 1 {
            let hit = self
                .tab_spans()
                .into_iter()
                .find(|(_, from, to)| column >= *from && column < *to);
            return match hit {
                Some((tab, _, _)) => self.select_tab(tab),
                None => Vec::new(),
            };
        }
        if row >= TABLE_TOP && row < TABLE_TOP + u16::try_from(self.viewport()).unwrap_or(0) {
            let index = self.offset() + usize::from(row - TABLE_TOP);
            if self.tab == Tab::Audit {
                self.audit.select(index);
            } else if let Some(pane) = self.pane_mut() {
                pane.table.select(index);
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod audit_tests;
/// The scroll offset that keeps row `selected` in a window of `viewport`
/// rows starting at `offset`, moving the window as little as it can.
fn scrolled_to(selected: usize, offset: usize, viewport: usize) -> usize {
    if selected < offset {
        selected
    } else if selected >= offset + viewport {
        selected + 1 - viewport
    } else {
        offset
    }
}

#[cfg(test)]
mod tests;
