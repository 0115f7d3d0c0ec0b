//! The msgpack/JSON codec for Terraform values: fixed byte strings written by
//! hand from the object wire format's rules (`msgpack`, `json`), and property
//! tests (`properties`). One test binary; the helpers below are shared.

mod json;
mod msgpack;
mod properties;

use tfplugin::tfvalue::{Number, Type, Value};

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

fn obj_ty(attrs: &[(&str, Type)]) -> Type {
    Type::Object(
        attrs
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect(),
    )
}

fn obj(fields: &[(&str, Value)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn s(x: &str) -> Value {
    Value::String(x.to_owned())
}

fn list(t: Type) -> Type {
    Type::List(Box::new(t))
}

fn int(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

/// Bytes of a msgpack fixstr (only for strings shorter than 32 bytes).
fn fixstr(text: &str) -> Vec<u8> {
    assert!(text.len() < 32);
    let mut v = vec![0xa0 | text.len() as u8];
    v.extend_from_slice(text.as_bytes());
    v
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}
