//! cty type descriptions: a [`Type`] as JSON, both ways.

use std::collections::BTreeMap;

use super::fail::{push_json_string, Fail, MAX_DEPTH};
use crate::tfvalue::{DecodeError, Type};

impl Type {
    /// The cty JSON description of the type: `"string"`,
    /// `["list","string"]`, `["object",{"a":"number"}]`, `"dynamic"`,
    /// `["tuple",["string","bool"]]`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let pair = |kind: &str, arg: J| J::Array(vec![J::String(kind.to_owned()), arg]);
        match self {
            Type::String => J::String("string".to_owned()),
            Type::Number => J::String("number".to_owned()),
            Type::Bool => J::String("bool".to_owned()),
            Type::Dynamic => J::String("dynamic".to_owned()),
            Type::List(e) => pair("list", e.to_json()),
            Type::Set(e) => pair("set", e.to_json()),
            Type::Map(e) => pair("map", e.to_json()),
            Type::Object(attrs) => {
                let mut m = serde_json::Map::new();
                for (name, t) in attrs {
                    m.insert(name.clone(), t.to_json());
                }
                pair("object", J::Object(m))
            }
            Type::Tuple(elems) => {
                pair("tuple", J::Array(elems.iter().map(Type::to_json).collect()))
            }
        }
    }

    /// The compact JSON text of [`Type::to_json`] (for `Schema.Attribute.type`).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        self.write_json(&mut s);
        s.into_bytes()
    }

    fn write_json(&self, out: &mut String) {
        let pair = |kind: &str, e: &Type, out: &mut String| {
            out.push_str("[\"");
            out.push_str(kind);
            out.push_str("\",");
            e.write_json(out);
            out.push(']');
        };
        match self {
            Type::String => out.push_str("\"string\""),
            Type::Number => out.push_str("\"number\""),
            Type::Bool => out.push_str("\"bool\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(e) => pair("list", e, out),
            Type::Set(e) => pair("set", e, out),
            Type::Map(e) => pair("map", e, out),
            Type::Object(attrs) => {
                out.push_str("[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_string(out, name);
                    out.push(':');
                    t.write_json(out);
                }
                out.push_str("}]");
            }
            Type::Tuple(elems) => {
                out.push_str("[\"tuple\",[");
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    t.write_json(out);
                }
                out.push_str("]]");
            }
        }
    }

    /// Parses a cty JSON type description (the inverse of [`Type::to_json`]).
    pub fn from_json(v: &serde_json::Value) -> Result<Type, DecodeError> {
        type_from_json(v, 0).map_err(|message| DecodeError {
            path: String::new(),
            message: format!("invalid type description: {message}"),
        })
    }
}

pub(super) fn type_from_text(text: &[u8]) -> Result<Type, Fail> {
    let j: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
        Fail::new(format!(
            "the type of a dynamic value is not valid JSON: {e}"
        ))
    })?;
    type_from_json(&j, 0).map_err(|m| Fail::new(format!("invalid type of a dynamic value: {m}")))
}

pub(super) fn type_from_json(v: &serde_json::Value, depth: usize) -> Result<Type, String> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    match v {
        J::String(name) => match name.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(format!("unknown primitive type {other:?}")),
        },
        J::Array(items) => {
            let (kind, arg) = match items.as_slice() {
                [J::String(kind), arg] => (kind.as_str(), arg),
                [J::String(kind), _, _] if kind == "object" => return Err(
                    "object types with optional attributes are type constraints, not value types"
                        .to_owned(),
                ),
                _ => return Err("a complex type must be a [kind, argument] array".to_owned()),
            };
            let elem = |arg| type_from_json(arg, depth + 1).map(Box::new);
            match kind {
                "list" => Ok(Type::List(elem(arg)?)),
                "set" => Ok(Type::Set(elem(arg)?)),
                "map" => Ok(Type::Map(elem(arg)?)),
                "object" => match arg {
                    J::Object(attrs) => {
                        let mut m = BTreeMap::new();
                        for (name, t) in attrs {
                            m.insert(name.clone(), type_from_json(t, depth + 1)?);
                        }
                        Ok(Type::Object(m))
                    }
                    _ => Err("object attribute types must be a JSON object".to_owned()),
                },
                "tuple" => match arg {
                    J::Array(elems) => Ok(Type::Tuple(
                        elems
                            .iter()
                            .map(|t| type_from_json(t, depth + 1))
                            .collect::<Result<_, _>>()?,
                    )),
                    _ => Err("tuple element types must be a JSON array".to_owned()),
                },
                other => Err(format!("unknown complex type kind {other:?}")),
            }
        }
        _ => Err("a type must be a JSON string or array".to_owned()),
    }
}
