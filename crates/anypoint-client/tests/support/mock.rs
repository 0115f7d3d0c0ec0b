//! A small axum mock of the Anypoint platform (on 127.0.0.1:0), kept only for
//! what the emulator (`anypoint_emulator`, the one fake platform the
//! other tests use) cannot do:
//!
//! - record each request's `User-Agent` header;
//! - answer `/accounts/api/me` in other shapes (organization from the user,
//!   or none at all);
//! - hold several applications with one name (the emulator refuses that),
//!   even while a create hangs unanswered;
//! - echo the `Authorization` header back in an error body (`Fault::EchoAuth`)
//!   and list every token and application secret it issued, so a test can
//!   search text for all of them.
//!
//! It serves the token, `/me`, application create, list, get and secret reset
//! routes, nothing more. Used by the `on_the_mock` modules of `tests/client`
//! and by `tests/client_logs.rs`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anypoint_client::{AnypointClient, ClientConfig};
use anypoint_emulator::TOKEN_PATH;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;

use super::{client_from, config_at, CLIENT_ID, CLIENT_SECRET, ORG};

// ---------------------------------------------------------------------------
// The mock platform

/// A scripted behaviour for the next request to one `METHOD /path`.
#[derive(Clone)]
pub enum Fault {
    /// Answer this status and body without doing anything.
    Respond { status: u16, body: String },
    /// Do the operation, then answer this status with an empty body.
    ActThen(u16),
    /// Never answer.
    Hang,
    /// Answer with a message that echoes the Authorization header.
    EchoAuth(u16),
}

impl Fault {
    /// Answer `code` with an empty body.
    pub fn status(code: u16) -> Fault {
        Fault::Respond {
            status: code,
            body: String::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub user_agent: String,
}

#[derive(Default)]
pub struct World {
    pub log: Mutex<Vec<Seen>>,
    pub notify: Notify,
    pub faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    /// Issued tokens and when.
    pub tokens: Mutex<Vec<(String, Instant)>>,
    pub token_lifetime: AtomicU64,
    pub apps: Mutex<BTreeMap<i64, Value>>,
    pub next_id: AtomicI64,
    pub me: Mutex<Value>,
    /// Every client secret the mock handed out.
    pub app_secrets: Mutex<Vec<String>>,
}

impl World {
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.method == method && s.path == path)
            .count()
    }

    pub fn total(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    pub fn fault(&self, method: &str, path: &str, faults: impl IntoIterator<Item = Fault>) {
        self.faults
            .lock()
            .unwrap()
            .entry(format!("{method} {path}"))
            .or_default()
            .extend(faults);
    }

    /// Wait (without polling) until `n` requests to `METHOD path` were seen.
    pub async fn wait_for(&self, method: &str, path: &str, n: usize) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count(method, path) >= n {
                return;
            }
            notified.await;
        }
    }

    pub fn token_valid(&self, authorization: &str) -> bool {
        let Some(token) = authorization.strip_prefix("Bearer ") else {
            return false;
        };
        let lifetime = Duration::from_secs(self.token_lifetime.load(SeqCst));
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .any(|(t, at)| t == token && at.elapsed() < lifetime)
    }

    pub fn issued_tokens(&self) -> Vec<String> {
        self.tokens
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| t.clone())
            .collect()
    }

    pub fn new_secret(&self, id: i64) -> String {
        let s = format!("app-secret-{id}-{}", uuid::Uuid::new_v4().simple());
        self.app_secrets.lock().unwrap().push(s.clone());
        s
    }

    /// An application made behind the client's back, dated 2024 (before
    /// anything a test's client does).
    pub fn insert_app(&self, name: &str) -> i64 {
        let id = self.next_id.fetch_add(1, SeqCst);
        let secret = self.new_secret(id);
        let app = json!({
            "id": id, "name": name, "description": null, "url": null,
            "redirectUri": [], "grantTypes": [],
            "clientId": format!("{id:032}"), "clientSecret": secret,
            "masterOrganizationId": ORG, "owners": [],
            "audit": {"created": {"date": "2024-01-02T03:04:05.000Z"}, "updated": {}}
        });
        self.apps.lock().unwrap().insert(id, app);
        id
    }
}

async fn gate(State(w): State<Arc<World>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let (authorization, user_agent) = {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        (header("authorization"), header("user-agent"))
    };
    w.log.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        query: req.uri().query().unwrap_or("").to_owned(),
        user_agent,
    });
    w.notify.notify_waiters();

    let fault = w
        .faults
        .lock()
        .unwrap()
        .get_mut(&format!("{method} {path}"))
        .and_then(|q| q.pop_front());
    match &fault {
        Some(Fault::Respond { status, body }) => {
            let mut r = Response::new(Body::from(body.clone()));
            *r.status_mut() = StatusCode::from_u16(*status).unwrap();
            return r;
        }
        Some(Fault::Hang) => std::future::pending::<()>().await,
        Some(Fault::EchoAuth(code)) => {
            return (
                StatusCode::from_u16(*code).unwrap(),
                Json(json!({"message": format!("rejected credentials: {authorization}")})),
            )
                .into_response()
        }
        _ => {}
    }
    if path != TOKEN_PATH && !w.token_valid(&authorization) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "invalid or expired token"})),
        )
            .into_response();
    }
    let response = next.run(req).await;
    match fault {
        Some(Fault::ActThen(code)) => StatusCode::from_u16(code).unwrap().into_response(),
        _ => response,
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "The application cannot be found."})),
    )
        .into_response()
}

