//! Text and URL rules against hostile input: names, OAuth 2.0 redirect URIs
//! and web addresses, and a bound on the length of free text. Each rule is a
//! `*_problem` function (also used outside validation, for example to say
//! why an application the platform holds cannot be managed as it is) and a
//! validator built on it.

use crate::framework::path::quoted;
use crate::framework::schema::Validator;

/// Schemes a redirect URI may never use: they run code in, or read from,
/// the user's browser or machine instead of returning to an application.
pub const FORBIDDEN_REDIRECT_SCHEMES: &[&str] =
    &["javascript", "data", "file", "vbscript", "blob", "about"];

/// True when `s` holds whitespace or a control character anywhere.
fn has_space_or_control(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): they make text display in another order than it is
/// stored, so that what a reviewer reads is not what is sent.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Unicode format characters (general category Cf, Unicode 15): invisible
/// characters that steer how the text around them is shown (zero-width
/// spaces and joiners, bidirectional controls, the byte order mark, tags).
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Characters that show nothing: whitespace, format characters, fillers
/// (Hangul, Braille blank) and variation selectors.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_format(c)
        || matches!(c as u32,
            0x34F | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x2800 | 0x3164
            | 0xFE00..=0xFE0F | 0xFFA0 | 0xE0100..=0xE01EF)
}

/// `U+202E`.
fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The rule a URI breaks by holding a format character, if it holds one.
fn format_char_problem(s: &str) -> Option<String> {
    let c = s.chars().find(|c| is_format(*c))?;
    Some(format!(
        "must not contain invisible formatting characters (bidirectional controls, zero-width \
         characters, byte order marks), found {}: remove it, or write it percent-encoded",
        code_point(c)
    ))
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

const NO_USER_INFO: &str = "must not contain user information (user:password@ before the host): \
     anyone who can read the application's settings could read it";

/// Why `s` is not an acceptable OAuth 2.0 redirect URI, or `None` when it
/// is. Custom schemes of native apps (`com.example.app:/callback`) are
/// accepted.
pub fn redirect_uri_problem(s: &str) -> Option<String> {
    if has_space_or_control(s) {
        return Some("must not contain spaces, tabs, line breaks or other control characters (write a space inside a path as %20, and remove any surrounding spaces)".to_owned());
    }
    if let Some(rule) = format_char_problem(s) {
        return Some(rule);
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
        return Some(NO_USER_INFO.to_owned());
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
                        format!("Each entry of {path} {rule}; got {}.", quoted(s)),
                    );
                }
            }
        },
    )
}

/// Why `s` is not an acceptable web address (an absolute http or https URL
/// with a host, written without spaces, invisible characters or user
/// information), or `None` when it is.
pub fn web_url_problem(s: &str) -> Option<String> {
    if has_space_or_control(s) {
        return Some("must not contain spaces, line breaks or other control characters (remove any surrounding spaces; write a space inside a path as %20)".to_owned());
    }
    if let Some(rule) = format_char_problem(s) {
        return Some(rule);
    }
    let u = match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            return Some(
                "must be an absolute http or https URL such as \"https://example.com/app\""
                    .to_owned(),
            )
        }
    };
    if !has_written_host(s) {
        return Some(
            "must name a host after the scheme, such as \"https://example.com/app\"".to_owned(),
        );
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Some(NO_USER_INFO.to_owned());
    }
    None
}

/// An absolute http(s) URL with a host (see [`web_url_problem`]).
pub fn web_url() -> Validator {
    Validator::new(
        "an absolute http or https URL with a host",
        |v, path, diags| {
            if let Some(s) = v.as_str() {
                if let Some(rule) = web_url_problem(s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid URL",
                        format!("The attribute {path} {rule}; got {}.", quoted(s)),
                    );
                }
            }
        },
    )
}

/// Why `s` is not an acceptable name, or `None` when it is: no control
/// characters, line or paragraph separators, byte order marks or
/// bidirectional controls anywhere, at least one visible character, and no
/// leading or trailing whitespace. (A name of whitespace only is left to
/// [`super::non_empty`].)
pub fn name_text_problem(s: &str) -> Option<String> {
    if s.chars().any(char::is_control) {
        return Some(
            "must not contain control characters (line breaks, tabs and the like)".to_owned(),
        );
    }
    if let Some(c) = s.chars().find(|c| matches!(c, '\u{2028}' | '\u{2029}')) {
        return Some(format!(
            "must not contain a line or paragraph separator ({})",
            code_point(c)
        ));
    }
    if s.contains('\u{FEFF}') {
        return Some("must not contain U+FEFF (a byte order mark, which shows nothing)".to_owned());
    }
    if let Some(c) = s.chars().find(|c| is_bidi_control(*c)) {
        return Some(format!(
            "must not contain the bidirectional control character {}, which makes text display \
             in another order than it is stored",
            code_point(c)
        ));
    }
    if !s.trim().is_empty() && s.chars().all(is_invisible) {
        let first = s.chars().find(|c| !c.is_whitespace()).unwrap_or(' ');
        return Some(format!(
            "must contain a visible character: it holds only invisible ones (such as {}, a \
             zero-width or formatting character)",
            code_point(first)
        ));
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return Some("must not start or end with a space".to_owned());
    }
    None
}

