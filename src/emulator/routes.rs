//! The HTTP side: one entry handler doing faults, latency, the request log,
//! routing, authentication and the organization check, then the state
//! operation, then persistence.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use tokio_util::sync::CancellationToken;

use super::admin::RequestLog;
use super::conn::ConnMeta;
use super::faults::{random_fault, FaultKind, FaultQueue};
use super::handle::RequestRecord;
use super::state::{Outcome, Query, Reply, State};
use super::{persist, EmulatorConfig, TOKEN_PATH};

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

    fn token_valid(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return false;
        }
        lock(&self.tokens)
            .get(token.trim())
            .is_some_and(|exp| Instant::now() < *exp)
    }

    fn issue_token(&self, headers: &HeaderMap, body: &[u8]) -> Outcome {
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let fields: HashMap<String, String> = if is_form {
            url::form_urlencoded::parse(body).into_owned().collect()
        } else {
            let map = parse_object(body)?;
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    _ => None,
                })
                .collect()
        };
        let oauth_error = |status: u16, error: &str, message: &str| {
            Reply::ok(status, json!({ "error": error, "message": message }))
        };
        match fields.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {}
            Some(_) => {
                return Err(oauth_error(
                    400,
                    "unsupported_grant_type",
                    "grant_type must be client_credentials",
                ))
            }
            None => {
                return Err(oauth_error(
                    400,
                    "invalid_request",
                    "grant_type is required",
                ))
            }
        }
        let (Some(id), Some(secret)) = (fields.get("client_id"), fields.get("client_secret"))
        else {
            return Err(oauth_error(
                400,
                "invalid_request",
                "client_id and client_secret are required",
            ));
        };
        if *id != self.config.client_id || *secret != self.config.client_secret {
            return Err(oauth_error(
                401,
                "invalid_client",
                "Invalid client credentials",
            ));
        }
        let token = uuid::Uuid::new_v4().to_string();
        let now = Instant::now();
        let expiry = now
            .checked_add(self.config.token_ttl)
            .unwrap_or(now + Duration::from_secs(100 * 365 * 24 * 3600));
        {
            let mut tokens = lock(&self.tokens);
            tokens.retain(|_, exp| now < *exp);
            tokens.insert(token.clone(), expiry);
        }
        Ok(Reply::ok(
            200,
            json!({
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.config.token_ttl.as_secs(),
            }),
        ))
    }

    fn me(&self) -> Outcome {
        let st = lock(&self.state);
        let user = st.connected_app_user();
        Ok(Reply::ok(
            200,
            json!({
                "client": {
                    "client_id": self.config.client_id,
                    "name": "Emulator Connected App",
                    "org_id": self.config.org_id,
                    "grant_types": ["client_credentials"],
                    "redirect_uris": [],
                },
                "user": {
                    "id": user.id,
                    "username": user.username,
                    "firstName": user.first_name,
                    "lastName": user.last_name,
                    "email": user.email,
                    "organizationId": self.config.org_id,
                    "organization": {
                        "id": self.config.org_id,
                        "name": self.config.org_name,
                    },
                },
            }),
        ))
    }

    /// Route, authenticate, check the organization and run the operation.
    pub fn process(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Reply {
        let segments = path_segments(path);
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let Some((op, org)) = parse_route(method, &segs) else {
            return Reply::error(404, format!("No such resource: {method} {path}"));
        };
        if !matches!(op, Op::Token) && !self.token_valid(headers) {
            return Reply::error(401, "Unauthorized");
        }
        if let Some(org) = org {
            if org != self.config.org_id {
                return Reply::error(
                    403,
                    format!("You do not have permission to access organization {org}."),
                );
            }
        }
        let query: Query = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        let result = self.execute(op, &query, headers, body);
        result.unwrap_or_else(|e| e)
    }

    fn execute(&self, op: Op<'_>, q: &Query, headers: &HeaderMap, body: &[u8]) -> Outcome {
        match op {
            Op::Token => self.issue_token(headers, body),
            Op::Me => self.me(),
            Op::ListUsers => lock(&self.state).list_users(q),
            Op::CreateApp => {
                let b = parse_object(body)?;
                self.mutate(|s| s.create_app(&b, q))
            }
            Op::ListApps => lock(&self.state).list_apps(q),
            Op::GetApp(app) => lock(&self.state).get_app(app, q),
            Op::PutApp(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.update_app(app, &b, true))
            }
            Op::PatchApp(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.update_app(app, &b, false))
            }
            Op::DeleteApp(app) => self.mutate(|s| s.delete_app(app)),
            Op::AddOwner(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.add_owner(app, &b))
            }
            Op::RemoveOwner(app, user) => self.mutate(|s| s.remove_owner(app, user)),
            Op::ResetSecret(app) => self.mutate(|s| s.reset_secret(app)),
            Op::AppContracts(app) => lock(&self.state).app_contracts(app),
            Op::CreateContract(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.create_contract(app, &b))
            }
            Op::ChangeTier(app, c) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.change_contract_tier(app, c, &b))
            }
            Op::GetInstance(env, api) => lock(&self.state).get_instance(env, api),
            Op::ListTiers(env, api) => lock(&self.state).list_tiers(env, api),
            Op::ListInstanceContracts(env, api) => {
                lock(&self.state).list_instance_contracts(env, api, q)
            }
            Op::GetInstanceContract(env, api, c) => {
                lock(&self.state).get_instance_contract(env, api, c)
            }
            Op::RevokeContract(env, api, c) => self.mutate(|s| s.revoke_contract(env, api, c)),
            Op::DeleteContract(env, api, c) => self.mutate(|s| s.delete_contract(env, api, c)),
            Op::Asset(g, a, v) => lock(&self.state).get_asset(g, a, v),
        }
    }
}

