//! Reusable attribute validators. Each reports the attribute path and says
//! how to fix the value.

use super::schema::Validator;
use crate::tfvalue::Value;

/// A non-empty (after trimming) string.
pub fn non_empty() -> Validator {
    Validator::new("must not be empty", |v, path, diags| {
        if v.as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.attr_error(
                path.clone(),
                "Empty value",
                format!("The attribute {path} must not be empty. Set it to a non-empty string or remove it."),
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
                        "The attribute {path} is {s:?}, which is not allowed. Allowed values: {}.",
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

/// A string of ASCII digits only.
pub fn digits() -> Validator {
    Validator::new("digits only", |v, path, diags| {
        if let Some(s) = v.as_str() {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                diags.attr_error(
                    path.clone(),
                    "Invalid identifier",
                    format!("The attribute {path} must contain digits only (a numeric id such as \"12345\"), got {s:?}."),
                );
            }
        }
    })
}

/// True for a canonical UUID: 8-4-4-4-12 hex digits.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A UUID (8-4-4-4-12 hex digits).
pub fn uuid() -> Validator {
    Validator::new("a UUID", |v, path, diags| {
        if let Some(s) = v.as_str() {
            if !is_uuid(s) {
                diags.attr_error(
                    path.clone(),
                    "Invalid UUID",
                    format!("The attribute {path} must be a UUID such as \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b\", got {s:?}."),
                );
            }
        }
    })
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
                    format!("The attribute {path} must be {expected}, got {s:?}."),
                );
            }
        }
    })
}

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
        assert!(check(&digits(), Value::string("12a")).has_errors());
        assert!(!check(&digits(), Value::string("123")).has_errors());
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
