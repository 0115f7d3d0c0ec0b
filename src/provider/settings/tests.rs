//! Unit tests for the provider settings: control planes and base URLs,
//! environment fallbacks, defaults, and the diagnostics for bad values.

use super::*;
use std::collections::HashMap;
use tfplugin::framework::Model;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

const ORG_A: &str = "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b";
const ORG_B: &str = "11111111-2222-4333-8444-555555555555";

fn creds() -> ProviderSettings {
    ProviderSettings {
        client_id: Some("cid".into()),
        client_secret: Some(Secret::new("csecret")),
        ..Default::default()
    }
}

#[test]
fn control_plane_names_follow_the_table() {
    assert_eq!(CONTROL_PLANE_NAMES, ["us", "eu", "gov", "ca", "jp"]);
    for (name, url) in CONTROL_PLANES {
        assert_eq!(control_plane_url(name), Some(url));
    }
}

#[test]
fn a_refused_base_url_keeps_its_summary_and_reason() {
    let errs = ProviderSettings {
        base_url: Some("http://example.com".into()),
        ..creds()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].attribute, "base_url");
    assert_eq!(errs[0].summary, "Invalid base_url");
    assert!(
        errs[0].detail.contains("in the clear"),
        "{}",
        errs[0].detail
    );
}

#[test]
fn control_planes_map_to_their_urls() {
    let cases = [
        ("us", "https://anypoint.mulesoft.com/"),
        ("eu", "https://eu1.anypoint.mulesoft.com/"),
        ("gov", "https://gov.anypoint.mulesoft.com/"),
        ("ca", "https://ca1.platform.mulesoft.com/"),
        ("jp", "https://jp1.platform.mulesoft.com/"),
        ("EU", "https://eu1.anypoint.mulesoft.com/"),
    ];
    for (plane, url) in cases {
        let cfg = ProviderSettings {
            control_plane: Some(plane.into()),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap();
        assert_eq!(cfg.base_url.as_str(), url, "{plane}");
    }
    let cfg = creds().resolve(env_of(&[])).unwrap();
    assert_eq!(cfg.base_url.as_str(), "https://anypoint.mulesoft.com/");
    let cfg = creds()
        .resolve(env_of(&[(ENV_CONTROL_PLANE, "gov")]))
        .unwrap();
    assert_eq!(cfg.base_url.as_str(), "https://gov.anypoint.mulesoft.com/");
}

#[test]
fn invalid_control_plane_names_the_allowed_values() {
    let errs = ProviderSettings {
        control_plane: Some("mars".into()),
        ..creds()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].attribute, "control_plane");
    for name in ["us", "eu", "gov", "ca", "jp", "mars"] {
        assert!(errs[0].detail.contains(name), "{}", errs[0].detail);
    }
}

#[test]
fn base_url_overrides_the_control_plane() {
    let cfg = ProviderSettings {
        control_plane: Some("eu".into()),
        base_url: Some("http://127.0.0.1:9999".into()),
        ..creds()
    }
    .resolve(env_of(&[]))
    .unwrap();
    assert_eq!(cfg.base_url.as_str(), "http://127.0.0.1:9999/");
    let cfg = creds()
        .resolve(env_of(&[(
            ENV_BASE_URL,
            "https://stgx.anypoint.mulesoft.com",
        )]))
        .unwrap();
    assert_eq!(cfg.base_url.host_str(), Some("stgx.anypoint.mulesoft.com"));
    let errs = creds()
        .resolve(env_of(&[(ENV_BASE_URL, "http://example.com")]))
        .unwrap_err();
    assert_eq!(errs[0].attribute, "base_url");
}

#[test]
fn everything_falls_back_to_the_environment() {
    let cfg = ProviderSettings::default()
        .resolve(env_of(&[
            (ENV_CLIENT_ID, "env-id"),
            (ENV_CLIENT_SECRET, "env-secret"),
            (ENV_CONTROL_PLANE, "jp"),
            (ENV_ORG_ID, ORG_A),
            (ENV_MAX_RETRIES, "2"),
            (ENV_TIMEOUT_SECONDS, "15"),
            (ENV_MAX_REQUESTS_PER_SECOND, "2.5"),
        ]))
        .unwrap();
    assert_eq!(cfg.client_id, "env-id");
    assert_eq!(cfg.client_secret.expose(), "env-secret");
    assert_eq!(cfg.base_url.host_str(), Some("jp1.platform.mulesoft.com"));
    assert_eq!(cfg.org_id.as_deref(), Some(ORG_A));
    assert_eq!(cfg.max_retries, 2);
    assert_eq!(cfg.timeout, Duration::from_secs(15));
    assert_eq!(cfg.max_requests_per_second, Some(2.5));
    assert!(!format!("{cfg:?}").contains("env-secret"));
}

