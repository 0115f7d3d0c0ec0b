//! Fault cells for `anypoint_client_application_contract`: each mutating
//! contract call (the contract request, a tier change, and the revoke and
//! the delete of a destroy) interrupted or failed (the answer lost after the
//! platform acted, SIGINT to Terraform's process group, SIGKILL of
//! Terraform, the platform killed and restarted from its state file, and,
//! for the two steps of a destroy, a 500 after or instead of the platform's
//! action), then the next apply must converge: the platform holds exactly
//! the declared contracts (nothing revoked is left behind), every contract
//! on the platform is in state (following the import advice of an error
//! when the run that made it was killed), no contract is requested twice,
//! and the plan after is empty.
//!
//! As in `e2e_application_faults.rs`, an interruption lands after the platform has
//! acted and before its answer arrives: the answer is held back ([`HOLD`])
//! and the test waits for the request log to show the request.

use crate::support::*;
use anypoint_emulator::{
    API_INSTANCE_ORDERS, ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_PLATINUM,
};

const ADDR: &str = "anypoint_client_application_contract.access";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    /// The contract request (create).
    Request,
    /// A change of `requested_tier_id` (update in place).
    TierChange,
    /// The revoke of a destroy.
    Revoke,
    /// The delete of a destroy.
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cut {
    /// Ctrl-C: SIGINT to Terraform's process group.
    Sigint,
    /// SIGKILL of Terraform while the request is in flight.
    Sigkill,
    /// The platform is killed and restarted from its state file while the
    /// request is in flight.
    PlatformRestart,
    /// The platform acts, then the connection breaks without an answer.
    LostAnswer,
    /// The platform acts, then answers 500 (not retried).
    ActedThen500,
    /// The platform answers 500 without acting, once.
    Refused500,
}

fn app() -> String {
    app_block("app", "contract-faults", "")
}

fn contract(tier: i64) -> String {
    format!(
        "resource \"anypoint_client_application_contract\" \"access\" {{\n  application_id    = {APP}.id\n  api_instance_id   = \"{API_INSTANCE_ORDERS}\"\n  environment_id    = \"{ENVIRONMENT_ID}\"\n  requested_tier_id = \"{tier}\"\n}}\n"
    )
}

/// (configuration before, configuration the interrupted apply carries out,
/// the tier declared after, if a contract is declared).
fn configs(op: Op) -> (String, String, Option<i64>) {
    let with = |t| format!("{}{}", app(), contract(t));
    match op {
        Op::Request => (app(), with(TIER_ORDERS_BRONZE), Some(TIER_ORDERS_BRONZE)),
        Op::TierChange => (
            with(TIER_ORDERS_BRONZE),
            with(TIER_ORDERS_PLATINUM),
            Some(TIER_ORDERS_PLATINUM),
        ),
        Op::Revoke | Op::Delete => (with(TIER_ORDERS_BRONZE), app(), None),
    }
}

/// The operation's request: method, a substring for the scripted fault, and
/// the path suffix the request log is watched for.
fn route(op: Op, contract_id: Option<i64>) -> (&'static str, &'static str, String) {
    let tail = contract_id
        .map(|c| format!("/contracts/{c}"))
        .unwrap_or_default();
    match op {
        Op::Request => ("POST", "/exchange/", "/contracts".into()),
        Op::TierChange => ("PATCH", "/exchange/", tail),
        Op::Revoke => ("PATCH", "/apimanager/", tail),
        Op::Delete => ("DELETE", "/apimanager/", tail),
    }
}

/// Contract requests the platform received (the create's POST), all lives.
/// Contract requests the platform could act on: a request refused with 409
/// (the slot is held) makes nothing.
fn contract_requests(emu: &TestEmulator) -> usize {
    emu.all_requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/contracts") && r.status != 409)
        .count()
}

fn state_contract_ids(tf: &crate::support::TfDir) -> Vec<i64> {
    state_resources(tf)
        .into_iter()
        .filter(|(a, _)| a == ADDR)
        .filter_map(|(_, v)| v["id"].as_str().and_then(|s| s.parse().ok()))
        .collect()
}

