//! End-to-end tests of the `anypoint_client_application` and
//! `anypoint_client_applications` data sources.

use crate::support::*;
use serde_json::{json, Value};

fn seed(emu: &TestEmulator, body: Value) -> Value {
    emu.handle
        .create_application(body)
        .expect("seed application")
}

/// The data source's attributes as the emulator holds them.
#[track_caller]
fn assert_matches_remote(data: &Value, remote: &Value, org: &str) {
    assert_eq!(data["id"], remote["id"].as_i64().unwrap().to_string());
    assert_eq!(data["name"], remote["name"]);
    assert_eq!(data["org_id"], org);
    assert_eq!(data["description"], remote["description"]);
    assert_eq!(data["url"], remote["url"]);
    assert_eq!(
        sorted_strings(&data["redirect_uris"]),
        sorted_strings(&remote["redirectUri"])
    );
    assert_eq!(
        sorted_strings(&data["grant_types"]),
        sorted_strings(&remote["grantTypes"])
    );
    assert_eq!(data["client_id"], remote["clientId"]);
    assert_eq!(data["client_secret"], remote["clientSecret"]);
    assert_eq!(data["created_at"], remote["audit"]["created"]["date"]);
}

#[test]
fn single_application_by_id_and_by_exact_name() {
    let emu = TestEmulator::start();
    let org = emu.org_id();
    let target = seed(
        &emu,
        json!({
            "name": "ds-target",
            "description": "read by a data source",
            "url": "https://ds.example.com",
            "redirectUri": ["https://ds.example.com/cb"],
            "grantTypes": ["authorization_code", "refresh_token"],
        }),
    );
    // Names that contain the target's name must not match it.
    seed(&emu, json!({"name": "ds-target-v2"}));
    seed(&emu, json!({"name": "DS-TARGET"}));
    let id = target["id"].as_i64().unwrap();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
data "anypoint_client_application" "by_id" {{
  id = "{id}"
}}

data "anypoint_client_application" "by_name" {{
  name = "ds-target"
}}

output "by_id" {{
  value     = data.anypoint_client_application.by_id
  sensitive = true
}}

output "by_name" {{
  value     = data.anypoint_client_application.by_name
  sensitive = true
}}

output "by_name_id" {{
  value = data.anypoint_client_application.by_name.id
}}
"#
        ),
    );
    tf.apply();
    let outs = outputs(&tf);
    assert_eq!(outs["by_name_id"]["value"], id.to_string());
    assert_eq!(outs["by_id"]["sensitive"], true);
    assert_matches_remote(&outs["by_id"]["value"], &target, &org);
    assert_matches_remote(&outs["by_name"]["value"], &target, &org);

    // The secret is sensitive in state...
    let state = tf.state_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap();
    assert_eq!(resources.len(), 2);
    for r in resources {
        assert_eq!(r["mode"], "data");
        assert_eq!(
            r["sensitive_values"]["client_secret"], true,
            "{}",
            r["address"]
        );
    }
    // ...and Terraform refuses to print it in a non-sensitive output.
    tf.write(
        "leak.tf",
        "output \"leak\" {\n  value = data.anypoint_client_application.by_id.client_secret\n}\n",
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        flat(&plan.stderr).contains("Output refers to sensitive values"),
        "{}",
        plan.stderr
    );
    std::fs::remove_file(tf.work().join("leak.tf")).unwrap();
    assert_plan_empty(&tf, "data sources read again with nothing changed");
}

#[test]
fn single_application_errors_when_none_match() {
    let emu = TestEmulator::start();
    seed(&emu, json!({"name": "present"}));
    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_client_application" "missing" {
  name = "absent"
}
"#,
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let err = flat(&plan.stderr);
    assert!(
        err.contains("Error: No such client application"),
        "{}",
        plan.stderr
    );
    assert!(err.contains("\"absent\""), "{}", plan.stderr);
    assert!(
        err.contains("data.anypoint_client_application.missing"),
        "{}",
        plan.stderr
    );

    tf.set_config(
        &emu,
        r#"
data "anypoint_client_application" "missing" {
  id = "999999"
}
"#,
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let err = flat(&plan.stderr);
    assert!(
        err.contains("Error: Error reading client application 999999"),
        "{}",
        plan.stderr
    );
    assert!(err.contains("returned HTTP 404"), "{}", plan.stderr);
}

