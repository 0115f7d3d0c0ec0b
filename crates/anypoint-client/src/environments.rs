//! Environments of an organization (Access Management).

use reqwest::Method;

use crate::error::ApiError;
use crate::models::{Environment, EnvironmentList};
use crate::paths;
use crate::send::Engine;

/// The environments of an organization:
/// [`AnypointClient::environments`](crate::AnypointClient::environments).
#[derive(Clone, Copy)]
pub struct Environments<'a> {
    engine: &'a Engine,
}

impl<'a> Environments<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        Environments { engine }
    }

    /// `GET /accounts/api/organizations/{org}/environments` →
    /// `{"data":[…],"total":N}` (one answer: the list is not paged).
    pub async fn list(self, org: &str) -> Result<Vec<Environment>, ApiError> {
        let req = self.engine.request(
            Method::GET,
            &paths::organization(org, &["environments"]),
            &[],
        );
        let list: EnvironmentList = self.engine.call_json(&req).await?;
        Ok(list.data)
    }
}
