//! End-to-end tests of the `anypoint_api_instance` and
//! `anypoint_client_application_contracts` data sources, and of the
//! adoption example (`examples/guides/adopt-existing`): one `import` block
//! with `for_each` over `anypoint_client_applications` adopts every
//! pre-seeded application the resource can manage with an empty plan
//! afterwards, and lists the others with their reasons.

use std::path::Path;

use crate::support::*;
use anypoint_emulator::{
    EmulatorConfig, API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS,
    ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM,
    TIER_PAYMENTS_STANDARD,
};
use serde_json::{json, Value};

#[test]
fn api_instance_asset_coordinates_and_tiers_by_name() {
    let emu = TestEmulator::start();
    let org = emu.org_id();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
data "anypoint_api_instance" "orders" {{
  api_instance_id = "{API_INSTANCE_ORDERS}"
  environment_id  = "{ENVIRONMENT_ID}"
}}

data "anypoint_api_instance" "catalog" {{
  api_instance_id = "{API_INSTANCE_CATALOG}"
  environment_id  = "{ENVIRONMENT_ID}"
}}

output "orders" {{
  value = data.anypoint_api_instance.orders
}}

output "catalog_tiers" {{
  value = data.anypoint_api_instance.catalog.tiers
}}

output "gold_tier_id" {{
  value = one([for t in data.anypoint_api_instance.orders.tiers : t.id if t.name == "Gold"])
}}
"#
        ),
    );
    tf.apply();
    let outs = outputs(&tf);
    let orders = &outs["orders"]["value"];
    assert_eq!(orders["api_instance_id"], API_INSTANCE_ORDERS.to_string());
    assert_eq!(orders["environment_id"], ENVIRONMENT_ID);
    assert_eq!(orders["org_id"], org.as_str());
    assert_eq!(orders["asset_group_id"], org.as_str());
    assert_eq!(orders["asset_id"], "orders-api");
    assert_eq!(orders["asset_version"], "1.0.0");
    assert_eq!(orders["product_version"], "v1");
    assert_eq!(orders["asset_version_group"], "v1");
    assert_eq!(orders["instance_label"], "orders-api-v1");
    let tier = |id: i64, name: &str, auto: bool, limits: Value| {
        json!({"id": id.to_string(), "name": name, "auto_approve": auto, "status": "ACTIVE",
               "limits": limits})
    };
    let tiers: Vec<Value> = orders["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            json!({"id": t["id"], "name": t["name"], "auto_approve": t["auto_approve"],
                   "status": t["status"], "limits": t["limits"]})
        })
        .collect();
    let per_minute = |n: i64| json!({"maximum_requests": n, "time_period_in_milliseconds": 60000});
    assert_eq!(
        tiers,
        vec![
            tier(TIER_ORDERS_BRONZE, "Bronze", true, json!([per_minute(100)])),
            tier(TIER_ORDERS_GOLD, "Gold", true, json!([per_minute(1000)])),
            tier(
                TIER_ORDERS_PLATINUM,
                "Platinum",
                false,
                json!([per_minute(10000), {"maximum_requests": 500, "time_period_in_milliseconds": 1000}])
            ),
        ],
        "every tier in id order, with its limits"
    );
    assert!(orders["tiers"][0]["description"].is_string());
    assert_eq!(outs["gold_tier_id"]["value"], TIER_ORDERS_GOLD.to_string());
    assert_eq!(outs["catalog_tiers"]["value"], json!([]));
    assert_plan_empty(&tf, "the instances read again");

    // An instance that does not exist fails the read with the platform's 404.
    tf.set_config(
        &emu,
        &format!(
            "data \"anypoint_api_instance\" \"missing\" {{\n  api_instance_id = \"49999\"\n  environment_id  = \"{ENVIRONMENT_ID}\"\n}}\n"
        ),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let err = flat(&plan.stderr);
    assert!(
        err.contains("Error reading API instance 49999"),
        "{}",
        plan.stderr
    );
    assert!(err.contains("404"), "{}", plan.stderr);

    // A 403 on an organization the Connected App cannot reach: one error,
    // naming the organization and the setting that chose it (the emulator
    // refuses any other organization with 403).
    tf.set_config(
        &emu,
        &format!(
            "data \"anypoint_api_instance\" \"elsewhere\" {{\n  api_instance_id = \"{API_INSTANCE_ORDERS}\"\n  environment_id  = \"{ENVIRONMENT_ID}\"\n  org_id          = \"11111111-2222-4333-8444-555555555555\"\n}}\n"
        ),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let err = flat(&plan.stderr);
    assert_eq!(plan.stderr.matches("Error:").count(), 1, "{}", plan.stderr);
    assert!(
        err.contains("Error reading API instance")
            && err.contains("11111111-2222-4333-8444-555555555555")
            && err.contains("org_id")
            && !err.contains("Application Creator"),
        "{}",
        plan.stderr
    );

    // Bad ids are refused at validate, before any platform call.
    tf.set_config(
        &emu,
        "data \"anypoint_api_instance\" \"bad\" {\n  api_instance_id = \"orders\"\n  environment_id  = \"prod\"\n}\n",
    );
    emu.handle.reset_request_log();
    let out = tf.run(&["validate", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let err = flat(&out.stderr);
    assert!(err.contains("api_instance_id"), "{}", out.stderr);
    assert!(err.contains("environment_id"), "{}", out.stderr);
    assert_eq!(emu.handle.requests().len(), 0);
}

#[test]
fn contracts_of_an_application_with_status_and_tiers() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        admin: true,
        ..Default::default()
    });
    let admin = EmulatorHttp::new(&emu.url);
    let app = emu
        .handle
        .create_application(json!({"name": "with-contracts"}))
        .unwrap();
    let app_id = app["id"].as_i64().unwrap();
    let bare = emu
        .handle
        .create_application(json!({"name": "without-contracts"}))
        .unwrap();
    let bare_id = bare["id"].as_i64().unwrap();
    let approved = admin.admin_ok(
        "POST",
        &format!("/applications/{app_id}/contracts"),
        Some(json!({"apiId": API_INSTANCE_ORDERS, "tierId": TIER_ORDERS_BRONZE})),
    );
    let pending = admin.admin_ok(
        "POST",
        &format!("/applications/{app_id}/contracts"),
        Some(json!({"apiId": API_INSTANCE_PAYMENTS, "tierId": TIER_PAYMENTS_STANDARD})),
    );
    let no_tiers = admin.admin_ok(
        "POST",
        &format!("/applications/{app_id}/contracts"),
        Some(json!({"apiId": API_INSTANCE_CATALOG})),
    );
    let id_of = |c: &Value| c["id"].as_i64().expect("contract id").to_string();
    let (approved, pending, no_tiers) = (id_of(&approved), id_of(&pending), id_of(&no_tiers));

    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
data "anypoint_client_application_contracts" "app" {{
  application_id = "{app_id}"
}}

data "anypoint_client_application_contracts" "bare" {{
  application_id = "{bare_id}"
}}

output "contracts" {{
  value = data.anypoint_client_application_contracts.app.contracts
}}

output "bare" {{
  value = data.anypoint_client_application_contracts.bare
}}
"#
        ),
    );
    tf.apply();
    let outs = outputs(&tf);
    let contract = |id: &str, api: i64, status: &str, tier: Option<i64>, requested: Option<i64>| {
        json!({"id": id, "api_instance_id": api.to_string(), "api_group_instance_id": null,
               "status": status,
               "tier_id": tier.map(|t| t.to_string()),
               "requested_tier_id": requested.map(|t| t.to_string())})
    };
    assert_eq!(
        outs["contracts"]["value"],
        json!([
            contract(
                &approved,
                API_INSTANCE_ORDERS,
                "APPROVED",
                Some(TIER_ORDERS_BRONZE),
                None
            ),
            contract(
                &pending,
                API_INSTANCE_PAYMENTS,
                "PENDING",
                None,
                Some(TIER_PAYMENTS_STANDARD)
            ),
            contract(&no_tiers, API_INSTANCE_CATALOG, "APPROVED", None, None),
        ]),
        "in id order; the pending request shows the tier it asks for"
    );
    assert_eq!(outs["bare"]["value"]["contracts"], json!([]));
    assert_eq!(outs["bare"]["value"]["org_id"], emu.org_id().as_str());
    assert_plan_empty(&tf, "the contracts read again");

    // An approval made outside Terraform shows on the next read.
    admin.admin_ok(
        "POST",
        &format!("/contracts/{pending}/approve"),
        Some(json!({})),
    );
    tf.apply();
    let contracts = outputs(&tf)["contracts"]["value"].clone();
    assert_eq!(
        contracts[1],
        contract(
            &pending,
            API_INSTANCE_PAYMENTS,
            "APPROVED",
            Some(TIER_PAYMENTS_STANDARD),
            None
        )
    );

    // An application that does not exist fails the read.
    tf.set_config(
        &emu,
        "data \"anypoint_client_application_contracts\" \"missing\" {\n  application_id = \"999999\"\n}\n",
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        flat(&plan.stderr).contains("Error listing the contracts of client application 999999"),
        "{}",
        plan.stderr
    );
}

