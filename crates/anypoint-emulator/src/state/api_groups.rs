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
use super::groups::{ApiGroup, GroupInstance, GroupVersion};
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
        let (gi, group, version) = self.group_instance_with_parents(id)?;
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
        self.contract_page(query, |c| c.target.group() == Some(gid))
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
        self.revoke_by_patch(cid, body)
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

    /// Group instance `id` with its group and version (a 404 if any is
    /// missing).
    fn group_instance_with_parents(
        &self,
        id: i64,
    ) -> Result<(&GroupInstance, &ApiGroup, &GroupVersion), Reply> {
        let missing = || group_instance_not_found(&id.to_string());
        let gi = self.groups.instance(id).ok_or_else(missing)?;
        let (group, version) = self.groups.parents(gi).ok_or_else(missing)?;
        Ok((gi, group, version))
    }

    // ------------------------------------------------------ admin

    /// The Exchange body the provider would send for group instance `id`
    /// (without a tier), for a contract the admin routes create.
    pub(crate) fn group_request_body(&self, id: i64) -> Result<Map<String, Value>, Reply> {
        let (gi, group, version) = self.group_instance_with_parents(id)?;
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

    /// Add an API group with one version and its instances; its id. The
    /// asset id is unique among the groups (409 otherwise), and every
    /// instance is checked before anything is added.
    pub fn add_api_group(&mut self, new: NewApiGroup) -> Result<i64, Reply> {
        for (field, value) in [
            ("name", &new.name),
            ("assetId", &new.asset_id),
            ("assetVersion", &new.asset_version),
            ("productVersion", &new.product_version),
        ] {
            if value.trim().is_empty() {
                return Err(bad(format!("{field} must be a non-empty string.")));
            }
        }
        if self.groups.groups().any(|g| g.asset_id == new.asset_id) {
            return Err(Reply::error(
                409,
                format!("An API group with assetId {} already exists.", new.asset_id),
            ));
        }
        for instance in &new.instances {
            self.check_group_instance(instance)?;
        }
        let ids = self.groups.insert_group(
            new.name,
            new.asset_id,
            new.asset_version,
            new.product_version,
        );
        for instance in new.instances {
            self.insert_group_instance(ids, instance);
        }
        Ok(ids.0)
    }

    /// Add an instance to API group `group_id` (its version); its id.
    pub fn add_api_group_instance(
        &mut self,
        group_id: i64,
        new: NewGroupInstance,
    ) -> Result<i64, Reply> {
        let ids = self
            .groups
            .group(group_id)
            .and_then(|g| g.versions.first().map(|v| (g.id, v.id)))
            .ok_or_else(|| {
                Reply::error(404, format!("The API group {group_id} cannot be found."))
            })?;
        self.check_group_instance(&new)?;
        Ok(self.insert_group_instance(ids, new))
    }

    /// A group instance is in an environment of the root organization, its
    /// members are API instances there, and its tiers have names.
    fn check_group_instance(&self, new: &NewGroupInstance) -> Result<(), Reply> {
        if !self
            .environments
            .iter()
            .any(|e| e.id == new.environment_id && e.organization_id == self.org_id)
        {
            return Err(bad(format!(
                "environmentId {} is not an environment of the root organization {}.",
                new.environment_id, self.org_id
            )));
        }
        if new.api_instances.is_empty() {
            return Err(bad(
                "apiInstances is required: the ids of the member API instances (e.g. [40001]).",
            ));
        }
        for id in &new.api_instances {
            match self.instance(*id) {
                Some(i) if i.environment_id == new.environment_id => {}
                Some(_) => {
                    return Err(bad(format!(
                        "API instance {id} is not in environment {}, the group instance's.",
                        new.environment_id
                    )))
                }
                None => return Err(bad(format!("apiInstances: {id} is not an API instance."))),
            }
        }
        if let Some(t) = new.tiers.iter().find(|t| t.name.trim().is_empty()) {
            return Err(bad(format!("every tier needs a name ({t:?}).")));
        }
        Ok(())
    }

    fn insert_group_instance(&mut self, ids: (i64, i64), new: NewGroupInstance) -> i64 {
        let tiers = self.number_tiers(new.tiers);
        self.groups.insert_instance(
            ids,
            new.environment_id,
            new.label.filter(|l| !l.is_empty()),
            new.api_instances,
            tiers,
        )
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

fn group_instance_not_found(key: &str) -> Reply {
    Reply::error(
        404,
        format!("The API group instance {key} cannot be found."),
    )
}
