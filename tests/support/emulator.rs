//! The emulator as the tests' platform: running in the test process on a
//! runtime of its own, the provider blocks that point at it, its seeded
//! users, its admin routes over HTTP, and changes made behind Terraform's
//! back.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anypoint_emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, RequestRecord, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, TOKEN_PATH,
};
use serde_json::{json, Value};

use super::{sorted_strings, TfDir};

pub use anypoint_emulator::{Fault, FaultKind, CONNECTED_APP_USER_ID};

/// Users the emulator seeds (besides the Connected App's own,
/// [`CONNECTED_APP_USER_ID`]); their usernames are `alice` … `erin`.
pub const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";
pub const BOB: &str = "5eed0000-0000-4000-8000-000000000002";
pub const CAROL: &str = "5eed0000-0000-4000-8000-000000000003";
pub const DAVE: &str = "5eed0000-0000-4000-8000-000000000004";
pub const ERIN: &str = "5eed0000-0000-4000-8000-000000000005";

/// An emulator on a port of its own (port 0) in the test process, served by
/// a runtime of its own. Started with [`TestEmulator::restartable`] it keeps
/// a state file, and can be killed (every connection broken without an
/// answer) and restarted on the same address from that file, as a platform
/// restart would.
pub struct TestEmulator {
    pub handle: EmulatorHandle,
    /// `http://127.0.0.1:<port>`, the same after a restart.
    pub url: String,
    pub addr: SocketAddr,
    pub config: EmulatorConfig,
    emulator: Option<Emulator>,
    runtime: Option<tokio::runtime::Runtime>,
    /// Handles of earlier lives, so request counts span restarts.
    past: Vec<EmulatorHandle>,
    /// The state file's directory, when there is one.
    _dir: Option<tempfile::TempDir>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

impl TestEmulator {
    pub fn start() -> TestEmulator {
        Self::start_with(EmulatorConfig::default())
    }

    pub fn start_with(config: EmulatorConfig) -> TestEmulator {
        Self::launch(config, None)
    }

    /// An emulator that serves its admin routes (`/_emulator`).
    pub fn with_admin() -> TestEmulator {
        Self::start_with(EmulatorConfig {
            admin: true,
            ..EmulatorConfig::default()
        })
    }

    /// An emulator with a state file, for [`kill`](Self::kill) and
    /// [`restart`](Self::restart).
    pub fn restartable() -> TestEmulator {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = EmulatorConfig {
            state_file: Some(dir.path().join("emulator-state.json")),
            ..EmulatorConfig::default()
        };
        Self::launch(config, Some(dir))
    }

    fn launch(config: EmulatorConfig, dir: Option<tempfile::TempDir>) -> TestEmulator {
        let rt = runtime();
        let emulator = rt
            .block_on(Emulator::start(config))
            .expect("start emulator");
        TestEmulator {
            handle: emulator.handle(),
            url: emulator.url(),
            addr: emulator.addr(),
            config: emulator.config().clone(),
            emulator: Some(emulator),
            runtime: Some(rt),
            past: Vec::new(),
            _dir: dir,
        }
    }

    pub fn org_id(&self) -> String {
        self.config.org_id.clone()
    }

    /// Kill the platform: every task (in-flight answers included) ends at
    /// once and every connection breaks without a response.
    pub fn kill(&mut self) {
        // The runtime goes first: dropping the emulator while it runs would
        // end the held-back answers early and let them be written.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        let emulator = self.emulator.take().expect("running");
        drop(emulator);
    }

    /// Start again on the same address from the state file (tokens are not
    /// persisted, so every token issued before is unknown afterwards).
    pub fn restart(&mut self) {
        assert!(self.emulator.is_none(), "kill before restart");
        assert!(self.config.state_file.is_some(), "a restartable emulator");
        let rt = runtime();
        let deadline = Instant::now() + Duration::from_secs(10);
        let emulator = loop {
            match rt.block_on(Emulator::start_on(self.addr, self.config.clone())) {
                Ok(e) => break e,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    assert!(
                        Instant::now() < deadline,
                        "port {} still busy 10 s after the kill",
                        self.addr
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("restart the emulator: {e}"),
            }
        };
        let old = std::mem::replace(&mut self.handle, emulator.handle());
        self.past.push(old);
        self.emulator = Some(emulator);
        self.runtime = Some(rt);
    }

    /// Every request seen, over all lives of the emulator.
    pub fn all_requests(&self) -> Vec<RequestRecord> {
        let mut v = Vec::new();
        for h in &self.past {
            v.extend(h.requests());
        }
        v.extend(self.handle.requests());
        v
    }

    /// Requests with `method` whose path ends with `suffix`, over all lives.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.all_requests()
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.ends_with(suffix))
            .count()
    }

    /// Secret resets the platform carried out (answered or not), all lives.
    pub fn secret_resets(&self) -> usize {
        self.all_requests()
            .iter()
            .filter(|r| {
                r.method == "POST"
                    && r.path.ends_with("/secret/reset")
                    && (r.status == 0 || (200..300).contains(&r.status))
            })
            .count()
    }

    /// Requests other than the token request, over all lives.
    pub fn api_requests(&self) -> usize {
        self.all_requests()
            .iter()
            .filter(|r| !r.path.ends_with("/oauth2/token"))
            .count()
    }

