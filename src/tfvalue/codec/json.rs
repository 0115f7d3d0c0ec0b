//! The JSON encoding of values (see the module docs of `codec`).

use std::collections::BTreeMap;

use super::fail::{wrap_dynamic, Fail, Seg};
use super::json_parse::{is_json_ws, parse_json_document, Json};
use super::number::{number_from_json_literal, number_from_text};
use super::types::type_from_json;
use crate::tfvalue::{DecodeError, Type, Value};

/// Decodes JSON bytes (a `DynamicValue.json`, or raw state JSON) as a value
/// of `ty`. Empty (or all-whitespace) input is null.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.iter().all(|b| is_json_ws(*b)) {
        return Ok(Value::Null);
    }
    let doc = parse_json_document(bytes).map_err(Fail::into_decode)?;
    json_decode(doc, ty).map_err(Fail::into_decode)
}

// ---------------------------------------------------------------------------
// JSON reading
// ---------------------------------------------------------------------------

fn json_required(what: &str, found: &Json) -> Fail {
    Fail::new(format!("{what} is required, found JSON {}", found.kind()))
}

fn json_decode(j: Json, ty: &Type) -> Result<Value, Fail> {
    if let Json::Null = j {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => match j {
            Json::Str(s) => Ok(Value::String(s)),
            Json::Num(text) => Ok(Value::String(text)),
            Json::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(json_required("string", &other)),
        },
        Type::Number => match j {
            Json::Num(text) => Ok(Value::Number(number_from_json_literal(&text))),
            Json::Str(s) => number_from_text(&s).map(Value::Number).ok_or_else(|| {
                Fail::new("number is required, found a string that is not a number")
            }),
            other => Err(json_required("number", &other)),
        },
        Type::Bool => match j {
            Json::Bool(b) => Ok(Value::Bool(b)),
            Json::Str(s) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(Fail::new(
                    "bool is required, found a string that is not a bool",
                )),
            },
            other => Err(json_required("bool", &other)),
        },
        Type::List(e) => match j {
            Json::Arr(items) => json_elements(items, |_| Some(e)).map(Value::List),
            other => Err(json_required("list", &other)),
        },
        Type::Set(e) => match j {
            Json::Arr(items) => json_elements(items, |_| Some(e)).map(Value::Set),
            other => Err(json_required("set", &other)),
        },
        Type::Tuple(elems) => match j {
            Json::Arr(items) if items.len() == elems.len() => {
                json_elements(items, |i| elems.get(i)).map(Value::Tuple)
            }
            Json::Arr(items) => Err(Fail::new(format!(
                "a tuple of {} element(s) is required, found {}",
                elems.len(),
                items.len()
            ))),
            other => Err(json_required("tuple", &other)),
        },
        Type::Map(e) => match j {
            Json::Obj(members) => {
                let mut m = BTreeMap::new();
                for (k, item) in members {
                    let v = match json_decode(item, e) {
                        Ok(v) => v,
                        Err(f) => return Err(f.at(Seg::Key(k))),
                    };
                    m.insert(k, v);
                }
                Ok(Value::Map(m))
            }
            other => Err(json_required("map", &other)),
        },
        Type::Object(attrs) => match j {
            Json::Obj(members) => {
                let mut m = BTreeMap::new();
                for (k, item) in members {
                    let Some(aty) = attrs.get(&k) else {
                        return Err(Fail::new(format!("unsupported attribute {k:?}")));
                    };
                    let v = match json_decode(item, aty) {
                        Ok(v) => v,
                        Err(f) => return Err(f.at(Seg::Attr(k))),
                    };
                    m.insert(k, v);
                }
                for name in attrs.keys() {
                    if !m.contains_key(name) {
                        m.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(m))
            }
            other => Err(json_required("object", &other)),
        },
        Type::Dynamic => match j {
            Json::Obj(members) => {
                let mut type_j = None;
                let mut value_j = None;
                for (k, item) in members {
                    match k.as_str() {
                        "type" => type_j = Some(item),
                        "value" => value_j = Some(item),
                        _ => {
                            return Err(Fail::new(format!(
                                "invalid key {k:?} in a dynamic value (only \"type\" and \"value\")"
                            )))
                        }
                    }
                }
                let type_j =
                    type_j.ok_or_else(|| Fail::new("missing \"type\" in a dynamic value"))?;
                let value_j =
                    value_j.ok_or_else(|| Fail::new("missing \"value\" in a dynamic value"))?;
                let t = type_from_json(&type_j.into_serde(), 0)
                    .map_err(|m| Fail::new(format!("invalid type of a dynamic value: {m}")))?;
                let v = json_decode(value_j, &t)?;
                Ok(wrap_dynamic(t, v))
            }
            other => Err(Fail::new(format!(
                "a dynamic value must be a JSON object with \"type\" and \"value\", found JSON {}",
                other.kind()
            ))),
        },
    }
}

fn json_elements<'t>(
    items: Vec<Json>,
    elem_ty: impl Fn(usize) -> Option<&'t Type>,
) -> Result<Vec<Value>, Fail> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let ty = elem_ty(i).ok_or_else(|| Fail::new("too many elements"))?;
        out.push(json_decode(item, ty).map_err(|f| f.at(Seg::Index(i)))?);
    }
    Ok(out)
}

/// Appends `s` as a JSON string literal (for type descriptions and paths).
pub(super) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}
