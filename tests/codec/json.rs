//! JSON: fixed documents, and type descriptions.

use anypoint_provider::tfvalue::codec::decode_json;
use anypoint_provider::tfvalue::{Number, Type, Value};
use serde_json::json;

use super::{list, obj, obj_ty, s};

#[test]
fn json_object() {
    let ty = obj_ty(&[
        ("id", Type::String),
        ("name", Type::String),
        ("tags", list(Type::String)),
    ]);
    let v = decode_json(br#"{"id":"1","tags":["a"]}"#, &ty).unwrap();
    assert_eq!(
        v,
        obj(&[
            ("id", s("1")),
            ("name", Value::Null),
            ("tags", Value::List(vec![s("a")]))
        ])
    );
    let err = decode_json(br#"{"id":"1","other":2}"#, &ty).unwrap_err();
    assert!(err.message.contains("\"other\""), "{err}");
    let err = decode_json(br#"{"tags":["a",{}]}"#, &ty).unwrap_err();
    assert_eq!(err.path, ".tags[1]");
}

#[test]
fn json_numbers() {
    let ty = obj_ty(&[("n", Type::Number)]);
    let n = |text: &str| match decode_json(format!(r#"{{"n":{text}}}"#).as_bytes(), &ty).unwrap() {
        Value::Object(mut m) => match m.remove("n") {
            Some(Value::Number(n)) => n,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert!(matches!(n("-7"), Number::Int(-7)));
    assert!(matches!(n("18446744073709551615"), Number::UInt(u64::MAX)));
    assert!(matches!(n("1.5"), Number::Float(f) if f == 1.5));
    assert!(matches!(n("1e3"), Number::Float(f) if f == 1000.0));
    assert!(
        matches!(n("123456789012345678901234567890"), Number::Big(t) if t == "123456789012345678901234567890")
    );
    assert!(matches!(n("1e400"), Number::Big(t) if t == "1e400"));
    // strings holding numbers, as cty accepts
    assert!(matches!(n(r#""12""#), Number::Int(12)));
    assert!(matches!(n(r#""1e400""#), Number::Big(t) if t == "1e400"));
    assert!(decode_json(br#"{"n":"twelve"}"#, &ty).is_err());
    assert!(decode_json(br#"{"n":true}"#, &ty).is_err());
    assert!(decode_json(br#"{"n":01}"#, &ty).is_err());
}

#[test]
fn json_lenient_primitives_like_cty() {
    assert_eq!(decode_json(b"12", &Type::String).unwrap(), s("12"));
    assert_eq!(decode_json(b"true", &Type::String).unwrap(), s("true"));
    assert_eq!(
        decode_json(br#""true""#, &Type::Bool).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        decode_json(br#""0""#, &Type::Bool).unwrap(),
        Value::Bool(false)
    );
    assert!(decode_json(br#""yes""#, &Type::Bool).is_err());
    assert!(decode_json(b"[]", &Type::String).is_err());
}

#[test]
fn json_strings_and_syntax() {
    assert_eq!(
        decode_json(br#""a\"b\\c\/\n\u00e9\ud83d\ude00""#, &Type::String).unwrap(),
        s("a\"b\\c/\n\u{e9}\u{1f600}")
    );
    assert_eq!(
        decode_json(" \"\u{e9}\" ".as_bytes(), &Type::String).unwrap(),
        s("\u{e9}")
    );
    for bad in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\x""#,
        "\"a\u{1}\"",
        r#""abc"#,
        "[1,]",
        "{\"a\":1,}",
        "tru",
        "1 2",
        "[1 2]",
        "-",
        "1.",
        ".5",
        "{\"a\" 1}",
    ] {
        assert!(decode_json(bad.as_bytes(), &Type::String).is_err(), "{bad}");
    }
    assert!(decode_json(&[0x22, 0xff, 0x22], &Type::String).is_err());
}

#[test]
fn json_dynamic() {
    let v = decode_json(br#"{"type":"string","value":"x"}"#, &Type::Dynamic).unwrap();
    assert_eq!(v, Value::Dynamic(Type::String, Box::new(s("x"))));
    let v = decode_json(
        br#"{"value":["a"],"type":["list","string"]}"#,
        &Type::Dynamic,
    )
    .unwrap();
    assert_eq!(
        v,
        Value::Dynamic(list(Type::String), Box::new(Value::List(vec![s("a")])))
    );

    assert_eq!(decode_json(b"null", &Type::Dynamic).unwrap(), Value::Null);
    assert_eq!(
        decode_json(br#"{"value":null,"type":"dynamic"}"#, &Type::Dynamic).unwrap(),
        Value::Null
    );
    assert!(decode_json(br#"{"type":"string"}"#, &Type::Dynamic).is_err());
    assert!(decode_json(br#"{"value":"x"}"#, &Type::Dynamic).is_err());
    assert!(decode_json(br#"{"type":"string","value":"x","x":1}"#, &Type::Dynamic).is_err());
    assert!(decode_json(br#""x""#, &Type::Dynamic).is_err());
}

// ---------------------------------------------------------------------------
// Type JSON
// ---------------------------------------------------------------------------

#[test]
fn type_json_text() {
    let ty = obj_ty(&[
        ("a", Type::Number),
        ("b", list(Type::String)),
        ("c", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
        ("d", Type::Map(Box::new(Type::Set(Box::new(Type::String))))),
    ]);
    let text = r#"["object",{"a":"number","b":["list","string"],"c":["tuple",["bool","dynamic"]],"d":["map",["set","string"]]}]"#;
    assert_eq!(String::from_utf8(ty.to_json_bytes()).unwrap(), text);
    let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(ty.to_json(), parsed);
    assert_eq!(Type::from_json(&parsed).unwrap(), ty);
    assert_eq!(Type::String.to_json_bytes(), b"\"string\"");
    assert_eq!(
        obj_ty(&[("q\"uote", Type::Bool)]).to_json_bytes(),
        br#"["object",{"q\"uote":"bool"}]"#
    );

    for bad in [
        json!("strin"),
        json!(["list"]),
        json!(["list", "string", "x"]),
        json!(["object", {"a": "string"}, ["a"]]),
        json!(["object", ["a"]]),
        json!(["tuple", {}]),
        json!(["bag", "string"]),
        json!(5),
        json!(null),
    ] {
        assert!(Type::from_json(&bad).is_err(), "{bad}");
    }
}
