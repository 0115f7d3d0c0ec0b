//! HTTP admin routes: drive the emulator from a shell, a script or a test in
//! another language, the way [`EmulatorHandle`] drives it from Rust.
//!
//! Served under [`ADMIN_PREFIX`] (`/_emulator`, a prefix no Anypoint path
//! uses) only when the emulator runs with `admin` on (`--admin`); otherwise
//! those paths are unknown routes like any other (404). Admin routes need no
//! bearer token but answer only loopback peers (403 for any other), and they
//! are never faulted, delayed, logged or counted. Bodies are JSON; every
//! error is `{"message": "..."}` with a 4xx status. Changes are persisted to
//! the state file like changes made through the API.
//!
//! | Route | What it does |
//! |---|---|
//! | `GET /_emulator` | the list of admin routes |
//! | `GET /_emulator/state` | everything: organization, users, applications (with secrets and owners), contracts, API instances, fault settings |
//! | `POST /_emulator/reset` | back to the seeded state: no applications, no contracts |
//! | `GET /_emulator/applications` | every application, full objects |
//! | `POST /_emulator/applications` | create one (the API's body: `name`, `description`, `url`, `redirectUri`, `grantTypes`) |
//! | `GET /_emulator/applications/{app}` | one application (`{app}`: the numeric id or the clientId) |
//! | `PATCH /_emulator/applications/{app}` | merge fields, as a user editing in the UI would |
//! | `DELETE /_emulator/applications/{app}` | delete it (and its contracts) |
//! | `GET /_emulator/applications/{app}/owners` | its owners |
//! | `POST /_emulator/applications/{app}/owners` | add an owner: `{"id": "<user id>"}` or `{"username": "bob"}` |
//! | `DELETE /_emulator/applications/{app}/owners/{user}` | remove an owner (`{user}`: user id or username) |
//! | `POST /_emulator/applications/{app}/contracts` | create a contract: `{"apiId": 40001, "tierId": 50003}` (`tierId` when the instance has tiers) |
//! | `GET /_emulator/contracts` | every contract |
//! | `GET /_emulator/contracts/{id}` | one contract |
//! | `POST /_emulator/contracts/{id}/approve`, `/reject`, `/revoke`, `/pending` | set its status (approve also puts a requested tier change in force) |
//! | `POST /_emulator/contracts/{id}/reject-tier-change` | reject the tier change waiting for approval (the tier in force stays) |
//! | `DELETE /_emulator/contracts/{id}` | delete it, whatever its status |
//! | `PUT /_emulator/permissions/manage-contracts` | `{"allowed": false}`: contract revoke and delete answer 403 (API Manager's "Manage Contracts" missing) |
//! | `GET /_emulator/faults` | fault rate, latency, scripted faults pending |
//! | `PUT /_emulator/faults/rate` | `{"rate": 0.2}`: that fraction of API requests answers 429 or 503 (0 = off) |
//! | `POST /_emulator/faults` | script faults for the next matching requests (see [`parse_fault`]) |
//! | `DELETE /_emulator/faults` | all faults off: scripted faults cleared, rate 0 |
//! | `PUT /_emulator/latency` | `{"ms": 250}`: added before every API response (0 = off) |
//! | `GET /_emulator/requests` | the request log (`?last=N`, `?method=GET`, `?pathPrefix=/apiplatform`) |
//! | `DELETE /_emulator/requests` | clear the request log and the counters |
//! | `GET /_emulator/counters` | requests per route and status, token requests, total |
//! | `POST /_emulator/tokens/expire` | every access token issued so far answers 401 from now on |

mod log;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

pub(crate) use log::RequestLog;
pub use log::REQUEST_LOG_LIMIT;

use super::faults::{Fault, FaultKind, FaultMatch};
use super::handle::{EmulatorHandle, RequestRecord};
use super::routes::{lock, path_segments, Shared};
use super::state::{Reply, State};
use super::ENVIRONMENT_ID;

/// The prefix of every admin route.
pub const ADMIN_PREFIX: &str = "/_emulator";

/// Longest latency the admin route accepts (10 minutes).
const MAX_LATENCY_MS: u64 = 600_000;
/// Most copies of one scripted fault a single request may add.
const MAX_FAULT_COUNT: u64 = 1_000;

