//! The Anypoint client against the mock platform in `client_support`.

mod client_support;

use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use anypoint_provider::anypoint::{
    AddOwnerOutcome, AnypointClient, ApiError, ApplicationUpdate, ClientConfig, NewContract,
};
use anypoint_provider::secret::Secret;
use client_support::*;
use serde_json::json;
use tokio_util::sync::CancellationToken;

// ---------------------------------------------------------------------------
// Construction, token

#[tokio::test]
async fn constructing_the_client_makes_no_request() {
    let mock = start().await;
    let mut cfg = config(&mock);
    cfg.org_id = None;
    let c = client_from(cfg);
    let _clone = c.clone();
    tokio::task::yield_now().await;
    assert_eq!(mock.world.total(), 0);
    // The first real call makes the token request.
    c.org_id().await.unwrap();
    assert_eq!(mock.world.count("POST", TOKEN_PATH), 1);
}

#[tokio::test]
async fn concurrent_first_calls_make_one_token_request() {
    let mock = start().await;
    let id = mock.world.insert_app("shared");
    let c = client(&mock);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let c = c.clone();
        tasks.spawn(async move { c.get_application(ORG, id).await });
    }
    while let Some(r) = tasks.join_next().await {
        assert_eq!(r.unwrap().unwrap().id, id);
    }
    assert_eq!(mock.world.count("POST", TOKEN_PATH), 1);
    assert_eq!(mock.world.count("GET", &app_path(id)), 100);
    assert_eq!(mock.world.rejected_tokens.load(SeqCst), 0);
}

#[tokio::test]
async fn a_fresh_token_is_reused() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let c = client(&mock);
    for _ in 0..3 {
        c.get_application(ORG, id).await.unwrap();
    }
    assert_eq!(mock.world.count("POST", TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_expires() {
    let mock = start().await;
    mock.world.token_lifetime.store(1, SeqCst);
    let id = mock.world.insert_app("a");
    let c = client(&mock);
    c.get_application(ORG, id).await.unwrap();
    // Let the 1 s token run out (the client renews after 0.5 s).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    c.get_application(ORG, id).await.unwrap();
    assert_eq!(mock.world.count("POST", TOKEN_PATH), 2);
    assert_eq!(
        mock.world.rejected_tokens.load(SeqCst),
        0,
        "no call met a 401"
    );
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_retries() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault("GET", &app_path(id), [status(401)]);
    let c = client(&mock);
    let app = c.get_application(ORG, id).await.unwrap();
    assert_eq!(app.id, id);
    assert_eq!(mock.world.count("POST", TOKEN_PATH), 2);
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);
}

#[tokio::test]
async fn a_second_401_is_unauthorized() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault(
        "GET",
        &app_path(id),
        [status(401), status(401), status(401)],
    );
    let c = client(&mock);
    let err = c.get_application(ORG, id).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(mock.world.count("POST", TOKEN_PATH), 2);
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);
}

#[tokio::test]
async fn rejected_credentials_say_so_without_the_secret() {
    let mock = start().await;
    let mut cfg = config(&mock);
    cfg.client_secret = Secret::new("wrong-secret-value");
    let c = client_from(cfg);
    let err = c.get_application(ORG, 1).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let text = err.to_string();
    assert!(text.contains("client_id and client_secret"), "{text}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("wrong-secret-value"));
    assert!(!format!("{err:?}").contains("wrong-secret-value"));
    // Nothing but the token request was tried.
    assert_eq!(mock.world.total(), 1);
}

#[tokio::test]
async fn the_user_agent_names_provider_and_terraform() {
    let mock = start().await;
    let c = client(&mock);
    c.get_application(ORG, 1).await.unwrap_err();
    let expected = format!(
        "terraform-provider-anypoint/{} terraform/1.9.5",
        env!("CARGO_PKG_VERSION")
    );
    for seen in mock.world.log.lock().unwrap().iter() {
        assert_eq!(seen.user_agent, expected);
    }
    assert_eq!(c.user_agent(), expected);
}

// ---------------------------------------------------------------------------
// Organization

#[tokio::test]
async fn org_discovery_prefers_client_org_id_and_happens_once() {
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
        assert_eq!(r.unwrap().unwrap(), "org-from-client");
    }
    assert_eq!(c.org_id().await.unwrap(), "org-from-client");
    assert_eq!(mock.world.count("GET", "/accounts/api/me"), 1);
}

