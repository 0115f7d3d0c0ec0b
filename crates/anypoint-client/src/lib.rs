//! The HTTP client for the Anypoint Platform API (client applications,
//! owners, contracts, API instances and API groups, users, environments).
//!
//! A map, from the top down; each rule is written once, where its code is:
//!
//! - [`AnypointClient`] (`client.rs`), built from a checked [`ClientConfig`]
//!   (`config.rs`), hands out one handler per area: [`Applications`]
//!   (`applications.rs`), [`Owners`] (`owners.rs`), [`Contracts`]
//!   (`contracts.rs`), [`ApiInstances`] (`api_instances.rs`), [`ApiGroups`]
//!   (`api_groups.rs`), [`Users`]
//!   (`users.rs`), [`Environments`] (`environments.rs`); and the organization it works in (`organization.rs`).
//! - The create-once rule every create-like call runs: `create_once.rs`.
//! - What the client has read and done (shared reads, known applications):
//!   `memory.rs`; the application list: `listing.rs`.
//! - The request engine (retries, the 401 renewal, the stop and timeout
//!   rules): `send.rs`; how a failure is classified: `failure.rs`; the
//!   token: `auth.rs`; rate limits: `throttle.rs`; back-off and wait hints:
//!   `retry.rs`; the platform's clock: `clock.rs`.
//! - Requests, paths, paging, API objects and errors: `request.rs`,
//!   `paths.rs`, `paging.rs`, `models/`, `error/`.

mod api_groups;
mod api_instances;
mod applications;
mod auth;
mod client;
mod clock;
mod config;
mod contracts;
mod create_once;
mod environments;
mod error;
mod failure;
mod listing;
mod memory;
mod models;
mod organization;
mod owners;
mod paging;
mod paths;
#[cfg(test)]
mod registration_tests;
mod request;
mod retry;
mod send;
mod throttle;
mod users;

pub use api_groups::ApiGroups;
pub use api_instances::{ApiInstances, SEARCH_PAGE_SIZE};
pub use applications::Applications;
pub use auth::{renew_after, DEFAULT_TOKEN_LIFETIME};
pub use client::AnypointClient;
pub use clock::{created_secs, PriorHolders, Since};
pub use config::{
    is_loopback_host, validate_base_url, BaseUrlError, ClientConfig, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
};
pub use contracts::{ContractSite, Contracts, Ended};
pub use environments::Environments;
pub use error::{extract_message, ApiError, ErrorInfo, FORBIDDEN_HINT};
pub use models::{
    AddOwnerOutcome, ApiGroupInstance, ApiInstance, Application, ApplicationSummary,
    ApplicationUpdate, AssetInfo, ConnectedAppIdentity, Contract, ContractTarget, Environment,
    GroupAsset, InstanceSearch, ListedInstance, NewApplication, NewContract, Owner, Tier,
    TierLimit, User,
};
pub use owners::Owners;
pub use paging::{collect_pages, Page, MAX_PAGE_SIZE};
pub use request::{build_http_client, user_agent, CONNECT_TIMEOUT};
pub use retry::{parse_rate_limit_reset, parse_retry_after, Backoff};
pub use throttle::{valid_rate, MAX_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND};
pub use users::{Users, USER_PAGE_SIZE};
