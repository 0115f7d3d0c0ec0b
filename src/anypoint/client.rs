//! The client: one HTTP client per process, the token, the organization, and
//! the request engine (attempts, 401 renewal, retries, cancellation).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::auth::{self, AccessToken, FreshToken, TokenCache};
use super::config::ClientConfig;
use super::error::{describe_body, describe_decode_error, truncate, ApiError, ErrorInfo};
use super::models::org_from_me;
use super::retry::{next_wait, server_hint, Backoff, RetryState};
use crate::secret::{register_secret, Secret};

/// Connect timeout for every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Build the process's HTTP client: rustls, keep-alive pool, 10 s connect
/// timeout, no redirects (an API call never needs one, and following one
/// could send the bearer token or the secret somewhere else), no proxy from
/// the environment. Timeout and user agent are set per request, so one
/// client can serve any number of [`AnypointClient`]s.
pub fn build_http_client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_keepalive(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ApiError::Config(format!("could not build the HTTP client: {e}")))
}

/// `terraform-provider-anypoint/<version> terraform/<core version>`.
pub fn user_agent(terraform_version: &str) -> String {
    let tf: String = terraform_version
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect();
    let tf = if tf.is_empty() {
        "unknown".to_owned()
    } else {
        tf
    };
    format!(
        "terraform-provider-anypoint/{} terraform/{tf}",
        env!("CARGO_PKG_VERSION")
    )
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    client_id: String,
    client_secret: Secret,
    org_id: Option<String>,
    discovered_org: OnceCell<String>,
    tokens: TokenCache,
    max_retries: u32,
    backoff: Backoff,
    timeout: Duration,
    user_agent: HeaderValue,
    cancel: CancellationToken,
}

/// The Anypoint API client. Cheap to clone (an `Arc` inside): clones share
/// the HTTP client, the token and the discovered organization.
/// Constructing it does no I/O: the token is fetched at the first call.
#[derive(Clone)]
pub struct AnypointClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for AnypointClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnypointClient")
            .field("base_url", &self.inner.base.as_str())
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &self.inner.client_secret)
            .field("org_id", &self.inner.org_id)
            .field("max_retries", &self.inner.max_retries)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
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
}

impl Failure {
    fn fatal(error: ApiError) -> Self {
        Failure {
            error,
            class: Class::Final,
            hint: None,
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
        }
    }

    fn with_attempts(mut self, attempts: u32) -> Self {
        if let Some(info) = self.error.info_mut() {
            info.attempts = attempts;
        }
        self
    }
}

/// One API request, ready to send (and to send again).
#[derive(Clone, Debug)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    url: Url,
    /// Path and query, for logs and errors.
    pub(crate) path: String,
    body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// Attach a JSON body.
    pub(crate) fn json<T: Serialize>(mut self, body: &T) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ApiError::Config(format!(
                "could not encode the body of {} {}: {e}",
                self.method, self.path
            ))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A successful response.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_blank(&self) -> bool {
        self.body.iter().all(|b| b.is_ascii_whitespace())
    }
}

impl AnypointClient {
    /// Build a client with its own HTTP client. No I/O.
    pub fn new(
        config: ClientConfig,
        terraform_version: &str,
        cancel: CancellationToken,
    ) -> Result<Self, ApiError> {
        Self::with_http_client(config, terraform_version, cancel, build_http_client()?)
    }

    /// Build a client on an existing HTTP client (see [`build_http_client`]),
    /// to share one connection pool per process. No I/O.
    pub fn with_http_client(
        config: ClientConfig,
        terraform_version: &str,
        cancel: CancellationToken,
        http: reqwest::Client,
    ) -> Result<Self, ApiError> {
        let user_agent = HeaderValue::from_str(&user_agent(terraform_version))
            .map_err(|_| ApiError::Config("invalid user agent".to_owned()))?;
        Ok(AnypointClient {
            inner: Arc::new(Inner {
                http,
                base: config.base_url,
                client_id: config.client_id,
                client_secret: config.client_secret,
                org_id: config.org_id,
                discovered_org: OnceCell::new(),
                tokens: TokenCache::default(),
                max_retries: config.max_retries,
                backoff: config.backoff,
                timeout: config.timeout,
                user_agent,
                cancel,
            }),
        })
    }

