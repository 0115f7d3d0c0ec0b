//! `anypoint_client_applications` data source: the applications of an
//! organization, optionally filtered by name.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::framework::validators::uuid;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Schema};
use crate::support::{api_error, AnypointData};
use crate::tfvalue::{Type, Value};

pub struct ClientApplicationsDataSource;

fn item_type() -> Type {
    Type::Object(BTreeMap::from([
        ("id".to_string(), Type::String),
        ("name".to_string(), Type::String),
        ("description".to_string(), Type::String),
        ("url".to_string(), Type::String),
        ("client_id".to_string(), Type::String),
    ]))
}

pub fn schema() -> Schema {
    Schema::new("Lists the client applications that the Connected App can see, in id order.")
        .attribute(
            Attribute::string("name_filter")
                .optional()
                .description("Only applications whose name contains this text (case-insensitive)."),
        )
        .attribute(
            Attribute::string("org_id")
                .optional()
                .computed()
                .validate(uuid())
                .description("The root organization. Defaults to the provider's organization."),
        )
        .attribute(
            Attribute::list("applications", item_type())
                .computed()
                .description(
                    "The applications: `id`, `name`, `description`, `url` and `client_id` of each.",
                ),
        )
}

#[async_trait]
impl DataSource for ClientApplicationsDataSource {
    fn type_name(&self) -> &'static str {
        "anypoint_client_applications"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Ctx, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data.org_or_report(config.attr_str("org_id"), diags).await?;
        let filter = config.attr_str("name_filter").filter(|f| !f.is_empty());
        let apps = match data.client.list_applications(&org, filter).await {
            Ok(a) => a,
            Err(e) => {
                api_error(diags, "listing client applications", &e);
                return None;
            }
        };
        let needle = filter.map(str::to_lowercase);
        let mut items: Vec<_> = apps
            .into_iter()
            // The platform's search is loose; apply the documented rule.
            .filter(|a| {
                needle
                    .as_ref()
                    .is_none_or(|n| a.name.to_lowercase().contains(n))
            })
            .collect();
        items.sort_by_key(|a| a.id);
        let list = items
            .into_iter()
            .map(|a| {
                Value::Object(BTreeMap::from([
                    ("id".to_string(), Value::string(a.id.to_string())),
                    ("name".to_string(), Value::string(a.name)),
                    (
                        "description".to_string(),
                        Value::opt_string(a.description.filter(|d| !d.is_empty())),
                    ),
                    (
                        "url".to_string(),
                        Value::opt_string(a.url.filter(|u| !u.is_empty())),
                    ),
                    ("client_id".to_string(), Value::opt_string(a.client_id)),
                ]))
            })
            .collect();
        let mut v = Value::empty_object();
        v.set_attr("name_filter", config.attr("name_filter").clone());
        v.set_attr("org_id", Value::string(org));
        v.set_attr("applications", Value::List(list));
        Some(v)
    }
}
