//! The plan of `anypoint_client_application`: the organization shown at
//! create, the secret rotation that changed triggers ask for (unless the
//! private state shows it already happened) and `api_endpoints` left
//! unrecorded after an import.

use super::{attrs, ClientApplicationModel};
use crate::framework::{Ctx, Diagnostics, Maybe, Model, PlanChange};
use crate::secret::fingerprint;
use crate::support::AnypointData;
use crate::tfvalue::Value;

/// Whether the secret must be reset: the triggers changed from one recorded
/// value to another. Adding triggers where there were none only records them
/// (so importing an application never rotates its secret), and removing them
/// only stops managing rotation.
pub(super) fn rotation_requested(
    prior: &ClientApplicationModel,
    planned: &ClientApplicationModel,
) -> bool {
    let before = &prior.secret_rotation_triggers;
    let after = &planned.secret_rotation_triggers;
    !before.is_null() && !after.is_null() && before != after
}

/// What the private state records after every apply of the resource: the
/// SHA-256 fingerprints of the client secret and of the triggers in the
/// state just written (never the secret itself), so that a later plan can
/// tell whether the platform's secret changed since the triggers were last
/// applied. `None` without triggers or a known secret.
fn rotation_record(state: &ClientApplicationModel) -> Option<serde_json::Value> {
    let secret = state.client_secret.as_str()?;
    let triggers = serde_json::to_string(state.secret_rotation_triggers.as_known()?).ok()?;
    Some(serde_json::json!({
        "secret_sha256": fingerprint(secret),
        "triggers_sha256": fingerprint(&triggers),
    }))
}

/// Whether the rotation that changing the triggers asks for has already
/// happened: the private state records the triggers now in state (`prior`,
/// refreshed) with a secret other than the platform's. That is a reset whose
/// apply never reported back (Terraform killed mid-rotation), or one made
/// outside Terraform since; resetting again would replace a secret nobody
/// has recorded yet. A state without that record (imported, or written by an
/// earlier version) always rotates.
fn already_rotated(prior: &ClientApplicationModel, prior_private: &[u8]) -> bool {
    let Ok(recorded) = serde_json::from_slice::<serde_json::Value>(prior_private) else {
        return false;
    };
    let Some(now) = rotation_record(prior) else {
        return false;
    };
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().map(str::to_owned);
    let (Some(triggers), Some(secret)) = (
        field(&recorded, "triggers_sha256"),
        field(&recorded, "secret_sha256"),
    ) else {
        return false;
    };
    Some(triggers) == field(&now, "triggers_sha256") && Some(secret) != field(&now, "secret_sha256")
}

/// The body of [`Resource::modify_plan`](crate::framework::Resource::modify_plan).
pub(super) async fn modify_plan(ctx: &Ctx, change: &mut PlanChange, diags: &mut Diagnostics) {
    let Some(mut planned) = ClientApplicationModel::decode(&change.planned, diags) else {
        return;
    };
    if change.is_create() {
        let Some(config) = ClientApplicationModel::decode(&change.config, diags) else {
            return;
        };
        // Show the organization in the plan.
        if config.org_id.is_null() {
            if let Some(data) = ctx
                .provider_data
                .clone()
                .and_then(|d| d.downcast::<AnypointData>().ok())
            {
                let Ok(org) = data.org_for_plan(diags).await else {
                    return;
                };
                if let Some(org) = org {
                    planned.org_id = Maybe::Known(org);
                }
            }
        }
        planned.write_changes(&mut change.planned);
        return;
    }
    let Some(prior) = ClientApplicationModel::decode(&change.prior, diags) else {
        return;
    };
    if rotation_requested(&prior, &planned) {
        if already_rotated(&prior, &change.prior_private) {
            diags.attr_warning(
                attrs::secret_rotation_triggers(),
                "Client secret already reset",
                "The platform's client secret is no longer the one recorded when \
                 secret_rotation_triggers were last applied: an interrupted apply (or a reset \
                 outside Terraform) already replaced it. The new triggers are recorded \
                 without resetting the secret again.",
            );
        } else {
            planned.client_secret = Maybe::Unknown;
        }
    }
    // `api_endpoints` cannot be read from the platform: after an import
    // it stays unrecorded (null) until the configuration sets it, rather
    // than taking the default, which may not be what the application
    // was created with.
    if prior.api_endpoints.is_null() {
        let Some(config) = ClientApplicationModel::decode(&change.config, diags) else {
            return;
        };
        if config.api_endpoints.is_null() {
            planned.api_endpoints = Maybe::Null;
        }
    }
    // Moving to another API instance (or another `api_endpoints` value)
    // needs a new application; recording one where none was known
    // (after an import) does not: the schema's
    // `requires_replace_if_recorded`.
    planned.write_changes(&mut change.planned);
}

/// The body of [`Resource::private_after_apply`](crate::framework::Resource::private_after_apply).
pub(super) fn private_after_apply(new_state: &Value) -> Option<Vec<u8>> {
    let state = ClientApplicationModel::decode(new_state, &mut Diagnostics::new())?;
    Some(
        rotation_record(&state)
            .map(|r| r.to_string().into_bytes())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_counts_as_done_only_when_the_recorded_secret_differs() {
        let state = |secret: &str, v: &str| ClientApplicationModel {
            client_secret: secret.into(),
            secret_rotation_triggers: Maybe::Known([("v".to_owned(), v.to_owned())].into()),
            ..Default::default()
        };
        let record =
            |m: &ClientApplicationModel| rotation_record(m).unwrap().to_string().into_bytes();
        let applied = record(&state("old-secret", "1"));
        assert!(!String::from_utf8_lossy(&applied).contains("old-secret"));
        // Same secret as recorded: rotate.
        assert!(!already_rotated(&state("old-secret", "1"), &applied));
        // The platform's secret changed since: already rotated.
        assert!(already_rotated(&state("new-secret", "1"), &applied));
        // A record for other triggers, or none at all (import, older state):
        // rotate as before.
        assert!(!already_rotated(&state("new-secret", "0"), &applied));
        assert!(!already_rotated(&state("new-secret", "1"), b""));
        assert!(!already_rotated(&state("new-secret", "1"), b"{}"));
    }
}
