//! The per-process provider data every resource and data source receives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::diagnostics::api_error;
use super::owners::OwnerRegistry;
use crate::anypoint::{AnypointClient, ApiError};
use crate::framework::validators::canonical_uuid;
use crate::framework::Diagnostics;

/// Serialises owner changes of one application.
pub type OwnerLock = Arc<tokio::sync::Mutex<()>>;

/// What every resource and data source gets from `configure`: the API
/// client, per-application locks that serialise owner changes, and the
/// owners that the owner resources of this run manage.
pub struct AnypointData {
    pub client: AnypointClient,
    configured_org: Option<String>,
    owner_locks: Mutex<HashMap<(String, i64), OwnerLock>>,
    /// The owner resources' claims in this run (see [`OwnerRegistry`]).
    pub owners: OwnerRegistry,
    connected_app_user: OnceCell<Option<String>>,
}

impl AnypointData {
    pub fn new(client: AnypointClient, configured_org: Option<String>) -> Self {
        AnypointData {
            client,
            configured_org: configured_org.map(|o| canonical_uuid(&o)),
            owner_locks: Mutex::new(HashMap::new()),
            owners: OwnerRegistry::default(),
            connected_app_user: OnceCell::new(),
        }
    }

    /// The user the Connected App acts for (canonical form), looked up once
    /// per process; `None` when the platform does not say. Only for
    /// warnings: a failed look-up is logged, never reported.
    pub async fn connected_app_user(&self) -> Option<String> {
        self.connected_app_user
            .get_or_init(|| async {
                match self.client.connected_app_user_id().await {
                    Ok(user) => user.map(|u| canonical_uuid(&u)),
                    Err(e) => {
                        tracing::debug!(
                            kind = e.kind(),
                            "Cannot tell which user the Connected App acts for"
                        );
                        None
                    }
                }
            })
            .await
            .clone()
    }

    /// The organization named by the provider settings, if any (known
    /// without a network call), in canonical form.
    pub fn configured_org(&self) -> Option<&str> {
        self.configured_org.as_deref()
    }

    /// The lock of one application's owner list: adding and removing owners
    /// of the same application happen one at a time inside this process.
    pub fn owner_lock(&self, org: &str, app_id: i64) -> OwnerLock {
        let mut locks = self.owner_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks
            .entry((canonical_uuid(org), app_id))
            .or_default()
            .clone()
    }

    /// The organization to use, in canonical form (what is sent to the
    /// platform): the configured one, else the one the Connected App
    /// belongs to (discovered once).
    pub async fn org(&self, configured: Option<&str>) -> Result<String, ApiError> {
        match configured {
            Some(o) => Ok(canonical_uuid(o)),
            None => self.client.org_id().await.map(|o| canonical_uuid(&o)),
        }
    }

    /// [`Self::org`], reporting a failure as an error diagnostic.
    pub async fn org_or_report(
        &self,
        configured: Option<&str>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        match self.org(configured).await {
            Ok(o) => Some(o),
            Err(e) => {
                api_error(diags, "finding the organization", &e);
                None
            }
        }
    }
}
