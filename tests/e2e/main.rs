//! The provider package's end-to-end tests, in one binary: each drives the
//! real Terraform CLI (`$TERRAFORM` or `terraform` on PATH; the tests fail
//! without it, they never skip) against the provider binary through a
//! `dev_overrides` CLI configuration, mostly with the emulator in this
//! process as the platform, or runs the scripts that do
//! (`scripts/release.sh`, `scripts/acceptance.sh`). The tests that need no
//! Terraform are the `in_process` binary. How tests share one process
//! safely: `support`.

#[path = "../support/mod.rs"]
mod support;

mod acceptance_script;
mod api_group_contracts;
mod api_instance_lookup;
mod application_data_sources;
mod application_fault_matrix;
mod application_import;
mod application_lifecycle;
mod application_owner;
mod beside_another_provider;
mod contract_data_sources_and_adoption;
mod contract_fault_matrix;
mod contract_lifecycle;
mod contract_round_trips;
mod ctrl_c_stops_platform_calls;
mod emulator_admin_routes;
mod environment_lookup;
mod ephemeral_credentials;
mod examples;
mod failed_platform_calls;
mod id_spellings;
mod input_and_error_messages;
mod interrupted_apply;
mod name_conflict;
mod names_instead_of_ids;
mod no_orphaned_providers;
mod no_secret_in_logs;
mod platform_variants;
mod plugin_under_terraform;
mod rate_limit;
mod refresh_from_one_list;
mod release_script;
mod unstored_client_secret;
mod user_lookup;
mod validation;
