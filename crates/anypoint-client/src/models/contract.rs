//! Contracts and SLA tiers.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::lenient::{
    created_date, lenient_i64, lenient_object, lenient_opt_bool, lenient_opt_i64,
    lenient_opt_string, object_list, Audit,
};

/// An SLA tier (of an API instance or an API group instance).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawTier")]
pub struct Tier {
    pub id: i64,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `ACTIVE`, `DEPRECATED`.
    pub status: Option<String>,
    pub auto_approve: Option<bool>,
    /// `limits`, else `defaultLimits` (an API group instance's tier, whose
    /// limits apply to each API of the group).
    pub limits: Vec<TierLimit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTier {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    auto_approve: Option<bool>,
    #[serde(default, deserialize_with = "object_list")]
    limits: Vec<TierLimit>,
    #[serde(default, deserialize_with = "object_list")]
    default_limits: Vec<TierLimit>,
}

impl From<RawTier> for Tier {
    fn from(r: RawTier) -> Self {
        Tier {
            id: r.id,
            name: r.name,
            description: r.description,
            status: r.status,
            auto_approve: r.auto_approve,
            limits: if r.limits.is_empty() {
                r.default_limits
            } else {
                r.limits
            },
        }
    }
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

/// What a contract gives access to: an API instance, or an API group
/// instance (API Manager's API groups). Exchange takes either
/// (`instanceType` `api` with `apiId`, `api-group` with
/// `apiGroupInstanceId`); API Manager administers each under its own path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContractTarget {
    ApiInstance(i64),
    ApiGroupInstance(i64),
}

impl ContractTarget {
    pub fn id(self) -> i64 {
        match self {
            ContractTarget::ApiInstance(id) | ContractTarget::ApiGroupInstance(id) => id,
        }
    }

    pub fn is_group(self) -> bool {
        matches!(self, ContractTarget::ApiGroupInstance(_))
    }
}

/// "API instance 40001", "API group instance 62001".
impl std::fmt::Display for ContractTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContractTarget::ApiInstance(id) => write!(f, "API instance {id}"),
            ContractTarget::ApiGroupInstance(id) => write!(f, "API group instance {id}"),
        }
    }
}

/// As Exchange's contract request names it: `instanceType` and the id
/// field of that type (never both ids).
impl Serialize for ContractTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        match self {
            ContractTarget::ApiInstance(id) => {
                m.serialize_entry("instanceType", "api")?;
                m.serialize_entry("apiId", id)?;
            }
            ContractTarget::ApiGroupInstance(id) => {
                m.serialize_entry("instanceType", "api-group")?;
                m.serialize_entry("apiGroupInstanceId", id)?;
            }
        }
        m.end()
    }
}

