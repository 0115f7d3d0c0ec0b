//! The Anypoint client's own rules, one behaviour per test: the token, the
//! organization, retries and server wait hints, create safety, paths, error
//! messages and secrets in errors.
//!
//! Every test runs against the in-process emulator, with its scripted faults,
//! except the few in `on_the_mock` modules, which need something the emulator
//! cannot do (see `tests/client_support/mod.rs`).

#[path = "../client_support/mod.rs"]
mod client_support;

use client_support::create_app;

mod create;
mod errors;
mod operations;
mod retries;
mod stop;
mod token;

use std::time::Duration;

use anypoint_client::{AnypointClient, Backoff, ClientConfig, NewApplication};
use anypoint_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultKind};
use secret::Secret;
use serde_json::json;
use tokio_util::sync::CancellationToken;

const CLIENT_ID: &str = "client-test-app";
const CLIENT_SECRET: &str = "client-test-SECRET-4a7d2e";
const ORG: &str = "0c1d2e3f-4a5b-4c6d-8e7f-a0b1c2d3e4f5";
const TOKEN_PATH: &str = anypoint_emulator::TOKEN_PATH;

async fn start_with(configure: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig {
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        org_id: ORG.to_owned(),
        ..EmulatorConfig::default()
    };
    configure(&mut config);
    Emulator::start(config).await.expect("start the emulator")
}

async fn start() -> Emulator {
    start_with(|_| {}).await
}

fn config(emu: &Emulator) -> ClientConfig {
    let mut cfg = ClientConfig::new(&emu.url(), CLIENT_ID, Secret::new(CLIENT_SECRET)).unwrap();
    cfg.org_id = Some(ORG.to_owned());
    cfg.backoff = Backoff {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_single_wait: Duration::from_secs(60),
        max_total_wait: Duration::from_secs(120),
    };
    cfg
}

fn client_from(cfg: ClientConfig) -> AnypointClient {
    AnypointClient::new(cfg, "1.9.5", CancellationToken::new()).unwrap()
}

fn client(emu: &Emulator) -> AnypointClient {
    client_from(config(emu))
}

fn apps_path() -> String {
    format!("/apiplatform/repository/v2/organizations/{ORG}/applications")
}

fn app_path(id: i64) -> String {
    format!("{}/{id}", apps_path())
}

fn new_app(name: &str) -> NewApplication {
    NewApplication {
        name: name.to_owned(),
        description: Some("d".to_owned()),
        redirect_uri: vec!["https://cb.example.com".to_owned()],
        grant_types: vec!["client_credentials".to_owned()],
        ..Default::default()
    }
}

/// Store an application behind the client's back; its id.
fn insert_app(h: &EmulatorHandle, name: &str) -> i64 {
    h.create_application(json!({ "name": name }))
        .expect("create through the handle")["id"]
        .as_i64()
        .unwrap()
}

/// Script `kinds` for the next `method` requests to exactly `path`.
fn fault(h: &EmulatorHandle, method: &str, path: &str, kinds: impl IntoIterator<Item = FaultKind>) {
    for kind in kinds {
        h.push_fault(Fault {
            matcher: anypoint_emulator::FaultMatch {
                method: Some(method.to_owned()),
                path_contains: Some(path.to_owned()),
            },
            kind,
        });
    }
}

/// Requests with this method to exactly this path (query not compared).
fn count(h: &EmulatorHandle, method: &str, path: &str) -> usize {
    h.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Every request as `METHOD path[?query]`, in order.
fn requests(h: &EmulatorHandle) -> Vec<String> {
    h.requests()
        .iter()
        .map(|r| match &r.query {
            Some(q) if !q.is_empty() => format!("{} {}?{q}", r.method, r.path),
            _ => format!("{} {}", r.method, r.path),
        })
        .collect()
}

/// Where contract `contract` of application `app` with instance `api` is
/// reached (the organization's own, in the emulator's environment).
fn site(app: i64, api: i64, contract: i64) -> anypoint_client::ContractSite<'static> {
    anypoint_client::ContractSite {
        app_org: ORG,
        app_id: app,
        contract_id: contract,
        instance_org: ORG,
        environment: Some(anypoint_emulator::ENVIRONMENT_ID),
        api_id: api,
    }
}
