//! `anypoint_client_application_owner`: one owner of one client application.
//!
//! Owners are read from the application; adding and removing owners of the
//! same application are serialised inside the provider, so `for_each` over
//! many owners of one application does not race on the platform.

use async_trait::async_trait;

use crate::anypoint::{AddOwnerOutcome, Application};
use crate::framework::validators::{digits, is_uuid, uuid};
use crate::framework::{
    Attribute, Ctx, Diagnostics, Maybe, Model, PlanChange, ReadOutcome, Resource, Schema,
};
use crate::support::values::parse_app_id;
use crate::support::{api_error, AnypointData};
use crate::tfvalue::Value;

pub struct ClientApplicationOwnerResource;

pub const TYPE_NAME: &str = "anypoint_client_application_owner";

crate::model! {
    /// The attributes of `anypoint_client_application_owner`.
    pub struct OwnerModel, paths: attrs {
        id: Maybe<String>,
        org_id: Maybe<String>,
        application_id: Maybe<String>,
        user_id: Maybe<String>,
        username: Maybe<String>,
        email: Maybe<String>,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "One owner of a client application. Create one instance per owner. The Connected \
         App's own user, which the platform makes the first owner of every application it \
         creates, needs no resource.",
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .use_state_for_unknown()
            .description("`<org_id>/<application_id>/<user_id>`."),
    )
    .attribute(
        Attribute::string("org_id")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .validate(uuid())
            .description("The root organization of the application. Defaults to the provider's organization."),
    )
    .attribute(
        Attribute::string("application_id")
            .required()
            .requires_replace()
            .validate(digits())
            .description("The client application id (digits), e.g. `anypoint_client_application.example.id`."),
    )
    .attribute(
        Attribute::string("user_id")
            .required()
            .requires_replace()
            .validate(uuid())
            .description("The Anypoint user id (a UUID) of the owner."),
    )
    .attribute(
        Attribute::string("username")
            .computed()
            .use_state_for_unknown()
            .description("The owner's username, as the platform reports it."),
    )
    .attribute(
        Attribute::string("email")
            .computed()
            .use_state_for_unknown()
            .description("The owner's email address, as the platform reports it."),
    )
}

fn owner_state(org: &str, app_id: i64, user_id: &str, app: Option<&Application>) -> OwnerModel {
    // User ids are UUIDs: compare them without regard to case.
    let owner = app.and_then(|a| a.owners.iter().find(|o| o.id.eq_ignore_ascii_case(user_id)));
    OwnerModel {
        id: Maybe::Known(format!("{org}/{app_id}/{user_id}")),
        org_id: org.into(),
        application_id: Maybe::Known(app_id.to_string()),
        user_id: user_id.into(),
        username: owner.and_then(|o| o.username.clone()).into(),
        email: owner.and_then(|o| o.email.clone()).into(),
    }
}

#[async_trait]
impl Resource for ClientApplicationOwnerResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange, diags: &mut Diagnostics) {
        if !change.is_create() {
            return;
        }
        let Some(config) = OwnerModel::decode(&change.config, diags) else {
            return;
        };
        let Some(mut planned) = OwnerModel::decode(&change.planned, diags) else {
            return;
        };
        if config.org_id.is_null() {
            if let Some(org) = ctx
                .provider_data
                .clone()
                .and_then(|d| d.downcast::<AnypointData>().ok())
                .and_then(|d| d.configured_org().map(str::to_owned))
            {
                planned.org_id = Maybe::Known(org);
            }
        }
        if let (Some(org), Some(app), Some(user)) = (
            planned.org_id.as_str(),
            planned.application_id.as_str(),
            planned.user_id.as_str(),
        ) {
            planned.id = Maybe::Known(format!("{org}/{app}/{user}"));
        }
        planned.write_changes(&mut change.planned);
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let planned = OwnerModel::decode(planned, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let app_id = planned.application_id.as_str().and_then(parse_app_id)?;
        let user_id = planned.user_id.as_str()?.to_owned();
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let lock = data.owner_lock(&org, app_id);
        let _guard = lock.lock().await;
        match data.client.add_owner(&org, app_id, &user_id).await {
            Ok(AddOwnerOutcome::Added) => {
                tracing::info!(application_id = app_id, "Added an application owner");
            }
            Ok(AddOwnerOutcome::AlreadyOwner) => diags.warning(
                "User is already an owner",
                format!(
                    "User {user_id} already owns client application {app_id}; Terraform now manages that ownership, and destroying this resource removes it."
                ),
            ),
            Err(e) if e.is_not_found() => {
                diags.error(
                    "Error adding an application owner",
                    format!("Client application {app_id} or user {user_id} does not exist in organization {org}: {e}"),
                );
                return None;
            }
            Err(e) => {
                api_error(
                    diags,
                    &format!("adding user {user_id} as an owner of client application {app_id}"),
                    &e,
                );
                return None;
            }
        }
        // Fill the readable attributes; the ownership exists either way.
        let app = match data
            .client
            .after_stop(data.client.get_application(&org, app_id))
            .await
        {
            Ok(app) => Some(app),
            Err(e) => {
                diags.warning(
                    "Could not read the owner's details",
                    format!("The owner was added, but reading the application failed: {e}. The next refresh fills username and email."),
                );
                None
            }
        };
        Some(owner_state(&org, app_id, &user_id, app.as_ref()).to_value())
    }

