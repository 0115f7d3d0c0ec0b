//! Ids as users write them (case, leading zeros, overflow), `api_endpoints`
//! after an import, and two owners for one user, end to end: the real
//! Terraform CLI, the provider and the in-process emulator.

use crate::support::*;
use anypoint_emulator::DEFAULT_ORG_ID;
use serde_json::json;

// ------------------------------------------------------ UUIDs in any case

/// Changing `org_id` only in case plans no change (UUIDs compare without case).
#[test]
fn org_id_case_change_plans_no_change() {
    let emu = TestEmulator::start();
    let lower = DEFAULT_ORG_ID.to_lowercase();
    let tf = emu.tf(&app_block(
        "app",
        "case-org",
        &format!("  org_id = \"{lower}\"\n"),
    ));
    tf.apply();
    emu.set_config(
        &tf,
        &app_block(
            "app",
            "case-org",
            &format!("  org_id = \"{}\"\n", lower.to_uppercase()),
        ),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        0,
        "a case-only org_id change is no change (exit 0), got exit {}:\n{}",
        plan.code,
        plan.all()
    );
    assert!(
        !plan.stdout.contains("forces replacement"),
        "{}",
        plan.stdout
    );
}

/// An owner created with an uppercase `user_id` is added, and the plan after
/// is empty.
#[test]
fn owner_created_with_uppercase_user_id() {
    let emu = TestEmulator::start();
    let body = format!(
        "{}{}",
        app_block("app", "case-owner", ""),
        owner_block(
            "o",
            "anypoint_client_application.app.id",
            &ALICE.to_uppercase()
        )
    );
    let tf = emu.tf(&body);
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(
        out.code,
        0,
        "the owner with an uppercase user_id is added:\n{}",
        out.all()
    );
    let id: i64 = state_app_ids(&tf)[0].parse().unwrap();
    assert!(
        emu.handle
            .owners(id)
            .iter()
            .any(|o| o.eq_ignore_ascii_case(ALICE)),
        "alice owns the application"
    );
    assert_plan_empty(&tf, "after creating an owner with an uppercase user_id");
}

/// An owner imported with an uppercase `user_id` plans no replacement.
#[test]
fn owner_imported_with_uppercase_user_id_plans_no_replacement() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&app_block("app", "case-import", ""));
    tf.apply();
    let id = state_app_ids(&tf)[0].clone();
    assert!(emu.handle.add_owner(id.parse().unwrap(), ALICE));
    let upper = ALICE.to_uppercase();
    emu.set_config(
        &tf,
        &format!(
            "{}{}import {{\n  to = anypoint_client_application_owner.o\n  id = \"{DEFAULT_ORG_ID}/{id}/{upper}\"\n}}\n",
            app_block("app", "case-import", ""),
            owner_block("o", "anypoint_client_application.app.id", ALICE)
        ),
    );
    let plan = tf.plan_exit(&[]);
    assert!(
        plan.code != 1
            && !plan.stdout.contains("must be replaced")
            && !plan.stdout.contains("forces replacement"),
        "importing with an uppercase user_id plans no replacement:\n{}",
        plan.all()
    );
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_plan_empty(&tf, "after importing an owner with an uppercase user_id");
}

/// An application created with an uppercase `org_id`: the platform gets the
/// canonical (lowercase) id, the apply is consistent, the plan after is
/// empty, and a refresh records the canonical form.
#[test]
fn application_created_with_uppercase_org_id() {
    let emu = TestEmulator::start();
    let upper = DEFAULT_ORG_ID.to_uppercase();
    let tf = emu.tf(&app_block(
        "app",
        "case-upper-org",
        &format!("  org_id = \"{upper}\"\n"),
    ));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_no_provider_bug(&out);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(emu.apps_named("case-upper-org").len(), 1);
    assert!(
        emu.all_requests().iter().all(|r| !r.path.contains(&upper)),
        "the platform gets the lowercase organization id"
    );
    assert_plan_empty(&tf, "after creating with an uppercase org_id");
    let out = tf.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    let state = tf.resource_values(APP).expect("in state");
    assert_eq!(
        state["org_id"], DEFAULT_ORG_ID,
        "recorded in canonical form"
    );
    assert_plan_empty(&tf, "after the refresh");
}

/// An owner whose `user_id` changes only in case plans no change.
#[test]
fn owner_user_id_case_change_plans_no_change() {
    let emu = TestEmulator::start();
    let config = |user: &str| {
        format!(
            "{}{}",
            app_block("app", "case-owner-change", ""),
            owner_block("o", "anypoint_client_application.app.id", user)
        )
    };
    let tf = emu.tf(&config(ALICE));
    tf.apply();
    emu.set_config(&tf, &config(&ALICE.to_uppercase()));
    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        0,
        "a case-only user_id change is no change:\n{}",
        plan.all()
    );
}