#[test]
fn the_adoption_example_imports_every_listed_application_with_an_empty_plan_after() {
    let emu = TestEmulator::start();
    let seeded: Vec<Value> = [
        json!({
            "name": "legacy-portal",
            "description": "made in the UI",
            "url": "https://portal.example.com",
            "redirectUri": ["https://portal.example.com/cb", "https://portal.example.com/cb2"],
            "grantTypes": ["authorization_code", "refresh_token"],
        }),
        json!({"name": "legacy-batch", "grantTypes": ["client_credentials"]}),
        json!({"name": "legacy-bare"}),
    ]
    .into_iter()
    .map(|body| emu.handle.create_application(body).expect("seed"))
    .collect();

    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/guides/adopt-existing/main.tf"),
    )
    .unwrap();
    // The example takes its credentials from the environment.
    let mut tf = TfDir::new(&example);
    let cfg = emu.config.clone();
    tf.set_env("ANYPOINT_BASE_URL", &emu.url);
    tf.set_env("ANYPOINT_CLIENT_ID", &cfg.client_id);
    tf.set_env("ANYPOINT_CLIENT_SECRET", &cfg.client_secret);

    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "imports are pending:\n{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "only imports, no change to any application:\n{}",
        plan.stdout
    );
    let applied = tf.apply();
    assert!(
        applied
            .stdout
            .contains("3 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.stdout
    );
    assert_plan_empty(&tf, "after adopting the applications");

    for remote in &seeded {
        let id = remote["id"].as_i64().unwrap();
        let address = format!("anypoint_client_application.adopted[\"{id}\"]");
        let values = tf
            .resource_values(&address)
            .unwrap_or_else(|| panic!("{address} is in state"));
        assert_eq!(values["name"], remote["name"]);
        assert_eq!(values["client_id"], remote["clientId"]);
        assert_eq!(values["client_secret"], remote["clientSecret"]);
        assert_eq!(
            sorted_strings(&values["redirect_uris"]),
            sorted_strings(&remote["redirectUri"])
        );
        assert_eq!(
            sorted_strings(&values["grant_types"]),
            sorted_strings(&remote["grantTypes"])
        );
        // The platform still holds what it held: nothing was written.
        let held: Value = ["name", "description", "url", "redirectUri", "grantTypes"]
            .iter()
            .map(|k| (k.to_string(), remote[*k].clone()))
            .collect::<serde_json::Map<_, _>>()
            .into();
        assert_remote_matches(&emu, id, &held);
    }
    assert_eq!(emu.handle.application_count(), 3);
    assert_eq!(
        emu.handle.request_count("PUT", "/apiplatform/"),
        0,
        "adoption changed no application"
    );

    // An application created outside Terraform later is adopted by the next
    // apply, and again nothing else changes.
    let late = emu
        .handle
        .create_application(json!({"name": "legacy-late", "url": "https://late.example.com"}))
        .unwrap();
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    tf.apply();
    assert_plan_empty(&tf, "after adopting a late application");
    let late_id = late["id"].as_i64().unwrap();
    assert!(tf
        .resource_values(&format!(
            "anypoint_client_application.adopted[\"{late_id}\"]"
        ))
        .is_some());
}

