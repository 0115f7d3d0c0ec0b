//! `anypoint_client_application`: one client application.

use async_trait::async_trait;

use super::common::{
    application_values, check_grant_types, grant_type_validator, parse_app_id,
    redirect_uri_validator, strings,
};
use crate::anypoint::{Application, ApplicationUpdate, NewApplication};
use crate::framework::validators::{absolute_url, digits, is_uuid, non_empty, uuid};
use crate::framework::{
    AttrPath, Attribute, Ctx, Diagnostics, PlanChange, ReadOutcome, Resource, Schema,
};
use crate::support::{api_error, AnypointData};
use crate::tfvalue::{Type, Value};

pub struct ClientApplicationResource;

pub const TYPE_NAME: &str = "anypoint_client_application";

pub fn schema() -> Schema {
    Schema::new(
        "A client application: an application that consumes APIs managed by API Manager, with \
         its own client id and secret. The Connected App's own user becomes the application's \
         first owner; manage further owners with `anypoint_client_application_owner`.",
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .use_state_for_unknown()
            .description("The application id (digits)."),
    )
    .attribute(
        Attribute::string("org_id")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .validate(uuid())
            .description("The root organization that owns the application. Defaults to the provider's organization. Changing it creates a new application."),
    )
    .attribute(
        Attribute::string("api_instance_id")
            .optional()
            .validate(digits())
            .description("An API instance id, sent as `apiVersionId` when the application is created; organizations that use an external client provider (federated organizations) need it. Changing it from one instance to another creates a new application; it is not read back from the platform, so an imported application has none."),
    )
    .attribute(
        Attribute::string("name")
            .required()
            .validate(non_empty())
            .description("The application name."),
    )
    .attribute(
        Attribute::string("description")
            .optional()
            .description("A description of the application."),
    )
    .attribute(
        Attribute::string("url")
            .optional()
            .validate(absolute_url(true))
            .description("The application's home page, an absolute http(s) URL."),
    )
    .attribute(
        Attribute::set("redirect_uris", Type::String)
            .optional()
            .validate_each(redirect_uri_validator())
            .description("OAuth 2.0 redirect URIs, each an absolute URI."),
    )
    .attribute(
        Attribute::set("grant_types", Type::String)
            .optional()
            .validate_each(grant_type_validator())
            .description("OAuth 2.0 grant types: `password`, `implicit`, `client_credentials`, `authorization_code`, `refresh_token` (`refresh_token` needs `authorization_code`)."),
    )
    .attribute(
        Attribute::bool("api_endpoints")
            .default(Value::Bool(false))
            .requires_replace()
            .description("Whether the platform registers the redirect URIs as API endpoints. The platform accepts it only when the application is created, so changing it creates a new application. Defaults to `false`."),
    )
    .attribute(
        Attribute::map("secret_rotation_triggers", Type::String)
            .optional()
            .description("Arbitrary values; changing them from one set of values to another resets the client secret in place (the client id stays). Adding them where there were none, or removing them, does not reset it. Use it to rotate the secret on a schedule or on demand."),
    )
    .attribute(
        Attribute::string("client_id")
            .computed()
            .use_state_for_unknown()
            .description("The OAuth 2.0 client id."),
    )
    .attribute(
        Attribute::string("client_secret")
            .computed()
            .sensitive()
            .use_state_for_unknown()
            .description("The OAuth 2.0 client secret. Stored in the Terraform state: protect the state accordingly."),
    )
    .attribute(
        Attribute::string("created_at")
            .computed()
            .use_state_for_unknown()
            .description("When the application was created (RFC 3339)."),
    )
}

/// The state for an application: platform values, normalised against what
/// the user wrote (`wanted`), plus the inputs the platform does not report.
fn state_of(app: &Application, org: &str, wanted: &Value) -> Value {
    let mut v = Value::empty_object();
    for (k, x) in application_values(app, org, wanted) {
        v.set_attr(k, x);
    }
    v.set_attr("api_instance_id", wanted.attr("api_instance_id").clone());
    v.set_attr(
        "api_endpoints",
        match app.api_endpoints {
            Some(b) => Value::Bool(b),
            None => match wanted.attr("api_endpoints") {
                Value::Bool(b) => Value::Bool(*b),
                _ => Value::Bool(false),
            },
        },
    );
    v.set_attr(
        "secret_rotation_triggers",
        wanted.attr("secret_rotation_triggers").clone(),
    );
    v
}

fn opt_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn app_id(state: &Value, diags: &mut Diagnostics) -> Option<i64> {
    match state.attr_str("id").and_then(parse_app_id) {
        Some(id) => Some(id),
        None => {
            diags.error(
                "Invalid application id in state",
                format!("The state holds the application id {:?}, which is not numeric. Remove the resource from state and import it again.", state.attr("id")),
            );
            None
        }
    }
}

