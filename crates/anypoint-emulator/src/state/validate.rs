//! Validation of request bodies and query parameters.

use serde_json::{Map, Value};

use super::*;

/// A text field as sent: left out, null, or a string (`""` included).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) enum Text {
    #[default]
    Absent,
    Null,
    Given(String),
}

impl Text {
    /// What the default emulator stores for it: null and `""` are both
    /// "no value".
    pub(super) fn or_none(self) -> Option<String> {
        match self {
            Text::Given(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

/// Validated mutable application fields; `None` (or [`Text::Absent`]) = not given.
#[derive(Default)]
pub(super) struct AppFields {
    pub(super) name: Option<String>,
    pub(super) description: Text,
    pub(super) url: Text,
    pub(super) redirect_uri: Option<Vec<String>>,
    pub(super) grant_types: Option<Vec<String>>,
}

pub(super) fn parse_app_fields(
    body: &Map<String, Value>,
    name_required: bool,
) -> Result<AppFields, Reply> {
    let mut f = AppFields::default();
    match body.get("name") {
        None if !name_required => {}
        Some(Value::String(s)) if !s.trim().is_empty() => f.name = Some(s.clone()),
        _ => return Err(bad("name is required and must be a non-empty string")),
    }
    f.description = opt_text(body, "description")?;
    f.url = opt_text(body, "url")?;
    f.redirect_uri = opt_list(body, "redirectUri")?;
    f.grant_types = opt_list(body, "grantTypes")?;
    if let Some(grants) = &f.grant_types {
        if let Some(badg) = grants.iter().find(|g| !GRANT_TYPES.contains(&g.as_str())) {
            return Err(bad(format!(
                "grantTypes contains {badg:?}; allowed: {}",
                GRANT_TYPES.join(", ")
            )));
        }
    }
    Ok(f)
}

/// A string-or-null field.
pub(super) fn opt_text(body: &Map<String, Value>, key: &str) -> Result<Text, Reply> {
    match body.get(key) {
        None => Ok(Text::Absent),
        Some(Value::Null) => Ok(Text::Null),
        Some(Value::String(s)) => Ok(Text::Given(s.clone())),
        Some(_) => Err(bad(format!("{key} must be a string or null"))),
    }
}

/// Absent = `None`; null = empty list.
pub(super) fn opt_list(body: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Reply> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(bad(format!("{key} must be an array of strings"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad(format!("{key} must be an array of strings"))),
    }
}

/// An integer given as a JSON integer or a string of digits.
pub(super) fn int_field(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, Reply> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|v| *v > 0)
            .map(Some)
            .ok_or_else(|| bad(format!("{key} must be a positive integer"))),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad(format!("{key} must be a positive integer"))),
        Some(_) => Err(bad(format!("{key} must be a positive integer"))),
    }
}

pub(super) fn parse_bool(query: &Query, key: &str) -> Result<Option<bool>, Reply> {
    match query.get(key).map(String::as_str) {
        None | Some("") => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(bad(format!("{key} must be true or false (got {v:?})"))),
    }
}

/// `offset` (>= 0, default 0) and `limit` (1..=max, default `default`).
pub(super) fn paging(query: &Query, default: usize, max: usize) -> Result<(usize, usize), Reply> {
    let offset = match query.get("offset").map(String::as_str) {
        None | Some("") => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad(format!("offset must be a non-negative integer (got {v:?})")))?,
    };
    let limit = match query.get("limit").map(String::as_str) {
        None | Some("") => default,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| {
                bad(format!(
                    "limit must be an integer from 1 to {max} (got {v:?})"
                ))
            })?,
    };
    Ok((offset, limit))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn paging_bounds() {
        let mut q = Query::new();
        assert_eq!(paging(&q, 100, 250).unwrap(), (0, 100));
        q.insert("limit".into(), "250".into());
        q.insert("offset".into(), "7".into());
        assert_eq!(paging(&q, 100, 250).unwrap(), (7, 250));
        for bad_limit in ["0", "251", "-1", "x"] {
            q.insert("limit".into(), bad_limit.into());
            assert_eq!(paging(&q, 100, 250).unwrap_err().status, 400, "{bad_limit}");
        }
    }

    #[test]
    fn int_field_accepts_numbers_and_digit_strings() {
        let b = obj(json!({"a": 5, "b": "6", "c": "x", "d": -1, "e": 1.5}));
        assert_eq!(int_field(&b, "a").unwrap(), Some(5));
        assert_eq!(int_field(&b, "b").unwrap(), Some(6));
        assert_eq!(int_field(&b, "missing").unwrap(), None);
        for k in ["c", "d", "e"] {
            assert_eq!(int_field(&b, k).unwrap_err().status, 400, "{k}");
        }
    }
}
