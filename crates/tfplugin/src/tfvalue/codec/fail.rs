//! Errors and the paths they carry, shared by every encoder and decoder.

use crate::tfvalue::{DecodeError, EncodeError, Type, Value};

/// Deepest nesting of values (and of JSON input) the decoders accept.
pub const MAX_DEPTH: usize = 128;

/// Appends `s` as a JSON string literal (for type descriptions and paths).
pub(super) fn push_json_string(out: &mut String, s: &str) {
    // Writing a `&str` cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// One step of a path inside a value.
pub(super) enum Seg {
    Attr(String),
    Index(usize),
    Key(String),
}

/// An internal error: the path is collected innermost-first while the error
/// travels up the recursion, so the happy path never builds one.
pub(super) struct Fail {
    rev_path: Vec<Seg>,
    message: String,
}

impl Fail {
    pub(super) fn new(message: impl Into<String>) -> Self {
        Fail {
            rev_path: Vec::new(),
            message: message.into(),
        }
    }

    pub(super) fn at(mut self, seg: Seg) -> Self {
        self.rev_path.push(seg);
        self
    }

    fn path(&self) -> String {
        let mut s = String::new();
        for seg in self.rev_path.iter().rev() {
            match seg {
                Seg::Attr(name) => {
                    s.push('.');
                    s.push_str(name);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
                Seg::Key(k) => {
                    s.push('[');
                    push_json_string(&mut s, k);
                    s.push(']');
                }
            }
        }
        s
    }

    pub(super) fn into_decode(self) -> DecodeError {
        DecodeError {
            path: self.path(),
            message: self.message,
        }
    }

    pub(super) fn into_encode(self) -> EncodeError {
        EncodeError {
            path: self.path(),
            message: self.message,
        }
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "string",
        Type::Number => "number",
        Type::Bool => "bool",
        Type::Dynamic => "dynamic",
        Type::List(_) => "list",
        Type::Set(_) => "set",
        Type::Map(_) => "map",
        Type::Object(_) => "object",
        Type::Tuple(_) => "tuple",
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
        Value::Dynamic(..) => "dynamic (typed) value",
    }
}

/// `Value::Dynamic(t, v)`, except that a value whose type is itself
/// `dynamic` is already self-describing and is returned as it is.
pub(super) fn wrap_dynamic(t: Type, v: Value) -> Value {
    if t == Type::Dynamic {
        v
    } else {
        Value::Dynamic(t, Box::new(v))
    }
}

pub(super) fn mismatch(ty: &Type, v: &Value) -> Fail {
    match (ty, v) {
        (Type::Dynamic, _) => Fail::new(format!(
            "a dynamic attribute needs Value::Dynamic (a value with its type), found {}",
            value_kind(v)
        )),
        _ => Fail::new(format!(
            "{} value expected, found {}",
            type_name(ty),
            value_kind(v)
        )),
    }
}

pub(super) fn extra_attr(name: &str) -> Fail {
    Fail::new(format!(
        "unsupported attribute {name:?} (not in the object type)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rendering() {
        let f = Fail::new("x")
            .at(Seg::Key("a\"b".to_owned()))
            .at(Seg::Index(3))
            .at(Seg::Attr("grant_types".to_owned()));
        assert_eq!(f.path(), r#".grant_types[3]["a\"b"]"#);
    }
}
