//! `anypoint_client_application` data source: one application by id or by
//! exact name.

use async_trait::async_trait;

use crate::framework::validators::{digits, non_empty, uuid};
use crate::framework::{AttrPath, Attribute, Ctx, DataSource, Diagnostics, Schema};
use crate::resources::common::{application_values, parse_app_id};
use crate::support::{api_error, AnypointData};
use crate::tfvalue::{Type, Value};

pub struct ClientApplicationDataSource;

pub fn schema() -> Schema {
    Schema::new(
        "Reads one client application, by `id` or by exact `name` (set exactly one). Reading \
         by name fails when no application or several applications have that name.",
    )
    .attribute(
        Attribute::string("id")
            .optional()
            .computed()
            .validate(digits())
            .description("The application id. Set this or `name`."),
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .computed()
            .validate(non_empty())
            .description("The exact application name. Set this or `id`."),
    )
    .attribute(
        Attribute::string("org_id")
            .optional()
            .computed()
            .validate(uuid())
            .description("The root organization. Defaults to the provider's organization."),
    )
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
impl DataSource for ClientApplicationDataSource {
    fn type_name(&self) -> &'static str {
        "anypoint_client_application"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let id = config.attr("id");
        let name = config.attr("name");
        if id.is_unknown() || name.is_unknown() {
            return;
        }
        match (id.is_null(), name.is_null()) {
            (true, true) => diags.attr_error(
                AttrPath::attr("id"),
                "Missing application selector",
                "Set either `id` or `name` to choose the client application to read.",
            ),
            (false, false) => diags.attr_error(
                AttrPath::attr("name"),
                "Conflicting application selectors",
                "Set only one of `id` and `name`, not both.",
            ),
            _ => {}
        }
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data.org_or_report(config.attr_str("org_id"), diags).await?;
        let id = match (config.attr_str("id"), config.attr_str("name")) {
            (Some(id), _) => parse_app_id(id)?,
            (None, Some(name)) => match data.client.find_applications_by_name(&org, name).await {
                Ok(found) => match found.as_slice() {
                    [one] => one.id,
                    [] => {
                        diags.attr_error(
                            AttrPath::attr("name"),
                            "No such client application",
                            format!("No client application named {name:?} exists in organization {org} (or the Connected App cannot see it)."),
                        );
                        return None;
                    }
                    many => {
                        let ids: Vec<String> = many.iter().map(|a| a.id.to_string()).collect();
                        diags.attr_error(
                            AttrPath::attr("name"),
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
        match data.client.get_application(&org, id).await {
            Ok(app) => {
                let mut v = Value::empty_object();
                for (k, x) in application_values(&app, &org, &Value::Null) {
                    v.set_attr(k, x);
                }
                Some(v)
            }
            Err(e) => {
                api_error(diags, &format!("reading client application {id}"), &e);
                None
            }
        }
    }
}
