//! An interrupted apply (Ctrl-C during creates, an interrupted secret
//! rotation) and an unresponsive platform, end to end: the real Terraform
//! CLI, the provider and the in-process emulator.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::*;
use anypoint_emulator::DEFAULT_ORG_ID;

// ------------------------------------------------ Ctrl-C during creates

/// Ctrl-C while several creates are in flight (the platform has created the
/// applications, their answers are on the way): every application that
/// exists is recorded in state, and the next apply succeeds without a 409.
#[test]
fn ctrl_c_during_creates_records_every_created_application() {
    let emu = TestEmulator::start();
    let names = ["ctrlc-a", "ctrlc-b", "ctrlc-c"];
    let body: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| app_block(&format!("a{i}"), n, ""))
        .collect();
    let tf = emu.tf(&body);
    for _ in names {
        emu.handle.push_fault(Fault::on(
            "POST",
            "/applications",
            FaultKind::Delay(Duration::from_secs(3)),
        ));
    }
    let mut run = Running::apply(&tf);
    wait_for_request(&emu, &mut run, "POST", "/applications", names.len());
    run.interrupt();
    let interrupted = run.finish(120);
    assert_ne!(interrupted.code, 0, "the interrupted apply fails");
    assert_no_provider_bug(&interrupted);

    let on_platform: Vec<String> = emu.handle.applications().iter().map(platform_id).collect();
    assert_eq!(
        on_platform.len(),
        names.len(),
        "the platform created all of them"
    );
    let in_state = state_app_ids(&tf);
    for id in &on_platform {
        assert!(
            in_state.contains(id),
            "application {id} exists on the platform but Terraform did not record it \
             (state: {in_state:?}):\n{}",
            interrupted.all()
        );
    }

    let next = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(next.code, 0, "the next apply succeeds:\n{}", next.all());
    assert!(
        !flat(&next.all()).contains("already exists"),
        "{}",
        next.all()
    );
    assert_eq!(emu.handle.application_count(), names.len());
    assert_plan_empty(&tf, "after the interrupted creates");
}

// --------------------------------------- an interrupted secret rotation

/// Ctrl-C while `POST …/secret/reset` is in flight (the platform has reset
/// the secret): Terraform records the new secret and the new triggers, and
/// the next apply does not rotate again.
#[test]
fn interrupted_secret_rotation_rotates_once() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&app_block(
        "app",
        "rotate-once",
        "  secret_rotation_triggers = { v = \"1\" }\n",
    ));
    tf.apply();
    emu.set_config(
        &tf,
        &app_block(
            "app",
            "rotate-once",
            "  secret_rotation_triggers = { v = \"2\" }\n",
        ),
    );
    emu.handle
        .push_fault(Fault::on("POST", "/secret/reset", FaultKind::Delay(HOLD)));
    let mut run = Running::apply(&tf);
    wait_for_request(&emu, &mut run, "POST", "/secret/reset", 1);
    run.interrupt();
    let interrupted = run.finish(120);
    assert_no_provider_bug(&interrupted);

    let platform = emu.apps_named("rotate-once").remove(0);
    let state = tf.resource_values(APP).expect("in state");
    assert_eq!(
        state["client_secret"],
        platform["clientSecret"],
        "after the interrupted rotation, state holds the platform's new secret:\n{}",
        interrupted.all()
    );
    assert_eq!(
        state["secret_rotation_triggers"]["v"], "2",
        "the new triggers are recorded"
    );

    let next = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(next.code, 0, "{}", next.all());
    assert_eq!(emu.secret_resets(), 1, "the secret was reset exactly once");
    assert_plan_empty(&tf, "after the interrupted rotation");
}

// ------------------------------------------------- an unresponsive platform

/// A loopback listener that accepts connections and never answers; counts
/// the connections. Its thread ends when the value is dropped.
struct Blackhole {
    addr: std::net::SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Blackhole {
    fn start() -> Blackhole {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, s) = (accepted.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((c, _)) => {
                        a.fetch_add(1, Ordering::SeqCst);
                        held.push(c);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Blackhole {
            addr,
            accepted,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The request timeout used to keep these tests short; the bound asserted is
/// derived from it: a command against an unresponsive platform ends within
/// twice the request timeout (with the default: under 2 minutes), plus Terraform's own start-up.
const SHORT_TIMEOUT: u64 = 3;
const STARTUP_SLACK: Duration = Duration::from_secs(6);

#[track_caller]
fn assert_timeout_message(raw: &str, host: &str) {
    let all = flat(raw);
    assert!(
        all.contains(host),
        "the error names the host {host}:\n{raw}"
    );
    assert!(
        all.contains(&format!("{SHORT_TIMEOUT} s"))
            || all.contains(&format!("{SHORT_TIMEOUT}s"))
            || all.contains(&format!("{SHORT_TIMEOUT} seconds")),
        "the error names the timeout ({SHORT_TIMEOUT} s):\n{raw}"
    );
    assert!(
        all.contains("timeout_seconds"),
        "the error names the attribute that changes it, timeout_seconds:\n{raw}"
    );
}

/// An endpoint that accepts and never answers: the command fails within the
/// bound, naming the host, the timeout and `timeout_seconds`; the token
/// request is never called "may have been applied".
#[test]
fn unresponsive_endpoint_fails_in_bounded_time_with_clear_message() {
    let hole = Blackhole::start();
    let url = format!("http://{}", hole.addr);
    let tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        provider_block(
            &url,
            "id",
            "secret-for-blackhole-test",
            &format!(
                "  org_id          = \"{DEFAULT_ORG_ID}\"\n  timeout_seconds = {SHORT_TIMEOUT}\n"
            ),
        )
    ));
    let started = Instant::now();
    let run = Running::start(&tf, &["plan", "-no-color", "-input=false"]);
    let out = run.finish(600);
    let took = started.elapsed();
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(
        hole.accepted.load(Ordering::SeqCst) > 0,
        "the provider called the platform"
    );
    assert_timeout_message(&raw, &hole.addr.to_string());
    assert!(
        !all.contains("may have been applied"),
        "a token request is never 'may have been applied':\n{raw}"
    );
    let bound = Duration::from_secs(2 * SHORT_TIMEOUT) + STARTUP_SLACK;
    assert!(
        took <= bound,
        "with timeout_seconds = {SHORT_TIMEOUT} the command took {took:?} (bound {bound:?}, \
         i.e. 2 minutes with the default 60 s):\n{raw}"
    );
}

/// A read that times out (the platform answers the token, then never the
/// list) is never called "may have been applied", and is bounded likewise.
#[test]
fn read_timeout_is_not_called_applied() {
    let emu = TestEmulator::start();
    for _ in 0..10 {
        emu.handle.push_fault(Fault::on(
            "GET",
            "/applications",
            FaultKind::Delay(Duration::from_secs(120)),
        ));
    }
    let tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        emu.provider_block_raw(&format!(
            "  org_id          = \"{DEFAULT_ORG_ID}\"\n  timeout_seconds = {SHORT_TIMEOUT}\n"
        ))
    ));
    let started = Instant::now();
    let out = Running::start(&tf, &["plan", "-no-color", "-input=false"]).finish(600);
    let took = started.elapsed();
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert_timeout_message(&raw, &emu.addr.to_string());
    assert!(
        !all.contains("may have been applied"),
        "an idempotent read is never 'may have been applied':\n{raw}"
    );
    let bound = Duration::from_secs(2 * SHORT_TIMEOUT) + STARTUP_SLACK;
    assert!(took <= bound, "took {took:?} (bound {bound:?}):\n{raw}");
}
