//! API groups (API Manager): a group instance, its SLA tiers, and the
//! Exchange asset a contract request with it names. The `*_shared` reads
//! are made once per client (`memory.rs`), as an API instance's are.

use reqwest::Method;

use crate::api_instances::tier_pages;
use crate::error::{ApiError, ErrorInfo};
use crate::memory::{instance_key, Memory};
use crate::models::{ApiGroupInstance, ApiGroupRecord, ApiGroupVersionRecord, GroupAsset, Tier};
use crate::paths;
use crate::send::Engine;

/// API group instances:
/// [`AnypointClient::api_groups`](crate::AnypointClient::api_groups).
#[derive(Clone, Copy)]
pub struct ApiGroups<'a> {
    engine: &'a Engine,
    memory: &'a Memory,
}

/// A value that says something: not null, not `""` (the OAS's examples show
/// `""` for a group's unset coordinates).
fn given(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl<'a> ApiGroups<'a> {
    pub(crate) fn new(engine: &'a Engine, memory: &'a Memory) -> Self {
        ApiGroups { engine, memory }
    }

    /// [`Self::asset`], once per client and group instance (failures are
    /// not kept).
    pub async fn asset_shared(
        self,
        org: &str,
        env: &str,
        group_instance_id: i64,
    ) -> Result<(ApiGroupInstance, GroupAsset), ApiError> {
        let cell = self
            .memory
            .group_asset_read(instance_key(org, env, group_instance_id));
        cell.get_or_try_init(|| self.asset(org, env, group_instance_id))
            .await
            .cloned()
    }

    /// [`Self::tiers`], once per client and group instance (failures are
    /// not kept).
    pub async fn tiers_shared(
        self,
        org: &str,
        env: &str,
        group_instance_id: i64,
    ) -> Result<Vec<Tier>, ApiError> {
        let cell = self
            .memory
            .group_tiers_read(instance_key(org, env, group_instance_id));
        cell.get_or_try_init(|| self.tiers(org, env, group_instance_id))
            .await
            .cloned()
    }

    /// `GET /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{id}`.
    pub async fn get_instance(
        self,
        org: &str,
        env: &str,
        group_instance_id: i64,
    ) -> Result<ApiGroupInstance, ApiError> {
        let id = group_instance_id.to_string();
        let req = self
            .engine
            .request(Method::GET, &paths::group_instance(org, env, &id, &[]), &[]);
        self.engine.call_json(&req).await
    }

    /// `GET …/groupInstances/{id}/tiers?offset=&limit=` → `{"total","tiers":[…]}`, all pages.
    pub async fn tiers(
        self,
        org: &str,
        env: &str,
        group_instance_id: i64,
    ) -> Result<Vec<Tier>, ApiError> {
        let id = group_instance_id.to_string();
        tier_pages(
            self.engine,
            &paths::group_instance(org, env, &id, &["tiers"]),
        )
        .await
    }

    /// The Exchange asset of an API group instance. Whether the group
    /// instance carries its asset coordinates is unconfirmed, so they are
    /// read from it first; only those it lacks are read from its group
    /// (`GET …/groups/{groupId}`: `assetGroupId`, `assetId`) and the group's
    /// version (`…/versions/{groupVersionId}`: `assetVersion`,
    /// `productVersion`). Returns the instance too.
    pub async fn asset(
        self,
        org: &str,
        env: &str,
        group_instance_id: i64,
    ) -> Result<(ApiGroupInstance, GroupAsset), ApiError> {
        let gi = self.get_instance(org, env, group_instance_id).await?;
        let mut group_id = given(gi.asset_group_id.clone());
        let mut asset_id = given(gi.asset_id.clone());
        let mut version = given(gi.asset_version.clone());
        let mut product_version = given(gi.product_version.clone());
        if group_id.is_none() || asset_id.is_none() {
            if let Some(g) = gi.group_id {
                let g = g.to_string();
                let req = self
                    .engine
                    .request(Method::GET, &paths::api_group(org, &g, &[]), &[]);
                let group: ApiGroupRecord = self.engine.call_json(&req).await?;
                group_id = group_id.or(given(group.asset_group_id));
                asset_id = asset_id.or(given(group.asset_id));
            }
        }
        if version.is_none() {
            if let (Some(g), Some(v)) = (gi.group_id, gi.group_version_id) {
                let (g, v) = (g.to_string(), v.to_string());
                let req = self.engine.request(
                    Method::GET,
                    &paths::api_group(org, &g, &["versions", &v]),
                    &[],
                );
                let ver: ApiGroupVersionRecord = self.engine.call_json(&req).await?;
                version = given(ver.asset_version);
                product_version = product_version.or(given(ver.product_version));
            }
        }
        match (group_id, asset_id, version) {
            (Some(group_id), Some(asset_id), Some(version)) => Ok((
                gi,
                GroupAsset {
                    group_id,
                    asset_id,
                    version,
                    product_version,
                },
            )),
            _ => {
                let path =
                    paths::group_instance(org, env, &group_instance_id.to_string(), &[]).join("/");
                Err(ApiError::Decode(ErrorInfo::new(
                    "GET",
                    &format!("/{path}"),
                    Some(200),
                    format!(
                        "API group instance {group_instance_id} reports no Exchange asset \
                         (assetGroupId, assetId, assetVersion), and neither do its group and \
                         version"
                    ),
                )))
            }
        }
    }
}
