//! The Connected App's access token: fetched lazily, shared by all calls,
//! fetched by one call at a time (single flight), renewed before it expires
//! and dropped when the API answers 401. A token request that failed for
//! good (after its own retries) fails every later call of the client at
//! once: asking again would only repeat the same refused series, once per
//! resource, one after the other. With the default settings a command
//! against a platform that throttles everything therefore waits at most one
//! series: 5 retries whose waits are cut to 120 s each and 300 s together
//! (`retry::Backoff`), plus the time of six answers (docs/index.md, "Rate
//! limits").

use std::future::Future;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use crate::error::ApiError;
use secret::Secret;

/// The lifetime assumed when the token response has no usable `expires_in`.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// When to renew a token of the given lifetime, counted from the moment it
/// was requested: at 80% of the lifetime or 60 s before expiry, whichever is
/// earlier, but never before half the lifetime (so a very short-lived token
/// is still reused for a while instead of being fetched on every call).
pub fn renew_after(lifetime: Duration) -> Duration {
    let margin = (lifetime / 5).max(Duration::from_secs(60));
    lifetime.saturating_sub(margin).max(lifetime / 2)
}

/// A token in use. `Debug` hides the value.
#[derive(Clone, Debug)]
pub(crate) struct AccessToken {
    pub(crate) value: Secret,
    /// Which fetch produced it; a 401 invalidates only that generation.
    pub(crate) generation: u64,
    renew_at: Instant,
}

/// A token just received.
pub(crate) struct FreshToken {
    pub(crate) value: Secret,
    pub(crate) lifetime: Duration,
    /// When the token request was sent: the lifetime counts from here, which
    /// errs on the early side.
    pub(crate) requested_at: Instant,
}

#[derive(Default)]
struct Slot {
    current: Option<AccessToken>,
    /// The error of the fetch that failed for good: every call after it,
    /// those that waited for it included, gets this error without asking
    /// again (a wrong secret costs one token request series per client).
    failure: Option<ApiError>,
    generation: u64,
}

#[derive(Default)]
pub(crate) struct TokenCache {
    slot: tokio::sync::Mutex<Slot>,
}

impl TokenCache {
    /// The current token, fetching a new one with `fetch` if there is none or
    /// it is due for renewal. Concurrent callers wait for one fetch; once a
    /// fetch has failed (other than by cancellation), every call fails with
    /// its error at once.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<AccessToken, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FreshToken, ApiError>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(err) = &slot.failure {
            return Err(err.clone());
        }
        if let Some(token) = &slot.current {
            if Instant::now() < token.renew_at {
                return Ok(token.clone());
            }
        }
        let result = fetch().await;
        match result {
            Ok(fresh) => {
                slot.generation += 1;
                let token = AccessToken {
                    value: fresh.value,
                    generation: slot.generation,
                    renew_at: fresh.requested_at + renew_after(fresh.lifetime),
                };
                slot.current = Some(token.clone());
                tracing::debug!(
                    generation = token.generation,
                    lifetime_s = fresh.lifetime.as_secs(),
                    renew_after_s = renew_after(fresh.lifetime).as_secs_f64(),
                    "obtained an Anypoint access token"
                );
                Ok(token)
            }
            Err(e) => {
                // A stop is no failure of the platform's: a look-up allowed
                // after the stop may still ask.
                if !e.is_cancelled() {
                    tracing::debug!(error = %e, "the token request failed for good; every later call fails with it");
                    slot.failure = Some(e.clone());
                }
                Err(e)
            }
        }
    }

    /// Forget the token of `generation` (the API rejected it), unless a newer
    /// one has already replaced it.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut slot = self.slot.lock().await;
        if slot
            .current
            .as_ref()
            .is_some_and(|t| t.generation == generation)
        {
            slot.current = None;
        }
    }
}

