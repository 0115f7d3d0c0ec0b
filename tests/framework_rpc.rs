//! The framework through the tfplugin6 service, called directly (no
//! network): planning, apply, read, import, upgrade, ephemeral resources,
//! StopProvider, JSON input, diagnostics with paths.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anypoint_provider::framework::validators::non_empty;
use anypoint_provider::framework::*;
use anypoint_provider::plugin::grpc::{ProviderService, StopSignal};
use anypoint_provider::proto::tfplugin6 as pb;
use anypoint_provider::proto::tfplugin6::provider_server::Provider as _;
use anypoint_provider::tfvalue::codec::{decode_msgpack, encode_msgpack};
use anypoint_provider::tfvalue::{Type, Value};
use async_trait::async_trait;
use tonic::Request;

type Store = Arc<Mutex<HashMap<String, String>>>;

struct Thing {
    store: Store,
}

fn thing_schema() -> Schema {
    Schema::new("a thing")
        .version(1)
        .attribute(Attribute::string("id").computed().use_state_for_unknown())
        .attribute(Attribute::string("name").required().validate(non_empty()))
        .attribute(Attribute::string("zone").optional().requires_replace())
        .attribute(Attribute::bool("enabled").default(Value::Bool(true)))
        .attribute(Attribute::set("tags", Type::String).optional())
        .attribute(
            Attribute::string("secret")
                .computed()
                .sensitive()
                .use_state_for_unknown(),
        )
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &'static str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        thing_schema()
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.attr_str("zone") == Some("forbidden") {
            diags.attr_error(
                AttrPath::attr("zone"),
                "Bad zone",
                "zone must not be forbidden",
            );
        }
    }
    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _c: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        if planned.attr_str("name") == Some("slow") {
            ctx.cancel.cancelled().await;
            diags.error("Cancelled", "the operation was stopped");
            return None;
        }
        let id = format!("t{}", self.store.lock().unwrap().len() + 1);
        self.store
            .lock()
            .unwrap()
            .insert(id.clone(), planned.attr_str("name").unwrap().to_owned());
        let mut s = planned.clone();
        s.set_attr("id", Value::string(&id));
        s.set_attr("secret", Value::string("generated-secret-value"));
        Some(s)
    }
    async fn read(&self, _ctx: &Ctx, state: &Value, _d: &mut Diagnostics) -> ReadOutcome {
        let id = state.attr_str("id").unwrap_or_default();
        match self.store.lock().unwrap().get(id) {
            None => ReadOutcome::Gone,
            Some(name) => {
                let mut s = state.clone();
                s.set_attr("name", Value::string(name));
                ReadOutcome::Found(s)
            }
        }
    }
    async fn update(
        &self,
        _ctx: &Ctx,
        _p: &Value,
        planned: &Value,
        _c: &Value,
        _d: &mut Diagnostics,
    ) -> Option<Value> {
        let id = planned.attr_str("id").unwrap().to_owned();
        self.store
            .lock()
            .unwrap()
            .insert(id, planned.attr_str("name").unwrap().to_owned());
        Some(planned.clone())
    }
    async fn delete(&self, _ctx: &Ctx, prior: &Value, _d: &mut Diagnostics) {
        self.store
            .lock()
            .unwrap()
            .remove(prior.attr_str("id").unwrap());
    }
    async fn import(&self, _ctx: &Ctx, id: &str, _d: &mut Diagnostics) -> Option<Value> {
        Some(Value::Object(
            [("id".to_string(), Value::string(id))].into(),
        ))
    }
    fn upgrade_state(
        &self,
        version: i64,
        mut state: serde_json::Value,
        _d: &mut Diagnostics,
    ) -> Option<serde_json::Value> {
        if version == 0 {
            // v0 called the name "label".
            let label = state["label"].take();
            state["name"] = label;
        }
        Some(state)
    }
}

struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> &'static str {
        "test_echo"
    }
    fn schema(&self) -> Schema {
        Schema::new("echo")
            .attribute(Attribute::string("input").required())
            .attribute(Attribute::string("output").computed())
    }
    async fn read(&self, _ctx: &Ctx, config: &Value, _d: &mut Diagnostics) -> Option<Value> {
        let mut v = config.clone();
        v.set_attr(
            "output",
            Value::string(format!("echo:{}", config.attr_str("input").unwrap())),
        );
        Some(v)
    }
}

