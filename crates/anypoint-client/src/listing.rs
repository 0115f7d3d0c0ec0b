//! The application list of an organization, read at most once per client
//! and shared: it serves refreshes (`Applications::read`) and the name check
//! before a create (`Applications::prior_holders`), so that a state of N applications costs about
//! ⌈N/250⌉ list requests instead of N reads and N name look-ups.
//!
//! The rules:
//! - The first [`LIST_AFTER`] uses go one by one, as they would without a
//!   list (a command that reads or creates one or two applications costs
//!   what it did); the next fetches the first page (250 items), which tells
//!   the total, and the uses after it wait for that page. The other pages
//!   are fetched together, concurrently, once they
//!   are worth it: when the uses the pages already fetched could not serve
//!   reach the number of pages left (so a few applications in a large
//!   organization cost one page more than reading them one by one, and many
//!   cost the whole list, fetched at once).
//! - A listed item serves a read only if it carries every field a read
//!   needs (`redirectUri`, `grantTypes`, `clientId` or `coreServicesId`,
//!   `clientSecret`); other items, and every application the list lacks,
//!   are read by id. The list never says an application is gone: only a
//!   read by id does (the list may hide a Connected App's applications,
//!   reference §8 q9).
//! - The list answers the name check only when every page was fetched and
//!   the pages add up to the total; the names this client creates, renames
//!   and deletes are kept current in it. An empty answer is no more proof
//!   that a name is free than it was before: the platform's 409 still
//!   guards it (`create_once.rs`).
//! - What this client changes is dropped from the served items (the next
//!   read of it is by id), and owners and contracts are never in the list.
//! - A list that fails is not asked again by this client: reads and name
//!   checks go one by one, as they would without it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use reqwest::Method;
use tokio::sync::OnceCell;

use crate::error::ApiError;
use crate::models::{Application, ListedApplication, ListedApplicationPage};
use crate::paging::{MAX_PAGES, MAX_PAGE_SIZE};
use crate::paths;
use crate::send::Engine;

/// How many uses (reads and name checks) of an organization's
/// applications a client makes one by one before it reads the list.
const LIST_AFTER: usize = 2;

/// How many pages are fetched at the same time.
const CONCURRENT_PAGES: usize = 8;

/// One organization's list, as far as this client has read it.
#[derive(Default)]
pub(crate) struct Listing {
    /// The first page's outcome: how many pages are left (`None`: the list
    /// failed, and is not used).
    first: OnceCell<Option<usize>>,
    /// Whether the other pages were all fetched.
    rest: OnceCell<bool>,
    /// Uses before the first page was asked for.
    uses: AtomicUsize,
    /// Uses that the pages fetched so far could not serve.
    misses: AtomicUsize,
    data: Mutex<ListingData>,
}

#[derive(Default)]
struct ListingData {
    apps: HashMap<i64, Listed>,
    /// Every page fetched, adding up to the total: the names are all known.
    complete: bool,
    /// The first page's items carry what a read needs.
    serves_reads: bool,
    /// Where the pages after the first start.
    next_offset: u64,
    /// The other pages can be fetched at once (the first was full and told
    /// the total).
    at_once: bool,
    /// Applications this client changed: a page that was on its way
    /// meanwhile may be older, so its items of them serve no read (and
    /// name only those the client has not named itself).
    changed: HashSet<i64>,
    /// Applications this client deleted: a page that was on its way
    /// meanwhile may still list them.
    deleted: HashSet<i64>,
}

/// A listed application.
struct Listed {
    name: String,
    /// The whole application, when the item carries every field a read
    /// needs and this client has not changed it since.
    full: Option<Application>,
}

/// One page of the list, with its items as served.
struct ListedPage {
    items: Vec<(i64, Listed)>,
    total: Option<u64>,
    got: usize,
}

