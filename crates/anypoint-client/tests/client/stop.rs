//! A stop of the provider (StopProvider: the client's cancellation token)
//! and an unresponsive platform: what runs to its end, what is abandoned,
//! and how long a call may take.

use super::*;

/// A create already sent when the stop comes runs to its answer: the
/// application it made is returned, not abandoned.
#[tokio::test]
async fn a_sent_create_runs_to_its_answer_after_a_stop() {
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = AnypointClient::new(config(&emu), "1.9.5", cancel.clone()).unwrap();
    c.org_id().await.unwrap();
    fault(
        &h,
        "POST",
        &apps_path(),
        [FaultKind::Delay(Duration::from_millis(800))],
    );
    let create = tokio::spawn({
        let c = c.clone();
        async move { create_app(&c, ORG, &new_app("sent"), None).await }
    });
    // Logged once processed, before the held-back answer is written.
    tokio::time::timeout(
        Duration::from_secs(30),
        h.wait_for_requests("POST", &apps_path(), 1),
    )
    .await
    .expect("the create reached the platform");
    cancel.cancel();
    let app = create.await.unwrap().expect("the sent create's answer");
    assert_eq!(app.name, "sent");
    assert!(app.client_secret.is_some());
    assert_eq!(h.application_count(), 1);
    // Nothing new is sent after the stop.
    let err = c.applications().get(ORG, app.id).await.unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
}

#[tokio::test]
async fn cancelling_an_in_flight_request_returns_at_once() {
    let emu = emulator().await;
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

// One thread: the stop is observed without a wake-up across threads.
#[tokio::test]
async fn cancelling_during_a_back_off_aborts_at_once() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = client_with(config(&emu), cancel.clone());
    // A path no other test uses, to find this call's events.
    let path = format!("{}/424242", apps_path());
    h.push_fault(Fault::on(
        "GET",
        &path,
        FaultKind::Status {
            status: 429,
            retry_after: Some("30".to_owned()),
            ratelimit_reset: None,
        },
    ));
    let call = tokio::spawn({
        let c = c.clone();
        async move {
            let r = c.applications().get(ORG, 424242).await;
            (r, Instant::now())
        }
    });
    // The client logs this just before it starts the 30 s wait.
    watch
        .wait_for("retrying the Anypoint request after a back-off", &path)
        .await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let (r, ended_at) = call.await.unwrap();
    let took = ended_at.duration_since(cancelled_at);
    let e = r.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    assert!(took < Duration::from_millis(100), "took {took:?}");
    // Nothing was sent after the stop.
    assert_eq!(h.request_count("GET", &path), 1);
    // And the client stays stopped.
    let e = c.users().list(ORG, None).await.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
}

/// A call retries a timed-out request once; after two timeouts in a row the
/// client sends nothing more. The message names the host, the timeout and
/// `timeout_seconds`, and a read is never "may have been applied".
#[tokio::test]
async fn two_timeouts_in_a_row_end_the_call_and_the_client_gives_up() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "hanging");
    let mut cfg = config(&emu);
    cfg.timeout = Duration::from_secs(1);
    cfg.max_retries = 5;
    let c = client_from(cfg);
    c.org_id().await.unwrap();
    fault(&h, "GET", &app_path(id), (0..6).map(|_| FaultKind::Hang));
    let err = c.applications().get(ORG, id).await.unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");
    assert_eq!(
        count(&h, "GET", &app_path(id)),
        2,
        "one retry after a timeout"
    );
    assert_eq!(err.info().unwrap().attempts, 2);
    let text = err.to_string();
    let host = emu.url().trim_start_matches("http://").to_owned();
    assert!(text.contains(&host), "{text}");
    assert!(text.contains("1 s"), "{text}");
    assert!(text.contains("timeout_seconds"), "{text}");
    assert!(!text.contains("may have been applied"), "{text}");

    // The platform has answered nothing since: the next call is not sent.
    let before = h.requests().len();
    let started = Instant::now();
    let err = c.applications().list(ORG, None).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(900), "not sent");
    assert_eq!(h.requests().len(), before);
    assert!(err.to_string().contains("timeout_seconds"), "{err}");
    assert!(err.to_string().contains(&host), "{err}");
}

/// A token request that times out is never "may have been applied".
#[tokio::test]
async fn a_timed_out_token_request_is_not_called_applied() {
    let emu = emulator().await;
    let h = emu.handle();
    fault(&h, "POST", TOKEN_PATH, [FaultKind::Hang, FaultKind::Hang]);
    let mut cfg = config(&emu);
    cfg.timeout = Duration::from_secs(1);
    let err = client_from(cfg)
        .applications()
        .get(ORG, 1)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");
    assert!(text.contains("timeout_seconds"), "{text}");
    assert!(!text.contains("may have been applied"), "{text}");
}
