//! Users of an organization (Access Management).

use reqwest::Method;

use super::client::AnypointClient;
use super::error::ApiError;
use super::models::{User, UserPage};
use super::paging::{collect_pages, Page};

/// Page size for the users list. Access Management's documented maximum is
/// not known to us, so stay well inside the 250 the other lists accept
/// (paging follows `total`, so a smaller server cap is harmless).
pub const USER_PAGE_SIZE: u32 = 100;

impl AnypointClient {
    /// `GET /accounts/api/organizations/{org}/users?search=&offset=&limit=`
    /// → `{"data":[…],"total":N}`, all pages.
    pub async fn list_users(&self, org: &str, search: Option<&str>) -> Result<Vec<User>, ApiError> {
        collect_pages(USER_PAGE_SIZE, |offset, limit| async move {
            let mut query: Vec<(&str, String)> = Vec::new();
            if let Some(s) = search {
                query.push(("search", s.to_owned()));
            }
            query.push(("offset", offset.to_string()));
            query.push(("limit", limit.to_string()));
            let req = self.request(
                Method::GET,
                &["accounts", "api", "organizations", org, "users"],
                &query,
            );
            let page: UserPage = self.call_json(&req).await?;
            Ok(Page {
                items: page.data,
                total: page.total.and_then(|t| u64::try_from(t).ok()),
            })
        })
        .await
    }
}

/// Who the Connected App is, as `GET /accounts/api/me` tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectedAppIdentity {
    /// `user.id`: the user the Connected App acts for (the user who created
    /// it), whom the platform makes the first owner of every application
    /// the Connected App creates.
    pub user_id: Option<String>,
    /// The organization, read as the organization discovery reads it.
    pub org_id: Option<String>,
}
