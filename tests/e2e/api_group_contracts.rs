//! `anypoint_client_application_contract` with an API group instance
//! (`api_group_instance_id`), end to end with the real Terraform CLI: its
//! whole life (create, a tier change in place, import, an administrator
//! revoking or deleting it outside Terraform, destroy), an import with
//! generated configuration, a group contract beside an API contract on one
//! application, the tier checked before the request, exactly one of the two
//! instance arguments at validate, and the fault cells of instance contracts
//! (`contract_fault_matrix`): a lost answer on the request, the tier change,
//! the revoke and the delete, Ctrl-C during the request and the destroy.

use std::time::{Duration, Instant};

use crate::contract_fault_matrix::{scenario_on, Cut, Kind, Op};
use crate::support::*;
use anypoint_emulator::{
    Fault, FaultKind, API_GROUP_INSTANCE_COMMERCE, API_GROUP_INSTANCE_REFERENCE,
    API_INSTANCE_ORDERS, ENVIRONMENT_ID, TIER_COMMERCE_PARTNER, TIER_COMMERCE_PREMIUM,
    TIER_COMMERCE_STARTER, TIER_ORDERS_BRONZE,
};

const GROUP: &str = "anypoint_client_application_contract.group";
const API: &str = "anypoint_client_application_contract.api";
const APP_NAME: &str = "grouped-app";

fn app() -> String {
    app_block("app", APP_NAME, "")
}

/// A contract `label` with group instance `g` (and `tier`).
fn group_contract(label: &str, g: i64, tier: Option<i64>) -> String {
    let tier = tier
        .map(|t| format!("  requested_tier_id     = \"{t}\"\n"))
        .unwrap_or_default();
    format!(
        "resource \"anypoint_client_application_contract\" \"{label}\" {{\n  application_id        = {APP}.id\n  api_group_instance_id = \"{g}\"\n  environment_id        = \"{ENVIRONMENT_ID}\"\n{tier}}}\n"
    )
}

fn api_contract() -> String {
    format!(
        "resource \"anypoint_client_application_contract\" \"api\" {{\n  application_id    = {APP}.id\n  api_instance_id   = \"{API_INSTANCE_ORDERS}\"\n  environment_id    = \"{ENVIRONMENT_ID}\"\n  requested_tier_id = \"{TIER_ORDERS_BRONZE}\"\n}}\n"
    )
}

fn commerce(tier: i64) -> String {
    format!(
        "{}{}",
        app(),
        group_contract("group", API_GROUP_INSTANCE_COMMERCE, Some(tier))
    )
}

#[track_caller]
fn apply_ok(tf: &TfDir, when: &str) -> TfOutput {
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{when}: apply failed:\n{}", out.all());
    assert_no_provider_bug(&out);
    out
}

/// The platform's view of one contract (the application's list shape).
#[track_caller]
fn on_platform(emu: &TestEmulator, id: i64) -> serde_json::Value {
    emu.handle
        .contract(id)
        .unwrap_or_else(|| panic!("contract {id} is on the platform"))
}

fn tier(t: i64) -> serde_json::Value {
    serde_json::Value::String(t.to_string())
}

