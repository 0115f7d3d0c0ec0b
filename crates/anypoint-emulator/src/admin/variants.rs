//! Platform variants: list them, replace the set in force, turn one on or
//! off.

use serde_json::{json, Value};

use super::body::{object, only_keys};
use crate::shared::Shared;
use crate::state::Reply;
use crate::variants::{parse_name, valid_names, Question, Variant};

/// `GET /_emulator/variants`: those in force, every one with its question
/// and evidence, and per question what the default emulator answers.
pub(super) fn variants_json(shared: &Shared) -> Value {
    let active: Vec<&str> = shared.variants().iter().map(|v| v.name()).collect();
    let available: Vec<Value> = Variant::ALL
        .iter()
        .map(|v| {
            json!({
                "name": v.name(),
                "question": v.question(),
                "evidence": v.evidence(),
                "default": false,
            })
        })
        .collect();
    let questions: Vec<Value> = Question::ALL
        .iter()
        .map(|q| {
            json!({
                "question": q.text(),
                "variants": q.variants().map(Variant::name).collect::<Vec<_>>(),
                "default": q.default_answer(),
            })
        })
        .collect();
    json!({ "active": active, "available": available, "questions": questions })
}

/// `PUT /_emulator/variants` with `{"active": [names]}`: replace the set.
pub(super) fn put_variants(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["active"])?;
    let names = b.get("active").and_then(Value::as_array).ok_or_else(|| {
        Reply::error(
            400,
            "the body must be {\"active\": [variant names]} ([] for the default answers)",
        )
    })?;
    let mut list = Vec::with_capacity(names.len());
    for n in names {
        let name = n
            .as_str()
            .ok_or_else(|| Reply::error(400, format!("variant names are strings, not {n}")))?;
        list.push(parse_name(name).map_err(|e| Reply::error(400, e))?);
    }
    shared
        .set_variants(&list)
        .map_err(|e| Reply::error(400, e))?;
    Ok(Reply::ok(200, variants_json(shared)))
}

/// `POST` (on) or `DELETE` (off) `/_emulator/variants/{name}`.
pub(super) fn switch_variant(shared: &Shared, name: &str, on: bool) -> Result<Reply, Reply> {
    let v = Variant::from_name(name).ok_or_else(|| {
        Reply::error(
            404,
            format!(
                "No such variant {name:?}; the variants are: {}",
                valid_names()
            ),
        )
    })?;
    shared.set_variant(v, on);
    Ok(Reply::ok(200, variants_json(shared)))
}
