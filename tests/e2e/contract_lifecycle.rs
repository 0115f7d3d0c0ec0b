//! End-to-end tests of `anypoint_client_application_contract`: the real
//! Terraform CLI, our provider and the in-process emulator. Approval,
//! rejection and revocation outside Terraform go through the emulator's
//! control handle.

use crate::support::*;
use anypoint_emulator::{
    Fault, FaultKind, API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS,
    ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_PLATINUM, TIER_PAYMENTS_STANDARD,
};

const ADDR: &str = "anypoint_client_application_contract.access";

/// An application and one contract with `instance` (and `tier`, if any).
fn config(instance: i64, tier: Option<i64>) -> String {
    let tier = tier
        .map(|t| format!("  requested_tier_id = \"{t}\"\n"))
        .unwrap_or_default();
    format!(
        r#"
resource "anypoint_client_application" "demo" {{
  name = "contracts-demo"
}}

resource "anypoint_client_application_contract" "access" {{
  application_id  = anypoint_client_application.demo.id
  api_instance_id = "{instance}"
  environment_id  = "{ENVIRONMENT_ID}"
{tier}}}
"#
    )
}

#[track_caller]
fn values(tf: &TfDir) -> serde_json::Value {
    tf.resource_values(ADDR).expect("the contract is in state")
}

#[track_caller]
fn contract_id(tf: &TfDir) -> i64 {
    state_id(tf, ADDR)
}

#[track_caller]
fn app_id(tf: &TfDir) -> i64 {
    state_id(tf, "anypoint_client_application.demo")
}

#[track_caller]
fn refresh(tf: &TfDir) {
    tf.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ])
    .assert_ok();
}

/// The plan shows that the contract exists and was ended (its status, a
/// replacement), and warns that an administrator ended it: a reviewer can
/// tell it from a new contract.
#[track_caller]
fn assert_replaces_ended(plan: &TfOutput, status: &str) {
    let text = plan.all();
    assert!(plan.stdout.contains("must be replaced"), "{text}");
    assert!(
        plan.stdout.contains(&format!("\"{status}\""))
            && plan.stdout.contains("forces replacement"),
        "the plan shows the ended status:\n{text}"
    );
    assert!(
        text.contains(&format!("Contract {status} outside Terraform")),
        "a warning names what happened:\n{text}"
    );
    assert!(!plan.stdout.contains("will be created"), "{text}");
}

fn tier(t: i64) -> serde_json::Value {
    serde_json::Value::String(t.to_string())
}

#[test]
fn auto_approved_tier_and_instance_without_tiers() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let v = values(&tf);
    assert_eq!(v["status"], "APPROVED");
    assert_eq!(v["tier_id"], tier(TIER_ORDERS_BRONZE));
    assert_eq!(v["accepted_terms"], false);
    assert_eq!(v["asset_id"], "orders-api");
    assert_eq!(v["asset_version"], "1.0.0");
    assert_eq!(v["asset_version_group"], "v1");
    assert_eq!(v["asset_group_id"], emu.org_id());
    assert_eq!(v["api_instance_org_id"], emu.org_id());
    assert_eq!(emu.handle.contracts(app_id(&tf)).len(), 1);
    assert_plan_empty(&tf, "after an auto-approved request");

    // An instance without tiers: a new contract (the instance replaces).
    tf.set_config(&emu, &config(API_INSTANCE_CATALOG, None));
    tf.apply();
    let v = values(&tf);
    assert_eq!(v["status"], "APPROVED");
    assert!(v["tier_id"].is_null(), "{v}");
    let contracts = emu.handle.contracts(app_id(&tf));
    assert_eq!(
        contracts.len(),
        1,
        "the old contract was revoked and deleted"
    );
    assert_eq!(contracts[0]["apiVersion"]["id"], API_INSTANCE_CATALOG);
    assert_plan_empty(&tf, "after a request on an instance without tiers");
}

