//! Typed hooks: a managed resource, a data source or an ephemeral resource
//! written against its [`Model`] and the type of its provider data, instead
//! of against [`Value`](crate::tfvalue::Value)s and [`Ctx`](super::Ctx).
//!
//! One adapter, [`Typed`](super::adapter::Typed), serves each of these
//! traits through the matching dynamic trait of [`resource`](super::resource)
//! (which the plugin layer calls). For every hook it:
//! - decodes each value the hook takes (configuration, plan, prior state)
//!   into the model; a value that does not fit its model is an error
//!   diagnostic naming the attribute ([`Model::decode`]), and the hook is not
//!   called;
//! - resolves the provider data (what
//!   [`Provider::configure`](super::Provider::configure) returned) into
//!   `Data`. Hooks that cannot work without it take `&Data`: before the
//!   provider is configured they are not called, and the operation fails with
//!   a "Provider not configured" error. The others take `Option<&Data>`:
//!   plan and import, which may run while the provider block still waits
//!   for unknown values, and an ephemeral resource's renew and close, whose
//!   defaults need no data. [`configured`] turns `None` into that same error
//!   where such a hook needs the data after all;
//! - encodes what the hook returns.
//!
//! A model serves every value of its kind: a resource's configuration, plan
//! and state share its schema, as do a data source's configuration and
//! result and an ephemeral resource's configuration and result.

use std::time::SystemTime;

use async_trait::async_trait;

use super::diagnostics::Diagnostics;
use super::model::Model;
use super::path::AttrPath;
use super::resource::{not_configured, EphemeralRenewed};
use super::schema::Schema;

/// The provider data of a hook that may run before the provider is
/// configured, or the "Provider not configured" error when it is missing.
pub fn configured<'a, D>(data: Option<&'a D>, diags: &mut Diagnostics) -> Option<&'a D> {
    if data.is_none() {
        not_configured(diags);
    }
    data
}

/// A planned create or update (never a destroy), as a typed hook sees it.
/// The hook may change `planned`, add `requires_replace` paths and set
/// `planned_private`; the adapter writes back only the attributes of
/// `planned` that it changed, so values it left alone (a set that is only
/// partly known, say) reach Terraform as the framework planned them.
pub struct Plan<M> {
    /// The prior state; `None` when creating.
    pub prior: Option<M>,
    /// The configuration.
    pub config: M,
    /// The framework's plan (defaults, computed values, kept state).
    pub planned: M,
    /// Attributes whose change replaces the object, beyond those the schema
    /// marks so.
    pub requires_replace: Vec<AttrPath>,
    /// The private state stored with the prior state.
    pub prior_private: Vec<u8>,
    /// The private state to store with the plan; the prior one unless the
    /// hook sets it.
    pub planned_private: Vec<u8>,
}

impl<M> Plan<M> {
    /// Whether the plan creates the object.
    pub fn is_create(&self) -> bool {
        self.prior.is_none()
    }
}

/// What reading a managed object found.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadResult<M> {
    /// The object exists; its current state.
    Found(M),
    /// The object is gone: Terraform drops it from state and plans a create.
    Gone,
    /// Keep the stored state as it was given (after an error diagnostic, the
    /// usual case: Terraform then keeps the prior state anyway).
    Unchanged,
}

