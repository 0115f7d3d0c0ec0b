//! The control handle, the request log, scripted faults, the fault rate and latency.

use super::*;

#[test]
fn handle_is_clone_send_sync() {
    fn check<T: Clone + Send + Sync + 'static>() {}
    check::<EmulatorHandle>();
    fn check_send<T: Send>() {}
    check_send::<Emulator>();
}

#[tokio::test]
async fn handle_changes_state_behind_the_providers_back() {
    let env = Env::start().await;
    let h = env.h();
    let id = env.create_named("ui").await;
    assert!(h.update_application(
        id,
        json!({"name": "ui-renamed", "description": "by hand", "grantTypes": ["password"]})
    ));
    let v = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(v["name"], "ui-renamed");
    assert_eq!(v["description"], "by hand");
    assert_eq!(v["grantTypes"], json!(["password"]));
    assert!(v["audit"]["updated"]["date"].is_string());
    assert!(!h.update_application(id, json!({"grantTypes": ["bogus"]})));
    assert!(!h.update_application(999, json!({"name": "x"})));

    assert!(h.add_owner(id, ALICE));
    assert!(!h.add_owner(id, ALICE));
    assert!(!h.add_owner(id, "unknown-user"));
    assert!(h.remove_owner(id, CONNECTED_APP_USER_ID));
    assert!(!h.remove_owner(id, BOB));
    assert_eq!(h.owners(id), [ALICE]);
    let v = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(v["owners"].as_array().unwrap().len(), 1);
    assert_eq!(v["owner"], "Alice Anderson");

    let created = h
        .create_application(json!({"name": "made-by-hand"}))
        .unwrap();
    assert_eq!(h.application_count(), 2);
    assert_eq!(
        h.create_application(json!({"name": "made-by-hand"}))
            .unwrap_err(),
        "An application with name made-by-hand already exists."
    );
    assert_eq!(h.applications().len(), 2);

    assert!(h.delete_application(id));
    assert!(!h.delete_application(id));
    assert_eq!(env.call("GET", &env.app(id), None).await.status, 404);
    assert_eq!(
        h.application(created["id"].as_i64().unwrap()).unwrap()["name"],
        "made-by-hand"
    );
    assert_eq!(h.application_count(), 1);
    assert!(format!("{:?}", env.emu.config()).contains("***"));
    assert!(!format!("{:?}", env.emu.config()).contains(DEFAULT_CLIENT_SECRET));
}

#[tokio::test]
async fn request_log_records_without_secrets() {
    let env = Env::start().await;
    let h = env.h();
    h.reset_request_log();
    assert_eq!(h.token_requests(), 0);
    env.create_named("logged").await;
    env.call("GET", &format!("{}?query=log&limit=5", env.apps()), None)
        .await;
    send(env.builder("GET", "/accounts/api/me")).await; // 401
    let log = h.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, env.apps());
    assert_eq!(log[0].query, None);
    assert_eq!(log[0].status, 201);
    assert_eq!(log[1].path, env.apps());
    assert_eq!(log[1].query.as_deref(), Some("query=log&limit=5"));
    assert_eq!(log[1].status, 200);
    assert_eq!(log[2].status, 401);
    let dump = format!("{log:?}");
    assert!(!dump.contains(&env.token));
    assert_eq!(h.request_count("post", "/apiplatform/"), 1);
    assert_eq!(h.request_count("GET", "/apiplatform/"), 1);
    assert_eq!(h.request_count("GET", "/accounts/"), 1);
    env.new_token().await;
    assert_eq!(h.token_requests(), 1);
    assert_eq!(h.request_count("POST", TOKEN_PATH), 1);
    h.reset_request_log();
    assert!(h.requests().is_empty());
    assert_eq!(h.token_requests(), 0);
}

// ------------------------------------------------------------ faults

