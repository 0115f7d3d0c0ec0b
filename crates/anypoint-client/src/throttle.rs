//! The rate limits of the client's requests: the hold a rate limit puts on
//! the platform's host, and the send bucket of `max_requests_per_second`.
//!
//! Each [`AnypointClient`](crate::AnypointClient) holds its own
//! [`RateLimits`], shared by all its calls: Terraform runs each provider
//! configuration (alias or not) in a process of its own, so one client is
//! all that talks to the platform from a process. Before each attempt
//! (retries and token requests included) the request engine (`send.rs`)
//! calls [`RateLimits::admit`]:
//!
//! - **Hold.** A 429, or a 503 with a wait hint, whose `Retry-After` or
//!   `X-RateLimit-Reset` names a wait holds every request of the client
//!   until the hinted instant (cut to the client's longest single wait), not
//!   only the one that got the answer. Each waiting request adds its own
//!   small jitter ([`Backoff::hinted`]) so they do not all come back at once.
//!   A later hint only extends the hold, never shortens it.
//! - **Bucket.** With a rate set, requests leave one at a time, at least
//!   [`HEADROOM`]` / rate` seconds apart (a token bucket holding a single
//!   token, refilled 5% slower than the rate): any 1-second window then
//!   holds at most `rate` sends, and the platform sees no more than `rate`
//!   in any of its 1-second windows even when the network delays some
//!   requests up to 50 ms more than the ones after them. A larger burst
//!   would let nearly twice the rate through within one second (a full
//!   bucket at the start of the second, then its refill). Waiters are served
//!   in arrival order.
//!
//! Both waits end at once when the client's cancellation token fires.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::retry::Backoff;

/// The lowest and highest `max_requests_per_second` the client accepts.
pub const MIN_REQUESTS_PER_SECOND: f64 = 0.1;
pub const MAX_REQUESTS_PER_SECOND: f64 = 1000.0;

/// The bucket spaces sends `HEADROOM / rate` apart: 5% slower than the
/// rate, so that `rate + 1` sends span 1.05 s and the jitter of their
/// arrival (up to 50 ms) cannot put them into one of the platform's
/// 1-second windows.
pub const HEADROOM: f64 = 1.05;

/// How many times one request re-checks the hold after a bucket wait (a new
/// hint may arrive meanwhile) before it is sent anyway.
const MAX_ROUNDS: u32 = 8;
/// How many times one hold wait is extended by later hints before the
/// request stops waiting for this round.
const MAX_EXTENSIONS: u32 = 16;

/// A wait that ended because the client was asked to stop.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Stopped;

/// The limits of one client's requests.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    /// No request is sent before this instant.
    hold: Mutex<Option<Instant>>,
    /// The least time between two sends; `None` = no rate limit.
    spacing: Option<Duration>,
    /// When the last request left through the bucket. Held by the one
    /// request waiting for its turn; tokio's mutex queues the others in
    /// arrival order.
    last_send: tokio::sync::Mutex<Option<Instant>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `rate` is an accepted `max_requests_per_second`.
pub fn valid_rate(rate: f64) -> bool {
    (MIN_REQUESTS_PER_SECOND..=MAX_REQUESTS_PER_SECOND).contains(&rate)
}

impl RateLimits {
    /// At most `rate` requests a second (`None`: no pacing); a rate must pass
    /// [`valid_rate`].
    pub(crate) fn new(rate: Option<f64>) -> Self {
        RateLimits {
            spacing: rate.map(|rate| Duration::from_secs_f64(HEADROOM / rate)),
            ..RateLimits::default()
        }
    }

    /// Hold every request for `wait` from now, unless a hold already runs
    /// longer.
    pub(crate) fn hold_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut hold = lock(&self.hold);
        if hold.is_none_or(|h| until > h) {
            *hold = Some(until);
        }
    }

    /// The end of the hold, while one runs.
    pub(crate) fn held_until(&self) -> Option<Instant> {
        let hold = *lock(&self.hold);
        hold.filter(|h| *h > Instant::now())
    }

    /// Wait until a request may be sent: past the hold (plus jitter), then
    /// its turn in the bucket. Returns the time spent waiting for the hold
    /// (it counts against the call's total-wait budget; the bucket's pacing
    /// does not). A stop ends the wait at once with [`Stopped`].
    pub(crate) async fn admit(
        &self,
        backoff: &Backoff,
        cancel: &CancellationToken,
    ) -> Result<Duration, Stopped> {
        let mut held = Duration::ZERO;
        for _ in 0..MAX_ROUNDS {
            held += self.wait_for_hold(backoff, cancel).await?;
            self.take_turn(cancel).await?;
            if self.held_until().is_none() {
                break;
            }
        }
        Ok(held)
    }

    async fn wait_for_hold(
        &self,
        backoff: &Backoff,
        cancel: &CancellationToken,
    ) -> Result<Duration, Stopped> {
        let mut waited = Duration::ZERO;
        for _ in 0..MAX_EXTENSIONS {
            let Some(until) = self.held_until() else {
                break;
            };
            let wait = backoff.hinted(until.saturating_duration_since(Instant::now()));
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "waiting for the platform's rate-limit hold before sending"
            );
            sleep_or_stop(wait, cancel).await?;
            waited += wait;
        }
        Ok(waited)
    }

    /// The bucket: wait for this request's turn, at least `spacing` after
    /// the previous send.
    async fn take_turn(&self, cancel: &CancellationToken) -> Result<(), Stopped> {
        if cancel.is_cancelled() {
            return Err(Stopped);
        }
        let Some(spacing) = self.spacing else {
            return Ok(());
        };
        let mut last = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(Stopped),
            guard = self.last_send.lock() => guard,
        };
        if let Some(prev) = *last {
            let at = prev + spacing;
            let now = Instant::now();
            if at > now {
                sleep_or_stop(at - now, cancel).await?;
            }
        }
        *last = Some(Instant::now());
        Ok(())
    }
}

