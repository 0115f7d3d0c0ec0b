//! The Anypoint client's own rules, end to end over HTTP on loopback, one
//! behaviour per test: the token and the organization, retries and server
//! wait hints, the stop, rate limits, create safety, the application list
//! and shared reads, every operation, and error messages.
//!
//! Every test runs against the in-process emulator, with its scripted faults,
//! except the few in `on_the_mock` modules, which need something the emulator
//! cannot do (`tests/support/mock.rs`).

#[path = "../support/mod.rs"]
mod support;

mod create;
mod errors;
mod limits;
mod listing;
mod operations;
mod retries;
mod stop;
mod token;

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anypoint_client::{
    AddOwnerOutcome, AnypointClient, ApiError, Application, ApplicationUpdate, Backoff,
    ClientConfig, NewContract, MAX_PAGE_SIZE,
};
use anypoint_emulator::{
    Emulator, EmulatorHandle, Fault, FaultKind, RequestRecord, Variant, API_INSTANCE_CATALOG,
    API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID, ENVIRONMENT_ID,
    TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM, TIER_PAYMENTS_STANDARD, TOKEN_PATH,
};
use secret::Secret;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use support::watch::event_watch;
use support::*;
