//! Construction, the access token and the organization.

use super::*;

#[tokio::test]
async fn constructing_the_client_makes_no_request() {
    let emu = start().await;
    let h = emu.handle();
    let mut cfg = config(&emu);
    cfg.org_id = None;
    let c = client_from(cfg);
    let _clone = c.clone();
    tokio::task::yield_now().await;
    assert_eq!(h.requests().len(), 0);
    // The first real call makes the token request.
    c.org_id().await.unwrap();
    assert_eq!(count(&h, "POST", TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_fresh_token_is_reused() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let c = client(&emu);
    for _ in 0..3 {
        c.applications().get(ORG, id).await.unwrap();
    }
    assert_eq!(count(&h, "POST", TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_second_401_is_unauthorized() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(
        &h,
        "GET",
        &app_path(id),
        [401, 401, 401].map(FaultKind::status),
    );
    let c = client(&emu);
    let err = c.applications().get(ORG, id).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(count(&h, "POST", TOKEN_PATH), 2);
    assert_eq!(count(&h, "GET", &app_path(id)), 2);
}

#[tokio::test]
async fn rejected_credentials_say_so_without_the_secret() {
    let emu = start().await;
    let h = emu.handle();
    let mut cfg = config(&emu);
    cfg.client_secret = Secret::new("wrong-secret-value");
    let c = client_from(cfg.clone());
    // The emulator's own refusal, then one with only an `error` code.
    let err = c.applications().get(ORG, 1).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(
        err.to_string().contains("Invalid client credentials"),
        "{err}"
    );
    // The refusal is final for this client: a later call gets it at once.
    let again = c.applications().get(ORG, 1).await.unwrap_err();
    assert_eq!(again.to_string(), err.to_string());
    assert_eq!(count(&h, "POST", TOKEN_PATH), 1);
    let body = r#"{"error":"invalid_client"}"#;
    fault(&h, "POST", TOKEN_PATH, [FaultKind::respond(401, body)]);
    let err = client_from(cfg)
        .applications()
        .get(ORG, 1)
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let text = err.to_string();
    assert!(text.contains("client_id and client_secret"), "{text}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("wrong-secret-value"));
    assert!(!format!("{err:?}").contains("wrong-secret-value"));
    // Nothing but the token requests were tried.
    assert_eq!(h.requests().len(), 2);
    assert_eq!(count(&h, "POST", TOKEN_PATH), 2);
}

#[tokio::test]
async fn an_explicit_org_id_makes_no_me_call() {
    let emu = start().await;
    let c = client(&emu);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(emu.handle().requests().len(), 0);
}

/// The emulator records no headers and answers `/me` in one shape only.
mod on_the_mock {
    use serde_json::json;

    use crate::client_support::*;

    #[tokio::test]
    async fn the_user_agent_names_provider_and_terraform() {
        let mock = start().await;
        let c = client(&mock);
        c.applications().get(ORG, 1).await.unwrap_err();
        let expected = format!(
            "terraform-provider-anypoint/{} terraform/1.9.5",
            env!("CARGO_PKG_VERSION")
        );
        for seen in mock.world.log.lock().unwrap().iter() {
            assert_eq!(seen.user_agent, expected);
        }
        assert_eq!(c.user_agent(), expected);
    }

    /// A Connected App may reside in a business group (`client.org_id`);
    /// client applications live in the root organization of its user.
    #[tokio::test]
    async fn org_discovery_takes_the_users_root_organization_once() {
        let mock = start().await;
        let mut cfg = config(&mock);
        cfg.org_id = None;
        let c = client_from(cfg);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let c = c.clone();
            tasks.spawn(async move { c.org_id().await });
        }
        while let Some(r) = tasks.join_next().await {
            assert_eq!(r.unwrap().unwrap(), "org-from-user");
        }
        assert_eq!(c.org_id().await.unwrap(), "org-from-user");
        assert_eq!(mock.world.count("GET", "/accounts/api/me"), 1);
    }

    #[tokio::test]
    async fn org_discovery_without_a_user_organization_uses_the_connected_apps() {
        let mock = start().await;
        *mock.world.me.lock().unwrap() = json!({
            "client": {"client_id": CLIENT_ID, "org_id": "org-from-client"},
            "user": {"id": "u0"}
        });
        let mut cfg = config(&mock);
        cfg.org_id = None;
        let c = client_from(cfg);
        // The organization cannot be read here (the mock does not serve
        // it): the Connected App's own is used.
        assert_eq!(c.org_id().await.unwrap(), "org-from-client");
        assert_eq!(c.org_id().await.unwrap(), "org-from-client");
        assert_eq!(mock.world.count("GET", "/accounts/api/me"), 1);

        *mock.world.me.lock().unwrap() = json!({"client": {}});
        let mut cfg = config(&mock);
        cfg.org_id = None;
        let err = client_from(cfg).org_id().await.unwrap_err();
        assert!(err.to_string().contains("org_id"), "{err}");
    }
}
