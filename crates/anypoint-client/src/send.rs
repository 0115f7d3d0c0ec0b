//! The request engine of [`AnypointClient`]: attempts, the 401 renewal,
//! retries with back-off, cancellation, and the classification of every
//! failure (refused, ambiguous, final).

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::auth::AccessToken;
use super::client::{AnypointClient, ApiRequest, Reply};
use super::error::{describe_body, describe_decode_error, truncate, ApiError, ErrorInfo};
use super::retry::{next_wait, server_hint, RetryState};

tokio::task_local! {
    /// Set while a future runs under [`AnypointClient::after_stop`].
    static AFTER_STOP: ();
}

/// Whether the current task runs under [`AnypointClient::after_stop`].
fn after_stop_allowed() -> bool {
    AFTER_STOP.try_with(|_| ()).is_ok()
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
    /// caller, which decides (the create-once helper, `super::create_once`).
    Never,
}

/// How a failed attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// The server did not act on the request (connect error, 429, 503).
    Refused,
    /// The server may have acted (timeout or drop after sending, 500/502/504).
    /// `retryable` is false for 500, which is not a transient status.
    Ambiguous { retryable: bool },
    /// A definite answer (4xx, decode, cancel): never retried.
    Final,
}

pub(crate) struct Failure {
    pub(crate) error: ApiError,
    pub(crate) class: Class,
    hint: Option<Duration>,
    /// No complete answer within the request timeout (connect included).
    timed_out: bool,
}

impl Failure {
    pub(super) fn fatal(error: ApiError) -> Self {
        Failure {
            error,
            class: Class::Final,
            hint: None,
            timed_out: false,
        }
    }

    fn cancelled(req: &ApiRequest) -> Self {
        Failure::fatal(ApiError::cancelled(req.method.as_str(), &req.path))
    }

    pub(crate) fn is_refused(&self) -> bool {
        matches!(self.class, Class::Refused)
    }

    pub(crate) fn is_ambiguous(&self) -> bool {
        matches!(self.class, Class::Ambiguous { .. })
    }

    pub(crate) fn is_retryable(&self) -> bool {
        matches!(
            self.class,
            Class::Refused | Class::Ambiguous { retryable: true }
        )
    }

    /// A failure of the given class without a server wait hint.
    #[cfg(test)]
    pub(crate) fn new(error: ApiError, class: Class) -> Self {
        Failure {
            error,
            class,
            hint: None,
            timed_out: false,
        }
    }

    fn with_attempts(mut self, attempts: u32) -> Self {
        if let Some(info) = self.error.info_mut() {
            info.attempts = attempts;
        }
        self
    }
}

impl AnypointClient {
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

    /// Run `fut` (a look-up of what a mutating request did) so that a stop of
    /// the provider does not abandon it: each of its requests is still sent
    /// once and runs to its answer or its timeout, but nothing is retried or
    /// waited for after the stop. Without a stop it runs as usual.
    pub async fn after_stop<F: Future>(&self, fut: F) -> F::Output {
        AFTER_STOP.scope((), fut).await
    }

    /// Whether the provider was asked to stop.
    pub fn is_stopping(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }

