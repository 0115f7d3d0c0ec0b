//! Contracts (an application's access to an API instance), API instances,
//! their tiers, and Exchange asset versions.

use reqwest::Method;
use serde_json::Value;

use super::client::{AnypointClient, ApiRequest, Failure, Replay};
use super::create_once::{CreateOnce, Lookup, Sent};
use super::error::{ApiError, ErrorInfo};
use super::models::{ApiInstance, AssetInfo, AssetVersion, Contract, NewContract, Tier, TierPage};
use super::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use super::retry::RetryState;

/// `apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}` + `tail`.
fn api_manager<'a>(org: &'a str, env: &'a str, api: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "apimanager",
        "api",
        "v1",
        "organizations",
        org,
        "environments",
        env,
        "apis",
        api,
    ];
    v.extend_from_slice(tail);
    v
}

/// Contracts from a list answer: a bare array (documented), or an object
/// with `contracts` or `data`. Items that do not read as contracts are
/// skipped.
fn contracts_from(v: Value) -> Option<Vec<Contract>> {
    let items = match v {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("contracts").or_else(|| map.remove("data")) {
            Some(Value::Array(items)) => items,
            _ => return None,
        },
        _ => return None,
    };
    Some(
        items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
    )
}

/// A contract that no longer grants access: `REVOKED` or `REJECTED`.
fn is_ended(c: &Contract) -> bool {
    c.status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("REVOKED") || s.eq_ignore_ascii_case("REJECTED"))
}

