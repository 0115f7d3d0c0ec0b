//! End-to-end tests of `anypoint_client_application`: the real Terraform CLI,
//! our provider binary and the in-process emulator. Each test asserts what a
//! user sees (plan exit codes, plan text, diagnostics) and what the platform
//! (the emulator) holds.
//!
//! Covered here: clean plans after apply, drift, and secret rotation. Import,
//! failures and the data sources are in the sibling `application_*` and
//! `failed_platform_calls` modules.

use crate::support::*;
use serde_json::json;

// ------------------------------------------------- clean plans after apply

#[test]
fn every_attribute_applies_and_plans_clean() {
    let emu = TestEmulator::start();
    let org = emu.org_id();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
resource "anypoint_client_application" "app" {{
  org_id          = "{org}"
  api_instance_id = "40001"
  name            = "full-app"
  description     = "Every attribute set"
  url             = "https://full.example.com/home"
  redirect_uris   = ["https://full.example.com/cb", "https://full.example.com/cb2"]
  grant_types     = ["refresh_token", "authorization_code", "client_credentials"]
  api_endpoints   = true
  secret_rotation_triggers = {{
    rotated = "2024-01"
  }}
}}
"#
        ),
    );
    let out = tf.apply();
    assert!(
        out.stdout.contains("1 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(emu.handle.application_count(), 1);

    let state = tf
        .resource_values(APP)
        .expect("the application is in state");
    let id = state_id(&tf, APP);
    let remote = emu.handle.application(id).expect("the emulator has it");
    assert_eq!(remote["name"], "full-app");
    assert_eq!(remote["description"], "Every attribute set");
    assert_eq!(remote["url"], "https://full.example.com/home");
    assert_eq!(
        sorted_strings(&remote["redirectUri"]),
        [
            "https://full.example.com/cb",
            "https://full.example.com/cb2"
        ]
    );
    assert_eq!(
        sorted_strings(&remote["grantTypes"]),
        ["authorization_code", "client_credentials", "refresh_token"]
    );
    // The state mirrors the platform, plus the inputs it does not report.
    assert_eq!(state["org_id"], org.as_str());
    assert_eq!(state["api_instance_id"], "40001");
    assert_eq!(state["api_endpoints"], true);
    assert_eq!(
        state["secret_rotation_triggers"],
        json!({"rotated": "2024-01"})
    );
    assert_eq!(state["client_id"], remote["clientId"]);
    assert_eq!(state["client_secret"], remote["clientSecret"]);
    let created = state["created_at"].as_str().expect("created_at is set");
    assert!(
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "created_at {created:?} is RFC 3339"
    );

    assert_plan_empty(&tf, "after creating with every attribute");
}

#[test]
fn name_only_applies_and_plans_clean() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name = "just-a-name"
}
"#,
    );
    tf.apply();
    let state = tf.resource_values(APP).unwrap();
    for attr in [
        "description",
        "url",
        "redirect_uris",
        "grant_types",
        "api_instance_id",
        "secret_rotation_triggers",
    ] {
        assert!(state[attr].is_null(), "{attr} stays null: {state}");
    }
    assert_eq!(state["api_endpoints"], false);
    assert_eq!(state["org_id"], emu.org_id().as_str());
    assert_plan_empty(&tf, "after creating with only a name");
}

#[test]
fn empty_strings_and_empty_sets_do_not_diff() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name          = "empties"
  description   = ""
  redirect_uris = []
  grant_types   = []
}
"#,
    );
    tf.apply();
    let id = state_id(&tf, APP);
    // The platform stores "" as null and reports [] for no URIs.
    let remote = emu.handle.application(id).unwrap();
    assert!(remote["description"].is_null(), "{remote}");
    assert_eq!(remote["redirectUri"], json!([]));
    let state = tf.resource_values(APP).unwrap();
    assert_eq!(state["description"], "");
    assert_eq!(state["redirect_uris"], json!([]));
    assert_plan_empty(&tf, "after creating with \"\" and []");
    // The same application written with nulls: a real change in Terraform's
    // eyes (the values differ), but nothing to send; it must converge.
    tf.set_config(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name = "empties"
}
"#,
    );
    let out = tf.apply();
    assert!(out.stdout.contains("0 added"), "{}", out.all());
    assert_eq!(state_id(&tf, APP), id, "not replaced");
    assert_plan_empty(&tf, "after dropping the empty values");
}

