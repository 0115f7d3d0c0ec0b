//! Applications: create, validation, names, get, list, replace, merge, delete,
//! owners and secret reset.

use super::*;

#[tokio::test]
async fn create_returns_the_full_object() {
    let env = Env::start().await;
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let v = env.create_app(json!({"name": "Orders client"})).await;
    assert_eq!(v["name"], "Orders client");
    assert!(v["id"].as_i64().unwrap() > 0);
    assert_eq!(v["description"], Value::Null);
    assert_eq!(v["url"], Value::Null);
    assert_eq!(v["redirectUri"], json!([]));
    assert_eq!(v["grantTypes"], json!([]));
    let client_id = v["clientId"].as_str().unwrap();
    assert!(is_hex32(client_id), "{client_id}");
    assert_eq!(v["coreServicesId"], v["clientId"]);
    assert!(v["clientSecret"].as_str().unwrap().len() >= 16);
    assert_eq!(v["masterOrganizationId"], DEFAULT_ORG_ID);
    assert_eq!(v["clientProvider"], json!({"providerId": null}));
    assert_eq!(v["audit"]["updated"], json!({}));
    let created = v["audit"]["created"]["date"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    let parsed =
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(parsed >= before);
    // The Connected App's user is the first (and only) owner.
    let owners = v["owners"].as_array().unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["id"], CONNECTED_APP_USER_ID);
    assert_eq!(owners[0]["type"], "user");
    assert_eq!(owners[0]["username"], "emulator-admin");
    assert_eq!(owners[0]["email"], "emulator-admin@example.com");
    assert_eq!(v["owner"], "Emulator Admin");
    assert_eq!(v["email"], "emulator-admin@example.com");
    assert!(
        v.get("apiEndpoints").is_none(),
        "apiEndpoints is write-only"
    );

    // All fields given; "" reads back as null.
    let w = env
        .create_app(json!({
            "name": "Second", "description": "d", "url": "https://example.com",
            "redirectUri": ["https://example.com/cb"],
            "grantTypes": ["authorization_code", "refresh_token"], "apiEndpoints": true,
        }))
        .await;
    assert_eq!(w["description"], "d");
    assert_eq!(w["url"], "https://example.com");
    assert_eq!(w["redirectUri"], json!(["https://example.com/cb"]));
    assert_eq!(
        w["grantTypes"],
        json!(["authorization_code", "refresh_token"])
    );
    assert!(
        w["id"].as_i64().unwrap() > v["id"].as_i64().unwrap(),
        "ids increase"
    );
    assert_ne!(w["clientId"], v["clientId"]);
    let x = env
        .create_app(json!({"name": "Third", "description": "", "url": ""}))
        .await;
    assert_eq!(x["description"], Value::Null);
    assert_eq!(x["url"], Value::Null);

    // GET by id returns the same object.
    let got = env
        .call("GET", &env.app(v["id"].as_i64().unwrap()), None)
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), v);
    assert_eq!(env.h().application(v["id"].as_i64().unwrap()), Some(v));
}

#[tokio::test]
async fn create_validates_the_body() {
    let env = Env::start().await;
    let apps = env.apps();
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": 5}),
        json!({"name": "a", "grantTypes": ["client_credentials", "magic"]}),
        json!({"name": "a", "grantTypes": "password"}),
        json!({"name": "a", "redirectUri": [1]}),
        json!({"name": "a", "description": 3}),
        json!({"name": "a", "apiEndpoints": "yes"}),
        json!(["name"]),
    ] {
        let r = env.call("POST", &apps, Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(!r.message().is_empty());
    }
    for raw in ["{not json", "", "null"] {
        let r = env.call_raw("POST", &apps, raw).await;
        assert_eq!(r.status, 400, "{raw:?}");
        assert!(!r.message().is_empty());
    }
    for q in [
        "?apiVersionId=abc",
        "?apiVersionId=999",
        "?apiVersionId=-40001",
        "?apiVersionId=",
    ] {
        let r = env
            .call("POST", &format!("{apps}{q}"), Some(json!({"name": "q"})))
            .await;
        assert_eq!(r.status, 400, "{q}");
    }
    assert_eq!(env.h().application_count(), 0);
    let r = env
        .call(
            "POST",
            &format!("{apps}?apiVersionId={API_INSTANCE_ORDERS}"),
            Some(
                json!({"name": "q", "grantTypes": ["password", "implicit", "client_credentials",
                "authorization_code", "refresh_token"]}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn duplicate_names_conflict() {
    let env = Env::start().await;
    env.create_named("Dup").await;
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "Dup"})))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.message(), "An application with name Dup already exists.");
    // Exact match only.
    env.create_named("dup").await;
    assert_eq!(env.h().application_count(), 2);
}