/// An organization where some applications hold what the resource refuses:
/// the example imports exactly the manageable ones with an empty plan after,
/// and lists the others with the resource's own reasons.
#[test]
fn the_adoption_example_adopts_the_manageable_applications_and_lists_the_others() {
    let emu = TestEmulator::start();
    let seed = |body: Value| {
        emu.handle.create_application(body).expect("seed")["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let good = [
        seed(
            json!({"name": "fine-portal", "url": "https://portal.example.com",
            "redirectUri": ["https://portal.example.com/cb"],
            "grantTypes": ["authorization_code", "refresh_token"]}),
        ),
        seed(json!({"name": "fine-batch", "grantTypes": ["client_credentials"]})),
    ];
    let bad = [
        (
            seed(json!({"name": "trailing-space "})),
            "must not start or end with a space",
        ),
        (
            seed(json!({"name": "fragment",
                "redirectUri": ["https://spa.example.com/cb#token"]})),
            "fragment",
        ),
        (
            seed(json!({"name": "refresh-only", "grantTypes": ["refresh_token"]})),
            "requires \"authorization_code\"",
        ),
    ];

    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/guides/adopt-existing/main.tf"),
    )
    .unwrap();
    let mut tf = TfDir::new(&example);
    let cfg = emu.config.clone();
    tf.set_env("ANYPOINT_BASE_URL", &emu.url);
    tf.set_env("ANYPOINT_CLIENT_ID", &cfg.client_id);
    tf.set_env("ANYPOINT_CLIENT_SECRET", &cfg.client_secret);

    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "imports are pending:\n{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "only the manageable applications are imported:\n{}",
        plan.stdout
    );
    let applied = tf.apply();
    assert!(
        applied
            .stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.stdout
    );
    // The check block warns about each application left out.
    let warned = flat(&applied.all());
    for (id, _) in &bad {
        assert!(warned.contains(&format!("({id})")), "{warned}");
    }
    assert_plan_empty(&tf, "after adopting the manageable applications");

    let adopted: Vec<String> = state_list(&tf)
        .into_iter()
        .filter(|a| a.starts_with("anypoint_client_application.adopted"))
        .collect();
    let mut expected: Vec<String> = good
        .iter()
        .map(|id| format!("anypoint_client_application.adopted[\"{id}\"]"))
        .collect();
    expected.sort();
    let mut adopted_sorted = adopted.clone();
    adopted_sorted.sort();
    assert_eq!(adopted_sorted, expected);

    let not_adopted = &outputs(&tf)["not_adopted"]["value"];
    assert_eq!(
        not_adopted.as_object().map(|m| m.len()),
        Some(bad.len()),
        "{not_adopted:#}"
    );
    for (id, says) in &bad {
        let entry = &not_adopted[id.as_str()];
        let problems: Vec<&str> = entry["problems"]
            .as_array()
            .unwrap_or_else(|| panic!("{id} is listed: {not_adopted:#}"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            problems.iter().any(|p| p.contains(says)),
            "{id}: {says:?} in {problems:?}"
        );
    }
    assert_eq!(emu.handle.application_count(), 5);
    assert_eq!(
        emu.handle.request_count("PUT", "/apiplatform/"),
        0,
        "adoption changed no application"
    );
}

