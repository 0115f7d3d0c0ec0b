//! API Manager's API groups: a group instance, and the group and version
//! above it, as far as a contract request needs them (the Exchange asset).

use serde::Deserialize;

use super::lenient::{lenient_i64, lenient_opt_i64, lenient_opt_string};

/// `GET …/environments/{env}/groupInstances/{id}`. The asset coordinates
/// may be null here (the group and its version carry them then).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGroupInstance {
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub group_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub group_version_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub environment_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub asset_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub product_version: Option<String>,
}

/// `GET …/groups/{groupId}`: its Exchange asset's group and id.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiGroupRecord {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) asset_group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) asset_id: Option<String>,
}

/// `GET …/groups/{groupId}/versions/{groupVersionId}`: its asset version.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiGroupVersionRecord {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) asset_version: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) product_version: Option<String>,
}

/// The Exchange asset of an API group instance: what a contract request
/// names (with the version group Exchange gives, else `product_version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupAsset {
    pub group_id: String,
    pub asset_id: String,
    pub version: String,
    pub product_version: Option<String>,
}
