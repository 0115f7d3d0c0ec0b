//! Managed resources. They talk to the platform only through
//! [`anypoint_client::AnypointClient`] (via [`crate::support::AnypointData`])
//! and to Terraform only through the framework.

mod client_application;
mod client_application_contract;
mod client_application_owner;
pub(crate) mod common;

pub use client_application::ClientApplicationResource;
pub use client_application_contract::ClientApplicationContractResource;
pub use client_application_owner::ClientApplicationOwnerResource;
