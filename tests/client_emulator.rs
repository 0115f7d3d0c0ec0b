//! The API client against the in-process emulator, end to end over HTTP on
//! loopback: the token (single flight, renewal before expiry and on 401),
//! retries under injected faults, create safety after ambiguous failures,
//! server wait hints, cancellation during a back-off, organization discovery,
//! and every client operation.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anypoint_provider::anypoint::{
    AddOwnerOutcome, AnypointClient, ApiError, Application, ApplicationUpdate, Backoff,
    ClientConfig, NewApplication, NewContract,
};
use anypoint_provider::emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultKind, API_INSTANCE_CATALOG,
    API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID, ENVIRONMENT_ID,
    TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM, TIER_PAYMENTS_STANDARD, TOKEN_PATH,
};
use anypoint_provider::secret::Secret;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

// Not the emulator's defaults, so nothing passes by accident on a default.
const CLIENT_ID: &str = "e2e-connected-app";
const CLIENT_SECRET: &str = "e2e-Connected-App-Secret-5b1c9d";
const ORG: &str = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d";
const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";
const BOB: &str = "5eed0000-0000-4000-8000-000000000002";

// ------------------------------------------------------------------ helpers

async fn start_emulator(configure: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig {
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        org_id: ORG.to_owned(),
        ..EmulatorConfig::default()
    };
    configure(&mut config);
    Emulator::start(config).await.expect("start the emulator")
}

async fn emulator() -> Emulator {
    start_emulator(|_| {}).await
}

/// Short back-off delays so retries are quick, but room for server hints.
fn quick_backoff() -> Backoff {
    Backoff {
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(25),
        max_single_wait: Duration::from_secs(60),
        max_total_wait: Duration::from_secs(120),
    }
}

fn config(emu: &Emulator, max_retries: u32, org: Option<&str>) -> ClientConfig {
    let mut cfg = ClientConfig::new(&emu.url(), CLIENT_ID, Secret::from(CLIENT_SECRET))
        .expect("the emulator's URL is a valid base_url");
    cfg.max_retries = max_retries;
    cfg.backoff = quick_backoff();
    cfg.timeout = Duration::from_secs(30);
    cfg.org_id = org.map(str::to_owned);
    cfg
}

fn client_with(cfg: ClientConfig, cancel: CancellationToken) -> AnypointClient {
    AnypointClient::new(cfg, "1.11.4", cancel).expect("build the client")
}

/// A client with the organization set (no discovery) and 10 retries.
fn client(emu: &Emulator) -> AnypointClient {
    client_with(config(emu, 10, Some(ORG)), CancellationToken::new())
}

fn new_app(name: &str) -> NewApplication {
    NewApplication {
        name: name.to_owned(),
        description: Some(format!("{name} description")),
        url: Some("https://example.com/app".to_owned()),
        redirect_uri: vec!["https://example.com/callback".to_owned()],
        grant_types: vec!["client_credentials".to_owned()],
        api_endpoints: Some(false),
    }
}

fn apps_path() -> String {
    format!("/apiplatform/repository/v2/organizations/{ORG}/applications")
}

/// The emulator's view of an application with this exact name (exactly one).
fn stored_by_name(h: &EmulatorHandle, name: &str) -> Value {
    let found: Vec<Value> = h
        .applications()
        .into_iter()
        .filter(|a| a["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "applications named {name:?}: {found:?}");
    found.into_iter().next().unwrap()
}

/// The created application is the emulator's, secret and all.
fn assert_matches_stored(app: &Application, h: &EmulatorHandle) {
    let stored = stored_by_name(h, &app.name);
    assert_eq!(stored["id"], app.id, "{}", app.name);
    assert_eq!(stored["clientId"], app.client_id.as_str(), "{}", app.name);
    let secret = app
        .client_secret
        .as_ref()
        .unwrap_or_else(|| panic!("{} has no secret", app.name));
    assert_eq!(stored["clientSecret"], secret.expose(), "{}", app.name);
}

fn assert_unique_names(h: &EmulatorHandle, expected: &BTreeSet<String>) {
    let names: Vec<String> = h
        .applications()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    let distinct: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(names.len(), distinct.len(), "duplicate names: {names:?}");
    assert_eq!(&distinct, expected);
}

fn count_status(h: &EmulatorHandle, status: u16) -> usize {
    h.requests().iter().filter(|r| r.status == status).count()
}

/// The statuses of the application creates (`POST …/applications`).
fn post_statuses(h: &EmulatorHandle) -> Vec<u16> {
    let path = apps_path();
    h.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .map(|r| r.status)
        .collect()
}

/// Creates `names` all at once; every one must succeed.
async fn create_all(c: &AnypointClient, names: &[String]) -> Vec<Application> {
    let mut set = JoinSet::new();
    for name in names {
        let c = c.clone();
        let name = name.clone();
        set.spawn(async move {
            let r = c.create_application(ORG, &new_app(&name), None).await;
            (name, r)
        });
    }
    let mut created = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (name, r) = joined.expect("task");
        let app = r.unwrap_or_else(|e| panic!("create {name}: {e}"));
        assert_eq!(app.name, name);
        created.push(app);
    }
    created
}

// ---------------------------------------------------- watching the log events

/// The client's and the emulator's log events (message and `path` field),
/// published so a test can wait for "the client is now in its back-off"
/// without guessing with a sleep. Installed once, as the global subscriber,
/// for this test binary only (events from the crate only, DEBUG and up).
struct EventWatch {
    tx: tokio::sync::watch::Sender<Vec<(String, String)>>,
}

static WATCH: OnceLock<Arc<EventWatch>> = OnceLock::new();

fn event_watch() -> Arc<EventWatch> {
    WATCH
        .get_or_init(|| {
            use tracing_subscriber::layer::SubscriberExt;
            use tracing_subscriber::Layer;
            let watch = Arc::new(EventWatch {
                tx: tokio::sync::watch::channel(Vec::new()).0,
            });
            let layer =
                WatchLayer(watch.clone()).with_filter(tracing_subscriber::filter::filter_fn(|m| {
                    m.target().starts_with("anypoint_provider")
                        && *m.level() <= tracing::Level::DEBUG
                }));
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
                .expect("no other global subscriber in this binary");
            watch
        })
        .clone()
}

impl EventWatch {
    /// Wait (at most 20 s) for an event whose message contains `message`
    /// and whose path contains `path`.
    async fn wait_for(&self, message: &str, path: &str) {
        let mut rx = self.tx.subscribe();
        let found = tokio::time::timeout(
            Duration::from_secs(20),
            rx.wait_for(|events| {
                events
                    .iter()
                    .any(|(m, p)| m.contains(message) && p.contains(path))
            }),
        )
        .await;
        assert!(
            matches!(found, Ok(Ok(_))),
            "no event {message:?} for {path:?} within 20 s"
        );
    }
}

struct WatchLayer(Arc<EventWatch>);

#[derive(Default)]
struct MessageAndPath {
    message: String,
    path: String,
}

impl tracing::field::Visit for MessageAndPath {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "path" => self.path = format!("{value:?}"),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "path" => self.path = value.to_owned(),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for WatchLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = MessageAndPath::default();
        event.record(&mut fields);
        self.0
            .tx
            .send_modify(|events| events.push((fields.message, fields.path)));
    }
}

