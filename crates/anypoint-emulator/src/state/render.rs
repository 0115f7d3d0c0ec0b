//! JSON shapes of stored objects, as the platform's endpoints return them.

use serde_json::{json, Value};

use super::*;

/// An unset or `""` text field as a list item shows it: null.
fn list_text(v: &Option<String>) -> Value {
    match v {
        Some(s) if !s.is_empty() => json!(s),
        _ => Value::Null,
    }
}

impl State {
    /// A `description` or `url` as a read by id shows it: null when unset
    /// (or `""`) by default; `""` when unset under `put-keeps-null`, as in
    /// the one real capture.
    fn text_by_id(&self, v: &Option<String>) -> Value {
        if self.on(Variant::PutKeepsNull) {
            json!(v.as_deref().unwrap_or(""))
        } else {
            list_text(v)
        }
    }

    /// The full application object, as GET-by-id returns it.
    pub fn app_json(&self, app: &App, with_owners: bool) -> Value {
        let mut v = self.app_whole_json(app, with_owners);
        v["description"] = self.text_by_id(&app.description);
        v["url"] = self.text_by_id(&app.url);
        v
    }

    /// A whole application as a `targetAdminSite=true` list item: no
    /// owners, and null for an unset or `""` text field.
    pub(super) fn app_list_json(&self, app: &App) -> Value {
        self.app_whole_json(app, false)
    }

    fn app_whole_json(&self, app: &App, with_owners: bool) -> Value {
        let owners: Vec<Value> = app
            .owners
            .iter()
            .map(|id| match self.user(id) {
                Some(u) => u.owner_json(),
                None => json!({ "id": id, "type": "user" }),
            })
            .collect();
        let first = app.owners.first().and_then(|id| self.user(id));
        let mut v = json!({
            "audit": self.audit_json(&app.created, app.updated.as_deref()),
            "masterOrganizationId": app.master_organization_id,
            "id": app.id,
            "name": app.name,
            "description": list_text(&app.description),
            "coreServicesId": app.client_id,
            "url": list_text(&app.url),
            "clientId": app.client_id,
            "clientSecret": app.client_secret,
            "clientProvider": { "providerId": null },
            "redirectUri": app.redirect_uri,
            "grantTypes": app.grant_types,
            "owner": first.map(User::display_name).unwrap_or_else(|| "N/A".to_owned()),
            "email": first.map(|u| u.email.clone()).unwrap_or_else(|| "N/A".to_owned()),
        });
        if with_owners {
            v["owners"] = Value::Array(owners);
        }
        v
    }

    /// A list item: no clientId, clientSecret or owners.
    pub(super) fn app_summary_json(&self, app: &App) -> Value {
        json!({
            "audit": self.audit_json(&app.created, app.updated.as_deref()),
            "masterOrganizationId": app.master_organization_id,
            "id": app.id,
            "name": app.name,
            "description": list_text(&app.description),
            "coreServicesId": app.client_id,
            "url": list_text(&app.url),
        })
    }

    pub(super) fn audit_json(&self, created: &str, updated: Option<&str>) -> Value {
        json!({
            "created": { "date": created },
            "updated": match updated { Some(d) => json!({ "date": d }), None => json!({}) },
        })
    }

    pub(super) fn tier_full(&self, id: Option<i64>) -> Value {
        id.and_then(|id| self.tier(id))
            .map(Tier::full_json)
            .unwrap_or(Value::Null)
    }

    pub(super) fn tier_short(&self, id: Option<i64>) -> Value {
        id.and_then(|id| self.tier(id))
            .map(Tier::short_json)
            .unwrap_or(Value::Null)
    }

    /// The API Platform v2 shape (`GET …/applications/{id}/contracts`).
    pub fn contract_platform_json(&self, c: &Contract) -> Value {
        let api_id = match c.target {
            Target::Api { api_instance_id } => api_instance_id,
            Target::Group { group_instance_id } => {
                return self.group_contract_platform_json(c, group_instance_id)
            }
        };
        let inst = self.instance(api_id);
        json!({
            "audit": self.audit_json(&c.created, c.updated.as_deref()),
            "organizationId": self.org_id,
            "id": c.id,
            "status": c.status,
            "tier": self.tier_short(c.tier_id),
            "requestedTier": self.tier_short(c.requested_tier_id),
            "apiVersion": {
                "id": api_id,
                "apiId": inst.map(|i| i.legacy_api_id),
                "name": inst.map(|i| i.product_version.as_str()),
                "api": {
                    "id": inst.map(|i| i.legacy_api_id),
                    "name": inst.map(|i| i.asset_name.as_str()),
                    "exchangeAssetName": inst.map(|i| i.asset_id.as_str()),
                },
            },
            "applicationId": c.application_id,
            "apiId": api_id,
        })
    }