    async fn read(&self, ctx: &Ctx, state: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let Some(model) = OwnerModel::decode(state, diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let (Some(app_id), Some(user_id)) = (
            model.application_id.as_str().and_then(parse_app_id),
            model.user_id.as_str(),
        ) else {
            diags.error(
                "Invalid owner state",
                "The state lacks a numeric application_id or a user_id. Remove the resource from state and import it again.",
            );
            return ReadOutcome::Found(state.clone());
        };
        let Some(org) = data.org_or_report(model.org_id.as_str(), diags).await else {
            return ReadOutcome::Found(state.clone());
        };
        match data.client.get_application(&org, app_id).await {
            Ok(app)
                if app
                    .owners
                    .iter()
                    .any(|o| o.id.eq_ignore_ascii_case(user_id)) =>
            {
                ReadOutcome::Found(owner_state(&org, app_id, user_id, Some(&app)).to_value())
            }
            Ok(_) => {
                tracing::info!(application_id = app_id, "Owner is no longer an owner");
                ReadOutcome::Gone
            }
            Err(e) if e.is_not_found() => ReadOutcome::Gone,
            Err(e) => {
                api_error(
                    diags,
                    &format!("reading the owners of client application {app_id}"),
                    &e,
                );
                ReadOutcome::Found(state.clone())
            }
        }
    }

    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: &Value,
        planned: &Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) -> Option<Value> {
        // Every user-set attribute forces replacement; nothing to send.
        Some(planned.clone())
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return;
        };
        let Some(prior) = OwnerModel::decode(prior, diags) else {
            return;
        };
        let (Some(app_id), Some(user_id)) = (
            prior.application_id.as_str().and_then(parse_app_id),
            prior.user_id.as_str(),
        ) else {
            diags.error(
                "Invalid owner state",
                "The state lacks a numeric application_id or a user_id, so the owner cannot be removed. Remove the resource from state with `terraform state rm`.",
            );
            return;
        };
        let Some(org) = data.org_or_report(prior.org_id.as_str(), diags).await else {
            return;
        };
        let org = org.as_str();
        let lock = data.owner_lock(org, app_id);
        let _guard = lock.lock().await;
        match data.client.remove_owner(org, app_id, user_id).await {
            Ok(()) => tracing::info!(application_id = app_id, "Removed an application owner"),
            // The owner, or the whole application, is already gone.
            Err(e) if e.is_not_found() => {}
            Err(e) => api_error(
                diags,
                &format!("removing user {user_id} from the owners of client application {app_id}"),
                &e,
            ),
        }
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        match id.split('/').collect::<Vec<_>>().as_slice() {
            [org, app, user] if is_uuid(org) && is_uuid(user) => {
                match parse_app_id(app) {
                    Some(app_id) => Some(owner_state(org, app_id, user, None).to_value()),
                    None => {
                        let why = if !app.is_empty() && app.bytes().all(|b| b.is_ascii_digit()) {
                            format!("is too large: an application id fits a 64-bit integer (at most {})", i64::MAX)
                        } else {
                            "must be numeric".to_owned()
                        };
                        diags.error("Invalid import id", format!("The application id {app:?} in {id:?} {why}. Expected <org_id>/<application_id>/<user_id>, e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234/5a6b7c8d-1111-4222-8333-444455556666\"."));
                        None
                    }
                }
            }
            _ => {
                diags.error(
                    "Invalid import id",
                    format!("The import id {id:?} is not of the form <org_id>/<application_id>/<user_id> (organization UUID, numeric application id, user UUID), e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234/5a6b7c8d-1111-4222-8333-444455556666\"."),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<OwnerModel>(&schema());
    }
}
