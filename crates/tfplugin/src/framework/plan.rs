//! The framework's default planning, applied before a resource's own
//! `modify_plan`:
//! - an optional+computed attribute with a default takes the default when the
//!   configuration leaves it null;
//! - on create, computed attributes left null by the configuration are
//!   "known after apply";
//! - on update, when anything the user manages changes, computed attributes
//!   without `use_state_for_unknown` become "known after apply"; with it they
//!   keep the prior value;
//! - on update, an attribute with a semantic equality whose planned value
//!   means the same as the prior one (UUIDs differing only in case) keeps
//!   the prior value, so the change is no diff and never a replacement;
//! - `requires_replace` attributes whose planned value differs from the prior
//!   one are reported for replacement (for `replace_only_if_recorded`
//!   attributes, only when both values are recorded: non-null).

use super::path::AttrPath;
use super::schema::{Attribute, Nesting, Schema};
use crate::tfvalue::Value;

/// Plan a create or update from the proposed new state that Terraform merged
/// from configuration and prior state.
pub fn default_plan(schema: &Schema, prior: &Value, proposed: &Value, config: &Value) -> Value {
    let mut planned = proposed.clone();
    let creating = prior.is_null();
    if !creating {
        keep_equivalent_prior(schema, prior, &mut planned);
    }
    for a in &schema.attributes {
        let cfg = config.attr(&a.name);
        if !a.computed || !cfg.is_null() {
            continue;
        }
        if let Some(d) = &a.default {
            planned.set_attr(&a.name, d.clone());
        } else if creating {
            planned.set_attr(&a.name, Value::Unknown);
        }
    }
    if !creating && planned != *prior {
        for a in &schema.attributes {
            let cfg = config.attr(&a.name);
            if a.computed && cfg.is_null() && a.default.is_none() && !a.use_state_for_unknown {
                planned.set_attr(&a.name, Value::Unknown);
            }
        }
    }
    planned
}

/// Keep the prior value of every attribute whose planned value means the
/// same (its schema's semantic equality holds) but is spelled differently.
pub fn keep_equivalent_prior(schema: &Schema, prior: &Value, planned: &mut Value) {
    for a in &schema.attributes {
        let Some(eq) = &a.semantic_equality else {
            continue;
        };
        let (before, after) = (prior.attr(&a.name), planned.attr(&a.name));
        if before != after && eq.holds(before, after) {
            let keep = before.clone();
            planned.set_attr(&a.name, keep);
        }
    }
}

/// Paths of `requires_replace` attributes that change between prior and
/// planned (none on create: there is nothing to replace).
pub fn replace_paths(schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
    if prior.is_null() {
        return Vec::new();
    }
    schema
        .attributes
        .iter()
        .filter(|a| a.requires_replace)
        .filter(|a| prior.attr(&a.name) != planned.attr(&a.name))
        .filter(|a| {
            !a.replace_only_if_recorded
                || (!prior.attr(&a.name).is_null() && !planned.attr(&a.name).is_null())
        })
        .map(|a| AttrPath::attr(&a.name))
        .collect()
}

/// `result` with every attribute that `config` sets replaced by the value as
/// configured (nested single objects attribute by attribute, so their
/// computed attributes stay the provider's). For results Terraform checks
/// against the configuration like a plan (an ephemeral resource's), where a
/// value spelled differently from the configuration is an error even when
/// it means the same (a UUID in another case).
pub fn with_configured_values(schema: &Schema, config: &Value, mut result: Value) -> Value {
    fn merge(attrs: &[Attribute], config: &Value, result: &mut Value) {
        for a in attrs {
            let cfg = config.attr(&a.name);
            if cfg.is_null() || !cfg.is_wholly_known() {
                continue;
            }
            match (&a.nested, result.attr_mut(&a.name)) {
                (Some(n), Some(out)) if n.nesting == Nesting::Single && !out.is_null() => {
                    merge(&n.attributes, cfg, out)
                }
                _ => result.set_attr(&a.name, cfg.clone()),
            }
        }
    }
    if !result.is_null() {
        merge(&schema.attributes, config, &mut result);
    }
    result
}

