//! The HTTP side: one entry handler doing faults, latency, the request log,
//! routing, authentication and the organization check, then the state
//! operation, then persistence.
//!
//! `route_table` maps a method and path to an operation (and its counter
//! label); `ops` authenticates and runs the operation on the state.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::conn::ConnMeta;
use crate::faults::FaultKind;
use crate::http::{empty_response, reply_response, status_code};
use crate::shared::Shared;
use crate::state::Reply;
use crate::TOKEN_PATH;

mod api_groups;
mod ops;

const MAX_BODY: usize = 1 << 20;

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
    if shared.config.admin && crate::admin::is_admin_path(&path) {
        let body = axum::body::to_bytes(body, MAX_BODY).await;
        return crate::admin::serve(&shared, conn.remote, &method, &path, query.as_deref(), body);
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
