//! The emulator's HTTP admin routes (`/_emulator`, served with `admin`),
//! driven over HTTP without Terraform: absent without admin; the request
//! log, counters, faults, latency, contracts, token expiry and reset work.
//! Their use from Terraform runs is in the end-to-end module of the same
//! name; the binary's `--admin` flag is tested with the emulator crate.

use std::time::Duration;

use anypoint_emulator::{API_INSTANCE_ORDERS, DEFAULT_ORG_ID, TIER_ORDERS_PLATINUM, TOKEN_PATH};
use serde_json::json;

use crate::support::*;

#[test]
fn admin_routes_are_absent_unless_admin_is_on() {
    let emu = TestEmulator::start();
    let http = EmulatorHttp::new(&emu.url);
    for (method, path) in [
        ("GET", "/_emulator"),
        ("GET", "/_emulator/state"),
        ("POST", "/_emulator/tokens/expire"),
        ("DELETE", "/_emulator/faults"),
    ] {
        let a = http.call(method, path, None, None);
        assert_eq!(a.status, 404, "{method} {path}: {}", a.body);
    }

    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);
    let state = http.admin_ok("GET", "/state", None);
    assert_eq!(state["organization"]["id"], DEFAULT_ORG_ID);
    assert_eq!(state["users"].as_array().unwrap().len(), 6);
    assert_eq!(state["apiInstances"].as_array().unwrap().len(), 3);
    let index = http.admin_ok("GET", "", None);
    assert!(
        index["routes"]
            .as_array()
            .unwrap()
            .contains(&json!("GET /_emulator/state")),
        "{index}"
    );
    let unknown = http.admin("GET", "/nope", None);
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.body["message"]
            .as_str()
            .unwrap()
            .contains("GET /_emulator lists"),
        "{}",
        unknown.body
    );
    let bad = http.admin("PATCH", "/applications/1", Some(json!([1])));
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[test]
fn the_request_log_and_counters_record_api_requests_only() {
    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);
    let token = http.access_token();
    let me = http.call("GET", "/accounts/api/me", None, Some(&token));
    assert_eq!(me.status, 200);
    let unauthorized = http.call("GET", "/accounts/api/me", None, None);
    assert_eq!(unauthorized.status, 401);
    http.admin_ok("GET", "/state", None);

    let log = http.admin_ok("GET", "/requests", None);
    let records = log["requests"].as_array().unwrap();
    let seen: Vec<(String, String, u64)> = records
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("POST".to_owned(), TOKEN_PATH.to_owned(), 200),
            ("GET".to_owned(), "/accounts/api/me".to_owned(), 200),
            ("GET".to_owned(), "/accounts/api/me".to_owned(), 401),
        ],
        "admin requests are not logged: {log}"
    );
    for r in records {
        let t = r["time"].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).is_ok(),
            "RFC 3339 time: {t}"
        );
    }
    assert_eq!(log["total"], 3);
    assert_eq!(log["dropped"], 0);
    let last = http.admin_ok("GET", "/requests?last=1", None);
    assert_eq!(last["requests"].as_array().unwrap().len(), 1);
    assert_eq!(last["requests"][0]["status"], 401);
    let posts = http.admin_ok("GET", "/requests?method=post", None);
    assert_eq!(posts["requests"].as_array().unwrap().len(), 1);

    let counters = http.admin_ok("GET", "/counters", None);
    assert_eq!(counters["total"], 3, "{counters}");
    assert_eq!(counters["tokenRequests"], 1, "{counters}");
    let me_route = &counters["routes"]["GET /accounts/api/me"];
    assert_eq!(me_route["requests"], 2, "{counters}");
    assert_eq!(me_route["statuses"]["200"], 1, "{counters}");
    assert_eq!(me_route["statuses"]["401"], 1, "{counters}");

    let cleared = http.admin("DELETE", "/requests", None);
    assert_eq!(cleared.status, 204);
    let log = http.admin_ok("GET", "/requests", None);
    assert_eq!(log["requests"], json!([]));
    assert_eq!(http.admin_ok("GET", "/counters", None)["tokenRequests"], 0);
    assert_eq!(emu.handle.requests(), []);
}

