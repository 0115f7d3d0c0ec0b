//! The token endpoint, authentication on API routes, /me and the users directory.

use super::*;

#[tokio::test]
async fn token_json_and_form_and_errors() {
    let env = Env::start().await;
    let url = env.url(TOKEN_PATH);

    let r = send(
        env.http
            .post(&url)
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(!v["access_token"].as_str().unwrap().is_empty());

    let form = format!(
        "grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}"
    );
    let r = send(
        env.http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let form_token = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_ne!(form_token, env.token, "tokens are random");
    // The form-issued token works.
    let me = send(
        env.http
            .get(env.url("/accounts/api/me"))
            .bearer_auth(&form_token),
    )
    .await;
    assert_eq!(me.status, 200);

    let r = send(
        env.http
            .post(&url)
            .json(&token_body(DEFAULT_CLIENT_ID, "wrong")),
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(
        !r.text.contains("wrong"),
        "the error must not echo the secret"
    );
    let r = send(
        env.http
            .post(&url)
            .json(&token_body("someone-else", DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 401);

    let mut bad_grant = token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    bad_grant["grant_type"] = json!("password");
    let r = send(env.http.post(&url).json(&bad_grant)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");

    let r = send(
        env.http
            .post(&url)
            .header("content-type", "application/json")
            .body("{oops"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].is_string());

    // 1 (Env::start) + 6 here.
    assert_eq!(env.h().token_requests(), 7);
}

#[tokio::test]
async fn api_routes_need_a_valid_unexpired_token() {
    let env = Env::start().await;
    let apps = env.apps();

    let r = send(env.builder("GET", &apps)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.message(), "Unauthorized");
    let r = send(env.builder("GET", &apps).bearer_auth("not-a-token")).await;
    assert_eq!(r.status, 401);
    let r = send(
        env.builder("GET", &apps)
            .header("authorization", format!("Basic {}", env.token)),
    )
    .await;
    assert_eq!(r.status, 401, "only Bearer is accepted");
    let r = send(
        env.builder("GET", &apps)
            .header("authorization", format!("bearer {}", env.token)),
    )
    .await;
    assert_eq!(r.status, 200, "the scheme is case-insensitive");

    env.h().expire_tokens();
    let r = env.call("GET", &apps, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.message(), "Unauthorized");
    let fresh = env.new_token().await;
    let r = send(env.builder("GET", &apps).bearer_auth(&fresh)).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn token_ttl_is_enforced() {
    let env = Env::start_with(EmulatorConfig {
        token_ttl: Duration::ZERO,
        ..Default::default()
    })
    .await;
    assert_eq!(env.h().token_requests(), 1);
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(
        r.status, 401,
        "a token with a zero lifetime is expired at once"
    );
}

#[tokio::test]
async fn other_organization_is_forbidden() {
    let env = Env::start().await;
    let paths = [
        format!("/apiplatform/repository/v2/organizations/{OTHER_ORG}/applications"),
        format!("/accounts/api/organizations/{OTHER_ORG}/users"),
        format!("/apimanager/api/v1/organizations/{OTHER_ORG}/environments/{ENVIRONMENT_ID}/apis/{API_INSTANCE_ORDERS}"),
    ];
    for p in paths {
        let r = env.call("GET", &p, None).await;
        assert_eq!(r.status, 403, "{p}");
        assert!(r.message().contains(OTHER_ORG), "{}", r.text);
    }
    let r = env
        .call(
            "POST",
            &format!("/apiplatform/repository/v2/organizations/{OTHER_ORG}/applications"),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(env.h().application_count(), 0);
}

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let env = Env::start().await;
    for (m, p) in [
        ("GET", "/".to_owned()),
        ("GET", "/nothing/here".to_owned()),
        ("PUT", env.apps()),
        ("GET", format!("{}/1/unknown", env.apps())),
        ("GET", TOKEN_PATH.to_owned()),
    ] {
        let r = env.call(m, &p, None).await;
        assert_eq!(r.status, 404, "{m} {p}");
        assert!(r.json()["message"].is_string());
    }
}

// ------------------------------------------------------------ me and users

#[tokio::test]
async fn me_describes_client_and_creator() {
    let env = Env::start().await;
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["client"]["client_id"], DEFAULT_CLIENT_ID);
    assert_eq!(v["client"]["org_id"], DEFAULT_ORG_ID);
    assert!(v["client"]["name"].is_string());
    assert_eq!(v["user"]["id"], CONNECTED_APP_USER_ID);
    assert_eq!(
        v["user"]["id"].as_str().unwrap(),
        env.h().connected_app_user_id()
    );
    assert_eq!(v["user"]["username"], "emulator-admin");
    assert_eq!(v["user"]["organizationId"], DEFAULT_ORG_ID);
    assert_eq!(v["user"]["organization"]["id"], DEFAULT_ORG_ID);
    assert_eq!(v["user"]["organization"]["name"], "Emulated Organization");
    assert!(!r.text.contains(DEFAULT_CLIENT_SECRET));
}

#[tokio::test]
async fn users_are_seeded_searchable_and_paged() {
    let env = Env::start().await;
    let base = format!("/accounts/api/organizations/{}/users", env.org());
    let r = env.call("GET", &base, None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 6);
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 6);
    assert_eq!(data[0]["id"], CONNECTED_APP_USER_ID);
    let alice = data.iter().find(|u| u["username"] == "alice").unwrap();
    assert_eq!(
        *alice,
        json!({"id": ALICE, "username": "alice", "email": "alice@example.com",
               "firstName": "Alice", "lastName": "Anderson"})
    );
    assert_eq!(Value::Array(data.clone()), Value::Array(env.h().users()));

    let r = env.call("GET", &format!("{base}?search=BOB"), None).await;
    let v = r.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["data"][0]["id"], BOB);
    let r = env
        .call(
            "GET",
            &format!("{base}?search=example.com&offset=4&limit=5"),
            None,
        )
        .await;
    let v = r.json();
    assert_eq!(v["total"], 6);
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(v["data"][1]["username"], "erin");
    let r = env.call("GET", &format!("{base}?limit=0"), None).await;
    assert_eq!(r.status, 400);
}
