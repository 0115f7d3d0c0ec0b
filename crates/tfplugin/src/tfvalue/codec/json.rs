//! The JSON encoding of values, read only (see the module docs of `codec`).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::fail::{wrap_dynamic, Fail, Seg, MAX_DEPTH};
use super::number::{number_from_json_literal, number_from_text};
use super::types::type_from_json;
use crate::tfvalue::{DecodeError, Type, Value};

/// Decodes JSON bytes (a `DynamicValue.json`, or raw state JSON) as a value
/// of `ty`. Empty (or all-whitespace) input is null.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Value::Null);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Fail::new("JSON input is not valid UTF-8").into_decode())?;
    decode_text(text, ty, 0, &Slot::default()).map_err(Fail::into_decode)
}

/// Decodes one JSON text: the input, or a part of it kept as raw text.
fn decode_text(text: &str, ty: &Type, depth: usize, slot: &Slot) -> Result<Value, Fail> {
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Seed { ty, depth, slot };
    let decoded = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    decoded.map_err(|e| {
        slot.0
            .take()
            .unwrap_or_else(|| Fail::new(format!("invalid JSON: {e}")))
    })
}

/// A serde_json error carries only text: our error (message and path) waits
/// here while a placeholder error unwinds through serde_json.
#[derive(Default)]
struct Slot(Cell<Option<Fail>>);

impl Slot {
    fn fail<E: de::Error>(&self, f: Fail) -> E {
        self.0.set(Some(f));
        E::custom("decode error")
    }

    /// Adds `seg` to the path of our error (a syntax error has none).
    fn at<E>(&self, seg: Seg, e: E) -> E {
        if let Some(f) = self.0.take() {
            self.0.set(Some(f.at(seg)));
        }
        e
    }
}

/// The error for JSON of `kind` where `ty` needs something else.
fn found(ty: &Type, kind: &str) -> Fail {
    let what = match ty {
        Type::String => "string",
        Type::Number => "number",
        Type::Bool => "bool",
        Type::List(_) => "list",
        Type::Set(_) => "set",
        Type::Map(_) => "map",
        Type::Object(_) => "object",
        Type::Tuple(_) => "tuple",
        Type::Dynamic => {
            return Fail::new(format!(
            "a dynamic value must be a JSON object with \"type\" and \"value\", found JSON {kind}"
        ))
        }
    };
    Fail::new(format!("{what} is required, found JSON {kind}"))
}

/// A JSON string literal, unescaped.
fn string(text: &str) -> Result<String, Fail> {
    serde_json::from_str(text).map_err(|e| {
        // The position counts from the string's quote; the path says where it is.
        let at = format!(" at line {} column {}", e.line(), e.column());
        let e = e.to_string();
        Fail::new(format!("invalid JSON string: {}", e.trim_end_matches(&at)))
    })
}

/// Decodes one value of `ty` from serde_json's stream.
#[derive(Clone, Copy)]
struct Seed<'a> {
    ty: &'a Type,
    depth: usize,
    slot: &'a Slot,
}

impl<'a> Seed<'a> {
    fn child(self, ty: &'a Type) -> Self {
        Seed {
            ty,
            depth: self.depth + 1,
            slot: self.slot,
        }
    }

    fn found<E: de::Error>(self, kind: &str) -> E {
        self.slot.fail(found(self.ty, kind))
    }

