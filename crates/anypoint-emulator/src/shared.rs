//! The state every part of the emulator shares: the configuration, the
//! platform state, tokens, faults, latency, the request log and the rate
//! limit, with the operations on them that the HTTP side, the admin routes
//! and the control handle have in common.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Map};
use tokio_util::sync::CancellationToken;

use crate::faults::{random_fault, FaultKind, FaultQueue};
use crate::log::{RequestLog, RequestRecord};
use crate::rate_limit::RateLimiter;
use crate::route_table::route_label;
use crate::state::{Reply, State, Target};
use crate::sync::lock;
use crate::variants::{Variant, Variants};
use crate::{persist, EmulatorConfig};

/// Everything the handler and the control handle share.
pub(crate) struct Shared {
    pub config: EmulatorConfig,
    pub state: Mutex<State>,
    /// Issued tokens and when they expire. Never logged or persisted.
    pub tokens: Mutex<HashMap<String, Instant>>,
    pub faults: Mutex<FaultQueue>,
    fault_rate_bits: AtomicU64,
    latency_nanos: AtomicU64,
    /// The most recent requests and the per-route counters (admin requests
    /// are not recorded).
    pub log: Mutex<RequestLog>,
    /// Woken whenever a request is added to `log`.
    pub logged: tokio::sync::Notify,
    pub token_requests: AtomicUsize,
    /// `--rate-limit`: API requests allowed per whole second (see `limit`).
    pub rate_limit: RateLimiter,
    pub shutdown: CancellationToken,
}

impl Shared {
    pub fn new(config: EmulatorConfig, state: State) -> Shared {
        let shared = Shared {
            state: Mutex::new(state),
            tokens: Mutex::new(HashMap::new()),
            faults: Mutex::new(FaultQueue::default()),
            fault_rate_bits: AtomicU64::new(0),
            latency_nanos: AtomicU64::new(0),
            log: Mutex::new(RequestLog::default()),
            logged: tokio::sync::Notify::new(),
            token_requests: AtomicUsize::new(0),
            rate_limit: RateLimiter::new(config.rate_limit),
            shutdown: CancellationToken::new(),
            config,
        };
        shared.set_fault_rate(shared.config.fault_rate);
        shared.set_latency(shared.config.latency);
        shared
    }

    pub fn set_fault_rate(&self, rate: f64) {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self.fault_rate_bits.store(rate.to_bits(), Ordering::SeqCst);
    }

    pub fn fault_rate(&self) -> f64 {
        f64::from_bits(self.fault_rate_bits.load(Ordering::SeqCst))
    }

    pub fn set_latency(&self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_nanos.store(nanos, Ordering::SeqCst);
    }

    pub fn latency(&self) -> Duration {
        Duration::from_nanos(self.latency_nanos.load(Ordering::SeqCst))
    }

    /// Grant or withdraw "Manage Contracts": the `no-manage-contracts`
    /// variant.
    pub fn set_manage_contracts(&self, allowed: bool) {
        self.set_variant(Variant::NoManageContracts, !allowed);
    }

    pub fn manage_contracts(&self) -> bool {
        !lock(&self.state).on(Variant::NoManageContracts)
    }

    /// Turn a variant on (the others of its question off) or off.
    pub fn set_variant(&self, v: Variant, on: bool) {
        lock(&self.state).variants.set(v, on);
    }

    /// Replace the variants in force; an error (and no change) when two
    /// answer one question.
    pub fn set_variants(&self, list: &[Variant]) -> Result<(), String> {
        let set = Variants::from_list(list)?;
        lock(&self.state).variants = set;
        Ok(())
    }

    pub fn variants(&self) -> Vec<Variant> {
        lock(&self.state).variants.list()
    }

    pub fn expire_tokens(&self) {
        lock(&self.tokens).clear();
    }

    /// Write the state file (if configured). Called with the state locked, so
    /// writes happen in mutation order.
    pub fn persist(&self, state: &State) {
        if let Some(path) = &self.config.state_file {
            if let Err(e) = persist::save(path, &state.snapshot()) {
                tracing::error!("cannot write the state file {}: {e}", path.display());
            }
        }
    }

    /// Run a state mutation; persist it if it succeeded.
    pub fn mutate<R>(&self, f: impl FnOnce(&mut State) -> Result<R, R>) -> Result<R, R> {
        let mut st = lock(&self.state);
        let r = f(&mut st);
        if r.is_ok() {
            self.persist(&st);
        }
        r
    }

    pub(crate) fn record(&self, method: &str, path: &str, query: &Option<String>, status: u16) {
        tracing::debug!(method, path, status, "emulator request");
        let record = RequestRecord {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.clone(),
            status,
            time: std::time::SystemTime::now(),
        };
        lock(&self.log).push(record, route_label(method, path));
        self.logged.notify_waiters();
    }

    /// Sleep, but end at once when the emulator shuts down.
    pub(crate) async fn pause(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = self.shutdown.cancelled() => {}
        }
    }

    pub(crate) fn next_fault(&self, method: &str, path: &str) -> Option<FaultKind> {
        lock(&self.faults)
            .take(method, path)
            .or_else(|| random_fault(self.fault_rate()))
    }

    /// Create a contract as an administrator would (the body the provider would
    /// send, filled in from the API instance or API group instance); a
    /// deprecated tier is allowed. Answers 201 with the contract in the API
    /// Platform v2 shape.
    pub(crate) fn create_contract_for(
        &self,
        app: &str,
        target: Target,
        tier: Option<i64>,
    ) -> Result<Reply, Reply> {
        let mut st = lock(&self.state);
        let mut req = match target {
            Target::Api { api_instance_id } => {
                let api_id = api_instance_id;
                let inst = st
                    .instances
                    .iter()
                    .find(|i| i.id == api_id)
                    .map(|i| st.instance_json(i))
                    .ok_or_else(|| {
                        Reply::error(404, format!("The API instance {api_id} cannot be found."))
                    })?;
                // The Exchange body the provider would send, filled in from the instance.
                let mut req = Map::new();
                req.insert("apiId".into(), json!(api_id));
                req.insert("instanceType".into(), json!("api"));
                req.insert("acceptedTerms".into(), json!(true));
                req.insert("organizationId".into(), json!(st.org_id));
                req.insert("groupId".into(), inst["groupId"].clone());
                req.insert("assetId".into(), inst["assetId"].clone());
                req.insert("version".into(), inst["assetVersion"].clone());
                req.insert("versionGroup".into(), inst["productVersion"].clone());
                req.insert("environmentId".into(), inst["environmentId"].clone());
                req
            }
            Target::Group { group_instance_id } => st.group_request_body(group_instance_id)?,
        };
        if let Some(t) = tier {
            req.insert("requestedTierId".into(), json!(t));
        }
        // As an administrator: a deprecated tier is allowed (a contract made
        // before the tier was deprecated).
        let r = st.create_contract_as(app, &req, true);
        if r.is_ok() {
            self.persist(&st);
        }
        // Answer in the same shape as the other contract routes.
        let r = r?;
        let id = r.body.as_ref().and_then(|b| b["id"].as_i64());
        match id.and_then(|id| st.contract(id)) {
            Some(c) => Ok(Reply::ok(201, st.contract_platform_json(c))),
            None => Ok(r),
        }
    }
}