    /// Applications on the platform with this exact name.
    pub fn apps_named(&self, name: &str) -> Vec<Value> {
        self.handle
            .applications()
            .into_iter()
            .filter(|a| a["name"] == name)
            .collect()
    }

    // Two provider blocks: most tests use `provider_block` (three retries);
    // the fault and input tests use `provider_block_with` (two retries, and
    // settings of their own), which keeps their runs against a failing
    // platform short.

    /// This emulator's provider block: its URL, credentials, three retries.
    pub fn provider_block(&self) -> String {
        self.provider_block_raw("  max_retries   = 3\n")
    }

    /// This emulator's provider block with two retries and `extra`.
    pub fn provider_block_with(&self, extra: &str) -> String {
        self.provider_block_raw(&format!("  max_retries   = 2\n{extra}"))
    }

    /// A provider block with only the connection settings and `settings`.
    pub fn provider_block_raw(&self, settings: &str) -> String {
        provider_block(
            &self.url,
            &self.config.client_id,
            &self.config.client_secret,
            settings,
        )
    }

    /// A Terraform directory with [`provider_block_with`](Self::provider_block_with)`("")` and `body`.
    pub fn tf(&self, body: &str) -> TfDir {
        TfDir::new(&format!("{}\n{body}", self.provider_block_with("")))
    }

    /// Replace main.tf of a directory made by [`tf`](Self::tf).
    pub fn set_config(&self, tf: &TfDir, body: &str) {
        tf.write(
            "main.tf",
            &format!("{}\n{body}", self.provider_block_with("")),
        );
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(e) = self.emulator.take() {
            if let Some(rt) = &self.runtime {
                rt.block_on(e.shutdown());
            }
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A Terraform directory whose configuration is the emulator's
/// [`TestEmulator::provider_block`] followed by `resources`.
pub fn tf_with_emulator(emu: &TestEmulator, resources: &str) -> TfDir {
    TfDir::new(&format!("{}\n{resources}", emu.provider_block()))
}

impl TfDir {
    /// Replace the resources part of main.tf, keeping the provider block of
    /// [`tf_with_emulator`].
    pub fn set_config(&self, emu: &TestEmulator, resources: &str) {
        self.write("main.tf", &format!("{}\n{resources}", emu.provider_block()));
    }
}

/// A provider block for the platform at `url` with these credentials and
/// then `settings` (attribute lines).
pub fn provider_block(url: &str, client_id: &str, client_secret: &str, settings: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n\nprovider \"anypoint\" {{\n  base_url      = \"{url}\"\n  client_id     = \"{client_id}\"\n  client_secret = \"{client_secret}\"\n{settings}}}\n"
    )
}

/// The id of an application as the emulator reports it, as text.
pub fn platform_id(app: &Value) -> String {
    app["id"].to_string().trim_matches('"').to_owned()
}

/// The path of one application on the API.
pub fn app_api_path(emu: &TestEmulator, id: i64) -> String {
    format!(
        "/apiplatform/repository/v2/organizations/{}/applications/{id}",
        emu.org_id()
    )
}

/// The emulator's application has these values (keys as the API names them:
/// name, description, url, redirectUri, grantTypes; arrays compared as sets).
#[track_caller]
pub fn assert_remote_matches(emu: &TestEmulator, id: i64, wanted: &Value) {
    let remote = emu
        .handle
        .application(id)
        .unwrap_or_else(|| panic!("application {id} is gone from the emulator"));
    for (k, w) in wanted.as_object().expect("an object") {
        if w.is_array() {
            assert_eq!(
                sorted_strings(&remote[k]),
                sorted_strings(w),
                "{k} of application {id}: {remote}"
            );
        } else {
            assert_eq!(&remote[k], w, "{k} of application {id}: {remote}");
        }
    }
}

/// Reset an application's secret behind Terraform's back, as a user in the
/// web console would: through the HTTP client, with the emulator's
/// Connected App.
pub fn reset_secret_outside(emu: &TestEmulator, id: i64) {
    let cfg = emu.config.clone();
    let client_cfg = anypoint_client::ClientConfig::new(
        &emu.url,
        &cfg.client_id,
        secret::Secret::new(cfg.client_secret.clone()),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = anypoint_client::AnypointClient::new(
            client_cfg,
            "test",
            tokio_util::sync::CancellationToken::new(),
        )
        .unwrap();
        client
            .applications()
            .reset_secret(&cfg.org_id, id)
            .await
            .unwrap();
    });
}

/// An HTTP client for one emulator (its API and its admin routes, which an
/// emulator started with `admin: true` serves), blocking on its own small
/// runtime.
pub struct EmulatorHttp {
    base: String,
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl EmulatorHttp {
    pub fn new(base: &str) -> EmulatorHttp {
        EmulatorHttp {
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

    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Answer {
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
    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(method, &format!("/_emulator{path}"), body, None)
    }

    /// An admin call that must succeed (2xx); the answer's JSON.
    #[track_caller]
    pub fn admin_ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let a = self.admin(method, path, body);
        assert!(
            (200..300).contains(&a.status),
            "{method} /_emulator{path}: {} {}",
            a.status,
            a.body
        );
        a.body
    }

    /// The token request of the emulator's default Connected App.
    pub fn token(&self) -> Answer {
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

    pub fn access_token(&self) -> String {
        let t = self.token();
        assert_eq!(t.status, 200, "{}", t.body);
        t.body["access_token"].as_str().unwrap().to_owned()
    }
}
