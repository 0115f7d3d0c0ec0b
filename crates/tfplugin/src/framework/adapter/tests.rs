//! Unit tests of the adapter: decoding, the provider data, plans, reads,
//! data sources and ephemeral resources, with a test resource.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::framework::typed::{configured, Opened};
use crate::framework::{Attribute, Maybe, ProviderData};
use crate::tfvalue::Type;

crate::model! {
    struct Thing, paths: thing_paths {
        id: Maybe<String>,
        tags: Maybe<BTreeSet<String>>,
        flag: Maybe<bool>,
    }
}

/// The provider data of the tests: a name.
struct Data(&'static str);

/// Counts the hooks that ran.
#[derive(Default)]
struct Things {
    calls: AtomicUsize,
}

impl Things {
    fn ran(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TypedResource for Things {
    type Model = Thing;
    type Data = Data;

    fn type_name(&self) -> &'static str {
        "test_thing"
    }

    fn schema(&self) -> Schema {
        Schema::new("things")
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::set("tags", Type::String).optional())
            .attribute(Attribute::bool("flag").optional())
    }

    fn validate(&self, config: &Thing, diags: &mut Diagnostics) {
        self.ran();
        if config.flag.as_bool() == Some(false) {
            diags.attr_error(thing_paths::flag(), "No", "flag may not be false");
        }
    }

    async fn modify_plan(&self, data: Option<&Data>, plan: &mut Plan<Thing>, _: &mut Diagnostics) {
        self.ran();
        if plan.is_create() {
            plan.planned.id = Maybe::Known(data.map_or("unconfigured", |d| d.0).to_owned());
        }
        plan.requires_replace.push(thing_paths::flag());
        plan.planned_private = plan.prior_private.iter().rev().copied().collect();
    }

    async fn create(
        &self,
        data: &Data,
        planned: Thing,
        _config: Thing,
        private: &mut Vec<u8>,
        _: &mut Diagnostics,
    ) -> Option<Thing> {
        self.ran();
        private.push(1);
        Some(Thing {
            id: Maybe::Known(data.0.to_owned()),
            ..planned
        })
    }

    async fn read(
        &self,
        _data: &Data,
        state: Thing,
        _private: &mut Vec<u8>,
        _: &mut Diagnostics,
    ) -> ReadResult<Thing> {
        self.ran();
        match state.id.as_str() {
            Some("gone") => ReadResult::Gone,
            Some("kept") => ReadResult::Unchanged,
            _ => ReadResult::Found(Thing {
                flag: Maybe::Known(true),
                ..state
            }),
        }
    }

    async fn update(
        &self,
        _data: &Data,
        _prior: Thing,
        planned: Thing,
        _config: Thing,
        _private: &mut Vec<u8>,
        _: &mut Diagnostics,
    ) -> Option<Thing> {
        self.ran();
        Some(planned)
    }

    async fn delete(&self, _data: &Data, _prior: Thing, _: &mut Diagnostics) {
        self.ran();
    }

    async fn import(
        &self,
        data: Option<&Data>,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<Thing> {
        self.ran();
        configured(data, diags)?;
        Some(Thing {
            id: Maybe::from(id),
            ..Default::default()
        })
    }
}

fn ctx(data: Option<ProviderData>) -> Ctx {
    Ctx {
        provider_data: data,
        cancel: Default::default(),
    }
}

fn configured_ctx() -> Ctx {
    ctx(Some(Arc::new(Data("configured"))))
}

fn thing(id: Value, tags: Value, flag: Value) -> Value {
    Value::Object(
        [
            ("id".to_owned(), id),
            ("tags".to_owned(), tags),
            ("flag".to_owned(), flag),
        ]
        .into(),
    )
}

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.iter().map(|x| x.summary.clone()).collect()
}

#[tokio::test]
async fn a_value_that_does_not_fit_is_one_error_naming_the_attribute() {
    let r = Typed(Things::default());
    let bad = thing(Value::Null, Value::Null, Value::string("yes"));
    let mut d = Diagnostics::new();
    let made = r
        .create(&configured_ctx(), &bad, &bad, &mut Vec::new(), &mut d)
        .await;
    assert!(made.is_none());
    assert_eq!(summaries(&d), ["Unexpected value for attribute \"flag\""]);
    let mut d = Diagnostics::new();
    r.validate(&bad, &mut d);
    assert_eq!(summaries(&d), ["Unexpected value for attribute \"flag\""]);
    assert_eq!(r.0.calls(), 0, "no hook runs on a value that does not fit");
    // A value that fits reaches the hook as the model.
    let mut d = Diagnostics::new();
    r.validate(&thing(Value::Null, Value::Null, Value::Bool(false)), &mut d);
    assert_eq!(summaries(&d), ["No"]);
    assert_eq!(r.0.calls(), 1);
}

#[tokio::test]
async fn hooks_that_need_the_provider_data_get_it_typed_or_do_not_run() {
    let r = Typed(Things::default());
    let planned = thing(Value::Unknown, Value::Null, Value::Null);
    let not_configured = |d: Diagnostics| assert_eq!(summaries(&d), ["Provider not configured"]);
    for unconfigured in [ctx(None), ctx(Some(Arc::new(7_u8)))] {
        let mut d = Diagnostics::new();
        let made = r
            .create(&unconfigured, &planned, &planned, &mut Vec::new(), &mut d)
            .await;
        assert!(made.is_none());
        not_configured(d);
        let mut d = Diagnostics::new();
        r.delete(&unconfigured, &planned, &mut d).await;
        not_configured(d);
        let mut d = Diagnostics::new();
        let state = thing(Value::string("7"), Value::Null, Value::Null);
        match r.read(&unconfigured, &state, &mut Vec::new(), &mut d).await {
            ReadOutcome::Found(v) => assert_eq!(v, state),
            ReadOutcome::Gone => panic!("an unconfigured read keeps the state"),
        }
        not_configured(d);
    }
    assert_eq!(r.0.calls(), 0);
    let mut d = Diagnostics::new();
    let mut private = Vec::new();
    let made = r
        .create(&configured_ctx(), &planned, &planned, &mut private, &mut d)
        .await
        .unwrap();
    assert_eq!(made.attr("id"), &Value::string("configured"));
    assert_eq!(private, [1]);
    assert!(d.is_empty());
}

#[tokio::test]
async fn hooks_that_may_run_unconfigured_get_an_option() {
    let r = Typed(Things::default());
    let mut d = Diagnostics::new();
    assert!(r.import(&ctx(None), "x", &mut d).await.is_none());
    assert_eq!(summaries(&d), ["Provider not configured"]);
    let mut d = Diagnostics::new();
    let imported = r.import(&configured_ctx(), "x", &mut d).await.unwrap();
    assert_eq!(
        imported,
        thing(Value::string("x"), Value::Null, Value::Null)
    );
    let config = thing(Value::Null, Value::Null, Value::Null);
    let mut change = PlanChange {
        prior: Value::Null,
        config: config.clone(),
        planned: thing(Value::Unknown, Value::Null, Value::Null),
        requires_replace: Vec::new(),
        prior_private: Vec::new(),
        planned_private: Vec::new(),
    };
    r.modify_plan(&ctx(None), &mut change, &mut d).await;
    assert_eq!(change.planned.attr("id"), &Value::string("unconfigured"));
}

#[tokio::test]
async fn a_plan_writes_back_only_what_the_hook_changed() {
    let r = Typed(Things::default());
    let partly = Value::Set(vec![Value::string("a"), Value::Unknown]);
    let prior = thing(Value::string("1"), Value::Null, Value::Bool(true));
    let mut change = PlanChange {
        prior: prior.clone(),
        config: thing(Value::Null, partly.clone(), Value::Bool(true)),
        planned: thing(Value::string("1"), partly.clone(), Value::Bool(true)),
        requires_replace: Vec::new(),
        prior_private: vec![1, 2],
        planned_private: vec![1, 2],
    };
    let mut d = Diagnostics::new();
    r.modify_plan(&configured_ctx(), &mut change, &mut d).await;
    assert!(d.is_empty());
    assert_eq!(
        change.planned.attr("tags"),
        &partly,
        "a partly known set survives"
    );
    assert_eq!(change.planned.attr("id"), &Value::string("1"));
    assert_eq!(change.requires_replace, [thing_paths::flag()]);
    assert_eq!(change.planned_private, [2, 1]);
}

#[tokio::test]
async fn a_read_finds_loses_or_keeps_the_state_as_given() {
    let r = Typed(Things::default());
    let ctx = configured_ctx();
    let read = |id: &str| thing(Value::string(id), Value::Null, Value::Null);
    let mut d = Diagnostics::new();
    match r.read(&ctx, &read("7"), &mut Vec::new(), &mut d).await {
        ReadOutcome::Found(v) => assert_eq!(v.attr("flag"), &Value::Bool(true)),
        ReadOutcome::Gone => panic!("found"),
    }
    assert!(matches!(
        r.read(&ctx, &read("gone"), &mut Vec::new(), &mut d).await,
        ReadOutcome::Gone
    ));
    match r.read(&ctx, &read("kept"), &mut Vec::new(), &mut d).await {
        ReadOutcome::Found(v) => assert_eq!(v, read("kept")),
        ReadOutcome::Gone => panic!("kept"),
    }
    assert!(d.is_empty());
}

/// A data source and an ephemeral resource over the same model.
struct Reader;

#[async_trait]
impl TypedDataSource for Reader {
    type Model = Thing;
    type Data = Data;
    fn type_name(&self) -> &'static str {
        "test_reader"
    }
    fn schema(&self) -> Schema {
        Things::default().schema()
    }
    async fn read(&self, data: &Data, config: Thing, _: &mut Diagnostics) -> Option<Thing> {
        Some(Thing {
            id: Maybe::Known(data.0.to_owned()),
            ..config
        })
    }
}

