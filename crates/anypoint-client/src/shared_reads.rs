//! Reads shared by the resources of one process: an application read by id
//! (with its owners) and an application's contracts are fetched once, however
//! many resources refresh from them (an application and each of its owner
//! resources; each contract resource of one application), and concurrent
//! first reads make one request. Every change this process makes to an
//! application, its owners or its contracts drops what was read of it, so a
//! read after a change is fresh. A failed read is not kept (the next read
//! asks again); a `NotFound` is an answer, and kept like one.
//!
//! Refreshes use these, and so does the owner resource's read of an
//! application around an owner add (the add drops what was read, so the
//! read after it is fresh). Every read that decides what a change did (the
//! look-ups after a create, the read-back after an update) goes to the
//! platform.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OnceCell;

use super::client::AnypointClient;
use super::error::ApiError;
use super::models::{Application, Contract};

type Key = (String, i64);
/// A read by id, once: the application, or the `NotFound` that answered.
type ApplicationRead = Arc<OnceCell<Result<Application, ApiError>>>;

/// What this process has read, per organization and application.
#[derive(Default)]
pub(super) struct SharedReads {
    applications: Mutex<HashMap<Key, ApplicationRead>>,
    contracts: Mutex<HashMap<Key, Arc<OnceCell<Vec<Contract>>>>>,
}

fn key(org: &str, id: i64) -> Key {
    (org.to_ascii_lowercase(), id)
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SharedReads {
    fn application_cell(&self, org: &str, id: i64) -> ApplicationRead {
        locked(&self.applications)
            .entry(key(org, id))
            .or_default()
            .clone()
    }

    fn contracts_cell(&self, org: &str, id: i64) -> Arc<OnceCell<Vec<Contract>>> {
        locked(&self.contracts)
            .entry(key(org, id))
            .or_default()
            .clone()
    }

    /// Forget what was read of application `id` (not its contracts).
    pub(super) fn forget_application(&self, org: &str, id: i64) {
        locked(&self.applications).remove(&key(org, id));
    }

    /// Forget the contracts read of application `id`.
    pub(super) fn forget_contracts(&self, org: &str, id: i64) {
        locked(&self.contracts).remove(&key(org, id));
    }

    /// Forget every contract list read (a change known only by contract id).
    pub(super) fn forget_all_contracts(&self) {
        locked(&self.contracts).clear();
    }
}

impl AnypointClient {
    /// Application `id` read by id (`GET …/applications/{id}`, with its
    /// owners), once per process: the resources that refresh from it share
    /// the answer. A `NotFound` is shared too; other failures are not kept.
    pub async fn read_application_shared(
        &self,
        org: &str,
        id: i64,
    ) -> Result<Application, ApiError> {
        let cell = self.inner.reads.application_cell(org, id);
        let read = cell
            .get_or_try_init(|| async {
                match self.get_application(org, id).await {
                    Ok(app) => Ok(Ok(app)),
                    Err(e) if e.is_not_found() => Ok(Err(e)),
                    Err(e) => Err(e),
                }
            })
            .await?;
        read.clone()
    }

    /// The contracts of application `id` (`GET …/applications/{id}/contracts`),
    /// once per process, shared by the contract resources that refresh from
    /// them. Failures are not kept.
    pub async fn read_contracts_shared(
        &self,
        org: &str,
        app_id: i64,
    ) -> Result<Vec<Contract>, ApiError> {
        let cell = self.inner.reads.contracts_cell(org, app_id);
        cell.get_or_try_init(|| self.list_contracts(org, app_id))
            .await
            .cloned()
    }

    /// Everything this process read of application `id` is out of date (it
    /// changed it, or its owners).
    pub(super) fn application_changed(&self, org: &str, id: i64) {
        self.inner.reads.forget_application(org, id);
        self.listing_stale(org, id);
    }
}

/// Forgets, when dropped (the change answered, failed, or was abandoned),
/// what this process read of what a change touches: the change may have
/// happened whatever its answer, and a read that raced it may be older.
pub(super) struct Changing<'a> {
    client: &'a AnypointClient,
    what: Changed<'a>,
}

enum Changed<'a> {
    /// An application and its owners.
    Application(&'a str, i64),
    /// The contracts of an application.
    Contracts(&'a str, i64),
    /// A contract known only by its id.
    AnyContracts,
}

impl AnypointClient {
    /// A change of application `id` (or of its owners) is under way.
    pub(super) fn changing_application<'a>(&'a self, org: &'a str, id: i64) -> Changing<'a> {
        Changing {
            client: self,
            what: Changed::Application(org, id),
        }
    }

    /// A change of the contracts of application `id` is under way.
    pub(super) fn changing_contracts<'a>(&'a self, org: &'a str, id: i64) -> Changing<'a> {
        Changing {
            client: self,
            what: Changed::Contracts(org, id),
        }
    }

    /// A change of a contract known by its id only is under way.
    pub(super) fn changing_a_contract(&self) -> Changing<'_> {
        Changing {
            client: self,
            what: Changed::AnyContracts,
        }
    }
}

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        match self.what {
            Changed::Application(org, id) => self.client.application_changed(org, id),
            Changed::Contracts(org, id) => self.client.inner.reads.forget_contracts(org, id),
            Changed::AnyContracts => self.client.inner.reads.forget_all_contracts(),
        }
    }
}