    /// The shared HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The token that abandons every wait and request of this client.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        self.inner.user_agent.to_str().unwrap_or_default()
    }

    /// The organization: `org_id` from the settings, else discovered once
    /// from `GET /accounts/api/me` (`client.org_id`, then
    /// `user.organization.id`). Concurrent first calls make one request.
    pub async fn org_id(&self) -> Result<String, ApiError> {
        if let Some(org) = &self.inner.org_id {
            return Ok(org.clone());
        }
        if let Some(org) = self.inner.discovered_org.get() {
            return Ok(org.clone());
        }
        let req = self.request(Method::GET, &["accounts", "api", "me"], &[]);
        let discover = self.inner.discovered_org.get_or_try_init(|| async {
            let reply = self.call(&req).await?;
            let body: serde_json::Value = self.decode(&req, &reply)?;
            let org = org_from_me(&body).ok_or_else(|| {
                ApiError::Decode(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    "the answer has neither client.org_id nor user.organization.id: set the \
                     provider attribute `org_id` (or ANYPOINT_ORG_ID)"
                        .to_owned(),
                ))
            })?;
            tracing::debug!(org_id = %org, "discovered the Anypoint organization");
            Ok::<_, ApiError>(org)
        });
        self.cancellable(&req, discover)
            .await
            .map_err(|f| f.error)?
            .cloned()
    }

    // -----------------------------------------------------------------------
    // Request building

    /// A request to `base/segments…?query` (segments are percent-encoded).
    pub(crate) fn request(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> ApiRequest {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            path.extend(segments);
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        ApiRequest {
            method,
            url,
            path,
            body: None,
        }
    }

    // -----------------------------------------------------------------------
    // The engine

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

    /// Run `fut` unless the provider stops first.
    async fn cancellable<F: Future>(&self, req: &ApiRequest, fut: F) -> Result<F::Output, Failure> {
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
            if self.inner.cancel.is_cancelled() {
                return Err(Failure::cancelled(req));
            }
            let token = token_source().await?;
            let attempt = state.retries + 1;
            tracing::trace!(method = %req.method, path = %req.path, attempt, "sending Anypoint request");
            let failure = match self.attempt(req, token.as_ref()).await {
                Ok(reply) if reply.status.is_success() => {
                    tracing::debug!(
                        method = %req.method,
                        path = %req.path,
                        status = reply.status.as_u16(),
                        attempt,
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
                error = %failure.error,
                "Anypoint request failed"
            );
            let retry = match failure.class {
                Class::Refused => replay != Replay::Never,
                Class::Ambiguous { retryable } => retryable && replay == Replay::Always,
                Class::Final => false,
            };
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
        self.cancellable(req, tokio::time::sleep(wait)).await?;
        state.retries += 1;
        state.waited += wait;
        if failure.is_ambiguous() {
            state.saw_ambiguous = true;
        }
        Ok(())
    }

    /// One exchange: send, read the whole body; races the cancellation token.
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
        self.cancellable(req, exchange).await?
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
        Failure {
            error: ApiError::from_status(status, info),
            class,
            hint,
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
        let mut message = parts.join(": ");
        if timed_out && !refused {
            message = format!(
                "no complete answer within {}s ({message})",
                self.inner.timeout.as_secs_f64()
            );
        }
        let mut info = ErrorInfo::new(
            req.method.as_str(),
            &req.path,
            None,
            truncate(&message, 300),
        );
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
        }
    }

    // -----------------------------------------------------------------------
    // The token

    pub(crate) async fn access_token(&self, req: &ApiRequest) -> Result<AccessToken, Failure> {
        self.cancellable(req, self.inner.tokens.get(|| self.fetch_token()))
            .await?
            .map_err(Failure::fatal)
    }

    /// `POST /accounts/api/v2/oauth2/token`. Retried like a GET (asking for
    /// a token twice is harmless). Neither the body sent nor the body
    /// received is ever logged, and the token is registered with the log
    /// scrubber as soon as it is read.
    async fn fetch_token(&self) -> Result<FreshToken, ApiError> {
        let mut req = self.request(Method::POST, auth::TOKEN_PATH, &[]);
        req.body = Some(auth::token_request_body(
            &self.inner.client_id,
            &self.inner.client_secret,
        ));
        let requested_at = tokio::time::Instant::now();
        let mut state = RetryState::default();
        let reply = match self
            .send_unauthenticated(&req, Replay::Always, &mut state)
            .await
        {
            Ok(reply) => reply,
            Err(f) => {
                return Err(match f.error {
                    ApiError::Unauthorized(mut info)
                    | ApiError::BadRequest(mut info)
                    | ApiError::Forbidden(mut info) => {
                        info.message = format!(
                            "the token request was rejected: check client_id and client_secret \
                             (the Connected App must use the client_credentials grant): {}",
                            info.message
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

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> AnypointClient {
        let cfg = ClientConfig::new(base, "id", Secret::new("secret-value")).unwrap();
        AnypointClient::new(cfg, "1.9.0", CancellationToken::new()).unwrap()
    }

    #[test]
    fn user_agent_format() {
        assert_eq!(
            user_agent("1.9.0"),
            format!(
                "terraform-provider-anypoint/{} terraform/1.9.0",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(user_agent("").ends_with("terraform/unknown"));
        assert!(user_agent("1.2\n3").ends_with("terraform/1.23"));
    }

    #[test]
    fn urls_are_built_from_segments() {
        let c = client("https://anypoint.mulesoft.com");
        let r = c.request(
            Method::GET,
            &[
                "apiplatform",
                "repository",
                "v2",
                "organizations",
                "o 1",
                "applications",
            ],
            &[("query", "a&b".to_owned()), ("offset", "0".to_owned())],
        );
        assert_eq!(
            r.url.as_str(),
            "https://anypoint.mulesoft.com/apiplatform/repository/v2/organizations/o%201/applications?query=a%26b&offset=0"
        );
        assert_eq!(
            r.path,
            "/apiplatform/repository/v2/organizations/o%201/applications?query=a%26b&offset=0"
        );
        let c = client("http://127.0.0.1:8080/prefix/");
        let r = c.request(Method::GET, &["accounts", "api", "me"], &[]);
        assert_eq!(
            r.url.as_str(),
            "http://127.0.0.1:8080/prefix/accounts/api/me"
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = client("https://anypoint.mulesoft.com");
        let d = format!("{c:?}");
        assert!(!d.contains("secret-value"), "{d}");
        assert!(d.contains("anypoint.mulesoft.com"));
    }
}
