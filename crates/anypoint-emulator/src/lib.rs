//! An in-memory Anypoint Platform served over real HTTP on loopback.
//!
//! The emulator answers the Anypoint endpoints the provider uses (token,
//! `/me`, users, environments, client applications, owners, secret reset,
//! contracts, API Manager instances, their search and tiers, API groups and
//! their tiers, Exchange asset lookup) from memory, so the provider, its
//! tests and the quickstart run with no Anypoint account and no network. It
//! is an axum 0.8 server on tokio; [`Emulator::start`] binds
//! `127.0.0.1:0` and serves until [`Emulator::shutdown`] (or drop).
//!
//! # Behaviour summary
//! - Every API route needs `Authorization: Bearer <token>` with a token from
//!   `POST /accounts/api/v2/oauth2/token` that has not expired (see
//!   [`EmulatorHandle::expire_tokens`]); otherwise 401 `{"message":"Unauthorized"}`.
//! - The root organization ([`EmulatorConfig::org_id`]) has one business
//!   group, [`BUSINESS_GROUP_ID`]; `GET /accounts/api/organizations/{id}`
//!   answers for both. A path naming the business group is taken by the
//!   users and API Manager routes (it holds no API instance: 404) and
//!   refused with 403 by client application, owner and Exchange contract
//!   routes (applications live in the root organization). Any other
//!   organization id in a path gives 403 naming it; ids compare exactly.
//! - Bad JSON or an invalid body gives 400 `{"message": "..."}`; an unknown
//!   route (or a known path with another method) gives 404 JSON.
//! - Faults: a fraction `fault_rate` of all requests (the token endpoint
//!   included) is answered 429 or 503 with an EMPTY body before any processing;
//!   scripted [`Fault`]s are consumed in FIFO order by the next matching
//!   requests and take precedence over the random rate.
//! - `latency` is added before every response (faults included).
//! - Rate limit ([`EmulatorConfig::rate_limit`], `--rate-limit N`): at most
//!   N API requests (token requests included, admin routes never) in each
//!   1-second window aligned to whole seconds; the others are answered 429
//!   `{"message": ...}` with `Retry-After` (seconds, at least 1) before any
//!   processing or scripted fault. While it is on every answer carries
//!   `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
//!   (epoch seconds of the window's end). Refused requests are logged and
//!   counted like any other.
//! - The request log keeps the most recent [`REQUEST_LOG_LIMIT`] requests
//!   (method, path, query, status, time; never bodies or headers), with
//!   counters per route and status over every request, and a count of the
//!   TCP connections accepted (cleared with the log).
//! - With a `state_file`, the applications and contracts are loaded at start
//!   and written after every successful mutation (temp file in the same
//!   directory, fsync, rename). Tokens are never written.
//!
//! # Admin routes, platform variants, seeded data
//! With [`EmulatorConfig::admin`] on (`--admin`), routes under
//! [`ADMIN_PREFIX`] do from a shell what [`EmulatorHandle`] does from Rust
//! (`admin` holds their rules and table). Where the platform's behaviour is
//! unconfirmed the emulator plays one answer by default and each other as a
//! [`Variant`] (`variants` holds each question and its evidence). The users,
//! API instances and tiers every emulator starts with are the constants
//! below (`state::seed`). What users need of all three is written once, in
//! `docs/guides/emulator.md`.

mod admin;
mod cli;
mod conn;
mod faults;
mod handle;
mod http;
mod log;
mod persist;
mod rate_limit;
mod route_table;
mod routes;
mod shared;
mod state;
mod sync;
mod variants;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

pub use admin::ADMIN_PREFIX;
pub use cli::{parse_args, CliCommand, CliOptions, USAGE};
pub use faults::{Fault, FaultKind, FaultMatch};
pub use handle::EmulatorHandle;
pub use log::{RequestRecord, REQUEST_LOG_LIMIT};
pub use persist::write_file_atomically;
pub use state::{NewApiGroup, NewApiInstance, NewGroupInstance, NewTier};
pub use variants::Variant;

