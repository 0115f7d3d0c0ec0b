//! Msgpack and JSON encodings of [`Value`]: Terraform's "object wire format"
//! (the cty msgpack and cty JSON encodings), always driven by a [`Type`].
//!
//! # Msgpack
//! - string: str (bin is accepted on input when it is valid UTF-8);
//! - number: any int width, float32/float64, or a str holding decimal text
//!   (numbers too big or too precise for int/float). Decimal text decodes to
//!   `Number::Int`/`Number::UInt` when it is an integer that fits, otherwise
//!   to `Number::Big` with the text unchanged; `Number::Big` encodes as str;
//! - bool; list/set/tuple: array; map/object: map with str keys. Objects
//!   are written with every attribute of the type (sorted, nulls as nil); on
//!   input a missing attribute is null and an attribute outside the type is an
//!   error naming it;
//! - null: nil; unknown: ext 0 `d4 00 00` on output; ANY ext value (e.g. ext
//!   12, a refined unknown) is unknown on input, its refinements dropped;
//! - `dynamic`: `[type JSON (bin on output, bin or str on input), value]`,
//!   decoded as [`Value::Dynamic`]; a bare nil/ext in a dynamic slot stays a
//!   plain `Value::Null`/`Value::Unknown`, while `[type, nil]` keeps its type
//!   (`Value::Dynamic(t, Null)`). A wrapper whose type is itself `"dynamic"`
//!   is flattened (decoded as its inner value), and `Value::Dynamic(Type::Dynamic, v)`
//!   is encoded as `v`. A dynamic slot only takes `Value::Dynamic`, `Null` or
//!   `Unknown` on output (a plain value carries no type to write).
//!
//! On output `Number::Float` is always float64 and integers use the smallest
//! msgpack int; NaN is refused both ways (cty has no NaN), infinities pass.
//!
//! # JSON
//! Same shapes, `null` for null, no unknowns (encoding one is an error),
//! `{"value": …, "type": …}` for `dynamic` (a null dynamic is written as
//! `{"value":null,"type":"dynamic"}` as cty does; a bare `null` is accepted).
//! As in cty, a string attribute also accepts a JSON number or bool, a number
//! accepts a string holding decimal text and a bool accepts the strings
//! `"true"`, `"false"`, `"1"`, `"0"`.
//!
//! Numbers in JSON input are read from their text, so big integers keep every
//! digit (`Number::Big`); non-integers become `Number::Float` when f64 holds
//! them (otherwise `Number::Big`). `serde_json` is built without
//! `arbitrary_precision`, so [`encode_json`] cannot write a `Number::Big` as a
//! JSON number without losing digits: it writes it as a JSON string holding
//! the decimal text, which cty (and [`decode_json`]) read back as the same
//! number.
//!
//! Decoding never panics: lengths are checked against the remaining input,
//! nesting is limited to [`MAX_DEPTH`] levels, and malformed input is a
//! [`DecodeError`]. Error messages name kinds and attribute names, never the
//! values themselves (a value may be a secret).

use std::collections::BTreeMap;

use super::{DecodeError, EncodeError, Number, Type, Value};

/// Deepest nesting of values (and of JSON input) the decoders accept.
pub const MAX_DEPTH: usize = 128;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

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

/// Decodes JSON bytes (a `DynamicValue.json`, or raw state JSON) as a value
/// of `ty`. Empty (or all-whitespace) input is null.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.iter().all(|b| is_json_ws(*b)) {
        return Ok(Value::Null);
    }
    let doc = parse_json_document(bytes).map_err(Fail::into_decode)?;
    json_decode(doc, ty).map_err(Fail::into_decode)
}

/// Encodes a wholly known `value` as JSON for `ty` (an unknown anywhere is
/// an error: JSON has no unknown). See the module docs for `Number::Big`.
pub fn encode_json(value: &Value, ty: &Type) -> Result<serde_json::Value, EncodeError> {
    json_encode(value, ty).map_err(Fail::into_encode)
}

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

// ---------------------------------------------------------------------------
// Errors and paths
// ---------------------------------------------------------------------------

/// One step of a path inside a value.
enum Seg {
    Attr(String),
    Index(usize),
    Key(String),
}

/// An internal error: the path is collected innermost-first while the error
/// travels up the recursion, so the happy path never builds one.
struct Fail {
    rev_path: Vec<Seg>,
    message: String,
}

impl Fail {
    fn new(message: impl Into<String>) -> Self {
        Fail {
            rev_path: Vec::new(),
            message: message.into(),
        }
    }