#[async_trait]
impl TypedEphemeralResource for Reader {
    type Model = Thing;
    type Data = Data;
    fn type_name(&self) -> &'static str {
        "test_reader"
    }
    fn schema(&self) -> Schema {
        Things::default().schema()
    }
    async fn open(&self, data: &Data, config: Thing, _: &mut Diagnostics) -> Option<Opened<Thing>> {
        Some(Opened {
            result: Thing {
                id: Maybe::Known(data.0.to_owned()),
                ..config
            },
            private: Some(vec![9]),
            renew_at: None,
        })
    }
}

#[tokio::test]
async fn data_sources_and_ephemeral_resources_take_and_return_their_model() {
    let config = thing(Value::Null, Value::string_set(["t"]), Value::Null);
    let want = thing(
        Value::string("configured"),
        Value::string_set(["t"]),
        Value::Null,
    );
    let mut d = Diagnostics::new();
    let read = DataSource::read(&Typed(Reader), &configured_ctx(), &config, &mut d).await;
    assert_eq!(read, Some(want.clone()));
    let opened = EphemeralResource::open(&Typed(Reader), &configured_ctx(), &config, &mut d)
        .await
        .unwrap();
    assert_eq!((opened.result, opened.private), (want, Some(vec![9])));
    // Renew and close keep their defaults, configured or not.
    let renewed = EphemeralResource::renew(&Typed(Reader), &ctx(None), Some(vec![9]), &mut d)
        .await
        .unwrap();
    assert_eq!(renewed.private, Some(vec![9]));
    assert!(d.is_empty());
    assert!(
        DataSource::read(&Typed(Reader), &ctx(None), &config, &mut d)
            .await
            .is_none()
    );
    assert_eq!(summaries(&d), ["Provider not configured"]);
}
