//! The request engine: attempts, the access token (fetched, shared and
//! renewed: `auth.rs`), retries, the client's rate limits (`throttle.rs`),
//! cancellation, and the classification of every failure (`failure.rs`).
//!
//! The retry rule: a failure the platform refused (429, 503, connect
//! errors) is retried, an ambiguous one (502, 504, timeouts, dropped
//! connections) only when the request may be replayed ([`Replay`]; the
//! create-once loop, `create_once.rs`, retries its creates itself), with
//! exponential back-off and full jitter, honouring `Retry-After` and
//! `X-RateLimit-Reset` (`retry.rs`), bounded by `max_retries` and the
//! total-wait cap. A 401 renews the token and sends again, once per call
//! (not counted as a retry).
//!
//! The stop rule: every wait and every read races the client's cancellation
//! token, and a stop gives [`ApiError::Cancelled`] at once. A request that
//! changes something, once sent, runs to its answer or its timeout; a
//! look-up of what it did still runs once ([`after_stop`]); nothing is
//! retried after a stop.
//!
//! The timeout rule: a request that times out is retried once at most, and
//! after two requests in a row have timed out with no answer in between the
//! engine sends nothing more: an unresponsive platform fails within about
//! twice the request timeout.
//!
//! No body is ever logged, and no log line holds a secret or a token.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::auth::{self, AccessToken, FreshToken, TokenCache};
use crate::clock::PlatformClock;
use crate::config::ClientConfig;
use crate::error::{describe_decode_error, ApiError, ErrorInfo};
use crate::failure::{Class, Failure, Platform};
use crate::paths::TOKEN_PATH;
use crate::request::{user_agent, ApiRequest, Reply};
use crate::retry::{next_wait, Backoff, RetryState};
use crate::throttle::{self, RateLimits};
use secret::{register_secret, Secret};

tokio::task_local! {
    /// Set while a future runs under [`after_stop`].
    static AFTER_STOP: ();
}

/// Whether the current task runs under [`after_stop`].
fn after_stop_allowed() -> bool {
    AFTER_STOP.try_with(|_| ()).is_ok()
}

/// Run `fut` (a look-up of what a mutating request did) so that a stop of
/// the provider does not abandon it: each of its requests is still sent
/// once and runs to its answer or its timeout, but nothing is retried or
/// waited for after the stop. Without a stop it runs as usual.
pub(crate) async fn after_stop<F: Future>(fut: F) -> F::Output {
    AFTER_STOP.scope((), fut).await
}

/// Whether a request may be sent again after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Idempotent (GET, PUT, DELETE, setting PATCH): retry any transient failure.
    Always,
    /// Creates something: retry only failures where the server cannot have
    /// acted (connect errors, 429, 503); ambiguous failures go back to the
    /// caller, which checks what happened before trying again.
    IfRefused,
    /// One attempt (plus the 401 renewal): every failure goes back to the
    /// caller, which decides (the create-once loop, `create_once.rs`).
    Never,
}

/// A call gives up after this many of its attempts timed out, and the engine
/// gives up on the platform once this many requests in a row timed out with
/// no answer of any kind in between: with the request timeout T, an
/// unresponsive platform fails a command within about 2 × T.
const MAX_TIMEOUTS: u32 = 2;

