//! End-to-end tests of failures around `anypoint_client_application`: a
//! create whose outcome is ambiguous never leaves an
//! application Terraform does not know about, and a failed update leaves the
//! best-known values in state.

use crate::support::*;

fn named(name: &str) -> String {
    format!(
        r#"
resource "anypoint_client_application" "app" {{
  name        = "{name}"
  description = "first"
  grant_types = ["client_credentials"]
}}
"#
    )
}

fn create_path(emu: &TestEmulator) -> String {
    format!(
        "/apiplatform/repository/v2/organizations/{}/applications",
        emu.org_id()
    )
}

/// The emulator holds exactly one application with this name, and it is the
/// one in state, with the platform's client id and secret.
#[track_caller]
fn assert_single_known_app(emu: &TestEmulator, tf: &TfDir, name: &str) -> i64 {
    let same_name: Vec<_> = emu
        .handle
        .applications()
        .into_iter()
        .filter(|a| a["name"] == name)
        .collect();
    assert_eq!(same_name.len(), 1, "exactly one {name:?}: {same_name:?}");
    let remote = &same_name[0];
    let id = state_id(tf, APP);
    assert_eq!(remote["id"].as_i64(), Some(id), "the state holds that one");
    let state = tf.resource_values(APP).unwrap();
    assert_eq!(state["client_id"], remote["clientId"]);
    assert_eq!(state["client_secret"], remote["clientSecret"]);
    id
}

#[test]
fn ambiguous_create_failures_end_with_one_application_in_state() {
    let emu = TestEmulator::start();
    let cases: [(&str, FaultKind); 5] = [
        // The platform created it, then the gateway timed out.
        ("after-504", FaultKind::ProcessThenStatus(504)),
        // The platform created it, then the connection broke.
        ("after-drop", FaultKind::ProcessThenDrop),
        // The platform created it, then answered 500 (not retried).
        ("after-500", FaultKind::ProcessThenStatus(500)),
        // The gateway timed out before the platform saw it: created on retry.
        ("before-504", FaultKind::status(504)),
        // The connection broke before the platform saw it: created on retry.
        ("before-drop", FaultKind::DropBeforeProcessing),
    ];
    for (i, (name, kind)) in cases.into_iter().enumerate() {
        let tf = tf_with_emulator(&emu, &named(name));
        emu.handle
            .push_fault(Fault::on("POST", &create_path(&emu), kind.clone()));
        emu.handle.reset_request_log();
        let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(out.code, 0, "{kind:?}: the create recovers:\n{}", out.all());
        assert_eq!(
            emu.handle.pending_faults(),
            0,
            "{kind:?}: the fault was hit"
        );
        assert_eq!(
            emu.handle.application_count(),
            i + 1,
            "{kind:?}: no duplicate"
        );
        assert_single_known_app(&emu, &tf, name);
        let posts = emu.handle.request_count("POST", &create_path(&emu));
        let expected_posts = match kind {
            FaultKind::Status { .. } | FaultKind::DropBeforeProcessing => 2,
            _ => 1,
        };
        assert_eq!(posts, expected_posts, "{kind:?}: POSTs made");
        assert_plan_empty(&tf, &format!("after the create that hit {kind:?}"));
    }
}

#[test]
fn create_whose_recovery_fails_is_recorded_tainted() {
    let emu = TestEmulator::start();
    let list_path = create_path(&emu);
    let by_id_path = format!("{list_path}/");
    // Each case: the create is carried out but answered with an error, and
    // a request of the client's own recovery (find by name, then read by
    // id) fails with a 500, which is not retried.
    let cases = [
        (
            "read-fails",
            FaultKind::ProcessThenStatus(504),
            by_id_path.clone(),
        ),
        (
            "list-fails",
            FaultKind::ProcessThenStatus(500),
            list_path.clone(),
        ),
    ];
    for (name, post_fault, failing_get) in cases {
        let tf = tf_with_emulator(&emu, &named(name));
        emu.handle
            .push_fault(Fault::on("POST", &list_path, post_fault.clone()));
        if failing_get == list_path {
            // The first list is the provider's look at same-named
            // applications before the create: let it through, and fail the
            // one after the create.
            emu.handle.push_fault(Fault::on(
                "GET",
                &failing_get,
                FaultKind::Delay(std::time::Duration::ZERO),
            ));
        }
        emu.handle
            .push_fault(Fault::on("GET", &failing_get, FaultKind::status(500)));
        let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(
            out.code,
            1,
            "{name}: the apply reports the failure:\n{}",
            out.all()
        );
        let err = flat(&out.stderr);
        assert!(
            err.contains(&format!(
                "Error: Error creating client application \"{name}\""
            )),
            "{name}:\n{}",
            out.stderr
        );
        // Terraform prints warnings on stdout.
        assert!(
            flat(&out.stdout).contains("Warning: Client application created despite the error"),
            "{name}:\n{}",
            out.all()
        );
        assert_eq!(
            emu.handle.pending_faults(),
            0,
            "{name}: both faults were hit"
        );
        // Terraform knows the application: it is in state, tainted.
        assert_eq!(state_list(&tf), vec![APP.to_owned()], "{name}");
        let old_id = assert_single_known_app(&emu, &tf, name);
        let state = tf.state_json();
        let res = &state["values"]["root_module"]["resources"][0];
        assert_eq!(res["tainted"], true, "{name}: {res}");

        // The next apply replaces it: still exactly one application.
        let plan = tf.plan_exit(&[]);
        assert_eq!(plan.code, 2, "{name}:\n{}", plan.all());
        assert!(
            plan.stdout.contains("is tainted, so must be replaced"),
            "{name}:\n{}",
            plan.stdout
        );
        tf.apply();
        let new_id = assert_single_known_app(&emu, &tf, name);
        assert_ne!(new_id, old_id, "{name}: replaced");
        assert!(emu.handle.application(old_id).is_none());
        assert_plan_empty(
            &tf,
            &format!("{name}: after replacing the tainted application"),
        );
    }
    assert_eq!(emu.handle.application_count(), 2);
}

