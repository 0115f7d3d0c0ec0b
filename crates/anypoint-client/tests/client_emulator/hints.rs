//! Server wait hints, cancellation, organization discovery.

use super::*;

#[tokio::test]
async fn retry_after_is_waited() {
    let emu = emulator().await;
    let h = emu.handle();
    // The production back-off settings.
    let mut cfg = config(&emu, 5, Some(ORG));
    cfg.backoff = Backoff::default();
    let c = client_with(cfg, CancellationToken::new());
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

// ------------------------------------------------------------ cancellation

// One thread: the stop is observed without a wake-up across threads.
#[tokio::test]
async fn cancelling_during_a_back_off_aborts_at_once() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = client_with(config(&emu, 10, Some(ORG)), cancel.clone());
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

// One thread: the stop is observed without a wake-up across threads.
#[tokio::test]
async fn the_organization_and_the_identity_share_one_me_request() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 3, None), CancellationToken::new());
    let (org, me) = tokio::join!(c.org_id(), c.connected_app_identity());
    assert_eq!(org.unwrap(), ORG);
    let me = me.unwrap();
    assert_eq!(me.org_id.as_deref(), Some(ORG));
    assert_eq!(me.user_id.as_deref(), Some(CONNECTED_APP_USER_ID));
    assert_eq!(c.connected_app_identity().await.unwrap(), me);
    assert_eq!(c.org_id().await.unwrap(), ORG);
    assert_eq!(h.request_count("GET", "/accounts/api/me"), 1);
}

#[tokio::test]
async fn cancelling_during_a_request_aborts_at_once() {
    let watch = event_watch();
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = client_with(config(&emu, 10, Some(ORG)), cancel.clone());
    let path = format!("{}/434343", apps_path());
    // The emulator answers this one only after 30 s.
    h.push_fault(Fault::on(
        "GET",
        &path,
        FaultKind::Delay(Duration::from_secs(30)),
    ));
    let call = tokio::spawn({
        let c = c.clone();
        async move {
            let r = c.applications().get(ORG, 434343).await;
            (r, Instant::now())
        }
    });
    // The emulator logs the request once processed, before the delay.
    watch.wait_for("emulator request", &path).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let (r, ended_at) = call.await.unwrap();
    let took = ended_at.duration_since(cancelled_at);
    let e = r.unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    assert!(took < Duration::from_millis(100), "took {took:?}");
}

// ------------------------------------------------------- org discovery

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_is_discovered_once_from_me() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 3, None), CancellationToken::new());
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