/// Everything that sends: the HTTP client, where to, as whom, the token,
/// the retry budget, the rate limits, the stop, and the platform's clock.
pub(crate) struct Engine {
    http: reqwest::Client,
    base: Url,
    /// The host, the setting that chose it, the request timeout.
    platform: Platform,
    client_id: String,
    client_secret: Secret,
    tokens: TokenCache,
    max_retries: u32,
    backoff: Backoff,
    user_agent: HeaderValue,
    cancel: CancellationToken,
    /// Requests that timed out since the platform last answered anything.
    silent: AtomicU32,
    limits: RateLimits,
    clock: PlatformClock,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.base.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.platform.timeout)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine on `http` (see [`crate::build_http_client`]). No I/O.
    pub(crate) fn new(
        config: ClientConfig,
        terraform_version: &str,
        cancel: CancellationToken,
        http: reqwest::Client,
    ) -> Result<Self, ApiError> {
        let user_agent = HeaderValue::from_str(&user_agent(terraform_version))
            .map_err(|_| ApiError::Config("invalid user agent".to_owned()))?;
        if let Some(rate) = config.max_requests_per_second {
            if !throttle::valid_rate(rate) {
                return Err(ApiError::Config(format!(
                    "max_requests_per_second must be a number from {} to {}, got {rate}",
                    throttle::MIN_REQUESTS_PER_SECOND,
                    throttle::MAX_REQUESTS_PER_SECOND
                )));
            }
        }
        let base = config.base_url;
        let host = base.host_str().unwrap_or("the platform");
        let host = match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Engine {
            http,
            platform: Platform {
                host,
                setting: config.platform,
                timeout: config.timeout,
            },
            base,
            client_id: config.client_id,
            client_secret: config.client_secret,
            tokens: TokenCache::default(),
            max_retries: config.max_retries,
            backoff: config.backoff,
            user_agent,
            cancel,
            silent: AtomicU32::new(0),
            limits: RateLimits::new(config.max_requests_per_second),
            clock: PlatformClock::default(),
        })
    }

    pub(crate) fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn base_url(&self) -> &Url {
        &self.base
    }

    pub(crate) fn cancellation_token(&self) -> &CancellationToken {
        &self.cancel
    }

    pub(crate) fn user_agent(&self) -> &str {
        self.user_agent.to_str().unwrap_or_default()
    }

    /// Whether the provider was asked to stop.
    pub(crate) fn is_stopping(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The platform's time of its latest answer (`clock.rs`).
    pub(crate) fn platform_now(&self) -> Option<i64> {
        self.clock.now()
    }

    /// A request to `base/segments…?query`.
    pub(crate) fn request(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> ApiRequest {
        ApiRequest::new(&self.base, method, segments, query)
    }

    /// Send with `Replay::Always` and a fresh retry budget.
    pub(crate) async fn call(&self, req: &ApiRequest) -> Result<Reply, ApiError> {
        let mut state = RetryState::default();
        self.send(req, Replay::Always, &mut state)
            .await
            .map_err(|f| f.error)
    }

    /// Send and decode the JSON answer.
    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        req: &ApiRequest,
    ) -> Result<T, ApiError> {
        let reply = self.call(req).await?;
        self.decode(req, &reply)
    }

    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        reply: &Reply,
    ) -> Result<T, ApiError> {
        serde_json::from_slice(&reply.body).map_err(|e| {
            ApiError::Decode(ErrorInfo::new(
                req.method.as_str(),
                &req.path,
                Some(reply.status.as_u16()),
                describe_decode_error(&e),
            ))
        })
    }

    /// Run `fut` unless the provider stops first (inside [`after_stop`]:
    /// run it to its end).
    pub(crate) async fn cancellable<F: Future>(
        &self,
        req: &ApiRequest,
        fut: F,
    ) -> Result<F::Output, Failure> {
        if after_stop_allowed() {
            return Ok(fut.await);
        }
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Failure::cancelled(req)),
            out = fut => Ok(out),
        }
    }

    /// Send `req` with the access token until it succeeds, fails for good,
    /// or may not be replayed. A 401 renews the token and retries once (not
    /// counted as a retry).
    pub(crate) async fn send(
        &self,
        req: &ApiRequest,
        replay: Replay,
        state: &mut RetryState,
    ) -> Result<Reply, Failure> {
        self.send_with(req, replay, state, || async {
            self.access_token(req).await.map(Some)
        })
        .await
    }

    /// `send` without a token (for the token request itself). Separate so
    /// that the token fetch does not contain `send`'s own future type.
    async fn send_unauthenticated(
        &self,
        req: &ApiRequest,
        replay: Replay,
        state: &mut RetryState,
    ) -> Result<Reply, Failure> {
        self.send_with(req, replay, state, || async { Ok(None) })
            .await
    }

    async fn send_with<T, TF>(
        &self,
        req: &ApiRequest,
        replay: Replay,
        state: &mut RetryState,
        token_source: T,
    ) -> Result<Reply, Failure>
    where
        T: Fn() -> TF,
        TF: Future<Output = Result<Option<AccessToken>, Failure>>,
    {
        loop {
            // After a stop nothing new is sent, except the first attempt of a
            // look-up under `after_stop`.
            if self.is_stopping() && !(after_stop_allowed() && state.retries == 0) {
                return Err(Failure::cancelled(req));
            }
            if self.silent.load(Ordering::Relaxed) >= MAX_TIMEOUTS {
                return Err(Failure::unresponsive(
                    req,
                    self.silent.load(Ordering::Relaxed),
                    &self.platform,
                )
                .with_attempts(state.retries + 1));
            }
            let token = token_source().await?;
            // Every attempt passes the client's rate-limit hold and send bucket
            // (`throttle.rs`); after a stop, a look-up's first attempt
            // goes at once.
            match self.limits.admit(&self.backoff, &self.cancel).await {
                Ok(held) => state.waited += held,
                Err(_) if after_stop_allowed() && state.retries == 0 => {}
                Err(_) => return Err(Failure::cancelled(req)),
            }
            let attempt = state.retries + 1;
            tracing::trace!(method = %req.method, path = %req.path, attempt, "sending Anypoint request");
            let started = Instant::now();
            let outcome = self.attempt(req, token.as_ref()).await;
            let duration_ms = started.elapsed().as_millis() as u64;
            let request_id = match &outcome {
                Ok(reply) => request_id(&reply.headers).unwrap_or("-").to_owned(),
                Err(_) => "-".to_owned(),
            };
            let request_id = request_id.as_str();
            let failure = match outcome {
                Ok(reply) if reply.status.is_success() => {
                    tracing::debug!(
                        method = %req.method,
                        path = %req.path,
                        status = reply.status.as_u16(),
                        attempt,
                        duration_ms,
                        request_id,
                        "Anypoint request succeeded"
                    );
                    return Ok(reply);
                }
                Ok(reply) if reply.status == StatusCode::UNAUTHORIZED && !state.token_renewed => {
                    match &token {
                        Some(t) => {
                            tracing::debug!(
                                method = %req.method,
                                path = %req.path,
                                duration_ms,
                                request_id,
                                "Anypoint answered 401: renewing the access token and retrying once"
                            );
                            state.token_renewed = true;
                            self.cancellable(req, self.tokens.invalidate(t.generation))
                                .await?;
                            continue;
                        }
                        None => self.status_failure(req, &reply, None),
                    }
                }
                Ok(reply) => self.status_failure(req, &reply, token.as_ref()),
                Err(f) => f,
            };
            if failure.error.is_cancelled() {
                return Err(failure);
            }
            tracing::debug!(
                method = %req.method,
                path = %req.path,
                status = failure.error.status(),
                kind = failure.error.kind(),
                attempt,
                duration_ms,
                request_id,
                error = %failure.error,
                "Anypoint request failed"
            );
            let mut retry = match failure.class {
                Class::Refused => replay != Replay::Never,
                Class::Ambiguous { retryable } => retryable && replay == Replay::Always,
                Class::Final => false,
            };
            if failure.timed_out {
                state.timeouts += 1;
                if state.timeouts >= MAX_TIMEOUTS
                    || self.silent.load(Ordering::Relaxed) >= MAX_TIMEOUTS
                {
                    retry = false;
                }
            }
            if !retry {
                return Err(failure.with_attempts(attempt));
            }
            self.pause(req, state, failure).await?;
        }
    }

    /// Wait before the next retry of `req`, or give `failure` back when the
    /// budget is spent; a stop during the wait gives `Cancelled` at once.
    pub(crate) async fn pause(
        &self,
        req: &ApiRequest,
        state: &mut RetryState,
        failure: Failure,
    ) -> Result<(), Failure> {
        let attempt = state.retries + 1;
        if self.is_stopping() {
            // No retry and no back-off after a stop.
            return Err(Failure::cancelled(req));
        }
        let Some(wait) = next_wait(&self.backoff, self.max_retries, state, failure.hint) else {
            tracing::debug!(
                method = %req.method,
                path = %req.path,
                attempt,
                waited_ms = state.waited.as_millis() as u64,
                "giving up on the Anypoint request"
            );
            return Err(failure.with_attempts(attempt));
        };
        tracing::debug!(
            method = %req.method,
            path = %req.path,
            attempt,
            wait_ms = wait.as_millis() as u64,
            server_hint = failure.hint.is_some(),
            "retrying the Anypoint request after a back-off"
        );
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return Err(Failure::cancelled(req)),
            _ = tokio::time::sleep(wait) => {}
        }
        state.retries += 1;
        state.waited += wait;
        if failure.is_ambiguous() {
            state.saw_ambiguous = true;
        }
        Ok(())
    }

    /// One exchange: send, read the whole body. A read races the
    /// cancellation token; a request that changes something, once sent, runs
    /// to its answer or its timeout (abandoning it would leave what it did
    /// unknown to Terraform).
    async fn attempt(
        &self,
        req: &ApiRequest,
        token: Option<&AccessToken>,
    ) -> Result<Reply, Failure> {
        let mut builder = self
            .http
            .request(req.method.clone(), req.url.clone())
            .timeout(self.platform.timeout)
            .header(USER_AGENT, self.user_agent.clone())
            .header(ACCEPT, "application/json");
        if let Some(t) = token {
            // reqwest marks this header sensitive.
            builder = builder.bearer_auth(t.value.expose());
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let exchange = async {
            let response = builder
                .send()
                .await
                .map_err(|e| Failure::from_transport(req, e, &self.platform))?;
            let status = response.status();
            let headers = response.headers().clone();
            self.clock.note(&headers);
            let body = response
                .bytes()
                .await
                .map_err(|e| Failure::from_transport(req, e, &self.platform))?;
            Ok(Reply {
                status,
                headers,
                body: body.to_vec(),
            })
        };
        let outcome: Result<Reply, Failure> = if req.finish_on_stop {
            exchange.await
        } else {
            self.cancellable(req, exchange).await?
        };
        match &outcome {
            Ok(_) => self.silent.store(0, Ordering::Relaxed),
            Err(f) if f.timed_out => {
                self.silent.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {}
        }
        outcome
    }

    /// The secrets an error body must not show.
    fn secrets<'a>(&'a self, token: Option<&'a AccessToken>) -> Vec<&'a str> {
        let mut s = vec![self.client_secret.expose()];
        if let Some(t) = token {
            s.push(t.value.expose());
        }
        s
    }

    /// Classify an error status; a rate limit holds every request.
    fn status_failure(
        &self,
        req: &ApiRequest,
        reply: &Reply,
        token: Option<&AccessToken>,
    ) -> Failure {
        let failure = Failure::from_status(req, reply, &self.secrets(token));
        if let Some(wait) = failure.rate_limit_wait() {
            // A rate limit: hold every request to this host, not only this one.
            let wait = wait.min(self.backoff.max_single_wait);
            tracing::debug!(status = reply.status.as_u16(), wait_ms = wait.as_millis() as u64,
                host = %self.platform.host, "rate limited: holding every request to the host");
            self.limits.hold_for(wait);
        }
        failure
    }

    // -----------------------------------------------------------------------
    // The token

    pub(crate) async fn access_token(&self, req: &ApiRequest) -> Result<AccessToken, Failure> {
        self.cancellable(req, self.tokens.get(|| self.fetch_token()))
            .await?
            .map_err(Failure::fatal)
    }

    /// `POST /accounts/api/v2/oauth2/token`. Retried like a GET (asking for
    /// a token twice is harmless). Neither the body sent nor the body
    /// received is ever logged, and the token is registered with the log
    /// scrubber as soon as it is read.
    async fn fetch_token(&self) -> Result<FreshToken, ApiError> {
        let mut req = self.request(Method::POST, TOKEN_PATH, &[]);
        // Asking for a token changes nothing: a stop abandons it at once.
        req.finish_on_stop = false;
        req.body = Some(auth::token_request_body(
            &self.client_id,
            &self.client_secret,
        ));
        let requested_at = tokio::time::Instant::now();
        let mut state = RetryState::default();
        let reply = match self
            .send_unauthenticated(&req, Replay::Always, &mut state)
            .await
        {
            Ok(reply) => reply,
            Err(mut f) => {
                // Asking for a token twice is harmless: its failure is never
                // "may have been applied".
                if let Some(info) = f.error.info_mut() {
                    info.outcome_unknown = false;
                }
                return Err(match f.error {
                    ApiError::Unauthorized(mut info)
                    | ApiError::BadRequest(mut info)
                    | ApiError::Forbidden(mut info) => {
                        info.message = format!(
                            "sent to {} ({}): check client_id and client_secret, that the \
                             Connected App uses the client_credentials grant, and that it was \
                             made on this control plane (a Connected App exists on one control \
                             plane only: control_plane or base_url picks it): {}",
                            self.platform.host, self.platform.setting, info.message
                        );
                        ApiError::Unauthorized(info)
                    }
                    other => other,
                });
            }
        };
        let (value, lifetime) = auth::parse_token_response(&reply.body).map_err(|message| {
            ApiError::Decode(ErrorInfo::new(
                req.method.as_str(),
                &req.path,
                Some(reply.status.as_u16()),
                message,
            ))
        })?;
        register_secret(value.expose());
        Ok(FreshToken {
            value,
            lifetime,
            requested_at,
        })
    }
}

/// The platform's id of an answer, for the debug log: the first request id
/// header present (which one Anypoint sends is not documented).
fn request_id(headers: &reqwest::header::HeaderMap) -> Option<&str> {
    ["x-request-id", "x-correlation-id", "x-anypnt-trx-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .filter(|v| !v.is_empty())
}
