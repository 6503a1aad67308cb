//! Loading a whole list in the fewest requests the server allows: ask for a
//! large page, read `metadata`, then fetch the remaining pages concurrently
//! (bounded, and paced by the client). Without `metadata` (a bare array),
//! pages are walked one by one until a short or empty page.
//!
//! Pages are handed to the caller as they arrive, so the console can fill a
//! table progressively.

use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::client::{Client, Target};
use super::decode::{self, DecodedList};
use super::error::ApiError;

/// One page as it arrives.
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

/// Walks every page of a list, calling `on_page` as each arrives (not
/// necessarily in index order). Stops at the first failed page.
pub async fn for_each_page<T, F>(
    client: &Client,
    request: &ListRequest<'_>,
    mut on_page: F,
) -> Result<(), ApiError>
where
    T: DeserializeOwned,
    F: FnMut(Page<T>),
{
    let asked = client.settings().page_size.max(1);
    let first: DecodedList<T> = fetch(client, request, 0, asked).await?;
    let first_len = first.items.len();
    match first.metadata {
        Some(meta) if meta.total_pages.is_some() => {
            let total_pages = as_usize(meta.total_pages).unwrap_or(1);
            let total_items = as_usize(meta.total_data);
            // The server's page size, which may be smaller than asked (seed 002).
            let size = as_usize(meta.size).filter(|&s| s > 0).unwrap_or(asked);
            on_page(Page {
                index: 0,
                items: first.items,
                total_pages: Some(total_pages),
                total_items,
            });
            let concurrency = client.settings().concurrency.max(1);
            let mut rest = futures_util::stream::iter(1..total_pages)
                .map(|index| async move { (index, fetch::<T>(client, request, index, size).await) })
                .buffer_unordered(concurrency);
            while let Some((index, page)) = rest.next().await {
                let page = page?;
                on_page(Page {
                    index,
                    items: page.items,
                    total_pages: Some(total_pages),
                    total_items,
                });
            }
            Ok(())
        }
        _ => {
            on_page(Page {
                index: 0,
                items: first.items,
                total_pages: None,
                total_items: None,
            });
            // No totals: the first page's length is the server's page size.
            let mut index = 1;
            let mut last_len = first_len;
            while last_len > 0 && last_len >= first_len.min(asked) {
                let page: DecodedList<T> = fetch(client, request, index, asked).await?;
                last_len = page.items.len();
                if last_len == 0 {
                    break;
                }
                on_page(Page {
                    index,
                    items: page.items,
                    total_pages: None,
                    total_items: None,
                });
                index += 1;
            }
            Ok(())
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
    })
    .await?;
    pages.sort_by_key(|(index, _)| *index);
    Ok(pages.into_iter().flat_map(|(_, items)| items).collect())
}
