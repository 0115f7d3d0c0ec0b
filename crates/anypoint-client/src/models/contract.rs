//! Contracts and SLA tiers.

use serde::{Deserialize, Serialize};

use super::lenient::{
    created_date, lenient_i64, lenient_object, lenient_opt_bool, lenient_opt_i64,
    lenient_opt_string, object_list, Audit,
};

/// An SLA tier.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub description: Option<String>,
    /// `ACTIVE`, `DEPRECATED`.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub auto_approve: Option<bool>,
    #[serde(default, deserialize_with = "object_list")]
    pub limits: Vec<TierLimit>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierLimit {
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub time_period_in_milliseconds: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub maximum_requests: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub visible: Option<bool>,
}

/// `{"total":N,"tiers":[…]}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct TierPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) tiers: Vec<Tier>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

/// `{"total":N,"contracts":[…]}` (an API instance's contract list).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ContractPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) contracts: Vec<Contract>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

/// A contract between an application and an API instance. Any client secret
/// in the response is dropped, never kept.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawContract")]
pub struct Contract {
    pub id: i64,
    /// `APPROVED`, `PENDING`, `REVOKED`, …
    pub status: Option<String>,
    pub application_id: Option<i64>,
    /// The API instance: `apiVersion.id` (the application's contract list,
    /// where a top-level `apiId` could be the parent API's), else `apiId`
    /// (API Manager and Exchange answers), else `api.id`.
    pub api_instance_id: Option<i64>,
    /// The instance's parent API (`apiVersion.apiId`, else
    /// `apiVersion.api.id`): what the legacy API Platform contract paths
    /// take beside the instance id. Only the application's contract list
    /// carries it; API instance answers do not.
    pub parent_api_id: Option<i64>,
    /// `tierId`, else `tier.id`.
    pub tier_id: Option<i64>,
    pub tier: Option<Tier>,
    /// `requestedTierId`, else `requestedTier.id` (a tier change waiting for approval).
    pub requested_tier_id: Option<i64>,
    pub requested_tier: Option<Tier>,
    /// From `audit.created.date`.
    pub created_at: Option<String>,
}

#[derive(Deserialize, Default)]
struct IdOnly {
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    id: Option<i64>,
}

/// `apiVersion` of a contract list item: the instance and its parent API.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ApiVersionRef {
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    api_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_object")]
    api: Option<IdOnly>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContract {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    application_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    api_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_object")]
    api_version: Option<ApiVersionRef>,
    #[serde(default, deserialize_with = "lenient_object")]
    api: Option<IdOnly>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    tier_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_object")]
    tier: Option<Tier>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    requested_tier_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_object")]
    requested_tier: Option<Tier>,
    #[serde(default, deserialize_with = "lenient_object")]
    audit: Option<Audit>,
}

impl From<RawContract> for Contract {
    fn from(r: RawContract) -> Self {
        let version = r.api_version.unwrap_or_default();
        Contract {
            id: r.id,
            status: r.status,
            application_id: r.application_id,
            api_instance_id: version.id.or(r.api_id).or_else(|| r.api.and_then(|v| v.id)),
            parent_api_id: version.api_id.or_else(|| version.api.and_then(|a| a.id)),
            tier_id: r.tier_id.or_else(|| r.tier.as_ref().map(|t| t.id)),
            tier: r.tier,
            requested_tier_id: r
                .requested_tier_id
                .or_else(|| r.requested_tier.as_ref().map(|t| t.id)),
            requested_tier: r.requested_tier,
            created_at: created_date(r.audit),
        }
    }
}

impl Contract {
    fn status_is(&self, status: &str) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(status))
    }

    /// Revoked or rejected: it grants no access, yet holds the
    /// application's one slot for its instance until it is deleted.
    pub fn is_ended(&self) -> bool {
        self.status_is("REVOKED") || self.status_is("REJECTED")
    }

    pub fn is_pending(&self) -> bool {
        self.status_is("PENDING")
    }
}

/// The body of a contract create (Exchange v2). `Default` gives
/// `instanceType: "api"` and `acceptedTerms: false` (terms are accepted only
/// when the caller says so).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContract {
    /// The API instance id.
    pub api_id: i64,
    /// `api` (or `api-group`).
    pub instance_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_tier_id: Option<i64>,
    pub accepted_terms: bool,
    /// The organization of the API's Exchange asset (the asset's
    /// `organization.id`; for an organization's own assets, its group id).
    pub organization_id: String,
    pub group_id: String,
    pub asset_id: String,
    pub version: String,
    pub version_group: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
}

impl Default for NewContract {
    fn default() -> Self {
        NewContract {
            api_id: 0,
            instance_type: "api".to_owned(),
            requested_tier_id: None,
            accepted_terms: false,
            organization_id: String::new(),
            group_id: String::new(),
            asset_id: String::new(),
            version: String::new(),
            version_group: String::new(),
            environment_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contract_shapes() {
        // API Platform list item.
        let c: Contract = serde_json::from_value(json!({
            "id": 10, "status": "APPROVED",
            "tier": {"id": 5, "name": "Gold"}, "requestedTier": null,
            "apiVersion": {"id": 99, "apiId": 1234, "name": "v1"}
        }))
        .unwrap();
        assert_eq!(c.api_instance_id, Some(99));
        assert_eq!(c.parent_api_id, Some(1234));
        assert_eq!(c.tier_id, Some(5));
        assert_eq!(c.requested_tier_id, None);
        // Exchange create response (with a secret, which is dropped).
        let c: Contract = serde_json::from_value(json!({
            "id": 11, "status": "PENDING", "applicationId": 3, "clientId": "x",
            "clientSecret": "drop-me", "api": {"id": 956703},
            "requestedTierId": 7, "tier": {"name": "no id"}
        }))
        .unwrap();
        assert_eq!(c.api_instance_id, Some(956703));
        assert_eq!(c.requested_tier_id, Some(7));
        assert_eq!(c.tier, None);
        assert!(!format!("{c:?}").contains("drop-me"));
        // API Manager shape.
        let c: Contract =
            serde_json::from_value(json!({"id": 12, "apiId": 42, "tierId": 3})).unwrap();
        assert_eq!((c.api_instance_id, c.tier_id), (Some(42), Some(3)));
        assert_eq!(c.parent_api_id, None);
        // A list item with a top-level `apiId` beside `apiVersion`: the
        // instance is `apiVersion.id`.
        let c: Contract = serde_json::from_value(
            json!({"id": 13, "apiId": 7, "apiVersion": {"id": 40001, "api": {"id": 30001}}}),
        )
        .unwrap();
        assert_eq!(
            (c.api_instance_id, c.parent_api_id),
            (Some(40001), Some(30001))
        );
    }
}
