//! Reading what Terraform printed and stored: diagnostics, plans, state,
//! outputs and saved plan files.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{TfDir, TfOutput};

/// The address most tests give their application.
pub const APP: &str = "anypoint_client_application.app";

/// `text` with the diagnostic box drawing (`│ ╷ ╵`) removed and every run of
/// whitespace made one space: Terraform wraps diagnostics at word
/// boundaries, so phrases are matched on this.
pub fn flat(text: &str) -> String {
    text.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `Warning:` blocks of Terraform's output, without the one about
/// development overrides that every test run prints.
pub fn warnings(out: &TfOutput) -> Vec<String> {
    let all = out.all();
    all.split("Warning: ")
        .skip(1)
        .map(|w| {
            let end = w.find("Error: ").unwrap_or(w.len());
            flat(&w[..end])
        })
        .filter(|w| !w.starts_with("Provider development overrides"))
        .collect()
}

/// Terraform reported none of its "bug in the provider" errors.
#[track_caller]
pub fn assert_no_provider_bug(out: &TfOutput) {
    let raw = out.all();
    let all = flat(&raw);
    for bad in [
        "bug in the provider",
        "inconsistent result after apply",
        "Root object was present, but now absent",
        "Provider produced null object",
    ] {
        assert!(!all.contains(bad), "{bad:?} in:\n{raw}");
    }
}

/// `terraform plan -detailed-exitcode` exits 0 and says "No changes.".
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

/// The managed resources in a `terraform show -json` state: (address, values).
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

/// The numeric id of the resource at `address` in state.
#[track_caller]
pub fn state_id(tf: &TfDir, address: &str) -> i64 {
    let values = tf
        .resource_values(address)
        .unwrap_or_else(|| panic!("{address} is not in state"));
    values["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{address} has no numeric id: {values}"))
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

/// `terraform output -json` parsed.
#[track_caller]
pub fn outputs(tf: &TfDir) -> Value {
    let out = tf.run(&["output", "-json"]);
    out.assert_ok();
    serde_json::from_str(&out.stdout).expect("output -json")
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
    for block in blocks.iter().map(|b| flat(b)) {
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