#[test]
fn update_refused_before_processing_keeps_the_old_values() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &named("update-refused"));
    tf.apply();
    let id = state_id(&tf, APP);
    let before = tf.resource_values(APP).unwrap();

    tf.set_config(&emu, &named("update-refused").replace("first", "second"));
    emu.handle.push_fault(Fault::on(
        "PUT",
        &app_api_path(&emu, id),
        FaultKind::status(400),
    ));
    let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let err = flat(&out.stderr);
    assert!(
        err.contains(&format!("Error: Error updating client application {id}")),
        "{}",
        out.stderr
    );
    assert!(err.contains("returned HTTP 400"), "{}", out.stderr);
    assert_eq!(emu.handle.pending_faults(), 0);
    // Nothing changed on the platform, and the state says so.
    assert_eq!(emu.handle.application(id).unwrap()["description"], "first");
    let after = tf.resource_values(APP).unwrap();
    assert_eq!(after["description"], "first");
    assert_eq!(after["client_secret"], before["client_secret"]);
    assert_eq!(after["client_id"], before["client_id"]);
    // So the update is still planned, and goes through once the fault is gone.
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert_eq!(
        changed_attrs(planned_actions(&plan.stdout)),
        ["description".to_owned()].into(),
        "{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(emu.handle.application(id).unwrap()["description"], "second");
    assert_plan_empty(&tf, "after the retried update");
}

#[test]
fn update_applied_then_failed_records_what_the_platform_holds() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &named("update-ambiguous"));
    tf.apply();
    let id = state_id(&tf, APP);
    let before = tf.resource_values(APP).unwrap();

    tf.set_config(&emu, &named("update-ambiguous").replace("first", "second"));
    // The PUT is carried out, then answered 500 (not retried).
    emu.handle.push_fault(Fault::on(
        "PUT",
        &app_api_path(&emu, id),
        FaultKind::ProcessThenStatus(500),
    ));
    let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let err = flat(&out.stderr);
    assert!(
        err.contains(&format!("Error: Error updating client application {id}")),
        "{}",
        out.stderr
    );
    assert!(err.contains("returned HTTP 500"), "{}", out.stderr);
    assert_eq!(emu.handle.application(id).unwrap()["description"], "second");
    let after = tf.resource_values(APP).unwrap();
    assert_eq!(
        after["description"], "second",
        "the state holds the platform's value"
    );
    assert_eq!(after["client_secret"], before["client_secret"]);
    assert_eq!(state_id(&tf, APP), id);
    assert_plan_empty(&tf, "after the update that was applied despite the error");
}

fn rotating(triggers: &str) -> String {
    format!(
        r#"
resource "anypoint_client_application" "app" {{
  name = "rotation-failure"
  secret_rotation_triggers = {{
    rotation = "{triggers}"
  }}
}}
"#
    )
}

#[test]
fn failed_secret_reset_records_whether_the_secret_changed() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &rotating("v1"));
    tf.apply();
    let id = state_id(&tf, APP);
    let reset_path = format!("{}/secret/reset", app_api_path(&emu, id));
    let secret0 = emu.handle.application(id).unwrap()["clientSecret"].clone();

    // Refused before the platform acted: the secret is unchanged, so the
    // rotation is still pending and the next apply makes it.
    tf.set_config(&emu, &rotating("v2"));
    emu.handle
        .push_fault(Fault::on("POST", &reset_path, FaultKind::status(400)));
    let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        flat(&out.stderr).contains(&format!(
            "Error: Error resetting the secret of client application {id}"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(emu.handle.application(id).unwrap()["clientSecret"], secret0);
    let state = tf.resource_values(APP).unwrap();
    assert_eq!(state["client_secret"], secret0);
    assert_eq!(
        state["secret_rotation_triggers"],
        serde_json::json!({"rotation": "v1"})
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(
        plan.code,
        2,
        "the rotation is still planned:\n{}",
        plan.all()
    );
    tf.apply();
    let secret1 = emu.handle.application(id).unwrap()["clientSecret"].clone();
    assert_ne!(secret1, secret0);
    assert_eq!(tf.resource_values(APP).unwrap()["client_secret"], secret1);
    assert_plan_empty(&tf, "after the retried rotation");

    // Carried out, then answered 500: the secret did change. The state
    // holds the new secret and the rotation is done: no second reset.
    tf.set_config(&emu, &rotating("v3"));
    emu.handle.push_fault(Fault::on(
        "POST",
        &reset_path,
        FaultKind::ProcessThenStatus(500),
    ));
    emu.handle.reset_request_log();
    let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        flat(&out.stderr).contains("returned HTTP 500"),
        "{}",
        out.stderr
    );
    assert_eq!(
        emu.handle.request_count("POST", &reset_path),
        1,
        "never repeated"
    );
    let secret2 = emu.handle.application(id).unwrap()["clientSecret"].clone();
    assert_ne!(secret2, secret1, "the reset happened");
    let state = tf.resource_values(APP).unwrap();
    assert_eq!(
        state["client_secret"], secret2,
        "the state holds the platform's secret"
    );
    emu.handle.reset_request_log();
    assert_plan_empty(&tf, "after a rotation that happened despite the error");
    assert_eq!(emu.handle.request_count("POST", &reset_path), 0);
}
