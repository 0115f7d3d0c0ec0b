//! The msgpack encoding of values (see the module docs of `codec`).

use std::collections::BTreeMap;

use super::fail::{extra_attr, mismatch, wrap_dynamic, Fail, Seg, MAX_DEPTH};
use super::number::{float_number, is_decimal_text, number_from_text, uint_number};
use super::types::type_from_text;
use crate::tfvalue::{DecodeError, EncodeError, Number, Type, Value};
use rmp::encode::{
    write_array_len, write_bin, write_bool, write_ext_meta, write_f64, write_map_len, write_nil,
    write_sint, write_str, write_uint,
};
use rmp::Marker;

/// Decodes msgpack bytes (a `DynamicValue.msgpack`) as a value of `ty`.
/// Empty input is null.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut reader = MpReader { buf: bytes };
    let value = mp_decode(&mut reader, ty, 0).map_err(Fail::into_decode)?;
    let rest = reader.remaining();
    if rest != 0 {
        return Err(DecodeError {
            path: String::new(),
            message: format!("{rest} unexpected byte(s) after the msgpack value"),
        });
    }
    Ok(value)
}

/// Encodes `value` as msgpack for `ty`. Unknowns are written as ext 0.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    mp_encode(&mut out, value, ty).map_err(Fail::into_encode)?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// Msgpack reading
// ---------------------------------------------------------------------------

/// The head of one msgpack item; strings and binaries carry their bytes,
/// arrays and maps their element counts (the elements follow).
enum Head<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    F32(f32),
    F64(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext,
}

impl Head<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "bool",
            Head::Int(_) | Head::UInt(_) => "integer",
            Head::F32(_) | Head::F64(_) => "float",
            Head::Str(_) => "string",
            Head::Bin(_) => "binary",
            Head::Array(_) => "array",
            Head::Map(_) => "map",
            Head::Ext => "extension",
        }
    }
}

/// The input left to read; rmp reads markers and lengths from it.
struct MpReader<'a> {
    buf: &'a [u8],
}

fn eof<E>(_: E) -> Fail {
    Fail::new("unexpected end of msgpack data")
}

fn size(n: u32) -> Result<usize, Fail> {
    usize::try_from(n).map_err(|_| Fail::new("msgpack length too large"))
}

impl<'a> MpReader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len()
    }

    fn take(&mut self, n: u32) -> Result<&'a [u8], Fail> {
        let (taken, rest) = self.buf.split_at_checked(size(n)?).ok_or_else(|| eof(()))?;
        self.buf = rest;
        Ok(taken)
    }

    fn head(&mut self) -> Result<Head<'a>, Fail> {
        use rmp::decode as d;
        let first = *self.buf.first().ok_or_else(|| eof(()))?;
        // rmp's readers take the marker themselves: peek it to pick one.
        let rd = &mut self.buf;
        Ok(match Marker::from_u8(first) {
            Marker::Null => {
                d::read_nil(rd).map_err(eof)?;
                Head::Nil
            }
            Marker::Reserved => return Err(Fail::new("invalid msgpack byte 0xc1")),
            Marker::True | Marker::False => Head::Bool(d::read_bool(rd).map_err(eof)?),
            Marker::U64 => Head::UInt(d::read_u64(rd).map_err(eof)?),
            Marker::FixPos(_)
            | Marker::FixNeg(_)
            | Marker::U8
            | Marker::U16
            | Marker::U32
            | Marker::I8
            | Marker::I16
            | Marker::I32
            | Marker::I64 => Head::Int(d::read_int(rd).map_err(eof)?),
            Marker::F32 => Head::F32(d::read_f32(rd).map_err(eof)?),
            Marker::F64 => Head::F64(d::read_f64(rd).map_err(eof)?),
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let n = d::read_str_len(rd).map_err(eof)?;
                Head::Str(self.take(n)?)
            }
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                let n = d::read_bin_len(rd).map_err(eof)?;
                Head::Bin(self.take(n)?)
            }
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                Head::Array(size(d::read_array_len(rd).map_err(eof)?)?)
            }
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                Head::Map(size(d::read_map_len(rd).map_err(eof)?)?)
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => {
                let meta = d::read_ext_meta(rd).map_err(eof)?;
                self.take(meta.size)?;
                Head::Ext
            }
        })
    }
}

fn utf8(b: &[u8]) -> Result<&str, Fail> {
    std::str::from_utf8(b).map_err(|_| Fail::new("string is not valid UTF-8"))
}

