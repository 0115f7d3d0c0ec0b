//! `anypoint_client_application`: one client application.
//!
//! The module is layered: `model` (the model, the schema and what is built
//! from them) at the bottom; `advice` (what a create that meets a taken
//! name says) and `plan` (the plan and the private record of the secret's
//! rotation) on it; `apply` (create, update, delete) on those; and this
//! module, the resource's hooks, on top.

use async_trait::async_trait;

use crate::support::{api_error, AnypointData};
use tfplugin::framework::diagnostics::quoted;
use tfplugin::framework::validators::{is_uuid, parse_numeric_id};
use tfplugin::framework::{
    configured, Diagnostics, Maybe, Plan, ReadResult, Schema, TypedResource,
};

mod advice;
mod apply;
mod model;
mod plan;

pub use model::{schema, ClientApplicationModel, TYPE_NAME};

use model::{app_id, check_grant_types};
use plan::Record;

pub struct ClientApplicationResource;

/// What Terraform records after an apply that left the application as
/// `seen`, with (in `private`) the fingerprints for the next plan.
fn applied(seen: ClientApplicationModel, private: &mut Vec<u8>) -> ClientApplicationModel {
    *private = Record::parse(private).after_apply(&seen).to_bytes();
    seen.stored()
}

#[async_trait]
impl TypedResource for ClientApplicationResource {
    type Model = ClientApplicationModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &ClientApplicationModel, diags: &mut Diagnostics) {
        check_grant_types(config, diags);
    }

    async fn modify_plan(
        &self,
        data: Option<&AnypointData>,
        plan: &mut Plan<ClientApplicationModel>,
        diags: &mut Diagnostics,
    ) {
        plan::modify_plan(data, plan, diags).await
    }

    async fn create(
        &self,
        data: &AnypointData,
        planned: ClientApplicationModel,
        _config: ClientApplicationModel,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<ClientApplicationModel> {
        let seen = apply::create(data, planned, diags).await?;
        Some(applied(seen, private))
    }

    async fn read(
        &self,
        data: &AnypointData,
        state: ClientApplicationModel,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadResult<ClientApplicationModel> {
        let Some(id) = app_id(&state, diags) else {
            return ReadResult::Unchanged;
        };
        let Some(org) = data.org_or_report(state.org_id.as_str(), diags).await else {
            return ReadResult::Unchanged;
        };
        // Read records the canonical spelling of the organization.
        let state = ClientApplicationModel {
            org_id: Maybe::Null,
            ..state
        };
        // From this process's application list when it carries the whole
        // application, else read by id; only a read by id says it is gone.
        match data.client.applications().read(&org, id).await {
            Ok(app) => {
                let seen = state.state_of(&app, &org);
                *private = Record::parse(private).after_read(&seen).to_bytes();
                ReadResult::Found(seen.stored())
            }
            Err(e) if e.is_not_found() => {
                tracing::info!(application_id = id, "Client application is gone");
                ReadResult::Gone
            }
            Err(e) => {
                api_error(diags, &format!("reading client application {id}"), &e);
                ReadResult::Unchanged
            }
        }
    }

    async fn update(
        &self,
        data: &AnypointData,
        prior: ClientApplicationModel,
        planned: ClientApplicationModel,
        _config: ClientApplicationModel,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<ClientApplicationModel> {
        let mut record = Record::parse(private);
        let seen = apply::update(data, prior, planned, &record, diags).await;
        match seen {
            Some(seen) => Some(applied(seen, private)),
            None => {
                record.reset_secret = false;
                *private = record.to_bytes();
                None
            }
        }
    }

    async fn delete(
        &self,
        data: &AnypointData,
        prior: ClientApplicationModel,
        diags: &mut Diagnostics,
    ) {
        apply::delete(data, prior, diags).await
    }

    async fn import(
        &self,
        data: Option<&AnypointData>,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<ClientApplicationModel> {
        let (org, app) = parse_import_id(id, diags)?;
        let data = configured(data, diags)?;
        let org = data.org_or_report(org.as_deref(), diags).await?;
        Some(ClientApplicationModel {
            id: Maybe::Known(app.to_string()),
            org_id: Maybe::Known(org),
            // Not readable from the platform: null until the configuration
            // records it (in place).
            api_endpoints: Maybe::Null,
            ..Default::default()
        })
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
                format!(
                    "The import id {} is not of the form {IMPORT_FORMS}.",
                    quoted(id)
                ),
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
                    "The application id in the import id {} {} Expected {IMPORT_FORMS}.",
                    quoted(id),
                    e.rule(app)
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
