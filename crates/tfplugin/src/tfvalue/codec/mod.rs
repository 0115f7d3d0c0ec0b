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
//! Read only (the provider always answers in msgpack). Same shapes, `null`
//! for null, no unknowns, `{"value": …, "type": …}` for `dynamic` (a bare
//! `null` and cty's `{"value":null,"type":"dynamic"}` are both null). As in
//! cty, a string attribute also accepts a JSON number or bool, a number
//! accepts a string holding decimal text and a bool accepts the strings
//! `"true"`, `"false"`, `"1"`, `"0"`.
//!
//! Numbers in JSON input are read from their text, so big integers keep every
//! digit (`Number::Big`); non-integers become `Number::Float` when f64 holds
//! them (otherwise `Number::Big`).
//!
//! Decoding never panics: lengths are checked against the remaining input,
//! nesting is limited to [`MAX_DEPTH`] levels, and malformed input is a
//! [`DecodeError`](super::DecodeError). Error messages name kinds and
//! attribute names, never the values themselves (a value may be a secret).
//!
//! # Layout
//! `msgpack` reads and writes msgpack (its bytes through `rmp`); `json` reads
//! JSON through serde_json; `number` holds the grammar of decimal text,
//! `types` the cty type descriptions, and `fail` the errors and value paths
//! all of them share.

mod fail;
mod json;
mod msgpack;
mod number;
mod types;

pub use fail::MAX_DEPTH;
pub use json::decode_json;
pub use msgpack::{decode_msgpack, encode_msgpack};
