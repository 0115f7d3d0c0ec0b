//! End-to-end test of the ephemeral resource
//! `anypoint_client_application_credentials` with the real Terraform CLI.
//!
//! Where the values go: Terraform 1.10+ takes ephemeral values in provider
//! blocks (and write-only arguments, provisioners, and locals feeding them),
//! never in a managed resource's ordinary argument or a root output. So the
//! configuration configures a second `anypoint` provider (alias `as_app`)
//! with the application's client id and secret. That provider talks to a
//! second emulator started to accept exactly those credentials as its
//! Connected App's, which stands in for an application that other systems
//! authenticate as. A data source and a resource through the alias prove
//! that the values arrived; the state file and the saved plan must then hold
//! neither the secret nor the ephemeral resource.

use crate::support::*;
use anypoint_emulator::EmulatorConfig;
use serde_json::{json, Value};

const TYPE: &str = "anypoint_client_application_credentials";
const OTHER_ORG: &str = "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f";

fn config(app_id: i64, app_side_url: &str) -> String {
    format!(
        r#"
ephemeral "{TYPE}" "app" {{
  application_id = "{app_id}"
}}

provider "anypoint" {{
  alias         = "as_app"
  base_url      = "{app_side_url}"
  client_id     = ephemeral.{TYPE}.app.client_id
  client_secret = ephemeral.{TYPE}.app.client_secret
  max_retries   = 3
}}

data "anypoint_client_applications" "seen_by_app" {{
  provider = anypoint.as_app
}}

resource "anypoint_client_application" "made_by_app" {{
  provider    = anypoint.as_app
  name        = "made-with-ephemeral-credentials"
  description = "created by a provider configured from an ephemeral resource"
}}

output "org_seen_by_app" {{
  value = data.anypoint_client_applications.seen_by_app.org_id
}}
"#
    )
}

/// `v` without its `dependencies` (state file) and `depends_on` (`terraform
/// show -json`) lists: Terraform records there the
/// addresses a resource's configuration referred to (the ephemeral resource
/// configured the alias that made it), which is an address, not the
/// resource or its values.
fn without_dependencies(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "dependencies" && k.as_str() != "depends_on")
                .map(|(k, v)| (k.clone(), without_dependencies(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_dependencies).collect()),
        other => other.clone(),
    }
}

/// Every ephemeral-resource entry of a plan or state JSON document, and
/// whether it mentions the type outside the configuration section.
fn mentions_outside_configuration(doc: &Value, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Value::Object(map) = doc {
        for (k, v) in map {
            if k == "configuration" {
                continue;
            }
            if v.to_string().contains(needle) {
                found.push(k.clone());
            }
        }
    }
    found
}

