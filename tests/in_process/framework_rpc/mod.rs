//! The framework through the tfplugin6 service, called directly (no
//! network): planning, apply, read, import, upgrade, ephemeral resources,
//! StopProvider, JSON input, diagnostics with paths, and the guards that
//! keep Terraform's "bug in the provider" errors out (`no_object`).

mod kinds;
mod lifecycle;
mod no_object;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tfplugin::framework::validators::non_empty;
use tfplugin::framework::*;
use tfplugin::plugin::grpc::{ProviderService, StopSignal};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::tfvalue::codec::{decode_msgpack, encode_msgpack};
use tfplugin::tfvalue::{Type, Value};
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
        _private: &mut Vec<u8>,
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
    async fn read(
        &self,
        _ctx: &Ctx,
        state: &Value,
        private: &mut Vec<u8>,
        _d: &mut Diagnostics,
    ) -> ReadOutcome {
        let id = state.attr_str("id").unwrap_or_default();
        match self.store.lock().unwrap().get(id) {
            None => ReadOutcome::Gone,
            Some(name) => {
                if private.as_slice() == b"stale" {
                    *private = b"refreshed".to_vec();
                }
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
        _private: &mut Vec<u8>,
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
