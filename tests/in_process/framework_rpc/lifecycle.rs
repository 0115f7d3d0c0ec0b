//! Schema, the plan/apply/read cycle, validation paths and JSON input.

use super::*;

#[tokio::test]
async fn schema_lists_every_kind_with_capabilities() {
    let (svc, _) = service();
    let s = svc.schema_response();
    assert!(s.resource_schemas.contains_key("test_thing"));
    assert!(s.data_source_schemas.contains_key("test_echo"));
    assert!(s.ephemeral_resource_schemas.contains_key("test_token"));
    let thing = &s.resource_schemas["test_thing"];
    assert_eq!(thing.version, 1);
    let secret = thing
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .find(|a| a.name == "secret")
        .unwrap();
    assert!(secret.sensitive && secret.computed && !secret.optional);
    assert_eq!(secret.r#type, b"\"string\"");
    let caps = s.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
}

#[tokio::test]
async fn create_update_replace_read_delete_cycle() {
    let (svc, store) = service();
    configure(&svc).await;
    // Create: computed values unknown, default applied, no replacement.
    let config = obj(&[
        ("name", Value::string("a")),
        ("tags", Value::Set(vec![Value::string("x"), Value::Unknown])),
    ]);
    let p = plan(&svc, &Value::Null, &config, &config).await;
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let planned = undv(&p.planned_state);
    assert_eq!(planned.attr("id"), &Value::Unknown);
    assert_eq!(planned.attr("secret"), &Value::Unknown);
    assert_eq!(planned.attr("enabled"), &Value::Bool(true));
    // The unknown element inside the set survives planning.
    assert_eq!(
        planned.attr("tags"),
        &Value::Set(vec![Value::string("x"), Value::Unknown])
    );
    assert!(p.requires_replace.is_empty());
    assert_eq!(p.planned_private, b"p");

    let config = obj(&[
        ("name", Value::string("a")),
        ("tags", Value::string_set(["x", "y"])),
    ]);
    let p = plan(&svc, &Value::Null, &config, &config).await;
    let a = apply(&svc, &Value::Null, &undv(&p.planned_state), &config).await;
    assert!(a.diagnostics.is_empty());
    let state = undv(&a.new_state);
    assert!(state.is_wholly_known());
    assert_eq!(state.attr_str("id"), Some("t1"));
    assert_eq!(a.private, b"p", "planned private state carried into state");

    // No change: the plan equals the prior state exactly.
    let p = plan(&svc, &state, &config, &state).await;
    assert_eq!(undv(&p.planned_state), state);

    // Update in place: id and secret kept (use_state_for_unknown).
    let config2 = obj(&[
        ("name", Value::string("b")),
        ("tags", Value::string_set(["x", "y"])),
    ]);
    let mut proposed = state.clone();
    proposed.set_attr("name", Value::string("b"));
    let p = plan(&svc, &state, &config2, &proposed).await;
    let planned = undv(&p.planned_state);
    assert_eq!(planned.attr_str("id"), Some("t1"));
    assert_eq!(planned.attr_str("secret"), Some("generated-secret-value"));
    assert!(p.requires_replace.is_empty());
    let a = apply(&svc, &state, &planned, &config2).await;
    let state = undv(&a.new_state);
    assert_eq!(store.lock().unwrap()["t1"], "b");

    // A requires_replace attribute changing is reported with its path.
    let mut proposed = state.clone();
    proposed.set_attr("zone", Value::string("z2"));
    let mut config3 = config2.clone();
    config3.set_attr("zone", Value::string("z2"));
    let p = plan(&svc, &state, &config3, &proposed).await;
    assert_eq!(p.requires_replace.len(), 1);
    assert_eq!(
        p.requires_replace[0].steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "zone".into()
        ))
    );

    // A read returns the private state the resource left.
    let read = |private: &[u8]| {
        svc.read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state),
            private: private.to_vec(),
            provider_meta: None,
            client_capabilities: None,
        }))
    };
    let r = read(b"stale").await.unwrap().into_inner();
    assert_eq!(r.private, b"refreshed");
    assert_eq!(undv(&r.new_state), state);

    // Drift: the object is gone, so Read returns null (msgpack nil) and keeps private.
    store.lock().unwrap().clear();
    let r = read(b"keep-me").await.unwrap().into_inner();
    assert_eq!(r.new_state.as_ref().unwrap().msgpack, vec![0xc0]);
    assert_eq!(r.private, b"keep-me");

    // Destroy: planned null, apply returns null.
    let p = plan(&svc, &state, &Value::Null, &Value::Null).await;
    assert_eq!(p.planned_state.as_ref().unwrap().msgpack, vec![0xc0]);
    let a = apply(&svc, &state, &Value::Null, &Value::Null).await;
    assert_eq!(a.new_state.as_ref().unwrap().msgpack, vec![0xc0]);
}

#[tokio::test]
async fn validation_reports_attribute_paths() {
    let (svc, _) = service();
    let config = obj(&[
        ("name", Value::string("")),
        ("zone", Value::string("forbidden")),
    ]);
    let r = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: dv(&config),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let paths: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| match &d.attribute.as_ref().unwrap().steps[0].selector {
            Some(pb::attribute_path::step::Selector::AttributeName(n)) => n.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(paths, vec!["name", "zone"]);
    assert!(r
        .diagnostics
        .iter()
        .all(|d| d.severity == pb::diagnostic::Severity::Error as i32));
    // Unknown values are not validated.
    let config = obj(&[("name", Value::Unknown)]);
    let r = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: dv(&config),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty());
}

#[tokio::test]
async fn json_input_is_accepted() {
    let (svc, _) = service();
    let r = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![],
                json:
                    br#"{"id":null,"name":"","zone":null,"enabled":null,"tags":null,"secret":null}"#
                        .to_vec(),
            }),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1, "the empty name is reported");
}