/// Every admin route, for `GET /_emulator`.
const ROUTES: &[&str] = &[
    "GET /_emulator",
    "GET /_emulator/state",
    "POST /_emulator/reset",
    "GET /_emulator/applications",
    "POST /_emulator/applications",
    "GET /_emulator/applications/{app}",
    "PATCH /_emulator/applications/{app}",
    "DELETE /_emulator/applications/{app}",
    "GET /_emulator/applications/{app}/owners",
    "POST /_emulator/applications/{app}/owners",
    "DELETE /_emulator/applications/{app}/owners/{user}",
    "POST /_emulator/applications/{app}/contracts",
    "GET /_emulator/contracts",
    "GET /_emulator/contracts/{id}",
    "POST /_emulator/contracts/{id}/approve",
    "POST /_emulator/contracts/{id}/reject",
    "POST /_emulator/contracts/{id}/revoke",
    "POST /_emulator/contracts/{id}/pending",
    "POST /_emulator/contracts/{id}/reject-tier-change",
    "DELETE /_emulator/contracts/{id}",
    "PUT /_emulator/permissions/manage-contracts",
    "GET /_emulator/faults",
    "POST /_emulator/faults",
    "DELETE /_emulator/faults",
    "PUT /_emulator/faults/rate",
    "PUT /_emulator/latency",
    "GET /_emulator/requests",
    "DELETE /_emulator/requests",
    "GET /_emulator/counters",
    "POST /_emulator/tokens/expire",
];