// ------------------------------------------------------------------ token

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_first_calls_make_one_token_request() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let mut set = JoinSet::new();
    for _ in 0..100 {
        let c = c.clone();
        set.spawn(async move { c.list_applications(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().expect("list succeeds");
    }
    assert_eq!(h.token_requests(), 1);
    assert_eq!(h.request_count("GET", &apps_path()), 100);
    assert_eq!(count_status(&h, 401), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_token_is_renewed_before_it_expires() {
    let emu = start_emulator(|c| c.token_ttl = Duration::from_secs(2)).await;
    let h = emu.handle();
    let c = client(&emu);
    c.list_applications(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);
    // A second call well inside the renewal point reuses the token.
    c.list_users(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);

    // Let the 2 s token expire on the emulator (this waits for time itself,
    // it synchronises nothing). The client renews at half the lifetime, so
    // it must fetch a new token before sending: no request sees a 401.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let mut set = JoinSet::new();
    for _ in 0..20 {
        let c = c.clone();
        set.spawn(async move { c.list_applications(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().expect("list after expiry succeeds");
    }
    assert_eq!(h.token_requests(), 2, "exactly one renewal");
    assert_eq!(
        count_status(&h, 401),
        0,
        "renewed before expiry, never on a 401: {:?}",
        h.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_give_one_renewal_on_401() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.list_applications(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);

    // One call: a 401, one renewal, success.
    h.expire_tokens();
    h.reset_request_log();
    c.list_users(ORG, None)
        .await
        .expect("succeeds after renewal");
    assert_eq!(h.token_requests(), 1, "one renewal");
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 200, 200], "{:?}", h.requests());

    // Many calls at once on an expired token: still one renewal.
    h.expire_tokens();
    h.reset_request_log();
    let mut set = JoinSet::new();
    for _ in 0..30 {
        let c = c.clone();
        set.spawn(async move { c.list_applications(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().expect("succeeds after renewal");
    }
    assert_eq!(h.token_requests(), 1, "one renewal for 30 calls");
    assert!(count_status(&h, 401) >= 1);
    assert_eq!(
        h.request_count("GET", &apps_path()),
        30 + count_status(&h, 401)
    );
}

#[tokio::test]
async fn wrong_secret_is_unauthorized_without_leaking_it() {
    let emu = emulator().await;
    let h = emu.handle();
    let cfg = ClientConfig::new(
        &emu.url(),
        CLIENT_ID,
        Secret::from("wrong-secret-value-123"),
    )
    .map(|mut c| {
        c.backoff = quick_backoff();
        c.org_id = Some(ORG.to_owned());
        c
    })
    .unwrap();
    let c = client_with(cfg, CancellationToken::new());
    let e = c.list_applications(ORG, None).await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    let text = format!("{e} {e:?}");
    assert!(text.contains("client_id and client_secret"), "{text}");
    assert!(!text.contains("wrong-secret-value-123"), "{text}");
    assert_eq!(
        h.token_requests(),
        1,
        "a 401 from the token endpoint is final"
    );
}

// ------------------------------------------------------------------ faults

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_creates_under_thirty_percent_faults() {
    let emu = emulator().await;
    let h = emu.handle();
    // 20 retries: a call fails only after 21 faults in a row (0.3^21).
    let c = client_with(config(&emu, 20, Some(ORG)), CancellationToken::new());
    h.set_fault_rate(0.3);
    let names: Vec<String> = (0..50).map(|i| format!("faulty-{i:02}")).collect();
    let created = create_all(&c, &names).await;
    h.set_fault_rate(0.0);

    assert_eq!(created.len(), 50);
    assert_eq!(h.application_count(), 50);
    assert_unique_names(&h, &names.iter().cloned().collect());
    for app in &created {
        assert_matches_stored(app, &h);
    }
    let ids: BTreeSet<i64> = created.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 50);
    // Each create was processed once: 50 answered 201, none replayed (409).
    let posts = post_statuses(&h);
    assert_eq!(posts.iter().filter(|s| **s == 201).count(), 50);
    assert!(
        posts.iter().all(|s| [201, 429, 503].contains(s)),
        "{posts:?}"
    );
    // Faults really happened, and the token endpoint was retried too.
    let faulted = count_status(&h, 429) + count_status(&h, 503);
    assert!(faulted >= 5, "only {faulted} faults in {:?}", h.requests());
    assert!(h.token_requests() >= 1);
}

#[tokio::test]
async fn ambiguous_create_failures_never_duplicate() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let cases: [(&str, FaultKind, usize); 5] = [
        // Processed, then 504: found by name, not posted again.
        ("amb-504", FaultKind::ProcessThenStatus(504), 1),
        // Processed, then the connection breaks: found by name.
        ("amb-drop", FaultKind::ProcessThenDrop, 1),
        // Processed, then 502: found by name.
        ("amb-502", FaultKind::ProcessThenStatus(502), 1),
        // Processed, then 500 (not transient, but it was created): found.
        ("amb-500", FaultKind::ProcessThenStatus(500), 1),
        // Dropped before processing: nothing found, so posted again.
        ("amb-early-drop", FaultKind::DropBeforeProcessing, 2),
    ];
    for (name, kind, posts) in cases {
        h.reset_request_log();
        h.push_fault(Fault::on("POST", "/applications", kind.clone()));
        let app = c
            .create_application(ORG, &new_app(name), None)
            .await
            .unwrap_or_else(|e| panic!("{name} ({kind:?}): {e}"));
        assert_eq!(h.pending_faults(), 0);
        assert_eq!(app.name, name);
        assert_matches_stored(&app, &h);
        assert_eq!(
            h.request_count("POST", &apps_path()),
            posts,
            "{name}: {:?}",
            h.requests()
        );
        assert!(
            h.request_count("GET", &apps_path()) >= 1,
            "{name}: looked up by name"
        );
    }
    assert_eq!(h.application_count(), 5);

    // A 500 on a create that did NOT happen (refused before processing) is
    // not transient: no lookup hit, the error comes back, nothing created.
    h.push_fault(Fault::on("POST", "/applications", FaultKind::status(500)));
    let e = c
        .create_application(ORG, &new_app("amb-refused-500"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Server(_)), "{e}");
    assert!(e.is_ambiguous());
    assert_eq!(h.application_count(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_ambiguous_and_random_faults_never_duplicate() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 20, Some(ORG)), CancellationToken::new());
    let kinds = [
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
        FaultKind::DropBeforeProcessing,
        FaultKind::ProcessThenStatus(502),
    ];
    for i in 0..16 {
        h.push_fault(Fault::on(
            "POST",
            &apps_path(),
            kinds[i % kinds.len()].clone(),
        ));
    }
    h.set_fault_rate(0.3);
    let names: Vec<String> = (0..30).map(|i| format!("mixed-{i:02}")).collect();
    let created = create_all(&c, &names).await;
    h.set_fault_rate(0.0);

    assert_eq!(h.pending_faults(), 0, "every scripted fault was hit");
    assert_eq!(h.application_count(), 30);
    // Every name was processed exactly once: 12 POSTs were processed under a
    // scripted fault (4 each of 504, 502 and a drop), the other 18 answered
    // 201, and no POST was replayed onto an existing name (409).
    let posts = post_statuses(&h);
    let count = |s: u16| posts.iter().filter(|p| **p == s).count();
    assert_eq!(
        (count(201), count(504), count(502)),
        (18, 4, 4),
        "{posts:?}"
    );
    assert_eq!(count(409), 0, "{posts:?}");
    assert_unique_names(&h, &names.iter().cloned().collect());
    for app in &created {
        assert_matches_stored(app, &h);
    }
}

#[tokio::test]
async fn ambiguous_failures_of_other_operations() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = c
        .create_application(ORG, &new_app("other-ops"), None)
        .await
        .unwrap();
    let app_path = format!("{}/{}", apps_path(), app.id);

    // Owner add processed then dropped: the owners are read, it is Added.
    h.push_fault(Fault::on(
        "POST",
        &format!("{app_path}/owners"),
        FaultKind::ProcessThenDrop,
    ));
    assert_eq!(
        c.add_owner(ORG, app.id, ALICE).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, ALICE]);

    // Secret reset processed then 504: never repeated, the error says the
    // outcome is unknown, and the secret rotated exactly once.
    let before = h.application(app.id).unwrap()["clientSecret"].clone();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/secret/reset",
        FaultKind::ProcessThenStatus(504),
    ));
    let e = c.reset_secret(ORG, app.id).await.unwrap_err();
    assert!(e.is_ambiguous(), "{e}");
    assert_eq!(
        h.request_count("POST", &format!("{app_path}/secret/reset")),
        1
    );
    let after = h.application(app.id).unwrap()["clientSecret"].clone();
    assert_ne!(before, after);
    // Re-reading gives the secret the emulator holds.
    let read = c.get_application(ORG, app.id).await.unwrap();
    assert_eq!(after, read.client_secret.unwrap().expose());

    // A refused reset (503) is retried and succeeds.
    h.push_fault(Fault::on("POST", "/secret/reset", FaultKind::status(503)));
    let reset = c.reset_secret(ORG, app.id).await.unwrap();
    assert_eq!(
        h.application(app.id).unwrap()["clientSecret"],
        reset.client_secret.unwrap().expose()
    );

    // Contract create processed then 504: found in the list, not repeated.
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::ProcessThenStatus(504),
    ));
    let contract = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert_eq!(contract.api_instance_id, Some(API_INSTANCE_ORDERS));
    assert_eq!(h.contracts(app.id).len(), 1);
    assert_eq!(h.request_count("POST", "/exchange/"), 1);

    // Revoke processed then 502: retried, the 409 that follows means done.
    h.push_fault(Fault::on(
        "POST",
        "/revoke",
        FaultKind::ProcessThenStatus(502),
    ));
    c.revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, contract.id)
        .await
        .expect("revoked by the first attempt");
    assert_eq!(h.contract(contract.id).unwrap()["status"], "REVOKED");

    // Delete processed then dropped: retried, and the 404 is returned for
    // the caller to judge; the application is gone, once.
    h.push_fault(Fault::on("DELETE", &app_path, FaultKind::ProcessThenDrop));
    let e = c.delete_application(ORG, app.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(h.application_count(), 0);
}

// ------------------------------------------------------- server wait hints

#[tokio::test]
async fn retry_after_is_waited() {
    let emu = emulator().await;
    let h = emu.handle();
    // The production back-off settings.
    let mut cfg = config(&emu, 5, Some(ORG));
    cfg.backoff = Backoff::default();
    let c = client_with(cfg, CancellationToken::new());
    c.list_users(ORG, None).await.unwrap(); // token first
    h.reset_request_log();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 429,
            retry_after: Some("2".to_owned()),
            ratelimit_reset: None,
        },
    ));
    let started = Instant::now();
    c.list_applications(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    // 3 s after the current whole second: more than 2 s from now.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let at = time::OffsetDateTime::from_unix_timestamp(now.as_secs() as i64 + 3).unwrap();
    let date = at
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .unwrap();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 503,
            retry_after: Some(date.clone()),
            ratelimit_reset: None,
        },
    ));
    let started = Instant::now();
    c.list_applications(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?} for {date}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200]);
}

