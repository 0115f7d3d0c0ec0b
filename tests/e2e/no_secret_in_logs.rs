//! Secrets never reach Terraform's output or logs, even at TRACE.

use crate::support::*;

#[test]
fn no_secret_in_trace_logs_or_output() {
    let emu = TestEmulator::start();
    let mut tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name = "secretive"
  secret_rotation_triggers = { r = "1" }
}

output "client_id" {
  value = anypoint_client_application.app.client_id
}
"#,
    );
    tf.set_env("TF_LOG", "TRACE");
    let first = tf.apply();
    // Rotate once, so a second secret passes through the provider too.
    tf.set_config(
        &emu,
        r#"
resource "anypoint_client_application" "app" {
  name = "secretive"
  secret_rotation_triggers = { r = "2" }
}

output "client_id" {
  value = anypoint_client_application.app.client_id
}
"#,
    );
    let second = tf.apply();
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 0, "{}", plan.all());

    let app = emu.handle.applications().pop().expect("one application");
    let app_secret = app["clientSecret"].as_str().unwrap().to_owned();
    let connected_app_secret = emu.config.client_secret.clone();
    let state = tf
        .resource_values("anypoint_client_application.app")
        .unwrap();
    assert_eq!(
        state["client_secret"],
        app_secret.as_str(),
        "state holds the current secret"
    );

    // Our provider's lines are in the log (so the check below means something).
    let all = format!("{}{}{}", first.all(), second.all(), plan.all());
    assert!(all.contains("provider.terraform-provider-anypoint"));
    for secret in [&app_secret, &connected_app_secret] {
        assert!(
            !all.contains(secret.as_str()),
            "a secret leaked into Terraform's output or log"
        );
    }
    // Nor any bearer token.
    assert!(!all.contains("Bearer "), "an Authorization header leaked");
}
