//! Typed models: a Rust struct whose fields are a schema's attributes,
//! converted to and from a [`Value`] in one place.
//!
//! Declare one with [`model!`](crate::model): the field names are the
//! attribute names, so hooks read and write fields and never spell an
//! attribute as a string. The macro also declares a module of [`AttrPath`]
//! constructors, one per field, for diagnostics. A unit test per model calls
//! [`assert_model_matches_schema`], so a renamed or misspelt attribute fails
//! `cargo test`, not a plan.
//!
//! Field types: [`Maybe<T>`] where the value can be unknown (anything read
//! from a configuration or a plan), `Option<T>` where it cannot (values the
//! provider computes), with `T` one of `String`, `bool`, `i64`, [`Number`]
//! (any number, exact), [`Secret`] (a string that cannot be formatted, for
//! credentials: a model's derived `Debug` prints it as `Secret(***)`),
//! `BTreeSet<String>`, `BTreeMap<String, String>` or `Vec<M>` for a list of
//! nested objects of model `M`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use secret::Secret;

use super::diagnostics::Diagnostics;
use super::path::AttrPath;
use super::schema::Schema;
use crate::tfvalue::{Number, Type, Value};

/// A value that can be unknown in a plan: unknown, null or known.
///
/// A collection that is only partly known (some element unknown) decodes as
/// `Unknown`; use [`Model::write_changes`] to write a model back into a plan
/// without losing such values in fields that were not changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Maybe<T> {
    /// Not known until apply.
    Unknown,
    /// Not set.
    #[default]
    Null,
    /// Known and set.
    Known(T),
}

impl<T> Maybe<T> {
    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Maybe::Null)
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Maybe::Unknown)
    }

    /// The value when known (not null, not unknown).
    pub fn as_known(&self) -> Option<&T> {
        match self {
            Maybe::Known(v) => Some(v),
            _ => None,
        }
    }
}

impl Maybe<String> {
    /// The string when known.
    pub fn as_str(&self) -> Option<&str> {
        self.as_known().map(String::as_str)
    }
}

impl Maybe<bool> {
    /// The bool when known.
    pub fn as_bool(&self) -> Option<bool> {
        self.as_known().copied()
    }
}

/// `None` is null.
impl<T> From<Option<T>> for Maybe<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Maybe::Null, Maybe::Known)
    }
}

/// A string shorthand: `Maybe::from("x")` is known.
impl From<&str> for Maybe<String> {
    fn from(v: &str) -> Self {
        Maybe::Known(v.to_owned())
    }
}

/// Why a value could not be decoded into a field.
#[derive(Debug)]
pub enum FieldError {
    /// The value (or part of it) is unknown where the field cannot hold that.
    Unknown,
    /// The value does not fit the field's type.
    Invalid(String),
}

/// A known, non-null value of some Terraform type.
pub trait KnownValue: Sized {
    /// The Terraform type of the value.
    fn tf_type() -> Type;
    /// Decode `v`, which is neither null nor unknown at its root.
    fn decode_known(v: &Value) -> Result<Self, FieldError>;
    /// The value as a [`Value`].
    fn encode_known(&self) -> Value;
}

fn unexpected(want: &str, got: &Value) -> FieldError {
    let kind = match got {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
        Value::Dynamic(..) => "a dynamic value",
    };
    FieldError::Invalid(format!("expected {want}, got {kind}"))
}

/// An element of a collection: known and not null.
fn element<T: KnownValue>(v: &Value, at: &str) -> Result<T, FieldError> {
    match v {
        Value::Unknown => Err(FieldError::Unknown),
        Value::Null => Err(FieldError::Invalid(format!("{at} is null"))),
        v => T::decode_known(v).map_err(|e| match e {
            FieldError::Invalid(m) => FieldError::Invalid(format!("{at}: {m}")),
            FieldError::Unknown => FieldError::Unknown,
        }),
    }
}

impl KnownValue for String {
    fn tf_type() -> Type {
        Type::String
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| unexpected("a string", v))
    }
    fn encode_known(&self) -> Value {
        Value::String(self.clone())
    }
}

impl KnownValue for bool {
    fn tf_type() -> Type {
        Type::Bool
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        v.as_bool().ok_or_else(|| unexpected("a bool", v))
    }
    fn encode_known(&self) -> Value {
        Value::Bool(*self)
    }
}

impl KnownValue for i64 {
    fn tf_type() -> Type {
        Type::Number
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| FieldError::Invalid("expected a whole number".into())),
            v => Err(unexpected("a number", v)),
        }
    }
    fn encode_known(&self) -> Value {
        Value::Number(Number::Int(*self))
    }
}

impl KnownValue for Number {
    fn tf_type() -> Type {
        Type::Number
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::Number(n) => Ok(n.clone()),
            v => Err(unexpected("a number", v)),
        }
    }
    fn encode_known(&self) -> Value {
        Value::Number(self.clone())
    }
}