/// Whether a path belongs to the admin routes.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PREFIX
        || path
            .strip_prefix(ADMIN_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Admin routes answer loopback peers only (IPv4-mapped loopback included).
pub(crate) fn peer_allowed(peer: SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

/// Answer one admin request. `body` is the whole request body, or the error
/// met reading it (too large).
pub(crate) fn serve(
    shared: &Arc<Shared>,
    peer: SocketAddr,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Result<Bytes, axum::Error>,
) -> Response {
    let reply = if !peer_allowed(peer) {
        Reply::error(
            403,
            format!("The emulator's admin routes answer loopback clients only, not {peer}."),
        )
    } else {
        match body {
            Err(_) => Reply::error(413, "The request body is too large."),
            Ok(body) => route(shared, method, path, query.unwrap_or(""), &body),
        }
    };
    tracing::debug!(
        method,
        path,
        status = reply.status,
        "emulator admin request"
    );
    response(reply)
}

fn route(shared: &Arc<Shared>, method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
    let segments = path_segments(path);
    // Drop the prefix segment and a trailing slash.
    let mut segs: Vec<&str> = segments.iter().skip(1).map(String::as_str).collect();
    if segs.last() == Some(&"") {
        segs.pop();
    }
    let h = EmulatorHandle::new(shared.clone());
    let result = match (method, segs.as_slice()) {
        ("GET", []) => Ok(Reply::ok(200, json!({ "routes": ROUTES }))),
        ("GET", ["state"]) => Ok(Reply::ok(200, state_dump(shared))),
        ("POST", ["reset"]) => reset(shared),
        ("GET", ["applications"]) => Ok(Reply::ok(200, Value::Array(h.applications()))),
        ("POST", ["applications"]) => {
            object(body).and_then(|b| shared.mutate(|s| s.create_app(&b, &Default::default())))
        }
        ("GET", ["applications", app]) => lock(&shared.state).get_app(app, &Default::default()),
        ("PATCH", ["applications", app]) => {
            object(body).and_then(|b| shared.mutate(|s| s.update_app(app, &b, false)))
        }
        ("DELETE", ["applications", app]) => shared.mutate(|s| s.delete_app(app)),
        ("GET", ["applications", app, "owners"]) => lock(&shared.state)
            .get_app(app, &Default::default())
            .map(|r| Reply::ok(200, r.body.unwrap_or_default()["owners"].take())),
        ("POST", ["applications", app, "owners"]) => add_owner(shared, app, body),
        ("DELETE", ["applications", app, "owners", user]) => {
            let user = user_id(&lock(&shared.state), user);
            shared.mutate(|s| s.remove_owner(app, &user))
        }
        ("POST", ["applications", app, "contracts"]) => create_contract(shared, app, body),
        ("GET", ["contracts"]) => Ok(Reply::ok(200, Value::Array(all_contracts(shared)))),
        ("GET", ["contracts", id]) => contract_id(id)
            .and_then(|id| h.contract(id).ok_or_else(|| contract_missing(id)))
            .map(|c| Reply::ok(200, c)),
        ("POST", ["contracts", id, "reject-tier-change"]) => contract_id(id).and_then(|id| {
            if !h.reject_tier_change(id) {
                return Err(Reply::error(
                    409,
                    format!("The contract {id} is unknown or has no tier change waiting."),
                ));
            }
            h.contract(id)
                .map(|c| Reply::ok(200, c))
                .ok_or_else(|| contract_missing(id))
        }),
        ("POST", ["contracts", id, action]) => set_contract_status(&h, id, action),
        ("DELETE", ["contracts", id]) => contract_id(id).and_then(|id| {
            if h.delete_contract(id) {
                Ok(Reply::empty(204))
            } else {
                Err(contract_missing(id))
            }
        }),
        ("PUT", ["permissions", "manage-contracts"]) => object(body).and_then(|b| {
            let Some(allowed) = b.get("allowed").and_then(Value::as_bool) else {
                return Err(Reply::error(
                    400,
                    "the body must be {\"allowed\": true|false}",
                ));
            };
            h.set_manage_contracts(allowed);
            Ok(Reply::ok(200, json!({ "allowed": allowed })))
        }),
        ("GET", ["faults"]) => Ok(Reply::ok(200, faults_json(shared))),
        ("POST", ["faults"]) => push_faults(shared, body),
        ("DELETE", ["faults"]) => {
            h.clear_faults();
            h.set_fault_rate(0.0);
            Ok(Reply::ok(200, faults_json(shared)))
        }
        ("PUT", ["faults", "rate"]) => set_fault_rate(shared, body),
        ("PUT", ["latency"]) => set_latency(shared, body),
        ("GET", ["requests"]) => requests(shared, query),
        ("DELETE", ["requests"]) => {
            h.reset_request_log();
            Ok(Reply::empty(204))
        }
        ("GET", ["counters"]) => Ok(Reply::ok(200, counters(shared))),
        ("POST", ["tokens", "expire"]) => {
            h.expire_tokens();
            Ok(Reply::empty(204))
        }
        _ => Err(Reply::error(
            404,
            format!(
                "No such admin route: {method} {path} (GET {ADMIN_PREFIX} lists the admin routes)"
            ),
        )),
    };
    result.unwrap_or_else(|e| e)
}

// ------------------------------------------------------------------ state

/// One consistent view of everything, taken under one lock.
fn state_dump(shared: &Shared) -> Value {
    let (users, applications, contracts, instances) = {
        let st = lock(&shared.state);
        let users: Vec<Value> = st.users.iter().map(|u| u.json()).collect();
        let applications: Vec<Value> = st.apps().map(|a| st.app_json(a, true)).collect();
        let instances: Vec<Value> = st
            .instances
            .iter()
            .map(|i| st.instance_with_tiers_json(i))
            .collect();
        (users, applications, contracts_locked(&st), instances)
    };
    json!({
        "organization": {
            "id": shared.config.org_id,
            "name": shared.config.org_name,
        },
        "environmentId": ENVIRONMENT_ID,
        "users": users,
        "applications": applications,
        "contracts": contracts,
        "apiInstances": instances,
        "faults": faults_json(shared),
    })
}

fn reset(shared: &Shared) -> Result<Reply, Reply> {
    let org = shared.config.org_id.clone();
    shared
        .mutate(|s| {
            *s = State::new(&org);
            Ok::<(), ()>(())
        })
        .map_err(|()| Reply::error(500, "reset failed"))?;
    Ok(Reply::empty(204))
}

/// Every contract (API Platform v2 shape), by id.
fn contracts_locked(st: &State) -> Vec<Value> {
    let mut contracts: Vec<(i64, Value)> = st
        .apps()
        .flat_map(|a| st.contracts_of(a.id))
        .map(|c| (c.id, st.contract_platform_json(c)))
        .collect();
    contracts.sort_by_key(|(id, _)| *id);
    contracts.into_iter().map(|(_, v)| v).collect()
}

fn all_contracts(shared: &Shared) -> Vec<Value> {
    contracts_locked(&lock(&shared.state))
}

// ----------------------------------------------------------------- owners

/// A user id for a path segment or body value that is a user id or a
/// username (unknown names pass through, to fail as unknown users).
fn user_id(st: &State, user: &str) -> String {
    st.users
        .iter()
        .find(|u| u.id == user || u.username == user)
        .map_or_else(|| user.to_owned(), |u| u.id.clone())
}

fn add_owner(shared: &Shared, app: &str, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["id", "username"])?;
    let given =
        match (b.get("id"), b.get("username")) {
            (Some(Value::String(s)), None) | (None, Some(Value::String(s))) if !s.is_empty() => {
                s.clone()
            }
            _ => return Err(Reply::error(
                400,
                "Give the new owner as {\"id\": \"<user id>\"} or {\"username\": \"<username>\"}.",
            )),
        };
    let id = user_id(&lock(&shared.state), &given);
    let mut req = Map::new();
    req.insert("id".into(), Value::String(id));
    shared.mutate(|s| s.add_owner(app, &req))
}

// -------------------------------------------------------------- contracts

fn contract_id(id: &str) -> Result<i64, Reply> {
    id.parse()
        .map_err(|_| Reply::error(404, format!("The contract {id} cannot be found.")))
}

fn contract_missing(id: i64) -> Reply {
    Reply::error(404, format!("The contract {id} cannot be found."))
}

fn create_contract(shared: &Shared, app: &str, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["apiId", "tierId"])?;
    let api_id = b.get("apiId").and_then(Value::as_i64).ok_or_else(|| {
        Reply::error(
            400,
            "apiId (the API instance id, a number such as 40001) is required.",
        )
    })?;
    let tier = match b.get("tierId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| Reply::error(400, "tierId must be a number (a tier id)."))?,
        ),
    };
    let mut st = lock(&shared.state);
    let inst = st
        .instances
        .iter()
        .find(|i| i.id == api_id)
        .map(|i| st.instance_json(i))
        .ok_or_else(|| Reply::error(404, format!("The API instance {api_id} cannot be found.")))?;
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
    req.insert("environmentId".into(), json!(ENVIRONMENT_ID));
    if let Some(t) = tier {
        req.insert("requestedTierId".into(), json!(t));
    }
    let r = st.create_contract(app, &req);
    if r.is_ok() {
        shared.persist(&st);
    }
    // Answer in the same shape as the other contract routes.
    let r = r?;
    let id = r.body.as_ref().and_then(|b| b["id"].as_i64());
    match id.and_then(|id| st.contract(id)) {
        Some(c) => Ok(Reply::ok(201, st.contract_platform_json(c))),
        None => Ok(r),
    }
}

