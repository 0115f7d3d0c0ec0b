//! `anypoint_client_application_credentials`: an application's client id
//! and secret, read when Terraform opens it and kept out of plan and state.

use async_trait::async_trait;

use crate::support::values::{parse_app_id, spelled_as};
use crate::support::{
    api_error, application_id, org_id, AnypointData, ApplicationId, OrgId, OrgIdReadBack,
};
use secret::Secret;
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Opened, Schema, TypedEphemeralResource};

pub struct ClientApplicationCredentialsEphemeral;

pub const TYPE_NAME: &str = "anypoint_client_application_credentials";

tfplugin::model! {
    /// The attributes of `anypoint_client_application_credentials`: the
    /// application to read (from the configuration) and its credentials.
    pub struct CredentialsModel, paths: attrs {
        application_id: Maybe<String>,
        org_id: Maybe<String>,
        client_id: Option<String>,
        client_secret: Option<Secret>,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "The client id and client secret of an existing client application, read from the \
         platform each time Terraform opens this ephemeral resource and never written into a \
         plan or the state (Terraform 1.10 and later).",
    )
    .attribute(application_id(ApplicationId::Read))
    .attribute(org_id(OrgId::Read(OrgIdReadBack::AsWritten)))
    .attribute(
        Attribute::string("client_id")
            .computed()
            .description("The OAuth 2.0 client id."),
    )
    .attribute(
        Attribute::string("client_secret")
            .computed()
            .sensitive()
            .description("The OAuth 2.0 client secret, as the platform holds it when Terraform opens the resource."),
    )
}

#[async_trait]
impl TypedEphemeralResource for ClientApplicationCredentialsEphemeral {
    type Model = CredentialsModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn open(
        &self,
        data: &AnypointData,
        config: CredentialsModel,
        diags: &mut Diagnostics,
    ) -> Option<Opened<CredentialsModel>> {
        let Some(id) = config.application_id.as_str().and_then(parse_app_id) else {
            diags.attr_error(
                attrs::application_id(),
                "Invalid application id",
                "`application_id` must be the numeric id of a client application, e.g. \
                 `anypoint_client_application.example.id`.",
            );
            return None;
        };
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let app = match data.client.applications().get(&org, id).await {
            Ok(app) => app,
            Err(e) => {
                api_error(
                    diags,
                    &format!("reading the credentials of client application {id}"),
                    &e,
                );
                return None;
            }
        };
        let Some(secret) = app.client_secret.as_ref() else {
            diags.attr_error(
                attrs::client_secret(),
                "No client secret",
                format!(
                    "The platform returned client application {id} without its client secret. \
                     The Connected App may lack access to this application's credentials: an \
                     organization administrator can grant it access to the application."
                ),
            );
            return None;
        };
        let opened = CredentialsModel {
            application_id: config.application_id.clone(),
            // As configured: Terraform refuses a result that spells a
            // configured value differently (a UUID in another case).
            org_id: Maybe::Known(spelled_as(config.org_id.as_str(), &org)),
            client_id: Some(app.client_id.clone()),
            client_secret: Some(secret.clone()),
        };
        Some(Opened {
            result: opened,
            private: None,
            renew_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<CredentialsModel>(&schema());
    }

    #[test]
    fn the_model_never_prints_the_secret() {
        let m = CredentialsModel {
            client_secret: Some(Secret::from("opened-secret-text")),
            ..Default::default()
        };
        assert!(!format!("{m:?}").contains("opened-secret-text"));
    }

    #[test]
    fn the_secret_is_sensitive_and_nothing_is_settable_but_the_selectors() {
        let s = schema();
        assert!(s.get("client_secret").unwrap().sensitive);
        assert!(!s.get("client_id").unwrap().sensitive);
        assert!(s.get("application_id").unwrap().required);
        for computed in ["client_id", "client_secret"] {
            let a = s.get(computed).unwrap();
            assert!(a.computed && !a.optional && !a.required, "{computed}");
        }
    }
}
