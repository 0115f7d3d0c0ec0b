//! Helpers for the end-to-end fault and input tests (`e2e_application_faults.rs`,
//! `e2e_contract_faults.rs`, `e2e_name_conflict.rs`, …):
//! an emulator that can be killed and restarted from its state file, ways to
//! interrupt a running Terraform command at a chosen platform request, and
//! the convergence checks. A directory module, so Cargo does not build it as
//! a test target of its own.
#![allow(dead_code)]

use std::io::Read as _;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anypoint_emulator::{Emulator, EmulatorConfig, EmulatorHandle, RequestRecord};
use serde_json::Value;

#[allow(unused_imports)]
pub use anypoint_emulator::{Fault, FaultKind, CONNECTED_APP_USER_ID};

use super::{TfDir, TfOutput};

pub const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";
pub const BOB: &str = "5eed0000-0000-4000-8000-000000000002";

/// How long a targeted request's answer is held back after the platform has
/// acted on it: the window in which the tests interrupt.
pub const HOLD: Duration = Duration::from_millis(800);

/// An in-process emulator with a state file that can be killed (its runtime
/// torn down, every connection broken without an answer) and restarted on
/// the same address from that file, as a platform restart would.
pub struct RestartableEmulator {
    runtime: Option<tokio::runtime::Runtime>,
    emulator: Option<Emulator>,
    pub handle: EmulatorHandle,
    /// Handles of earlier lives, so request counts span restarts.
    past: Vec<EmulatorHandle>,
    pub addr: SocketAddr,
    pub config: EmulatorConfig,
    _dir: tempfile::TempDir,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

impl RestartableEmulator {
    pub fn start() -> RestartableEmulator {
        Self::start_with(|_| {})
    }

