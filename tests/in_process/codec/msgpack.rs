//! msgpack: fixed byte strings.

use std::collections::BTreeMap;

use tfplugin::tfvalue::codec::{decode_json, decode_msgpack, encode_msgpack};
use tfplugin::tfvalue::{Number, Type, Value};

use super::{cat, fixstr, int, list, obj, obj_ty, s};

#[test]
fn object_with_null_and_unknown() {
    let ty = obj_ty(&[("id", Type::String), ("name", Type::String)]);
    let bytes = [
        0x82, 0xa2, 0x69, 0x64, 0xc0, 0xa4, 0x6e, 0x61, 0x6d, 0x65, 0xd4, 0x00, 0x00,
    ];
    let v = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(v, obj(&[("id", Value::Null), ("name", Value::Unknown)]));
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), bytes);
}

#[test]
fn empty_input_is_null() {
    let ty = obj_ty(&[("id", Type::String)]);
    assert_eq!(decode_msgpack(&[], &ty).unwrap(), Value::Null);
    assert_eq!(decode_json(b"", &ty).unwrap(), Value::Null);
    assert_eq!(decode_json(b" \n", &ty).unwrap(), Value::Null);
    assert_eq!(decode_msgpack(&[0xc0], &ty).unwrap(), Value::Null);
    assert_eq!(encode_msgpack(&Value::Null, &ty).unwrap(), [0xc0]);
}

#[test]
fn refined_and_other_extensions_are_unknown() {
    // ext 12 with refinement map {1: true}
    let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3];
    assert_eq!(
        decode_msgpack(&refined, &Type::String).unwrap(),
        Value::Unknown
    );
    assert_eq!(
        decode_msgpack(&refined, &Type::Number).unwrap(),
        Value::Unknown
    );
    assert_eq!(
        decode_msgpack(&refined, &Type::Dynamic).unwrap(),
        Value::Unknown
    );
    // ext 12 with {2: "ab"} (string prefix), inside a list next to a known element
    let bytes = [
        0x92, 0xc7, 0x05, 0x0c, 0x81, 0x02, 0xa2, 0x61, 0x62, 0xa1, 0x78,
    ];
    assert_eq!(
        decode_msgpack(&bytes, &list(Type::String)).unwrap(),
        Value::List(vec![Value::Unknown, s("x")])
    );
    // fixext4 of some other ext type
    let other = [0xd6, 0x05, 0x01, 0x02, 0x03, 0x04];
    assert_eq!(decode_msgpack(&other, &Type::Bool).unwrap(), Value::Unknown);
    // We always write the plain unknown.
    assert_eq!(
        encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
        [0xd4, 0x00, 0x00]
    );
}

#[test]
fn numbers_sent_as_strings() {
    let v = decode_msgpack(&[0xa5, b'1', b'e', b'4', b'0', b'0'], &Type::Number).unwrap();
    assert!(
        matches!(&v, Value::Number(Number::Big(t)) if t == "1e400"),
        "{v:?}"
    );

    let digits = "123456789012345678901234567890";
    let bytes = cat(&[&[0xbe], digits.as_bytes()]);
    let v = decode_msgpack(&bytes, &Type::Number).unwrap();
    assert!(
        matches!(&v, Value::Number(Number::Big(t)) if t == digits),
        "{v:?}"
    );
    assert_eq!(encode_msgpack(&v, &Type::Number).unwrap(), bytes);

    let v = decode_msgpack(&fixstr("42"), &Type::Number).unwrap();
    assert!(matches!(v, Value::Number(Number::Int(42))), "{v:?}");
    let v = decode_msgpack(&fixstr("-0.25"), &Type::Number).unwrap();
    assert!(
        matches!(&v, Value::Number(Number::Big(t)) if t == "-0.25"),
        "{v:?}"
    );
    let v = decode_msgpack(&fixstr("18446744073709551615"), &Type::Number).unwrap();
    assert!(matches!(v, Value::Number(Number::UInt(u64::MAX))), "{v:?}");

    assert!(decode_msgpack(&fixstr("abc"), &Type::Number).is_err());
    assert!(decode_msgpack(&fixstr("1e"), &Type::Number).is_err());
    assert!(decode_msgpack(&fixstr(" 1"), &Type::Number).is_err());
}

