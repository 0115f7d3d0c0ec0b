//! End-to-end tests of `anypoint_client_application_owner`: the real
//! Terraform CLI, our provider and the in-process emulator.

/// The Connected App's user, first owner of every application it creates.
use anypoint_emulator::CONNECTED_APP_USER_ID as ADMIN;

use crate::support::*;

const APP: &str = r#"
resource "anypoint_client_application" "demo" {
  name = "owners-demo"
}
"#;

/// The application plus one owner resource per (name, user id).
fn app_with_owners(owners: &[(&str, &str)]) -> String {
    let mut hcl = APP.to_owned();
    for (name, user) in owners {
        hcl.push_str(&format!(
            "\nresource \"anypoint_client_application_owner\" \"{name}\" {{\n  application_id = anypoint_client_application.demo.id\n  user_id        = \"{user}\"\n}}\n"
        ));
    }
    hcl
}

/// The application id Terraform recorded for `anypoint_client_application.demo`.
#[track_caller]
fn app_id(tf: &TfDir) -> i64 {
    state_id(tf, "anypoint_client_application.demo")
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn owned(ids: &[&str]) -> Vec<String> {
    sorted(ids.iter().map(|s| s.to_string()).collect())
}

#[track_caller]
fn destroy(tf: &TfDir, extra: &[&str]) -> TfOutput {
    let mut args = vec!["destroy", "-auto-approve", "-no-color", "-input=false"];
    args.extend_from_slice(extra);
    let out = tf.run(&args);
    out.assert_ok();
    out
}

fn owners_path(emu: &TestEmulator, app: i64) -> String {
    format!(
        "/apiplatform/repository/v2/organizations/{}/applications/{app}/owners",
        emu.org_id()
    )
}

#[test]
fn application_and_two_owners_in_one_apply() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    let out = tf.apply();
    assert!(
        out.stdout.contains("3 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    let id = app_id(&tf);
    assert_eq!(
        sorted(emu.handle.owners(id)),
        owned(&[ADMIN, ALICE, BOB]),
        "the Connected App's user plus alice and bob"
    );
    assert_eq!(emu.handle.connected_app_user_id(), ADMIN);

    let alice = tf
        .resource_values("anypoint_client_application_owner.alice")
        .unwrap();
    assert_eq!(alice["username"], "alice");
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(alice["user_id"], ALICE);
    assert_eq!(alice["application_id"], id.to_string());
    assert_eq!(alice["org_id"], emu.org_id());
    assert_eq!(alice["id"], format!("{}/{id}/{ALICE}", emu.org_id()));
    let bob = tf
        .resource_values("anypoint_client_application_owner.bob")
        .unwrap();
    assert_eq!(bob["username"], "bob");
    assert_eq!(bob["email"], "bob@example.com");

    // The Connected App's own ownership causes no diff.
    assert_plan_empty(&tf, "after creating the application and two owners");

    destroy(&tf, &[]);
    assert_eq!(emu.handle.application_count(), 0);
}

#[test]
fn five_owners_of_one_application_with_for_each() {
    let emu = TestEmulator::start();
    let hcl = format!(
        r#"{APP}
locals {{
  users = {{
    alice = "{ALICE}"
    bob   = "{BOB}"
    carol = "{CAROL}"
    dave  = "{DAVE}"
    erin  = "{ERIN}"
  }}
}}

resource "anypoint_client_application_owner" "team" {{
  for_each       = local.users
  application_id = anypoint_client_application.demo.id
  user_id        = each.value
}}
"#
    );
    let tf = tf_with_emulator(&emu, &hcl);
    let out = tf.apply();
    assert!(
        out.stdout.contains("6 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    let id = app_id(&tf);
    assert_eq!(
        sorted(emu.handle.owners(id)),
        owned(&[ADMIN, ALICE, BOB, CAROL, DAVE, ERIN])
    );
    for name in ["alice", "bob", "carol", "dave", "erin"] {
        let v = tf
            .resource_values(&format!(
                "anypoint_client_application_owner.team[\"{name}\"]"
            ))
            .unwrap_or_else(|| panic!("owner {name} in state"));
        assert_eq!(v["username"], name);
        assert_eq!(v["email"], format!("{name}@example.com"));
    }
    assert_plan_empty(&tf, "after adding five owners");

    destroy(&tf, &[]);
    assert_eq!(emu.handle.application_count(), 0);
}

#[test]
fn owner_removed_outside_terraform_is_planned_for_re_adding() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.remove_owner(id, ALICE));
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, BOB]));

    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "plan has changes:\n{}", plan.all());
    assert!(
        plan.stdout
            .contains("# anypoint_client_application_owner.alice will be created"),
        "{}",
        plan.all()
    );
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.all()
    );
    assert!(
        !plan
            .stdout
            .contains("anypoint_client_application_owner.bob will"),
        "bob is untouched:\n{}",
        plan.all()
    );

    let refresh = tf.plan_exit(&["-refresh-only"]);
    assert_eq!(
        refresh.code,
        2,
        "refresh-only reports drift:\n{}",
        refresh.all()
    );
    assert!(
        refresh
            .stdout
            .contains("Objects have changed outside of Terraform"),
        "{}",
        refresh.all()
    );
    assert!(
        refresh
            .stdout
            .contains("# anypoint_client_application_owner.alice has been deleted"),
        "{}",
        refresh.all()
    );
    // A refresh-only plan changes nothing on the platform.
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, BOB]));

    let out = tf.apply();
    assert!(
        out.stdout.contains("1 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, ALICE, BOB]));
    let alice = tf
        .resource_values("anypoint_client_application_owner.alice")
        .unwrap();
    assert_eq!(alice["username"], "alice");
    assert_plan_empty(&tf, "after re-adding alice");
}

#[test]
fn adding_an_existing_owner_adopts_it_with_a_warning() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, APP);
    tf.apply();
    let id = app_id(&tf);
    assert!(
        emu.handle.add_owner(id, ALICE),
        "alice added behind Terraform's back"
    );

    tf.set_config(&emu, &app_with_owners(&[("alice", ALICE)]));
    let out = tf.apply();
    assert!(
        out.all().contains("User is already an owner"),
        "the warning is shown:\n{}",
        out.all()
    );
    assert!(
        out.stdout.contains("1 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, ALICE]));
    let alice = tf
        .resource_values("anypoint_client_application_owner.alice")
        .expect("the adopted owner is in state");
    assert_eq!(alice["username"], "alice");
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(alice["id"], format!("{}/{id}/{ALICE}", emu.org_id()));
    assert_plan_empty(&tf, "after adopting alice");

    // Terraform now manages the ownership: destroying the resource removes it.
    tf.set_config(&emu, APP);
    let out = tf.apply();
    assert!(
        out.stdout.contains("0 added, 0 changed, 1 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(emu.handle.owners(id), vec![ADMIN.to_owned()]);
}

#[test]
fn destroying_an_owner_already_removed_outside_terraform_succeeds() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    tf.apply();
    let id = app_id(&tf);

    // With a refresh, Terraform forgets the vanished owner and destroys the rest.
    assert!(emu.handle.remove_owner(id, ALICE));
    destroy(&tf, &[]);
    assert_eq!(emu.handle.application_count(), 0);
    let state = tf.state_json();
    assert!(
        state["values"]["root_module"]["resources"].is_null()
            || state["values"]["root_module"]["resources"]
                .as_array()
                .unwrap()
                .is_empty(),
        "state is empty: {state}"
    );
}

#[test]
fn deleting_an_owner_that_answers_not_found_succeeds() {
    // Without a refresh, the provider's delete itself meets the 404.
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE)]));
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.remove_owner(id, ALICE));
    emu.handle.reset_request_log();

    tf.set_config(&emu, APP);
    let out = tf.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-refresh=false",
    ]);
    out.assert_ok();
    assert!(
        out.stdout.contains("0 added, 0 changed, 1 destroyed"),
        "{}",
        out.all()
    );
    let deletes: Vec<_> = emu
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path == format!("{}/{ALICE}", owners_path(&emu, id)))
        .collect();
    assert!(
        !deletes.is_empty() && deletes.iter().all(|r| r.status == 404),
        "the provider tried the removal and met 404: {deletes:?}"
    );
    assert!(tf
        .resource_values("anypoint_client_application_owner.alice")
        .is_none());
    assert_eq!(emu.handle.owners(id), vec![ADMIN.to_owned()]);
    assert_plan_empty(&tf, "after removing the already-gone owner");
}

