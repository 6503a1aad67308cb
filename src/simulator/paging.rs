//! `index`/`size`/`sort` paging with the platform's `metadata` block, and the
//! page snapshots that keep a listing consistent while keys come and go.
//!
//! A listing is computed once, when its first page is asked for, and kept
//! (as slots) for a few minutes: later pages of the same listing are cut
//! from that snapshot, so a client walking the pages never sees a key twice
//! or misses one because another was added or revoked in between. Keys
//! revoked since the snapshot are left out of the page they would have been
//! on (the page comes back shorter, which the contract allows); keys added
//! since appear on the next listing.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Sort direction of one sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    Asc,
    Desc,
}

/// A parsed paging request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    pub index: usize,
    /// The effective size: the requested one, capped.
    pub size: usize,
    pub sort: Vec<(String, Order)>,
}

/// The `metadata` block of a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Metadata {
    pub index: usize,
    pub size: usize,
    pub total_data: usize,
    pub total_pages: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// The platform's default page size.
pub const DEFAULT_SIZE: usize = 20;

/// Reads `index`, `size` and `sort` (`name,ASC,generated_on,DESC`); rejects what
/// the platform would reject with a 400, and caps `size` at `cap`.
pub fn parse_page_query(
    index: Option<&str>,
    size: Option<&str>,
    sort: Option<&str>,
    cap: usize,
    sortable: &[&str],
) -> Result<PageQuery, String> {
    let index = match index {
        None | Some("") => 0,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| format!("Invalid value for parameter 'index': {text:?}"))?,
    };
    let size = match size {
        None | Some("") => DEFAULT_SIZE,
        Some(text) => match text.parse::<usize>() {
            Ok(0) | Err(_) => return Err(format!("Invalid value for parameter 'size': {text:?}")),
            Ok(n) => n,
        },
    };
    let mut keys = Vec::new();
    if let Some(text) = sort.filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        for pair in parts.chunks(2) {
            let field = pair[0];
            if !sortable.contains(&field) {
                return Err(format!(
                    "Unsupported sort key {field:?}; supported: {}",
                    sortable.join(", ")
                ));
            }
            let order = match pair.get(1).map(|o| o.to_ascii_uppercase()) {
                None => Order::Asc,
                Some(o) if o == "ASC" => Order::Asc,
                Some(o) if o == "DESC" => Order::Desc,
                Some(o) => return Err(format!("Invalid sort order {o:?}; expected ASC or DESC")),
            };
            keys.push((field.to_string(), order));
        }
    }
    Ok(PageQuery {
        index,
        size: size.min(cap.max(1)),
        sort: keys,
    })
}

