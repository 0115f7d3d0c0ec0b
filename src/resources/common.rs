//! Helpers shared by resources and data sources: normalising values the
//! platform reports differently from how users write them, and application
//! attributes.

use crate::anypoint::Application;
use crate::framework::validators::{absolute_url, one_of};
use crate::framework::{AttrPath, Diagnostics, Validator};
use crate::tfvalue::Value;

pub const GRANT_TYPES: &[&str] = &[
    "password",
    "implicit",
    "client_credentials",
    "authorization_code",
    "refresh_token",
];

/// A string the platform may report as null or "" when unset: keep the
/// user's "" if that is what they wrote, null otherwise.
pub fn norm_string(api: Option<&str>, wanted: &Value) -> Value {
    match api {
        Some(s) if !s.is_empty() => Value::string(s),
        _ if wanted.as_str() == Some("") => Value::string(""),
        _ => Value::Null,
    }
}

/// A set the platform reports as [] when unset: keep the user's empty set if
/// that is what they wrote, null otherwise.
pub fn norm_set(api: &[String], wanted: &Value) -> Value {
    if api.is_empty() {
        match wanted {
            Value::Set(v) if v.is_empty() => Value::Set(Vec::new()),
            _ => Value::Null,
        }
    } else {
        Value::string_set(api.iter().cloned())
    }
}

/// Strings of a known set/list attribute; empty for null.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_string_vec().unwrap_or_default()
}

pub fn grant_type_validator() -> Validator {
    one_of(GRANT_TYPES)
}

pub fn redirect_uri_validator() -> Validator {
    absolute_url(false)
}

/// refresh_token is only valid next to authorization_code.
pub fn check_grant_types(config: &Value, diags: &mut Diagnostics) {
    let v = config.attr("grant_types");
    let Some(els) = v.as_elements() else {
        return;
    };
    if els.iter().any(Value::is_unknown) {
        return;
    }
    let has = |g: &str| els.iter().any(|e| e.as_str() == Some(g));
    if has("refresh_token") && !has("authorization_code") {
        diags.attr_error(
            AttrPath::attr("grant_types"),
            "Invalid grant types",
            "The grant type \"refresh_token\" requires \"authorization_code\": add \
             \"authorization_code\" to grant_types or remove \"refresh_token\".",
        );
    }
}

/// Parse an application id (digits) from an import id part.
pub fn parse_app_id(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The attributes of an application as both the resource and the data
/// source report them (not the resource's write-only inputs).
pub fn application_values(
    app: &Application,
    org: &str,
    wanted: &Value,
) -> Vec<(&'static str, Value)> {
    vec![
        ("id", Value::string(app.id.to_string())),
        ("org_id", Value::string(org)),
        ("name", Value::string(&app.name)),
        (
            "description",
            norm_string(app.description.as_deref(), wanted.attr("description")),
        ),
        ("url", norm_string(app.url.as_deref(), wanted.attr("url"))),
        (
            "redirect_uris",
            norm_set(&app.redirect_uri, wanted.attr("redirect_uris")),
        ),
        (
            "grant_types",
            norm_set(&app.grant_types, wanted.attr("grant_types")),
        ),
        ("client_id", Value::string(&app.client_id)),
        (
            "client_secret",
            match &app.client_secret {
                Some(s) => Value::string(s.expose()),
                None => wanted.attr("client_secret").clone(),
            },
        ),
        (
            "created_at",
            match &app.created_at {
                Some(c) => Value::string(c),
                None => wanted.attr("created_at").clone(),
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_keeps_what_the_user_wrote() {
        assert_eq!(norm_string(None, &Value::Null), Value::Null);
        assert_eq!(norm_string(Some(""), &Value::Null), Value::Null);
        assert_eq!(norm_string(None, &Value::string("")), Value::string(""));
        assert_eq!(norm_string(Some("x"), &Value::Null), Value::string("x"));
        assert_eq!(norm_set(&[], &Value::Null), Value::Null);
        assert_eq!(norm_set(&[], &Value::Set(vec![])), Value::Set(vec![]));
        assert_eq!(
            norm_set(&["b".into(), "a".into()], &Value::Null),
            Value::string_set(["a", "b"])
        );
    }

    #[test]
    fn refresh_token_needs_authorization_code() {
        let mut d = Diagnostics::new();
        let cfg = Value::Object(
            [(
                "grant_types".to_string(),
                Value::string_set(["refresh_token"]),
            )]
            .into(),
        );
        check_grant_types(&cfg, &mut d);
        assert!(d.has_errors());
        let mut d = Diagnostics::new();
        let cfg = Value::Object(
            [(
                "grant_types".to_string(),
                Value::string_set(["refresh_token", "authorization_code"]),
            )]
            .into(),
        );
        check_grant_types(&cfg, &mut d);
        assert!(!d.has_errors());
    }

    #[test]
    fn app_ids_are_digits() {
        assert_eq!(parse_app_id("123"), Some(123));
        assert_eq!(parse_app_id("12a"), None);
        assert_eq!(parse_app_id(""), None);
    }
}
