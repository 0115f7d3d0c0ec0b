//! The API client against the in-process emulator, end to end over HTTP on
//! loopback: the token (single flight, renewal before expiry and on 401),
//! retries under injected faults, create safety after ambiguous failures,
//! server wait hints, cancellation during a back-off, organization discovery,
//! rate limits shared per host, and every client operation.

mod contracts;
mod faults;
mod hints;
mod limits;
mod listing;
mod operations;
mod recovery;
mod token;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anypoint_client::{
    AddOwnerOutcome, AnypointClient, ApiError, Application, ApplicationUpdate, Backoff,
    ClientConfig, NewApplication, NewContract,
};
use anypoint_emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultKind, RequestRecord,
    API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID,
    ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM,
    TIER_PAYMENTS_STANDARD, TOKEN_PATH,
};
use secret::Secret;
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

/// A create as the provider makes it: the same-named applications listed
/// first, then the one create path, which leaves them out.
async fn create_app(
    c: &AnypointClient,
    org: &str,
    app: &NewApplication,
    api_instance_id: Option<&str>,
) -> Result<anypoint_client::Application, anypoint_client::ApiError> {
    let apps = c.applications();
    let existing = apps.prior_holders(org, &app.name).await?;
    apps.create(org, app, api_instance_id, existing.as_ref())
        .await
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
            let r = create_app(&c, ORG, &new_app(&name), None).await;
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
                    m.target().starts_with("anypoint_client") && *m.level() <= tracing::Level::DEBUG
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

/// Where contract `contract` of application `app` with instance `api` is
/// reached (the organization's own, in the emulator's environment).
fn site(app: i64, api: i64, contract: i64) -> anypoint_client::ContractSite<'static> {
    anypoint_client::ContractSite {
        app_org: ORG,
        app_id: app,
        contract_id: contract,
        instance_org: ORG,
        environment: Some(ENVIRONMENT_ID),
        api_id: api,
    }
}
