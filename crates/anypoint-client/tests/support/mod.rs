//! What the client's tests share: one set of credentials and ids, the
//! in-process emulator (`anypoint_emulator`, the one fake platform the
//! tests use) and a client for it, the small axum mock for what the
//! emulator cannot do (`mock.rs`), and a watch on the client's log events
//! (`watch.rs`).
#![allow(dead_code)]

pub mod mock;
pub mod watch;

use std::collections::BTreeSet;
use std::time::Duration;

use anypoint_client::{
    AnypointClient, ApiError, Application, Backoff, ClientConfig, ContractSite, ContractTarget,
    NewApplication, NewContract,
};
use anypoint_emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultKind, API_INSTANCE_ORDERS, ENVIRONMENT_ID,
};
use secret::Secret;
use serde_json::{json, Value};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

// Not the emulator's defaults, so nothing passes by accident on a default.
pub const CLIENT_ID: &str = "client-tests-connected-app";
pub const CLIENT_SECRET: &str = "client-tests-Connected-App-Secret-5b1c9d";
pub const ORG: &str = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d";
pub const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";
pub const BOB: &str = "5eed0000-0000-4000-8000-000000000002";

// ---------------------------------------------------------------- the client

/// Settings for the platform at `base_url`: the organization set (no
/// discovery), 10 retries with short back-offs (but room for server
/// hints), a 30 s request timeout.
pub fn config_at(base_url: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(base_url, CLIENT_ID, Secret::new(CLIENT_SECRET))
        .expect("a loopback URL is a valid base_url");
    cfg.org_id = Some(ORG.to_owned());
    cfg.max_retries = 10;
    cfg.timeout = Duration::from_secs(30);
    cfg.backoff = Backoff {
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(25),
        max_single_wait: Duration::from_secs(60),
        max_total_wait: Duration::from_secs(120),
    };
    cfg
}

/// [`config_at`] the emulator.
pub fn config(emu: &Emulator) -> ClientConfig {
    config_at(&emu.url())
}

pub fn client_with(cfg: ClientConfig, cancel: CancellationToken) -> AnypointClient {
    AnypointClient::new(cfg, "1.9.5", cancel).expect("build the client")
}

pub fn client_from(cfg: ClientConfig) -> AnypointClient {
    client_with(cfg, CancellationToken::new())
}

pub fn client(emu: &Emulator) -> AnypointClient {
    client_from(config(emu))
}

/// A create as the provider makes it: the same-named applications listed
/// first, then the one create path, which leaves them out.
pub async fn create_app(
    c: &AnypointClient,
    org: &str,
    app: &NewApplication,
    api_instance_id: Option<&str>,
) -> Result<Application, ApiError> {
    let apps = c.applications();
    let existing = apps.prior_holders(org, &app.name).await?;
    apps.create(org, app, api_instance_id, existing.as_ref())
        .await
}

/// Creates `names` all at once; every one must succeed.
pub async fn create_all(c: &AnypointClient, names: &[String]) -> Vec<Application> {
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

pub fn new_app(name: &str) -> NewApplication {
    NewApplication {
        name: name.to_owned(),
        description: Some(format!("{name} description")),
        url: Some("https://example.com/app".to_owned()),
        redirect_uri: vec!["https://example.com/callback".to_owned()],
        grant_types: vec!["client_credentials".to_owned()],
        api_endpoints: Some(false),
    }
}

pub fn orders_contract(tier: i64) -> NewContract {
    NewContract {
        target: ContractTarget::ApiInstance(API_INSTANCE_ORDERS),
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

/// Where contract `contract` of application `app` with instance `api` is
/// reached (the organization's own, in the emulator's environment).
pub fn site(app: i64, api: i64, contract: i64) -> ContractSite<'static> {
    ContractSite {
        app_org: ORG,
        app_id: app,
        contract_id: contract,
        instance_org: ORG,
        environment: Some(ENVIRONMENT_ID),
        target: ContractTarget::ApiInstance(api),
    }
}

pub fn apps_path() -> String {
    format!("/apiplatform/repository/v2/organizations/{ORG}/applications")
}

pub fn app_path(id: i64) -> String {
    format!("{}/{id}", apps_path())
}

// -------------------------------------------------------------- the emulator

pub async fn start_emulator(configure: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig {
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        org_id: ORG.to_owned(),
        ..EmulatorConfig::default()
    };
    configure(&mut config);
    Emulator::start(config).await.expect("start the emulator")
}

pub async fn emulator() -> Emulator {
    start_emulator(|_| {}).await
}

/// Store an application behind the client's back; its id.
pub fn insert_app(h: &EmulatorHandle, name: &str) -> i64 {
    h.create_application(json!({ "name": name }))
        .expect("create through the handle")["id"]
        .as_i64()
        .unwrap()
}

/// Script `kinds` for the next `method` requests to `path`.
pub fn fault(
    h: &EmulatorHandle,
    method: &str,
    path: &str,
    kinds: impl IntoIterator<Item = FaultKind>,
) {
    for kind in kinds {
        h.push_fault(Fault::on(method, path, kind));
    }
}

/// Requests with this method to exactly this path (query not compared).
pub fn count(h: &EmulatorHandle, method: &str, path: &str) -> usize {
    h.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Every request as `METHOD path[?query]`, in order.
pub fn requests(h: &EmulatorHandle) -> Vec<String> {
    h.requests()
        .iter()
        .map(|r| match &r.query {
            Some(q) if !q.is_empty() => format!("{} {}?{q}", r.method, r.path),
            _ => format!("{} {}", r.method, r.path),
        })
        .collect()
}

pub fn count_status(h: &EmulatorHandle, status: u16) -> usize {
    h.requests().iter().filter(|r| r.status == status).count()
}

/// The statuses of the application creates (`POST …/applications`).
pub fn post_statuses(h: &EmulatorHandle) -> Vec<u16> {
    let path = apps_path();
    h.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .map(|r| r.status)
        .collect()
}

/// The emulator's view of an application with this exact name (exactly one).
pub fn stored_by_name(h: &EmulatorHandle, name: &str) -> Value {
    let found: Vec<Value> = h
        .applications()
        .into_iter()
        .filter(|a| a["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "applications named {name:?}: {found:?}");
    found.into_iter().next().unwrap()
}

/// The created application is the emulator's, secret and all.
pub fn assert_matches_stored(app: &Application, h: &EmulatorHandle) {
    let stored = stored_by_name(h, &app.name);
    assert_eq!(stored["id"], app.id, "{}", app.name);
    assert_eq!(stored["clientId"], app.client_id.as_str(), "{}", app.name);
    let secret = app
        .client_secret
        .as_ref()
        .unwrap_or_else(|| panic!("{} has no secret", app.name));
    assert_eq!(stored["clientSecret"], secret.expose(), "{}", app.name);
}

pub fn assert_unique_names(h: &EmulatorHandle, expected: &BTreeSet<String>) {
    let names: Vec<String> = h
        .applications()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    let distinct: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(names.len(), distinct.len(), "duplicate names: {names:?}");
    assert_eq!(&distinct, expected);
}