#[test]
fn floats() {
    let f64_bytes = [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
    let v = decode_msgpack(&f64_bytes, &Type::Number).unwrap();
    assert!(
        matches!(v, Value::Number(Number::Float(f)) if f == 1.5),
        "{v:?}"
    );
    assert_eq!(
        encode_msgpack(&Value::Number(Number::Float(1.5)), &Type::Number).unwrap(),
        f64_bytes
    );
    let v = decode_msgpack(&[0xca, 0x3f, 0xc0, 0, 0], &Type::Number).unwrap();
    assert!(
        matches!(v, Value::Number(Number::Float(f)) if f == 1.5),
        "{v:?}"
    );
    let v = decode_msgpack(&[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0], &Type::Number).unwrap();
    assert!(
        matches!(v, Value::Number(Number::Float(f)) if f == f64::INFINITY),
        "{v:?}"
    );
    // NaN is not a Terraform number.
    assert!(decode_msgpack(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], &Type::Number).is_err());
    assert!(encode_msgpack(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
}

#[test]
fn integer_widths_decode() {
    let cases: &[(&[u8], i64)] = &[
        (&[0x05], 5),
        (&[0x7f], 127),
        (&[0xcc, 0xff], 255),
        (&[0xcd, 0x01, 0x00], 256),
        (&[0xce, 0x00, 0x01, 0x00, 0x00], 65536),
        (&[0xcf, 0, 0, 0, 0x01, 0, 0, 0, 0], 4294967296),
        (&[0xff], -1),
        (&[0xe0], -32),
        (&[0xd0, 0x80], -128),
        (&[0xd1, 0xff, 0x7f], -129),
        (&[0xd2, 0xff, 0xff, 0x7f, 0xff], -32769),
        (&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], i64::MIN),
    ];
    for (bytes, want) in cases {
        let v = decode_msgpack(bytes, &Type::Number).unwrap();
        assert!(
            matches!(v, Value::Number(Number::Int(i)) if i == *want),
            "{bytes:02x?} -> {v:?}"
        );
    }
    let v = decode_msgpack(
        &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &Type::Number,
    )
    .unwrap();
    assert!(matches!(v, Value::Number(Number::UInt(u64::MAX))), "{v:?}");
}

#[test]
fn integer_widths_encode() {
    let cases: &[(Number, &[u8])] = &[
        (Number::Int(0), &[0x00]),
        (Number::Int(127), &[0x7f]),
        (Number::Int(128), &[0xcc, 0x80]),
        (Number::Int(255), &[0xcc, 0xff]),
        (Number::Int(256), &[0xcd, 0x01, 0x00]),
        (Number::Int(65536), &[0xce, 0x00, 0x01, 0x00, 0x00]),
        (Number::Int(4294967296), &[0xcf, 0, 0, 0, 0x01, 0, 0, 0, 0]),
        (Number::Int(-1), &[0xff]),
        (Number::Int(-32), &[0xe0]),
        (Number::Int(-33), &[0xd0, 0xdf]),
        (Number::Int(-128), &[0xd0, 0x80]),
        (Number::Int(-129), &[0xd1, 0xff, 0x7f]),
        (Number::Int(-32769), &[0xd2, 0xff, 0xff, 0x7f, 0xff]),
        (Number::Int(i64::MIN), &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        (Number::UInt(7), &[0x07]),
        (
            Number::UInt(u64::MAX),
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
    ];
    for (n, want) in cases {
        let got = encode_msgpack(&Value::Number(n.clone()), &Type::Number).unwrap();
        assert_eq!(&got, want, "{n:?}");
    }
    assert!(encode_msgpack(&Value::Number(Number::Big("12abc".into())), &Type::Number).is_err());
}

#[test]
fn long_strings_arrays_and_maps() {
    let s32 = "a".repeat(32);
    let bytes = cat(&[&[0xd9, 0x20], s32.as_bytes()]);
    assert_eq!(encode_msgpack(&s(&s32), &Type::String).unwrap(), bytes);
    assert_eq!(decode_msgpack(&bytes, &Type::String).unwrap(), s(&s32));

    let s256 = "b".repeat(256);
    let bytes = cat(&[&[0xda, 0x01, 0x00], s256.as_bytes()]);
    assert_eq!(encode_msgpack(&s(&s256), &Type::String).unwrap(), bytes);
    assert_eq!(decode_msgpack(&bytes, &Type::String).unwrap(), s(&s256));
    // str32 and bin8 forms are read too
    assert_eq!(
        decode_msgpack(&[0xdb, 0, 0, 0, 2, b'h', b'i'], &Type::String).unwrap(),
        s("hi")
    );
    assert_eq!(
        decode_msgpack(&[0xc4, 2, b'h', b'i'], &Type::String).unwrap(),
        s("hi")
    );
    // invalid UTF-8
    assert!(decode_msgpack(&[0xa2, 0xff, 0xfe], &Type::String).is_err());

    let items: Vec<Value> = (0..16).map(int).collect();
    let mut bytes = vec![0xdc, 0x00, 0x10];
    bytes.extend(0u8..16);
    assert_eq!(
        encode_msgpack(&Value::List(items.clone()), &list(Type::Number)).unwrap(),
        bytes
    );
    assert_eq!(
        decode_msgpack(&bytes, &list(Type::Number)).unwrap(),
        Value::List(items)
    );

    let map_ty = Type::Map(Box::new(Type::Bool));
    let entries: BTreeMap<String, Value> = (0..16)
        .map(|i| (format!("k{i:02}"), Value::Bool(i % 2 == 0)))
        .collect();
    let mut bytes = vec![0xde, 0x00, 0x10];
    for i in 0..16 {
        bytes.extend(fixstr(&format!("k{i:02}")));
        bytes.push(if i % 2 == 0 { 0xc3 } else { 0xc2 });
    }
    assert_eq!(
        encode_msgpack(&Value::Map(entries.clone()), &map_ty).unwrap(),
        bytes
    );
    assert_eq!(
        decode_msgpack(&bytes, &map_ty).unwrap(),
        Value::Map(entries)
    );
}

#[test]
fn set_of_strings_with_unknown_element() {
    let ty = Type::Set(Box::new(Type::String));
    let bytes = [0x93, 0xa1, 0x61, 0xd4, 0x00, 0x00, 0xa1, 0x62];
    let v = decode_msgpack(&bytes, &ty).unwrap();
    match &v {
        Value::Set(items) => {
            assert_eq!(items.as_slice(), &[s("a"), Value::Unknown, s("b")]);
        }
        other => panic!("not a set: {other:?}"),
    }
    // order is kept on output, and ignored by equality
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), bytes);
    assert_eq!(v, Value::Set(vec![s("b"), s("a"), Value::Unknown]));
}

#[test]
fn tuples() {
    let ty = Type::Tuple(vec![Type::String, Type::Bool]);
    let bytes = [0x92, 0xa1, 0x78, 0xc3];
    let v = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(v, Value::Tuple(vec![s("x"), Value::Bool(true)]));
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), bytes);
    assert!(decode_msgpack(&[0x91, 0xa1, 0x78], &ty).is_err());
    assert!(encode_msgpack(&Value::Tuple(vec![s("x")]), &ty).is_err());
}