#[tokio::test]
async fn rate_limit_reset_is_waited_as_seconds_and_as_epoch() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.list_users(ORG, None).await.unwrap();

    // Seconds to wait.
    h.reset_request_log();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 429,
            retry_after: None,
            ratelimit_reset: Some("2".to_owned()),
        },
    ));
    let started = Instant::now();
    c.list_applications(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);

    // Epoch seconds, on a 503: the reset is 3 s after the current whole
    // second, so more than 2 s from now.
    h.reset_request_log();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 503,
            retry_after: None,
            ratelimit_reset: Some((now.as_secs() + 3).to_string()),
        },
    ));
    let started = Instant::now();
    c.list_applications(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200]);
}

// ------------------------------------------------------------ cancellation

// One thread: the stop is observed without a wake-up across threads.
#[tokio::test]
async fn cancelling_during_a_back_off_aborts_at_once() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = client_with(config(&emu, 10, Some(ORG)), cancel.clone());
    // A path no other test uses, to find this call's events.
    let path = format!("{}/424242", apps_path());
    h.push_fault(Fault::on(
        "GET",
        &path,
        FaultKind::Status {
            status: 429,
            retry_after: Some("30".to_owned()),
            ratelimit_reset: None,
        },
    ));
    let call = tokio::spawn({
        let c = c.clone();
        async move {
            let r = c.get_application(ORG, 424242).await;
            (r, Instant::now())
        }
    });
    // The client logs this just before it starts the 30 s wait.
    watch
        .wait_for("retrying the Anypoint request after a back-off", &path)
        .await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let (r, ended_at) = call.await.unwrap();
    let took = ended_at.duration_since(cancelled_at);
    let e = r.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    assert!(took < Duration::from_millis(100), "took {took:?}");
    // Nothing was sent after the stop.
    assert_eq!(h.request_count("GET", &path), 1);
    // And the client stays stopped.
    let e = c.list_users(ORG, None).await.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
}

