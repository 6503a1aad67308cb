//! Loading a whole list in the fewest requests the server allows, and always
//! ending, whatever shape the server answers in.
//!
//! With `metadata` the first page says how many pages there are; the rest
//! are fetched concurrently (bounded, and paced by the client). The count may
//! change while the walk runs (keys come and go): a page that reports more
//! pages extends the walk, one that reports fewer ends it sooner.
//!
//! Without `metadata` (a bare array) pages are walked one by one and the walk
//! stops at the first of: a page shorter than the size asked for on the
//! first page (the whole list came at once; but a round length such as 100
//! may be a cap the server did not announce, and then the walk goes on at
//! that size), an empty page, a page shorter than the one before, or a page
//! holding nothing new (the server ignored `index`).
//!
//! In every shape an item already delivered is dropped (by its `id`, or the
//! whole item when it has none), so duplicates never reach the caller, and a
//! hard ceiling on pages (`Settings::max_pages`) ends a server that never
//! stops. The caller sees each page as it arrives and may stop the walk.

use std::collections::HashSet;
use std::ops::ControlFlow;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::de::DeserializeOwned;

use super::client::{Client, Target};
use super::decode::{self, DecodedList, Metadata};
use super::error::ApiError;

/// One page as it arrives, without the items already delivered.
#[derive(Debug)]
pub struct Page<T> {
    pub index: usize,
    pub items: Vec<T>,
    /// Pages in the whole list, when the server says.
    pub total_pages: Option<usize>,
    /// Items in the whole list, when the server says.
    pub total_items: Option<usize>,
}

/// A list request: path and filters.
#[derive(Debug, Clone)]
pub struct ListRequest<'a> {
    pub target: &'a Target,
    pub path: &'a str,
    pub query: Vec<(&'static str, String)>,
}

async fn fetch<T: DeserializeOwned>(
    client: &Client,
    request: &ListRequest<'_>,
    index: usize,
    size: usize,
) -> Result<DecodedList<T>, ApiError> {
    let mut query = request.query.clone();
    query.push(("index", index.to_string()));
    query.push(("size", size.to_string()));
    client
        .get(request.target, request.path, query, decode::list::<T>)
        .await
}

fn as_usize(n: Option<u64>) -> Option<usize> {
    n.and_then(|n| usize::try_from(n).ok())
}

/// The page count `metadata` gives: `total_pages`, else worked out from `total_data`.
fn pages_of(meta: &Metadata, size: usize) -> Option<usize> {
    as_usize(meta.total_pages).or_else(|| as_usize(meta.total_data).map(|n| n.div_ceil(size)))
}

/// What the walk has delivered, and where it hands pages to the caller.
struct Walk<'a, T, F> {
    request: &'a ListRequest<'a>,
    seen: HashSet<u64>,
    on_page: F,
    max_pages: usize,
    _items: std::marker::PhantomData<T>,
}

impl<T, F> Walk<'_, T, F>
where
    F: FnMut(Page<T>) -> ControlFlow<()>,
{
    /// Hands the page's new items to the caller; answers how many were new,
    /// or `None` when the caller wants no more.
    fn deliver(
        &mut self,
        index: usize,
        page: DecodedList<T>,
        total_pages: Option<usize>,
    ) -> Option<usize> {
        let total_items = page.metadata.as_ref().and_then(|m| as_usize(m.total_data));
        let seen = &mut self.seen;
        let items: Vec<T> = page
            .items
            .into_iter()
            .zip(page.identities)
            .filter(|(_, id)| seen.insert(*id))
            .map(|(item, _)| item)
            .collect();
        let fresh = items.len();
        let flow = (self.on_page)(Page {
            index,
            items,
            total_pages,
            total_items,
        });
        flow.is_continue().then_some(fresh)
    }

    fn ceiling(&self) -> ApiError {
        ApiError::PageCeiling {
            path: self.request.path.to_string(),
            pages: self.max_pages,
        }
    }
}

/// Walks every page of a list, calling `on_page` as each arrives (not
/// necessarily in index order) until the list ends, the caller answers
/// `Break`, or a page fails. Bounded by the client's page ceiling and, when
/// it has one, its deadline.
pub async fn for_each_page<T, F>(
    client: &Client,
    request: &ListRequest<'_>,
    on_page: F,
) -> Result<(), ApiError>
where
    T: DeserializeOwned,
    F: FnMut(Page<T>) -> ControlFlow<()>,
{
    let walk = Walk {
        request,
        seen: HashSet::new(),
        on_page,
        max_pages: client.settings().max_pages.max(1),
        _items: std::marker::PhantomData,
    };
    let run = walk_pages(client, walk);
    match client.deadline() {
        Some(deadline) => tokio::time::timeout_at(deadline.into(), run)
            .await
            .unwrap_or_else(|_| Err(client.deadline_error())),
        None => run.await,
    }
}

