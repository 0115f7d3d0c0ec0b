//! API groups: the group, version and group instance reads, Exchange's
//! `api-group` contract requests (checked like `api` ones), group contracts
//! in the application's contract list under each variant, their revoke and
//! delete through API Manager, and the admin routes that add groups.

use anypoint_emulator::{
    NewApiGroup, NewApiInstance, NewGroupInstance, NewTier, Variant, API_GROUP_COMMERCE,
    API_GROUP_INSTANCE_COMMERCE, API_GROUP_INSTANCE_REFERENCE, API_GROUP_VERSION_COMMERCE,
    BUSINESS_GROUP_ID, TIER_COMMERCE_PARTNER, TIER_COMMERCE_PREMIUM, TIER_COMMERCE_STARTER,
};

use super::*;

fn group_instance_path(org: &str, env: &str, g: i64) -> String {
    format!("/apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{g}")
}

impl Env {
    fn group_instance(&self, g: i64) -> String {
        group_instance_path(&self.org(), ENVIRONMENT_ID, g)
    }

    async fn request_group_contract(&self, app: i64, g: i64, tier: Option<i64>) -> Resp {
        self.call(
            "POST",
            &self.exchange_contracts(app),
            Some(group_contract_body(&self.org(), g, tier)),
        )
        .await
    }

    /// A group contract created at once; its id.
    async fn group_contract(&self, app: i64, g: i64, tier: Option<i64>) -> i64 {
        let r = self.request_group_contract(app, g, tier).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["id"].as_i64().unwrap()
    }

    async fn app_contracts(&self, app: i64) -> Vec<Value> {
        let r = self
            .call("GET", &format!("{}/contracts", self.app(app)), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json().as_array().unwrap().clone()
    }
}

fn group_contract_body(org: &str, g: i64, tier: Option<i64>) -> Value {
    let (asset, version, group) = match g {
        API_GROUP_INSTANCE_COMMERCE => ("commerce-apis", "1.0.0", "v1"),
        API_GROUP_INSTANCE_REFERENCE => ("reference-data", "2.1.0", "v2"),
        _ => ("unknown", "1.0.0", "v1"),
    };
    let mut b = json!({
        "apiGroupInstanceId": g,
        "instanceType": "api-group",
        "acceptedTerms": true,
        "organizationId": org,
        "groupId": org,
        "assetId": asset,
        "version": version,
        "versionGroup": group,
        "environmentId": ENVIRONMENT_ID,
    });
    if let Some(t) = tier {
        b["requestedTierId"] = json!(t);
    }
    b
}

#[tokio::test]
async fn group_instances_carry_their_asset_unless_the_variant_moves_it_to_the_group() {
    let env = Env::start().await;
    let path = env.group_instance(API_GROUP_INSTANCE_COMMERCE);
    let gi = env.call("GET", &path, None).await;
    assert_eq!(gi.status, 200, "{}", gi.text);
    let gi = gi.json();
    assert_eq!(gi["id"], API_GROUP_INSTANCE_COMMERCE);
    assert_eq!(gi["environmentId"], ENVIRONMENT_ID);
    assert_eq!(gi["assetGroupId"], env.org());
    assert_eq!(gi["assetId"], "commerce-apis");
    assert_eq!(gi["assetVersion"], "1.0.0");
    assert_eq!(gi["productVersion"], "v1");
    let members: Vec<i64> = gi["apiInstances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(members, vec![API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS]);

    env.h()
        .set_variant(Variant::GroupInstanceWithoutAsset, true);
    let gi = env.call("GET", &path, None).await.json();
    for key in ["assetGroupId", "assetId", "assetVersion", "productVersion"] {
        assert_eq!(gi[key], Value::Null, "{key}: {gi}");
    }
    // The group and its version carry them.
    let (group, version) = (
        gi["groupId"].as_i64().unwrap(),
        gi["groupVersionId"].as_i64().unwrap(),
    );
    assert_eq!(
        (group, version),
        (API_GROUP_COMMERCE, API_GROUP_VERSION_COMMERCE)
    );
    let groups = format!("/apimanager/api/v1/organizations/{}/groups", env.org());
    let g = env.call("GET", &format!("{groups}/{group}"), None).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.json()["assetGroupId"], env.org());
    assert_eq!(g.json()["assetId"], "commerce-apis");
    let v = env
        .call("GET", &format!("{groups}/{group}/versions/{version}"), None)
        .await;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.json()["assetVersion"], "1.0.0");
    assert_eq!(v.json()["productVersion"], "v1");
    assert_eq!(v.json()["instances"][0]["id"], API_GROUP_INSTANCE_COMMERCE);
    // Exchange knows the group's asset.
    let asset = env
        .call(
            "GET",
            &format!("/exchange/api/v2/assets/{}/commerce-apis/1.0.0", env.org()),
            None,
        )
        .await;
    assert_eq!(asset.status, 200, "{}", asset.text);
    assert_eq!(asset.json()["versionGroup"], "v1");
    assert_eq!(asset.json()["type"], "api-group");

