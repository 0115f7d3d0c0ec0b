//! The provider framework: schemas, diagnostics, plan helpers and the traits
//! that the provider, its resources and data sources implement.

pub mod diagnostics;
pub mod ids;
pub mod model;
pub mod path;
pub mod plan;
pub mod resource;
pub mod schema;
pub mod semantic;
pub mod validators;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use model::{assert_model_matches_schema, Maybe, Model};
pub use path::AttrPath;
pub use resource::{
    ConfigureRequest, Ctx, DataSource, EphemeralOpened, EphemeralRenewed, EphemeralResource,
    PlanChange, Provider, ProviderData, ReadOutcome, Resource,
};
pub use schema::{Attribute, Nesting, Schema, Validator};
pub use semantic::SemanticEquality;
