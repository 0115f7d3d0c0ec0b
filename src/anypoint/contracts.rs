//! Contracts (an application's access to an API instance), API instances,
//! their tiers, and Exchange asset versions.

use reqwest::Method;
use serde_json::Value;

use super::client::{AnypointClient, Replay};
use super::error::{ApiError, ErrorInfo};
use super::models::{ApiInstance, AssetVersion, Contract, NewContract, Tier, TierPage};
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
    /// `GET /apiplatform/repository/v2/organizations/{org}/applications/{id}/contracts`
    /// (a bare array).
    pub async fn list_contracts(&self, org: &str, app_id: i64) -> Result<Vec<Contract>, ApiError> {
        let id = app_id.to_string();
        let req = self.request(
            Method::GET,
            &[
                "apiplatform",
                "repository",
                "v2",
                "organizations",
                org,
                "applications",
                &id,
                "contracts",
            ],
            &[],
        );
        let reply = self.call(&req).await?;
        let v: Value = self.decode(&req, &reply)?;
        contracts_from(v).ok_or_else(|| {
            ApiError::Decode(ErrorInfo::new(
                req.method.as_str(),
                &req.path,
                Some(reply.status.as_u16()),
                "expected a list of contracts".to_owned(),
            ))
        })
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
    /// (201). Refusals are retried. After an ambiguous failure the
    /// application's contracts are listed: a live (not revoked or rejected)
    /// contract for the same API instance is the one our attempt made;
    /// otherwise a transient failure is retried. A 409 after an ambiguous
    /// attempt is looked up the same way; a 409 on the first attempt is
    /// returned (a contract the caller did not know about).
    pub async fn create_contract(
        &self,
        org: &str,
        app_id: i64,
        new: &NewContract,
    ) -> Result<Contract, ApiError> {
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
        let mut state = RetryState::default();
        loop {
            let failure = match self.send(&req, Replay::IfRefused, &mut state).await {
                Ok(reply) => {
                    return match self.decode::<Contract>(&req, &reply) {
                        Ok(created) => Ok(created),
                        // Created, but the answer cannot be read: list it.
                        Err(mut unreadable) => {
                            if let Some(info) = unreadable.info_mut() {
                                info.outcome_unknown = true;
                            }
                            match self
                                .find_contract_for_instance(org, app_id, new.api_id)
                                .await
                            {
                                Ok(Some(found)) => Ok(found),
                                Err(e) if e.is_cancelled() => Err(e),
                                Ok(None) | Err(_) => Err(unreadable),
                            }
                        }
                    };
                }
                Err(f) => f,
            };
            let conflict_after_ambiguous = state.saw_ambiguous && failure.error.is_conflict();
            if !(failure.is_ambiguous() || conflict_after_ambiguous) {
                return Err(failure.error);
            }
            state.saw_ambiguous = true;
            tracing::debug!(path = %req.path, "the contract create may have been applied: listing contracts");
            match self
                .find_contract_for_instance(org, app_id, new.api_id)
                .await
            {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(e) if e.is_cancelled() => return Err(e),
                Err(_) => return Err(failure.error),
            }
            if !failure.is_retryable() {
                return Err(failure.error);
            }
            self.pause(&req, &mut state, failure)
                .await
                .map_err(|f| f.error)?;
        }
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

    /// `POST …/apis/{apiId}/contracts/{contractId}/revoke` (API Manager v1).
    /// Revoking is state-setting, so it is retried like a PUT; a 409 that
    /// follows an ambiguous attempt means that attempt already revoked it,
    /// and counts as success.
    pub async fn revoke_contract(
        &self,
        org: &str,
        env: &str,
        api_id: i64,
        contract_id: i64,
    ) -> Result<(), ApiError> {
        let api = api_id.to_string();
        let cid = contract_id.to_string();
        let req = self
            .request(
                Method::POST,
                &api_manager(org, env, &api, &["contracts", &cid, "revoke"]),
                &[],
            )
            .json(&serde_json::json!({}))?;
        let mut state = RetryState::default();
        match self.send(&req, Replay::Always, &mut state).await {
            Ok(_) => Ok(()),
            Err(f) if state.saw_ambiguous && f.error.is_conflict() => Ok(()),
            Err(f) => Err(f.error),
        }
    }

    /// `DELETE …/apis/{apiId}/contracts/{contractId}` (204). Retried; 404 is
    /// `NotFound`.
    pub async fn delete_contract(
        &self,
        org: &str,
        env: &str,
        api_id: i64,
        contract_id: i64,
    ) -> Result<(), ApiError> {
        let api = api_id.to_string();
        let cid = contract_id.to_string();
        let req = self.request(
            Method::DELETE,
            &api_manager(org, env, &api, &["contracts", &cid]),
            &[],
        );
        self.call(&req).await.map(drop)
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
        let req = self.request(
            Method::GET,
            &[
                "exchange", "api", "v2", "assets", group_id, asset_id, version,
            ],
            &[],
        );
        let reply = self.call(&req).await?;
        let asset: AssetVersion = self.decode(&req, &reply)?;
        asset
            .version_group
            .filter(|g| !g.is_empty())
            .ok_or_else(|| {
                ApiError::Decode(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    "the asset version has no versionGroup".to_owned(),
                ))
            })
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
