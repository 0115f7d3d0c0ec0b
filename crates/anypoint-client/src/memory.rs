//! What this client has read and done on the platform, kept for the calls
//! that come after:
//!
//! - each organization's application list, as far as it was read (its rules
//!   are in `listing.rs`);
//! - the applications known to exist (this client created them, or read
//!   them by id): the witnesses of the create-once rule for applications
//!   (`Applications::list_shows_own`, `applications.rs`), a few per
//!   organization, most recent first;
//! - shared reads: an application read by id (with its owners) and an
//!   application's contracts are fetched once, however many resources
//!   refresh from them (an application and each of its owner resources;
//!   each contract resource of one application), and concurrent first reads
//!   make one request. Every change this client makes to an application,
//!   its owners or its contracts drops what was read of it ([`Changing`]),
//!   so a read after a change is fresh. A failed read is not kept (the next
//!   read asks again); a `NotFound` is an answer, and kept like one.
//!   Refreshes use these, and so does the owner resource's read of an
//!   application around an owner add (the add drops what was read, so the
//!   read after it is fresh). Every read that decides what a change did (the
//!   look-ups after a create, the read-back after an update) goes to the
//!   platform.
//! - what a contract request needs of its API instance or API group
//!   instance (the instance, its tiers, its asset version), read once per
//!   instance however many contracts ask for it; and each instance's contract list, read once for
//!   the refresh of every contract on it (dropped by any contract change,
//!   like an application's; `None` inside when it is longer than a page). An instance's contract list that the platform
//!   refuses (401, 403: the Connected App may not view contracts) is not
//!   asked for again: contracts are then read by application.
//!
//! All of it is the client's, not the process's: Terraform runs each
//! provider configuration in a process of its own, so one client is all
//! that a process has.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OnceCell;

use crate::error::ApiError;
use crate::listing::Listing;
use crate::models::{
    ApiGroupInstance, ApiInstance, Application, AssetInfo, Contract, ContractTarget, GroupAsset,
    Tier,
};

/// How many known applications are kept per organization.
const WITNESSES_KEPT: usize = 8;

type Key = (String, i64);
/// A read by id, once: the application, or the `NotFound` that answered.
pub(crate) type ApplicationRead = Arc<OnceCell<Result<Application, ApiError>>>;
/// An application's contracts, read once.
pub(crate) type ContractsRead = Arc<OnceCell<Vec<Contract>>>;
/// An API instance: its organization and environment (lower case) and id.
pub(crate) type InstanceKey = (String, String, i64);
/// A contract target (an API instance or an API group instance) in its
/// organization and environment (lower case).
pub(crate) type TargetKey = (String, String, ContractTarget);
/// An asset version: group, asset, version.
type AssetKey = (String, String, String);
type Cells<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;

/// What this client has read and done, per organization (ids compared
/// without case).
#[derive(Default)]
pub(crate) struct Memory {
    listings: Mutex<HashMap<String, Arc<Listing>>>,
    /// (id, name when last seen), most recent first.
    known: Mutex<HashMap<String, VecDeque<(i64, String)>>>,
    applications: Mutex<HashMap<Key, ApplicationRead>>,
    contracts: Mutex<HashMap<Key, ContractsRead>>,
    instances: Cells<InstanceKey, ApiInstance>,
    tiers: Cells<InstanceKey, Vec<Tier>>,
    group_assets: Cells<InstanceKey, (ApiGroupInstance, GroupAsset)>,
    group_tiers: Cells<InstanceKey, Vec<Tier>>,
    assets: Cells<AssetKey, AssetInfo>,
    target_contracts: Cells<TargetKey, Option<Vec<Contract>>>,
    /// Refused for API instances, for API group instances (each its own
    /// permission).
    target_contracts_refused: [AtomicBool; 2],
}

/// The cell of `key` in `cells`, made empty if there is none.
fn cell<K: Eq + Hash, V>(cells: &Cells<K, V>, key: K) -> Arc<OnceCell<V>> {
    locked(cells).entry(key).or_default().clone()
}

