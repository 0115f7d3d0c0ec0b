//! Unit tests of typed models: round trips, unknowns, secrets, and errors
//! naming the attribute.

use super::*;
use crate::framework::Attribute;

crate::model! {
    struct Item, paths: item_paths {
        label: Option<String>,
    }
}

crate::model! {
    struct Sample, paths: sample_paths {
        text: Maybe<String>,
        flag: Option<bool>,
        count: Maybe<i64>,
        tags: Maybe<BTreeSet<String>>,
        labels: Maybe<BTreeMap<String, String>>,
        items: Option<Vec<Item>>,
    }
}

fn schema() -> Schema {
    Schema::new("sample")
        .attribute(Attribute::string("text"))
        .attribute(Attribute::bool("flag"))
        .attribute(Attribute::number("count"))
        .attribute(Attribute::set("tags", Type::String))
        .attribute(Attribute::map("labels", Type::String))
        .attribute(Attribute::list(
            "items",
            Type::Object([("label".to_string(), Type::String)].into()),
        ))
}

#[test]
fn round_trips_and_keeps_unknowns() {
    assert_model_matches_schema::<Sample>(&schema());
    let v = Value::Object(
        [
            ("text".to_string(), Value::Unknown),
            ("flag".to_string(), Value::Bool(true)),
            ("count".to_string(), Value::int(3)),
            ("tags".to_string(), Value::string_set(["b", "a"])),
            ("labels".to_string(), Value::Null),
            (
                "items".to_string(),
                Value::List(vec![Value::Object(
                    [("label".to_string(), Value::string("x"))].into(),
                )]),
            ),
        ]
        .into(),
    );
    let m = Sample::from_value(&v).unwrap();
    assert!(m.text.is_unknown());
    assert_eq!(m.flag, Some(true));
    assert_eq!(m.count, Maybe::Known(3));
    assert_eq!(m.items.as_ref().unwrap()[0].label.as_deref(), Some("x"));
    assert_eq!(m.to_value(), v);
    assert_eq!(sample_paths::tags(), AttrPath::attr("tags"));
    assert_eq!(Sample::field_names().len(), 6);
}

#[test]
fn partly_unknown_collections_are_unknown_and_survive_write_changes() {
    let partly = Value::Set(vec![Value::string("a"), Value::Unknown]);
    let mut plan = Value::Object([("tags".to_string(), partly.clone())].into());
    let mut m = Sample::from_value(&plan).unwrap();
    assert!(m.tags.is_unknown());
    m.text = Maybe::from("new");
    m.write_changes(&mut plan);
    assert_eq!(plan.attr("tags"), &partly);
    assert_eq!(plan.attr("text"), &Value::string("new"));
}

#[test]
fn decoding_errors_name_the_attribute() {
    let v = Value::Object([("flag".to_string(), Value::string("yes"))].into());
    let e = Sample::from_value(&v).unwrap_err();
    assert_eq!(e.attribute, "flag");
    assert!(e.to_string().contains("expected a bool"), "{e}");
    let v = Value::Object([("flag".to_string(), Value::Unknown)].into());
    assert_eq!(Sample::from_value(&v).unwrap_err().attribute, "flag");
    let mut d = Diagnostics::new();
    assert!(Sample::decode(&v, &mut d).is_none());
    assert!(d.iter().any(|x| x.summary.contains("\"flag\"")));
}

#[test]
fn secrets_round_trip_and_never_print() {
    crate::model! {
        struct Credentials, paths: credentials_paths {
            token: Maybe<Secret>,
            rate: Option<Number>,
        }
    }
    let v = Value::Object(
        [
            ("token".to_string(), Value::string("hunter2-token")),
            ("rate".to_string(), Value::Number(Number::Float(0.5))),
        ]
        .into(),
    );
    let m = Credentials::from_value(&v).unwrap();
    assert_eq!(
        m.token.as_known().map(Secret::expose),
        Some("hunter2-token")
    );
    assert_eq!(m.rate.as_ref().map(Number::as_f64), Some(0.5));
    assert_eq!(m.to_value(), v);
    let printed = format!("{m:?}");
    assert!(printed.contains("Secret(***)"), "{printed}");
    assert!(!printed.contains("hunter2"), "{printed}");
}

#[test]
fn mismatches_name_the_attribute_both_ways() {
    crate::model! {
        struct Wrong, paths: wrong_paths {
            text: Maybe<String>,
            flag: Option<String>,
            extra: Maybe<String>,
        }
    }
    let err = std::panic::catch_unwind(|| assert_model_matches_schema::<Wrong>(&schema()))
        .expect_err("a mismatched model must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.starts_with("Wrong does not match its schema"), "{msg}");
    assert!(
        msg.contains("model field \"extra\" is not an attribute"),
        "{msg}"
    );
    assert!(
        msg.contains("attribute \"flag\" has type Bool in the schema but String"),
        "{msg}"
    );
    assert!(
        msg.contains("schema attribute \"count\" has no field"),
        "{msg}"
    );
    assert!(!msg.contains("\"text\""), "{msg}");
}

#[test]
fn a_raw_identifier_field_is_the_attribute_without_its_prefix() {
    assert_eq!(attribute_name("r#type"), "type");
    assert_eq!(attribute_name("name"), "name");
    assert_eq!(attribute_name("r"), "r");
    crate::model! {
        struct Kind, paths: kind_attrs {
            r#type: Option<String>,
        }
    }
    assert_eq!(Kind::field_names(), &["type"]);
    assert_eq!(kind_attrs::r#type().to_string(), "type");
    let v = Kind {
        r#type: Some("sandbox".into()),
    }
    .to_value();
    assert_eq!(v.attr("type").as_str(), Some("sandbox"));
}
