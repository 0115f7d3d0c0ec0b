//! A refresh reads the application list once per process and
//! serves each application from it; owners are read once per application;
//! the name check before creates uses the same list. Drift stays exact when
//! the list carries only short items (then every application is read by
//! id), and an application the list does not show is never taken for gone.
//! The real Terraform CLI, the provider and the in-process emulator.

use crate::support::*;
use anypoint_emulator::{EmulatorConfig, RequestRecord};
use serde_json::json;

const APPS: usize = 30;
/// The reads and name checks a process makes one by one before it reads
/// the list (`anypoint/listing.rs`).
const LIST_AFTER: usize = 2;

fn many_apps() -> String {
    let mut body = String::new();
    for i in 0..APPS {
        body.push_str(&app_block(
            &format!("a{i}"),
            &format!("refresh-{i:02}"),
            "  description   = \"d\"\n  redirect_uris = [\"https://example.com/cb\"]\n  grant_types   = [\"client_credentials\"]\n",
        ));
    }
    body.push_str(&owner_block(
        "o1",
        "anypoint_client_application.a0.id",
        ALICE,
    ));
    body.push_str(&owner_block("o2", "anypoint_client_application.a0.id", BOB));
    body
}

fn is_list(r: &RequestRecord) -> bool {
    r.method == "GET" && r.path.ends_with("/applications")
}

/// `GET …/applications/{id}` (an application read by id).
fn is_read_by_id(r: &RequestRecord) -> bool {
    r.method == "GET"
        && r.path
            .rsplit_once("/applications/")
            .is_some_and(|(_, id)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

fn summary(reqs: &[RequestRecord]) -> String {
    reqs.iter()
        .map(|r| {
            format!(
                "{} {}?{} {}",
                r.method,
                r.path,
                r.query.as_deref().unwrap_or(""),
                r.status
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn creates_check_names_from_one_list_and_a_plan_refreshes_from_it() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&many_apps());
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let reqs = emu.handle.requests();
    let lists: Vec<&RequestRecord> = reqs.iter().filter(|r| is_list(r)).collect();
    let by_name = |r: &RequestRecord| r.query.as_deref().unwrap_or("").contains("query=");
    // The first creates check their names one by one; then one list serves
    // every other name check (the organization was empty).
    assert_eq!(
        lists.iter().filter(|r| by_name(r)).count(),
        LIST_AFTER,
        "{}",
        summary(&reqs)
    );
    assert_eq!(
        lists.iter().filter(|r| !by_name(r)).count(),
        1,
        "{}",
        summary(&reqs)
    );
    assert_eq!(emu.count("POST", "/applications"), APPS);

    emu.handle.reset_request_log();
    assert_plan_empty(&tf, "after the apply");
    let reqs = emu.handle.requests();
    assert_eq!(
        reqs.iter().filter(|r| is_list(r)).count(),
        1,
        "one list serves the refresh:\n{}",
        summary(&reqs)
    );
    // The first reads go by id; of the others, only the application with
    // owners is read by id, once for both of its owner resources.
    let by_id: Vec<&RequestRecord> = reqs.iter().filter(|r| is_read_by_id(r)).collect();
    assert!(by_id.len() <= LIST_AFTER + 1, "{}", summary(&reqs));
    let mut ids: Vec<&str> = by_id.iter().map(|r| r.path.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), by_id.len(), "read twice:\n{}", summary(&reqs));
    assert_eq!(
        reqs.iter()
            .filter(|r| r.path.ends_with("/oauth2/token"))
            .count(),
        1,
        "{}",
        summary(&reqs)
    );
}

#[test]
fn drift_is_seen_from_the_list_and_from_short_items() {
    for short in [false, true] {
        let emu = TestEmulator::start_with(EmulatorConfig {
            list_items_short: short,
            ..EmulatorConfig::default()
        });
        let tf = emu.tf(&many_apps());
        let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(out.code, 0, "short={short}: {}", out.all());
        let ids = state_app_ids(&tf);
        // Behind Terraform's back: a description.
        let app = &emu.apps_named("refresh-07")[0];
        let id: i64 = platform_id(app).parse().unwrap();
        assert!(emu
            .handle
            .update_application(id, json!({ "description": "changed" })));
        emu.handle.reset_request_log();
        let plan = tf.plan_exit(&["-no-color"]);
        assert_eq!(
            plan.code,
            2,
            "short={short}: drift is a change:\n{}",
            plan.all()
        );
        assert!(
            plan.stdout.contains("\"changed\" -> \"d\""),
            "short={short}:\n{}",
            plan.stdout
        );
        let reqs = emu.handle.requests();
        let by_id = reqs.iter().filter(|r| is_read_by_id(r)).count();
        if short {
            // Short items serve no read: every application is read by id
            // (the one with owners once for all).
            assert_eq!(by_id, ids.len(), "{}", summary(&reqs));
        } else {
            assert!(by_id <= LIST_AFTER + 1, "{}", summary(&reqs));
        }
        assert_eq!(
            reqs.iter().filter(|r| is_list(r)).count(),
            1,
            "{}",
            summary(&reqs)
        );
    }
}

#[test]
fn a_list_that_hides_applications_never_makes_them_gone() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&many_apps());
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(out.code, 0, "{}", out.all());
    emu.handle.set_list_hides_applications(true);
    // One application is really gone; the others are only missing from the list.
    let gone = &emu.apps_named("refresh-03")[0];
    assert!(emu
        .handle
        .delete_application(platform_id(gone).parse().unwrap()));
    emu.handle.reset_request_log();
    let plan = tf.plan_exit(&["-no-color"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy"),
        "only the deleted application is planned again:\n{}",
        plan.stdout
    );
    let reqs = emu.handle.requests();
    assert_eq!(
        reqs.iter().filter(|r| is_read_by_id(r)).count(),
        APPS,
        "each application the list lacks is read by id:\n{}",
        summary(&reqs)
    );
}
