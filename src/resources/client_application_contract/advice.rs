//! What the contract resource tells the user when the platform holds a
//! contract the state does not describe: which contract, and how to import
//! it, end it or check the settings that reach it.

use crate::support::api_error;
use anypoint_client::{ApiError, Contract, ContractSite, ContractTarget};
use tfplugin::framework::Diagnostics;

use super::model::{attrs, ContractModel};

/// The address placeholder of the import advice: Terraform does not tell a
/// provider the resource's address, but shows it with the diagnostic.
const IMPORT_TO: &str = "anypoint_client_application_contract.<name>";

/// Ready-to-paste import advice for a contract: an `import` block and the
/// `terraform import` command (indented, so Terraform does not wrap them).
pub fn import_advice(org: &str, app_id: i64, contract_id: &str) -> String {
    format!(
        "  import {{\n    to = {IMPORT_TO}\n    id = \"{org}/{app_id}/{contract_id}\"\n  }}\n\nor run:\n\n  \
         terraform import {IMPORT_TO} {org}/{app_id}/{contract_id}\n"
    )
}

/// The plan replaces a contract an administrator ended: say so.
pub fn ended_outside(prior: &ContractModel, diags: &mut Diagnostics) {
    let status = prior.status.as_str().unwrap_or("ended");
    let what = if status.eq_ignore_ascii_case("REJECTED") {
        "rejected the request for"
    } else {
        "revoked"
    };
    diags.attr_warning(
        attrs::status(),
        format!("Contract {status} outside Terraform"),
        format!(
            "An API administrator {what} contract {} of client application {} ({}). \
             It still exists on the platform, so this plan deletes it and requests access again; \
             a tier that approves requests at once grants access again. If the decision was \
             deliberate, remove this resource from the configuration instead (the apply then \
             deletes the ended contract).",
            prior.id.as_str().unwrap_or("?"),
            prior.application_id.as_str().unwrap_or("?"),
            prior.target_text(),
        ),
    );
}

/// A contract request failed. A request that may have been applied says
/// how to import what it may have made; a 400 that speaks of terms says how
/// to accept them.
pub fn request_failed(
    diags: &mut Diagnostics,
    doing: &str,
    e: &ApiError,
    accepted_terms: bool,
    (org, app_id, target): (&str, i64, ContractTarget),
) {
    let mut detail = e.to_string();
    let terms = e.message().to_ascii_lowercase().contains("term");
    if !accepted_terms && e.status() == Some(400) && terms {
        detail.push_str(
            " The API has terms and conditions: set accepted_terms = true to accept them.",
        );
    }
    if e.is_ambiguous() {
        detail.push_str(&format!(
            "\n\nThe request may have been applied even so, and its contract could not be found now. Check the contracts of client application {app_id} (the anypoint_client_application_contracts data source, or API Manager). If one with {target} exists, import it:\n\n{}\nIf none exists, apply again.",
            import_advice(org, app_id, "<contract_id>")
        ));
    }
    diags.error(format!("Error {doing}"), detail);
}

/// An ended contract holds the slot and could not be removed.
pub fn slot_blocked(diags: &mut Diagnostics, doing: &str, c: &Contract, e: &ApiError) {
    diags.error(
        format!("Error {doing}"),
        format!(
            "The platform keeps one contract per application and instance, and ended contract {} ({}) must be removed first; removing it failed. Remove it in API Manager, or fix the cause below, then apply again. {e}",
            c.id,
            c.status.as_deref().unwrap_or("ended"),
        ),
    );
}

/// Ending a contract failed. One that the application's contract list
/// still shows after a 404 names the settings that reach it.
pub fn teardown_failed(diags: &mut Diagnostics, site: &ContractSite<'_>, e: &ApiError) {
    let doing = format!("ending contract {}", site.contract_id);
    if site.target.is_group() && site.environment.is_none() {
        diags.error(
            format!("Error {doing}"),
            format!(
                "Contract {} is with {}, which API Manager reaches only through its environment, \
                 and the state records none: the contract was imported and not applied since. Run \
                 `terraform apply` once (it records environment_id from the configuration), then \
                 run this command again. Terraform keeps the contract in state until then.",
                site.contract_id, site.target
            ),
        );
        return;
    }
    if e.is_conflict() && e.message().contains("still") {
        let env = site.environment.unwrap_or("(not recorded)");
        diags.error(
            format!("Error {doing}"),
            format!(
                "{e}. The contract still exists and still counts: API Manager did not find it \
                 through {} in environment {env} of organization {}. Check environment_id and \
                 api_instance_org_id (they must name where the instance is), or end the contract \
                 in API Manager; then run the command again. Terraform keeps it in state until \
                 it is gone.",
                site.target, site.instance_org
            ),
        );
        return;
    }
    api_error(diags, &doing, e);
}