impl Listing {
    fn data(&self) -> MutexGuard<'_, ListingData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, page: ListedPage) {
        let mut data = self.data();
        for (id, mut listed) in page.items {
            if data.deleted.contains(&id) {
                continue;
            }
            if data.changed.contains(&id) {
                if data.apps.contains_key(&id) {
                    continue;
                }
                listed.full = None;
            }
            data.apps.insert(id, listed);
        }
    }

    /// The item of `id`: `Some(Some(app))` when it can serve a read.
    fn served(&self, id: i64) -> Option<Option<Application>> {
        self.data().apps.get(&id).map(|l| l.full.clone())
    }

    fn is_complete(&self) -> bool {
        self.data().complete
    }

    fn serves_reads(&self) -> bool {
        self.data().serves_reads
    }

    fn holders(&self, name: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .data()
            .apps
            .iter()
            .filter(|(_, l)| l.name == name)
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Whether this use is one of the first [`LIST_AFTER`], which go one by
    /// one (once the first page is asked for, every use waits for it).
    fn early(&self) -> bool {
        !self.first.initialized()
            && self.uses.load(Ordering::Relaxed) < LIST_AFTER
            && self.uses.fetch_add(1, Ordering::Relaxed) < LIST_AFTER
    }

    /// Count a use the fetched pages could not serve; true when the pages
    /// left are now worth fetching.
    fn missed(&self, left: usize) -> bool {
        self.misses.fetch_add(1, Ordering::Relaxed) + 1 >= left
    }
}

impl Listing {
    /// The application `id` of `org` for a refresh, if this list carries it
    /// whole (`None`: read it by id).
    pub(crate) async fn application(
        &self,
        engine: &Arc<Engine>,
        org: &str,
        id: i64,
    ) -> Option<Application> {
        if self.early() {
            return None;
        }
        let left = self.first_page(engine, org).await?;
        if !self.serves_reads() {
            return None;
        }
        if let Some(served) = self.served(id) {
            return served;
        }
        if self.is_complete() || self.rest.initialized() || !self.missed(left) {
            return None;
        }
        self.other_pages(engine, org, left).await;
        self.served(id).flatten()
    }

    /// The ids of the applications named exactly `name`, if this list holds
    /// every name (`None`: ask the platform by name).
    pub(crate) async fn holders_of(
        &self,
        engine: &Arc<Engine>,
        org: &str,
        name: &str,
    ) -> Option<Vec<i64>> {
        if self.early() {
            return None;
        }
        let left = self.first_page(engine, org).await?;
        if !self.is_complete() {
            if self.rest.initialized() || !self.missed(left) {
                return None;
            }
            if !self.other_pages(engine, org, left).await {
                return None;
            }
        }
        Some(self.holders(name))
    }

    /// Keep the list true after this client changed application `id`: its
    /// item no longer serves reads; `name` is its name now (`None`:
    /// deleted).
    pub(crate) fn changed(&self, id: i64, name: Option<&str>) {
        let mut data = self.data();
        data.changed.insert(id);
        match name {
            Some(name) => {
                data.apps.insert(
                    id,
                    Listed {
                        name: name.to_owned(),
                        full: None,
                    },
                );
            }
            None => {
                data.apps.remove(&id);
                data.deleted.insert(id);
            }
        }
    }

    /// A read by id saw `app`: a listed item of it takes what the read says
    /// (it is newer); an application the list does not hold stays out.
    pub(crate) fn seen(&self, app: &Application) {
        let mut data = self.data();
        if let Some(l) = data.apps.get_mut(&app.id) {
            l.name = app.name.clone();
            if l.full.is_some() {
                l.full = Some(app.clone());
            }
        }
    }

    /// Drop application `id` from the reads this list serves.
    pub(crate) fn stale(&self, id: i64) {
        let mut data = self.data();
        data.changed.insert(id);
        if let Some(l) = data.apps.get_mut(&id) {
            l.full = None;
        }
    }

