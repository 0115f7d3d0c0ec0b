//! Reusable attribute validators. Each reports the attribute path and says
//! how to fix the value.

use super::path::quoted;
use super::schema::Validator;
use crate::tfvalue::Value;

/// A non-empty (after trimming) string.
pub fn non_empty() -> Validator {
    Validator::new("must not be empty", |v, path, diags| {
        if v.as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.attr_error(
                path.clone(),
                "Empty value",
                format!("The attribute {path} must not be empty or blank: set it to a non-empty string."),
            );
        }
    })
}

/// A string that is one of `allowed`.
pub fn one_of(allowed: &'static [&'static str]) -> Validator {
    Validator::new(
        format!("one of {}", allowed.join(", ")),
        move |v, path, diags| {
            if let Some(s) = v.as_str() {
                if !allowed.contains(&s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid value",
                        format!(
                            "The attribute {path} is {}, which is not allowed. Allowed values: {}.",
                            quoted(s),
                            allowed.join(", ")
                        ),
                    );
                }
            }
        },
    )
}

/// A whole number within `min..=max`.
pub fn int_between(min: i64, max: i64) -> Validator {
    Validator::new(format!("between {min} and {max}"), move |v, path, diags| {
        if let Value::Number(n) = v {
            match n.as_i64() {
                Some(i) if (min..=max).contains(&i) => {}
                _ => diags.attr_error(
                    path.clone(),
                    "Value out of range",
                    format!(
                        "The attribute {path} must be a whole number between {min} and {max}, got {}.",
                        n.as_f64()
                    ),
                ),
            }
        }
    })
}

/// A number (fractions allowed) within `min..=max`.
pub fn number_between(min: f64, max: f64) -> Validator {
    Validator::new(format!("between {min} and {max}"), move |v, path, diags| {
        if let Value::Number(n) = v {
            let x = n.as_f64();
            if !(min..=max).contains(&x) {
                diags.attr_error(
                    path.clone(),
                    "Value out of range",
                    format!("The attribute {path} must be a number from {min} to {max}, got {x}."),
                );
            }
        }
    })
}

/// A UUID (8-4-4-4-12 hex digits).
pub fn uuid() -> Validator {
    Validator::new("a UUID", |v, path, diags| {
        if let Some(s) = v.as_str() {
            if !is_uuid(s) {
                diags.attr_error(
                    path.clone(),
                    "Invalid UUID",
                    format!("The attribute {path} must be a UUID such as \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b\", got {}.", quoted(s)),
                );
            }
        }
    })
}

// Identifiers (the rules are in `ids`).
pub use super::ids::{canonical_uuid, is_uuid, parse_numeric_id, same_uuid, NumericIdError};

/// A numeric id: digits, no leading zero, at most `i64::MAX`.
pub fn numeric_id() -> Validator {
    Validator::new(
        "a numeric id (digits, no leading zero, 64-bit)",
        |v, path, diags| {
            if let Some(s) = v.as_str() {
                if let Err(e) = parse_numeric_id(s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid identifier",
                        format!("The attribute {path} {}", e.rule(s)),
                    );
                }
            }
        },
    )
}

/// An absolute URL; with `http_only`, the scheme must be http or https.
pub fn absolute_url(http_only: bool) -> Validator {
    Validator::new("an absolute URL", move |v, path, diags| {
        if let Some(s) = v.as_str() {
            let ok = match url::Url::parse(s) {
                Ok(u) if http_only => matches!(u.scheme(), "http" | "https") && u.host().is_some(),
                Ok(_) => true,
                Err(_) => false,
            };
            if !ok {
                let expected = if http_only {
                    "an absolute http or https URL such as \"https://example.com/app\""
                } else {
                    "an absolute URI with a scheme, such as \"https://example.com/callback\""
                };
                diags.attr_error(
                    path.clone(),
                    "Invalid URL",
                    format!(
                        "The attribute {path} must be {expected}, got {}.",
                        quoted(s)
                    ),
                );
            }
        }
    })
}