/// Replace unknowns left in a state that must be wholly known (after apply or
/// read) by null; returns the paths that were unknown.
pub fn null_unknowns(value: &mut Value) -> Vec<String> {
    fn walk(v: &mut Value, path: String, out: &mut Vec<String>) {
        match v {
            Value::Unknown => {
                *v = Value::Null;
                out.push(path);
            }
            Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => {
                for (i, x) in xs.iter_mut().enumerate() {
                    walk(x, format!("{path}[{i}]"), out);
                }
            }
            Value::Map(m) | Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    walk(x, format!("{path}.{k}"), out);
                }
            }
            Value::Dynamic(_, x) => walk(x, path, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// Make `value` an object with exactly the schema's attributes: missing ones
/// null, unknown names dropped.
pub fn conform_object(schema: &Schema, value: Value) -> Value {
    let mut entries = match value {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    Value::Object(
        schema
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    entries.remove(&a.name).unwrap_or(Value::Null),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Attribute;
    use crate::tfvalue::Type;

    fn schema() -> Schema {
        Schema::new("t")
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required())
            .attribute(
                Attribute::string("org")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(Attribute::bool("flag").default(Value::Bool(false)))
            .attribute(Attribute::string("updated").computed())
            .attribute(Attribute::set("tags", Type::String).optional())
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        conform_object(
            &schema(),
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            ),
        )
    }

    #[test]
    fn create_marks_computed_unknown_and_applies_defaults() {
        let config = obj(&[("name", Value::string("a"))]);
        let planned = default_plan(&schema(), &Value::Null, &config, &config);
        assert_eq!(planned.attr("id"), &Value::Unknown);
        assert_eq!(planned.attr("org"), &Value::Unknown);
        assert_eq!(planned.attr("flag"), &Value::Bool(false));
        assert_eq!(planned.attr("name"), &Value::string("a"));
        assert!(replace_paths(&schema(), &Value::Null, &planned).is_empty());
    }

    #[test]
    fn no_change_keeps_prior_exactly() {
        let prior = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("a")),
            ("org", Value::string("o")),
            ("flag", Value::Bool(false)),
            ("updated", Value::string("t1")),
            ("tags", Value::string_set(["x", "y"])),
        ]);
        let config = obj(&[
            ("name", Value::string("a")),
            ("tags", Value::string_set(["y", "x"])),
        ]);
        // Terraform's proposed state: config + prior computed values.
        let mut proposed = prior.clone();
        proposed.set_attr("tags", Value::string_set(["y", "x"]));
        let planned = default_plan(&schema(), &prior, &proposed, &config);
        assert_eq!(planned, prior);
    }

    #[test]
    fn update_unknowns_only_volatile_computed() {
        let prior = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("a")),
            ("org", Value::string("o")),
            ("flag", Value::Bool(false)),
            ("updated", Value::string("t1")),
        ]);
        let config = obj(&[("name", Value::string("b"))]);
        let mut proposed = prior.clone();
        proposed.set_attr("name", Value::string("b"));
        let planned = default_plan(&schema(), &prior, &proposed, &config);
        assert_eq!(planned.attr("id"), &Value::string("1"));
        assert_eq!(planned.attr("updated"), &Value::Unknown);
        assert_eq!(planned.attr("org"), &Value::Unknown);
    }

    #[test]
    fn requires_replace_reports_changed_paths() {
        let prior = obj(&[("org", Value::string("o")), ("name", Value::string("a"))]);
        let planned = obj(&[("org", Value::string("p")), ("name", Value::string("a"))]);
        assert_eq!(
            replace_paths(&schema(), &prior, &planned),
            vec![AttrPath::attr("org")]
        );
    }

    fn id_schema() -> Schema {
        Schema::new("t")
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(
                Attribute::string("org")
                    .optional()
                    .computed()
                    .requires_replace()
                    .semantic_equality(crate::framework::semantic::uuid_ignoring_case()),
            )
            .attribute(Attribute::string("updated").computed())
            .attribute(
                Attribute::bool("ep")
                    .default(Value::Bool(false))
                    .requires_replace_if_recorded(),
            )
    }

    #[test]
    fn case_only_uuid_change_keeps_the_prior_value() {
        let s = id_schema();
        let lower = "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b";
        let mut prior = s.null_object();
        prior.set_attr("id", Value::string("1"));
        prior.set_attr("org", Value::string(lower));
        prior.set_attr("updated", Value::string("t1"));
        prior.set_attr("ep", Value::Bool(false));
        let mut config = s.null_object();
        config.set_attr("org", Value::string(lower.to_uppercase()));
        let mut proposed = prior.clone();
        proposed.set_attr("org", Value::string(lower.to_uppercase()));
        let planned = default_plan(&s, &prior, &proposed, &config);
        assert_eq!(planned, prior, "no diff, so nothing becomes unknown either");
        assert!(replace_paths(&s, &prior, &planned).is_empty());
        // Another UUID is a change, and replaces.
        proposed.set_attr("org", Value::string("0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1c"));
        let planned = default_plan(&s, &prior, &proposed, &config);
        assert_eq!(
            replace_paths(&s, &prior, &planned),
            vec![AttrPath::attr("org")]
        );
    }

    #[test]
    fn replace_only_if_recorded_ignores_an_unrecorded_prior() {
        let s = id_schema();
        let mut prior = s.null_object();
        prior.set_attr("id", Value::string("1"));
        prior.set_attr("org", Value::string("o"));
        let mut planned = prior.clone();
        planned.set_attr("ep", Value::Bool(true));
        assert!(
            replace_paths(&s, &prior, &planned).is_empty(),
            "null -> true records"
        );
        prior.set_attr("ep", Value::Bool(false));
        assert_eq!(
            replace_paths(&s, &prior, &planned),
            vec![AttrPath::attr("ep")]
        );
    }

    #[test]
    fn null_unknowns_reports_paths() {
        let mut v = obj(&[("tags", Value::Set(vec![Value::Unknown]))]);
        v.set_attr("id", Value::Unknown);
        let paths = null_unknowns(&mut v);
        assert_eq!(paths.len(), 2);
        assert!(v.is_wholly_known());
    }

    #[test]
    fn configured_values_come_back_as_written() {
        let upper = "0F8B9E2A-1C3D-4E5F-8A7B-6C5D4E3F2A1B";
        let config = obj(&[("name", Value::string("a")), ("org", Value::string(upper))]);
        let result = obj(&[
            ("id", Value::string("1")),
            ("name", Value::string("a")),
            ("org", Value::string(upper.to_lowercase())),
            ("updated", Value::string("now")),
        ]);
        let back = with_configured_values(&schema(), &config, result.clone());
        assert_eq!(back.attr("org"), &Value::string(upper));
        // What the configuration leaves unset is the provider's.
        assert_eq!(back.attr("id"), result.attr("id"));
        assert_eq!(back.attr("updated"), result.attr("updated"));
        // No object stays no object.
        assert_eq!(
            with_configured_values(&schema(), &config, Value::Null),
            Value::Null
        );
    }
}
