//! Our provider beside another provider whose types also start with
//! `anypoint_`, as `docs/guides/beside-mulesoft-providers.md` tells users to
//! write it: two local names in `required_providers` (ours `anypoint`, the
//! other `mulesoft`), `provider = mulesoft` on every block of the other one,
//! a provider block each with its own credentials.
//!
//! Our own binary stands in for the second provider, under MuleSoft's source
//! address (`mulesoft-anypoint/anypoint`, through `dev_overrides`:
//! [`TfDir::with_stand_ins`]), and each provider block points at an emulator
//! of its own, with credentials of its own: what a block does shows up on
//! the platform of the provider Terraform gave it to, and only there. The
//! stand-in has our types, not MuleSoft's, so a type only MuleSoft's
//! provider has (`anypoint_apim_mule4`) is one neither process knows: the
//! error then names the provider the block went to, which is the point.

use std::path::Path;

use anypoint_emulator::{EmulatorConfig, ENVIRONMENT_ID, TIER_ORDERS_GOLD};
use serde_json::Value;

use crate::support::*;

/// MuleSoft's source address, played by our binary.
const THEIRS: &str = "registry.terraform.io/mulesoft-anypoint/anypoint";
/// Credentials and organization of the second platform, unlike the first's.
const THEIR_CLIENT_ID: &str = "mulesoft-side-client";
const THEIR_CLIENT_SECRET: &str = "mulesoft-side-secret";
const THEIR_ORG: &str = "3b2a1f0e-9d8c-4b7a-8f6e-5d4c3b2a1f0e";

/// The platform behind the `mulesoft` local name.
fn their_platform() -> TestEmulator {
    TestEmulator::start_with(EmulatorConfig {
        client_id: THEIR_CLIENT_ID.to_owned(),
        client_secret: THEIR_CLIENT_SECRET.to_owned(),
        org_id: THEIR_ORG.to_owned(),
        ..EmulatorConfig::default()
    })
}

/// `required_providers` with the two local names, and a provider block each,
/// pointing at its own platform with its own credentials.
fn providers(ours: &TestEmulator, theirs: &TestEmulator) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    anypoint = {{
      source = "anypoint-platform/anypoint"
    }}
    mulesoft = {{
      source  = "mulesoft-anypoint/anypoint"
      version = "~> 1.8"
    }}
  }}
}}

provider "anypoint" {{
  base_url      = "{}"
  client_id     = "{}"
  client_secret = "{}"
  max_retries   = 2
}}

provider "mulesoft" {{
  base_url      = "{}"
  client_id     = "{THEIR_CLIENT_ID}"
  client_secret = "{THEIR_CLIENT_SECRET}"
  max_retries   = 2
}}
"#,
        ours.url, ours.config.client_id, ours.config.client_secret, theirs.url
    )
}

fn guide() -> String {
    read_text(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/beside-mulesoft-providers.md"),
    )
}