#[test]
fn dynamic_values() {
    // ["\"string\"", "x"] with the type as str, as a hand-written peer may send it
    let quoted_string = b"\"string\"";
    let as_str = cat(&[&[0x92, 0xa8], quoted_string, &[0xa1, 0x78]]);
    let v = decode_msgpack(&as_str, &Type::Dynamic).unwrap();
    assert_eq!(v, Value::Dynamic(Type::String, Box::new(s("x"))));
    // we write the type as bin, as cty does
    let as_bin = cat(&[&[0x92, 0xc4, 0x08], quoted_string, &[0xa1, 0x78]]);
    assert_eq!(encode_msgpack(&v, &Type::Dynamic).unwrap(), as_bin);
    assert_eq!(decode_msgpack(&as_bin, &Type::Dynamic).unwrap(), v);

    // ["list","string"] is 17 bytes
    let list_ty = br#"["list","string"]"#;
    assert_eq!(list_ty.len(), 0x11);
    let bytes = cat(&[&[0x92, 0xc4, 0x11], list_ty, &[0x91, 0xa1, 0x61]]);
    let v = decode_msgpack(&bytes, &Type::Dynamic).unwrap();
    assert_eq!(
        v,
        Value::Dynamic(list(Type::String), Box::new(Value::List(vec![s("a")])))
    );
    assert_eq!(encode_msgpack(&v, &Type::Dynamic).unwrap(), bytes);

    // a typed null keeps its type; bare nil and ext stay plain
    let typed_null = cat(&[&[0x92, 0xc4, 0x08], quoted_string, &[0xc0]]);
    let v = decode_msgpack(&typed_null, &Type::Dynamic).unwrap();
    assert_eq!(v, Value::Dynamic(Type::String, Box::new(Value::Null)));
    assert_eq!(encode_msgpack(&v, &Type::Dynamic).unwrap(), typed_null);
    assert_eq!(
        decode_msgpack(&[0xc0], &Type::Dynamic).unwrap(),
        Value::Null
    );
    assert_eq!(
        decode_msgpack(&[0xd4, 0, 0], &Type::Dynamic).unwrap(),
        Value::Unknown
    );
    assert_eq!(
        encode_msgpack(&Value::Null, &Type::Dynamic).unwrap(),
        [0xc0]
    );
    assert_eq!(
        encode_msgpack(&Value::Unknown, &Type::Dynamic).unwrap(),
        [0xd4, 0, 0]
    );

    // inside an object
    let ty = obj_ty(&[("v", Type::Dynamic)]);
    let bytes = cat(&[
        &[0x81, 0xa1, b'v', 0x92, 0xa8],
        quoted_string,
        &[0xa1, 0x78],
    ]);
    assert_eq!(
        decode_msgpack(&bytes, &ty).unwrap(),
        obj(&[("v", Value::Dynamic(Type::String, Box::new(s("x"))))])
    );

    // malformed wrappers
    assert!(decode_msgpack(&[0x91, 0xc0], &Type::Dynamic).is_err());
    assert!(decode_msgpack(&[0x92, 0xc3, 0xc0], &Type::Dynamic).is_err());
    assert!(decode_msgpack(
        &cat(&[&[0x92], &fixstr("\"strin\""), &[0xc0]]),
        &Type::Dynamic
    )
    .is_err());
    assert!(decode_msgpack(
        &cat(&[&[0x92], &fixstr("not json"), &[0xc0]]),
        &Type::Dynamic
    )
    .is_err());
    assert!(decode_msgpack(&fixstr("x"), &Type::Dynamic).is_err());
    // a plain value cannot be written where the type is not known
    assert!(encode_msgpack(&s("x"), &Type::Dynamic).is_err());
}