    fn at(mut self, seg: Seg) -> Self {
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

    fn into_decode(self) -> DecodeError {
        DecodeError {
            path: self.path(),
            message: self.message,
        }
    }

    fn into_encode(self) -> EncodeError {
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
fn wrap_dynamic(t: Type, v: Value) -> Value {
    if t == Type::Dynamic {
        v
    } else {
        Value::Dynamic(t, Box::new(v))
    }
}

// ---------------------------------------------------------------------------
// Numbers as decimal text
// ---------------------------------------------------------------------------

/// Whether `s` is decimal number text: `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`.
fn is_decimal_text(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

fn is_integer_text(s: &str) -> bool {
    !s.bytes().any(|c| matches!(c, b'.' | b'e' | b'E'))
}

/// A number sent as text (msgpack str, JSON string): exact integers that fit
/// become `Int`/`UInt`, everything else stays `Big` with the text unchanged.
fn number_from_text(s: &str) -> Option<Number> {
    if !is_decimal_text(s) {
        return None;
    }
    if is_integer_text(s) {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::Int(i));
        }
        if let Ok(u) = s.parse::<u64>() {
            return Some(Number::UInt(u));
        }
    }
    Some(Number::Big(s.to_owned()))
}

/// A JSON number literal (already checked against the JSON grammar).
fn number_from_json_literal(s: &str) -> Number {
    if is_integer_text(s) {
        if let Ok(i) = s.parse::<i64>() {
            return Number::Int(i);
        }
        if let Ok(u) = s.parse::<u64>() {
            return Number::UInt(u);
        }
        return Number::Big(s.to_owned());
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && !(f == 0.0 && has_nonzero_mantissa(s)) => Number::Float(f),
        _ => Number::Big(s.to_owned()),
    }
}

/// Whether the mantissa of decimal text has a non-zero digit (so a parse to
/// 0.0 was an underflow).
fn has_nonzero_mantissa(s: &str) -> bool {
    s.bytes()
        .take_while(|c| *c != b'e' && *c != b'E')
        .any(|c| matches!(c, b'1'..=b'9'))
}

fn uint_number(u: u64) -> Number {
    match i64::try_from(u) {
        Ok(i) => Number::Int(i),
        Err(_) => Number::UInt(u),
    }
}

fn float_number(f: f64) -> Result<Number, Fail> {
    if f.is_nan() {
        Err(Fail::new("NaN is not a valid number"))
    } else {
        Ok(Number::Float(f))
    }
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

fn type_from_text(text: &[u8]) -> Result<Type, Fail> {
    let j: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
        Fail::new(format!(
            "the type of a dynamic value is not valid JSON: {e}"
        ))
    })?;
    type_from_json(&j, 0).map_err(|m| Fail::new(format!("invalid type of a dynamic value: {m}")))
}

fn type_from_json(v: &serde_json::Value, depth: usize) -> Result<Type, String> {
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

fn mismatch(ty: &Type, v: &Value) -> Fail {
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

fn extra_attr(name: &str) -> Fail {
    Fail::new(format!(
        "unsupported attribute {name:?} (not in the object type)"
    ))
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

// ---------------------------------------------------------------------------
// JSON reading
// ---------------------------------------------------------------------------

/// A parsed JSON document; numbers keep their text so no digit is lost.
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Num(_) => "number",
            Json::Str(_) => "string",
            Json::Arr(_) => "array",
            Json::Obj(_) => "object",
        }
    }

    /// For type descriptions, which hold only strings, arrays and objects.
    fn into_serde(self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Json::Null | Json::Num(_) => J::Null,
            Json::Bool(b) => J::Bool(b),
            Json::Str(s) => J::String(s),
            Json::Arr(items) => J::Array(items.into_iter().map(Json::into_serde).collect()),
            Json::Obj(members) => J::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k, v.into_serde()))
                    .collect(),
            ),
        }
    }
}

fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

struct JsonParser<'a> {
    src: &'a str,
    pos: usize,
}

fn parse_json_document(bytes: &[u8]) -> Result<Json, Fail> {
    let src = std::str::from_utf8(bytes).map_err(|_| Fail::new("JSON input is not valid UTF-8"))?;
    let mut p = JsonParser { src, pos: 0 };
    p.skip_ws();
    let doc = p.value(0)?;
    p.skip_ws();
    if p.pos != src.len() {
        return Err(p.error("unexpected data after the JSON value"));
    }
    Ok(doc)
}