    // Unknown ids, another environment and the business group: 404.
    for missing in [
        env.group_instance(99_999),
        group_instance_path(&env.org(), PRODUCTION_ENV, API_GROUP_INSTANCE_COMMERCE),
        group_instance_path(
            BUSINESS_GROUP_ID,
            ENVIRONMENT_ID,
            API_GROUP_INSTANCE_COMMERCE,
        ),
        format!("{groups}/99999"),
        format!("{groups}/{group}/versions/99999"),
    ] {
        let r = env.call("GET", &missing, None).await;
        assert_eq!(r.status, 404, "{missing}: {}", r.text);
    }
}

const PRODUCTION_ENV: &str = anypoint_emulator::PRODUCTION_ENVIRONMENT_ID;

#[tokio::test]
async fn group_tiers_are_listed_in_api_managers_group_shape() {
    let env = Env::start().await;
    let path = format!("{}/tiers", env.group_instance(API_GROUP_INSTANCE_COMMERCE));
    let r = env.call("GET", &path, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["total"], 3);
    let tiers = body["tiers"].as_array().unwrap();
    let ids: Vec<i64> = tiers.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        vec![
            TIER_COMMERCE_STARTER,
            TIER_COMMERCE_PREMIUM,
            TIER_COMMERCE_PARTNER
        ]
    );
    assert_eq!(tiers[2]["autoApprove"], false);
    assert_eq!(tiers[0]["groupInstanceId"], API_GROUP_INSTANCE_COMMERCE);
    assert!(
        tiers[0]["defaultLimits"][0]["maximumRequests"].is_u64(),
        "{}",
        tiers[0]
    );
    let reference = format!("{}/tiers", env.group_instance(API_GROUP_INSTANCE_REFERENCE));
    assert_eq!(env.call("GET", &reference, None).await.json()["total"], 0);
}

#[tokio::test]
async fn group_requests_are_checked_like_api_requests() {
    let env = Env::start().await;
    let org = env.org();
    let id = env.create_named("group-validation").await;
    let path = env.exchange_contracts(id);

    let r = env
        .request_group_contract(id, API_GROUP_INSTANCE_COMMERCE, None)
        .await;
    assert_eq!(r.status, 400, "a tier is needed: {}", r.text);
    assert!(r.message().contains("requestedTierId"), "{}", r.text);
    let r = env
        .request_group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_ORDERS_BRONZE))
        .await;
    assert_eq!(r.status, 400, "an API instance's tier: {}", r.text);
    let r = env
        .request_group_contract(
            id,
            API_GROUP_INSTANCE_REFERENCE,
            Some(TIER_COMMERCE_STARTER),
        )
        .await;
    assert_eq!(r.status, 400, "a group without tiers: {}", r.text);
    let r = env.request_group_contract(id, 99_999, None).await;
    assert_eq!(r.status, 404, "{}", r.text);
    for (key, value) in [
        ("assetId", json!("orders-api")),
        ("version", json!("2.1.0")),
        ("versionGroup", json!("v2")),
        ("groupId", json!(OTHER_ORG)),
        ("environmentId", json!(PRODUCTION_ENV)),
        ("apiId", json!(API_INSTANCE_ORDERS)),
        ("apiGroupInstanceId", json!(null)),
        ("instanceType", json!("api")),
        ("acceptedTerms", json!(null)),
    ] {
        let mut b = group_contract_body(
            &org,
            API_GROUP_INSTANCE_COMMERCE,
            Some(TIER_COMMERCE_STARTER),
        );
        b[key] = value.clone();
        let r = env.call("POST", &path, Some(b)).await;
        assert_eq!(r.status, 400, "{key}={value}: {}", r.text);
    }
    assert!(env.h().contracts(id).is_empty());

    // Accepted: Exchange answers with one of the group's API instances as
    // `api`, as in its documented example.
    let r = env
        .request_group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_COMMERCE_STARTER))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let made = r.json();
    assert_eq!(made["status"], "APPROVED");
    assert_eq!(made["tier"]["id"], TIER_COMMERCE_STARTER);
    assert_eq!(made["api"]["id"], API_INSTANCE_ORDERS);
    // One contract per application and group instance, ended or not.
    let r = env
        .request_group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_COMMERCE_PREMIUM))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.message().contains("API group instance"), "{}", r.text);
    env.h()
        .set_contract_status(made["id"].as_i64().unwrap(), "REVOKED");
    let r = env
        .request_group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_COMMERCE_PREMIUM))
        .await;
    assert_eq!(
        r.status, 409,
        "an ended contract holds the slot: {}",
        r.text
    );
    // An API contract with a member instance is another slot.
    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // A tier that needs approval gives a PENDING contract.
    let other = env.create_named("group-pending").await;
    let r = env
        .request_group_contract(
            other,
            API_GROUP_INSTANCE_COMMERCE,
            Some(TIER_COMMERCE_PARTNER),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["status"], "PENDING");
    assert_eq!(r.json()["requestedTier"]["id"], TIER_COMMERCE_PARTNER);
}

