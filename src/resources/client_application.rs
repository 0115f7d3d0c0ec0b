//! `anypoint_client_application`: one client application.

use async_trait::async_trait;

use std::collections::{BTreeMap, BTreeSet};

use super::common::{grant_type_validator, redirect_uri_validator};
use crate::anypoint::{Application, ApplicationUpdate, NewApplication};
use crate::framework::semantic::uuid_ignoring_case;
use crate::framework::validators::{
    canonical_uuid, is_uuid, name_text, non_empty, numeric_id, parse_numeric_id, uuid, web_url,
};
use crate::framework::{
    Attribute, Ctx, Diagnostics, Maybe, Model, PlanChange, ReadOutcome, Resource, Schema,
};
use crate::secret::fingerprint;
use crate::support::values::{norm_set, norm_string, parse_app_id, spelled_as, strings};
use crate::support::{api_error, AnypointData};
use crate::tfvalue::{Type, Value};

mod advice;

use advice::{maybe_created, name_taken};

pub struct ClientApplicationResource;

pub const TYPE_NAME: &str = "anypoint_client_application";

crate::model! {
    /// The attributes of `anypoint_client_application`, as planned or stored.
    pub struct ClientApplicationModel, paths: attrs {
        id: Maybe<String>,
        org_id: Maybe<String>,
        api_instance_id: Maybe<String>,
        name: Maybe<String>,
        description: Maybe<String>,
        url: Maybe<String>,
        redirect_uris: Maybe<BTreeSet<String>>,
        grant_types: Maybe<BTreeSet<String>>,
        api_endpoints: Maybe<bool>,
        secret_rotation_triggers: Maybe<BTreeMap<String, String>>,
        client_id: Maybe<String>,
        client_secret: Maybe<String>,
        created_at: Maybe<String>,
    }
}

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
            .semantic_equality(uuid_ignoring_case())
            .description("The root organization that owns the application. Defaults to the provider's organization. Changing it creates a new application; a change of case only is no change."),
    )
    .attribute(
        Attribute::string("api_instance_id")
            .optional()
            .requires_replace_if_recorded()
            .validate(numeric_id())
            .description("An API instance id (digits, without leading zeros), sent as `apiVersionId` when the application is created; organizations that use an external client provider (federated organizations) need it. Changing it from one instance to another creates a new application; it is not read back from the platform, so an imported application has none."),
    )
    .attribute(
        Attribute::string("name")
            .required()
            .validate(non_empty())
            .validate(name_text())
            .description("The application name: printable text, without leading or trailing spaces."),
    )
    .attribute(
        Attribute::string("description")
            .optional()
            .description("A description of the application."),
    )
    .attribute(
        Attribute::string("url")
            .optional()
            .validate(web_url())
            .description("The application's home page, an absolute http(s) URL with a host, written without spaces."),
    )
    .attribute(
        Attribute::set("redirect_uris", Type::String)
            .optional()
            .validate_each(redirect_uri_validator())
            .description("OAuth 2.0 redirect URIs, each an absolute URI without spaces, fragment (`#…`) or user information (`user:password@`). The `javascript:`, `data:`, `file:`, `vbscript:`, `blob:` and `about:` schemes are refused; custom schemes of native apps, such as `com.example.app:/callback`, are accepted."),
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
            .requires_replace_if_recorded()
            .description("Whether the platform registers the redirect URIs as API endpoints. The platform accepts it only when the application is created, so changing it creates a new application. Defaults to `false`. It is not read back from the platform: an imported application records the configured value without being replaced."),
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

impl ClientApplicationModel {
    /// The state for an application: platform values, normalised against
    /// what the user wrote (`self`), plus the inputs the platform does not
    /// report.
    fn state_of(&self, app: &Application, org: &str) -> ClientApplicationModel {
        ClientApplicationModel {
            id: Maybe::Known(app.id.to_string()),
            org_id: Maybe::Known(spelled_as(self.org_id.as_str(), org)),
            api_instance_id: self.api_instance_id.clone(),
            name: Maybe::Known(app.name.clone()),
            description: norm_string(app.description.as_deref(), self.description.as_str()).into(),
            url: norm_string(app.url.as_deref(), self.url.as_str()).into(),
            redirect_uris: norm_set(&app.redirect_uri, self.redirect_uris.as_known()).into(),
            grant_types: norm_set(&app.grant_types, self.grant_types.as_known()).into(),
            // Write-only on the platform we know: keep what was recorded
            // (null after an import, so that the configured value is
            // recorded in place and generated configuration leaves it out).
            api_endpoints: match app.api_endpoints {
                Some(b) => Maybe::Known(b),
                None => self.api_endpoints.clone(),
            },
            secret_rotation_triggers: self.secret_rotation_triggers.clone(),
            client_id: Maybe::Known(app.client_id.clone()),
            client_secret: match &app.client_secret {
                Some(s) => Maybe::Known(s.expose().to_owned()),
                None => self.client_secret.clone(),
            },
            created_at: match &app.created_at {
                Some(c) => Maybe::Known(c.clone()),
                None => self.created_at.clone(),
            },
        }
    }

    /// The create request for the planned application.
    fn new_application(&self) -> NewApplication {
        NewApplication {
            name: self.name.as_str().unwrap_or_default().to_owned(),
            description: self.description.as_known().cloned(),
            url: self.url.as_known().cloned(),
            redirect_uri: strings(self.redirect_uris.as_known()),
            grant_types: strings(self.grant_types.as_known()),
            api_endpoints: self.api_endpoints.as_bool(),
        }
    }

    /// The update request for the planned application.
    fn application_update(&self) -> ApplicationUpdate {
        ApplicationUpdate {
            name: self.name.as_str().unwrap_or_default().to_owned(),
            description: self.description.as_known().cloned(),
            url: self.url.as_known().cloned(),
            redirect_uri: strings(self.redirect_uris.as_known()),
            grant_types: strings(self.grant_types.as_known()),
        }
    }

    /// Whether any attribute the platform stores differs from `other`.
    fn platform_fields_differ(&self, other: &ClientApplicationModel) -> bool {
        self.name != other.name
            || self.description != other.description
            || self.url != other.url
            || self.redirect_uris != other.redirect_uris
            || self.grant_types != other.grant_types
    }
}

fn app_id(state: &ClientApplicationModel, diags: &mut Diagnostics) -> Option<i64> {
    match state.id.as_str().and_then(parse_app_id) {
        Some(id) => Some(id),
        None => {
            diags.error(
                "Invalid application id in state",
                format!("The state holds the application id {:?}, which is not numeric. Remove the resource from state and import it again.", crate::framework::model::Field::encode(&state.id)),
            );
            None
        }
    }
}

/// Whether the secret must be reset: the triggers changed from one recorded
/// value to another. Adding triggers where there were none only records them
/// (so importing an application never rotates its secret), and removing them
/// only stops managing rotation.
fn rotation_requested(prior: &ClientApplicationModel, planned: &ClientApplicationModel) -> bool {
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

/// refresh_token is only valid next to authorization_code.
fn check_grant_types(config: &ClientApplicationModel, diags: &mut Diagnostics) {
    let Some(grants) = config.grant_types.as_known() else {
        return;
    };
    if grants.contains("refresh_token") && !grants.contains("authorization_code") {
        diags.attr_error(
            attrs::grant_types(),
            "Invalid grant types",
            "The grant type \"refresh_token\" requires \"authorization_code\": add \
             \"authorization_code\" to grant_types or remove \"refresh_token\".",
        );
    }
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
        if let Some(config) = ClientApplicationModel::decode(config, diags) {
            check_grant_types(&config, diags);
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange, diags: &mut Diagnostics) {
        let Some(mut planned) = ClientApplicationModel::decode(&change.planned, diags) else {
            return;
        };
        if change.is_create() {
            let Some(config) = ClientApplicationModel::decode(&change.config, diags) else {
                return;
            };
            // Show the organization in the plan when the provider names it.
            if config.org_id.is_null() {
                if let Some(data) = ctx
                    .provider_data
                    .clone()
                    .and_then(|d| d.downcast::<AnypointData>().ok())
                {
                    if let Some(org) = data.configured_org() {
                        planned.org_id = org.into();
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

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let planned = ClientApplicationModel::decode(planned, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let new = planned.new_application();
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
        // A listed name is taken: refused before anything is sent.
        if let Some(ids) = existing.as_deref().filter(|ids| !ids.is_empty()) {
            name_taken(diags, &org, &new.name, ids, None);
            return None;
        }
        match data
            .client
            .create_application_excluding(
                &org,
                &new,
                planned.api_instance_id.as_str(),
                existing.as_deref(),
            )
            .await
        {
            Ok(app) => {
                tracing::info!(application_id = app.id, "Created client application");
                Some(planned.state_of(&app, &org).to_value())
            }
            Err(e) if e.is_ambiguous() => {
                // The create may have happened anyway (and the client's own
                // recovery failed): record what exists, so Terraform taints
                // it instead of losing track of it; else say how to import it.
                let doing = format!("creating client application {:?}", new.name);
                let found = created_anyway(&data, &org, &planned, existing.as_deref(), diags);
                match data.client.after_stop(found).await {
                    Ok(state) => {
                        api_error(diags, &doing, &e);
                        Some(state.to_value())
                    }
                    Err(candidates) => {
                        maybe_created(diags, &doing, &e, &org, &new.name, &candidates);
                        None
                    }
                }
            }
            Err(e) if e.is_conflict() => {
                // The platform refused the name: say which application has it.
                let ids = match data.client.find_applications_by_name(&org, &new.name).await {
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

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let unchanged = || ReadOutcome::Found(state.clone());
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return unchanged();
        };
        let Some(model) = ClientApplicationModel::decode(state, diags) else {
            return unchanged();
        };
        let Some(id) = app_id(&model, diags) else {
            return unchanged();
        };
        let Some(org) = data.org_or_report(model.org_id.as_str(), diags).await else {
            return unchanged();
        };
        // Read records the canonical spelling of the organization.
        let model = ClientApplicationModel {
            org_id: Maybe::Null,
            ..model
        };
        match data.client.get_application(&org, id).await {
            Ok(app) => ReadOutcome::Found(model.state_of(&app, &org).to_value()),
            Err(e) if e.is_not_found() => {
                tracing::info!(application_id = id, "Client application is gone");
                ReadOutcome::Gone
            }
            Err(e) => {
                api_error(diags, &format!("reading client application {id}"), &e);
                unchanged()
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
        let prior = ClientApplicationModel::decode(prior, diags)?;
        let planned = ClientApplicationModel::decode(planned, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let id = app_id(&prior, diags)?;
        let org = canonical_uuid(prior.org_id.as_str().unwrap_or_default());
        let update = planned.application_update();
        // Keep the known secret unless it is being rotated below.
        let wanted = ClientApplicationModel {
            client_secret: prior.client_secret.clone(),
            ..planned.clone()
        };
        let mut state = if prior.platform_fields_differ(&planned) {
            match data.client.update_application(&org, id, &update).await {
                Ok(app) => wanted.state_of(&app, &org),
                Err(e) => {
                    api_error(diags, &format!("updating client application {id}"), &e);
                    // The best-known state: what the platform holds now.
                    return match data
                        .client
                        .after_stop(data.client.get_application(&org, id))
                        .await
                    {
                        Ok(app) => Some(prior.state_of(&app, &org).to_value()),
                        Err(_) => None,
                    };
                }
            }
        } else {
            wanted
        };
        // The plan leaves the secret unknown only when it must be reset (not
        // when the platform's secret shows the rotation already happened).
        if rotation_requested(&prior, &planned) && planned.client_secret.is_unknown() {
            match data.client.reset_secret(&org, id).await {
                Ok(app) => {
                    if let Some(s) = &app.client_secret {
                        state.client_secret = s.expose().into();
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
                    let reread = data.client.get_application(&org, id);
                    if let Ok(app) = data.client.after_stop(reread).await {
                        if let Some(s) = &app.client_secret {
                            rotated = prior
                                .client_secret
                                .as_str()
                                .is_some_and(|old| old != s.expose());
                            state.client_secret = s.expose().into();
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
        Some(state.to_value())
    }

    /// Records the fingerprint of the client secret and of the triggers as
    /// they are once the triggers have been applied (see [`already_rotated`]).
    fn private_after_apply(&self, new_state: &Value) -> Option<Vec<u8>> {
        let state = ClientApplicationModel::decode(new_state, &mut Diagnostics::new())?;
        Some(
            rotation_record(&state)
                .map(|r| r.to_string().into_bytes())
                .unwrap_or_default(),
        )
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return;
        };
        let Some(prior) = ClientApplicationModel::decode(prior, diags) else {
            return;
        };
        let Some(id) = app_id(&prior, diags) else {
            return;
        };
        let org = canonical_uuid(prior.org_id.as_str().unwrap_or_default());
        match data.client.delete_application(&org, id).await {
            Ok(()) => tracing::info!(application_id = id, "Deleted client application"),
            Err(e) if e.is_not_found() => {
                tracing::info!(application_id = id, "Client application was already gone")
            }
            Err(e) => api_error(diags, &format!("deleting client application {id}"), &e),
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let (org, app) = parse_import_id(id, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data.org_or_report(org.as_deref(), diags).await?;
        let imported = ClientApplicationModel {
            id: Maybe::Known(app.to_string()),
            org_id: Maybe::Known(org),
            // Not readable from the platform: null until the configuration
            // records it (in place).
            api_endpoints: Maybe::Null,
            ..Default::default()
        };
        Some(imported.to_value())
    }
}

const IMPORT_FORMS: &str = "<org_id>/<application_id> (an organization UUID and a numeric application id, e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234\") or <application_id> (e.g. \"1234\", in the provider's organization)";

/// `<org_id>/<application_id>` or `<application_id>`: the organization (as
/// written) and the application id.
fn parse_import_id(id: &str, diags: &mut Diagnostics) -> Option<(Option<String>, i64)> {
    let (org, app) = match id.split('/').collect::<Vec<_>>().as_slice() {
        [org, app] if is_uuid(org) => (Some(org.to_string()), *app),
        [app] => (None, *app),
        _ => {
            diags.error(
                "Invalid import id",
                format!("The import id {id:?} is not of the form {IMPORT_FORMS}."),
            );
            return None;
        }
    };
    match parse_numeric_id(app) {
        Ok(app) => Some((org, app)),
        Err(e) => {
            diags.error(
                "Invalid import id",
                format!(
                    "The application id in the import id {id:?} {} Expected {IMPORT_FORMS}.",
                    e.rule(app)
                ),
            );
            None
        }
    }
}

/// After a create that failed ambiguously: the state of the application
/// that the create made, if exactly one application has the planned name
/// and did not have it before; else the ids of the applications with the
/// name that the create may have made (to name with the import advice).
async fn created_anyway(
    data: &AnypointData,
    org: &str,
    planned: &ClientApplicationModel,
    existing: Option<&[i64]>,
    diags: &mut Diagnostics,
) -> Result<ClientApplicationModel, Vec<i64>> {
    let name = planned.name.as_str().unwrap_or_default();
    let found = match data.client.find_applications_by_name(org, name).await {
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
    let new: Vec<_> = found.iter().filter(|a| !existing.contains(&a.id)).collect();
    let [one] = new.as_slice() else {
        return Err(new.iter().map(|a| a.id).collect());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ClientApplicationModel>(&schema());
    }

    #[test]
    fn import_ids_follow_the_id_rules() {
        let org = "0F8B9E2A-1C3D-4E5F-8A7B-6C5D4E3F2A1B";
        let mut d = Diagnostics::new();
        assert_eq!(parse_import_id("1234", &mut d), Some((None, 1234)));
        assert_eq!(
            parse_import_id(&format!("{org}/1234"), &mut d),
            Some((Some(org.to_owned()), 1234))
        );
        assert!(!d.has_errors());
        let detail = |id: &str| {
            let mut d = Diagnostics::new();
            assert_eq!(parse_import_id(id, &mut d), None, "{id}");
            let detail = d.iter().next().expect("an error").detail.clone();
            detail
        };
        assert!(detail("01234").contains("leading zeros"));
        let overflow = detail(&format!("{org}/99999999999999999999999"));
        assert!(overflow.contains("too large"), "{overflow}");
        assert!(!overflow.contains("must be numeric"), "{overflow}");
        assert!(detail("not-an-org/12").contains("<org_id>/<application_id>"));
        assert!(detail("a/b/c").contains("<org_id>/<application_id>"));
    }

    #[test]
    fn imported_state_leaves_api_endpoints_unrecorded() {
        let mut app = ClientApplicationModel {
            api_endpoints: Maybe::Null,
            ..Default::default()
        };
        let platform = |api_endpoints| {
            let mut app: Application =
                serde_json::from_value(serde_json::json!({"id": 7, "name": "n"})).unwrap();
            app.api_endpoints = api_endpoints;
            app
        };
        assert_eq!(
            app.state_of(&platform(None), "o").api_endpoints,
            Maybe::Null
        );
        assert_eq!(
            app.state_of(&platform(Some(true)), "o").api_endpoints,
            Maybe::Known(true),
            "what the platform reports wins"
        );
        app.api_endpoints = Maybe::Known(true);
        assert_eq!(
            app.state_of(&platform(None), "o").api_endpoints,
            Maybe::Known(true)
        );
    }

    #[test]
    fn refresh_token_needs_authorization_code() {
        let with = |grants: &[&str]| {
            let config = ClientApplicationModel {
                grant_types: Maybe::Known(grants.iter().map(|g| g.to_string()).collect()),
                ..Default::default()
            };
            let mut d = Diagnostics::new();
            check_grant_types(&config, &mut d);
            d.has_errors()
        };
        assert!(with(&["refresh_token"]));
        assert!(!with(&["refresh_token", "authorization_code"]));
    }

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

    #[test]
    fn requests_are_built_from_the_model() {
        let m = ClientApplicationModel {
            name: "app".into(),
            url: Maybe::Null,
            description: "".into(),
            redirect_uris: Maybe::Known(["https://b".to_owned(), "https://a".to_owned()].into()),
            api_endpoints: Maybe::Known(true),
            ..Default::default()
        };
        let new = m.new_application();
        assert_eq!(new.name, "app");
        assert_eq!(new.description.as_deref(), Some(""));
        assert_eq!(new.url, None);
        assert_eq!(new.redirect_uri, ["https://a", "https://b"]);
        assert!(new.grant_types.is_empty());
        assert_eq!(new.api_endpoints, Some(true));
        let update = m.application_update();
        assert_eq!(update.redirect_uri, new.redirect_uri);
        assert_eq!(update.description, new.description);
    }
}