#[test]
fn pending_then_approved_or_rejected_outside_terraform() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        &config(API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD)),
    );
    tf.apply();
    let v = values(&tf);
    assert_eq!(v["status"], "PENDING");
    assert!(v["tier_id"].is_null(), "{v}");
    assert_eq!(v["requested_tier_id"], tier(TIER_PAYMENTS_STANDARD));
    assert_plan_empty(&tf, "while the request waits");

    let id = contract_id(&tf);
    assert!(emu.handle.set_contract_status(id, "APPROVED"));
    assert_plan_empty(&tf, "after an approval outside Terraform");
    refresh(&tf);
    let v = values(&tf);
    assert_eq!(v["status"], "APPROVED");
    assert_eq!(v["tier_id"], tier(TIER_PAYMENTS_STANDARD));

    assert!(emu.handle.set_contract_status(id, "REJECTED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "a rejection is drift:\n{}", plan.all());
    assert_replaces_ended(&plan, "REJECTED");
    tf.apply();
    let new_id = contract_id(&tf);
    assert_ne!(new_id, id);
    assert!(
        emu.handle.contract(id).is_none(),
        "the rejected one was removed"
    );
    assert_eq!(emu.handle.contract(new_id).unwrap()["status"], "PENDING");
}

#[test]
fn tier_change_in_place_waits_for_approval() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let id = contract_id(&tf);

    tf.set_config(
        &emu,
        &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_PLATINUM)),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2);
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    tf.apply();
    assert_eq!(contract_id(&tf), id, "changed in place");
    let v = values(&tf);
    assert_eq!(v["status"], "APPROVED");
    assert_eq!(v["tier_id"], tier(TIER_ORDERS_BRONZE), "the tier in force");
    assert_eq!(v["requested_tier_id"], tier(TIER_ORDERS_PLATINUM));
    let stored = emu.handle.contract(id).unwrap();
    assert_eq!(stored["requestedTier"]["id"], TIER_ORDERS_PLATINUM);
    assert_plan_empty(&tf, "while the tier change waits");

    assert!(emu.handle.set_contract_status(id, "APPROVED"));
    refresh(&tf);
    assert_eq!(values(&tf)["tier_id"], tier(TIER_ORDERS_PLATINUM));
    assert_plan_empty(&tf, "after the tier change is approved");

    // A rejected tier change is drift: the change is requested again.
    tf.set_config(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    tf.set_config(
        &emu,
        &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_PLATINUM)),
    );
    tf.apply();
    assert!(emu.handle.reject_tier_change(id));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
}

#[test]
fn revoked_or_deleted_outside_is_requested_again() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let first = contract_id(&tf);

    assert!(emu.handle.set_contract_status(first, "REVOKED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_replaces_ended(&plan, "REVOKED");
    tf.apply();
    let second = contract_id(&tf);
    assert_ne!(second, first);
    assert!(
        emu.handle.contract(first).is_none(),
        "the revoked one was deleted first"
    );
    assert_plan_empty(&tf, "after the new request");

    assert!(emu.handle.delete_contract(second));
    tf.apply();
    let third = contract_id(&tf);
    assert!(third != second && emu.handle.contract(third).is_some());

    // Without the permission to remove the ended contract: a clear failure.
    assert!(emu.handle.set_contract_status(third, "REVOKED"));
    emu.handle.set_manage_contracts(false);
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    let text = out.all();
    assert!(text.contains(&third.to_string()), "{text}");
    assert!(text.contains("Manage Contracts"), "{text}");
}

#[test]
fn destroy_revokes_then_deletes() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let app = app_id(&tf);
    let id = contract_id(&tf);

    // Without "Manage Contracts" the destroy fails and says why.
    emu.handle.set_manage_contracts(false);
    let out = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    assert!(out.all().contains("Manage Contracts"), "{}", out.all());
    assert!(emu.handle.contract(id).is_some());

    emu.handle.set_manage_contracts(true);
    emu.handle.reset_request_log();
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(emu.handle.contract(id).is_none());
    assert_eq!(
        emu.handle.request_count("PATCH", "/apimanager/"),
        1,
        "revoked"
    );
    assert_eq!(
        emu.handle.request_count("DELETE", "/apimanager/"),
        1,
        "deleted"
    );
    assert!(emu.handle.contracts(app).is_empty());
}

