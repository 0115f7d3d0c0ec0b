//! API groups (API Manager): API instances offered together as one
//! Exchange asset (the data: `groups`), read, requested and administered.
//!
//! An application holds at most one contract with a group instance, as with
//! an API instance: requested through Exchange (`instanceType: "api-group"`
//! with `apiGroupInstanceId`), ended through API Manager's
//! `…/groupInstances/{id}/contracts/{id}` (no legacy API Platform path).
//! Where the platform's answers are unconfirmed the variants decide:
//! - which field of the application's contract list names the group
//!   instance (`groupInstanceId` by default, as both of API Manager's group
//!   contract examples carry it; `groupInstance{id}`, `groupInstances{id}`
//!   or `apiGroupInstanceId` under their variants); `apiVersion` is null;
//! - whether the group instance GET carries the asset coordinates (by
//!   default, as the OAS's list of a version's instances does; under
//!   `group-instance-without-asset` only the group and its version do).
//!
//! Exchange's answer to a group request carries, as `api`, one of the
//! group's API instances, as its documented example does.

use serde_json::{json, Map, Value};

use super::contracts::{accepted_terms, check_asset};
use super::groups::{ApiGroup, GroupInstance, GroupVersion, NewGroupInstance, NewTier};
use super::validate::*;
use super::*;

impl State {
    /// The group instance and tier of an `instanceType: "api-group"`
    /// request: `apiGroupInstanceId` names it (never `apiId`), and the asset
    /// coordinates are those of the group's Exchange asset.
    pub(super) fn group_request(
        &self,
        body: &Map<String, Value>,
        admin: bool,
    ) -> Result<(Target, Option<Tier>), Reply> {
        if body.get("apiId").is_some_and(|v| !v.is_null()) {
            return Err(bad(
                "apiId names an API instance; an api-group request names its group instance \
                 with apiGroupInstanceId",
            ));
        }
        let id = int_field(body, "apiGroupInstanceId")?.ok_or_else(|| {
            bad("apiGroupInstanceId (the API group instance id) is required for instanceType api-group")
        })?;
        accepted_terms(body)?;
        let gi = self
            .groups
            .instance(id)
            .ok_or_else(|| group_instance_not_found(&id.to_string()))?;
        let (group, version) = self
            .groups
            .parents(gi)
            .ok_or_else(|| group_instance_not_found(&id.to_string()))?;
        let what = format!("API group instance {id}");
        let asset = [
            ("organizationId", self.org_id.as_str()),
            ("groupId", self.org_id.as_str()),
            ("assetId", group.asset_id.as_str()),
            ("version", version.asset_version.as_str()),
            ("versionGroup", version.product_version.as_str()),
        ];
        check_asset(body, &what, asset, &gi.environment_id)?;
        let tier = self.requested_tier(body, &gi.tiers, &what, admin)?;
        Ok((
            Target::Group {
                group_instance_id: id,
            },
            tier,
        ))
    }

    // ---------------------------------------------------- API Manager

    fn group_instance_in_env(&self, env: &str, key: &str) -> Result<&GroupInstance, Reply> {
        key.parse::<i64>()
            .ok()
            .and_then(|id| self.groups.instance(id))
            .filter(|g| g.environment_id == env)
            .ok_or_else(|| group_instance_not_found(key))
    }

    fn contract_of_group_instance(&self, group_instance: i64, key: &str) -> Result<i64, Reply> {
        key.parse::<i64>()
            .ok()
            .filter(|id| {
                self.contracts
                    .get(id)
                    .is_some_and(|c| c.target.group() == Some(group_instance))
            })
            .ok_or_else(|| contract_not_found(key))
    }

    /// `GET …/groups/{groupId}`: the group with its versions and their
    /// instances.
    pub fn get_api_group(&self, key: &str) -> Outcome {
        key.parse::<i64>()
            .ok()
            .and_then(|id| self.groups.group(id))
            .map(|g| Reply::ok(200, self.api_group_json(g)))
            .ok_or_else(|| Reply::error(404, format!("The API group {key} cannot be found.")))
    }

    /// `GET …/groups/{groupId}/versions/{groupVersionId}`.
    pub fn get_api_group_version(&self, group_key: &str, version_key: &str) -> Outcome {
        let group = group_key
            .parse::<i64>()
            .ok()
            .and_then(|id| self.groups.group(id))
            .ok_or_else(|| {
                Reply::error(404, format!("The API group {group_key} cannot be found."))
            })?;
        version_key
            .parse::<i64>()
            .ok()
            .and_then(|id| group.versions.iter().find(|v| v.id == id))
            .map(|v| Reply::ok(200, self.group_version_json(group, v)))
            .ok_or_else(|| {
                Reply::error(
                    404,
                    format!("The version {version_key} of API group {group_key} cannot be found."),
                )
            })
    }

