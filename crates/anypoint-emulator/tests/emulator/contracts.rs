//! Contracts and API Manager: approval, tiers, revoke and delete, instances and assets.

use super::*;

#[tokio::test]
async fn contract_auto_approve_pending_and_no_tier() {
    let env = Env::start().await;
    let app = env.create_app(json!({"name": "consumer"})).await;
    let id = app["id"].as_i64().unwrap();

    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.json();
    assert_eq!(c["status"], "APPROVED");
    assert_eq!(c["applicationId"], id);
    assert_eq!(c["clientId"], app["clientId"]);
    assert_eq!(c["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(c["tier"]["name"], "Gold");
    assert_eq!(c["tier"]["autoApprove"], true);
    assert!(c["tier"]["limits"][0]["maximumRequests"].is_number());
    assert_eq!(c["requestedTier"], Value::Null);
    assert_eq!(c["api"]["id"], API_INSTANCE_ORDERS);

    let r = env
        .request_contract(id, API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD))
        .await;
    assert_eq!(r.status, 201);
    let p = r.json();
    assert_eq!(p["status"], "PENDING");
    assert_eq!(p["tier"], Value::Null);
    assert_eq!(p["requestedTier"]["id"], TIER_PAYMENTS_STANDARD);

    let r = env.request_contract(id, API_INSTANCE_CATALOG, None).await;
    assert_eq!(r.status, 201);
    let n = r.json();
    assert_eq!(n["status"], "APPROVED");
    assert_eq!(n["tier"], Value::Null);

    // The application's contracts, API Platform shape, bare array.
    let r = env
        .call("GET", &format!("{}/contracts", env.app(id)), None)
        .await;
    assert_eq!(r.status, 200);
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    let first = &list[0];
    assert_eq!(first["id"], c["id"]);
    assert_eq!(first["status"], "APPROVED");
    assert_eq!(
        first["tier"],
        json!({"id": TIER_ORDERS_GOLD, "name": "Gold"})
    );
    assert_eq!(first["requestedTier"], Value::Null);
    assert_eq!(first["applicationId"], id);
    assert_eq!(first["apiId"], API_INSTANCE_ORDERS);
    assert_eq!(first["organizationId"], DEFAULT_ORG_ID);
    assert_eq!(first["apiVersion"]["id"], API_INSTANCE_ORDERS);
    assert_eq!(
        first["apiVersion"]["api"]["exchangeAssetName"],
        "orders-api"
    );
    assert!(first["audit"]["created"]["date"].is_string());
    assert_eq!(
        list[1]["requestedTier"],
        json!({"id": TIER_PAYMENTS_STANDARD, "name": "Standard"})
    );
    assert_eq!(
        Value::Array(list.clone()),
        Value::Array(env.h().contracts(id))
    );

    // Approving the pending one behind the API's back.
    let pid = p["id"].as_i64().unwrap();
    assert!(env.h().set_contract_status(pid, "APPROVED"));
    let approved = env.h().contract(pid).unwrap();
    assert_eq!(approved["status"], "APPROVED");
    assert_eq!(approved["tier"]["id"], TIER_PAYMENTS_STANDARD);
    assert_eq!(approved["requestedTier"], Value::Null);
    assert!(!env.h().set_contract_status(pid, "BOGUS"));
    assert!(!env.h().set_contract_status(1, "APPROVED"));

    let r = env
        .call("GET", &format!("{}/contracts", env.app(4)), None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn contract_validation_and_duplicates() {
    let env = Env::start().await;
    let id = env.create_named("validating").await;
    let org = env.org();
    let path = env.exchange_contracts(id);

    let r = env.request_contract(id, API_INSTANCE_ORDERS, None).await;
    assert_eq!(r.status, 400, "tier required when the instance has tiers");
    assert!(r.message().contains("requestedTierId"));
    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_PAYMENTS_STANDARD))
        .await;
    assert_eq!(r.status, 400, "tier of another instance");
    let r = env
        .request_contract(id, API_INSTANCE_CATALOG, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(r.status, 400, "instance without tiers");
    let r = env.request_contract(id, 12345, None).await;
    assert_eq!(r.status, 404, "unknown instance");
    for (key, value) in [
        ("assetId", json!("payments-api")),
        ("version", json!("2.0.0")),
        ("versionGroup", json!("v2")),
        ("groupId", json!(OTHER_ORG)),
        ("organizationId", json!(OTHER_ORG)),
        ("environmentId", json!(OTHER_ORG)),
        ("instanceType", json!("api-group")),
        ("instanceType", json!(null)),
        ("acceptedTerms", json!("yes")),
        ("apiId", json!("abc")),
    ] {
        let mut b = contract_body(&org, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE));
        b[key] = value.clone();
        let r = env.call("POST", &path, Some(b)).await;
        assert_eq!(r.status, 400, "{key}={value}: {}", r.text);
    }
    let mut b = contract_body(&org, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE));
    b.as_object_mut().unwrap().remove("assetId");
    assert_eq!(env.call("POST", &path, Some(b)).await.status, 400);
    assert_eq!(env.call_raw("POST", &path, "[]").await.status, 400);
    let r = env
        .call(
            "POST",
            &env.exchange_contracts(31337),
            Some(contract_body(
                &org,
                API_INSTANCE_ORDERS,
                Some(TIER_ORDERS_BRONZE),
            )),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    assert!(env.h().contracts(id).is_empty(), "nothing was created");

    // String ids are accepted too.
    let mut b = contract_body(&org, API_INSTANCE_ORDERS, None);
    b["apiId"] = json!(API_INSTANCE_ORDERS.to_string());
    b["requestedTierId"] = json!(TIER_ORDERS_BRONZE.to_string());
    let r = env.call("POST", &path, Some(b)).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "Conflict");
    assert!(r.message().contains(&API_INSTANCE_ORDERS.to_string()));
    // Another application may contract the same instance.
    let other = env.create_named("other").await;
    assert_eq!(
        env.request_contract(other, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn contract_tier_changes() {
    let env = Env::start().await;
    let id = env.create_named("tiers").await;
    let c = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json();
    let cid = c["id"].as_i64().unwrap();
    let path = format!("{}/{cid}", env.exchange_contracts(id));

    // Auto-approve tier: changes at once.
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(v["requestedTier"], Value::Null);
    assert_eq!(v["status"], "APPROVED");

    // Manual tier: the tier stays, requestedTier is set.
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_ORDERS_PLATINUM})),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(v["requestedTier"]["id"], TIER_ORDERS_PLATINUM);
    assert_eq!(
        env.h().contract(cid).unwrap()["requestedTier"]["id"],
        TIER_ORDERS_PLATINUM
    );
    assert!(env.h().set_contract_status(cid, "APPROVED"));
    assert_eq!(
        env.h().contract(cid).unwrap()["tier"]["id"],
        TIER_ORDERS_PLATINUM
    );

    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_PAYMENTS_STANDARD})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env.call("PATCH", &path, Some(json!({}))).await;
    assert_eq!(r.status, 400);
    let r = env
        .call(
            "PATCH",
            &format!("{}/999", env.exchange_contracts(id)),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 404);
    // A contract id that belongs to another application is not found here.
    let other = env.create_named("other").await;
    let r = env
        .call(
            "PATCH",
            &format!("{}/{cid}", env.exchange_contracts(other)),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn revoke_then_delete() {
    let env = Env::start().await;
    let id = env.create_named("revoker").await;
    let c = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json();
    let cid = c["id"].as_i64().unwrap();
    let contract = format!("{}/contracts/{cid}", env.api(API_INSTANCE_ORDERS));

    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 409, "must revoke first");
    assert!(r.message().contains("revoked"), "{}", r.text);

    // The revoke path in no public source is an unknown route.
    let r = send(
        env.builder("POST", &format!("{contract}/revoke"))
            .bearer_auth(&env.token)
            .json(&json!({})),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(env.h().contracts(id)[0]["status"], "APPROVED");

    // Only {"status":"REVOKED"} is served on the API Manager PATCH.
    let r = env
        .call(
            "PATCH",
            &contract,
            Some(json!({"tierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = env
        .call("PATCH", &contract, Some(json!({"status": "REVOKED"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "REVOKED");
    assert!(v["revokedDate"].is_string());
    assert_eq!(env.h().contracts(id)[0]["status"], "REVOKED");
    let r = env
        .call("PATCH", &contract, Some(json!({"status": "REVOKED"})))
        .await;
    assert_eq!(r.status, 409, "already revoked");
    let r = env
        .call(
            "PATCH",
            &format!("{}/{cid}", env.exchange_contracts(id)),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 409, "no tier change on a revoked contract");
    assert_eq!(r.json()["error"], "Conflict");

    // One contract per application and instance: an ended one blocks a new
    // request (naming it) until it is deleted.
    let blocked = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(blocked.status, 409, "{}", blocked.text);
    assert!(
        blocked.message().contains(&cid.to_string()),
        "{}",
        blocked.text
    );

    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 404);
    assert!(env.h().contracts(id).is_empty());
    let again = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    // Wrong instance for the contract, unknown instance, unknown env.
    let cid2 = again.json()["id"].as_i64().unwrap();
    let r = env
        .call(
            "PATCH",
            &format!("{}/contracts/{cid2}", env.api(API_INSTANCE_PAYMENTS)),
            Some(json!({"status": "REVOKED"})),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = env
        .call(
            "DELETE",
            &format!("{}/contracts/{cid2}", env.api(777)),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn api_manager_instance_tiers_contracts_and_asset() {
    let env = Env::start().await;
    let r = env.call("GET", &env.api(API_INSTANCE_ORDERS), None).await;
    assert_eq!(r.status, 200);
    let inst = r.json();
    assert_eq!(inst["id"], API_INSTANCE_ORDERS);
    assert_eq!(inst["groupId"], DEFAULT_ORG_ID);
    assert_eq!(inst["assetId"], "orders-api");
    assert_eq!(inst["assetVersion"], "1.0.0");
    assert_eq!(inst["productVersion"], "v1");
    assert_eq!(inst["environmentId"], ENVIRONMENT_ID);
    assert!(inst["instanceLabel"].is_string());

    let r = env
        .call(
            "GET",
            &format!("{}/tiers", env.api(API_INSTANCE_ORDERS)),
            None,
        )
        .await;
    let t = r.json();
    assert_eq!(t["total"], 3);
    let tiers = t["tiers"].as_array().unwrap();
    assert_eq!(tiers[0]["id"], TIER_ORDERS_BRONZE);
    assert_eq!(tiers[0]["autoApprove"], true);
    assert_eq!(tiers[2]["autoApprove"], false);
    assert_eq!(tiers[0]["status"], "ACTIVE");
    assert_eq!(
        tiers[0]["limits"][0],
        json!({"timePeriodInMilliseconds": 60000, "maximumRequests": 100})
    );
    let r = env
        .call(
            "GET",
            &format!("{}/tiers", env.api(API_INSTANCE_CATALOG)),
            None,
        )
        .await;
    assert_eq!(r.json(), json!({"total": 0, "tiers": []}));

    let handle_instances = env.h().api_instances();
    assert_eq!(handle_instances.len(), 3);
    assert_eq!(handle_instances[0]["environmentId"], ENVIRONMENT_ID);
    assert_eq!(handle_instances[0]["tiers"].as_array().unwrap().len(), 3);
    assert_eq!(handle_instances[2]["tiers"], json!([]));

    for p in [
        env.api(1),
        format!("/apimanager/api/v1/organizations/{}/environments/{OTHER_ORG}/apis/{API_INSTANCE_ORDERS}", env.org()),
        format!("{}/tiers", env.api(2)),
    ] {
        assert_eq!(env.call("GET", &p, None).await.status, 404, "{p}");
    }

    // Instance contracts, paged.
    for i in 0..3 {
        let id = env.create_named(&format!("c{i}")).await;
        assert_eq!(
            env.request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
                .await
                .status,
            201
        );
    }
    let r = env
        .call(
            "GET",
            &format!(
                "{}/contracts?offset=1&limit=1",
                env.api(API_INSTANCE_ORDERS)
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 3);
    let items = v["contracts"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["application"]["name"], "c1");
    assert_eq!(items[0]["tierId"], TIER_ORDERS_BRONZE);
    assert_eq!(items[0]["apiId"], API_INSTANCE_ORDERS);
    let r = env
        .call(
            "GET",
            &format!("{}/contracts", env.api(API_INSTANCE_PAYMENTS)),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0);
    let one = format!(
        "{}/contracts/{}",
        env.api(API_INSTANCE_ORDERS),
        items[0]["id"]
    );
    assert_eq!(
        env.call("GET", &one, None).await.json()["id"],
        items[0]["id"]
    );

    // Exchange asset lookup gives the version group.
    let r = env
        .call(
            "GET",
            &format!("/exchange/api/v2/assets/{DEFAULT_ORG_ID}/orders-api/1.0.0"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let a = r.json();
    assert_eq!(a["versionGroup"], "v1");
    assert_eq!(a["groupId"], DEFAULT_ORG_ID);
    assert_eq!(a["assetId"], "orders-api");
    assert_eq!(a["version"], "1.0.0");
    assert!(a["name"].is_string());
    let r = env
        .call(
            "GET",
            &format!("/exchange/api/v2/assets/{DEFAULT_ORG_ID}/orders-api/9.9.9"),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = send(env.builder(
        "GET",
        &format!("/exchange/api/v2/assets/{DEFAULT_ORG_ID}/orders-api/1.0.0"),
    ))
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn deleting_an_app_removes_its_contracts() {
    let env = Env::start().await;
    let id = env.create_named("cascade").await;
    env.request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    assert_eq!(env.call("DELETE", &env.app(id), None).await.status, 204);
    assert!(env.h().contracts(id).is_empty());
    let r = env
        .call(
            "GET",
            &format!("{}/contracts", env.api(API_INSTANCE_ORDERS)),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0);
}
