//! The applications' and owners' fault matrix: each mutating operation (create, update, secret
//! reset, delete, owner add, owner remove) interrupted in each way (SIGINT to
//! Terraform's process group, SIGKILL of Terraform, the platform killed and
//! restarted from its state file, the answer lost after the platform acted),
//! then the next apply must converge: the platform holds exactly the declared
//! objects, every object on the platform is in state or named in an error
//! with its import block, no secret is reset twice, and the plan after is
//! empty.
//!
//! The interruption always lands after the platform has acted on the
//! operation's request and before its answer arrives: the request's answer is
//! held back ([`HOLD`]) by a scripted delay, and the test waits for the
//! platform's request log to show the request before it interrupts.

use crate::support::*;

const NAME: &str = "matrix-app";
const OWNER_ADDR: &str = "anypoint_client_application_owner.alice";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Create,
    Update,
    SecretReset,
    Delete,
    OwnerAdd,
    OwnerRemove,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cut {
    /// Ctrl-C: SIGINT to Terraform's process group.
    Sigint,
    /// SIGKILL of Terraform.
    Sigkill,
    /// The platform killed and restarted from its state file.
    PlatformRestart,
    /// The platform acts, then the connection breaks without an answer.
    LostAnswer,
}

fn app(description: &str, trigger: &str) -> String {
    format!(
        "resource \"anypoint_client_application\" \"app\" {{\n  name        = \"{NAME}\"\n  description = \"{description}\"\n  secret_rotation_triggers = {{ v = \"{trigger}\" }}\n}}\n"
    )
}

fn owner() -> String {
    format!(
        "resource \"anypoint_client_application_owner\" \"alice\" {{\n  application_id = anypoint_client_application.app.id\n  user_id        = \"{ALICE}\"\n}}\n"
    )
}

/// (configuration before, configuration the interrupted apply carries out).
fn configs(op: Op) -> (Option<String>, String) {
    let base = app("one", "1");
    match op {
        Op::Create => (None, base),
        Op::Update => (Some(base), app("two", "1")),
        Op::SecretReset => (Some(base), app("one", "2")),
        Op::Delete => (Some(base), String::new()),
        Op::OwnerAdd => (Some(base.clone()), format!("{base}{}", owner())),
        Op::OwnerRemove => (Some(format!("{base}{}", owner())), base),
    }
}

/// The operation's request: method, a substring for the scripted fault, and
/// the path suffix the request log is watched for.
fn route(op: Op, app_id: Option<&str>) -> (&'static str, String, String) {
    let id = app_id.unwrap_or("");
    match op {
        Op::Create => ("POST", "/applications".into(), "/applications".into()),
        Op::Update => (
            "PUT",
            "/applications/".into(),
            format!("/applications/{id}"),
        ),
        Op::SecretReset => ("POST", "/secret/reset".into(), "/secret/reset".into()),
        Op::Delete => (
            "DELETE",
            "/applications/".into(),
            format!("/applications/{id}"),
        ),
        Op::OwnerAdd => ("POST", "/owners".into(), format!("/{id}/owners")),
        Op::OwnerRemove => ("DELETE", "/owners/".into(), format!("/owners/{ALICE}")),
    }
}

