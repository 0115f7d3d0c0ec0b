//! The platform's message taken from an error body, and the description
//! of a body or a decoding failure, scrubbed of secrets and cut to length.

/// The longest platform message kept in an error, in characters.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// Control characters (newlines included) become spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cut `s` to at most `max` characters, marking the cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Replace every occurrence of each (non-trivial) secret in `text` by `***`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if s.len() >= 4 && out.contains(s) {
            out = out.replace(s, "***");
        }
    }
    out
}

/// Mask string values under keys that look like secrets, recursively.
fn mask_secret_values(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let key = k.to_ascii_lowercase();
                let secret_key = ["secret", "token", "password", "authorization"]
                    .iter()
                    .any(|needle| key.contains(needle));
                if secret_key && !val.is_null() && !val.is_object() && !val.is_array() {
                    *val = serde_json::Value::String("***".to_owned());
                } else {
                    mask_secret_values(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_secret_values),
        _ => {}
    }
}

/// The platform's message from a JSON error body: `message`, else every
/// `errors[].message` (or string item), else `error` (a string, or an object
/// with a `message`). `None` when the body is not JSON or has none of these.
pub fn extract_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let nonempty = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    if let Some(m) = v.get("message").and_then(|m| m.as_str()).and_then(nonempty) {
        return Some(m);
    }
    if let Some(errors) = v.get("errors").and_then(|e| e.as_array()) {
        let parts: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                e.get("message")
                    .and_then(|m| m.as_str())
                    .or_else(|| e.as_str())
                    .and_then(nonempty)
            })
            .collect();
        if !parts.is_empty() {
            return Some(parts.join("; "));
        }
    }
    match v.get("error") {
        Some(serde_json::Value::String(s)) => nonempty(s),
        Some(obj @ serde_json::Value::Object(_)) => obj
            .get("message")
            .and_then(|m| m.as_str())
            .and_then(nonempty),
        _ => None,
    }
}

/// The message for an error response: the extracted platform message, else
/// the raw text (JSON with secret-looking values masked), else
/// "empty response body"; scrubbed of `secrets` and truncated.
pub(crate) fn describe_body(body: &[u8], secrets: &[&str]) -> String {
    let text = match extract_message(body) {
        Some(m) => m,
        None => {
            let raw = String::from_utf8_lossy(body);
            let raw = raw.trim();
            if raw.is_empty() {
                "empty response body".to_owned()
            } else {
                match serde_json::from_str::<serde_json::Value>(raw) {
                    Ok(mut v) => {
                        mask_secret_values(&mut v);
                        v.to_string()
                    }
                    Err(_) => raw.to_owned(),
                }
            }
        }
    };
    truncate(&one_line(&scrub(&text, secrets)), MAX_MESSAGE_CHARS)
}

/// Describe a JSON decoding failure without echoing any value from the body
/// (serde's messages may quote the offending value, which could be a secret).
pub(crate) fn describe_decode_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("missing field") {
        return msg;
    }
    let what = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "malformed JSON",
        serde_json::error::Category::Data => "a field has an unexpected type or value",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "the response body could not be read: {what} at line {} column {}",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shapes() {
        assert_eq!(
            extract_message(br#"{"message":"The application cannot be found."}"#).as_deref(),
            Some("The application cannot be found.")
        );
        assert_eq!(
            extract_message(br#"{"errors":[{"message":"a"},{"message":"b"}]}"#).as_deref(),
            Some("a; b")
        );
        assert_eq!(
            extract_message(br#"{"error":"Conflict"}"#).as_deref(),
            Some("Conflict")
        );
        assert_eq!(
            extract_message(br#"{"error":"Conflict","message":"already exists"}"#).as_deref(),
            Some("already exists")
        );
        assert_eq!(
            extract_message(br#"{"error":{"message":"nested"}}"#).as_deref(),
            Some("nested")
        );
        assert_eq!(extract_message(b"plain text"), None);
        assert_eq!(extract_message(b""), None);
        assert_eq!(extract_message(br#"{"status":500}"#), None);
    }

    #[test]
    fn body_descriptions() {
        assert_eq!(describe_body(b"", &[]), "empty response body");
        assert_eq!(describe_body(b"  \n", &[]), "empty response body");
        assert_eq!(
            describe_body(b"Back-end server is at capacity", &[]),
            "Back-end server is at capacity"
        );
        assert_eq!(describe_body(b"line1\nline2", &[]), "line1 line2");
        let long = "x".repeat(1000);
        let d = describe_body(long.as_bytes(), &[]);
        assert_eq!(d.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(d.ends_with('…'));
        // Raw JSON fallback masks secret-looking values.
        let d = describe_body(
            br#"{"id":1,"clientSecret":"abcd1234","token":"t0k3n"}"#,
            &[],
        );
        assert!(!d.contains("abcd1234") && !d.contains("t0k3n"), "{d}");
        assert!(d.contains("\"id\":1"), "{d}");
        // Known secrets are scrubbed from messages.
        let d = describe_body(br#"{"message":"token tok-123456 is bad"}"#, &["tok-123456"]);
        assert_eq!(d, "token *** is bad");
    }

    #[test]
    fn decode_errors_do_not_echo_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            n: i64,
        }
        let e = serde_json::from_str::<T>(r#"{"n":"hunter2-secret"}"#).unwrap_err();
        let d = describe_decode_error(&e);
        assert!(!d.contains("hunter2"), "{d}");
        let e = serde_json::from_str::<T>(r#"{}"#).unwrap_err();
        assert!(describe_decode_error(&e).contains("missing field `n`"));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ab", 2), "ab");
    }
}
