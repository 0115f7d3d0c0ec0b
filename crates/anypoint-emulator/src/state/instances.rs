//! Environments and API instances beyond the seeded ones, and API Manager's
//! API search (`GET …/environments/{env}/apis`).
//!
//! Added environments and instances are not persisted (like users: the
//! seed is made again at every start); `reset` drops them.

use serde_json::{json, Value};

use super::validate::*;
use super::*;
use crate::BUSINESS_GROUP_ID;

const ENVIRONMENT_TYPES: [&str; 3] = ["production", "sandbox", "design"];

impl State {
    /// Add an environment named `name` (names need not be unique) of type
    /// `production`, `sandbox` or `design` to the root organization or the
    /// business group (`None` = the root). Returns it.
    pub fn add_environment(
        &mut self,
        name: &str,
        env_type: &str,
        organization_id: Option<&str>,
    ) -> Result<&Environment, Reply> {
        if name.trim().is_empty() {
            return Err(bad("name (a non-empty string) is required."));
        }
        if !ENVIRONMENT_TYPES.contains(&env_type) {
            return Err(bad(format!(
                "type {env_type:?} is not one of {}.",
                ENVIRONMENT_TYPES.join(", ")
            )));
        }
        let org = organization_id.unwrap_or(&self.org_id).to_owned();
        if org != self.org_id && org != BUSINESS_GROUP_ID {
            return Err(bad(format!(
                "organizationId {org} is neither the root organization {} nor its business \
                 group {BUSINESS_GROUP_ID}.",
                self.org_id
            )));
        }
        self.environments.push(Environment {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_owned(),
            env_type: env_type.to_owned(),
            organization_id: org,
        });
        Ok(&self.environments[self.environments.len() - 1])
    }

    /// Add an API instance; it gets the next instance id, its tiers the next
    /// tier ids, and it shares its parent API id (and, unless given, its
    /// asset name) with the instances of the same asset. Returns it.
    pub fn add_api_instance(&mut self, new: NewApiInstance) -> Result<&ApiInstance, Reply> {
        let root = self.org_id.clone();
        if !self
            .environments
            .iter()
            .any(|e| e.id == new.environment_id && e.organization_id == root)
        {
            return Err(bad(format!(
                "environmentId {} is not an environment of the root organization {root} (the \
                 business group holds no API instances).",
                new.environment_id
            )));
        }
        for (field, value) in [
            ("assetId", &new.asset_id),
            ("assetVersion", &new.asset_version),
            ("productVersion", &new.product_version),
        ] {
            if value.trim().is_empty() {
                return Err(bad(format!("{field} must be a non-empty string.")));
            }
        }
        if let Some(t) = new.tiers.iter().find(|t| t.name.trim().is_empty()) {
            return Err(bad(format!("every tier needs a name ({t:?}).")));
        }
        let group_id = new.group_id.unwrap_or_else(|| root.clone());
        let id = self.instances.iter().map(|i| i.id).max().unwrap_or(0) + 1;
        let same_asset = self
            .instances
            .iter()
            .find(|i| i.group_id == group_id && i.asset_id == new.asset_id);
        let asset_name = new
            .asset_name
            .or_else(|| same_asset.map(|i| i.asset_name.clone()))
            .unwrap_or_else(|| new.asset_id.clone());
        let legacy_api_id = same_asset.map(|i| i.legacy_api_id).unwrap_or_else(|| {
            self.instances
                .iter()
                .map(|i| i.legacy_api_id)
                .max()
                .unwrap_or(0)
                + 1
        });
        let tiers = self.number_tiers(new.tiers);
        self.instances.push(ApiInstance {
            id,
            legacy_api_id,
            environment_id: new.environment_id,
            group_id,
            asset_name,
            asset_id: new.asset_id,
            asset_version: new.asset_version,
            product_version: new.product_version,
            instance_label: new.instance_label,
            tiers,
        });
        Ok(&self.instances[self.instances.len() - 1])
    }