#[tokio::test]
async fn the_application_lists_a_group_contract_by_the_field_the_variant_chooses() {
    for (variant, field) in [
        (None, "groupInstanceId"),
        (Some(Variant::GroupContractGroupInstance), "groupInstance"),
        (Some(Variant::GroupContractGroupInstances), "groupInstances"),
        (
            Some(Variant::GroupContractApiGroupInstanceId),
            "apiGroupInstanceId",
        ),
    ] {
        let env = Env::start_with(EmulatorConfig {
            variants: variant.into_iter().collect(),
            ..EmulatorConfig::default()
        })
        .await;
        let id = env.create_named("listed").await;
        let gc = env
            .group_contract(id, API_GROUP_INSTANCE_REFERENCE, None)
            .await;
        let ac = env
            .request_contract(id, API_INSTANCE_CATALOG, None)
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let listed = env.app_contracts(id).await;
        let group = listed.iter().find(|c| c["id"] == gc).unwrap();
        assert_eq!(group["apiVersion"], Value::Null, "{group}");
        assert_eq!(group["apiVersionId"], Value::Null, "{group}");
        let named = match &group[field] {
            Value::Object(o) => o["id"].clone(),
            v => v.clone(),
        };
        assert_eq!(named, API_GROUP_INSTANCE_REFERENCE, "{variant:?}: {group}");
        for other in [
            "groupInstanceId",
            "groupInstance",
            "groupInstances",
            "apiGroupInstanceId",
            "apiId",
        ] {
            if other != field {
                assert!(group.get(other).is_none(), "{variant:?} {other}: {group}");
            }
        }
        let api = listed.iter().find(|c| c["id"] == ac).unwrap();
        assert_eq!(api["apiVersion"]["id"], API_INSTANCE_CATALOG, "{api}");
        assert!(api.get(field).is_none(), "{api}");
    }
}

#[tokio::test]
async fn group_contracts_are_revoked_and_deleted_through_the_group_instance() {
    let env = Env::start_with(EmulatorConfig {
        // The legacy-only revoke concerns API instances: the group PATCH is served.
        variants: vec![Variant::RevokeLegacyOnly],
        ..EmulatorConfig::default()
    })
    .await;
    let id = env.create_named("group-teardown").await;
    let cid = env
        .group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_COMMERCE_STARTER))
        .await;
    let base = env.group_instance(API_GROUP_INSTANCE_COMMERCE);
    let contract = format!("{base}/contracts/{cid}");
    // API Manager's view: the group shape.
    let listed = env
        .call("GET", &format!("{base}/contracts"), None)
        .await
        .json();
    assert_eq!(listed["total"], 1);
    let c = &listed["contracts"][0];
    assert_eq!(c["groupInstanceId"], API_GROUP_INSTANCE_COMMERCE);
    assert_eq!(c["groupInstances"]["id"], API_GROUP_INSTANCE_COMMERCE);
    assert_eq!(c["condition"], "GROUP");
    assert!(c.get("apiId").is_none(), "{c}");
    assert_eq!(env.call("GET", &contract, None).await.json()["id"], cid);
    // Not through another group instance, nor an API instance's path.
    let wrong = format!(
        "{}/contracts/{cid}",
        env.group_instance(API_GROUP_INSTANCE_REFERENCE)
    );
    assert_eq!(env.call("DELETE", &wrong, None).await.status, 404);
    let as_api = format!("{}/contracts/{cid}", env.api(API_INSTANCE_ORDERS));
    assert_eq!(env.call("GET", &as_api, None).await.status, 404);

    // A live contract must be revoked before it is deleted.
    assert_eq!(env.call("DELETE", &contract, None).await.status, 409);
    env.h().set_manage_contracts(false);
    let revoke = json!({"status": "REVOKED"});
    let r = env.call("PATCH", &contract, Some(revoke.clone())).await;
    assert_eq!(r.status, 403, "{}", r.text);
    env.h().set_manage_contracts(true);
    let r = env.call("PATCH", &contract, Some(revoke.clone())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "REVOKED");
    let r = env.call("PATCH", &contract, Some(revoke)).await;
    assert_eq!(r.status, 409, "revoked again: {}", r.text);
    assert_eq!(env.app_contracts(id).await[0]["status"], "REVOKED");
    assert_eq!(env.call("DELETE", &contract, None).await.status, 204);
    assert!(env.app_contracts(id).await.is_empty());
    assert_eq!(env.call("DELETE", &contract, None).await.status, 404);

    // Under `revoke-refused` a group contract is deleted at once.
    env.h().set_variant(Variant::RevokeRefused, true);
    let cid = env
        .group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_COMMERCE_STARTER))
        .await;
    let contract = format!("{base}/contracts/{cid}");
    let r = env
        .call("PATCH", &contract, Some(json!({"status": "REVOKED"})))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(env.call("DELETE", &contract, None).await.status, 204);
}

