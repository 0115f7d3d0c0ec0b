//! Construction, the access token and the organization.

use super::*;

#[tokio::test]
async fn constructing_the_client_makes_no_request() {
    let emu = emulator().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_first_calls_make_one_token_request() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let mut set = JoinSet::new();
    for _ in 0..100 {
        let c = c.clone();
        set.spawn(async move { c.applications().list(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().expect("list succeeds");
    }
    assert_eq!(h.token_requests(), 1);
    assert_eq!(h.request_count("GET", &apps_path()), 100);
    assert_eq!(count_status(&h, 401), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_token_is_renewed_before_it_expires() {
    let emu = start_emulator(|c| c.token_ttl = Duration::from_secs(2)).await;
    let h = emu.handle();
    let c = client(&emu);
    c.applications().list(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);
    // A second call well inside the renewal point reuses the token.
    c.users().list(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);

    // Let the 2 s token expire on the emulator (this waits for time itself,
    // it synchronises nothing). The client renews at half the lifetime, so
    // it must fetch a new token before sending: no request sees a 401.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let mut set = JoinSet::new();
    for _ in 0..20 {
        let c = c.clone();
        set.spawn(async move { c.applications().list(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().expect("list after expiry succeeds");
    }
    assert_eq!(h.token_requests(), 2, "exactly one renewal");
    assert_eq!(
        count_status(&h, 401),
        0,
        "renewed before expiry, never on a 401: {:?}",
        h.requests()
    );
}

/// A 401 renews the token once per call: one renewal serves every call
/// that got it, and a second 401 in the same call is final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_renews_the_token_once_per_call() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.applications().list(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);

    // One call: a 401, one renewal, success.
    h.expire_tokens();
    h.reset_request_log();
    c.users()
        .list(ORG, None)
        .await
        .expect("succeeds after renewal");
    assert_eq!(h.token_requests(), 1, "one renewal");
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 200, 200], "{:?}", h.requests());

    // Many calls at once on an expired token: still one renewal.
    h.expire_tokens();
    h.reset_request_log();
    let mut set = JoinSet::new();
    for _ in 0..30 {
        let c = c.clone();
        set.spawn(async move { c.applications().list(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().expect("succeeds after renewal");
    }
    assert_eq!(h.token_requests(), 1, "one renewal for 30 calls");
    assert!(count_status(&h, 401) >= 1);
    assert_eq!(
        h.request_count("GET", &apps_path()),
        30 + count_status(&h, 401)
    );

    // A second 401 in one call is final: Unauthorized, after one renewal.
    let id = insert_app(&h, "a");
    h.reset_request_log();
    fault(
        &h,
        "GET",
        &app_path(id),
        [401, 401, 401].map(FaultKind::status),
    );
    let err = c.applications().get(ORG, id).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(h.token_requests(), 1, "one renewal");
    assert_eq!(count(&h, "GET", &app_path(id)), 2);
}

#[tokio::test]
async fn rejected_credentials_say_so_without_the_secret() {
    let emu = emulator().await;
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

/// Against a platform that throttles everything (every answer a 429 with
/// `Retry-After: 20`), concurrent first calls share one token request series
/// of 1 + `max_retries` requests and fail together with its error; a call
/// made afterwards fails at once, without a request. (The client's longest
/// single wait is cut to a few milliseconds, so the 20 s hints cost no time:
/// the requests counted are what the test proves.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_token_request_fails_every_call_after_one_series() {
    let emu = emulator().await;
    let h = emu.handle();
    for _ in 0..50 {
        h.push_fault(Fault::any(FaultKind::retry_after(429, "20")));
    }
    let mut cfg = config(&emu);
    cfg.max_retries = 3;
    cfg.backoff.max_single_wait = Duration::from_millis(5);
    let c = client_with(cfg, CancellationToken::new());
    let mut set = JoinSet::new();
    for i in 0..20 {
        let c = c.clone();
        set.spawn(async move {
            if i % 2 == 0 {
                c.applications().list(ORG, None).await.map(drop)
            } else {
                c.users().list(ORG, None).await.map(drop)
            }
        });
    }
    let mut errors = Vec::new();
    while let Some(r) = set.join_next().await {
        errors.push(r.unwrap().expect_err("no call gets through"));
    }
    assert_eq!(h.token_requests(), 4, "one series: {:?}", h.requests());
    assert_eq!(
        h.requests().len(),
        4,
        "nothing but the series: {:?}",
        h.requests()
    );
    for e in &errors {
        assert!(matches!(e, ApiError::RateLimited(_)), "{e}");
        assert_eq!(e.info().unwrap().attempts, 4, "{e}");
    }
    for _ in 0..3 {
        let e = c.applications().list(ORG, None).await.unwrap_err();
        assert!(matches!(e, ApiError::RateLimited(_)), "{e}");
    }
    assert_eq!(
        h.requests().len(),
        4,
        "later calls sent nothing: {:?}",
        h.requests()
    );
    assert_eq!(h.pending_faults(), 46);
}

#[tokio::test]
async fn token_endpoint_faults_are_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // A token issued but lost, a refusal with a wait hint, then success.
    h.push_fault(Fault::on("POST", TOKEN_PATH, FaultKind::ProcessThenDrop));
    h.push_fault(Fault::on(
        "POST",
        TOKEN_PATH,
        FaultKind::Status {
            status: 429,
            retry_after: Some("1".to_owned()),
            ratelimit_reset: None,
        },
    ));
    h.push_fault(Fault::on(
        "POST",
        TOKEN_PATH,
        FaultKind::ProcessThenStatus(502),
    ));
    let started = Instant::now();
    c.applications().list(ORG, None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(h.token_requests(), 4);
    assert_eq!(h.pending_faults(), 0);
}

#[tokio::test]
async fn an_explicit_org_id_makes_no_me_call() {
    let emu = emulator().await;
    let c = client(&emu);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(emu.handle().requests().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_is_discovered_once_from_me() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_from(without_org(&emu));
    let mut set = JoinSet::new();
    for _ in 0..10 {
        let c = c.clone();
        set.spawn(async move { c.org_id().await });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), ORG);
    }
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(h.request_count("GET", "/accounts/api/me"), 1);
    assert_eq!(h.token_requests(), 1);

    // The discovered org works for the API.
    let org = c.org_id().await.unwrap();
    let app = create_app(&c, &org, &new_app("discovered"), None)
        .await
        .unwrap();
    assert_eq!(app.master_organization_id.as_deref(), Some(ORG));

    // Another organization is refused with a hint about the organization
    // (which one was used and how to set it), not about scopes.
    let other = "99999999-9999-4999-8999-999999999999";
    let e = c.applications().list(other, None).await.unwrap_err();
    assert!(e.is_forbidden(), "{e}");
    let text = e.to_string();
    assert!(!text.contains("Application Creator"), "{text}");
    assert!(
        text.contains(&format!(
            "organization {other}, the organization this request used"
        )),
        "{text}"
    );
    assert!(text.contains("org_id"), "{text}");
}

#[tokio::test]
async fn the_organization_and_the_identity_share_one_me_request() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_from(without_org(&emu));
    let (org, me) = tokio::join!(c.org_id(), c.connected_app_identity());
    assert_eq!(org.unwrap(), ORG);
    let me = me.unwrap();
    assert_eq!(me.org_id.as_deref(), Some(ORG));
    assert_eq!(me.user_id.as_deref(), Some(CONNECTED_APP_USER_ID));
    assert_eq!(c.connected_app_identity().await.unwrap(), me);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(h.request_count("GET", "/accounts/api/me"), 1);
}

/// Settings that leave the organization to discovery.
fn without_org(emu: &Emulator) -> ClientConfig {
    let mut cfg = config(emu);
    cfg.max_retries = 3;
    cfg.org_id = None;
    cfg
}

/// The emulator records no headers and answers `/me` in one shape only.
mod on_the_mock {
    use serde_json::json;

    use crate::support::mock;
    use crate::support::{client_from, CLIENT_ID, ORG};

    #[tokio::test]
    async fn the_user_agent_names_provider_and_terraform() {
        let mock = mock::start().await;
        let c = mock.client();
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
        let mock = mock::start().await;
        let mut cfg = mock.config();
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
        let mock = mock::start().await;
        *mock.world.me.lock().unwrap() = json!({
            "client": {"client_id": CLIENT_ID, "org_id": "org-from-client"},
            "user": {"id": "u0"}
        });
        let mut cfg = mock.config();
        cfg.org_id = None;
        let c = client_from(cfg);
        // The organization cannot be read here (the mock does not serve
        // it): the Connected App's own is used.
        assert_eq!(c.org_id().await.unwrap(), "org-from-client");
        assert_eq!(c.org_id().await.unwrap(), "org-from-client");
        assert_eq!(mock.world.count("GET", "/accounts/api/me"), 1);

        *mock.world.me.lock().unwrap() = json!({"client": {}});
        let mut cfg = mock.config();
        cfg.org_id = None;
        let err = client_from(cfg).org_id().await.unwrap_err();
        assert!(err.to_string().contains("org_id"), "{err}");
    }
}
