//! `anypoint_api_instance` found by its Exchange asset instead of a copied
//! id: one match, one picked by its label among several, the errors of a
//! search that finds several or none (also when the platform's search is
//! loose), a refused search, and the selectors refused at validate.

use anypoint_emulator::{
    EmulatorConfig, NewApiInstance, NewTier, Variant, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS,
    ENVIRONMENT_ID, TIER_PAYMENTS_STANDARD,
};

use crate::support::*;

/// A data source `found` in the seeded Sandbox with `selector` lines.
fn instance_by(selector: &str) -> String {
    format!(
        r#"
data "anypoint_api_instance" "found" {{
  environment_id = "{ENVIRONMENT_ID}"
  {selector}
}}
"#
    )
}

/// The queries of the API search requests the emulator answered.
fn searches(emu: &TestEmulator) -> Vec<String> {
    let search = format!(
        "/apimanager/api/v1/organizations/{}/environments/{ENVIRONMENT_ID}/apis",
        emu.org_id()
    );
    emu.all_requests()
        .iter()
        .filter(|r| r.path == search)
        .map(|r| r.query.clone().unwrap_or_default())
        .collect()
}

#[test]
fn an_instance_found_by_its_asset_exports_its_id_and_plans_clean() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &instance_by(r#"asset_id = "payments-api""#));
    tf.apply();
    let found = tf
        .resource_values("data.anypoint_api_instance.found")
        .expect("in state");
    assert_eq!(found["api_instance_id"], API_INSTANCE_PAYMENTS.to_string());
    assert_eq!(found["asset_id"], "payments-api");
    assert_eq!(found["asset_group_id"], emu.org_id());
    assert_eq!(found["asset_version"], "1.0.0");
    assert_eq!(found["instance_label"], "payments-api-v1");
    assert_eq!(found["asset_version_group"], "v1");
    assert_eq!(found["tiers"][0]["id"], TIER_PAYMENTS_STANDARD.to_string());
    let sent = searches(&emu);
    assert!(
        !sent.is_empty() && sent.iter().all(|q| q.contains("assetId=payments-api")),
        "the search names the asset: {sent:?}"
    );
    assert_plan_empty(&tf, "after reading an instance found by its asset");
}

#[test]
fn several_instances_of_an_asset_are_listed_and_a_label_picks_one() {
    let emu = TestEmulator::start();
    let eu = emu
        .handle
        .add_api_instance(NewApiInstance {
            instance_label: Some("orders-eu".into()),
            asset_version: "1.1.0".into(),
            tiers: vec![NewTier::new("Gold", true)],
            ..NewApiInstance::new("orders-api")
        })
        .unwrap();
    let tf = tf_with_emulator(&emu, &instance_by(r#"asset_id = "orders-api""#));
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("Several API instances match"), "{text}");
    assert!(
        text.contains(&format!(
            r#"{API_INSTANCE_ORDERS} (label "orders-api-v1", asset version 1.0.0"#
        )) && text.contains(&format!(r#"{eu} (label "orders-eu", asset version 1.1.0"#)),
        "each match with its label and version: {text}"
    );
    assert!(text.contains("instance_label"), "how to narrow: {text}");
    assert!(!text.contains("bug in the provider"), "{text}");

    tf.set_config(
        &emu,
        &instance_by("asset_id = \"orders-api\"\n  instance_label = \"orders-eu\""),
    );
    tf.apply();
    let found = tf
        .resource_values("data.anypoint_api_instance.found")
        .expect("in state");
    assert_eq!(found["api_instance_id"], eu.to_string());
    assert_eq!(found["instance_label"], "orders-eu");
    assert_eq!(found["asset_version"], "1.1.0");
    assert_eq!(found["tiers"][0]["name"], "Gold");
    assert_plan_empty(&tf, "after reading an instance picked by its label");
}

#[test]
fn a_search_that_finds_nothing_names_what_was_looked_for() {
    // The platform's search may match parts: "orders" finds orders-api
    // there, and still matches no asset id exactly.
    let emu = TestEmulator::start_with(EmulatorConfig {
        variants: vec![Variant::ApiSearchLoose],
        ..EmulatorConfig::default()
    });
    let tf = tf_with_emulator(&emu, &instance_by(r#"asset_id = "orders""#));
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("No such API instance"), "{text}");
    assert!(text.contains(r#"asset_id "orders""#), "{text}");
    assert!(
        text.contains(ENVIRONMENT_ID) && text.contains(&emu.org_id()),
        "the environment and the organization: {text}"
    );
    assert!(!text.contains("bug in the provider"), "{text}");

    // A label that no instance of the asset has: the asset's instances
    // are named.
    tf.set_config(
        &emu,
        &instance_by("asset_id = \"orders-api\"\n  instance_label = \"orders-us\""),
    );
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(
        text.contains(r#"asset_id "orders-api", instance_label "orders-us""#),
        "{text}"
    );
    assert!(
        text.contains(&format!(r#"{API_INSTANCE_ORDERS} (label "orders-api-v1""#)),
        "the asset's instances there: {text}"
    );
}

#[test]
fn a_loose_platform_search_still_finds_the_asset_exactly() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        variants: vec![Variant::ApiSearchLoose],
        ..EmulatorConfig::default()
    });
    // Found by a loose search for "orders-api", and not the one asked for.
    emu.handle
        .add_api_instance(NewApiInstance::new("orders-api-v2"))
        .unwrap();
    let tf = tf_with_emulator(&emu, &instance_by(r#"asset_id = "orders-api""#));
    tf.apply();
    let found = tf
        .resource_values("data.anypoint_api_instance.found")
        .expect("in state");
    assert_eq!(found["api_instance_id"], API_INSTANCE_ORDERS.to_string());
    assert_plan_empty(&tf, "after a loose search");
}

#[test]
fn a_refused_search_names_the_call_and_the_permission_it_needs() {
    let emu = TestEmulator::start();
    emu.handle.push_fault(Fault::on(
        "GET",
        &format!("/environments/{ENVIRONMENT_ID}/apis"),
        FaultKind::Respond {
            status: 403,
            body: r#"{"message":"Forbidden"}"#.to_owned(),
        },
    ));
    let tf = tf_with_emulator(&emu, &instance_by(r#"asset_id = "orders-api""#));
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(
        text.contains(&format!(
            r#"Error searching the API instances of environment {ENVIRONMENT_ID} for asset "orders-api""#
        )),
        "{text}"
    );
    assert!(
        text.contains("View APIs Configuration") && text.contains("/apis"),
        "the permission and the call: {text}"
    );
}

#[test]
fn selectors_and_filters_are_checked_at_validate() {
    let emu = TestEmulator::start();
    for (selector, message) in [
        ("", "Missing API instance selector"),
        (
            "api_instance_id = \"40001\"\n  asset_id = \"orders-api\"",
            "Conflicting API instance selectors",
        ),
        (
            "api_instance_id = \"40001\"\n  instance_label = \"orders-api-v1\"",
            "Search filter without a search",
        ),
    ] {
        let tf = tf_with_emulator(&emu, &instance_by(selector));
        let out = tf.run(&["validate", "-no-color"]);
        assert_ne!(out.code, 0, "{}", out.all());
        assert!(flat(&out.all()).contains(message), "{}", out.all());
    }
    assert!(
        emu.all_requests().is_empty(),
        "validate calls no platform: {:?}",
        emu.all_requests()
    );
}