#[test]
fn reordered_set_elements_do_not_diff() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name          = "ordering"
  redirect_uris = ["https://z.example.com/cb", "https://a.example.com/cb", "https://m.example.com/cb"]
  grant_types   = ["refresh_token", "authorization_code", "password"]
}
"#,
    );
    tf.apply();
    assert_plan_empty(&tf, "after create");
    tf.set_config(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name          = "ordering"
  redirect_uris = ["https://m.example.com/cb", "https://z.example.com/cb", "https://a.example.com/cb"]
  grant_types   = ["password", "authorization_code", "refresh_token"]
}
"#,
    );
    assert_plan_empty(
        &tf,
        "after reordering the set elements in the configuration",
    );
    // The platform reporting its own order is no change either.
    let id = state_id(&tf, APP);
    assert!(emu.handle.update_application(
        id,
        json!({
            "redirectUri": ["https://a.example.com/cb", "https://m.example.com/cb", "https://z.example.com/cb"],
            "grantTypes": ["authorization_code", "password", "refresh_token"]
        })
    ));
    assert_plan_empty(&tf, "after the platform reordered the elements");
}

// ------------------------------------------------------------------ drift

const DRIFT_CONFIG: &str = r#"
resource "anypoint_client_application" "app" {
  name          = "drift-target"
  description   = "managed by terraform"
  url           = "https://drift.example.com"
  redirect_uris = ["https://drift.example.com/callback"]
  grant_types   = ["client_credentials"]
}
"#;

#[test]
fn drift_of_each_attribute_is_an_in_place_update_that_apply_reverts() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, DRIFT_CONFIG);
    tf.apply();
    let id = state_id(&tf, APP);
    let client_id = tf.resource_values(APP).unwrap()["client_id"].clone();
    let wanted = json!({
        "name": "drift-target",
        "description": "managed by terraform",
        "url": "https://drift.example.com",
        "redirectUri": ["https://drift.example.com/callback"],
        "grantTypes": ["client_credentials"],
    });
    assert_remote_matches(&emu, id, &wanted);

    let cases = [
        ("name", json!({"name": "renamed-in-the-ui"})),
        ("description", json!({"description": "edited in the UI"})),
        ("description", json!({"description": null})),
        ("url", json!({"url": "https://elsewhere.example.com"})),
        (
            "redirect_uris",
            json!({"redirectUri": ["https://drift.example.com/callback", "https://elsewhere.example.com/cb"]}),
        ),
        ("redirect_uris", json!({"redirectUri": []})),
        (
            "grant_types",
            json!({"grantTypes": ["client_credentials", "password"]}),
        ),
    ];
    for (attr, patch) in cases {
        assert!(
            emu.handle.update_application(id, patch.clone()),
            "emulator accepts {patch}"
        );
        let plan = tf.plan_exit(&[]);
        assert_eq!(
            plan.code,
            2,
            "drift {patch}: plan shows changes:\n{}",
            plan.all()
        );
        assert!(
            plan.stdout
                .contains("anypoint_client_application.app will be updated in-place"),
            "drift {patch}:\n{}",
            plan.stdout
        );
        assert!(
            plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
            "drift {patch}:\n{}",
            plan.stdout
        );
        assert_eq!(
            changed_attrs(planned_actions(&plan.stdout)),
            [attr.to_owned()].into(),
            "drift {patch}: only {attr} changes:\n{}",
            plan.stdout
        );

        let refresh = tf.plan_exit(&["-refresh-only"]);
        assert_eq!(refresh.code, 2, "drift {patch}:\n{}", refresh.all());
        assert!(
            refresh
                .stdout
                .contains("Objects have changed outside of Terraform"),
            "drift {patch}:\n{}",
            refresh.stdout
        );
        assert!(
            refresh
                .stdout
                .contains("anypoint_client_application.app has changed"),
            "drift {patch}:\n{}",
            refresh.stdout
        );
        assert!(
            changed_attrs(&refresh.stdout).contains(attr),
            "drift {patch}: refresh-only names {attr}:\n{}",
            refresh.stdout
        );

        let out = tf.apply();
        assert!(
            out.stdout.contains("0 added, 1 changed, 0 destroyed"),
            "{}",
            out.all()
        );
        assert_remote_matches(&emu, id, &wanted);
        assert_eq!(emu.handle.application_count(), 1);
    }
    let state = tf.resource_values(APP).unwrap();
    assert_eq!(state["client_id"], client_id, "the client id stays");
    assert_plan_empty(&tf, "after reverting every drift");
}