#[test]
fn a_contract_already_gone_is_destroyed() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_CATALOG, None));
    tf.apply();
    let id = contract_id(&tf);
    assert!(emu.handle.delete_contract(id));
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-refresh=false",
    ])
    .assert_ok();
}

#[test]
fn an_ambiguous_create_is_looked_up_not_replayed() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    emu.handle.push_fault(Fault::on(
        "POST",
        "/exchange/api/v2/organizations",
        FaultKind::ProcessThenStatus(504),
    ));
    tf.apply();
    let app = app_id(&tf);
    let contracts = emu.handle.contracts(app);
    assert_eq!(contracts.len(), 1, "{contracts:?}");
    assert_eq!(contracts[0]["id"].as_i64(), Some(contract_id(&tf)));
    assert_eq!(
        emu.handle.request_count("POST", "/exchange/"),
        1,
        "never sent twice"
    );
    assert_plan_empty(&tf, "after the looked-up create");
}

#[test]
fn import_records_unreported_values_without_replacement() {
    let emu = TestEmulator::start();
    let hcl = config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE));
    let tf = tf_with_emulator(&emu, &hcl);
    tf.apply();
    let app = app_id(&tf);
    let id = contract_id(&tf);
    tf.run(&["state", "rm", "-no-color", ADDR]).assert_ok();
    let import_id = format!("{}/{app}/{id}", emu.org_id());
    tf.run(&["import", "-no-color", "-input=false", ADDR, &import_id])
        .assert_ok();
    let v = values(&tf);
    assert_eq!(v["api_instance_id"], API_INSTANCE_ORDERS.to_string());
    assert_eq!(v["status"], "APPROVED");
    assert_eq!(v["requested_tier_id"], tier(TIER_ORDERS_BRONZE));
    assert!(v["environment_id"].is_null());

    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        2,
        "recording the configured values:\n{}",
        plan.all()
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    tf.apply();
    assert_eq!(contract_id(&tf), id);
    assert_eq!(values(&tf)["environment_id"], ENVIRONMENT_ID);
    assert_plan_empty(&tf, "after import and apply");

    let bad = tf.run(&["import", "-no-color", "-input=false", ADDR, "nope/1/2"]);
    assert!(bad.code != 0);
    assert!(
        bad.all()
            .contains("<org_id>/<application_id>/<contract_id>"),
        "{}",
        bad.all()
    );
}

#[test]
fn bad_ids_fail_at_validate() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application_contract" "bad" {
  application_id    = "app-1"
  api_instance_id   = "40001x"
  environment_id    = "not-a-uuid"
  requested_tier_id = "gold"
}
"#,
    );
    let out = tf.run(&["validate", "-no-color"]);
    assert!(out.code != 0, "{}", out.all());
    let text = out.all();
    for attr in [
        "application_id",
        "api_instance_id",
        "environment_id",
        "requested_tier_id",
    ] {
        assert!(text.contains(attr), "{attr}: {text}");
    }
    assert!(
        emu.handle.requests().is_empty(),
        "no platform call at validate"
    );
}

/// An application (`demo`) and a contract block with the given settings.
fn contract_with(instance: i64, env: &str, tier: Option<i64>, extra: &str) -> String {
    let tier = tier
        .map(|t| format!("  requested_tier_id = \"{t}\"\n"))
        .unwrap_or_default();
    format!(
        r#"
resource "anypoint_client_application" "demo" {{
  name = "contracts-demo"
}}

resource "anypoint_client_application_contract" "access" {{
  application_id  = anypoint_client_application.demo.id
  api_instance_id = "{instance}"
  environment_id  = "{env}"
{tier}{extra}}}
"#
    )
}