impl AnypointClient {
    /// `GET /apiplatform/repository/v2/organizations/{org}/applications/{id}/contracts?offset=&limit=`
    /// (a bare array, no total; the API instance id is in `apiVersion.id`),
    /// every page: paging stops at a page shorter than the limit.
    pub async fn list_contracts(&self, org: &str, app_id: i64) -> Result<Vec<Contract>, ApiError> {
        let id = app_id.to_string();
        let id = id.as_str();
        collect_pages(MAX_PAGE_SIZE, |offset, limit| async move {
            let req = self.request(
                Method::GET,
                &[
                    "apiplatform",
                    "repository",
                    "v2",
                    "organizations",
                    org,
                    "applications",
                    id,
                    "contracts",
                ],
                &[("offset", offset.to_string()), ("limit", limit.to_string())],
            );
            let reply = self.call(&req).await?;
            let v: Value = self.decode(&req, &reply)?;
            let items = contracts_from(v).ok_or_else(|| {
                ApiError::Decode(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    "expected a list of contracts".to_owned(),
                ))
            })?;
            Ok(Page { items, total: None })
        })
        .await
    }

    /// The application's live contract with API instance `api_id`, if any
    /// (the newest, should there be several). Revoked and rejected contracts
    /// stay in the list until deleted; they are never the one a create just
    /// made, so they are skipped.
    async fn find_contract_for_instance(
        &self,
        org: &str,
        app_id: i64,
        api_id: i64,
    ) -> Result<Option<Contract>, ApiError> {
        Ok(self
            .list_contracts(org, app_id)
            .await?
            .into_iter()
            .filter(|c| c.api_instance_id == Some(api_id) && !is_ended(c))
            .max_by_key(|c| c.id))
    }

    /// `POST /exchange/api/v2/organizations/{org}/applications/{id}/contracts`
    /// (201), by the create-once rule (`create_once.rs`). The look-up lists
    /// the application's contracts: a live (not revoked or rejected)
    /// contract for the same API instance is the one our attempt made (the
    /// newest, should there be several). A 409 on the first attempt is
    /// returned (a contract the caller did not know about).
    pub async fn create_contract(
        &self,
        org: &str,
        app_id: i64,
        new: &NewContract,
    ) -> Result<Contract, ApiError> {
        let _changing = self.changing_contracts(org, app_id);
        let id = app_id.to_string();
        let req = self
            .request(
                Method::POST,
                &[
                    "exchange",
                    "api",
                    "v2",
                    "organizations",
                    org,
                    "applications",
                    &id,
                    "contracts",
                ],
                &[],
            )
            .json(new)?;
        let op = ContractCreate {
            client: self,
            org,
            app_id,
            api_id: new.api_id,
            req,
        };
        self.create_once(&op).await
    }

    /// `PATCH /exchange/api/v2/organizations/{org}/applications/{id}/contracts/{contractId}`
    /// `{"requestedTierId":N}` (200). Setting the requested tier is
    /// idempotent, so it is retried. An empty answer is followed by a list.
    pub async fn change_contract_tier(
        &self,
        org: &str,
        app_id: i64,
        contract_id: i64,
        tier_id: i64,
    ) -> Result<Contract, ApiError> {
        let _changing = self.changing_contracts(org, app_id);
        let id = app_id.to_string();
        let cid = contract_id.to_string();
        let req = self
            .request(
                Method::PATCH,
                &[
                    "exchange",
                    "api",
                    "v2",
                    "organizations",
                    org,
                    "applications",
                    &id,
                    "contracts",
                    &cid,
                ],
                &[],
            )
            .json(&serde_json::json!({ "requestedTierId": tier_id }))?;
        let reply = self.call(&req).await?;
        if !reply.is_blank() {
            return self.decode(&req, &reply);
        }
        self.list_contracts(org, app_id)
            .await?
            .into_iter()
            .find(|c| c.id == contract_id)
            .ok_or_else(|| {
                ApiError::NotFound(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    format!("contract {contract_id} is not among the application's contracts"),
                ))
            })
    }

    /// Revoke a contract. First API Manager's
    /// `PATCH …/apis/{apiId}/contracts/{contractId}` with `{"status":"REVOKED"}`
    /// (KB-001115212); if that path is not served (404 or 405), the legacy
    /// API Platform v2 `POST …/apis/{parentApiId}/versions/{apiId}/contracts/{id}/revoke`
    /// (its parent id read from the API instance). Revoking is
    /// state-setting, so it is retried; a 409 that follows an ambiguous
    /// attempt means that attempt already revoked it, and counts as success.
    /// A 403 names the "Manage Contracts" permission.
    pub async fn revoke_contract(
        &self,
        org: &str,
        env: &str,
        api_id: i64,
        contract_id: i64,
    ) -> Result<(), ApiError> {
        let _changing = self.changing_a_contract();
        let api = api_id.to_string();
        let cid = contract_id.to_string();
        let req = self
            .request(
                Method::PATCH,
                &api_manager(org, env, &api, &["contracts", &cid]),
                &[],
            )
            .json(&serde_json::json!({ "status": "REVOKED" }))?;
        let error = match self.send_state_setting(&req).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let unserved = error.is_not_found() || error.info().is_some_and(|i| i.status == Some(405));
        if !unserved {
            return Err(manage_contracts_hint(error));
        }
        tracing::debug!(path = %req.path, "the API Manager revoke is not served: trying the API Platform one");
        let instance = self.get_api_instance(org, env, api_id).await?;
        let Some(parent) = instance.api_id else {
            return Err(error);
        };
        let parent = parent.to_string();
        let legacy = self
            .request(
                Method::POST,
                &[
                    "apiplatform",
                    "repository",
                    "v2",
                    "organizations",
                    org,
                    "apis",
                    &parent,
                    "versions",
                    &api,
                    "contracts",
                    &cid,
                    "revoke",
                ],
                &[],
            )
            .json(&serde_json::json!({}))?;
        self.send_state_setting(&legacy)
            .await
            .map_err(manage_contracts_hint)
    }

    /// Send a state-setting call, retried like a PUT; a 409 after an
    /// ambiguous attempt is success.
    async fn send_state_setting(&self, req: &ApiRequest) -> Result<(), ApiError> {
        let mut state = RetryState::default();
        match self.send(req, Replay::Always, &mut state).await {
            Ok(_) => Ok(()),
            Err(f) if state.saw_ambiguous && f.error.is_conflict() => Ok(()),
            Err(f) => Err(f.error),
        }
    }

    /// `DELETE …/apis/{apiId}/contracts/{contractId}` (204). Retried; 404 is
    /// `NotFound`; a 403 names the "Manage Contracts" permission.
    pub async fn delete_contract(
        &self,
        org: &str,
        env: &str,
        api_id: i64,
        contract_id: i64,
    ) -> Result<(), ApiError> {
        let _changing = self.changing_a_contract();
        let api = api_id.to_string();
        let cid = contract_id.to_string();
        let req = self.request(
            Method::DELETE,
            &api_manager(org, env, &api, &["contracts", &cid]),
            &[],
        );
        self.call(&req)
            .await
            .map(drop)
            .map_err(manage_contracts_hint)
    }

    /// `GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{apiId}`.
    pub async fn get_api_instance(
        &self,
        org: &str,
        env: &str,
        api_id: i64,
    ) -> Result<ApiInstance, ApiError> {
        let api = api_id.to_string();
        let req = self.request(Method::GET, &api_manager(org, env, &api, &[]), &[]);
        self.call_json(&req).await
    }

    /// `GET …/apis/{apiId}/tiers?offset=&limit=` → `{"total","tiers":[…]}`, all pages.
    pub async fn list_tiers(
        &self,
        org: &str,
        env: &str,
        api_id: i64,
    ) -> Result<Vec<Tier>, ApiError> {
        let api = api_id.to_string();
        let api = api.as_str();
        collect_pages(MAX_PAGE_SIZE, |offset, limit| async move {
            let req = self.request(
                Method::GET,
                &api_manager(org, env, api, &["tiers"]),
                &[("offset", offset.to_string()), ("limit", limit.to_string())],
            );
            let page: TierPage = self.call_json(&req).await?;
            Ok(Page {
                items: page.tiers,
                total: page.total.and_then(|t| u64::try_from(t).ok()),
            })
        })
        .await
    }

    /// `GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}` → its `versionGroup`.
    pub async fn asset_version_group(
        &self,
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
        &self,
        group_id: &str,
        asset_id: &str,
        version: &str,
    ) -> Result<AssetInfo, ApiError> {
        let req = self.request(
            Method::GET,
            &[
                "exchange", "api", "v2", "assets", group_id, asset_id, version,
            ],
            &[],
        );
        let reply = self.call(&req).await?;
        let asset: AssetVersion = self.decode(&req, &reply)?;
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

/// What a 403 on contract administration means.
pub const MANAGE_CONTRACTS_HINT: &str = "revoking and deleting a contract need API Manager's \
     \"Manage Contracts\" permission for the API instance's business group, which the Application \
     Creator scope alone does not give";

/// Add [`MANAGE_CONTRACTS_HINT`] to a 403.
fn manage_contracts_hint(e: ApiError) -> ApiError {
    match e {
        ApiError::Forbidden(mut info) => {
            info.message = format!("{}; {MANAGE_CONTRACTS_HINT}", info.message);
            ApiError::Forbidden(info)
        }
        other => other,
    }
}

/// A contract create.
struct ContractCreate<'a> {
    client: &'a AnypointClient,
    org: &'a str,
    app_id: i64,
    api_id: i64,
    req: ApiRequest,
}