/// One plain HTTP/1.1 request on a connection of its own, read to the end.
fn request_on_new_connection(base: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn the_counters_count_tcp_connections_and_clear_with_the_log() {
    let emu = TestEmulator::with_admin();
    assert_eq!(emu.handle.connections(), 0, "nothing connected yet");
    for n in 1..=3u64 {
        let answer = request_on_new_connection(&emu.url, "/accounts/api/me");
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert_eq!(emu.handle.connections(), n);
    }
    let http = EmulatorHttp::new(&emu.url);
    let counters = http.admin_ok("GET", "/counters", None);
    // The three above and the one asking.
    assert_eq!(counters["connections"], 4, "{counters}");
    assert_eq!(counters["total"], 3, "{counters}");
    let cleared = http.admin("DELETE", "/requests", None);
    assert_eq!(cleared.status, 204);
    assert_eq!(emu.handle.connections(), 0, "cleared with the request log");
    request_on_new_connection(&emu.url, "/accounts/api/me");
    assert_eq!(emu.handle.connections(), 1);
}

#[test]
fn faults_and_latency_toggle_and_never_touch_admin_routes() {
    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);

    // Every API request faulted; admin routes still answer.
    let on = http.admin_ok("PUT", "/faults/rate", Some(json!({"rate": 1.0})));
    assert_eq!(on["rate"], 1.0);
    for _ in 0..3 {
        let t = http.token();
        assert!(
            t.status == 429 || t.status == 503,
            "{} {}",
            t.status,
            t.body
        );
        assert_eq!(http.admin_ok("GET", "/faults", None)["rate"], 1.0);
    }
    let off = http.admin_ok("DELETE", "/faults", None);
    assert_eq!(off["rate"], 0.0);
    assert_eq!(http.token().status, 200);

    // Scripted: the next two token requests answer 418, then normal again.
    let pushed = http.admin_ok(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/oauth2/token", "status": 418, "count": 2})),
    );
    assert_eq!(pushed["pendingScripted"], 2);
    assert_eq!(emu.handle.pending_faults(), 2);
    assert_eq!(http.token().status, 418);
    assert_eq!(http.token().status, 418);
    assert_eq!(http.token().status, 200);
    let bad = http.admin("POST", "/faults", Some(json!({"kind": "boom"})));
    assert_eq!(bad.status, 400);
    assert!(bad.body["message"].as_str().unwrap().contains("boom"));

    // Latency on and off (the setting, not a timing).
    let slow = http.admin_ok("PUT", "/latency", Some(json!({"ms": 250})));
    assert_eq!(slow["latencyMs"], 250);
    let fast = http.admin_ok("PUT", "/latency", Some(json!({"ms": 0})));
    assert_eq!(fast["latencyMs"], 0);
    assert_eq!(
        http.admin("PUT", "/latency", Some(json!({"ms": -1})))
            .status,
        400
    );
    assert_eq!(
        http.admin("PUT", "/faults/rate", Some(json!({"rate": 2})))
            .status,
        400
    );
}

#[test]
fn contracts_tokens_and_reset_through_admin_routes() {
    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);
    let app = http.admin("POST", "/applications", Some(json!({"name": "consumer"})));
    assert_eq!(app.status, 201, "{}", app.body);
    let id = app.body["id"].as_i64().unwrap();
    let added = http.admin(
        "POST",
        &format!("/applications/{id}/owners"),
        Some(json!({"username": "bob"})),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(emu.handle.owners(id).len(), 2);

    // Platinum needs approval: the contract starts PENDING.
    let c = http.admin(
        "POST",
        &format!("/applications/{id}/contracts"),
        Some(json!({"apiId": API_INSTANCE_ORDERS, "tierId": TIER_ORDERS_PLATINUM})),
    );
    assert_eq!(c.status, 201, "{}", c.body);
    assert_eq!(c.body["status"], "PENDING");
    let cid = c.body["id"].as_i64().unwrap();
    let approved = http.admin_ok("POST", &format!("/contracts/{cid}/approve"), None);
    assert_eq!(approved["status"], "APPROVED");
    assert_eq!(approved["tier"]["id"], TIER_ORDERS_PLATINUM);
    let revoked = http.admin_ok("POST", &format!("/contracts/{cid}/revoke"), None);
    assert_eq!(revoked["status"], "REVOKED");
    assert_eq!(emu.handle.contract(cid).unwrap()["status"], "REVOKED");
    assert_eq!(
        http.admin_ok("GET", "/contracts", None)[0]["id"],
        json!(cid)
    );
    assert_eq!(
        http.admin("POST", &format!("/contracts/{cid}/explode"), None)
            .status,
        404
    );
    assert_eq!(
        http.admin("POST", "/contracts/999/approve", None).status,
        404
    );

    // Expired tokens answer 401.
    let token = http.access_token();
    assert_eq!(
        http.call("GET", "/accounts/api/me", None, Some(&token))
            .status,
        200
    );
    assert_eq!(http.admin("POST", "/tokens/expire", None).status, 204);
    assert_eq!(
        http.call("GET", "/accounts/api/me", None, Some(&token))
            .status,
        401
    );

    // Reset: back to the seeded state.
    assert_eq!(http.admin("POST", "/reset", None).status, 204);
    let state = http.admin_ok("GET", "/state", None);
    assert_eq!(state["applications"], json!([]));
    assert_eq!(state["contracts"], json!([]));
    assert_eq!(emu.handle.application_count(), 0);
}