#[test]
fn credentials_configure_a_provider_and_stay_out_of_plan_and_state() {
    let emu = TestEmulator::start();
    let app = emu
        .handle
        .create_application(json!({"name": "handed-on", "grantTypes": ["client_credentials"]}))
        .expect("seed application");
    let app_id = app["id"].as_i64().unwrap();
    let client_id = app["clientId"].as_str().unwrap().to_owned();
    let secret = app["clientSecret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 16, "a real-looking secret: {secret:?}");

    // The platform the application's credentials open.
    let app_side = TestEmulator::start_with(EmulatorConfig {
        client_id: client_id.clone(),
        client_secret: secret.clone(),
        org_id: OTHER_ORG.to_owned(),
        ..Default::default()
    });
    let tf = tf_with_emulator(&emu, &config(app_id, &app_side.url));

    // A saved plan: the ephemeral resource was opened (the alias could list
    // the other platform's applications), yet the plan holds neither it nor
    // the secret.
    let plan = tf.run(&["plan", "-out=tfplan", "-no-color", "-input=false"]);
    plan.assert_ok();
    assert!(
        plan.stdout.contains("1 to add"),
        "the resource through the alias is planned:\n{}",
        plan.all()
    );
    assert!(
        app_side.handle.token_requests() >= 1,
        "the alias authenticated with the application's credentials"
    );
    assert!(
        emu.handle.request_count(
            "GET",
            &format!(
                "/apiplatform/repository/v2/organizations/{}/applications/{app_id}",
                emu.org_id()
            )
        ) >= 1,
        "the application was read at plan: {:?}",
        emu.handle.requests()
    );
    let shown = tf.run(&["show", "-json", "-no-color", "tfplan"]);
    shown.assert_ok();
    assert!(
        !shown.stdout.contains(&secret),
        "the saved plan holds the client secret"
    );
    let plan_json: Value = serde_json::from_str(&shown.stdout).expect("plan JSON");
    assert_eq!(
        mentions_outside_configuration(&plan_json, TYPE),
        Vec::<String>::new(),
        "the ephemeral resource appears in the plan's values or changes: {plan_json:#}"
    );
    let changes = plan_json["resource_changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .all(|c| c["mode"] == "managed" || c["mode"] == "data"),
        "{changes:#?}"
    );

    // Apply the saved plan: Terraform opens the ephemeral resource again.
    let applied = tf.run(&["apply", "-no-color", "-input=false", "tfplan"]);
    applied.assert_ok();
    let made: Vec<Value> = app_side
        .handle
        .applications()
        .into_iter()
        .filter(|a| a["name"] == "made-with-ephemeral-credentials")
        .collect();
    assert_eq!(
        made.len(),
        1,
        "created through the alias on the app's platform"
    );
    assert!(
        emu.handle
            .applications()
            .iter()
            .all(|a| a["name"] != "made-with-ephemeral-credentials"),
        "nothing was created with the Connected App's own credentials"
    );
    assert_eq!(outputs(&tf)["org_seen_by_app"]["value"], OTHER_ORG);

    let raw_state = std::fs::read_to_string(tf.work().join("terraform.tfstate")).unwrap();
    assert!(
        !raw_state.contains(&secret),
        "the state file holds the secret"
    );
    let state_file: Value = serde_json::from_str(&raw_state).unwrap();
    let entries = state_file["resources"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        2,
        "the data source and the resource: {raw_state}"
    );
    assert!(
        entries
            .iter()
            .all(|r| r["mode"] != "ephemeral" && r["type"] != TYPE),
        "{raw_state}"
    );
    assert!(
        !without_dependencies(&state_file).to_string().contains(TYPE),
        "the state file holds the ephemeral resource:\n{raw_state}"
    );
    let state = tf.state_json();
    assert_eq!(
        mentions_outside_configuration(&without_dependencies(&state), TYPE),
        Vec::<String>::new()
    );
    assert!(!state.to_string().contains(&secret));

    // Opened again at every plan, nothing to change.
    assert_plan_empty(&tf, "after applying with ephemeral credentials");
    let raw_state = std::fs::read_to_string(tf.work().join("terraform.tfstate")).unwrap();
    assert!(!raw_state.contains(&secret));
}

#[test]
fn ephemeral_values_are_refused_where_terraform_would_store_them_and_bad_ids_at_validate() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
ephemeral "{TYPE}" "bad" {{
  application_id = "app-12"
}}
"#
        ),
    );
    let out = tf.run(&["validate", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let err = flat(&out.stderr);
    assert!(err.contains("application_id"), "{}", out.stderr);
    assert_eq!(
        emu.handle.requests().len(),
        0,
        "no platform call at validate"
    );

    let app = emu
        .handle
        .create_application(json!({"name": "not-into-state"}))
        .unwrap();
    let app_id = app["id"].as_i64().unwrap();
    tf.set_config(
        &emu,
        &format!(
            r#"
ephemeral "{TYPE}" "app" {{
  application_id = "{app_id}"
}}

resource "anypoint_client_application" "leak" {{
  name        = "leak"
  description = ephemeral.{TYPE}.app.client_secret
}}
"#
        ),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        flat(&plan.stderr).contains("ephemeral"),
        "Terraform names the ephemeral value:\n{}",
        plan.stderr
    );
    assert_eq!(emu.handle.application_count(), 1, "nothing was created");
}

/// Terraform takes back an ephemeral result only if every configured value
/// is spelled as configured: an organization id written in upper case is
/// returned in upper case, and the value is usable where it goes.
#[test]
fn a_configured_org_id_comes_back_as_written() {
    let emu = TestEmulator::start();
    let app = emu
        .handle
        .create_application(json!({"name": "upper-org", "grantTypes": ["client_credentials"]}))
        .unwrap();
    let app_id = app["id"].as_i64().unwrap();
    let upper = emu.org_id().to_uppercase();
    assert_ne!(upper, emu.org_id(), "the emulator's org id has letters");
    let cfg = emu.config.clone();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
ephemeral "{TYPE}" "app" {{
  application_id = "{app_id}"
  org_id         = "{upper}"
}}

provider "anypoint" {{
  alias         = "in_org"
  base_url      = "{url}"
  client_id     = "{client_id}"
  client_secret = "{client_secret}"
  org_id        = ephemeral.{TYPE}.app.org_id
}}

data "anypoint_client_applications" "in_org" {{
  provider = anypoint.in_org
}}

output "names" {{
  value = data.anypoint_client_applications.in_org.applications[*].name
}}
"#,
            url = emu.url,
            client_id = cfg.client_id,
            client_secret = cfg.client_secret,
        ),
    );
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&out.all());
    assert!(!text.contains("invalid ephemeral resource"), "{text}");
    assert!(!text.contains("bug in the provider"), "{text}");
    assert_eq!(out.code, 0, "{text}");
    assert_eq!(outputs(&tf)["names"]["value"], json!(["upper-org"]));
}
