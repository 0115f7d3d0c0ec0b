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

// ---------------------------------------------------------------------------
// Identifiers: the rules every id attribute and import id follows.
//
// UUIDs (organizations, users) compare without regard to case and have one
// canonical form, lowercase, which is what the provider stores where it can
// and sends to the platform. Numeric ids (applications, API instances) are
// written in exactly one way: digits, no leading zero, within a signed
// 64-bit integer, so that the id the user writes is the id the provider
// stores.
pub use ids::*;

mod ids {
    use super::{is_uuid, Validator};

    /// The canonical form of a UUID: lowercase. Anything that is not a UUID is
    /// returned unchanged (it is not ours to rewrite).
    pub fn canonical_uuid(s: &str) -> String {
        if is_uuid(s) {
            s.to_ascii_lowercase()
        } else {
            s.to_owned()
        }
    }

    /// Whether two UUIDs are the same id (they differ at most in case). Values
    /// that are not UUIDs are equal only when identical.
    pub fn same_uuid(a: &str, b: &str) -> bool {
        a == b || (is_uuid(a) && is_uuid(b) && a.eq_ignore_ascii_case(b))
    }

    /// Why a string is not a numeric id.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum NumericIdError {
        Empty,
        NotDigits,
        LeadingZero,
        TooLarge,
    }

    impl NumericIdError {
        /// The rule that `s` breaks, as the end of a sentence that starts with
        /// the name of what holds it ("The attribute x ").
        pub fn rule(&self, s: &str) -> String {
            match self {
                NumericIdError::Empty => "must be a numeric id such as \"12345\", got an empty string.".to_owned(),
                NumericIdError::NotDigits => {
                    format!("must be a numeric id: digits only, such as \"12345\", got {s:?}.")
                }
                NumericIdError::LeadingZero => format!(
                    "must be a numeric id without leading zeros, got {s:?}: write {:?}.",
                    match s.trim_start_matches('0') {
                        "" => "0",
                        rest => rest,
                    }
                ),
                NumericIdError::TooLarge => format!(
                    "must be a numeric id of at most {} (a 64-bit integer), got {s:?}, which is too large to be an id.",
                    i64::MAX
                ),
            }
        }
    }

    /// Parse a numeric id written in its one canonical form.
    pub fn parse_numeric_id(s: &str) -> Result<i64, NumericIdError> {
        if s.is_empty() {
            return Err(NumericIdError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumericIdError::NotDigits);
        }
        if s.len() > 1 && s.starts_with('0') {
            return Err(NumericIdError::LeadingZero);
        }
        s.parse().map_err(|_| NumericIdError::TooLarge)
    }

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

    #[cfg(test)]
    mod tests {
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

// --- Text and URL rules against hostile input (issue 8, finding 8) ---------

/// Schemes a redirect URI may never use: they run code in, or read from,
/// the user's browser or machine instead of returning to an application.
pub const FORBIDDEN_REDIRECT_SCHEMES: &[&str] =
    &["javascript", "data", "file", "vbscript", "blob", "about"];

/// True when `s` holds whitespace or a control character anywhere.
fn has_space_or_control(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// True when an http(s) URI, as written, has a non-empty authority after
/// `scheme://` (the URL parser would otherwise read `http:///path` or
/// `http:host` as `http://path/` and `http://host/`).
fn has_written_host(s: &str) -> bool {
    let Some((_, rest)) = s.split_once(':') else {
        return false;
    };
    rest.strip_prefix("//")
        .and_then(|r| r.chars().next())
        .is_some_and(|c| !matches!(c, '/' | '\\' | '?' | '#'))
}

/// Why `s` is not an acceptable OAuth 2.0 redirect URI, or `None` when it
/// is. Custom schemes of native apps (`com.example.app:/callback`) are
/// accepted.
pub fn redirect_uri_problem(s: &str) -> Option<String> {
    if has_space_or_control(s) {
        return Some("must not contain spaces, tabs, line breaks or other control characters (write a space inside a path as %20, and remove any surrounding spaces)".to_owned());
    }
    let Ok(u) = url::Url::parse(s) else {
        return Some("must be an absolute URI with a scheme, such as \"https://example.com/callback\" or, for a native app, \"com.example.app:/callback\"".to_owned());
    };
    if FORBIDDEN_REDIRECT_SCHEMES.contains(&u.scheme()) {
        return Some(format!(
            "must not use the {}: scheme (refused: {}); use https, or a custom scheme of a native app such as \"com.example.app:/callback\"",
            u.scheme(),
            FORBIDDEN_REDIRECT_SCHEMES.iter().map(|s| format!("{s}:")).collect::<Vec<_>>().join(", ")
        ));
    }
    if matches!(u.scheme(), "http" | "https") && !has_written_host(s) {
        return Some(
            "must name a host after the scheme, such as \"https://example.com/callback\""
                .to_owned(),
        );
    }
    if u.fragment().is_some() {
        return Some("must not contain a fragment (the part from #): OAuth 2.0 forbids fragments in redirect URIs".to_owned());
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Some(
            "must not contain user information (user:password@ before the host)".to_owned(),
        );
    }
    None
}

/// An OAuth 2.0 redirect URI (see [`redirect_uri_problem`]).
pub fn redirect_uri() -> Validator {
    Validator::new(
        "an absolute redirect URI without spaces, fragment or user information",
        |v, path, diags| {
            if let Some(s) = v.as_str() {
                if let Some(rule) = redirect_uri_problem(s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid URL",
                        format!("Each entry of {path} {rule}; got {s:?}."),
                    );
                }
            }
        },
    )
}

/// Why `s` is not an acceptable web address (an absolute http or https URL
/// with a host, written without spaces), or `None` when it is.
pub fn web_url_problem(s: &str) -> Option<String> {
    if has_space_or_control(s) {
        return Some("must not contain spaces, line breaks or other control characters (remove any surrounding spaces; write a space inside a path as %20)".to_owned());
    }
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => {
            return Some(
                "must be an absolute http or https URL such as \"https://example.com/app\""
                    .to_owned(),
            )
        }
    }
    if !has_written_host(s) {
        return Some(
            "must name a host after the scheme, such as \"https://example.com/app\"".to_owned(),
        );
    }
    None
}

