//! What a contract request or tier change checks: the instance is in the
//! environment, the tier asked for is one of the instance's active tiers
//! (both read once per process and instance), and the application's one
//! slot for the instance is free. The platform guards the slot itself, so
//! it is looked at only when a request is refused: an ended contract
//! holding it is removed and the request made again; a live one is not
//! ours to take.

use crate::support::{api_error, AnypointData};
use anypoint_client::{ApiError, Contract, ContractSite, NewContract, Tier};
use tfplugin::framework::Diagnostics;

use super::advice::{import_advice, request_failed, slot_blocked};
use super::model::attrs;

/// The instance: its organization, environment and id.
pub type Instance<'a> = (&'a str, &'a str, i64);

fn is_active(t: &Tier) -> bool {
    t.status
        .as_deref()
        .is_none_or(|s| !s.eq_ignore_ascii_case("DEPRECATED"))
}

fn describe(tiers: &[&Tier]) -> String {
    if tiers.is_empty() {
        return "none".to_owned();
    }
    tiers
        .iter()
        .map(|t| format!("{} ({})", t.id, t.name.as_deref().unwrap_or("unnamed")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A tier is needed exactly when the instance has tiers, and it must be an
/// active tier of this instance (a deprecated one takes no new requests).
/// Checked when the tiers can be read; a refusal to list them leaves the
/// check to the platform.
pub async fn check_tiers(
    data: &AnypointData,
    (org, env, api): Instance<'_>,
    wanted: Option<i64>,
    diags: &mut Diagnostics,
) -> Option<()> {
    let tiers = match data
        .client
        .api_instances()
        .tiers_shared(org, env, api)
        .await
    {
        Ok(t) => t,
        Err(e) => {
            tracing::debug!(
                kind = e.kind(),
                "cannot list the tiers of API instance {api}: the platform checks the tier"
            );
            return Some(());
        }
    };
    let active: Vec<&Tier> = tiers.iter().filter(|t| is_active(t)).collect();
    let problem = match (wanted, tiers.iter().find(|t| Some(t.id) == wanted)) {
        (None, _) if tiers.is_empty() => return Some(()),
        (None, _) => (
            "Missing requested_tier_id",
            format!(
                "API instance {api} has SLA tiers, so requested_tier_id must name one of its active tiers: {}.",
                describe(&active)
            ),
        ),
        (Some(t), _) if tiers.is_empty() => (
            "Invalid requested_tier_id",
            format!("API instance {api} has no SLA tiers; remove requested_tier_id (it is {t})."),
        ),
        (Some(t), None) => (
            "Invalid requested_tier_id",
            format!(
                "Tier {t} is not a tier of API instance {api}. Its active tiers: {}.",
                describe(&active)
            ),
        ),
        (Some(t), Some(tier)) if !is_active(tier) => (
            "Deprecated tier",
            format!(
                "Tier {t} ({}) of API instance {api} is deprecated: it takes no new requests. Its active tiers: {}.",
                tier.name.as_deref().unwrap_or("unnamed"),
                describe(&active)
            ),
        ),
        _ => return Some(()),
    };
    diags.attr_error(attrs::requested_tier_id(), problem.0, problem.1);
    None
}

/// The environment recorded after an import must hold the instance: read
/// it there (a 404 is an error on `environment_id`).
pub async fn check_environment(
    data: &AnypointData,
    (org, env, api): Instance<'_>,
    diags: &mut Diagnostics,
) -> Option<()> {
    match data.client.api_instances().get(org, env, api).await {
        Ok(_) => Some(()),
        Err(e) if e.is_not_found() => {
            diags.attr_error(
                attrs::environment_id(),
                "API instance not in this environment",
                format!("API instance {api} is not in environment {env} of organization {org} ({e}). Set environment_id to the environment that holds the instance (and api_instance_org_id to its business group, if it is not in the application's organization)."),
            );
            None
        }
        Err(e) => {
            api_error(diags, &format!("reading API instance {api}"), &e);
            None
        }
    }
}

/// Request the contract `new` for application `app_id` in `org`. A request
/// refused with a 409 or 400 (how a platform may say the slot is taken)
/// looks at the application's contracts: an ended contract for the
/// instance is removed and the request made again, once; a live one is an
/// error with the import advice; none leaves the refusal as it was.
pub async fn request(
    data: &AnypointData,
    (org, app_id): (&str, i64),
    (inst_org, env, api): (&str, Option<&str>, i64),
    new: &NewContract,
    doing: &str,
    diags: &mut Diagnostics,
) -> Option<Contract> {
    let report = |diags: &mut Diagnostics, e: &ApiError| {
        request_failed(diags, doing, e, new.accepted_terms, (org, app_id, api))
    };
    let refused = match data.client.contracts().create(org, app_id, new).await {
        Ok(made) => return Some(made),
        Err(e) if !e.is_ambiguous() && (e.is_conflict() || e.status() == Some(400)) => e,
        Err(e) => {
            report(diags, &e);
            return None;
        }
    };
    match clear_slot(data, org, app_id, (inst_org, env, api), doing, diags).await? {
        Slot::Free => {
            report(diags, &refused);
            None
        }
        Slot::Cleared => match data.client.contracts().create(org, app_id, new).await {
            Ok(made) => Some(made),
            Err(e) => {
                report(diags, &e);
                None
            }
        },
    }
}

/// What [`clear_slot`] found.
enum Slot {
    /// No contract for the instance: the refusal had another cause.
    Free,
    /// Ended contracts for the instance were removed.
    Cleared,
}

/// One contract per application and instance: remove an ended one (it
/// holds the slot); a live one is not ours to take (an error).
async fn clear_slot(
    data: &AnypointData,
    org: &str,
    app_id: i64,
    (inst_org, env, api): (&str, Option<&str>, i64),
    doing: &str,
    diags: &mut Diagnostics,
) -> Option<Slot> {
    let existing = match data.client.contracts().list(org, app_id).await {
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
    let mut slot = Slot::Free;
    for c in existing.iter().filter(|c| c.api_instance_id == Some(api)) {
        if !c.is_ended() {
            diags.error(
                format!("Error {doing}"),
                format!(
                    "Client application {app_id} already has contract {} ({}) with API instance {api}, and the platform keeps one per application and instance. The provider never adopts it on its own; to manage it with this resource, import it (Terraform shows this resource's address with this error, after \"with\"):\n\n{}",
                    c.id,
                    c.status.as_deref().unwrap_or("unknown status"),
                    import_advice(org, app_id, &c.id.to_string()),
                ),
            );
            return None;
        }
        let site = ContractSite {
            app_org: org,
            app_id,
            contract_id: c.id,
            instance_org: inst_org,
            environment: env,
            api_id: api,
        };
        if let Err(e) = data
            .client
            .contracts()
            .end(&site, c.status.as_deref())
            .await
        {
            slot_blocked(diags, doing, c, &e);
            return None;
        }
        tracing::info!(
            contract_id = c.id,
            "Removed an ended contract before requesting a new one"
        );
        slot = Slot::Cleared;
    }
    Some(slot)
}
