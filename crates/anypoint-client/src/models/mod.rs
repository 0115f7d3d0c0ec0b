//! API objects. Responses are read tolerantly: unknown fields are ignored,
//! and optional fields may be missing or null. Ids may arrive as numbers or
//! numeric strings. `Debug` never shows a secret (they are [`Secret`]s).
//!
//! One file per area: `application` (applications, owners), `contract`
//! (contracts, tiers), `instance` (API instances, Exchange assets), `user`;
//! this file holds the lenient field readers they share and `/me`.
//!
//! [`Secret`]: secret::Secret

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use secret::Secret;

mod application;
mod contract;
mod instance;
mod user;

pub use application::{
    AddOwnerOutcome, Application, ApplicationSummary, ApplicationUpdate, NewApplication, Owner,
};
pub(crate) use application::{ApplicationPage, ListedApplication, ListedApplicationPage};
pub(crate) use contract::TierPage;
pub use contract::{Contract, NewContract, Tier, TierLimit};
pub use instance::ApiInstance;
pub use instance::AssetInfo;
pub(crate) use instance::AssetVersion;
pub use user::User;
pub(crate) use user::UserPage;

// ---------------------------------------------------------------------------
// Lenient field readers

pub(super) fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    int_of(&v).ok_or_else(|| serde::de::Error::custom("expected an integer id"))
}

pub(super) fn lenient_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(int_of))
}

pub(super) fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
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
pub(super) fn lenient_opt_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

pub(super) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient_opt_string(d).map(Option::unwrap_or_default)
}

/// A list of strings: null = empty, a lone string = one item, non-strings
/// in the list are skipped.
pub(super) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
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
pub(super) fn object_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
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
pub(super) fn lenient_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(Option::<Value>::deserialize(d)?
        .filter(|v| v.is_object())
        .and_then(|v| serde_json::from_value(v).ok()))
}

/// A secret; anything but a non-null string is `None`.
pub(super) fn lenient_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(Secret::new(s)),
        _ => None,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct Audit {
    #[serde(default, deserialize_with = "lenient_object")]
    pub(super) created: Option<AuditEntry>,
}

#[derive(Deserialize, Default)]
pub(super) struct AuditEntry {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(super) date: Option<String>,
}

pub(super) fn created_date(audit: Option<Audit>) -> Option<String> {
    audit.and_then(|a| a.created).and_then(|c| c.date)
}

// ---------------------------------------------------------------------------
// /accounts/api/me

/// The organizations a `/accounts/api/me` answer names: the root
/// organization of the user the Connected App acts for
/// (`user.organization.id`, else `user.organizationId`), where client
/// applications live, and the organization the Connected App itself resides
/// in (`client.org_id`), which may be a business group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MeOrganizations {
    pub(crate) user_root: Option<String>,
    pub(crate) connected_app: Option<String>,
}

pub(crate) fn orgs_from_me(body: &Value) -> MeOrganizations {
    let pick = |v: Option<&Value>| {
        v.and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    MeOrganizations {
        user_root: pick(body.pointer("/user/organization/id"))
            .or_else(|| pick(body.pointer("/user/organizationId"))),
        connected_app: pick(body.pointer("/client/org_id")),
    }
}

/// `GET /accounts/api/organizations/{id}`: where an organization sits in
/// its tree.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrganizationNode {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub(crate) is_master: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) parent_organization_id: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    pub(crate) parent_organization_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn org_discovery_fields() {
        let both = orgs_from_me(
            &json!({"client": {"org_id": "c-org"}, "user": {"organization": {"id": "u-org"}}}),
        );
        assert_eq!(both.user_root.as_deref(), Some("u-org"));
        assert_eq!(both.connected_app.as_deref(), Some("c-org"));
        let flat = orgs_from_me(&json!({"user": {"organizationId": "u-org"}}));
        assert_eq!(flat.user_root.as_deref(), Some("u-org"));
        assert_eq!(flat.connected_app, None);
        assert_eq!(
            orgs_from_me(&json!({"client": {"org_id": ""}})),
            MeOrganizations::default()
        );
        let node: OrganizationNode = serde_json::from_value(json!({
            "isMaster": false, "parentOrganizationIds": ["root"], "parentOrganizationId": null
        }))
        .unwrap();
        assert_eq!(node.is_master, Some(false));
        assert_eq!(node.parent_organization_ids, vec!["root".to_owned()]);
        assert_eq!(node.parent_organization_id, None);
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
            json!({"name": "n", "description": "", "url": "", "redirectUri": [], "grantTypes": []})
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
            json!({"apiId": 9, "instanceType": "api", "acceptedTerms": false, "organizationId": "o",
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
}