// One thread: the stop is observed without a wake-up across threads.
#[tokio::test]
async fn cancelling_during_a_request_aborts_at_once() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = client_with(config(&emu, 10, Some(ORG)), cancel.clone());
    let path = format!("{}/434343", apps_path());
    // The emulator answers this one only after 30 s.
    h.push_fault(Fault::on(
        "GET",
        &path,
        FaultKind::Delay(Duration::from_secs(30)),
    ));
    let call = tokio::spawn({
        let c = c.clone();
        async move {
            let r = c.get_application(ORG, 434343).await;
            (r, Instant::now())
        }
    });
    // The emulator logs the request once processed, before the delay.
    watch.wait_for("emulator request", &path).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let (r, ended_at) = call.await.unwrap();
    let took = ended_at.duration_since(cancelled_at);
    let e = r.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    assert!(took < Duration::from_millis(100), "took {took:?}");
}

// ------------------------------------------------------- org discovery

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_is_discovered_once_from_me() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 3, None), CancellationToken::new());
    let mut set = JoinSet::new();
    for _ in 0..10 {
        let c = c.clone();
        set.spawn(async move { c.org_id().await });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), ORG);
    }
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(h.request_count("GET", "/accounts/api/me"), 1);
    assert_eq!(h.token_requests(), 1);

    // The discovered org works for the API.
    let org = c.org_id().await.unwrap();
    let app = c
        .create_application(&org, &new_app("discovered"), None)
        .await
        .unwrap();
    assert_eq!(app.master_organization_id.as_deref(), Some(ORG));

    // Another organization is refused with the scope hint.
    let e = c
        .list_applications("99999999-9999-4999-8999-999999999999", None)
        .await
        .unwrap_err();
    assert!(e.is_forbidden(), "{e}");
    assert!(e.to_string().contains("Application Creator"), "{e}");
}

// ------------------------------------------------------- every operation

fn orders_contract(tier: i64) -> NewContract {
    NewContract {
        api_id: API_INSTANCE_ORDERS,
        requested_tier_id: Some(tier),
        organization_id: ORG.to_owned(),
        group_id: ORG.to_owned(),
        asset_id: "orders-api".to_owned(),
        version: "1.0.0".to_owned(),
        version_group: "v1".to_owned(),
        environment_id: Some(ENVIRONMENT_ID.to_owned()),
        ..NewContract::default()
    }
}