#[test]
fn single_application_errors_when_several_match() {
    // The emulator refuses duplicate names through its API and handle, but
    // loads whatever its state file holds: write two applications with the
    // same name there.
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("emulator-state.json");
    let config = anypoint_emulator::EmulatorConfig {
        state_file: Some(state_file.clone()),
        ..Default::default()
    };
    let (a, b) = {
        let first = TestEmulator::start_with(config.clone());
        let a = seed(&first, json!({"name": "twin"}))["id"]
            .as_i64()
            .unwrap();
        let b = seed(&first, json!({"name": "twin-to-be"}))["id"]
            .as_i64()
            .unwrap();
        (a, b)
    };
    let mut snapshot: Value = serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    for app in snapshot["applications"].as_array_mut().unwrap() {
        if app["name"] == "twin-to-be" {
            app["name"] = json!("twin");
        }
    }
    std::fs::write(&state_file, serde_json::to_vec(&snapshot).unwrap()).unwrap();

    let emu = TestEmulator::start_with(config);
    let twins: Vec<_> = emu
        .handle
        .applications()
        .into_iter()
        .filter(|x| x["name"] == "twin")
        .collect();
    assert_eq!(twins.len(), 2, "the emulator loaded the duplicates");

    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_client_application" "twin" {
  name = "twin"
}
"#,
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let err = flat(&plan.stderr);
    assert!(
        err.contains("Error: Several client applications match"),
        "{}",
        plan.stderr
    );
    assert!(
        err.contains(&format!("ids {a}, {b}")),
        "both ids are named:\n{}",
        plan.stderr
    );

    // By id, either one reads fine.
    tf.set_config(
        &emu,
        &format!(
            "data \"anypoint_client_application\" \"twin\" {{\n  id = \"{b}\"\n}}\n\noutput \"name\" {{\n  value = data.anypoint_client_application.twin.name\n}}\n"
        ),
    );
    tf.apply();
    assert_eq!(outputs(&tf)["name"]["value"], "twin");
}

#[test]
fn data_source_reads_an_application_managed_in_the_same_config() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name        = "managed-and-read"
  description = "both"
}

data "anypoint_client_application" "same" {
  id = anypoint_client_application.app.id
}

output "client_id_matches" {
  value = data.anypoint_client_application.same.client_id == anypoint_client_application.app.client_id
}

output "description" {
  value = data.anypoint_client_application.same.description
}
"#,
    );
    tf.apply();
    let outs = outputs(&tf);
    assert_eq!(outs["client_id_matches"]["value"], true);
    assert_eq!(outs["description"]["value"], "both");
    assert_plan_empty(&tf, "resource and data source together");
}

/// A JSON array of strings as Terraform shows a set: sorted, null when empty.
fn set_or_null(v: &Value) -> Value {
    let items = sorted_strings(v);
    if items.is_empty() {
        Value::Null
    } else {
        json!(items)
    }
}

#[test]
fn application_list_with_and_without_name_filter() {
    let emu = TestEmulator::start();
    let one = seed(
        &emu,
        json!({"name": "alpha-one", "description": "first", "url": "https://one.example.com"}),
    );
    let two = seed(
        &emu,
        json!({"name": "The Alpha Two", "redirectUri": ["https://two.example.com/cb"], "grantTypes": ["implicit"]}),
    );
    let beta = seed(&emu, json!({"name": "beta"}));
    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_client_applications" "all" {}

data "anypoint_client_applications" "alpha" {
  name_filter = "ALPHA"
}

data "anypoint_client_applications" "none" {
  name_filter = "gamma"
}

output "all" {
  value = data.anypoint_client_applications.all
}

output "alpha" {
  value = data.anypoint_client_applications.alpha.applications
}

output "none" {
  value = data.anypoint_client_applications.none.applications
}
"#,
    );
    tf.apply();
    let outs = outputs(&tf);
    let item = |app: &Value| {
        json!({
            "id": app["id"].as_i64().unwrap().to_string(),
            "name": app["name"],
            "description": app["description"],
            "url": app["url"],
            // Read by id; empty sets are null, as the resource stores them.
            "redirect_uris": set_or_null(&app["redirectUri"]),
            "grant_types": set_or_null(&app["grantTypes"]),
            "client_id": app["clientId"],
            // Each of them is one the resource can manage as it is.
            "manageable": true,
            "problems": [],
        })
    };
    assert_eq!(
        outs["all"]["value"]["applications"],
        json!([item(&one), item(&two), item(&beta)]),
        "every application, in id order"
    );
    assert_eq!(outs["all"]["value"]["org_id"], emu.org_id().as_str());
    assert!(outs["all"]["value"]["name_filter"].is_null());
    assert_eq!(
        outs["alpha"]["value"],
        json!([item(&one), item(&two)]),
        "the filter is a case-insensitive substring match"
    );
    assert_eq!(outs["none"]["value"], json!([]));
    // The list never carries secrets.
    let text = serde_json::to_string(&outs).unwrap();
    for app in [&one, &two, &beta] {
        assert!(!text.contains(app["clientSecret"].as_str().unwrap()));
    }
    assert_plan_empty(&tf, "the list read again");

    // A new application shows up on the next read.
    let gamma = seed(&emu, json!({"name": "gamma-ray"}));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "outputs change:\n{}", plan.all());
    tf.apply();
    assert_eq!(outputs(&tf)["none"]["value"], json!([item(&gamma)]));
}
