//! Admin request bodies: one JSON object with known keys, and the 400
//! that a field of the wrong kind gets.

use serde_json::{Map, Value};

use crate::state::Reply;

pub(super) fn object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::error(400, "A JSON object body is required."));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Reply::error(400, "The request body must be a JSON object.")),
        Err(e) => Err(Reply::error(400, format!("Malformed JSON body: {e}"))),
    }
}

pub(super) fn only_keys(b: &Map<String, Value>, allowed: &[&str]) -> Result<(), Reply> {
    match b.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Reply::error(
            400,
            format!(
                "unknown field {k:?}; this route takes {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

pub(super) fn bad(message: impl Into<String>) -> Reply {
    Reply::error(400, message)
}

/// A string field: left out or null is `None`.
pub(super) fn text(b: &Map<String, Value>, key: &str) -> Result<Option<String>, Reply> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("{key} must be a string."))),
    }
}
