//! The Anypoint emulator over real HTTP, with reqwest: every route and status,
//! the control handle, faults, latency, the state file, the platform variants
//! and the binary.

mod api_groups;
mod apps;
mod auth;
mod binary;
mod contract_admin;
mod contracts;
mod directory;
mod faults;
mod persist;
mod rate_limit;
mod variants;

use std::time::{Duration, Instant};

use anypoint_emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, Fault, FaultKind, FaultMatch, API_INSTANCE_CATALOG,
    API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID, ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD,
    TIER_ORDERS_PLATINUM, TIER_PAYMENTS_STANDARD, TOKEN_PATH,
};
use serde_json::{json, Value};

const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";
const BOB: &str = "5eed0000-0000-4000-8000-000000000002";
const OTHER_ORG: &str = "99999999-9999-4999-8999-999999999999";

// ------------------------------------------------------------------ helpers

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {:?}",
                self.status, self.text
            )
        })
    }

    fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {}", self.text))
            .to_owned()
    }
}

async fn send(rb: reqwest::RequestBuilder) -> Resp {
    let r = rb.send().await.expect("transport error");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    Resp {
        status,
        headers,
        text,
    }
}

fn token_body(id: &str, secret: &str) -> Value {
    json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret})
}

struct Env {
    emu: Emulator,
    http: reqwest::Client,
    token: String,
}

impl Env {
    async fn start() -> Env {
        Env::start_with(EmulatorConfig::default()).await
    }

    async fn start_with(config: EmulatorConfig) -> Env {
        let emu = Emulator::start(config).await.expect("start");
        let http = reqwest::Client::new();
        let mut env = Env {
            emu,
            http,
            token: String::new(),
        };
        env.token = env.new_token().await;
        env
    }

    async fn new_token(&self) -> String {
        let c = self.emu.config();
        let r = send(
            self.http
                .post(self.url(TOKEN_PATH))
                .json(&token_body(&c.client_id, &c.client_secret)),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["access_token"].as_str().unwrap().to_owned()
    }

    fn h(&self) -> EmulatorHandle {
        self.emu.handle()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.url())
    }

    fn org(&self) -> String {
        self.emu.config().org_id.clone()
    }

    fn apps(&self) -> String {
        format!(
            "/apiplatform/repository/v2/organizations/{}/applications",
            self.org()
        )
    }

    fn app(&self, id: i64) -> String {
        format!("{}/{id}", self.apps())
    }

    fn exchange_contracts(&self, app: i64) -> String {
        format!(
            "/exchange/api/v2/organizations/{}/applications/{app}/contracts",
            self.org()
        )
    }

    fn api(&self, instance: i64) -> String {
        format!(
            "/apimanager/api/v1/organizations/{}/environments/{ENVIRONMENT_ID}/apis/{instance}",
            self.org()
        )
    }

    fn builder(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.http.request(m, self.url(path))
    }

    /// An authenticated request with an optional JSON body.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self.builder(method, path).bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        send(rb).await
    }

    /// An authenticated request with a raw body.
    async fn call_raw(&self, method: &str, path: &str, body: &str) -> Resp {
        send(
            self.builder(method, path)
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    async fn create_app(&self, body: Value) -> Value {
        let r = self.call("POST", &self.apps(), Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()
    }

    async fn create_named(&self, name: &str) -> i64 {
        self.create_app(json!({ "name": name })).await["id"]
            .as_i64()
            .unwrap()
    }

    async fn request_contract(&self, app: i64, instance: i64, tier: Option<i64>) -> Resp {
        self.call(
            "POST",
            &self.exchange_contracts(app),
            Some(contract_body(&self.org(), instance, tier)),
        )
        .await
    }
}

fn contract_body(org: &str, instance: i64, tier: Option<i64>) -> Value {
    let asset = match instance {
        API_INSTANCE_ORDERS => "orders-api",
        API_INSTANCE_PAYMENTS => "payments-api",
        API_INSTANCE_CATALOG => "catalog-api",
        _ => "unknown-api",
    };
    let mut b = json!({
        "apiId": instance,
        "instanceType": "api",
        "acceptedTerms": true,
        "organizationId": org,
        "groupId": org,
        "assetId": asset,
        "version": "1.0.0",
        "versionGroup": "v1",
        "environmentId": ENVIRONMENT_ID,
    });
    if let Some(t) = tier {
        b["requestedTierId"] = json!(t);
    }
    b
}

fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