/// A string attribute holding a credential.
impl KnownValue for Secret {
    fn tf_type() -> Type {
        Type::String
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        v.as_str()
            .map(Secret::from)
            .ok_or_else(|| unexpected("a string", v))
    }
    fn encode_known(&self) -> Value {
        Value::String(self.expose().to_owned())
    }
}

impl KnownValue for BTreeSet<String> {
    fn tf_type() -> Type {
        Type::Set(Box::new(Type::String))
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::Set(els) => els
                .iter()
                .enumerate()
                .map(|(i, e)| element::<String>(e, &format!("element {i}")))
                .collect(),
            v => Err(unexpected("a set of strings", v)),
        }
    }
    fn encode_known(&self) -> Value {
        Value::string_set(self.iter().cloned())
    }
}

impl KnownValue for BTreeMap<String, String> {
    fn tf_type() -> Type {
        Type::Map(Box::new(Type::String))
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::Map(m) => m
                .iter()
                .map(|(k, e)| Ok((k.clone(), element::<String>(e, &format!("key {k:?}"))?)))
                .collect(),
            v => Err(unexpected("a map of strings", v)),
        }
    }
    fn encode_known(&self) -> Value {
        Value::string_map(self.iter().map(|(k, v)| (k.clone(), v.clone())))
    }
}

/// A list of nested objects.
impl<M: Model> KnownValue for Vec<M> {
    fn tf_type() -> Type {
        Type::List(Box::new(M::object_type()))
    }
    fn decode_known(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::List(els) => {
                els.iter()
                    .enumerate()
                    .map(|(i, e)| match e {
                        Value::Unknown => Err(FieldError::Unknown),
                        e => M::from_value(e)
                            .map_err(|err| FieldError::Invalid(format!("[{i}].{err}"))),
                    })
                    .collect()
            }
            v => Err(unexpected("a list of objects", v)),
        }
    }
    fn encode_known(&self) -> Value {
        Value::List(self.iter().map(Model::to_value).collect())
    }
}

/// The attribute a model field stands for: its name, without the `r#` of
/// a raw identifier (a field `r#type` is the attribute `type`).
pub const fn attribute_name(field: &'static str) -> &'static str {
    match field.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(name) => name,
            Err(_) => field,
        },
        _ => field,
    }
}

/// One field of a model: its Terraform type and its conversions.
pub trait Field: Sized {
    /// The attribute's Terraform type.
    fn tf_type() -> Type;
    /// Decode the attribute's value.
    fn decode(v: &Value) -> Result<Self, FieldError>;
    /// The field as the attribute's value.
    fn encode(&self) -> Value;
}

/// Unknown, also partly unknown, decodes as [`Maybe::Unknown`].
impl<T: KnownValue> Field for Maybe<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
    fn decode(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::Null => Ok(Maybe::Null),
            Value::Unknown => Ok(Maybe::Unknown),
            v => match T::decode_known(v) {
                Ok(x) => Ok(Maybe::Known(x)),
                Err(FieldError::Unknown) => Ok(Maybe::Unknown),
                Err(e) => Err(e),
            },
        }
    }
    fn encode(&self) -> Value {
        match self {
            Maybe::Unknown => Value::Unknown,
            Maybe::Null => Value::Null,
            Maybe::Known(x) => x.encode_known(),
        }
    }
}

/// Null is `None`; an unknown value is an error.
impl<T: KnownValue> Field for Option<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
    fn decode(v: &Value) -> Result<Self, FieldError> {
        match v {
            Value::Null => Ok(None),
            v => T::decode_known(v).map(Some),
        }
    }
    fn encode(&self) -> Value {
        match self {
            None => Value::Null,
            Some(x) => x.encode_known(),
        }
    }
}

/// A value that does not fit its model, naming the attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// The model's name.
    pub model: &'static str,
    /// The attribute whose value does not fit (empty for the whole value).
    pub attribute: String,
    /// Why it does not fit.
    pub message: String,
}

impl ModelError {
    /// Decoding `value` as the field `attribute` failed with `err`.
    pub fn field(model: &'static str, attribute: &str, err: FieldError) -> Self {
        ModelError {
            model,
            attribute: attribute.to_owned(),
            message: match err {
                FieldError::Unknown => {
                    "the value is unknown, which this attribute cannot be here".to_owned()
                }
                FieldError::Invalid(m) => m,
            },
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.attribute, self.message)
    }
}

impl std::error::Error for ModelError {}

/// A struct whose fields are a schema's attributes; implemented by
/// [`model!`](crate::model).
pub trait Model: Sized + Default {
    /// The struct's name, for messages.
    const NAME: &'static str;