/// The application data source with an uppercase `org_id` reads the
/// application and reports the organization in canonical form.
#[test]
fn data_source_with_uppercase_org_id() {
    let emu = TestEmulator::start();
    let created = emu
        .handle
        .create_application(json!({ "name": "ds-case" }))
        .expect("seed an application");
    let id = platform_id(&created);
    let tf = emu.tf(&format!(
        "data \"anypoint_client_application\" \"d\" {{\n  id     = \"{id}\"\n  org_id = \"{}\"\n}}\n\noutput \"org\" {{\n  value = data.anypoint_client_application.d.org_id\n}}\n\noutput \"name\" {{\n  value = data.anypoint_client_application.d.name\n}}\n",
        DEFAULT_ORG_ID.to_uppercase()
    ));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_no_provider_bug(&out);
    assert_eq!(out.code, 0, "{}", out.all());
    let outputs = tf.run(&["output", "-json"]);
    let v: serde_json::Value = serde_json::from_str(&outputs.stdout).expect("output -json");
    assert_eq!(v["name"]["value"], "ds-case");
    assert_eq!(v["org"]["value"], DEFAULT_ORG_ID);
}

// ------------------------------------------- numeric ids out of the usual

/// Either `terraform validate` refuses the value naming `attr` (and no
/// platform call is made), or the apply succeeds and the plan after is
/// empty; never "a bug in the provider".
#[track_caller]
fn refused_at_validate_or_consistent(
    emu: &TestEmulator,
    tf: &TfDir,
    attr: &str,
    must_refuse: bool,
) {
    let before = emu.api_requests();
    let validate = tf.run(&["validate", "-no-color"]);
    if validate.code != 0 {
        assert!(
            validate.all().contains(attr),
            "validate names {attr}:\n{}",
            validate.all()
        );
        assert_eq!(
            emu.api_requests(),
            before,
            "validate calls no platform endpoint"
        );
        return;
    }
    let apply = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_no_provider_bug(&apply);
    assert!(
        !must_refuse,
        "terraform validate accepted a value that cannot be an id ({attr}); the apply said:\n{}",
        apply.all()
    );
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert_plan_empty(tf, "after the normalised id");
}

/// An owner's `application_id` with a leading zero.
#[test]
fn owner_application_id_with_leading_zero() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&app_block("app", "leading-zero", ""));
    tf.apply();
    let id = state_app_ids(&tf)[0].clone();
    emu.set_config(
        &tf,
        &format!(
            "{}{}",
            app_block("app", "leading-zero", ""),
            owner_block("o", &format!("\"0{id}\""), ALICE)
        ),
    );
    refused_at_validate_or_consistent(&emu, &tf, "application_id", false);
}

/// An owner's `application_id` that does not fit a 64-bit integer.
#[test]
fn owner_application_id_overflowing() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&owner_block("o", "\"99999999999999999999999\"", ALICE));
    refused_at_validate_or_consistent(&emu, &tf, "application_id", true);
}

/// The application data source with an id that does not fit a 64-bit integer.
#[test]
fn data_source_id_overflowing() {
    let emu = TestEmulator::start();
    let tf = emu.tf(
        "data \"anypoint_client_application\" \"d\" {\n  id = \"99999999999999999999999\"\n}\n",
    );
    refused_at_validate_or_consistent(&emu, &tf, "id", true);
}

// ----------------------------------------- api_endpoints after an import

/// Importing an application created with `api_endpoints = true` records the
/// configured value without a replacement.
#[test]
fn import_with_api_endpoints_true_plans_no_replacement() {
    let emu = TestEmulator::start();
    let created = emu
        .handle
        .create_application(json!({ "name": "with-endpoints", "apiEndpoints": true }))
        .expect("seed an application");
    let id = platform_id(&created);
    let tf = emu.tf(&format!(
        "{}import {{\n  to = {APP}\n  id = \"{id}\"\n}}\n",
        app_block("app", "with-endpoints", "  api_endpoints = true\n")
    ));
    let plan = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(
        !plan.stdout.contains("forces replacement") && !plan.stdout.contains("must be replaced"),
        "the import plans no replacement:\n{}",
        plan.stdout
    );
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        state_app_ids(&tf),
        vec![id.clone()],
        "the same application is in state"
    );
    assert!(
        emu.handle.application(id.parse().unwrap()).is_some(),
        "not destroyed"
    );
    assert_plan_empty(
        &tf,
        "after importing an application with api_endpoints = true",
    );
}