#[test]
fn application_deleted_outside_terraform_is_planned_for_creation() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, DRIFT_CONFIG);
    tf.apply();
    let old_id = state_id(&tf, APP);
    assert!(emu.handle.delete_application(old_id));

    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("anypoint_client_application.app will be created"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );

    let refresh = tf.plan_exit(&["-refresh-only"]);
    assert_eq!(refresh.code, 2, "{}", refresh.all());
    assert!(
        refresh
            .stdout
            .contains("Objects have changed outside of Terraform"),
        "{}",
        refresh.stdout
    );
    assert!(
        refresh
            .stdout
            .contains("anypoint_client_application.app has been deleted"),
        "{}",
        refresh.stdout
    );

    // Accepting the refresh drops the application from state.
    tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .assert_ok();
    assert!(state_list(&tf).is_empty(), "the 404 left state");

    tf.apply();
    assert_eq!(emu.handle.application_count(), 1);
    let new_id = state_id(&tf, APP);
    assert_ne!(new_id, old_id, "a new application");
    assert_eq!(
        emu.handle.application(new_id).unwrap()["name"],
        "drift-target"
    );
    assert_plan_empty(&tf, "after re-creating");
}

#[test]
fn read_errors_other_than_404_fail_the_plan_and_keep_the_state() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, DRIFT_CONFIG);
    tf.apply();
    let id = state_id(&tf, APP);
    let app_path = app_api_path(&emu, id);

    // 500 and 403 are not transient (one attempt); 502 is retried
    // (max_retries = 3 in the provider block: 4 attempts).
    for (status, attempts) in [(500u16, 1usize), (403, 1), (502, 4)] {
        // More faults than attempts: every attempt of both commands fails.
        for _ in 0..12 {
            emu.handle
                .push_fault(Fault::on("GET", &app_path, FaultKind::status(status)));
        }
        emu.handle.reset_request_log();
        let plan = tf.plan_exit(&[]);
        assert_eq!(
            plan.code,
            1,
            "GET {status}: the plan fails:\n{}",
            plan.all()
        );
        let err = flat(&plan.stderr);
        assert!(
            err.contains(&format!("Error: Error reading client application {id}")),
            "GET {status}:\n{}",
            plan.stderr
        );
        assert!(
            err.contains(&format!("returned HTTP {status}")),
            "GET {status}:\n{}",
            plan.stderr
        );
        if status == 403 {
            assert!(err.contains("Hint:"), "{}", plan.stderr);
        }
        assert!(
            !plan.stdout.contains("will be created"),
            "GET {status}: not planned for creation:\n{}",
            plan.stdout
        );
        assert_eq!(
            emu.handle.request_count("GET", &app_path),
            attempts,
            "GET {status}: attempts made by one read"
        );
        // A refresh that writes state keeps the resource too.
        let refresh = tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
        assert_eq!(refresh.code, 1, "GET {status}:\n{}", refresh.all());
        assert!(
            flat(&refresh.stderr).contains(&format!("returned HTTP {status}")),
            "GET {status}:\n{}",
            refresh.stderr
        );
        emu.handle.clear_faults();

        assert_eq!(state_list(&tf), vec![APP.to_owned()], "GET {status}");
        assert_eq!(state_id(&tf, APP), id);
        assert_eq!(emu.handle.application_count(), 1);
        assert_plan_empty(&tf, &format!("after the GET {status} faults are gone"));
    }
}

// -------------------------------------------------------- secret rotation

const RESET_PATH_SUFFIX: &str = "/secret/reset";

fn rotation_config(name: &str, triggers: Option<&str>) -> String {
    let triggers = match triggers {
        Some(v) => format!("  secret_rotation_triggers = {{\n    rotation = \"{v}\"\n  }}\n"),
        None => String::new(),
    };
    format!(
        "resource \"anypoint_client_application\" \"app\" {{\n  name = \"{name}\"\n{triggers}}}\n"
    )
}

