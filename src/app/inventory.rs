//! The Inventory tab: every key the credentials can see, the home
//! organizations' and, with a multi-tenant key, every managed tenant's, each
//! read at its tenant's region. Rows stream in as places answer; a place that
//! fails is a row of its own (`r` on it reads it again). What this run has
//! already listed (the home listing, the tenant in focus) is used at once,
//! not asked for again.
//!
//! The plan and the bookkeeping are here; the reading is the worker's
//! (`crate::inventory::read_place` over `Client::tenant_stream`).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::api::model::TenantRef;
use crate::api::{ApiError, KeyInfo, Organization, Target};
use crate::inventory::{Flag, PlaceKeys, Rules};
use crate::region::Region;

use super::effect::{Effect, PlaceRequest};
use super::msg::{RegionBudget, ReqId};
use super::table::{Row, Unreachable};
use super::{App, Loadable, Status, Tab};

/// How the fan-out is going.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    /// The listing under way or last done.
    pub req: Option<ReqId>,
    /// Retries of single places, by request.
    pub retries: Vec<ReqId>,
    /// Places asked for, answered, failed.
    pub places: usize,
    pub done: usize,
    pub failed: usize,
    /// Places still to answer, by the region they are read at.
    pub pending: BTreeMap<Region, usize>,
    /// Requests spent since the inventory started, and when the last report came.
    pub requests: u64,
    requests_at_start: Option<u64>,
    pub budgets: Vec<RegionBudget>,
    /// Waiting for the tenant list before it can start.
    pub waiting_for_tenants: bool,
    /// Why there are no tenants (a platform key manages none).
    pub no_tenants: Option<String>,
    pub finished: bool,
    /// Ids of the keys in the table (lowercase): a key two places answer
    /// with (a server that ignores `R7-Organization-Id`) is shown once.
    seen: std::collections::HashSet<String>,
}

impl Fleet {
    pub fn running(&self) -> bool {
        self.req.is_some() && !self.finished
    }

    /// The requests the places still to answer in a region will cost, at the
    /// rate the answered ones did (at least one each).
    fn requests_for(&self, places: usize) -> u64 {
        let places = u64::try_from(places).unwrap_or(u64::MAX);
        let done = u64::try_from(self.done).unwrap_or(u64::MAX);
        if done == 0 || self.requests <= done {
            return places;
        }
        places.saturating_mul(self.requests).div_ceil(done)
    }

    /// How long the rest should take, computed from the budget each region
    /// advertises (a window of 60 s, the platform's documented minute): what
    /// is left of this window is spent first, then a full budget a minute.
    pub fn eta(&self) -> Option<Duration> {
        if !self.running() || self.pending.values().sum::<usize>() == 0 {
            return None;
        }
        let mut worst = 0u64;
        for (region, places) in &self.pending {
            let needed = self.requests_for(*places);
            let Some(budget) = self.budgets.iter().find(|b| b.region == *region) else {
                continue;
            };
            let (Some(limit), true) = (budget.limit.filter(|l| *l > 0), needed > budget.remaining)
            else {
                continue;
            };
            let windows = (needed - budget.remaining).div_ceil(limit);
            worst = worst.max(budget.reset_in + windows.saturating_sub(1) * 60);
        }
        Some(Duration::from_secs(worst))
    }
}

/// The flag `f` selects after `current` (none, then each flag in turn).
pub fn next_flag(current: Option<Flag>) -> Option<Flag> {
    use strum::IntoEnumIterator;
    let all: Vec<Flag> = Flag::iter().collect();
    match current {
        None => all.first().copied(),
        Some(flag) => {
            let at = all.iter().position(|f| *f == flag).unwrap_or(0);
            all.get(at + 1).copied()
        }
    }
}

/// The `flag:` term in a filter text, if any.
pub fn flag_in(filter: &str) -> Option<Flag> {
    filter
        .split_whitespace()
        .find_map(|t| t.strip_prefix("flag:"))
        .and_then(|f| f.parse().ok())
}

