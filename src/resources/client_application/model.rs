//! The model of `anypoint_client_application` and what is built from it:
//! the schema, the state from a platform application, the requests, and
//! the configuration's own rule (`refresh_token` needs
//! `authorization_code`). The resource's hooks (`plan`, `apply` and the
//! trait in the parent) stand on this module; it stands on none of them.

use std::collections::{BTreeMap, BTreeSet};

use crate::resources::common::{grant_type_validator, redirect_uri_validator};
use crate::support::values::{norm_set, norm_string, parse_app_id, spelled_as, strings};
use crate::support::{org_id, OrgId};
use anypoint_client::{Application, ApplicationUpdate, NewApplication};
use secret::Secret;
use tfplugin::framework::validators::{name_text, non_empty, numeric_id, web_url};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Schema};
use tfplugin::tfvalue::{Type, Value};

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
        client_secret: Maybe<Secret>,
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
    .attribute(org_id(OrgId::Resource))
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
    pub fn state_of(&self, app: &Application, org: &str) -> ClientApplicationModel {
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
                Some(s) => Maybe::Known(s.clone()),
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
    pub fn keeping_planned(mut self, planned: &ClientApplicationModel) -> ClientApplicationModel {
        let seen = self.client_secret.clone();
        for (field, plan) in [
            (&mut self.client_id, &planned.client_id),
            (&mut self.created_at, &planned.created_at),
        ] {
            if !plan.is_unknown() {
                *field = plan.clone();
            }
        }
        if !planned.client_secret.is_unknown() {
            self.client_secret = planned.client_secret.clone();
        }
        // A secret the state will not hold still feeds the private record.
        if !planned.stores_secret() {
            self.client_secret = seen;
        }
        self
    }

    /// Whether the state holds the client secret (`store_client_secret`,
    /// null meaning its default).
    pub fn stores_secret(&self) -> bool {
        self.store_client_secret.as_bool() != Some(false)
    }

    /// What Terraform records of an application seen as `self`: all of it,
    /// or all but the secret.
    pub fn stored(mut self) -> ClientApplicationModel {
        if !self.stores_secret() {
            self.client_secret = Maybe::Null;
        }
        self
    }
}

impl ClientApplicationModel {
    /// The create request for the planned application.
    pub fn new_application(&self) -> NewApplication {
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
    pub fn application_update(&self) -> ApplicationUpdate {
        ApplicationUpdate {
            name: self.name.as_str().unwrap_or_default().to_owned(),
            description: self.description.as_known().cloned(),
            url: self.url.as_known().cloned(),
            redirect_uri: strings(self.redirect_uris.as_known()),
            grant_types: strings(self.grant_types.as_known()),
        }
    }

    /// Whether any attribute the platform stores differs from `other`.
    pub fn platform_fields_differ(&self, other: &ClientApplicationModel) -> bool {
        self.name != other.name
            || self.description != other.description
            || self.url != other.url
            || self.redirect_uris != other.redirect_uris
            || self.grant_types != other.grant_types
    }
}

pub fn app_id(state: &ClientApplicationModel, diags: &mut Diagnostics) -> Option<i64> {
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
pub fn check_grant_types(config: &ClientApplicationModel, diags: &mut Diagnostics) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ClientApplicationModel>(&schema());
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
    fn the_model_never_prints_the_secret() {
        let m = ClientApplicationModel {
            client_secret: Maybe::Known(Secret::from("app-secret-text")),
            ..Default::default()
        };
        let printed = format!("{m:?}");
        assert!(printed.contains("Secret(***)"), "{printed}");
        assert!(!printed.contains("app-secret-text"), "{printed}");
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
