//! The owners that the owner resources of this run manage: a per-process
//! registry, so that the plan can warn when a second resource adopts an
//! owner that another resource already manages (destroying either would
//! remove the ownership from under the other).
//!
//! Terraform plans every resource of a run in one provider process, and
//! tells the provider nothing about resource addresses; the registry counts
//! claims per owner instead. A resource already in state claims its owner
//! as "managed" (when read, and when planned without replacement); a
//! resource being created claims it as "adopting". The second claim on one
//! owner, whichever comes first, produces one warning.

use std::collections::HashMap;
use std::sync::Mutex;

use tfplugin::framework::validators::canonical_uuid;

/// One owner of one application, ids in canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OwnerKey {
    pub org: String,
    pub app_id: i64,
    pub user: String,
}

impl OwnerKey {
    pub fn new(org: &str, app_id: i64, user: &str) -> Self {
        OwnerKey {
            org: canonical_uuid(org),
            app_id,
            user: canonical_uuid(user),
        }
    }
}

#[derive(Default)]
struct Claims {
    managed: bool,
    adopting: u32,
    warned: bool,
}

impl Claims {
    /// Whether there are two claims now and nobody has warned yet (and if
    /// so, record that the caller warns).
    fn warn_now(&mut self) -> bool {
        let doubled = self.adopting >= 2 || (self.managed && self.adopting >= 1);
        if doubled && !self.warned {
            self.warned = true;
            return true;
        }
        false
    }
}

#[derive(Default)]
pub struct OwnerRegistry {
    claims: Mutex<HashMap<OwnerKey, Claims>>,
}

impl OwnerRegistry {
    fn with<R>(&self, key: &OwnerKey, f: impl FnOnce(&mut Claims) -> R) -> R {
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        f(claims.entry(key.clone()).or_default())
    }

    /// A resource in state was read and manages this owner (no warning:
    /// reading is not planning; its plan calls [`Self::managed`]).
    pub fn read(&self, key: &OwnerKey) {
        self.with(key, |c| c.managed = true)
    }

    /// A resource in state is planned, keeping this owner. True when the
    /// caller should warn: a resource being created in this run adopts the
    /// same owner.
    pub fn managed(&self, key: &OwnerKey) -> bool {
        self.with(key, |c| {
            c.managed = true;
            c.warn_now()
        })
    }

    /// A resource being created adopts this owner. True when the caller
    /// should warn: another resource of this run manages or adopts it.
    pub fn adopting(&self, key: &OwnerKey) -> bool {
        self.with(key, |c| {
            c.adopting += 1;
            c.warn_now()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
    const USER: &str = "5eed0000-0000-4000-8000-000000000001";

    #[test]
    fn the_second_claim_warns_once() {
        let r = OwnerRegistry::default();
        let key = OwnerKey::new(ORG, 7, USER);
        // Read, then planned: one resource, no warning.
        r.read(&key);
        assert!(!r.managed(&key));
        // A new resource for the same owner (spelled in upper case).
        assert!(r.adopting(&OwnerKey::new(ORG, 7, &USER.to_uppercase())));
        assert!(!r.adopting(&key), "warned already");
        // Another application or user is another owner.
        assert!(!r.adopting(&OwnerKey::new(ORG, 8, USER)));
    }

    #[test]
    fn a_read_does_not_take_the_warning_of_the_plan() {
        let r = OwnerRegistry::default();
        let key = OwnerKey::new(ORG, 7, USER);
        // The new resource is planned before the one in state is read.
        assert!(!r.adopting(&key));
        r.read(&key);
        assert!(r.managed(&key), "the plan of the resource in state warns");
    }

    #[test]
    fn two_new_resources_warn() {
        let r = OwnerRegistry::default();
        let key = OwnerKey::new(ORG, 7, USER);
        assert!(!r.adopting(&key));
        assert!(r.adopting(&key));
        // The resource in state planned after them does not warn again.
        assert!(!r.managed(&key));
    }
}