/// The filter text with its `flag:` term replaced by `flag` (or removed).
pub fn with_flag(filter: &str, flag: Option<Flag>) -> String {
    let mut terms: Vec<String> = filter
        .split_whitespace()
        .filter(|t| !t.starts_with("flag:"))
        .map(str::to_string)
        .collect();
    if let Some(flag) = flag {
        terms.push(format!("flag:{}", flag.word()));
    }
    terms.join(" ")
}

impl App {
    /// The place a row of the inventory came from, as a tenant to read again.
    fn home_as_tenant(&self) -> Organization {
        Organization {
            id: self
                .session
                .home_tenant
                .clone()
                .unwrap_or_else(|| "home".into()),
            name: Some("home organizations".into()),
            region: Some(self.session.region.code().to_string()),
            external_id: None,
        }
    }

    /// Keys this run already listed for a place, if the listing finished.
    fn known_keys(&self, tenant: Option<&Organization>) -> Option<Vec<KeyInfo>> {
        let done = |pane: &super::Pane| pane.listing.is_done();
        let keys = |pane: &super::Pane| -> Vec<KeyInfo> {
            pane.table.window(0, pane.table.len()).cloned().collect()
        };
        match (tenant, &self.tenant) {
            // At home one walk filled all three key tabs.
            (None, None)
                if done(&self.user) && done(&self.organization) && done(&self.multi_tenant) =>
            {
                let mut all = keys(&self.user);
                all.extend(keys(&self.organization));
                all.extend(keys(&self.multi_tenant));
                Some(all)
            }
            (Some(t), Some(focus))
                if t.id == focus.id && done(&self.user) && done(&self.organization) =>
            {
                let mut all = keys(&self.user);
                all.extend(keys(&self.organization));
                Some(all)
            }
            _ => None,
        }
    }

    /// (Re)starts the inventory: the home organizations and every managed
    /// tenant (once the tenant list is in).
    #[must_use]
    pub(super) fn load_inventory(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(old) = self.fleet.req.filter(|_| self.fleet.running()) {
            effects.push(Effect::Cancel { req: old });
        }
        // Tenants are read with `R7-Organization-Id`, which only a
        // multi-tenant key may send, from its home organization (the
        // profile's `tenant`), as `r7keys inventory` does: a platform key's
        // reads of them would be refused (or answered with its own keys).
        let kind = self.session.key_kind.as_ref();
        let no_fan_out = match kind {
            Some(kind) if !kind.is_multi_tenant() => Some("tenants need a multi-tenant key"),
            None if self.session.home_tenant.is_none() => Some(
                "tenants need a multi-tenant key and its home organization as the profile's tenant",
            ),
            _ => None,
        };
        let tenants = match &self.managed {
            _ if no_fan_out.is_some() => {
                self.fleet.no_tenants = no_fan_out.map(str::to_string);
                Vec::new()
            }
            Loadable::Loading(_) => {
                self.fleet = Fleet {
                    waiting_for_tenants: true,
                    ..Fleet::default()
                };
                return effects;
            }
            Loadable::Ready(tenants) => tenants.clone(),
            Loadable::Failed(why) => {
                self.fleet.no_tenants = Some(why.clone());
                Vec::new()
            }
        };
        let no_tenants = self.fleet.no_tenants.take().or_else(|| {
            tenants
                .is_empty()
                .then(|| "this account manages no tenants".to_string())
        });
        let req = self.req();
        self.inventory.restart(req);
        let mut places = vec![PlaceRequest {
            tenant: None,
            target: self.home_target(),
            known: self.known_keys(None),
        }];
        for tenant in tenants {
            let Some(region) = tenant.known_region() else {
                continue;
            };
            places.push(PlaceRequest {
                known: self.known_keys(Some(&tenant)),
                target: Target::new(region, Some(tenant.id.clone())),
                tenant: Some(tenant),
            });
        }
        let mut pending = BTreeMap::new();
        for place in places.iter().filter(|p| p.known.is_none()) {
            *pending.entry(place.target.region).or_default() += 1;
        }
        self.fleet = Fleet {
            req: Some(req),
            places: places.len(),
            pending,
            no_tenants,
            ..Fleet::default()
        };
        effects.push(Effect::LoadInventory { req, places });
        effects
    }

