//! Users of an organization (Access Management).

use reqwest::Method;

use crate::error::ApiError;
use crate::models::{User, UserPage};
use crate::paging::{collect_pages, Page};
use crate::paths;
use crate::send::Engine;

/// Page size for the users list. Access Management's documented maximum is
/// not known to us, so stay well inside the 250 the other lists accept
/// (paging follows `total`, so a smaller server cap is harmless).
pub const USER_PAGE_SIZE: u32 = 100;

/// The users of an organization:
/// [`AnypointClient::users`](crate::AnypointClient::users).
#[derive(Clone, Copy)]
pub struct Users<'a> {
    engine: &'a Engine,
}

impl<'a> Users<'a> {
    pub(crate) fn new(engine: &'a Engine) -> Self {
        Users { engine }
    }

    /// `GET /accounts/api/organizations/{org}/users?search=&offset=&limit=`
    /// → `{"data":[…],"total":N}`, all pages.
    pub async fn list(self, org: &str, search: Option<&str>) -> Result<Vec<User>, ApiError> {
        collect_pages(USER_PAGE_SIZE, |offset, limit| async move {
            let mut query: Vec<(&str, String)> = Vec::new();
            if let Some(s) = search {
                query.push(("search", s.to_owned()));
            }
            query.push(("offset", offset.to_string()));
            query.push(("limit", limit.to_string()));
            let req =
                self.engine
                    .request(Method::GET, &paths::organization(org, &["users"]), &query);
            let page: UserPage = self.engine.call_json(&req).await?;
            Ok(Page {
                items: page.data,
                total: page.total.and_then(|t| u64::try_from(t).ok()),
            })
        })
        .await
    }
}
