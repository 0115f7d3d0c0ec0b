//! End-to-end tests of importing `anypoint_client_application`:
//! `terraform import` with both id forms, `import {}` blocks, and
//! `-generate-config-out`, each ending in an empty plan.

use crate::support::*;
use serde_json::{json, Value};

/// An application made behind Terraform's back, as a UI user would.
fn seed(emu: &TestEmulator, name: &str) -> (i64, Value) {
    let app = emu
        .handle
        .create_application(json!({
            "name": name,
            "description": "made in the UI",
            "url": "https://imported.example.com",
            "redirectUri": ["https://imported.example.com/cb", "https://imported.example.com/cb2"],
            "grantTypes": ["authorization_code", "refresh_token"],
        }))
        .expect("seed application");
    (app["id"].as_i64().expect("numeric id"), app)
}

fn matching_config(name: &str) -> String {
    format!(
        r#"
resource "anypoint_client_application" "app" {{
  name          = "{name}"
  description   = "made in the UI"
  url           = "https://imported.example.com"
  redirect_uris = ["https://imported.example.com/cb2", "https://imported.example.com/cb"]
  grant_types   = ["refresh_token", "authorization_code"]
}}
"#
    )
}

#[track_caller]
fn assert_imported_state(tf: &TfDir, emu: &TestEmulator, id: i64, remote: &Value) {
    let state = tf.resource_values(APP).expect("imported into state");
    assert_eq!(state["id"], id.to_string());
    assert_eq!(state["org_id"], emu.org_id().as_str());
    assert_eq!(state["client_id"], remote["clientId"]);
    assert_eq!(state["client_secret"], remote["clientSecret"]);
    // Not readable from the platform: unrecorded until configured.
    assert!(state["api_endpoints"].is_null());
    assert!(state["api_instance_id"].is_null());
    assert!(state["secret_rotation_triggers"].is_null());
}

#[test]
fn terraform_import_with_org_and_id_then_plan_is_empty() {
    let emu = TestEmulator::start();
    let (id, remote) = seed(&emu, "imported-full-id");
    let tf = tf_with_emulator(&emu, &matching_config("imported-full-id"));
    let import_id = format!("{}/{id}", emu.org_id());
    let out = tf.run(&["import", "-no-color", APP, &import_id]);
    out.assert_ok();
    assert!(out.stdout.contains("Import successful!"), "{}", out.all());
    assert_imported_state(&tf, &emu, id, &remote);
    emu.handle.reset_request_log();
    assert_plan_empty(&tf, "after importing <org_id>/<id>");
    assert_eq!(emu.handle.request_count("PUT", "/apiplatform"), 0);
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_eq!(emu.handle.application_count(), 1);
}

#[test]
fn terraform_import_with_id_only_uses_the_provider_org() {
    let emu = TestEmulator::start();
    let (id, remote) = seed(&emu, "imported-short-id");
    let tf = tf_with_emulator(&emu, &matching_config("imported-short-id"));
    let out = tf.run(&["import", "-no-color", APP, &id.to_string()]);
    out.assert_ok();
    assert_imported_state(&tf, &emu, id, &remote);
    assert_plan_empty(&tf, "after importing <id>");

    // Once imported, a configuration change is an ordinary in-place update.
    tf.set_config(
        &emu,
        &matching_config("imported-short-id").replace("made in the UI", "now managed"),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["description".to_owned()].into(),
        "{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(
        emu.handle.application(id).unwrap()["description"],
        "now managed"
    );
    assert_eq!(
        emu.handle.application(id).unwrap()["clientSecret"],
        remote["clientSecret"],
        "the import and the update leave the secret alone"
    );
    assert_plan_empty(&tf, "after the first update");
}

