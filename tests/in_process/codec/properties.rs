//! Property tests: round trips both ways, and no panic on any input.

use proptest::prelude::*;
use tfplugin::tfvalue::codec::{decode_json, decode_msgpack, encode_msgpack};
use tfplugin::tfvalue::{Number, Type, Value};

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::List(Box::new(t))),
            inner.clone().prop_map(|t| Type::Set(Box::new(t))),
            inner.clone().prop_map(|t| Type::Map(Box::new(t))),
            prop::collection::btree_map("[a-z][a-z0-9_]{0,6}", inner.clone(), 0..4)
                .prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> BoxedStrategy<Number> {
    use prop::num::f64 as f;
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(Number::UInt),
        (f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO).prop_map(Number::Float),
        "-?[1-9][0-9]{20,40}".prop_map(Number::Big),
        "-?[1-9]\\.[0-9]{1,30}e[+-]?[4-9][0-9]{2}".prop_map(Number::Big),
    ]
    .boxed()
}

/// A value of `ty`: null, unknown (when `unknowns`) or known, at every depth.
/// `budget` bounds how many `dynamic` levels may nest a new random type.
fn arb_value(ty: &Type, budget: u32, unknowns: bool) -> BoxedStrategy<Value> {
    let known = arb_known(ty, budget, unknowns);
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn arb_known(ty: &Type, budget: u32, unknowns: bool) -> BoxedStrategy<Value> {
    use prop::collection::{btree_map, vec};
    match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(e) => vec(arb_value(e, budget, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => vec(arb_value(e, budget, unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => btree_map(any::<String>(), arb_value(e, budget, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(attrs) => {
            let names: Vec<String> = attrs.keys().cloned().collect();
            let values: Vec<BoxedStrategy<Value>> = attrs
                .values()
                .map(|t| arb_value(t, budget, unknowns))
                .collect();
            values
                .prop_map(move |vs| Value::Object(names.iter().cloned().zip(vs).collect()))
                .boxed()
        }
        Type::Tuple(elems) => {
            let values: Vec<BoxedStrategy<Value>> = elems
                .iter()
                .map(|t| arb_value(t, budget, unknowns))
                .collect();
            values.prop_map(Value::Tuple).boxed()
        }
        Type::Dynamic => {
            let inner_ty = if budget == 0 {
                prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)].boxed()
            } else {
                arb_type()
                    .prop_filter("concrete", |t| *t != Type::Dynamic)
                    .boxed()
            };
            let next = budget.saturating_sub(1);
            inner_ty
                .prop_flat_map(move |t| {
                    let t2 = t.clone();
                    arb_value(&t, next, unknowns)
                        .prop_map(move |v| Value::Dynamic(t2.clone(), Box::new(v)))
                })
                .boxed()
        }
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| {
        let v = arb_value(&t, 2, unknowns);
        (Just(t), v)
    })
}

/// Valid msgpack of some value, for mutation.
fn encoded() -> impl Strategy<Value = (Type, Vec<u8>)> {
    typed_value(true).prop_map(|(t, v)| {
        let bytes = encode_msgpack(&v, &t).expect("generated values conform");
        (t, bytes)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn msgpack_round_trip((ty, v) in typed_value(true)) {
        let bytes = encode_msgpack(&v, &ty).unwrap();
        let back = decode_msgpack(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &v);
        // the encoding is stable: re-encoding the decoded value gives the same bytes
        prop_assert_eq!(encode_msgpack(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trip((ty, v) in typed_value(false)) {
        let mut text = String::new();
        json_text(&v, &ty, &mut text);
        let back = decode_json(text.as_bytes(), &ty).unwrap();
        prop_assert_eq!(&back, &v);
        // and through msgpack, the same value
        let via_mp = decode_msgpack(&encode_msgpack(&back, &ty).unwrap(), &ty).unwrap();
        prop_assert_eq!(&via_mp, &v);
    }

    #[test]
    fn type_json_round_trip(ty in arb_type()) {
        let j = ty.to_json();
        prop_assert_eq!(Type::from_json(&j).unwrap(), ty.clone());
        let from_text: serde_json::Value = serde_json::from_slice(&ty.to_json_bytes()).unwrap();
        prop_assert_eq!(from_text, j);
    }

    #[test]
    fn random_bytes_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..128)) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_msgpack(&bytes, &Type::Dynamic);
        let _ = decode_json(&bytes, &ty);
    }

    #[test]
    fn random_json_text_never_panics(ty in arb_type(), text in r#"[\[\]{}",:0-9a-z\\ .eE+-]{0,64}"#) {
        let _ = decode_json(text.as_bytes(), &ty);
        let _ = decode_json(text.as_bytes(), &Type::Dynamic);
    }

    #[test]
    fn mutated_msgpack_never_panics(
        (ty, bytes) in encoded(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut changed = bytes.clone();
        let i = at.index(changed.len());
        changed[i] = byte;
        let _ = decode_msgpack(&changed, &ty);
        let truncated = &bytes[..cut.index(bytes.len())];
        // every strict prefix of a value's encoding is incomplete
        prop_assert!(truncated.is_empty() || decode_msgpack(truncated, &ty).is_err());
    }
}

/// The JSON text of a wholly known value as Terraform writes it: a dynamic
/// value as `{"value":…,"type":…}` (value first), big numbers as bare literals.
fn json_text(v: &Value, ty: &Type, out: &mut String) {
    let string = |s: &str| serde_json::to_string(s).unwrap();
    let list = |out: &mut String, items: &mut dyn Iterator<Item = (&Value, &Type)>| {
        out.push('[');
        for (i, (item, t)) in items.enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_text(item, t, out);
        }
        out.push(']');
    };
    match (ty, v) {
        (Type::Dynamic, Value::Null) => out.push_str(r#"{"value":null,"type":"dynamic"}"#),
        (_, Value::Null) => out.push_str("null"),
        (Type::Dynamic, Value::Dynamic(t, inner)) => {
            out.push_str(r#"{"value":"#);
            json_text(inner, t, out);
            out.push_str(r#","type":"#);
            out.push_str(std::str::from_utf8(&t.to_json_bytes()).unwrap());
            out.push('}');
        }
        (Type::String, Value::String(s)) => out.push_str(&string(s)),
        (Type::Bool, Value::Bool(b)) => out.push_str(&b.to_string()),
        (Type::Number, Value::Number(n)) => out.push_str(&match n {
            Number::Int(i) => i.to_string(),
            Number::UInt(u) => u.to_string(),
            Number::Float(f) => serde_json::to_string(f).unwrap(),
            Number::Big(text) => text.clone(),
        }),
        (Type::List(e), Value::List(items)) | (Type::Set(e), Value::Set(items)) => {
            list(out, &mut items.iter().map(|item| (item, &**e)))
        }
        (Type::Tuple(elems), Value::Tuple(items)) => list(out, &mut items.iter().zip(elems)),
        (Type::Map(_) | Type::Object(_), Value::Map(m) | Value::Object(m)) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&string(k));
                out.push(':');
                let t = match ty {
                    Type::Map(e) => e,
                    Type::Object(attrs) => &attrs[k],
                    _ => unreachable!(),
                };
                json_text(item, t, out);
            }
            out.push('}');
        }
        _ => panic!("{v:?} is not a known value of {ty:?}"),
    }
}
