//! The provider binary as a process: started the way go-plugin starts it,
//! and found among the running processes.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/anypoint-platform/anypoint";

pub fn provider_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-anypoint"))
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

/// Provider processes (by executable path) whose parent is `ppid`, or all of
/// them when `ppid` is None (then also other tests' providers: filter them).
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
