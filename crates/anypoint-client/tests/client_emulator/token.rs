//! The access token: single flight, renewal before expiry and on 401, wrong secrets.

use super::*;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_give_one_renewal_on_401() {
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
    let mut cfg = config(&emu, 3, Some(ORG));
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
