//! The emulator's HTTP admin routes (`--admin`), driven over HTTP: drift made
//! behind Terraform's back shows in a real `terraform plan`; the routes are
//! absent without admin; the request log, counters, faults, contracts and
//! token expiry work; the `terraform test` example in
//! `examples/emulator-test` passes against the emulator, and so does a
//! `terraform test` run that switches a platform variant with the guide's
//! helper module; and the binary's `--admin` flag serves them.

use std::path::Path;
use std::time::Duration;

use anypoint_emulator::{
    EmulatorConfig, API_INSTANCE_ORDERS, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID,
    TIER_ORDERS_PLATINUM, TOKEN_PATH,
};
use crate::support::*;
use serde_json::{json, Value};

const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";

/// An HTTP client for one emulator, blocking on its own small runtime.
struct Http {
    base: String,
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

struct Answer {
    status: u16,
    body: Value,
}

impl Http {
    fn new(base: &str) -> Http {
        Http {
            base: base.to_owned(),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>, token: Option<&str>) -> Answer {
        let url = format!("{}{path}", self.base);
        let mut req = self.client.request(method.parse().expect("method"), &url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.rt.block_on(async {
            let resp = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            let body = if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            };
            Answer { status, body }
        })
    }

    /// An admin call (no token).
    fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(method, &format!("/_emulator{path}"), body, None)
    }

    #[track_caller]
    fn admin_ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let a = self.admin(method, path, body);
        assert!(
            (200..300).contains(&a.status),
            "{method} /_emulator{path}: {} {}",
            a.status,
            a.body
        );
        a.body
    }

    fn token(&self) -> Answer {
        self.call(
            "POST",
            TOKEN_PATH,
            Some(json!({
                "grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
            })),
            None,
        )
    }

    fn access_token(&self) -> String {
        let t = self.token();
        assert_eq!(t.status, 200, "{}", t.body);
        t.body["access_token"].as_str().unwrap().to_owned()
    }
}

fn admin_emulator() -> TestEmulator {
    TestEmulator::start_with(EmulatorConfig {
        admin: true,
        ..EmulatorConfig::default()
    })
}

const CONFIG: &str = r#"
resource "anypoint_client_application" "app" {
  name        = "drift-demo"
  description = "as configured"
  grant_types = ["client_credentials"]
}

resource "anypoint_client_application_owner" "alice" {
  application_id = anypoint_client_application.app.id
  user_id        = "5eed0000-0000-4000-8000-000000000001"
}
"#;

