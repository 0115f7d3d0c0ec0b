//! terraform-provider-anypoint: a Terraform provider for MuleSoft Anypoint
//! Platform client applications, on our own tfplugin6 layer.
//!
//! Layout:
//! - `proto`: generated gRPC/protobuf types from our own `proto/` files.
//! - `tfvalue`: the schema-driven value model and msgpack/JSON codec.
//! - `plugin`: go-plugin handshake, AutoMTLS, gRPC services, hclog logging.
//! - `framework`: schema, diagnostics, plan helpers, the resource traits.
//! - `provider`: the Anypoint provider (its config schema and registry).
//! - `support`: what resources and data sources stand on (provider data,
//!   organization lookup, owner locks, API errors as diagnostics).
//! - `resources`, `data_sources`, `ephemeral`: what users write in their
//!   configurations.
//! - `anypoint`: the HTTP client for the Anypoint Platform API.
//! - `emulator`: an in-memory Anypoint Platform for tests and the quickstart.
//! - `secret`: a string type that cannot be formatted into logs.

pub mod anypoint;
pub mod data_sources;
pub mod emulator;
pub mod ephemeral;
pub mod framework;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod resources;
pub mod secret;
pub mod support;
pub mod tfvalue;
