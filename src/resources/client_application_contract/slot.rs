//! What a contract request checks and clears first: the instance's tiers
//! against `requested_tier_id`, and an ended contract that still holds the
//! application's one slot for the instance. And the revoke-then-delete that
//! ends a contract.

use crate::anypoint::{ApiError, MANAGE_CONTRACTS_HINT};
use crate::framework::Diagnostics;
use crate::support::{api_error, AnypointData};

use super::{attrs, is_ended};

/// A tier is needed exactly when the instance has tiers (checked when the
/// tiers can be read; a refusal to list them leaves the check to the platform).
pub(super) async fn check_tiers(
    data: &AnypointData,
    inst_org: &str,
    env: &str,
    api: i64,
    wanted: Option<i64>,
    diags: &mut Diagnostics,
) -> Option<()> {
    if let Ok(tiers) = data.client.list_tiers(inst_org, env, api).await {
        match (tiers.is_empty(), wanted) {
            (false, None) => {
                let names: Vec<String> = tiers
                    .iter()
                    .map(|t| format!("{} ({})", t.id, t.name.as_deref().unwrap_or("?")))
                    .collect();
                diags.attr_error(
                    attrs::requested_tier_id(),
                    "Missing requested_tier_id",
                    format!("API instance {api} has SLA tiers, so requested_tier_id must name one of: {}.", names.join(", ")),
                );
                return None;
            }
            (true, Some(t)) => {
                diags.attr_error(
                    attrs::requested_tier_id(),
                    "Invalid requested_tier_id",
                    format!("API instance {api} has no SLA tiers; remove requested_tier_id (it is {t})."),
                );
                return None;
            }
            _ => {}
        }
    }
    Some(())
}

/// One contract per application and instance: remove an ended one (revoke,
/// delete) where the scopes allow it; a live one is not ours to take.
pub(super) async fn clear_slot(
    data: &AnypointData,
    org: &str,
    app_id: i64,
    (inst_org, env, api): (&str, &str, i64),
    doing: &str,
    diags: &mut Diagnostics,
) -> Option<()> {
    let existing = match data.client.list_contracts(org, app_id).await {
        Ok(list) => list,
        Err(e) => {
            api_error(
                diags,
                &format!("listing the contracts of client application {app_id}"),
                &e,
            );
            return None;
        }
    };
    for c in existing.iter().filter(|c| c.api_instance_id == Some(api)) {
        if !is_ended(c) {
            diags.error(
                format!("Error {doing}"),
                format!(
                    "Client application {app_id} already has contract {} ({}) with API instance {api}. Import it: terraform import <address> {org}/{app_id}/{}",
                    c.id,
                    c.status.as_deref().unwrap_or("unknown status"),
                    c.id
                ),
            );
            return None;
        }
        if let Err(e) = end_contract(data, inst_org, env, api, c.id).await {
            let scope = if e.is_forbidden() {
                format!(" Removing it needs API Manager's \"Manage Contracts\" permission ({MANAGE_CONTRACTS_HINT}); delete contract {} in API Manager, or grant the permission, then apply again.", c.id)
            } else {
                String::new()
            };
            diags.error(
                format!("Error {doing}"),
                format!(
                    "The platform keeps one contract per application and instance, and ended contract {} ({}) must be removed first.{scope} {e}",
                    c.id,
                    c.status.as_deref().unwrap_or("ended")
                ),
            );
            return None;
        }
        tracing::info!(
            contract_id = c.id,
            "Removed an ended contract before requesting a new one"
        );
    }
    Some(())
}

/// Revoke, then delete (the delete even after a stop, once the revoke has
/// been made). `Ok(())` when the contract is gone at the end.
pub(super) async fn end_contract(
    data: &AnypointData,
    inst_org: &str,
    env: &str,
    api: i64,
    contract_id: i64,
) -> Result<(), ApiError> {
    match data
        .client
        .revoke_contract(inst_org, env, api, contract_id)
        .await
    {
        Ok(()) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        // Already revoked (or rejected): go on to delete.
        Err(e) if e.is_conflict() => {}
        Err(e) => return Err(e),
    }
    // The revoke is on the platform: the delete finishes the operation even
    // if the provider was asked to stop meanwhile (sent once, not retried
    // after the stop), or the next plan would see the revoked contract as
    // gone and leave it on the platform, out of state.
    match data
        .client
        .after_stop(data.client.delete_contract(inst_org, env, api, contract_id))
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}