    /// Run `fut` unless the provider stops first (inside
    /// [`Self::after_stop`]: run it to its end).
    pub(super) async fn cancellable<F: Future>(
        &self,
        req: &ApiRequest,
        fut: F,
    ) -> Result<F::Output, Failure> {
        if after_stop_allowed() {
            return Ok(fut.await);
        }
        tokio::select! {
            biased;
            _ = self.inner.cancel.cancelled() => Err(Failure::cancelled(req)),
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
    pub(super) async fn send_unauthenticated(
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
            if self.inner.silent.load(Ordering::Relaxed) >= MAX_TIMEOUTS {
                return Err(self.unresponsive(req).with_attempts(state.retries + 1));
            }
            let token = token_source().await?;
            // Every attempt passes the host's shared rate-limit hold and send
            // bucket (`throttle.rs`); after a stop, a look-up's first attempt
            // goes at once.
            match self
                .inner
                .limits
                .admit(&self.inner.backoff, &self.inner.cancel)
                .await
            {
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
                            self.cancellable(req, self.inner.tokens.invalidate(t.generation))
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
                    || self.inner.silent.load(Ordering::Relaxed) >= MAX_TIMEOUTS
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
        let Some(wait) = next_wait(
            &self.inner.backoff,
            self.inner.max_retries,
            state,
            failure.hint,
        ) else {
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
            _ = self.inner.cancel.cancelled() => return Err(Failure::cancelled(req)),
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
            .inner
            .http
            .request(req.method.clone(), req.url.clone())
            .timeout(self.inner.timeout)
            .header(USER_AGENT, self.inner.user_agent.clone())
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
                .map_err(|e| self.transport_failure(req, e))?;
            let status = response.status();
            let headers = response.headers().clone();
            self.note_platform_date(&headers);
            let body = response
                .bytes()
                .await
                .map_err(|e| self.transport_failure(req, e))?;
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
            Ok(_) => self.inner.silent.store(0, Ordering::Relaxed),
            Err(f) if f.timed_out => {
                self.inner.silent.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {}
        }
        outcome
    }

    fn secrets<'a>(&'a self, token: Option<&'a AccessToken>) -> Vec<&'a str> {
        let mut s = vec![self.inner.client_secret.expose()];
        if let Some(t) = token {
            s.push(t.value.expose());
        }
        s
    }

    /// Classify an error status.
    fn status_failure(
        &self,
        req: &ApiRequest,
        reply: &Reply,
        token: Option<&AccessToken>,
    ) -> Failure {
        let status = reply.status.as_u16();
        let message = describe_body(&reply.body, &self.secrets(token));
        let mut info = ErrorInfo::new(req.method.as_str(), &req.path, Some(status), message);
        // 429 and 503 mean the server refused the request (the Anypoint rate
        // limiter answers 503 with an empty body). 502/504 come from a
        // gateway after the request may have reached the service. A 500 may
        // also have been applied, but it is not transient: not retried.
        let class = match status {
            429 | 503 => Class::Refused,
            502 | 504 => Class::Ambiguous { retryable: true },
            500..=599 => Class::Ambiguous { retryable: false },
            _ => Class::Final,
        };
        info.outcome_unknown = matches!(class, Class::Ambiguous { .. });
        let hint = match class {
            Class::Final => None,
            _ => server_hint(&reply.headers, SystemTime::now()),
        };
        if let (429 | 503, Some(wait)) = (status, hint) {
            // A rate limit: hold every request to this host, not only this one.
            let wait = wait.min(self.inner.backoff.max_single_wait);
            tracing::debug!(status, wait_ms = wait.as_millis() as u64, host = %self.host(),
                "rate limited: holding every request to the host");
            self.inner.limits.hold_for(wait);
        }
        Failure {
            error: ApiError::from_status(status, info),
            class,
            hint,
            timed_out: false,
        }
    }

    /// Classify a transport error. A connect error means the request never
    /// left; anything else (timeout, reset, dropped mid-response) may have
    /// reached the server.
    fn transport_failure(&self, req: &ApiRequest, e: reqwest::Error) -> Failure {
        let refused = e.is_connect();
        let final_error = e.is_builder();
        let timed_out = e.is_timeout();
        let e = e.without_url();
        let mut parts: Vec<String> = Vec::new();
        let mut current: Option<&dyn std::error::Error> = Some(&e);
        while let Some(err) = current {
            let text = err.to_string();
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            current = err.source();
        }
        let mut message = truncate(&parts.join(": "), 300);
        let host = self.host();
        let platform = &self.inner.platform;
        if timed_out {
            let what = if refused {
                format!("could not connect to {host} ({platform})")
            } else {
                format!("no complete answer from {host}")
            };
            message = format!(
                "{what} within {} ({message}); {}",
                self.timeout_text(refused),
                TIMEOUT_ADVICE
            );
        } else if refused {
            message = format!(
                "could not connect to {host} ({platform}): {message}; check that the host is \
                 right and reachable from here"
            );
        } else if !final_error {
            message = format!("the exchange with {host} broke off: {message}");
        }
        let mut info = ErrorInfo::new(req.method.as_str(), &req.path, None, message);
        let class = if final_error {
            Class::Final
        } else if refused {
            Class::Refused
        } else {
            Class::Ambiguous { retryable: true }
        };
        info.outcome_unknown = matches!(class, Class::Ambiguous { .. });
        Failure {
            error: ApiError::Transport(info),
            class,
            hint: None,
            timed_out,
        }
    }

    /// The platform's host (and port, when the URL has one), for messages.
    pub(super) fn host(&self) -> String {
        let base = &self.inner.base;
        let host = base.host_str().unwrap_or("the platform");
        match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The timeout that ran out: the request timeout, or the connect timeout.
    fn timeout_text(&self, connect: bool) -> String {
        if connect {
            format!(
                "the connect timeout of {} s",
                super::client::CONNECT_TIMEOUT.as_secs_f64()
            )
        } else {
            format!(
                "the request timeout of {} s",
                self.inner.timeout.as_secs_f64()
            )
        }
    }

    /// The error for a request not sent because the platform has let the
    /// last requests time out without answering anything in between.
    fn unresponsive(&self, req: &ApiRequest) -> Failure {
        let silent = self.inner.silent.load(Ordering::Relaxed);
        let info = ErrorInfo::new(
            req.method.as_str(),
            &req.path,
            None,
            format!(
                "not sent: {} has not answered the last {silent} requests within the request \
                 timeout of {} s, so the provider gives up on it for this run; {}",
                self.host(),
                self.inner.timeout.as_secs_f64(),
                TIMEOUT_ADVICE
            ),
        );
        Failure {
            error: ApiError::Transport(info),
            class: Class::Final,
            hint: None,
            timed_out: false,
        }
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

/// How to change the request timeout, for timeout messages.
const TIMEOUT_ADVICE: &str = "the provider attribute `timeout_seconds` (or \
     ANYPOINT_TIMEOUT_SECONDS) sets the request timeout";

/// A call gives up after this many of its attempts timed out, and the client
/// gives up on the platform once this many requests in a row timed out with
/// no answer of any kind in between: with the request timeout T, an
/// unresponsive platform fails a command within about 2 × T.
const MAX_TIMEOUTS: u32 = 2;
