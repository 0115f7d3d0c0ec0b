//! Shared helpers for integration tests: starting the provider binary as a
//! plugin, and driving the real Terraform CLI against it.
#![allow(dead_code, unused_imports)]

mod faults;
mod output;

pub use faults::*;
pub use output::*;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/anypoint-platform/anypoint";

pub fn provider_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-anypoint"))
}

/// The Terraform CLI: `$TERRAFORM`, else `terraform` on PATH. Missing
/// Terraform fails the test with a clear message; it never skips.
pub fn terraform_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TERRAFORM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "TERRAFORM is set to {} but no such file exists",
            p.display()
        );
        return p;
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let c = dir.join("terraform");
            if c.is_file() {
                return c;
            }
        }
    }
    panic!(
        "The end-to-end tests need the Terraform CLI (1.5 or later): install it on PATH or set \
         TERRAFORM=/path/to/terraform. These tests do not skip without it."
    );
}

/// A running provider process started the way go-plugin starts it.
pub struct PluginProcess {
    pub child: Child,
    pub handshake: String,
    pub addr: SocketAddr,
    pub cert_b64: String,
}

impl PluginProcess {
    pub fn start(extra_env: &[(&str, &str)]) -> PluginProcess {
        let mut cmd = Command::new(provider_bin());
        cmd.env_clear()
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start provider");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read handshake");
        let handshake = line.trim_end().to_owned();
        let parts: Vec<&str> = handshake.split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {handshake:?}");
        let addr = parts[3].parse().expect("address in handshake");
        let cert_b64 = parts[5].to_owned();
        PluginProcess {
            child,
            handshake,
            addr,
            cert_b64,
        }
    }

    /// Wait for exit, up to `secs` seconds (polling, not sleeping blindly).
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for PluginProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Terraform working directory with a CLI config whose `dev_overrides`
/// point Terraform at our freshly built binary.
pub struct TfDir {
    pub dir: tempfile::TempDir,
    pub cli_config: PathBuf,
    pub env: Vec<(String, String)>,
}

impl TfDir {
    pub fn new(main_tf: &str) -> TfDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin_dir = provider_bin().parent().unwrap().to_path_buf();
        let cli_config = dir.path().join("dev.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                bin_dir.display()
            ),
        )
        .unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        std::fs::write(work.join("main.tf"), main_tf).unwrap();
        TfDir {
            dir,
            cli_config,
            env: Vec::new(),
        }
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn write(&self, name: &str, content: &str) {
        std::fs::write(self.work().join(name), content).unwrap();
    }

    pub fn set_env(&mut self, k: &str, v: &str) {
        self.env.push((k.to_owned(), v.to_owned()));
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(terraform_bin());
        cmd.args(args)
            .current_dir(self.work())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH")
            .env_remove("ANYPOINT_CLIENT_ID")
            .env_remove("ANYPOINT_CLIENT_SECRET")
            .env_remove("ANYPOINT_BASE_URL")
            .env_remove("ANYPOINT_ORG_ID")
            .env_remove("ANYPOINT_CONTROL_PLANE")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> TfOutput {
        let out = self.command(args).output().expect("run terraform");
        TfOutput::from(out)
    }
}

pub struct TfOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for TfOutput {
    fn from(o: Output) -> Self {
        TfOutput {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl TfOutput {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.all());
        self
    }
}

/// Provider processes (by executable path) whose parent is `ppid`, or all of
/// them when `ppid` is None.
pub fn provider_pids(ppid: Option<u32>) -> Vec<u32> {
    let bin = std::fs::canonicalize(provider_bin()).unwrap();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(exe) = std::fs::read_link(entry.path().join("exe")) else {
            continue;
        };
        if exe != bin {
            continue;
        }
        if let Some(pp) = ppid {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // Field 4 of /proc/PID/stat, after the parenthesised command name.
            let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
            let parent: u32 = after
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if parent != pp {
                continue;
            }
        }
        // Skip zombies: they are gone, waiting to be reaped by a parent.
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(')')
            .and_then(|x| x.1.split_whitespace().next().map(str::to_owned))
            .unwrap_or_default();
        if state == "Z" {
            continue;
        }
        out.push(pid);
    }
    out
}

pub fn path_exists(p: &Path) -> bool {
    p.exists()
}

/// An emulator running in-process on its own runtime, for end-to-end tests.
pub struct TestEmulator {
    pub emulator: Option<anypoint_emulator::Emulator>,
    pub handle: anypoint_emulator::EmulatorHandle,
    pub url: String,
    runtime: tokio::runtime::Runtime,
}

impl TestEmulator {
    pub fn start() -> TestEmulator {
        Self::start_with(anypoint_emulator::EmulatorConfig::default())
    }

    pub fn start_with(config: anypoint_emulator::EmulatorConfig) -> TestEmulator {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(anypoint_emulator::Emulator::start(config))
            .expect("start emulator");
        TestEmulator {
            handle: emulator.handle(),
            url: emulator.url(),
            emulator: Some(emulator),
            runtime,
        }
    }

    pub fn org_id(&self) -> String {
        self.emulator.as_ref().unwrap().config().org_id.clone()
    }

    /// A provider block pointing at this emulator (credentials inline).
    pub fn provider_block(&self) -> String {
        let cfg = self.emulator.as_ref().unwrap().config();
        format!(
            "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n\nprovider \"anypoint\" {{\n  base_url      = \"{}\"\n  client_id     = \"{}\"\n  client_secret = \"{}\"\n  max_retries   = 3\n}}\n",
            self.url, cfg.client_id, cfg.client_secret
        )
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(e) = self.emulator.take() {
            self.runtime.block_on(e.shutdown());
        }
    }
}

/// A Terraform directory whose configuration is the emulator's provider
/// block followed by `resources`.
pub fn tf_with_emulator(emu: &TestEmulator, resources: &str) -> TfDir {
    TfDir::new(&format!("{}\n{resources}", emu.provider_block()))
}

impl TfDir {
    /// Replace the resources part of main.tf, keeping the provider block.
    pub fn set_config(&self, emu: &TestEmulator, resources: &str) {
        self.write("main.tf", &format!("{}\n{resources}", emu.provider_block()));
    }

    /// `terraform plan -detailed-exitcode` exit code and output.
    pub fn plan_exit(&self, extra: &[&str]) -> TfOutput {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn apply(&self) -> TfOutput {
        let out = self.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        out.assert_ok();
        out
    }

    /// The current state as JSON (`terraform show -json`).
    pub fn state_json(&self) -> serde_json::Value {
        let out = self.run(&["show", "-json", "-no-color"]);
        out.assert_ok();
        serde_json::from_str(&out.stdout).expect("show -json")
    }

    /// The attribute values of one resource instance in state, by address.
    pub fn resource_values(&self, address: &str) -> Option<serde_json::Value> {
        let state = self.state_json();
        state["values"]["root_module"]["resources"]
            .as_array()?
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
    }
}
