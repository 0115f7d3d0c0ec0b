//! The plan of `anypoint_client_application`: the organization shown at
//! create, the secret rotation that changed triggers ask for (unless the
//! private state shows it already happened), the secret left out of the
//! plan when `store_client_secret` is false and `api_endpoints` left
//! unrecorded after an import.

use serde::{Deserialize, Serialize};

use super::model::{attrs, ClientApplicationModel};
use crate::support::{plan_org_id, AnypointData};
use secret::fingerprint;
use tfplugin::framework::{Diagnostics, Maybe, Plan};

/// Whether the secret must be reset: the triggers changed from one recorded
/// value to another. Adding triggers where there were none only records them
/// (so importing an application never rotates its secret), and removing them
/// only stops managing rotation.
fn rotation_requested(prior: &ClientApplicationModel, planned: &ClientApplicationModel) -> bool {
    let before = &prior.secret_rotation_triggers;
    let after = &planned.secret_rotation_triggers;
    !before.is_null() && !after.is_null() && before != after
}

/// The private state of an application: SHA-256 fingerprints, never the
/// secret. It lets a plan tell whether the platform's secret changed since
/// the triggers were last applied, whether or not the state holds the
/// secret.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The secret and the triggers as the last apply left them (both or
    /// neither).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    triggers_sha256: Option<String>,
    /// The platform's secret as the last read or apply saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform_secret_sha256: Option<String>,
    /// In a planned private state only: the apply resets the secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset_secret: bool,
}

impl Record {
    /// The record in a private state (none, or one this resource did not
    /// write, is an empty record).
    pub fn parse(private: &[u8]) -> Record {
        serde_json::from_slice(private).unwrap_or_default()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        if *self == Record::default() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The fingerprint of the platform's secret: the one `state` holds,
    /// else the last one seen.
    pub fn current_secret(&self, state: &ClientApplicationModel) -> Option<String> {
        state
            .client_secret
            .as_known()
            .map(|s| fingerprint(s.expose()))
            .or_else(|| self.platform_secret_sha256.clone())
    }

    /// After a read that found the application as `seen` (the secret not
    /// yet dropped from it).
    pub fn after_read(self, seen: &ClientApplicationModel) -> Record {
        Record {
            platform_secret_sha256: self.current_secret(seen),
            reset_secret: false,
            ..self
        }
    }

    /// After an apply that left the application as `seen` (the secret not
    /// yet dropped from it, or unknown to the apply).
    pub fn after_apply(&self, seen: &ClientApplicationModel) -> Record {
        let secret = self.current_secret(seen);
        let triggers = triggers_fingerprint(seen);
        let applied = secret.is_some() && triggers.is_some();
        Record {
            secret_sha256: secret.clone().filter(|_| applied),
            triggers_sha256: triggers.filter(|_| applied),
            platform_secret_sha256: secret,
            reset_secret: false,
        }
    }
}

fn triggers_fingerprint(state: &ClientApplicationModel) -> Option<String> {
    let triggers = serde_json::to_string(state.secret_rotation_triggers.as_known()?).ok()?;
    Some(fingerprint(&triggers))
}

/// Whether the rotation that changing the triggers asks for has already
/// happened: the record holds the triggers now in state (`prior`,
/// refreshed) with a secret other than the platform's. That is a reset whose
/// apply never reported back (Terraform killed mid-rotation), or one made
/// outside Terraform since; resetting again would replace a secret nobody
/// has recorded yet. A state without that record (imported, or written by an
/// earlier version) always rotates.
fn already_rotated(prior: &ClientApplicationModel, record: &Record) -> bool {
    let (Some(triggers), Some(secret), Some(now)) = (
        &record.triggers_sha256,
        &record.secret_sha256,
        record.current_secret(prior),
    ) else {
        return false;
    };
    Some(triggers) == triggers_fingerprint(prior).as_ref() && *secret != now
}

/// The body of [`TypedResource::modify_plan`](tfplugin::framework::TypedResource::modify_plan).
pub async fn modify_plan(
    data: Option<&AnypointData>,
    plan: &mut Plan<ClientApplicationModel>,
    diags: &mut Diagnostics,
) {
    let Plan {
        prior,
        config,
        planned,
        prior_private,
        planned_private,
        ..
    } = plan;
    let Some(prior) = prior else {
        // Show the organization in the plan.
        if plan_org_id(data, &config.org_id, &mut planned.org_id, diags)
            .await
            .is_err()
        {
            return;
        }
        if planned.store_client_secret.as_bool() == Some(false) {
            planned.client_secret = Maybe::Null;
        }
        return;
    };
    let mut record = Record::parse(prior_private);
    record.reset_secret = false;
    if rotation_requested(prior, planned) {
        if already_rotated(prior, &record) {
            diags.attr_warning(
                attrs::secret_rotation_triggers(),
                "Client secret already reset",
                "The platform's client secret is no longer the one recorded when \
                 secret_rotation_triggers were last applied: an interrupted apply (or a reset \
                 outside Terraform) already replaced it. The new triggers are recorded \
                 without resetting the secret again.",
            );
        } else {
            record.reset_secret = true;
        }
    }
    *planned_private = record.to_bytes();
    planned.client_secret = match planned.store_client_secret {
        Maybe::Known(false) => Maybe::Null,
        Maybe::Unknown => Maybe::Unknown,
        // A new secret, or one the state starts holding: read at apply.
        _ if record.reset_secret || prior.store_client_secret.as_bool() == Some(false) => {
            Maybe::Unknown
        }
        _ => planned.client_secret.clone(),
    };
    // `api_endpoints` cannot be read from the platform: after an import
    // it stays unrecorded (null) until the configuration sets it, rather
    // than taking the default, which may not be what the application
    // was created with.
    if prior.api_endpoints.is_null() && config.api_endpoints.is_null() {
        planned.api_endpoints = Maybe::Null;
    }
    // Moving to another API instance (or another `api_endpoints` value)
    // needs a new application; recording one where none was known
    // (after an import) does not: the schema's
    // `requires_replace_if_recorded`.
}

#[cfg(test)]
mod tests {
    use super::*;
    use secret::Secret;

