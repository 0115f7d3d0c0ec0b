//! The request log and the counters, as JSON.

use serde_json::{json, Map, Value};

use crate::log::RequestRecord;
use crate::shared::Shared;
use crate::state::Reply;
use crate::sync::lock;

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

pub(super) fn requests(shared: &Shared, query: &str) -> Result<Reply, Reply> {
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

pub(super) fn counters(shared: &Shared) -> Value {
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
        "connections": log.connections(),
        "tokenRequests": shared.token_requests.load(std::sync::atomic::Ordering::SeqCst),
        "rateLimited": shared.rate_limit.refused(),
        "routes": routes,
    })
}
