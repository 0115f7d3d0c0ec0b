//! Name conflicts and list trust, end to end (the real Terraform CLI, the
//! provider and the in-process emulator): a create that
//! meets an application that already has the name fails naming its id with
//! a ready-to-paste import block and the `terraform import` command; a
//! look-up after an ambiguous create never trusts a list that is not shown
//! to include this Connected App's applications (whether the platform's
//! list shows them all is unconfirmed: the emulator's `list-hides-applications`
//! variant).
//! Terraform does not tell a provider the
//! resource's address, so the advice names the resource type with the
//! placeholder `<name>` (in the error that Terraform shows `with` the
//! address), and the import id is `<org_id>/<application_id>`.

use crate::support::*;
use anypoint_emulator::{EmulatorConfig, DEFAULT_ORG_ID};
use serde_json::json;

/// The address placeholder of the provider's import advice.
const PLACEHOLDER: &str = "anypoint_client_application.<name>";

fn apply(tf: &TfDir) -> TfOutput {
    tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
}

/// POSTs of an application create (the path ends with `/applications`).
fn creates(emu: &TestEmulator) -> usize {
    emu.count("POST", "/applications")
}

#[track_caller]
fn assert_import_advice(out: &TfOutput, id: &str) {
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "the create must not adopt silently:\n{raw}");
    assert_no_provider_bug(out);
    assert!(
        all.contains(id),
        "the error names the existing id {id}:\n{raw}"
    );
    let import_id = import_block_id(&raw, APP, id).unwrap_or_else(|| {
        panic!("the error shown with {APP} gives `import {{ to = {PLACEHOLDER} id = \"…/{id}\" }}`:\n{raw}")
    });
    assert_eq!(import_id, format!("{DEFAULT_ORG_ID}/{id}"), "{raw}");
    assert!(
        all.contains(&format!("terraform import {PLACEHOLDER} {import_id}")),
        "the error gives the `terraform import` command:\n{raw}"
    );
}

/// The advice when the application's id is not known: the name to check,
/// and the import block and command with a placeholder for the id.
#[track_caller]
fn assert_check_name_advice(out: &TfOutput, name: &str) {
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert_no_provider_bug(out);
    assert!(
        all.contains(&format!("application named \"{name}\"")),
        "the error names the name to check:\n{raw}"
    );
    let import_id = format!("{DEFAULT_ORG_ID}/<application_id>");
    assert!(
        all.contains(&format!(
            "import {{ to = {PLACEHOLDER} id = \"{import_id}\" }}"
        )),
        "the error gives the import block:\n{raw}"
    );
    assert!(
        all.contains(&format!("terraform import {PLACEHOLDER} {import_id}")),
        "the error gives the `terraform import` command:\n{raw}"
    );
    assert!(all.contains(&format!("with {APP},")), "{raw}");
}

/// Follow the advice: import application `id` at APP, apply, plan empty.
#[track_caller]
fn import_and_converge(emu: &TestEmulator, tf: &TfDir, id: &str) {
    tf.write(
        "imports.tf",
        &format!("import {{\n  to = {APP}\n  id = \"{DEFAULT_ORG_ID}/{id}\"\n}}\n"),
    );
    let out = apply(tf);
    assert_eq!(out.code, 0, "the import applies:\n{}", out.all());
    std::fs::remove_file(tf.work().join("imports.tf")).unwrap();
    assert_eq!(state_app_ids(tf), vec![id.to_owned()]);
    assert_plan_empty(tf, "after the import");
    let _ = emu;
}

// ------------------------------------------------- a name already taken

/// A create that meets an application that already has the name.
#[test]
fn create_meeting_existing_name_names_id_and_import() {
    let emu = TestEmulator::start();
    let existing = emu
        .handle
        .create_application(json!({ "name": "taken" }))
        .expect("seed an application");
    let tf = emu.tf(&app_block("app", "taken", ""));
    let out = apply(&tf);
    assert_import_advice(&out, &platform_id(&existing));
    assert_eq!(
        emu.handle.application_count(),
        1,
        "nothing else was created"
    );
    assert_eq!(creates(&emu), 0, "refused before the POST");
    // Following the advice converges.
    let paste = apply_following_import_advice(&emu, &tf, &[(APP, "taken")]);
    assert_eq!(paste.len(), 2);
    assert_eq!(state_app_ids(&tf), vec![platform_id(&existing)]);
    assert_plan_empty(&tf, "after following the import advice");
}

/// The platform dies mid-create and is back only after the command ended:
/// the next apply names the application and how to import it. (Terraform
/// killed mid-create: `application_fault_matrix::create_sigkill`.)
#[test]
fn platform_restart_mid_create_then_next_apply_gives_import_advice() {
    let mut emu = TestEmulator::restartable();
    let tf = emu.tf(&app_block("app", "restart-mid-create", ""));
    emu.handle
        .push_fault(Fault::on("POST", "/applications", FaultKind::Delay(HOLD)));
    let mut run = Running::apply(&tf);
    wait_for_request(&emu, &mut run, "POST", "/applications", 1);
    emu.kill();
    let interrupted = run.finish(120);
    assert_ne!(interrupted.code, 0, "the platform is down: the apply fails");
    emu.restart();
    let apps = emu.apps_named("restart-mid-create");
    assert_eq!(apps.len(), 1, "the create was persisted before the kill");
    if state_app_ids(&tf).contains(&platform_id(&apps[0])) {
        return; // Recorded after all: nothing Terraform cannot know about.
    }
    let next = apply(&tf);
    assert_import_advice(&next, &platform_id(&apps[0]));
}

// ------------------------------------------------------------ list trust

