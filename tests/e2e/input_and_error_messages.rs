//! Hostile input refused at validate, and messages that say what went wrong
//! and where (credentials, the host, ids, the environment), end to end: the
//! real Terraform CLI, the provider and the in-process emulator.

use std::time::Duration;

use crate::support::*;
use anypoint_emulator::{EmulatorConfig, DEFAULT_ORG_ID};

// ------------------------------------------------ input refused at validate

/// Each bad input is refused at `terraform validate`, naming the attribute,
/// with no platform call; a native app's custom scheme stays valid.
#[test]
fn hostile_input_is_refused_at_validate() {
    let emu = TestEmulator::start();
    let bad: &[(&str, &str, &str)] = &[
        (
            "redirect_uris",
            "space inside",
            r#"redirect_uris = ["https://a.example.com/call back"]"#,
        ),
        (
            "redirect_uris",
            "leading space",
            r#"redirect_uris = [" https://a.example.com/cb"]"#,
        ),
        (
            "redirect_uris",
            "trailing space",
            r#"redirect_uris = ["https://a.example.com/cb "]"#,
        ),
        (
            "redirect_uris",
            "embedded newline",
            r#"redirect_uris = ["https://a.example.com/c\nb"]"#,
        ),
        (
            "redirect_uris",
            "javascript: scheme",
            r#"redirect_uris = ["javascript:alert(1)"]"#,
        ),
        (
            "redirect_uris",
            "data: scheme",
            r#"redirect_uris = ["data:text/html,hello"]"#,
        ),
        (
            "redirect_uris",
            "file: scheme",
            r#"redirect_uris = ["file:///etc/passwd"]"#,
        ),
        (
            "redirect_uris",
            "fragment",
            r#"redirect_uris = ["https://a.example.com/cb#frag"]"#,
        ),
        (
            "redirect_uris",
            "user-info",
            r#"redirect_uris = ["https://user:pass@a.example.com/cb"]"#,
        ),
        (
            "url",
            "surrounding spaces",
            r#"url = " https://a.example.com ""#,
        ),
        ("url", "no host", r#"url = "http:///path""#),
        ("name", "control character", "name = \"bad\\u0007name\""),
        ("name", "leading space", r#"name = " padded""#),
        ("name", "trailing space", r#"name = "padded ""#),
    ];
    let tf = emu.tf("");
    let mut problems = Vec::new();
    for (attr, what, line) in bad {
        let body = if line.starts_with("name") {
            format!("resource \"anypoint_client_application\" \"app\" {{\n  {line}\n}}\n")
        } else {
            format!("resource \"anypoint_client_application\" \"app\" {{\n  name = \"hostile\"\n  {line}\n}}\n")
        };
        emu.set_config(&tf, &body);
        let before = emu.all_requests().len();
        let out = tf.run(&["validate", "-no-color"]);
        let raw = out.all();
        let all = flat(&raw);
        if out.code == 0 {
            problems.push(format!("{attr} with {what}: accepted by validate"));
        } else if !all.contains(attr) {
            problems.push(format!(
                "{attr} with {what}: refused without naming {attr}: {raw}"
            ));
        }
        if emu.all_requests().len() != before {
            problems.push(format!("{attr} with {what}: validate called the platform"));
        }
    }
    emu.set_config(
        &tf,
        "resource \"anypoint_client_application\" \"app\" {\n  name = \"native\"\n  redirect_uris = [\"com.example.app:/callback\"]\n}\n",
    );
    let ok = tf.run(&["validate", "-no-color"]);
    if ok.code != 0 {
        problems.push(format!("com.example.app:/callback refused: {}", ok.all()));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ------------------------------------------------------------- messages

/// A wrong organization id: no hint about the Application Creator scope, no
/// doubled period, and the message points at org_id.
#[test]
fn wrong_org_id_message() {
    let emu = TestEmulator::start();
    let tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        emu.provider_block_with("  org_id = \"11111111-2222-4333-8444-555555555555\"\n")
    ));
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(
        !all.contains("Application Creator"),
        "misleading scope hint:\n{raw}"
    );
    // Only the diagnostics: Terraform's own progress line ("Reading...")
    // precedes them and is not the provider's text.
    let errors = &all[all.find("Error:").unwrap_or(0)..];
    assert!(!errors.contains(".."), "doubled period:\n{raw}");
    assert!(
        all.contains("org_id"),
        "the message points at org_id:\n{raw}"
    );
}

/// `name = ""` on a required attribute never says "or remove it".
#[test]
fn empty_required_name_message() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&app_block("app", "", ""));
    let out = tf.run(&["validate", "-no-color"]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(all.contains("name"), "{raw}");
    assert!(!all.contains("or remove it"), "name is required:\n{raw}");
}

/// An id that overflows is described as too large, not "must be numeric".
#[test]
fn overflowing_id_message() {
    let emu = TestEmulator::start();
    let tf = emu.tf(&owner_block("o", "\"1\"", ALICE));
    let out = tf.run(&[
        "import",
        "-no-color",
        "-input=false",
        "anypoint_client_application_owner.o",
        &format!("{DEFAULT_ORG_ID}/99999999999999999999999/{ALICE}"),
    ]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(
        !all.contains("must be numeric"),
        "the id is numeric, just too large:\n{raw}"
    );
    let lower = all.to_lowercase();
    assert!(
        ["too large", "64-bit", "out of range", "overflow"]
            .iter()
            .any(|w| lower.contains(w)),
        "the message says the id is too large:\n{raw}"
    );
}

/// Credential failures are not titled "Error finding the organization".
#[test]
fn bad_credentials_title() {
    let emu = TestEmulator::start();
    let tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        provider_block(
            &emu.url,
            &emu.config.client_id,
            "wrong-secret",
            "  max_retries = 0\n"
        )
    ));
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(!all.contains("Error finding the organization"), "{raw}");
    assert!(
        all.contains("client_secret") || all.contains("credentials"),
        "{raw}"
    );
}

/// A token that expired in flight is not reported as rejected credentials.
#[test]
fn expired_token_is_not_rejected_credentials() {
    let emu = TestEmulator::start_with(EmulatorConfig {
        token_ttl: Duration::ZERO,
        ..EmulatorConfig::default()
    });
    let tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        emu.provider_block_with(&format!("  org_id = \"{DEFAULT_ORG_ID}\"\n"))
    ));
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(
        !all.contains("rejected the credentials"),
        "the credentials were fine:\n{raw}"
    );
    assert!(
        all.to_lowercase().contains("expired"),
        "the message says the token expired:\n{raw}"
    );
}