fn set_contract_status(h: &EmulatorHandle, id: &str, action: &str) -> Result<Reply, Reply> {
    let status = match action {
        "approve" => "APPROVED",
        "reject" => "REJECTED",
        "revoke" => "REVOKED",
        "pending" => "PENDING",
        _ => {
            return Err(Reply::error(
                404,
                format!(
                    "No such contract action {action:?}: use approve, reject, revoke or pending."
                ),
            ))
        }
    };
    let id = contract_id(id)?;
    if !h.set_contract_status(id, status) {
        return Err(contract_missing(id));
    }
    h.contract(id)
        .map(|c| Reply::ok(200, c))
        .ok_or_else(|| contract_missing(id))
}

// ------------------------------------------------------- faults, latency

fn faults_json(shared: &Shared) -> Value {
    json!({
        "rate": shared.fault_rate(),
        "latencyMs": u64::try_from(shared.latency().as_millis()).unwrap_or(u64::MAX),
        "pendingScripted": lock(&shared.faults).len(),
    })
}

fn set_fault_rate(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["rate"])?;
    let rate = b
        .get("rate")
        .and_then(Value::as_f64)
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| {
            Reply::error(
                400,
                "rate must be a number from 0.0 (off) to 1.0 (every request).",
            )
        })?;
    shared.set_fault_rate(rate);
    Ok(Reply::ok(200, faults_json(shared)))
}

fn set_latency(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["ms"])?;
    let ms = b
        .get("ms")
        .and_then(Value::as_u64)
        .filter(|ms| *ms <= MAX_LATENCY_MS)
        .ok_or_else(|| {
            Reply::error(
                400,
                format!(
                    "ms must be a whole number of milliseconds from 0 (off) to {MAX_LATENCY_MS}."
                ),
            )
        })?;
    shared.set_latency(Duration::from_millis(ms));
    Ok(Reply::ok(200, faults_json(shared)))
}

