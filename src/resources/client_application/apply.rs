//! Create, update and delete of `anypoint_client_application`, with what a
//! create that failed ambiguously may have made.

use super::advice::{maybe_created, name_taken};
use super::model::{app_id, ClientApplicationModel};
use super::plan::Record;
use crate::support::{api_error, AnypointData};
use anypoint_client::{PriorHolders, Since};
use secret::fingerprint;
use tfplugin::framework::validators::canonical_uuid;
use tfplugin::framework::{Diagnostics, Maybe};

/// The body of [`TypedResource::create`](tfplugin::framework::TypedResource::create):
/// the application as created, its secret not yet dropped.
pub async fn create(
    data: &AnypointData,
    planned: ClientApplicationModel,
    diags: &mut Diagnostics,
) -> Option<ClientApplicationModel> {
    let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
    let new = planned.new_application();
    // Applications that already have this name are never taken for the
    // one this create made, whatever goes wrong.
    let existing = match data
        .client
        .applications()
        .prior_holders(&org, &new.name)
        .await
    {
        Ok(e) => e,
        Err(e) => {
            api_error(
                diags,
                &format!("creating client application {:?}", new.name),
                &e,
            );
            return None;
        }
    };
    // A listed name is taken: refused before anything is sent.
    if let Some(ids) = existing
        .as_ref()
        .map(|e| e.ids.as_slice())
        .filter(|ids| !ids.is_empty())
    {
        name_taken(diags, &org, &new.name, ids, None);
        return None;
    }
    match data
        .client
        .applications()
        .create(
            &org,
            &new,
            planned.api_instance_id.as_str(),
            existing.as_ref(),
        )
        .await
    {
        Ok(app) => {
            tracing::info!(application_id = app.id, "Created client application");
            Some(planned.state_of(&app, &org))
        }
        Err(e) if e.is_ambiguous() => {
            // The create may have happened anyway (and the client's own
            // recovery failed): record what exists, so Terraform taints
            // it instead of losing track of it; else say how to import it.
            let doing = format!("creating client application {:?}", new.name);
            let found = created_anyway(data, &org, &planned, existing.as_ref(), diags);
            match data.client.after_stop(found).await {
                Ok(state) => {
                    api_error(diags, &doing, &e);
                    Some(state)
                }
                Err(candidates) => {
                    maybe_created(diags, &doing, &e, &org, &new.name, &candidates);
                    None
                }
            }
        }
        Err(e) if e.is_conflict() => {
            // The platform refused the name: say which application has it.
            let ids = match data
                .client
                .applications()
                .find_by_name(&org, &new.name)
                .await
            {
                Ok(found) => found.iter().map(|a| a.id).collect(),
                Err(_) => Vec::new(),
            };
            name_taken(diags, &org, &new.name, &ids, Some(&e));
            None
        }
        Err(e) => {
            api_error(
                diags,
                &format!("creating client application {:?}", new.name),
                &e,
            );
            None
        }
    }
}