#[tokio::test]
async fn org_discovery_falls_back_to_the_user_organization() {
    let mock = start().await;
    *mock.world.me.lock().unwrap() = json!({
        "client": {"client_id": CLIENT_ID},
        "user": {"organization": {"id": "org-from-user"}}
    });
    let mut cfg = config(&mock);
    cfg.org_id = None;
    let c = client_from(cfg);
    assert_eq!(c.org_id().await.unwrap(), "org-from-user");
    assert_eq!(c.org_id().await.unwrap(), "org-from-user");
    assert_eq!(mock.world.count("GET", "/accounts/api/me"), 1);

    *mock.world.me.lock().unwrap() = json!({"client": {}});
    let mut cfg = config(&mock);
    cfg.org_id = None;
    let err = client_from(cfg).org_id().await.unwrap_err();
    assert!(err.to_string().contains("org_id"), "{err}");
}

#[tokio::test]
async fn an_explicit_org_id_makes_no_me_call() {
    let mock = start().await;
    let c = client(&mock);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(mock.world.total(), 0);
}

// ---------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn transient_statuses_with_empty_bodies_are_retried() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault(
        "GET",
        &app_path(id),
        [status(429), status(502), status(503), status(504)],
    );
    let c = client(&mock);
    assert_eq!(c.get_application(ORG, id).await.unwrap().id, id);
    assert_eq!(mock.world.count("GET", &app_path(id)), 5);
}

#[tokio::test]
async fn retry_after_seconds_is_waited() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 429,
            headers: vec![("retry-after", "2".to_owned())],
            body: String::new(),
        }],
    );
    let c = client(&mock);
    let started = Instant::now();
    c.get_application(ORG, id).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900),
        "waited only {elapsed:?}"
    );
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);
}

#[tokio::test]
async fn x_ratelimit_reset_is_honoured() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    // A small value is read as seconds to wait.
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 503,
            headers: vec![("x-ratelimit-reset", "2".to_owned())],
            body: String::new(),
        }],
    );
    let c = client(&mock);
    let started = Instant::now();
    c.get_application(ORG, id).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900),
        "waited only {elapsed:?}"
    );
}

#[tokio::test]
async fn x_ratelimit_reset_as_epoch_seconds_is_honoured() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 429,
            headers: vec![("x-ratelimit-reset", (now + 2).to_string())],
            body: String::new(),
        }],
    );
    let c = client(&mock);
    let started = Instant::now();
    c.get_application(ORG, id).await.unwrap();
    // now+2 in whole seconds is at least 1 s away.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900),
        "waited only {elapsed:?}"
    );
}

#[tokio::test]
async fn attempts_are_bounded_by_max_retries() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world
        .fault("GET", &app_path(id), std::iter::repeat_n(status(503), 20));
    let mut cfg = config(&mock);
    cfg.max_retries = 3;
    let err = client_from(cfg).get_application(ORG, id).await.unwrap_err();
    assert!(matches!(err, ApiError::Server(_)), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.info().unwrap().attempts, 4);
    assert!(err.to_string().contains("after 4 attempts"), "{err}");
    assert_eq!(mock.world.count("GET", &app_path(id)), 4);

    // max_retries = 0: one attempt.
    let mut cfg = config(&mock);
    cfg.max_retries = 0;
    client_from(cfg).get_application(ORG, id).await.unwrap_err();
    assert_eq!(mock.world.count("GET", &app_path(id)), 5);
}

