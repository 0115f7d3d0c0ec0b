//! API objects. Responses are read tolerantly: unknown fields are ignored,
//! and optional fields may be missing or null. Ids may arrive as numbers or
//! numeric strings. `Debug` never shows a secret (they are [`Secret`]s).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::secret::Secret;

// ---------------------------------------------------------------------------
// Lenient field readers

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    int_of(&v).ok_or_else(|| serde::de::Error::custom("expected an integer id"))
}

fn lenient_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(int_of))
}

fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// A string; numbers are turned into text, other values are ignored.
fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient_opt_string(d).map(Option::unwrap_or_default)
}

/// A list of strings: null = empty, a lone string = one item, non-strings
/// in the list are skipped.
fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) if !s.is_empty() => vec![s],
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A list of objects: null = empty; items that do not read as `T` are skipped.
fn object_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// An optional object: anything that does not read as `T` is `None`.
fn lenient_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(Option::<Value>::deserialize(d)?
        .filter(|v| v.is_object())
        .and_then(|v| serde_json::from_value(v).ok()))
}

/// A secret; anything but a non-null string is `None`.
fn lenient_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(Secret::new(s)),
        _ => None,
    })
}

#[derive(Deserialize, Default)]
struct Audit {
    #[serde(default, deserialize_with = "lenient_object")]
    created: Option<AuditEntry>,
}

#[derive(Deserialize, Default)]
struct AuditEntry {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    date: Option<String>,
}

fn created_date(audit: Option<Audit>) -> Option<String> {
    audit.and_then(|a| a.created).and_then(|c| c.date)
}

// ---------------------------------------------------------------------------
// Applications

/// A client application as returned by get, create and secret reset.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawApplication")]
pub struct Application {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
    pub api_endpoints: Option<bool>,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub master_organization_id: Option<String>,
    pub owners: Vec<Owner>,
    /// From `audit.created.date`.
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawApplication {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    name: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    url: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    redirect_uri: Vec<String>,
    #[serde(default, deserialize_with = "string_list")]
    grant_types: Vec<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    api_endpoints: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    core_services_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_secret")]
    client_secret: Option<Secret>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    master_organization_id: Option<String>,
    #[serde(default, deserialize_with = "object_list")]
    owners: Vec<Owner>,
    #[serde(default, deserialize_with = "lenient_object")]
    audit: Option<Audit>,
}

impl From<RawApplication> for Application {
    fn from(r: RawApplication) -> Self {
        Application {
            id: r.id,
            name: r.name,
            description: r.description,
            url: r.url,
            redirect_uri: r.redirect_uri,
            grant_types: r.grant_types,
            api_endpoints: r.api_endpoints,
            client_id: r.client_id.or(r.core_services_id).unwrap_or_default(),
            client_secret: r.client_secret,
            master_organization_id: r.master_organization_id,
            owners: r.owners,
            created_at: created_date(r.audit),
        }
    }
}

/// An application in a list (no secret, no owners).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawApplicationSummary")]
pub struct ApplicationSummary {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub master_organization_id: Option<String>,
    /// `clientId`, or `coreServicesId` when that is all the list gives.
    pub client_id: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawApplicationSummary {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    name: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    url: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    master_organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    core_services_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_object")]
    audit: Option<Audit>,
}

impl From<RawApplicationSummary> for ApplicationSummary {
    fn from(r: RawApplicationSummary) -> Self {
        ApplicationSummary {
            id: r.id,
            name: r.name,
            description: r.description,
            url: r.url,
            master_organization_id: r.master_organization_id,
            client_id: r.client_id.or(r.core_services_id),
            created_at: created_date(r.audit),
        }
    }
}

/// `{"applications":[…],"total":N}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ApplicationPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) applications: Vec<ApplicationSummary>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

/// An owner of an application.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The Anypoint user (or team) id.
    #[serde(deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub last_name: Option<String>,
    /// JSON `type`: `user` or `team`.
    #[serde(default, rename = "type", deserialize_with = "lenient_opt_string")]
    pub owner_type: Option<String>,
}

/// The body of an application create.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApplication {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_endpoints: Option<bool>,
}

/// The body of an application update: always the full mutable set; `None`
/// is sent as `null` (clearing the field).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationUpdate {
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
}