/// The platform made the application but its answer was lost, and the
/// application list hides every application: the look-up cannot
/// see whether the create happened, so the create is never sent again; the
/// error names the name to check and the import command. The next apply's
/// create is refused by the platform (409), which cannot name the id either;
/// importing by id converges, and there was never a duplicate.
#[test]
fn list_trust_ambiguous_create_with_a_hiding_list_is_not_resent() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        list_hides_applications: true,
        ..EmulatorConfig::default()
    });
    let tf = emu.tf(&app_block("app", "hidden", ""));
    emu.handle.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::ProcessThenStatus(504),
    ));
    let out = apply(&tf);
    assert_check_name_advice(&out, "hidden");
    assert_eq!(creates(&emu), 1, "never sent again");
    let apps = emu.apps_named("hidden");
    assert_eq!(apps.len(), 1, "{:?}", emu.handle.applications());
    assert!(state_app_ids(&tf).is_empty());

    // The next apply: the list shows nothing, the platform refuses the name.
    let again = apply(&tf);
    assert_check_name_advice(&again, "hidden");
    assert!(
        flat(&again.all()).contains("already in use"),
        "{}",
        again.all()
    );
    assert_eq!(emu.handle.application_count(), 1, "no duplicate");

    import_and_converge(&emu, &tf, &platform_id(&apps[0]));
    assert_eq!(emu.handle.application_count(), 1);
}

/// An ambiguous create that did NOT happen (the connection broke before the
/// platform saw it): without a witness that the list shows this Connected
/// App's applications, "not listed" is not "not created", so it is not sent
/// again, whether the list hides applications or the organization has none
/// to show; the next apply creates it, once.
#[test]
fn list_trust_no_witness_no_resend_after_an_ambiguous_failure() {
    for hide in [true, false] {
        let emu = TestEmulator::start_with(EmulatorConfig {
            list_hides_applications: hide,
            ..EmulatorConfig::default()
        });
        let tf = emu.tf(&app_block("app", "unseen", ""));
        emu.handle.push_fault(Fault::on(
            "POST",
            "/applications",
            FaultKind::DropBeforeProcessing,
        ));
        let out = apply(&tf);
        assert_check_name_advice(&out, "unseen");
        assert_eq!(creates(&emu), 1, "hide={hide}: not sent again");
        assert_eq!(emu.handle.application_count(), 0, "hide={hide}");

        let next = apply(&tf);
        assert_eq!(next.code, 0, "hide={hide}:\n{}", next.all());
        assert_eq!(creates(&emu), 2, "hide={hide}");
        assert_eq!(emu.apps_named("unseen").len(), 1, "hide={hide}");
        assert_plan_empty(&tf, &format!("hide={hide}: after the create"));
    }
}

/// With a witness (the list shows an application the provider can read by
/// id), "not listed" after an ambiguous failure means "not created": the
/// create is sent again and succeeds, once.
#[test]
fn list_trust_a_witness_lets_an_ambiguous_create_be_resent() {
    let emu = TestEmulator::start();
    emu.handle
        .create_application(json!({ "name": "bystander" }))
        .expect("seed an application");
    let tf = emu.tf(&app_block("app", "retried", ""));
    emu.handle.push_fault(Fault::on(
        "POST",
        "/applications",
        FaultKind::DropBeforeProcessing,
    ));
    let out = apply(&tf);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(creates(&emu), 2, "sent again after the witness check");
    let apps = emu.apps_named("retried");
    assert_eq!(apps.len(), 1);
    assert_eq!(state_app_ids(&tf), vec![platform_id(&apps[0])]);
    assert_plan_empty(&tf, "after the resent create");
}

/// A name that is taken but hidden by the list: the pre-create check sees
/// nothing, so the create goes out, and the platform's 409 is the guard; the
/// error names the name and the import command, nothing is created.
#[test]
fn list_trust_a_hidden_taken_name_is_refused_by_the_platform() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        list_hides_applications: true,
        ..EmulatorConfig::default()
    });
    let existing = emu
        .handle
        .create_application(json!({ "name": "taken-hidden" }))
        .expect("seed an application");
    let tf = emu.tf(&app_block("app", "taken-hidden", ""));
    let out = apply(&tf);
    assert_check_name_advice(&out, "taken-hidden");
    assert_eq!(creates(&emu), 1);
    assert_eq!(emu.handle.application_count(), 1);
    // Once the list shows it, the same apply is refused before the POST
    // and names its id.
    emu.handle.set_list_hides_applications(false);
    let shown = apply(&tf);
    assert_import_advice(&shown, &platform_id(&existing));
    assert_eq!(creates(&emu), 1, "refused before the POST");
}

/// The pre-create check misses the holder of the name (its list answers
/// empty once), the platform refuses the create with a 409, and the error
/// names the holder's id (looked up after the 409) with the import advice.
#[test]
fn a_409_on_create_names_the_holder_and_import() {
    let emu = TestEmulator::start();
    let existing = emu
        .handle
        .create_application(json!({ "name": "raced" }))
        .expect("seed an application");
    emu.handle.push_fault(Fault::on(
        "GET",
        "/applications",
        FaultKind::respond(200, r#"{"applications":[],"total":0}"#),
    ));
    let tf = emu.tf(&app_block("app", "raced", ""));
    let out = apply(&tf);
    assert_import_advice(&out, &platform_id(&existing));
    assert!(
        flat(&out.all()).contains("returned HTTP 409"),
        "{}",
        out.all()
    );
    assert_eq!(creates(&emu), 1, "the refused POST");
    assert_eq!(
        emu.handle.application_count(),
        1,
        "nothing else was created"
    );
}
