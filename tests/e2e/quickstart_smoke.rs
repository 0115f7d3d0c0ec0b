//! A smoke test of the full path: Terraform, our provider, the emulator.

use crate::support::*;

#[test]
fn create_plan_clean_destroy_against_the_emulator() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        r#"
resource "anypoint_client_application" "demo" {
  name        = "smoke"
  description = "smoke test"
}
"#,
    );
    tf.apply();
    assert_eq!(emu.handle.application_count(), 1);
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 0, "second plan is empty:\n{}", plan.all());
    tf.run(&["destroy", "-auto-approve", "-no-color"])
        .assert_ok();
    assert_eq!(emu.handle.application_count(), 0);
}
