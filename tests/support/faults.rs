//! Interrupting a Terraform run at a chosen platform request, and the run
//! after: the targeted request's answer is held back ([`HOLD`]) by a
//! scripted fault, the test waits until the platform's request log shows the
//! request (logged once processed, before the answer is written), then
//! interrupts; the next apply must converge, following the import advice of
//! an error where it gives one.

use std::io::Read as _;
use std::time::{Duration, Instant};

use super::{import_block_id, state_app_ids, Running, TestEmulator, TfDir, TfOutput};

/// How long a targeted request's answer is held back after the platform has
/// acted on it: the window in which the tests interrupt.
pub const HOLD: Duration = Duration::from_millis(800);

/// Wait (bounded) until the platform has acted on `n` requests with `method`
/// whose path ends with `suffix`. Fails the test if Terraform ends first.
#[track_caller]
pub fn wait_for_request(
    emu: &TestEmulator,
    run: &mut Running,
    method: &str,
    suffix: &str,
    n: usize,
) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if emu.count(method, suffix) >= n {
            return;
        }
        if run.exited() {
            let mut text = String::new();
            for pipe in [
                run.child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn std::io::Read>),
                run.child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn std::io::Read>),
            ]
            .into_iter()
            .flatten()
            {
                let mut pipe = pipe;
                let _ = pipe.read_to_string(&mut text);
            }
            panic!(
                "terraform ended before the platform saw {n} × {method} …{suffix}:\n{text}\nrequests: {:?}",
                emu.all_requests()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the platform never saw {n} × {method} …{suffix}: {:?}",
            emu.all_requests()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Run `terraform apply`; when it fails, each application on the platform
/// that is not in state must be named in the error with an import block for
/// its address: the test then follows that advice (writes the import blocks
/// to `imports.tf`) and applies again, which must succeed. Returns every
/// output, in order.
#[track_caller]
pub fn apply_following_import_advice(
    emu: &TestEmulator,
    tf: &TfDir,
    addresses: &[(&str, &str)],
) -> Vec<TfOutput> {
    let first = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    if first.code == 0 {
        return vec![first];
    }
    let text = first.all();
    let in_state = state_app_ids(tf);
    let mut imports = String::new();
    for (address, name) in addresses {
        for app in emu.apps_named(name) {
            let id = app["id"].to_string().trim_matches('"').to_owned();
            if in_state.contains(&id) {
                continue;
            }
            let Some(import_id) = import_block_id(&text, address, &id) else {
                panic!(
                    "application {id} ({name:?}) is on the platform and not in state, and the \
                     failed apply does not name it with `import {{ to = {address} id = \"{id}\" }}`:\n{text}"
                );
            };
            imports.push_str(&format!(
                "import {{\n  to = {address}\n  id = \"{import_id}\"\n}}\n"
            ));
        }
    }
    assert!(
        !imports.is_empty(),
        "the apply after the interruption failed, but every object on the platform is in state:\n{text}"
    );
    tf.write("imports.tf", &imports);
    let second = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(
        second.code,
        0,
        "the apply after following the import advice failed:\n{}",
        second.all()
    );
    std::fs::remove_file(tf.work().join("imports.tf")).unwrap();
    vec![first, second]
}
