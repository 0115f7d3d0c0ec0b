//! A secret string that cannot leak through formatting.
//!
//! `Secret` deliberately implements neither `Display` nor a revealing `Debug`:
//! `{:?}` prints `Secret(***)`, and there is no `Display`, so a secret cannot be
//! interpolated into a log line, an error message or a panic by accident. The
//! only way to the text is the explicit [`Secret::expose`].
//!
//! As a second guard, every secret text the process learns is registered
//! here ([`register_secret`]: by the provider, for the Connected App's secret
//! and sensitive attribute values; by the API client, for every access token
//! and client secret it receives), and the logging layer [`scrub`]s every
//! finished line of them.

use std::fmt;
use std::sync::{OnceLock, RwLock};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text. Call only where the value is sent where it belongs
    /// (an HTTP body or header, or the Terraform state).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The SHA-256 of `text` in lower-case hex: a fingerprint that tells two
/// secrets apart without keeping either.
pub fn fingerprint(text: &str) -> String {
    use std::fmt::Write as _;
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in hash.as_ref() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Shortest text treated as a secret worth scrubbing (shorter strings would
/// garble ordinary log text and are not credentials anyway).
const MIN_SECRET_LEN: usize = 6;

fn registry() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

/// Remember a secret text so that no log line ever contains it: the text
/// itself and, when it differs, its JSON-escaped form (log lines are JSON).
pub fn register_secret(secret: &str) {
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    let escaped = &quoted[1..quoted.len() - 1];
    let mut list = registry().write().unwrap_or_else(|e| e.into_inner());
    for form in [secret, escaped] {
        if !list.iter().any(|s| s == form) {
            list.push(form.to_owned());
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `line` with every registered secret replaced by `***`.
pub fn scrub(line: &str) -> String {
    let list = registry().read().unwrap_or_else(|e| e.into_inner());
    let mut out = line.to_owned();
    for s in list.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_sha256_hex() {
        assert_eq!(
            fingerprint("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn registered_texts_are_scrubbed_longest_first() {
        register_secret("scrub-me-inner");
        register_secret("outer-scrub-me-inner-too");
        register_secret("tiny"); // too short to register
        assert_eq!(
            scrub("a scrub-me-inner b outer-scrub-me-inner-too c tiny"),
            "a *** b *** c tiny"
        );
        register_secret("with\"quote-secret");
        assert_eq!(scrub(r#"{"v":"with\"quote-secret"}"#), r#"{"v":"***"}"#);
    }
}