/// Default Connected App client id (a well-known demo value).
pub const DEFAULT_CLIENT_ID: &str = "emulator-client-id";
/// Default Connected App client secret (a well-known demo value, not a secret).
pub const DEFAULT_CLIENT_SECRET: &str = "emulator-client-secret";
/// Default organization id.
pub const DEFAULT_ORG_ID: &str = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
/// Default organization name.
pub const DEFAULT_ORG_NAME: &str = "Emulated Organization";
/// The business group under the root organization (every mode): users and
/// API Manager routes take it, client application routes answer 403.
pub const BUSINESS_GROUP_ID: &str = "7c3e9a51-2b4d-4f6e-8a1c-5d9e0f2b3a4c";
/// The business group's name.
pub const BUSINESS_GROUP_NAME: &str = "Emulated Business Group";
/// The environment holding the seeded API instances.
pub const ENVIRONMENT_ID: &str = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b";
/// The name of [`ENVIRONMENT_ID`], a sandbox environment.
pub const ENVIRONMENT_NAME: &str = "Sandbox";
/// The root organization's production environment (it holds no API instance).
pub const PRODUCTION_ENVIRONMENT_ID: &str = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a";
/// The Connected App's own user (its creator): first owner of every new app.
pub const CONNECTED_APP_USER_ID: &str = "5eed0000-0000-4000-8000-000000000000";
/// Seeded instance with tiers Bronze (50001, auto), Gold (50002, auto) and
/// Platinum (50003, manual approval).
pub const API_INSTANCE_ORDERS: i64 = 40001;
/// Seeded instance with one manual-approval tier, Standard (50004).
pub const API_INSTANCE_PAYMENTS: i64 = 40002;
/// Seeded instance without SLA tiers.
pub const API_INSTANCE_CATALOG: i64 = 40003;
/// Tier ids of the seeded instances.
pub const TIER_ORDERS_BRONZE: i64 = 50001;
pub const TIER_ORDERS_GOLD: i64 = 50002;
pub const TIER_ORDERS_PLATINUM: i64 = 50003;
pub const TIER_PAYMENTS_STANDARD: i64 = 50004;
/// Instance 40001's fourth tier, "Silver": DEPRECATED and approved
/// automatically; it exists only under [`Variant::DeprecatedTier`].
pub const TIER_ORDERS_SILVER_DEPRECATED: i64 = 50005;
/// Seeded API group "Commerce APIs" (asset `commerce-apis`), its version
/// (1.0.0, `v1`) and its instance in [`ENVIRONMENT_ID`], whose members are
/// [`API_INSTANCE_ORDERS`] and [`API_INSTANCE_PAYMENTS`] and whose tiers
/// are Starter (49001, auto), Premium (49002, auto) and Partner (49003,
/// manual approval).
pub const API_GROUP_COMMERCE: i64 = 60001;
pub const API_GROUP_VERSION_COMMERCE: i64 = 61001;
pub const API_GROUP_INSTANCE_COMMERCE: i64 = 62001;
/// Tier ids of the Commerce group instance.
pub const TIER_COMMERCE_STARTER: i64 = 49001;
pub const TIER_COMMERCE_PREMIUM: i64 = 49002;
pub const TIER_COMMERCE_PARTNER: i64 = 49003;
/// Seeded API group "Reference Data" (asset `reference-data`), its version
/// (2.1.0, `v2`) and its instance in [`ENVIRONMENT_ID`], without tiers,
/// whose member is [`API_INSTANCE_CATALOG`].
pub const API_GROUP_REFERENCE: i64 = 60002;
pub const API_GROUP_VERSION_REFERENCE: i64 = 61002;
pub const API_GROUP_INSTANCE_REFERENCE: i64 = 62002;
/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/accounts/api/v2/oauth2/token";

/// How the emulator behaves. `Default` gives the same values as the binary.
#[derive(Clone)]
pub struct EmulatorConfig {
    pub client_id: String,
    pub client_secret: String,
    pub org_id: String,
    pub org_name: String,
    /// Added before every response.
    pub latency: std::time::Duration,
    /// 0.0..=1.0: that fraction of requests is answered 429 or 503 (empty body).
    pub fault_rate: f64,
    pub token_ttl: std::time::Duration,
    /// Load at start if present; rewritten atomically after every mutation.
    pub state_file: Option<std::path::PathBuf>,
    /// Serve the HTTP admin routes under [`ADMIN_PREFIX`] (`--admin`); off by
    /// default, when those paths are unknown routes (404).
    pub admin: bool,
    /// The application list answers empty while reads by id still work (see
    /// the deliberate choices above); off by default. Not persisted.
    pub list_hides_applications: bool,
    /// List items are short even with `targetAdminSite=true` (see the
    /// deliberate choices above); off by default. Not persisted.
    pub list_items_short: bool,
    /// Start without API Manager's "Manage Contracts" permission: contract
    /// revoke and delete answer 403 (switchable with
    /// [`EmulatorHandle::set_manage_contracts`]).
    pub deny_manage_contracts: bool,
    /// `--rate-limit`: API requests allowed in each 1-second window, windows
    /// aligned to whole seconds of the system clock; beyond it a request is
    /// answered 429 with `Retry-After` and the `X-RateLimit-*` headers
    /// (which every answer carries while the limit is on). 0 = off (the
    /// default); switchable with [`EmulatorHandle::set_rate_limit`].
    pub rate_limit: u32,
    /// Platform variants in force from the start (`--variant`); at most one
    /// per question, or [`Emulator::start`] fails. Empty by default (the
    /// default answers); switchable with [`EmulatorHandle::set_variant`].
    /// The three switches above are variants too and add to this list. Not
    /// persisted.
    pub variants: Vec<Variant>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            org_id: DEFAULT_ORG_ID.to_owned(),
            org_name: DEFAULT_ORG_NAME.to_owned(),
            latency: Duration::ZERO,
            fault_rate: 0.0,
            token_ttl: Duration::from_secs(3600),
            state_file: None,
            admin: false,
            list_hides_applications: false,
            list_items_short: false,
            deny_manage_contracts: false,
            rate_limit: 0,
            variants: Vec::new(),
        }
    }
}

