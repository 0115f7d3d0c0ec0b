//! The client's rate limits, shared by all its calls: the hold a 429 with
//! `Retry-After` puts on the host, and the send bucket of
//! `max_requests_per_second`.

use super::*;

/// The time the emulator answered the first request with this status.
fn first_answer(h: &EmulatorHandle, status: u16) -> SystemTime {
    h.requests()
        .iter()
        .find(|r| r.status == status)
        .unwrap_or_else(|| panic!("no {status} in {:?}", h.requests()))
        .time
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_holds_every_request_of_the_client_until_the_hinted_time() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.users().list(ORG, None).await.unwrap(); // the token
                                              // A path no other test uses, to find this call's events.
    let id = 525252;
    let path = format!("{}/{id}", apps_path());
    h.reset_request_log();
    h.push_fault(Fault::on(
        "GET",
        &path,
        FaultKind::Status {
            status: 429,
            retry_after: Some("1".to_owned()),
            ratelimit_reset: None,
        },
    ));
    let held = tokio::spawn({
        let c = c.clone();
        async move { c.applications().get(ORG, id).await }
    });
    // The client logs this once the 429 is in and its own back-off starts.
    watch
        .wait_for("retrying the Anypoint request after a back-off", &path)
        .await;
    // Two other calls, made during the pause.
    let (one, two) = tokio::join!(c.users().list(ORG, None), c.users().list(ORG, None));
    one.unwrap();
    two.unwrap();
    // Retried after the pause: the application does not exist.
    assert!(held.await.unwrap().unwrap_err().is_not_found());

    let refused_at = first_answer(&h, 429);
    let users: Vec<RequestRecord> = h
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/users"))
        .collect();
    assert_eq!(users.len(), 2, "{:?}", h.requests());
    assert_eq!(h.request_count("GET", &path), 2);
    for r in &users {
        let after = r.time.duration_since(refused_at).unwrap_or_default();
        assert!(
            after >= Duration::from_secs(1),
            "a request was sent {after:?} after the 429, inside its 1 s pause: {:?}",
            h.requests()
        );
        assert_eq!(r.status, 200);
    }
    assert_eq!(count_status(&h, 429), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_paces_every_call_of_the_client() {
    let emu = start_emulator(|c| c.rate_limit = 5).await;
    let h = emu.handle();
    let mut cfg = config(&emu);
    cfg.max_retries = 3;
    cfg.max_requests_per_second = Some(5.0);
    let c = client_with(cfg, CancellationToken::new());
    let mut set = JoinSet::new();
    for _ in 0..12 {
        let c = c.clone();
        set.spawn(async move { c.users().list(ORG, None).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    // 12 calls and the token request, none refused by the 5/s limit.
    assert_eq!(h.requests().len(), 13, "{:?}", h.requests());
    assert_eq!(count_status(&h, 429), 0, "{:?}", h.requests());
    assert_eq!(h.rate_limited_requests(), 0);
}

#[test]
fn an_invalid_rate_is_refused_by_the_client() {
    let mut cfg =
        ClientConfig::new("http://127.0.0.1:9", CLIENT_ID, Secret::from(CLIENT_SECRET)).unwrap();
    for bad in [0.0, -1.0, f64::NAN, 5000.0] {
        cfg.max_requests_per_second = Some(bad);
        let e = AnypointClient::new(cfg.clone(), "1.11.4", CancellationToken::new()).unwrap_err();
        assert!(e.to_string().contains("max_requests_per_second"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_stop_a_look_up_is_sent_at_once_through_a_hold() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = client_with(config(&emu), cancel.clone());
    c.users().list(ORG, None).await.unwrap(); // the token
                                              // A path no other test uses, to find this call's events.
    let id = 535353;
    let path = format!("{}/{id}", apps_path());
    h.push_fault(Fault::on(
        "GET",
        &path,
        FaultKind::Status {
            status: 429,
            retry_after: Some("30".to_owned()),
            ratelimit_reset: None,
        },
    ));
    let held = tokio::spawn({
        let c = c.clone();
        async move { c.applications().get(ORG, id).await }
    });
    watch
        .wait_for("retrying the Anypoint request after a back-off", &path)
        .await;
    cancel.cancel();
    assert!(held.await.unwrap().unwrap_err().is_cancelled());
    // The host is held for 30 s, but after a stop nothing waits: the
    // look-up's one attempt goes at once; a plain call is refused at once.
    let looked_up = tokio::time::timeout(
        Duration::from_secs(10),
        c.after_stop(c.applications().get(ORG, id)),
    )
    .await
    .expect("the look-up did not wait for the hold");
    // Sent and answered: the application does not exist.
    assert!(looked_up.unwrap_err().is_not_found());
    assert_eq!(h.request_count("GET", &path), 2);
    let e = c.users().list(ORG, None).await.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
}