    /// The Exchange v2 shape (create and tier change answers). For a group
    /// contract `api` is one of the group's API instances, as in Exchange's
    /// documented answer to an API group request (`api_groups`).
    pub(super) fn contract_exchange_json(&self, c: &Contract) -> Value {
        let client_id = self
            .apps
            .get(&c.application_id)
            .map(|a| a.client_id.clone());
        json!({
            "id": c.id,
            "status": c.status,
            "applicationId": c.application_id,
            "clientId": client_id,
            "tier": self.tier_full(c.tier_id),
            "requestedTier": self.tier_full(c.requested_tier_id),
            "api": match c.target {
                Target::Api { api_instance_id } => json!({ "id": api_instance_id }),
                Target::Group { group_instance_id } => self.groups.member_api_json(group_instance_id),
            },
        })
    }

    /// The API Manager v1 shape: an API instance's contract, or an API
    /// group instance's (`api_groups`).
    pub(super) fn contract_manager_json(&self, c: &Contract) -> Value {
        let api_id = match c.target {
            Target::Api { api_instance_id } => api_instance_id,
            Target::Group { group_instance_id } => {
                return self.group_contract_manager_json(c, group_instance_id)
            }
        };
        let mut v = self.contract_manager_common_json(c);
        v["apiId"] = json!(api_id);
        v["api"] = json!({ "id": api_id });
        v
    }

    /// What API Manager shows of any contract.
    pub(super) fn contract_manager_common_json(&self, c: &Contract) -> Value {
        let app = self.apps.get(&c.application_id);
        json!({
            "audit": self.audit_json(&c.created, c.updated.as_deref()),
            "masterOrganizationId": self.org_id,
            "organizationId": self.org_id,
            "id": c.id,
            "status": c.status,
            "approvedDate": c.approved_date,
            "rejectedDate": c.rejected_date,
            "revokedDate": c.revoked_date,
            "applicationId": c.application_id,
            "application": app.map(|a| json!({
                "id": a.id,
                "name": a.name,
                "description": list_text(&a.description),
                "coreServicesId": a.client_id,
            })),
            "tierId": c.tier_id,
            "tier": self.tier_full(c.tier_id),
            "requestedTierId": c.requested_tier_id,
            "requestedTier": self.tier_full(c.requested_tier_id),
        })
    }

    /// The API instance GET answer; `apiId` (the parent API id) only under
    /// `instance-with-api-id`, as real captures carry none.
    pub fn instance_json(&self, inst: &ApiInstance) -> Value {
        let mut v = json!({
            "id": inst.id,
            "organizationId": self.org_id,
            "masterOrganizationId": self.org_id,
            "environmentId": inst.environment_id,
            "groupId": inst.group_id,
            "assetId": inst.asset_id,
            "assetVersion": inst.asset_version,
            "productVersion": inst.product_version,
            "instanceLabel": inst.instance_label,
            "technology": "mule4",
            "status": "active",
            "endpointUri": format!("https://{}.example.com/api", inst.asset_id),
            "audit": { "created": { "date": "2024-01-01T00:00:00.000Z" }, "updated": {} },
        });
        if self.on(Variant::InstanceWithApiId) {
            if let Some(m) = v.as_object_mut() {
                m.insert("apiId".to_owned(), json!(inst.legacy_api_id));
            }
        }
        v
    }

    /// The instance with its tiers (those that exist in this mode), for the
    /// control handle.
    pub fn instance_with_tiers_json(&self, inst: &ApiInstance) -> Value {
        let mut v = self.instance_json(inst);
        v["tiers"] = Value::Array(self.tiers_of(inst).map(Tier::full_json).collect());
        v
    }
}