#[test]
fn the_application_list_is_completed_by_reads_and_never_trusted_as_complete() {
    use anypoint_emulator::{Fault, FaultKind};
    let emu = TestEmulator::start();
    let org = emu.org_id();
    let full = emu
        .handle
        .create_application(json!({
            "name": "list-full",
            "redirectUri": ["https://full.example.com/cb"],
            "grantTypes": ["authorization_code"],
        }))
        .unwrap();
    let vanishing = emu
        .handle
        .create_application(json!({"name": "list-vanishing"}))
        .unwrap();
    let tf = tf_with_emulator(
        &emu,
        r#"
data "anypoint_client_applications" "all" {}

output "apps" {
  value = data.anypoint_client_applications.all.applications
}
"#,
    );
    // The list shows both; the read of one answers 404 (deleted in between):
    // it is left out, the other is complete.
    let app_path = |app: &Value| {
        format!(
            "/organizations/{org}/applications/{}",
            app["id"].as_i64().unwrap()
        )
    };
    emu.handle.push_fault(Fault::on(
        "GET",
        &app_path(&vanishing),
        FaultKind::status(404),
    ));
    tf.apply();
    let apps = outputs(&tf)["apps"]["value"].clone();
    assert_eq!(
        apps,
        json!([{
            "id": full["id"].as_i64().unwrap().to_string(),
            "name": "list-full",
            "description": null,
            "url": null,
            "redirect_uris": ["https://full.example.com/cb"],
            "grant_types": ["authorization_code"],
            "client_id": full["clientId"],
            "manageable": true,
            "problems": [],
        }]),
        "one read per listed application; the one gone (404) is left out"
    );
    assert_eq!(emu.handle.pending_faults(), 0);

    // Any other failure of a read fails the data source, naming the application.
    emu.handle
        .push_fault(Fault::on("GET", &app_path(&full), FaultKind::status(403)));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let err = flat(&plan.stderr);
    assert!(
        err.contains(&format!(
            "Error reading client application {}, which the list shows",
            full["id"].as_i64().unwrap()
        )),
        "{}",
        plan.stderr
    );

    // An empty list (as a Connected App without the needed scopes may get)
    // comes with a warning that says so.
    emu.handle.push_fault(Fault::on(
        "GET",
        &format!("/organizations/{org}/applications"),
        FaultKind::Respond {
            status: 200,
            body: r#"{"applications":[],"total":0}"#.to_owned(),
        },
    ));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "the output changes to empty:\n{}", plan.all());
    let text = flat(&plan.all());
    assert!(
        text.contains("The platform listed no client applications"),
        "{}",
        plan.all()
    );
    assert!(text.contains("check its scopes"), "{}", plan.all());
}

#[test]
fn api_instance_ids_in_upper_case_are_sent_in_lower_case_and_kept_as_written() {
    let emu = TestEmulator::start();
    let (env, org) = (ENVIRONMENT_ID.to_uppercase(), emu.org_id().to_uppercase());
    let tf = tf_with_emulator(
        &emu,
        &format!(
            "data \"anypoint_api_instance\" \"orders\" {{\n  api_instance_id = \"{API_INSTANCE_ORDERS}\"\n  environment_id  = \"{env}\"\n  org_id          = \"{org}\"\n}}\n\noutput \"orders\" {{\n  value = data.anypoint_api_instance.orders\n}}\n"
        ),
    );
    tf.apply();
    let outs = outputs(&tf);
    let orders = &outs["orders"]["value"];
    assert_eq!(orders["asset_id"], "orders-api");
    assert_eq!(orders["environment_id"], env.as_str());
    assert_eq!(orders["org_id"], org.as_str());
}