/// Requests on the group instance's API Manager paths, as `METHOD path`.
fn group_instance_requests(emu: &TestEmulator) -> Vec<String> {
    emu.all_requests()
        .iter()
        .filter(|r| r.path.contains("/groupInstances/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn an_api_group_contract_through_its_whole_life() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&commerce(TIER_COMMERCE_STARTER));

    // Created: the group instance named, its asset and tier recorded.
    apply_ok(&tf, "create");
    let app = state_id(&tf, APP);
    let first = state_id(&tf, GROUP);
    let v = tf.resource_values(GROUP).unwrap();
    assert_eq!(
        v["api_group_instance_id"],
        API_GROUP_INSTANCE_COMMERCE.to_string()
    );
    assert!(v["api_instance_id"].is_null(), "{v}");
    assert_eq!(v["status"], "APPROVED");
    assert_eq!(v["tier_id"], tier(TIER_COMMERCE_STARTER));
    assert_eq!(v["asset_group_id"], emu.org_id());
    assert_eq!(v["asset_id"], "commerce-apis");
    assert_eq!(v["asset_version"], "1.0.0");
    assert_eq!(v["asset_version_group"], "v1");
    let remote = on_platform(&emu, first);
    assert_eq!(remote["groupInstanceId"], API_GROUP_INSTANCE_COMMERCE);
    assert!(remote["apiVersion"].is_null(), "{remote}");
    assert!(
        emu.all_requests()
            .iter()
            .all(|r| !r.path.contains("/apis/")),
        "nothing read through an API instance: {:?}",
        emu.all_requests()
    );
    assert_plan_empty(&tf, "after the request");

    // A tier change, in place.
    tf.set_config(&emu, &commerce(TIER_COMMERCE_PREMIUM));
    apply_ok(&tf, "tier change");
    assert_eq!(state_id(&tf, GROUP), first, "changed in place");
    assert_eq!(
        on_platform(&emu, first)["tier"]["id"],
        TIER_COMMERCE_PREMIUM
    );
    assert_plan_empty(&tf, "after the tier change");

    // Imported: the application's contract list says it is a group
    // contract; what the platform does not report is recorded in place.
    tf.run(&["state", "rm", "-no-color", GROUP]).assert_ok();
    let import_id = format!("{}/{app}/{first}", emu.org_id());
    tf.run(&["import", "-no-color", "-input=false", GROUP, &import_id])
        .assert_ok();
    let v = tf.resource_values(GROUP).unwrap();
    assert_eq!(
        v["api_group_instance_id"],
        API_GROUP_INSTANCE_COMMERCE.to_string()
    );
    assert!(v["api_instance_id"].is_null(), "{v}");
    assert!(v["environment_id"].is_null(), "{v}");
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    apply_ok(&tf, "after import");
    assert_eq!(state_id(&tf, GROUP), first);
    assert_plan_empty(&tf, "after import");

    // Revoked outside Terraform: the plan replaces it, with a warning that
    // names the group instance; the revoked one is deleted first.
    assert!(emu.handle.set_contract_status(first, "REVOKED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = flat(&plan.all());
    assert!(
        text.contains("Contract REVOKED outside Terraform"),
        "{text}"
    );
    assert!(
        text.contains(&format!("API group instance {API_GROUP_INSTANCE_COMMERCE}")),
        "{text}"
    );
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    apply_ok(&tf, "after the revoke outside");
    let second = state_id(&tf, GROUP);
    assert_ne!(second, first);
    assert!(
        emu.handle.contract(first).is_none(),
        "the revoked one is gone"
    );
    assert_plan_empty(&tf, "after the new request");

    // Deleted outside Terraform: gone from state, requested again.
    assert!(emu.handle.delete_contract(second));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    apply_ok(&tf, "after the delete outside");
    let third = state_id(&tf, GROUP);
    assert!(third != second && emu.handle.contract(third).is_some());
    assert_plan_empty(&tf, "after the delete outside");

    // Destroyed: revoked, then deleted, through the group instance.
    emu.handle.reset_request_log();
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    let contract = format!("/groupInstances/{API_GROUP_INSTANCE_COMMERCE}/contracts/{third}");
    let ended: Vec<String> = group_instance_requests(&emu)
        .into_iter()
        .filter(|r| r.ends_with(&contract))
        .map(|r| r.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(ended, ["PATCH", "DELETE"]);
    assert!(emu.handle.contracts(app).is_empty(), "nothing left");
    assert_eq!(emu.handle.application_count(), 0);
}

/// `terraform plan -generate-config-out` of an imported group contract
/// writes `api_group_instance_id` (from the application's contract list)
/// and leaves `environment_id` to fill in; then nothing is left to change.
#[test]
fn an_imported_group_contract_generates_its_configuration() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&format!(
        "{}{}",
        app(),
        group_contract("group", API_GROUP_INSTANCE_REFERENCE, None)
    ));
    apply_ok(&tf, "create");
    let (app_id, id) = (state_id(&tf, APP), state_id(&tf, GROUP));
    tf.run(&["state", "rm", "-no-color", GROUP]).assert_ok();
    emu.set_config(
        &tf,
        &format!(
            "{}import {{\n  to = anypoint_client_application_contract.adopted\n  id = \"{}/{app_id}/{id}\"\n}}\n",
            app(),
            emu.org_id()
        ),
    );
    let plan = tf.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=generated.tf",
    ]);
    assert_no_provider_bug(&plan);
    let path = tf.work().join("generated.tf");
    let generated = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("generated.tf ({e}):\n{}", plan.all()));
    let line = |name: &str| {
        generated
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in:\n{generated}"))
            .to_owned()
    };
    assert!(
        line("api_group_instance_id").contains(&format!("\"{API_GROUP_INSTANCE_REFERENCE}\"")),
        "{generated}"
    );
    assert!(line("api_instance_id").contains("null"), "{generated}");
    let filled = generated.replace(
        &line("environment_id"),
        &format!("  environment_id = \"{ENVIRONMENT_ID}\""),
    );
    std::fs::write(&path, filled).unwrap();
    apply_ok(&tf, "the import with generated configuration");
    assert_eq!(
        state_id(&tf, "anypoint_client_application_contract.adopted"),
        id
    );
    assert_plan_empty(&tf, "after the import");
}