#[test]
fn destroying_owners_of_an_application_deleted_outside_terraform_succeeds() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.delete_application(id));
    assert_eq!(emu.handle.application_count(), 0);

    destroy(&tf, &[]);
    for addr in [
        "anypoint_client_application.demo",
        "anypoint_client_application_owner.alice",
        "anypoint_client_application_owner.bob",
    ] {
        assert!(tf.resource_values(addr).is_none(), "{addr} left state");
    }
}

#[test]
fn destroy_without_refresh_after_the_application_was_deleted_succeeds() {
    // The provider's deletes of the owners and the application all meet 404.
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.delete_application(id));
    emu.handle.reset_request_log();

    let out = destroy(&tf, &["-refresh=false"]);
    assert!(
        out.stdout
            .contains("Destroy complete! Resources: 3 destroyed."),
        "{}",
        out.all()
    );
    let owner_deletes = emu
        .handle
        .request_count("DELETE", &format!("{}/", owners_path(&emu, id)));
    assert_eq!(owner_deletes, 2, "{:?}", emu.handle.requests());
    assert!(emu
        .handle
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .all(|r| r.status == 404));
    assert_eq!(emu.handle.application_count(), 0);
}

#[test]
fn import_with_the_import_command() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, APP);
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.add_owner(id, ALICE));

    tf.set_config(&emu, &app_with_owners(&[("alice", ALICE)]));
    let import_id = format!("{}/{id}/{ALICE}", emu.org_id());
    let out = tf.run(&[
        "import",
        "-no-color",
        "-input=false",
        "anypoint_client_application_owner.alice",
        &import_id,
    ]);
    out.assert_ok();
    assert!(out.stdout.contains("Import successful!"), "{}", out.all());

    let alice = tf
        .resource_values("anypoint_client_application_owner.alice")
        .unwrap();
    assert_eq!(alice["id"], import_id);
    assert_eq!(alice["org_id"], emu.org_id());
    assert_eq!(alice["application_id"], id.to_string());
    assert_eq!(alice["user_id"], ALICE);
    assert_eq!(alice["username"], "alice");
    assert_eq!(alice["email"], "alice@example.com");
    assert_plan_empty(&tf, "after importing alice");
}

