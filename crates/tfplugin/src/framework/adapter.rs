//! The one adapter from the typed traits of [`typed`](super::typed) to the
//! dynamic traits the plugin layer serves: [`Typed`]. What it does for each
//! hook (decoding, the provider data, encoding) is said in `typed`'s module
//! documentation.

use std::sync::Arc;

use async_trait::async_trait;

use super::diagnostics::Diagnostics;
use super::model::Model;
use super::resource::{
    Ctx, DataSource, EphemeralOpened, EphemeralRenewed, EphemeralResource, PlanChange, ReadOutcome,
    Resource,
};
use super::schema::Schema;
use super::typed::{Plan, ReadResult, TypedDataSource, TypedEphemeralResource, TypedResource};
use crate::tfvalue::Value;

/// A typed resource, data source or ephemeral resource, served as a
/// [`Resource`], [`DataSource`] or [`EphemeralResource`]:
///
/// ```ignore
/// fn resources(&self) -> Vec<Arc<dyn Resource>> {
///     vec![Arc::new(Typed(ThingResource))]
/// }
/// ```
pub struct Typed<T>(pub T);

/// The provider data as `D`, if the provider is configured.
fn data_if_configured<D: Send + Sync + 'static>(ctx: &Ctx) -> Option<Arc<D>> {
    ctx.provider_data.clone()?.downcast::<D>().ok()
}

#[async_trait]
impl<R: TypedResource> Resource for Typed<R> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = R::Model::decode(config, diags) {
            self.0.validate(&config, diags);
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange, diags: &mut Diagnostics) {
        let prior = match &change.prior {
            Value::Null => None,
            v => match R::Model::decode(v, diags) {
                Some(m) => Some(m),
                None => return,
            },
        };
        let (Some(config), Some(planned)) = (
            R::Model::decode(&change.config, diags),
            R::Model::decode(&change.planned, diags),
        ) else {
            return;
        };
        let mut plan = Plan {
            prior,
            config,
            planned,
            requires_replace: std::mem::take(&mut change.requires_replace),
            prior_private: change.prior_private.clone(),
            planned_private: std::mem::take(&mut change.planned_private),
        };
        let data = data_if_configured::<R::Data>(ctx);
        self.0.modify_plan(data.as_deref(), &mut plan, diags).await;
        plan.planned.write_changes(&mut change.planned);
        change.requires_replace = plan.requires_replace;
        change.planned_private = plan.planned_private;
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let data = ctx.data::<R::Data>(diags)?;
        let planned = R::Model::decode(planned, diags)?;
        let config = R::Model::decode(config, diags)?;
        let made = self
            .0
            .create(&data, planned, config, private, diags)
            .await?;
        Some(made.to_value())
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        let unchanged = || ReadOutcome::Found(state.clone());
        let Some(data) = ctx.data::<R::Data>(diags) else {
            return unchanged();
        };
        let Some(model) = R::Model::decode(state, diags) else {
            return unchanged();
        };
        match self.0.read(&data, model, private, diags).await {
            ReadResult::Found(m) => ReadOutcome::Found(m.to_value()),
            ReadResult::Gone => ReadOutcome::Gone,
            ReadResult::Unchanged => unchanged(),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let data = ctx.data::<R::Data>(diags)?;
        let prior = R::Model::decode(prior, diags)?;
        let planned = R::Model::decode(planned, diags)?;
        let config = R::Model::decode(config, diags)?;
        let state = self
            .0
            .update(&data, prior, planned, config, private, diags)
            .await?;
        Some(state.to_value())
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        let Some(data) = ctx.data::<R::Data>(diags) else {
            return;
        };
        if let Some(prior) = R::Model::decode(prior, diags) {
            self.0.delete(&data, prior, diags).await;
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let data = data_if_configured::<R::Data>(ctx);
        let state = self.0.import(data.as_deref(), id, diags).await?;
        Some(state.to_value())
    }

    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<serde_json::Value> {
        self.0.upgrade_state(version, state, diags)
    }
}

#[async_trait]
impl<S: TypedDataSource> DataSource for Typed<S> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = S::Model::decode(config, diags) {
            self.0.validate(&config, diags);
        }
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let data = ctx.data::<S::Data>(diags)?;
        let config = S::Model::decode(config, diags)?;
        let read = self.0.read(&data, config, diags).await?;
        Some(read.to_value())
    }
}

#[async_trait]
impl<E: TypedEphemeralResource> EphemeralResource for Typed<E> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(config) = E::Model::decode(config, diags) {
            self.0.validate(&config, diags);
        }
    }

    async fn open(
        &self,
        ctx: &Ctx,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<EphemeralOpened> {
        let data = ctx.data::<E::Data>(diags)?;
        let config = E::Model::decode(config, diags)?;
        let opened = self.0.open(&data, config, diags).await?;
        Some(EphemeralOpened {
            result: opened.result.to_value(),
            private: opened.private,
            renew_at: opened.renew_at,
        })
    }

    async fn renew(
        &self,
        ctx: &Ctx,
        private: Option<Vec<u8>>,
        diags: &mut Diagnostics,
    ) -> Option<EphemeralRenewed> {
        let data = data_if_configured::<E::Data>(ctx);
        self.0.renew(data.as_deref(), private, diags).await
    }

    async fn close(&self, ctx: &Ctx, private: Option<Vec<u8>>, diags: &mut Diagnostics) {
        let data = data_if_configured::<E::Data>(ctx);
        self.0.close(data.as_deref(), private, diags).await
    }
}

#[cfg(test)]
mod tests {
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

        async fn modify_plan(
            &self,
            data: Option<&Data>,
            plan: &mut Plan<Thing>,
            _: &mut Diagnostics,
        ) {
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
        let not_configured =
            |d: Diagnostics| assert_eq!(summaries(&d), ["Provider not configured"]);
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
        async fn open(
            &self,
            data: &Data,
            config: Thing,
            _: &mut Diagnostics,
        ) -> Option<Opened<Thing>> {
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
}
