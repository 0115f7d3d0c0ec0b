//! Schemas: attributes with their types, flags, defaults, validators and plan
//! behaviour.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::diagnostics::Diagnostics;
use super::path::AttrPath;
use super::semantic::SemanticEquality;
use crate::tfvalue::{Type, Value};

/// Checks one known, non-null attribute value (or element) and reports
/// problems at `path`. Validators never see null or unknown values.
pub type ValidatorFn = dyn Fn(&Value, &AttrPath, &mut Diagnostics) + Send + Sync;

#[derive(Clone)]
pub struct Validator {
    pub description: String,
    pub check: Arc<ValidatorFn>,
}

impl Validator {
    pub fn new(
        description: impl Into<String>,
        check: impl Fn(&Value, &AttrPath, &mut Diagnostics) + Send + Sync + 'static,
    ) -> Self {
        Validator {
            description: description.into(),
            check: Arc::new(check),
        }
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Validator({})", self.description)
    }
}

/// How nested attributes nest (`Schema.Object.NestingMode` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Clone, Debug)]
pub struct NestedAttributes {
    pub nesting: Nesting,
    pub attributes: Vec<Attribute>,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    /// The value type. For nested attributes this is derived from `nested`.
    pub ty: Type,
    pub nested: Option<NestedAttributes>,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: Option<String>,
    /// Planned when the configuration leaves the attribute null (requires
    /// optional + computed).
    pub default: Option<Value>,
    /// A change of this attribute replaces the object.
    pub requires_replace: bool,
    /// With `requires_replace`: only a change from one recorded value to
    /// another replaces the object; recording a value where the prior state
    /// has none (after an import of a value the platform does not report)
    /// is an update in place.
    pub replace_only_if_recorded: bool,
    /// When the configured value means the same as the prior one (see
    /// [`SemanticEquality`]), the plan keeps the prior value: no diff.
    pub semantic_equality: Option<SemanticEquality>,
    /// For computed attributes: keep the prior state's value in plans instead
    /// of planning "known after apply" (values that never change once set).
    pub use_state_for_unknown: bool,
    pub validators: Vec<Validator>,
    /// Validators applied to each element of a list/set/map value.
    pub element_validators: Vec<Validator>,
}

impl Attribute {
    fn new(name: &str, ty: Type) -> Self {
        Attribute {
            name: name.to_owned(),
            ty,
            nested: None,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: None,
            default: None,
            requires_replace: false,
            replace_only_if_recorded: false,
            semantic_equality: None,
            use_state_for_unknown: false,
            validators: Vec::new(),
            element_validators: Vec::new(),
        }
    }

    pub fn string(name: &str) -> Self {
        Self::new(name, Type::String)
    }
    pub fn number(name: &str) -> Self {
        Self::new(name, Type::Number)
    }
    pub fn bool(name: &str) -> Self {
        Self::new(name, Type::Bool)
    }
    pub fn list(name: &str, element: Type) -> Self {
        Self::new(name, Type::List(Box::new(element)))
    }
    pub fn set(name: &str, element: Type) -> Self {
        Self::new(name, Type::Set(Box::new(element)))
    }
    pub fn map(name: &str, element: Type) -> Self {
        Self::new(name, Type::Map(Box::new(element)))
    }
    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Self {
        let obj = Type::Object(
            attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        );
        let ty = match nesting {
            Nesting::Single => obj,
            Nesting::List => Type::List(Box::new(obj)),
            Nesting::Set => Type::Set(Box::new(obj)),
            Nesting::Map => Type::Map(Box::new(obj)),
        };
        let mut a = Self::new(name, ty);
        a.nested = Some(NestedAttributes {
            nesting,
            attributes,
        });
        a
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecated = Some(message.into());
        self
    }
    /// A default makes the attribute optional + computed.
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self.optional = true;
        self.computed = true;
        self
    }
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }
    /// `requires_replace`, but only between two recorded values (see
    /// [`Attribute::replace_only_if_recorded`]).
    pub fn requires_replace_if_recorded(mut self) -> Self {
        self.requires_replace = true;
        self.replace_only_if_recorded = true;
        self
    }
    pub fn semantic_equality(mut self, eq: SemanticEquality) -> Self {
        self.semantic_equality = Some(eq);
        self
    }
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }
    pub fn validate(mut self, v: Validator) -> Self {
        self.validators.push(v);
        self
    }
    pub fn validate_each(mut self, v: Validator) -> Self {
        self.element_validators.push(v);
        self
    }
}

/// The schema of a provider block, resource, data source or ephemeral
/// resource: a version and a flat list of attributes (no nested blocks).
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub description: String,
    pub attributes: Vec<Attribute>,
}

impl Schema {
    pub fn new(description: impl Into<String>) -> Self {
        Schema {
            version: 0,
            description: description.into(),
            attributes: Vec::new(),
        }
    }

    pub fn version(mut self, v: i64) -> Self {
        self.version = v;
        self
    }

    pub fn attribute(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type of a whole value of this schema.
    pub fn object_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// An object of this schema with every attribute null.
    pub fn null_object(&self) -> Value {
        Value::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null))
                .collect(),
        )
    }

    /// Paths of every sensitive attribute's string values in `value` (for the
    /// log scrubber).
    pub fn sensitive_strings<'v>(&self, value: &'v Value) -> Vec<&'v str> {
        let mut out = Vec::new();
        for a in self.attributes.iter().filter(|a| a.sensitive) {
            collect_strings(value.attr(&a.name), &mut out);
        }
        out
    }
}

