//! Anypoint users.

use serde::Deserialize;

use super::lenient::{
    lenient_opt_bool, lenient_opt_i64, lenient_opt_string, lenient_string, object_list,
};

/// An Anypoint user.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub enabled: Option<bool>,
}

/// `{"data":[…],"total":N}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct UserPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) data: Vec<User>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}
