//! One application list per client serves refreshes and name checks; what
//! the list lacks is read by id; reads of owners and contracts are shared;
//! the client's own changes are never served stale.

use super::*;

/// The reads and name checks a client makes one by one before it reads
/// the list.
const LIST_AFTER: usize = 2;

/// `count` applications made behind the client's back (ids in order).
fn seed(h: &EmulatorHandle, count: usize) -> Vec<i64> {
    (0..count)
        .map(|i| {
            h.create_application(serde_json::json!({
                "name": format!("seeded-{i:04}"),
                "redirectUri": ["https://example.com/cb"],
                "grantTypes": ["client_credentials"],
            }))
            .unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

fn lists(h: &EmulatorHandle) -> Vec<String> {
    h.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == apps_path())
        .map(|r| r.query.clone().unwrap_or_default())
        .collect()
}

fn reads_by_id(h: &EmulatorHandle) -> usize {
    let prefix = format!("{}/", apps_path());
    h.requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path
                    .strip_prefix(&prefix)
                    .is_some_and(|id| id.bytes().all(|b| b.is_ascii_digit()))
        })
        .count()
}

async fn read_all(c: &AnypointClient, ids: &[i64]) -> Vec<Application> {
    let mut set = JoinSet::new();
    for (n, id) in ids.iter().enumerate() {
        let c = c.clone();
        let id = *id;
        set.spawn(async move { (n, c.applications().read(ORG, id).await.unwrap()) });
    }
    let mut out: Vec<(usize, Application)> = set.join_all().await;
    out.sort_by_key(|(n, _)| *n);
    out.into_iter().map(|(_, a)| a).collect()
}

#[tokio::test]
async fn many_reads_are_served_by_the_list_pages_fetched_at_once() {
    let emu = emulator().await;
    let h = emu.handle();
    let ids = seed(&h, 600);
    let c = client(&emu);
    h.reset_request_log();
    let read = read_all(&c, &ids).await;
    // The first reads by id, then three pages of 250 (600 applications).
    let pages = lists(&h);
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(reads_by_id(&h) <= LIST_AFTER + 2, "{}", reads_by_id(&h));
    // What the list served is what a read by id gives (owners aside).
    for app in read.iter().step_by(97) {
        let by_id = c.applications().get(ORG, app.id).await.unwrap();
        assert_eq!(
            Application {
                owners: Vec::new(),
                ..by_id
            },
            Application {
                owners: Vec::new(),
                ..app.clone()
            }
        );
        assert!(app.client_secret.is_some());
    }
}

#[tokio::test]
async fn a_few_reads_in_a_large_organization_cost_one_page() {
    let emu = emulator().await;
    let h = emu.handle();
    let ids = seed(&h, 600);
    let c = client(&emu);
    h.reset_request_log();
    // The first reads go by id, with no list.
    for n in 0..LIST_AFTER {
        let app = c.applications().read(ORG, ids[599 - n]).await.unwrap();
        assert_eq!(app.name, format!("seeded-{:04}", 599 - n));
    }
    assert_eq!(lists(&h).len(), 0);
    assert_eq!(reads_by_id(&h), LIST_AFTER);
    // The next reads the first page; its application is not on it: by id.
    c.applications().read(ORG, ids[500]).await.unwrap();
    assert_eq!(lists(&h).len(), 1);
    assert_eq!(reads_by_id(&h), LIST_AFTER + 1);
    // One on the first page is served by it; the other pages are not read
    // for a few applications.
    c.applications().read(ORG, ids[3]).await.unwrap();
    assert_eq!(lists(&h).len(), 1);
    assert_eq!(reads_by_id(&h), LIST_AFTER + 1);
}