/// A name (see [`name_text_problem`]).
pub fn name_text() -> Validator {
    Validator::new(
        "visible text without control, separator or bidirectional control characters, and no leading or trailing whitespace",
        |v, path, diags| {
            if let Some(s) = v.as_str() {
                if let Some(rule) = name_text_problem(s) {
                    diags.attr_error(
                        path.clone(),
                        "Invalid name",
                        format!("The attribute {path} {rule}; got {}.", quoted(s)),
                    );
                }
            }
        },
    )
}

/// A string of at most `max` characters.
pub fn max_chars(max: usize) -> Validator {
    Validator::new(
        format!("at most {max} characters"),
        move |v, path, diags| {
            if let Some(s) = v.as_str() {
                let n = s.chars().count();
                if n > max {
                    diags.attr_error(
                        path.clone(),
                        "Value too long",
                        format!(
                            "The attribute {path} may hold at most {max} characters, got {n}: \
                         shorten it. The value starts with {}.",
                            quoted(s)
                        ),
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

    fn check(v: &Validator, value: &str) -> Diagnostics {
        let mut d = Diagnostics::new();
        (v.check)(&Value::string(value), &AttrPath::attr("x"), &mut d);
        d
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
            "https://a.example.com/\u{202E}bc/cb",
            "https://a.example.com/c\u{200B}b",
            "\u{FEFF}https://a.example.com/cb",
            "https://a.example.com/\u{2066}x",
        ] {
            assert!(redirect_uri_problem(bad).is_some(), "{bad:?} accepted");
            assert!(check(&redirect_uri(), bad).has_errors());
        }
        for good in [
            "com.example.app:/callback",
            "myapp://callback",
            "https://a.example.com/cb?x=1",
            "http://127.0.0.1:8080/cb",
            "https://b\u{00FC}cher.example/cb",
        ] {
            assert_eq!(redirect_uri_problem(good), None, "{good:?}");
        }
        for bad in [
            " https://a.example.com ",
            "http:///path",
            "ftp://a.example/x",
            "https://a.example.com/a b",
            "https://user:pw@a.example.com/app",
            "https://user@a.example.com/app",
            "https://a.example.com/\u{202E}ppa",
            "https://a.example.com/a\u{2029}b",
        ] {
            assert!(web_url_problem(bad).is_some(), "{bad:?} accepted");
            assert!(check(&web_url(), bad).has_errors());
        }
        assert_eq!(web_url_problem("https://a.example.com/app"), None);
        let user_info = web_url_problem("https://user:pw@a.example.com/app").unwrap();
        assert!(user_info.contains("user information"), "{user_info}");
    }

    #[test]
    fn names_must_be_visible_and_free_of_display_tricks() {
        for (bad, says) in [
            ("bad\u{7}name", "control characters"),
            (" padded", "start or end"),
            ("padded ", "start or end"),
            ("two\nlines", "control characters"),
            ("\u{200B}", "visible character"),
            ("\u{200B}\u{200C}\u{2060}", "visible character"),
            ("\u{3164}", "visible character"),
            (" \u{200B} ", "visible character"),
            ("line\u{2028}break", "U+2028"),
            ("para\u{2029}graph", "U+2029"),
            ("\u{FEFF}bom", "U+FEFF"),
            ("abc\u{202E}cba", "U+202E"),
            ("abc\u{2066}x\u{2069}", "U+2066"),
        ] {
            let rule = name_text_problem(bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(rule.contains(says), "{bad:?}: {rule}");
            let d = check(&name_text(), bad);
            let detail = &d.iter().next().unwrap().detail;
            assert!(detail.contains("The attribute x"), "{detail}");
        }
        for good in [
            "My App (prod)",
            "Zürich 東京 app",
            "\u{1F469}\u{200D}\u{1F4BB} team",
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0645}",
        ] {
            assert_eq!(name_text_problem(good), None, "{good:?}");
        }
        // Whitespace only is the empty-name rule's, not this one's.
        assert_eq!(name_text_problem(""), None);
    }

    #[test]
    fn long_values_are_refused_and_quoted_by_a_prefix() {
        let long = "a".repeat(100_000);
        let d = check(&max_chars(255), &long);
        let detail = &d.iter().next().unwrap().detail;
        assert!(
            detail.contains("at most 255") && detail.contains("100000"),
            "{detail}"
        );
        assert!(detail.len() < 400, "{} bytes", detail.len());
        assert!(!check(&max_chars(255), &"a".repeat(255)).has_errors());
        assert!(
            !check(&max_chars(3), "äöü").has_errors(),
            "characters, not bytes"
        );

        // Every rule quotes a long value by a prefix and its length.
        let long_url = format!("https://a.example.com/{} x", "p".repeat(100_000));
        for d in [
            check(&web_url(), &long_url),
            check(&redirect_uri(), &long_url),
        ] {
            let detail = &d.iter().next().unwrap().detail;
            assert!(detail.len() < 600, "{} bytes", detail.len());
        }
    }
}
