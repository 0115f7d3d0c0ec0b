//! The plugin runtime driven by the real Terraform CLI through a
//! `dev_overrides` CLI configuration.

use crate::support::*;

const PROVIDER_ONLY: &str = r#"
terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

provider "anypoint" {
  client_id     = "ci-client-id"
  client_secret = "very-secret-client-secret-4711"
  base_url      = "http://127.0.0.1:9"
  org_id        = "5a1b2c3d-0000-4000-8000-00000000abcd"
  max_retries   = 2
}

# Using the provider makes Terraform validate its configuration.
data "anypoint_client_applications" "all" {}
"#;

#[test]
fn providers_schema_json_returns_our_schema() {
    let tf = TfDir::new(PROVIDER_ONLY);
    let out = tf.run(&["providers", "schema", "-json"]);
    out.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema JSON");
    let provider = &json["provider_schemas"][PROVIDER_SOURCE]["provider"]["block"];
    let attrs = provider["attributes"]
        .as_object()
        .expect("provider attributes");
    for name in [
        "client_id",
        "client_secret",
        "control_plane",
        "base_url",
        "org_id",
        "max_retries",
        "timeout_seconds",
    ] {
        assert!(attrs.contains_key(name), "{name} missing from {attrs:?}");
        assert_eq!(attrs[name]["optional"], true, "{name} is optional");
    }
    assert_eq!(attrs["client_secret"]["sensitive"], true);
    assert_eq!(attrs["max_retries"]["type"], "number");
    assert_eq!(attrs["control_plane"]["description_kind"], "markdown");
}

#[test]
fn validate_rejects_a_bad_configuration_with_our_diagnostic() {
    let bad = PROVIDER_ONLY.replace(
        "max_retries   = 2",
        "max_retries   = 2\n  control_plane = \"mars\"",
    );
    let tf = TfDir::new(&bad);
    let out = tf.run(&["validate", "-json"]);
    assert_eq!(out.code, 1, "validate fails: {}", out.all());
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    let diags = json["diagnostics"].as_array().unwrap();
    let d = diags
        .iter()
        .find(|d| d["summary"] == "Invalid value")
        .unwrap_or_else(|| panic!("our diagnostic in {diags:?}"));
    let detail = d["detail"].as_str().unwrap();
    assert!(detail.contains("control_plane"), "{detail}");
    assert!(
        detail.contains("Allowed values: us, eu, gov, ca, jp"),
        "{detail}"
    );
    // The attribute path resolves to the offending line of the configuration.
    let code = d["snippet"]["code"].as_str().unwrap_or_default();
    assert!(
        code.contains("control_plane = \"mars\""),
        "snippet {code:?}"
    );

    // The human form shows the same.
    let human = tf.run(&["validate", "-no-color"]);
    assert_eq!(human.code, 1);
    // Terraform wraps long lines; compare with whitespace folded.
    let folded = human
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        folded.contains("Allowed values: us, eu, gov, ca, jp"),
        "{}",
        human.all()
    );
    assert!(
        human.stderr.contains("control_plane = \"mars\""),
        "{}",
        human.all()
    );
}

#[test]
fn tf_log_trace_shows_our_hclog_lines_at_their_levels() {
    let mut tf = TfDir::new(PROVIDER_ONLY);
    tf.set_env("TF_LOG", "trace");
    let out = tf.run(&["validate", "-no-color"]);
    out.assert_ok();
    let log = &out.stderr;
    // Terraform parsed our JSON lines and re-emitted them at our levels.
    assert!(
        log.lines().any(|l| l
            .contains("[TRACE] provider.terraform-provider-anypoint: Received request")
            && l.contains("tf_rpc=")),
        "trace line missing:\n{log}"
    );
    assert!(
        log.lines().any(|l| l
            .contains("[DEBUG] provider.terraform-provider-anypoint: Served request")
            && l.contains("tf_rpc=ValidateProviderConfig")),
        "debug line missing:\n{log}"
    );
    // None of our lines fell through as raw, unparsed JSON.
    assert!(!log.contains("{\"@level\""), "unparsed hclog line:\n{log}");
    // Every provider process was shut down through the controller.
    assert!(!log.contains("plugin failed to exit gracefully"), "{log}");
    assert!(log.contains("plugin exited"), "{log}");
    // The client secret from the configuration never reaches the log.
    assert!(!log.contains("very-secret-client-secret-4711"));
}

/// At DEBUG, each platform call's line carries its duration and the
/// platform's request id; Terraform closing the connection at shutdown is
/// not logged as a failure.
#[test]
fn tf_log_debug_times_each_call_and_stays_quiet_at_shutdown() {
    let emu = TestEmulator::start();
    let mut tf = tf_with_emulator(
        &emu,
        "resource \"anypoint_client_application\" \"app\" {\n  name = \"logged\"\n}\n",
    );
    tf.set_env("TF_LOG", "debug");
    let out = tf.apply();
    let log = &out.stderr;
    let calls: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Anypoint request succeeded"))
        .collect();
    assert!(!calls.is_empty(), "no call logged:\n{log}");
    for line in &calls {
        assert!(line.contains("duration_ms="), "no duration: {line}");
        let id = line
            .split("request_id=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no request id: {line}"));
        assert!(
            id.starts_with("emulator-request-"),
            "the emulator's x-request-id: {line}"
        );
    }
    for noise in ["failed serving connection", "broken pipe"] {
        assert!(!log.contains(noise), "{noise:?} logged:\n{log}");
    }
}