#[test]
fn import_with_an_import_block() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, APP);
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.add_owner(id, BOB));
    let import_id = format!("{}/{id}/{BOB}", emu.org_id());

    tf.set_config(
        &emu,
        &format!(
            "{}\nimport {{\n  to = anypoint_client_application_owner.bob\n  id = \"{import_id}\"\n}}\n",
            app_with_owners(&[("bob", BOB)])
        ),
    );
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 2, "the import is a change:\n{}", plan.all());
    assert!(
        plan.stdout
            .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.all()
    );
    let out = tf.apply();
    assert!(
        out.stdout
            .contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    let bob = tf
        .resource_values("anypoint_client_application_owner.bob")
        .unwrap();
    assert_eq!(bob["id"], import_id);
    assert_eq!(bob["username"], "bob");
    assert_eq!(bob["email"], "bob@example.com");
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, BOB]));
    assert_plan_empty(&tf, "after importing bob with an import block");
}

#[test]
fn concurrent_owner_additions_to_one_application_are_serialised() {
    use anypoint_emulator::{Fault, FaultKind};
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, APP);
    tf.apply();
    let id = app_id(&tf);
    emu.handle.reset_request_log();

    // The first owner addition is answered late: an unserialised provider
    // would send the second one meanwhile.
    emu.handle.push_fault(Fault::on(
        "POST",
        "/owners",
        FaultKind::Delay(std::time::Duration::from_millis(800)),
    ));
    tf.set_config(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    let out = tf.apply();
    assert!(
        out.stdout.contains("2 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(emu.handle.pending_faults(), 0, "the delay was used");
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, ALICE, BOB]));

    // Each addition (POST, then the GET that reads the owner's details)
    // completes before the next one starts. (The refresh before the plan
    // reads the application too: start at the first addition.)
    let app_path = format!(
        "/apiplatform/repository/v2/organizations/{}/applications/{id}",
        emu.org_id()
    );
    let seen: Vec<String> = emu
        .handle
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with(&app_path))
        .map(|r| format!("{} {}", r.method, &r.path[app_path.len()..]))
        .skip_while(|r| r != "POST /owners")
        .collect();
    assert_eq!(
        seen,
        ["POST /owners", "GET ", "POST /owners", "GET "],
        "owner additions interleaved"
    );
}