impl JsonParser<'_> {
    fn bytes(&self) -> &[u8] {
        self.src.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn error(&self, what: &str) -> Fail {
        Fail::new(format!("invalid JSON at byte {}: {what}", self.pos))
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_json_ws) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), Fail> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", c as char)))
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, Fail> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("unexpected character"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, Fail> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, Fail> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, Fail> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Obj(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Obj(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let digits = self
            .src
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected 4 hex digits after \\u"))?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.error("bad \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Fail> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.pos += 1;
            }
            // The run ends at an ASCII byte (or the end), a char boundary.
            let run = self
                .src
                .get(start..self.pos)
                .ok_or_else(|| self.error("bad string"))?;
            out.push_str(run);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self
                        .peek()
                        .ok_or_else(|| self.error("unexpected end of input"))?;
                    self.pos += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if !self.bytes()[self.pos..].starts_with(b"\\u") {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            let ch = char::from_u32(code)
                                .ok_or_else(|| self.error("unpaired surrogate in \\u escape"))?;
                            out.push(ch);
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, Fail> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = self
            .src
            .get(start..self.pos)
            .ok_or_else(|| self.error("invalid number"))?;
        Ok(Json::Num(text.to_owned()))
    }
}

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

// ---------------------------------------------------------------------------
// JSON writing
// ---------------------------------------------------------------------------

/// Appends `s` as a JSON string literal.
fn push_json_string(out: &mut String, s: &str) {
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

fn json_number(n: &Number) -> Result<serde_json::Value, Fail> {
    use serde_json::Value as J;
    match n {
        Number::Int(i) => Ok(J::from(*i)),
        Number::UInt(u) => Ok(J::from(*u)),
        Number::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .ok_or_else(|| Fail::new("JSON cannot hold an infinite or NaN number")),
        // Without serde_json's arbitrary_precision a JSON number would lose
        // digits; cty reads decimal text in a string as the same number.
        Number::Big(s) if is_decimal_text(s) => Ok(J::String(s.clone())),
        Number::Big(_) => Err(Fail::new("a big number must hold decimal number text")),
    }
}

fn json_dynamic(value: serde_json::Value, ty: &Type) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("value".to_owned(), value);
    m.insert("type".to_owned(), ty.to_json());
    serde_json::Value::Object(m)
}

fn json_encode(v: &Value, ty: &Type) -> Result<serde_json::Value, Fail> {
    use serde_json::Value as J;
    Ok(match (ty, v) {
        (_, Value::Unknown) => {
            return Err(Fail::new(
                "value is not known; JSON cannot hold unknown values",
            ))
        }
        (Type::Dynamic, Value::Null) => json_dynamic(J::Null, &Type::Dynamic),
        (_, Value::Null) => J::Null,
        (Type::Dynamic, Value::Dynamic(t, inner)) => {
            if *t == Type::Dynamic {
                return json_encode(inner, t);
            }
            json_dynamic(json_encode(inner, t)?, t)
        }
        (Type::String, Value::String(s)) => J::String(s.clone()),
        (Type::Number, Value::Number(n)) => json_number(n)?,
        (Type::Bool, Value::Bool(b)) => J::Bool(*b),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| json_encode(item, e).map_err(|f| f.at(Seg::Index(i))))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Tuple(elems), Value::Tuple(items)) => {
            if elems.len() != items.len() {
                return Err(Fail::new(format!(
                    "a tuple of {} element(s) is required, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            J::Array(
                items
                    .iter()
                    .zip(elems)
                    .enumerate()
                    .map(|(i, (item, t))| json_encode(item, t).map_err(|f| f.at(Seg::Index(i))))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Type::Map(e), Value::Map(entries)) => {
            let mut m = serde_json::Map::new();
            for (k, item) in entries {
                let j = json_encode(item, e).map_err(|f| f.at(Seg::Key(k.clone())))?;
                m.insert(k.clone(), j);
            }
            J::Object(m)
        }
        (Type::Object(attrs), Value::Object(fields)) => {
            if let Some(name) = fields.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(extra_attr(name));
            }
            let mut m = serde_json::Map::new();
            for (name, t) in attrs {
                let j = match fields.get(name) {
                    Some(item) => {
                        json_encode(item, t).map_err(|f| f.at(Seg::Attr(name.clone())))?
                    }
                    None if *t == Type::Dynamic => json_dynamic(J::Null, &Type::Dynamic),
                    None => J::Null,
                };
                m.insert(name.clone(), j);
            }
            J::Object(m)
        }
        _ => return Err(mismatch(ty, v)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_grammar() {
        for ok in [
            "0",
            "-1",
            "+7",
            "1.",
            ".5",
            "1.5e3",
            "1E-9",
            "123456789012345678901234567890",
        ] {
            assert!(is_decimal_text(ok), "{ok}");
        }
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "0x10", " 1", "1 ", "Inf", "NaN", "1..2", "--1",
        ] {
            assert!(!is_decimal_text(bad), "{bad}");
        }
    }

    #[test]
    fn json_literal_numbers() {
        assert_eq!(number_from_json_literal("-12"), Number::Int(-12));
        assert!(matches!(
            number_from_json_literal("18446744073709551615"),
            Number::UInt(u64::MAX)
        ));
        assert!(
            matches!(number_from_json_literal("18446744073709551616"), Number::Big(ref s) if s == "18446744073709551616")
        );
        assert!(matches!(number_from_json_literal("2.5"), Number::Float(f) if f == 2.5));
        assert!(matches!(number_from_json_literal("1e400"), Number::Big(ref s) if s == "1e400"));
        assert!(matches!(number_from_json_literal("1e-400"), Number::Big(ref s) if s == "1e-400"));
        assert!(matches!(number_from_json_literal("0.0e5"), Number::Float(f) if f == 0.0));
    }

    #[test]
    fn path_rendering() {
        let f = Fail::new("x")
            .at(Seg::Key("a\"b".to_owned()))
            .at(Seg::Index(3))
            .at(Seg::Attr("grant_types".to_owned()));
        assert_eq!(f.path(), r#".grant_types[3]["a\"b"]"#);
    }
}