impl PageQuery {
    /// The `sort` echo for `metadata`, when the request sorted.
    pub fn sort_text(&self) -> Option<String> {
        (!self.sort.is_empty()).then(|| {
            self.sort
                .iter()
                .map(|(f, o)| format!("{f},{}", if *o == Order::Asc { "ASC" } else { "DESC" }))
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// The item range of this page within `total` items, and its metadata.
    pub fn window(&self, total: usize) -> (std::ops::Range<usize>, Metadata) {
        let start = self.index.saturating_mul(self.size).min(total);
        let end = start.saturating_add(self.size).min(total);
        let metadata = Metadata {
            index: self.index,
            size: self.size,
            total_data: total,
            total_pages: total.div_ceil(self.size),
            sort: self.sort_text(),
        };
        (start..end, metadata)
    }
}

/// Compares two strings ignoring ASCII case, without allocating.
pub fn caseless(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Applies a direction to an ordering.
pub fn directed(ordering: Ordering, order: Order) -> Ordering {
    match order {
        Order::Asc => ordering,
        Order::Desc => ordering.reverse(),
    }
}

/// Identifies one listing: who asked, in which context, with which filters and order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListingKey {
    pub caller_slot: u32,
    pub context: u32,
    pub filter: String,
    pub sort: String,
}

struct Snapshot {
    version: u64,
    slots: Arc<[u32]>,
    made: Instant,
}

/// Keeps recent listings so later pages come from the same snapshot.
pub struct Snapshots {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<ListingKey, Snapshot>>,
}

impl Snapshots {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Snapshots {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The slots of a listing. A first page (`index == 0`) takes a new snapshot
    /// when the world changed since the last one; a later page reuses the
    /// snapshot while it is fresh, whatever changed since.
    pub fn listing(
        &self,
        key: &ListingKey,
        version: u64,
        first_page: bool,
        build: impl FnOnce() -> Vec<u32>,
    ) -> Arc<[u32]> {
        let now = Instant::now();
        {
            let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(snap) = entries.get(key) {
                let fresh = now.duration_since(snap.made) < self.ttl;
                let reusable = if first_page {
                    snap.version == version
                } else {
                    fresh
                };
                if reusable {
                    return Arc::clone(&snap.slots);
                }
            }
        }
        let slots: Arc<[u32]> = build().into();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.retain(|_, s| now.duration_since(s.made) < self.ttl);
            if entries.len() >= self.capacity {
                if let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, s)| s.made)
                    .map(|(k, _)| k.clone())
                {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(
            key.clone(),
            Snapshot {
                version,
                slots: Arc::clone(&slots),
                made: now,
            },
        );
        slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SORTABLE: &[&str] = &["name", "generated_on"];

    #[test]
    fn size_is_capped_and_defaults_apply() {
        let q = parse_page_query(None, Some("1000"), None, 100, SORTABLE).unwrap();
        assert_eq!((q.index, q.size), (0, 100));
        let q = parse_page_query(Some("3"), None, None, 100, SORTABLE).unwrap();
        assert_eq!((q.index, q.size), (3, DEFAULT_SIZE));
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(parse_page_query(Some("-1"), None, None, 100, SORTABLE).is_err());
        assert!(parse_page_query(None, Some("0"), None, 100, SORTABLE).is_err());
        assert!(parse_page_query(None, None, Some("colour,ASC"), 100, SORTABLE).is_err());
        assert!(parse_page_query(None, None, Some("name,UP"), 100, SORTABLE).is_err());
    }

    #[test]
    fn multi_key_sort_parses_and_echoes() {
        let q = parse_page_query(
            None,
            None,
            Some("name,ASC,generated_on,desc"),
            100,
            SORTABLE,
        )
        .unwrap();
        assert_eq!(
            q.sort,
            vec![
                ("name".into(), Order::Asc),
                ("generated_on".into(), Order::Desc)
            ]
        );
        assert_eq!(q.sort_text().as_deref(), Some("name,ASC,generated_on,DESC"));
    }

    #[test]
    fn window_and_metadata() {
        let q = parse_page_query(Some("2"), Some("10"), None, 100, SORTABLE).unwrap();
        let (range, meta) = q.window(25);
        assert_eq!(range, 20..25);
        assert_eq!((meta.total_data, meta.total_pages, meta.size), (25, 3, 10));
        let q = parse_page_query(Some("9"), Some("10"), None, 100, SORTABLE).unwrap();
        assert_eq!(q.window(25).0, 25..25);
    }

    #[test]
    fn later_pages_reuse_the_snapshot_first_pages_refresh_it() {
        let snaps = Snapshots::new(Duration::from_secs(60), 4);
        let key = ListingKey {
            caller_slot: 1,
            context: 0,
            filter: String::new(),
            sort: String::new(),
        };
        let a = snaps.listing(&key, 1, true, || vec![1, 2, 3]);
        let b = snaps.listing(&key, 2, false, || vec![9]);
        assert_eq!(
            &*b, &*a,
            "a later page keeps the snapshot although the world changed"
        );
        let c = snaps.listing(&key, 2, true, || vec![9]);
        assert_eq!(&*c, &[9], "a first page sees the change");
    }
}