#[tokio::test]
async fn the_total_wait_cap_ends_retries() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 429,
            headers: vec![("retry-after", "30".to_owned())],
            body: String::new(),
        }],
    );
    let mut cfg = config(&mock);
    cfg.backoff.max_total_wait = Duration::from_secs(10);
    let started = Instant::now();
    let err = client_from(cfg).get_application(ORG, id).await.unwrap_err();
    assert!(matches!(err, ApiError::RateLimited(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(mock.world.count("GET", &app_path(id)), 1);
}

#[tokio::test]
async fn a_500_is_not_retried_and_4xx_are_final() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault("GET", &app_path(id), [status(500)]);
    let c = client(&mock);
    let err = c.get_application(ORG, id).await.unwrap_err();
    assert!(matches!(err, ApiError::Server(_)));
    assert_eq!(mock.world.count("GET", &app_path(id)), 1);
    let err = c.get_application(ORG, 424242).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(mock.world.count("GET", &app_path(424242)), 1);
}

#[tokio::test]
async fn cancelling_during_a_back_off_returns_at_once() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 429,
            headers: vec![("retry-after", "30".to_owned())],
            body: String::new(),
        }],
    );
    let cancel = CancellationToken::new();
    let c = AnypointClient::new(config(&mock), "1.9.5", cancel.clone()).unwrap();
    let call = tokio::spawn(async move { c.get_application(ORG, id).await });
    mock.world.wait_for("GET", &app_path(id), 1).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let err = call.await.unwrap().unwrap_err();
    let elapsed = cancelled_at.elapsed();
    assert!(err.is_cancelled(), "{err:?}");
    assert!(elapsed < Duration::from_millis(100), "took {elapsed:?}");
    assert_eq!(mock.world.count("GET", &app_path(id)), 1);
}

#[tokio::test]
async fn cancelling_an_in_flight_request_returns_at_once() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault("GET", &app_path(id), [Fault::Hang]);
    let cancel = CancellationToken::new();
    let c = AnypointClient::new(config(&mock), "1.9.5", cancel.clone()).unwrap();
    let call = tokio::spawn(async move { c.get_application(ORG, id).await });
    mock.world.wait_for("GET", &app_path(id), 1).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let err = call.await.unwrap().unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert!(cancelled_at.elapsed() < Duration::from_millis(100));
    // A cancelled client makes no further request.
    let c2 = AnypointClient::new(config(&mock), "1.9.5", cancel).unwrap();
    assert!(c2
        .get_application(ORG, id)
        .await
        .unwrap_err()
        .is_cancelled());
    assert_eq!(mock.world.count("GET", &app_path(id)), 1);
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.fault("GET", &app_path(id), [Fault::Hang]);
    let mut cfg = config(&mock);
    cfg.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let app = client_from(cfg).get_application(ORG, id).await.unwrap();
    assert_eq!(app.id, id);
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);
}

#[tokio::test]
async fn connect_errors_are_retried_then_reported() {
    // A port with nobody listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut cfg = ClientConfig::new(
        &format!("http://127.0.0.1:{port}"),
        CLIENT_ID,
        Secret::new(CLIENT_SECRET),
    )
    .unwrap();
    cfg.max_retries = 2;
    cfg.backoff.base_delay = Duration::from_millis(5);
    let err = client_from(cfg).org_id().await.unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");
    assert!(!err.is_ambiguous());
    assert_eq!(err.info().unwrap().attempts, 3);
    assert!(!err.to_string().contains(CLIENT_SECRET));
}

// ---------------------------------------------------------------------------
// Create safety

