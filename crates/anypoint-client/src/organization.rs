//! The root organization the client works in, and who the Connected App
//! is: `org_id` from the settings, else discovered once from
//! `GET /accounts/api/me`, which also tells the Connected App's identity.

use reqwest::Method;
use tokio::sync::OnceCell;

use crate::error::{ApiError, ErrorInfo};
use crate::models::{
    identity_from_me, orgs_from_me, ConnectedAppIdentity, MeOrganizations, OrganizationNode,
};
use crate::paths;
use crate::send::Engine;

/// How far the discovery climbs a business group's parents.
const MAX_ORGANIZATION_DEPTH: usize = 8;

/// What `GET /accounts/api/me` told.
struct Me {
    identity: ConnectedAppIdentity,
    orgs: MeOrganizations,
    status: u16,
}

/// The organization from the settings, or what was discovered.
#[derive(Default)]
pub(crate) struct Organization {
    configured: Option<String>,
    /// The answer of `GET /accounts/api/me`, read once: the organization
    /// discovery and the Connected App's identity share it.
    me: OnceCell<Me>,
    /// The root organization, discovered once (`org_id` unset).
    root: OnceCell<String>,
}

impl Organization {
    /// `configured`: `org_id` from the settings.
    pub(crate) fn new(configured: Option<String>) -> Self {
        Organization {
            configured,
            ..Organization::default()
        }
    }

    /// `org_id` from the settings.
    pub(crate) fn configured(&self) -> Option<&str> {
        self.configured.as_deref()
    }

    /// The root organization, where client applications, their owners and
    /// contracts live: `org_id` from the settings, else discovered once
    /// from `GET /accounts/api/me`. The root of the user the Connected App
    /// acts for (`user.organization.id`) comes first; `client.org_id` names
    /// where the Connected App resides, which may be a business group, so
    /// alone it is climbed to its root through
    /// `GET /accounts/api/organizations/{id}`. A debug line says which.
    /// Concurrent first calls share one discovery.
    pub(crate) async fn id(&self, engine: &Engine) -> Result<String, ApiError> {
        if let Some(org) = &self.configured {
            return Ok(org.clone());
        }
        self.root
            .get_or_try_init(|| self.discover_root(engine))
            .await
            .cloned()
    }

    /// `GET /accounts/api/me`: the Connected App's user and organization
    /// (the same answer [`Self::id`] discovers the organization from).
    pub(crate) async fn identity(&self, engine: &Engine) -> Result<ConnectedAppIdentity, ApiError> {
        Ok(self.me(engine).await?.identity.clone())
    }

    async fn discover_root(&self, engine: &Engine) -> Result<String, ApiError> {
        let me = self.me(engine).await?;
        let orgs = &me.orgs;
        match (&orgs.user_root, &orgs.connected_app) {
            (Some(root), Some(app)) if !app.eq_ignore_ascii_case(root) => {
                tracing::debug!(
                    org_id = %root,
                    connected_app_org = %app,
                    "the Connected App resides in another organization (a business group); \
                     client applications live in the root organization of its user \
                     (user.organization.id)"
                );
                Ok(root.clone())
            }
            (Some(root), _) => {
                tracing::debug!(org_id = %root, "the root organization, from user.organization.id");
                Ok(root.clone())
            }
            (None, Some(app)) => climb_to_root(engine, app).await,
            (None, None) => Err(ApiError::Decode(ErrorInfo::new(
                "GET",
                &engine.request(Method::GET, paths::ME, &[]).path,
                Some(me.status),
                "the answer has neither user.organization.id nor client.org_id: set the \
                 provider attribute `org_id` (or ANYPOINT_ORG_ID) to the root organization"
                    .to_owned(),
            ))),
        }
    }

    /// The `/me` answer, fetched once; concurrent first calls make one
    /// request, and a failure is not kept (the next call asks again).
    async fn me(&self, engine: &Engine) -> Result<&Me, ApiError> {
        if let Some(me) = self.me.get() {
            return Ok(me);
        }
        let req = engine.request(Method::GET, paths::ME, &[]);
        let fetch = self.me.get_or_try_init(|| async {
            let reply = engine.call(&req).await?;
            let body: serde_json::Value = engine.decode(&req, &reply)?;
            let orgs = orgs_from_me(&body);
            Ok::<_, ApiError>(Me {
                identity: identity_from_me(&body, &orgs),
                orgs,
                status: reply.status.as_u16(),
            })
        });
        engine.cancellable(&req, fetch).await.map_err(|f| f.error)?
    }
}

/// The root above `org` (at most [`MAX_ORGANIZATION_DEPTH`] levels up),
/// following `parentOrganizationId` (else the first of
/// `parentOrganizationIds`) until an organization is the master. If an
/// organization cannot be read, the last one reached is used, and a debug
/// line says so (a 403 on the platform then names it).
async fn climb_to_root(engine: &Engine, org: &str) -> Result<String, ApiError> {
    let mut at = org.to_owned();
    for _ in 0..MAX_ORGANIZATION_DEPTH {
        let req = engine.request(Method::GET, &paths::organization(&at, &[]), &[]);
        let node: OrganizationNode = match engine.call_json(&req).await {
            Ok(node) => node,
            Err(e) if e.is_cancelled() => return Err(e),
            Err(e) => {
                tracing::debug!(org_id = %at, kind = e.kind(), "cannot tell whether organization {at} is a root; using it");
                return Ok(at);
            }
        };
        let parent = node
            .parent_organization_id
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| node.parent_organization_ids.first().cloned());
        match (node.is_master, parent) {
            (Some(false), Some(parent)) => at = parent,
            _ => break,
        }
    }
    tracing::debug!(org_id = %at, connected_app_org = %org, "the root organization, from client.org_id and the organization tree");
    Ok(at)
}
