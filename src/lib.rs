//! terraform-provider-anypoint: a Terraform provider for MuleSoft Anypoint
//! Platform client applications.
//!
//! This crate is the provider itself; it stands on three crates of the
//! workspace (contributing/DESIGN.md draws the map):
//! - `tfplugin`: the Terraform plugin protocol, values, schemas and the
//!   resource traits (knows nothing of Anypoint);
//! - `anypoint_client`: the HTTP client for the platform (knows nothing of
//!   Terraform);
//! - `secret`: the string type that cannot be formatted into logs.
//!
//! Its own modules:
//! - `provider`: the provider's configuration schema and its registry;
//! - `support`: what resources and data sources stand on (provider data,
//!   organization look-up, owner locks, API errors as diagnostics);
//! - `resources`, `data_sources`, `ephemeral`: what users write in their
//!   configurations.

pub mod data_sources;
pub mod ephemeral;
pub mod provider;
pub mod resources;
pub mod support;