#[tokio::test]
async fn applications_crud_list_and_find() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);

    // Create: the full object, with its secret and the creator as owner.
    let app = c
        .create_application(ORG, &new_app("alpha"), None)
        .await
        .unwrap();
    assert!(app.id > 0);
    assert_eq!(app.description.as_deref(), Some("alpha description"));
    assert_eq!(app.url.as_deref(), Some("https://example.com/app"));
    assert_eq!(app.redirect_uri, ["https://example.com/callback"]);
    assert_eq!(app.grant_types, ["client_credentials"]);
    assert!(!app.client_id.is_empty());
    assert_eq!(app.master_organization_id.as_deref(), Some(ORG));
    assert!(app.created_at.is_some());
    assert_eq!(app.owners.len(), 1);
    assert_eq!(app.owners[0].id, CONNECTED_APP_USER_ID);
    assert_eq!(app.owners[0].username.as_deref(), Some("emulator-admin"));
    assert_matches_stored(&app, &h);

    // With an API instance (apiVersionId); an unknown one is a 400.
    let linked = c
        .create_application(
            ORG,
            &new_app("alpha-2"),
            Some(&API_INSTANCE_ORDERS.to_string()),
        )
        .await
        .unwrap();
    assert_matches_stored(&linked, &h);
    let e = c
        .create_application(ORG, &new_app("alpha-3"), Some("99999"))
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::BadRequest(_)), "{e}");
    assert!(e.message().contains("apiVersionId"), "{e}");

    // A duplicate name is a Conflict, on the first attempt.
    let e = c
        .create_application(ORG, &new_app("alpha"), None)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    assert!(!e.is_ambiguous());
    assert_eq!(h.application_count(), 2);

    // Get.
    let got = c.get_application(ORG, app.id).await.unwrap();
    assert_eq!(got, app);

    // Update replaces the mutable set: url cleared, names and lists changed.
    let update = ApplicationUpdate {
        name: "alpha-renamed".to_owned(),
        description: Some("changed".to_owned()),
        url: None,
        redirect_uri: vec![
            "https://example.com/a".into(),
            "https://example.com/b".into(),
        ],
        grant_types: vec!["client_credentials".into(), "refresh_token".into()],
    };
    let updated = c.update_application(ORG, app.id, &update).await.unwrap();
    assert_eq!(updated.name, "alpha-renamed");
    assert_eq!(updated.description.as_deref(), Some("changed"));
    assert_eq!(updated.url, None);
    assert_eq!(updated.redirect_uri.len(), 2);
    assert_eq!(updated.grant_types, ["client_credentials", "refresh_token"]);
    assert_eq!(updated.client_id, app.client_id);
    assert_eq!(updated.client_secret, app.client_secret);
    let stored = h.application(app.id).unwrap();
    assert_eq!(stored["name"], "alpha-renamed");
    assert_eq!(stored["url"], Value::Null);
    assert_eq!(ApplicationUpdate::from(&updated), update);
    // Renaming onto another application's name conflicts.
    let e = c
        .update_application(
            ORG,
            app.id,
            &ApplicationUpdate {
                name: "alpha-2".into(),
                ..update.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");

    // List: all, and by search; find by exact name.
    for i in 0..5 {
        c.create_application(ORG, &new_app(&format!("beta-{i}")), None)
            .await
            .unwrap();
    }
    let all = c.list_applications(ORG, None).await.unwrap();
    assert_eq!(all.len(), 7);
    let listed = all.iter().find(|a| a.id == app.id).unwrap();
    assert_eq!(listed.name, "alpha-renamed");
    assert_eq!(listed.client_id.as_deref(), Some(app.client_id.as_str()));
    assert_eq!(listed.master_organization_id.as_deref(), Some(ORG));
    let betas = c.list_applications(ORG, Some("beta")).await.unwrap();
    assert_eq!(betas.len(), 5);
    // "alpha" is part of both names; the exact match finds one.
    let found = c.find_applications_by_name(ORG, "alpha-2").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, linked.id);
    let found = c.find_applications_by_name(ORG, "alpha").await.unwrap();
    assert!(found.is_empty(), "{found:?}");

    // Delete, then it is gone: get and a second delete are NotFound.
    c.delete_application(ORG, app.id).await.unwrap();
    assert!(h.application(app.id).is_none());
    let e = c.get_application(ORG, app.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c.delete_application(ORG, app.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(c.list_applications(ORG, None).await.unwrap().len(), 6);
}

#[tokio::test]
async fn listing_pages_past_the_page_size() {
    let emu = emulator().await;
    let h = emu.handle();
    // Made through the handle (fast); the client lists them in two pages.
    for i in 0..260 {
        h.create_application(serde_json::json!({ "name": format!("bulk-{i:03}") }))
            .unwrap();
    }
    let c = client(&emu);
    let all = c.list_applications(ORG, None).await.unwrap();
    assert_eq!(all.len(), 260);
    let ids: BTreeSet<i64> = all.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 260);
    assert_eq!(h.request_count("GET", &apps_path()), 2);
}

#[tokio::test]
async fn owners_and_secret_reset() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = c
        .create_application(ORG, &new_app("owned"), None)
        .await
        .unwrap();

    // Add: Added, then AlreadyOwner.
    assert_eq!(
        c.add_owner(ORG, app.id, ALICE).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(
        c.add_owner(ORG, app.id, ALICE).await.unwrap(),
        AddOwnerOutcome::AlreadyOwner
    );
    assert_eq!(
        c.add_owner(ORG, app.id, BOB).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, ALICE, BOB]);
    let read = c.get_application(ORG, app.id).await.unwrap();
    let alice = read.owners.iter().find(|o| o.id == ALICE).unwrap();
    assert_eq!(alice.username.as_deref(), Some("alice"));
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice.first_name.as_deref(), Some("Alice"));
    assert_eq!(alice.owner_type.as_deref(), Some("user"));
    // An unknown user, and an unknown application.
    let e = c
        .add_owner(ORG, app.id, "00000000-0000-4000-8000-00000000dead")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c.add_owner(ORG, 1, ALICE).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // Remove, then NotFound for one that is not (or no longer) an owner.
    c.remove_owner(ORG, app.id, ALICE).await.unwrap();
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, BOB]);
    let e = c.remove_owner(ORG, app.id, ALICE).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .remove_owner(ORG, app.id, "5eed0000-0000-4000-8000-000000000005")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // Reset secret: a new secret, the same client id, stored by the emulator.
    let old = app.client_secret.clone().unwrap();
    let reset = c.reset_secret(ORG, app.id).await.unwrap();
    let new = reset.client_secret.clone().unwrap();
    assert_ne!(new.expose(), old.expose());
    assert!(!new.is_empty());
    assert_eq!(reset.client_id, app.client_id);
    assert_eq!(reset.id, app.id);
    assert_eq!(h.application(app.id).unwrap()["clientSecret"], new.expose());
    assert_eq!(
        c.get_application(ORG, app.id).await.unwrap().client_secret,
        Some(new)
    );
    let e = c.reset_secret(ORG, 1).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn api_instances_tiers_assets_and_users() {
    let emu = emulator().await;
    let c = client(&emu);

    let inst = c
        .get_api_instance(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS)
        .await
        .unwrap();
    assert_eq!(inst.id, API_INSTANCE_ORDERS);
    assert_eq!(inst.group_id.as_deref(), Some(ORG));
    assert_eq!(inst.asset_id.as_deref(), Some("orders-api"));
    assert_eq!(inst.asset_version.as_deref(), Some("1.0.0"));
    assert_eq!(inst.product_version.as_deref(), Some("v1"));
    assert_eq!(inst.environment_id.as_deref(), Some(ENVIRONMENT_ID));
    assert_eq!(inst.organization_id.as_deref(), Some(ORG));
    let e = c
        .get_api_instance(ORG, ENVIRONMENT_ID, 12345)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .get_api_instance(ORG, "no-such-env", API_INSTANCE_ORDERS)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // The version group of the instance's asset.
    let group = c
        .asset_version_group(
            inst.group_id.as_deref().unwrap(),
            inst.asset_id.as_deref().unwrap(),
            inst.asset_version.as_deref().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(group, "v1");
    let e = c
        .asset_version_group(ORG, "orders-api", "9.9.9")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // Tiers.
    let tiers = c
        .list_tiers(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS)
        .await
        .unwrap();
    let summary: Vec<(i64, Option<&str>, Option<bool>)> = tiers
        .iter()
        .map(|t| (t.id, t.name.as_deref(), t.auto_approve))
        .collect();
    assert_eq!(
        summary,
        [
            (TIER_ORDERS_BRONZE, Some("Bronze"), Some(true)),
            (TIER_ORDERS_GOLD, Some("Gold"), Some(true)),
            (TIER_ORDERS_PLATINUM, Some("Platinum"), Some(false)),
        ]
    );
    assert_eq!(tiers[0].status.as_deref(), Some("ACTIVE"));
    assert_eq!(tiers[0].limits[0].maximum_requests, Some(100));
    assert_eq!(tiers[0].limits[0].time_period_in_milliseconds, Some(60_000));
    assert_eq!(tiers[2].limits.len(), 2);
    let tiers = c
        .list_tiers(ORG, ENVIRONMENT_ID, API_INSTANCE_PAYMENTS)
        .await
        .unwrap();
    assert_eq!(tiers.len(), 1);
    assert_eq!(tiers[0].id, TIER_PAYMENTS_STANDARD);
    assert!(c
        .list_tiers(ORG, ENVIRONMENT_ID, API_INSTANCE_CATALOG)
        .await
        .unwrap()
        .is_empty());

    // Users.
    let users = c.list_users(ORG, None).await.unwrap();
    assert_eq!(users.len(), 6);
    assert_eq!(users[0].id, CONNECTED_APP_USER_ID);
    let alice = c.list_users(ORG, Some("alice")).await.unwrap();
    assert_eq!(alice.len(), 1);
    assert_eq!(alice[0].id, ALICE);
    assert_eq!(alice[0].username.as_deref(), Some("alice"));
    assert_eq!(alice[0].email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice[0].first_name.as_deref(), Some("Alice"));
    assert_eq!(alice[0].last_name.as_deref(), Some("Anderson"));
    assert!(c
        .list_users(ORG, Some("nobody-here"))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn contracts_create_change_tier_revoke_delete() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = c
        .create_application(ORG, &new_app("consumer"), None)
        .await
        .unwrap();
    assert!(c.list_contracts(ORG, app.id).await.unwrap().is_empty());

    // The contract body built from the instance lookup, as the provider does.
    let inst = c
        .get_api_instance(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS)
        .await
        .unwrap();
    let version_group = c
        .asset_version_group(
            inst.group_id.as_deref().unwrap(),
            inst.asset_id.as_deref().unwrap(),
            inst.asset_version.as_deref().unwrap(),
        )
        .await
        .unwrap();
    let body = NewContract {
        api_id: inst.id,
        requested_tier_id: Some(TIER_ORDERS_BRONZE),
        organization_id: inst.group_id.clone().unwrap(),
        group_id: inst.group_id.clone().unwrap(),
        asset_id: inst.asset_id.clone().unwrap(),
        version: inst.asset_version.clone().unwrap(),
        version_group,
        environment_id: inst.environment_id.clone(),
        ..NewContract::default()
    };
    assert_eq!(body, orders_contract(TIER_ORDERS_BRONZE));

    // Auto-approved tier: APPROVED with the tier.
    let orders = c.create_contract(ORG, app.id, &body).await.unwrap();
    assert_eq!(orders.status.as_deref(), Some("APPROVED"));
    assert_eq!(orders.tier_id, Some(TIER_ORDERS_BRONZE));
    assert_eq!(orders.requested_tier_id, None);
    assert_eq!(orders.api_instance_id, Some(API_INSTANCE_ORDERS));
    assert_eq!(orders.application_id, Some(app.id));
    // A second contract with the same instance conflicts.
    let e = c.create_contract(ORG, app.id, &body).await.unwrap_err();
    assert!(e.is_conflict(), "{e}");

    // Manual-approval tier: PENDING, the tier only requested.
    let payments = c
        .create_contract(
            ORG,
            app.id,
            &NewContract {
                api_id: API_INSTANCE_PAYMENTS,
                requested_tier_id: Some(TIER_PAYMENTS_STANDARD),
                asset_id: "payments-api".to_owned(),
                ..orders_contract(0)
            },
        )
        .await
        .unwrap();
    assert_eq!(payments.status.as_deref(), Some("PENDING"));
    assert_eq!(payments.tier_id, None);
    assert_eq!(payments.requested_tier_id, Some(TIER_PAYMENTS_STANDARD));

    // No tiers: APPROVED without a tier.
    let catalog = c
        .create_contract(
            ORG,
            app.id,
            &NewContract {
                api_id: API_INSTANCE_CATALOG,
                requested_tier_id: None,
                asset_id: "catalog-api".to_owned(),
                ..orders_contract(0)
            },
        )
        .await
        .unwrap();
    assert_eq!(catalog.status.as_deref(), Some("APPROVED"));
    assert_eq!(catalog.tier_id, None);

    // The list shows all three, each with its instance and tier.
    let listed = c.list_contracts(ORG, app.id).await.unwrap();
    // (id, instance, status, tier, requested tier)
    type Row<'a> = (i64, Option<i64>, Option<&'a str>, Option<i64>, Option<i64>);
    let view: Vec<Row> = listed
        .iter()
        .map(|k| {
            (
                k.id,
                k.api_instance_id,
                k.status.as_deref(),
                k.tier_id,
                k.requested_tier_id,
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (
                orders.id,
                Some(API_INSTANCE_ORDERS),
                Some("APPROVED"),
                Some(TIER_ORDERS_BRONZE),
                None
            ),
            (
                payments.id,
                Some(API_INSTANCE_PAYMENTS),
                Some("PENDING"),
                None,
                Some(TIER_PAYMENTS_STANDARD)
            ),
            (
                catalog.id,
                Some(API_INSTANCE_CATALOG),
                Some("APPROVED"),
                None,
                None
            ),
        ]
    );

    // Tier change to another auto tier applies at once.
    let gold = c
        .change_contract_tier(ORG, app.id, orders.id, TIER_ORDERS_GOLD)
        .await
        .unwrap();
    assert_eq!(gold.id, orders.id);
    assert_eq!(gold.tier_id, Some(TIER_ORDERS_GOLD));
    assert_eq!(gold.status.as_deref(), Some("APPROVED"));
    // To a manual tier: requested, the current tier stays until approval.
    let plat = c
        .change_contract_tier(ORG, app.id, orders.id, TIER_ORDERS_PLATINUM)
        .await
        .unwrap();
    assert_eq!(plat.tier_id, Some(TIER_ORDERS_GOLD));
    assert_eq!(plat.requested_tier_id, Some(TIER_ORDERS_PLATINUM));
    assert!(h.set_contract_status(orders.id, "APPROVED"));
    let approved = c
        .list_contracts(ORG, app.id)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == orders.id)
        .unwrap();
    assert_eq!(approved.tier_id, Some(TIER_ORDERS_PLATINUM));
    assert_eq!(approved.requested_tier_id, None);
    // A tier of another instance is refused.
    let e = c
        .change_contract_tier(ORG, app.id, orders.id, TIER_PAYMENTS_STANDARD)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::BadRequest(_)), "{e}");

    // Deleting before revoking conflicts; revoke, then delete.
    let e = c
        .delete_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, orders.id)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    c.revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, orders.id)
        .await
        .unwrap();
    assert_eq!(h.contract(orders.id).unwrap()["status"], "REVOKED");
    let revoked = c
        .list_contracts(ORG, app.id)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == orders.id)
        .unwrap();
    assert_eq!(revoked.status.as_deref(), Some("REVOKED"));
    // Revoking again (no ambiguous attempt before) is a Conflict.
    let e = c
        .revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, orders.id)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    c.delete_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, orders.id)
        .await
        .unwrap();
    assert!(h.contract(orders.id).is_none());
    let e = c
        .delete_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, orders.id)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // The wrong instance for a contract is NotFound.
    let e = c
        .revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, payments.id)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let left: Vec<i64> = c
        .list_contracts(ORG, app.id)
        .await
        .unwrap()
        .iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(left, [payments.id, catalog.id]);
    // With the old contract gone, the instance can be contracted again.
    let again = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert_ne!(again.id, orders.id);
}