#[tokio::test]
async fn status_fault_answers_before_processing_with_headers() {
    let env = Env::start().await;
    let h = env.h();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::Status {
            status: 429,
            retry_after: Some("2".into()),
            ratelimit_reset: Some("1700000000".into()),
        },
    ));
    // A GET does not match the POST fault.
    assert_eq!(env.call("GET", &env.apps(), None).await.status, 200);
    assert_eq!(h.pending_faults(), 1);
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "limited"})))
        .await;
    assert_eq!(r.status, 429);
    assert!(r.text.is_empty(), "empty body: {:?}", r.text);
    assert_eq!(r.headers["content-length"], "0");
    assert_eq!(r.headers["retry-after"], "2");
    assert_eq!(r.headers["x-ratelimit-reset"], "1700000000");
    assert_eq!(h.application_count(), 0, "nothing processed");
    assert_eq!(h.pending_faults(), 0);
    // Consumed: the retry succeeds.
    env.create_named("limited").await;
    assert_eq!(
        h.requests().iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![200, 429, 201]
    );
}

#[tokio::test]
async fn scripted_faults_are_fifo_and_clearable() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::any(FaultKind::status(503)));
    h.push_fault(Fault {
        matcher: FaultMatch {
            method: None,
            path_contains: Some("/me".into()),
        },
        kind: FaultKind::status(502),
    });
    h.push_fault(Fault::any(FaultKind::status(500)));
    let me = "/accounts/api/me";
    assert_eq!(env.call("GET", me, None).await.status, 503);
    assert_eq!(env.call("GET", me, None).await.status, 502);
    assert_eq!(env.call("GET", me, None).await.status, 500);
    assert_eq!(env.call("GET", me, None).await.status, 200);
    // The token endpoint is faultable too.
    h.push_fault(Fault::on("POST", TOKEN_PATH, FaultKind::status(503)));
    let r = send(
        env.http
            .post(env.url(TOKEN_PATH))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 503);
    assert!(r.text.is_empty());
    h.push_fault(Fault::any(FaultKind::status(500)));
    h.push_fault(Fault::any(FaultKind::status(500)));
    h.clear_faults();
    assert_eq!(h.pending_faults(), 0);
    assert_eq!(env.call("GET", me, None).await.status, 200);
}

#[tokio::test]
async fn drop_before_processing_is_a_transport_error_and_changes_nothing() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::DropBeforeProcessing,
    ));
    let err = env
        .builder("POST", &env.apps())
        .bearer_auth(&env.token)
        .json(&json!({"name": "dropped"}))
        .send()
        .await
        .expect_err("a dropped connection must be a transport error");
    assert!(err.status().is_none());
    assert!(
        !err.is_status() && !err.is_builder() && !err.is_decode(),
        "{err:?}"
    );
    assert_eq!(h.application_count(), 0);
    assert_eq!(h.requests().last().unwrap().status, 0);
    // The server is still fine afterwards.
    env.create_named("dropped").await;
    assert_eq!(h.application_count(), 1);
}

#[tokio::test]
async fn respond_fault_answers_its_body_before_processing() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::respond(502, "<html>bad gateway</html>"),
    ));
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "proxied"})))
        .await;
    assert_eq!(r.status, 502);
    assert_eq!(r.text, "<html>bad gateway</html>");
    assert_eq!(h.application_count(), 0, "nothing processed");
    assert_eq!(h.requests().last().unwrap().status, 502);
}

#[tokio::test]
async fn hang_fault_never_answers_nor_processes() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on("POST", "/applications", FaultKind::Hang));
    let err = env
        .builder("POST", &env.apps())
        .bearer_auth(&env.token)
        .timeout(Duration::from_millis(300))
        .json(&json!({"name": "held"}))
        .send()
        .await
        .expect_err("a held request must time out");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(h.application_count(), 0, "nothing processed");
    assert_eq!(h.requests().last().unwrap().status, 0);
    // Other requests are served meanwhile, and the emulator still stops.
    env.create_named("held").await;
    assert_eq!(h.application_count(), 1);
    env.emu.shutdown().await;
}

#[tokio::test]
async fn process_then_status_really_creates() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::ProcessThenStatus(504),
    ));
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "ambiguous"})))
        .await;
    assert_eq!(r.status, 504);
    assert!(r.text.is_empty());
    assert_eq!(h.application_count(), 1);
    let list = env
        .call("GET", &format!("{}?query=ambiguous", env.apps()), None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    // The retry the client must not blindly make:
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "ambiguous"})))
        .await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn process_then_drop_creates_and_breaks_the_connection() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on("POST", "/owners", FaultKind::ProcessThenDrop));
    let id = env.create_named("half").await;
    let err = env
        .builder("POST", &format!("{}/owners", env.app(id)))
        .bearer_auth(&env.token)
        .json(&json!({"id": ALICE}))
        .send()
        .await
        .expect_err("the connection must break");
    assert!(err.status().is_none() && !err.is_decode(), "{err:?}");
    assert_eq!(
        h.owners(id),
        [CONNECTED_APP_USER_ID, ALICE],
        "the owner was added"
    );
    assert_eq!(
        h.request_count("POST", &format!("{}/owners", env.app(id))),
        1,
        "no silent retry"
    );
}

