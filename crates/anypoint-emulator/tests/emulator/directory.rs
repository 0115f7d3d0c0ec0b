//! The organization's directory: users (searched, and added through the
//! admin route), environments, and API instances found by API Manager's
//! search (added through the admin route and the handle).

use anypoint_emulator::{
    NewApiInstance, NewTier, Variant, BUSINESS_GROUP_ID, PRODUCTION_ENVIRONMENT_ID,
};

use super::*;

#[tokio::test]
async fn users_added_through_the_admin_route_are_found_by_the_search() {
    let env = Env::start_with(EmulatorConfig {
        admin: true,
        ..EmulatorConfig::default()
    })
    .await;
    let r = env
        .call(
            "POST",
            "/_emulator/users",
            Some(json!({"username": "alice2", "email": "Alice@Example.com", "firstName": "Alice"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["email"], "Alice@Example.com");
    // The email need not be unique: a search for it finds both users.
    let found = env
        .call(
            "GET",
            &format!(
                "/accounts/api/organizations/{}/users?search=alice@example.com",
                env.org()
            ),
            None,
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    let ids: Vec<String> = found.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.contains(&ALICE.to_owned()) && ids.contains(&id),
        "{ids:?}"
    );
    assert_eq!(found.json()["total"], 2);
    // The username is needed, and nothing but the four fields is taken.
    let r = env
        .call(
            "POST",
            "/_emulator/users",
            Some(json!({"email": "x@example.com"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = env
        .call(
            "POST",
            "/_emulator/users",
            Some(json!({"username": "x", "admin": true})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let listed = env.call("GET", "/_emulator/users", None).await;
    assert_eq!(listed.json().as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn the_root_has_a_sandbox_and_a_production_environment_and_the_group_none() {
    let env = Env::start().await;
    let r = env
        .call(
            "GET",
            &format!("/accounts/api/organizations/{}/environments", env.org()),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["total"], 2);
    assert_eq!(body["data"][0]["id"], ENVIRONMENT_ID);
    assert_eq!(body["data"][0]["name"], "Sandbox");
    assert_eq!(body["data"][0]["isProduction"], false);
    assert_eq!(body["data"][1]["type"], "production");
    assert_eq!(body["data"][1]["isProduction"], true);
    let group = env
        .call(
            "GET",
            &format!("/accounts/api/organizations/{BUSINESS_GROUP_ID}/environments"),
            None,
        )
        .await;
    assert_eq!(group.status, 200, "{}", group.text);
    assert_eq!(group.json()["total"], 0);
    let other = env
        .call(
            "GET",
            &format!("/accounts/api/organizations/{OTHER_ORG}/environments"),
            None,
        )
        .await;
    assert_eq!(other.status, 403, "{}", other.text);
}

fn admin() -> EmulatorConfig {
    EmulatorConfig {
        admin: true,
        ..EmulatorConfig::default()
    }
}

async fn environment_names(env: &Env, org: &str) -> Vec<String> {
    let r = env
        .call(
            "GET",
            &format!("/accounts/api/organizations/{org}/environments"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["total"].as_u64(),
        Some(r.json()["data"].as_array().unwrap().len() as u64)
    );
    r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn environments_added_through_the_admin_route_may_share_a_name() {
    let env = Env::start_with(admin()).await;
    let r = env
        .call(
            "POST",
            "/_emulator/environments",
            Some(json!({"name": "Sandbox"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let added = r.json();
    assert_ne!(added["id"], ENVIRONMENT_ID);
    assert_eq!(added["type"], "sandbox");
    assert_eq!(added["isProduction"], false);
    assert_eq!(added["organizationId"], env.org().as_str());
    assert_eq!(
        environment_names(&env, &env.org()).await,
        ["Sandbox", "Production", "Sandbox"]
    );
    // The business group takes environments too; the root's list does not
    // show them.
    let r = env
        .call(
            "POST",
            "/_emulator/environments",
            Some(
                json!({"name": "Live", "type": "production", "organizationId": BUSINESS_GROUP_ID}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["isProduction"], true);
    assert_eq!(environment_names(&env, BUSINESS_GROUP_ID).await, ["Live"]);
    assert_eq!(environment_names(&env, &env.org()).await.len(), 3);
    let listed = env.call("GET", "/_emulator/environments", None).await;
    assert_eq!(listed.json().as_array().unwrap().len(), 4);
    // A type, an organization or a field the route does not know is 400.
    for body in [
        json!({"name": "QA", "type": "staging"}),
        json!({"name": "QA", "organizationId": OTHER_ORG}),
        json!({"name": ""}),
        json!({"name": "QA", "isProduction": true}),
    ] {
        let r = env
            .call("POST", "/_emulator/environments", Some(body.clone()))
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
    }
    // The handle adds them the same way.
    let id = env.h().add_environment("Sandbox", "design", None).unwrap();
    assert!(env
        .h()
        .environments()
        .iter()
        .any(|e| e["id"] == id.as_str()));
    assert!(env.h().add_environment("QA", "nope", None).is_err());
}

/// `GET …/environments/{env}/apis` with `query`: (asset ids, instance ids
/// per asset, total).
async fn search(env: &Env, environment: &str, query: &str) -> (Vec<String>, Vec<Vec<i64>>, u64) {
    let r = env
        .call(
            "GET",
            &format!(
                "/apimanager/api/v1/organizations/{}/environments/{environment}/apis?{query}",
                env.org()
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    let body = r.json();
    let assets = body["assets"].as_array().unwrap();
    let names = assets
        .iter()
        .map(|a| a["assetId"].as_str().unwrap().to_owned())
        .collect();
    let ids = assets
        .iter()
        .map(|a| {
            a["apis"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap())
                .collect()
        })
        .collect();
    (names, ids, body["total"].as_u64().unwrap())
}

#[tokio::test]
async fn the_api_search_finds_an_assets_instances_exactly_and_pages_by_asset() {
    let env = Env::start_with(admin()).await;
    let r = env
        .call(
            "POST",
            "/_emulator/api-instances",
            Some(json!({
                "assetId": "orders-api",
                "instanceLabel": "orders-eu",
                "tiers": [
                    {"name": "Gold", "autoApprove": false,
                     "limits": [{"maximumRequests": 5, "timePeriodInMilliseconds": 1000}]},
                    {"name": "Gold", "status": "DEPRECATED"}
                ]
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let eu = r.json();
    let eu_id = eu["id"].as_i64().unwrap();
    assert_eq!(eu["environmentId"], ENVIRONMENT_ID);
    assert_eq!(eu["groupId"], env.org().as_str());
    assert_eq!(eu["instanceLabel"], "orders-eu");
    assert_eq!(eu["tiers"][0]["autoApprove"], false);
    assert_eq!(eu["tiers"][0]["limits"][0]["maximumRequests"], 5);
    assert_eq!(eu["tiers"][1]["status"], "DEPRECATED");
    // One asset, both of its instances.
    let (assets, ids, total) = search(&env, ENVIRONMENT_ID, "assetId=orders-api").await;
    assert_eq!(assets, ["orders-api"]);
    assert_eq!(ids, [vec![API_INSTANCE_ORDERS, eu_id]]);
    assert_eq!(total, 1);
    let (_, ids, _) = search(
        &env,
        ENVIRONMENT_ID,
        "assetId=orders-api&instanceLabel=orders-eu",
    )
    .await;
    assert_eq!(ids, [vec![eu_id]]);
    let (_, ids, _) = search(
        &env,
        ENVIRONMENT_ID,
        &format!(
            "assetId=orders-api&groupId={}&assetVersion=1.0.0",
            env.org()
        ),
    )
    .await;
    assert_eq!(ids[0].len(), 2);
    // Each filter matches exactly by default.
    for query in [
        "assetId=orders",
        "assetId=Orders-API",
        "assetId=orders-api&instanceLabel=orders",
        "assetId=orders-api&assetVersion=1.0",
        "groupId=nobody",
    ] {
        let (assets, _, total) = search(&env, ENVIRONMENT_ID, query).await;
        assert!(assets.is_empty() && total == 0, "{query}: {assets:?}");
    }
    // Pages count assets, ordered by name; total counts them all.
    let (all, _, total) = search(&env, ENVIRONMENT_ID, "").await;
    assert_eq!(all, ["catalog-api", "orders-api", "payments-api"]);
    assert_eq!(total, 3);
    let (page, ids, total) = search(&env, ENVIRONMENT_ID, "offset=1&limit=1").await;
    assert_eq!(page, ["orders-api"]);
    assert_eq!(ids[0].len(), 2, "an asset comes with all its instances");
    assert_eq!(total, 3);
    let (assets, _, _) = search(&env, ENVIRONMENT_ID, "query=PAYMENTS").await;
    assert_eq!(assets, ["payments-api"]);
    // Production holds none; an unknown environment is 404; the listings.
    assert_eq!(search(&env, PRODUCTION_ENVIRONMENT_ID, "").await.2, 0);
    let r = env
        .call(
            "GET",
            &format!(
                "/apimanager/api/v1/organizations/{}/environments/nope/apis",
                env.org()
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let listed = env.call("GET", "/_emulator/api-instances", None).await;
    assert_eq!(listed.json().as_array().unwrap().len(), 4);
    for body in [
        json!({"instanceLabel": "x"}),
        json!({"assetId": "x", "environmentId": "nope"}),
        json!({"assetId": "x", "tiers": [{"description": "no name"}]}),
        json!({"assetId": "x", "tiers": [{"name": "T", "status": "RETIRED"}]}),
        json!({"assetId": "x", "label": "typo"}),
    ] {
        let r = env
            .call("POST", "/_emulator/api-instances", Some(body.clone()))
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
    }
}

#[tokio::test]
async fn under_api_search_loose_the_filters_match_parts_without_case() {
    let env = Env::start_with(EmulatorConfig {
        variants: vec![Variant::ApiSearchLoose],
        ..EmulatorConfig::default()
    })
    .await;
    let (assets, _, _) = search(&env, ENVIRONMENT_ID, "assetId=API").await;
    assert_eq!(assets, ["catalog-api", "orders-api", "payments-api"]);
    let (assets, _, _) = search(&env, ENVIRONMENT_ID, "assetId=orders&instanceLabel=V1").await;
    assert_eq!(assets, ["orders-api"]);
}

#[tokio::test]
async fn an_instance_added_in_another_environment_is_read_and_contracted_there() {
    let env = Env::start().await;
    let h = env.h();
    let qa = h.add_environment("QA", "sandbox", None).unwrap();
    let mut new = NewApiInstance::new("orders-api");
    new.environment_id = qa.clone();
    new.instance_label = Some("orders-qa".to_owned());
    new.tiers = vec![NewTier::new("Gold", true)];
    let id = h.add_api_instance(new).unwrap();
    let gold = h.api_instances().last().unwrap()["tiers"][0]["id"]
        .as_i64()
        .unwrap();
    let at = |environment: &str| {
        format!(
            "/apimanager/api/v1/organizations/{}/environments/{environment}/apis/{id}",
            env.org()
        )
    };
    let r = env.call("GET", &at(&qa), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["environmentId"], qa.as_str());
    assert_eq!(r.json()["instanceLabel"], "orders-qa");
    assert_eq!(env.call("GET", &at(ENVIRONMENT_ID), None).await.status, 404);
    // The Sandbox search does not see it; QA's does.
    assert_eq!(
        search(&env, ENVIRONMENT_ID, "assetId=orders-api").await.1,
        [vec![API_INSTANCE_ORDERS]]
    );
    assert_eq!(search(&env, &qa, "assetId=orders-api").await.1, [vec![id]]);
    // A contract request names the instance's environment.
    let app = env.create_named("qa-client").await;
    let mut body = contract_body(&env.org(), id, Some(gold));
    body["assetId"] = json!("orders-api");
    body["environmentId"] = json!(ENVIRONMENT_ID);
    let r = env
        .call("POST", &env.exchange_contracts(app), Some(body.clone()))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    body["environmentId"] = json!(qa);
    let r = env
        .call("POST", &env.exchange_contracts(app), Some(body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["status"], "APPROVED");
    // Instances go to the root organization's environments only.
    let group_env = h
        .add_environment("Live", "production", Some(BUSINESS_GROUP_ID))
        .unwrap();
    let err = h
        .add_api_instance(NewApiInstance {
            environment_id: group_env,
            ..NewApiInstance::new("x")
        })
        .unwrap_err();
    assert!(err.contains("business group"), "{err}");
}
