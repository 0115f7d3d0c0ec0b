//! Contracts at the round-trip limit: a contract request is the only call
//! of a contract create once its instance was read in the process (the
//! instance, its tiers and its asset are read once per instance); the slot
//! is looked at only when the platform refuses a request; a refresh reads
//! each instance's (or group instance's) contract list once for every
//! contract on it, or by application when the Connected App may not view
//! contracts. The real Terraform CLI, the provider and the in-process
//! emulator.

use crate::support::*;
use anypoint_emulator::{
    EmulatorConfig, RequestRecord, Variant, API_GROUP_INSTANCE_COMMERCE, API_INSTANCE_ORDERS,
    ENVIRONMENT_ID, TIER_COMMERCE_STARTER, TIER_ORDERS_BRONZE,
};

const APPS: usize = 3;

/// `APPS` applications, each with a contract on the orders instance.
fn config() -> String {
    contracts_on("api_instance_id", API_INSTANCE_ORDERS, TIER_ORDERS_BRONZE)
}

/// `APPS` applications, each with a contract on `target` (its attribute
/// and id) at `tier`.
fn contracts_on(attribute: &str, target: i64, tier: i64) -> String {
    let mut body = String::new();
    for i in 0..APPS {
        body.push_str(&format!(
            r#"
resource "anypoint_client_application" "a{i}" {{
  name = "round-trips-{i}"
}}

resource "anypoint_client_application_contract" "c{i}" {{
  application_id    = anypoint_client_application.a{i}.id
  {attribute} = "{target}"
  environment_id    = "{ENVIRONMENT_ID}"
  requested_tier_id = "{tier}"
}}
"#
        ));
    }
    body
}

fn count(reqs: &[RequestRecord], method: &str, pred: impl Fn(&str) -> bool) -> usize {
    reqs.iter()
        .filter(|r| r.method == method && pred(&r.path))
        .count()
}

fn instance_path(p: &str) -> bool {
    p.ends_with(&format!("/apis/{API_INSTANCE_ORDERS}"))
}

fn tiers_path(p: &str) -> bool {
    p.ends_with(&format!("/apis/{API_INSTANCE_ORDERS}/tiers"))
}

fn asset_path(p: &str) -> bool {
    p.starts_with("/exchange/api/v2/assets/")
}

fn instance_contracts_path(p: &str) -> bool {
    p.ends_with(&format!("/apis/{API_INSTANCE_ORDERS}/contracts"))
}

/// `GET …/applications/{id}/contracts` (an application's contract list).
fn app_contracts_path(p: &str) -> bool {
    p.starts_with("/apiplatform/") && p.contains("/applications/") && p.ends_with("/contracts")
}

fn contract_request_path(p: &str) -> bool {
    p.starts_with("/exchange/api/v2/organizations/") && p.ends_with("/contracts")
}

fn summary(reqs: &[RequestRecord]) -> String {
    reqs.iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn contracts_on_one_instance_read_it_once_and_send_one_request_each() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config());
    emu.handle.reset_request_log();
    tf.apply();
    let reqs = emu.handle.requests();
    let all = summary(&reqs);
    assert_eq!(
        count(&reqs, "GET", instance_path),
        1,
        "instance reads:\n{all}"
    );
    assert_eq!(count(&reqs, "GET", tiers_path), 1, "tier reads:\n{all}");
    assert_eq!(count(&reqs, "GET", asset_path), 1, "asset reads:\n{all}");
    assert_eq!(
        count(&reqs, "POST", contract_request_path),
        APPS,
        "one request per contract:\n{all}"
    );
    assert_eq!(
        count(&reqs, "GET", app_contracts_path),
        0,
        "no contract list before a request:\n{all}"
    );
    assert_plan_empty(&tf, "after the apply");
}

#[test]
fn a_refresh_reads_the_instance_contract_list_once() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &config());
    tf.apply();
    emu.handle.reset_request_log();
    assert_plan_empty(&tf, "after the apply");
    let reqs = emu.handle.requests();
    let all = summary(&reqs);
    assert_eq!(
        count(&reqs, "GET", instance_contracts_path),
        1,
        "the instance's contract list, once:\n{all}"
    );
    assert_eq!(
        count(&reqs, "GET", app_contracts_path),
        0,
        "no application's contract list:\n{all}"
    );

    // Drift still shows: one contract revoked, one deleted outside.
    let revoked = state_id(&tf, "anypoint_client_application_contract.c0");
    let deleted = state_id(&tf, "anypoint_client_application_contract.c1");
    assert!(emu.handle.set_contract_status(revoked, "REVOKED"));
    assert!(emu.handle.delete_contract(deleted));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = flat(&plan.all());
    assert!(
        text.contains("Contract REVOKED outside Terraform"),
        "{text}"
    );
    assert!(
        text.contains("anypoint_client_application_contract.c1 will be created"),
        "{text}"
    );
    tf.apply();
    assert_plan_empty(&tf, "after the drift was applied");
}

