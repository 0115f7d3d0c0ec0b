//! `anypoint_client_applications` data source: the applications of an
//! organization, optionally filtered by name.

use async_trait::async_trait;

use crate::framework::validators::uuid;
use crate::framework::{Attribute, Ctx, DataSource, Diagnostics, Maybe, Model, Schema};
use crate::support::{api_error, AnypointData};
use crate::tfvalue::Value;

pub struct ClientApplicationsDataSource;

crate::model! {
    /// One application of the list (the schema takes its object type from
    /// this model).
    pub struct ApplicationItem, paths: item_attrs {
        id: Option<String>,
        name: Option<String>,
        description: Option<String>,
        url: Option<String>,
        client_id: Option<String>,
    }
}

crate::model! {
    /// The attributes of the `anypoint_client_applications` data source.
    pub struct ClientApplicationsModel, paths: attrs {
        name_filter: Maybe<String>,
        org_id: Maybe<String>,
        applications: Option<Vec<ApplicationItem>>,
    }
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
                .description("The root organization. Defaults to the provider's organization. Read back in canonical form (lowercase)."),
        )
        .attribute(
            Attribute::list("applications", ApplicationItem::object_type())
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
        let config = ClientApplicationsModel::decode(config, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let filter = config.name_filter.as_str().filter(|f| !f.is_empty());
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
        let applications = items
            .into_iter()
            .map(|a| ApplicationItem {
                id: Some(a.id.to_string()),
                name: Some(a.name),
                description: a.description.filter(|d| !d.is_empty()),
                url: a.url.filter(|u| !u.is_empty()),
                client_id: a.client_id,
            })
            .collect();
        let state = ClientApplicationsModel {
            name_filter: config.name_filter.clone(),
            org_id: Maybe::Known(org),
            applications: Some(applications),
        };
        Some(state.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ClientApplicationsModel>(&schema());
    }
}
