//! The lifecycle of applications, owners and contracts (with API instances
//! and with an API group instance) under each answer
//! the platform may give where its behaviour is unconfirmed (the emulator's
//! variants, `anypoint_emulator::Variant`), end to end with the
//! real Terraform CLI: create, an empty plan, an update (a field cleared, a
//! tier changed), drift (a field changed, an owner removed, a contract
//! revoked: the ended contract is replaced), an import with generated
//! configuration, the contracts ended (an approved one and a pending one),
//! destroy. The platform must hold exactly what the state says after each
//! step, and nothing Terraform ended may be left behind.

use crate::support::*;
use anypoint_emulator::{
    EmulatorConfig, Variant, API_GROUP_INSTANCE_COMMERCE, API_INSTANCE_ORDERS,
    API_INSTANCE_PAYMENTS, ENVIRONMENT_ID, TIER_COMMERCE_PREMIUM, TIER_COMMERCE_STARTER,
    TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_SILVER_DEPRECATED, TIER_PAYMENTS_STANDARD,
};
use serde_json::Value;

const OWNER: &str = "anypoint_client_application_owner.alice";
const ORDERS: &str = "anypoint_client_application_contract.orders";
const PAYMENTS: &str = "anypoint_client_application_contract.payments";
const COMMERCE: &str = "anypoint_client_application_contract.commerce";

/// What the configuration declares.
#[derive(Clone, Copy)]
struct Declared {
    description: &'static str,
    url: Option<&'static str>,
    orders_tier: i64,
    commerce_tier: i64,
    /// The contracts (and the owner) are declared.
    extras: bool,
}

fn resources(d: Declared) -> String {
    let url = d
        .url
        .map(|u| format!("  url           = \"{u}\"\n"))
        .unwrap_or_default();
    let mut hcl = format!(
        r#"
resource "anypoint_client_application" "app" {{
  name          = "variant-app"
  description   = "{}"
{url}  redirect_uris = ["https://app.example.com/callback"]
  grant_types   = ["authorization_code", "refresh_token"]
}}
"#,
        d.description
    );
    if d.extras {
        hcl.push_str(&format!(
            r#"
resource "anypoint_client_application_owner" "alice" {{
  application_id = anypoint_client_application.app.id
  user_id        = "{ALICE}"
}}

resource "anypoint_client_application_contract" "orders" {{
  application_id    = anypoint_client_application.app.id
  api_instance_id   = "{API_INSTANCE_ORDERS}"
  environment_id    = "{ENVIRONMENT_ID}"
  requested_tier_id = "{}"
}}

resource "anypoint_client_application_contract" "payments" {{
  application_id    = anypoint_client_application.app.id
  api_instance_id   = "{API_INSTANCE_PAYMENTS}"
  environment_id    = "{ENVIRONMENT_ID}"
  requested_tier_id = "{TIER_PAYMENTS_STANDARD}"
}}

resource "anypoint_client_application_contract" "commerce" {{
  application_id        = anypoint_client_application.app.id
  api_group_instance_id = "{API_GROUP_INSTANCE_COMMERCE}"
  environment_id        = "{ENVIRONMENT_ID}"
  requested_tier_id     = "{}"
}}
"#,
            d.orders_tier, d.commerce_tier
        ));
    }
    hcl
}

const FIRST: Declared = Declared {
    description: "first",
    url: Some("https://app.example.com/home"),
    orders_tier: TIER_ORDERS_BRONZE,
    commerce_tier: TIER_COMMERCE_STARTER,
    extras: true,
};

#[track_caller]
fn apply_ok(tf: &TfDir, when: &str) -> TfOutput {
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{when}: apply failed:\n{}", out.all());
    assert!(!out.all().contains("bug in the provider"), "{}", out.all());
    out
}