async fn walk_pages<T, F>(client: &Client, mut walk: Walk<'_, T, F>) -> Result<(), ApiError>
where
    T: DeserializeOwned,
    F: FnMut(Page<T>) -> ControlFlow<()>,
{
    let asked = client.settings().page_size.max(1);
    let first: DecodedList<T> = fetch(client, walk.request, 0, asked).await?;
    let first_len = first.items.len();
    // The server's page size, which may be smaller than asked (seed 002); a
    // size of 0 says nothing, and then the first page's length is the best guess.
    let size = first
        .metadata
        .as_ref()
        .and_then(|m| as_usize(m.size))
        .filter(|&s| s > 0)
        .or((first_len > 0).then_some(first_len))
        .unwrap_or(asked);
    if let Some(total) = first.metadata.as_ref().and_then(|m| pages_of(m, size)) {
        if walk.deliver(0, first, Some(total)).is_none() {
            return Ok(());
        }
        return by_metadata(client, &mut walk, total, size).await;
    }
    if walk.deliver(0, first, None).is_none() {
        return Ok(());
    }
    if first_len < asked {
        // A bare list shorter than the size asked for is the whole list,
        // unless its length looks like a cap the server put on the page
        // size without saying so (contract Part 2 section 5: sizes up to
        // 1000 are documented, servers cap lower): then the walk goes on at
        // that size, and one more request tells.
        if !could_be_a_cap(first_len) {
            return Ok(());
        }
        return one_by_one(client, &mut walk, first_len, first_len).await;
    }
    one_by_one(client, &mut walk, asked, first_len).await
}

/// Whether a short first page's length could be a page-size cap rather
/// than the list's end: caps are round numbers (20, 25, 50, 100, 250, 500).
fn could_be_a_cap(len: usize) -> bool {
    len >= 20 && (len % 10 == 0 || len % 25 == 0)
}

/// The walk without `metadata`: one page at a time until it says it is the last.
async fn one_by_one<T, F>(
    client: &Client,
    walk: &mut Walk<'_, T, F>,
    asked: usize,
    first_len: usize,
) -> Result<(), ApiError>
where
    T: DeserializeOwned,
    F: FnMut(Page<T>) -> ControlFlow<()>,
{
    let mut before = first_len;
    for index in 1.. {
        if index >= walk.max_pages {
            return Err(walk.ceiling());
        }
        let page: DecodedList<T> = fetch(client, walk.request, index, asked).await?;
        let len = page.items.len();
        if len == 0 {
            return Ok(());
        }
        match walk.deliver(index, page, None) {
            // Nothing new: the server ignored `index` and sent a page again.
            Some(0) | None => return Ok(()),
            Some(_) if len < before => return Ok(()),
            Some(_) => before = len,
        }
    }
    Ok(())
}

/// The walk by `metadata`: the remaining pages concurrently, following the
/// page count as each answer reports it.
async fn by_metadata<T, F>(
    client: &Client,
    walk: &mut Walk<'_, T, F>,
    mut total: usize,
    size: usize,
) -> Result<(), ApiError>
where
    T: DeserializeOwned,
    F: FnMut(Page<T>) -> ControlFlow<()>,
{
    let concurrency = client.settings().concurrency.max(1);
    let mut next = 1;
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < concurrency && next < total {
            if next >= walk.max_pages {
                return Err(walk.ceiling());
            }
            let index = next;
            let request = walk.request;
            in_flight.push(async move { (index, fetch::<T>(client, request, index, size).await) });
            next += 1;
        }
        let Some((index, page)) = in_flight.next().await else {
            return Ok(());
        };
        let page = page?;
        // Keys come and go while the walk runs: follow the latest count (never
        // below a page that did answer). A page past the end of a shrunk list
        // comes back empty and ends nothing.
        if let Some(now) = page.metadata.as_ref().and_then(|m| pages_of(m, size)) {
            total = now.max(index + 1);
        }
        let answered_for = page.metadata.as_ref().and_then(|m| as_usize(m.index));
        match walk.deliver(index, page, Some(total)) {
            None => return Ok(()),
            // Another page's items again, labelled as that page: the server
            // ignores `index`, and asking further would bring more of the same.
            Some(0) if answered_for.is_some_and(|i| i != index) => total = next,
            Some(_) => {}
        }
    }
}

/// Every item of a list, in page order.
pub async fn collect<T: DeserializeOwned>(
    client: &Client,
    request: &ListRequest<'_>,
) -> Result<Vec<T>, ApiError> {
    let mut pages = Vec::new();
    for_each_page(client, request, |page: Page<T>| {
        pages.push((page.index, page.items));
        ControlFlow::Continue(())
    })
    .await?;
    pages.sort_by_key(|(index, _)| *index);
    Ok(pages.into_iter().flat_map(|(_, items)| items).collect())
}