    /// `GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis`:
    /// the environment's instances grouped by asset (each asset with all
    /// its matching instances), ordered by asset name; `offset` and `limit`
    /// (default 100, at most 250) count assets, and so does `total`.
    /// `assetId`, `groupId`, `assetVersion`, `productVersion` and
    /// `instanceLabel` match exactly (as parts, without case, under
    /// `api-search-loose`); `query` matches part of the asset's name or id
    /// or the label, without case.
    pub fn search_instances(&self, org: &str, env: &str, query: &Query) -> Outcome {
        if !self
            .environments
            .iter()
            .any(|e| e.id == env && e.organization_id == org)
        {
            return Err(Reply::error(
                404,
                format!("The environment {env} cannot be found."),
            ));
        }
        let (offset, limit) = paging(query, 100, 250)?;
        let loose = self.on(Variant::ApiSearchLoose);
        let fits = |key: &str, value: Option<&str>| match query.get(key).filter(|w| !w.is_empty()) {
            None => true,
            Some(wanted) => value.is_some_and(|v| {
                if loose {
                    v.to_lowercase().contains(&wanted.to_lowercase())
                } else {
                    v == wanted
                }
            }),
        };
        let text = query
            .get("query")
            .map(|q| q.to_lowercase())
            .filter(|q| !q.is_empty());
        let mut assets: Vec<Vec<&ApiInstance>> = Vec::new();
        for inst in self.instances.iter().filter(|i| i.environment_id == env) {
            let label = inst.instance_label.as_deref();
            let hit = fits("groupId", Some(&inst.group_id))
                && fits("assetId", Some(&inst.asset_id))
                && fits("assetVersion", Some(&inst.asset_version))
                && fits("productVersion", Some(&inst.product_version))
                && fits("instanceLabel", label)
                && text.as_ref().is_none_or(|t| {
                    [Some(inst.asset_name.as_str()), Some(&inst.asset_id), label]
                        .into_iter()
                        .flatten()
                        .any(|f| f.to_lowercase().contains(t.as_str()))
                });
            if !hit {
                continue;
            }
            match assets
                .iter_mut()
                .find(|a| a[0].legacy_api_id == inst.legacy_api_id)
            {
                Some(apis) => apis.push(inst),
                None => assets.push(vec![inst]),
            }
        }
        assets.sort_by(|a, b| {
            (&a[0].asset_name, a[0].legacy_api_id).cmp(&(&b[0].asset_name, b[0].legacy_api_id))
        });
        let page: Vec<Value> = assets
            .iter()
            .skip(offset)
            .take(limit)
            .map(|apis| self.search_asset_json(org, apis))
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "total": assets.len(), "assets": page }),
        ))
    }

    /// One asset of the search answer, with its instances.
    fn search_asset_json(&self, org: &str, apis: &[&ApiInstance]) -> Value {
        let first = apis[0];
        let created = json!({ "created": { "date": "2024-01-01T00:00:00.000Z" }, "updated": {} });
        let items: Vec<Value> = apis
            .iter()
            .enumerate()
            .map(|(n, i)| {
                json!({
                    "audit": created,
                    "masterOrganizationId": self.org_id,
                    "organizationId": org,
                    "id": i.id,
                    "instanceLabel": i.instance_label,
                    "autodiscoveryInstanceName": format!("v1:{}", i.id),
                    "assetVersion": i.asset_version,
                    "productVersion": i.product_version,
                    "description": "",
                    "tags": [],
                    "order": n + 1,
                    "deprecated": false,
                    "lastActiveDate": null,
                    "endpointUri": format!("https://{}.example.com/api", i.asset_id),
                    "environmentId": i.environment_id,
                    "pinned": false,
                    "activeContractsCount": self
                        .contracts
                        .values()
                        .filter(|c| c.target.api() == Some(i.id) && c.status == "APPROVED")
                        .count(),
                })
            })
            .collect();
        json!({
            "audit": created,
            "masterOrganizationId": self.org_id,
            "organizationId": org,
            "id": first.legacy_api_id,
            "name": first.asset_name,
            "groupId": first.group_id,
            "assetId": first.asset_id,
            "apis": items,
            "totalApis": apis.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(st: &State, pairs: &[(&str, &str)]) -> Vec<(String, Vec<i64>)> {
        let q: Query = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let body = st
            .search_instances("org", crate::ENVIRONMENT_ID, &q)
            .unwrap()
            .body
            .unwrap();
        body["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let ids = a["apis"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_i64().unwrap())
                    .collect();
                (a["assetId"].as_str().unwrap().to_owned(), ids)
            })
            .collect()
    }

    #[test]
    fn filters_match_exactly_unless_the_search_is_loose() {
        let mut st = State::new("org");
        let eu = st
            .add_api_instance(NewApiInstance {
                instance_label: Some("orders-eu".into()),
                ..NewApiInstance::new("orders-api")
            })
            .unwrap()
            .id;
        let orders = crate::API_INSTANCE_ORDERS;
        assert_eq!(
            search(&st, &[("assetId", "orders-api")]),
            vec![("orders-api".to_owned(), vec![orders, eu])]
        );
        assert!(search(&st, &[("assetId", "orders")]).is_empty());
        assert!(search(&st, &[("assetId", "Orders-API")]).is_empty());
        assert_eq!(
            search(
                &st,
                &[("assetId", "orders-api"), ("instanceLabel", "orders-eu")]
            ),
            vec![("orders-api".to_owned(), vec![eu])]
        );
        st.variants.set(Variant::ApiSearchLoose, true);
        assert_eq!(
            search(&st, &[("assetId", "Orders")]),
            vec![("orders-api".to_owned(), vec![orders, eu])]
        );
        assert_eq!(
            search(&st, &[("instanceLabel", "-eu")]),
            vec![("orders-api".to_owned(), vec![eu])]
        );
    }

    #[test]
    fn an_asset_shares_its_parent_api_id_and_ids_are_new() {
        let mut st = State::new("org");
        let mut new = NewApiInstance::new("orders-api");
        new.tiers = vec![NewTier::new("Gold", true), NewTier::new("Gold", false)];
        let inst = st.add_api_instance(new).unwrap().clone();
        assert_eq!(inst.legacy_api_id, 30001, "the orders asset's parent API");
        assert_eq!(inst.id, crate::API_INSTANCE_CATALOG + 1);
        let tier_ids: Vec<i64> = inst.tiers.iter().map(|t| t.id).collect();
        assert_eq!(
            tier_ids,
            vec![
                crate::TIER_ORDERS_SILVER_DEPRECATED + 1,
                crate::TIER_ORDERS_SILVER_DEPRECATED + 2
            ]
        );
        let other = st
            .add_api_instance(NewApiInstance::new("billing-api"))
            .unwrap();
        assert_eq!(other.legacy_api_id, 30004);
        let refused = st.add_api_instance(NewApiInstance {
            environment_id: crate::BUSINESS_GROUP_ID.into(),
            ..NewApiInstance::new("x")
        });
        assert_eq!(refused.err().map(|r| r.status), Some(400));
    }
}