/// `-generate-config-out` leaves `api_endpoints` out (it cannot be read).
/// Terraform 1.11 writes every optional attribute, null ones as `= null`, so
/// "left out" means: no value is generated for it (absent or `null`, never
/// `false` or `true`). Applying the generated configuration then keeps the
/// application, records nothing for `api_endpoints`, and plans nothing after.
#[test]
fn generated_config_leaves_api_endpoints_out() {
    let emu = TestEmulator::start();
    let created = emu
        .handle
        .create_application(json!({ "name": "generated", "apiEndpoints": true }))
        .expect("seed an application");
    let id = platform_id(&created);
    let tf = emu.tf(&format!("import {{\n  to = {APP}\n  id = \"{id}\"\n}}\n"));
    let out = tf.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=generated.tf",
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    let generated = std::fs::read_to_string(tf.work().join("generated.tf")).expect("generated.tf");
    assert!(generated.contains("name"), "{generated}");
    let endpoints: Vec<&str> = generated
        .lines()
        .filter(|l| l.contains("api_endpoints"))
        .collect();
    assert!(
        endpoints.iter().all(|l| flat(l) == "api_endpoints = null"),
        "generated config must leave api_endpoints out (no value for it):\n{generated}"
    );
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        !out.stdout.contains("forces replacement") && !out.stdout.contains("must be replaced"),
        "{}",
        out.stdout
    );
    assert_eq!(state_app_ids(&tf), vec![id.clone()]);
    let (_, state) = state_resources(&tf)
        .into_iter()
        .find(|(addr, _)| addr == APP)
        .expect("the application in state");
    assert!(
        state["api_endpoints"].is_null(),
        "api_endpoints stays unrecorded: {state}"
    );
    assert_plan_empty(&tf, "after applying the generated configuration");
}

// ---------------------------------------------- two owners for one user

/// Two owner resources for the same user on one application: the plan warns.
#[test]
fn two_owner_resources_for_one_user_warn_at_plan() {
    let emu = TestEmulator::start();
    // The application exists first, so its id is known when the owners plan.
    let tf = emu.tf(&app_block("app", "double-owner", ""));
    tf.apply();
    emu.set_config(
        &tf,
        &format!(
            "{}{}{}",
            app_block("app", "double-owner", ""),
            owner_block("first", "anypoint_client_application.app.id", ALICE),
            owner_block("second", "anypoint_client_application.app.id", ALICE)
        ),
    );
    let plan = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let warned = warnings(&plan);
    assert!(
        warned
            .iter()
            .any(|w| w.contains(ALICE) || w.contains("anypoint_client_application_owner")),
        "the plan warns that two resources manage owner {ALICE} of one application:\n{}",
        plan.all()
    );
}

/// An owner resource in state, and a second one added for the same user:
/// the plan warns (the resource in state is read, then planned, in the same
/// run as the new one).
#[test]
fn second_owner_resource_beside_one_in_state_warns_at_plan() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&format!(
        "{}{}",
        app_block("app", "adopted-owner", ""),
        owner_block("first", "anypoint_client_application.app.id", ALICE)
    ));
    tf.apply();
    emu.set_config(
        &tf,
        &format!(
            "{}{}{}",
            app_block("app", "adopted-owner", ""),
            owner_block("first", "anypoint_client_application.app.id", ALICE),
            owner_block(
                "second",
                "anypoint_client_application.app.id",
                &ALICE.to_uppercase()
            )
        ),
    );
    let plan = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let warned: Vec<String> = warnings(&plan)
        .into_iter()
        .filter(|w| w.starts_with("Two resources manage one owner"))
        .collect();
    assert_eq!(warned.len(), 1, "one warning:\n{}", plan.all());
    assert!(warned[0].contains(ALICE), "{}", warned[0]);
    // Without a second resource: no warning.
    emu.set_config(
        &tf,
        &format!(
            "{}{}",
            app_block("app", "adopted-owner", ""),
            owner_block("first", "anypoint_client_application.app.id", ALICE)
        ),
    );
    let plan = tf.run(&["plan", "-no-color", "-input=false"]);
    assert!(warnings(&plan).is_empty(), "{}", plan.all());
}

/// An owner resource for the Connected App's own user: the plan warns that
/// destroying it may lock the Connected App out.
#[test]
fn owner_for_connected_app_user_warns_at_plan() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&format!(
        "{}{}",
        app_block("app", "self-owner", ""),
        owner_block(
            "me",
            "anypoint_client_application.app.id",
            CONNECTED_APP_USER_ID
        )
    ));
    let plan = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let warned = warnings(&plan);
    assert!(
        warned.iter().any(|w| w.contains("Connected App")),
        "the plan warns about owning with the Connected App's own user:\n{}",
        plan.all()
    );
}
