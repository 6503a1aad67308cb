//! A tab's pane and the listings that fill it.
//!
//! A pane owns its table, scroll offset, marked rows and the [`Listing`]
//! that fills it. A listing is one request (paged) in the worker: its id,
//! how far it has come, and how it ended. One listing may fill several
//! panes (the context's keys fill the user and organization tabs, and at
//! home the multi-tenant tab too, from a single walk): each pane then holds
//! the same request id, answers are routed to every pane that holds it, and
//! each pane keeps only the kinds it shows.

use std::collections::BTreeSet;

use crate::api::{KeyInfo, KeyKind};

use super::msg::ReqId;
use super::table::KeyTable;

/// How a listing is going.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ListingState {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Asked; no page yet.
    Loading,
    /// Some pages are in.
    Partial,
    Done,
    Failed(String),
}

/// One paged request and its progress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub req: Option<ReqId>,
    pub pages: usize,
    pub total_pages: Option<usize>,
    /// Items this pane took so far.
    pub items: usize,
    pub total_items: Option<usize>,
    pub state: ListingState,
}

impl Listing {
    /// A listing just asked for.
    pub fn started(req: ReqId) -> Listing {
        Listing {
            req: Some(req),
            state: ListingState::Loading,
            ..Listing::default()
        }
    }

    /// Whether this listing is the one `req` answers.
    pub fn answers(&self, req: ReqId) -> bool {
        self.req == Some(req)
    }

    /// Whether pages are still to come (a newer listing cancels it then).
    pub fn running(&self) -> bool {
        matches!(self.state, ListingState::Loading | ListingState::Partial)
    }

    pub fn is_done(&self) -> bool {
        self.state == ListingState::Done
    }

    /// Why it failed, if it did.
    pub fn error(&self) -> Option<&str> {
        match &self.state {
            ListingState::Failed(why) => Some(why),
            _ => None,
        }
    }

    fn page(&mut self, taken: usize, total_pages: Option<usize>, total_items: Option<usize>) {
        self.pages += 1;
        self.items += taken;
        self.total_pages = total_pages.or(self.total_pages);
        self.total_items = total_items.or(self.total_items);
        self.state = ListingState::Partial;
    }

    /// The listing ended, well or not.
    pub fn finish(&mut self, outcome: Result<(), String>) {
        self.state = match outcome {
            Ok(()) => ListingState::Done,
            Err(why) => ListingState::Failed(why),
        };
    }
}

/// Which kinds of key a pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// User keys, and keys of a type r7keys does not know.
    UserKeys,
    OrganizationKeys,
    MultiTenantKeys,
    Everything,
}

impl Holds {
    pub fn takes(self, kind: &KeyKind) -> bool {
        match self {
            Holds::UserKeys => matches!(kind, KeyKind::User | KeyKind::Other(_)),
            Holds::OrganizationKeys => *kind == KeyKind::Organization,
            Holds::MultiTenantKeys => kind.is_multi_tenant(),
            Holds::Everything => true,
        }
    }
}

/// A tab's keys: the table, where it is scrolled to, the marked keys, and
/// the listing that fills it.
#[derive(Debug, Clone)]
pub struct Pane {
    pub table: KeyTable,
    pub offset: usize,
    pub listing: Listing,
    /// Ids of the keys marked (Space) for a bulk revoke.
    pub marked: BTreeSet<String>,
    pub holds: Holds,
}

impl Pane {
    pub fn new(holds: Holds) -> Pane {
        Pane {
            table: KeyTable::default(),
            offset: 0,
            listing: Listing::default(),
            marked: BTreeSet::new(),
            holds,
        }
    }

    /// Starts over for a new listing: no rows, no marks.
    pub fn restart(&mut self, req: ReqId) {
        self.table.set_rows(Vec::new());
        self.offset = 0;
        self.marked.clear();
        self.listing = Listing::started(req);
    }

    /// Files the keys of a page this pane shows.
    pub fn take_page(
        &mut self,
        keys: &[KeyInfo],
        total_pages: Option<usize>,
        total_items: Option<usize>,
    ) {
        let mine: Vec<KeyInfo> = keys
            .iter()
            .filter(|k| self.holds.takes(&k.kind))
            .cloned()
            .collect();
        self.listing.page(mine.len(), total_pages, total_items);
        self.table.extend(mine);
    }

    /// The keys marked, in table order, that are still listed.
    pub fn marked_keys(&self) -> Vec<KeyInfo> {
        self.table
            .window(0, self.table.visible_len())
            .filter(|k| k.id.as_ref().is_some_and(|id| self.marked.contains(id)))
            .cloned()
            .collect()
    }

    /// Marks or unmarks the selected key; answers whether it is marked now.
    pub fn toggle_mark(&mut self) -> Option<bool> {
        let id = self.table.selected_key()?.id.clone()?;
        if self.marked.remove(&id) {
            Some(false)
        } else {
            self.marked.insert(id);
            Some(true)
        }
    }

    /// A key is gone (revoked): its row and its mark.
    pub fn forget(&mut self, id: &str) {
        self.table.remove(id);
        self.marked.remove(id);
    }
}
