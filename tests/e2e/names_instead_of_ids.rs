//! Issue 18's acceptance scenario: a configuration that names what it
//! means instead of copying ids. The owner is picked by email, the
//! environment by name, the API instance by its asset, and the contract's
//! tier by name among the instance's tiers (an ACTIVE one, as a deprecated
//! tier of the same name sits beside it). It applies, and the next plan is
//! empty.

use anypoint_emulator::{NewApiInstance, NewTier, ENVIRONMENT_ID, PRODUCTION_ENVIRONMENT_ID};

use crate::support::*;

const CONFIG: &str = r#"
data "anypoint_user" "owner" {
  email = "Bob@Example.com"
}

data "anypoint_environment" "sandbox" {
  name = "Sandbox"
}

data "anypoint_api_instance" "billing" {
  environment_id = data.anypoint_environment.sandbox.id
  asset_id       = "billing-api"
}

locals {
  gold_tier_id = one([
    for t in data.anypoint_api_instance.billing.tiers : t.id
    if t.name == "Gold" && t.status == "ACTIVE"
  ])
}

resource "anypoint_client_application" "portal" {
  name = "billing-portal"
}

resource "anypoint_client_application_owner" "bob" {
  application_id = anypoint_client_application.portal.id
  user_id        = data.anypoint_user.owner.id
}

resource "anypoint_client_application_contract" "billing" {
  application_id    = anypoint_client_application.portal.id
  api_instance_id   = data.anypoint_api_instance.billing.api_instance_id
  environment_id    = data.anypoint_environment.sandbox.id
  requested_tier_id = local.gold_tier_id
  accepted_terms    = true
}
"#;

#[test]
fn a_configuration_that_names_its_owner_environment_instance_and_tier_applies_and_plans_clean() {
    let emu = TestEmulator::start();
    let h = &emu.handle;
    // The asset has an instance in each environment; the Sandbox one has a
    // deprecated Gold tier beside the active one.
    let mut sandbox = NewApiInstance::new("billing-api");
    sandbox.instance_label = Some("billing-sandbox".into());
    sandbox.tiers = vec![
        NewTier {
            deprecated: true,
            ..NewTier::new("Gold", true)
        },
        NewTier::new("Gold", true),
        NewTier::new("Silver", true),
    ];
    let billing = h.add_api_instance(sandbox).unwrap();
    let mut production = NewApiInstance::new("billing-api");
    production.environment_id = PRODUCTION_ENVIRONMENT_ID.into();
    production.tiers = vec![NewTier::new("Gold", true)];
    h.add_api_instance(production).unwrap();
    let tiers = h
        .api_instances()
        .into_iter()
        .find(|i| i["id"] == billing)
        .expect("the Sandbox instance")["tiers"]
        .clone();
    let active_gold = tiers[1]["id"].as_i64().unwrap();
    assert_eq!(
        (tiers[1]["name"].as_str(), tiers[1]["status"].as_str()),
        (Some("Gold"), Some("ACTIVE"))
    );

    let tf = tf_with_emulator(&emu, CONFIG);
    tf.apply();

    let app = state_id(&tf, "anypoint_client_application.portal");
    assert!(
        h.owners(app).contains(&BOB.to_owned()),
        "Bob owns the application: {:?}",
        h.owners(app)
    );
    let contracts = h.contracts(app);
    assert_eq!(contracts.len(), 1, "{contracts:?}");
    assert_eq!(contracts[0]["apiId"], billing);
    assert_eq!(contracts[0]["status"], "APPROVED");
    assert_eq!(
        contracts[0]["tier"]["id"], active_gold,
        "the ACTIVE Gold tier: {contracts:?}"
    );
    let contract = tf
        .resource_values("anypoint_client_application_contract.billing")
        .expect("in state");
    assert_eq!(contract["environment_id"], ENVIRONMENT_ID);
    assert_eq!(contract["api_instance_id"], billing.to_string());

    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        0,
        "plan -detailed-exitcode after the apply:\n{}",
        plan.all()
    );
}
