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
//!   A request that times out is retried once at most, and after two
//!   requests in a row have timed out with no answer in between the client
//!   sends nothing more (`send.rs`): an unresponsive platform fails within
//!   about twice the request timeout.
//! - Rate limits are shared by every client of the process that talks to
//!   one host (`throttle.rs`): a 429 (or a 503 with a wait hint) holds every
//!   request to that host until the hinted instant, and an optional
//!   `max_requests_per_second` paces every attempt, token requests
//!   included.
//! - Every wait and every read races the [`CancellationToken`] given to the
//!   client: a stop gives [`ApiError::Cancelled`] at once. A request that
//!   changes something, once sent, runs to its answer or its timeout, and a
//!   look-up of what it did still runs once
//!   ([`AnypointClient::after_stop`]); nothing is retried after a stop.
//! - Secrets are [`secret::Secret`]s; no log line, error or panic
//!   message holds a secret or a token, and no body is ever logged.
//!
//! [`CancellationToken`]: tokio_util::sync::CancellationToken

mod applications;
mod auth;
mod client;
mod clock;
mod config;
mod contracts;
mod create_once;
mod error;
mod known;
mod listing;
mod models;
mod owners;
mod paging;
#[cfg(test)]
mod registration_tests;
mod retry;
mod send;
mod shared_reads;
mod throttle;
mod users;

pub use auth::{renew_after, DEFAULT_TOKEN_LIFETIME};
pub use client::{build_http_client, user_agent, AnypointClient, CONNECT_TIMEOUT};
pub use clock::{created_secs, PriorHolders, Since};
pub use config::{
    is_loopback_host, validate_base_url, BaseUrlError, ClientConfig, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
};
pub use contracts::{ContractSite, Ended};
pub use error::{extract_message, ApiError, ErrorInfo, FORBIDDEN_HINT};
pub use models::{
    AddOwnerOutcome, ApiInstance, Application, ApplicationSummary, ApplicationUpdate, AssetInfo,
    Contract, NewApplication, NewContract, Owner, Tier, TierLimit, User,
};
pub use paging::{collect_pages, Page, MAX_PAGE_SIZE};
pub use retry::{parse_rate_limit_reset, parse_retry_after, Backoff};
pub use throttle::{valid_rate, MAX_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND};
pub use users::{ConnectedAppIdentity, USER_PAGE_SIZE};
