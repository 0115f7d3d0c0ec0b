//! Offset/limit paging.

use std::future::Future;

use crate::error::ApiError;

/// The largest page the Anypoint list endpoints accept.
pub const MAX_PAGE_SIZE: u32 = 250;
/// A safety stop for a server that ignores `offset`.
pub const MAX_PAGES: usize = 1000;

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The total the server reported, if it did.
    pub total: Option<u64>,
}

/// Fetch every page: `fetch(offset, limit)` is called with offsets 0, n, 2n…
/// until a page is empty, the reported `total` is reached, or (without a
/// total) a page is shorter than `limit`. Relying on `total` when there is
/// one means a server that caps `limit` below ours does not end the listing
/// early.
pub async fn collect_pages<T, F, Fut>(page_size: u32, mut fetch: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(u64, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let limit = page_size.clamp(1, MAX_PAGE_SIZE);
    let mut all = Vec::new();
    let mut offset = 0u64;
    for _ in 0..MAX_PAGES {
        let page = fetch(offset, limit).await?;
        let got = page.items.len() as u64;
        all.extend(page.items);
        offset += got;
        let done = match page.total {
            _ if got == 0 => true,
            Some(total) => offset >= total,
            None => got < u64::from(limit),
        };
        if done {
            return Ok(all);
        }
    }
    tracing::debug!(pages = MAX_PAGES, "stopped paging at the page limit");
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    async fn run(
        data: Vec<u32>,
        page_size: u32,
        server_cap: usize,
        with_total: bool,
    ) -> (Vec<u32>, Vec<(u64, u32)>) {
        let calls = RefCell::new(Vec::new());
        let out = collect_pages(page_size, |offset, limit| {
            calls.borrow_mut().push((offset, limit));
            let start = (offset as usize).min(data.len());
            let end = (start + (limit as usize).min(server_cap)).min(data.len());
            let items = data[start..end].to_vec();
            let total = with_total.then_some(data.len() as u64);
            async move { Ok(Page { items, total }) }
        })
        .await
        .unwrap();
        (out, calls.into_inner())
    }

    #[tokio::test]
    async fn stops_on_a_short_page() {
        let data: Vec<u32> = (0..260).collect();
        let (out, calls) = run(data.clone(), 250, usize::MAX, false).await;
        assert_eq!(out, data);
        assert_eq!(calls, vec![(0, 250), (250, 250)]);
    }

    #[tokio::test]
    async fn exact_multiple_needs_one_empty_page_without_total() {
        let data: Vec<u32> = (0..500).collect();
        let (out, calls) = run(data.clone(), 250, usize::MAX, false).await;
        assert_eq!(out.len(), 500);
        assert_eq!(calls.len(), 3);
        // With a total, no extra call.
        let (out, calls) = run(data, 250, usize::MAX, true).await;
        assert_eq!(out.len(), 500);
        assert_eq!(calls.len(), 2);
    }

    #[tokio::test]
    async fn total_survives_a_server_that_caps_the_limit() {
        let data: Vec<u32> = (0..230).collect();
        let (out, calls) = run(data.clone(), 250, 100, true).await;
        assert_eq!(out, data);
        assert_eq!(calls, vec![(0, 250), (100, 250), (200, 250)]);
    }

    #[tokio::test]
    async fn empty_list_and_clamped_limit() {
        let (out, calls) = run(Vec::new(), 1000, usize::MAX, true).await;
        assert!(out.is_empty());
        assert_eq!(calls, vec![(0, 250)]);
    }
}