/// A scripted fault from an admin body:
///
/// ```json
/// {"method": "POST", "pathContains": "/applications", "kind": "status",
///  "status": 503, "retryAfter": "1", "count": 2}
/// ```
///
/// `method` and `pathContains` are optional (absent: any request). `kind` is
/// `status` (the default: answer `status` with an empty body before
/// processing; optional `retryAfter` and `rateLimitReset` headers), `drop`
/// (close the connection, nothing changes), `process-then-status` (carry the
/// request out, then answer `status`), `process-then-drop` or `delay` (carry
/// it out, answer after `delayMs`). `count` (default 1) adds that many
/// copies. Returns the fault and the count.
pub(crate) fn parse_fault(b: &Map<String, Value>) -> Result<(Fault, u64), String> {
    const KEYS: &[&str] = &[
        "method",
        "pathContains",
        "kind",
        "status",
        "retryAfter",
        "rateLimitReset",
        "delayMs",
        "count",
    ];
    if let Some(k) = b.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field {k:?}; a fault takes {}",
            KEYS.join(", ")
        ));
    }
    let text = |key: &str| -> Result<Option<String>, String> {
        match b.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(format!("{key} must be a non-empty string")),
        }
    };
    let status = || -> Result<u16, String> {
        b.get("status")
            .and_then(Value::as_u64)
            .filter(|s| (100..=599).contains(s))
            .map(|s| s as u16)
            .ok_or_else(|| "status must be an HTTP status code (100 to 599)".to_owned())
    };
    let kind = match text("kind")?.as_deref().unwrap_or("status") {
        "status" => FaultKind::Status {
            status: status()?,
            retry_after: text("retryAfter")?,
            ratelimit_reset: text("rateLimitReset")?,
        },
        "drop" => FaultKind::DropBeforeProcessing,
        "process-then-status" => FaultKind::ProcessThenStatus(status()?),
        "process-then-drop" => FaultKind::ProcessThenDrop,
        "delay" => {
            let ms = b
                .get("delayMs")
                .and_then(Value::as_u64)
                .filter(|ms| *ms <= MAX_LATENCY_MS)
                .ok_or_else(|| {
                    format!("delayMs must be a whole number of milliseconds up to {MAX_LATENCY_MS}")
                })?;
            FaultKind::Delay(Duration::from_millis(ms))
        }
        other => {
            return Err(format!(
                "kind {other:?} is unknown; use status, drop, process-then-status, \
                 process-then-drop or delay"
            ))
        }
    };
    let count = match b.get("count") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=MAX_FAULT_COUNT).contains(n))
            .ok_or_else(|| format!("count must be a whole number from 1 to {MAX_FAULT_COUNT}"))?,
    };
    let fault = Fault {
        matcher: FaultMatch {
            method: text("method")?,
            path_contains: text("pathContains")?,
        },
        kind,
    };
    Ok((fault, count))
}

fn push_faults(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    let (fault, count) = parse_fault(&b).map_err(|m| Reply::error(400, m))?;
    {
        let mut q = lock(&shared.faults);
        for _ in 0..count {
            q.push(fault.clone());
        }
    }
    Ok(Reply::ok(201, faults_json(shared)))
}

// -------------------------------------------------- request log, counters

fn stamp(t: std::time::SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn record_json(r: &RequestRecord) -> Value {
    json!({
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "status": r.status,
        "time": stamp(r.time),
    })
}

fn requests(shared: &Shared, query: &str) -> Result<Reply, Reply> {
    let mut last = None;
    let mut method = None;
    let mut prefix = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "last" => {
                last = Some(v.parse::<usize>().map_err(|_| {
                    Reply::error(400, format!("last must be a whole number (got {v:?})"))
                })?)
            }
            "method" => method = Some(v.into_owned()),
            "pathPrefix" => prefix = Some(v.into_owned()),
            other => {
                return Err(Reply::error(
                    400,
                    format!("unknown query parameter {other:?}; use last, method or pathPrefix"),
                ))
            }
        }
    }
    let log = lock(&shared.log);
    let mut picked: Vec<Value> = log
        .records()
        .rev()
        .filter(|r| {
            method
                .as_deref()
                .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
                && prefix.as_deref().is_none_or(|p| r.path.starts_with(p))
        })
        .take(last.unwrap_or(usize::MAX))
        .map(record_json)
        .collect();
    picked.reverse();
    Ok(Reply::ok(
        200,
        json!({
            "limit": log.limit(),
            "total": log.total(),
            "dropped": log.dropped(),
            "requests": picked,
        }),
    ))
}