    /// `r` on a tenant that could not be read: that tenant again.
    #[must_use]
    pub(super) fn retry_place(&mut self, failure: &Unreachable) -> Vec<Effect> {
        let tenant = failure.tenant.clone();
        let home = tenant.name.as_deref() == Some("home organizations");
        let Some(region) = tenant.known_region() else {
            self.status = Status::error("that tenant's region is unknown: it cannot be reached");
            return Vec::new();
        };
        let req = self.req();
        self.fleet.retries.push(req);
        let id = tenant.id.clone();
        self.inventory.table.remove_where(
            |row| matches!(&row.entry, super::table::Entry::Unreachable(u) if u.tenant.id == id),
        );
        self.fleet.failed = self.fleet.failed.saturating_sub(1);
        self.status = Status::ok(format!(
            "reading {} again",
            crate::sanitize::display(tenant.name.as_deref().unwrap_or(&tenant.id), 40)
        ));
        let place = if home {
            PlaceRequest {
                tenant: None,
                target: self.home_target(),
                known: None,
            }
        } else {
            PlaceRequest {
                target: Target::new(region, Some(tenant.id.clone())),
                tenant: Some(tenant),
                known: None,
            }
        };
        vec![Effect::LoadInventory {
            req,
            places: vec![place],
        }]
    }

    fn answers_inventory(&self, req: ReqId) -> bool {
        self.fleet.req == Some(req) || self.fleet.retries.contains(&req)
    }

    /// A place answered: its keys, flagged, or a row saying why not.
    pub(super) fn on_inventory_place(
        &mut self,
        req: ReqId,
        tenant: Option<Organization>,
        result: Result<PlaceKeys, ApiError>,
    ) {
        if !self.answers_inventory(req) {
            return;
        }
        let region = tenant
            .as_ref()
            .and_then(Organization::known_region)
            .unwrap_or(self.session.region);
        if let Some(count) = self.fleet.pending.get_mut(&region) {
            *count = count.saturating_sub(1);
        }
        self.fleet.done += 1;
        let rules = Rules {
            max_age_days: self.session.max_key_age_days,
            now: self.now,
        };
        match result {
            Ok(place) => {
                let rows = place
                    .flagged(rules)
                    .into_iter()
                    .map(|(mut key, flags)| {
                        if let Some(t) = &tenant {
                            key.tenant.get_or_insert_with(|| TenantRef {
                                id: t.id.clone(),
                                region,
                            });
                            if key.organization_name.is_none() {
                                key.organization_name.clone_from(&t.name);
                            }
                        }
                        Row::flagged(key, flags)
                    })
                    .filter(|row| {
                        row.key()
                            .and_then(|k| k.id.as_deref())
                            .is_none_or(|id| self.fleet.seen.insert(id.to_lowercase()))
                    })
                    .collect::<Vec<_>>();
                self.inventory.listing.items += rows.len();
                self.inventory.table.extend_rows(rows);
            }
            Err(error) => {
                self.fleet.failed += 1;
                let tenant = tenant.unwrap_or_else(|| self.home_as_tenant());
                self.inventory
                    .table
                    .extend_rows(vec![Row::unreachable(Unreachable {
                        tenant,
                        reason: error.to_string(),
                    })]);
            }
        }
        self.inventory.listing.pages = self.fleet.done;
        self.inventory.listing.state = super::ListingState::Partial;
    }

