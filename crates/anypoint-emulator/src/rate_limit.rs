//! The emulator's rate limit (`--rate-limit N`): at most N API requests in
//! each 1-second window, windows aligned to whole seconds of the system
//! clock (a fixed window, so up to 2N may arrive within one second that
//! straddles a boundary). A request beyond N is answered 429 before any
//! processing; while the limit is on, every answer carries
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
//! (epoch seconds of the window's end), and a 429 also `Retry-After`
//! (whole seconds, at least 1). Admin routes are never limited; token
//! requests count like any other.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::json;

use crate::state::Reply;
use crate::sync::lock;

/// The most requests a second the limit may be set to.
pub(crate) const MAX_RATE_LIMIT: u32 = 1_000_000;

#[derive(Default)]
pub(crate) struct RateLimiter {
    /// Requests allowed per window; 0 = off.
    per_second: AtomicU32,
    /// The current window (epoch second) and the requests it let through.
    window: Mutex<(u64, u32)>,
    /// Requests refused since start or the last log reset.
    refused: AtomicU64,
}

/// What the limiter decided for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Epoch seconds of the window's end.
    pub reset: u64,
    /// Whole seconds until the window ends, at least 1.
    pub retry_after: u64,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> RateLimiter {
        let limiter = RateLimiter::default();
        limiter.set(per_second);
        limiter
    }

    /// Set the limit (0 = off); the current window starts afresh.
    pub fn set(&self, per_second: u32) {
        let mut window = lock(&self.window);
        self.per_second
            .store(per_second.min(MAX_RATE_LIMIT), Ordering::SeqCst);
        *window = (0, 0);
    }

    pub fn per_second(&self) -> u32 {
        self.per_second.load(Ordering::SeqCst)
    }

    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    pub fn reset_counter(&self) {
        self.refused.store(0, Ordering::SeqCst);
    }

    /// Count one request arriving at `now`; `None` while the limit is off.
    pub fn check(&self, now: SystemTime) -> Option<Verdict> {
        let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let second = since.as_secs();
        let mut window = lock(&self.window);
        let limit = self.per_second();
        if limit == 0 {
            return None;
        }
        if window.0 != second {
            *window = (second, 0);
        }
        let allowed = window.1 < limit;
        if allowed {
            window.1 += 1;
        } else {
            self.refused.fetch_add(1, Ordering::SeqCst);
        }
        let reset = second + 1;
        let left = reset as f64 - since.as_secs_f64();
        Some(Verdict {
            allowed,
            limit,
            remaining: limit - window.1,
            reset,
            retry_after: (left.ceil() as u64).max(1),
        })
    }
}

impl Verdict {
    /// Add the rate-limit headers (a header the answer already has, such as
    /// a scripted fault's `X-RateLimit-Reset`, is kept).
    pub fn stamp(&self, headers: &mut HeaderMap) {
        let values = [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", self.reset.to_string()),
        ];
        for (name, value) in values {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.entry(name).or_insert(v);
            }
        }
    }

    /// The 429 for a refused request.
    pub fn refusal(&self) -> Response {
        let mut resp = crate::http::reply_response(Reply::ok(
            429,
            json!({
                "message": format!(
                    "Too many requests: the limit is {} a second. Retry after {} s.",
                    self.limit, self.retry_after
                )
            }),
        ));
        if let Ok(v) = HeaderValue::from_str(&self.retry_after.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        self.stamp(resp.headers_mut());
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn a_fixed_window_per_whole_second() {
        let l = RateLimiter::new(3);
        let base = 1_700_000_000_000;
        let v: Vec<Verdict> = (0..5)
            .map(|i| l.check(at(base + 100 * i)).unwrap())
            .collect();
        let allowed: Vec<bool> = v.iter().map(|v| v.allowed).collect();
        assert_eq!(allowed, [true, true, true, false, false]);
        let remaining: Vec<u32> = v.iter().map(|v| v.remaining).collect();
        assert_eq!(remaining, [2, 1, 0, 0, 0]);
        assert!(v.iter().all(|v| v.reset == 1_700_000_001 && v.limit == 3));
        assert!(v.iter().all(|v| v.retry_after == 1));
        assert_eq!(l.refused(), 2);
        // The next whole second opens a new window.
        let next = l.check(at(base + 1000)).unwrap();
        assert!(next.allowed);
        assert_eq!((next.remaining, next.reset), (2, 1_700_000_002));
        // Off: no verdict, nothing counted.
        l.set(0);
        assert_eq!(l.check(at(base + 1001)), None);
        l.reset_counter();
        assert_eq!(l.refused(), 0);
    }

    #[test]
    fn a_refusal_is_a_429_with_the_headers() {
        let l = RateLimiter::new(1);
        let now = at(1_700_000_000_250);
        assert!(l.check(now).unwrap().allowed);
        let v = l.check(now).unwrap();
        let resp = v.refusal();
        assert_eq!(resp.status().as_u16(), 429);
        let h = resp.headers();
        assert_eq!(h["retry-after"], "1");
        assert_eq!(h["x-ratelimit-limit"], "1");
        assert_eq!(h["x-ratelimit-remaining"], "0");
        assert_eq!(h["x-ratelimit-reset"], "1700000001");
        assert_eq!(h["content-type"], "application/json");
    }
}
