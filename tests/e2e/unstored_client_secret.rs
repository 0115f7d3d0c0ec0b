//! End-to-end tests of `store_client_secret = false` on
//! `anypoint_client_application`: the platform's secret (read from the
//! emulator) is searched for in the state file, `terraform show -json`, and
//! saved plans (`show -json` and the plan file's bytes, uncompressed), after
//! create, rotation, refresh, import and a switch of the flag; the ephemeral
//! resource still hands the secret on.

use crate::support::*;
use anypoint_emulator::EmulatorConfig;
use serde_json::{json, Value};

const RESET: &str = "/secret/reset";

fn app_config(name: &str, store: Option<bool>, trigger: Option<&str>) -> String {
    let store = store
        .map(|b| format!("  store_client_secret = {b}\n"))
        .unwrap_or_default();
    let trigger = trigger
        .map(|v| format!("  secret_rotation_triggers = {{\n    rotation = \"{v}\"\n  }}\n"))
        .unwrap_or_default();
    format!("resource \"anypoint_client_application\" \"app\" {{\n  name = \"{name}\"\n{store}{trigger}}}\n")
}

/// The platform's current secret of application `id`.
fn platform_secret(emu: &TestEmulator, id: i64) -> String {
    emu.handle.application(id).expect("the application exists")["clientSecret"]
        .as_str()
        .expect("a secret")
        .to_owned()
}

/// Neither the state file nor `terraform show -json` holds any of `secrets`,
/// and the state records `client_secret` as null.
#[track_caller]
fn assert_state_without(tf: &TfDir, secrets: &[&str], when: &str) {
    let raw = std::fs::read_to_string(tf.work().join("terraform.tfstate")).unwrap();
    let shown = tf.state_json().to_string();
    for s in secrets {
        assert!(!raw.contains(s), "{when}: the state file holds a secret");
        assert!(!shown.contains(s), "{when}: show -json holds a secret");
    }
    let values = tf
        .resource_values(APP)
        .expect("the application is in state");
    assert!(values["client_secret"].is_null(), "{when}: {values}");
    assert_eq!(values["store_client_secret"], false, "{when}");
}

/// A saved plan (`plan.tfplan`): its JSON and its bytes hold none of
/// `secrets`; returns its JSON.
#[track_caller]
fn saved_plan_without(tf: &TfDir, secrets: &[&str], when: &str) -> Value {
    tf.run(&["plan", "-no-color", "-input=false", "-out=plan.tfplan"])
        .assert_ok();
    let shown = tf.run(&["show", "-json", "plan.tfplan"]);
    shown.assert_ok();
    let bytes = saved_plan_bytes(tf, "plan.tfplan");
    for s in secrets {
        assert!(
            !shown.stdout.contains(s),
            "{when}: the plan JSON holds a secret"
        );
        assert!(
            !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
            "{when}: the plan file holds a secret"
        );
    }
    serde_json::from_str(&shown.stdout).expect("plan JSON")
}