fn required(what: &str, found: &Head<'_>) -> Fail {
    Fail::new(format!(
        "{what} is required, found msgpack {}",
        found.kind()
    ))
}

fn mp_key<'a>(r: &mut MpReader<'a>) -> Result<&'a str, Fail> {
    match r.head()? {
        Head::Str(b) | Head::Bin(b) => utf8(b),
        other => Err(Fail::new(format!(
            "map keys must be strings, found msgpack {}",
            other.kind()
        ))),
    }
}

fn mp_elements<'t>(
    r: &mut MpReader<'_>,
    n: usize,
    depth: usize,
    elem_ty: impl Fn(usize) -> Option<&'t Type>,
) -> Result<Vec<Value>, Fail> {
    // Every element takes at least one byte: never reserve more than that.
    let mut items = Vec::with_capacity(n.min(r.remaining()));
    for i in 0..n {
        let ty = elem_ty(i).ok_or_else(|| Fail::new("too many elements"))?;
        let v = mp_decode(r, ty, depth + 1).map_err(|f| f.at(Seg::Index(i)))?;
        items.push(v);
    }
    Ok(items)
}

fn mp_decode(r: &mut MpReader<'_>, ty: &Type, depth: usize) -> Result<Value, Fail> {
    if depth > MAX_DEPTH {
        return Err(Fail::new(format!(
            "value nested deeper than {MAX_DEPTH} levels"
        )));
    }
    let head = r.head()?;
    match head {
        Head::Ext => return Ok(Value::Unknown),
        Head::Nil => return Ok(Value::Null),
        _ => {}
    }
    match ty {
        Type::String => match head {
            Head::Str(b) | Head::Bin(b) => Ok(Value::String(utf8(b)?.to_owned())),
            other => Err(required("string", &other)),
        },
        Type::Number => match head {
            Head::Int(i) => Ok(Value::Number(Number::Int(i))),
            Head::UInt(u) => Ok(Value::Number(uint_number(u))),
            Head::F32(f) => float_number(f64::from(f)).map(Value::Number),
            Head::F64(f) => float_number(f).map(Value::Number),
            Head::Str(b) | Head::Bin(b) => number_from_text(utf8(b)?)
                .map(Value::Number)
                .ok_or_else(|| {
                    Fail::new("number is required, found a string that is not a number")
                }),
            other => Err(required("number", &other)),
        },
        Type::Bool => match head {
            Head::Bool(b) => Ok(Value::Bool(b)),
            other => Err(required("bool", &other)),
        },
        Type::List(e) => match head {
            Head::Array(n) => mp_elements(r, n, depth, |_| Some(e)).map(Value::List),
            other => Err(required("list", &other)),
        },
        Type::Set(e) => match head {
            Head::Array(n) => mp_elements(r, n, depth, |_| Some(e)).map(Value::Set),
            other => Err(required("set", &other)),
        },
        Type::Tuple(elems) => match head {
            Head::Array(n) if n == elems.len() => {
                mp_elements(r, n, depth, |i| elems.get(i)).map(Value::Tuple)
            }
            Head::Array(n) => Err(Fail::new(format!(
                "a tuple of {} element(s) is required, found {n}",
                elems.len()
            ))),
            other => Err(required("tuple", &other)),
        },
        Type::Map(e) => match head {
            Head::Map(n) => {
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = mp_key(r)?;
                    let v = mp_decode(r, e, depth + 1).map_err(|f| f.at(Seg::Key(k.to_owned())))?;
                    m.insert(k.to_owned(), v);
                }
                Ok(Value::Map(m))
            }
            other => Err(required("map", &other)),
        },
        Type::Object(attrs) => match head {
            Head::Map(n) => {
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = mp_key(r)?;
                    let aty = attrs
                        .get(k)
                        .ok_or_else(|| Fail::new(format!("unsupported attribute {k:?}")))?;
                    let v =
                        mp_decode(r, aty, depth + 1).map_err(|f| f.at(Seg::Attr(k.to_owned())))?;
                    m.insert(k.to_owned(), v);
                }
                for name in attrs.keys() {
                    if !m.contains_key(name) {
                        m.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(m))
            }
            other => Err(required("object", &other)),
        },
        Type::Dynamic => match head {
            Head::Array(2) => {
                let type_text = match r.head()? {
                    Head::Str(b) | Head::Bin(b) => b,
                    other => {
                        return Err(Fail::new(format!(
                            "the type of a dynamic value must be JSON text, found msgpack {}",
                            other.kind()
                        )))
                    }
                };
                let t = type_from_text(type_text)?;
                let v = mp_decode(r, &t, depth + 1)?;
                Ok(wrap_dynamic(t, v))
            }
            other => Err(Fail::new(format!(
                "a dynamic value must be a [type, value] array of 2 elements, found msgpack {}",
                match other {
                    Head::Array(_) => "array of another length",
                    ref h => h.kind(),
                }
            ))),
        },
    }
}