#[tokio::test]
async fn token_path_is_the_emulators() {
    // The client and the emulator agree on the token endpoint.
    let emu = emulator().await;
    let h = emu.handle();
    client(&emu).list_users(ORG, None).await.unwrap();
    assert_eq!(h.request_count("POST", TOKEN_PATH), 1);
    assert_eq!(h.token_requests(), 1);
}

#[tokio::test]
async fn ambiguous_contract_create_next_to_a_revoked_contract() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = c
        .create_application(ORG, &new_app("recontracted"), None)
        .await
        .unwrap();
    // An old contract with the instance, revoked (e.g. in the UI) but not
    // deleted: it stays in the application's contract list.
    let old = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    c.revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, old.id)
        .await
        .unwrap();

    // Processed, then 504: the lookup must find the new contract, not the
    // revoked one.
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::ProcessThenStatus(504),
    ));
    let new = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_GOLD))
        .await
        .unwrap();
    assert_ne!(
        new.id, old.id,
        "the revoked contract was taken for the new one"
    );
    assert_eq!(new.status.as_deref(), Some("APPROVED"));
    assert_eq!(new.tier_id, Some(TIER_ORDERS_GOLD));
    assert_eq!(h.contracts(app.id).len(), 2);

    // Revoke that one too; then a create dropped BEFORE processing must be
    // sent again (a revoked contract is not evidence that it happened).
    c.revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, new.id)
        .await
        .unwrap();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::DropBeforeProcessing,
    ));
    let third = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert!(third.id != old.id && third.id != new.id, "{third:?}");
    assert_eq!(third.status.as_deref(), Some("APPROVED"));
    assert_eq!(h.request_count("POST", "/exchange/"), 2);
    let live: Vec<Value> = h
        .contracts(app.id)
        .into_iter()
        .filter(|k| k["status"] == "APPROVED")
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["id"], third.id);
}

