//! `anypoint_environment` data source: one environment of an organization
//! or business group, by exact name, so that a contract's `environment_id`
//! can be named instead of copied.
//!
//! The organization's environment list is read once and filtered here by
//! exact name: no match, or more than one, is an error naming the name and
//! the organization (and the candidates).

use async_trait::async_trait;

use crate::support::{api_error, org_id, AnypointData, OrgId};
use anypoint_client::Environment;
use tfplugin::framework::validators::{canonical_uuid, non_empty};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Schema, TypedDataSource};

pub struct EnvironmentDataSource;

tfplugin::model! {
    /// The attributes of the `anypoint_environment` data source.
    pub struct EnvironmentDataModel, paths: attrs {
        name: Maybe<String>,
        org_id: Maybe<String>,
        id: Option<String>,
        r#type: Option<String>,
        is_production: Option<bool>,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Reads one environment of the organization (or of a business group) by its exact name, \
         for example the `environment_id` of a contract's API instance.",
    )
    .attribute(
        Attribute::string("name")
            .required()
            .validate(non_empty())
            .description("The exact environment name, e.g. `Sandbox`."),
    )
    .attribute(org_id(OrgId::EnvironmentHolder))
    .attribute(
        Attribute::string("id")
            .computed()
            .description("The environment id (a UUID, in lower case)."),
    )
    .attribute(
        Attribute::string("type")
            .computed()
            .description("The environment's type: `production`, `sandbox` or `design`."),
    )
    .attribute(
        Attribute::bool("is_production")
            .computed()
            .description("Whether it is a production environment."),
    )
}

#[async_trait]
impl TypedDataSource for EnvironmentDataSource {
    type Model = EnvironmentDataModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_environment"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: EnvironmentDataModel,
        diags: &mut Diagnostics,
    ) -> Option<EnvironmentDataModel> {
        let name = config.name.as_str()?.to_owned();
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let all = match data.client.environments().list(&org).await {
            Ok(all) => all,
            Err(e) => {
                api_error(diags, "listing the organization's environments", &e);
                return None;
            }
        };
        let found: Vec<&Environment> = all
            .iter()
            .filter(|e| e.name.as_deref() == Some(name.as_str()))
            .collect();
        let env = match found.as_slice() {
            [one] => *one,
            [] => {
                let names: Vec<&str> = all.iter().filter_map(|e| e.name.as_deref()).collect();
                diags.attr_error(
                    attrs::name(),
                    "No such environment",
                    format!(
                        "No environment named {name:?} exists in organization {org} (it has: \
                         {}). Names compare exactly, case included.",
                        if names.is_empty() {
                            "none".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
                return None;
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|e| e.id.as_str()).collect();
                diags.attr_error(
                    attrs::name(),
                    "Several environments match",
                    format!(
                        "{} environments of organization {org} are named {name:?} (ids {}): use \
                         the id of the one you mean.",
                        many.len(),
                        ids.join(", ")
                    ),
                );
                return None;
            }
        };
        Some(EnvironmentDataModel {
            name: Maybe::Known(name.clone()),
            org_id: Maybe::Known(config.org_id.as_str().map(str::to_owned).unwrap_or(org)),
            id: Some(canonical_uuid(&env.id)),
            r#type: env.environment_type.clone(),
            is_production: env.is_production,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<EnvironmentDataModel>(&schema());
    }
}