    pub(super) fn on_inventory_progress(
        &mut self,
        req: ReqId,
        requests: u64,
        budgets: Vec<RegionBudget>,
    ) {
        if !self.answers_inventory(req) {
            return;
        }
        let start = *self.fleet.requests_at_start.get_or_insert(requests);
        self.fleet.requests = requests.saturating_sub(start);
        self.fleet.budgets = budgets;
    }

    pub(super) fn on_inventory_done(&mut self, req: ReqId) {
        if self.fleet.req == Some(req) {
            self.fleet.finished = true;
            self.inventory.listing.finish(Ok(()));
            self.inventory.table.prepare_sorts();
        }
        self.fleet.retries.retain(|r| *r != req);
    }

    /// The tenant list came in: an inventory waiting for it starts now.
    #[must_use]
    pub(super) fn inventory_after_tenants(&mut self) -> Vec<Effect> {
        if self.fleet.waiting_for_tenants {
            return self.load_inventory();
        }
        Vec::new()
    }

    /// `f`: the next flag filter on the inventory (none, old, orphan, admin, dup).
    pub(super) fn cycle_flag(&mut self) {
        if self.tab != Tab::Inventory {
            return;
        }
        let now = self.now;
        let current = self.inventory.table.filter().to_string();
        let next = next_flag(flag_in(&current));
        let text = with_flag(&current, next);
        self.inventory.table.set_filter(&text, now);
        self.status = Status::ok(match next {
            Some(flag) => format!("showing {} keys: {}", flag.word(), flag.meaning()),
            None => "showing every key".to_string(),
        });
    }
}

impl App {
    /// The export dialog: Enter writes the visible rows (metadata only).
    #[must_use]
    pub(super) fn export_action(&mut self, action: crate::keymap::Action) -> Vec<Effect> {
        use crate::keymap::Action;
        let Some(super::modal::Modal::Export { path, error }) = &mut self.modal else {
            return Vec::new();
        };
        match action {
            Action::Cancel => {
                self.modal = None;
                Vec::new()
            }
            Action::Confirm => {
                let text = path.value().trim().to_string();
                if text.is_empty() {
                    *error = Some("type the path of a file (.csv or .json)".into());
                    return Vec::new();
                }
                let rows = self
                    .inventory
                    .table
                    .visible_rows()
                    .filter_map(|row| row.key().map(|k| (k.clone(), row.flags)))
                    .collect();
                self.modal = None;
                self.status =
                    Status::ok(format!("writing {}…", crate::sanitize::display(&text, 60)));
                vec![Effect::Export { path: text, rows }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_cycle_in_the_filter_keeping_its_words() {
        assert_eq!(next_flag(None), Some(Flag::Old));
        assert_eq!(next_flag(Some(Flag::Duplicate)), None);
        assert_eq!(
            with_flag("splunk flag:old", Some(Flag::Orphan)),
            "splunk flag:orphan"
        );
        assert_eq!(with_flag("splunk flag:old", None), "splunk");
        assert_eq!(flag_in("a flag:orphan"), Some(Flag::Orphan));
    }

    #[test]
    fn the_eta_is_counted_from_the_budget() {
        let mut fleet = Fleet {
            req: Some(1),
            places: 301,
            done: 1,
            requests: 1,
            ..Fleet::default()
        };
        fleet.pending.insert(Region::Us, 60);
        fleet.budgets = vec![RegionBudget {
            region: Region::Us,
            remaining: 10,
            limit: Some(50),
            reset_in: 30,
        }];
        // 60 places at one request each: 10 now, 50 in the next window.
        assert_eq!(fleet.eta(), Some(Duration::from_secs(30)));
        fleet.pending.insert(Region::Us, 120);
        // 110 more at 50 a window: this one's reset, then two more minutes.
        assert_eq!(fleet.eta(), Some(Duration::from_secs(30 + 2 * 60)));
        fleet.finished = true;
        assert_eq!(fleet.eta(), None);
    }
}