/// A managed resource whose hooks take and return its model `Model`, with
/// the provider data as `Data`. Serve it with
/// [`Typed`](super::adapter::Typed); the hooks' contracts are those of
/// [`Resource`](super::Resource).
#[async_trait]
pub trait TypedResource: Send + Sync + 'static {
    /// The resource's attributes: its configuration, plan and state.
    type Model: Model + Send + Sync + 'static;
    /// What [`Provider::configure`](super::Provider::configure) returned.
    type Data: Send + Sync + 'static;

    /// The type name, such as `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The schema, whose attributes are the model's fields.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks on the configuration, after the schema's own
    /// validators. Values may be unknown; skip those.
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}

    /// Adjust the framework's plan for a create or an update.
    async fn modify_plan(
        &self,
        _data: Option<&Self::Data>,
        _plan: &mut Plan<Self::Model>,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Create the object. On failure after the object exists remotely,
    /// return `Some(state)` with at least the id set *and* an error:
    /// Terraform then records it as tainted instead of losing track of it.
    ///
    /// `private` (here, in `read` and in `update`) holds the object's private
    /// state as Terraform gave it (for create and update, the planned one);
    /// whatever the hook leaves in it is stored with the state it returns.
    async fn create(
        &self,
        data: &Self::Data,
        planned: Self::Model,
        config: Self::Model,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Self::Model>;

    /// Read the object. With an error diagnostic the prior state and private
    /// state are kept, whatever the hook returns.
    async fn read(
        &self,
        data: &Self::Data,
        state: Self::Model,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadResult<Self::Model>;

    /// Update in place. `None` (with an error) keeps the prior state; return
    /// the best-known state on partial failure.
    async fn update(
        &self,
        data: &Self::Data,
        prior: Self::Model,
        planned: Self::Model,
        config: Self::Model,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Self::Model>;

    /// Delete the object. With an error diagnostic the prior state is kept.
    async fn delete(&self, data: &Self::Data, prior: Self::Model, diags: &mut Diagnostics);

    /// Turn an import id into a (possibly partial) state; Terraform reads it
    /// right after. The default refuses every id.
    async fn import(
        &self,
        _data: Option<&Self::Data>,
        _id: &str,
        diags: &mut Diagnostics,
    ) -> Option<Self::Model> {
        diags.error(
            "Import not supported",
            format!("The resource type {} cannot be imported.", self.type_name()),
        );
        None
    }

    /// Bring a stored state (JSON, per the schema of `version`) to the
    /// current schema version; as
    /// [`Resource::upgrade_state`](super::Resource::upgrade_state), whose
    /// default (refusing every older version) this one is too.
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

/// A data source whose hooks take and return its model. Serve it with
/// [`Typed`](super::adapter::Typed).
#[async_trait]
pub trait TypedDataSource: Send + Sync + 'static {
    /// The data source's attributes: its configuration and what it reads.
    type Model: Model + Send + Sync + 'static;
    /// What [`Provider::configure`](super::Provider::configure) returned.
    type Data: Send + Sync + 'static;

    /// The type name, such as `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The schema, whose attributes are the model's fields.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks on the configuration (values may be unknown).
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}

    /// Read the data. The returned model must be wholly known.
    async fn read(
        &self,
        data: &Self::Data,
        config: Self::Model,
        diags: &mut Diagnostics,
    ) -> Option<Self::Model>;
}

/// What opening an ephemeral resource produced: its result as `M`.
pub struct Opened<M> {
    /// The result: the configuration with its computed values, wholly known.
    pub result: M,
    /// Private data Terraform hands back to `renew` and `close`.
    pub private: Option<Vec<u8>>,
    /// When to call `renew`; never when `None`.
    pub renew_at: Option<SystemTime>,
}

/// An ephemeral resource whose hooks take and return its model. Serve it
/// with [`Typed`](super::adapter::Typed).
#[async_trait]
pub trait TypedEphemeralResource: Send + Sync + 'static {
    /// The ephemeral resource's attributes: its configuration and result.
    type Model: Model + Send + Sync + 'static;
    /// What [`Provider::configure`](super::Provider::configure) returned.
    type Data: Send + Sync + 'static;

    /// The type name, such as `example_thing`.
    fn type_name(&self) -> &'static str;
    /// The schema, whose attributes are the model's fields.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks on the configuration (values may be unknown).
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}

    /// Open the resource: its result, wholly known.
    async fn open(
        &self,
        data: &Self::Data,
        config: Self::Model,
        diags: &mut Diagnostics,
    ) -> Option<Opened<Self::Model>>;

    /// Renew what `open` made, before `renew_at`; the default keeps it as
    /// it is, with no further renewal.
    async fn renew(
        &self,
        _data: Option<&Self::Data>,
        private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) -> Option<EphemeralRenewed> {
        Some(EphemeralRenewed {
            private,
            renew_at: None,
        })
    }

    /// Release what `open` made; the default does nothing.
    async fn close(
        &self,
        _data: Option<&Self::Data>,
        _private: Option<Vec<u8>>,
        _diags: &mut Diagnostics,
    ) {
    }
}