// ---------------------------------------------------------------------------
// Msgpack writing
// ---------------------------------------------------------------------------

/// Writes into a `Vec` cannot fail; rmp's results are checked all the same.
fn put<T, E>(r: Result<T, E>) -> Result<(), Fail> {
    r.map(drop)
        .map_err(|_| Fail::new("could not write msgpack"))
}

/// A length rmp can write (it takes a `u32` and would cut a longer one).
fn len32(n: usize) -> Result<u32, Fail> {
    u32::try_from(n)
        .map_err(|_| Fail::new("too long for msgpack (more than 2^32-1 items or bytes)"))
}

/// The plain unknown: ext type 0 holding one zero byte, `d4 00 00`.
fn mp_unknown(out: &mut Vec<u8>) -> Result<(), Fail> {
    put(write_ext_meta(out, 1, 0))?;
    out.push(0);
    Ok(())
}

fn mp_str(out: &mut Vec<u8>, s: &str) -> Result<(), Fail> {
    len32(s.len())?;
    put(write_str(out, s))
}

fn mp_number(out: &mut Vec<u8>, n: &Number) -> Result<(), Fail> {
    match n {
        Number::Int(i) => put(write_sint(out, *i))?,
        Number::UInt(u) => put(write_uint(out, *u))?,
        Number::Float(f) if f.is_nan() => return Err(Fail::new("NaN is not a valid number")),
        Number::Float(f) => put(write_f64(out, *f))?,
        Number::Big(s) if is_decimal_text(s) => mp_str(out, s)?,
        Number::Big(_) => return Err(Fail::new("a big number must hold decimal number text")),
    }
    Ok(())
}

fn mp_encode(out: &mut Vec<u8>, v: &Value, ty: &Type) -> Result<(), Fail> {
    match (ty, v) {
        (_, Value::Unknown) => mp_unknown(out)?,
        (_, Value::Null) => put(write_nil(out))?,
        (Type::Dynamic, Value::Dynamic(t, inner)) => {
            if *t == Type::Dynamic {
                return mp_encode(out, inner, t);
            }
            put(write_array_len(out, 2))?;
            let type_text = t.to_json_bytes();
            len32(type_text.len())?;
            put(write_bin(out, &type_text))?;
            mp_encode(out, inner, t)?;
        }
        (Type::String, Value::String(s)) => mp_str(out, s)?,
        (Type::Number, Value::Number(n)) => mp_number(out, n)?,
        (Type::Bool, Value::Bool(b)) => put(write_bool(out, *b))?,
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            put(write_array_len(out, len32(items.len())?))?;
            for (i, item) in items.iter().enumerate() {
                mp_encode(out, item, e).map_err(|f| f.at(Seg::Index(i)))?;
            }
        }
        (Type::Tuple(elems), Value::Tuple(items)) => {
            if elems.len() != items.len() {
                return Err(Fail::new(format!(
                    "a tuple of {} element(s) is required, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            put(write_array_len(out, len32(items.len())?))?;
            for (i, (item, t)) in items.iter().zip(elems).enumerate() {
                mp_encode(out, item, t).map_err(|f| f.at(Seg::Index(i)))?;
            }
        }
        (Type::Map(e), Value::Map(entries)) => {
            put(write_map_len(out, len32(entries.len())?))?;
            for (k, item) in entries {
                mp_str(out, k)?;
                mp_encode(out, item, e).map_err(|f| f.at(Seg::Key(k.clone())))?;
            }
        }
        (Type::Object(attrs), Value::Object(fields)) => {
            if let Some(name) = fields.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(extra_attr(name));
            }
            put(write_map_len(out, len32(attrs.len())?))?;
            for (name, t) in attrs {
                mp_str(out, name)?;
                match fields.get(name) {
                    Some(item) => {
                        mp_encode(out, item, t).map_err(|f| f.at(Seg::Attr(name.clone())))?
                    }
                    None => put(write_nil(out))?,
                }
            }
        }
        _ => return Err(mismatch(ty, v)),
    }
    Ok(())
}