#[test]
fn the_configured_api_instance_is_kept_whatever_the_answer_says() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_CATALOG, None));
    // The platform's own example answer carries another `api.id` than the
    // one sent.
    emu.handle.push_fault(Fault::on(
        "POST",
        "/exchange/api/v2/organizations",
        FaultKind::respond(
            201,
            r#"{"id": 799999, "status": "APPROVED", "api": {"id": 956703}}"#,
        ),
    ));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        values(&tf)["api_instance_id"],
        API_INSTANCE_CATALOG.to_string()
    );
}

#[test]
fn an_environment_in_upper_case_is_sent_in_lower_case() {
    let emu = TestEmulator::start();
    let upper = ENVIRONMENT_ID.to_uppercase();
    let tf = tf_with_emulator(
        &emu,
        &contract_with(API_INSTANCE_ORDERS, &upper, Some(TIER_ORDERS_BRONZE), ""),
    );
    tf.apply();
    let id = contract_id(&tf);
    assert_eq!(
        values(&tf)["environment_id"],
        upper.as_str(),
        "as configured"
    );
    assert_plan_empty(&tf, "after a create with an upper-case environment");
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(emu.handle.contract(id).is_none(), "the contract is gone");
}

/// Import the contract of `tf` (state rm, then an import block) with the
/// configuration's environment spelled `env`.
fn reimport_with_environment(emu: &TestEmulator, tf: &TfDir, env: &str) -> TfOutput {
    let app = app_id(tf);
    let id = contract_id(tf);
    tf.run(&["state", "rm", "-no-color", ADDR]).assert_ok();
    tf.set_config(
        emu,
        &format!(
            "{}\nimport {{\n  to = {ADDR}\n  id = \"{}/{app}/{id}\"\n}}\n",
            contract_with(API_INSTANCE_ORDERS, env, Some(TIER_ORDERS_BRONZE), ""),
            emu.org_id()
        ),
    );
    tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
}

#[test]
fn an_imported_contract_in_upper_case_is_ended_by_destroy() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let id = contract_id(&tf);
    let out = reimport_with_environment(&emu, &tf, &ENVIRONMENT_ID.to_uppercase());
    assert_eq!(out.code, 0, "{}", out.all());
    assert_plan_empty(&tf, "after the import");
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(
        emu.handle.contract(id).is_none(),
        "destroy reported success, so the contract must be gone: {:?}",
        emu.handle.contract(id)
    );
}

#[test]
fn an_imported_contract_in_another_environment_is_refused_and_never_left_behind() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let id = contract_id(&tf);
    // One character off.
    let wrong = format!("{}8", &ENVIRONMENT_ID[..ENVIRONMENT_ID.len() - 1]);
    let out = reimport_with_environment(&emu, &tf, &wrong);
    assert!(
        out.code != 0,
        "recording a wrong environment fails:\n{}",
        out.all()
    );
    let text = flat(&out.all());
    assert!(
        text.contains("environment_id") && text.contains(&wrong),
        "{text}"
    );
    // Imported, the environment not recorded: destroy still ends it (the
    // paths that need no environment).
    assert!(values(&tf)["environment_id"].is_null());
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(
        emu.handle.contract(id).is_none(),
        "{:?}",
        emu.handle.contract(id)
    );
}