#[tokio::test]
async fn an_ambiguous_504_on_create_finds_the_created_app() {
    let mock = start().await;
    mock.world
        .fault("POST", &apps_path(), [Fault::ActThen(504)]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("orders-client"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "orders-client");
    assert!(app.client_secret.is_some());
    assert_eq!(mock.world.count("POST", &apps_path()), 1);
    // The same-named applications listed before the create, and the lookup.
    assert_eq!(mock.world.count("GET", &apps_path()), 2);
    assert_eq!(mock.world.apps.lock().unwrap().len(), 1);
    // The lookup searched by name, with targetAdminSite.
    let list = mock
        .world
        .requests()
        .into_iter()
        .find(|r| r.starts_with(&format!("GET {}?", apps_path())))
        .unwrap();
    assert!(list.contains("query=orders-client"), "{list}");
    assert!(list.contains("targetAdminSite=true"), "{list}");
}

#[tokio::test]
async fn a_dropped_connection_on_create_finds_the_created_app() {
    let mock = start().await;
    // A similar name that must not be taken for ours.
    mock.world.insert_app("orders-client-old");
    mock.world.fault("POST", &apps_path(), [Fault::ActThenDrop]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("orders-client"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "orders-client");
    assert_eq!(mock.world.count("POST", &apps_path()), 1);
    assert_eq!(mock.world.apps.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_unreadable_create_answer_is_resolved_by_name() {
    let mock = start().await;
    // Created, but the 201 comes with an empty body.
    mock.world
        .fault("POST", &apps_path(), [Fault::ActThen(201)]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("quiet"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "quiet");
    assert!(app.client_secret.is_some());
    assert_eq!(mock.world.count("POST", &apps_path()), 1);
    assert_eq!(mock.world.apps.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_create_is_retried_without_a_lookup() {
    let mock = start().await;
    mock.world
        .fault("POST", &apps_path(), [status(503), status(429)]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("a"), Some("12345"))
        .await
        .unwrap();
    assert_eq!(app.name, "a");
    assert_eq!(mock.world.count("POST", &apps_path()), 3);
    // Only the listing before the first attempt.
    assert_eq!(mock.world.count("GET", &apps_path()), 1);
    assert!(mock
        .world
        .requests()
        .contains(&format!("POST {}?apiVersionId=12345", apps_path())));
}

#[tokio::test]
async fn an_ambiguous_create_that_did_not_happen_is_looked_up_then_retried() {
    let mock = start().await;
    mock.world.fault("POST", &apps_path(), [status(502)]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("b"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "b");
    let order: Vec<String> = mock
        .world
        .requests()
        .into_iter()
        .filter(|r| r.contains(&apps_path()) && !r.contains("/applications/"))
        .map(|r| r.split('?').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        order,
        vec![
            format!("GET {}", apps_path()),
            format!("POST {}", apps_path()),
            format!("GET {}", apps_path()),
            format!("POST {}", apps_path()),
        ]
    );
    assert_eq!(mock.world.apps.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_500_on_create_is_looked_up_but_not_retried() {
    let mock = start().await;
    mock.world
        .fault("POST", &apps_path(), [Fault::ActThen(500)]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("c"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "c");
    assert_eq!(mock.world.count("POST", &apps_path()), 1);

    mock.world.fault("POST", &apps_path(), [status(500)]);
    let err = c
        .create_application(ORG, &new_app("d"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Server(_)), "{err:?}");
    assert!(err.is_ambiguous());
    assert_eq!(mock.world.count("POST", &apps_path()), 2);
}

#[tokio::test]
async fn an_ambiguous_create_never_takes_an_older_same_named_app() {
    let mock = start().await;
    let older = mock.world.insert_app("dup");
    mock.world
        .fault("POST", &apps_path(), [Fault::ActThen(504)]);
    let app = client(&mock)
        .create_application(ORG, &new_app("dup"), None)
        .await
        .unwrap();
    assert_ne!(app.id, older);
    assert_eq!(mock.world.count("POST", &apps_path()), 1);
    assert_eq!(mock.world.apps.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_ambiguous_create_with_several_new_same_named_apps_is_a_conflict() {
    let mock = start().await;
    mock.world.fault("POST", &apps_path(), [Fault::Hang]);
    let mut cfg = config(&mock);
    cfg.timeout = Duration::from_secs(1);
    let c = client_from(cfg);
    let create =
        tokio::spawn(async move { c.create_application(ORG, &new_app("dup"), None).await });
    // While our attempt hangs, two applications with the name appear.
    mock.world.wait_for("POST", &apps_path(), 1).await;
    mock.world.insert_app("dup");
    mock.world.insert_app("dup");
    let err = create.await.unwrap().unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert!(err.to_string().contains("2 applications"), "{err}");
    assert_eq!(mock.world.count("POST", &apps_path()), 1);
}

#[tokio::test]
async fn an_ambiguous_owner_add_reads_the_owners_first() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let owners = format!("{}/owners", app_path(id));
    mock.world.fault("POST", &owners, [Fault::ActThen(502)]);
    let c = client(&mock);
    let outcome = c.add_owner(ORG, id, "user-1").await.unwrap();
    assert_eq!(outcome, AddOwnerOutcome::Added);
    assert_eq!(mock.world.count("POST", &owners), 1);
    assert_eq!(mock.world.count("GET", &app_path(id)), 1);

    // Not added by the ambiguous attempt: read, then retried.
    mock.world.fault("POST", &owners, [Fault::Hang]);
    let mut cfg = config(&mock);
    cfg.timeout = Duration::from_secs(1);
    let outcome = client_from(cfg).add_owner(ORG, id, "user-2").await.unwrap();
    assert_eq!(outcome, AddOwnerOutcome::Added);
    assert_eq!(mock.world.count("POST", &owners), 3);
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);

    // 409: already an owner.
    assert_eq!(
        c.add_owner(ORG, id, "user-1").await.unwrap(),
        AddOwnerOutcome::AlreadyOwner
    );
    c.remove_owner(ORG, id, "user-1").await.unwrap();
    assert!(c
        .remove_owner(ORG, id, "user-1")
        .await
        .unwrap_err()
        .is_not_found());
    let app = c.get_application(ORG, id).await.unwrap();
    assert_eq!(
        app.owners.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        vec!["user-2"]
    );
}

#[tokio::test]
async fn a_secret_reset_is_not_repeated_after_an_ambiguous_failure() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let reset = format!("{}/secret/reset", app_path(id));
    mock.world.fault("POST", &reset, [Fault::ActThen(504)]);
    let c = client(&mock);
    let err = c.reset_secret(ORG, id).await.unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    assert_eq!(mock.world.count("POST", &reset), 1);

    // Refused: retried.
    mock.world.fault("POST", &reset, [status(503)]);
    let app = c.reset_secret(ORG, id).await.unwrap();
    assert_eq!(mock.world.count("POST", &reset), 3);
    let current = mock.world.apps.lock().unwrap()[&id]["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.client_secret.unwrap().expose(), current);
}

#[tokio::test]
async fn a_secret_reset_with_an_empty_answer_reads_the_app() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world.reset_empty_body.store(true, SeqCst);
    let c = client(&mock);
    let before = c.get_application(ORG, id).await.unwrap().client_secret;
    let app = c.reset_secret(ORG, id).await.unwrap();
    assert_ne!(app.client_secret, before);
    assert!(app.client_secret.is_some());
    assert_eq!(mock.world.count("GET", &app_path(id)), 2);
}

#[tokio::test]
async fn a_delete_that_was_applied_then_404_is_not_found() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    mock.world
        .fault("DELETE", &app_path(id), [Fault::ActThen(504)]);
    let err = client(&mock).delete_application(ORG, id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(mock.world.count("DELETE", &app_path(id)), 2);
    assert!(mock.world.apps.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_ambiguous_contract_create_finds_the_contract() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let path = format!("/exchange/api/v2/organizations/{ORG}/applications/{id}/contracts");
    mock.world.fault("POST", &path, [Fault::ActThen(504)]);
    let req = NewContract {
        api_id: 4242,
        requested_tier_id: Some(1),
        organization_id: "asset-org".into(),
        group_id: "asset-org".into(),
        asset_id: "orders-api".into(),
        version: "1.0.2".into(),
        version_group: "v1".into(),
        environment_id: Some("env-1".into()),
        ..Default::default()
    };
    let c = client(&mock);
    let contract = c.create_contract(ORG, id, &req).await.unwrap();
    assert_eq!(contract.api_instance_id, Some(4242));
    assert_eq!(mock.world.count("POST", &path), 1);
    assert_eq!(
        mock.world
            .count("GET", &format!("{}/contracts", app_path(id))),
        1
    );
    // A first-attempt 409 is the caller's business.
    assert!(c
        .create_contract(ORG, id, &req)
        .await
        .unwrap_err()
        .is_conflict());
}

// ---------------------------------------------------------------------------
// Operations and paths

#[tokio::test]
async fn every_operation_uses_its_exact_path() {
    let mock = start().await;
    mock.world.users.lock().unwrap().extend([
        json!({"id": "u-1", "username": "alice", "email": "a@x"}),
        json!({"id": "u-2", "username": "bob"}),
    ]);
    let c = client(&mock);
    let app = c
        .create_application(ORG, &new_app("paths"), None)
        .await
        .unwrap();
    let id = app.id;
    let got = c.get_application(ORG, id).await.unwrap();
    assert_eq!(got.client_id, app.client_id);
    let mut update = ApplicationUpdate::from(&got);
    update.description = Some("new".into());
    let updated = c.update_application(ORG, id, &update).await.unwrap();
    assert_eq!(updated.description.as_deref(), Some("new"));
    let found = c.find_applications_by_name(ORG, "paths").await.unwrap();
    assert_eq!(found.len(), 1);
    c.add_owner(ORG, id, "u-1").await.unwrap();
    c.remove_owner(ORG, id, "u-1").await.unwrap();
    c.reset_secret(ORG, id).await.unwrap();
    let instance = c.get_api_instance(ORG, "env-1", 55).await.unwrap();
    assert_eq!(instance.asset_id.as_deref(), Some("orders-api"));
    let tiers = c.list_tiers(ORG, "env-1", 55).await.unwrap();
    assert_eq!(tiers.len(), 2);
    let group = c
        .asset_version_group("asset-org", "orders-api", "1.0.2")
        .await
        .unwrap();
    assert_eq!(group, "v1");
    let contract = c
        .create_contract(
            ORG,
            id,
            &NewContract {
                api_id: 55,
                organization_id: "asset-org".into(),
                group_id: "asset-org".into(),
                asset_id: "orders-api".into(),
                version: "1.0.2".into(),
                version_group: group,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let changed = c
        .change_contract_tier(ORG, id, contract.id, 2)
        .await
        .unwrap();
    assert_eq!(changed.requested_tier_id, Some(2));
    let listed = c.list_contracts(ORG, id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].api_instance_id, Some(55));
    c.revoke_contract(ORG, "env-1", 55, contract.id)
        .await
        .unwrap();
    c.delete_contract(ORG, "env-1", 55, contract.id)
        .await
        .unwrap();
    let users = c.list_users(ORG, Some("ali")).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].id, "u-1");
    c.delete_application(ORG, id).await.unwrap();

    let a = apps_path();
    let cid = contract.id;
    let apim = format!("/apimanager/api/v1/organizations/{ORG}/environments/env-1/apis/55");
    let expected = vec![
        format!("POST {TOKEN_PATH}"),
        format!("GET {a}?query=paths&offset=0&limit=250&targetAdminSite=true"),
        format!("POST {a}"),
        format!("GET {a}/{id}"),
        format!("PUT {a}/{id}"),
        format!("GET {a}?query=paths&offset=0&limit=250&targetAdminSite=true"),
        format!("POST {a}/{id}/owners"),
        format!("DELETE {a}/{id}/owners/u-1"),
        format!("POST {a}/{id}/secret/reset"),
        format!("GET {apim}"),
        format!("GET {apim}/tiers?offset=0&limit=250"),
        "GET /exchange/api/v2/assets/asset-org/orders-api/1.0.2".to_owned(),
        format!("POST /exchange/api/v2/organizations/{ORG}/applications/{id}/contracts"),
        format!("PATCH /exchange/api/v2/organizations/{ORG}/applications/{id}/contracts/{cid}"),
        format!("GET {a}/{id}/contracts"),
        format!("POST {apim}/contracts/{cid}/revoke"),
        format!("DELETE {apim}/contracts/{cid}"),
        format!("GET /accounts/api/organizations/{ORG}/users?search=ali&offset=0&limit=100"),
        format!("DELETE {a}/{id}"),
    ];
    assert_eq!(mock.world.requests(), expected);
}

#[tokio::test]
async fn listing_pages_through_everything() {
    let mock = start().await;
    for i in 0..260 {
        mock.world.insert_app(&format!("app-{i}"));
    }
    let c = client(&mock);
    let all = c.list_applications(ORG, None).await.unwrap();
    assert_eq!(all.len(), 260);
    let lists: Vec<String> = mock
        .world
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET "))
        .collect();
    assert_eq!(
        lists,
        vec![
            format!(
                "GET {}?offset=0&limit=250&targetAdminSite=true",
                apps_path()
            ),
            format!(
                "GET {}?offset=250&limit=250&targetAdminSite=true",
                apps_path()
            ),
        ]
    );
    // Exact-name lookup ignores partial matches.
    let found = c.find_applications_by_name(ORG, "app-1").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "app-1");
}

#[tokio::test]
async fn revoking_again_after_an_ambiguous_revoke_succeeds() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let c = client(&mock);
    let contract = c
        .create_contract(
            ORG,
            id,
            &NewContract {
                api_id: 9,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let revoke = format!(
        "/apimanager/api/v1/organizations/{ORG}/environments/e/apis/9/contracts/{}/revoke",
        contract.id
    );
    mock.world.fault("POST", &revoke, [Fault::ActThen(504)]);
    c.revoke_contract(ORG, "e", 9, contract.id).await.unwrap();
    assert_eq!(mock.world.count("POST", &revoke), 2);
    // Without an ambiguous attempt, a 409 is reported.
    assert!(c
        .revoke_contract(ORG, "e", 9, contract.id)
        .await
        .unwrap_err()
        .is_conflict());
}

// ---------------------------------------------------------------------------
// Errors

#[tokio::test]
async fn error_messages_come_from_each_body_shape() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let c = client(&mock);
    let cases = [
        (400, r#"{"message":"name is required"}"#, "name is required"),
        (
            400,
            r#"{"errors":[{"message":"bad url"},{"message":"bad name"}]}"#,
            "bad url; bad name",
        ),
        (409, r#"{"error":"Conflict"}"#, "Conflict"),
        (400, "plain words from a proxy", "plain words from a proxy"),
        (400, "", "empty response body"),
    ];
    for (code, body, expected) in cases {
        mock.world.fault(
            "GET",
            &app_path(id),
            [Fault::Respond {
                status: code,
                headers: vec![],
                body: body.to_owned(),
            }],
        );
        let err = c.get_application(ORG, id).await.unwrap_err();
        assert_eq!(err.message(), expected);
        assert_eq!(err.status(), Some(code));
        let text = err.to_string();
        assert!(text.contains(expected), "{text}");
        assert!(text.contains(&format!("GET {}", app_path(id))), "{text}");
        assert!(!text.contains('\n'));
    }
    mock.world.fault("GET", &app_path(id), [status(403)]);
    let err = c.get_application(ORG, id).await.unwrap_err();
    assert!(err.is_forbidden());
    assert!(err.to_string().contains("Application Creator"), "{err}");
    assert!(err.to_string().contains("it created"), "{err}");
}

#[tokio::test]
async fn debug_and_display_hold_no_secret() {
    let mock = start().await;
    let id = mock.world.insert_app("a");
    let cfg = config(&mock);
    let c = client_from(cfg.clone());
    let mut rendered = vec![format!("{cfg:?}"), format!("{c:?}")];
    // Make sure a token exists, so a leak would be visible.
    let app = c.get_application(ORG, id).await.unwrap();
    rendered.push(format!("{app:?}"));

    let mut errors: Vec<ApiError> = Vec::new();
    // The platform echoes the Authorization header (twice: the 401 renewal).
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::EchoAuth(401), Fault::EchoAuth(401)],
    );
    errors.push(c.get_application(ORG, id).await.unwrap_err());
    // A body that quotes the client secret and an app's secret.
    let app_secret = app.client_secret.as_ref().unwrap().expose().to_owned();
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 400,
            headers: vec![],
            body: format!(r#"{{"message":"bad secret {CLIENT_SECRET}"}}"#),
        }],
    );
    errors.push(c.get_application(ORG, id).await.unwrap_err());
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 409,
            headers: vec![],
            body: format!(r#"{{"id":1,"clientSecret":"{app_secret}"}}"#),
        }],
    );
    errors.push(c.get_application(ORG, id).await.unwrap_err());
    for code in [403, 404, 429, 500] {
        mock.world.fault("GET", &app_path(id), [status(code)]);
        let mut cfg = config(&mock);
        cfg.max_retries = 0;
        errors.push(client_from(cfg).get_application(ORG, id).await.unwrap_err());
    }
    // Decode: a 200 that is not an application, quoting a secret.
    mock.world.fault(
        "GET",
        &app_path(id),
        [Fault::Respond {
            status: 200,
            headers: vec![],
            body: format!(r#"{{"id":"{app_secret}"}}"#),
        }],
    );
    errors.push(c.get_application(ORG, id).await.unwrap_err());
    // Cancelled, transport, config.
    let cancel = CancellationToken::new();
    cancel.cancel();
    errors.push(
        AnypointClient::new(cfg.clone(), "1", cancel)
            .unwrap()
            .get_application(ORG, id)
            .await
            .unwrap_err(),
    );
    mock.world
        .fault("GET", &app_path(id), [Fault::Hang, Fault::Hang]);
    let mut short = config(&mock);
    short.timeout = Duration::from_secs(1);
    short.max_retries = 1;
    errors.push(
        client_from(short)
            .get_application(ORG, id)
            .await
            .unwrap_err(),
    );
    errors.push(ApiError::Config("x".into()));

    let kinds: Vec<&str> = errors.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        vec![
            "unauthorized",
            "bad_request",
            "conflict",
            "forbidden",
            "not_found",
            "rate_limited",
            "server",
            "decode",
            "cancelled",
            "transport",
            "config"
        ]
    );
    for e in &errors {
        rendered.push(format!("{e:?}"));
        rendered.push(e.to_string());
    }
    assert!(rendered
        .iter()
        .any(|r| r.contains("rejected credentials: Bearer ***")));
    for r in &rendered {
        assert_free_of_secrets(r, &mock);
    }
}

#[test]
fn client_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let cfg = ClientConfig::new("https://example.com", "id", Secret::new("s")).unwrap();
    let c = AnypointClient::new(cfg, "1", CancellationToken::new()).unwrap();
    is_send(&c.get_application(ORG, 1));
    is_send(&c.create_application(ORG, &new_app("x"), None));
    is_send(&c.list_applications(ORG, None));
    is_send(&c.add_owner(ORG, 1, "u"));
    is_send(&c.create_contract(ORG, 1, &NewContract::default()));
    is_send(&c.list_users(ORG, None));
    is_send(&c.org_id());
}
