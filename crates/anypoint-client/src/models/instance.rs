//! API Manager API instances and Exchange assets.

use serde::Deserialize;

use super::lenient::{
    lenient_i64, lenient_object, lenient_opt_i64, lenient_opt_string, object_list,
};

/// An API Manager API instance.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInstance {
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub product_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub environment_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub instance_label: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub status: Option<String>,
}

/// What API Manager's search is asked for; a filter left `None` is not sent.
/// The platform may match more loosely than asked: callers filter again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceSearch {
    pub asset_id: Option<String>,
    pub group_id: Option<String>,
    pub asset_version: Option<String>,
    pub instance_label: Option<String>,
}

/// One API instance as API Manager's search lists it, with the
/// coordinates of its asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedInstance {
    pub id: i64,
    pub group_id: Option<String>,
    pub asset_id: Option<String>,
    pub asset_name: Option<String>,
    pub asset_version: Option<String>,
    pub product_version: Option<String>,
    pub instance_label: Option<String>,
    pub environment_id: Option<String>,
}

/// `{"total": N, "assets": [{…, "apis": […]}]}`: `total` and the paging
/// count assets.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct InstanceSearchPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) assets: Vec<SearchedAsset>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchedAsset {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    asset_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "object_list")]
    apis: Vec<SearchedApi>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchedApi {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    asset_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    product_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    instance_label: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    environment_id: Option<String>,
}

impl SearchedAsset {
    /// Its instances, each with the asset's coordinates.
    pub(crate) fn into_instances(self) -> impl Iterator<Item = ListedInstance> {
        let SearchedAsset {
            group_id,
            asset_id,
            name,
            apis,
        } = self;
        apis.into_iter().map(move |api| ListedInstance {
            id: api.id,
            group_id: group_id.clone(),
            asset_id: asset_id.clone(),
            asset_name: name.clone(),
            asset_version: api.asset_version,
            product_version: api.product_version,
            instance_label: api.instance_label,
            environment_id: api.environment_id,
        })
    }
}

/// An Exchange asset version (only what we read).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AssetVersion {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) version_group: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_object")]
    pub(crate) organization: Option<AssetOrganization>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct AssetOrganization {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) id: Option<String>,
}

/// What a contract request needs from an Exchange asset version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetInfo {
    pub version_group: String,
    /// `organization.id`, else `organizationId`, if the answer has either.
    pub organization_id: Option<String>,
}