/// A JSON object body, or 400.
fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::error(400, "A JSON request body is required."));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Reply::error(400, "The request body must be a JSON object.")),
        Err(e) => Err(Reply::error(400, format!("Malformed JSON body: {e}"))),
    }
}

/// The decoded segments of a path.
pub(crate) fn path_segments(path: &str) -> Vec<String> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(percent_decode)
        .collect()
}

/// The route template a request matched (e.g.
/// `GET /apiplatform/repository/v2/organizations/{org}/applications/{app}`),
/// or `unmatched`: the key of the per-route counters.
pub(crate) fn route_label(method: &str, path: &str) -> &'static str {
    let segments = path_segments(path);
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    parse_route(method, &segs).map_or("unmatched", |(op, _)| op.label())
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The operations, with their path parameters.
enum Op<'a> {
    Token,
    Me,
    ListUsers,
    CreateApp,
    ListApps,
    GetApp(&'a str),
    PutApp(&'a str),
    PatchApp(&'a str),
    DeleteApp(&'a str),
    AddOwner(&'a str),
    RemoveOwner(&'a str, &'a str),
    ResetSecret(&'a str),
    AppContracts(&'a str),
    CreateContract(&'a str),
    ChangeTier(&'a str, &'a str),
    GetInstance(&'a str, &'a str),
    ListTiers(&'a str, &'a str),
    ListInstanceContracts(&'a str, &'a str),
    GetInstanceContract(&'a str, &'a str, &'a str),
    RevokeContract(&'a str, &'a str, &'a str),
    DeleteContract(&'a str, &'a str, &'a str),
    Asset(&'a str, &'a str, &'a str),
}

impl Op<'_> {
    fn label(&self) -> &'static str {
        match self {
            Op::Token => "POST /accounts/api/v2/oauth2/token",
            Op::Me => "GET /accounts/api/me",
            Op::ListUsers => "GET /accounts/api/organizations/{org}/users",
            Op::CreateApp => "POST /apiplatform/repository/v2/organizations/{org}/applications",
            Op::ListApps => "GET /apiplatform/repository/v2/organizations/{org}/applications",
            Op::GetApp(_) => "GET /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::PutApp(_) => "PUT /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::PatchApp(_) => "PATCH /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::DeleteApp(_) => "DELETE /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::AddOwner(_) => "POST /apiplatform/repository/v2/organizations/{org}/applications/{app}/owners",
            Op::RemoveOwner(..) => "DELETE /apiplatform/repository/v2/organizations/{org}/applications/{app}/owners/{user}",
            Op::ResetSecret(_) => "POST /apiplatform/repository/v2/organizations/{org}/applications/{app}/secret/reset",
            Op::AppContracts(_) => "GET /apiplatform/repository/v2/organizations/{org}/applications/{app}/contracts",
            Op::CreateContract(_) => "POST /exchange/api/v2/organizations/{org}/applications/{app}/contracts",
            Op::ChangeTier(..) => "PATCH /exchange/api/v2/organizations/{org}/applications/{app}/contracts/{contract}",
            Op::GetInstance(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}",
            Op::ListTiers(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/tiers",
            Op::ListInstanceContracts(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts",
            Op::GetInstanceContract(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts/{contract}",
            Op::RevokeContract(..) => "POST /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts/{contract}/revoke",
            Op::DeleteContract(..) => "DELETE /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts/{contract}",
            Op::Asset(..) => "GET /exchange/api/v2/assets/{group}/{asset}/{version}",
        }
    }
}

/// The operation for a method and decoded path segments, with the
/// organization id from the path when there is one.
fn parse_route<'a>(method: &str, segs: &[&'a str]) -> Option<(Op<'a>, Option<&'a str>)> {
    use Op::*;
    let r = match (method, segs) {
        ("POST", ["accounts", "api", "v2", "oauth2", "token"]) => (Token, None),
        ("GET", ["accounts", "api", "me"]) => (Me, None),
        ("GET", ["accounts", "api", "organizations", org, "users"]) => (ListUsers, Some(*org)),
        (
            m,
            ["apiplatform", "repository", "v2", "organizations", org, "applications", rest @ ..],
        ) => {
            let op = match (m, rest) {
                ("POST", []) => CreateApp,
                ("GET", []) => ListApps,
                ("GET", [app]) => GetApp(app),
                ("PUT", [app]) => PutApp(app),
                ("PATCH", [app]) => PatchApp(app),
                ("DELETE", [app]) => DeleteApp(app),
                ("POST", [app, "owners"]) => AddOwner(app),
                ("DELETE", [app, "owners", user]) => RemoveOwner(app, user),
                ("POST", [app, "secret", "reset"]) => ResetSecret(app),
                ("GET", [app, "contracts"]) => AppContracts(app),
                _ => return None,
            };
            (op, Some(*org))
        }
        (
            "POST",
            ["exchange", "api", "v2", "organizations", org, "applications", app, "contracts"],
        ) => (CreateContract(app), Some(*org)),
        (
            "PATCH",
            ["exchange", "api", "v2", "organizations", org, "applications", app, "contracts", c],
        ) => (ChangeTier(app, c), Some(*org)),
        (
            m,
            ["apimanager", "api", "v1", "organizations", org, "environments", env, "apis", api, rest @ ..],
        ) => {
            let op = match (m, rest) {
                ("GET", []) => GetInstance(env, api),
                ("GET", ["tiers"]) => ListTiers(env, api),
                ("GET", ["contracts"]) => ListInstanceContracts(env, api),
                ("GET", ["contracts", c]) => GetInstanceContract(env, api, c),
                ("DELETE", ["contracts", c]) => DeleteContract(env, api, c),
                ("POST", ["contracts", c, "revoke"]) => RevokeContract(env, api, c),
                _ => return None,
            };
            (op, Some(*org))
        }
        ("GET", ["exchange", "api", "v2", "assets", g, a, v]) => (Asset(g, a, v), None),
        _ => return None,
    };
    Some(r)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%41%42"), "AB");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn routes_resolve() {
        let r = |m: &str, p: &str| {
            let segs: Vec<&str> = p.split('/').collect();
            parse_route(m, &segs).map(|(_, org)| org.map(str::to_owned))
        };
        assert_eq!(r("POST", "accounts/api/v2/oauth2/token"), Some(None));
        assert_eq!(r("GET", "accounts/api/v2/oauth2/token"), None);
        assert_eq!(
            r(
                "DELETE",
                "apiplatform/repository/v2/organizations/o1/applications/5/owners/u"
            ),
            Some(Some("o1".into()))
        );
        assert_eq!(
            r(
                "GET",
                "apiplatform/repository/v2/organizations/o1/applications/5/x"
            ),
            None
        );
        assert_eq!(
            r(
                "POST",
                "apimanager/api/v1/organizations/o/environments/e/apis/1/contracts/2/revoke"
            ),
            Some(Some("o".into()))
        );
        assert_eq!(r("GET", "exchange/api/v2/assets/g/a/1.0.0"), Some(None));
    }
}