impl EmulatorConfig {
    /// `variants` with the three older switches added.
    fn start_variants(&self) -> Vec<Variant> {
        let mut all = self.variants.clone();
        for (on, v) in [
            (self.list_hides_applications, Variant::ListHidesApplications),
            (self.list_items_short, Variant::ListItemsShort),
            (self.deny_manage_contracts, Variant::NoManageContracts),
        ] {
            if on {
                all.push(v);
            }
        }
        all
    }
}

// Hand-written so the client secret never reaches a log line.
impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("org_id", &self.org_id)
            .field("org_name", &self.org_name)
            .field("latency", &self.latency)
            .field("fault_rate", &self.fault_rate)
            .field("token_ttl", &self.token_ttl)
            .field("state_file", &self.state_file)
            .field("admin", &self.admin)
            .field("list_hides_applications", &self.list_hides_applications)
            .field("list_items_short", &self.list_items_short)
            .field("deny_manage_contracts", &self.deny_manage_contracts)
            .field("rate_limit", &self.rate_limit)
            .field("variants", &self.variants)
            .finish()
    }
}

/// A running emulator. Dropping it stops the server (abruptly);
/// [`Emulator::shutdown`] stops it gracefully.
pub struct Emulator {
    addr: SocketAddr,
    config: EmulatorConfig,
    handle: EmulatorHandle,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Start on `127.0.0.1:0` (a free port).
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Start on `addr`. Fails if the address cannot be bound, or if the state
    /// file exists but cannot be read or belongs to another organization.
    pub async fn start_on(addr: SocketAddr, config: EmulatorConfig) -> std::io::Result<Emulator> {
        let snapshot = match &config.state_file {
            Some(path) => persist::load(path)?,
            None => None,
        };
        let mut state = state::State::new(&config.org_id);
        state.variants = variants::Variants::from_list(&config.start_variants())
            .map_err(|msg| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg))?;
        if let Some(snapshot) = snapshot {
            state.restore(snapshot).map_err(|msg| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "state file {}: {msg}",
                        config
                            .state_file
                            .as_deref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    ),
                )
            })?;
        }
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let shared = Arc::new(shared::Shared::new(config.clone(), state));
        let handle = EmulatorHandle::new(shared.clone());
        let shutdown = shared.shutdown.clone();
        let counted = shared.clone();
        let on_accept: conn::OnAccept =
            Box::new(move || sync::lock(&counted.log).connection_accepted());
        let app = axum::Router::new()
            .fallback(routes::entry)
            .with_state(shared)
            .into_make_service_with_connect_info::<conn::ConnMeta>();
        let server = axum::serve(conn::KillableListener::new(listener, on_accept), app)
            .with_graceful_shutdown(async move { shutdown.cancelled_owned().await });
        let task = tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::error!("emulator server stopped: {e}");
            }
        });
        tracing::debug!("Anypoint emulator listening on http://{local}");
        Ok(Emulator {
            addr: local,
            config,
            handle,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration the emulator was started with (later changes made
    /// through the handle, such as the fault rate, are not reflected here).
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    pub fn handle(&self) -> EmulatorHandle {
        self.handle.clone()
    }

    /// Stop accepting, end in-flight delays at once, wait for open
    /// connections to finish (at most 10 s, then abort), release the port.
    pub async fn shutdown(mut self) {
        self.handle.shared().shutdown.cancel();
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.handle.shared().shutdown.cancel();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("config", &self.config)
            .finish()
    }
}