#[test]
fn attributes_win_over_the_environment() {
    let cfg = ProviderSettings {
        org_id: Some(ORG_A.into()),
        max_retries: Some(Number::Int(0)),
        timeout_seconds: Some(Number::Int(5)),
        max_requests_per_second: Some(Number::Float(0.5)),
        ..creds()
    }
    .resolve(env_of(&[
        (ENV_CLIENT_ID, "env-id"),
        (ENV_ORG_ID, ORG_B),
        (ENV_MAX_RETRIES, "9"),
        (ENV_MAX_REQUESTS_PER_SECOND, "abc"),
    ]))
    .unwrap();
    assert_eq!(cfg.max_requests_per_second, Some(0.5));
    assert_eq!(cfg.client_id, "cid");
    assert_eq!(cfg.org_id.as_deref(), Some(ORG_A));
    assert_eq!(cfg.max_retries, 0);
    assert_eq!(cfg.timeout, Duration::from_secs(5));
}

#[test]
fn defaults_apply() {
    let cfg = creds().resolve(env_of(&[])).unwrap();
    assert_eq!(cfg.max_retries, 5);
    assert_eq!(cfg.timeout, Duration::from_secs(50));
    assert_eq!(cfg.org_id, None);
    assert_eq!(cfg.max_requests_per_second, None);
}

#[test]
fn max_requests_per_second_and_its_variable_follow_one_rule() {
    for ok in [0.1, 1.0, 7.5, 1000.0] {
        let cfg = ProviderSettings {
            max_requests_per_second: Some(Number::Float(ok)),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap();
        assert_eq!(cfg.max_requests_per_second, Some(ok));
        let cfg = creds()
            .resolve(env_of(&[(ENV_MAX_REQUESTS_PER_SECOND, &ok.to_string())]))
            .unwrap();
        assert_eq!(cfg.max_requests_per_second, Some(ok));
    }
    for bad in [0.0, -2.0, 0.05, 1000.5] {
        let errs = ProviderSettings {
            max_requests_per_second: Some(Number::Float(bad)),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].attribute, "max_requests_per_second");
        assert_eq!(errs[0].summary, "Invalid max_requests_per_second");
        let d = &errs[0].detail;
        assert!(
            d.contains("`max_requests_per_second` must be a number from 0.1 to 1000"),
            "{d}"
        );
        assert!(
            d.contains(ENV_MAX_REQUESTS_PER_SECOND),
            "names the variable too: {d}"
        );
        let errs = creds()
            .resolve(env_of(&[(ENV_MAX_REQUESTS_PER_SECOND, &bad.to_string())]))
            .unwrap_err();
        let d = &errs[0].detail;
        assert!(
            d.starts_with("ANYPOINT_MAX_REQUESTS_PER_SECOND must be a number from 0.1 to 1000"),
            "{d}"
        );
    }
    for junk in ["abc", "5/s", "NaN", "inf"] {
        let errs = creds()
            .resolve(env_of(&[(ENV_MAX_REQUESTS_PER_SECOND, junk)]))
            .unwrap_err();
        assert_eq!(errs.len(), 1, "{junk}");
        assert_eq!(errs[0].attribute, "max_requests_per_second");
        let d = &errs[0].detail;
        assert!(d.contains(ENV_MAX_REQUESTS_PER_SECOND), "{junk}: {d}");
        assert!(d.contains("0.1 to 1000"), "states the rule: {d}");
    }
}