fn apply_saved_plan(tf: &TfDir) -> TfOutput {
    let out = tf.run(&["apply", "-no-color", "-input=false", "plan.tfplan"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.all().contains("inconsistent"), "{}", out.all());
    out
}

fn resets(emu: &TestEmulator, id: i64) -> usize {
    emu.handle
        .request_count("POST", &format!("{}{RESET}", app_api_path(emu, id)))
}

#[test]
fn unstored_secret_stays_out_of_state_and_plans_through_create_rotation_and_refresh() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_config("unstored", Some(false), Some("v1")));
    let plan = saved_plan_without(&tf, &[], "the create");
    let after = &plan["resource_changes"][0]["change"];
    assert!(after["after"]["client_secret"].is_null(), "{after}");
    assert!(
        after["after_unknown"]
            .get("client_secret")
            .is_none_or(|v| v == false),
        "{after}"
    );
    apply_saved_plan(&tf);
    let id = state_id(&tf, APP);
    let s0 = platform_secret(&emu, id);
    assert_state_without(&tf, &[&s0], "after create");
    assert_plan_empty(&tf, "after create");

    // Rotation through a saved plan: the platform resets, the state stays null.
    tf.set_config(&emu, &app_config("unstored", Some(false), Some("v2")));
    let plan = saved_plan_without(&tf, &[&s0], "the rotation plan");
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["update"]), "{change}");
    assert!(change["after"]["client_secret"].is_null(), "{change}");
    emu.handle.reset_request_log();
    apply_saved_plan(&tf);
    assert_eq!(resets(&emu, id), 1, "the apply reset the secret");
    let s1 = platform_secret(&emu, id);
    assert_ne!(s1, s0);
    assert_state_without(&tf, &[&s0, &s1], "after the rotation");
    assert_plan_empty(&tf, "after the rotation");
    saved_plan_without(&tf, &[&s0, &s1], "the plan after the rotation");

    // A reset outside Terraform: refreshes record no secret, and the next
    // trigger change sees (from the fingerprint the refresh took) that the
    // secret was already replaced since the last apply.
    reset_secret_outside(&emu, id);
    let s2 = platform_secret(&emu, id);
    assert_ne!(s2, s1);
    tf.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ])
    .assert_ok();
    assert_state_without(&tf, &[&s1, &s2], "after the refresh");
    assert_plan_empty(&tf, "after the refresh");
    tf.set_config(&emu, &app_config("unstored", Some(false), Some("v3")));
    saved_plan_without(&tf, &[&s2], "the plan after the outside reset");
    emu.handle.reset_request_log();
    let out = apply_saved_plan(&tf);
    assert!(
        flat(&out.all()).contains("Client secret already reset"),
        "{}",
        out.all()
    );
    assert_eq!(resets(&emu, id), 0, "not reset a second time");
    assert_eq!(platform_secret(&emu, id), s2);
    assert_state_without(&tf, &[&s2], "after recording the triggers");

    // The next trigger change rotates again.
    tf.set_config(&emu, &app_config("unstored", Some(false), Some("v4")));
    saved_plan_without(&tf, &[&s2], "the second rotation plan");
    apply_saved_plan(&tf);
    assert_eq!(resets(&emu, id), 1);
    let s3 = platform_secret(&emu, id);
    assert_ne!(s3, s2);
    assert_state_without(&tf, &[&s2, &s3], "after the second rotation");
    assert_plan_empty(&tf, "after the second rotation");
}

#[test]
fn an_import_with_store_client_secret_false_ends_with_a_state_without_the_secret() {
    let emu = TestEmulator::start();
    let app = emu
        .handle
        .create_application(json!({"name": "imported-unstored"}))
        .unwrap();
    let id = app["id"].as_i64().unwrap();
    let secret = app["clientSecret"].as_str().unwrap().to_owned();
    let resource = app_config("imported-unstored", Some(false), None);

    // An import block: the imported object (the plan's `before`) holds the
    // secret; the plan sets it to null, in place, and the apply drops it.
    let tf = tf_with_emulator(
        &emu,
        &format!("import {{\n  to = {APP}\n  id = \"{id}\"\n}}\n\n{resource}"),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["client_secret".to_owned(), "store_client_secret".to_owned()].into(),
        "{}",
        plan.stdout
    );
    let out = tf.apply();
    assert!(
        out.stdout.contains("1 imported, 0 added, 1 changed"),
        "{}",
        out.all()
    );
    assert_eq!(state_id(&tf, APP), id);
    assert_state_without(&tf, &[&secret], "after the import block");
    assert_plan_empty(&tf, "after the import block");
    saved_plan_without(&tf, &[&secret], "the plan after the import block");

    // `terraform import`: the state holds the secret until the next apply.
    let tf = tf_with_emulator(&emu, &resource);
    tf.run(&["import", "-no-color", "-input=false", APP, &id.to_string()])
        .assert_ok();
    assert_eq!(tf.resource_values(APP).unwrap()["client_secret"], secret);
    let plan = saved_plan_without(&tf, &[], "the plan after terraform import");
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["update"]), "{change}");
    assert!(change["after"]["client_secret"].is_null(), "{change}");
    apply_saved_plan(&tf);
    assert_state_without(&tf, &[&secret], "after terraform import and apply");
    assert_plan_empty(&tf, "after terraform import and apply");
}