struct Token;

#[async_trait]
impl EphemeralResource for Token {
    fn type_name(&self) -> &'static str {
        "test_token"
    }
    fn schema(&self) -> Schema {
        Schema::new("token").attribute(Attribute::string("value").computed().sensitive())
    }
    async fn open(&self, _ctx: &Ctx, _c: &Value, _d: &mut Diagnostics) -> Option<EphemeralOpened> {
        Some(EphemeralOpened {
            result: Value::Object([("value".to_string(), Value::string("tok"))].into()),
            private: Some(b"handle-1".to_vec()),
            renew_at: None,
        })
    }
    async fn close(&self, _ctx: &Ctx, private: Option<Vec<u8>>, diags: &mut Diagnostics) {
        if private.as_deref() != Some(b"handle-1") {
            diags.error("wrong handle", "");
        }
    }
}

struct TestProvider {
    store: Store,
}

#[async_trait]
impl Provider for TestProvider {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new("test provider").attribute(Attribute::string("endpoint").optional())
    }
    async fn configure(&self, _r: ConfigureRequest, _d: &mut Diagnostics) -> Option<ProviderData> {
        Some(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing {
            store: self.store.clone(),
        })]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(Token)]
    }
}

fn service() -> (ProviderService, Store) {
    let store: Store = Default::default();
    let svc = ProviderService::new(
        Arc::new(TestProvider {
            store: store.clone(),
        }),
        StopSignal::default(),
    );
    (svc, store)
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut v = thing_schema().null_object();
    for (k, x) in pairs {
        v.set_attr(k, x.clone());
    }
    v
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, &thing_schema().object_type()).unwrap(),
        json: vec![],
    })
}

fn undv(d: &Option<pb::DynamicValue>) -> Value {
    decode_msgpack(&d.as_ref().unwrap().msgpack, &thing_schema().object_type()).unwrap()
}

async fn plan(
    svc: &ProviderService,
    prior: &Value,
    config: &Value,
    proposed: &Value,
) -> pb::plan_resource_change::Response {
    svc.plan_resource_change(Request::new(pb::plan_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior),
        proposed_new_state: dv(proposed),
        config: dv(config),
        prior_private: b"p".to_vec(),
        provider_meta: None,
        client_capabilities: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

async fn apply(
    svc: &ProviderService,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> pb::apply_resource_change::Response {
    svc.apply_resource_change(Request::new(pb::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior),
        planned_state: dv(planned),
        config: dv(config),
        planned_private: b"p".to_vec(),
        provider_meta: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

async fn configure(svc: &ProviderService) {
    let cfg = Value::Object([("endpoint".to_string(), Value::Null)].into());
    let ty = Type::Object([("endpoint".to_string(), Type::String)].into());
    let r = svc
        .configure_provider(Request::new(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(pb::DynamicValue {
                msgpack: encode_msgpack(&cfg, &ty).unwrap(),
                json: vec![],
            }),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty());
}

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

    // Drift: the object is gone, so Read returns null (msgpack nil) and keeps private.
    store.lock().unwrap().clear();
    let r = svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state),
            private: b"keep-me".to_vec(),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
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

#[tokio::test]
async fn upgrade_resource_state_from_an_older_version() {
    let (svc, _) = service();
    let r = svc
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"t9","label":"old","zone":null,"enabled":true,"tags":["a"],"secret":"s","gone":1}"#.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let v = undv(&r.upgraded_state);
    assert_eq!(v.attr_str("name"), Some("old"));
    assert_eq!(v.attr_str("id"), Some("t9"));
    assert_eq!(v.attr("tags"), &Value::string_set(["a"]));
}

#[tokio::test]
async fn import_returns_exactly_one_object() {
    let (svc, _) = service();
    let r = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "t5".into(),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.imported_resources.len(), 1);
    assert_eq!(r.imported_resources[0].type_name, "test_thing");
    assert_eq!(
        undv(&r.imported_resources[0].state).attr_str("id"),
        Some("t5")
    );
}

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
