//! The per-process provider data every resource and data source receives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::diagnostics::api_error;
use super::owners::OwnerRegistry;
use anypoint_client::{AnypointClient, ApiError, ConnectedAppIdentity};
use tfplugin::framework::validators::canonical_uuid;
use tfplugin::framework::Diagnostics;

/// How long a plan may wait for the Connected App's identity (which only
/// its warnings need) or the organization it shows.
pub const IDENTITY_LOOKUP_BOUND: std::time::Duration = std::time::Duration::from_secs(10);

/// Serialises owner changes of one application.
pub type OwnerLock = Arc<tokio::sync::Mutex<()>>;

/// What every resource and data source gets from `configure`: the API
/// client, per-application locks that serialise owner changes, and the
/// owners that the owner resources of this run manage.
pub struct AnypointData {
    pub client: AnypointClient,
    owner_locks: Mutex<HashMap<(String, i64), OwnerLock>>,
    /// The owner resources' claims in this run (see [`OwnerRegistry`]).
    pub owners: OwnerRegistry,
    identity: OnceCell<Option<ConnectedAppIdentity>>,
}

impl AnypointData {
    pub fn new(client: AnypointClient) -> Self {
        AnypointData {
            client,
            owner_locks: Mutex::new(HashMap::new()),
            owners: OwnerRegistry::default(),
            identity: OnceCell::new(),
        }
    }

    /// Who the Connected App is (ids in canonical form), looked up once per
    /// process and within [`IDENTITY_LOOKUP_BOUND`]; `None` when the look-up
    /// fails. Only for warnings at plan: a failure is logged, never
    /// reported, and never delays a plan by more than the bound.
    pub async fn connected_app(&self) -> Option<ConnectedAppIdentity> {
        self.identity
            .get_or_init(|| async {
                let lookup = self.client.connected_app_identity();
                match tokio::time::timeout(IDENTITY_LOOKUP_BOUND, lookup).await {
                    Ok(Ok(me)) => Some(ConnectedAppIdentity {
                        user_id: me.user_id.map(|u| canonical_uuid(&u)),
                        org_id: me.org_id.map(|o| canonical_uuid(&o)),
                    }),
                    Ok(Err(e)) => {
                        tracing::debug!(kind = e.kind(), "Cannot tell who the Connected App is");
                        None
                    }
                    Err(_) => {
                        tracing::debug!("The Connected App look-up took too long; skipped");
                        None
                    }
                }
            })
            .await
            .clone()
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

    /// The organization a plan shows for a new object whose configuration
    /// names none: the provider's, discovered once per process, so that a
    /// plan read in review shows where the object will be made. `Err` when
    /// the platform answered with a failure (reported: the plan fails).
    /// `Ok(None)` when no answer came within [`IDENTITY_LOOKUP_BOUND`]: the
    /// plan shows the organization as known after apply, because Terraform
    /// does not stop a provider while `terraform apply` plans, so an
    /// unbounded wait here would make Ctrl-C wait for it.
    pub async fn org_for_plan(&self, diags: &mut Diagnostics) -> Result<Option<String>, ()> {
        match tokio::time::timeout(IDENTITY_LOOKUP_BOUND, self.org(None)).await {
            Ok(Ok(o)) => Ok(Some(o)),
            Ok(Err(e)) => {
                api_error(diags, "finding the organization for the plan", &e);
                Err(())
            }
            Err(_) => {
                tracing::debug!("the organization look-up took too long; the plan shows it as known after apply");
                Ok(None)
            }
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
