//! Ctrl-C during an apply: the whole process group gets SIGINT. The provider
//! ignores the signal (it would otherwise die mid-call), Terraform sends
//! StopProvider, and the provider abandons its slow platform call at once.

use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use crate::support::*;

#[test]
fn ctrl_c_stops_in_flight_work_through_stop_provider() {
    let emu = TestEmulator::start();
    // The organization is configured, so the plan asks the platform nothing
    // and the first call is the apply's: Terraform stops providers while it
    // applies, not while `terraform apply` plans (plan-time look-ups are
    // bounded instead, see `support::data`).
    let provider = emu.provider_block().replace(
        "  max_retries   = 3\n",
        &format!(
            "  max_retries   = 3\n  org_id        = \"{}\"\n",
            emu.org_id()
        ),
    );
    let tf = TfDir::new(&format!(
        "{provider}\nresource \"anypoint_client_application\" \"slow\" {{\n  name = \"slow\"\n}}\n"
    ));
    // Every answer now takes a minute: the create will be in flight.
    emu.handle.set_latency(Duration::from_secs(60));
    let mut cmd = tf.command(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    cmd.process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pgid = child.id() as i32;

    // Wait (bounded) until the provider has asked the platform for a token.
    let deadline = Instant::now() + Duration::from_secs(60);
    while emu.handle.requests().is_empty() && !provider_waiting(&emu) {
        assert!(
            Instant::now() < deadline,
            "the provider never called the platform"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    // SAFETY: signalling the process group we created.
    unsafe {
        libc::kill(-pgid, libc::SIGINT);
    }
    let out = TfOutput::from(child.wait_with_output().unwrap());
    let took = started.elapsed();

    assert_ne!(out.code, 0, "the interrupted apply fails");
    let all = out.all();
    assert!(all.contains("Interrupt received"), "{all}");
    assert!(
        all.contains("the provider is stopping"),
        "our cancellation error:\n{all}"
    );
    // The provider survived SIGINT: no crash, no lost connection.
    for bad in [
        "plugin exited",
        "Plugin did not respond",
        "connection refused",
        "Error: Request cancelled",
    ] {
        assert!(!all.contains(bad), "{bad:?} in:\n{all}");
    }
    // Far sooner than the platform would have answered.
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// The emulator logs a request when it answers; with a long latency we see
/// the waiting connection instead through the token counter.
fn provider_waiting(emu: &TestEmulator) -> bool {
    emu.handle.token_requests() > 0
}
