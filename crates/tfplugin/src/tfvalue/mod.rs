//! Terraform values as the plugin wire format carries them.
//!
//! A [`Value`] is interpreted against a [`Type`]: the wire encodings carry no
//! type tags (except for `dynamic`), so decoding is always schema-driven.
//! Every node can be null or unknown, including elements inside collections.

pub mod codec;
pub mod ops;

use std::collections::BTreeMap;
use std::fmt;

/// A Terraform type constraint (the cty type system).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    /// Any type; values carry their own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A Terraform number. Integers that fit are kept exact; other numbers are
/// kept as floats, and numbers that need more precision than either as their
/// decimal text (Terraform sends those as msgpack strings).
#[derive(Clone, Debug)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
    /// Decimal text of a number that fits neither i64/u64 nor f64 exactly.
    Big(String),
}

/// A value of some [`Type`].
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    /// Not known until apply. Refinements sent by Terraform are accepted and
    /// dropped; we always send plain unknowns.
    Unknown,
    String(String),
    Number(Number),
    Bool(bool),
    List(Vec<Value>),
    /// Element order carries no meaning; equality ignores it.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A value of a `dynamic` attribute, with the concrete type it has.
    Dynamic(Type, Box<Value>),
}

/// An error decoding a value: what was wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the value, as `.name[2]["key"]`; empty at the root.
    pub path: String,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// An error encoding a value: the value does not fit its type (or cannot be
/// expressed in the target encoding, e.g. an unknown in JSON), and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    /// Where in the value, as `.name[2]["key"]`; empty at the root.
    pub path: String,
    pub message: String,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for EncodeError {}

impl Number {
    /// The number as f64 (may round for big numbers).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::UInt(u) => *u as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// The number as i64 when it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::UInt(u) => i64::try_from(*u).ok(),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => s.parse().ok(),
        }
    }
}

/// Numeric equality: `Int(2) == Float(2.0)`.
impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::UInt(a), Number::UInt(b)) => a == b,
            (Number::Int(a), Number::UInt(b)) | (Number::UInt(b), Number::Int(a)) => {
                u64::try_from(*a).is_ok_and(|a| a == *b)
            }
            (Number::Big(a), Number::Big(b)) if a == b => true,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

/// Structural equality; sets compare as multisets, ignoring order.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown, Unknown) => true,
            (String(a), String(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Set(a), Set(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let mut used = vec![false; b.len()];
                a.iter().all(|x| {
                    for (i, y) in b.iter().enumerate() {
                        if !used[i] && x == y {
                            used[i] = true;
                            return true;
                        }
                    }
                    false
                })
            }
            (Dynamic(ta, a), Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}
