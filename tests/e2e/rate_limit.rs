//! Rate limits end to end with the real Terraform CLI: `max_requests_per_second`
//! keeps an apply under the emulator's `--rate-limit`, the shared hold gets an
//! unpaced apply through one, and bad values of the attribute and of
//! `ANYPOINT_MAX_REQUESTS_PER_SECOND` are refused before any platform call.

use crate::support::*;
use anypoint_emulator::EmulatorConfig;

fn twelve_apps() -> String {
    (0..12)
        .map(|i| app_block(&format!("app{i}"), &format!("paced-{i:02}"), ""))
        .collect()
}

/// The request log with arrival times (seconds.millis), for failure messages.
fn timeline(emu: &TestEmulator) -> String {
    emu.all_requests()
        .iter()
        .map(|r| {
            let t = r.time.duration_since(std::time::UNIX_EPOCH).unwrap();
            format!(
                "{}.{:03} {} {} {}",
                t.as_secs() % 1000,
                t.subsec_millis(),
                r.status,
                r.method,
                r.path
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn refused(emu: &TestEmulator) -> Vec<String> {
    emu.all_requests()
        .iter()
        .filter(|r| r.status == 429)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Paced at half the emulator's limit, no request of the apply is refused:
/// Terraform may run two provider processes of one apply at once for a
/// moment (the plan's and the apply's), each pacing itself, which the
/// docs' advice of half the limit covers.
#[test]
fn an_apply_paced_at_half_the_platform_limit_gets_no_429() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        rate_limit: 5,
        ..EmulatorConfig::default()
    });
    let tf = TfDir::new(&format!(
        "{}\n{}",
        emu.provider_block_with("  max_requests_per_second = 2\n"),
        twelve_apps()
    ));
    let out = tf.apply();
    assert_no_provider_bug(&out);
    assert_eq!(emu.handle.application_count(), 12);
    assert_eq!(state_app_ids(&tf).len(), 12);
    assert_eq!(refused(&emu), Vec::<String>::new(), "{}", timeline(&emu));
    assert_eq!(emu.handle.rate_limited_requests(), 0);
    assert!(emu.all_requests().len() > 12, "{:?}", emu.all_requests());

    // The refresh runs in a new provider process, paced on its own.
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 0, "no changes expected:\n{}", plan.all());
}

/// Without pacing, the emulator refuses part of a parallel apply; the 429s'
/// `Retry-After` holds every request of the provider, and the apply succeeds.
#[test]
fn an_unpaced_apply_gets_through_a_rate_limit() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        rate_limit: 5,
        ..EmulatorConfig::default()
    });
    let tf = TfDir::new(&format!(
        "{}\n{}",
        emu.provider_block_raw("  max_retries = 10\n"),
        twelve_apps()
    ));
    let out = tf.apply();
    assert_no_provider_bug(&out);
    assert_eq!(emu.handle.application_count(), 12);
    assert_eq!(state_app_ids(&tf).len(), 12);
    // Ten creates at once against 5 a second: some were refused.
    assert!(!refused(&emu).is_empty(), "{:?}", emu.all_requests());
    for i in 0..12 {
        assert_eq!(emu.apps_named(&format!("paced-{i:02}")).len(), 1);
    }
}

#[test]
fn a_bad_rate_is_refused_at_validate() {
    let emu = TestEmulator::start();
    for bad in ["0", "-1", "0.05", "5000"] {
        let tf = TfDir::new(&format!(
            "{}\n{}",
            emu.provider_block_with(&format!("  max_requests_per_second = {bad}\n")),
            app_block("a", "never-created", "")
        ));
        let out = tf.run(&["validate", "-no-color"]);
        let raw = out.all();
        let all = flat(&raw);
        assert_ne!(
            out.code, 0,
            "max_requests_per_second = {bad} passed:\n{raw}"
        );
        assert!(
            all.contains("max_requests_per_second"),
            "names the attribute:\n{raw}"
        );
        assert!(all.contains("from 0.1 to 1000"), "states the range:\n{raw}");
    }
    assert_eq!(emu.all_requests().len(), 0, "{:?}", emu.all_requests());
}

#[test]
fn a_bad_environment_rate_is_refused_before_any_platform_call() {
    let emu = TestEmulator::start();
    for bad in ["abc", "0"] {
        let mut tf = TfDir::new(&format!(
            "{}\n{}",
            emu.provider_block_raw(""),
            app_block("a", "never-created", "")
        ));
        tf.set_env("ANYPOINT_MAX_REQUESTS_PER_SECOND", bad);
        let out = tf.run(&["plan", "-no-color", "-input=false"]);
        let raw = out.all();
        let all = flat(&raw);
        assert_ne!(
            out.code, 0,
            "ANYPOINT_MAX_REQUESTS_PER_SECOND={bad} passed:\n{raw}"
        );
        assert!(
            all.contains("ANYPOINT_MAX_REQUESTS_PER_SECOND"),
            "names the variable:\n{raw}"
        );
        assert!(all.contains("from 0.1 to 1000"), "states the range:\n{raw}");
    }
    assert_eq!(emu.all_requests().len(), 0, "{:?}", emu.all_requests());
}

/// A platform that throttles everything: every request, the token request
/// included, answers 429. The process asks for its token in one series of
/// 1 + `max_retries` requests, and every resource of the apply fails with
/// that series' error: the command's waiting is bounded by one series'
/// retries (docs/index.md, "Rate limits"), whatever the number of
/// applications.
#[test]
fn a_platform_that_throttles_everything_fails_an_apply_after_one_token_series() {
    let emu = TestEmulator::start();
    for _ in 0..200 {
        emu.handle
            .push_fault(Fault::any(FaultKind::retry_after(429, "0")));
    }
    let apps: String = (0..6)
        .map(|i| app_block(&format!("app{i}"), &format!("throttled-{i}"), ""))
        .collect();
    // provider_block sets max_retries = 2: a series is 3 token requests.
    let tf = TfDir::new(&format!("{}\n{apps}", emu.provider_block_with("")));
    let out = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let raw = out.all();
    assert_ne!(out.code, 0, "{raw}");
    assert_no_provider_bug(&out);
    let requests = emu.all_requests();
    assert_eq!(
        emu.count("POST", "/oauth2/token"),
        3,
        "one token series for six applications:\n{}",
        timeline(&emu)
    );
    assert_eq!(
        requests.len(),
        3,
        "nothing else was sent:\n{}",
        timeline(&emu)
    );
    assert!(
        requests.iter().all(|r| r.status == 429),
        "{}",
        timeline(&emu)
    );
    let text = flat(&raw);
    assert!(text.contains("429"), "{raw}");
    assert!(text.contains("after 3 attempts"), "{raw}");
    assert_eq!(emu.handle.application_count(), 0);
}