/// A contract between an application and an API instance or API group
/// instance. Any client secret in the response is dropped, never kept.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawContract")]
pub struct Contract {
    pub id: i64,
    /// `APPROVED`, `PENDING`, `REVOKED`, …
    pub status: Option<String>,
    pub application_id: Option<i64>,
    /// The API instance of an API contract: `apiVersion.id` (the
    /// application's contract list, where a top-level `apiId` could be the
    /// parent API's), else `apiId` (API Manager and Exchange answers), else
    /// `api.id`. `None` for a group contract, whatever else it carries
    /// (Exchange's answer to a group request names a member API as `api`).
    pub api_instance_id: Option<i64>,
    /// The API group instance of a group contract. Which field the
    /// application's contract list names it in is unconfirmed, so each is
    /// read: `groupInstanceId`, `groupInstance.id`, `groupInstances.id` (an
    /// object, or a list of one), `apiGroupInstanceId`.
    pub group_instance_id: Option<i64>,
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

/// `groupInstances`: an object, or a list whose first item names it.
fn first_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    let item = match v {
        Some(serde_json::Value::Array(items)) => items.into_iter().next(),
        other => other,
    };
    Ok(item
        .filter(|v| v.is_object())
        .and_then(|v| serde_json::from_value::<IdOnly>(v).ok())
        .and_then(|i| i.id))
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
    group_instance_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_object")]
    group_instance: Option<IdOnly>,
    #[serde(default, deserialize_with = "first_id")]
    group_instances: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    api_group_instance_id: Option<i64>,
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
        let group = r
            .group_instance_id
            .or_else(|| r.group_instance.and_then(|g| g.id))
            .or(r.group_instances)
            .or(r.api_group_instance_id);
        let (api_instance_id, parent_api_id) = match group {
            Some(_) => (None, None),
            None => (
                version.id.or(r.api_id).or_else(|| r.api.and_then(|v| v.id)),
                version.api_id.or_else(|| version.api.and_then(|a| a.id)),
            ),
        };
        Contract {
            id: r.id,
            status: r.status,
            application_id: r.application_id,
            api_instance_id,
            group_instance_id: group,
            parent_api_id,
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

    /// The group instance of a group contract, else the API instance.
    pub fn target(&self) -> Option<ContractTarget> {
        self.group_instance_id
            .map(ContractTarget::ApiGroupInstance)
            .or(self.api_instance_id.map(ContractTarget::ApiInstance))
    }
}

/// The body of a contract create (Exchange v2). `Default` gives an API
/// instance (`instanceType: "api"`, id 0) and `acceptedTerms: false` (terms
/// are accepted only when the caller says so).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContract {
    /// `instanceType` with `apiId` (an API instance) or
    /// `apiGroupInstanceId` (an API group instance).
    #[serde(flatten)]
    pub target: ContractTarget,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_tier_id: Option<i64>,
    pub accepted_terms: bool,
    /// The organization of the Exchange asset (of the API, or of the API
    /// group) (the asset's `organization.id`; for an organization's own
    /// assets, its group id).
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
            target: ContractTarget::ApiInstance(0),
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
        assert_eq!(c.target(), Some(ContractTarget::ApiInstance(40001)));
    }

    #[test]
    fn a_group_contract_is_read_from_each_field_that_may_name_its_group_instance() {
        for item in [
            json!({"id": 1, "apiVersion": null, "apiVersionId": null, "groupInstanceId": 62001}),
            json!({"id": 1, "apiVersion": null, "groupInstance": {"id": 62001, "groupId": 60001}}),
            json!({"id": 1, "apiVersion": null, "groupInstances": {"id": "62001"}}),
            json!({"id": 1, "apiVersion": null, "groupInstances": [{"id": 62001}]}),
            json!({"id": 1, "apiVersion": null, "apiGroupInstanceId": "62001"}),
            // A group contract that also names a member API: still the group's.
            json!({"id": 1, "groupInstanceId": 62001, "api": {"id": 40001}, "apiId": 40001}),
        ] {
            let c: Contract = serde_json::from_value(item.clone()).unwrap();
            assert_eq!(c.group_instance_id, Some(62001), "{item}");
            assert_eq!((c.api_instance_id, c.parent_api_id), (None, None), "{item}");
            assert_eq!(c.target(), Some(ContractTarget::ApiGroupInstance(62001)));
        }
        // Null or empty group fields leave an API contract alone.
        let c: Contract = serde_json::from_value(json!({"id": 2, "groupInstanceId": null,
            "groupInstances": [], "apiVersion": {"id": 40001}}))
        .unwrap();
        assert_eq!(c.target(), Some(ContractTarget::ApiInstance(40001)));
    }

    #[test]
    fn a_group_tier_reads_its_default_limits() {
        let t: Tier = serde_json::from_value(json!({"id": 49001, "name": "Starter",
            "defaultLimits": [{"timePeriodInMilliseconds": 60000, "maximumRequests": 100}],
            "limitsByApi": [{"apiId": 40001, "limits": []}]}))
        .unwrap();
        assert_eq!(t.limits.len(), 1);
        assert_eq!(t.limits[0].maximum_requests, Some(100));
    }

    #[test]
    fn a_request_names_one_instance_by_its_type() {
        let api = serde_json::to_value(NewContract::default()).unwrap();
        assert_eq!(
            (api["instanceType"].clone(), api["apiId"].clone()),
            (json!("api"), json!(0))
        );
        let group = serde_json::to_value(NewContract {
            target: ContractTarget::ApiGroupInstance(62001),
            ..NewContract::default()
        })
        .unwrap();
        assert_eq!(group["instanceType"], "api-group");
        assert_eq!(group["apiGroupInstanceId"], 62001);
        assert!(group.get("apiId").is_none(), "{group}");
    }
}
