//! The client: one HTTP client per process, the token, the organization, and
//! request building. The request engine (attempts, 401 renewal, retries,
//! cancellation) is in `send.rs`.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU32};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::auth::{self, AccessToken, FreshToken, TokenCache};
use super::config::ClientConfig;
use super::error::{ApiError, ErrorInfo};
use super::listing::Listing;
use super::models::{orgs_from_me, MeOrganizations, OrganizationNode};
use super::retry::{Backoff, RetryState};
#[cfg(test)]
pub(crate) use super::send::Class;
pub(crate) use super::send::{Failure, Replay};
use super::shared_reads::SharedReads;
use super::throttle::{self, HostLimits};
use super::users::ConnectedAppIdentity;
use secret::{register_secret, Secret};

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

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) base: Url,
    /// Which setting chose `base`, for messages ([`ClientConfig::platform`]).
    pub(super) platform: String,
    pub(super) client_id: String,
    pub(super) client_secret: Secret,
    pub(super) org_id: Option<String>,
    /// The answer of `GET /accounts/api/me`, read once per process: the
    /// organization discovery and the Connected App's identity share it.
    pub(super) me: OnceCell<Me>,
    /// The root organization, discovered once (`org_id` unset).
    pub(super) root_org: OnceCell<String>,
    pub(super) tokens: TokenCache,
    pub(super) max_retries: u32,
    pub(super) backoff: Backoff,
    pub(super) timeout: Duration,
    pub(super) user_agent: HeaderValue,
    pub(super) cancel: CancellationToken,
    /// Requests that timed out since the platform last answered anything.
    pub(super) silent: AtomicU32,
    /// Each organization's application list, as far as it was read
    /// (`listing.rs`).
    pub(super) listings: Mutex<HashMap<String, Arc<Listing>>>,
    /// Reads shared by the resources of the process (`shared_reads.rs`).
    pub(super) reads: SharedReads,
    /// The platform's `Date` of its latest answer, epoch seconds
    /// (`clock.rs`).
    pub(super) platform_date: AtomicI64,
    /// The rate-limit hold and send bucket of the platform's host, shared
    /// with every other client of the process that talks to it.
    pub(super) limits: Arc<HostLimits>,
}

/// How far [`AnypointClient::org_id`] climbs a business group's parents.
const MAX_ORGANIZATION_DEPTH: usize = 8;

/// What `GET /accounts/api/me` told.
pub(super) struct Me {
    identity: ConnectedAppIdentity,
    orgs: MeOrganizations,
    status: u16,
}