#[test]
fn missing_credentials_name_attribute_and_env_var() {
    let errs = ProviderSettings {
        client_secret: Some(Secret::new("s")),
        ..Default::default()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].attribute, "client_id");
    assert!(errs[0].detail.contains("`client_id`"));
    assert!(errs[0].detail.contains("ANYPOINT_CLIENT_ID"));

    let errs = ProviderSettings {
        client_id: Some("c".into()),
        ..Default::default()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].attribute, "client_secret");
    assert!(errs[0].detail.contains("`client_secret`"));
    assert!(errs[0].detail.contains("ANYPOINT_CLIENT_SECRET"));

    // Both missing: one error that mentions both.
    let errs = ProviderSettings::default()
        .resolve(env_of(&[]))
        .unwrap_err();
    assert_eq!(errs.len(), 1);
    for needle in [
        "client_id",
        "client_secret",
        "ANYPOINT_CLIENT_ID",
        "ANYPOINT_CLIENT_SECRET",
    ] {
        assert!(errs[0].detail.contains(needle), "{needle}");
    }
    // Empty strings count as unset.
    let errs = ProviderSettings {
        client_id: Some("  ".into()),
        client_secret: Some(Secret::new("")),
        ..Default::default()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert_eq!(errs.len(), 1);
}

#[test]
fn bad_numbers_are_reported_together() {
    let errs = ProviderSettings {
        max_retries: Some(Number::Int(-1)),
        ..creds()
    }
    .resolve(env_of(&[(ENV_TIMEOUT_SECONDS, "soon")]))
    .unwrap_err();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].attribute, "max_retries");
    assert_eq!(errs[1].attribute, "timeout_seconds");
    assert!(errs[1].detail.contains("ANYPOINT_TIMEOUT_SECONDS"));
    let errs = ProviderSettings {
        timeout_seconds: Some(Number::Int(0)),
        ..creds()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert_eq!(errs[0].attribute, "timeout_seconds");
}

#[test]
fn environment_variables_follow_the_rules_of_their_attributes() {
    // ANYPOINT_ORG_ID is a UUID, like org_id.
    let errs = creds()
        .resolve(env_of(&[(ENV_ORG_ID, "not-a-uuid")]))
        .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].attribute, "org_id");
    assert!(errs[0].detail.contains(ENV_ORG_ID), "{}", errs[0].detail);
    assert!(errs[0].detail.contains("UUID"), "{}", errs[0].detail);
    let errs = ProviderSettings {
        org_id: Some("not-a-uuid".into()),
        ..creds()
    }
    .resolve(env_of(&[]))
    .unwrap_err();
    assert!(errs[0].detail.contains("`org_id`"), "{}", errs[0].detail);
    // ANYPOINT_MAX_RETRIES has the range of max_retries.
    let ok = creds().resolve(env_of(&[(ENV_MAX_RETRIES, "20")])).unwrap();
    assert_eq!(ok.max_retries, 20);
    for (n, env) in [(21, "21"), (30, "30"), (-1, "-1")] {
        let errs = creds()
            .resolve(env_of(&[(ENV_MAX_RETRIES, env)]))
            .unwrap_err();
        assert!(
            errs[0].detail.contains("between 0 and 20"),
            "{}",
            errs[0].detail
        );
        let errs = ProviderSettings {
            max_retries: Some(Number::Int(n)),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert!(
            errs[0].detail.contains("between 0 and 20"),
            "{}",
            errs[0].detail
        );
    }
    let errs = creds()
        .resolve(env_of(&[(ENV_TIMEOUT_SECONDS, "3601")]))
        .unwrap_err();
    assert!(
        errs[0].detail.contains("between 1 and 3600"),
        "{}",
        errs[0].detail
    );
}

#[test]
fn an_empty_variable_is_an_error_naming_it_not_unset() {
    let all = [
        (ENV_CLIENT_ID, "client_id"),
        (ENV_CLIENT_SECRET, "client_secret"),
        (ENV_CONTROL_PLANE, "control_plane"),
        (ENV_BASE_URL, "base_url"),
        (ENV_ORG_ID, "org_id"),
        (ENV_MAX_RETRIES, "max_retries"),
        (ENV_TIMEOUT_SECONDS, "timeout_seconds"),
        (ENV_MAX_REQUESTS_PER_SECOND, "max_requests_per_second"),
    ];
    for (name, attribute) in all {
        for empty in ["", "  "] {
            // Credentials from the provider block, except the one under test.
            let settings = match attribute {
                "client_id" => ProviderSettings {
                    client_secret: Some(Secret::new("s")),
                    ..Default::default()
                },
                "client_secret" => ProviderSettings {
                    client_id: Some("c".into()),
                    ..Default::default()
                },
                _ => creds(),
            };
            let errs = settings.resolve(env_of(&[(name, empty)])).expect_err(name);
            assert_eq!(errs.len(), 1, "{name}={empty:?}: {errs:?}");
            assert_eq!(errs[0].attribute, attribute);
            assert_eq!(errs[0].summary, format!("Empty {name}"));
            assert!(
                errs[0].detail.contains(&format!("unset {name}")),
                "{}",
                errs[0].detail
            );
        }
    }
    // The attribute wins: the variable is not read, empty or not.
    let cfg = ProviderSettings {
        base_url: Some("https://eu1.anypoint.mulesoft.com".into()),
        ..creds()
    }
    .resolve(env_of(&[(ENV_BASE_URL, "")]))
    .unwrap();
    assert_eq!(cfg.base_url.as_str(), "https://eu1.anypoint.mulesoft.com/");
}

