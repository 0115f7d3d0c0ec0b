//! Where a contract request's Exchange asset comes from, read with the tier
//! check at the same time, each read once per process and instance: an API
//! instance carries its asset's coordinates (API Manager); an API group
//! instance carries them or leaves them to its group and version (the
//! client reads those only then). Exchange then gives the version group and
//! the asset's organization, else the instance's product version stands in.

use crate::support::{api_error, AnypointData};
use anypoint_client::ContractTarget;
use tfplugin::framework::Diagnostics;

use super::model::attrs;
use super::slot::{check_tiers, Instance};

/// What a contract request names of the Exchange asset.
pub struct Asset {
    pub group: String,
    pub asset: String,
    pub version: String,
    pub version_group: String,
    /// The asset's organization, when Exchange says it.
    pub organization: Option<String>,
}

/// The asset of the instance `(org, env, target)`, with the tier `wanted`
/// checked against its tiers.
pub async fn asset_for(
    data: &AnypointData,
    (org, env, target): Instance<'_>,
    wanted: Option<i64>,
    doing: &str,
    diags: &mut Diagnostics,
) -> Option<Asset> {
    let read = async {
        match target {
            ContractTarget::ApiInstance(api) => data
                .client
                .api_instances()
                .get_shared(org, env, api)
                .await
                .map(|i| (i.group_id, i.asset_id, i.asset_version, i.product_version)),
            ContractTarget::ApiGroupInstance(g) => data
                .client
                .api_groups()
                .asset_shared(org, env, g)
                .await
                .map(|(_, a)| {
                    (
                        Some(a.group_id),
                        Some(a.asset_id),
                        Some(a.version),
                        a.product_version,
                    )
                }),
        }
    };
    let (read, tiers_ok) = tokio::join!(read, check_tiers(data, (org, env, target), wanted, diags));
    let (group, asset, version, product_version) = match read {
        Ok(coordinates) => coordinates,
        Err(e) if e.is_not_found() => {
            let (attr, name) = match target {
                ContractTarget::ApiInstance(_) => (attrs::api_instance_id(), "api_instance_id"),
                ContractTarget::ApiGroupInstance(_) => {
                    (attrs::api_group_instance_id(), "api_group_instance_id")
                }
            };
            diags.attr_error(
                attr,
                format!("Error {doing}"),
                format!("{target} does not exist in environment {env} of organization {org}: check {name}, environment_id and api_instance_org_id. ({e})"),
            );
            return None;
        }
        Err(e) => {
            api_error(diags, &format!("reading {target}"), &e);
            return None;
        }
    };
    tiers_ok?;
    let (Some(group), Some(asset), Some(version)) = (group, asset, version) else {
        diags.error(
            format!("Error {doing}"),
            format!("{target} reports no Exchange asset (groupId, assetId, assetVersion)."),
        );
        return None;
    };
    let instances = data.client.api_instances();
    let (version_group, organization) = match instances
        .asset_info_shared(&group, &asset, &version)
        .await
    {
        Ok(info) => (info.version_group, info.organization_id),
        Err(e) => match product_version {
            Some(pv) => {
                tracing::debug!("asset look-up failed ({e}); using the instance's productVersion");
                (pv, None)
            }
            None => {
                api_error(
                    diags,
                    &format!("reading Exchange asset {group}/{asset}/{version}"),
                    &e,
                );
                return None;
            }
        },
    };
    Some(Asset {
        group,
        asset,
        version,
        version_group,
        organization,
    })
}