impl From<&Application> for ApplicationUpdate {
    fn from(a: &Application) -> Self {
        ApplicationUpdate {
            name: a.name.clone(),
            description: a.description.clone(),
            url: a.url.clone(),
            redirect_uri: a.redirect_uri.clone(),
            grant_types: a.grant_types.clone(),
        }
    }
}

/// The result of adding an owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddOwnerOutcome {
    Added,
    /// The platform answered 409: the user already owns the application.
    AlreadyOwner,
}

// ---------------------------------------------------------------------------
// Contracts, API instances, tiers

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

/// A contract between an application and an API instance. Any client secret
/// in the response is dropped, never kept.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawContract")]
pub struct Contract {
    pub id: i64,
    /// `APPROVED`, `PENDING`, `REVOKED`, …
    pub status: Option<String>,
    pub application_id: Option<i64>,
    /// The API instance: `apiId`, else `apiVersion.id`, else `api.id`.
    pub api_instance_id: Option<i64>,
    /// `tierId`, else `tier.id`.
    pub tier_id: Option<i64>,
    pub tier: Option<Tier>,
    /// `requestedTierId`, else `requestedTier.id` (a tier change waiting for approval).
    pub requested_tier_id: Option<i64>,
    pub requested_tier: Option<Tier>,
}

#[derive(Deserialize, Default)]
struct IdOnly {
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    id: Option<i64>,
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
    api_version: Option<IdOnly>,
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
}

impl From<RawContract> for Contract {
    fn from(r: RawContract) -> Self {
        Contract {
            id: r.id,
            status: r.status,
            application_id: r.application_id,
            api_instance_id: r
                .api_id
                .or_else(|| r.api_version.and_then(|v| v.id))
                .or_else(|| r.api.and_then(|v| v.id)),
            tier_id: r.tier_id.or_else(|| r.tier.as_ref().map(|t| t.id)),
            tier: r.tier,
            requested_tier_id: r
                .requested_tier_id
                .or_else(|| r.requested_tier.as_ref().map(|t| t.id)),
            requested_tier: r.requested_tier,
        }
    }
}

/// The body of a contract create (Exchange v2). `Default` gives
/// `instanceType: "api"` and `acceptedTerms: true`.
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
    /// The asset's organization (usually its group id).
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
            accepted_terms: true,
            organization_id: String::new(),
            group_id: String::new(),
            asset_id: String::new(),
            version: String::new(),
            version_group: String::new(),
            environment_id: None,
        }
    }
}

/// An API Manager API instance.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInstance {
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub product_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub environment_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub instance_label: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub status: Option<String>,
}

/// An Exchange asset version (only what we read).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssetVersion {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) version_group: Option<String>,
}

// ---------------------------------------------------------------------------
// Users

/// An Anypoint user.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub enabled: Option<bool>,
}

/// `{"data":[…],"total":N}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct UserPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) data: Vec<User>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

// ---------------------------------------------------------------------------
// /accounts/api/me