#[tokio::test]
async fn short_items_and_a_hiding_list_are_read_by_id_and_never_gone() {
    let emu = start_emulator(|c| c.list_items_short = true).await;
    let h = emu.handle();
    let ids = seed(&h, 5);
    let c = client(&emu);
    h.reset_request_log();
    let read = read_all(&c, &ids).await;
    assert!(read.iter().all(|a| a.client_secret.is_some()));
    assert_eq!(lists(&h).len(), 1, "the list is read once");
    assert_eq!(reads_by_id(&h), 5);
    read_all(&c, &ids).await;
    assert_eq!(lists(&h).len(), 1, "the list is read once");

    let emu = start_emulator(|c| c.list_hides_applications = true).await;
    let h = emu.handle();
    let ids = seed(&h, 3);
    let c = client(&emu);
    let read = read_all(&c, &ids).await;
    assert_eq!(read.len(), 3);
    assert!(h.delete_application(ids[0]));
    // In a new client: gone only because a read by id says so.
    let c = client(&emu);
    let read = read_all(&c, &ids[1..]).await;
    assert_eq!(read.len(), 2);
    assert!(c
        .applications()
        .read(ORG, ids[0])
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn this_clients_changes_are_never_served_stale() {
    let emu = emulator().await;
    let h = emu.handle();
    let ids = seed(&h, 3);
    let c = client(&emu);
    for _ in 0..=LIST_AFTER {
        c.applications().read(ORG, ids[0]).await.unwrap();
    }
    let update = ApplicationUpdate {
        name: "renamed".to_owned(),
        description: Some("new".to_owned()),
        url: None,
        redirect_uri: vec!["https://example.com/cb".to_owned()],
        grant_types: vec!["client_credentials".to_owned()],
    };
    c.applications().update(ORG, ids[0], &update).await.unwrap();
    let after = c.applications().read(ORG, ids[0]).await.unwrap();
    assert_eq!(after.name, "renamed");
    assert_eq!(after.description.as_deref(), Some("new"));
    let old_secret = after.client_secret.clone();
    let reset = c.applications().reset_secret(ORG, ids[0]).await.unwrap();
    let after = c.applications().read(ORG, ids[0]).await.unwrap();
    assert_eq!(after.client_secret, reset.client_secret);
    assert_ne!(after.client_secret, old_secret);
    // The old name is free and the new one taken, in the name check.
    let apps = c.applications();
    let taken = apps.prior_holders(ORG, "renamed").await.unwrap();
    assert_eq!(taken.unwrap().ids, [ids[0]]);
    let free = apps.prior_holders(ORG, "seeded-0000").await.unwrap();
    assert!(free.unwrap().ids.is_empty());
    create_app(&c, ORG, &new_app("seeded-0000"), None)
        .await
        .unwrap();
    c.applications().delete(ORG, ids[1]).await.unwrap();
    assert!(c
        .applications()
        .read(ORG, ids[1])
        .await
        .unwrap_err()
        .is_not_found());
    // One list for all of it.
    assert_eq!(lists(&h).len(), 1, "{:?}", lists(&h));
}

#[tokio::test]
async fn owners_and_contracts_are_read_once_until_they_change() {
    let emu = emulator().await;
    let h = emu.handle();
    let ids = seed(&h, 1);
    let c = client(&emu);
    h.reset_request_log();
    let mut set = JoinSet::new();
    for _ in 0..5 {
        let c = c.clone();
        let id = ids[0];
        set.spawn(async move { c.applications().read_shared(ORG, id).await.unwrap() });
    }
    set.join_all().await;
    assert_eq!(
        reads_by_id(&h),
        1,
        "concurrent first reads make one request"
    );
    c.owners().add(ORG, ids[0], ALICE).await.unwrap();
    let app = c.applications().read_shared(ORG, ids[0]).await.unwrap();
    assert!(app.owners.iter().any(|o| o.id == ALICE), "{:?}", app.owners);
    // The read after the add is fresh.
    assert_eq!(reads_by_id(&h), 2);

    let contracts = format!("{}/{}/contracts", apps_path(), ids[0]);
    let listed = |h: &EmulatorHandle| h.request_count("GET", &contracts);
    for _ in 0..3 {
        c.contracts().read_shared(ORG, ids[0]).await.unwrap();
    }
    assert_eq!(listed(&h), 1);
    let made = c
        .contracts()
        .create(ORG, ids[0], &orders_contract(TIER_ORDERS_GOLD))
        .await
        .unwrap();
    let after = c.contracts().read_shared(ORG, ids[0]).await.unwrap();
    assert!(after.iter().any(|k| k.id == made.id));
}
