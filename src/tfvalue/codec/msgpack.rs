//! The msgpack encoding of values (see the module docs of `codec`).

use std::collections::BTreeMap;

use super::fail::{extra_attr, mismatch, wrap_dynamic, Fail, Seg};
use super::number::{float_number, is_decimal_text, number_from_text, uint_number};
use super::types::type_from_text;
use super::MAX_DEPTH;
use crate::tfvalue::{DecodeError, EncodeError, Number, Type, Value};

/// Decodes msgpack bytes (a `DynamicValue.msgpack`) as a value of `ty`.
/// Empty input is null.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut reader = MpReader { buf: bytes, pos: 0 };
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

struct MpReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> MpReader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Fail> {
        if n > self.remaining() {
            return Err(Fail::new("unexpected end of msgpack data"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], Fail> {
        let s = self.take(N)?;
        <[u8; N]>::try_from(s).map_err(|_| Fail::new("unexpected end of msgpack data"))
    }

    fn byte(&mut self) -> Result<u8, Fail> {
        Ok(self.fixed::<1>()?[0])
    }

    fn len8(&mut self) -> Result<usize, Fail> {
        Ok(usize::from(self.byte()?))
    }

    fn len16(&mut self) -> Result<usize, Fail> {
        Ok(usize::from(u16::from_be_bytes(self.fixed()?)))
    }

    fn len32(&mut self) -> Result<usize, Fail> {
        usize::try_from(u32::from_be_bytes(self.fixed()?))
            .map_err(|_| Fail::new("msgpack length too large"))
    }

    /// Skips an extension's type byte and `n` payload bytes.
    fn ext(&mut self, n: usize) -> Result<Head<'a>, Fail> {
        self.take(1)?;
        self.take(n)?;
        Ok(Head::Ext)
    }

    fn head(&mut self) -> Result<Head<'a>, Fail> {
        let b = self.byte()?;
        Ok(match b {
            0x00..=0x7f => Head::Int(i64::from(b)),
            0x80..=0x8f => Head::Map(usize::from(b & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(b & 0x0f)),
            0xa0..=0xbf => Head::Str(self.take(usize::from(b & 0x1f))?),
            0xc0 => Head::Nil,
            0xc1 => return Err(Fail::new("invalid msgpack byte 0xc1")),
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => {
                let n = self.len8()?;
                Head::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.len16()?;
                Head::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.len32()?;
                Head::Bin(self.take(n)?)
            }
            0xc7 => {
                let n = self.len8()?;
                self.ext(n)?
            }
            0xc8 => {
                let n = self.len16()?;
                self.ext(n)?
            }
            0xc9 => {
                let n = self.len32()?;
                self.ext(n)?
            }
            0xca => Head::F32(f32::from_be_bytes(self.fixed()?)),
            0xcb => Head::F64(f64::from_be_bytes(self.fixed()?)),
            0xcc => Head::UInt(u64::from(self.byte()?)),
            0xcd => Head::UInt(u64::from(u16::from_be_bytes(self.fixed()?))),
            0xce => Head::UInt(u64::from(u32::from_be_bytes(self.fixed()?))),
            0xcf => Head::UInt(u64::from_be_bytes(self.fixed()?)),
            0xd0 => Head::Int(i64::from(i8::from_be_bytes(self.fixed()?))),
            0xd1 => Head::Int(i64::from(i16::from_be_bytes(self.fixed()?))),
            0xd2 => Head::Int(i64::from(i32::from_be_bytes(self.fixed()?))),
            0xd3 => Head::Int(i64::from_be_bytes(self.fixed()?)),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = self.len8()?;
                Head::Str(self.take(n)?)
            }
            0xda => {
                let n = self.len16()?;
                Head::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.len32()?;
                Head::Str(self.take(n)?)
            }
            0xdc => Head::Array(self.len16()?),
            0xdd => Head::Array(self.len32()?),
            0xde => Head::Map(self.len16()?),
            0xdf => Head::Map(self.len32()?),
            0xe0..=0xff => Head::Int(i64::from(b as i8)),
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

fn mp_nil(out: &mut Vec<u8>) {
    out.push(0xc0);
}

fn mp_unknown(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0xd4, 0x00, 0x00]);
}

fn mp_int(out: &mut Vec<u8>, i: i64) {
    if i >= 0 {
        mp_uint(out, i.unsigned_abs());
    } else if i >= -32 {
        out.push(i as u8);
    } else if let Ok(v) = i8::try_from(i) {
        out.push(0xd0);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = i16::try_from(i) {
        out.push(0xd1);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = i32::try_from(i) {
        out.push(0xd2);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

fn mp_uint(out: &mut Vec<u8>, u: u64) {
    if u < 0x80 {
        out.push(u as u8);
    } else if let Ok(v) = u8::try_from(u) {
        out.push(0xcc);
        out.push(v);
    } else if let Ok(v) = u16::try_from(u) {
        out.push(0xcd);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(u) {
        out.push(0xce);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(0xcf);
        out.extend_from_slice(&u.to_be_bytes());
    }
}

fn too_long() -> Fail {
    Fail::new("too long for msgpack (more than 2^32-1 items or bytes)")
}

/// Writes a length with the fix/8/16/32 markers given (`fix` is the
/// fix-format base and `fix_max` its largest length; `m8` may be absent).
fn mp_len(
    out: &mut Vec<u8>,
    n: usize,
    fix: u8,
    fix_max: usize,
    m8: Option<u8>,
    m16: u8,
    m32: u8,
) -> Result<(), Fail> {
    if n <= fix_max {
        out.push(fix | n as u8);
    } else if let (Some(m), Ok(v)) = (m8, u8::try_from(n)) {
        out.push(m);
        out.push(v);
    } else if let Ok(v) = u16::try_from(n) {
        out.push(m16);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(n) {
        out.push(m32);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        return Err(too_long());
    }
    Ok(())
}

fn mp_str(out: &mut Vec<u8>, s: &str) -> Result<(), Fail> {
    mp_len(out, s.len(), 0xa0, 31, Some(0xd9), 0xda, 0xdb)?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn mp_bin(out: &mut Vec<u8>, b: &[u8]) -> Result<(), Fail> {
    if let Ok(v) = u8::try_from(b.len()) {
        out.push(0xc4);
        out.push(v);
    } else if let Ok(v) = u16::try_from(b.len()) {
        out.push(0xc5);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(b.len()) {
        out.push(0xc6);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        return Err(too_long());
    }
    out.extend_from_slice(b);
    Ok(())
}

fn mp_array_len(out: &mut Vec<u8>, n: usize) -> Result<(), Fail> {
    mp_len(out, n, 0x90, 15, None, 0xdc, 0xdd)
}

fn mp_map_len(out: &mut Vec<u8>, n: usize) -> Result<(), Fail> {
    mp_len(out, n, 0x80, 15, None, 0xde, 0xdf)
}

fn mp_number(out: &mut Vec<u8>, n: &Number) -> Result<(), Fail> {
    match n {
        Number::Int(i) => mp_int(out, *i),
        Number::UInt(u) => mp_uint(out, *u),
        Number::Float(f) if f.is_nan() => return Err(Fail::new("NaN is not a valid number")),
        Number::Float(f) => {
            out.push(0xcb);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Number::Big(s) if is_decimal_text(s) => mp_str(out, s)?,
        Number::Big(_) => return Err(Fail::new("a big number must hold decimal number text")),
    }
    Ok(())
}

fn mp_encode(out: &mut Vec<u8>, v: &Value, ty: &Type) -> Result<(), Fail> {
    match (ty, v) {
        (_, Value::Unknown) => mp_unknown(out),
        (_, Value::Null) => mp_nil(out),
        (Type::Dynamic, Value::Dynamic(t, inner)) => {
            if *t == Type::Dynamic {
                return mp_encode(out, inner, t);
            }
            mp_array_len(out, 2)?;
            mp_bin(out, &t.to_json_bytes())?;
            mp_encode(out, inner, t)?;
        }
        (Type::String, Value::String(s)) => mp_str(out, s)?,
        (Type::Number, Value::Number(n)) => mp_number(out, n)?,
        (Type::Bool, Value::Bool(b)) => out.push(if *b { 0xc3 } else { 0xc2 }),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            mp_array_len(out, items.len())?;
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
            mp_array_len(out, items.len())?;
            for (i, (item, t)) in items.iter().zip(elems).enumerate() {
                mp_encode(out, item, t).map_err(|f| f.at(Seg::Index(i)))?;
            }
        }
        (Type::Map(e), Value::Map(entries)) => {
            mp_map_len(out, entries.len())?;
            for (k, item) in entries {
                mp_str(out, k)?;
                mp_encode(out, item, e).map_err(|f| f.at(Seg::Key(k.clone())))?;
            }
        }
        (Type::Object(attrs), Value::Object(fields)) => {
            if let Some(name) = fields.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(extra_attr(name));
            }
            mp_map_len(out, attrs.len())?;
            for (name, t) in attrs {
                mp_str(out, name)?;
                match fields.get(name) {
                    Some(item) => {
                        mp_encode(out, item, t).map_err(|f| f.at(Seg::Attr(name.clone())))?
                    }
                    None => mp_nil(out),
                }
            }
        }
        _ => return Err(mismatch(ty, v)),
    }
    Ok(())
}