fn collect_strings<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => {
            xs.iter().for_each(|x| collect_strings(x, out))
        }
        Value::Map(m) | Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        Value::Dynamic(_, x) => collect_strings(x, out),
        _ => {}
    }
}

/// Run the schema's per-attribute checks on a configuration value: required
/// attributes not null, computed-only attributes not set, and validators
/// (skipping null and unknown values).
pub fn validate_config(schema: &Schema, config: &Value, diags: &mut Diagnostics) {
    for a in &schema.attributes {
        let v = config.attr(&a.name);
        let path = AttrPath::attr(&a.name);
        validate_attribute(a, v, &path, diags);
    }
}

fn validate_attribute(a: &Attribute, v: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    if a.computed && !a.optional && !a.required && !v.is_null() {
        // Terraform itself rejects this before calling us; keep the check
        // for direct callers.
        diags.attr_error(
            path.clone(),
            format!("Value for read-only attribute \"{}\"", a.name),
            format!(
                "The attribute \"{}\" is computed by the provider and cannot be set in configuration. Remove it.",
                a.name
            ),
        );
        return;
    }
    if a.required && v.is_null() {
        required_null(a, path, diags);
        return;
    }
    if v.is_null() || v.is_unknown() {
        return;
    }
    for val in &a.validators {
        (val.check)(v, path, diags);
    }
    if !a.element_validators.is_empty() {
        match v {
            Value::List(xs) | Value::Set(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if x.is_null() || x.is_unknown() {
                        continue;
                    }
                    // Sets have no index Terraform can point at; name the
                    // attribute itself and quote the value in the message.
                    let p = if matches!(v, Value::List(_)) {
                        path.index(i as i64)
                    } else {
                        path.clone()
                    };
                    for val in &a.element_validators {
                        (val.check)(x, &p, diags);
                    }
                }
            }
            Value::Map(m) => {
                for (k, x) in m {
                    if x.is_null() || x.is_unknown() {
                        continue;
                    }
                    for val in &a.element_validators {
                        (val.check)(x, &path.key(k), diags);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(n) = &a.nested {
        let objects: Vec<(AttrPath, &Value)> = match (n.nesting, v) {
            (Nesting::Single, o) => vec![(path.clone(), o)],
            (Nesting::List, Value::List(xs)) => xs
                .iter()
                .enumerate()
                .map(|(i, x)| (path.index(i as i64), x))
                .collect(),
            (Nesting::Set, Value::Set(xs)) => xs.iter().map(|x| (path.clone(), x)).collect(),
            (Nesting::Map, Value::Map(m)) => m.iter().map(|(k, x)| (path.key(k), x)).collect(),
            _ => Vec::new(),
        };
        for (p, o) in objects {
            if o.is_null() || o.is_unknown() {
                continue;
            }
            for inner in &n.attributes {
                validate_attribute(inner, o.attr(&inner.name), &p.child(&inner.name), diags);
            }
        }
    }
}

/// A required attribute written as `null`. Terraform accepts `x = null` for
/// a required argument (it checks only that the argument is written), and
/// `terraform plan -generate-config-out` writes `null` where the provider
/// cannot read a value back; letting it through ends in an apply with no
/// object. Unknown values are not null and pass.
fn required_null(a: &Attribute, path: &AttrPath, diags: &mut Diagnostics) {
    let what = a.description.trim();
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" What {path} holds: {what}")
    };
    diags.attr_error(
        path.clone(),
        "Required argument is null",
        format!(
            "The argument \"{path}\" is required, but it is set to null. Set it to a value.{what} \
             If `terraform plan -generate-config-out` wrote this null, the provider cannot read \
             this value back from the platform: fill it in yourself."
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(schema: &Schema, config: &Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        validate_config(schema, config, &mut d);
        d.iter()
            .map(|d| d.path.clone().unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn a_required_attribute_written_as_null_is_refused_at_any_depth() {
        let schema = Schema::new("s")
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("The name."),
            )
            .attribute(Attribute::string("note").optional())
            .attribute(
                Attribute::nested(
                    "block",
                    Nesting::List,
                    vec![
                        Attribute::string("key").required(),
                        Attribute::string("value").optional(),
                    ],
                )
                .optional(),
            );
        let obj = |pairs: &[(&str, Value)]| {
            let mut v = schema.null_object();
            for (k, x) in pairs {
                v.set_attr(k, x.clone());
            }
            v
        };
        let inner =
            |key: Value| Value::Object([("key".into(), key), ("value".into(), Value::Null)].into());

        // Null where required: one error on its path, naming it and what it holds.
        let mut d = Diagnostics::new();
        validate_config(&schema, &obj(&[]), &mut d);
        let only: Vec<_> = d.iter().collect();
        assert_eq!(only.len(), 1, "{only:?}");
        assert_eq!(only[0].path, Some(AttrPath::attr("name")));
        assert!(
            only[0].detail.contains("\"name\" is required"),
            "{}",
            only[0].detail
        );
        assert!(only[0].detail.contains("The name."), "{}", only[0].detail);

        // Unknown is not null; an optional null nested object is not checked inside.
        assert!(paths(&schema, &obj(&[("name", Value::Unknown)])).is_empty());
        assert!(paths(&schema, &obj(&[("name", Value::string("n"))])).is_empty());

        // Inside a nested list: the element's path.
        let config = obj(&[
            ("name", Value::string("n")),
            (
                "block",
                Value::List(vec![inner(Value::string("k")), inner(Value::Null)]),
            ),
        ]);
        assert_eq!(paths(&schema, &config), ["block[1].key"]);
    }
}