    fn state(secret: Option<&str>, v: &str) -> ClientApplicationModel {
        ClientApplicationModel {
            client_secret: secret.map(Secret::from).into(),
            secret_rotation_triggers: Maybe::Known([("v".to_owned(), v.to_owned())].into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_rotation_counts_as_done_only_when_the_recorded_secret_differs() {
        let applied = Record::default().after_apply(&state(Some("old-secret"), "1"));
        let bytes = applied.to_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains("old-secret"));
        let applied = Record::parse(&bytes);
        // Same secret as recorded: rotate.
        assert!(!already_rotated(&state(Some("old-secret"), "1"), &applied));
        // The platform's secret changed since: already rotated.
        assert!(already_rotated(&state(Some("new-secret"), "1"), &applied));
        // A record for other triggers, or none at all (import, older state):
        // rotate as before.
        assert!(!already_rotated(&state(Some("new-secret"), "0"), &applied));
        assert!(!already_rotated(
            &state(Some("new-secret"), "1"),
            &Record::parse(b"")
        ));
        assert!(!already_rotated(
            &state(Some("new-secret"), "1"),
            &Record::parse(b"{}")
        ));
    }

    #[test]
    fn without_the_secret_in_state_the_last_read_tells_the_platform_secret() {
        let applied = Record::default().after_apply(&state(Some("old-secret"), "1"));
        // The state holds no secret: the apply's own fingerprint stands.
        assert!(!already_rotated(&state(None, "1"), &applied));
        let read = |secret| applied.clone().after_read(&state(Some(secret), "1"));
        assert!(!already_rotated(&state(None, "1"), &read("old-secret")));
        assert!(already_rotated(&state(None, "1"), &read("new-secret")));
        // An apply that did not learn the secret keeps the last one seen.
        let unknown = read("new-secret").after_apply(&state(None, "2"));
        assert_eq!(unknown.secret_sha256, Some(fingerprint("new-secret")));
        assert_eq!(unknown.platform_secret_sha256, unknown.secret_sha256);
    }

    #[test]
    fn records_of_earlier_versions_still_count() {
        let earlier = serde_json::json!({
            "secret_sha256": fingerprint("old-secret"),
            "triggers_sha256": triggers_fingerprint(&state(None, "1")),
        });
        let record = Record::parse(earlier.to_string().as_bytes());
        assert!(already_rotated(&state(Some("new-secret"), "1"), &record));
        assert!(!record.reset_secret);
    }
}