/// Whether the secret must be reset: the triggers changed from one recorded
/// value to another. Adding triggers where there were none only records them
/// (so importing an application never rotates its secret), and removing them
/// only stops managing rotation.
fn rotation_requested(prior: &Value, planned: &Value) -> bool {
    let before = prior.attr("secret_rotation_triggers");
    let after = planned.attr("secret_rotation_triggers");
    !prior.is_null() && !before.is_null() && !after.is_null() && before != after
}

#[async_trait]
impl Resource for ClientApplicationResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_grant_types(config, diags);
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange, _diags: &mut Diagnostics) {
        if change.is_create() {
            // Show the organization in the plan when the provider names it.
            if change.config.attr("org_id").is_null() {
                if let Some(data) = ctx
                    .provider_data
                    .clone()
                    .and_then(|d| d.downcast::<AnypointData>().ok())
                {
                    if let Some(org) = data.configured_org() {
                        change.planned.set_attr("org_id", Value::string(org));
                    }
                }
            }
            return;
        }
        if rotation_requested(&change.prior, &change.planned) {
            change.planned.set_attr("client_secret", Value::Unknown);
        }
        // Moving to another API instance needs a new application; recording
        // an instance where none was known (after import) does not.
        let before = change.prior.attr("api_instance_id");
        let after = change.planned.attr("api_instance_id");
        if !before.is_null() && !after.is_null() && before != after {
            change
                .requires_replace
                .push(AttrPath::attr("api_instance_id"));
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data
            .org_or_report(planned.attr_str("org_id"), diags)
            .await?;
        let new = NewApplication {
            name: planned.attr_str("name").unwrap_or_default().to_owned(),
            description: opt_string(planned.attr("description")),
            url: opt_string(planned.attr("url")),
            redirect_uri: strings(planned.attr("redirect_uris")),
            grant_types: strings(planned.attr("grant_types")),
            api_endpoints: planned.attr("api_endpoints").as_bool(),
        };
        // Applications that already have this name are never taken for the
        // one this create made, whatever goes wrong.
        let existing = match data
            .client
            .same_named_application_ids(&org, &new.name)
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
        match data
            .client
            .create_application_excluding(
                &org,
                &new,
                planned.attr_str("api_instance_id"),
                existing.as_deref(),
            )
            .await
        {
            Ok(app) => {
                tracing::info!(application_id = app.id, "Created client application");
                Some(state_of(&app, &org, planned))
            }
            Err(e) => {
                api_error(
                    diags,
                    &format!("creating client application {:?}", new.name),
                    &e,
                );
                if e.is_ambiguous() {
                    // The create may have happened anyway (and the client's
                    // own recovery failed): record what exists, so Terraform
                    // taints it instead of losing track of it.
                    return created_anyway(&data, &org, planned, existing.as_deref(), diags).await;
                }
                None
            }
        }
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let Some(id) = app_id(state, diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let Some(org) = data.org_or_report(state.attr_str("org_id"), diags).await else {
            return ReadOutcome::Found(state.clone());
        };
        match data.client.get_application(&org, id).await {
            Ok(app) => ReadOutcome::Found(state_of(&app, &org, state)),
            Err(e) if e.is_not_found() => {
                tracing::info!(application_id = id, "Client application is gone");
                ReadOutcome::Gone
            }
            Err(e) => {
                api_error(diags, &format!("reading client application {id}"), &e);
                ReadOutcome::Found(state.clone())
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let data = ctx.data::<AnypointData>(diags)?;
        let id = app_id(prior, diags)?;
        let org = prior.attr_str("org_id").unwrap_or_default().to_owned();
        let update = ApplicationUpdate {
            name: planned.attr_str("name").unwrap_or_default().to_owned(),
            description: opt_string(planned.attr("description")),
            url: opt_string(planned.attr("url")),
            redirect_uri: strings(planned.attr("redirect_uris")),
            grant_types: strings(planned.attr("grant_types")),
        };
        // Keep the known secret unless it is being rotated below.
        let mut wanted = planned.clone();
        wanted.set_attr("client_secret", prior.attr("client_secret").clone());
        let mut state = if prior_fields_changed(prior, planned) {
            match data.client.update_application(&org, id, &update).await {
                Ok(app) => state_of(&app, &org, &wanted),
                Err(e) => {
                    api_error(diags, &format!("updating client application {id}"), &e);
                    // The best-known state: what the platform holds now.
                    return match data.client.get_application(&org, id).await {
                        Ok(app) => Some(state_of(&app, &org, prior)),
                        Err(_) => None,
                    };
                }
            }
        } else {
            wanted.clone()
        };
        if rotation_requested(prior, planned) {
            match data.client.reset_secret(&org, id).await {
                Ok(app) => {
                    if let Some(s) = &app.client_secret {
                        state.set_attr("client_secret", Value::string(s.expose()));
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
                    if let Ok(app) = data.client.get_application(&org, id).await {
                        if let Some(s) = &app.client_secret {
                            rotated = prior
                                .attr_str("client_secret")
                                .is_some_and(|old| old != s.expose());
                            state.set_attr("client_secret", Value::string(s.expose()));
                        }
                    }
                    if !rotated {
                        // Keep the old triggers so the next plan retries the
                        // rotation (a new secret means it is done: rotating
                        // again would invalidate it a second time).
                        state.set_attr(
                            "secret_rotation_triggers",
                            prior.attr("secret_rotation_triggers").clone(),
                        );
                    }
                }
            }
        }
        Some(state)
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return;
        };
        let Some(id) = app_id(prior, diags) else {
            return;
        };
        let org = prior.attr_str("org_id").unwrap_or_default().to_owned();
        match data.client.delete_application(&org, id).await {
            Ok(()) => tracing::info!(application_id = id, "Deleted client application"),
            Err(e) if e.is_not_found() => {
                tracing::info!(application_id = id, "Client application was already gone")
            }
            Err(e) => api_error(diags, &format!("deleting client application {id}"), &e),
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let (org, app) = match id.split('/').collect::<Vec<_>>().as_slice() {
            [org, app] if is_uuid(org) && parse_app_id(app).is_some() => {
                (Some(org.to_string()), app.to_string())
            }
            [app] if parse_app_id(app).is_some() => (None, app.to_string()),
            _ => {
                diags.error(
                    "Invalid import id",
                    format!(
                        "The import id {id:?} is not of the form <org_id>/<application_id> (an organization UUID and a numeric application id, e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234\") or <application_id> (e.g. \"1234\", in the provider's organization)."
                    ),
                );
                return None;
            }
        };
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data.org_or_report(org.as_deref(), diags).await?;
        let mut v = Value::empty_object();
        v.set_attr("id", Value::string(app));
        v.set_attr("org_id", Value::string(org));
        v.set_attr("api_endpoints", Value::Bool(false));
        Some(v)
    }
}

/// After a create that failed ambiguously: the state of the application
/// that the create made, if exactly one application has the planned name.
async fn created_anyway(
    data: &AnypointData,
    org: &str,
    planned: &Value,
    existing: Option<&[i64]>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let name = planned.attr_str("name")?;
    let found = match data.client.find_applications_by_name(org, name).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(
                kind = e.kind(),
                "Cannot tell whether the failed create made the application"
            );
            return None;
        }
    };
    // Only an application that did not have the name before the create can
    // be ours; without that list, adopting one could take over (and later
    // delete) somebody else's application, so only point at it.
    let Some(existing) = existing else {
        if !found.is_empty() {
            let ids: Vec<String> = found.iter().map(|a| a.id.to_string()).collect();
            diags.warning(
                "The failed create may have made the application",
                format!(
                    "Applications named {name:?} exist (ids {}); if one was made by this failed create, import it with `terraform import`.",
                    ids.join(", ")
                ),
            );
        }
        return None;
    };
    let new: Vec<_> = found.iter().filter(|a| !existing.contains(&a.id)).collect();
    let [one] = new.as_slice() else {
        return None;
    };
    diags.warning(
        "Client application created despite the error",
        format!(
            "The application {name:?} exists with id {} after the failed create. Terraform \
             records it as tainted and replaces it on the next apply; run `terraform untaint` \
             to keep it instead.",
            one.id
        ),
    );
    let state = match data.client.get_application(org, one.id).await {
        Ok(app) => state_of(&app, org, planned),
        Err(_) => {
            // What the list tells; the rest stays as planned (unknown values
            // are recorded as null).
            let mut v = planned.clone();
            v.set_attr("id", Value::string(one.id.to_string()));
            v.set_attr("org_id", Value::string(org));
            v.set_attr("client_id", Value::opt_string(one.client_id.clone()));
            v.set_attr("created_at", Value::opt_string(one.created_at.clone()));
            v
        }
    };
    Some(state)
}

/// Whether any attribute the platform stores changed.
fn prior_fields_changed(prior: &Value, planned: &Value) -> bool {
    ["name", "description", "url", "redirect_uris", "grant_types"]
        .iter()
        .any(|k| prior.attr(k) != planned.attr(k))
}