// Text and URL rules against hostile input (names, redirect URIs, web
// addresses): `text.rs`.
mod text;
pub use text::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{AttrPath, Diagnostics};

    fn check(v: &Validator, value: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        (v.check)(&value, &AttrPath::attr("x"), &mut d);
        d
    }

    #[test]
    fn validators_accept_and_reject() {
        assert!(check(&non_empty(), Value::string(" ")).has_errors());
        assert!(!check(&non_empty(), Value::string("a")).has_errors());
        assert!(check(&one_of(&["a", "b"]), Value::string("c")).has_errors());
        assert!(check(&int_between(1, 5), Value::int(6)).has_errors());
        assert!(!check(&int_between(1, 5), Value::int(5)).has_errors());
        let rate = number_between(0.1, 1000.0);
        assert!(check(&rate, Value::int(0)).has_errors());
        assert!(check(&rate, Value::Number(crate::tfvalue::Number::Float(1000.5))).has_errors());
        assert!(!check(&rate, Value::Number(crate::tfvalue::Number::Float(0.5))).has_errors());
        assert!(!check(&rate, Value::int(1000)).has_errors());
        assert!(!check(
            &uuid(),
            Value::string("0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b")
        )
        .has_errors());
        assert!(check(&uuid(), Value::string("0f8b9e2a1c3d")).has_errors());
        assert!(!check(&absolute_url(true), Value::string("https://a.example/x")).has_errors());
        assert!(check(&absolute_url(true), Value::string("ftp://a.example/x")).has_errors());
        assert!(check(&absolute_url(true), Value::string("/relative")).has_errors());
        assert!(!check(&absolute_url(false), Value::string("myapp://callback")).has_errors());
        assert!(check(&absolute_url(false), Value::string("not a uri")).has_errors());
    }

    #[test]
    fn diagnostics_name_the_attribute() {
        let d = check(&one_of(&["us", "eu"]), Value::string("mars"));
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.path, Some(AttrPath::attr("x")));
        assert!(diag.detail.contains("us, eu"));
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;
    use crate::framework::{AttrPath, Diagnostics};
    use crate::tfvalue::Value;

    fn detail(value: &str) -> Option<String> {
        let mut d = Diagnostics::new();
        (numeric_id().check)(
            &Value::string(value),
            &AttrPath::attr("application_id"),
            &mut d,
        );
        let detail = d.iter().next().map(|d| d.detail.clone());
        detail
    }

    #[test]
    fn numeric_ids_have_one_spelling() {
        assert_eq!(parse_numeric_id("100021"), Ok(100021));
        assert_eq!(parse_numeric_id("0"), Ok(0));
        assert_eq!(parse_numeric_id(&i64::MAX.to_string()), Ok(i64::MAX));
        assert_eq!(parse_numeric_id(""), Err(NumericIdError::Empty));
        assert_eq!(parse_numeric_id("12a"), Err(NumericIdError::NotDigits));
        assert_eq!(parse_numeric_id("-1"), Err(NumericIdError::NotDigits));
        assert_eq!(parse_numeric_id("+1"), Err(NumericIdError::NotDigits));
        assert_eq!(
            parse_numeric_id("0100021"),
            Err(NumericIdError::LeadingZero)
        );
        assert_eq!(parse_numeric_id("00"), Err(NumericIdError::LeadingZero));
        assert_eq!(
            parse_numeric_id("9223372036854775808"),
            Err(NumericIdError::TooLarge)
        );
        assert_eq!(
            parse_numeric_id("99999999999999999999999"),
            Err(NumericIdError::TooLarge)
        );
    }

    #[test]
    fn numeric_id_diagnostics_name_the_attribute_and_the_rule() {
        assert_eq!(detail("100021"), None);
        let d = detail("0100021").unwrap();
        assert!(
            d.contains("application_id") && d.contains("leading zeros"),
            "{d}"
        );
        assert!(d.contains("\"100021\""), "{d}");
        let d = detail("99999999999999999999999").unwrap();
        assert!(
            d.contains("application_id") && d.contains("too large"),
            "{d}"
        );
        assert!(!d.contains("digits only"), "{d}");
        let d = detail("12a").unwrap();
        assert!(d.contains("digits only"), "{d}");
    }

    #[test]
    fn uuids_compare_without_case() {
        let lower = "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b";
        let upper = lower.to_uppercase();
        assert!(same_uuid(lower, &upper));
        assert!(!same_uuid(lower, "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1c"));
        assert!(!same_uuid("ABC", "abc"), "only UUIDs ignore case");
        assert_eq!(canonical_uuid(&upper), lower);
        assert_eq!(canonical_uuid("Not-A-Uuid"), "Not-A-Uuid");
    }
}
