//! What Terraform would call "a bug in the provider" never reaches it: a
//! required attribute written as null is refused at validation, for every
//! kind of configuration, and a hook that ends without an object and without
//! an error gets an error naming the type and the operation.

use super::*;

/// A hook set that gives up without saying why.
struct Void;

const VOID: &str = "test_void";

fn void_schema() -> Schema {
    Schema::new("void")
        .attribute(Attribute::string("id").computed())
        .attribute(
            Attribute::string("target")
                .required()
                .description("Where it points."),
        )
}

#[async_trait]
impl Resource for Void {
    fn type_name(&self) -> &'static str {
        VOID
    }
    fn schema(&self) -> Schema {
        void_schema()
    }
    async fn modify_plan(&self, _ctx: &Ctx, change: &mut PlanChange, _d: &mut Diagnostics) {
        if change.config.attr_str("target") == Some("plan-nothing") {
            change.planned = Value::Null;
        }
    }
    async fn create(
        &self,
        _ctx: &Ctx,
        planned: &Value,
        _c: &Value,
        _private: &mut Vec<u8>,
        _d: &mut Diagnostics,
    ) -> Option<Value> {
        // A null object is as much "no object" as none.
        (planned.attr_str("target") == Some("null")).then_some(Value::Null)
    }
    async fn read(
        &self,
        _ctx: &Ctx,
        state: &Value,
        _private: &mut Vec<u8>,
        _d: &mut Diagnostics,
    ) -> ReadOutcome {
        ReadOutcome::Found(state.clone())
    }
    async fn update(
        &self,
        _ctx: &Ctx,
        _p: &Value,
        _planned: &Value,
        _c: &Value,
        _private: &mut Vec<u8>,
        _d: &mut Diagnostics,
    ) -> Option<Value> {
        None
    }
    async fn delete(&self, _ctx: &Ctx, _prior: &Value, _d: &mut Diagnostics) {}
    async fn import(&self, _ctx: &Ctx, _id: &str, _d: &mut Diagnostics) -> Option<Value> {
        None
    }
    fn upgrade_state(
        &self,
        _version: i64,
        _state: serde_json::Value,
        _d: &mut Diagnostics,
    ) -> Option<serde_json::Value> {
        None
    }
}

#[async_trait]
impl DataSource for Void {
    fn type_name(&self) -> &'static str {
        VOID
    }
    fn schema(&self) -> Schema {
        void_schema()
    }
    async fn read(&self, _ctx: &Ctx, _config: &Value, _d: &mut Diagnostics) -> Option<Value> {
        None
    }
}

#[async_trait]
impl EphemeralResource for Void {
    fn type_name(&self) -> &'static str {
        VOID
    }
    fn schema(&self) -> Schema {
        void_schema()
    }
    async fn open(&self, _ctx: &Ctx, _c: &Value, _d: &mut Diagnostics) -> Option<EphemeralOpened> {
        None
    }
}

struct VoidProvider;

#[async_trait]
impl Provider for VoidProvider {
    fn type_name(&self) -> &'static str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new("void provider").attribute(
            Attribute::string("endpoint")
                .required()
                .description("The endpoint."),
        )
    }
    async fn configure(&self, _r: ConfigureRequest, _d: &mut Diagnostics) -> Option<ProviderData> {
        Some(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Void)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Void)]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(Void)]
    }
}

fn void_service() -> ProviderService {
    ProviderService::new(Arc::new(VoidProvider), StopSignal::default())
}

fn void_value(target: Value) -> Option<pb::DynamicValue> {
    let mut v = void_schema().null_object();
    v.set_attr("target", target);
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(&v, &void_schema().object_type()).unwrap(),
        json: vec![],
    })
}

fn is_error(d: &pb::Diagnostic) -> bool {
    d.severity == pb::diagnostic::Severity::Error as i32
}

/// The one error of `diags`, which names `operation` and the type.
#[track_caller]
fn assert_no_result_error(diags: &[pb::Diagnostic], operation: &str) {
    let errors: Vec<_> = diags.iter().filter(|d| is_error(d)).collect();
    assert_eq!(errors.len(), 1, "{diags:?}");
    let e = errors[0];
    assert_eq!(
        e.summary,
        format!("{VOID}: {operation} returned no result"),
        "{e:?}"
    );
    assert!(
        e.detail.contains(VOID) && e.detail.contains(operation),
        "{e:?}"
    );
}