fn scenario(op: Op, cut: Cut) {
    let mut emu = TestEmulator::restartable();
    let (base, target, declared_tier) = configs(op);
    let tf = emu.tf(&base);
    tf.apply();
    let app_id: i64 = state_app_ids(&tf)[0].parse().unwrap();
    let contract_id = state_contract_ids(&tf).first().copied();
    let requests_before = contract_requests(&emu);

    // The interrupted apply.
    emu.set_config(&tf, &target);
    let (method, contains, suffix) = route(op, contract_id);
    let seen_before = emu.count(method, &suffix);
    let kind = match cut {
        Cut::LostAnswer => FaultKind::ProcessThenDrop,
        Cut::ActedThen500 => FaultKind::ProcessThenStatus(500),
        Cut::Refused500 => FaultKind::Status {
            status: 500,
            retry_after: None,
            ratelimit_reset: None,
        },
        Cut::Sigint | Cut::Sigkill | Cut::PlatformRestart => FaultKind::Delay(HOLD),
    };
    emu.handle.push_fault(Fault::on(method, contains, kind));
    let interrupted = match cut {
        Cut::LostAnswer | Cut::ActedThen500 | Cut::Refused500 => {
            tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"])
        }
        Cut::Sigint | Cut::Sigkill | Cut::PlatformRestart => {
            let mut run = Running::apply(&tf);
            wait_for_request(&emu, &mut run, method, &suffix, seen_before + 1);
            match cut {
                Cut::Sigint => run.interrupt(),
                Cut::Sigkill => run.kill_terraform(),
                _ => {
                    emu.kill();
                    emu.restart();
                }
            }
            run.finish(120)
        }
    };
    emu.handle.clear_faults();
    assert!(
        emu.count(method, &suffix) > seen_before,
        "the platform saw the interrupted request"
    );
    assert_no_provider_bug(&interrupted);

    // The next apply converges, following the import advice of its error
    // for a contract on the platform that no state knows.
    let mut next = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let mut context = format!(
        "interrupted apply:\n{}\n--- next apply:\n{}",
        interrupted.all(),
        next.all()
    );
    if next.code != 0 {
        let text = next.all();
        let in_state = state_contract_ids(&tf);
        let mut imports = String::new();
        for c in emu.handle.contracts(app_id) {
            let id = c["id"].as_i64().unwrap();
            if in_state.contains(&id) {
                continue;
            }
            let import_id = import_block_id(&text, ADDR, &id.to_string()).unwrap_or_else(|| {
                panic!("contract {id} is on the platform, not in state, and not named with an import block\n{context}")
            });
            imports.push_str(&format!(
                "import {{\n  to = {ADDR}\n  id = \"{import_id}\"\n}}\n"
            ));
        }
        assert!(!imports.is_empty(), "the next apply failed\n{context}");
        tf.write("imports.tf", &imports);
        next = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        std::fs::remove_file(tf.work().join("imports.tf")).unwrap();
        context.push_str(&format!(
            "\n--- after following the import advice:\n{}",
            next.all()
        ));
    }
    assert_eq!(next.code, 0, "the next apply succeeds\n{context}");

    // The platform holds exactly the declared contracts, all in state.
    let platform = emu.handle.contracts(app_id);
    let in_state = state_contract_ids(&tf);
    match declared_tier {
        None => {
            assert!(platform.is_empty(), "left: {platform:?}\n{context}");
            assert!(in_state.is_empty(), "left in state\n{context}");
        }
        Some(tier) => {
            assert_eq!(platform.len(), 1, "one contract: {platform:?}\n{context}");
            let id = platform[0]["id"].as_i64().unwrap();
            assert_eq!(in_state, vec![id], "state holds it\n{context}");
            // Bronze is approved at once; the change to platinum waits.
            let field = if op == Op::TierChange {
                assert_eq!(Some(id), contract_id, "changed in place\n{context}");
                "requestedTier"
            } else {
                "tier"
            };
            assert_eq!(platform[0][field]["id"], tier, "{field}\n{context}");
        }
    }

    // No contract was requested twice.
    let want_requests = usize::from(op == Op::Request);
    assert_eq!(
        contract_requests(&emu) - requests_before,
        want_requests,
        "contract requests sent\n{context}"
    );

    assert_plan_empty(&tf, &format!("after {op:?} interrupted by {cut:?}"));
}

macro_rules! cells {
    ($($name:ident: $op:ident, $cut:ident;)*) => {
        $(
            #[test]
            fn $name() {
                scenario(Op::$op, Cut::$cut);
            }
        )*
    };
}

cells! {
    request_sigint: Request, Sigint;
    request_lost_answer: Request, LostAnswer;
    tier_change_sigint: TierChange, Sigint;
    tier_change_lost_answer: TierChange, LostAnswer;
    revoke_sigint: Revoke, Sigint;
    revoke_lost_answer: Revoke, LostAnswer;
    delete_sigint: Delete, Sigint;
    delete_lost_answer: Delete, LostAnswer;
    request_sigkill: Request, Sigkill;
    request_platform_restart: Request, PlatformRestart;
    tier_change_sigkill: TierChange, Sigkill;
    tier_change_platform_restart: TierChange, PlatformRestart;
    revoke_sigkill: Revoke, Sigkill;
    revoke_platform_restart: Revoke, PlatformRestart;
    revoke_acted_then_500: Revoke, ActedThen500;
    revoke_refused_500: Revoke, Refused500;
    delete_sigkill: Delete, Sigkill;
    delete_platform_restart: Delete, PlatformRestart;
    delete_acted_then_500: Delete, ActedThen500;
    delete_refused_500: Delete, Refused500;
}

/// Ctrl-C while a destroy's revoke is in flight, on a platform that
/// throttles the delete sent after the stop: the revoked contract stays in
/// state, and the next apply deletes it.
#[test]
fn ctrl_c_during_a_revoke_on_a_throttling_platform_leaves_nothing_behind() {
    let emu = TestEmulator::start();
    let (base, target, _) = configs(Op::Revoke);
    let tf = emu.tf(&base);
    tf.apply();
    let app_id: i64 = state_app_ids(&tf)[0].parse().unwrap();
    let id = state_contract_ids(&tf)[0];
    emu.set_config(&tf, &target);
    let suffix = format!("/contracts/{id}");
    emu.handle
        .push_fault(Fault::on("PATCH", "/apimanager/", FaultKind::Delay(HOLD)));
    emu.handle.push_fault(Fault::on(
        "DELETE",
        "/apimanager/",
        FaultKind::Status {
            status: 429,
            retry_after: Some("30".into()),
            ratelimit_reset: None,
        },
    ));
    let mut run = Running::apply(&tf);
    wait_for_request(&emu, &mut run, "PATCH", &suffix, 1);
    run.interrupt();
    let interrupted = run.finish(120);
    emu.handle.clear_faults();
    assert_no_provider_bug(&interrupted);
    assert_eq!(
        emu.handle.contract(id).map(|c| c["status"].clone()),
        Some("REVOKED".into()),
        "revoked, not deleted:\n{}",
        interrupted.all()
    );
    let next = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(next.code, 0, "{}", next.all());
    assert!(
        emu.handle.contracts(app_id).is_empty(),
        "nothing revoked is left behind:\n{}",
        next.all()
    );
    assert!(state_contract_ids(&tf).is_empty());
    assert_plan_empty(&tf, "after the interrupted revoke");
}
