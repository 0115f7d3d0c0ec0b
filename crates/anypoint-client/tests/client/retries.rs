//! Retries, server wait hints, the attempt and wait caps, timeouts,
//! cancellation and connect errors.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anypoint_client::ApiError;

use super::*;

#[tokio::test]
async fn transient_statuses_with_empty_bodies_are_retried() {
    let emu = start().await;
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
async fn retry_after_seconds_is_waited() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(&h, "GET", &app_path(id), [FaultKind::retry_after(429, "2")]);
    let c = client(&emu);
    let started = Instant::now();
    c.applications().get(ORG, id).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900),
        "waited only {elapsed:?}"
    );
    assert_eq!(count(&h, "GET", &app_path(id)), 2);
}

#[tokio::test]
async fn x_ratelimit_reset_is_honoured() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    // A small value is read as seconds to wait.
    fault(
        &h,
        "GET",
        &app_path(id),
        [FaultKind::ratelimit_reset(503, "2")],
    );
    let c = client(&emu);
    let started = Instant::now();
    c.applications().get(ORG, id).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900),
        "waited only {elapsed:?}"
    );
}

#[tokio::test]
async fn x_ratelimit_reset_as_epoch_seconds_is_honoured() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    fault(
        &h,
        "GET",
        &app_path(id),
        [FaultKind::ratelimit_reset(429, &(now + 2).to_string())],
    );
    let c = client(&emu);
    let started = Instant::now();
    c.applications().get(ORG, id).await.unwrap();
    // now+2 in whole seconds is at least 1 s away.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900),
        "waited only {elapsed:?}"
    );
}

#[tokio::test]
async fn attempts_are_bounded_by_max_retries() {
    let emu = start().await;
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
    let emu = start().await;
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
    let emu = start().await;
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
    let emu = start().await;
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

#[tokio::test]
async fn cancelling_during_a_back_off_returns_at_once() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(
        &h,
        "GET",
        &app_path(id),
        [FaultKind::retry_after(429, "30")],
    );
    let cancel = CancellationToken::new();
    let c = AnypointClient::new(config(&emu), "1.9.5", cancel.clone()).unwrap();
    let call = tokio::spawn(async move { c.applications().get(ORG, id).await });
    h.wait_for_requests("GET", &app_path(id), 1).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let err = call.await.unwrap().unwrap_err();
    let elapsed = cancelled_at.elapsed();
    assert!(err.is_cancelled(), "{err:?}");
    assert!(elapsed < Duration::from_millis(100), "took {elapsed:?}");
    assert_eq!(count(&h, "GET", &app_path(id)), 1);
}

#[tokio::test]
async fn cancelling_an_in_flight_request_returns_at_once() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(&h, "GET", &app_path(id), [FaultKind::Hang]);
    let cancel = CancellationToken::new();
    let c = AnypointClient::new(config(&emu), "1.9.5", cancel.clone()).unwrap();
    let call = tokio::spawn(async move { c.applications().get(ORG, id).await });
    h.wait_for_requests("GET", &app_path(id), 1).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let err = call.await.unwrap().unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert!(cancelled_at.elapsed() < Duration::from_millis(100));
    // A cancelled client makes no further request.
    let c2 = AnypointClient::new(config(&emu), "1.9.5", cancel).unwrap();
    assert!(c2
        .applications()
        .get(ORG, id)
        .await
        .unwrap_err()
        .is_cancelled());
    assert_eq!(count(&h, "GET", &app_path(id)), 1);
}