/// The body of [`TypedResource::update`](tfplugin::framework::TypedResource::update):
/// the application as updated, its secret not yet dropped; `record` is the
/// planned private state.
pub async fn update(
    data: &AnypointData,
    prior: ClientApplicationModel,
    planned: ClientApplicationModel,
    record: &Record,
    diags: &mut Diagnostics,
) -> Option<ClientApplicationModel> {
    let id = app_id(&prior, diags)?;
    let org = canonical_uuid(prior.org_id.as_str().unwrap_or_default());
    let update = planned.application_update();
    // Keep the known secret unless it is being rotated below.
    let wanted = ClientApplicationModel {
        client_secret: prior.client_secret.clone(),
        ..planned.clone()
    };
    let mut state = if prior.platform_fields_differ(&planned) {
        match data.client.applications().update(&org, id, &update).await {
            // What the plan showed of the values the platform sets (a
            // secret reset outside Terraform since a saved plan shows at
            // the next refresh).
            Ok(app) => wanted.state_of(&app, &org).keeping_planned(&planned),
            Err(e) => {
                api_error(diags, &format!("updating client application {id}"), &e);
                // The best-known state: what the platform holds now.
                return match data
                    .client
                    .after_stop(data.client.applications().get(&org, id))
                    .await
                {
                    Ok(app) => Some(prior.state_of(&app, &org)),
                    Err(_) => None,
                };
            }
        }
    } else {
        wanted
    };
    // The plan asks for a reset only when the triggers changed and the
    // platform's secret does not show the rotation already happened.
    if record.reset_secret {
        match data.client.applications().reset_secret(&org, id).await {
            Ok(app) => {
                if let Some(s) = &app.client_secret {
                    state.client_secret = Maybe::Known(s.clone());
                }
                tracing::info!(application_id = id, "Reset the client secret");
            }
            Err(e) => {
                api_error(
                    diags,
                    &format!("resetting the secret of client application {id}"),
                    &e,
                );
                // The secret may have been reset anyway: read what the
                // platform holds.
                let mut rotated = false;
                let reread = data.client.applications().get(&org, id);
                if let Ok(app) = data.client.after_stop(reread).await {
                    if let Some(s) = &app.client_secret {
                        rotated = record
                            .current_secret(&prior)
                            .is_some_and(|old| old != fingerprint(s.expose()));
                        state.client_secret = Maybe::Known(s.clone());
                    }
                }
                if !rotated {
                    // Keep the old triggers so the next plan retries the
                    // rotation (a new secret means it is done: rotating
                    // again would invalidate it a second time).
                    state.secret_rotation_triggers = prior.secret_rotation_triggers.clone();
                }
            }
        }
    }
    // A secret the state starts holding that no call above returned.
    if planned.client_secret.is_unknown() && state.client_secret.as_known().is_none() {
        match data.client.applications().get(&org, id).await {
            Ok(app) => state.client_secret = app.client_secret.into(),
            Err(e) => api_error(
                diags,
                &format!("reading the secret of client application {id}"),
                &e,
            ),
        }
    }
    Some(state)
}

/// The body of [`TypedResource::delete`](tfplugin::framework::TypedResource::delete).
pub async fn delete(data: &AnypointData, prior: ClientApplicationModel, diags: &mut Diagnostics) {
    let Some(id) = app_id(&prior, diags) else {
        return;
    };
    let org = canonical_uuid(prior.org_id.as_str().unwrap_or_default());
    match data.client.applications().delete(&org, id).await {
        Ok(()) => tracing::info!(application_id = id, "Deleted client application"),
        Err(e) if e.is_not_found() => {
            tracing::info!(application_id = id, "Client application was already gone")
        }
        Err(e) => api_error(diags, &format!("deleting client application {id}"), &e),
    }
}

/// After a create that failed ambiguously: the state of the application
/// that the create made, if exactly one application has the planned name,
/// did not have it before, and is dated after those that did (and no other
/// is unsure); else the ids of the applications with the name that the
/// create may have made (to name with the import advice).
async fn created_anyway(
    data: &AnypointData,
    org: &str,
    planned: &ClientApplicationModel,
    existing: Option<&PriorHolders>,
    diags: &mut Diagnostics,
) -> Result<ClientApplicationModel, Vec<i64>> {
    let name = planned.name.as_str().unwrap_or_default();
    let found = match data.client.applications().find_by_name(org, name).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(
                kind = e.kind(),
                "Cannot tell whether the failed create made the application"
            );
            return Err(Vec::new());
        }
    };
    // Only an application that did not have the name before the create can
    // be ours; without that list, adopting one could take over (and later
    // delete) somebody else's application, so only point at it.
    let Some(existing) = existing else {
        return Err(found.iter().map(|a| a.id).collect());
    };
    let new: Vec<_> = found
        .iter()
        .filter(|a| existing.since(a.id, a.created_at.as_deref()) != Since::Before)
        .collect();
    let [one] = new.as_slice() else {
        return Err(new.iter().map(|a| a.id).collect());
    };
    if existing.since(one.id, one.created_at.as_deref()) == Since::Unsure {
        return Err(vec![one.id]);
    }
    diags.warning(
        "Client application created despite the error",
        format!(
            "The application {name:?} exists with id {} after the failed create. Terraform \
             records it as tainted and replaces it on the next apply; run `terraform untaint` \
             to keep it instead.",
            one.id
        ),
    );
    let state = match data.client.applications().get(org, one.id).await {
        Ok(app) => planned.state_of(&app, org),
        // What the list tells; the rest stays as planned (unknown values are
        // recorded as null).
        Err(_) => ClientApplicationModel {
            id: Maybe::Known(one.id.to_string()),
            org_id: org.into(),
            client_id: one.client_id.clone().into(),
            created_at: one.created_at.clone().into(),
            ..planned.clone()
        },
    };
    Ok(state)
}
