//! What a provider, a managed resource, a data source and an ephemeral
//! resource implement. The plugin layer (`crate::plugin::grpc`) turns RPCs
//! into calls of these hooks; implementations never see wire messages.

use std::any::Any;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diagnostics::Diagnostics;
use super::path::AttrPath;
use super::schema::Schema;
use crate::tfvalue::Value;

/// Whatever `Provider::configure` produced (for us: the API client), shared
/// with every resource.
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// The context of one operation.
#[derive(Clone)]
pub struct Ctx {
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
                diags.error(
                    "Provider not configured",
                    "The provider has not been configured yet, so the operation cannot reach its \
                     platform. This is a bug in the provider or a configuration with unknown \
                     provider settings; run `terraform apply` again.",
                );
                None
            }
        }
    }
}

pub struct ConfigureRequest {
    pub terraform_version: String,
    pub config: Value,
    pub cancel: CancellationToken,
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's type name: the prefix of its resources' names.
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Cross-attribute checks on the provider configuration (may hold unknowns).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn configure(
        &self,
        req: ConfigureRequest,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData>;
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }
}

/// A proposed change as the framework planned it; `modify_plan` may adjust
/// `planned` and add `requires_replace` paths.
pub struct PlanChange {
    /// Null when creating.
    pub prior: Value,
    pub config: Value,
    pub planned: Value,
    pub requires_replace: Vec<AttrPath>,
    pub prior_private: Vec<u8>,
    pub planned_private: Vec<u8>,
}

impl PlanChange {
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

#[async_trait]
pub trait Resource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
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

#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Read the data. The returned object must be wholly known.
    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// What opening an ephemeral resource produced.
pub struct EphemeralOpened {
    pub result: Value,
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

pub struct EphemeralRenewed {
    pub private: Option<Vec<u8>>,
    pub renew_at: Option<SystemTime>,
}

#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn open(
        &self,
        ctx: &Ctx,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<EphemeralOpened>;
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
    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>, _diags: &mut Diagnostics) {}
}