/// The key of an API instance.
pub(crate) fn instance_key(org: &str, env: &str, api: i64) -> InstanceKey {
    (org.to_ascii_lowercase(), env.to_ascii_lowercase(), api)
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(org: &str, id: i64) -> Key {
    (org.to_ascii_lowercase(), id)
}

impl Memory {
    /// The application list of `org`.
    pub(crate) fn listing(&self, org: &str) -> Arc<Listing> {
        locked(&self.listings)
            .entry(org.to_ascii_lowercase())
            .or_default()
            .clone()
    }

    /// The applications of `org` known to exist, most recent first: (id,
    /// name when last seen).
    pub(crate) fn known(&self, org: &str) -> Vec<(i64, String)> {
        locked(&self.known)
            .get(&org.to_ascii_lowercase())
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// A read by id saw `app`.
    pub(crate) fn saw(&self, org: &str, app: &Application) {
        self.remember(org, app);
        self.listing(org).seen(app);
    }

    /// This client made or changed `app`: it exists, under its name now,
    /// and the next read of it is by id.
    pub(crate) fn changed(&self, org: &str, app: &Application) {
        self.remember(org, app);
        self.listing(org).changed(app.id, Some(&app.name));
    }

    /// Application `id` is gone (deleted, or read as gone).
    pub(crate) fn gone(&self, org: &str, id: i64) {
        if let Some(known) = locked(&self.known).get_mut(&org.to_ascii_lowercase()) {
            known.retain(|(k, _)| *k != id);
        }
        self.listing(org).changed(id, None);
    }

    fn remember(&self, org: &str, app: &Application) {
        let mut all = locked(&self.known);
        let known = all.entry(org.to_ascii_lowercase()).or_default();
        known.retain(|(id, _)| *id != app.id);
        known.push_front((app.id, app.name.clone()));
        known.truncate(WITNESSES_KEPT);
    }

    /// The shared read by id of application `id`.
    pub(crate) fn application_read(&self, org: &str, id: i64) -> ApplicationRead {
        locked(&self.applications)
            .entry(key(org, id))
            .or_default()
            .clone()
    }

    /// The shared read of application `id`'s contracts.
    pub(crate) fn contracts_read(&self, org: &str, id: i64) -> ContractsRead {
        locked(&self.contracts)
            .entry(key(org, id))
            .or_default()
            .clone()
    }

    /// The shared read of an API instance.
    pub(crate) fn instance_read(&self, key: InstanceKey) -> Arc<OnceCell<ApiInstance>> {
        cell(&self.instances, key)
    }

    /// The shared read of an API instance's tiers.
    pub(crate) fn tiers_read(&self, key: InstanceKey) -> Arc<OnceCell<Vec<Tier>>> {
        cell(&self.tiers, key)
    }

    /// The shared read of an API group instance and its asset (keyed like
    /// an API instance, apart: the ids are another platform's numbering).
    pub(crate) fn group_asset_read(
        &self,
        key: InstanceKey,
    ) -> Arc<OnceCell<(ApiGroupInstance, GroupAsset)>> {
        cell(&self.group_assets, key)
    }

    /// The shared read of an API group instance's tiers.
    pub(crate) fn group_tiers_read(&self, key: InstanceKey) -> Arc<OnceCell<Vec<Tier>>> {
        cell(&self.group_tiers, key)
    }

    /// The shared read of an asset version.
    pub(crate) fn asset_read(
        &self,
        group: &str,
        asset: &str,
        version: &str,
    ) -> Arc<OnceCell<AssetInfo>> {
        cell(
            &self.assets,
            (group.to_owned(), asset.to_owned(), version.to_owned()),
        )
    }

    /// The shared read of a target's contract list; `None` once the
    /// platform refused such a list for that kind of target.
    pub(crate) fn target_contracts_read(
        &self,
        org: &str,
        env: &str,
        target: ContractTarget,
    ) -> Option<Arc<OnceCell<Option<Vec<Contract>>>>> {
        if self.target_contracts_refused[usize::from(target.is_group())].load(Ordering::Relaxed) {
            return None;
        }
        let key = (org.to_ascii_lowercase(), env.to_ascii_lowercase(), target);
        Some(cell(&self.target_contracts, key))
    }

    /// The platform refused a contract list of this kind of target.
    pub(crate) fn target_contracts_refused(&self, target: ContractTarget) {
        self.target_contracts_refused[usize::from(target.is_group())]
            .store(true, Ordering::Relaxed);
    }

    /// A change of application `id` (or of its owners) is under way.
    pub(crate) fn changing_application<'a>(&'a self, org: &'a str, id: i64) -> Changing<'a> {
        Changing {
            memory: self,
            what: Changed::Application(org, id),
        }
    }

    /// A change of the contracts of application `id` is under way.
    pub(crate) fn changing_contracts<'a>(&'a self, org: &'a str, id: i64) -> Changing<'a> {
        Changing {
            memory: self,
            what: Changed::Contracts(org, id),
        }
    }

    /// A change of a contract known by its id only is under way.
    pub(crate) fn changing_a_contract(&self) -> Changing<'_> {
        Changing {
            memory: self,
            what: Changed::AnyContracts,
        }
    }
}

/// Forgets, when dropped (the change answered, failed, or was abandoned),
/// what this client read of what a change touches: the change may have
/// happened whatever its answer, and a read that raced it may be older.
pub(crate) struct Changing<'a> {
    memory: &'a Memory,
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

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        match self.what {
            Changed::Application(org, id) => {
                locked(&self.memory.applications).remove(&key(org, id));
                self.memory.listing(org).stale(id);
            }
            Changed::Contracts(org, id) => {
                locked(&self.memory.contracts).remove(&key(org, id));
                locked(&self.memory.target_contracts).clear();
            }
            Changed::AnyContracts => {
                locked(&self.memory.contracts).clear();
                locked(&self.memory.target_contracts).clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: i64, name: &str) -> Application {
        serde_json::from_value(serde_json::json!({ "id": id, "name": name })).unwrap()
    }

    #[test]
    fn known_applications_are_kept_per_organization() {
        let m = Memory::default();
        m.saw("Org-1", &app(1, "one"));
        m.changed("org-1", &app(2, "two"));
        // Renamed: seen again under its new name, once.
        m.saw("org-1", &app(1, "uno"));
        assert_eq!(
            m.known("ORG-1"),
            [(1, "uno".to_owned()), (2, "two".to_owned())]
        );
        assert!(m.known("org-2").is_empty());
        m.gone("org-1", 1);
        assert_eq!(m.known("org-1"), [(2, "two".to_owned())]);
        for id in 10..30 {
            m.changed("org-1", &app(id, "many"));
        }
        let kept = m.known("org-1");
        assert_eq!(kept.len(), WITNESSES_KEPT);
        assert_eq!(kept[0].0, 29, "the most recent first");
    }
}