async fn token(State(w): State<Arc<World>>, Json(body): Json<Value>) -> Response {
    if body["grant_type"] != "client_credentials"
        || body["client_id"] != CLIENT_ID
        || body["client_secret"] != CLIENT_SECRET
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let t = format!("access-TOKEN-{}", uuid::Uuid::new_v4().simple());
    w.tokens.lock().unwrap().push((t.clone(), Instant::now()));
    Json(json!({
        "access_token": t, "token_type": "bearer",
        "expires_in": w.token_lifetime.load(SeqCst)
    }))
    .into_response()
}

async fn me(State(w): State<Arc<World>>) -> Json<Value> {
    Json(w.me.lock().unwrap().clone())
}

async fn post_app(
    State(w): State<Arc<World>>,
    Path(org): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let id = w.next_id.fetch_add(1, SeqCst);
    let secret = w.new_secret(id);
    let app = json!({
        "id": id, "name": body["name"], "description": body.get("description"),
        "url": body.get("url"), "redirectUri": body["redirectUri"],
        "grantTypes": body["grantTypes"], "clientId": format!("{id:032}"),
        "clientSecret": secret, "masterOrganizationId": org, "owners": [],
        "audit": {"created": {"date": now_stamp()}, "updated": {}}
    });
    w.apps.lock().unwrap().insert(id, app.clone());
    (StatusCode::CREATED, Json(app)).into_response()
}

/// Now, as the platform dates what it creates.
fn now_stamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn list_apps(
    State(w): State<Arc<World>>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    let needle = q.get("query").cloned().unwrap_or_default().to_lowercase();
    let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(100);
    let matching: Vec<Value> = w
        .apps
        .lock()
        .unwrap()
        .values()
        .filter(|a| a["name"].as_str().unwrap_or("").to_lowercase().contains(&needle))
        .map(|a| {
            json!({"id": a["id"], "name": a["name"], "description": a["description"],
                   "coreServicesId": a["clientId"], "masterOrganizationId": a["masterOrganizationId"],
                   "audit": a["audit"]})
        })
        .collect();
    let page: Vec<Value> = matching.iter().skip(offset).take(limit).cloned().collect();
    Json(json!({"applications": page, "total": matching.len()}))
}

async fn get_app(State(w): State<Arc<World>>, Path((_org, id)): Path<(String, i64)>) -> Response {
    match w.apps.lock().unwrap().get(&id) {
        Some(app) => Json(app.clone()).into_response(),
        None => not_found(),
    }
}

async fn reset_secret(
    State(w): State<Arc<World>>,
    Path((_org, id)): Path<(String, i64)>,
) -> Response {
    let secret = w.new_secret(id);
    let mut apps = w.apps.lock().unwrap();
    let Some(app) = apps.get_mut(&id) else {
        return not_found();
    };
    app["clientSecret"] = json!(secret);
    (StatusCode::CREATED, Json(app.clone())).into_response()
}

pub struct Mock {
    pub world: Arc<World>,
    pub base: String,
}

pub async fn start() -> Mock {
    let world = Arc::new(World {
        token_lifetime: AtomicU64::new(3600),
        next_id: AtomicI64::new(1000),
        ..Default::default()
    });
    *world.me.lock().unwrap() = json!({
        "client": {"client_id": CLIENT_ID, "name": "ca", "org_id": "org-from-client"},
        "user": {"id": "u0", "organization": {"id": "org-from-user"}}
    });
    let apps = "/apiplatform/repository/v2/organizations/{org}/applications";
    let router = Router::new()
        .route(TOKEN_PATH, post(token))
        .route("/accounts/api/me", get(me))
        .route(apps, post(post_app).get(list_apps))
        .route(&format!("{apps}/{{id}}"), get(get_app))
        .route(&format!("{apps}/{{id}}/secret/reset"), post(reset_secret))
        .layer(middleware::from_fn_with_state(world.clone(), gate))
        .with_state(world.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Mock {
        world,
        base: format!("http://{addr}"),
    }
}

impl Mock {
    /// Settings for this mock ([`config_at`]).
    pub fn config(&self) -> ClientConfig {
        config_at(&self.base)
    }

    pub fn client(&self) -> AnypointClient {
        client_from(self.config())
    }

    /// `text` holds neither the Connected App's secret nor any token or
    /// application secret this mock handed out.
    pub fn assert_free_of_secrets(&self, text: &str) {
        assert!(!text.contains(CLIENT_SECRET), "client secret in: {text}");
        for t in self.world.issued_tokens() {
            assert!(!text.contains(&t), "access token in: {text}");
        }
        for s in self.world.app_secrets.lock().unwrap().iter() {
            assert!(!text.contains(s.as_str()), "app secret in: {text}");
        }
    }
}
