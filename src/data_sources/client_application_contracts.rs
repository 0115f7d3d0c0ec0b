//! `anypoint_client_application_contracts` data source: the contracts of
//! one client application (its access to API instances and API group
//! instances).

use async_trait::async_trait;

use crate::support::values::parse_app_id;
use crate::support::{
    api_error, application_id, org_id, AnypointData, ApplicationId, OrgId, OrgIdReadBack,
};
use anypoint_client::Contract;
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Model, Schema, TypedDataSource};

pub struct ClientApplicationContractsDataSource;

tfplugin::model! {
    /// One contract of the list.
    pub struct ContractItem, paths: item_attrs {
        id: Option<String>,
        api_instance_id: Option<String>,
        api_group_instance_id: Option<String>,
        status: Option<String>,
        tier_id: Option<String>,
        requested_tier_id: Option<String>,
    }
}

tfplugin::model! {
    /// The attributes of the `anypoint_client_application_contracts` data source.
    pub struct ContractsModel, paths: attrs {
        application_id: Maybe<String>,
        org_id: Maybe<String>,
        contracts: Option<Vec<ContractItem>>,
    }
}

impl ContractItem {
    fn from_platform(c: &Contract) -> Self {
        ContractItem {
            id: Some(c.id.to_string()),
            api_instance_id: c.api_instance_id.map(|i| i.to_string()),
            api_group_instance_id: c.group_instance_id.map(|i| i.to_string()),
            status: c.status.clone(),
            tier_id: c.tier_id.map(|i| i.to_string()),
            requested_tier_id: c.requested_tier_id.map(|i| i.to_string()),
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Lists the contracts of one client application: its access to API instances and API \
         group instances, with their status and SLA tier, in id order.",
    )
    .attribute(application_id(ApplicationId::Read))
    .attribute(org_id(OrgId::Read(OrgIdReadBack::Lowercase)))
    .attribute(
        Attribute::list("contracts", ContractItem::object_type())
            .computed()
            .description("The contracts: `id`, `api_instance_id` (a contract with an API instance) or `api_group_instance_id` (with an API group instance), `status` (`APPROVED`, `PENDING`, `REVOKED`, `REJECTED`, as the platform reports it), `tier_id` (the SLA tier in force) and `requested_tier_id` (a tier waiting for approval) of each. Ids are digits."),
    )
}

#[async_trait]
impl TypedDataSource for ClientApplicationContractsDataSource {
    type Model = ContractsModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_client_application_contracts"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: ContractsModel,
        diags: &mut Diagnostics,
    ) -> Option<ContractsModel> {
        let app_id = config.application_id.as_str().and_then(parse_app_id)?;
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let mut contracts = match data.client.contracts().list(&org, app_id).await {
            Ok(c) => c,
            Err(e) => {
                api_error(
                    diags,
                    &format!("listing the contracts of client application {app_id}"),
                    &e,
                );
                return None;
            }
        };
        contracts.sort_by_key(|c| c.id);
        let state = ContractsModel {
            application_id: config.application_id.clone(),
            org_id: Maybe::Known(org),
            contracts: Some(contracts.iter().map(ContractItem::from_platform).collect()),
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
        assert_model_matches_schema::<ContractsModel>(&schema());
    }

    #[test]
    fn a_pending_tier_change_shows_both_tiers() {
        let c: Contract = serde_json::from_value(serde_json::json!({
            "id": 700001, "status": "APPROVED", "apiId": 40001,
            "tierId": 50001, "requestedTierId": 50003
        }))
        .unwrap();
        let item = ContractItem::from_platform(&c);
        assert_eq!(item.id.as_deref(), Some("700001"));
        assert_eq!(item.api_instance_id.as_deref(), Some("40001"));
        assert_eq!(item.tier_id.as_deref(), Some("50001"));
        assert_eq!(item.requested_tier_id.as_deref(), Some("50003"));
        assert_eq!(item.api_group_instance_id, None);
        let g: Contract = serde_json::from_value(serde_json::json!({
            "id": 700002, "status": "APPROVED", "apiVersion": null, "groupInstanceId": 62001
        }))
        .unwrap();
        let item = ContractItem::from_platform(&g);
        assert_eq!(item.api_group_instance_id.as_deref(), Some("62001"));
        assert_eq!(item.api_instance_id, None);
    }
}
