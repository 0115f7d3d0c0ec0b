//! Convenience operations on values used by the framework and resources.

use std::collections::BTreeMap;

use super::{Number, Value};

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Known at this node (it may still contain unknowns inside).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Known here and at every depth.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// An object with no attributes yet; the framework fills the rest of a
    /// schema's attributes with null (`framework::plan::conform_object`).
    pub fn empty_object() -> Value {
        Value::Object(BTreeMap::new())
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A string value, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    pub fn string_set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
        Value::Set(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    pub fn string_map<I: IntoIterator<Item = (K, S)>, K: Into<String>, S: Into<String>>(
        items: I,
    ) -> Value {
        Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), Value::String(v.into())))
                .collect(),
        )
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Strings of a known list or set of strings (unknown or null elements
    /// are skipped).
    pub fn as_string_vec(&self) -> Option<Vec<String>> {
        self.as_elements().map(|els| {
            els.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
    }

    /// Entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An attribute of an object value; `Null` when absent or not an object.
    pub fn attr(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// The string attribute `name`, when known and not null.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        self.attr(name).as_str()
    }

    /// Set an attribute of an object value (no-op on other values).
    pub fn set_attr(&mut self, name: &str, value: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_owned(), value);
        }
    }

    /// Mutable access to an attribute of an object value.
    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }
}
