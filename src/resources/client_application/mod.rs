//! `anypoint_client_application`: one client application.

use async_trait::async_trait;

use std::collections::{BTreeMap, BTreeSet};

use super::common::{grant_type_validator, redirect_uri_validator};
use crate::support::values::{norm_set, norm_string, parse_app_id, spelled_as, strings};
use crate::support::{api_error, root_org_id_for_resource, AnypointData};
use anypoint_client::{Application, ApplicationUpdate, NewApplication};
use tfplugin::framework::diagnostics::quoted;
use tfplugin::framework::validators::{
    is_uuid, name_text, non_empty, numeric_id, parse_numeric_id, web_url,
};
use tfplugin::framework::{
    Attribute, Ctx, Diagnostics, Maybe, Model, PlanChange, ReadOutcome, Resource, Schema,
};
use tfplugin::tfvalue::{Type, Value};

mod advice;
mod apply;
mod plan;

use plan::Record;

pub struct ClientApplicationResource;

pub const TYPE_NAME: &str = "anypoint_client_application";

tfplugin::model! {
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
        store_client_secret: Maybe<bool>,
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
        root_org_id_for_resource(),
    )
    .attribute(
        Attribute::string("api_instance_id")
            .optional()
            .requires_replace_if_recorded()
            .validate(numeric_id())
            .description("An API instance id (digits, without leading zeros), sent as `apiVersionId` when the application is created; federated organizations need it. Changing it from one instance to another creates a new application. Not read back from the platform."),
    )
    .attribute(
        Attribute::string("name")
            .required()
            .validate(non_empty())
            .validate(name_text())
            .description("The application name: printable text with at least one visible character, without leading or trailing spaces, line or paragraph separators, byte-order marks or bidirectional controls."),
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
            .description("The application's home page, an absolute http(s) URL with a host, written without spaces, invisible characters or user information (`user:password@`)."),
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
            .description("Whether the platform registers the redirect URIs as API endpoints. Defaults to `false`. Set only at creation, so changing it creates a new application. Not read back from the platform."),
    )
    .attribute(
        Attribute::map("secret_rotation_triggers", Type::String)
            .optional()
            .description("Arbitrary values; changing them from one set of values to another resets the client secret in place (the client id stays). Adding them where there were none, or removing them, does not reset it. Use it to rotate the secret on a schedule or on demand."),
    )
    .attribute(
        Attribute::bool("store_client_secret")
            .default(Value::Bool(true))
            .description("Whether the Terraform state and saved plans hold the client secret. Defaults to `true`. With `false`, `client_secret` is null in every plan and state; read the secret through the ephemeral resource `anypoint_client_application_credentials`. Changing it updates in place."),
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
            .description("The OAuth 2.0 client secret. Stored in the Terraform state, so protect the state accordingly, unless `store_client_secret` is `false`: then it is null."),
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
            // Null (imported, or recorded by an earlier version) means the
            // default.
            store_client_secret: Maybe::Known(self.stores_secret()),
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

    /// The values the platform sets, as `planned` shows them where it
    /// shows one: a state Terraform accepts after an update even when the
    /// platform changed them since the plan.
    fn keeping_planned(mut self, planned: &ClientApplicationModel) -> ClientApplicationModel {
        let seen = self.client_secret.clone();
        for (field, plan) in [
            (&mut self.client_id, &planned.client_id),
            (&mut self.client_secret, &planned.client_secret),
            (&mut self.created_at, &planned.created_at),
        ] {
            if !plan.is_unknown() {
                *field = plan.clone();
            }
        }
        // A secret the state will not hold still feeds the private record.
        if !planned.stores_secret() {
            self.client_secret = seen;
        }
        self
    }

    /// Whether the state holds the client secret (`store_client_secret`,
    /// null meaning its default).
    fn stores_secret(&self) -> bool {
        self.store_client_secret.as_bool() != Some(false)
    }

    /// What Terraform records of an application seen as `self`: all of it,
    /// or all but the secret.
    fn stored(mut self) -> ClientApplicationModel {
        if !self.stores_secret() {
            self.client_secret = Maybe::Null;
        }
        self
    }
}

/// The state to record after an apply that left the application as `seen`,
/// and (in `private`) the fingerprints for the next plan.
fn applied(seen: ClientApplicationModel, private: &mut Vec<u8>) -> Value {
    *private = Record::parse(private).after_apply(&seen).to_bytes();
    seen.stored().to_value()
}

impl ClientApplicationModel {
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
                format!("The state holds the application id {:?}, which is not numeric. Remove the resource from state and import it again.", tfplugin::framework::model::Field::encode(&state.id)),
            );
            None
        }
    }
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
        plan::modify_plan(ctx, change, diags).await
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let seen = apply::create(ctx, planned, diags).await?;
        Some(applied(seen, private))
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
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
        // From this process's application list when it carries the whole
        // application, else read by id; only a read by id says it is gone.
        match data.client.applications().read(&org, id).await {
            Ok(app) => {
                let seen = model.state_of(&app, &org);
                *private = Record::parse(private).after_read(&seen).to_bytes();
                ReadOutcome::Found(seen.stored().to_value())
            }
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
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let mut record = Record::parse(private);
        let seen = apply::update(ctx, prior, planned, &record, diags).await;
        match seen {
            Some(seen) => Some(applied(seen, private)),
            None => {
                record.reset_secret = false;
                *private = record.to_bytes();
                None
            }
        }
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        apply::delete(ctx, prior, diags).await
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
    use tfplugin::framework::assert_model_matches_schema;

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