/// The one error of `diags`: on the attribute `name`, saying it is required
/// and null, with the attribute's description.
#[track_caller]
fn assert_required_null(diags: &[pb::Diagnostic], name: &str, described: &str) {
    let errors: Vec<_> = diags.iter().filter(|d| is_error(d)).collect();
    assert_eq!(errors.len(), 1, "{diags:?}");
    let e = errors[0];
    assert_eq!(e.summary, "Required argument is null", "{e:?}");
    assert!(
        e.detail.contains(&format!("\"{name}\" is required")) && e.detail.contains(described),
        "{e:?}"
    );
    use pb::attribute_path::step::Selector;
    let steps: Vec<_> = e
        .attribute
        .as_ref()
        .map(|p| p.steps.iter().map(|s| s.selector.clone()).collect())
        .unwrap_or_default();
    assert_eq!(steps, [Some(Selector::AttributeName(name.into()))], "{e:?}");
}

#[tokio::test]
async fn a_required_attribute_written_as_null_fails_validation_of_every_kind() {
    let svc = void_service();
    let r = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: VOID.into(),
            config: void_value(Value::Null),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_required_null(&r.diagnostics, "target", "Where it points.");
    let r = svc
        .validate_data_resource_config(Request::new(pb::validate_data_resource_config::Request {
            type_name: VOID.into(),
            config: void_value(Value::Null),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_required_null(&r.diagnostics, "target", "Where it points.");
    let r = svc
        .validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: VOID.into(),
                config: void_value(Value::Null),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_required_null(&r.diagnostics, "target", "Where it points.");
    let pty = Type::Object([("endpoint".to_string(), Type::String)].into());
    let r = svc
        .validate_provider_config(Request::new(pb::validate_provider_config::Request {
            config: Some(pb::DynamicValue {
                msgpack: encode_msgpack(
                    &Value::Object([("endpoint".to_string(), Value::Null)].into()),
                    &pty,
                )
                .unwrap(),
                json: vec![],
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_required_null(&r.diagnostics, "endpoint", "The endpoint.");

    // The control: an unknown value (known only at apply) passes.
    let r = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: VOID.into(),
            config: void_value(Value::Unknown),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

async fn apply_void(
    svc: &ProviderService,
    prior: Value,
    target: &str,
) -> pb::apply_resource_change::Response {
    let ty = void_schema().object_type();
    let dv = |v: &Value| {
        Some(pb::DynamicValue {
            msgpack: encode_msgpack(v, &ty).unwrap(),
            json: vec![],
        })
    };
    let mut planned = void_schema().null_object();
    planned.set_attr("target", Value::string(target));
    svc.apply_resource_change(Request::new(pb::apply_resource_change::Request {
        type_name: VOID.into(),
        prior_state: dv(&prior),
        planned_state: dv(&planned),
        config: dv(&planned),
        planned_private: vec![],
        provider_meta: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn a_create_or_update_without_an_object_or_an_error_is_an_error() {
    let svc = void_service();
    let ty = void_schema().object_type();
    for target in ["none", "null"] {
        let r = apply_void(&svc, Value::Null, target).await;
        assert_no_result_error(&r.diagnostics, "create");
        let state = decode_msgpack(&r.new_state.unwrap().msgpack, &ty).unwrap();
        assert!(state.is_null(), "nothing recorded: {state:?}");
    }

    let mut prior = void_schema().null_object();
    prior.set_attr("id", Value::string("v1"));
    prior.set_attr("target", Value::string("old"));
    let r = apply_void(&svc, prior.clone(), "new").await;
    assert_no_result_error(&r.diagnostics, "update");
    let state = decode_msgpack(&r.new_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(state, prior, "the prior state is kept");
}

#[tokio::test]
async fn an_import_read_open_upgrade_or_plan_without_a_result_is_an_error() {
    let svc = void_service();
    let r = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: VOID.into(),
            id: "v1".into(),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_no_result_error(&r.diagnostics, "import");
    assert!(r.imported_resources.is_empty());

    let r = svc
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: VOID.into(),
            config: void_value(Value::string("x")),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_no_result_error(&r.diagnostics, "read");
    assert!(r.state.is_none());

    let r = svc
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: VOID.into(),
            config: void_value(Value::string("x")),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_no_result_error(&r.diagnostics, "open");
    assert!(r.result.is_none());

    let r = svc
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: VOID.into(),
            version: 7,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"v1","target":"x"}"#.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_no_result_error(&r.diagnostics, "state upgrade");
    assert!(r.upgraded_state.is_none());

    let r = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: VOID.into(),
            prior_state: Some(pb::DynamicValue {
                msgpack: encode_msgpack(&Value::Null, &void_schema().object_type()).unwrap(),
                json: vec![],
            }),
            proposed_new_state: void_value(Value::string("plan-nothing")),
            config: void_value(Value::string("plan-nothing")),
            prior_private: vec![],
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_no_result_error(&r.diagnostics, "plan");
}
