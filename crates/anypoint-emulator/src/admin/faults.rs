//! Fault injection and latency: the fault rate, scripted faults and the
//! added latency, and the parser for a scripted fault body.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::body::{object, only_keys};
use crate::faults::{Fault, FaultKind, FaultMatch};
use crate::rate_limit::MAX_RATE_LIMIT;
use crate::shared::Shared;
use crate::state::Reply;
use crate::sync::lock;

/// Longest latency the admin route accepts (10 minutes).
const MAX_LATENCY_MS: u64 = 600_000;
/// Most copies of one scripted fault a single request may add.
const MAX_FAULT_COUNT: u64 = 1_000;

pub(super) fn faults_json(shared: &Shared) -> Value {
    json!({
        "rate": shared.fault_rate(),
        "latencyMs": u64::try_from(shared.latency().as_millis()).unwrap_or(u64::MAX),
        "pendingScripted": lock(&shared.faults).len(),
        "rateLimitPerSecond": shared.rate_limit.per_second(),
    })
}

pub(super) fn set_rate_limit(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["perSecond"])?;
    let n = b
        .get("perSecond")
        .and_then(Value::as_u64)
        .filter(|n| *n <= u64::from(MAX_RATE_LIMIT))
        .ok_or_else(|| {
            Reply::error(
                400,
                format!(
                    "perSecond must be a whole number of requests a second from 0 (off) to \
                     {MAX_RATE_LIMIT}."
                ),
            )
        })?;
    shared.rate_limit.set(n as u32);
    Ok(Reply::ok(200, json!({ "perSecond": n })))
}

pub(super) fn set_fault_rate(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
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

pub(super) fn set_latency(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
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

pub(super) fn push_faults(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
