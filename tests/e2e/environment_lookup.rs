//! `anypoint_environment`: an environment named instead of a copied UUID,
//! and the errors of a name that matches nothing or several environments.

use anypoint_emulator::{ENVIRONMENT_ID, PRODUCTION_ENVIRONMENT_ID};

use crate::support::*;

#[test]
fn an_instance_read_in_an_environment_found_by_name_plans_clean() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_environment" "sandbox" {
  name = "Sandbox"
}

data "anypoint_environment" "production" {
  name = "Production"
}

data "anypoint_api_instance" "orders" {
  api_instance_id = "40001"
  environment_id  = data.anypoint_environment.sandbox.id
}

output "orders_asset" {
  value = data.anypoint_api_instance.orders.asset_id
}
"#,
    );
    tf.apply();
    let sandbox = tf
        .resource_values("data.anypoint_environment.sandbox")
        .expect("in state");
    assert_eq!(sandbox["id"], ENVIRONMENT_ID);
    assert_eq!(sandbox["type"], "sandbox");
    assert_eq!(sandbox["is_production"], false);
    assert_eq!(sandbox["org_id"], emu.org_id());
    let production = tf
        .resource_values("data.anypoint_environment.production")
        .expect("in state");
    assert_eq!(production["id"], PRODUCTION_ENVIRONMENT_ID);
    assert_eq!(production["is_production"], true);
    let out = tf.run(&["output", "-raw", "orders_asset"]);
    assert_eq!(out.stdout.trim(), "orders-api", "{}", out.all());
    assert_plan_empty(
        &tf,
        "after reading an instance in an environment found by name",
    );
}

#[test]
fn a_name_that_matches_nothing_names_it_and_the_names_there_are() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_environment" "qa" {
  name = "sandbox"
}
"#,
    );
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("No such environment"), "{text}");
    assert!(text.contains(r#"named "sandbox""#), "{text}");
    assert!(
        text.contains("Sandbox, Production"),
        "the names there are: {text}"
    );
    assert!(!text.contains("bug in the provider"), "{text}");
}

#[test]
fn two_environments_of_one_name_are_an_error_naming_both() {
    let emu = TestEmulator::start();
    let second = emu
        .handle
        .add_environment("Sandbox", "sandbox", None)
        .unwrap();
    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_environment" "sandbox" {
  name = "Sandbox"
}
"#,
    );
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("Several environments match"), "{text}");
    assert!(
        text.contains(ENVIRONMENT_ID) && text.contains(&second),
        "both ids: {text}"
    );
    assert!(text.contains(&emu.org_id()), "the organization: {text}");
    assert!(!text.contains("bug in the provider"), "{text}");
}