#[test]
fn without_view_contracts_a_refresh_reads_by_application() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        variants: vec![Variant::NoViewContracts],
        ..EmulatorConfig::default()
    });
    let tf = tf_with_emulator(&emu, &config());
    tf.apply();
    emu.handle.reset_request_log();
    assert_plan_empty(&tf, "after the apply");
    let reqs = emu.handle.requests();
    let all = summary(&reqs);
    assert_eq!(
        count(&reqs, "GET", instance_contracts_path),
        1,
        "the refused list is asked for once:\n{all}"
    );
    assert_eq!(
        count(&reqs, "GET", app_contracts_path),
        APPS,
        "then each application's contracts:\n{all}"
    );
    let revoked = state_id(&tf, "anypoint_client_application_contract.c2");
    assert!(emu.handle.set_contract_status(revoked, "REVOKED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        flat(&plan.all()).contains("Contract REVOKED outside Terraform"),
        "{}",
        plan.all()
    );
}

/// An application with an ended contract for the instance that no state
/// knows, and a contract resource for the same instance.
fn ended_in_the_slot(block: bool) -> (TestEmulator, TfDir, i64) {
    let emu = TestEmulator::start();
    emu.handle.set_ended_contracts_block(block);
    let app = r#"
resource "anypoint_client_application" "a0" {
  name = "round-trips-0"
}
"#;
    let tf = tf_with_emulator(&emu, app);
    tf.apply();
    let app_id = state_id(&tf, "anypoint_client_application.a0");
    let ended = emu
        .handle
        .create_contract(app_id, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .unwrap();
    let ended = ended["id"].as_i64().unwrap();
    assert!(emu.handle.set_contract_status(ended, "REVOKED"));
    let contract = format!(
        r#"
resource "anypoint_client_application_contract" "c0" {{
  application_id    = anypoint_client_application.a0.id
  api_instance_id   = "{API_INSTANCE_ORDERS}"
  environment_id    = "{ENVIRONMENT_ID}"
  requested_tier_id = "{TIER_ORDERS_BRONZE}"
}}
"#
    );
    tf.set_config(&emu, &format!("{app}{contract}"));
    emu.handle.reset_request_log();
    (emu, tf, ended)
}

#[test]
fn an_ended_contract_in_the_slot_is_removed_after_the_platform_refuses() {
    let (emu, tf, ended) = ended_in_the_slot(true);
    tf.apply();
    let reqs = emu.handle.requests();
    let all = summary(&reqs);
    let posts: Vec<u16> = reqs
        .iter()
        .filter(|r| r.method == "POST" && contract_request_path(&r.path))
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, vec![409, 201], "refused, then made:\n{all}");
    assert!(
        emu.handle.contract(ended).is_none(),
        "the ended one is gone"
    );
    let made = state_id(&tf, "anypoint_client_application_contract.c0");
    assert_eq!(emu.handle.contract(made).unwrap()["status"], "APPROVED");
    assert_plan_empty(&tf, "after the slot was cleared");
}

#[test]
fn an_ended_contract_that_does_not_hold_the_slot_is_left_alone() {
    let (emu, tf, ended) = ended_in_the_slot(false);
    tf.apply();
    let reqs = emu.handle.requests();
    let all = summary(&reqs);
    assert_eq!(
        count(&reqs, "POST", contract_request_path),
        1,
        "one request:\n{all}"
    );
    assert_eq!(count(&reqs, "GET", app_contracts_path), 0, "{all}");
    assert_eq!(
        emu.handle.contract(ended).unwrap()["status"],
        "REVOKED",
        "not ours to remove"
    );
    assert_plan_empty(&tf, "after the request");
}

#[test]
fn a_refresh_reads_a_group_instance_contract_list_once() {
    let emu = TestEmulator::start();
    let body = contracts_on(
        "api_group_instance_id",
        API_GROUP_INSTANCE_COMMERCE,
        TIER_COMMERCE_STARTER,
    );
    let tf = tf_with_emulator(&emu, &body);
    tf.apply();
    emu.handle.reset_request_log();
    assert_plan_empty(&tf, "after the apply");
    let reqs = emu.handle.requests();
    let all = summary(&reqs);
    let group_list = format!("/groupInstances/{API_GROUP_INSTANCE_COMMERCE}/contracts");
    assert_eq!(
        count(&reqs, "GET", |p| p.ends_with(&group_list)),
        1,
        "the group instance's contract list, once:\n{all}"
    );
    assert_eq!(
        count(&reqs, "GET", app_contracts_path),
        0,
        "no application's contract list:\n{all}"
    );
    let revoked = state_id(&tf, "anypoint_client_application_contract.c1");
    assert!(emu.handle.set_contract_status(revoked, "REVOKED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        flat(&plan.all()).contains("REVOKED outside Terraform"),
        "{}",
        plan.all()
    );
}