/// The token request body.
pub(crate) fn token_request_body(client_id: &str, client_secret: &Secret) -> Vec<u8> {
    serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret.expose(),
    })
    .to_string()
    .into_bytes()
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: Option<Secret>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// Read a token response: `access_token` (required) and `expires_in`
/// (optional, seconds as a number or numeric string; default 3600). The
/// error text never quotes the body.
pub(crate) fn parse_token_response(body: &[u8]) -> Result<(Secret, Duration), String> {
    let parsed: TokenResponse =
        serde_json::from_slice(body).map_err(|e| crate::error::describe_decode_error(&e))?;
    let token = parsed
        .access_token
        .filter(|t| !t.expose().is_empty())
        .ok_or_else(|| "the token response has no access_token".to_owned())?;
    let seconds = match parsed.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let lifetime = match seconds {
        Some(s) if s.is_finite() && s >= 1.0 => Duration::from_secs_f64(s.min(1e9)),
        Some(s) if s.is_finite() && s >= 0.0 => Duration::from_secs(1),
        _ => DEFAULT_TOKEN_LIFETIME,
    };
    Ok((token, lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn renewal_times() {
        // 80% of an hour is earlier than 60 s before.
        assert_eq!(
            renew_after(Duration::from_secs(3600)),
            Duration::from_secs(2880)
        );
        // 60 s before is earlier than 80% of 5 minutes.
        assert_eq!(
            renew_after(Duration::from_secs(200)),
            Duration::from_secs(140)
        );
        // Never before half the lifetime.
        assert_eq!(
            renew_after(Duration::from_secs(100)),
            Duration::from_secs(50)
        );
        assert_eq!(
            renew_after(Duration::from_secs(1)),
            Duration::from_millis(500)
        );
        for s in [1u64, 10, 60, 61, 300, 3600, 86400] {
            let l = Duration::from_secs(s);
            assert!(renew_after(l) < l);
        }
    }

    #[test]
    fn token_responses() {
        let (t, l) = parse_token_response(
            br#"{"access_token":"abc","token_type":"bearer","expires_in":1800}"#,
        )
        .unwrap();
        assert_eq!(t.expose(), "abc");
        assert_eq!(l, Duration::from_secs(1800));
        let (_, l) = parse_token_response(br#"{"access_token":"abc"}"#).unwrap();
        assert_eq!(l, DEFAULT_TOKEN_LIFETIME);
        let (_, l) = parse_token_response(br#"{"access_token":"abc","expires_in":null}"#).unwrap();
        assert_eq!(l, DEFAULT_TOKEN_LIFETIME);
        let (_, l) = parse_token_response(br#"{"access_token":"abc","expires_in":"60"}"#).unwrap();
        assert_eq!(l, Duration::from_secs(60));
        assert!(parse_token_response(br#"{"token_type":"bearer"}"#).is_err());
        let e = parse_token_response(br#"{"access_token":12345678}"#).unwrap_err();
        assert!(!e.contains("12345678"));
        assert!(parse_token_response(b"<html>").is_err());
    }

    #[test]
    fn request_body_is_json_client_credentials() {
        let body = token_request_body("id1", &Secret::new("s3cr3t"));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["grant_type"], "client_credentials");
        assert_eq!(v["client_id"], "id1");
        assert_eq!(v["client_secret"], "s3cr3t");
    }

    #[tokio::test]
    async fn one_fetch_for_many_waiters_and_invalidation_by_generation() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let cache = cache.clone();
            let fetches = fetches.clone();
            tasks.spawn(async move {
                cache
                    .get(|| async move {
                        let n = fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(FreshToken {
                            value: Secret::new(format!("t{n}")),
                            lifetime: Duration::from_secs(3600),
                            requested_at: Instant::now(),
                        })
                    })
                    .await
                    .unwrap()
                    .generation
            });
        }
        while let Some(r) = tasks.join_next().await {
            assert_eq!(r.unwrap(), 1);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        // Invalidating an old generation does nothing; the current one forces a fetch.
        cache.invalidate(0).await;
        let t = cache
            .get(|| async { Err(ApiError::Config("unexpected fetch".into())) })
            .await
            .unwrap();
        assert_eq!(t.generation, 1);
        cache.invalidate(1).await;
        let t = cache
            .get(|| async {
                Ok(FreshToken {
                    value: Secret::new("new"),
                    lifetime: Duration::from_secs(3600),
                    requested_at: Instant::now(),
                })
            })
            .await
            .unwrap();
        assert_eq!(t.generation, 2);
        assert_eq!(t.value.expose(), "new");
    }

    #[tokio::test]
    async fn a_failed_fetch_fails_its_waiters_and_every_later_call_at_once() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let cache = cache.clone();
            let fetches = fetches.clone();
            tasks.spawn(async move {
                cache
                    .get(|| async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Err::<FreshToken, _>(ApiError::Config("rejected".into()))
                    })
                    .await
            });
        }
        while let Some(r) = tasks.join_next().await {
            assert!(r.unwrap().is_err());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // A call after the failure gets it without fetching.
        let r = cache
            .get(|| async {
                fetches.fetch_add(1, Ordering::SeqCst);
                Ok(FreshToken {
                    value: Secret::new("ok"),
                    lifetime: Duration::from_secs(3600),
                    requested_at: Instant::now(),
                })
            })
            .await;
        assert!(
            matches!(r, Err(ApiError::Config(ref m)) if m == "rejected"),
            "{r:?}"
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_cancelled_fetch_is_no_failure() {
        let cache = TokenCache::default();
        let r = cache
            .get(|| async { Err(ApiError::cancelled("POST", "/token")) })
            .await;
        assert!(r.unwrap_err().is_cancelled());
        let r = cache
            .get(|| async {
                Ok(FreshToken {
                    value: Secret::new("ok"),
                    lifetime: Duration::from_secs(3600),
                    requested_at: Instant::now(),
                })
            })
            .await;
        assert_eq!(r.unwrap().value.expose(), "ok");
    }
}
