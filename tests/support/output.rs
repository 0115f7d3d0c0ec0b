//! Helpers shared by the `e2e_application*.rs` test files (a directory module
//! so that Cargo does not build it as a test target of its own).
#![allow(dead_code)]

use std::collections::BTreeSet;

use serde_json::Value;

#[allow(unused_imports)]
pub use anypoint_emulator::{Fault, FaultKind};

use super::{TestEmulator, TfDir};

/// The address every test gives its application.
pub const APP: &str = "anypoint_client_application.app";

/// The numeric id of an application resource in state.
#[track_caller]
pub fn state_app_id(tf: &TfDir, address: &str) -> i64 {
    let values = tf
        .resource_values(address)
        .unwrap_or_else(|| panic!("{address} is not in state"));
    values["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{address} has no numeric id: {values}"))
}

/// `terraform plan -detailed-exitcode` exits 0 and says so.
#[track_caller]
pub fn assert_plan_clean(tf: &TfDir, when: &str) {
    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        0,
        "{when}: expected an empty plan (exit 0), got exit {}:\n{}",
        plan.code,
        plan.all()
    );
    assert!(
        plan.stdout.contains("No changes."),
        "{when}:\n{}",
        plan.stdout
    );
}

/// The part of human-readable plan output that lists the planned actions
/// (not the "changed outside of Terraform" part before it).
#[track_caller]
pub fn planned_actions(plan_stdout: &str) -> &str {
    const MARK: &str = "Terraform will perform the following actions:";
    let start = plan_stdout
        .find(MARK)
        .unwrap_or_else(|| panic!("no planned actions in:\n{plan_stdout}"));
    &plan_stdout[start..]
}

/// Attribute names on the `~`, `+` and `-` lines of a plan rendering (set
/// and map element lines, which start with a quote, are skipped, as are the
/// `resource`/`data` block headers).
pub fn changed_attrs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let t = line.trim_start();
        let Some(rest) = t
            .strip_prefix("~ ")
            .or_else(|| t.strip_prefix("+ "))
            .or_else(|| t.strip_prefix("- "))
        else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if name.is_empty() || name == "resource" || name == "data" {
            continue;
        }
        // An attribute line continues with spaces then `=` or `{`/`[`.
        let after = rest[name.len()..].trim_start();
        if after.starts_with('=') || after.starts_with('{') || after.starts_with('[') {
            out.insert(name);
        }
    }
    out
}

/// A JSON array of strings, sorted (null is empty).
pub fn sorted_strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().expect("a string").to_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
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

/// `terraform state list`.
#[track_caller]
pub fn state_list(tf: &TfDir) -> Vec<String> {
    let out = tf.run(&["state", "list"]);
    out.assert_ok();
    out.stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `terraform plan -out` then `terraform show -json` of that plan.
#[track_caller]
pub fn plan_json(tf: &TfDir) -> Value {
    tf.run(&["plan", "-no-color", "-input=false", "-out=e2e.tfplan"])
        .assert_ok();
    let out = tf.run(&["show", "-json", "e2e.tfplan"]);
    out.assert_ok();
    serde_json::from_str(&out.stdout).expect("plan JSON")
}

/// The path of one application on the API.
pub fn app_api_path(emu: &TestEmulator, id: i64) -> String {
    format!(
        "/apiplatform/repository/v2/organizations/{}/applications/{id}",
        emu.org_id()
    )
}

/// `terraform output -json` parsed.
#[track_caller]
pub fn outputs(tf: &TfDir) -> Value {
    let out = tf.run(&["output", "-json"]);
    out.assert_ok();
    serde_json::from_str(&out.stdout).expect("output -json")
}

/// Text with every run of whitespace (line wrapping included) made one
/// space, for matching diagnostics that Terraform wraps.
pub fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reset an application's secret behind Terraform's back, as a user in the
/// web console would.
pub fn reset_secret_outside(emu: &TestEmulator, id: i64) {
    let cfg = emu.emulator.as_ref().unwrap().config().clone();
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
        client.reset_secret(&cfg.org_id, id).await.unwrap();
    });
}

/// The bytes of a saved plan file followed by its entries uncompressed
/// (`unzip -p`): a plan file is a zip archive, whose raw bytes alone would
/// hide a compressed value.
#[track_caller]
pub fn saved_plan_bytes(tf: &TfDir, plan_file: &str) -> Vec<u8> {
    let path = tf.work().join(plan_file);
    let mut bytes = std::fs::read(&path).expect("read the plan file");
    let out = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&path)
        .output()
        .expect("run unzip");
    assert!(out.status.success(), "unzip -p {}", path.display());
    assert!(!out.stdout.is_empty(), "the plan file has entries");
    bytes.extend_from_slice(&out.stdout);
    bytes
}