/// The contract ids of the application on the platform, and their status.
fn platform_contracts(emu: &TestEmulator, app: i64) -> Vec<(i64, String)> {
    emu.handle
        .contracts(app)
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The unset `url` reads back as null or "" (either is unset).
fn is_unset(v: &Value) -> bool {
    v.is_null() || v == ""
}

fn lifecycle(variant: Option<Variant>) {
    let mut config = EmulatorConfig::default();
    config.variants.extend(variant);
    let emu = TestEmulator::start_with(config);
    let tf = tf_with_emulator(&emu, &resources(FIRST));
    let admin_missing = variant == Some(Variant::NoManageContracts);

    // Create, then an empty plan.
    apply_ok(&tf, "create");
    assert_plan_empty(&tf, "after create");
    let app = state_id(&tf, APP);
    let orders = state_id(&tf, ORDERS);
    let payments = state_id(&tf, PAYMENTS);
    let commerce = state_id(&tf, COMMERCE);
    assert_eq!(
        emu.handle.application(app).unwrap()["url"],
        "https://app.example.com/home"
    );
    assert!(emu.handle.owners(app).iter().any(|o| o == ALICE));
    assert_eq!(emu.handle.contract(orders).unwrap()["status"], "APPROVED");
    assert_eq!(emu.handle.contract(payments).unwrap()["status"], "PENDING");
    assert_eq!(emu.handle.contract(commerce).unwrap()["status"], "APPROVED");

    // A deprecated tier is refused before anything is sent.
    if variant == Some(Variant::DeprecatedTier) {
        tf.set_config(
            &emu,
            &resources(Declared {
                orders_tier: TIER_ORDERS_SILVER_DEPRECATED,
                ..FIRST
            }),
        );
        emu.handle.reset_request_log();
        let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.code != 0, "{}", out.all());
        let text = flat(&out.all());
        assert!(text.contains("deprecated"), "{text}");
        assert!(text.contains("Bronze") && text.contains("Gold"), "{text}");
        assert_eq!(emu.handle.request_count("PATCH", "/exchange/"), 0);
        tf.set_config(&emu, &resources(FIRST));
        assert_plan_empty(&tf, "back to the active tier");
    }

    // An update: the url cleared, the description and the tier changed.
    let second = Declared {
        description: "second",
        url: None,
        orders_tier: TIER_ORDERS_GOLD,
        commerce_tier: TIER_COMMERCE_PREMIUM,
        ..FIRST
    };
    tf.set_config(&emu, &resources(second));
    apply_ok(&tf, "update");
    assert_plan_empty(&tf, "after update");
    let remote = emu.handle.application(app).unwrap();
    assert!(is_unset(&remote["url"]), "the url was cleared: {remote}");
    assert_eq!(remote["description"], "second");
    assert_eq!(
        emu.handle.contract(orders).unwrap()["tier"]["id"],
        TIER_ORDERS_GOLD
    );
    assert_eq!(
        emu.handle.contract(commerce).unwrap()["tier"]["id"],
        TIER_COMMERCE_PREMIUM,
        "the group contract's tier changed in place"
    );

    // Drift: a field changed, the owner removed, a contract revoked.
    assert!(emu
        .handle
        .update_application(app, serde_json::json!({"description": "changed in the UI"})));
    assert!(emu.handle.remove_owner(app, ALICE));
    assert!(emu.handle.set_contract_status(orders, "REVOKED"));
    assert!(emu.handle.set_contract_status(commerce, "REVOKED"));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "drift is planned:\n{}", plan.all());
    assert!(
        plan.all().contains("Contract REVOKED outside Terraform"),
        "{}",
        plan.all()
    );
    if admin_missing {
        // The ended contract cannot be removed without the permission: a
        // clear error naming it, nothing lost.
        let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.code != 0, "{}", out.all());
        let text = flat(&out.all());
        assert!(text.contains("Manage Contracts"), "{text}");
        assert!(text.contains(&orders.to_string()), "{text}");
        assert!(emu.handle.contract(orders).is_some());
        assert!(tf.resource_values(ORDERS).is_some(), "still in state");
        emu.handle.set_variant(Variant::NoManageContracts, false);
    }
    apply_ok(&tf, "after drift");
    assert_plan_empty(&tf, "after drift");
    assert_eq!(
        emu.handle.application(app).unwrap()["description"],
        "second"
    );
    assert!(emu.handle.owners(app).iter().any(|o| o == ALICE));
    assert!(
        emu.handle.contract(orders).is_none(),
        "the revoked contract was deleted"
    );
    let orders = state_id(&tf, ORDERS);
    assert_eq!(emu.handle.contract(orders).unwrap()["status"], "APPROVED");
    assert!(
        emu.handle.contract(commerce).is_none(),
        "the revoked group contract was deleted"
    );
    let commerce = state_id(&tf, COMMERCE);
    assert_eq!(emu.handle.contract(commerce).unwrap()["status"], "APPROVED");
    if admin_missing {
        emu.handle.set_variant(Variant::NoManageContracts, true);
    }

    // Import with generated configuration, in a new directory that knows
    // nothing but the ids.
    let org = emu.org_id();
    let imports = format!(
        "import {{\n  to = {APP}\n  id = \"{org}/{app}\"\n}}\nimport {{\n  to = {OWNER}\n  id = \"{org}/{app}/{ALICE}\"\n}}\nimport {{\n  to = {ORDERS}\n  id = \"{org}/{app}/{orders}\"\n}}\nimport {{\n  to = {PAYMENTS}\n  id = \"{org}/{app}/{payments}\"\n}}\nimport {{\n  to = {COMMERCE}\n  id = \"{org}/{app}/{commerce}\"\n}}\n"
    );
    let adopted = tf_with_emulator(&emu, &imports);
    let generate = adopted.run(&[
        "plan",
        "-generate-config-out=generated.tf",
        "-no-color",
        "-input=false",
    ]);
    assert!(
        !generate.all().contains("bug in the provider"),
        "{}",
        generate.all()
    );
    let generated_path = adopted.work().join("generated.tf");
    let generated = std::fs::read_to_string(&generated_path)
        .unwrap_or_else(|e| panic!("generated.tf: {e}\n{}", generate.all()));
    // What the platform cannot report, the user fills in.
    let filled: String = generated
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("environment_id ") && l.ends_with("= null") {
                format!("  environment_id = \"{ENVIRONMENT_ID}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_ne!(filled, generated, "environment_id to fill in:\n{generated}");
    std::fs::write(&generated_path, filled).unwrap();
    apply_ok(&adopted, "import with generated configuration");
    assert_plan_empty(&adopted, "after the import");
    // The first directory hands the objects over.
    assert!(
        generated.contains(&format!(
            "api_group_instance_id = \"{API_GROUP_INSTANCE_COMMERCE}\""
        )),
        "the import found the group contract's group instance:\n{generated}"
    );
    for address in [COMMERCE, PAYMENTS, ORDERS, OWNER, APP] {
        tf.run(&["state", "rm", "-no-color", address]).assert_ok();
    }

    // The contracts ended (an approved and a pending one), then the rest.
    let generated = std::fs::read_to_string(&generated_path).unwrap();
    let without_contracts: String = generated
        .split("\n\n")
        .filter(|block| !block.contains("anypoint_client_application_contract"))
        .collect::<Vec<_>>()
        .join("\n\n");
    std::fs::write(&generated_path, without_contracts).unwrap();
    std::fs::write(
        adopted.work().join("main.tf"),
        format!("{}\n", emu.provider_block()),
    )
    .unwrap();
    if admin_missing {
        let out = adopted.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert!(out.code != 0, "{}", out.all());
        assert!(
            flat(&out.all()).contains("Manage Contracts"),
            "{}",
            out.all()
        );
        assert_eq!(platform_contracts(&emu, app).len(), 3, "nothing lost");
        emu.handle.set_variant(Variant::NoManageContracts, false);
    }
    apply_ok(&adopted, "the contracts ended");
    assert_eq!(
        platform_contracts(&emu, app),
        vec![],
        "no contract is left behind"
    );
    assert_plan_empty(&adopted, "after the contracts ended");
    adopted
        .run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
        .assert_ok();
    assert_eq!(emu.handle.application_count(), 0);
}

macro_rules! matrix {
    ($($name:ident: $variant:expr;)*) => {
        $(
            #[test]
            fn $name() {
                lifecycle($variant);
            }
        )*
    };
}

matrix! {
    lifecycle_on_the_default_emulator: None;
    lifecycle_when_only_approved_contracts_can_be_revoked: Some(Variant::RevokeApprovedOnly);
    lifecycle_when_every_revoke_is_refused: Some(Variant::RevokeRefused);
    lifecycle_when_a_second_revoke_answers_200: Some(Variant::RevokeAgain200);
    lifecycle_when_a_second_revoke_answers_400: Some(Variant::RevokeAgain400);
    lifecycle_when_only_the_legacy_revoke_is_served: Some(Variant::RevokeLegacyOnly);
    lifecycle_when_instances_carry_their_parent_api_id: Some(Variant::InstanceWithApiId);
    lifecycle_when_adding_an_existing_owner_answers_201: Some(Variant::OwnerAddExisting201);
    lifecycle_when_the_connected_app_resides_in_a_business_group: Some(Variant::BusinessGroup);
    lifecycle_when_put_keeps_null_and_stores_empty_strings: Some(Variant::PutKeepsNull);
    lifecycle_with_a_deprecated_tier: Some(Variant::DeprecatedTier);
    lifecycle_when_the_list_hides_applications: Some(Variant::ListHidesApplications);
    lifecycle_when_list_items_are_short: Some(Variant::ListItemsShort);
    lifecycle_without_manage_contracts: Some(Variant::NoManageContracts);
    lifecycle_when_group_contracts_list_group_instance: Some(Variant::GroupContractGroupInstance);
    lifecycle_when_group_contracts_list_group_instances: Some(Variant::GroupContractGroupInstances);
    lifecycle_when_group_contracts_list_api_group_instance_id: Some(Variant::GroupContractApiGroupInstanceId);
    lifecycle_when_the_group_instance_lacks_its_asset: Some(Variant::GroupInstanceWithoutAsset);
    lifecycle_without_view_contracts: Some(Variant::NoViewContracts);
    lifecycle_when_the_api_search_is_loose: Some(Variant::ApiSearchLoose);
}

/// Every variant is in the matrix: a new one fails here until it is added.
#[test]
fn the_matrix_covers_every_variant() {
    let source = include_str!("platform_variants.rs");
    for v in Variant::ALL {
        assert!(
            source.contains(&format!("Some(Variant::{v:?})")),
            "variant {} ({v:?}) is not in the matrix",
            v.name()
        );
    }
}

/// An application and one contract (`access`) with `instance` and `tier`.
fn one_contract(instance: i64, tier: i64) -> String {
    format!(
        r#"
resource "anypoint_client_application" "app" {{
  name = "one-contract"
}}

resource "anypoint_client_application_contract" "access" {{
  application_id    = anypoint_client_application.app.id
  api_instance_id   = "{instance}"
  environment_id    = "{ENVIRONMENT_ID}"
  requested_tier_id = "{tier}"
}}
"#
    )
}

fn started(variant: Variant) -> TestEmulator {
    let mut config = EmulatorConfig::default();
    config.variants.push(variant);
    TestEmulator::start_with(config)
}

#[test]
fn a_pending_contract_is_destroyed_where_only_approved_ones_can_be_revoked() {
    let emu = started(Variant::RevokeApprovedOnly);
    let tf = tf_with_emulator(
        &emu,
        &one_contract(API_INSTANCE_PAYMENTS, TIER_PAYMENTS_STANDARD),
    );
    apply_ok(&tf, "create");
    let id = state_id(&tf, "anypoint_client_application_contract.access");
    assert_eq!(emu.handle.contract(id).unwrap()["status"], "PENDING");
    let out = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(emu.handle.contract(id).is_none());
    assert_eq!(
        emu.handle.request_count("PATCH", "/apimanager/"),
        0,
        "a pending contract is not revoked"
    );
}

#[test]
fn a_contract_is_revoked_through_the_legacy_path_with_the_parent_id_from_its_list() {
    let emu = started(Variant::RevokeLegacyOnly);
    let tf = tf_with_emulator(&emu, &one_contract(API_INSTANCE_ORDERS, TIER_ORDERS_BRONZE));
    apply_ok(&tf, "create");
    let app = state_id(&tf, APP);
    let id = state_id(&tf, "anypoint_client_application_contract.access");
    let parent = emu.handle.contracts(app)[0]["apiVersion"]["apiId"]
        .as_i64()
        .unwrap();
    emu.handle.reset_request_log();
    let out = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(emu.handle.contract(id).is_none());
    let legacy = format!("/apis/{parent}/versions/{API_INSTANCE_ORDERS}/contracts/{id}/revoke");
    assert!(
        emu.handle
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with(&legacy) && r.status == 201),
        "{:?}",
        emu.handle.requests()
    );
}

#[test]
fn a_deprecated_tier_is_refused_before_the_request() {
    let emu = started(Variant::DeprecatedTier);
    let tf = tf_with_emulator(
        &emu,
        &one_contract(API_INSTANCE_ORDERS, TIER_ORDERS_SILVER_DEPRECATED),
    );
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(out.code != 0, "{}", out.all());
    let text = flat(&out.all());
    assert!(
        text.contains(&format!("Tier {TIER_ORDERS_SILVER_DEPRECATED} (Silver)"))
            && text.contains("deprecated")
            && text.contains("50001 (Bronze)"),
        "{text}"
    );
    assert_eq!(
        emu.handle.request_count("POST", "/exchange/"),
        0,
        "never sent"
    );
}