/// A group contract is reached only through its environment, which an
/// import cannot record: a destroy right after the import says to apply
/// first, keeps the contract, and works after the apply.
#[test]
fn a_group_contract_destroyed_right_after_its_import_asks_for_an_apply_first() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&commerce(TIER_COMMERCE_STARTER));
    apply_ok(&tf, "create");
    let (app, id) = (state_id(&tf, APP), state_id(&tf, GROUP));
    tf.run(&["state", "rm", "-no-color", GROUP]).assert_ok();
    let import_id = format!("{}/{app}/{id}", emu.org_id());
    tf.run(&["import", "-no-color", "-input=false", GROUP, &import_id])
        .assert_ok();
    emu.handle.reset_request_log();
    let out = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert_no_provider_bug(&out);
    let text = flat(&out.all());
    assert!(
        text.contains("terraform apply") && text.contains("environment_id"),
        "{text}"
    );
    assert!(emu.handle.contract(id).is_some());
    assert!(tf.resource_values(GROUP).is_some(), "still in state");
    assert!(group_instance_requests(&emu).is_empty(), "nothing sent");
    apply_ok(&tf, "recording the environment");
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(emu.handle.contracts(app).is_empty());
}

/// An application holds a contract with an API instance and one with an
/// API group instance that has that API as a member: two contracts, each
/// refreshed, ended and destroyed on its own.
#[test]
fn an_api_contract_and_a_group_contract_side_by_side() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&format!(
        "{}{}{}",
        app(),
        api_contract(),
        group_contract(
            "group",
            API_GROUP_INSTANCE_COMMERCE,
            Some(TIER_COMMERCE_STARTER)
        )
    ));
    apply_ok(&tf, "create both");
    let app = state_id(&tf, APP);
    let (api, group) = (state_id(&tf, API), state_id(&tf, GROUP));
    assert_ne!(api, group);
    assert_eq!(
        on_platform(&emu, api)["apiVersion"]["id"],
        API_INSTANCE_ORDERS
    );
    assert_eq!(
        on_platform(&emu, group)["groupInstanceId"],
        API_GROUP_INSTANCE_COMMERCE
    );
    assert_plan_empty(&tf, "after both");

    // The group contract revoked outside: only it is replaced.
    assert!(emu.handle.set_contract_status(group, "REVOKED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 1 to destroy."),
        "{}",
        plan.stdout
    );
    apply_ok(&tf, "after the revoke outside");
    assert_eq!(state_id(&tf, API), api, "the API contract stays");
    assert_ne!(state_id(&tf, GROUP), group);
    assert_plan_empty(&tf, "after the replacement");

    // Without the group contract: the API contract stays.
    tf.set_config(
        &emu,
        &format!("{}{}", app_block("app", APP_NAME, ""), api_contract()),
    );
    apply_ok(&tf, "the group contract removed");
    let left: Vec<i64> = emu
        .handle
        .contracts(app)
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(left, [api]);
    tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert!(emu.handle.contracts(app).is_empty());
}

/// The tier is checked against the group instance's tiers before anything
/// is requested.
#[test]
fn a_tier_that_is_not_the_groups_is_refused_before_the_request() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&commerce(TIER_ORDERS_BRONZE));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert_no_provider_bug(&out);
    let text = flat(&out.all());
    assert!(
        text.contains(&format!(
            "Tier {TIER_ORDERS_BRONZE} is not a tier of API group instance {API_GROUP_INSTANCE_COMMERCE}"
        )),
        "{text}"
    );
    assert!(
        text.contains("Starter") && text.contains("Partner"),
        "{text}"
    );
    assert_eq!(emu.handle.request_count("POST", "/exchange/"), 0);
}