/// An absolute http(s) URL with a host, written without spaces.
pub fn web_url() -> Validator {
    Validator::new(
        "an absolute http or https URL with a host",
        |v, path, diags| {
            if let Some(s) = v.as_str() {
                if let Some(rule) = web_url_problem(s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid URL",
                        format!("The attribute {path} {rule}; got {s:?}."),
                    );
                }
            }
        },
    )
}

/// Why `s` is not an acceptable name (no control characters, no leading or
/// trailing whitespace), or `None` when it is.
pub fn name_text_problem(s: &str) -> Option<&'static str> {
    if s.chars().any(char::is_control) {
        return Some("must not contain control characters (line breaks, tabs and the like)");
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return Some("must not start or end with a space");
    }
    None
}

/// A name: printable text without leading or trailing whitespace.
pub fn name_text() -> Validator {
    Validator::new(
        "no control characters, no leading or trailing whitespace",
        |v, path, diags| {
            if let Some(s) = v.as_str() {
                if let Some(rule) = name_text_problem(s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid name",
                        format!("The attribute {path} {rule}; got {s:?}."),
                    );
                }
            }
        },
    )
}

// --- end of the text and URL rules -------------------------------------------

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

    #[test]
    fn hostile_redirect_uris_urls_and_names_are_refused() {
        for bad in [
            "https://a.example.com/call back",
            " https://a.example.com/cb",
            "https://a.example.com/cb ",
            "https://a.example.com/c\nb",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hello",
            "file:///etc/passwd",
            "https://a.example.com/cb#frag",
            "https://a.example.com/cb#",
            "https://user:pass@a.example.com/cb",
            "https://user@a.example.com/cb",
            "http:///path",
            "https:a.example.com",
            "not a uri",
        ] {
            assert!(redirect_uri_problem(bad).is_some(), "{bad:?} accepted");
            assert!(check(&redirect_uri(), Value::string(bad)).has_errors());
        }
        for good in [
            "com.example.app:/callback",
            "myapp://callback",
            "https://a.example.com/cb?x=1",
            "http://127.0.0.1:8080/cb",
        ] {
            assert_eq!(redirect_uri_problem(good), None, "{good:?}");
        }
        for bad in [
            " https://a.example.com ",
            "http:///path",
            "ftp://a.example/x",
            "https://a.example.com/a b",
        ] {
            assert!(web_url_problem(bad).is_some(), "{bad:?} accepted");
        }
        assert_eq!(web_url_problem("https://a.example.com/app"), None);
        for bad in ["bad\u{7}name", " padded", "padded ", "two\nlines"] {
            assert!(name_text_problem(bad).is_some(), "{bad:?} accepted");
            assert!(check(&name_text(), Value::string(bad)).has_errors());
        }
        assert_eq!(name_text_problem("My App (prod)"), None);
    }
}