#[test]
fn switching_store_client_secret_either_way_updates_in_place() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_config("switching", None, None));
    tf.apply();
    let id = state_id(&tf, APP);
    let secret = platform_secret(&emu, id);
    let values = tf.resource_values(APP).unwrap();
    assert_eq!(
        values["client_secret"],
        secret.as_str(),
        "stored by default"
    );
    assert_eq!(values["store_client_secret"], true);

    // true -> false: the secret leaves the state; nothing is sent.
    tf.set_config(&emu, &app_config("switching", Some(false), None));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["client_secret".to_owned(), "store_client_secret".to_owned()].into(),
        "{}",
        plan.stdout
    );
    let change =
        saved_plan_without(&tf, &[], "true -> false")["resource_changes"][0]["change"].clone();
    assert!(change["after"]["client_secret"].is_null(), "{change}");
    emu.handle.reset_request_log();
    apply_saved_plan(&tf);
    assert_eq!(emu.handle.request_count("PUT", "/apiplatform"), 0);
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_eq!(state_id(&tf, APP), id, "not replaced");
    assert_state_without(&tf, &[&secret], "after true -> false");
    assert_plan_empty(&tf, "after true -> false");

    // false -> true: known after apply, read back from the platform.
    tf.set_config(&emu, &app_config("switching", Some(true), None));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert!(!plan.stdout.contains(&secret));
    let change = saved_plan_without(&tf, &[&secret], "false -> true")["resource_changes"][0]
        ["change"]
        .clone();
    assert_eq!(change["after_unknown"]["client_secret"], true, "{change}");
    apply_saved_plan(&tf);
    assert_eq!(state_id(&tf, APP), id, "not replaced");
    let values = tf.resource_values(APP).unwrap();
    assert_eq!(values["client_secret"], secret.as_str());
    assert_eq!(values["store_client_secret"], true);
    assert_eq!(resets(&emu, id), 0, "the secret was read, not reset");
    assert_plan_empty(&tf, "after false -> true");
}

#[test]
fn the_ephemeral_credentials_hand_on_a_secret_the_state_does_not_hold() {
    let emu = TestEmulator::start();
    let resource = app_config("handed-on-unstored", Some(false), None);
    let tf = tf_with_emulator(&emu, &resource);
    tf.apply();
    let id = state_id(&tf, APP);
    let remote = emu.handle.application(id).unwrap();
    let secret = platform_secret(&emu, id);
    // A platform that accepts exactly the application's credentials.
    let other_org = "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f";
    let app_side = TestEmulator::start_with(EmulatorConfig {
        client_id: remote["clientId"].as_str().unwrap().to_owned(),
        client_secret: secret.clone(),
        org_id: other_org.to_owned(),
        ..Default::default()
    });
    tf.set_config(
        &emu,
        &format!(
            r#"{resource}
ephemeral "anypoint_client_application_credentials" "app" {{
  application_id = {APP}.id
}}

provider "anypoint" {{
  alias         = "as_app"
  base_url      = "{url}"
  client_id     = ephemeral.anypoint_client_application_credentials.app.client_id
  client_secret = ephemeral.anypoint_client_application_credentials.app.client_secret
  max_retries   = 3
}}

data "anypoint_client_applications" "seen_by_app" {{
  provider = anypoint.as_app
}}

output "org_seen_by_app" {{
  value = data.anypoint_client_applications.seen_by_app.org_id
}}
"#,
            url = app_side.url
        ),
    );
    let plan = saved_plan_without(&tf, &[&secret], "the plan with ephemeral credentials");
    assert!(plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["change"]["actions"] != json!(["update"])));
    apply_saved_plan(&tf);
    assert!(app_side.handle.token_requests() >= 1, "the alias signed in");
    assert_eq!(outputs(&tf)["org_seen_by_app"]["value"], other_org);
    assert_state_without(&tf, &[&secret], "after handing the secret on");
}
