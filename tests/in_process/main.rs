//! The provider package's tests that never run the Terraform CLI, in one
//! binary: the value codec, the framework behind the plugin protocol, the
//! provider binary as a plugin process, the Registry docs and the layout of
//! the examples, the emulator's admin routes, the rules between the crates,
//! and the checks of the release workflow and the benchmark script. The
//! tests that drive `terraform` are the `e2e` binary. How tests share one
//! process safely: `support`.

#[path = "../support/mod.rs"]
mod support;

mod benchmark_script;
mod codec;
mod docs;
mod emulator_admin_routes;
mod examples_layout;
mod framework_rpc;
mod hclog_format;
mod plugin_runtime;
mod release_workflow;
mod rooms;