#[test]
fn concurrent_owner_removals_from_one_application_are_serialised() {
    use anypoint_emulator::{Fault, FaultKind};
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &app_with_owners(&[("alice", ALICE), ("bob", BOB)]));
    tf.apply();
    let id = app_id(&tf);

    // Each removal is answered after 1.5 s. One at a time, the two take at
    // least 3 s; side by side they would overlap.
    let delay = std::time::Duration::from_millis(1500);
    for _ in 0..2 {
        emu.handle
            .push_fault(Fault::on("DELETE", "/owners/", FaultKind::Delay(delay)));
    }
    tf.set_config(&emu, APP);
    let started = std::time::Instant::now();
    let out = tf.apply();
    let took = started.elapsed();
    assert!(
        out.stdout.contains("0 added, 0 changed, 2 destroyed"),
        "{}",
        out.all()
    );
    assert_eq!(emu.handle.pending_faults(), 0, "both delays were used");
    assert_eq!(emu.handle.owners(id), vec![ADMIN.to_owned()]);
    assert!(
        took >= std::time::Duration::from_millis(2900),
        "the two removals ran one after the other (took {took:?})"
    );
}

#[test]
fn generated_configuration_for_an_imported_owner_applies_with_no_changes() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, APP);
    tf.apply();
    let id = app_id(&tf);
    assert!(emu.handle.add_owner(id, CAROL));
    let import_id = format!("{}/{id}/{CAROL}", emu.org_id());

    tf.set_config(
        &emu,
        &format!(
            "{APP}\nimport {{\n  to = anypoint_client_application_owner.carol\n  id = \"{import_id}\"\n}}\n"
        ),
    );
    let plan = tf.plan_exit(&["-generate-config-out=generated.tf"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    let generated = std::fs::read_to_string(tf.work().join("generated.tf")).expect("generated.tf");
    assert!(
        generated.contains("resource \"anypoint_client_application_owner\" \"carol\""),
        "{generated}"
    );
    assert!(generated.contains(CAROL), "{generated}");
    assert!(generated.contains(&format!("\"{id}\"")), "{generated}");
    // Only what a user writes; the read-only attributes are not generated.
    for computed in ["username", "email"] {
        assert!(
            !generated.contains(&format!("{computed} ")),
            "{computed} is not in the generated config:\n{generated}"
        );
    }

    let out = tf.apply();
    assert!(
        out.stdout
            .contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.all()
    );
    let carol = tf
        .resource_values("anypoint_client_application_owner.carol")
        .unwrap();
    assert_eq!(carol["username"], "carol");
    assert_plan_empty(&tf, "after applying the generated configuration");
    assert_eq!(sorted(emu.handle.owners(id)), owned(&[ADMIN, CAROL]));
}

#[test]
fn adding_an_unknown_user_fails_and_records_nothing() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, APP);
    tf.apply();
    let id = app_id(&tf);

    let nobody = "5eed0000-0000-4000-8000-0000000000ff";
    tf.set_config(&emu, &app_with_owners(&[("nobody", nobody)]));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = out.all();
    assert!(text.contains("Error adding an application owner"), "{text}");
    assert!(text.contains(nobody), "the error names the user: {text}");
    assert!(tf
        .resource_values("anypoint_client_application_owner.nobody")
        .is_none());
    assert_eq!(emu.handle.owners(id), vec![ADMIN.to_owned()]);
}
