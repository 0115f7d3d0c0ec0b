//! API objects. Responses are read tolerantly (`lenient`): unknown fields
//! are ignored, and optional fields may be missing or null. Ids may arrive
//! as numbers or numeric strings. `Debug` never shows a secret (they are
//! [`Secret`]s).
//!
//! One file per area: `application` (applications, owners), `contract`
//! (contracts, tiers), `instance` (API instances, Exchange assets), `group`
//! (API group instances and their asset), `user`,
//! `account` (the caller: `/me`, organizations).
//!
//! [`Secret`]: secret::Secret

mod account;
mod application;
mod contract;
mod environment;
mod group;
mod instance;
mod lenient;
mod user;

pub use account::ConnectedAppIdentity;
pub(crate) use account::{identity_from_me, orgs_from_me, MeOrganizations, OrganizationNode};
pub use application::{
    AddOwnerOutcome, Application, ApplicationSummary, ApplicationUpdate, NewApplication, Owner,
};
pub(crate) use application::{ApplicationPage, ListedApplication, ListedApplicationPage};
pub use contract::{Contract, ContractTarget, NewContract, Tier, TierLimit};
pub(crate) use contract::{ContractPage, TierPage};
pub use environment::Environment;
pub(crate) use environment::EnvironmentList;
pub use group::{ApiGroupInstance, GroupAsset};
pub(crate) use group::{ApiGroupRecord, ApiGroupVersionRecord};
pub use instance::AssetInfo;
pub use instance::{ApiInstance, InstanceSearch, ListedInstance};
pub(crate) use instance::{AssetVersion, InstanceSearchPage};
pub use user::User;
pub(crate) use user::UserPage;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            target: ContractTarget::ApiInstance(9),
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
        // The search's shape (MuleSoft's example, cut down): the paging
        // counts assets; an item without an id is skipped.
        let page: InstanceSearchPage = serde_json::from_value(json!({"total": 2, "assets": [
            {"id": 16, "name": "Api", "groupId": null, "assetId": null, "apis": [
                {"id": 95, "instanceLabel": null, "assetVersion": null, "environmentId": "e"}]},
            {"id": 5, "name": "Orders", "groupId": "g", "assetId": "orders", "apis": [
                {"id": "25", "instanceLabel": "eu", "assetVersion": "1.0.0", "productVersion": "v1"},
                {"instanceLabel": "no id"}]}
        ]}))
        .unwrap();
        assert_eq!(page.total, Some(2));
        let found: Vec<ListedInstance> = page
            .assets
            .into_iter()
            .flat_map(|a| a.into_instances())
            .collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].asset_id, None);
        assert_eq!(
            found[1],
            ListedInstance {
                id: 25,
                group_id: Some("g".into()),
                asset_id: Some("orders".into()),
                asset_name: Some("Orders".into()),
                asset_version: Some("1.0.0".into()),
                product_version: Some("v1".into()),
                instance_label: Some("eu".into()),
                environment_id: None,
            }
        );
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
