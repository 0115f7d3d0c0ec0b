//! Contract administration: the legacy revoke, the switchable "Manage
//! Contracts" 403, paging of an application's contracts, tier changes that
//! wait for approval, and the admin routes for them.

use super::*;

#[tokio::test]
async fn legacy_revoke_uses_the_parent_api_id_of_the_contract_list() {
    let env = Env::start().await;
    let id = env.create_named("legacy").await;
    let cid = env
        .request_contract(id, API_INSTANCE_CATALOG, None)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // The parent API id is in the application's contract list (the
    // instance GET carries it only under `instance-with-api-id`).
    let parent = env
        .call("GET", &format!("{}/contracts", env.app(id)), None)
        .await
        .json()[0]["apiVersion"]["apiId"]
        .as_i64()
        .expect("the contract list item reports its parent apiId");
    let legacy = |api: i64| {
        format!(
            "/apiplatform/repository/v2/organizations/{DEFAULT_ORG_ID}/apis/{api}/versions/{API_INSTANCE_CATALOG}/contracts/{cid}/revoke"
        )
    };
    let r = send(
        env.builder("POST", &legacy(parent + 1))
            .bearer_auth(&env.token),
    )
    .await;
    assert_eq!(r.status, 404, "wrong parent api");
    let r = send(env.builder("POST", &legacy(parent)).bearer_auth(&env.token)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["status"], "REVOKED");
}

#[tokio::test]
async fn contract_administration_forbidden_when_switched_off() {
    let env = Env::start().await;
    let id = env.create_named("no-manage").await;
    let cid = env
        .request_contract(id, API_INSTANCE_CATALOG, None)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let contract = format!("{}/contracts/{cid}", env.api(API_INSTANCE_CATALOG));
    env.h().set_manage_contracts(false);
    assert!(!env.h().manage_contracts());
    let r = env
        .call("PATCH", &contract, Some(json!({"status": "REVOKED"})))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    env.h().set_contract_status(cid, "REVOKED");
    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 403);
    assert_eq!(env.h().contracts(id).len(), 1);
    // Requests stay allowed.
    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    assert_eq!(r.status, 201);
    env.h().set_manage_contracts(true);
    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 204);

    let env = Env::start_with(EmulatorConfig {
        deny_manage_contracts: true,
        ..EmulatorConfig::default()
    })
    .await;
    assert!(!env.h().manage_contracts());
}

#[tokio::test]
async fn application_contracts_are_paged() {
    let env = Env::start().await;
    let id = env.create_named("pager").await;
    for (api, tier) in [
        (API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)),
        (API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD)),
        (API_INSTANCE_CATALOG, None),
    ] {
        assert_eq!(env.request_contract(id, api, tier).await.status, 201);
    }
    let list = format!(
        "/apiplatform/repository/v2/organizations/{DEFAULT_ORG_ID}/applications/{id}/contracts"
    );
    let page = |q: &'static str| {
        let url = format!("{list}{q}");
        let env = &env;
        async move { env.call("GET", &url, None).await }
    };
    let all = page("").await.json();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let first = page("?offset=0&limit=2").await.json();
    let second = page("?offset=2&limit=2").await.json();
    assert_eq!(first.as_array().unwrap().len(), 2);
    assert_eq!(second.as_array().unwrap().len(), 1);
    assert_eq!(second[0]["apiVersion"]["id"], API_INSTANCE_CATALOG);
    assert_eq!(page("?limit=251").await.status, 400);
}

#[tokio::test]
async fn tier_change_waits_for_approval_or_rejection() {
    let env = Env::start().await;
    let id = env.create_named("tiers").await;
    let cid = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let patch = format!("{}/{cid}", env.exchange_contracts(id));
    let r = env
        .call(
            "PATCH",
            &patch,
            Some(json!({"requestedTierId": TIER_ORDERS_PLATINUM})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = env.h().contract(cid).unwrap();
    assert_eq!(c["status"], "APPROVED");
    assert_eq!(c["tier"]["id"], TIER_ORDERS_BRONZE);
    assert_eq!(c["requestedTier"]["id"], TIER_ORDERS_PLATINUM);
    assert!(env.h().reject_tier_change(cid));
    let c = env.h().contract(cid).unwrap();
    assert_eq!(
        (c["tier"]["id"].clone(), c["requestedTier"].clone()),
        (json!(TIER_ORDERS_BRONZE), Value::Null)
    );
    assert!(!env.h().reject_tier_change(cid), "nothing waiting");
    env.call(
        "PATCH",
        &patch,
        Some(json!({"requestedTierId": TIER_ORDERS_PLATINUM})),
    )
    .await;
    assert!(env.h().set_contract_status(cid, "APPROVED"));
    let c = env.h().contract(cid).unwrap();
    assert_eq!(c["tier"]["id"], TIER_ORDERS_PLATINUM);
    assert_eq!(c["requestedTier"], Value::Null);
    assert!(env.h().delete_contract(cid));
    assert!(env.h().contract(cid).is_none());
}

#[tokio::test]
async fn admin_routes_for_tier_changes_deletion_and_the_permission() {
    let env = Env::start_with(EmulatorConfig {
        admin: true,
        ..EmulatorConfig::default()
    })
    .await;
    let id = env.create_named("admin-contracts").await;
    let cid = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = env
        .call(
            "POST",
            &format!("/_emulator/contracts/{cid}/reject-tier-change"),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "nothing waiting: {}", r.text);
    env.call(
        "PATCH",
        &format!("{}/{cid}", env.exchange_contracts(id)),
        Some(json!({"requestedTierId": TIER_ORDERS_PLATINUM})),
    )
    .await;
    let r = env
        .call(
            "POST",
            &format!("/_emulator/contracts/{cid}/reject-tier-change"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["requestedTier"], Value::Null);
    assert_eq!(r.json()["tier"]["id"], TIER_ORDERS_BRONZE);

    let r = env
        .call(
            "PUT",
            "/_emulator/permissions/manage-contracts",
            Some(json!({"allowed": false})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!env.h().manage_contracts());
    let r = env
        .call(
            "PUT",
            "/_emulator/permissions/manage-contracts",
            Some(json!({"allowed": "no"})),
        )
        .await;
    assert_eq!(r.status, 400);

    let r = env
        .call("DELETE", &format!("/_emulator/contracts/{cid}"), None)
        .await;
    assert_eq!(r.status, 204, "the control route ignores the permission");
    assert!(env.h().contract(cid).is_none());
    let r = env
        .call("DELETE", &format!("/_emulator/contracts/{cid}"), None)
        .await;
    assert_eq!(r.status, 404);
}