#[tokio::test]
async fn concurrent_creates_get_distinct_ids_and_one_winner_per_name() {
    let env = Env::start().await;
    let apps = env.apps();
    let calls = (0..20).map(|i| env.call("POST", &apps, Some(json!({"name": format!("app-{i}")}))));
    let results = futures_join_all(calls).await;
    let mut ids: Vec<i64> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201);
            r.json()["id"].as_i64().unwrap()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);

    let same = (0..10).map(|_| env.call("POST", &apps, Some(json!({"name": "race"}))));
    let statuses: Vec<u16> = futures_join_all(same)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
}

/// Run futures concurrently on the current task (no extra crate needed).
async fn futures_join_all<F: std::future::Future<Output = Resp>>(
    futs: impl Iterator<Item = F>,
) -> Vec<Resp> {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<Resp>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => out[i] = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn get_missing_and_by_client_id() {
    let env = Env::start().await;
    let r = env.call("GET", &env.app(424242), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    let v = env.create_app(json!({"name": "by-client-id"})).await;
    let r = env
        .call(
            "GET",
            &format!("{}/{}", env.apps(), v["clientId"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], v["id"]);
    let r = env
        .call(
            "GET",
            &format!("{}?ignoreOwners=true", env.app(v["id"].as_i64().unwrap())),
            None,
        )
        .await;
    assert!(r.json().get("owners").is_none());
}

#[tokio::test]
async fn list_hides_secrets_filters_and_pages() {
    let env = Env::start().await;
    for i in 0..7 {
        env.create_app(json!({"name": format!("Alpha {i}"), "description": "x"}))
            .await;
    }
    env.create_named("beta").await;
    let r = env.call("GET", &env.apps(), None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 8);
    let items = v["applications"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    for item in items {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "audit",
                "masterOrganizationId",
                "id",
                "name",
                "description",
                "coreServicesId",
                "url"
            ]
        );
    }
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ordered by id");
    for secret in env
        .h()
        .applications()
        .iter()
        .map(|a| a["clientSecret"].as_str().unwrap().to_owned())
    {
        assert!(!r.text.contains(&secret));
    }

    // Case-insensitive substring query; total counts matches, not the page.
    let r = env
        .call(
            "GET",
            &format!(
                "{}?query=ALPHA&offset=2&limit=3&targetAdminSite=true",
                env.apps()
            ),
            None,
        )
        .await;
    let v = r.json();
    assert_eq!(v["total"], 7);
    let names: Vec<&str> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha 2", "Alpha 3", "Alpha 4"]);
    let r = env
        .call("GET", &format!("{}?query=alpha&offset=6", env.apps()), None)
        .await;
    assert_eq!(r.json()["applications"].as_array().unwrap().len(), 1);
    let r = env
        .call(
            "GET",
            &format!("{}?query=alpha%201&literalMatch=true", env.apps()),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 1);
    let r = env
        .call(
            "GET",
            &format!("{}?query=nothing-matches", env.apps()),
            None,
        )
        .await;
    assert_eq!(r.json(), json!({"applications": [], "total": 0}));
    let r = env
        .call("GET", &format!("{}?limit=250", env.apps()), None)
        .await;
    assert_eq!(r.status, 200);
    for q in [
        "limit=0",
        "limit=251",
        "offset=-1",
        "limit=ten",
        "targetAdminSite=maybe",
    ] {
        let r = env.call("GET", &format!("{}?{q}", env.apps()), None).await;
        assert_eq!(r.status, 400, "{q}");
    }
}

#[tokio::test]
async fn put_replaces_the_mutable_set() {
    let env = Env::start().await;
    let v = env
        .create_app(json!({"name": "P", "description": "d", "url": "https://u", "redirectUri": ["https://r"],
                          "grantTypes": ["client_credentials"]}))
        .await;
    let id = v["id"].as_i64().unwrap();
    let r = env
        .call(
            "PUT",
            &env.app(id),
            Some(json!({"name": "P2", "description": "new", "grantTypes": ["password"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let w = r.json();
    assert_eq!(w["name"], "P2");
    assert_eq!(w["description"], "new");
    assert_eq!(w["url"], Value::Null, "missing field cleared");
    assert_eq!(w["redirectUri"], json!([]), "missing field cleared");
    assert_eq!(w["grantTypes"], json!(["password"]));
    assert_eq!(w["clientId"], v["clientId"]);
    assert_eq!(w["clientSecret"], v["clientSecret"]);
    assert_eq!(w["audit"]["created"], v["audit"]["created"]);
    assert!(w["audit"]["updated"]["date"].is_string());
    assert_eq!(env.call("GET", &env.app(id), None).await.json(), w);

    // Keeping its own name is fine; another app's name is not.
    let r = env
        .call("PUT", &env.app(id), Some(json!({"name": "P2"})))
        .await;
    assert_eq!(r.status, 200);
    env.create_named("Taken").await;
    let r = env
        .call("PUT", &env.app(id), Some(json!({"name": "Taken"})))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        r.message(),
        "An application with name Taken already exists."
    );
    let r = env
        .call("PUT", &env.app(id), Some(json!({"description": "no name"})))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .call(
            "PUT",
            &env.app(id),
            Some(json!({"name": "x", "grantTypes": ["bogus"]})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env.call_raw("PUT", &env.app(id), "{").await;
    assert_eq!(r.status, 400);
    let r = env
        .call("PUT", &env.app(999), Some(json!({"name": "x"})))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    assert_eq!(env.h().application(id).unwrap()["name"], "P2");
}

#[tokio::test]
async fn patch_merges() {
    let env = Env::start().await;
    let v = env
        .create_app(json!({"name": "M", "description": "d", "url": "https://u"}))
        .await;
    let id = v["id"].as_i64().unwrap();
    let r = env
        .call(
            "PATCH",
            &env.app(id),
            Some(json!({"url": null, "redirectUri": ["https://r"]})),
        )
        .await;
    assert_eq!(r.status, 200);
    let w = r.json();
    assert_eq!(w["name"], "M");
    assert_eq!(w["description"], "d");
    assert_eq!(w["url"], Value::Null);
    assert_eq!(w["redirectUri"], json!(["https://r"]));
    let r = env
        .call("PATCH", &env.app(id), Some(json!({"name": ""})))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .call("PATCH", &env.app(77), Some(json!({"name": "z"})))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn delete_app() {
    let env = Env::start().await;
    let id = env.create_named("gone").await;
    let r = env.call("DELETE", &env.app(id), None).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let r = env.call("GET", &env.app(id), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    let r = env.call("DELETE", &env.app(id), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    assert_eq!(env.h().application_count(), 0);
    // The name is free again.
    env.create_named("gone").await;
}

#[tokio::test]
async fn owners_add_remove_and_errors() {
    let env = Env::start().await;
    let id = env.create_named("owned").await;
    let owners = format!("{}/owners", env.app(id));

    let r = env.call("POST", &owners, Some(json!({"id": ALICE}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let o = r.json();
    assert_eq!(o["id"], ALICE);
    assert_eq!(o["username"], "alice");
    assert_eq!(o["type"], "user");
    let r = env.call("POST", &owners, Some(json!({"id": BOB}))).await;
    assert_eq!(r.status, 201);
    assert_eq!(env.h().owners(id), [CONNECTED_APP_USER_ID, ALICE, BOB]);
    let got = env.call("GET", &env.app(id), None).await.json();
    let ids: Vec<&str> = got["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [CONNECTED_APP_USER_ID, ALICE, BOB]);
    assert_eq!(got["owners"][1]["email"], "alice@example.com");
    assert_eq!(got["owners"][1]["firstName"], "Alice");
    assert_eq!(got["owners"][1]["lastName"], "Anderson");

    let r = env.call("POST", &owners, Some(json!({"id": ALICE}))).await;
    assert_eq!(r.status, 409);
    assert!(r.message().contains("already an owner"));
    let r = env
        .call(
            "POST",
            &owners,
            Some(json!({"id": "00000000-0000-4000-8000-00000000dead"})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.message().contains("user"), "{}", r.text);
    let r = env
        .call("POST", &owners, Some(json!({"name": "alice"})))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .call(
            "POST",
            &format!("{}/owners", env.app(5)),
            Some(json!({"id": ALICE})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");

    let r = env.call("DELETE", &format!("{owners}/{ALICE}"), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(env.h().owners(id), [CONNECTED_APP_USER_ID, BOB]);
    let r = env.call("DELETE", &format!("{owners}/{ALICE}"), None).await;
    assert_eq!(r.status, 404, "not an owner any more");
    let r = env
        .call("DELETE", &format!("{}/owners/{BOB}", env.app(5)), None)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
}

#[tokio::test]
async fn secret_reset_rotates_only_the_secret() {
    let env = Env::start().await;
    let v = env.create_app(json!({"name": "rotate"})).await;
    let id = v["id"].as_i64().unwrap();
    let path = format!("{}/secret/reset", env.app(id));
    let r = send(env.builder("POST", &path).bearer_auth(&env.token)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let w = r.json();
    assert_ne!(w["clientSecret"], v["clientSecret"]);
    assert_eq!(w["clientId"], v["clientId"]);
    assert_eq!(w["id"], v["id"]);
    assert_eq!(
        env.call("GET", &env.app(id), None).await.json()["clientSecret"],
        w["clientSecret"]
    );
    let again = send(env.builder("POST", &path).bearer_auth(&env.token))
        .await
        .json();
    assert_ne!(again["clientSecret"], w["clientSecret"]);
    let r = send(
        env.builder("POST", &format!("{}/secret/reset", env.app(1)))
            .bearer_auth(&env.token),
    )
    .await;
    assert_eq!(r.status, 404);
}