#[tokio::test]
async fn delay_fault_trips_client_timeouts_after_processing() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::Delay(Duration::from_secs(60)),
    ));
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = impatient
        .post(env.url(&env.apps()))
        .bearer_auth(&env.token)
        .json(&json!({"name": "slow"}))
        .send()
        .await
        .expect_err("must time out");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(h.application_count(), 1, "processed before the delay");

    // A delay the client waits out: the answer comes, late.
    h.push_fault(Fault::on(
        "GET",
        "/applications",
        FaultKind::Delay(Duration::from_millis(800)),
    ));
    let t = Instant::now();
    let r = env.call("GET", &env.apps(), None).await;
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(750),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn fault_rate_one_fails_everything_and_zero_nothing() {
    let env = Env::start().await;
    let h = env.h();
    h.set_fault_rate(1.0);
    let token_call = || {
        env.http
            .post(env.url(TOKEN_PATH))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))
    };
    for i in 0..10 {
        for r in [
            send(token_call()).await,
            env.call("GET", &env.apps(), None).await,
            env.call("POST", &env.apps(), Some(json!({"name": format!("f{i}")})))
                .await,
            env.call("GET", "/accounts/api/me", None).await,
        ] {
            assert!(r.status == 429 || r.status == 503, "{}", r.status);
            assert!(r.text.is_empty(), "{:?}", r.text);
        }
    }
    assert_eq!(
        h.application_count(),
        0,
        "random faults are decided before processing"
    );
    h.set_fault_rate(0.0);
    for i in 0..10 {
        assert_eq!(send(token_call()).await.status, 200);
        assert_eq!(
            env.call("POST", &env.apps(), Some(json!({"name": format!("ok{i}")})))
                .await
                .status,
            201
        );
        assert_eq!(env.call("GET", &env.apps(), None).await.status, 200);
    }
}

#[tokio::test]
async fn configured_fault_rate_applies_to_the_token_endpoint() {
    let emu = Emulator::start(EmulatorConfig {
        fault_rate: 1.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    for _ in 0..5 {
        let r = send(
            http.post(format!("{}{TOKEN_PATH}", emu.url()))
                .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
        )
        .await;
        assert!(r.status == 429 || r.status == 503);
        assert!(r.text.is_empty());
    }
    assert_eq!(emu.handle().token_requests(), 5);
}

#[tokio::test]
async fn latency_is_added_to_every_response() {
    let env = Env::start_with(EmulatorConfig {
        latency: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    let t = Instant::now();
    assert_eq!(env.call("GET", "/accounts/api/me", None).await.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(380),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    assert_eq!(env.call("GET", "/nowhere", None).await.status, 404);
    assert!(
        t.elapsed() >= Duration::from_millis(380),
        "{:?}",
        t.elapsed()
    );
    env.h().set_latency(Duration::ZERO);
    env.h().push_fault(Fault::any(FaultKind::status(429)));
    env.h().set_latency(Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(env.call("GET", "/accounts/api/me", None).await.status, 429);
    assert!(
        t.elapsed() >= Duration::from_millis(280),
        "faults wait too: {:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn waiting_for_requests_wakes_when_they_are_logged() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on("GET", "/applications", FaultKind::Hang));
    let apps = env.apps();
    // Already satisfied: returns at once.
    h.wait_for_requests("POST", TOKEN_PATH, 1).await;
    let held = {
        let rb = env.builder("GET", &apps).bearer_auth(&env.token);
        tokio::spawn(async move { rb.send().await })
    };
    h.wait_for_requests("GET", &apps, 1).await;
    assert_eq!(h.request_count("GET", &apps), 1);
    assert_eq!(h.requests().last().unwrap().status, 0, "held, not answered");
    held.abort();
}