/// The Anypoint API client. Cheap to clone (an `Arc` inside): clones share
/// the HTTP client, the token and the discovered organization.
/// Constructing it does no I/O: the token is fetched at the first call.
#[derive(Clone)]
pub struct AnypointClient {
    pub(super) inner: Arc<Inner>,
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

/// One API request, ready to send (and to send again).
#[derive(Clone, Debug)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(super) url: Url,
    /// Path and query, for logs and errors.
    pub(crate) path: String,
    pub(super) body: Option<Vec<u8>>,
    /// Once sent, the exchange runs to its answer (or its timeout) even when
    /// the provider is asked to stop: true for every request that changes
    /// something (all but GET and HEAD, and the token request).
    pub(super) finish_on_stop: bool,
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
    pub(super) headers: HeaderMap,
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
        let limits = throttle::host_limits(&config.base_url);
        if let Some(rate) = config.max_requests_per_second {
            if !throttle::valid_rate(rate) {
                return Err(ApiError::Config(format!(
                    "max_requests_per_second must be a number from {} to {}, got {rate}",
                    throttle::MIN_REQUESTS_PER_SECOND,
                    throttle::MAX_REQUESTS_PER_SECOND
                )));
            }
            limits.limit_rate(rate);
        }
        Ok(AnypointClient {
            inner: Arc::new(Inner {
                http,
                base: config.base_url,
                platform: config.platform,
                client_id: config.client_id,
                client_secret: config.client_secret,
                org_id: config.org_id,
                me: OnceCell::new(),
                root_org: OnceCell::new(),
                tokens: TokenCache::default(),
                max_retries: config.max_retries,
                backoff: config.backoff,
                timeout: config.timeout,
                user_agent,
                cancel,
                silent: AtomicU32::new(0),
                listings: Mutex::new(HashMap::new()),
                reads: SharedReads::default(),
                platform_date: AtomicI64::new(super::clock::NO_DATE),
                limits,
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

    /// The root organization, where client applications, their owners and
    /// contracts live: `org_id` from the settings, else discovered once
    /// from `GET /accounts/api/me`. The root of the user the Connected App
    /// acts for (`user.organization.id`) comes first; `client.org_id` names
    /// where the Connected App resides, which may be a business group, so
    /// alone it is climbed to its root through
    /// `GET /accounts/api/organizations/{id}`. A debug line says which.
    /// Concurrent first calls share one discovery.
    pub async fn org_id(&self) -> Result<String, ApiError> {
        if let Some(org) = &self.inner.org_id {
            return Ok(org.clone());
        }
        self.inner
            .root_org
            .get_or_try_init(|| self.discover_root_org())
            .await
            .cloned()
    }

    async fn discover_root_org(&self) -> Result<String, ApiError> {
        let me = self.me().await?;
        let orgs = &me.orgs;
        match (&orgs.user_root, &orgs.connected_app) {
            (Some(root), Some(app)) if !app.eq_ignore_ascii_case(root) => {
                tracing::debug!(
                    org_id = %root,
                    connected_app_org = %app,
                    "the Connected App resides in another organization (a business group); \
                     client applications live in the root organization of its user \
                     (user.organization.id)"
                );
                Ok(root.clone())
            }
            (Some(root), _) => {
                tracing::debug!(org_id = %root, "the root organization, from user.organization.id");
                Ok(root.clone())
            }
            (None, Some(app)) => self.climb_to_root(app).await,
            (None, None) => Err(ApiError::Decode(ErrorInfo::new(
                "GET",
                &self
                    .request(Method::GET, &["accounts", "api", "me"], &[])
                    .path,
                Some(me.status),
                "the answer has neither user.organization.id nor client.org_id: set the \
                 provider attribute `org_id` (or ANYPOINT_ORG_ID) to the root organization"
                    .to_owned(),
            ))),
        }
    }

    /// The root above `org` (at most [`MAX_ORGANIZATION_DEPTH`] levels up),
    /// following `parentOrganizationId` (else the first of
    /// `parentOrganizationIds`) until an organization is the master. If an
    /// organization cannot be read, the last one reached is used, and a
    /// debug line says so (a 403 on the platform then names it).
    async fn climb_to_root(&self, org: &str) -> Result<String, ApiError> {
        let mut at = org.to_owned();
        for _ in 0..MAX_ORGANIZATION_DEPTH {
            let req = self.request(Method::GET, &["accounts", "api", "organizations", &at], &[]);
            let node: OrganizationNode = match self.call_json(&req).await {
                Ok(node) => node,
                Err(e) if e.is_cancelled() => return Err(e),
                Err(e) => {
                    tracing::debug!(org_id = %at, kind = e.kind(), "cannot tell whether organization {at} is a root; using it");
                    return Ok(at);
                }
            };
            let parent = node
                .parent_organization_id
                .clone()
                .filter(|p| !p.is_empty())
                .or_else(|| node.parent_organization_ids.first().cloned());
            match (node.is_master, parent) {
                (Some(false), Some(parent)) => at = parent,
                _ => break,
            }
        }
        tracing::debug!(org_id = %at, connected_app_org = %org, "the root organization, from client.org_id and the organization tree");
        Ok(at)
    }

    /// `GET /accounts/api/me`: the Connected App's user and organization
    /// (the same answer [`Self::org_id`] discovers the organization from).
    pub async fn connected_app_identity(&self) -> Result<ConnectedAppIdentity, ApiError> {
        Ok(self.me().await?.identity.clone())
    }

    /// The `/me` answer, fetched once per process; concurrent first calls
    /// make one request, and a failure is not kept (the next call asks
    /// again).
    async fn me(&self) -> Result<&Me, ApiError> {
        if let Some(me) = self.inner.me.get() {
            return Ok(me);
        }
        let req = self.request(Method::GET, &["accounts", "api", "me"], &[]);
        let fetch = self.inner.me.get_or_try_init(|| async {
            let reply = self.call(&req).await?;
            let body: serde_json::Value = self.decode(&req, &reply)?;
            let orgs = orgs_from_me(&body);
            let identity = ConnectedAppIdentity {
                user_id: body
                    .pointer("/user/id")
                    .and_then(|v| v.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                org_id: orgs
                    .user_root
                    .clone()
                    .or_else(|| orgs.connected_app.clone()),
            };
            Ok::<_, ApiError>(Me {
                identity,
                orgs,
                status: reply.status.as_u16(),
            })
        });
        self.cancellable(&req, fetch).await.map_err(|f| f.error)?
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
            path.extend(segments.iter().map(|s| lowercase_uuid(s)));
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
        let finish_on_stop = !matches!(method, Method::GET | Method::HEAD);
        ApiRequest {
            method,
            url,
            path,
            body: None,
            finish_on_stop,
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
        // Asking for a token changes nothing: a stop abandons it at once.
        req.finish_on_stop = false;
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
                            self.host(),
                            self.inner.platform,
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

/// Ids are UUIDs in lower case on the platform, and paths compare them as
/// text: a UUID-shaped segment is sent in lower case, however it was typed.
fn lowercase_uuid(segment: &str) -> std::borrow::Cow<'_, str> {
    let b = segment.as_bytes();
    let shaped = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if shaped && b.iter().any(u8::is_ascii_uppercase) {
        segment.to_ascii_lowercase().into()
    } else {
        segment.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_segments_are_sent_in_lower_case() {
        let c = client("https://anypoint.mulesoft.com");
        let r = c.request(
            Method::GET,
            &[
                "x",
                "E4F5A6B7-C8D9-4E0F-9A1B-2C3D4E5F6A7B",
                "ABC",
                "Deadbeef",
            ],
            &[],
        );
        assert_eq!(
            r.path,
            "/x/e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b/ABC/Deadbeef"
        );
    }

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
