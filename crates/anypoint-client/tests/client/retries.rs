//! Retries, server wait hints, the attempt and wait caps, timeouts and
//! connect errors.

use super::*;

#[tokio::test]
async fn transient_statuses_with_empty_bodies_are_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(
        &h,
        "GET",
        &app_path(id),
        [429, 502, 503, 504].map(FaultKind::status),
    );
    let c = client(&emu);
    assert_eq!(c.applications().get(ORG, id).await.unwrap().id, id);
    assert_eq!(count(&h, "GET", &app_path(id)), 5);
}

#[tokio::test]
async fn retry_after_is_waited() {
    let emu = emulator().await;
    let h = emu.handle();
    // The production back-off settings.
    let mut cfg = config(&emu);
    cfg.max_retries = 5;
    cfg.backoff = Backoff::default();
    let c = client_from(cfg);
    c.users().list(ORG, None).await.unwrap(); // token first
    h.reset_request_log();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 429,
            retry_after: Some("2".to_owned()),
            ratelimit_reset: None,
        },
    ));
    let started = Instant::now();
    c.applications().list(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.users().list(ORG, None).await.unwrap();
    h.reset_request_log();
    // 3 s after the current whole second: more than 2 s from now.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now.as_secs() + 3));
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 503,
            retry_after: Some(date.clone()),
            ratelimit_reset: None,
        },
    ));
    let started = Instant::now();
    c.applications().list(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?} for {date}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200]);
}

#[tokio::test]
async fn rate_limit_reset_is_waited_as_seconds_and_as_epoch() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.users().list(ORG, None).await.unwrap();

    // Seconds to wait.
    h.reset_request_log();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 429,
            retry_after: None,
            ratelimit_reset: Some("2".to_owned()),
        },
    ));
    let started = Instant::now();
    c.applications().list(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);

    // Epoch seconds, on a 503: the reset is 3 s after the current whole
    // second, so more than 2 s from now.
    h.reset_request_log();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    h.push_fault(Fault::on(
        "GET",
        &apps_path(),
        FaultKind::Status {
            status: 503,
            retry_after: None,
            ratelimit_reset: Some((now.as_secs() + 3).to_string()),
        },
    ));
    let started = Instant::now();
    c.applications().list(ORG, None).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "waited only {waited:?}"
    );
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200]);
}

#[tokio::test]
async fn attempts_are_bounded_by_max_retries() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(
        &h,
        "GET",
        &app_path(id),
        std::iter::repeat_n(FaultKind::status(503), 20),
    );
    let mut cfg = config(&emu);
    cfg.max_retries = 3;
    let err = client_from(cfg)
        .applications()
        .get(ORG, id)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Server(_)), "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.info().unwrap().attempts, 4);
    assert!(err.to_string().contains("after 4 attempts"), "{err}");
    assert_eq!(count(&h, "GET", &app_path(id)), 4);

    // max_retries = 0: one attempt.
    let mut cfg = config(&emu);
    cfg.max_retries = 0;
    client_from(cfg)
        .applications()
        .get(ORG, id)
        .await
        .unwrap_err();
    assert_eq!(count(&h, "GET", &app_path(id)), 5);
}

#[tokio::test]
async fn the_total_wait_cap_ends_retries() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(
        &h,
        "GET",
        &app_path(id),
        [FaultKind::retry_after(429, "30")],
    );
    let mut cfg = config(&emu);
    cfg.backoff.max_total_wait = Duration::from_secs(10);
    let started = Instant::now();
    let err = client_from(cfg)
        .applications()
        .get(ORG, id)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::RateLimited(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(count(&h, "GET", &app_path(id)), 1);
}

#[tokio::test]
async fn a_500_is_not_retried_and_4xx_are_final() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(&h, "GET", &app_path(id), [FaultKind::status(500)]);
    let c = client(&emu);
    let err = c.applications().get(ORG, id).await.unwrap_err();
    assert!(matches!(err, ApiError::Server(_)));
    assert_eq!(count(&h, "GET", &app_path(id)), 1);
    let err = c.applications().get(ORG, 424242).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(count(&h, "GET", &app_path(424242)), 1);
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(&h, "GET", &app_path(id), [FaultKind::Hang]);
    let mut cfg = config(&emu);
    cfg.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let app = client_from(cfg).applications().get(ORG, id).await.unwrap();
    assert_eq!(app.id, id);
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(count(&h, "GET", &app_path(id)), 2);
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
