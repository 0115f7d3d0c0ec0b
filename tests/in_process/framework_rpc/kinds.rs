//! Data sources, ephemeral resources, StopProvider and unknown type names.

use super::*;

#[tokio::test]
async fn data_source_and_ephemeral_resource() {
    let (svc, _) = service();
    let ty = Type::Object(
        [
            ("input".to_string(), Type::String),
            ("output".to_string(), Type::String),
        ]
        .into(),
    );
    let cfg = Value::Object(
        [
            ("input".to_string(), Value::string("hi")),
            ("output".to_string(), Value::Null),
        ]
        .into(),
    );
    let r = svc
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "test_echo".into(),
            config: Some(pb::DynamicValue {
                msgpack: encode_msgpack(&cfg, &ty).unwrap(),
                json: vec![],
            }),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let v = decode_msgpack(&r.state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(v.attr_str("output"), Some("echo:hi"));

    let ety = Type::Object([("value".to_string(), Type::String)].into());
    let ecfg = Value::Object([("value".to_string(), Value::Null)].into());
    let open = svc
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: "test_token".into(),
            config: Some(pb::DynamicValue {
                msgpack: encode_msgpack(&ecfg, &ety).unwrap(),
                json: vec![],
            }),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(open.diagnostics.is_empty());
    assert_eq!(
        decode_msgpack(&open.result.unwrap().msgpack, &ety)
            .unwrap()
            .attr_str("value"),
        Some("tok")
    );
    let renew = svc
        .renew_ephemeral_resource(Request::new(pb::renew_ephemeral_resource::Request {
            type_name: "test_token".into(),
            private: open.private.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(renew.private, open.private);
    let close = svc
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "test_token".into(),
            private: open.private.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(close.diagnostics.is_empty());
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_work_and_keeps_serving() {
    let (svc, _) = service();
    let svc = Arc::new(svc);
    configure(&svc).await;
    let config = obj(&[("name", Value::string("slow"))]);
    let p = plan(&svc, &Value::Null, &config, &config).await;
    let planned = undv(&p.planned_state);
    let s2 = svc.clone();
    let c2 = config.clone();
    let apply_task = tokio::spawn(async move { apply(&s2, &Value::Null, &planned, &c2).await });
    // Wait until the create is parked on the cancellation token.
    tokio::task::yield_now().await;
    let stop = svc
        .stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stop.error, "");
    let a = tokio::time::timeout(Duration::from_secs(10), apply_task)
        .await
        .expect("stopped promptly")
        .unwrap();
    assert_eq!(a.diagnostics[0].summary, "Cancelled");
    assert_eq!(
        a.new_state.unwrap().msgpack,
        vec![0xc0],
        "a failed create records nothing"
    );
    // Later work is not cancelled.
    let config = obj(&[("name", Value::string("fine"))]);
    let p = plan(&svc, &Value::Null, &config, &config).await;
    let a = apply(&svc, &Value::Null, &undv(&p.planned_state), &config).await;
    assert!(a.diagnostics.is_empty());
}

#[tokio::test]
async fn unknown_type_names_get_one_error_and_keep_what_terraform_sent() {
    let (svc, _) = service();
    let state = dv(&obj(&[("name", Value::string("a"))]));
    let only_error = |diags: &[pb::Diagnostic], kind: &str| {
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].summary, format!("Unknown {kind} type"));
        assert!(diags[0].detail.contains("\"nope\""), "{}", diags[0].detail);
    };
    let p = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "nope".into(),
            proposed_new_state: state.clone(),
            prior_private: b"p".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    only_error(&p.diagnostics, "resource");
    assert_eq!(p.planned_state, state);
    assert_eq!(p.planned_private, b"p");
    let a = svc
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "nope".into(),
            prior_state: state.clone(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    only_error(&a.diagnostics, "resource");
    assert_eq!(a.new_state, state);
    let d = svc
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "nope".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    only_error(&d.diagnostics, "data source");
    assert!(d.state.is_none());
    let e = svc
        .validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: "nope".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    only_error(&e.diagnostics, "ephemeral resource");
}
