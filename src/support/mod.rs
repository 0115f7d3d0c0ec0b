//! What resources and data sources stand on: the per-process provider data
//! (the API client and the configured organization), the organization
//! lookup, per-application locks, the registry of the owners this run's
//! owner resources manage, platform errors as diagnostics, and the
//! attributes several of them declare alike (`org_id`, `application_id`).
//!
//! This room sits between [`anypoint_client`] (the HTTP client) and the
//! resources and data sources. It knows nothing of the provider block or of
//! the wire: the provider builds an [`AnypointData`] in `configure`, and
//! tfplugin's adapter hands it, typed, to the hooks of the resources, data
//! sources and the ephemeral resource.

pub mod attributes;
mod data;
mod diagnostics;
pub mod owners;
pub mod values;

pub use attributes::{application_id, org_id, plan_org_id, ApplicationId, OrgId, OrgIdReadBack};
pub use data::{AnypointData, OwnerLock};
pub use diagnostics::api_error;
pub use owners::{OwnerKey, OwnerRegistry};
