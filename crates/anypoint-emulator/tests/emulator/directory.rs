//! The organization's directory: users (searched, and added through the
//! admin route) and environments.

use anypoint_emulator::BUSINESS_GROUP_ID;

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
