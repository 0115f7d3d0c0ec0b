//! `--rate-limit`: 429 with `Retry-After` and the `X-RateLimit-*` headers
//! beyond N requests in a whole second, the headers on every answer, the
//! log and counters, and the admin switch (never limited itself).

use super::*;

fn header(r: &Resp, name: &str) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

fn number(r: &Resp, name: &str) -> u64 {
    header(r, name)
        .unwrap_or_else(|| panic!("no {name} on a {} answer", r.status))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a whole number"))
}

fn epoch_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn requests_beyond_the_limit_get_429_with_the_headers() {
    let env = Env::start_with(EmulatorConfig {
        rate_limit: 3,
        admin: true,
        ..EmulatorConfig::default()
    })
    .await;
    let h = env.h();
    h.reset_request_log();
    let c = env.emu.config().clone();
    let mut answers: Vec<(&str, Resp)> = Vec::new();
    let (mut refused_token, mut refused_get) = (false, false);
    // Bounded: a few windows' worth, far more than 3 a second can pass.
    for i in 0..60 {
        if refused_token && refused_get {
            break;
        }
        let (kind, r) = if i % 2 == 0 {
            let body = token_body(&c.client_id, &c.client_secret);
            (
                "token",
                send(env.http.post(env.url(TOKEN_PATH)).json(&body)).await,
            )
        } else {
            ("get", env.call("GET", "/accounts/api/me", None).await)
        };
        if r.status == 429 {
            refused_token |= kind == "token";
            refused_get |= kind == "get";
        }
        answers.push((kind, r));
    }
    assert!(
        refused_token && refused_get,
        "token requests and API requests are both limited"
    );
    let before = epoch_now();
    let mut passed_per_window: std::collections::BTreeMap<u64, u32> = Default::default();
    for (kind, r) in &answers {
        assert!(r.status == 200 || r.status == 429, "{kind}: {}", r.status);
        assert_eq!(number(r, "x-ratelimit-limit"), 3);
        let reset = number(r, "x-ratelimit-reset");
        assert!(
            reset <= before + 1 && reset + 120 > before,
            "reset {reset} is epoch seconds"
        );
        let remaining = number(r, "x-ratelimit-remaining");
        if r.status == 429 {
            assert_eq!(remaining, 0);
            assert!(number(r, "retry-after") >= 1);
            assert_eq!(
                header(r, "content-type").as_deref(),
                Some("application/json")
            );
            assert!(r.message().contains("3 a second"), "{}", r.message());
        } else {
            assert!(remaining < 3);
            assert_eq!(header(r, "retry-after"), None);
            *passed_per_window.entry(reset).or_default() += 1;
        }
    }
    assert!(
        passed_per_window.values().all(|n| *n <= 3),
        "{passed_per_window:?}"
    );

    // The log and the counters show every refusal.
    let refused = answers.iter().filter(|(_, r)| r.status == 429).count();
    let logged_429 = h.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(logged_429, refused);
    assert_eq!(h.rate_limited_requests(), refused as u64);
    assert_eq!(
        h.token_requests(),
        answers.iter().filter(|(k, _)| *k == "token").count()
    );
    let counters = send(env.builder("GET", "/_emulator/counters")).await;
    assert_eq!(counters.status, 200);
    let counters = counters.json();
    assert_eq!(counters["rateLimited"], refused as u64);
    assert!(
        counters["routes"]["GET /accounts/api/me"]["statuses"]["429"].as_u64() >= Some(1),
        "{counters}"
    );
    let log = send(env.builder("GET", "/_emulator/requests")).await.json();
    let in_log = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 429)
        .count();
    assert_eq!(in_log, refused);

    // Admin routes are never limited and carry no rate-limit headers.
    for _ in 0..10 {
        let r = send(env.builder("GET", "/_emulator/faults")).await;
        assert_eq!(r.status, 200);
        assert_eq!(header(&r, "x-ratelimit-limit"), None);
        assert_eq!(r.json()["rateLimitPerSecond"], 3);
    }
    let routes = send(env.builder("GET", "/_emulator")).await.json();
    assert!(
        routes["routes"]
            .as_array()
            .unwrap()
            .contains(&json!("PUT /_emulator/rate-limit")),
        "{routes}"
    );
}

#[tokio::test]
async fn the_limit_is_switched_by_the_admin_route_and_the_handle() {
    let env = Env::start_with(EmulatorConfig {
        admin: true,
        ..EmulatorConfig::default()
    })
    .await;
    let h = env.h();
    // Off by default: no headers.
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "x-ratelimit-limit"), None);
    assert_eq!(h.rate_limit(), 0);

    for bad in [
        json!({"perSecond": -1}),
        json!({"perSecond": "5"}),
        json!({"perSecond": 2.5}),
        json!({"perSecond": 1_000_001}),
        json!({"rate": 5}),
    ] {
        let r = send(env.builder("PUT", "/_emulator/rate-limit").json(&bad)).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(!r.message().is_empty());
    }
    let r = send(
        env.builder("PUT", "/_emulator/rate-limit")
            .json(&json!({"perSecond": 7})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["perSecond"], 7);
    assert_eq!(h.rate_limit(), 7);
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(number(&r, "x-ratelimit-limit"), 7);
    // A scripted fault's answer carries the headers too.
    h.push_fault(Fault::any(FaultKind::Status {
        status: 503,
        retry_after: None,
        ratelimit_reset: None,
    }));
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(r.status, 503);
    assert_eq!(number(&r, "x-ratelimit-limit"), 7);

    let r = send(
        env.builder("PUT", "/_emulator/rate-limit")
            .json(&json!({"perSecond": 0})),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(header(&r, "x-ratelimit-limit"), None);

    h.set_rate_limit(2);
    assert_eq!(h.rate_limit(), 2);
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(number(&r, "x-ratelimit-limit"), 2);
    h.set_rate_limit(0);
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(header(&r, "x-ratelimit-limit"), None);
}
