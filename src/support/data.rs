//! The per-process provider data every resource and data source receives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::diagnostics::api_error;
use crate::anypoint::{AnypointClient, ApiError};
use crate::framework::Diagnostics;

/// Serialises owner changes of one application.
pub type OwnerLock = Arc<tokio::sync::Mutex<()>>;

/// What every resource and data source gets from `configure`: the API
/// client, and per-application locks that serialise owner changes.
pub struct AnypointData {
    pub client: AnypointClient,
    configured_org: Option<String>,
    owner_locks: Mutex<HashMap<(String, i64), OwnerLock>>,
}

impl AnypointData {
    pub fn new(client: AnypointClient, configured_org: Option<String>) -> Self {
        AnypointData {
            client,
            configured_org,
            owner_locks: Mutex::new(HashMap::new()),
        }
    }

    /// The organization named by the provider settings, if any (known
    /// without a network call).
    pub fn configured_org(&self) -> Option<&str> {
        self.configured_org.as_deref()
    }

    /// The lock of one application's owner list: adding and removing owners
    /// of the same application happen one at a time inside this process.
    pub fn owner_lock(&self, org: &str, app_id: i64) -> OwnerLock {
        let mut locks = self.owner_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry((org.to_owned(), app_id)).or_default().clone()
    }

    /// The organization to use: the configured one, else the one the
    /// Connected App belongs to (discovered once).
    pub async fn org(&self, configured: Option<&str>) -> Result<String, ApiError> {
        match configured {
            Some(o) => Ok(o.to_owned()),
            None => self.client.org_id().await,
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
