//! The HTTP side: one entry handler doing faults, latency, the request log,
//! routing, authentication and the organization check, then the state
//! operation, then persistence.
//!
//! `table` maps a method and path to an operation (and its counter label);
//! `ops` authenticates and runs the operation on the state.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;

use super::admin::RequestLog;
use super::conn::ConnMeta;
use super::faults::{random_fault, FaultKind, FaultQueue};
use super::handle::RequestRecord;
use super::state::{Reply, State};
use super::variants::{Variant, Variants};
use super::{persist, EmulatorConfig, TOKEN_PATH};

mod limit;
mod ops;
mod table;

pub(crate) use limit::{RateLimiter, MAX_RATE_LIMIT};

pub(crate) use table::{path_segments, route_label};

const MAX_BODY: usize = 1 << 20;

/// Everything the handler and the control handle share.
pub(crate) struct Shared {
    pub config: EmulatorConfig,
    pub state: Mutex<State>,
    /// Issued tokens and when they expire. Never logged or persisted.
    tokens: Mutex<HashMap<String, Instant>>,
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

/// Lock a mutex, ignoring poisoning (a panicking test thread must not wedge
/// the emulator for everybody else).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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

    fn record(&self, method: &str, path: &str, query: &Option<String>, status: u16) {
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
    async fn pause(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = self.shutdown.cancelled() => {}
        }
    }

    fn next_fault(&self, method: &str, path: &str) -> Option<FaultKind> {
        lock(&self.faults)
            .take(method, path)
            .or_else(|| random_fault(self.fault_rate()))
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn empty_response(status: u16) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status_code(status);
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

fn reply_response(reply: Reply) -> Response {
    match reply.body {
        None => empty_response(reply.status),
        Some(body) => (
            status_code(reply.status),
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
    }
}

/// The single axum handler: every request comes through here.
pub(crate) async fn entry(
    AxState(shared): AxState<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnMeta>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    // Admin routes (only with `admin` on): no faults, latency or log.
    if shared.config.admin && super::admin::is_admin_path(&path) {
        let body = axum::body::to_bytes(body, MAX_BODY).await;
        return super::admin::serve(&shared, conn.remote, &method, &path, query.as_deref(), body);
    }
    if method == "POST" && path == TOKEN_PATH {
        shared.token_requests.fetch_add(1, Ordering::SeqCst);
    }
    let Some(verdict) = shared.rate_limit.check(std::time::SystemTime::now()) else {
        let mut resp = api(&shared, conn, parts, body, method, path, query).await;
        stamp_request_id(resp.headers_mut());
        return resp;
    };
    let mut resp = if verdict.allowed {
        api(&shared, conn, parts, body, method, path, query).await
    } else {
        // Refused before any processing (scripted faults stay queued).
        let _ = axum::body::to_bytes(body, MAX_BODY).await;
        shared.record(&method, &path, &query, 429);
        shared.pause(shared.latency()).await;
        verdict.refusal()
    };
    verdict.stamp(resp.headers_mut());
    stamp_request_id(resp.headers_mut());
    resp
}

/// Every API answer carries an `x-request-id` (one of the request id headers
/// the client logs; which one the platform sends is unconfirmed). Not a
/// UUID, so tests can tell it from an access token in a log.
fn stamp_request_id(headers: &mut axum::http::HeaderMap) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(v) = HeaderValue::from_str(&format!("emulator-request-{n}")) {
        headers.insert("x-request-id", v);
    }
}

/// An API request past the admin routes and the rate limit: faults,
/// processing, the log, latency.
async fn api(
    shared: &Shared,
    conn: ConnMeta,
    parts: axum::http::request::Parts,
    body: Body,
    method: String,
    path: String,
    query: Option<String>,
) -> Response {
    // Read the whole request first, so a dropped connection happens after the
    // client has finished sending.
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            shared.record(&method, &path, &query, 413);
            shared.pause(shared.latency()).await;
            return reply_response(Reply::error(413, "The request body is too large."));
        }
    };
    let fault = shared.next_fault(&method, &path);
    match &fault {
        Some(FaultKind::Status {
            status,
            retry_after,
            ratelimit_reset,
        }) => {
            shared.record(&method, &path, &query, *status);
            shared.pause(shared.latency()).await;
            let mut resp = empty_response(*status);
            let extra = [
                (header::RETRY_AFTER.as_str(), retry_after),
                ("x-ratelimit-reset", ratelimit_reset),
            ];
            for (name, value) in extra {
                if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                    resp.headers_mut().insert(name, v);
                }
            }
            return resp;
        }
        Some(FaultKind::Respond { status, body }) => {
            shared.record(&method, &path, &query, *status);
            shared.pause(shared.latency()).await;
            return (status_code(*status), body.clone()).into_response();
        }
        Some(FaultKind::Hang) => {
            shared.record(&method, &path, &query, 0);
            shared.shutdown.cancelled().await;
            conn.kill();
            return empty_response(500);
        }
        Some(FaultKind::DropBeforeProcessing) => {
            shared.record(&method, &path, &query, 0);
            shared.pause(shared.latency()).await;
            conn.kill();
            return empty_response(500);
        }
        _ => {}
    }
    // Processing is synchronous: once started, it completes even if the
    // client goes away.
    let reply = shared.process(&method, &path, query.as_deref(), &parts.headers, &body);
    match fault {
        Some(FaultKind::ProcessThenStatus(status)) => {
            shared.record(&method, &path, &query, status);
            shared.pause(shared.latency()).await;
            empty_response(status)
        }
        Some(FaultKind::ProcessThenDrop) => {
            shared.record(&method, &path, &query, 0);
            shared.pause(shared.latency()).await;
            conn.kill();
            empty_response(500)
        }
        Some(FaultKind::Delay(d)) => {
            shared.record(&method, &path, &query, reply.status);
            shared.pause(d).await;
            shared.pause(shared.latency()).await;
            reply_response(reply)
        }
        _ => {
            shared.record(&method, &path, &query, reply.status);
            shared.pause(shared.latency()).await;
            reply_response(reply)
        }
    }
}