#[test]
fn a_404_on_every_path_is_never_taken_for_a_contract_gone() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let id = contract_id(&tf);
    // The instance deleted or moved: every contract path answers 404.
    let not_found = || FaultKind::respond(404, r#"{"message":"The API cannot be found."}"#);
    for (method, path) in [
        ("PATCH", "/apimanager/"),
        ("POST", "/revoke"),
        ("DELETE", "/apimanager/"),
        ("DELETE", "/versions/"),
    ] {
        for _ in 0..3 {
            emu.handle.push_fault(Fault::on(method, path, not_found()));
        }
    }
    let out = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    let text = flat(&out.all());
    assert!(
        text.contains(&format!("contract {id} is still APPROVED")),
        "{text}"
    );
    assert!(text.contains("environment_id"), "{text}");
    assert_eq!(emu.handle.contract(id).unwrap()["status"], "APPROVED");
    assert!(tf.resource_values(ADDR).is_some(), "kept in state");
    emu.handle.clear_faults();
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(emu.handle.contract(id).is_none());
}

#[test]
fn a_saved_plan_applies_after_the_request_was_approved() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        &config(API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD)),
    );
    tf.apply();
    assert_eq!(values(&tf)["status"], "PENDING");
    let id = contract_id(&tf);
    // An unrelated change, planned and saved for review.
    let hcl = config(API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD)).replace(
        "  requested_tier_id",
        "  accepted_terms    = true\n  requested_tier_id",
    );
    tf.set_config(&emu, &hcl);
    let plan = tf.run(&["plan", "-out=review.tfplan", "-no-color", "-input=false"]);
    plan.assert_ok();
    // The approver acts before the plan is applied.
    assert!(emu.handle.set_contract_status(id, "APPROVED"));
    let out = tf.run(&["apply", "-no-color", "-input=false", "review.tfplan"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.all().contains("inconsistent result"), "{}", out.all());
    // The next refresh records the approval.
    refresh(&tf);
    assert_eq!(values(&tf)["status"], "APPROVED");
    assert_eq!(values(&tf)["tier_id"], tier(TIER_PAYMENTS_STANDARD));
    assert_plan_empty(&tf, "after the saved plan");
}

#[test]
fn a_tier_of_another_instance_or_a_missing_one_is_refused_before_the_request() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        &config(API_INSTANCE_ORDERS, Some(TIER_PAYMENTS_STANDARD)),
    );
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    let text = flat(&out.all());
    assert!(
        text.contains(&format!(
            "Tier {TIER_PAYMENTS_STANDARD} is not a tier of API instance {API_INSTANCE_ORDERS}"
        )),
        "{text}"
    );
    assert!(
        text.contains("Bronze") && text.contains("Gold"),
        "the active tiers: {text}"
    );
    assert!(!text.contains("set accepted_terms"), "{text}");
    assert_eq!(
        emu.handle.request_count("POST", "/exchange/"),
        0,
        "never sent"
    );
}

#[test]
fn a_live_contract_in_the_slot_is_named_with_its_import_block() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let app = app_id(&tf);
    let id = contract_id(&tf);
    tf.run(&["state", "rm", "-no-color", ADDR]).assert_ok();
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    let text = flat(&out.all());
    let block = format!(
        "import {{ to = anypoint_client_application_contract.<name> id = \"{}/{app}/{id}\" }}",
        emu.org_id()
    );
    assert!(text.contains(&block), "{text}");
}

#[test]
fn a_revoked_contract_can_be_imported_and_is_replaced_with_a_warning() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let app = app_id(&tf);
    let id = contract_id(&tf);
    assert!(emu.handle.set_contract_status(id, "REVOKED"));
    tf.run(&["state", "rm", "-no-color", ADDR]).assert_ok();
    let import_id = format!("{}/{app}/{id}", emu.org_id());
    let out = tf.run(&["import", "-no-color", "-input=false", ADDR, &import_id]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.all().contains("non-existent"), "{}", out.all());
    assert_eq!(values(&tf)["status"], "REVOKED");
    let plan = tf.plan_exit(&[]);
    assert_replaces_ended(&plan, "REVOKED");
    tf.apply();
    assert!(
        emu.handle.contract(id).is_none(),
        "the revoked one was deleted"
    );
    assert_eq!(emu.handle.contracts(app).len(), 1);
    assert_plan_empty(&tf, "after the new request");
}