async fn sleep_or_stop(wait: Duration, cancel: &CancellationToken) -> Result<(), Stopped> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(Stopped),
        _ = tokio::time::sleep(wait) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The production back-off (its hint jitter: up to 10%, at most 1 s).
    fn quick() -> Backoff {
        Backoff::default()
    }

    #[tokio::test(start_paused = true)]
    async fn fifty_sends_at_twenty_a_second_take_over_two_and_a_half_seconds() {
        let limits = RateLimits::new(Some(20.0));
        let cancel = CancellationToken::new();
        let started = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..50 {
            limits.admit(&quick(), &cancel).await.unwrap();
            sent.push(Instant::now());
        }
        // The first leaves at once, each of the 49 others 52.5 ms (50 ms
        // and the headroom) after the one before.
        assert!(
            started.elapsed() >= Duration::from_millis(2572),
            "{:?}",
            started.elapsed()
        );
        // No 1-second window holds more than 20 sends.
        for (i, t) in sent.iter().enumerate() {
            let within = sent[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < Duration::from_secs(1))
                .count();
            assert!(within <= 20, "{within} sends within 1 s of send {i}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_senders_share_the_bucket() {
        let limits = Arc::new(RateLimits::new(Some(10.0)));
        let cancel = CancellationToken::new();
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (limits, cancel) = (limits.clone(), cancel.clone());
            tasks.spawn(async move {
                limits.admit(&Backoff::default(), &cancel).await.unwrap();
                Instant::now()
            });
        }
        let mut sent = Vec::new();
        while let Some(t) = tasks.join_next().await {
            sent.push(t.unwrap());
        }
        sent.sort();
        for pair in sent.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(105), "{pair:?}");
        }
        assert!(started.elapsed() >= Duration::from_millis(1995));
    }

    #[test]
    fn sends_are_spaced_five_percent_under_the_rate() {
        assert_eq!(RateLimits::new(None).spacing, None);
        assert_eq!(
            RateLimits::new(Some(4.2)).spacing,
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            RateLimits::new(Some(2.1)).spacing,
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn rates_outside_the_range_are_refused() {
        for ok in [0.1, 0.5, 1.0, 20.0, 1000.0] {
            assert!(valid_rate(ok), "{ok}");
        }
        for bad in [0.0, -1.0, 0.09, 1000.5, f64::NAN, f64::INFINITY] {
            assert!(!valid_rate(bad), "{bad}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_is_waited_and_later_hints_only_extend_it() {
        let limits = RateLimits::default();
        let cancel = CancellationToken::new();
        let started = Instant::now();
        limits.hold_for(Duration::from_secs(3));
        // A shorter hint does not shorten the hold.
        limits.hold_for(Duration::from_secs(1));
        let until = limits.held_until().unwrap();
        assert_eq!(until - started, Duration::from_secs(3));
        let held = limits.admit(&quick(), &cancel).await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(3));
        // Plus the hint's jitter: at most 10%.
        assert!(started.elapsed() <= Duration::from_millis(3300));
        assert!(held >= Duration::from_secs(3));
        assert!(limits.held_until().is_none());
        // Without a hold nothing waits.
        let again = Instant::now();
        assert_eq!(limits.admit(&quick(), &cancel).await, Ok(Duration::ZERO));
        assert_eq!(again.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hint_during_the_wait_extends_it() {
        let limits = Arc::new(RateLimits::default());
        let cancel = CancellationToken::new();
        let started = Instant::now();
        limits.hold_for(Duration::from_secs(1));
        let waiter = tokio::spawn({
            let (limits, cancel) = (limits.clone(), cancel.clone());
            async move {
                limits.admit(&Backoff::default(), &cancel).await.unwrap();
                Instant::now()
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        limits.hold_for(Duration::from_secs(4));
        let sent = waiter.await.unwrap();
        assert!(sent - started >= Duration::from_millis(4500), "{sent:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_both_waits_at_once() {
        let limits = Arc::new(RateLimits::new(Some(0.1)));
        let cancel = CancellationToken::new();
        // The first send takes the bucket's turn; the next would wait 10.5 s.
        limits.admit(&quick(), &cancel).await.unwrap();
        let started = Instant::now();
        let bucket_wait = tokio::spawn({
            let (limits, cancel) = (limits.clone(), cancel.clone());
            async move {
                (
                    limits.admit(&Backoff::default(), &cancel).await,
                    Instant::now(),
                )
            }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        cancel.cancel();
        let (r, ended) = bucket_wait.await.unwrap();
        assert_eq!(r, Err(Stopped));
        assert_eq!(ended - started, Duration::from_secs(1));

        let limits = RateLimits::default();
        let cancel = CancellationToken::new();
        limits.hold_for(Duration::from_secs(60));
        let started = Instant::now();
        let stop = async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            cancel.cancel();
        };
        let backoff = quick();
        let (r, ()) = tokio::join!(limits.admit(&backoff, &cancel), stop);
        assert_eq!(r, Err(Stopped));
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        // Once stopped, nothing waits: the answer comes at once.
        assert_eq!(limits.admit(&quick(), &cancel).await, Err(Stopped));
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }
}
