//! `anypoint_api_instance` data source: an API Manager API instance, its
//! Exchange asset coordinates and its SLA tiers.

use async_trait::async_trait;

use crate::support::values::{parse_app_id, spelled_as};
use crate::support::{api_error, org_id, AnypointData, OrgId};
use anypoint_client::{Tier, TierLimit};
use tfplugin::framework::validators::{numeric_id, uuid};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Model, Schema, TypedDataSource};

pub struct ApiInstanceDataSource;

tfplugin::model! {
    /// One limit of an SLA tier.
    pub struct TierLimitItem, paths: limit_attrs {
        maximum_requests: Option<i64>,
        time_period_in_milliseconds: Option<i64>,
    }
}

tfplugin::model! {
    /// One SLA tier of the instance.
    pub struct TierItem, paths: tier_attrs {
        id: Option<String>,
        name: Option<String>,
        description: Option<String>,
        status: Option<String>,
        auto_approve: Option<bool>,
        limits: Option<Vec<TierLimitItem>>,
    }
}

tfplugin::model! {
    /// The attributes of the `anypoint_api_instance` data source.
    pub struct ApiInstanceModel, paths: attrs {
        api_instance_id: Maybe<String>,
        environment_id: Maybe<String>,
        org_id: Maybe<String>,
        asset_group_id: Option<String>,
        asset_id: Option<String>,
        asset_version: Option<String>,
        product_version: Option<String>,
        asset_version_group: Option<String>,
        instance_label: Option<String>,
        tiers: Option<Vec<TierItem>>,
    }
}

impl TierItem {
    fn from_platform(t: &Tier) -> Self {
        TierItem {
            id: Some(t.id.to_string()),
            name: t.name.clone(),
            description: t.description.clone().filter(|d| !d.is_empty()),
            status: t.status.clone(),
            auto_approve: t.auto_approve,
            limits: Some(t.limits.iter().map(TierLimitItem::from_platform).collect()),
        }
    }
}

impl TierLimitItem {
    fn from_platform(l: &TierLimit) -> Self {
        TierLimitItem {
            maximum_requests: l.maximum_requests,
            time_period_in_milliseconds: l.time_period_in_milliseconds,
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Reads an API Manager API instance: the Exchange asset it implements and its SLA \
         tiers, for example to pick the tier of an `anypoint_client_application_contract` by \
         name.",
    )
    .attribute(
        Attribute::string("api_instance_id")
            .required()
            .validate(numeric_id())
            .description("The API instance id (digits), as API Manager shows it."),
    )
    .attribute(
        Attribute::string("environment_id")
            .required()
            .validate(uuid())
            .description("The environment (a UUID) that holds the API instance."),
    )
    .attribute(org_id(OrgId::InstanceHolder))
    .attribute(
        Attribute::string("asset_group_id")
            .computed()
            .description("The group id of the Exchange asset the instance implements."),
    )
    .attribute(
        Attribute::string("asset_id")
            .computed()
            .description("The asset id of the Exchange asset."),
    )
    .attribute(
        Attribute::string("asset_version")
            .computed()
            .description("The version of the Exchange asset (e.g. `1.0.0`)."),
    )
    .attribute(
        Attribute::string("product_version")
            .computed()
            .description("The API's product version as API Manager reports it (e.g. `v1`)."),
    )
    .attribute(
        Attribute::string("asset_version_group")
            .computed()
            .description("The asset version's version group, as Exchange reports it (e.g. `v1`); null when the instance names no asset."),
    )
    .attribute(
        Attribute::string("instance_label")
            .computed()
            .description("The instance label, if the instance has one."),
    )
    .attribute(
        Attribute::list("tiers", TierItem::object_type())
            .computed()
            .description("The instance's SLA tiers, in id order, active and deprecated: `id` (digits), `name`, `description`, `status` (`ACTIVE`, `DEPRECATED`), `auto_approve` and `limits` (`maximum_requests` per `time_period_in_milliseconds`). Empty without tiers."),
    )
}

#[async_trait]
impl TypedDataSource for ApiInstanceDataSource {
    type Model = ApiInstanceModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_api_instance"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: ApiInstanceModel,
        diags: &mut Diagnostics,
    ) -> Option<ApiInstanceModel> {
        let api_id = config.api_instance_id.as_str().and_then(parse_app_id)?;
        let env = config.environment_id.as_str()?.to_owned();
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let instance = match data.client.api_instances().get(&org, &env, api_id).await {
            Ok(i) => i,
            Err(e) => {
                api_error(diags, &format!("reading API instance {api_id}"), &e);
                return None;
            }
        };
        let mut tiers = match data.client.api_instances().tiers(&org, &env, api_id).await {
            Ok(t) => t,
            Err(e) => {
                api_error(
                    diags,
                    &format!("listing the SLA tiers of API instance {api_id}"),
                    &e,
                );
                return None;
            }
        };
        tiers.sort_by_key(|t| t.id);
        let present = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let (group, asset, version) = (
            present(&instance.group_id),
            present(&instance.asset_id),
            present(&instance.asset_version),
        );
        let version_group = match (&group, &asset, &version) {
            (Some(g), Some(a), Some(v)) => {
                match data
                    .client
                    .api_instances()
                    .asset_version_group(g, a, v)
                    .await
                {
                    Ok(vg) => Some(vg),
                    Err(e) => {
                        api_error(
                        diags,
                        &format!("looking up the Exchange asset {g}/{a}/{v} of API instance {api_id}"),
                        &e,
                    );
                        return None;
                    }
                }
            }
            _ => None,
        };
        let state = ApiInstanceModel {
            api_instance_id: config.api_instance_id.clone(),
            environment_id: config.environment_id.clone(),
            org_id: Maybe::Known(spelled_as(config.org_id.as_str(), &org)),
            asset_group_id: group,
            asset_id: asset,
            asset_version: version,
            product_version: present(&instance.product_version),
            asset_version_group: version_group,
            instance_label: present(&instance.instance_label),
            tiers: Some(tiers.iter().map(TierItem::from_platform).collect()),
        };
        Some(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ApiInstanceModel>(&schema());
    }

    #[test]
    fn tiers_keep_their_limits_and_ids_as_text() {
        let t: Tier = serde_json::from_value(serde_json::json!({
            "id": 7, "name": "Gold", "description": "", "status": "ACTIVE", "autoApprove": false,
            "limits": [{"maximumRequests": 5, "timePeriodInMilliseconds": 1000, "visible": true}]
        }))
        .unwrap();
        let item = TierItem::from_platform(&t);
        assert_eq!(item.id.as_deref(), Some("7"));
        assert_eq!(item.description, None, "an empty description is null");
        assert_eq!(item.auto_approve, Some(false));
        assert_eq!(
            item.limits.unwrap(),
            vec![TierLimitItem {
                maximum_requests: Some(5),
                time_period_in_milliseconds: Some(1000)
            }]
        );
    }
}