#[tokio::test]
async fn a_group_contracts_tier_changes_through_exchange() {
    let env = Env::start().await;
    let id = env.create_named("group-tier").await;
    let cid = env
        .group_contract(id, API_GROUP_INSTANCE_COMMERCE, Some(TIER_COMMERCE_STARTER))
        .await;
    let path = format!("{}/{cid}", env.exchange_contracts(id));
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_COMMERCE_PREMIUM})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["tier"]["id"], TIER_COMMERCE_PREMIUM);
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 400, "an API instance's tier: {}", r.text);
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_COMMERCE_PARTNER})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let listed = env.app_contracts(id).await;
    assert_eq!(listed[0]["tier"]["id"], TIER_COMMERCE_PREMIUM);
    assert_eq!(listed[0]["requestedTier"]["id"], TIER_COMMERCE_PARTNER);
}

#[tokio::test]
async fn admin_routes_add_groups_and_instances_that_take_contracts() {
    let env = Env::start_with(EmulatorConfig {
        admin: true,
        ..EmulatorConfig::default()
    })
    .await;
    let listed = env.call("GET", "/_emulator/api-groups", None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json().as_array().unwrap().len(), 2);
    let r = env
        .call(
            "POST",
            "/_emulator/api-groups",
            Some(json!({
                "name": "Partner APIs",
                "assetId": "partner-apis",
                "assetVersion": "3.0.0",
                "productVersion": "v3",
                "instances": [{
                    "apiInstances": [API_INSTANCE_ORDERS],
                    "tiers": [{"name": "Gold", "autoApprove": false}],
                }],
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let group = r.json();
    let gi = &group["versions"][0]["instances"][0];
    let (gid, tier) = (
        gi["id"].as_i64().unwrap(),
        gi["tiers"][0]["id"].as_i64().unwrap(),
    );
    assert_eq!(gi["assetId"], "partner-apis");
    assert_eq!(gi["environmentId"], ENVIRONMENT_ID);
    // The same asset twice, an unknown member, an unknown environment: refused.
    for (path, body) in [
        (
            "/_emulator/api-groups".to_owned(),
            json!({"name": "Again", "assetId": "partner-apis"}),
        ),
        (
            format!("/_emulator/api-groups/{}/instances", group["id"]),
            json!({"apiInstances": [12345]}),
        ),
        (
            format!("/_emulator/api-groups/{}/instances", group["id"]),
            json!({"apiInstances": [API_INSTANCE_ORDERS], "environmentId": OTHER_ORG}),
        ),
        ("/_emulator/api-groups".to_owned(), json!({"assetId": "x"})),
    ] {
        let r = env.call("POST", &path, Some(body.clone())).await;
        assert!(
            r.status == 400 || r.status == 409,
            "{path} {body}: {}",
            r.text
        );
    }
    // A second instance, in production, through the handle: its members
    // are API instances of that environment.
    let group_id = group["id"].as_i64().unwrap();
    let in_production = |members: &[i64]| NewGroupInstance {
        environment_id: PRODUCTION_ENV.to_owned(),
        ..NewGroupInstance::new(members)
    };
    let err = env
        .h()
        .add_api_group_instance(group_id, in_production(&[API_INSTANCE_CATALOG]))
        .unwrap_err();
    assert!(err.contains("not in environment"), "{err}");
    let prod_api = env
        .h()
        .add_api_instance(NewApiInstance {
            environment_id: PRODUCTION_ENV.to_owned(),
            ..NewApiInstance::new("partner-api")
        })
        .unwrap();
    let second = env
        .h()
        .add_api_group_instance(group_id, in_production(&[prod_api]))
        .unwrap();
    let listed = env.h().api_groups();
    let added = listed.iter().find(|g| g["id"] == group_id).unwrap();
    assert_eq!(
        added["versions"][0]["instances"][1]["id"], second,
        "{added}"
    );
    assert_eq!(
        added["versions"][0]["instances"][1]["environmentId"],
        PRODUCTION_ENV
    );
    let added_group = env
        .h()
        .add_api_group(NewApiGroup::new("Handle APIs", "handle-apis"))
        .unwrap();
    assert_ne!(added_group, group_id);
    assert!(env
        .h()
        .add_api_group(NewApiGroup::new("Again", "handle-apis"))
        .is_err());

    // Exchange takes a request for the added group instance.
    let app = env.create_named("partner").await;
    let mut body = group_contract_body(&env.org(), gid, Some(tier));
    body["assetId"] = json!("partner-apis");
    body["version"] = json!("3.0.0");
    body["versionGroup"] = json!("v3");
    let r = env
        .call("POST", &env.exchange_contracts(app), Some(body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["status"], "PENDING");
    // The admin contract route takes a group instance too.
    let other = env.create_named("partner-2").await;
    let r = env
        .call(
            "POST",
            &format!("/_emulator/applications/{other}/contracts"),
            Some(json!({"groupInstanceId": API_GROUP_INSTANCE_REFERENCE})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["groupInstanceId"], API_GROUP_INSTANCE_REFERENCE);
    let r = env
        .call(
            "POST",
            &format!("/_emulator/applications/{other}/contracts"),
            Some(json!({"groupInstanceId": gid, "apiId": API_INSTANCE_ORDERS})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let state = env.call("GET", "/_emulator/state", None).await.json();
    assert_eq!(state["apiGroups"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn group_contracts_survive_a_restart_with_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = || EmulatorConfig {
        state_file: Some(path.clone()),
        ..EmulatorConfig::default()
    };
    let (app, cid) = {
        let env = Env::start_with(config()).await;
        let app = env.create_named("kept").await;
        let cid = env
            .group_contract(
                app,
                API_GROUP_INSTANCE_COMMERCE,
                Some(TIER_COMMERCE_PREMIUM),
            )
            .await;
        (app, cid)
    };
    let env = Env::start_with(config()).await;
    let listed = env.app_contracts(app).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], cid);
    assert_eq!(listed[0]["groupInstanceId"], API_GROUP_INSTANCE_COMMERCE);
    assert_eq!(listed[0]["tier"]["id"], TIER_COMMERCE_PREMIUM);
    let contract = format!(
        "{}/contracts/{cid}",
        env.group_instance(API_GROUP_INSTANCE_COMMERCE)
    );
    assert_eq!(env.call("GET", &contract, None).await.status, 200);
}

#[tokio::test]
async fn tiers_added_to_groups_and_to_instances_share_one_numbering() {
    let env = Env::start().await;
    let h = env.h();
    let group = h
        .add_api_group(NewApiGroup {
            instances: vec![NewGroupInstance {
                tiers: vec![NewTier::new("Group Gold", true)],
                ..NewGroupInstance::new(&[API_INSTANCE_ORDERS])
            }],
            ..NewApiGroup::new("Numbered", "numbered-apis")
        })
        .unwrap();
    let api = h
        .add_api_instance(NewApiInstance {
            tiers: vec![NewTier::new("Instance Gold", true)],
            ..NewApiInstance::new("numbered-api")
        })
        .unwrap();
    let group_tier = h.api_groups().iter().find(|g| g["id"] == group).unwrap()["versions"][0]
        ["instances"][0]["tiers"][0]["id"]
        .as_i64()
        .unwrap();
    let api_tier = h.api_instances().iter().find(|i| i["id"] == api).unwrap()["tiers"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!((group_tier, api_tier), (50006, 50007));
}