    /// The first page (fetched once per client and organization): how many
    /// pages are left, or `None` if the list cannot be used.
    async fn first_page(&self, engine: &Engine, org: &str) -> Option<usize> {
        *self
            .first
            .get_or_init(|| async {
                let page = match listed_page(engine, org, 0).await {
                    Ok(page) => page,
                    Err(e) => {
                        tracing::debug!(
                            kind = e.kind(),
                            "the application list failed: reading applications one by one"
                        );
                        return None;
                    }
                };
                let got = page.got as u64;
                let total = page.total;
                let serves_reads = page.items.iter().any(|(_, l)| l.full.is_some());
                self.add(page);
                let full = got >= u64::from(MAX_PAGE_SIZE);
                let left = match total {
                    _ if got == 0 => 0,
                    Some(total) if total <= got => 0,
                    // Full pages: count them from the total.
                    Some(total) if full => {
                        (total - got).div_ceil(u64::from(MAX_PAGE_SIZE)) as usize
                    }
                    // The server gives less than asked for: pages of that size.
                    Some(total) => (total - got).div_ceil(got) as usize,
                    // No total: one more page at least, unless this one was short.
                    None => usize::from(full),
                }
                .min(MAX_PAGES);
                {
                    let mut data = self.data();
                    data.serves_reads = serves_reads;
                    data.complete = left == 0;
                    data.next_offset = got;
                    data.at_once = full && total.is_some();
                }
                tracing::debug!(
                    listed = got,
                    total,
                    pages_left = left,
                    serves_reads,
                    "read the first page of the application list"
                );
                Some(left)
            })
            .await
    }

    /// The other pages, fetched at most once: `CONCURRENT_PAGES` at a time
    /// when the first page was full and told the total, else one after the
    /// other. True when every page came.
    async fn other_pages(&self, engine: &Arc<Engine>, org: &str, left: usize) -> bool {
        *self
            .rest
            .get_or_init(|| async {
                let (at_once, offset) = {
                    let data = self.data();
                    (data.at_once, data.next_offset)
                };
                let complete = if at_once {
                    self.pages_at_once(engine, org, left).await
                } else {
                    self.pages_in_turn(engine, org, offset).await
                };
                self.data().complete = complete;
                tracing::debug!(complete, "read the rest of the application list");
                complete
            })
            .await
    }

    /// Pages 1..=`left` of 250, concurrently. Complete when each came and
    /// each but the last was full (a short one means the list changed or
    /// the server pages differently, so offsets may have skipped items).
    async fn pages_at_once(&self, engine: &Arc<Engine>, org: &str, left: usize) -> bool {
        let mut pending = tokio::task::JoinSet::new();
        let mut next = 1usize;
        let mut complete = true;
        loop {
            while next <= left && pending.len() < CONCURRENT_PAGES {
                let engine = Arc::clone(engine);
                let org = org.to_owned();
                let n = next;
                let offset = n as u64 * u64::from(MAX_PAGE_SIZE);
                pending.spawn(async move { (n, listed_page(&engine, &org, offset).await) });
                next += 1;
            }
            let Some(done) = pending.join_next().await else {
                break;
            };
            match done {
                Ok((n, Ok(page))) => {
                    if n < left && page.got < MAX_PAGE_SIZE as usize {
                        complete = false;
                    }
                    self.add(page);
                }
                Ok((_, Err(e))) => {
                    tracing::debug!(kind = e.kind(), "a page of the application list failed");
                    complete = false;
                }
                Err(_) => complete = false,
            }
        }
        complete
    }

    /// The pages from `offset` on, one after the other, until a short or
    /// empty page.
    async fn pages_in_turn(&self, engine: &Engine, org: &str, mut offset: u64) -> bool {
        let mut size = None;
        for _ in 0..MAX_PAGES {
            match listed_page(engine, org, offset).await {
                Ok(page) => {
                    let got = page.got;
                    self.add(page);
                    let size = *size.get_or_insert(got.max(1));
                    if got == 0 || got < size {
                        return true;
                    }
                    offset += got as u64;
                }
                Err(e) => {
                    tracing::debug!(kind = e.kind(), "a page of the application list failed");
                    return false;
                }
            }
        }
        false
    }
}

