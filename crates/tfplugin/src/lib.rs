//! tfplugin: the Terraform plugin protocol (version 6) for a provider written
//! in Rust, with no provider in it.
//!
//! - `proto`: the gRPC/protobuf types generated from the crate's own `proto/`
//!   descriptions.
//! - `tfvalue`: the schema-driven value model and its msgpack/JSON codecs.
//! - `framework`: schemas, diagnostics, plan helpers, typed models and the
//!   traits a provider, its resources, data sources and ephemeral resources
//!   implement.
//! - `plugin`: the go-plugin handshake, AutoMTLS, the gRPC services and
//!   hclog logging; [`plugin::serve`] runs a provider under Terraform.
//!
//! The provider's names (binary name, log module) are parameters.

pub mod framework;
pub mod plugin;
pub mod proto;
pub mod tfvalue;