fn counters(shared: &Shared) -> Value {
    let log = lock(&shared.log);
    let routes: Map<String, Value> = log
        .routes()
        .iter()
        .map(|(label, c)| {
            let statuses: Map<String, Value> = c
                .statuses
                .iter()
                .map(|(s, n)| (s.to_string(), json!(n)))
                .collect();
            (
                (*label).to_owned(),
                json!({ "requests": c.requests, "statuses": statuses }),
            )
        })
        .collect();
    json!({
        "total": log.total(),
        "tokenRequests": shared.token_requests.load(std::sync::atomic::Ordering::SeqCst),
        "routes": routes,
    })
}

// ---------------------------------------------------------------- helpers

fn object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::error(400, "A JSON object body is required."));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Reply::error(400, "The request body must be a JSON object.")),
        Err(e) => Err(Reply::error(400, format!("Malformed JSON body: {e}"))),
    }
}

fn only_keys(b: &Map<String, Value>, allowed: &[&str]) -> Result<(), Reply> {
    match b.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Reply::error(
            400,
            format!(
                "unknown field {k:?}; this route takes {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match reply.body {
        None => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = status;
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
            resp
        }
        Some(body) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_paths() {
        assert!(is_admin_path("/_emulator"));
        assert!(is_admin_path("/_emulator/"));
        assert!(is_admin_path("/_emulator/state"));
        assert!(!is_admin_path("/_emulatorx"));
        assert!(!is_admin_path("/accounts/api/me"));
        assert!(!is_admin_path("/x/_emulator/state"));
    }

    #[test]
    fn only_loopback_peers() {
        for ok in [
            "127.0.0.1:1",
            "127.9.9.9:1",
            "[::1]:1",
            "[::ffff:127.0.0.1]:1",
        ] {
            assert!(peer_allowed(ok.parse().unwrap()), "{ok}");
        }
        for no in [
            "10.0.0.1:1",
            "192.168.1.2:1",
            "[::ffff:10.0.0.1]:1",
            "[2001:db8::1]:1",
        ] {
            assert!(!peer_allowed(no.parse().unwrap()), "{no}");
        }
    }

    fn fault(v: Value) -> Result<(Fault, u64), String> {
        parse_fault(v.as_object().unwrap())
    }

    #[test]
    fn fault_bodies() {
        let (f, n) = fault(json!({"method": "POST", "pathContains": "/applications",
            "status": 503, "retryAfter": "1", "count": 2}))
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            f,
            Fault {
                matcher: FaultMatch {
                    method: Some("POST".into()),
                    path_contains: Some("/applications".into()),
                },
                kind: FaultKind::Status {
                    status: 503,
                    retry_after: Some("1".into()),
                    ratelimit_reset: None,
                },
            }
        );
        assert_eq!(
            fault(json!({"kind": "drop"})).unwrap().0,
            Fault::any(FaultKind::DropBeforeProcessing)
        );
        assert_eq!(
            fault(json!({"kind": "process-then-status", "status": 500}))
                .unwrap()
                .0
                .kind,
            FaultKind::ProcessThenStatus(500)
        );
        assert_eq!(
            fault(json!({"kind": "delay", "delayMs": 20}))
                .unwrap()
                .0
                .kind,
            FaultKind::Delay(Duration::from_millis(20))
        );
        for (body, needle) in [
            (json!({}), "status must be"),
            (json!({"status": 42}), "status must be"),
            (json!({"kind": "boom"}), "kind \"boom\" is unknown"),
            (json!({"kind": "delay"}), "delayMs"),
            (json!({"status": 503, "count": 0}), "count must be"),
            (
                json!({"status": 503, "path": "/x"}),
                "unknown field \"path\"",
            ),
            (json!({"status": 503, "method": ""}), "method must be"),
        ] {
            let err = fault(body.clone()).expect_err(&body.to_string());
            assert!(err.contains(needle), "{body}: {err}");
        }
    }
}
