//! What a provider, a managed resource, a data source and an ephemeral
//! resource implement. The plugin layer (`crate::plugin::grpc`) turns RPCs
//! into calls of these hooks; implementations never see wire messages.
//!
//! These traits take and return [`Value`]s. A resource, data source or
//! ephemeral resource is usually written against its model instead
//! ([`typed`](super::typed)) and served through the adapter
//! [`Typed`](super::adapter::Typed), which implements these traits.

use std::any::Any;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diagnostics::Diagnostics;
use super::path::AttrPath;
use super::schema::Schema;
use crate::tfvalue::Value;

/// Whatever [`Provider::configure`] produced (a platform's API client, say),
/// shared with every resource, data source and ephemeral resource.
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// The context of one operation.
#[derive(Clone)]
pub struct Ctx {
    /// The provider data; `None` until the provider is configured.
    pub provider_data: Option<ProviderData>,
    /// Cancelled when Terraform sends StopProvider: long waits observe it.
    pub cancel: CancellationToken,
}

impl Ctx {
    /// The configured provider data as `T`, or an error diagnostic saying the
    /// provider is not configured.
    pub fn data<T: Send + Sync + 'static>(&self, diags: &mut Diagnostics) -> Option<Arc<T>> {
        match self.provider_data.clone().map(|d| d.downcast::<T>()) {
            Some(Ok(d)) => Some(d),
            _ => {
                not_configured(diags);
                None
            }
        }
    }
}

/// Report that the provider is not configured, so its data is missing.
pub fn not_configured(diags: &mut Diagnostics) {
    diags.error(
        "Provider not configured",
        "The provider has not been configured yet, so the operation cannot reach its \
         platform. This is a bug in the provider or a configuration with unknown \
         provider settings; run `terraform apply` again.",
    );
}

/// What [`Provider::configure`] is given.
pub struct ConfigureRequest {
    /// The version of the Terraform CLI calling (for a user agent, say).
    pub terraform_version: String,
    /// The provider block, wholly known or with unknown values (which
    /// depend on resources not applied yet).
    pub config: Value,
    /// Cancelled when Terraform sends StopProvider, for the life of the
    /// process: what the provider data keeps running may observe it.
    pub cancel: CancellationToken,
}

/// A provider: its block, its configuration and what it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's type name: the prefix of its resources' names.
    fn type_name(&self) -> &'static str;
    /// The provider block's schema.
    fn schema(&self) -> Schema;
    /// Cross-attribute checks on the provider configuration (may hold unknowns).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Configure the provider: the data every later operation gets in its
    /// [`Ctx`], or `None` (with an error, or to configure later when the
    /// block still holds unknown values).
    async fn configure(
        &self,
        req: ConfigureRequest,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData>;
    /// The managed resources served.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    /// The data sources served.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
    /// The ephemeral resources served (Terraform 1.10 and later); none by
    /// default.
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }
}

/// A proposed change as the framework planned it; `modify_plan` may adjust
/// `planned` and add `requires_replace` paths.
pub struct PlanChange {
    /// The prior state; null when creating.
    pub prior: Value,
    /// The configuration.
    pub config: Value,
    /// The framework's plan (defaults, computed values, kept state).
    pub planned: Value,
    /// Attributes whose change replaces the object, beyond those the schema
    /// marks so.
    pub requires_replace: Vec<AttrPath>,
    /// The private state stored with the prior state.
    pub prior_private: Vec<u8>,
    /// The private state to store with the plan (the prior one unless
    /// `modify_plan` sets it).
    pub planned_private: Vec<u8>,
}

impl PlanChange {
    /// Whether the change creates the object.
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }
}

/// The result of reading a managed object.
pub enum ReadOutcome {
    /// The object exists; its current state.
    Found(Value),
    /// The object is gone: Terraform drops it from state and plans a create.
    Gone,
}

/// A managed resource, as the plugin layer calls it.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The resource type's name, such as `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The resource's schema.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks on the configuration, after the schema's own
    /// validators. Values may be unknown; skip those.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Adjust the framework's plan for a create or an update (not destroy).
    async fn modify_plan(&self, _ctx: &Ctx, _change: &mut PlanChange, _diags: &mut Diagnostics) {}

    /// Create the object. On failure after the object exists remotely, return
    /// `Some(state)` with at least the id set *and* an error: Terraform then
    /// records it as tainted instead of losing track of it.
    ///
    /// `private` (here, in `read` and in `update`) holds the object's private
    /// state as Terraform gave it (for create and update, the planned one);
    /// whatever the hook leaves in it is stored with the state it returns.
    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value>;

    /// Read the object. With an error diagnostic the prior state and private
    /// state are kept.
    async fn read(
        &self,
        ctx: &Ctx,
        state: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadOutcome;

    /// Update in place. `None` (with an error) keeps the prior state; return
    /// the best-known state on partial failure.
    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value>;

    /// Delete the object. With an error diagnostic the prior state is kept.
    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics);

    /// Turn an import id into a (possibly partial) state; Terraform reads it
    /// right after.
    async fn import(&self, _ctx: &Ctx, _id: &str, diags: &mut Diagnostics) -> Option<Value> {
        diags.error(
            "Import not supported",
            format!("The resource type {} cannot be imported.", self.type_name()),
        );
        None
    }

    /// Bring a stored state (JSON, per the schema of `version`) to the
    /// current schema version. Called only for states written with an older
    /// version (state of the current version is used as stored); the default
    /// refuses them.
    fn upgrade_state(
        &self,
        version: i64,
        _state: serde_json::Value,
        diags: &mut Diagnostics,
    ) -> Option<serde_json::Value> {
        diags.error(
            "Unsupported state version",
            format!(
                "The state of this {} was written with schema version {version}, which this \
                 provider version cannot upgrade to version {}.",
                self.type_name(),
                self.schema().version
            ),
        );
        None
    }
}

/// A data source, as the plugin layer calls it.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The data source's type name.
    fn type_name(&self) -> &'static str;
    /// The data source's schema.
    fn schema(&self) -> Schema;
    /// Cross-attribute checks on the configuration (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Read the data. The returned object must be wholly known.
    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// What opening an ephemeral resource produced.
pub struct EphemeralOpened {
    /// The result: the configuration with its computed values.
    pub result: Value,
    /// Private data Terraform hands back to `renew` and `close`.
    pub private: Option<Vec<u8>>,
    /// When to call `renew`; never when `None`.
    pub renew_at: Option<SystemTime>,
}

/// What renewing an ephemeral resource produced.
pub struct EphemeralRenewed {
    /// The private data from now on.
    pub private: Option<Vec<u8>>,
    /// When to call `renew` again; never when `None`.
    pub renew_at: Option<SystemTime>,
}

/// An ephemeral resource (Terraform 1.10 and later), as the plugin layer
/// calls it: opened when Terraform needs it, never stored in a plan or state.
#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    /// The ephemeral resource's type name.
    fn type_name(&self) -> &'static str;
    /// The ephemeral resource's schema.
    fn schema(&self) -> Schema;
    /// Cross-attribute checks on the configuration (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Open the resource: its result, which must be wholly known.
    async fn open(
        &self,
        ctx: &Ctx,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<EphemeralOpened>;
    /// Renew what `open` made, before its `renew_at`; the default keeps it
    /// as it is, with no further renewal.
    async fn renew(
        &self,
        _ctx: &Ctx,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Option<EphemeralRenewed> {
        Some(EphemeralRenewed {
            private,
            renew_at: None,
        })
    }
    /// Release what `open` made; the default does nothing.
    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>, _diags: &mut Diagnostics) {}
}
