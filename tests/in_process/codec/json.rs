//! JSON: fixed documents, and type descriptions.

use serde_json::json;
use tfplugin::tfvalue::codec::decode_json;
use tfplugin::tfvalue::{Number, Type, Value};

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

#[test]
fn json_text_is_kept_where_it_matters() {
    let ty = obj_ty(&[("n", Type::Number), ("s", Type::String)]);
    let v = decode_json(br#"{"n":1e-400,"s":1.50E0}"#, &ty).unwrap();
    assert_eq!(
        v,
        obj(&[
            ("n", Value::Number(Number::Big("1e-400".into()))),
            ("s", s("1.50E0"))
        ])
    );
    // a repeated key: the last one wins
    let v = decode_json(br#"{"s":"a","s":"b"}"#, &ty).unwrap();
    assert_eq!(v, obj(&[("n", Value::Null), ("s", s("b"))]));
    // a dynamic value may come before its type, as cty writes it
    let v = decode_json(
        br#"{"value":12345678901234567890123,"type":"number"}"#,
        &Type::Dynamic,
    );
    assert_eq!(
        v.unwrap(),
        Value::Dynamic(
            Type::Number,
            Box::new(Value::Number(Number::Big("12345678901234567890123".into())))
        )
    );
}

#[test]
fn json_errors() {
    let ty = obj_ty(&[
        ("t", Type::Tuple(vec![Type::Bool])),
        ("l", list(Type::Bool)),
    ]);
    let err = decode_json(br#"{"l":[true,"x"]}"#, &ty).unwrap_err();
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        (
            ".l[1]",
            "bool is required, found a string that is not a bool"
        )
    );
    // a tuple's length is checked before its elements
    let err = decode_json(br#"{"t":[1,2]}"#, &ty).unwrap_err();
    assert_eq!(
        (err.path.as_str(), err.message.as_str()),
        (".t", "a tuple of 1 element(s) is required, found 2")
    );
    let err = decode_json(br#"{"t":[1]}"#, &ty).unwrap_err();
    assert_eq!(err.path, ".t[0]");
    assert_eq!(err.message, "bool is required, found JSON number");
    // syntax errors have no path and say where they are
    let err = decode_json(br#"{"l":[true,]}"#, &ty).unwrap_err();
    assert_eq!(err.path, "");
    assert!(err.message.starts_with("invalid JSON: "), "{err}");
    assert!(err.message.contains("column 12"), "{err}");
    let err = decode_json(br#"{"l":[]} x"#, &ty).unwrap_err();
    assert!(err.message.starts_with("invalid JSON: "), "{err}");
    let err = decode_json(br#"["\ud800"]"#, &list(Type::String)).unwrap_err();
    assert_eq!(err.path, "[0]");
    assert_eq!(
        err.message,
        "invalid JSON string: unexpected end of hex escape"
    );
    let dyn_list = list(Type::Dynamic);
    let err = decode_json(
        br#"[{"value":[1,"x"],"type":["list","number"]}]"#,
        &dyn_list,
    );
    let err = err.unwrap_err();
    assert_eq!(err.path, "[0][1]");
    assert!(err.message.contains("not a number"), "{err}");
}

#[test]
fn json_nesting_is_limited() {
    let ty = list(Type::Dynamic);
    let nested = |levels: usize| {
        let mut text = r#"{"value":true,"type":"bool"}"#.to_owned();
        for _ in 0..levels {
            text = format!(r#"{{"value":{text},"type":"dynamic"}}"#);
        }
        format!("[{text}]")
    };
    assert!(decode_json(nested(10).as_bytes(), &ty).is_ok());
    let err = decode_json(nested(200).as_bytes(), &ty).unwrap_err();
    assert!(err.message.contains("deeper than 128"), "{err}");
    let deep_list = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let mut deep_ty = Type::Bool;
    for _ in 0..200 {
        deep_ty = list(deep_ty);
    }
    assert!(decode_json(deep_list.as_bytes(), &deep_ty).is_err());
    // tuples re-read their elements: the depth still counts every level
    let tuples = |levels: usize| {
        let (mut ty, mut text) = (Type::Bool, "true".to_owned());
        for _ in 0..levels {
            ty = Type::Tuple(vec![ty]);
            text = format!("[{text}]");
        }
        decode_json(text.as_bytes(), &ty)
    };
    assert_eq!(tuples(120).map(|_| ()), Ok(()));
    let err = tuples(129).unwrap_err();
    assert!(err.message.contains("deeper than 128"), "{err}");
}