/// The organization in a `/accounts/api/me` answer: `client.org_id`, else
/// `user.organization.id`.
pub(crate) fn org_from_me(body: &Value) -> Option<String> {
    let pick = |v: Option<&Value>| {
        v.and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    pick(body.pointer("/client/org_id")).or_else(|| pick(body.pointer("/user/organization/id")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn application_full_and_tolerant() {
        let app: Application = serde_json::from_value(json!({
            "id": 154284, "name": "my-app", "description": null, "url": "https://x",
            "redirectUri": ["https://cb"], "grantTypes": ["client_credentials"],
            "apiEndpoints": "false", "clientId": "abc", "clientSecret": "s3cr3t-value",
            "masterOrganizationId": "org", "unknownField": {"x": 1},
            "owners": [{"id": "u1", "username": "alice", "firstName": "A", "type": "user", "extra": 1}],
            "audit": {"created": {"date": "2017-12-23T21:31:48.706Z"}, "updated": {}}
        }))
        .unwrap();
        assert_eq!(app.id, 154284);
        assert_eq!(app.description, None);
        assert_eq!(app.api_endpoints, Some(false));
        assert_eq!(app.client_secret.as_ref().unwrap().expose(), "s3cr3t-value");
        assert_eq!(app.owners[0].owner_type.as_deref(), Some("user"));
        assert_eq!(app.owners[0].first_name.as_deref(), Some("A"));
        assert_eq!(app.created_at.as_deref(), Some("2017-12-23T21:31:48.706Z"));
        assert!(!format!("{app:?}").contains("s3cr3t-value"));

        let app: Application = serde_json::from_value(json!({
            "id": "7", "name": "n", "redirectUri": null, "grantTypes": null, "owners": null,
            "clientSecret": null, "coreServicesId": "core", "audit": null
        }))
        .unwrap();
        assert_eq!(app.id, 7);
        assert!(app.redirect_uri.is_empty() && app.grant_types.is_empty() && app.owners.is_empty());
        assert_eq!(app.client_id, "core");
        assert_eq!(app.client_secret, None);
        assert_eq!(app.created_at, None);
    }

    #[test]
    fn summaries_and_pages() {
        let page: ApplicationPage = serde_json::from_value(json!({
            "applications": [
                {"id": 1, "name": "a", "coreServicesId": "c1", "audit": {"created": {"date": "d"}}},
                {"id": 2, "name": "b"}
            ],
            "total": 2
        }))
        .unwrap();
        assert_eq!(page.total, Some(2));
        assert_eq!(page.applications[0].client_id.as_deref(), Some("c1"));
        assert_eq!(page.applications[0].created_at.as_deref(), Some("d"));
        let page: ApplicationPage = serde_json::from_value(json!({})).unwrap();
        assert!(page.applications.is_empty() && page.total.is_none());
    }

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
    }

    #[test]
    fn request_bodies() {
        let v = serde_json::to_value(NewApplication {
            name: "n".into(),
            redirect_uri: vec!["https://cb".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            v,
            json!({"name": "n", "redirectUri": ["https://cb"], "grantTypes": []})
        );
        let v = serde_json::to_value(ApplicationUpdate {
            name: "n".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            v,
            json!({"name": "n", "description": null, "url": null, "redirectUri": [], "grantTypes": []})
        );
        let v = serde_json::to_value(NewContract {
            api_id: 9,
            organization_id: "o".into(),
            group_id: "g".into(),
            asset_id: "a".into(),
            version: "1.0.0".into(),
            version_group: "v1".into(),
            environment_id: Some("e".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            v,
            json!({"apiId": 9, "instanceType": "api", "acceptedTerms": true, "organizationId": "o",
                   "groupId": "g", "assetId": "a", "version": "1.0.0", "versionGroup": "v1",
                   "environmentId": "e"})
        );
    }

    #[test]
    fn api_instance_tiers_users() {
        let i: ApiInstance = serde_json::from_value(json!({
            "id": 5, "groupId": "g", "assetId": "a", "assetVersion": "1.0.1",
            "productVersion": "v1", "endpoint": {}
        }))
        .unwrap();
        assert_eq!(i.asset_version.as_deref(), Some("1.0.1"));
        let t: TierPage = serde_json::from_value(json!({"total": 1, "tiers": [
            {"id": 1, "name": "Gold", "autoApprove": true,
             "limits": [{"timePeriodInMilliseconds": 1000, "maximumRequests": 5, "visible": true}]}
        ]}))
        .unwrap();
        assert_eq!(t.tiers[0].limits[0].maximum_requests, Some(5));
        let u: UserPage = serde_json::from_value(json!({"data": [
            {"id": "u-1", "username": "alice", "email": null, "enabled": true}
        ], "total": 1}))
        .unwrap();
        assert_eq!(u.data[0].username.as_deref(), Some("alice"));
    }

    #[test]
    fn org_discovery_fields() {
        assert_eq!(
            org_from_me(
                &json!({"client": {"org_id": "c-org"}, "user": {"organization": {"id": "u-org"}}})
            ),
            Some("c-org".into())
        );
        assert_eq!(
            org_from_me(
                &json!({"client": {"client_id": "x"}, "user": {"organization": {"id": "u-org"}}})
            ),
            Some("u-org".into())
        );
        assert_eq!(org_from_me(&json!({"client": {"org_id": ""}})), None);
        assert_eq!(org_from_me(&json!({})), None);
    }
}
