//! API instances (API Manager), their SLA tiers, and the Exchange asset
//! versions they run. The `*_shared` reads are made once per client
//! (`memory.rs`): what a contract request checks of its instance.

use reqwest::Method;

use crate::error::{ApiError, ErrorInfo};
use crate::memory::{instance_key, Memory};
use crate::models::{
    ApiInstance, AssetInfo, AssetVersion, InstanceSearch, InstanceSearchPage, ListedInstance, Tier,
    TierPage,
};
use crate::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use crate::paths;
use crate::send::Engine;

/// Assets per page of API Manager's search: its documented default (the
/// documented maximum is not known; paging follows `total`).
pub const SEARCH_PAGE_SIZE: u32 = 100;

/// API instances and their assets:
/// [`AnypointClient::api_instances`](crate::AnypointClient::api_instances).
#[derive(Clone, Copy)]
pub struct ApiInstances<'a> {
    engine: &'a Engine,
    memory: &'a Memory,
}

impl<'a> ApiInstances<'a> {
    pub(crate) fn new(engine: &'a Engine, memory: &'a Memory) -> Self {
        ApiInstances { engine, memory }
    }

    /// [`Self::get`], once per client and instance (failures are not kept).
    pub async fn get_shared(
        self,
        org: &str,
        env: &str,
        api_id: i64,
    ) -> Result<ApiInstance, ApiError> {
        let cell = self.memory.instance_read(instance_key(org, env, api_id));
        cell.get_or_try_init(|| self.get(org, env, api_id))
            .await
            .cloned()
    }

    /// [`Self::tiers`], once per client and instance (failures are not kept).
    pub async fn tiers_shared(
        self,
        org: &str,
        env: &str,
        api_id: i64,
    ) -> Result<Vec<Tier>, ApiError> {
        let cell = self.memory.tiers_read(instance_key(org, env, api_id));
        cell.get_or_try_init(|| self.tiers(org, env, api_id))
            .await
            .cloned()
    }

    /// [`Self::asset_info`], once per client and asset version (failures
    /// are not kept).
    pub async fn asset_info_shared(
        self,
        group_id: &str,
        asset_id: &str,
        version: &str,
    ) -> Result<AssetInfo, ApiError> {
        let cell = self.memory.asset_read(group_id, asset_id, version);
        cell.get_or_try_init(|| self.asset_info(group_id, asset_id, version))
            .await
            .cloned()
    }

    /// `GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{apiId}`.
    pub async fn get(self, org: &str, env: &str, api_id: i64) -> Result<ApiInstance, ApiError> {
        let api = api_id.to_string();
        let req = self
            .engine
            .request(Method::GET, &paths::api_manager(org, env, &api, &[]), &[]);
        self.engine.call_json(&req).await
    }

    /// API Manager's search, `GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis?assetId=&groupId=&assetVersion=&instanceLabel=&offset=&limit=`
    /// → `{"total","assets":[{…,"apis":[…]}]}`: the instances of every
    /// page, each with its asset's coordinates. `offset`, `limit` and
    /// `total` count assets (each comes with all its instances); were
    /// `total` to count instances, the listing would still end at the first
    /// empty page.
    pub async fn search(
        self,
        org: &str,
        env: &str,
        wanted: &InstanceSearch,
    ) -> Result<Vec<ListedInstance>, ApiError> {
        let mut filters: Vec<(&str, String)> = Vec::new();
        for (key, value) in [
            ("assetId", &wanted.asset_id),
            ("groupId", &wanted.group_id),
            ("assetVersion", &wanted.asset_version),
            ("instanceLabel", &wanted.instance_label),
        ] {
            if let Some(v) = value {
                filters.push((key, v.clone()));
            }
        }
        let filters = filters.as_slice();
        let assets = collect_pages(SEARCH_PAGE_SIZE, |offset, limit| async move {
            let mut query = filters.to_vec();
            query.push(("offset", offset.to_string()));
            query.push(("limit", limit.to_string()));
            let req = self
                .engine
                .request(Method::GET, &paths::api_manager_apis(org, env), &query);
            let page: InstanceSearchPage = self.engine.call_json(&req).await?;
            Ok(Page {
                items: page.assets,
                total: page.total.and_then(|t| u64::try_from(t).ok()),
            })
        })
        .await?;
        Ok(assets
            .into_iter()
            .flat_map(|a| a.into_instances())
            .collect())
    }

    /// `GET …/apis/{apiId}/tiers?offset=&limit=` → `{"total","tiers":[…]}`, all pages.
    pub async fn tiers(self, org: &str, env: &str, api_id: i64) -> Result<Vec<Tier>, ApiError> {
        let api = api_id.to_string();
        tier_pages(self.engine, &paths::api_manager(org, env, &api, &["tiers"])).await
    }

    /// `GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}` → its `versionGroup`.
    pub async fn asset_version_group(
        self,
        group_id: &str,
        asset_id: &str,
        version: &str,
    ) -> Result<String, ApiError> {
        Ok(self
            .asset_info(group_id, asset_id, version)
            .await?
            .version_group)
    }

    /// `GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}` → its
    /// `versionGroup` and organization (`organization.id`, else `organizationId`).
    pub async fn asset_info(
        self,
        group_id: &str,
        asset_id: &str,
        version: &str,
    ) -> Result<AssetInfo, ApiError> {
        let req = self
            .engine
            .request(Method::GET, &paths::asset(group_id, asset_id, version), &[]);
        let reply = self.engine.call(&req).await?;
        let asset: AssetVersion = self.engine.decode(&req, &reply)?;
        let organization_id = asset
            .organization
            .and_then(|o| o.id)
            .or(asset.organization_id)
            .filter(|o| !o.is_empty());
        let version_group = asset
            .version_group
            .filter(|g| !g.is_empty())
            .ok_or_else(|| {
                ApiError::Decode(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    "the asset version has no versionGroup".to_owned(),
                ))
            })?;
        Ok(AssetInfo {
            version_group,
            organization_id,
        })
    }
}

/// The tiers at `path` (an API instance's or an API group instance's):
/// `GET path?offset=&limit=` → `{"total","tiers":[…]}`, all pages.
pub(crate) async fn tier_pages(engine: &Engine, path: &[&str]) -> Result<Vec<Tier>, ApiError> {
    collect_pages(MAX_PAGE_SIZE, |offset, limit| async move {
        let req = engine.request(
            Method::GET,
            path,
            &[("offset", offset.to_string()), ("limit", limit.to_string())],
        );
        let page: TierPage = engine.call_json(&req).await?;
        Ok(Page {
            items: page.tiers,
            total: page.total.and_then(|t| u64::try_from(t).ok()),
        })
    })
    .await
}