#[test]
fn an_empty_or_huge_base_url_is_one_clear_error() {
    for (raw, says) in [("", "is empty"), ("   ", "is empty")] {
        let errs = ProviderSettings {
            base_url: Some(raw.into()),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].summary, "Empty base_url");
        assert!(errs[0].detail.contains(says), "{}", errs[0].detail);
        assert!(
            errs[0].detail.contains("control_plane"),
            "{}",
            errs[0].detail
        );
    }
    let huge = format!("https://{}.example.com", "a".repeat(100_000));
    let e = check_base_url(&huge, "`base_url`").unwrap_err();
    assert!(e.detail.len() < 400, "{}", e.detail);
    assert!(e.detail.contains("100020 characters"), "{}", e.detail);
}

#[test]
fn the_platform_is_named_by_the_setting_that_chose_it() {
    let platform =
        |s: ProviderSettings, env: &[(&str, &str)]| s.resolve(env_of(env)).unwrap().platform;
    assert_eq!(
        platform(creds(), &[]),
        "control plane \"us\" (the default: control_plane is not set)"
    );
    let eu = ProviderSettings {
        control_plane: Some("EU".into()),
        ..creds()
    };
    assert_eq!(
        platform(eu, &[]),
        "control plane \"eu\" (set by `control_plane`)"
    );
    assert_eq!(
        platform(creds(), &[(ENV_CONTROL_PLANE, "gov")]),
        "control plane \"gov\" (set by ANYPOINT_CONTROL_PLANE)"
    );
    let local = ProviderSettings {
        base_url: Some("http://127.0.0.1:8080".into()),
        control_plane: Some("eu".into()),
        ..creds()
    };
    assert_eq!(platform(local, &[]), "the base URL set by `base_url`");
    assert_eq!(
        platform(creds(), &[(ENV_BASE_URL, "http://127.0.0.1:8080")]),
        "the base URL set by ANYPOINT_BASE_URL"
    );
}

#[test]
fn the_block_is_read_through_its_model() {
    let block = |base_url: Value| {
        let mut v = Value::empty_object();
        v.set_attr("client_id", Value::string("cid"));
        v.set_attr("client_secret", Value::string("block-secret"));
        v.set_attr("base_url", base_url);
        v.set_attr("max_retries", Value::int(3));
        v.set_attr("max_requests_per_second", Value::Number(Number::Float(2.5)));
        v
    };
    let known = block(Value::string("http://127.0.0.1:9"));
    assert!(all_known(&known));
    let settings = ProviderSettings::from_value(&known).unwrap();
    assert_eq!(settings.client_id.as_deref(), Some("cid"));
    assert_eq!(settings.base_url.as_deref(), Some("http://127.0.0.1:9"));
    assert!(!format!("{settings:?}").contains("block-secret"));
    let cfg = settings.resolve(env_of(&[])).unwrap();
    assert_eq!(cfg.client_secret.expose(), "block-secret");
    assert_eq!(cfg.max_retries, 3);
    assert_eq!(cfg.max_requests_per_second, Some(2.5));
    // A value not known yet: configure waits; validate reads it as unset.
    let unknown = block(Value::Unknown);
    assert!(!all_known(&unknown));
    let so_far = ProviderSettings::from_value(&known_so_far(&unknown)).unwrap();
    assert_eq!(so_far.base_url, None);
    assert_eq!(so_far.client_id.as_deref(), Some("cid"));
}
