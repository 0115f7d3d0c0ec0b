//! Identifiers: the rules every id attribute and import id follows.
//!
//! UUIDs (organizations, users) compare without regard to case and have one
//! canonical form, lowercase, which is what a provider stores where it can
//! and sends to its platform. Numeric ids are written in exactly one way:
//! digits, no leading zero, within a signed 64-bit integer, so that the id
//! the user writes is the id the provider stores.

use super::path::quoted;

/// True for a canonical UUID: 8-4-4-4-12 hex digits.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

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
                format!("must be a numeric id: digits only, such as \"12345\", got {}.", quoted(s))
            }
            NumericIdError::LeadingZero => format!(
                "must be a numeric id without leading zeros, got {}: write {}.",
                quoted(s),
                quoted(match s.trim_start_matches('0') {
                    "" => "0",
                    rest => rest,
                })
            ),
            NumericIdError::TooLarge => format!(
                "must be a numeric id of at most {} (a 64-bit integer), got {}, which is too large to be an id.",
                i64::MAX,
                quoted(s)
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