fn scenario(op: Op, cut: Cut) {
    let mut emu = TestEmulator::restartable();
    let (base, target) = configs(op);
    let tf = emu.tf(base.as_deref().unwrap_or(""));
    let mut app_id = None;
    if base.is_some() {
        tf.apply();
        app_id = state_app_ids(&tf).into_iter().next();
        assert!(app_id.is_some(), "the base apply recorded the application");
    }
    let resets_before = emu.secret_resets();

    // The interrupted apply.
    emu.set_config(&tf, &target);
    let (method, contains, suffix) = route(op, app_id.as_deref());
    let seen_before = emu.count(method, &suffix);
    let kind = match cut {
        Cut::LostAnswer => FaultKind::ProcessThenDrop,
        _ => FaultKind::Delay(HOLD),
    };
    emu.handle.push_fault(Fault::on(method, &contains, kind));
    let interrupted = match cut {
        Cut::LostAnswer => tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]),
        _ => {
            let mut run = Running::apply(&tf);
            wait_for_request(&emu, &mut run, method, &suffix, seen_before + 1);
            match cut {
                Cut::Sigint => run.interrupt(),
                Cut::Sigkill => run.kill_terraform(),
                Cut::PlatformRestart => {
                    emu.kill();
                    emu.restart();
                }
                Cut::LostAnswer => unreachable!(),
            }
            run.finish(120)
        }
    };
    emu.handle.clear_faults();
    assert!(
        emu.count(method, &suffix) > seen_before,
        "the platform saw the interrupted request"
    );
    let interrupted_text = interrupted.all();
    assert!(
        !interrupted_text.contains("bug in the provider"),
        "{interrupted_text}"
    );

    // The next apply converges (following an error's import advice when it
    // gives one).
    let declared: &[(&str, &str)] = if op == Op::Delete {
        &[]
    } else {
        &[(APP, NAME)]
    };
    let outs = apply_following_import_advice(&emu, &tf, declared);
    let after_text: String = outs.iter().map(|o| o.all()).collect();
    let context =
        format!("interrupted apply:\n{interrupted_text}\n--- next apply(s):\n{after_text}");

    // The platform holds exactly the declared objects, all in state.
    let platform = emu.handle.applications();
    let in_state = state_app_ids(&tf);
    if op == Op::Delete {
        assert!(
            platform.is_empty(),
            "left on the platform: {platform:?}\n{context}"
        );
        assert!(
            in_state.is_empty(),
            "left in state: {in_state:?}\n{context}"
        );
    } else {
        assert_eq!(
            platform.len(),
            1,
            "the platform holds exactly one application: {platform:?}\n{context}"
        );
        let on_platform = &platform[0];
        let id = on_platform["id"].to_string().trim_matches('"').to_owned();
        assert_eq!(
            in_state,
            vec![id.clone()],
            "state holds the platform's application\n{context}"
        );
        let values = tf.resource_values(APP).expect("application in state");
        assert_eq!(
            values["client_secret"], on_platform["clientSecret"],
            "the secret in state is the platform's\n{context}"
        );
        let want_description = if op == Op::Update { "two" } else { "one" };
        assert_eq!(on_platform["description"], want_description, "{context}");
        let owners = emu.handle.owners(id.parse().unwrap());
        let owner_in_state = state_resources(&tf).iter().any(|(a, _)| a == OWNER_ADDR);
        match op {
            Op::OwnerAdd => {
                assert!(
                    owners.iter().any(|o| o == ALICE),
                    "alice owns it: {owners:?}\n{context}"
                );
                assert!(owner_in_state, "the owner is in state\n{context}");
            }
            _ => {
                assert!(
                    !owners.iter().any(|o| o == ALICE),
                    "alice does not own it: {owners:?}\n{context}"
                );
                assert!(!owner_in_state, "no owner in state\n{context}");
            }
        }
    }

    // No secret is reset twice.
    let resets = emu.secret_resets() - resets_before;
    let want_resets = usize::from(op == Op::SecretReset);
    assert_eq!(
        resets, want_resets,
        "secret resets carried out by the platform\n{context}"
    );

    assert_plan_empty(&tf, &format!("after {op:?} interrupted by {cut:?}"));
}

macro_rules! matrix {
    ($($name:ident: $op:ident, $cut:ident;)*) => {
        $(
            #[test]
            fn $name() {
                scenario(Op::$op, Cut::$cut);
            }
        )*
    };
}

matrix! {
    create_sigint: Create, Sigint;
    create_sigkill: Create, Sigkill;
    create_platform_restart: Create, PlatformRestart;
    create_lost_answer: Create, LostAnswer;
    update_sigint: Update, Sigint;
    update_sigkill: Update, Sigkill;
    update_platform_restart: Update, PlatformRestart;
    update_lost_answer: Update, LostAnswer;
    secret_reset_sigint: SecretReset, Sigint;
    secret_reset_sigkill: SecretReset, Sigkill;
    secret_reset_platform_restart: SecretReset, PlatformRestart;
    secret_reset_lost_answer: SecretReset, LostAnswer;
    delete_sigint: Delete, Sigint;
    delete_sigkill: Delete, Sigkill;
    delete_platform_restart: Delete, PlatformRestart;
    delete_lost_answer: Delete, LostAnswer;
    owner_add_sigint: OwnerAdd, Sigint;
    owner_add_sigkill: OwnerAdd, Sigkill;
    owner_add_platform_restart: OwnerAdd, PlatformRestart;
    owner_add_lost_answer: OwnerAdd, LostAnswer;
    owner_remove_sigint: OwnerRemove, Sigint;
    owner_remove_sigkill: OwnerRemove, Sigkill;
    owner_remove_platform_restart: OwnerRemove, PlatformRestart;
    owner_remove_lost_answer: OwnerRemove, LostAnswer;
}
