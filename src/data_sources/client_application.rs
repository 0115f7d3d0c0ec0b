//! `anypoint_client_application` data source: one application by id or by
//! exact name.

use async_trait::async_trait;

use std::collections::BTreeSet;

use crate::support::values::{norm_set, norm_string};
use crate::support::{api_error, org_id, AnypointData, OrgId, OrgIdReadBack};
use anypoint_client::Application;
use secret::Secret;
use tfplugin::framework::validators::{name_text, non_empty, numeric_id, parse_numeric_id};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Schema, TypedDataSource};
use tfplugin::tfvalue::Type;

pub struct ClientApplicationDataSource;

tfplugin::model! {
    /// The attributes of the `anypoint_client_application` data source: the
    /// selectors (which a configuration may leave unknown) and what is read.
    pub struct ClientApplicationDataModel, paths: attrs {
        id: Maybe<String>,
        name: Maybe<String>,
        org_id: Maybe<String>,
        description: Option<String>,
        url: Option<String>,
        redirect_uris: Option<BTreeSet<String>>,
        grant_types: Option<BTreeSet<String>>,
        client_id: Option<String>,
        client_secret: Option<Secret>,
        created_at: Option<String>,
    }
}

impl ClientApplicationDataModel {
    /// What the platform reports, normalised as the resource does for a
    /// configuration that sets nothing.
    fn from_platform(app: &Application, org: &str) -> Self {
        ClientApplicationDataModel {
            id: Maybe::Known(app.id.to_string()),
            name: Maybe::Known(app.name.clone()),
            org_id: org.into(),
            description: norm_string(app.description.as_deref(), None),
            url: norm_string(app.url.as_deref(), None),
            redirect_uris: norm_set(&app.redirect_uri, None),
            grant_types: norm_set(&app.grant_types, None),
            client_id: Some(app.client_id.clone()),
            client_secret: app.client_secret.clone(),
            created_at: app.created_at.clone(),
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Reads one client application, by `id` or by exact `name` (set exactly one). Reading \
         by name fails when no application or several applications have that name.",
    )
    .attribute(
        Attribute::string("id")
            .optional()
            .computed()
            .validate(numeric_id())
            .description("The application id (digits, without leading zeros). Set this or `name`."),
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .computed()
            .validate(non_empty())
            .validate(name_text())
            .description("The exact application name. Set this or `id`."),
    )
    .attribute(org_id(OrgId::Read(OrgIdReadBack::Lowercase)))
    .attribute(
        Attribute::string("description")
            .computed()
            .description("The description."),
    )
    .attribute(
        Attribute::string("url")
            .computed()
            .description("The application's home page."),
    )
    .attribute(
        Attribute::set("redirect_uris", Type::String)
            .computed()
            .description("OAuth 2.0 redirect URIs."),
    )
    .attribute(
        Attribute::set("grant_types", Type::String)
            .computed()
            .description("OAuth 2.0 grant types."),
    )
    .attribute(
        Attribute::string("client_id")
            .computed()
            .description("The OAuth 2.0 client id."),
    )
    .attribute(
        Attribute::string("client_secret")
            .computed()
            .sensitive()
            .description("The OAuth 2.0 client secret."),
    )
    .attribute(
        Attribute::string("created_at")
            .computed()
            .description("When the application was created (RFC 3339)."),
    )
}

#[async_trait]
impl TypedDataSource for ClientApplicationDataSource {
    type Model = ClientApplicationDataModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_client_application"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &ClientApplicationDataModel, diags: &mut Diagnostics) {
        let (id, name) = (&config.id, &config.name);
        if id.is_unknown() || name.is_unknown() {
            return;
        }
        match (id.is_null(), name.is_null()) {
            (true, true) => diags.attr_error(
                attrs::id(),
                "Missing application selector",
                "Set either `id` or `name` to choose the client application to read.",
            ),
            (false, false) => diags.attr_error(
                attrs::name(),
                "Conflicting application selectors",
                "Set only one of `id` and `name`, not both.",
            ),
            _ => {}
        }
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: ClientApplicationDataModel,
        diags: &mut Diagnostics,
    ) -> Option<ClientApplicationDataModel> {
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let id = match (config.id.as_str(), config.name.as_str()) {
            (Some(id), _) => match parse_numeric_id(id) {
                Ok(id) => id,
                // The schema's validator refuses it first; never answer
                // without a diagnostic.
                Err(e) => {
                    diags.attr_error(
                        attrs::id(),
                        "Invalid identifier",
                        format!("The attribute id {}", e.rule(id)),
                    );
                    return None;
                }
            },
            (None, Some(name)) => match data.client.applications().find_by_name(&org, name).await {
                Ok(found) => match found.as_slice() {
                    [one] => one.id,
                    [] => {
                        diags.attr_error(
                            attrs::name(),
                            "No such client application",
                            format!("No client application named {name:?} exists in organization {org} (or the Connected App cannot see it)."),
                        );
                        return None;
                    }
                    many => {
                        let ids: Vec<String> = many.iter().map(|a| a.id.to_string()).collect();
                        diags.attr_error(
                            attrs::name(),
                            "Several client applications match",
                            format!("{} client applications are named {name:?} (ids {}): select one by `id`.", many.len(), ids.join(", ")),
                        );
                        return None;
                    }
                },
                Err(e) => {
                    api_error(diags, "listing client applications", &e);
                    return None;
                }
            },
            (None, None) => return None,
        };
        match data.client.applications().get(&org, id).await {
            Ok(app) => Some(ClientApplicationDataModel::from_platform(&app, &org)),
            Err(e) => {
                api_error(diags, &format!("reading client application {id}"), &e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ClientApplicationDataModel>(&schema());
    }
}