/// One page of the unfiltered list, its items kept as served.
async fn listed_page(engine: &Engine, org: &str, offset: u64) -> Result<ListedPage, ApiError> {
    let query = [
        ("offset", offset.to_string()),
        ("limit", MAX_PAGE_SIZE.to_string()),
        ("targetAdminSite", "true".to_owned()),
    ];
    let req = engine.request(Method::GET, &paths::applications(org, &[]), &query);
    let page: ListedApplicationPage = engine.call_json(&req).await?;
    let got = page.applications.len();
    let items = page
        .applications
        .into_iter()
        .map(|item: ListedApplication| {
            (
                item.id,
                Listed {
                    name: item.name,
                    full: item.whole.map(Application::registered),
                },
            )
        })
        .collect();
    let total = page.total.and_then(|t| u64::try_from(t).ok());
    Ok(ListedPage { got, items, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, name: &str) -> (i64, Listed) {
        let app: Application = serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "redirectUri": [], "grantTypes": [],
            "clientId": "c", "clientSecret": "s"
        }))
        .unwrap();
        (
            id,
            Listed {
                name: name.to_owned(),
                full: Some(app),
            },
        )
    }

    fn page(items: Vec<(i64, Listed)>) -> ListedPage {
        ListedPage {
            got: items.len(),
            items,
            total: None,
        }
    }

    #[test]
    fn a_late_page_never_brings_back_what_the_client_changed() {
        let listing = Listing::default();
        {
            let mut data = listing.data();
            // Renamed by this client (its entry is newer than any page).
            data.changed.insert(1);
            data.apps.insert(
                1,
                Listed {
                    name: "renamed".to_owned(),
                    full: None,
                },
            );
            // Its owners changed before any page came: named, not served.
            data.changed.insert(2);
            // Deleted by this client.
            data.deleted.insert(3);
        }
        listing.add(page(vec![
            item(1, "old"),
            item(2, "two"),
            item(3, "three"),
            item(4, "four"),
        ]));
        assert_eq!(listing.holders("renamed"), vec![1]);
        assert!(listing.holders("old").is_empty());
        assert_eq!(listing.holders("two"), vec![2]);
        assert_eq!(listing.served(2), Some(None), "named, but read by id");
        assert!(listing.holders("three").is_empty());
        assert_eq!(listing.served(3), None);
        assert!(matches!(listing.served(4), Some(Some(_))));
    }

    #[test]
    fn only_whole_items_serve_reads() {
        let whole = serde_json::json!({
            "id": 1, "name": "a", "redirectUri": [], "grantTypes": [],
            "coreServicesId": "c", "clientSecret": "s",
            "audit": {"created": {"date": "2026-01-02T03:04:05.000Z"}}
        });
        let read = |v: &serde_json::Value| -> ListedApplication {
            serde_json::from_value(v.clone()).unwrap()
        };
        let app = read(&whole).whole.expect("whole");
        assert_eq!(app.client_id, "c");
        assert_eq!(app.created_at.as_deref(), Some("2026-01-02T03:04:05.000Z"));
        for missing in [
            "redirectUri",
            "grantTypes",
            "clientSecret",
            "coreServicesId",
        ] {
            let mut short = whole.clone();
            short.as_object_mut().unwrap().remove(missing);
            let item = read(&short);
            assert!(item.whole.is_none(), "without {missing}");
            assert_eq!((item.id, item.name.as_str()), (1, "a"));
        }
        let mut null_secret = whole.clone();
        null_secret["clientSecret"] = serde_json::Value::Null;
        assert!(read(&null_secret).whole.is_none());
        let page: ListedApplicationPage =
            serde_json::from_value(serde_json::json!({"applications": [whole], "total": "7"}))
                .unwrap();
        assert_eq!((page.applications.len(), page.total), (1, Some(7)));
    }
}
