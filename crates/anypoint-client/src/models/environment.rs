//! Environments of an organization (Access Management).

use serde::Deserialize;

use super::lenient::{
    lenient_opt_bool, lenient_opt_i64, lenient_opt_string, lenient_string, object_list,
};

/// An environment: `{id, name, type, isProduction, organizationId}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    #[serde(deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub name: Option<String>,
    /// `production`, `sandbox` or `design`.
    #[serde(default, rename = "type", deserialize_with = "lenient_opt_string")]
    pub environment_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub is_production: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub organization_id: Option<String>,
}

/// `{"data":[…],"total":N}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct EnvironmentList {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) data: Vec<Environment>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    #[allow(dead_code)]
    pub(crate) total: Option<i64>,
}