#[test]
fn mismatch_reports_a_path() {
    let ty = obj_ty(&[("grant_types", list(Type::String))]);
    let bytes = cat(&[&[0x81], &fixstr("grant_types"), &[0x92, 0xa1, 0x61, 0xc3]]);
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(err.path, ".grant_types[1]");
    assert!(err.message.contains("string"), "{err}");
    assert_eq!(
        err.to_string(),
        format!("at .grant_types[1]: {}", err.message)
    );

    let map_ty = Type::Map(Box::new(Type::Bool));
    let err = decode_msgpack(&[0x81, 0xa1, b'k', 0xa1, b'x'], &map_ty).unwrap_err();
    assert_eq!(err.path, r#"["k"]"#);
}

#[test]
fn error_messages_do_not_echo_values() {
    let ty = obj_ty(&[("flag", Type::Bool), ("n", Type::Number)]);
    let bytes = cat(&[&[0x81], &fixstr("flag"), &fixstr("s3cr3t-value")]);
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert_eq!(err.path, ".flag");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let bytes = cat(&[&[0x81], &fixstr("n"), &fixstr("s3cr3t-value")]);
    let err = decode_msgpack(&bytes, &ty).unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let err = decode_json(br#"{"flag":"s3cr3t-value"}"#, &ty).unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let err = encode_msgpack(&obj(&[("flag", s("s3cr3t-value"))]), &ty).unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
}

#[test]
fn object_attributes_missing_and_unsupported() {
    let ty = obj_ty(&[("id", Type::String), ("name", Type::String)]);
    assert_eq!(
        decode_msgpack(&[0x80], &ty).unwrap(),
        obj(&[("id", Value::Null), ("name", Value::Null)])
    );
    let err = decode_msgpack(&cat(&[&[0x81], &fixstr("foo"), &[0xc0]]), &ty).unwrap_err();
    assert!(err.message.contains("\"foo\""), "{err}");
    assert_eq!(err.path, "");

    // output always carries every attribute, sorted, missing ones as nil
    let v = obj(&[("name", s("x"))]);
    let want = cat(&[
        &[0x82],
        &fixstr("id"),
        &[0xc0],
        &fixstr("name"),
        &fixstr("x"),
    ]);
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), want);
    // a field outside the type is an error naming it
    let err = encode_msgpack(&obj(&[("zzz", s("x"))]), &ty).unwrap_err();
    assert!(err.message.contains("\"zzz\""), "{err}");
    // nested encode error path
    let nested = obj_ty(&[("tags", Type::Map(Box::new(Type::Bool)))]);
    let v = obj(&[(
        "tags",
        Value::Map([("a b".to_string(), s("x"))].into_iter().collect()),
    )]);
    let err = encode_msgpack(&v, &nested).unwrap_err();
    assert_eq!(err.path, r#".tags["a b"]"#);
}

#[test]
fn malformed_msgpack_is_an_error() {
    let ty = list(Type::String);
    // trailing bytes
    assert!(decode_msgpack(&[0xc0, 0xc0], &ty).is_err());
    // truncated string and array
    assert!(decode_msgpack(&[0xa5, 0x31], &Type::String).is_err());
    assert!(decode_msgpack(&[0x92, 0xa1, 0x61], &ty).is_err());
    // a huge announced length with nothing behind it must fail, not allocate
    assert!(decode_msgpack(&[0xdd, 0xff, 0xff, 0xff, 0xff], &ty).is_err());
    assert!(decode_msgpack(&[0xdb, 0xff, 0xff, 0xff, 0xff], &Type::String).is_err());
    assert!(decode_msgpack(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], &Type::String).is_err());
    // the never-used byte
    assert!(decode_msgpack(&[0xc1], &Type::Bool).is_err());
    // non-string map key
    assert!(decode_msgpack(&[0x81, 0x01, 0xc3], &Type::Map(Box::new(Type::Bool))).is_err());
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let mut bytes = Vec::new();
    for _ in 0..100_000 {
        bytes.extend_from_slice(&[0x92, 0xa9]);
        bytes.extend_from_slice(b"\"dynamic\"");
    }
    bytes.push(0xc0);
    let err = decode_msgpack(&bytes, &Type::Dynamic).unwrap_err();
    assert!(err.message.contains("deeper"), "{err}");

    let deep_json = "[".repeat(100_000);
    assert!(decode_json(deep_json.as_bytes(), &Type::Dynamic).is_err());
    let mut dyn_json = String::new();
    for _ in 0..10_000 {
        dyn_json.push_str(r#"{"type":"dynamic","value":"#);
    }
    assert!(decode_json(dyn_json.as_bytes(), &Type::Dynamic).is_err());
}

/// One value of each wire shape the encoder chooses between (int and length
/// widths, float64, str/bin, fix/16/32 containers, unknown, dynamic).
fn wire_sample() -> Vec<(Value, Type)> {
    let num = |n: Number| (Value::Number(n), Type::Number);
    let mut out = Vec::new();
    for i in [
        0,
        127,
        128,
        255,
        256,
        65535,
        65536,
        4_294_967_295,
        4_294_967_296,
        i64::MAX,
        -1,
        -32,
        -33,
        -128,
        -129,
        -32768,
        -32769,
        -2_147_483_648,
        -2_147_483_649,
        i64::MIN,
    ] {
        out.push(num(Number::Int(i)));
    }
    out.push(num(Number::UInt(u64::MAX)));
    for f in [
        0.5,
        -0.0,
        1e300,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        3.0,
    ] {
        out.push(num(Number::Float(f)));
    }
    out.push(num(Number::Big("123456789012345678901234567890".into())));
    out.push(num(Number::Big("1e400".into())));
    for n in [0, 31, 32, 255, 256, 65535, 65536] {
        out.push((s(&"x".repeat(n)), Type::String));
    }
    out.push((s("\u{e9}\u{1f600}"), Type::String));
    out.push((Value::Bool(true), Type::Bool));
    out.push((Value::Bool(false), Type::Bool));
    out.push((Value::Unknown, Type::Bool));
    out.push((Value::Null, Type::Bool));
    for n in [0, 15, 16, 65535, 65536] {
        let ty = list(Type::Bool);
        out.push((Value::List(vec![Value::Bool(true); n]), ty));
        let ty = Type::Map(Box::new(Type::Bool));
        let m = (0..n).map(|i| (format!("k{i}"), Value::Null)).collect();
        out.push((Value::Map(m), ty));
    }
    out.push((
        Value::Set(vec![s("a"), Value::Unknown]),
        Type::Set(Box::new(Type::String)),
    ));
    out.push((
        Value::Tuple(vec![int(1), s("b")]),
        Type::Tuple(vec![Type::Number, Type::String]),
    ));
    let attrs: Vec<(String, Type)> = (0..40)
        .map(|i| (format!("attribute_{i}"), Type::String))
        .collect();
    let wide = Type::Object(attrs.into_iter().collect());
    out.push((
        Value::Dynamic(wide.clone(), Box::new(obj(&[("attribute_3", s("v"))]))),
        Type::Dynamic,
    ));
    out.push((
        Value::Dynamic(list(Type::String), Box::new(Value::List(vec![s("a")]))),
        Type::Dynamic,
    ));
    out.push((
        Value::Dynamic(Type::Dynamic, Box::new(Value::Null)),
        Type::Dynamic,
    ));
    out.push((
        obj(&[
            ("d", Value::Dynamic(Type::Number, Box::new(Value::Null))),
            ("n", Value::Unknown),
        ]),
        obj_ty(&[("d", Type::Dynamic), ("n", Type::Number), ("z", Type::Bool)]),
    ));
    out
}

/// FNV-1a, to pin large encodings without spelling out their bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn wire_bytes_are_unchanged() {
    // Each encoding in hex (a long one: its first 5 bytes and its length),
    // and a hash of them all; captured from the hand-written encoder.
    let mut shapes = Vec::new();
    let mut all = Vec::new();
    for (v, ty) in wire_sample() {
        let bytes = encode_msgpack(&v, &ty).unwrap();
        let back = decode_msgpack(&bytes, &ty).unwrap();
        assert_eq!(encode_msgpack(&back, &ty).unwrap(), bytes);
        let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        shapes.push(if bytes.len() <= 40 {
            hex(&bytes)
        } else {
            format!("{}..{}", hex(&bytes[..5]), bytes.len())
        });
        all.extend_from_slice(&bytes);
    }
    let want = concat!(
        "00 7f cc80 ccff cd0100 cdffff ce00010000 ceffffffff cf0000000100000000 ",
        "cf7fffffffffffffff ff e0 d0df d080 d1ff7f d18000 d2ffff7fff d280000000 ",
        "d3ffffffff7fffffff d38000000000000000 cfffffffffffffffff cb3fe0000000000000 ",
        "cb8000000000000000 cb7e37e43c8800759c cb0000000000000001 cb7ff0000000000000 ",
        "cbfff0000000000000 cb4008000000000000 ",
        "be313233343536373839303132333435363738393031323334353637383930 a53165343030 a0 ",
        "bf78787878787878787878787878787878787878787878787878787878787878 ",
        "d9207878787878787878787878787878787878787878787878787878787878787878 ",
        "d9ff787878..257 da01007878..259 daffff7878..65538 db00010000..65541 ",
        "a6c3a9f09f9880 c3 c2 d40000 c0 90 80 9fc3c3c3c3c3c3c3c3c3c3c3c3c3c3c3 ",
        "8fa26b30c0..66 dc0010c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3 de0010a26b..73 ",
        "dcffffc3c3..65538 deffffa26b..513173 dd00010000..65541 df00010000..513183 ",
        "92a161d40000 9201a162 92c503c25b..1520 ",
        "92c4115b226c697374222c22737472696e67225d91a161 c0 ",
        "83a16492c408226e756d62657222c0a16ed40000a17ac0",
    );
    assert_eq!(shapes.join(" "), want);
    assert_eq!((all.len(), fnv1a(&all)), (1_291_052, 0x6625_46e5_8c16_18e6));
}
