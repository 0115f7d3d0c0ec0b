//! Retry timing: exponential back-off with full jitter, server wait hints
//! (`Retry-After`, `X-RateLimit-Reset`), and the per-call retry budget.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Back-off timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first back-off ceiling; it doubles on every retry.
    pub base_delay: Duration,
    /// The largest back-off ceiling (before jitter).
    pub max_delay: Duration,
    /// The longest single wait, also for a server's hint: a longer
    /// `Retry-After` is cut to this (the next attempt may still be refused,
    /// and then the budget decides).
    pub max_single_wait: Duration,
    /// The most time one call may spend waiting between its attempts; a retry
    /// whose wait would pass this is not made.
    pub max_total_wait: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_single_wait: Duration::from_secs(120),
            max_total_wait: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// Full jitter: a uniformly random wait in `[0, min(max_delay,
    /// base_delay * 2^retry)]`, where `retry` counts from 0.
    pub fn jittered(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        if ceiling.is_zero() {
            return Duration::ZERO;
        }
        let nanos = ceiling.as_nanos().min(u64::MAX as u128) as u64;
        Duration::from_nanos(rand::random_range(0..=nanos))
    }

    /// The wait for a server hint: the hint (cut to `max_single_wait`) plus
    /// up to 10% (at most 1 s) of jitter so that many clients told the same
    /// instant do not all come back at once. Never shorter than the hint.
    pub fn hinted(&self, hint: Duration) -> Duration {
        let hint = hint.min(self.max_single_wait);
        let spread = (hint / 10).min(Duration::from_secs(1));
        let extra = if spread.is_zero() {
            Duration::ZERO
        } else {
            Duration::from_nanos(rand::random_range(0..=spread.as_nanos() as u64))
        };
        hint + extra
    }
}

/// What one logical call has used of its retry budget.
#[derive(Clone, Debug, Default)]
pub struct RetryState {
    /// Retries made so far (attempts = retries + 1).
    pub retries: u32,
    /// Time spent waiting between attempts.
    pub waited: Duration,
    /// Some earlier attempt ended ambiguously (it may have been applied).
    pub saw_ambiguous: bool,
    /// The access token was already renewed after a 401 (once per call).
    pub token_renewed: bool,
    /// Attempts that got no complete answer within the request timeout; the
    /// second ends the call.
    pub timeouts: u32,
}

/// The wait before the next retry, or `None` when the budget is spent (no
/// retries left, or the wait would pass the total-wait cap).
pub fn next_wait(
    backoff: &Backoff,
    max_retries: u32,
    state: &RetryState,
    hint: Option<Duration>,
) -> Option<Duration> {
    if state.retries >= max_retries {
        return None;
    }
    let wait = match hint {
        Some(h) => backoff.hinted(h),
        None => backoff.jittered(state.retries).min(backoff.max_single_wait),
    };
    if state.waited + wait > backoff.max_total_wait {
        return None;
    }
    Some(wait)
}

/// Values of `X-RateLimit-Reset` at or above this are epoch seconds
/// (this is 2001-09-09); smaller values are seconds to wait.
pub const EPOCH_SECONDS_THRESHOLD: u64 = 1_000_000_000;
/// Values at or above this are epoch milliseconds.
pub const EPOCH_MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// `Retry-After`: delay seconds, or an HTTP date (e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`). A date in the past means "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs.min(1e9)));
        }
        return None;
    }
    let at = crate::clock::http_date_secs(value)?;
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(at).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `X-RateLimit-Reset`. Our reading (the docs say "epoch seconds", other
/// services send "seconds until reset"): a value of at least
/// `EPOCH_MILLIS_THRESHOLD` is epoch milliseconds, of at least
/// `EPOCH_SECONDS_THRESHOLD` epoch seconds, anything smaller is a number of
/// seconds to wait. A reset in the past means "now".
pub fn parse_rate_limit_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let n: u64 = value.trim().parse().ok()?;
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    if n >= EPOCH_MILLIS_THRESHOLD {
        Some(Duration::from_millis(n).saturating_sub(since_epoch))
    } else if n >= EPOCH_SECONDS_THRESHOLD {
        Some(Duration::from_secs(n).saturating_sub(since_epoch))
    } else {
        Some(Duration::from_secs(n))
    }
}

/// The server's wait hint from a response: `Retry-After` first, then
/// `X-RateLimit-Reset`.
pub fn server_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("retry-after")
        .and_then(|v| parse_retry_after(v, now))
        .or_else(|| header("x-ratelimit-reset").and_then(|v| parse_rate_limit_reset(v, now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = at(784_111_770); // 1994-11-06 08:49:30 UTC
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        // In the past: no wait.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn rate_limit_reset_readings() {
        let now = at(1_700_000_000);
        // Small: seconds to wait.
        assert_eq!(
            parse_rate_limit_reset("30", now),
            Some(Duration::from_secs(30))
        );
        // Epoch seconds.
        assert_eq!(
            parse_rate_limit_reset("1700000045", now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            parse_rate_limit_reset("1699999000", now),
            Some(Duration::ZERO)
        );
        // Epoch milliseconds.
        assert_eq!(
            parse_rate_limit_reset("1700000002500", now),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(parse_rate_limit_reset("x", now), None);
    }

    #[test]
    fn retry_after_wins_over_rate_limit_reset() {
        let now = at(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", "1700000010".parse().unwrap());
        assert_eq!(server_hint(&h, now), Some(Duration::from_secs(10)));
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(server_hint(&h, now), Some(Duration::from_secs(3)));
        assert_eq!(server_hint(&HeaderMap::new(), now), None);
    }

    #[test]
    fn full_jitter_stays_under_the_ceiling() {
        let b = Backoff {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..Backoff::default()
        };
        for retry in 0..40 {
            let ceiling = (Duration::from_millis(100) * 2u32.pow(retry.min(20))).min(b.max_delay);
            for _ in 0..20 {
                assert!(b.jittered(retry) <= ceiling, "retry {retry}");
            }
        }
    }

    #[test]
    fn hinted_waits_are_at_least_the_hint_and_capped() {
        let b = Backoff::default();
        for _ in 0..50 {
            let w = b.hinted(Duration::from_secs(2));
            assert!(w >= Duration::from_secs(2));
            assert!(w <= Duration::from_millis(2200));
        }
        let w = b.hinted(Duration::from_secs(3600));
        assert!(w <= b.max_single_wait + Duration::from_secs(1));
        assert!(w >= b.max_single_wait);
    }

    #[test]
    fn budget_bounds_attempts_and_total_wait() {
        let b = Backoff {
            max_total_wait: Duration::from_secs(10),
            ..Backoff::default()
        };
        let mut s = RetryState::default();
        assert!(next_wait(&b, 0, &s, None).is_none());
        assert!(next_wait(&b, 3, &s, None).is_some());
        s.retries = 3;
        assert!(next_wait(&b, 3, &s, None).is_none());
        s.retries = 0;
        // A hint that would pass the total cap ends the retries.
        assert!(next_wait(&b, 3, &s, Some(Duration::from_secs(11))).is_none());
        s.waited = Duration::from_secs(9);
        assert!(next_wait(&b, 3, &s, Some(Duration::from_secs(2))).is_none());
        assert!(next_wait(&b, 3, &s, Some(Duration::from_millis(500))).is_some());
    }
}
