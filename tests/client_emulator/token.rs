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
        set.spawn(async move { c.list_applications(ORG, None).await });
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
    c.list_applications(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);
    // A second call well inside the renewal point reuses the token.
    c.list_users(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);

    // Let the 2 s token expire on the emulator (this waits for time itself,
    // it synchronises nothing). The client renews at half the lifetime, so
    // it must fetch a new token before sending: no request sees a 401.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let mut set = JoinSet::new();
    for _ in 0..20 {
        let c = c.clone();
        set.spawn(async move { c.list_applications(ORG, None).await });
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
    c.list_applications(ORG, None).await.unwrap();
    assert_eq!(h.token_requests(), 1);

    // One call: a 401, one renewal, success.
    h.expire_tokens();
    h.reset_request_log();
    c.list_users(ORG, None)
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
        set.spawn(async move { c.list_applications(ORG, None).await });
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

#[tokio::test]
async fn wrong_secret_is_unauthorized_without_leaking_it() {
    let emu = emulator().await;
    let h = emu.handle();
    let cfg = ClientConfig::new(
        &emu.url(),
        CLIENT_ID,
        Secret::from("wrong-secret-value-123"),
    )
    .map(|mut c| {
        c.backoff = quick_backoff();
        c.org_id = Some(ORG.to_owned());
        c
    })
    .unwrap();
    let c = client_with(cfg, CancellationToken::new());
    let e = c.list_applications(ORG, None).await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    let text = format!("{e} {e:?}");
    assert!(text.contains("client_id and client_secret"), "{text}");
    assert!(!text.contains("wrong-secret-value-123"), "{text}");
    assert_eq!(
        h.token_requests(),
        1,
        "a 401 from the token endpoint is final"
    );
}