    /// `GET …/environments/{env}/groupInstances/{id}`.
    pub fn get_group_instance(&self, env: &str, key: &str) -> Outcome {
        let gi = self.group_instance_in_env(env, key)?;
        Ok(Reply::ok(200, self.group_instance_json(gi)))
    }

    /// `GET …/groupInstances/{id}/tiers`: `{"total","tiers"}` in API
    /// Manager's group tier shape.
    pub fn list_group_tiers(&self, env: &str, key: &str, query: &Query) -> Outcome {
        let gi = self.group_instance_in_env(env, key)?;
        let active_only = parse_bool(query, "active")?.unwrap_or(false);
        let tiers: Vec<Value> = gi
            .tiers
            .iter()
            .filter(|t| !(active_only && t.deprecated))
            .map(|t| self.group_tier_json(gi, t))
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "total": tiers.len(), "tiers": tiers }),
        ))
    }

    pub fn list_group_contracts(&self, env: &str, key: &str, query: &Query) -> Outcome {
        let gid = self.group_instance_in_env(env, key)?.id;
        let (offset, limit) = paging(query, 100, 250)?;
        let all: Vec<&Contract> = self
            .contracts
            .values()
            .filter(|c| c.target.group() == Some(gid))
            .collect();
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

    pub fn get_group_contract(&self, env: &str, key: &str, contract_key: &str) -> Outcome {
        let gid = self.group_instance_in_env(env, key)?.id;
        let cid = self.contract_of_group_instance(gid, contract_key)?;
        Ok(Reply::ok(
            200,
            self.contract_manager_json(&self.contracts[&cid]),
        ))
    }

    /// `PATCH …/groupInstances/{id}/contracts/{id}` with
    /// `{"status":"REVOKED"}` (200), by the same rules (and variants) as an
    /// API instance's revoke.
    pub fn patch_group_contract(
        &mut self,
        env: &str,
        key: &str,
        contract_key: &str,
        body: &Map<String, Value>,
    ) -> Outcome {
        let gid = self.group_instance_in_env(env, key)?.id;
        let cid = self.contract_of_group_instance(gid, contract_key)?;
        match body.get("status") {
            Some(Value::String(s)) if s.eq_ignore_ascii_case("REVOKED") => {}
            _ => {
                return Err(bad(
                    "the emulator supports only {\"status\":\"REVOKED\"} on this PATCH",
                ))
            }
        }
        self.revoke(cid, 200)
    }

    /// `DELETE …/groupInstances/{id}/contracts/{id}` (204), by the same rule
    /// as an API instance's.
    pub fn delete_group_contract(&mut self, env: &str, key: &str, contract_key: &str) -> Outcome {
        let gid = self.group_instance_in_env(env, key)?.id;
        let cid = self.contract_of_group_instance(gid, contract_key)?;
        self.remove_contract_by_rule(cid)
    }

    /// The Exchange asset of an API group version, if `group`/`asset`/`version`
    /// name one.
    pub(super) fn group_asset_json(
        &self,
        group: &str,
        asset: &str,
        version: &str,
    ) -> Option<Value> {
        if group != self.org_id {
            return None;
        }
        self.groups.groups().find_map(|g| {
            let v = g
                .versions
                .iter()
                .find(|v| g.asset_id == asset && v.asset_version == version)?;
            Some(json!({
                "groupId": group,
                "assetId": g.asset_id,
                "version": v.asset_version,
                "versionGroup": v.product_version,
                "name": g.name,
                "organizationId": self.org_id,
                "type": "api-group",
                "status": "published",
            }))
        })
    }

    // ------------------------------------------------------ admin

    /// The Exchange body the provider would send for group instance `id`
    /// (without a tier), for a contract the admin routes create.
    pub(crate) fn group_request_body(&self, id: i64) -> Result<Map<String, Value>, Reply> {
        let gi = self
            .groups
            .instance(id)
            .ok_or_else(|| group_instance_not_found(&id.to_string()))?;
        let (group, version) = self
            .groups
            .parents(gi)
            .ok_or_else(|| group_instance_not_found(&id.to_string()))?;
        let v = json!({
            "apiGroupInstanceId": id,
            "instanceType": "api-group",
            "acceptedTerms": true,
            "organizationId": self.org_id,
            "groupId": self.org_id,
            "assetId": group.asset_id,
            "version": version.asset_version,
            "versionGroup": version.product_version,
            "environmentId": gi.environment_id,
        });
        Ok(v.as_object().cloned().unwrap_or_default())
    }

    /// Add an API group with one version and its instances (the admin
    /// routes and the handle): `{"name", "assetId", "assetVersion"?,
    /// "productVersion"?, "instances"?: [<instance>]}`, an instance as
    /// [`State::add_group_instance`] takes it. Answers 201 with the group
    /// (its instances with their tiers).
    pub fn add_api_group(&mut self, body: &Map<String, Value>) -> Outcome {
        let text = |key: &str, default: Option<&str>| -> Result<String, Reply> {
            match (body.get(key), default) {
                (Some(Value::String(s)), _) if !s.trim().is_empty() => Ok(s.clone()),
                (None | Some(Value::Null), Some(d)) => Ok(d.to_owned()),
                _ => Err(bad(format!(
                    "{key} is required and must be a non-empty string"
                ))),
            }
        };
        let name = text("name", None)?;
        let asset_id = text("assetId", None)?;
        let asset_version = text("assetVersion", Some("1.0.0"))?;
        let product_version = text("productVersion", Some("v1"))?;
        if self.groups.groups().any(|g| g.asset_id == asset_id) {
            return Err(Reply::error(
                409,
                format!("An API group with assetId {asset_id} already exists."),
            ));
        }
        let instances = match body.get("instances") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err(bad("instances must be an array of objects")),
        };
        // Check every instance before adding anything.
        let mut parsed = Vec::new();
        for item in &instances {
            match item {
                Value::Object(m) => parsed.push(self.parse_group_instance(m)?),
                _ => return Err(bad("instances must be an array of objects")),
            }
        }
        let (group_id, version_id) =
            self.groups
                .insert_group(name, asset_id, asset_version, product_version);
        for p in parsed {
            self.groups.insert_instance(group_id, version_id, p);
        }
        let group = self.groups.group(group_id).cloned();
        Ok(Reply::ok(
            201,
            group.map_or(Value::Null, |g| self.api_group_admin_json(&g)),
        ))
    }

    /// Add an instance of API group `group_key` (its first version):
    /// `{"environmentId"?, "label"?, "apiInstances": [id…], "tiers"?:
    /// [{"name", "autoApprove"?, "description"?, "limits"?: [{
    /// "timePeriodInMilliseconds", "maximumRequests"}]}]}`. Answers 201
    /// with the instance and its tiers.
    pub fn add_group_instance(&mut self, group_key: &str, body: &Map<String, Value>) -> Outcome {
        let (group_id, version_id) = group_key
            .parse::<i64>()
            .ok()
            .and_then(|id| self.groups.group(id))
            .and_then(|g| g.versions.first().map(|v| (g.id, v.id)))
            .ok_or_else(|| {
                Reply::error(404, format!("The API group {group_key} cannot be found."))
            })?;
        let parsed = self.parse_group_instance(body)?;
        let id = self.groups.insert_instance(group_id, version_id, parsed);
        let gi = self.groups.instance(id).cloned();
        Ok(Reply::ok(
            201,
            gi.map_or(Value::Null, |g| self.group_instance_with_tiers_json(&g)),
        ))
    }

    fn parse_group_instance(&self, b: &Map<String, Value>) -> Result<NewGroupInstance, Reply> {
        if let Some(k) = b
            .keys()
            .find(|k| !["environmentId", "label", "apiInstances", "tiers"].contains(&k.as_str()))
        {
            return Err(bad(format!(
                "unknown field {k:?}; a group instance takes environmentId, label, apiInstances, tiers"
            )));
        }
        let environment_id = match b.get("environmentId") {
            None | Some(Value::Null) => ENVIRONMENT_ID.to_owned(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad("environmentId must be a string")),
        };
        let known = self
            .list_environments(&self.org_id)
            .ok()
            .and_then(|r| r.body)
            .map(|b| b["data"].as_array().cloned().unwrap_or_default())
            .unwrap_or_default();
        if !known.iter().any(|e| e["id"] == json!(environment_id)) {
            return Err(bad(format!(
                "environmentId {environment_id} is not an environment of the organization"
            )));
        }
        let label = match opt_text(b, "label")? {
            Text::Given(s) if !s.is_empty() => Some(s),
            _ => None,
        };
        let api_instances: Vec<i64> =
            match b.get("apiInstances") {
                Some(Value::Array(items)) if !items.is_empty() => items
                    .iter()
                    .map(|v| {
                        v.as_i64()
                            .filter(|id| self.instance(*id).is_some())
                            .ok_or_else(|| {
                                bad(format!(
                                    "apiInstances: {v} is not the id of an API instance"
                                ))
                            })
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err(bad(
                    "apiInstances is required: the ids of the member API instances (e.g. [40001])",
                )),
            };
        let tiers = match b.get("tiers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(parse_tier)
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(bad("tiers must be an array of objects")),
        };
        Ok(NewGroupInstance {
            environment_id,
            label,
            api_instances,
            tiers,
        })
    }

    // ---------------------------------------------------- rendering

    fn api_group_json(&self, g: &ApiGroup) -> Value {
        json!({
            "id": g.id,
            "name": g.name,
            "masterOrganizationId": self.org_id,
            "organizationId": self.org_id,
            "assetGroupId": self.org_id,
            "assetId": g.asset_id,
            "versions": g.versions.iter().map(|v| self.group_version_json(g, v)).collect::<Vec<_>>(),
            "audit": { "created": { "date": "2024-01-01T00:00:00.000Z" }, "updated": {} },
        })
    }

    fn group_version_json(&self, g: &ApiGroup, v: &GroupVersion) -> Value {
        let instances: Vec<Value> = self
            .groups
            .instances()
            .filter(|i| i.group_version_id == v.id)
            .map(|i| self.group_instance_json(i))
            .collect();
        json!({
            "id": v.id,
            "groupId": g.id,
            "name": v.name,
            "masterOrganizationId": self.org_id,
            "organizationId": self.org_id,
            "assetVersion": v.asset_version,
            "productVersion": v.product_version,
            "instances": instances,
            "audit": { "created": { "date": "2024-01-01T00:00:00.000Z" }, "updated": {} },
        })
    }

    /// The group instance GET answer: the asset coordinates unless
    /// `group-instance-without-asset`.
    pub(crate) fn group_instance_json(&self, gi: &GroupInstance) -> Value {
        let parents = self.groups.parents(gi);
        let with_asset = !self.on(Variant::GroupInstanceWithoutAsset);
        let coordinate = |f: &dyn Fn(&ApiGroup, &GroupVersion) -> String| -> Value {
            match parents {
                Some((g, v)) if with_asset => json!(f(g, v)),
                _ => Value::Null,
            }
        };
        json!({
            "audit": { "created": { "date": "2024-01-01T00:00:00.000Z" }, "updated": {} },
            "id": gi.id,
            "groupId": gi.group_id,
            "groupVersionId": gi.group_version_id,
            "masterOrganizationId": self.org_id,
            "organizationId": self.org_id,
            "environmentId": gi.environment_id,
            "assetGroupId": coordinate(&|_, _| self.org_id.clone()),
            "assetId": coordinate(&|g, _| g.asset_id.clone()),
            "assetVersion": coordinate(&|_, v| v.asset_version.clone()),
            "productVersion": coordinate(&|_, v| v.product_version.clone()),
            "groupInstanceLabel": gi.label,
            "status": "ACTIVE",
            "deprecated": false,
            "groupName": parents.map(|(g, _)| g.name.clone()),
            "groupVersionName": parents.map(|(_, v)| v.name.clone()),
            "apiInstances": gi.api_instances.iter()
                .map(|id| json!({ "id": id, "groupInstanceId": gi.id }))
                .collect::<Vec<_>>(),
        })
    }

    /// The instance with its tiers, for the admin routes and the handle.
    pub(crate) fn group_instance_with_tiers_json(&self, gi: &GroupInstance) -> Value {
        let mut v = self.group_instance_json(gi);
        v["tiers"] = gi
            .tiers
            .iter()
            .map(|t| self.group_tier_json(gi, t))
            .collect();
        v
    }

    /// A group with its versions and their instances (with tiers), for the
    /// admin routes and the handle.
    pub(crate) fn api_group_admin_json(&self, g: &ApiGroup) -> Value {
        let mut v = self.api_group_json(g);
        if let Some(versions) = v["versions"].as_array_mut() {
            for version in versions {
                let ids: Vec<i64> = version["instances"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
                    .unwrap_or_default();
                version["instances"] = ids
                    .iter()
                    .filter_map(|id| self.groups.instance(*id))
                    .map(|gi| self.group_instance_with_tiers_json(gi))
                    .collect();
            }
        }
        v
    }

    /// API Manager's group tier shape: the limits apply to each member.
    fn group_tier_json(&self, gi: &GroupInstance, t: &Tier) -> Value {
        let limits: Vec<Value> = t
            .limits
            .iter()
            .map(|(period, max)| {
                json!({ "timePeriodInMilliseconds": period, "maximumRequests": max, "visible": true })
            })
            .collect();
        let applications = self
            .contracts
            .values()
            .filter(|c| c.target.group() == Some(gi.id) && c.tier_id == Some(t.id))
            .count();
        json!({
            "masterOrganizationId": self.org_id,
            "organizationId": self.org_id,
            "id": t.id,
            "groupInstanceId": gi.id,
            "name": t.name,
            "description": t.description,
            "defaultLimits": limits,
            "limitsByApi": gi.api_instances.iter()
                .map(|api| json!({ "apiId": api, "limits": limits }))
                .collect::<Vec<_>>(),
            "status": t.status(),
            "autoApprove": t.auto_approve,
            "applicationCount": applications,
        })
    }

    /// A group contract in the application's contract list: no
    /// `apiVersion`, and the group instance in the field the variants
    /// choose.
    pub(super) fn group_contract_platform_json(&self, c: &Contract, group_instance: i64) -> Value {
        let mut v = json!({
            "audit": self.audit_json(&c.created, c.updated.as_deref()),
            "organizationId": self.org_id,
            "id": c.id,
            "status": c.status,
            "tier": self.tier_short(c.tier_id),
            "requestedTier": self.tier_short(c.requested_tier_id),
            "apiVersion": null,
            "apiVersionId": null,
            "applicationId": c.application_id,
        });
        let reference = || self.group_instance_ref_json(group_instance);
        let (key, value) = if self.on(Variant::GroupContractGroupInstance) {
            ("groupInstance", reference())
        } else if self.on(Variant::GroupContractGroupInstances) {
            ("groupInstances", reference())
        } else if self.on(Variant::GroupContractApiGroupInstanceId) {
            ("apiGroupInstanceId", json!(group_instance))
        } else {
            ("groupInstanceId", json!(group_instance))
        };
        v[key] = value;
        v
    }

    /// The group instance as a contract embeds it.
    fn group_instance_ref_json(&self, id: i64) -> Value {
        let gi = self.groups.instance(id);
        json!({
            "id": id,
            "groupId": gi.map(|g| g.group_id),
            "groupVersionId": gi.map(|g| g.group_version_id),
            "organizationId": self.org_id,
            "environmentId": gi.map(|g| g.environment_id.clone()),
            "groupInstanceLabel": gi.and_then(|g| g.label.clone()),
        })
    }

    /// API Manager's group contract shape (groupInstanceContractsRetrieve).
    pub(super) fn group_contract_manager_json(&self, c: &Contract, group_instance: i64) -> Value {
        let mut v = self.contract_manager_common_json(c);
        v["terms"] = Value::Null;
        v["groupInstanceId"] = json!(group_instance);
        v["groupInstances"] = self.group_instance_ref_json(group_instance);
        v["partyId"] = Value::Null;
        v["partyName"] = Value::Null;
        v["condition"] = json!("GROUP");
        v
    }
}

/// `{"name", "autoApprove"? (true), "description"?, "limits"?}`.
fn parse_tier(v: &Value) -> Result<NewTier, Reply> {
    let Value::Object(t) = v else {
        return Err(bad("tiers must be an array of objects"));
    };
    let name = match t.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(bad("each tier needs a name (a non-empty string)")),
    };
    let auto_approve = match t.get("autoApprove") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("autoApprove must be a boolean")),
    };
    let description = match t.get("description") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(bad("description must be a string")),
    };
    let limits = match t.get("limits") {
        None | Some(Value::Null) => vec![(60_000, 100)],
        Some(Value::Array(items)) => items
            .iter()
            .map(|l| {
                let n = |k: &str| l.get(k).and_then(Value::as_u64).filter(|n| *n > 0);
                n("timePeriodInMilliseconds")
                    .zip(n("maximumRequests"))
                    .ok_or_else(|| {
                        bad("each limit needs timePeriodInMilliseconds and maximumRequests (positive integers)")
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("limits must be an array of objects")),
    };
    Ok((name, description, auto_approve, limits))
}

fn group_instance_not_found(key: &str) -> Reply {
    Reply::error(
        404,
        format!("The API group instance {key} cannot be found."),
    )
}
