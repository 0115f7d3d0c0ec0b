//! Normalising values the platform reports differently from how users write
//! them, shared by resources and data sources.

use std::collections::BTreeSet;

use tfplugin::framework::validators::{parse_numeric_id, same_uuid};

/// A string the platform may report as null or "" when unset: keep the
/// user's "" if that is what they wrote (`wanted`), null otherwise.
pub fn norm_string(api: Option<&str>, wanted: Option<&str>) -> Option<String> {
    match api {
        Some(s) if !s.is_empty() => Some(s.to_owned()),
        _ if wanted == Some("") => Some(String::new()),
        _ => None,
    }
}

/// A set the platform reports as [] when unset: keep the user's empty set if
/// that is what they wrote (`wanted`), null otherwise.
pub fn norm_set(api: &[String], wanted: Option<&BTreeSet<String>>) -> Option<BTreeSet<String>> {
    if api.is_empty() {
        wanted.filter(|w| w.is_empty()).map(|_| BTreeSet::new())
    } else {
        Some(api.iter().cloned().collect())
    }
}

/// The strings of an optional set, in order; empty for none.
pub fn strings(set: Option<&BTreeSet<String>>) -> Vec<String> {
    set.map(|s| s.iter().cloned().collect()).unwrap_or_default()
}

/// Parse an application id: a numeric id in its one spelling (digits, no
/// leading zero, 64-bit; [`parse_numeric_id`] says why not).
pub fn parse_app_id(s: &str) -> Option<i64> {
    parse_numeric_id(s).ok()
}

/// A UUID as the state records it: `wanted` (what the plan or the prior
/// state holds) when it is the same id as `canonical`, else `canonical`.
/// Terraform requires the planned spelling of a configured value after a
/// create; everywhere else the provider records the canonical form.
pub fn spelled_as(wanted: Option<&str>, canonical: &str) -> String {
    match wanted {
        Some(w) if same_uuid(w, canonical) => w.to_owned(),
        _ => canonical.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_keeps_what_the_user_wrote() {
        assert_eq!(norm_string(None, None), None);
        assert_eq!(norm_string(Some(""), None), None);
        assert_eq!(norm_string(None, Some("")), Some(String::new()));
        assert_eq!(norm_string(Some("x"), None), Some("x".to_owned()));
        assert_eq!(norm_set(&[], None), None);
        assert_eq!(norm_set(&[], Some(&BTreeSet::new())), Some(BTreeSet::new()));
        let wanted: BTreeSet<String> = ["a".to_owned()].into();
        assert_eq!(norm_set(&[], Some(&wanted)), None);
        assert_eq!(
            norm_set(&["b".into(), "a".into()], None),
            Some(["a".to_owned(), "b".to_owned()].into())
        );
    }

    #[test]
    fn app_ids_are_digits() {
        assert_eq!(parse_app_id("123"), Some(123));
        assert_eq!(parse_app_id("12a"), None);
        assert_eq!(parse_app_id(""), None);
        assert_eq!(parse_app_id("0123"), None);
        assert_eq!(parse_app_id("99999999999999999999999"), None);
    }
}
