//! API Manager API instances and Exchange assets.

use serde::Deserialize;

use super::lenient::{lenient_i64, lenient_object, lenient_opt_string};

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
