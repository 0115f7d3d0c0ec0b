//! The owners of a client application (API Platform v2).

use reqwest::Method;

use super::applications::apps;
use super::client::{AnypointClient, ApiRequest, Failure};
use super::create_once::{CreateOnce, Lookup, Sent};
use super::error::ApiError;
use super::models::AddOwnerOutcome;
use super::retry::RetryState;

impl AnypointClient {
    /// `POST …/applications/{id}/owners` `{"id": user}` (201; 409 = already
    /// an owner), by the create-once rule (`create_once.rs`). The look-up
    /// reads the application's owners: if the user is among them (user ids
    /// compared without case), the add happened.
    pub async fn add_owner(
        &self,
        org: &str,
        app_id: i64,
        user_id: &str,
    ) -> Result<AddOwnerOutcome, ApiError> {
        let _changing = self.changing_application(org, app_id);
        let id = app_id.to_string();
        let req = self
            .request(Method::POST, &apps(org, &[&id, "owners"]), &[])
            .json(&serde_json::json!({ "id": user_id }))?;
        let op = OwnerAdd {
            client: self,
            org,
            app_id,
            user_id,
            req,
        };
        self.create_once(&op).await
    }

    /// `DELETE …/applications/{id}/owners/{userId}` (204). Retried; 404 is
    /// `NotFound`.
    pub async fn remove_owner(
        &self,
        org: &str,
        app_id: i64,
        user_id: &str,
    ) -> Result<(), ApiError> {
        let _changing = self.changing_application(org, app_id);
        let id = app_id.to_string();
        let req = self.request(Method::DELETE, &apps(org, &[&id, "owners", user_id]), &[]);
        self.call(&req).await.map(drop)
    }
}

/// An owner add. A 409 is an answer of its own: already an owner.
struct OwnerAdd<'a> {
    client: &'a AnypointClient,
    org: &'a str,
    app_id: i64,
    user_id: &'a str,
    req: ApiRequest,
}

impl CreateOnce for OwnerAdd<'_> {
    type Output = AddOwnerOutcome;

    fn request(&self) -> &ApiRequest {
        &self.req
    }

    async fn send(&self, state: &mut RetryState) -> Result<Sent<AddOwnerOutcome>, Failure> {
        match self.client.send_once(&self.req, state).await {
            Ok(_) => Ok(Sent::Created(AddOwnerOutcome::Added)),
            Err(f) if f.error.is_conflict() => Ok(Sent::Created(AddOwnerOutcome::AlreadyOwner)),
            Err(f) => Err(f),
        }
    }

    async fn look_up(&self, _failure: &ApiError) -> Result<Lookup<AddOwnerOutcome>, ApiError> {
        tracing::debug!(path = %self.req.path, "the owner add may have been applied: reading the owners");
        Ok(
            match self.client.get_application(self.org, self.app_id).await {
                Ok(app)
                    if app
                        .owners
                        .iter()
                        .any(|o| o.id.eq_ignore_ascii_case(self.user_id)) =>
                {
                    Lookup::Found(AddOwnerOutcome::Added)
                }
                Ok(_) => Lookup::NotFound,
                Err(e) => Lookup::Failed(e),
            },
        )
    }
}