#[tokio::test]
async fn create_timing_out_after_it_was_processed_is_found_not_repeated() {
    let emu = emulator().await;
    let h = emu.handle();
    let mut cfg = config(&emu, 10, Some(ORG));
    cfg.timeout = Duration::from_secs(1);
    let c = client_with(cfg, CancellationToken::new());
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    // Created at once, answered only after 5 s: the client times out at 1 s.
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::Delay(Duration::from_secs(5)),
    ));
    let started = Instant::now();
    let app = c
        .create_application(ORG, &new_app("slow-create"), None)
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_matches_stored(&app, &h);
    assert_eq!(h.request_count("POST", &apps_path()), 1);
    assert_eq!(h.application_count(), 1);
}

#[tokio::test]
async fn recovery_by_name_with_special_characters_and_case() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // Names that differ only in case, and names that need encoding.
    let names = [
        "Sales & Ops + EU/2 100% #1?",
        "sales & ops + eu/2 100% #1?",
        "Ünïcødé app ✓",
        "  spaced  name  ",
        "a=b;c,d",
    ];
    let kinds = [
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
    ];
    for (i, name) in names.iter().enumerate() {
        h.push_fault(Fault::on("POST", &apps_path(), kinds[i % 2].clone()));
        let app = c
            .create_application(ORG, &new_app(name), None)
            .await
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(app.name, *name);
        assert_matches_stored(&app, &h);
        let found = c.find_applications_by_name(ORG, name).await.unwrap();
        assert_eq!(found.len(), 1, "{name:?}: {found:?}");
        assert_eq!(found[0].id, app.id);
    }
    assert_eq!(h.application_count(), names.len());
    assert_eq!(h.request_count("POST", &apps_path()), names.len());
}

