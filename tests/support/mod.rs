//! What the provider's two test binaries share: `tests/in_process` and
//! `tests/e2e` both include this directory with `#[path]`, and each uses
//! part of it (hence the `allow`).
//!
//! - `plugin`: the provider binary started as go-plugin starts it;
//! - `terraform`: a Terraform working directory pointed at that binary,
//!   `terraform` runs in it, and the configuration blocks the tests write;
//! - `output`: what Terraform printed and stored (diagnostics, plans, state);
//! - `emulator`: the emulator as the platform, in the test process;
//! - `faults`: interrupting a run at a chosen platform request;
//! - `examples`: the repository's `examples/` and the types they cover.
//!
//! Each of them uses only those listed before it.
//!
//! The tests of one binary run side by side in one process, so none of them
//! changes what the process holds for all: no test sets an environment
//! variable, the current directory or a signal disposition of its own
//! process, or installs a global tracing subscriber. Environment variables
//! and working directories go to the child processes ([`TfDir::set_env`],
//! `Command::env`, `current_dir`); signals go to children only (Terraform's
//! own process group, [`Running`], or a child's pid). Each emulator listens
//! on a port of its own, so its request log, faults and variants are its
//! test's alone. What the crates keep per process cannot mix two tests
//! either: the HTTP client keeps its rate limits and the applications it
//! knows per client (only [`reset_secret_outside`] makes one in a test
//! process),
//! the secret-scrubbing list only grows (no in-process test reads a log),
//! and the emulator's request ids are unique but never counted on. The one
//! test that writes shared files, the docs test in write mode
//! (`DOCS_WRITE=1`), runs alone (`scripts/docs.sh`).
#![allow(dead_code, unused_imports)]

mod emulator;
mod examples;
mod faults;
mod output;
mod plugin;
mod terraform;

pub use emulator::*;
pub use examples::*;
pub use faults::*;
pub use output::*;
pub use plugin::*;
pub use terraform::*;
