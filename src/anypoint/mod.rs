//! The HTTP client for the Anypoint Platform API (client applications,
//! owners, contracts, API instances, users).
//!
//! - [`ClientConfig`] is the checked configuration (base URL, Connected App
//!   credentials, retries, timeout); where its values come from is the
//!   provider's business. Plain http is accepted only to a loopback host.
//! - [`AnypointClient::new`] does no I/O. The Connected App's token is
//!   fetched at the first call, shared by all calls (one request however many
//!   calls start at once), renewed before it expires, and renewed once on a
//!   401. The organization is `org_id` or discovered once from
//!   `/accounts/api/me`.
//! - Transient failures (429, 502, 503, 504, connect errors, timeouts,
//!   dropped connections) are retried with exponential back-off and full
//!   jitter, honouring `Retry-After` and `X-RateLimit-Reset`, bounded by
//!   `max_retries` and a total-wait cap. Creates are never blindly repeated
//!   once they may have reached the server: every create-like call runs the
//!   one create-once loop, whose rule is written in `create_once.rs`.
//! - Every wait and every request races the [`CancellationToken`] given to
//!   the client: a stop gives [`ApiError::Cancelled`] at once.
//! - Secrets are [`crate::secret::Secret`]s; no log line, error or panic
//!   message holds a secret or a token, and no body is ever logged.
//!
//! [`CancellationToken`]: tokio_util::sync::CancellationToken

mod applications;
mod auth;
mod client;
mod config;
mod contracts;
mod create_once;
mod error;
mod models;
mod paging;
#[cfg(test)]
mod registration_tests;
mod retry;
mod users;

pub use auth::{renew_after, DEFAULT_TOKEN_LIFETIME};
pub use client::{build_http_client, user_agent, AnypointClient, CONNECT_TIMEOUT};
pub use config::{
    is_loopback_host, validate_base_url, BaseUrlError, ClientConfig, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
};
pub use error::{extract_message, ApiError, ErrorInfo, FORBIDDEN_HINT};
pub use models::{
    AddOwnerOutcome, ApiInstance, Application, ApplicationSummary, ApplicationUpdate, Contract,
    NewApplication, NewContract, Owner, Tier, TierLimit, User,
};
pub use paging::{collect_pages, Page, MAX_PAGE_SIZE};
pub use retry::{parse_rate_limit_reset, parse_retry_after, Backoff};
pub use users::{ConnectedAppIdentity, USER_PAGE_SIZE};
