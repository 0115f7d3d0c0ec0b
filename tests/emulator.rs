//! The Anypoint emulator over real HTTP, with reqwest: every route and status,
//! the control handle, faults, latency, the state file and the binary.

use std::time::{Duration, Instant};

use anypoint_provider::emulator::{
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

// ------------------------------------------------------------ token and auth

#[tokio::test]
async fn token_json_and_form_and_errors() {
    let env = Env::start().await;
    let url = env.url(TOKEN_PATH);

    let r = send(
        env.http
            .post(&url)
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(!v["access_token"].as_str().unwrap().is_empty());

    let form = format!(
        "grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}"
    );
    let r = send(
        env.http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let form_token = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_ne!(form_token, env.token, "tokens are random");
    // The form-issued token works.
    let me = send(
        env.http
            .get(env.url("/accounts/api/me"))
            .bearer_auth(&form_token),
    )
    .await;
    assert_eq!(me.status, 200);

    let r = send(
        env.http
            .post(&url)
            .json(&token_body(DEFAULT_CLIENT_ID, "wrong")),
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(
        !r.text.contains("wrong"),
        "the error must not echo the secret"
    );
    let r = send(
        env.http
            .post(&url)
            .json(&token_body("someone-else", DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 401);

    let mut bad_grant = token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    bad_grant["grant_type"] = json!("password");
    let r = send(env.http.post(&url).json(&bad_grant)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");

    let r = send(
        env.http
            .post(&url)
            .header("content-type", "application/json")
            .body("{oops"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].is_string());

    // 1 (Env::start) + 6 here.
    assert_eq!(env.h().token_requests(), 7);
}

#[tokio::test]
async fn api_routes_need_a_valid_unexpired_token() {
    let env = Env::start().await;
    let apps = env.apps();

    let r = send(env.builder("GET", &apps)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.message(), "Unauthorized");
    let r = send(env.builder("GET", &apps).bearer_auth("not-a-token")).await;
    assert_eq!(r.status, 401);
    let r = send(
        env.builder("GET", &apps)
            .header("authorization", format!("Basic {}", env.token)),
    )
    .await;
    assert_eq!(r.status, 401, "only Bearer is accepted");
    let r = send(
        env.builder("GET", &apps)
            .header("authorization", format!("bearer {}", env.token)),
    )
    .await;
    assert_eq!(r.status, 200, "the scheme is case-insensitive");

    env.h().expire_tokens();
    let r = env.call("GET", &apps, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.message(), "Unauthorized");
    let fresh = env.new_token().await;
    let r = send(env.builder("GET", &apps).bearer_auth(&fresh)).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn token_ttl_is_enforced() {
    let env = Env::start_with(EmulatorConfig {
        token_ttl: Duration::ZERO,
        ..Default::default()
    })
    .await;
    assert_eq!(env.h().token_requests(), 1);
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(
        r.status, 401,
        "a token with a zero lifetime is expired at once"
    );
}

#[tokio::test]
async fn other_organization_is_forbidden() {
    let env = Env::start().await;
    let paths = [
        format!("/apiplatform/repository/v2/organizations/{OTHER_ORG}/applications"),
        format!("/accounts/api/organizations/{OTHER_ORG}/users"),
        format!("/apimanager/api/v1/organizations/{OTHER_ORG}/environments/{ENVIRONMENT_ID}/apis/{API_INSTANCE_ORDERS}"),
    ];
    for p in paths {
        let r = env.call("GET", &p, None).await;
        assert_eq!(r.status, 403, "{p}");
        assert!(r.message().contains(OTHER_ORG), "{}", r.text);
    }
    let r = env
        .call(
            "POST",
            &format!("/apiplatform/repository/v2/organizations/{OTHER_ORG}/applications"),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(env.h().application_count(), 0);
}

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let env = Env::start().await;
    for (m, p) in [
        ("GET", "/".to_owned()),
        ("GET", "/nothing/here".to_owned()),
        ("PUT", env.apps()),
        ("GET", format!("{}/1/unknown", env.apps())),
        ("GET", TOKEN_PATH.to_owned()),
    ] {
        let r = env.call(m, &p, None).await;
        assert_eq!(r.status, 404, "{m} {p}");
        assert!(r.json()["message"].is_string());
    }
}

// ------------------------------------------------------------ me and users

#[tokio::test]
async fn me_describes_client_and_creator() {
    let env = Env::start().await;
    let r = env.call("GET", "/accounts/api/me", None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["client"]["client_id"], DEFAULT_CLIENT_ID);
    assert_eq!(v["client"]["org_id"], DEFAULT_ORG_ID);
    assert!(v["client"]["name"].is_string());
    assert_eq!(v["user"]["id"], CONNECTED_APP_USER_ID);
    assert_eq!(
        v["user"]["id"].as_str().unwrap(),
        env.h().connected_app_user_id()
    );
    assert_eq!(v["user"]["username"], "emulator-admin");
    assert_eq!(v["user"]["organizationId"], DEFAULT_ORG_ID);
    assert_eq!(v["user"]["organization"]["id"], DEFAULT_ORG_ID);
    assert_eq!(v["user"]["organization"]["name"], "Emulated Organization");
    assert!(!r.text.contains(DEFAULT_CLIENT_SECRET));
}

#[tokio::test]
async fn users_are_seeded_searchable_and_paged() {
    let env = Env::start().await;
    let base = format!("/accounts/api/organizations/{}/users", env.org());
    let r = env.call("GET", &base, None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 6);
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 6);
    assert_eq!(data[0]["id"], CONNECTED_APP_USER_ID);
    let alice = data.iter().find(|u| u["username"] == "alice").unwrap();
    assert_eq!(
        *alice,
        json!({"id": ALICE, "username": "alice", "email": "alice@example.com",
               "firstName": "Alice", "lastName": "Anderson"})
    );
    assert_eq!(Value::Array(data.clone()), Value::Array(env.h().users()));

    let r = env.call("GET", &format!("{base}?search=BOB"), None).await;
    let v = r.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["data"][0]["id"], BOB);
    let r = env
        .call(
            "GET",
            &format!("{base}?search=example.com&offset=4&limit=5"),
            None,
        )
        .await;
    let v = r.json();
    assert_eq!(v["total"], 6);
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(v["data"][1]["username"], "erin");
    let r = env.call("GET", &format!("{base}?limit=0"), None).await;
    assert_eq!(r.status, 400);
}

// ------------------------------------------------------------ applications

#[tokio::test]
async fn create_returns_the_full_object() {
    let env = Env::start().await;
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let v = env.create_app(json!({"name": "Orders client"})).await;
    assert_eq!(v["name"], "Orders client");
    assert!(v["id"].as_i64().unwrap() > 0);
    assert_eq!(v["description"], Value::Null);
    assert_eq!(v["url"], Value::Null);
    assert_eq!(v["redirectUri"], json!([]));
    assert_eq!(v["grantTypes"], json!([]));
    let client_id = v["clientId"].as_str().unwrap();
    assert!(is_hex32(client_id), "{client_id}");
    assert_eq!(v["coreServicesId"], v["clientId"]);
    assert!(v["clientSecret"].as_str().unwrap().len() >= 16);
    assert_eq!(v["masterOrganizationId"], DEFAULT_ORG_ID);
    assert_eq!(v["clientProvider"], json!({"providerId": null}));
    assert_eq!(v["audit"]["updated"], json!({}));
    let created = v["audit"]["created"]["date"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    let parsed =
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(parsed >= before);
    // The Connected App's user is the first (and only) owner.
    let owners = v["owners"].as_array().unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["id"], CONNECTED_APP_USER_ID);
    assert_eq!(owners[0]["type"], "user");
    assert_eq!(owners[0]["username"], "emulator-admin");
    assert_eq!(owners[0]["email"], "emulator-admin@example.com");
    assert_eq!(v["owner"], "Emulator Admin");
    assert_eq!(v["email"], "emulator-admin@example.com");
    assert!(
        v.get("apiEndpoints").is_none(),
        "apiEndpoints is write-only"
    );

    // All fields given; "" reads back as null.
    let w = env
        .create_app(json!({
            "name": "Second", "description": "d", "url": "https://example.com",
            "redirectUri": ["https://example.com/cb"],
            "grantTypes": ["authorization_code", "refresh_token"], "apiEndpoints": true,
        }))
        .await;
    assert_eq!(w["description"], "d");
    assert_eq!(w["url"], "https://example.com");
    assert_eq!(w["redirectUri"], json!(["https://example.com/cb"]));
    assert_eq!(
        w["grantTypes"],
        json!(["authorization_code", "refresh_token"])
    );
    assert!(
        w["id"].as_i64().unwrap() > v["id"].as_i64().unwrap(),
        "ids increase"
    );
    assert_ne!(w["clientId"], v["clientId"]);
    let x = env
        .create_app(json!({"name": "Third", "description": "", "url": ""}))
        .await;
    assert_eq!(x["description"], Value::Null);
    assert_eq!(x["url"], Value::Null);

    // GET by id returns the same object.
    let got = env
        .call("GET", &env.app(v["id"].as_i64().unwrap()), None)
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), v);
    assert_eq!(env.h().application(v["id"].as_i64().unwrap()), Some(v));
}

#[tokio::test]
async fn create_validates_the_body() {
    let env = Env::start().await;
    let apps = env.apps();
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": 5}),
        json!({"name": "a", "grantTypes": ["client_credentials", "magic"]}),
        json!({"name": "a", "grantTypes": "password"}),
        json!({"name": "a", "redirectUri": [1]}),
        json!({"name": "a", "description": 3}),
        json!({"name": "a", "apiEndpoints": "yes"}),
        json!(["name"]),
    ] {
        let r = env.call("POST", &apps, Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(!r.message().is_empty());
    }
    for raw in ["{not json", "", "null"] {
        let r = env.call_raw("POST", &apps, raw).await;
        assert_eq!(r.status, 400, "{raw:?}");
        assert!(!r.message().is_empty());
    }
    for q in [
        "?apiVersionId=abc",
        "?apiVersionId=999",
        "?apiVersionId=-40001",
        "?apiVersionId=",
    ] {
        let r = env
            .call("POST", &format!("{apps}{q}"), Some(json!({"name": "q"})))
            .await;
        assert_eq!(r.status, 400, "{q}");
    }
    assert_eq!(env.h().application_count(), 0);
    let r = env
        .call(
            "POST",
            &format!("{apps}?apiVersionId={API_INSTANCE_ORDERS}"),
            Some(
                json!({"name": "q", "grantTypes": ["password", "implicit", "client_credentials",
                "authorization_code", "refresh_token"]}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn duplicate_names_conflict() {
    let env = Env::start().await;
    env.create_named("Dup").await;
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "Dup"})))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.message(), "An application with name Dup already exists.");
    // Exact match only.
    env.create_named("dup").await;
    assert_eq!(env.h().application_count(), 2);
}

#[tokio::test]
async fn concurrent_creates_get_distinct_ids_and_one_winner_per_name() {
    let env = Env::start().await;
    let apps = env.apps();
    let calls = (0..20).map(|i| env.call("POST", &apps, Some(json!({"name": format!("app-{i}")}))));
    let results = futures_join_all(calls).await;
    let mut ids: Vec<i64> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201);
            r.json()["id"].as_i64().unwrap()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);

    let same = (0..10).map(|_| env.call("POST", &apps, Some(json!({"name": "race"}))));
    let statuses: Vec<u16> = futures_join_all(same)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
}

/// Run futures concurrently on the current task (no extra crate needed).
async fn futures_join_all<F: std::future::Future<Output = Resp>>(
    futs: impl Iterator<Item = F>,
) -> Vec<Resp> {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<Resp>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => out[i] = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn get_missing_and_by_client_id() {
    let env = Env::start().await;
    let r = env.call("GET", &env.app(424242), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    let v = env.create_app(json!({"name": "by-client-id"})).await;
    let r = env
        .call(
            "GET",
            &format!("{}/{}", env.apps(), v["clientId"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], v["id"]);
    let r = env
        .call(
            "GET",
            &format!("{}?ignoreOwners=true", env.app(v["id"].as_i64().unwrap())),
            None,
        )
        .await;
    assert!(r.json().get("owners").is_none());
}

#[tokio::test]
async fn list_hides_secrets_filters_and_pages() {
    let env = Env::start().await;
    for i in 0..7 {
        env.create_app(json!({"name": format!("Alpha {i}"), "description": "x"}))
            .await;
    }
    env.create_named("beta").await;
    let r = env.call("GET", &env.apps(), None).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 8);
    let items = v["applications"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    for item in items {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "audit",
                "masterOrganizationId",
                "id",
                "name",
                "description",
                "coreServicesId",
                "url"
            ]
        );
    }
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ordered by id");
    for secret in env
        .h()
        .applications()
        .iter()
        .map(|a| a["clientSecret"].as_str().unwrap().to_owned())
    {
        assert!(!r.text.contains(&secret));
    }

    // Case-insensitive substring query; total counts matches, not the page.
    let r = env
        .call(
            "GET",
            &format!(
                "{}?query=ALPHA&offset=2&limit=3&targetAdminSite=true",
                env.apps()
            ),
            None,
        )
        .await;
    let v = r.json();
    assert_eq!(v["total"], 7);
    let names: Vec<&str> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alpha 2", "Alpha 3", "Alpha 4"]);
    let r = env
        .call("GET", &format!("{}?query=alpha&offset=6", env.apps()), None)
        .await;
    assert_eq!(r.json()["applications"].as_array().unwrap().len(), 1);
    let r = env
        .call(
            "GET",
            &format!("{}?query=alpha%201&literalMatch=true", env.apps()),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 1);
    let r = env
        .call(
            "GET",
            &format!("{}?query=nothing-matches", env.apps()),
            None,
        )
        .await;
    assert_eq!(r.json(), json!({"applications": [], "total": 0}));
    let r = env
        .call("GET", &format!("{}?limit=250", env.apps()), None)
        .await;
    assert_eq!(r.status, 200);
    for q in [
        "limit=0",
        "limit=251",
        "offset=-1",
        "limit=ten",
        "targetAdminSite=maybe",
    ] {
        let r = env.call("GET", &format!("{}?{q}", env.apps()), None).await;
        assert_eq!(r.status, 400, "{q}");
    }
}

#[tokio::test]
async fn put_replaces_the_mutable_set() {
    let env = Env::start().await;
    let v = env
        .create_app(json!({"name": "P", "description": "d", "url": "https://u", "redirectUri": ["https://r"],
                          "grantTypes": ["client_credentials"]}))
        .await;
    let id = v["id"].as_i64().unwrap();
    let r = env
        .call(
            "PUT",
            &env.app(id),
            Some(json!({"name": "P2", "description": "new", "grantTypes": ["password"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let w = r.json();
    assert_eq!(w["name"], "P2");
    assert_eq!(w["description"], "new");
    assert_eq!(w["url"], Value::Null, "missing field cleared");
    assert_eq!(w["redirectUri"], json!([]), "missing field cleared");
    assert_eq!(w["grantTypes"], json!(["password"]));
    assert_eq!(w["clientId"], v["clientId"]);
    assert_eq!(w["clientSecret"], v["clientSecret"]);
    assert_eq!(w["audit"]["created"], v["audit"]["created"]);
    assert!(w["audit"]["updated"]["date"].is_string());
    assert_eq!(env.call("GET", &env.app(id), None).await.json(), w);

    // Keeping its own name is fine; another app's name is not.
    let r = env
        .call("PUT", &env.app(id), Some(json!({"name": "P2"})))
        .await;
    assert_eq!(r.status, 200);
    env.create_named("Taken").await;
    let r = env
        .call("PUT", &env.app(id), Some(json!({"name": "Taken"})))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        r.message(),
        "An application with name Taken already exists."
    );
    let r = env
        .call("PUT", &env.app(id), Some(json!({"description": "no name"})))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .call(
            "PUT",
            &env.app(id),
            Some(json!({"name": "x", "grantTypes": ["bogus"]})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env.call_raw("PUT", &env.app(id), "{").await;
    assert_eq!(r.status, 400);
    let r = env
        .call("PUT", &env.app(999), Some(json!({"name": "x"})))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    assert_eq!(env.h().application(id).unwrap()["name"], "P2");
}

#[tokio::test]
async fn patch_merges() {
    let env = Env::start().await;
    let v = env
        .create_app(json!({"name": "M", "description": "d", "url": "https://u"}))
        .await;
    let id = v["id"].as_i64().unwrap();
    let r = env
        .call(
            "PATCH",
            &env.app(id),
            Some(json!({"url": null, "redirectUri": ["https://r"]})),
        )
        .await;
    assert_eq!(r.status, 200);
    let w = r.json();
    assert_eq!(w["name"], "M");
    assert_eq!(w["description"], "d");
    assert_eq!(w["url"], Value::Null);
    assert_eq!(w["redirectUri"], json!(["https://r"]));
    let r = env
        .call("PATCH", &env.app(id), Some(json!({"name": ""})))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .call("PATCH", &env.app(77), Some(json!({"name": "z"})))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn delete_app() {
    let env = Env::start().await;
    let id = env.create_named("gone").await;
    let r = env.call("DELETE", &env.app(id), None).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let r = env.call("GET", &env.app(id), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    let r = env.call("DELETE", &env.app(id), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    assert_eq!(env.h().application_count(), 0);
    // The name is free again.
    env.create_named("gone").await;
}

#[tokio::test]
async fn owners_add_remove_and_errors() {
    let env = Env::start().await;
    let id = env.create_named("owned").await;
    let owners = format!("{}/owners", env.app(id));

    let r = env.call("POST", &owners, Some(json!({"id": ALICE}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let o = r.json();
    assert_eq!(o["id"], ALICE);
    assert_eq!(o["username"], "alice");
    assert_eq!(o["type"], "user");
    let r = env.call("POST", &owners, Some(json!({"id": BOB}))).await;
    assert_eq!(r.status, 201);
    assert_eq!(env.h().owners(id), [CONNECTED_APP_USER_ID, ALICE, BOB]);
    let got = env.call("GET", &env.app(id), None).await.json();
    let ids: Vec<&str> = got["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [CONNECTED_APP_USER_ID, ALICE, BOB]);
    assert_eq!(got["owners"][1]["email"], "alice@example.com");
    assert_eq!(got["owners"][1]["firstName"], "Alice");
    assert_eq!(got["owners"][1]["lastName"], "Anderson");

    let r = env.call("POST", &owners, Some(json!({"id": ALICE}))).await;
    assert_eq!(r.status, 409);
    assert!(r.message().contains("already an owner"));
    let r = env
        .call(
            "POST",
            &owners,
            Some(json!({"id": "00000000-0000-4000-8000-00000000dead"})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.message().contains("user"), "{}", r.text);
    let r = env
        .call("POST", &owners, Some(json!({"name": "alice"})))
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .call(
            "POST",
            &format!("{}/owners", env.app(5)),
            Some(json!({"id": ALICE})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");

    let r = env.call("DELETE", &format!("{owners}/{ALICE}"), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(env.h().owners(id), [CONNECTED_APP_USER_ID, BOB]);
    let r = env.call("DELETE", &format!("{owners}/{ALICE}"), None).await;
    assert_eq!(r.status, 404, "not an owner any more");
    let r = env
        .call("DELETE", &format!("{}/owners/{BOB}", env.app(5)), None)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
}

#[tokio::test]
async fn secret_reset_rotates_only_the_secret() {
    let env = Env::start().await;
    let v = env.create_app(json!({"name": "rotate"})).await;
    let id = v["id"].as_i64().unwrap();
    let path = format!("{}/secret/reset", env.app(id));
    let r = send(env.builder("POST", &path).bearer_auth(&env.token)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let w = r.json();
    assert_ne!(w["clientSecret"], v["clientSecret"]);
    assert_eq!(w["clientId"], v["clientId"]);
    assert_eq!(w["id"], v["id"]);
    assert_eq!(
        env.call("GET", &env.app(id), None).await.json()["clientSecret"],
        w["clientSecret"]
    );
    let again = send(env.builder("POST", &path).bearer_auth(&env.token))
        .await
        .json();
    assert_ne!(again["clientSecret"], w["clientSecret"]);
    let r = send(
        env.builder("POST", &format!("{}/secret/reset", env.app(1)))
            .bearer_auth(&env.token),
    )
    .await;
    assert_eq!(r.status, 404);
}

// ------------------------------------------------------------ contracts

#[tokio::test]
async fn contract_auto_approve_pending_and_no_tier() {
    let env = Env::start().await;
    let app = env.create_app(json!({"name": "consumer"})).await;
    let id = app["id"].as_i64().unwrap();

    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.json();
    assert_eq!(c["status"], "APPROVED");
    assert_eq!(c["applicationId"], id);
    assert_eq!(c["clientId"], app["clientId"]);
    assert_eq!(c["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(c["tier"]["name"], "Gold");
    assert_eq!(c["tier"]["autoApprove"], true);
    assert!(c["tier"]["limits"][0]["maximumRequests"].is_number());
    assert_eq!(c["requestedTier"], Value::Null);
    assert_eq!(c["api"]["id"], API_INSTANCE_ORDERS);

    let r = env
        .request_contract(id, API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD))
        .await;
    assert_eq!(r.status, 201);
    let p = r.json();
    assert_eq!(p["status"], "PENDING");
    assert_eq!(p["tier"], Value::Null);
    assert_eq!(p["requestedTier"]["id"], TIER_PAYMENTS_STANDARD);

    let r = env.request_contract(id, API_INSTANCE_CATALOG, None).await;
    assert_eq!(r.status, 201);
    let n = r.json();
    assert_eq!(n["status"], "APPROVED");
    assert_eq!(n["tier"], Value::Null);

    // The application's contracts, API Platform shape, bare array.
    let r = env
        .call("GET", &format!("{}/contracts", env.app(id)), None)
        .await;
    assert_eq!(r.status, 200);
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    let first = &list[0];
    assert_eq!(first["id"], c["id"]);
    assert_eq!(first["status"], "APPROVED");
    assert_eq!(
        first["tier"],
        json!({"id": TIER_ORDERS_GOLD, "name": "Gold"})
    );
    assert_eq!(first["requestedTier"], Value::Null);
    assert_eq!(first["applicationId"], id);
    assert_eq!(first["apiId"], API_INSTANCE_ORDERS);
    assert_eq!(first["organizationId"], DEFAULT_ORG_ID);
    assert_eq!(first["apiVersion"]["id"], API_INSTANCE_ORDERS);
    assert_eq!(
        first["apiVersion"]["api"]["exchangeAssetName"],
        "orders-api"
    );
    assert!(first["audit"]["created"]["date"].is_string());
    assert_eq!(
        list[1]["requestedTier"],
        json!({"id": TIER_PAYMENTS_STANDARD, "name": "Standard"})
    );
    assert_eq!(
        Value::Array(list.clone()),
        Value::Array(env.h().contracts(id))
    );

    // Approving the pending one behind the API's back.
    let pid = p["id"].as_i64().unwrap();
    assert!(env.h().set_contract_status(pid, "APPROVED"));
    let approved = env.h().contract(pid).unwrap();
    assert_eq!(approved["status"], "APPROVED");
    assert_eq!(approved["tier"]["id"], TIER_PAYMENTS_STANDARD);
    assert_eq!(approved["requestedTier"], Value::Null);
    assert!(!env.h().set_contract_status(pid, "BOGUS"));
    assert!(!env.h().set_contract_status(1, "APPROVED"));

    let r = env
        .call("GET", &format!("{}/contracts", env.app(4)), None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn contract_validation_and_duplicates() {
    let env = Env::start().await;
    let id = env.create_named("validating").await;
    let org = env.org();
    let path = env.exchange_contracts(id);

    let r = env.request_contract(id, API_INSTANCE_ORDERS, None).await;
    assert_eq!(r.status, 400, "tier required when the instance has tiers");
    assert!(r.message().contains("requestedTierId"));
    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_PAYMENTS_STANDARD))
        .await;
    assert_eq!(r.status, 400, "tier of another instance");
    let r = env
        .request_contract(id, API_INSTANCE_CATALOG, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(r.status, 400, "instance without tiers");
    let r = env.request_contract(id, 12345, None).await;
    assert_eq!(r.status, 404, "unknown instance");
    for (key, value) in [
        ("assetId", json!("payments-api")),
        ("version", json!("2.0.0")),
        ("versionGroup", json!("v2")),
        ("groupId", json!(OTHER_ORG)),
        ("organizationId", json!(OTHER_ORG)),
        ("environmentId", json!(OTHER_ORG)),
        ("instanceType", json!("api-group")),
        ("instanceType", json!(null)),
        ("acceptedTerms", json!("yes")),
        ("apiId", json!("abc")),
    ] {
        let mut b = contract_body(&org, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE));
        b[key] = value.clone();
        let r = env.call("POST", &path, Some(b)).await;
        assert_eq!(r.status, 400, "{key}={value}: {}", r.text);
    }
    let mut b = contract_body(&org, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE));
    b.as_object_mut().unwrap().remove("assetId");
    assert_eq!(env.call("POST", &path, Some(b)).await.status, 400);
    assert_eq!(env.call_raw("POST", &path, "[]").await.status, 400);
    let r = env
        .call(
            "POST",
            &env.exchange_contracts(31337),
            Some(contract_body(
                &org,
                API_INSTANCE_ORDERS,
                Some(TIER_ORDERS_BRONZE),
            )),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "The application cannot be found.");
    assert!(env.h().contracts(id).is_empty(), "nothing was created");

    // String ids are accepted too.
    let mut b = contract_body(&org, API_INSTANCE_ORDERS, None);
    b["apiId"] = json!(API_INSTANCE_ORDERS.to_string());
    b["requestedTierId"] = json!(TIER_ORDERS_BRONZE.to_string());
    let r = env.call("POST", &path, Some(b)).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let r = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "Conflict");
    assert!(r.message().contains(&API_INSTANCE_ORDERS.to_string()));
    // Another application may contract the same instance.
    let other = env.create_named("other").await;
    assert_eq!(
        env.request_contract(other, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn contract_tier_changes() {
    let env = Env::start().await;
    let id = env.create_named("tiers").await;
    let c = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json();
    let cid = c["id"].as_i64().unwrap();
    let path = format!("{}/{cid}", env.exchange_contracts(id));

    // Auto-approve tier: changes at once.
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(v["requestedTier"], Value::Null);
    assert_eq!(v["status"], "APPROVED");

    // Manual tier: the tier stays, requestedTier is set.
    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_ORDERS_PLATINUM})),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(v["requestedTier"]["id"], TIER_ORDERS_PLATINUM);
    assert_eq!(
        env.h().contract(cid).unwrap()["requestedTier"]["id"],
        TIER_ORDERS_PLATINUM
    );
    assert!(env.h().set_contract_status(cid, "APPROVED"));
    assert_eq!(
        env.h().contract(cid).unwrap()["tier"]["id"],
        TIER_ORDERS_PLATINUM
    );

    let r = env
        .call(
            "PATCH",
            &path,
            Some(json!({"requestedTierId": TIER_PAYMENTS_STANDARD})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env.call("PATCH", &path, Some(json!({}))).await;
    assert_eq!(r.status, 400);
    let r = env
        .call(
            "PATCH",
            &format!("{}/999", env.exchange_contracts(id)),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 404);
    // A contract id that belongs to another application is not found here.
    let other = env.create_named("other").await;
    let r = env
        .call(
            "PATCH",
            &format!("{}/{cid}", env.exchange_contracts(other)),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn revoke_then_delete() {
    let env = Env::start().await;
    let id = env.create_named("revoker").await;
    let c = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json();
    let cid = c["id"].as_i64().unwrap();
    let contract = format!("{}/contracts/{cid}", env.api(API_INSTANCE_ORDERS));

    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 409, "must revoke first");
    assert!(r.message().contains("revoked"), "{}", r.text);

    let revoke = format!("{contract}/revoke");
    let r = send(env.builder("POST", &revoke).bearer_auth(&env.token)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "REVOKED");
    assert!(v["revokedDate"].is_string());
    assert_eq!(env.h().contracts(id)[0]["status"], "REVOKED");
    let r = send(env.builder("POST", &revoke).bearer_auth(&env.token)).await;
    assert_eq!(r.status, 409, "already revoked");
    let r = env
        .call(
            "PATCH",
            &format!("{}/{cid}", env.exchange_contracts(id)),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 409, "no tier change on a revoked contract");
    assert_eq!(r.json()["error"], "Conflict");

    // A revoked contract does not block a new request for the same instance.
    let again = env
        .request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await;
    assert_eq!(again.status, 201);

    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let r = env.call("DELETE", &contract, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(env.h().contracts(id).len(), 1);
    // Wrong instance for the contract, unknown instance, unknown env.
    let cid2 = again.json()["id"].as_i64().unwrap();
    let r = send(
        env.builder(
            "POST",
            &format!("{}/contracts/{cid2}/revoke", env.api(API_INSTANCE_PAYMENTS)),
        )
        .bearer_auth(&env.token),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = env
        .call(
            "DELETE",
            &format!("{}/contracts/{cid2}", env.api(777)),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn api_manager_instance_tiers_contracts_and_asset() {
    let env = Env::start().await;
    let r = env.call("GET", &env.api(API_INSTANCE_ORDERS), None).await;
    assert_eq!(r.status, 200);
    let inst = r.json();
    assert_eq!(inst["id"], API_INSTANCE_ORDERS);
    assert_eq!(inst["groupId"], DEFAULT_ORG_ID);
    assert_eq!(inst["assetId"], "orders-api");
    assert_eq!(inst["assetVersion"], "1.0.0");
    assert_eq!(inst["productVersion"], "v1");
    assert_eq!(inst["environmentId"], ENVIRONMENT_ID);
    assert!(inst["instanceLabel"].is_string());

    let r = env
        .call(
            "GET",
            &format!("{}/tiers", env.api(API_INSTANCE_ORDERS)),
            None,
        )
        .await;
    let t = r.json();
    assert_eq!(t["total"], 3);
    let tiers = t["tiers"].as_array().unwrap();
    assert_eq!(tiers[0]["id"], TIER_ORDERS_BRONZE);
    assert_eq!(tiers[0]["autoApprove"], true);
    assert_eq!(tiers[2]["autoApprove"], false);
    assert_eq!(tiers[0]["status"], "ACTIVE");
    assert_eq!(
        tiers[0]["limits"][0],
        json!({"timePeriodInMilliseconds": 60000, "maximumRequests": 100})
    );
    let r = env
        .call(
            "GET",
            &format!("{}/tiers", env.api(API_INSTANCE_CATALOG)),
            None,
        )
        .await;
    assert_eq!(r.json(), json!({"total": 0, "tiers": []}));

    let handle_instances = env.h().api_instances();
    assert_eq!(handle_instances.len(), 3);
    assert_eq!(handle_instances[0]["environmentId"], ENVIRONMENT_ID);
    assert_eq!(handle_instances[0]["tiers"].as_array().unwrap().len(), 3);
    assert_eq!(handle_instances[2]["tiers"], json!([]));

    for p in [
        env.api(1),
        format!("/apimanager/api/v1/organizations/{}/environments/{OTHER_ORG}/apis/{API_INSTANCE_ORDERS}", env.org()),
        format!("{}/tiers", env.api(2)),
    ] {
        assert_eq!(env.call("GET", &p, None).await.status, 404, "{p}");
    }

    // Instance contracts, paged.
    for i in 0..3 {
        let id = env.create_named(&format!("c{i}")).await;
        assert_eq!(
            env.request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
                .await
                .status,
            201
        );
    }
    let r = env
        .call(
            "GET",
            &format!(
                "{}/contracts?offset=1&limit=1",
                env.api(API_INSTANCE_ORDERS)
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 3);
    let items = v["contracts"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["application"]["name"], "c1");
    assert_eq!(items[0]["tierId"], TIER_ORDERS_BRONZE);
    assert_eq!(items[0]["apiId"], API_INSTANCE_ORDERS);
    let r = env
        .call(
            "GET",
            &format!("{}/contracts", env.api(API_INSTANCE_PAYMENTS)),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0);
    let one = format!(
        "{}/contracts/{}",
        env.api(API_INSTANCE_ORDERS),
        items[0]["id"]
    );
    assert_eq!(
        env.call("GET", &one, None).await.json()["id"],
        items[0]["id"]
    );

    // Exchange asset lookup gives the version group.
    let r = env
        .call(
            "GET",
            &format!("/exchange/api/v2/assets/{DEFAULT_ORG_ID}/orders-api/1.0.0"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let a = r.json();
    assert_eq!(a["versionGroup"], "v1");
    assert_eq!(a["groupId"], DEFAULT_ORG_ID);
    assert_eq!(a["assetId"], "orders-api");
    assert_eq!(a["version"], "1.0.0");
    assert!(a["name"].is_string());
    let r = env
        .call(
            "GET",
            &format!("/exchange/api/v2/assets/{DEFAULT_ORG_ID}/orders-api/9.9.9"),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let r = send(env.builder(
        "GET",
        &format!("/exchange/api/v2/assets/{DEFAULT_ORG_ID}/orders-api/1.0.0"),
    ))
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn deleting_an_app_removes_its_contracts() {
    let env = Env::start().await;
    let id = env.create_named("cascade").await;
    env.request_contract(id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    assert_eq!(env.call("DELETE", &env.app(id), None).await.status, 204);
    assert!(env.h().contracts(id).is_empty());
    let r = env
        .call(
            "GET",
            &format!("{}/contracts", env.api(API_INSTANCE_ORDERS)),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0);
}

// ------------------------------------------------------------ handle

#[test]
fn handle_is_clone_send_sync() {
    fn check<T: Clone + Send + Sync + 'static>() {}
    check::<EmulatorHandle>();
    fn check_send<T: Send>() {}
    check_send::<Emulator>();
}

#[tokio::test]
async fn handle_changes_state_behind_the_providers_back() {
    let env = Env::start().await;
    let h = env.h();
    let id = env.create_named("ui").await;
    assert!(h.update_application(
        id,
        json!({"name": "ui-renamed", "description": "by hand", "grantTypes": ["password"]})
    ));
    let v = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(v["name"], "ui-renamed");
    assert_eq!(v["description"], "by hand");
    assert_eq!(v["grantTypes"], json!(["password"]));
    assert!(v["audit"]["updated"]["date"].is_string());
    assert!(!h.update_application(id, json!({"grantTypes": ["bogus"]})));
    assert!(!h.update_application(999, json!({"name": "x"})));

    assert!(h.add_owner(id, ALICE));
    assert!(!h.add_owner(id, ALICE));
    assert!(!h.add_owner(id, "unknown-user"));
    assert!(h.remove_owner(id, CONNECTED_APP_USER_ID));
    assert!(!h.remove_owner(id, BOB));
    assert_eq!(h.owners(id), [ALICE]);
    let v = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(v["owners"].as_array().unwrap().len(), 1);
    assert_eq!(v["owner"], "Alice Anderson");

    let created = h
        .create_application(json!({"name": "made-by-hand"}))
        .unwrap();
    assert_eq!(h.application_count(), 2);
    assert_eq!(
        h.create_application(json!({"name": "made-by-hand"}))
            .unwrap_err(),
        "An application with name made-by-hand already exists."
    );
    assert_eq!(h.applications().len(), 2);

    assert!(h.delete_application(id));
    assert!(!h.delete_application(id));
    assert_eq!(env.call("GET", &env.app(id), None).await.status, 404);
    assert_eq!(
        h.application(created["id"].as_i64().unwrap()).unwrap()["name"],
        "made-by-hand"
    );
    assert_eq!(h.application_count(), 1);
    assert!(format!("{:?}", env.emu.config()).contains("***"));
    assert!(!format!("{:?}", env.emu.config()).contains(DEFAULT_CLIENT_SECRET));
}

#[tokio::test]
async fn request_log_records_without_secrets() {
    let env = Env::start().await;
    let h = env.h();
    h.reset_request_log();
    assert_eq!(h.token_requests(), 0);
    env.create_named("logged").await;
    env.call("GET", &format!("{}?query=log&limit=5", env.apps()), None)
        .await;
    send(env.builder("GET", "/accounts/api/me")).await; // 401
    let log = h.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, env.apps());
    assert_eq!(log[0].query, None);
    assert_eq!(log[0].status, 201);
    assert_eq!(log[1].path, env.apps());
    assert_eq!(log[1].query.as_deref(), Some("query=log&limit=5"));
    assert_eq!(log[1].status, 200);
    assert_eq!(log[2].status, 401);
    let dump = format!("{log:?}");
    assert!(!dump.contains(&env.token));
    assert_eq!(h.request_count("post", "/apiplatform/"), 1);
    assert_eq!(h.request_count("GET", "/apiplatform/"), 1);
    assert_eq!(h.request_count("GET", "/accounts/"), 1);
    env.new_token().await;
    assert_eq!(h.token_requests(), 1);
    assert_eq!(h.request_count("POST", TOKEN_PATH), 1);
    h.reset_request_log();
    assert!(h.requests().is_empty());
    assert_eq!(h.token_requests(), 0);
}

// ------------------------------------------------------------ faults

#[tokio::test]
async fn status_fault_answers_before_processing_with_headers() {
    let env = Env::start().await;
    let h = env.h();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::Status {
            status: 429,
            retry_after: Some("2".into()),
            ratelimit_reset: Some("1700000000".into()),
        },
    ));
    // A GET does not match the POST fault.
    assert_eq!(env.call("GET", &env.apps(), None).await.status, 200);
    assert_eq!(h.pending_faults(), 1);
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "limited"})))
        .await;
    assert_eq!(r.status, 429);
    assert!(r.text.is_empty(), "empty body: {:?}", r.text);
    assert_eq!(r.headers["content-length"], "0");
    assert_eq!(r.headers["retry-after"], "2");
    assert_eq!(r.headers["x-ratelimit-reset"], "1700000000");
    assert_eq!(h.application_count(), 0, "nothing processed");
    assert_eq!(h.pending_faults(), 0);
    // Consumed: the retry succeeds.
    env.create_named("limited").await;
    assert_eq!(
        h.requests().iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![200, 429, 201]
    );
}

#[tokio::test]
async fn scripted_faults_are_fifo_and_clearable() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::any(FaultKind::status(503)));
    h.push_fault(Fault {
        matcher: FaultMatch {
            method: None,
            path_contains: Some("/me".into()),
        },
        kind: FaultKind::status(502),
    });
    h.push_fault(Fault::any(FaultKind::status(500)));
    let me = "/accounts/api/me";
    assert_eq!(env.call("GET", me, None).await.status, 503);
    assert_eq!(env.call("GET", me, None).await.status, 502);
    assert_eq!(env.call("GET", me, None).await.status, 500);
    assert_eq!(env.call("GET", me, None).await.status, 200);
    // The token endpoint is faultable too.
    h.push_fault(Fault::on("POST", TOKEN_PATH, FaultKind::status(503)));
    let r = send(
        env.http
            .post(env.url(TOKEN_PATH))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 503);
    assert!(r.text.is_empty());
    h.push_fault(Fault::any(FaultKind::status(500)));
    h.push_fault(Fault::any(FaultKind::status(500)));
    h.clear_faults();
    assert_eq!(h.pending_faults(), 0);
    assert_eq!(env.call("GET", me, None).await.status, 200);
}

#[tokio::test]
async fn drop_before_processing_is_a_transport_error_and_changes_nothing() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::DropBeforeProcessing,
    ));
    let err = env
        .builder("POST", &env.apps())
        .bearer_auth(&env.token)
        .json(&json!({"name": "dropped"}))
        .send()
        .await
        .expect_err("a dropped connection must be a transport error");
    assert!(err.status().is_none());
    assert!(
        !err.is_status() && !err.is_builder() && !err.is_decode(),
        "{err:?}"
    );
    assert_eq!(h.application_count(), 0);
    assert_eq!(h.requests().last().unwrap().status, 0);
    // The server is still fine afterwards.
    env.create_named("dropped").await;
    assert_eq!(h.application_count(), 1);
}

#[tokio::test]
async fn process_then_status_really_creates() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::ProcessThenStatus(504),
    ));
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "ambiguous"})))
        .await;
    assert_eq!(r.status, 504);
    assert!(r.text.is_empty());
    assert_eq!(h.application_count(), 1);
    let list = env
        .call("GET", &format!("{}?query=ambiguous", env.apps()), None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    // The retry the client must not blindly make:
    let r = env
        .call("POST", &env.apps(), Some(json!({"name": "ambiguous"})))
        .await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn process_then_drop_creates_and_breaks_the_connection() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on("POST", "/owners", FaultKind::ProcessThenDrop));
    let id = env.create_named("half").await;
    let err = env
        .builder("POST", &format!("{}/owners", env.app(id)))
        .bearer_auth(&env.token)
        .json(&json!({"id": ALICE}))
        .send()
        .await
        .expect_err("the connection must break");
    assert!(err.status().is_none() && !err.is_decode(), "{err:?}");
    assert_eq!(
        h.owners(id),
        [CONNECTED_APP_USER_ID, ALICE],
        "the owner was added"
    );
    assert_eq!(
        h.request_count("POST", &format!("{}/owners", env.app(id))),
        1,
        "no silent retry"
    );
}

#[tokio::test]
async fn delay_fault_trips_client_timeouts_after_processing() {
    let env = Env::start().await;
    let h = env.h();
    h.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::Delay(Duration::from_secs(60)),
    ));
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = impatient
        .post(env.url(&env.apps()))
        .bearer_auth(&env.token)
        .json(&json!({"name": "slow"}))
        .send()
        .await
        .expect_err("must time out");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(h.application_count(), 1, "processed before the delay");

    // A delay the client waits out: the answer comes, late.
    h.push_fault(Fault::on(
        "GET",
        "/applications",
        FaultKind::Delay(Duration::from_millis(800)),
    ));
    let t = Instant::now();
    let r = env.call("GET", &env.apps(), None).await;
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(750),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn fault_rate_one_fails_everything_and_zero_nothing() {
    let env = Env::start().await;
    let h = env.h();
    h.set_fault_rate(1.0);
    let token_call = || {
        env.http
            .post(env.url(TOKEN_PATH))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))
    };
    for i in 0..10 {
        for r in [
            send(token_call()).await,
            env.call("GET", &env.apps(), None).await,
            env.call("POST", &env.apps(), Some(json!({"name": format!("f{i}")})))
                .await,
            env.call("GET", "/accounts/api/me", None).await,
        ] {
            assert!(r.status == 429 || r.status == 503, "{}", r.status);
            assert!(r.text.is_empty(), "{:?}", r.text);
        }
    }
    assert_eq!(
        h.application_count(),
        0,
        "random faults are decided before processing"
    );
    h.set_fault_rate(0.0);
    for i in 0..10 {
        assert_eq!(send(token_call()).await.status, 200);
        assert_eq!(
            env.call("POST", &env.apps(), Some(json!({"name": format!("ok{i}")})))
                .await
                .status,
            201
        );
        assert_eq!(env.call("GET", &env.apps(), None).await.status, 200);
    }
}

#[tokio::test]
async fn configured_fault_rate_applies_to_the_token_endpoint() {
    let emu = Emulator::start(EmulatorConfig {
        fault_rate: 1.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    for _ in 0..5 {
        let r = send(
            http.post(format!("{}{TOKEN_PATH}", emu.url()))
                .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
        )
        .await;
        assert!(r.status == 429 || r.status == 503);
        assert!(r.text.is_empty());
    }
    assert_eq!(emu.handle().token_requests(), 5);
}

#[tokio::test]
async fn latency_is_added_to_every_response() {
    let env = Env::start_with(EmulatorConfig {
        latency: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    let t = Instant::now();
    assert_eq!(env.call("GET", "/accounts/api/me", None).await.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(380),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    assert_eq!(env.call("GET", "/nowhere", None).await.status, 404);
    assert!(
        t.elapsed() >= Duration::from_millis(380),
        "{:?}",
        t.elapsed()
    );
    env.h().set_latency(Duration::ZERO);
    env.h().push_fault(Fault::any(FaultKind::status(429)));
    env.h().set_latency(Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(env.call("GET", "/accounts/api/me", None).await.status, 429);
    assert!(
        t.elapsed() >= Duration::from_millis(280),
        "faults wait too: {:?}",
        t.elapsed()
    );
}

// ------------------------------------------------------------ lifecycle and state file

#[tokio::test]
async fn shutdown_releases_the_port() {
    let env = Env::start().await;
    let url = env.url("/accounts/api/me");
    let addr = env.emu.addr();
    assert_eq!(env.emu.url(), format!("http://{addr}"));
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    let Env { emu, .. } = env;
    emu.shutdown().await;
    let err = reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .expect_err("nothing listens any more");
    assert!(err.is_connect(), "{err:?}");
    // The same address can be served again.
    let again = Emulator::start_on(addr, EmulatorConfig::default())
        .await
        .unwrap();
    assert_eq!(again.addr(), addr);
    again.shutdown().await;
}

fn state_config(path: &std::path::Path) -> EmulatorConfig {
    EmulatorConfig {
        state_file: Some(path.to_owned()),
        ..Default::default()
    }
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator-state.json");
    let (app, contract) = {
        let env = Env::start_with(state_config(&path)).await;
        assert!(!path.exists(), "nothing written before the first mutation");
        let app = env
            .create_app(json!({"name": "persistent", "description": "kept"}))
            .await;
        let id = app["id"].as_i64().unwrap();
        assert_eq!(
            env.call(
                "POST",
                &format!("{}/owners", env.app(id)),
                Some(json!({"id": BOB}))
            )
            .await
            .status,
            201
        );
        let c = env
            .request_contract(id, API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD))
            .await
            .json();
        let app = env.call("GET", &env.app(id), None).await.json();
        let Env { emu, .. } = env;
        emu.shutdown().await;
        (app, c)
    };
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk["applications"][0]["name"], "persistent");

    let env = Env::start_with(state_config(&path)).await;
    let id = app["id"].as_i64().unwrap();
    let r = env.call("GET", &env.app(id), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), app, "same object, secret and owners included");
    let contracts = env.h().contracts(id);
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0]["id"], contract["id"]);
    assert_eq!(contracts[0]["status"], "PENDING");
    // Ids keep increasing across the restart.
    let next = env.create_named("after-restart").await;
    assert!(next > id);
    let c2 = env
        .request_contract(next, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await
        .json();
    assert!(c2["id"].as_i64().unwrap() > contract["id"].as_i64().unwrap());
    // Tokens are not persisted.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&env.token));
}

#[tokio::test]
async fn state_file_is_replaced_atomically() {
    use std::os::unix::fs::MetadataExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let env = Env::start_with(state_config(&path)).await;
    let h = env.h();
    let id = env.create_named("atomic").await;
    let inode_before = std::fs::metadata(&path).unwrap().ino();
    assert!(h.update_application(id, json!({"description": "second write"})));
    let inode_after = std::fs::metadata(&path).unwrap().ino();
    assert_ne!(
        inode_before, inode_after,
        "a new file is renamed over the old one"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("second write"));

    // A reader polling the file never sees a partial document.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let (mut reads, mut bad) = (0u32, Vec::new());
            while !stop.load(Ordering::SeqCst) || reads == 0 {
                let bytes = std::fs::read(&path).unwrap();
                reads += 1;
                if serde_json::from_slice::<Value>(&bytes).is_err() {
                    bad.push(bytes.len());
                }
            }
            (reads, bad)
        })
    };
    for i in 0..40 {
        let long = "x".repeat(2000 + i * 100);
        assert!(h.update_application(id, json!({"description": long})));
        env.create_named(&format!("bulk-{i}")).await;
    }
    stop.store(true, Ordering::SeqCst);
    let (reads, bad) = reader.join().unwrap();
    assert!(reads > 0);
    assert!(bad.is_empty(), "{} partial reads out of {reads}", bad.len());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["state.json"], "no temporary files left behind");
    let final_state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(final_state["applications"].as_array().unwrap().len(), 41);
}

#[tokio::test]
async fn unreadable_state_file_refuses_to_start_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{\"truncated\": ").unwrap();
    let err = Emulator::start(state_config(&path))
        .await
        .expect_err("must refuse");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"truncated\": ");

    // A state file of another organization is refused too.
    let other = dir.path().join("other.json");
    {
        let env = Env::start_with(state_config(&other)).await;
        env.create_named("x").await;
    }
    let err = Emulator::start(EmulatorConfig {
        org_id: OTHER_ORG.into(),
        ..state_config(&other)
    })
    .await
    .expect_err("another org's file");
    assert!(err.to_string().contains(DEFAULT_ORG_ID), "{err}");
}

// ------------------------------------------------------------ the binary

mod binary {
    use super::*;
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::process::{Child, Command};

    const BIN: &str = env!("CARGO_BIN_EXE_anypoint-emulator");

    fn spawn(args: &[&str]) -> Child {
        Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the emulator binary")
    }

    async fn first_lines(child: &mut Child, n: usize) -> Vec<String> {
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut out = Vec::new();
        while out.len() < n {
            let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .expect("the emulator printed nothing in 60 s")
                .unwrap()
                .expect("stdout ended early");
            out.push(line);
        }
        out
    }

    fn signal(child: &Child, sig: i32) {
        let pid = child.id().expect("still running") as i32;
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    #[tokio::test]
    async fn serves_prints_url_first_and_stops_on_sigterm() {
        let mut child = spawn(&["--listen", "127.0.0.1:0"]);
        let lines = first_lines(&mut child, 4).await;
        let url = lines[0].clone();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert!(!url.ends_with('/'));
        assert_eq!(lines[1], format!("Anypoint emulator listening on {url}"));
        assert!(lines[2].contains(DEFAULT_CLIENT_ID), "{lines:?}");
        assert!(lines[3].contains(DEFAULT_CLIENT_SECRET), "{lines:?}");

        let http = reqwest::Client::new();
        let r = send(
            http.post(format!("{url}{TOKEN_PATH}"))
                .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let token = r.json()["access_token"].as_str().unwrap().to_owned();
        let me = send(
            http.get(format!("{url}/accounts/api/me"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(me.json()["client"]["org_id"], DEFAULT_ORG_ID);

        signal(&child, libc::SIGTERM);
        let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
            .await
            .expect("exits after SIGTERM")
            .unwrap();
        assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    }

    #[tokio::test]
    async fn url_file_custom_credentials_and_sigint() {
        let dir = tempfile::tempdir().unwrap();
        let url_file = dir.path().join("url");
        let state = dir.path().join("state.json");
        let mut child = spawn(&[
            "--client-id",
            "custom-id",
            "--client-secret=custom-secret-value",
            "--token-ttl",
            "120",
            "--latency-ms",
            "1",
            "--url-file",
            url_file.to_str().unwrap(),
            "--state-file",
            state.to_str().unwrap(),
        ]);
        let lines = first_lines(&mut child, 9).await;
        let url = lines[0].clone();
        assert_eq!(std::fs::read_to_string(&url_file).unwrap().trim_end(), url);
        assert!(
            !lines.join("\n").contains("custom-secret-value"),
            "a given secret is not printed"
        );

        let http = reqwest::Client::new();
        let r = send(
            http.post(format!("{url}{TOKEN_PATH}"))
                .json(&token_body("custom-id", "custom-secret-value")),
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["expires_in"], 120);
        let token = r.json()["access_token"].as_str().unwrap().to_owned();
        let r = send(
            http.post(format!(
                "{url}/apiplatform/repository/v2/organizations/{DEFAULT_ORG_ID}/applications"
            ))
            .bearer_auth(&token)
            .json(&json!({"name": "from-binary"})),
        )
        .await;
        assert_eq!(r.status, 201);
        let r = send(
            http.post(format!("{url}{TOKEN_PATH}"))
                .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
        )
        .await;
        assert_eq!(
            r.status, 401,
            "the default credentials are not accepted any more"
        );

        signal(&child, libc::SIGINT);
        let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
            .await
            .expect("exits after SIGINT")
            .unwrap();
        assert!(status.success(), "{status:?}");
        let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
        assert_eq!(saved["applications"][0]["name"], "from-binary");
    }

    #[tokio::test]
    async fn help_and_bad_arguments() {
        let out = Command::new(BIN).arg("--help").output().await.unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        for flag in [
            "--listen",
            "--client-id",
            "--client-secret",
            "--org-id",
            "--latency-ms",
            "--fault-rate",
            "--token-ttl",
            "--state-file",
            "--url-file",
        ] {
            assert!(text.contains(flag), "help mentions {flag}");
        }
        let out = Command::new(BIN)
            .args(["--fault-rate", "2"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--fault-rate"));
        assert!(out.stdout.is_empty());
    }
}
