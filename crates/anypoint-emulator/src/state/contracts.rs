//! Contracts between applications and API instances, API Manager's view of
//! them, and the Exchange assets behind the instances.

use serde_json::{json, Map, Value};

use super::validate::*;
use super::*;

impl State {
    /// One page (`offset`, `limit` ≤ 250, default 100) of the application's
    /// contracts, a bare array in id order.
    pub fn app_contracts(&self, key: &str, query: &Query) -> Outcome {
        let id = self.resolve_app(key)?;
        let (offset, limit) = paging(query, 100, 250)?;
        Ok(Reply::ok(
            200,
            Value::Array(
                self.contracts_of(id)
                    .skip(offset)
                    .take(limit)
                    .map(|c| self.contract_platform_json(c))
                    .collect(),
            ),
        ))
    }

    pub fn contracts_of(&self, app_id: i64) -> impl Iterator<Item = &Contract> {
        self.contracts
            .values()
            .filter(move |c| c.application_id == app_id)
    }

    // -------------------------------------------------------- contracts

    pub fn create_contract(&mut self, app_key: &str, body: &Map<String, Value>) -> Outcome {
        self.create_contract_as(app_key, body, false)
    }

    /// Create a contract; `admin` (the control routes) may place it on a
    /// deprecated tier, as a contract made before the tier was deprecated.
    /// `instanceType` `api` names an API instance (`apiId`), `api-group` an
    /// API group instance (`apiGroupInstanceId`); either way the asset
    /// coordinates must be those of its Exchange asset, and the tier one of
    /// its tiers.
    pub fn create_contract_as(
        &mut self,
        app_key: &str,
        body: &Map<String, Value>,
        admin: bool,
    ) -> Outcome {
        let app_id = self.resolve_app(app_key)?;
        let (target, tier) = match body.get("instanceType") {
            Some(Value::String(s)) if s == "api" => self.api_request(body, admin)?,
            Some(Value::String(s)) if s == "api-group" => self.group_request(body, admin)?,
            _ => {
                return Err(bad(
                    "instanceType is required and must be \"api\" or \"api-group\"",
                ))
            }
        };
        // One contract per application and instance at any time: an ended
        // (revoked or rejected) one must be deleted before a new request.
        let block_ended = self.ended_contracts_block;
        if let Some(c) = self
            .contracts_of(app_id)
            .find(|c| c.target == target && (block_ended || c.is_live()))
        {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!(
                        "The application {app_id} already has contract {} ({}) with {}.",
                        c.id, c.status, target.describe()
                    ),
                }),
            ));
        }
        let now = now_stamp();
        let auto = tier.as_ref().is_none_or(|t| t.auto_approve);
        let id = self.next_contract_id;
        self.next_contract_id += 1;
        let contract = Contract {
            id,
            application_id: app_id,
            target,
            status: if auto { "APPROVED" } else { "PENDING" }.to_owned(),
            tier_id: if auto {
                tier.as_ref().map(|t| t.id)
            } else {
                None
            },
            requested_tier_id: if auto {
                None
            } else {
                tier.as_ref().map(|t| t.id)
            },
            created: now.clone(),
            updated: None,
            approved_date: auto.then_some(now),
            rejected_date: None,
            revoked_date: None,
        };
        let body = self.contract_exchange_json(&contract);
        self.contracts.insert(id, contract);
        Ok(Reply::ok(201, body))
    }

    /// The API instance and tier of an `instanceType: "api"` request.
    fn api_request(
        &self,
        body: &Map<String, Value>,
        admin: bool,
    ) -> Result<(Target, Option<Tier>), Reply> {
        let api_id = int_field(body, "apiId")?
            .ok_or_else(|| bad("apiId (the API instance id) is required"))?;
        accepted_terms(body)?;
        let inst = self.instance(api_id).cloned().ok_or_else(|| {
            Reply::error(404, format!("The API instance {api_id} cannot be found."))
        })?;
        let what = format!("API instance {api_id}");
        let asset = [
            ("organizationId", self.org_id.as_str()),
            ("groupId", inst.group_id.as_str()),
            ("assetId", inst.asset_id.as_str()),
            ("version", inst.asset_version.as_str()),
            ("versionGroup", inst.product_version.as_str()),
        ];
        check_asset(body, &what, asset, &inst.environment_id)?;
        let tiers: Vec<Tier> = self.tiers_of(&inst).cloned().collect();
        let tier = self.requested_tier(body, &tiers, &what, admin)?;
        Ok((
            Target::Api {
                api_instance_id: api_id,
            },
            tier,
        ))
    }

    /// The tier a request names: required exactly when there are tiers, and
    /// one of them (see [`State::tier_among`]).
    pub(super) fn requested_tier(
        &self,
        body: &Map<String, Value>,
        tiers: &[Tier],
        what: &str,
        admin: bool,
    ) -> Result<Option<Tier>, Reply> {
        let requested = int_field(body, "requestedTierId")?;
        match (tiers.is_empty(), requested) {
            (true, None) => Ok(None),
            (true, Some(t)) => Err(bad(format!(
                "{what} has no SLA tiers, so requestedTierId {t} is invalid"
            ))),
            (false, None) => Err(bad(format!(
                "requestedTierId is required: {what} has SLA tiers"
            ))),
            (false, Some(t)) => self.tier_among(tiers, what, t, admin).map(Some),
        }
    }

    pub fn change_contract_tier(
        &mut self,
        app_key: &str,
        contract_key: &str,
        body: &Map<String, Value>,
    ) -> Outcome {
        let app_id = self.resolve_app(app_key)?;
        let cid = contract_key
            .parse::<i64>()
            .ok()
            .filter(|id| {
                self.contracts
                    .get(id)
                    .is_some_and(|c| c.application_id == app_id)
            })
            .ok_or_else(|| contract_not_found(contract_key))?;
        let tier_id = int_field(body, "requestedTierId")?
            .ok_or_else(|| bad("requestedTierId is required"))?;
        let contract = &self.contracts[&cid];
        if !contract.is_live() {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!("The contract {cid} is {}.", contract.status),
                }),
            ));
        }
        let target = contract.target;
        let on_it_already = contract.tier_id == Some(tier_id);
        let tiers = self
            .tiers_of_target(target)
            .ok_or_else(|| contract_not_found(contract_key))?;
        // The tier a contract already sits on keeps working even if it is
        // deprecated; a change to a deprecated tier is refused.
        let tier = self.tier_among(&tiers, &target.describe(), tier_id, on_it_already)?;
        let now = now_stamp();
        let c = self
            .contracts
            .get_mut(&cid)
            .ok_or_else(|| contract_not_found(contract_key))?;
        if tier.auto_approve {
            c.tier_id = Some(tier.id);
            c.requested_tier_id = None;
            if c.status == "PENDING" {
                c.status = "APPROVED".to_owned();
                c.approved_date = Some(now.clone());
            }
        } else if c.tier_id == Some(tier.id) {
            c.requested_tier_id = None;
        } else {
            c.requested_tier_id = Some(tier.id);
        }
        c.updated = Some(now);
        Ok(Reply::ok(
            200,
            self.contract_exchange_json(&self.contracts[&cid]),
        ))
    }

    /// Approve, reject, revoke or reset a contract behind the API's back.
    /// Set a contract's creation date; false for an unknown contract.
    pub fn backdate_contract(&mut self, id: i64, created: &str) -> bool {
        match self.contracts.get_mut(&id) {
            Some(c) => {
                c.created = created.to_owned();
                true
            }
            None => false,
        }
    }

    pub fn set_contract_status(&mut self, id: i64, status: &str) -> bool {
        let now = now_stamp();
        let Some(c) = self.contracts.get_mut(&id) else {
            return false;
        };
        match status {
            "APPROVED" => {
                if let Some(t) = c.requested_tier_id.take() {
                    c.tier_id = Some(t);
                }
                c.approved_date = Some(now.clone());
            }
            "REJECTED" => {
                c.requested_tier_id = None;
                c.rejected_date = Some(now.clone());
            }
            "REVOKED" => {
                c.requested_tier_id = None;
                c.revoked_date = Some(now.clone());
            }
            "PENDING" => {}
            _ => return false,
        }
        c.status = status.to_owned();
        c.updated = Some(now);
        true
    }

    /// Reject a tier change waiting for approval: the tier in force stays.
    /// False for an unknown contract or one with no change waiting.
    pub fn reject_tier_change(&mut self, id: i64) -> bool {
        let Some(c) = self.contracts.get_mut(&id) else {
            return false;
        };
        if c.status != "APPROVED" || c.requested_tier_id.is_none() {
            return false;
        }
        c.requested_tier_id = None;
        c.updated = Some(now_stamp());
        true
    }

    // ------------------------------------------------------ API Manager

    pub(super) fn instance_in_env(&self, env: &str, api_key: &str) -> Result<&ApiInstance, Reply> {
        if !self.environments.iter().any(|e| e.id == env) {
            return Err(Reply::error(
                404,
                format!("The environment {env} cannot be found."),
            ));
        }
        api_key
            .parse::<i64>()
            .ok()
            .and_then(|id| self.instance(id))
            .filter(|i| i.environment_id == env)
            .ok_or_else(|| {
                Reply::error(404, format!("The API instance {api_key} cannot be found."))
            })
    }

    pub(super) fn contract_of_instance(
        &self,
        inst_id: i64,
        contract_key: &str,
    ) -> Result<i64, Reply> {
        contract_key
            .parse::<i64>()
            .ok()
            .filter(|id| {
                self.contracts
                    .get(id)
                    .is_some_and(|c| c.target.api() == Some(inst_id))
            })
            .ok_or_else(|| contract_not_found(contract_key))
    }

    pub fn get_instance(&self, env: &str, api_key: &str) -> Outcome {
        let inst = self.instance_in_env(env, api_key)?;
        Ok(Reply::ok(200, self.instance_json(inst)))
    }

    /// The instance's tiers; `?active=true` leaves DEPRECATED ones out.
    pub fn list_tiers(&self, env: &str, api_key: &str, query: &Query) -> Outcome {
        let inst = self.instance_in_env(env, api_key)?;
        let active_only = parse_bool(query, "active")?.unwrap_or(false);
        let tiers: Vec<Value> = self
            .tiers_of(inst)
            .filter(|t| !(active_only && t.deprecated))
            .map(Tier::full_json)
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "total": tiers.len(), "tiers": tiers }),
        ))
    }

    /// Tier `id` of `inst` for a new contract or a tier change (see
    /// [`State::tier_among`]).
    #[cfg(test)]
    pub(super) fn tier_for_new_contract(
        &self,
        inst: &ApiInstance,
        id: i64,
        allow_deprecated: bool,
    ) -> Result<Tier, Reply> {
        let tiers: Vec<Tier> = self.tiers_of(inst).cloned().collect();
        self.tier_among(
            &tiers,
            &format!("API instance {}", inst.id),
            id,
            allow_deprecated,
        )
    }

    /// Tier `id` among `tiers` (those of `what` that exist in this mode) for
    /// a new contract or a tier change: 400 when it is not one of them, or
    /// when it is deprecated (unless `allow_deprecated`).
    pub(super) fn tier_among(
        &self,
        tiers: &[Tier],
        what: &str,
        id: i64,
        allow_deprecated: bool,
    ) -> Result<Tier, Reply> {
        let tier = tiers
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .ok_or_else(|| bad(format!("Tier {id} is not a tier of {what}")))?;
        if tier.deprecated && !allow_deprecated {
            return Err(bad(format!(
                "Tier {id} ({}) of {what} is deprecated: it takes no new contracts.",
                tier.name
            )));
        }
        Ok(tier)
    }

    /// The tiers (existing in this mode) of what a contract gives access to.
    fn tiers_of_target(&self, target: Target) -> Option<Vec<Tier>> {
        match target {
            Target::Api { api_instance_id } => self
                .instance(api_instance_id)
                .map(|i| self.tiers_of(i).cloned().collect()),
            Target::Group { group_instance_id } => self
                .groups
                .instance(group_instance_id)
                .map(|g| g.tiers.clone()),
        }
    }

    pub fn list_instance_contracts(&self, env: &str, api_key: &str, query: &Query) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        self.contract_page(query, |c| c.target.api() == Some(inst_id))
    }

    /// One page (`offset`, `limit` ≤ 250) of the contracts `on` keeps, as
    /// API Manager lists them: `{"total":N,"contracts":[…]}`.
    pub(super) fn contract_page(&self, query: &Query, on: impl Fn(&Contract) -> bool) -> Outcome {
        let (offset, limit) = paging(query, 100, 250)?;
        let all: Vec<&Contract> = self.contracts.values().filter(|c| on(c)).collect();
        let page: Vec<Value> = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|c| self.contract_manager_json(c))
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "total": all.len(), "contracts": page }),
        ))
    }

    pub fn get_instance_contract(&self, env: &str, api_key: &str, contract_key: &str) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        Ok(Reply::ok(
            200,
            self.contract_manager_json(&self.contracts[&cid]),
        ))
    }

    /// `PATCH …/apis/{api}/contracts/{id}` with `{"status":"REVOKED"}` (200).
    /// Any other body is 400: the emulator implements only the revoke.
    pub fn patch_instance_contract(
        &mut self,
        env: &str,
        api_key: &str,
        contract_key: &str,
        body: &Map<String, Value>,
    ) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        self.revoke_by_patch(cid, body)
    }

    /// An API Manager contract PATCH: `{"status":"REVOKED"}` revokes (200);
    /// any other body is 400, as the emulator implements only the revoke.
    pub(super) fn revoke_by_patch(&mut self, cid: i64, body: &Map<String, Value>) -> Outcome {
        match body.get("status") {
            Some(Value::String(s)) if s.eq_ignore_ascii_case("REVOKED") => self.revoke(cid, 200),
            _ => Err(bad(
                "the emulator supports only {\"status\":\"REVOKED\"} on this PATCH",
            )),
        }
    }

    /// The instance named by a legacy API Platform v2 path
    /// (`…/apis/{apiId}/versions/{apiVersionId}/…`): `{apiId}` must be its
    /// parent API.
    fn legacy_instance(&self, legacy_api: &str, version_key: &str) -> Result<i64, Reply> {
        version_key
            .parse::<i64>()
            .ok()
            .and_then(|id| self.instance(id))
            .filter(|i| legacy_api.parse::<i64>().ok() == Some(i.legacy_api_id))
            .map(|i| i.id)
            .ok_or_else(|| {
                Reply::error(
                    404,
                    format!("The API version {version_key} of API {legacy_api} cannot be found."),
                )
            })
    }

    /// The legacy API Platform v2
    /// `POST …/apis/{apiId}/versions/{apiVersionId}/contracts/{id}/revoke` (201).
    pub fn legacy_revoke_contract(
        &mut self,
        legacy_api: &str,
        version_key: &str,
        contract_key: &str,
    ) -> Outcome {
        let inst_id = self.legacy_instance(legacy_api, version_key)?;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        self.revoke(cid, 201)
    }

    /// The legacy API Platform v2
    /// `DELETE …/apis/{apiId}/versions/{apiVersionId}/contracts/{id}` (204),
    /// by the same rule as API Manager's delete.
    pub fn legacy_delete_contract(
        &mut self,
        legacy_api: &str,
        version_key: &str,
        contract_key: &str,
    ) -> Outcome {
        let inst_id = self.legacy_instance(legacy_api, version_key)?;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        self.remove_contract_by_rule(cid)
    }

    /// Revoke a contract (answering `status` on success). The variants, in
    /// this order: `revoke-refused` refuses every revoke; an already REVOKED
    /// contract gets 200 under `revoke-again-200` and 400 under
    /// `revoke-again-400`; `revoke-approved-only` refuses any contract that
    /// is not APPROVED; otherwise a REVOKED one gets 409.
    pub(super) fn revoke(&mut self, cid: i64, status: u16) -> Outcome {
        let current = self.contracts[&cid].status.clone();
        if self.on(Variant::RevokeRefused) {
            return Err(bad(format!(
                "The contract {cid} is marked for deletion by an external system. Please delete the contract."
            )));
        }
        if current == "REVOKED" {
            if self.on(Variant::RevokeAgain200) {
                return Ok(Reply::ok(
                    200,
                    self.contract_manager_json(&self.contracts[&cid]),
                ));
            }
            if self.on(Variant::RevokeAgain400) {
                return Err(bad(format!("The contract {cid} is already revoked.")));
            }
        }
        if self.on(Variant::RevokeApprovedOnly) && current != "APPROVED" {
            return Err(bad(format!(
                "The contract {cid} is {current}: only an APPROVED contract can be revoked; delete it instead."
            )));
        }
        if current == "REVOKED" {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!("The contract {cid} is already revoked."),
                }),
            ));
        }
        self.set_contract_status(cid, "REVOKED");
        Ok(Reply::ok(
            status,
            self.contract_manager_json(&self.contracts[&cid]),
        ))
    }

    pub fn delete_contract(&mut self, env: &str, api_key: &str, contract_key: &str) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        self.remove_contract_by_rule(cid)
    }

    /// Delete a contract if the rule allows it (409 otherwise).
    pub(super) fn remove_contract_by_rule(&mut self, cid: i64) -> Outcome {
        // By default only an ended contract can be deleted; under
        // `revoke-approved-only` any but an APPROVED one; under
        // `revoke-refused` any.
        let c = &self.contracts[&cid];
        let must_revoke_first = if self.on(Variant::RevokeRefused) {
            false
        } else if self.on(Variant::RevokeApprovedOnly) {
            c.status == "APPROVED"
        } else {
            c.is_live()
        };
        if must_revoke_first {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!(
                        "The contract {cid} must be revoked before it can be deleted."
                    ),
                }),
            ));
        }
        self.contracts.remove(&cid);
        Ok(Reply::empty(204))
    }

    /// Remove a contract whatever its status (for the control handle).
    pub fn remove_contract(&mut self, id: i64) -> bool {
        self.contracts.remove(&id).is_some()
    }

    pub fn contract(&self, id: i64) -> Option<&Contract> {
        self.contracts.get(&id)
    }
    // ------------------------------------------------- Exchange, users

    /// `GET /exchange/api/v2/assets/{group}/{asset}/{version}`: the asset of
    /// an API instance, or of an API group.
    pub fn get_asset(&self, group: &str, asset: &str, version: &str) -> Outcome {
        if let Some(found) = self.group_asset_json(group, asset, version) {
            return Ok(Reply::ok(200, found));
        }
        self.instances
            .iter()
            .find(|i| i.group_id == group && i.asset_id == asset && i.asset_version == version)
            .map(|i| {
                Reply::ok(
                    200,
                    json!({
                        "groupId": group,
                        "assetId": i.asset_id,
                        "version": i.asset_version,
                        "versionGroup": i.product_version,
                        "name": i.asset_name,
                        "organizationId": self.org_id,
                        "type": "rest-api",
                        "status": "published",
                    }),
                )
            })
            .ok_or_else(|| {
                Reply::error(
                    404,
                    format!("The asset {group}/{asset}/{version} cannot be found."),
                )
            })
    }
}

/// `acceptedTerms`: required, a boolean.
pub(super) fn accepted_terms(body: &Map<String, Value>) -> Result<(), Reply> {
    match body.get("acceptedTerms") {
        Some(Value::Bool(_)) => Ok(()),
        _ => Err(bad("acceptedTerms is required and must be a boolean")),
    }
}

/// The asset coordinates of a request must be those of `what`'s Exchange
/// asset (`expected`), and its `environmentId`, if given, `env`.
pub(super) fn check_asset(
    body: &Map<String, Value>,
    what: &str,
    expected: [(&str, &str); 5],
    env: &str,
) -> Result<(), Reply> {
    for (key, want) in expected {
        match body.get(key) {
            Some(Value::String(s)) if s == want => {}
            Some(Value::String(s)) => {
                return Err(bad(format!(
                    "{key} {s:?} does not match the asset of {what} (expected {want:?})"
                )))
            }
            _ => return Err(bad(format!("{key} is required and must be a string"))),
        }
    }
    match body.get("environmentId") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if s == env => Ok(()),
        Some(_) => Err(bad(format!(
            "environmentId does not match the environment of {what}"
        ))),
    }
}