#[tokio::test]
async fn exhausted_retries_report_the_attempts() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 3, Some(ORG)), CancellationToken::new());
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    h.set_fault_rate(1.0);
    let e = c.list_applications(ORG, None).await.unwrap_err();
    h.set_fault_rate(0.0);
    assert!(
        matches!(e, ApiError::RateLimited(_) | ApiError::Server(_)),
        "{e}"
    );
    assert_eq!(e.info().unwrap().attempts, 4, "{e}");
    assert!(e.to_string().contains("after 4 attempts"), "{e}");
    assert_eq!(h.request_count("GET", &apps_path()), 4);

    // The token endpoint too: a fresh client gives up after 4 token requests.
    h.reset_request_log();
    h.set_fault_rate(1.0);
    let fresh = client_with(config(&emu, 3, Some(ORG)), CancellationToken::new());
    let e = fresh.list_users(ORG, None).await.unwrap_err();
    h.set_fault_rate(0.0);
    assert_eq!(h.token_requests(), 4, "{e}");
    assert_eq!(h.requests().len(), 4, "{:?}", h.requests());
    // The next call tries again and succeeds.
    fresh.list_users(ORG, None).await.unwrap();
}

#[tokio::test]
async fn token_endpoint_faults_are_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // A token issued but lost, a refusal with a wait hint, then success.
    h.push_fault(Fault::on("POST", TOKEN_PATH, FaultKind::ProcessThenDrop));
    h.push_fault(Fault::on(
        "POST",
        TOKEN_PATH,
        FaultKind::Status {
            status: 429,
            retry_after: Some("1".to_owned()),
            ratelimit_reset: None,
        },
    ));
    h.push_fault(Fault::on(
        "POST",
        TOKEN_PATH,
        FaultKind::ProcessThenStatus(502),
    ));
    let started = Instant::now();
    c.list_applications(ORG, None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(h.token_requests(), 4);
    assert_eq!(h.pending_faults(), 0);
}

#[tokio::test]
async fn owner_add_dropped_before_processing_is_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = c
        .create_application(ORG, &new_app("owner-retry"), None)
        .await
        .unwrap();
    let owners_path = format!("{}/{}/owners", apps_path(), app.id);
    h.push_fault(Fault::on(
        "POST",
        &owners_path,
        FaultKind::DropBeforeProcessing,
    ));
    h.push_fault(Fault::on(
        "POST",
        &owners_path,
        FaultKind::ProcessThenStatus(504),
    ));
    assert_eq!(
        c.add_owner(ORG, app.id, BOB).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, BOB]);
    assert_eq!(h.request_count("POST", &owners_path), 2);
}

#[tokio::test]
async fn an_ambiguous_create_never_takes_a_same_named_application_for_its_own() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // Made by someone else (e.g. in the UI) with the name we are about to use.
    let foreign = h
        .create_application(serde_json::json!({ "name": "taken" }))
        .unwrap();
    let foreign_id = foreign["id"].as_i64().unwrap();

    // Without a fault the create is a plain Conflict.
    let e = c
        .create_application(ORG, &new_app("taken"), None)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");

    // With an ambiguous first attempt (whether or not the server processed
    // it), the outcome is the same Conflict: never the foreign application.
    for kind in [
        FaultKind::DropBeforeProcessing,
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
    ] {
        h.push_fault(Fault::on("POST", &apps_path(), kind.clone()));
        match c.create_application(ORG, &new_app("taken"), None).await {
            Ok(app) => panic!(
                "{kind:?}: took application {} (the foreign one is {foreign_id})",
                app.id
            ),
            Err(e) => assert!(e.is_conflict(), "{kind:?}: {e}"),
        }
    }
    assert_eq!(h.application_count(), 1);

    // A create under a new name after an ambiguous failure still finds its
    // own application.
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::ProcessThenStatus(504),
    ));
    let mine = c
        .create_application(ORG, &new_app("taken-2"), None)
        .await
        .unwrap();
    assert_ne!(mine.id, foreign_id);
    assert_matches_stored(&mine, &h);
}

#[tokio::test]
async fn a_create_goes_ahead_when_the_listing_before_it_is_refused() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    // The listing of same-named applications before the create is refused.
    h.push_fault(Fault::on("GET", &apps_path(), FaultKind::status(403)));
    let app = c
        .create_application(ORG, &new_app("unlisted"), None)
        .await
        .unwrap();
    assert_matches_stored(&app, &h);
    let seen: Vec<(String, u16)> = h
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [("GET".to_owned(), 403), ("POST".to_owned(), 201)],
        "{:?}",
        h.requests()
    );
}
