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
mod tests;