#[test]
fn a_read_back_that_fails_is_reported_as_the_failure_not_as_gone() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let id = contract_id(&tf);
    // An update without a tier change reads the contract back from the
    // application's list, which answers 503 (every retry too).
    let hcl = config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)).replace(
        "  requested_tier_id",
        "  accepted_terms    = true\n  requested_tier_id",
    );
    tf.set_config(&emu, &hcl);
    for _ in 0..6 {
        emu.handle.push_fault(Fault::on(
            "GET",
            &format!("/applications/{}/contracts", app_id(&tf)),
            FaultKind::Status {
                status: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        ));
    }
    let out = tf.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-refresh=false",
    ]);
    emu.handle.clear_faults();
    assert!(out.code != 0, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("503"), "the failure itself: {text}");
    assert!(!text.contains("is gone"), "{text}");
    assert!(emu.handle.contract(id).is_some());
    tf.apply();
    assert_plan_empty(&tf, "after the platform answers again");
}

#[test]
fn missing_manage_contracts_is_explained_once() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    emu.handle.set_manage_contracts(false);
    let out = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    let text = flat(&out.all());
    assert_eq!(text.matches("Manage Contracts").count(), 1, "{text}");
    assert!(!text.contains("needs the Application Creator"), "{text}");
}

#[test]
fn an_imported_contract_can_be_replaced_before_its_environment_is_recorded() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config(API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE)));
    tf.apply();
    let app = app_id(&tf);
    let id = contract_id(&tf);
    tf.run(&["state", "rm", "-no-color", ADDR]).assert_ok();
    let import_id = format!("{}/{app}/{id}", emu.org_id());
    tf.run(&["import", "-no-color", "-input=false", ADDR, &import_id])
        .assert_ok();
    assert!(values(&tf)["environment_id"].is_null());
    // The configuration names another instance: a replacement, whose
    // destroy half has no environment to go by.
    tf.set_config(&emu, &config(API_INSTANCE_CATALOG, None));
    let plan = tf.plan_exit(&[]);
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.all());
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        emu.handle.contract(id).is_none(),
        "the old contract was ended"
    );
    let left = emu.handle.contracts(app);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["apiVersion"]["id"], API_INSTANCE_CATALOG);
    assert_plan_empty(&tf, "after the replacement");
}

/// A plan of new resources shows the organization each will live in (the
/// provider's, looked up while planning), not "(known after apply)": plans
/// in pull requests are read by people.
#[test]
fn a_plan_of_new_resources_shows_their_organization() {
    let emu = TestEmulator::start();
    let owner = format!(
        "\nresource \"anypoint_client_application_owner\" \"me\" {{\n  application_id = anypoint_client_application.demo.id\n  user_id        = \"{}\"\n}}\n",
        anypoint_emulator::CONNECTED_APP_USER_ID
    );
    // The provider block leaves org_id unset: the organization is discovered.
    let tf = TfDir::new(&format!(
        "{}{}{owner}",
        emu.provider_block(),
        config(API_INSTANCE_ORDERS, None)
    ));
    let plan = tf.run(&["plan", "-no-color", "-input=false", "-out=tfplan"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let shown = tf.run(&["show", "-json", "-no-color", "tfplan"]);
    let json: serde_json::Value = serde_json::from_str(&shown.stdout).expect("show -json");
    let planned = |address: &str| -> serde_json::Value {
        json["planned_values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address} planned"))["values"]
            .clone()
    };
    let org = emu.org_id();
    for (address, attribute) in [
        ("anypoint_client_application.demo", "org_id"),
        ("anypoint_client_application_owner.me", "org_id"),
        (ADDR, "org_id"),
        (ADDR, "api_instance_org_id"),
    ] {
        assert_eq!(
            planned(address)[attribute],
            org.as_str(),
            "{address}.{attribute} is known in the plan:\n{}",
            plan.all()
        );
    }
}
