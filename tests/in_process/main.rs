//! The provider package's tests that never run the Terraform CLI, in one
//! binary: the value codec, the framework behind the plugin protocol, the
//! provider binary as a plugin process, the Registry docs, the rules between
//! the crates, and the checks of the release workflow and the benchmark
//! script. The tests that drive `terraform` are in `tests/e2e/`.
//!
//! Every test here may run beside any other in this process: none changes
//! the environment, the current directory or a signal disposition of the
//! test process, or installs a global subscriber (see `support`).

#[path = "../support/mod.rs"]
mod support;

mod benchmark_script;
mod codec;
mod docs;
mod framework_rpc;
mod hclog_format;
mod plugin_runtime;
mod release_workflow;
mod rooms;
