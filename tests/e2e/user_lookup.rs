//! `anypoint_user`: an owner named by email or username instead of a UUID,
//! and the errors of a look-up that finds nothing or several users.

use crate::support::*;

fn owner_by(selector: &str) -> String {
    format!(
        r#"
data "anypoint_user" "owner" {{
  {selector}
}}

resource "anypoint_client_application" "demo" {{
  name = "owned-by-lookup"
}}

resource "anypoint_client_application_owner" "owner" {{
  application_id = anypoint_client_application.demo.id
  user_id        = data.anypoint_user.owner.id
}}
"#
    )
}

#[test]
fn an_owner_picked_by_email_applies_and_plans_clean() {
    let emu = TestEmulator::start();
    // The email in another case: emails compare without it.
    let tf = tf_with_emulator(&emu, &owner_by(r#"email = "ALICE@example.com""#));
    tf.apply();
    let id = state_id(&tf, "anypoint_client_application.demo");
    assert!(
        emu.handle.owners(id).contains(&ALICE.to_owned()),
        "alice owns the application: {:?}",
        emu.handle.owners(id)
    );
    let user = tf
        .resource_values("data.anypoint_user.owner")
        .expect("the data source in state");
    assert_eq!(user["id"], ALICE);
    assert_eq!(user["username"], "alice");
    assert_eq!(
        user["email"], "ALICE@example.com",
        "the configured spelling is kept"
    );
    assert_eq!(user["first_name"], "Alice");
    assert_plan_empty(&tf, "after an apply with an owner found by email");
}

#[test]
fn an_owner_picked_by_username_matches_it_exactly() {
    let emu = TestEmulator::start();
    // A search for "bob" also finds "bobby"; only bob is bob.
    emu.handle
        .add_user("bobby", "bobby@example.com", "Bobby", "Tables");
    let tf = tf_with_emulator(&emu, &owner_by(r#"username = "bob""#));
    tf.apply();
    let user = tf
        .resource_values("data.anypoint_user.owner")
        .expect("the data source in state");
    assert_eq!(user["id"], BOB);
    assert_plan_empty(&tf, "after an apply with an owner found by username");
}

#[test]
fn a_look_up_that_finds_nothing_names_what_was_looked_for() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &owner_by(r#"username = "nobody""#));
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("No such user"), "{text}");
    assert!(text.contains(r#"username "nobody""#), "{text}");
    assert!(!text.contains("bug in the provider"), "{text}");
    assert_eq!(emu.handle.application_count(), 0);
}

#[test]
fn a_look_up_that_finds_several_lists_the_candidates() {
    let emu = TestEmulator::start();
    let twin = emu
        .handle
        .add_user("alice2", "Alice@Example.com", "Alice", "Twin");
    let tf = tf_with_emulator(&emu, &owner_by(r#"email = "alice@example.com""#));
    let out = tf.plan_exit(&[]);
    assert_eq!(out.code, 1, "{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("Several users match"), "{text}");
    assert!(
        text.contains(ALICE) && text.contains(&twin),
        "both candidates named: {text}"
    );
    assert!(text.contains("alice2"), "{text}");
}

#[test]
fn setting_both_or_neither_selector_is_refused_at_validate() {
    let emu = TestEmulator::start();
    for (selector, message) in [
        ("", "Missing user selector"),
        (
            "username = \"alice\"\n  email = \"alice@example.com\"",
            "Conflicting user selectors",
        ),
    ] {
        let tf = tf_with_emulator(&emu, &owner_by(selector));
        let out = tf.run(&["validate", "-no-color"]);
        assert_ne!(out.code, 0, "{}", out.all());
        assert!(flat(&out.all()).contains(message), "{}", out.all());
    }
    assert!(
        emu.all_requests().is_empty(),
        "validate calls no platform: {:?}",
        emu.all_requests()
    );
}