    /// The field (attribute) names, in declaration order.
    fn field_names() -> &'static [&'static str];

    /// Each field's name and Terraform type.
    fn field_types() -> Vec<(&'static str, Type)>;

    /// The object type of a whole value of this model (for an attribute
    /// that holds nested objects of it).
    fn object_type() -> Type {
        Type::Object(
            Self::field_types()
                .into_iter()
                .map(|(k, t)| (k.to_owned(), t))
                .collect(),
        )
    }

    /// Decode an object value (null decodes as every field null). Unknown
    /// attributes of the object are ignored.
    fn from_value(v: &Value) -> Result<Self, ModelError>;

    /// The object value: every field, as an attribute.
    fn to_value(&self) -> Value;

    /// Write the fields that differ from what `target` holds into `target`,
    /// leaving the others (and any partly unknown value they hold) as they are.
    fn write_changes(&self, target: &mut Value);

    /// Decode, reporting a failure as an error diagnostic naming the
    /// attribute (a value that does not fit its schema is a provider bug).
    fn decode(v: &Value, diags: &mut Diagnostics) -> Option<Self> {
        match Self::from_value(v) {
            Ok(m) => Some(m),
            Err(e) => {
                diags.attr_error(
                    AttrPath::attr(&e.attribute),
                    format!("Unexpected value for attribute {:?}", e.attribute),
                    format!(
                        "The provider could not read the attribute {:?} ({}): {}. This is a bug in the provider; please report it.",
                        e.attribute, e.model, e.message
                    ),
                );
                None
            }
        }
    }
}

/// Panic unless `M`'s fields are exactly `schema`'s attributes, with the
/// same types. The message names every offending attribute.
pub fn assert_model_matches_schema<M: Model>(schema: &Schema) {
    let fields: BTreeMap<&str, Type> = M::field_types().into_iter().collect();
    let mut problems = Vec::new();
    for (name, ty) in &fields {
        match schema.get(name) {
            None => problems.push(format!(
                "model field {name:?} is not an attribute of the schema"
            )),
            Some(a) if &a.ty != ty => problems.push(format!(
                "attribute {name:?} has type {:?} in the schema but {:?} in the model",
                a.ty, ty
            )),
            Some(_) => {}
        }
    }
    for a in &schema.attributes {
        if !fields.contains_key(a.name.as_str()) {
            problems.push(format!(
                "schema attribute {:?} has no field in the model",
                a.name
            ));
        }
    }
    if !problems.is_empty() {
        panic!(
            "{} does not match its schema:\n  {}",
            M::NAME,
            problems.join("\n  ")
        );
    }
}

/// Declare a model struct, implement [`Model`] for it, and declare a module
/// of [`AttrPath`] constructors named after its fields:
///
/// ```ignore
/// model! {
///     /// The attributes of `example_thing`.
///     pub struct ExampleModel, paths: example_paths {
///         id: Maybe<String>,
///         tags: Maybe<BTreeSet<String>>,
///     }
/// }
/// // example_paths::tags() == AttrPath::attr("tags")
/// ```
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, paths: $paths:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        /// Attribute paths of the model's fields, for diagnostics.
        #[allow(dead_code)]
        $vis mod $paths {
            $(
                pub fn $field() -> $crate::framework::AttrPath {
                    $crate::framework::AttrPath::attr($crate::framework::model::attribute_name(stringify!($field)))
                }
            )*
        }

        impl $crate::framework::model::Model for $name {
            const NAME: &'static str = stringify!($name);

            fn field_names() -> &'static [&'static str] {
                const NAMES: &[&str] =
                    &[$($crate::framework::model::attribute_name(stringify!($field))),*];
                NAMES
            }

            fn field_types() -> Vec<(&'static str, $crate::tfvalue::Type)> {
                vec![$(
                    ($crate::framework::model::attribute_name(stringify!($field)), <$ty as $crate::framework::model::Field>::tf_type())
                ),*]
            }

            fn from_value(
                v: &$crate::tfvalue::Value,
            ) -> Result<Self, $crate::framework::model::ModelError> {
                match v {
                    $crate::tfvalue::Value::Null | $crate::tfvalue::Value::Object(_) => {}
                    _ => {
                        return Err($crate::framework::model::ModelError {
                            model: stringify!($name),
                            attribute: String::new(),
                            message: "expected an object".to_owned(),
                        })
                    }
                }
                Ok($name {
                    $(
                        $field: <$ty as $crate::framework::model::Field>::decode(
                            v.attr($crate::framework::model::attribute_name(stringify!($field))),
                        )
                        .map_err(|e| $crate::framework::model::ModelError::field(
                            stringify!($name),
                            $crate::framework::model::attribute_name(stringify!($field)),
                            e,
                        ))?,
                    )*
                })
            }

            fn to_value(&self) -> $crate::tfvalue::Value {
                let mut v = $crate::tfvalue::Value::empty_object();
                $(
                    v.set_attr(
                        $crate::framework::model::attribute_name(stringify!($field)),
                        $crate::framework::model::Field::encode(&self.$field),
                    );
                )*
                v
            }

            fn write_changes(&self, target: &mut $crate::tfvalue::Value) {
                $(
                    let held = <$ty as $crate::framework::model::Field>::decode(
                        target.attr($crate::framework::model::attribute_name(stringify!($field))),
                    );
                    if !matches!(&held, Ok(h) if h == &self.$field) {
                        target.set_attr(
                            $crate::framework::model::attribute_name(stringify!($field)),
                            $crate::framework::model::Field::encode(&self.$field),
                        );
                    }
                )*
            }
        }
    };
}

#[cfg(test)]
mod tests;
