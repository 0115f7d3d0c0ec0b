//! `anypoint_client_application_owner`: one owner of one client application.
//!
//! Owners are read from the application; adding and removing owners of the
//! same application are serialised inside the provider, so `for_each` over
//! many owners of one application does not race on the platform.

use async_trait::async_trait;

use crate::support::values::{parse_app_id, spelled_as};
use crate::support::{
    api_error, application_id, org_id, plan_org_id, AnypointData, ApplicationId, OrgId, OwnerKey,
};
use anypoint_client::{AddOwnerOutcome, Application};
use tfplugin::framework::diagnostics::quoted;
use tfplugin::framework::semantic::uuid_ignoring_case;
use tfplugin::framework::validators::{canonical_uuid, is_uuid, parse_numeric_id, same_uuid, uuid};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Plan, ReadResult, Schema, TypedResource};

pub struct ClientApplicationOwnerResource;

pub const TYPE_NAME: &str = "anypoint_client_application_owner";

tfplugin::model! {
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
    .attribute(org_id(OrgId::Resource))
    .attribute(
        // The owner's page has always named the leading-zero rule.
        application_id(ApplicationId::Resource)
            .description("The client application id (digits, without leading zeros), e.g. `anypoint_client_application.example.id`."),
    )
    .attribute(
        Attribute::string("user_id")
            .required()
            .requires_replace()
            .validate(uuid())
            .semantic_equality(uuid_ignoring_case())
            .description("The Anypoint user id (a UUID) of the owner. Compared without regard to case: a change of case only is no change."),
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

/// The resource id: `<org_id>/<application_id>/<user_id>`, canonical.
fn owner_id(org: &str, app_id: i64, user_id: &str) -> String {
    format!(
        "{}/{app_id}/{}",
        canonical_uuid(org),
        canonical_uuid(user_id)
    )
}

/// The state of one owner; `org` and `user_id` as they are to be recorded
/// (the planned spelling after a create, else canonical), the id canonical.
fn owner_state(org: &str, app_id: i64, user_id: &str, app: Option<&Application>) -> OwnerModel {
    // User ids are UUIDs: compare them without regard to case.
    let owner = app.and_then(|a| a.owners.iter().find(|o| same_uuid(&o.id, user_id)));
    OwnerModel {
        id: Maybe::Known(owner_id(org, app_id, user_id)),
        org_id: org.into(),
        application_id: Maybe::Known(app_id.to_string()),
        user_id: user_id.into(),
        username: owner.and_then(|o| o.username.clone()).into(),
        email: owner.and_then(|o| o.email.clone()).into(),
    }
}

#[async_trait]
impl TypedResource for ClientApplicationOwnerResource {
    type Model = OwnerModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(
        &self,
        data: Option<&AnypointData>,
        plan: &mut Plan<OwnerModel>,
        diags: &mut Diagnostics,
    ) {
        let Plan {
            prior,
            config,
            planned,
            ..
        } = plan;
        if let Some(prior) = prior {
            // Kept without replacement: this resource goes on managing its
            // owner in this run.
            let kept = planned.org_id == prior.org_id
                && planned.application_id == prior.application_id
                && planned.user_id == prior.user_id;
            if let (true, Some(data), Some(key)) = (kept, data, owner_key(prior)) {
                if data.owners.managed(&key) {
                    warn_second_resource(&key, diags);
                }
            }
            return;
        }
        if plan_org_id(data, &config.org_id, &mut planned.org_id, diags)
            .await
            .is_err()
        {
            return;
        }
        if let (Some(org), Some(app), Some(user)) = (
            planned.org_id.as_str(),
            planned.application_id.as_str().and_then(parse_app_id),
            planned.user_id.as_str(),
        ) {
            planned.id = Maybe::Known(owner_id(org, app, user));
        }
        if let Some(data) = data {
            // Both warnings need the user; without it, ask nothing.
            let me = match planned.user_id {
                Maybe::Known(_) => data.connected_app().await,
                _ => None,
            };
            // The organization the owner will be added in: the provider's
            // (the Connected App's) when the plan does not show it.
            let org = match (&planned.org_id, &config.org_id) {
                (Maybe::Known(o), _) => Some(o.clone()),
                (_, Maybe::Null) => me.as_ref().and_then(|me| me.org_id.clone()),
                _ => None,
            };
            let resolved = OwnerModel {
                org_id: org.into(),
                ..planned.clone()
            };
            if let Some(key) = owner_key(&resolved) {
                if data.owners.adopting(&key) {
                    warn_second_resource(&key, diags);
                }
            }
            if let (Some(user), Some(me)) = (
                planned.user_id.as_str(),
                me.as_ref().and_then(|me| me.user_id.as_deref()),
            ) {
                if same_uuid(me, user) {
                    warn_connected_app_user(user, diags);
                }
            }
        }
    }

    async fn create(
        &self,
        data: &AnypointData,
        planned: OwnerModel,
        _config: OwnerModel,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<OwnerModel> {
        let (Some(app_id), Some(planned_user)) = (
            planned.application_id.as_str().and_then(parse_app_id),
            planned.user_id.as_str().map(str::to_owned),
        ) else {
            diags.error(
                "Incomplete owner",
                "The owner has no application_id or user_id: set both in the configuration and apply.",
            );
            return None;
        };
        // The platform gets the canonical ids; the state keeps the planned
        // spelling (Terraform requires it after a create).
        let user_id = canonical_uuid(&planned_user);
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let lock = data.owner_lock(&org, app_id);
        let _guard = lock.lock().await;
        let already_owner = || {
            format!(
                "User {user_id} already owns client application {app_id}; Terraform now manages that ownership, and destroying this resource removes it."
            )
        };
        // Whether the user owns it already: a platform may answer the add
        // of an existing owner 201 like any other, so the owners are read
        // first (once per application and process: the read after each add
        // serves the next owner of the same application).
        if let Ok(app) = data.client.applications().read_shared(&org, app_id).await {
            if app.owners.iter().any(|o| same_uuid(&o.id, &user_id)) {
                diags.warning("User is already an owner", already_owner());
                let stored_org = spelled_as(planned.org_id.as_str(), &org);
                return Some(owner_state(&stored_org, app_id, &planned_user, Some(&app)));
            }
        }
        match data.client.owners().add(&org, app_id, &user_id).await {
            Ok(AddOwnerOutcome::Added) => {
                tracing::info!(application_id = app_id, "Added an application owner");
            }
            Ok(AddOwnerOutcome::AlreadyOwner) => {
                diags.warning("User is already an owner", already_owner())
            }
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
            .after_stop(data.client.applications().read_shared(&org, app_id))
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
        let stored_org = spelled_as(planned.org_id.as_str(), &org);
        Some(owner_state(
            &stored_org,
            app_id,
            &planned_user,
            app.as_ref(),
        ))
    }

    async fn read(
        &self,
        data: &AnypointData,
        state: OwnerModel,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadResult<OwnerModel> {
        let (Some(app_id), Some(user_id)) = (
            state.application_id.as_str().and_then(parse_app_id),
            state.user_id.as_str(),
        ) else {
            diags.error(
                "Invalid owner state",
                "The state lacks a numeric application_id or a user_id. Remove the resource from state and import it again.",
            );
            return ReadResult::Unchanged;
        };
        let Some(org) = data.org_or_report(state.org_id.as_str(), diags).await else {
            return ReadResult::Unchanged;
        };
        // Read records the canonical spelling of the ids.
        let user_id = canonical_uuid(user_id);
        // One read of the application serves all of its owner resources.
        match data.client.applications().read_shared(&org, app_id).await {
            Ok(app) if app.owners.iter().any(|o| same_uuid(&o.id, &user_id)) => {
                data.owners.read(&OwnerKey::new(&org, app_id, &user_id));
                ReadResult::Found(owner_state(&org, app_id, &user_id, Some(&app)))
            }
            Ok(_) => {
                tracing::info!(application_id = app_id, "Owner is no longer an owner");
                ReadResult::Gone
            }
            Err(e) if e.is_not_found() => ReadResult::Gone,
            Err(e) => {
                api_error(
                    diags,
                    &format!("reading the owners of client application {app_id}"),
                    &e,
                );
                ReadResult::Unchanged
            }
        }
    }

    async fn update(
        &self,
        _data: &AnypointData,
        _prior: OwnerModel,
        planned: OwnerModel,
        _config: OwnerModel,
        _private: &mut Vec<u8>,
        _diags: &mut Diagnostics,
    ) -> Option<OwnerModel> {
        // Every user-set attribute forces replacement; nothing to send.
        Some(planned)
    }

    async fn delete(&self, data: &AnypointData, prior: OwnerModel, diags: &mut Diagnostics) {
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
        let user_id = &canonical_uuid(user_id);
        let lock = data.owner_lock(org, app_id);
        let _guard = lock.lock().await;
        match data.client.owners().remove(org, app_id, user_id).await {
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

    async fn import(
        &self,
        _data: Option<&AnypointData>,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<OwnerModel> {
        const FORM: &str = "<org_id>/<application_id>/<user_id> (organization UUID, numeric application id, user UUID), e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234/5a6b7c8d-1111-4222-8333-444455556666\"";
        match id.split('/').collect::<Vec<_>>().as_slice() {
            [org, app, user] if is_uuid(org) && is_uuid(user) => match parse_numeric_id(app) {
                // Imported ids are recorded in canonical form.
                Ok(app_id) => Some(owner_state(
                    &canonical_uuid(org),
                    app_id,
                    &canonical_uuid(user),
                    None,
                )),
                Err(e) => {
                    diags.error(
                        "Invalid import id",
                        format!(
                            "The application id in the import id {} {} Expected {FORM}.",
                            quoted(id),
                            e.rule(app)
                        ),
                    );
                    None
                }
            },
            _ => {
                diags.error(
                    "Invalid import id",
                    format!("The import id {} is not of the form {FORM}.", quoted(id)),
                );
                None
            }
        }
    }
}

/// The owner a model names, when its ids are known.
fn owner_key(m: &OwnerModel) -> Option<OwnerKey> {
    Some(OwnerKey::new(
        m.org_id.as_str()?,
        m.application_id.as_str().and_then(parse_app_id)?,
        m.user_id.as_str()?,
    ))
}

fn warn_second_resource(key: &OwnerKey, diags: &mut Diagnostics) {
    diags.attr_warning(
        attrs::user_id(),
        "Two resources manage one owner",
        format!(
            "More than one anypoint_client_application_owner resource in this configuration \
             names user {} as an owner of client application {} (organization {}). They \
             share one ownership on the platform: destroying either removes it from under \
             the other. Keep one resource per owner and application.",
            key.user, key.app_id, key.org
        ),
    );
}

fn warn_connected_app_user(user: &str, diags: &mut Diagnostics) {
    diags.attr_warning(
        attrs::user_id(),
        "Owner is the Connected App's own user",
        format!(
            "User {user} is the user the Connected App acts for. The platform already makes \
             it the first owner of every application the Connected App creates, so this \
             resource is not needed; destroying it removes that ownership, which may lock \
             the Connected App out of the application (a Connected App can manage only the \
             applications it owns). Remove this resource, or protect it with \
             `lifecycle {{ prevent_destroy = true }}`."
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<OwnerModel>(&schema());
    }

    async fn import(id: &str) -> (Option<OwnerModel>, Diagnostics) {
        let mut d = Diagnostics::new();
        let m = ClientApplicationOwnerResource
            .import(None, id, &mut d)
            .await;
        (m, d)
    }

    #[tokio::test]
    async fn imports_record_canonical_ids() {
        let org = "0A9B8C7D-6E5F-4A3B-8C2D-1E0F9A8B7C6D";
        let user = "5EED0000-0000-4000-8000-000000000001";
        let (m, d) = import(&format!("{org}/1234/{user}")).await;
        assert!(!d.has_errors());
        let m = m.unwrap();
        assert_eq!(m.org_id.as_str(), Some(org.to_lowercase().as_str()));
        assert_eq!(m.user_id.as_str(), Some(user.to_lowercase().as_str()));
        assert_eq!(m.application_id.as_str(), Some("1234"));
        assert_eq!(
            m.id.as_str(),
            Some(format!("{org}/1234/{user}").to_lowercase().as_str())
        );
        for (bad, says) in [
            (format!("{org}/01234/{user}"), "leading zeros"),
            (format!("{org}/99999999999999999999999/{user}"), "too large"),
            (format!("{org}/1234"), "<org_id>/<application_id>/<user_id>"),
        ] {
            let (m, d) = import(&bad).await;
            assert!(m.is_none(), "{bad}");
            let detail = &d.iter().next().expect("an error").detail;
            assert!(detail.contains(says), "{bad}: {detail}");
        }
    }
}