/// Exactly one of `api_instance_id` and `api_group_instance_id`: both, or
/// neither, is an error at validate that names both, with no platform call.
#[test]
fn both_or_neither_instance_is_refused_at_validate() {
    let emu = TestEmulator::start();
    for (case, extra) in [
        (
            "both",
            format!(
                "  api_instance_id       = \"{API_INSTANCE_ORDERS}\"\n  api_group_instance_id = \"{API_GROUP_INSTANCE_COMMERCE}\"\n"
            ),
        ),
        ("neither", String::new()),
    ] {
        let tf = emu.tf(&format!(
            "{}resource \"anypoint_client_application_contract\" \"x\" {{\n  application_id = {APP}.id\n  environment_id = \"{ENVIRONMENT_ID}\"\n{extra}}}\n",
            app()
        ));
        let out = tf.run(&["validate", "-no-color"]);
        assert_eq!(out.code, 1, "{case}: {}", out.all());
        assert_no_provider_bug(&out);
        let text = flat(&out.all());
        assert!(
            text.contains("api_instance_id") && text.contains("api_group_instance_id"),
            "{case}: {text}"
        );
    }
    assert!(
        emu.handle.requests().is_empty(),
        "{:?}",
        emu.handle.requests()
    );
}

/// Ctrl-C while the request's reads hang: the provider stops at once,
/// requests nothing, and the next apply requests the contract once.
#[test]
fn ctrl_c_during_a_group_request_stops_at_once_and_requests_nothing() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&app());
    apply_ok(&tf, "the application");
    emu.set_config(&tf, &commerce(TIER_COMMERCE_STARTER));
    let instance = format!("/groupInstances/{API_GROUP_INSTANCE_COMMERCE}");
    emu.handle.push_fault(Fault::on(
        "GET",
        &instance,
        FaultKind::Delay(Duration::from_secs(60)),
    ));
    let mut run = Running::apply(&tf);
    wait_for_request(&emu, &mut run, "GET", &instance, 1);
    let interrupted_at = Instant::now();
    run.interrupt();
    let out = run.finish(120);
    let took = interrupted_at.elapsed();
    emu.handle.clear_faults();
    assert_ne!(out.code, 0, "{}", out.all());
    assert_no_provider_bug(&out);
    assert!(
        out.all().contains("the provider is stopping"),
        "{}",
        out.all()
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(emu.handle.request_count("POST", "/exchange/"), 0);
    apply_ok(&tf, "after the interrupted request");
    assert_eq!(emu.handle.request_count("POST", "/exchange/"), 1);
    assert_eq!(emu.handle.contracts(state_id(&tf, APP)).len(), 1);
    assert_plan_empty(&tf, "after the interrupted request");
}

/// The waiting tier of a group contract shows as requested, the one in
/// force stays until an administrator approves.
#[test]
fn a_tier_change_that_waits_for_approval() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&commerce(TIER_COMMERCE_STARTER));
    apply_ok(&tf, "create");
    let id = state_id(&tf, GROUP);
    tf.set_config(&emu, &commerce(TIER_COMMERCE_PARTNER));
    apply_ok(&tf, "tier change");
    let v = tf.resource_values(GROUP).unwrap();
    assert_eq!(v["tier_id"], tier(TIER_COMMERCE_STARTER));
    assert_eq!(v["requested_tier_id"], tier(TIER_COMMERCE_PARTNER));
    assert_plan_empty(&tf, "while the change waits");
    assert!(emu.handle.set_contract_status(id, "APPROVED"));
    tf.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ])
    .assert_ok();
    assert_eq!(
        tf.resource_values(GROUP).unwrap()["tier_id"],
        tier(TIER_COMMERCE_PARTNER)
    );
    assert_plan_empty(&tf, "after the approval");
}

macro_rules! cells {
    ($($name:ident: $op:ident, $cut:ident;)*) => {
        $(
            #[test]
            fn $name() {
                scenario_on(Kind::Group, Op::$op, Cut::$cut);
            }
        )*
    };
}

cells! {
    request_lost_answer: Request, LostAnswer;
    tier_change_lost_answer: TierChange, LostAnswer;
    revoke_lost_answer: Revoke, LostAnswer;
    delete_lost_answer: Delete, LostAnswer;
    request_sigint: Request, Sigint;
    tier_change_sigint: TierChange, Sigint;
    revoke_sigint: Revoke, Sigint;
    delete_sigint: Delete, Sigint;
    request_platform_restart: Request, PlatformRestart;
}