    /// Start with the configuration changed by `f` (the state file is set).
    pub fn start_with(f: impl FnOnce(&mut EmulatorConfig)) -> RestartableEmulator {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = EmulatorConfig {
            state_file: Some(dir.path().join("emulator-state.json")),
            ..EmulatorConfig::default()
        };
        f(&mut config);
        let rt = runtime();
        let emulator = rt
            .block_on(Emulator::start(config.clone()))
            .expect("start emulator");
        RestartableEmulator {
            handle: emulator.handle(),
            addr: emulator.addr(),
            emulator: Some(emulator),
            runtime: Some(rt),
            past: Vec::new(),
            config,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state_file(&self) -> PathBuf {
        self.config.state_file.clone().unwrap()
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

    /// A provider block for this emulator with `max_retries = 2` and the
    /// given extra settings.
    pub fn provider_block(&self, extra: &str) -> String {
        self.provider_block_raw(&format!("  max_retries   = 2\n{extra}"))
    }

    /// A provider block with only the connection settings and `settings`.
    pub fn provider_block_raw(&self, settings: &str) -> String {
        provider_block(
            &self.url(),
            &self.config.client_id,
            &self.config.client_secret,
            settings,
        )
    }

    /// A Terraform directory with this emulator's provider block and `body`.
    pub fn tf(&self, body: &str) -> TfDir {
        TfDir::new(&format!("{}\n{body}", self.provider_block("")))
    }

    pub fn set_config(&self, tf: &TfDir, body: &str) {
        tf.write("main.tf", &format!("{}\n{body}", self.provider_block("")));
    }

    /// Applications on the platform with this exact name.
    pub fn apps_named(&self, name: &str) -> Vec<Value> {
        self.handle
            .applications()
            .into_iter()
            .filter(|a| a["name"] == name)
            .collect()
    }
}

impl Drop for RestartableEmulator {
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

pub fn provider_block(url: &str, client_id: &str, client_secret: &str, extra: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n\nprovider \"anypoint\" {{\n  base_url      = \"{url}\"\n  client_id     = \"{client_id}\"\n  client_secret = \"{client_secret}\"\n{extra}}}\n"
    )
}

/// A Terraform command started in its own process group (as a shell starts
/// a foreground job), so that SIGINT can go to Terraform and its providers
/// together, as Ctrl-C does.
pub struct Running {
    pub child: Child,
}

impl Running {
    pub fn start(tf: &TfDir, args: &[&str]) -> Running {
        let mut cmd = tf.command(args);
        cmd.process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Running {
            child: cmd.spawn().expect("start terraform"),
        }
    }

    pub fn apply(tf: &TfDir) -> Running {
        Running::start(tf, &["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// Ctrl-C: SIGINT to the whole process group.
    pub fn interrupt(&self) {
        // SAFETY: signalling the process group this test created.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGINT);
        }
    }

    /// SIGKILL of Terraform alone (its providers notice and exit).
    pub fn kill_terraform(&self) {
        // SAFETY: signalling our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGKILL);
        }
    }

    pub fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Wait for the command to end; its output. Bounded: a command still
    /// running after `secs` seconds is killed and the test fails.
    pub fn finish(mut self, secs: u64) -> TfOutput {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let out = TfOutput::from(self.child.wait_with_output().unwrap());
                panic!(
                    "terraform still ran {secs} s after it was started or interrupted:\n{}",
                    out.all()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        TfOutput::from(self.child.wait_with_output().unwrap())
    }
}

/// Wait (bounded) until the platform has acted on `n` requests with `method`
/// whose path ends with `suffix`: such a request is logged once it has been
/// processed, before its (held back) answer is written. Fails the test if
/// Terraform ends first.
#[track_caller]
pub fn wait_for_request(
    emu: &RestartableEmulator,
    run: &mut Running,
    method: &str,
    suffix: &str,
    n: usize,
) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if emu.count(method, suffix) >= n {
            return;
        }
        if run.exited() {
            let mut text = String::new();
            for pipe in [
                run.child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn std::io::Read>),
                run.child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn std::io::Read>),
            ]
            .into_iter()
            .flatten()
            {
                let mut pipe = pipe;
                let _ = pipe.read_to_string(&mut text);
            }
            panic!(
                "terraform ended before the platform saw {n} × {method} …{suffix}:\n{text}\nrequests: {:?}",
                emu.all_requests()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the platform never saw {n} × {method} …{suffix}: {:?}",
            emu.all_requests()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The resources in a `terraform show -json` state: (address, values).
pub fn state_resources(tf: &TfDir) -> Vec<(String, Value)> {
    let out = tf.run(&["show", "-json", "-no-color"]);
    out.assert_ok();
    let v: Value = serde_json::from_str(&out.stdout).expect("show -json");
    v["values"]["root_module"]["resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["mode"] == "managed")
                .map(|r| {
                    (
                        r["address"].as_str().unwrap_or("").to_owned(),
                        r["values"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Application ids recorded in state (application resources only).
pub fn state_app_ids(tf: &TfDir) -> Vec<String> {
    state_resources(tf)
        .into_iter()
        .filter(|(a, _)| a.starts_with("anypoint_client_application."))
        .filter_map(|(_, v)| v["id"].as_str().map(str::to_owned))
        .collect()
}

/// `text` with every run of whitespace made one space: Terraform wraps
/// diagnostics at word boundaries, so phrases are matched on this.
pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` holds a ready-to-paste import block for `to` with `id`
/// (whitespace between the tokens is free); see [`import_block_id`].
pub fn has_import_block(text: &str, to: &str, id: &str) -> bool {
    import_block_id(text, to, id).is_some()
}

/// The import id of the ready-to-paste block that `text` (Terraform's
/// output) gives for application `id` at address `to`: `import { to = <to>
/// id = "<import id>" }`, or, since Terraform does not tell a provider the
/// resource's address, `import { to = <type>.<name> id = "…" }` in the
/// diagnostic that Terraform shows `with <to>,`. The import id is `id`
/// itself or ends with `/<id>` (`<org_id>/<id>`).
pub fn import_block_id(text: &str, to: &str, id: &str) -> Option<String> {
    let placeholder = format!("{}.<name>", to.split('.').next().unwrap_or(to));
    // One diagnostic per block: Terraform starts each with "Error: " or
    // "Warning: " at the start of a line.
    let mut blocks = vec![String::new()];
    for line in text.lines() {
        let bare = line.trim_start_matches(['│', '╷', '╵', ' ']);
        if bare.starts_with("Error: ") || bare.starts_with("Warning: ") {
            blocks.push(String::new());
        }
        let last = blocks.last_mut().unwrap();
        last.push_str(bare);
        last.push('\n');
    }
    for block in blocks.iter().map(|b| squeeze(b)) {
        let names_to = block.contains(&format!("with {to},"));
        let mut rest = block.as_str();
        while let Some(at) = rest.find("import { to = ") {
            rest = &rest[at + "import { to = ".len()..];
            let Some((target, after)) = rest.split_once(' ') else {
                break;
            };
            let Some(after) = after.strip_prefix("id = \"") else {
                continue;
            };
            let Some((import_id, tail)) = after.split_once('"') else {
                break;
            };
            let target_ok = target == to || (target == placeholder && names_to);
            let id_ok = import_id == id || import_id.ends_with(&format!("/{id}"));
            if target_ok && id_ok && tail.starts_with(" }") {
                return Some(import_id.to_owned());
            }
        }
    }
    None
}

/// The `Warning:` blocks of Terraform's output, without the one about
/// development overrides that every test run prints.
pub fn warnings(out: &TfOutput) -> Vec<String> {
    let all = out.all();
    all.split("Warning: ")
        .skip(1)
        .map(|w| {
            let end = w.find("Error: ").unwrap_or(w.len());
            squeeze(&w[..end])
        })
        .filter(|w| !w.starts_with("Provider development overrides"))
        .collect()
}

/// Run `terraform apply`; when it fails, each application on the platform
/// that is not in state must be named in the error with an import block for
/// its address: the test then follows that advice (writes the import blocks
/// to `imports.tf`) and applies again, which must succeed. Returns every
/// output, in order.
#[track_caller]
pub fn apply_following_import_advice(
    emu: &RestartableEmulator,
    tf: &TfDir,
    addresses: &[(&str, &str)],
) -> Vec<TfOutput> {
    let first = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    if first.code == 0 {
        return vec![first];
    }
    let text = first.all();
    let in_state = state_app_ids(tf);
    let mut imports = String::new();
    for (address, name) in addresses {
        for app in emu.apps_named(name) {
            let id = app["id"].to_string().trim_matches('"').to_owned();
            if in_state.contains(&id) {
                continue;
            }
            let Some(import_id) = import_block_id(&text, address, &id) else {
                panic!(
                    "application {id} ({name:?}) is on the platform and not in state, and the \
                     failed apply does not name it with `import {{ to = {address} id = \"{id}\" }}`:\n{text}"
                );
            };
            imports.push_str(&format!(
                "import {{\n  to = {address}\n  id = \"{import_id}\"\n}}\n"
            ));
        }
    }
    assert!(
        !imports.is_empty(),
        "the apply after the interruption failed, but every object on the platform is in state:\n{text}"
    );
    tf.write("imports.tf", &imports);
    let second = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(
        second.code,
        0,
        "the apply after following the import advice failed:\n{}",
        second.all()
    );
    std::fs::remove_file(tf.work().join("imports.tf")).unwrap();
    vec![first, second]
}

/// `terraform plan -detailed-exitcode` exits 0.
#[track_caller]
pub fn assert_plan_empty(tf: &TfDir, when: &str) {
    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        0,
        "{when}: expected an empty plan (exit 0), got exit {}:\n{}",
        plan.code,
        plan.all()
    );
}

// ------------------------------------------------ configuration and checks
// shared by these tests

/// An `anypoint_client_application` block with `extra` attribute lines.
pub fn app_block(label: &str, name: &str, extra: &str) -> String {
    format!(
        "resource \"anypoint_client_application\" \"{label}\" {{\n  name = \"{name}\"\n{extra}}}\n"
    )
}

/// An `anypoint_client_application_owner` block.
pub fn owner_block(label: &str, application_id: &str, user_id: &str) -> String {
    format!(
        "resource \"anypoint_client_application_owner\" \"{label}\" {{\n  application_id = {application_id}\n  user_id        = \"{user_id}\"\n}}\n"
    )
}

/// Terraform reported none of its "bug in the provider" errors.
#[track_caller]
pub fn assert_no_provider_bug(out: &TfOutput) {
    let raw = out.all();
    let all = squeeze(&raw);
    for bad in [
        "bug in the provider",
        "inconsistent result after apply",
        "Root object was present, but now absent",
        "Provider produced null object",
    ] {
        assert!(!all.contains(bad), "{bad:?} in:\n{raw}");
    }
}

/// The id of an application as the emulator reports it, as text.
pub fn platform_id(app: &serde_json::Value) -> String {
    app["id"].to_string().trim_matches('"').to_owned()
}