/// `ANYPOINT_ORG_ID` is validated like `org_id`: refused before any platform
/// call, naming the variable.
#[test]
fn env_org_id_validated_like_attribute() {
    let emu = TestEmulator::start();
    let mut tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        emu.provider_block_with("")
    ));
    tf.set_env("ANYPOINT_ORG_ID", "not-a-uuid");
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(out.code, 0, "{raw}");
    assert!(
        all.contains("ANYPOINT_ORG_ID"),
        "names the variable:\n{raw}"
    );
    assert!(all.contains("UUID"), "states the rule (a UUID):\n{raw}");
    assert_eq!(
        emu.api_requests(),
        0,
        "no platform call: {:?}",
        emu.all_requests()
    );
}

/// `ANYPOINT_MAX_RETRIES` allows what `max_retries` allows (0..=20).
#[test]
fn env_max_retries_validated_like_attribute() {
    let emu = TestEmulator::start();
    let mut tf = TfDir::new(&format!(
        "{}data \"anypoint_client_applications\" \"all\" {{}}\n",
        emu.provider_block_raw("")
    ));
    tf.set_env("ANYPOINT_MAX_RETRIES", "30");
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    let raw = out.all();
    let all = flat(&raw);
    assert_ne!(
        out.code, 0,
        "ANYPOINT_MAX_RETRIES=30 is out of range like max_retries = 30:\n{raw}"
    );
    assert!(all.contains("ANYPOINT_MAX_RETRIES"), "{raw}");
    assert!(all.contains("20"), "states the range:\n{raw}");
}