#[test]
fn drift_made_through_admin_routes_shows_in_a_plan() {
    let emu = admin_emulator();
    let http = Http::new(&emu.url);
    let tf = tf_with_emulator(&emu, CONFIG);
    tf.apply();
    let empty = tf.plan_exit(&[]);
    assert_eq!(empty.code, 0, "no drift yet:\n{}", empty.all());
    let id = tf
        .resource_values("anypoint_client_application.app")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Behind Terraform's back: a new description, alice removed (by username).
    let changed = http.admin_ok(
        "PATCH",
        &format!("/applications/{id}"),
        Some(json!({"description": "edited in the UI"})),
    );
    assert_eq!(changed["description"], "edited in the UI");
    let gone = http.admin("DELETE", &format!("/applications/{id}/owners/alice"), None);
    assert_eq!(gone.status, 204, "{}", gone.body);
    let owners = http.admin_ok("GET", &format!("/applications/{id}/owners"), None);
    assert!(
        owners.as_array().unwrap().iter().all(|o| o["id"] != ALICE),
        "{owners}"
    );

    let plan = tf.plan_exit(&[]);
    let out = plan.all();
    assert_eq!(plan.code, 2, "the plan shows drift:\n{out}");
    let changed_lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("~ ") && l.contains(" -> "))
        .collect();
    assert_eq!(changed_lines.len(), 1, "one attribute changes:\n{out}");
    let words: Vec<&str> = changed_lines[0].split_whitespace().collect();
    assert_eq!(
        words[..2],
        ["~", "description"],
        "the description drift is named:\n{out}"
    );
    assert!(
        changed_lines[0].ends_with(r#"= "edited in the UI" -> "as configured""#),
        "from the admin route's value back to the configured one:\n{out}"
    );
    assert!(
        out.contains("anypoint_client_application_owner.alice will be created"),
        "the removed owner is re-added:\n{out}"
    );
    assert!(
        out.contains("Plan: 1 to add, 1 to change, 0 to destroy."),
        "exactly that drift, nothing else:\n{out}"
    );
    for other in ["~ name", "~ grant_types", "~ client_id", "must be replaced"] {
        assert!(
            !out.contains(other),
            "{other} is not part of the drift:\n{out}"
        );
    }

    // Applying repairs it, as the admin routes then see.
    tf.apply();
    let app = http.admin_ok("GET", &format!("/applications/{id}"), None);
    assert_eq!(app["description"], "as configured");
    assert!(
        app["owners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == ALICE),
        "{app}"
    );
    assert_eq!(tf.plan_exit(&[]).code, 0);

    // A deleted application: the plan creates it and its owner again.
    let del = http.admin("DELETE", &format!("/applications/{id}"), None);
    assert_eq!(del.status, 204, "{}", del.body);
    let plan = tf.plan_exit(&[]);
    let out = plan.all();
    assert_eq!(plan.code, 2, "{out}");
    assert!(
        out.contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "the application and its owner are recreated:\n{out}"
    );
}

#[test]
fn admin_routes_are_absent_unless_admin_is_on() {
    let emu = TestEmulator::start();
    let http = Http::new(&emu.url);
    for (method, path) in [
        ("GET", "/_emulator"),
        ("GET", "/_emulator/state"),
        ("POST", "/_emulator/tokens/expire"),
        ("DELETE", "/_emulator/faults"),
    ] {
        let a = http.call(method, path, None, None);
        assert_eq!(a.status, 404, "{method} {path}: {}", a.body);
    }

    let emu = admin_emulator();
    let http = Http::new(&emu.url);
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
    let emu = admin_emulator();
    let http = Http::new(&emu.url);
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
    let emu = admin_emulator();
    assert_eq!(emu.handle.connections(), 0, "nothing connected yet");
    for n in 1..=3u64 {
        let answer = request_on_new_connection(&emu.url, "/accounts/api/me");
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert_eq!(emu.handle.connections(), n);
    }
    let http = Http::new(&emu.url);
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
    let emu = admin_emulator();
    let http = Http::new(&emu.url);

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
    let emu = admin_emulator();
    let http = Http::new(&emu.url);
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

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let p = entry.path();
        if p.is_file() {
            std::fs::copy(&p, to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn the_terraform_test_example_passes_against_the_emulator() {
    let emu = admin_emulator();
    let http = Http::new(&emu.url);
    let mut tf = TfDir::new("");
    std::fs::remove_file(tf.work().join("main.tf")).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/emulator-test");
    copy_dir(&example, &tf.work());
    assert!(tf.work().join("client_application.tftest.hcl").is_file());
    let cfg = emu.emulator.as_ref().unwrap().config().clone();
    tf.set_env("ANYPOINT_BASE_URL", &emu.url);
    tf.set_env("ANYPOINT_CLIENT_ID", &cfg.client_id);
    tf.set_env("ANYPOINT_CLIENT_SECRET", &cfg.client_secret);

    let out = tf.run(&["test", "-no-color"]);
    let all = out.all();
    assert_eq!(out.code, 0, "terraform test passes:\n{all}");
    assert!(all.contains("Success! 4 passed, 0 failed."), "{all}");

    // The runs really reached the emulator, and the test cleaned up.
    let counters = http.admin_ok("GET", "/counters", None);
    assert!(
        counters["routes"]["POST /apiplatform/repository/v2/organizations/{org}/applications"]
            ["requests"]
            == 1,
        "one application created: {counters}"
    );
    assert_eq!(
        http.admin_ok("GET", "/applications", None),
        json!([]),
        "terraform test destroyed what it made"
    );
}

/// The `terraform test` helper module of the emulator guide ("Switching
/// variants"), as the guide prints it.
fn guide_variants_module() -> String {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/emulator.md"),
    )
    .unwrap();
    let start = guide
        .find("# tests/variants/main.tf\n")
        .expect("the guide shows the helper module");
    let module = &guide[start..];
    module[..module.find("```").expect("the code block ends")].to_owned()
}

#[test]
fn a_terraform_test_run_switches_a_variant_through_the_admin_route() {
    let emu = admin_emulator();
    let http = Http::new(&emu.url);
    let mut tf = TfDir::new(&format!(
        "{}\n{}",
        emu.provider_block(),
        r#"
variable "emulator_url" { type = string }

data "anypoint_api_instance" "orders" {
  api_instance_id = "40001"
  environment_id  = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
}

output "tier_statuses" {
  value = [for t in data.anypoint_api_instance.orders.tiers : t.status]
}
"#
    ));
    std::fs::create_dir_all(tf.work().join("tests/variants")).unwrap();
    tf.write("tests/variants/main.tf", &guide_variants_module());
    tf.write(
        "deprecated.tftest.hcl",
        r#"
run "with_a_deprecated_tier" {
  module {
    source = "./tests/variants"
  }
  variables {
    variants = ["deprecated-tier"]
  }
}

run "the_instance_lists_it" {
  command = plan

  assert {
    condition     = output.tier_statuses == ["ACTIVE", "ACTIVE", "ACTIVE", "DEPRECATED"]
    error_message = "Under deprecated-tier the orders instance has a fourth, DEPRECATED, tier."
  }
}
"#,
    );
    tf.set_env("TF_VAR_emulator_url", &emu.url);
    // A run that names a module needs it installed; `terraform get` does
    // that without the registry (`init` would look the provider up there).
    let get = tf.run(&["get", "-no-color"]);
    assert_eq!(get.code, 0, "terraform get:\n{}", get.all());
    let out = tf.run(&["test", "-no-color"]);
    let all = out.all();
    assert_eq!(out.code, 0, "terraform test passes:\n{all}");
    assert!(all.contains("Success! 2 passed, 0 failed."), "{all}");
    assert_eq!(
        http.admin_ok("GET", "/variants", None)["active"],
        json!([]),
        "the teardown set the default answers back"
    );
}