    /// A string, number or bool (or null) from its JSON text, with cty's
    /// leniency: a string takes a number's or bool's text, a number or bool
    /// takes a string holding one.
    fn primitive(self, text: &str) -> Result<Value, Fail> {
        let first = text.as_bytes().first().copied().unwrap_or(b'n');
        match (self.ty, first) {
            (_, b'n') => Ok(Value::Null),
            (_, b'[') => Err(found(self.ty, "array")),
            (_, b'{') => Err(found(self.ty, "object")),
            (Type::String, b'"') => string(text).map(Value::String),
            (Type::Number, b'"') => number_from_text(&string(text)?)
                .map(Value::Number)
                .ok_or_else(|| {
                    Fail::new("number is required, found a string that is not a number")
                }),
            (_, b'"') => match string(text)?.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(Fail::new(
                    "bool is required, found a string that is not a bool",
                )),
            },
            (Type::Bool, b't' | b'f') => Ok(Value::Bool(first == b't')),
            (Type::String, _) => Ok(Value::String(text.to_owned())),
            (_, b't' | b'f') => Err(found(self.ty, "bool")),
            (Type::Number, _) => Ok(Value::Number(number_from_json_literal(text))),
            _ => Err(found(self.ty, "number")),
        }
    }

    fn elements<'de, A: SeqAccess<'de>>(
        self,
        mut seq: A,
        e: &Type,
    ) -> Result<Vec<Value>, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq
            .next_element_seed(self.child(e))
            .map_err(|err| self.slot.at(Seg::Index(items.len()), err))?
        {
            items.push(v);
        }
        Ok(items)
    }

    fn dynamic(
        self,
        type_j: Option<serde_json::Value>,
        raw: Option<&RawValue>,
    ) -> Result<Value, Fail> {
        let type_j = type_j.ok_or_else(|| Fail::new("missing \"type\" in a dynamic value"))?;
        let raw = raw.ok_or_else(|| Fail::new("missing \"value\" in a dynamic value"))?;
        let t = type_from_json(&type_j, 0)
            .map_err(|m| Fail::new(format!("invalid type of a dynamic value: {m}")))?;
        let v = decode_text(raw.get(), &t, self.depth + 1, self.slot)?;
        Ok(wrap_dynamic(t, v))
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.depth > MAX_DEPTH {
            let f = Fail::new(format!("nested deeper than {MAX_DEPTH} levels"));
            return Err(self.slot.fail(f));
        }
        match self.ty {
            // serde_json gives visitors a number only as u64, i64 or f64 (and
            // arbitrary_precision would break serde's flatten and untagged):
            // a raw value keeps the number's text, so no digit is lost.
            Type::String | Type::Number | Type::Bool => {
                let raw = <&RawValue>::deserialize(d)?;
                self.primitive(raw.get()).map_err(|f| self.slot.fail(f))
            }
            _ => d.deserialize_any(self),
        }
    }
}

/// Collections, objects and dynamic values (primitives never get here).
impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        Err(self.found("bool"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
        Err(self.found("number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
        Err(self.found("number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Err(self.found("number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Value, E> {
        Err(self.found("string"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        match self.ty {
            Type::List(e) => self.elements(seq, e).map(Value::List),
            Type::Set(e) => self.elements(seq, e).map(Value::Set),
            Type::Tuple(elems) => {
                // Elements wait as raw text: a wrong length is reported first.
                let mut raw: Vec<&RawValue> = Vec::new();
                while let Some(r) = seq.next_element()? {
                    raw.push(r);
                }
                if raw.len() != elems.len() {
                    return Err(self.slot.fail(Fail::new(format!(
                        "a tuple of {} element(s) is required, found {}",
                        elems.len(),
                        raw.len()
                    ))));
                }
                let items = raw.iter().zip(elems).enumerate().map(|(i, (r, t))| {
                    decode_text(r.get(), t, self.depth + 1, self.slot)
                        .map_err(|f| f.at(Seg::Index(i)))
                });
                let items: Result<Vec<Value>, Fail> = items.collect();
                items.map(Value::Tuple).map_err(|f| self.slot.fail(f))
            }
            _ => Err(self.found("array")),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        match self.ty {
            Type::Map(e) => {
                let mut m = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map
                        .next_value_seed(self.child(e))
                        .map_err(|err| self.slot.at(Seg::Key(k.clone()), err))?;
                    m.insert(k, v);
                }
                Ok(Value::Map(m))
            }
            Type::Object(attrs) => {
                let mut m = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let Some(t) = attrs.get(&k) else {
                        let f = Fail::new(format!("unsupported attribute {k:?}"));
                        return Err(self.slot.fail(f));
                    };
                    let v = map
                        .next_value_seed(self.child(t))
                        .map_err(|err| self.slot.at(Seg::Attr(k.clone()), err))?;
                    m.insert(k, v);
                }
                for name in attrs.keys() {
                    if !m.contains_key(name) {
                        m.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(m))
            }
            Type::Dynamic => {
                // cty writes the value before its type: it waits as raw text.
                let (mut type_j, mut raw) = (None, None);
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "type" => type_j = Some(map.next_value()?),
                        "value" => raw = Some(map.next_value::<&RawValue>()?),
                        _ => {
                            return Err(self.slot.fail(Fail::new(format!(
                                "invalid key {k:?} in a dynamic value (only \"type\" and \"value\")"
                            ))))
                        }
                    }
                }
                self.dynamic(type_j, raw).map_err(|f| self.slot.fail(f))
            }
            _ => Err(self.found("object")),
        }
    }
}