impl CreateOnce for ContractCreate<'_> {
    type Output = Contract;

    fn request(&self) -> &ApiRequest {
        &self.req
    }

    async fn send(&self, state: &mut RetryState) -> Result<Sent<Contract>, Failure> {
        let reply = self.client.send_once(&self.req, state).await?;
        Ok(match self.client.decode::<Contract>(&self.req, &reply) {
            Ok(created) => Sent::Created(created),
            Err(unreadable) => Sent::Unreadable(unreadable),
        })
    }

    async fn look_up(&self, _failure: &ApiError) -> Result<Lookup<Contract>, ApiError> {
        tracing::debug!(path = %self.req.path, "the contract create may have been applied: listing contracts");
        Ok(
            match self
                .client
                .find_contract_for_instance(self.org, self.app_id, self.api_id)
                .await
            {
                Ok(Some(found)) => Lookup::Found(found),
                Ok(None) => Lookup::NotFound,
                Err(e) => Lookup::Failed(e),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contract_list_shapes() {
        let c = contracts_from(json!([{"id": 1}, {"nope": true}, {"id": "2"}])).unwrap();
        assert_eq!(c.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(
            contracts_from(json!({"contracts": [{"id": 3}], "total": 1})).unwrap()[0].id,
            3
        );
        assert_eq!(contracts_from(json!({"data": []})).unwrap().len(), 0);
        assert!(contracts_from(json!({"x": 1})).is_none());
        assert!(contracts_from(json!("text")).is_none());
    }

    #[test]
    fn ended_contracts() {
        let c = |status: Value| -> Contract {
            serde_json::from_value(json!({"id": 1, "status": status})).unwrap()
        };
        assert!(is_ended(&c(json!("REVOKED"))));
        assert!(is_ended(&c(json!("rejected"))));
        assert!(!is_ended(&c(json!("APPROVED"))));
        assert!(!is_ended(&c(json!("PENDING"))));
        assert!(!is_ended(&c(Value::Null)));
    }
}