#[test]
fn changing_rotation_triggers_resets_the_secret_and_nothing_else_does() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &rotation_config("rotating", None));
    tf.apply();
    let id = state_id(&tf, APP);
    let first = tf.resource_values(APP).unwrap();
    let client_id = first["client_id"].as_str().unwrap().to_owned();
    let secret0 = first["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        emu.handle.application(id).unwrap()["clientSecret"],
        secret0.as_str()
    );

    // Adding triggers where there were none only records them.
    emu.handle.reset_request_log();
    tf.set_config(&emu, &rotation_config("rotating", Some("v1")));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["secret_rotation_triggers".to_owned()].into(),
        "{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_eq!(
        tf.resource_values(APP).unwrap()["client_secret"],
        secret0.as_str()
    );
    assert_plan_empty(&tf, "after recording the first triggers");

    // Changing them rotates the secret, in place.
    tf.set_config(&emu, &rotation_config("rotating", Some("v2")));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("anypoint_client_application.app will be updated in-place"),
        "{}",
        plan.stdout
    );
    let actions = planned_actions(&plan.stdout);
    assert_eq!(
        changed_attrs(actions),
        [
            "client_secret".to_owned(),
            "secret_rotation_triggers".to_owned()
        ]
        .into(),
        "{}",
        plan.stdout
    );
    assert!(
        actions.lines().any(
            |l| l.trim() == "~ client_secret            = (sensitive value)"
                || (l.trim().starts_with("~ client_secret") && l.contains("(sensitive value)"))
        ),
        "the secret shows as a sensitive change:\n{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains(&secret0), "the secret never shows");
    // The machine-readable plan: the secret is unknown, the rest is kept.
    let json_plan = plan_json(&tf);
    let change = &json_plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["update"]));
    assert_eq!(change["after_unknown"]["client_secret"], true, "{change}");
    assert_eq!(change["after"]["client_id"], client_id.as_str());
    assert!(change["after_unknown"]
        .get("client_id")
        .is_none_or(|v| v == false));

    emu.handle.reset_request_log();
    let out = tf.apply();
    assert!(
        out.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(
        emu.handle.request_count(
            "POST",
            &format!("{}{RESET_PATH_SUFFIX}", app_api_path(&emu, id))
        ),
        1,
        "one reset"
    );
    assert_eq!(
        emu.handle.request_count("PUT", "/apiplatform"),
        0,
        "nothing else changed"
    );
    let after = tf.resource_values(APP).unwrap();
    let secret1 = after["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(secret1, secret0, "a new secret");
    assert_eq!(
        emu.handle.application(id).unwrap()["clientSecret"],
        secret1.as_str(),
        "the state holds the platform's new secret"
    );
    assert_eq!(
        after["client_id"],
        client_id.as_str(),
        "the client id stays"
    );
    assert_eq!(state_id(&tf, APP), id, "not replaced");
    assert_plan_empty(&tf, "after the rotation");

    // Renaming never resets the secret.
    emu.handle.reset_request_log();
    tf.set_config(&emu, &rotation_config("rotating-renamed", Some("v2")));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["name".to_owned()].into(),
        "{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(
        emu.handle.application(id).unwrap()["name"],
        "rotating-renamed"
    );
    assert_eq!(
        emu.handle.application(id).unwrap()["clientSecret"],
        secret1.as_str()
    );
    assert_eq!(
        tf.resource_values(APP).unwrap()["client_secret"],
        secret1.as_str()
    );
    assert_eq!(
        emu.handle.request_count("POST", "/apiplatform"),
        0,
        "no secret reset: {:?}",
        emu.handle.requests()
    );
    assert_plan_empty(&tf, "after the rename");

    // Removing the triggers stops managing rotation; it does not rotate.
    emu.handle.reset_request_log();
    tf.set_config(&emu, &rotation_config("rotating-renamed", None));
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["secret_rotation_triggers".to_owned()].into(),
        "{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(emu.handle.request_count("POST", "/apiplatform"), 0);
    assert_eq!(
        emu.handle.application(id).unwrap()["clientSecret"],
        secret1.as_str()
    );
    assert_plan_empty(&tf, "after removing the triggers");
}

// ------------------------------------------------------ saved plans

#[test]
fn a_saved_plan_applies_after_the_secret_was_reset_outside_terraform() {
    let emu = TestEmulator::start();
    let app = |description: &str| {
        format!(
            "resource \"anypoint_client_application\" \"app\" {{\n  name        = \"saved-plan\"\n  description = \"{description}\"\n}}\n"
        )
    };
    let tf = tf_with_emulator(&emu, &app("first"));
    tf.apply();
    let id = state_id(&tf, APP);
    tf.set_config(&emu, &app("second"));
    tf.run(&["plan", "-out=review.tfplan", "-no-color", "-input=false"])
        .assert_ok();
    reset_secret_outside(&emu, id);
    let out = tf.run(&["apply", "-no-color", "-input=false", "review.tfplan"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(emu.handle.application(id).unwrap()["description"], "second");
    // The next refresh records the platform's secret.
    let secret = emu.handle.application(id).unwrap()["clientSecret"].clone();
    tf.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ])
    .assert_ok();
    assert_eq!(tf.resource_values(APP).unwrap()["client_secret"], secret);
    assert_plan_empty(&tf, "after the saved plan");
}