// ------------------------------------------------------ where a call went

/// The provider's error blocks of a failed run, squeezed to one line.
fn errors_of(out: &TfOutput) -> String {
    let all = flat(&out.all());
    all[all.find("Error:").unwrap_or(0)..].to_owned()
}

/// A plan of one new application against `url` with these credentials.
fn plan_against(url: &str, client_id: &str, client_secret: &str) -> TfOutput {
    let tf = TfDir::new(&format!(
        "{}resource \"anypoint_client_application\" \"app\" {{\n  name = \"where\"\n}}\n",
        provider_block(url, client_id, client_secret, "  max_retries = 0\n")
    ));
    tf.run(&["plan", "-no-color", "-input=false"])
}

/// A wrong client secret, a Connected App unknown to the host (another
/// control plane's) and a refused connection: three different errors, each
/// naming the host it went to, the setting that chose it, and what to check.
#[test]
fn credential_and_connection_failures_name_the_host() {
    let emu = TestEmulator::start();
    let other_plane = TestEmulator::start_with(EmulatorConfig {
        client_id: "another-plane-app".into(),
        ..EmulatorConfig::default()
    });
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let host = |url: &str| {
        url.trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    };

    let wrong_secret = plan_against(&emu.url, &emu.config.client_id, "wrong-secret");
    let wrong_plane = plan_against(
        &other_plane.url,
        &emu.config.client_id,
        &emu.config.client_secret,
    );
    let refused_url = format!("http://127.0.0.1:{closed}");
    let refused = plan_against(
        &refused_url,
        &emu.config.client_id,
        &emu.config.client_secret,
    );

    let cases = [
        ("wrong secret", &wrong_secret, host(&emu.url)),
        ("wrong control plane", &wrong_plane, host(&other_plane.url)),
        ("refused connection", &refused, host(&refused_url)),
    ];
    for (what, out, host) in &cases {
        assert_ne!(out.code, 0, "{what}: the plan fails:\n{}", out.all());
        assert_no_provider_bug(out);
        let errors = errors_of(out);
        assert!(
            errors.contains(host.as_str()),
            "{what}: names {host}:\n{errors}"
        );
        assert!(
            errors.contains("the base URL set by `base_url`"),
            "{what}: names the setting that chose the host:\n{errors}"
        );
    }
    for (what, out, _) in &cases[..2] {
        let errors = errors_of(out);
        for needle in ["client_id", "client_secret", "control plane"] {
            assert!(
                errors.contains(needle),
                "{what}: says to check {needle}:\n{errors}"
            );
        }
    }
    let refused_errors = errors_of(&refused);
    assert!(
        refused_errors.contains("could not connect to"),
        "a refused connection says so:\n{refused_errors}"
    );
    assert!(
        !refused_errors.contains("client_secret"),
        "a refused connection does not blame the credentials:\n{refused_errors}"
    );
    let texts: Vec<String> = cases.iter().map(|(_, o, _)| errors_of(o)).collect();
    assert!(
        texts[0] != texts[1] && texts[1] != texts[2] && texts[0] != texts[2],
        "three different errors:\n{}",
        texts.join("\n---\n")
    );
}

/// The credential error names the setting that chose the host, whichever it
/// is: here the environment variable.
#[test]
fn credential_failure_names_the_environment_variable_that_chose_the_host() {
    let emu = TestEmulator::start();
    let mut tf = TfDir::new(&format!(
        "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n\nprovider \"anypoint\" {{\n  client_id     = \"{}\"\n  client_secret = \"wrong-secret\"\n  max_retries   = 0\n}}\n\nresource \"anypoint_client_application\" \"app\" {{\n  name = \"where\"\n}}\n",
        emu.config.client_id
    ));
    tf.set_env("ANYPOINT_BASE_URL", &emu.url);
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(out.code, 0, "{}", out.all());
    let errors = errors_of(&out);
    assert!(
        errors.contains("the base URL set by ANYPOINT_BASE_URL"),
        "{errors}"
    );
}