/// `terraform validate -json`: its error diagnostics as (summary, detail).
fn validate_errors(tf: &TfDir) -> Vec<(String, String)> {
    let out = tf.run(&["validate", "-json", "-no-color"]);
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("validate -json ({e}):\n{}", out.all()));
    assert_eq!(out.code, 1, "validate fails:\n{}", out.all());
    assert_eq!(v["valid"], false, "{v}");
    v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["summary"].as_str().unwrap_or("").to_owned(),
                d["detail"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// `terraform plan` fails with `phrase` (Terraform validates before it
/// starts a provider's configuration), and neither platform hears a thing.
#[track_caller]
fn plan_fails_before_any_platform_call(
    tf: &TfDir,
    ours: &TestEmulator,
    theirs: &TestEmulator,
    phrase: &str,
) {
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(flat(&plan.all()).contains(phrase), "{}", plan.all());
    assert_no_provider_bug(&plan);
    assert!(
        ours.handle.requests().is_empty() && theirs.handle.requests().is_empty(),
        "no platform call: {:?} {:?}",
        ours.handle.requests(),
        theirs.handle.requests()
    );
}

#[test]
fn two_local_names_apply_plan_empty_and_each_block_reaches_its_own_platform() {
    let ours = TestEmulator::start();
    let theirs = their_platform();
    // An API instance read through `mulesoft` feeds a contract made through
    // `anypoint`, as the guide's example passes MuleSoft's instance and tier
    // ids to ours (both platforms hold the same seeded instances).
    let config = format!(
        r#"{}
data "anypoint_api_instance" "orders" {{
  provider        = mulesoft
  api_instance_id = "40001"
  environment_id  = "{ENVIRONMENT_ID}"
}}

resource "anypoint_client_application" "theirs" {{
  provider = mulesoft
  name     = "made-through-mulesoft"
}}

resource "anypoint_client_application" "ours" {{
  name        = "made-through-anypoint"
  description = "Consumes ${{data.anypoint_api_instance.orders.asset_id}}"
}}

resource "anypoint_client_application_contract" "orders" {{
  application_id    = anypoint_client_application.ours.id
  api_instance_id   = data.anypoint_api_instance.orders.api_instance_id
  environment_id    = data.anypoint_api_instance.orders.environment_id
  requested_tier_id = one([for t in data.anypoint_api_instance.orders.tiers : t.id if t.name == "Gold"])
}}
"#,
        providers(&ours, &theirs)
    );
    let tf = TfDir::with_stand_ins(&config, &[THEIRS]);

    let applied = tf.apply();
    assert_no_provider_bug(&applied);
    assert_plan_empty(&tf, "after applying with two local names");

    // Each application exists on the platform of its block's provider only.
    assert_eq!(ours.apps_named("made-through-anypoint").len(), 1);
    assert!(ours.apps_named("made-through-mulesoft").is_empty());
    assert_eq!(theirs.apps_named("made-through-mulesoft").len(), 1);
    assert!(theirs.apps_named("made-through-anypoint").is_empty());
    assert_eq!(
        ours.apps_named("made-through-anypoint")[0]["description"],
        "Consumes orders-api",
        "a value read through one provider reached a block of the other"
    );
    // The contract, with the tier read through the other provider, is ours.
    let our_app = state_id(&tf, "anypoint_client_application.ours");
    let contracts = ours.handle.contracts(our_app);
    assert_eq!(contracts.len(), 1, "{contracts:?}");
    let contract = tf
        .resource_values("anypoint_client_application_contract.orders")
        .expect("in state");
    assert_eq!(contract["tier_id"], TIER_ORDERS_GOLD.to_string());
    let their_app = state_id(&tf, "anypoint_client_application.theirs");
    assert!(theirs.handle.contracts(their_app).is_empty());
    // The data source was read on the other platform; each platform was
    // signed in to with its own credentials (a wrong pair is refused).
    assert!(
        theirs.count("GET", "/apis/40001") > 0,
        "{:?}",
        theirs.handle.requests()
    );
    assert!(ours.handle.token_requests() > 0 && theirs.handle.token_requests() > 0);

    // The state records, per block, the provider that manages it, and the
    // organization each platform answered with.
    let state = tf.state_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources in state");
    let provider_of = |address: &str| -> String {
        let r = resources
            .iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address} in {resources:#?}"));
        r["provider_name"].as_str().unwrap().to_owned()
    };
    for (address, provider) in [
        ("data.anypoint_api_instance.orders", THEIRS),
        ("anypoint_client_application.theirs", THEIRS),
        ("anypoint_client_application.ours", PROVIDER_SOURCE),
        (
            "anypoint_client_application_contract.orders",
            PROVIDER_SOURCE,
        ),
    ] {
        assert_eq!(provider_of(address), provider, "{address}");
    }
    let org_of = |address: &str| tf.resource_values(address).unwrap()["org_id"].clone();
    assert_eq!(org_of("anypoint_client_application.theirs"), THEIR_ORG);
    assert_eq!(org_of("anypoint_client_application.ours"), ours.org_id());

    // `terraform providers` names both source addresses, in the
    // configuration and in the state, and nothing Terraform guessed.
    let listed = tf.run(&["providers", "-no-color"]);
    listed.assert_ok();
    let text = &listed.stdout;
    let (config_part, state_part) = text
        .split_once("Providers required by state:")
        .unwrap_or_else(|| panic!("two parts:\n{text}"));
    for part in [config_part, state_part] {
        assert!(
            part.contains("provider[registry.terraform.io/anypoint-platform/anypoint]")
                && part.contains("provider[registry.terraform.io/mulesoft-anypoint/anypoint]"),
            "{text}"
        );
    }
    assert!(
        config_part.contains("mulesoft-anypoint/anypoint] ~> 1.8"),
        "{text}"
    );
    assert!(!text.contains("hashicorp/"), "{text}");
    // The two lines come in either order (Terraform walks a map).
    let guide = guide();
    for line in [
        "provider[registry.terraform.io/anypoint-platform/anypoint]\n",
        "provider[registry.terraform.io/mulesoft-anypoint/anypoint] ~> 1.8\n",
    ] {
        assert!(
            text.contains(line) && guide.contains(line),
            "the guide shows what `terraform providers` prints:\n{text}"
        );
    }

    // `terraform providers schema -json`, which the guide's overlap list
    // reads, has each provider's types under its source address.
    let schema = tf.run(&["providers", "schema", "-json"]);
    schema.assert_ok();
    let schema: Value = serde_json::from_str(&schema.stdout).expect("schema JSON");
    for source in [PROVIDER_SOURCE, THEIRS] {
        let p = &schema["provider_schemas"][source];
        assert!(
            p["resource_schemas"]["anypoint_client_application"].is_object()
                && p["data_source_schemas"]["anypoint_user"].is_object(),
            "{source} lists its types in the schema"
        );
    }

    // Destroy goes through each provider to its own platform as well.
    let destroyed = tf.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    destroyed.assert_ok();
    assert_no_provider_bug(&destroyed);
    assert!(ours.apps_named("made-through-anypoint").is_empty());
    assert!(theirs.apps_named("made-through-mulesoft").is_empty());
}

#[test]
fn a_block_without_provider_goes_to_the_local_name_anypoint_and_fails_at_validate() {
    let ours = TestEmulator::start();
    let theirs = their_platform();
    let instance = |provider_line: &str| {
        format!(
            r#"{}
resource "anypoint_apim_mule4" "orders" {{
{provider_line}  org_id         = "{THEIR_ORG}"
  env_id         = "{ENVIRONMENT_ID}"
  asset_group_id = "{THEIR_ORG}"
  asset_id       = "orders-api"
  asset_version  = "1.0.0"
}}
"#,
            providers(&ours, &theirs)
        )
    };

    // Without `provider =`, the block goes to the local name `anypoint`:
    // ours, which has no such type. The error names the provider it went to.
    let tf = TfDir::with_stand_ins(&instance(""), &[THEIRS]);
    let missing = "The provider anypoint-platform/anypoint does not support resource type \
                   \"anypoint_apim_mule4\".";
    assert_eq!(
        validate_errors(&tf),
        vec![("Invalid resource type".to_owned(), missing.to_owned())]
    );
    let human = tf.run(&["validate", "-no-color"]);
    assert_eq!(human.code, 1, "{}", human.all());
    assert_no_provider_bug(&human);
    let human = flat(&human.all());
    assert!(
        human.contains("Error: Invalid resource type")
            && human.contains(r#"in resource "anypoint_apim_mule4" "orders":"#)
            && human.contains(missing),
        "{human}"
    );
    plan_fails_before_any_platform_call(&tf, &ours, &theirs, missing);
    let guide = flat(&guide());
    assert!(
        guide.contains("Error: Invalid resource type") && guide.contains(missing),
        "the guide quotes the error"
    );

    // With `provider = mulesoft` the same block goes to the other process
    // (the stand-in lacks the type too): the error names that provider now.
    let tf = TfDir::with_stand_ins(&instance("  provider       = mulesoft\n"), &[THEIRS]);
    assert_eq!(
        validate_errors(&tf),
        vec![(
            "Invalid resource type".to_owned(),
            "The provider mulesoft-anypoint/anypoint does not support resource type \
             \"anypoint_apim_mule4\"."
                .to_owned()
        )]
    );

    // A data source only the other provider has: "Invalid data source", and
    // Terraform suggests our type of a similar name, which is not the fix.
    let tf = TfDir::with_stand_ins(
        &format!(
            r#"{}
data "anypoint_apim_instance" "orders" {{
  org_id = "{THEIR_ORG}"
  env_id = "{ENVIRONMENT_ID}"
  id     = "40001"
}}
"#,
            providers(&ours, &theirs)
        ),
        &[THEIRS],
    );
    let missing = "The provider anypoint-platform/anypoint does not support data source \
                   \"anypoint_apim_instance\". Did you mean \"anypoint_api_instance\"?";
    assert_eq!(
        validate_errors(&tf),
        vec![("Invalid data source".to_owned(), missing.to_owned())]
    );
    plan_fails_before_any_platform_call(&tf, &ours, &theirs, missing);
    assert!(
        guide.contains("Error: Invalid data source") && guide.contains(missing),
        "the guide quotes the error"
    );
}

#[test]
fn a_type_name_both_providers_have_goes_to_anypoint_and_fails_on_its_arguments() {
    // MuleSoft's providers have data sources named like three of ours
    // (`anypoint_user`, `anypoint_environment`, `anypoint_api_instance`). A
    // block of theirs without `provider =` is then ours, and what fails is
    // its arguments, with no word about providers.
    let ours = TestEmulator::start();
    let theirs = their_platform();
    let cases = [
        (
            // The community provider's user data source: org_id and id.
            format!(
                "data \"anypoint_user\" \"owner\" {{\n  org_id = \"{THEIR_ORG}\"\n  id     = \"{ALICE}\"\n}}\n"
            ),
            vec![
                r#"Value for read-only attribute "id""#,
                "Set either `username` or `email`",
            ],
        ),
        (
            // The official provider's environment data source: id and
            // organization_id.
            format!(
                "data \"anypoint_environment\" \"sandbox\" {{\n  id              = \"{ENVIRONMENT_ID}\"\n  organization_id = \"{THEIR_ORG}\"\n}}\n"
            ),
            vec![
                r#"An argument named "organization_id" is not expected here."#,
                r#"The argument "name" is required"#,
            ],
        ),
    ];
    for (block, phrases) in cases {
        let tf = TfDir::with_stand_ins(
            &format!("{}\n{block}", providers(&ours, &theirs)),
            &[THEIRS],
        );
        let errors = validate_errors(&tf);
        let all = flat(
            &errors
                .iter()
                .map(|(summary, detail)| format!("{summary}: {detail}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        for phrase in &phrases {
            assert!(all.contains(&flat(phrase)), "{phrase:?} in {errors:#?}");
        }
        assert!(
            !all.contains("does not support"),
            "no word about providers: {errors:#?}"
        );
        plan_fails_before_any_platform_call(&tf, &ours, &theirs, phrases[0]);
    }
}

#[test]
fn without_a_local_name_anypoint_terraform_wants_hashicorp_anypoint() {
    // Both providers under other local names, and one block that names
    // neither: Terraform takes its type's prefix as a local name nobody
    // declared and looks for `hashicorp/anypoint`.
    let ours = TestEmulator::start();
    let theirs = their_platform();
    let config = providers(&ours, &theirs)
        .replacen("    anypoint = {", "    apc = {", 1)
        .replacen("provider \"anypoint\" {", "provider \"apc\" {", 1)
        + "\nresource \"anypoint_client_application\" \"portal\" {\n  name = \"orders-portal\"\n}\n";
    let tf = TfDir::with_stand_ins(&config, &[THEIRS]);
    let missing = "This configuration requires provider registry.terraform.io/hashicorp/anypoint, \
                   but that provider isn't available.";
    let errors = validate_errors(&tf);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "Missing required provider");
    assert!(flat(&errors[0].1).contains(missing), "{errors:#?}");
    let listed = tf.run(&["providers", "-no-color"]);
    listed.assert_ok();
    assert!(
        listed
            .stdout
            .contains("provider[registry.terraform.io/hashicorp/anypoint]"),
        "{}",
        listed.stdout
    );
    plan_fails_before_any_platform_call(&tf, &ours, &theirs, "hashicorp/anypoint");
    let guide = flat(&guide());
    assert!(
        guide.contains("Error: Missing required provider") && guide.contains(missing),
        "the guide quotes the error"
    );
    assert!(guide.contains("provider[registry.terraform.io/hashicorp/anypoint]"));

    // `provider = mulesoft` with no `mulesoft` in `required_providers`:
    // Terraform takes it for `hashicorp/mulesoft`.
    let config = providers(&ours, &theirs).replacen(
        "    mulesoft = {\n      source  = \"mulesoft-anypoint/anypoint\"\n      version = \"~> 1.8\"\n    }\n",
        "",
        1,
    ) + "\nresource \"anypoint_client_application\" \"portal\" {\n  provider = mulesoft\n  name     = \"orders-portal\"\n}\n";
    assert!(!config.contains("mulesoft-anypoint"), "{config}");
    let tf = TfDir::with_stand_ins(&config, &[THEIRS]);
    let errors = validate_errors(&tf);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].0, "Missing required provider");
    assert!(
        flat(&errors[0].1).contains("requires provider registry.terraform.io/hashicorp/mulesoft"),
        "{errors:#?}"
    );
    plan_fails_before_any_platform_call(&tf, &ours, &theirs, "hashicorp/mulesoft");
    assert!(guide.contains("`hashicorp/mulesoft`"));
}