#[test]
fn terraform_import_rejects_bad_and_missing_ids() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &matching_config("never-imported"));

    let out = tf.run(&["import", "-no-color", APP, "not-an-id"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let err = flat(&out.stderr);
    assert!(err.contains("Invalid import id"), "{}", out.stderr);
    assert!(
        err.contains("<org_id>/<application_id>") && err.contains("<application_id>"),
        "the expected forms are named:\n{}",
        out.stderr
    );

    let out = tf.run(&["import", "-no-color", APP, "999999"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        flat(&out.stderr).contains("Cannot import non-existent remote object"),
        "{}",
        out.stderr
    );
    assert!(state_list_or_empty(&tf).is_empty(), "nothing imported");
    assert_eq!(emu.handle.application_count(), 0);
}

#[test]
fn import_block_plans_one_import_and_applies_nothing_else() {
    let emu = TestEmulator::start();
    let (id, remote) = seed(&emu, "imported-by-block");
    let tf = tf_with_emulator(
        &emu,
        &format!(
            "{}\nimport {{\n  to = {APP}\n  id = \"{}/{id}\"\n}}\n",
            matching_config("imported-by-block"),
            emu.org_id()
        ),
    );
    let plan = tf.plan_exit(&[]);
    // An import is a change to the state: exit 2.
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!("{APP} will be imported")),
        "{}",
        plan.stdout
    );

    emu.handle.reset_request_log();
    let out = tf.apply();
    assert!(
        out.stdout
            .contains("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        out.all()
    );
    assert_eq!(emu.handle.request_count("PUT", "/apiplatform"), 0);
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_imported_state(&tf, &emu, id, &remote);
    assert_eq!(emu.handle.application_count(), 1);
    assert_plan_empty(&tf, "after applying the import block");
}

#[test]
fn generated_config_applies_with_no_changes() {
    let emu = TestEmulator::start();
    let (id, remote) = seed(&emu, "imported-generated");
    // A second application with the platform's defaults (nulls and empty
    // lists) checks the generated config of a sparse application too.
    let sparse = emu
        .handle
        .create_application(json!({"name": "imported-sparse"}))
        .unwrap();
    let sparse_id = sparse["id"].as_i64().unwrap();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            "import {{\n  to = {APP}\n  id = \"{id}\"\n}}\n\nimport {{\n  to = anypoint_client_application.sparse\n  id = \"{}/{sparse_id}\"\n}}\n",
            emu.org_id()
        ),
    );
    let plan = tf.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=generated.tf",
    ]);
    plan.assert_ok();
    assert!(
        plan.stdout
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.all()
    );
    let generated =
        std::fs::read_to_string(tf.work().join("generated.tf")).expect("generated.tf is written");
    assert!(
        generated.contains("resource \"anypoint_client_application\" \"app\""),
        "{generated}"
    );
    assert!(
        generated.contains("resource \"anypoint_client_application\" \"sparse\""),
        "{generated}"
    );
    assert!(generated.contains("\"imported-generated\""), "{generated}");
    assert!(
        !generated.contains(remote["clientSecret"].as_str().unwrap()),
        "computed secrets are not written into the config:\n{generated}"
    );

    emu.handle.reset_request_log();
    let out = tf.apply();
    assert!(
        out.stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}\n--- generated.tf:\n{generated}",
        out.all()
    );
    assert_eq!(emu.handle.request_count("PUT", "/apiplatform"), 0);
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_eq!(emu.handle.application_count(), 2);
    assert_imported_state(&tf, &emu, id, &remote);
    assert_plan_empty(&tf, "after applying the generated config");
}

#[test]
fn inputs_the_platform_does_not_report_are_recorded_after_import_without_changes() {
    let emu = TestEmulator::start();
    let (id, remote) = seed(&emu, "imported-with-inputs");
    let config = matching_config("imported-with-inputs").replace(
        "}\n",
        "  api_instance_id = \"40001\"\n  secret_rotation_triggers = {\n    rotation = \"2024\"\n  }\n}\n",
    );
    let tf = tf_with_emulator(&emu, &config);
    tf.run(&["import", "-no-color", APP, &id.to_string()])
        .assert_ok();
    // Neither input can be read back: the plan records them in place, it
    // neither replaces the application nor rotates its secret.
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        [
            "api_instance_id".to_owned(),
            "secret_rotation_triggers".to_owned()
        ]
        .into(),
        "{}",
        plan.stdout
    );
    emu.handle.reset_request_log();
    let out = tf.apply();
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(emu.handle.request_count("PUT", "/apiplatform"), 0);
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_eq!(
        emu.handle.application(id).unwrap()["clientSecret"],
        remote["clientSecret"]
    );
    let state = tf.resource_values(APP).unwrap();
    assert_eq!(state["api_instance_id"], "40001");
    assert_eq!(state["client_secret"], remote["clientSecret"]);
    assert_plan_empty(&tf, "after recording the inputs");
}

/// `terraform state list`, treating "no state file yet" as empty.
fn state_list_or_empty(tf: &TfDir) -> Vec<String> {
    if !tf.work().join("terraform.tfstate").exists() {
        return Vec::new();
    }
    state_list(tf)
}
