//! The provider framework: schemas, diagnostics, plan helpers, typed models
//! and the traits that the provider, its resources, data sources and
//! ephemeral resources implement: typed ([`typed`], served through the one
//! adapter [`Typed`]) or dynamic ([`resource`], what the plugin layer calls).

pub mod adapter;
pub mod diagnostics;
pub mod ids;
pub mod model;
pub mod path;
pub mod plan;
pub mod resource;
pub mod schema;
pub mod semantic;
pub mod typed;
pub mod validators;

pub use adapter::Typed;
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use model::{assert_model_matches_schema, Maybe, Model};
pub use path::AttrPath;
pub use resource::{
    ConfigureRequest, Ctx, DataSource, EphemeralOpened, EphemeralRenewed, EphemeralResource,
    PlanChange, Provider, ProviderData, ReadOutcome, Resource,
};
pub use schema::{Attribute, Nesting, Schema, Validator};
pub use semantic::SemanticEquality;
pub use typed::{
    configured, Opened, Plan, ReadResult, TypedDataSource, TypedEphemeralResource, TypedResource,
};
