//! The owners of a client application (API Platform v2).

use std::sync::Arc;

use reqwest::Method;

use crate::applications::Applications;
use crate::create_once::{create_once, send_once, CreateOnce, Lookup, Sent};
use crate::error::ApiError;
use crate::failure::Failure;
use crate::memory::Memory;
use crate::models::AddOwnerOutcome;
use crate::paths;
use crate::request::ApiRequest;
use crate::retry::RetryState;
use crate::send::Engine;

/// The owners of client applications:
/// [`AnypointClient::owners`](crate::AnypointClient::owners).
#[derive(Clone, Copy)]
pub struct Owners<'a> {
    engine: &'a Arc<Engine>,
    memory: &'a Memory,
}

impl<'a> Owners<'a> {
    pub(crate) fn new(engine: &'a Arc<Engine>, memory: &'a Memory) -> Self {
        Owners { engine, memory }
    }

    /// `POST …/applications/{id}/owners` `{"id": user}` (201; 409 = already
    /// an owner), by the create-once rule (`create_once.rs`). The look-up
    /// reads the application's owners: if the user is among them (user ids
    /// compared without case), the add happened.
    pub async fn add(
        self,
        org: &str,
        app_id: i64,
        user_id: &str,
    ) -> Result<AddOwnerOutcome, ApiError> {
        let _changing = self.memory.changing_application(org, app_id);
        let id = app_id.to_string();
        let req = self
            .engine
            .request(
                Method::POST,
                &paths::applications(org, &[&id, "owners"]),
                &[],
            )
            .json(&serde_json::json!({ "id": user_id }))?;
        let op = OwnerAdd {
            owners: self,
            org,
            app_id,
            user_id,
            req,
        };
        create_once(self.engine, &op).await
    }

    /// `DELETE …/applications/{id}/owners/{userId}` (204). Retried; 404 is
    /// `NotFound`.
    pub async fn remove(self, org: &str, app_id: i64, user_id: &str) -> Result<(), ApiError> {
        let _changing = self.memory.changing_application(org, app_id);
        let id = app_id.to_string();
        let req = self.engine.request(
            Method::DELETE,
            &paths::applications(org, &[&id, "owners", user_id]),
            &[],
        );
        self.engine.call(&req).await.map(drop)
    }
}

/// An owner add. A 409 is an answer of its own: already an owner.
struct OwnerAdd<'a> {
    owners: Owners<'a>,
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
        match send_once(self.owners.engine, &self.req, state).await {
            Ok(_) => Ok(Sent::Created(AddOwnerOutcome::Added)),
            Err(f) if f.error.is_conflict() => Ok(Sent::Created(AddOwnerOutcome::AlreadyOwner)),
            Err(f) => Err(f),
        }
    }

    async fn look_up(&self, _failure: &ApiError) -> Result<Lookup<AddOwnerOutcome>, ApiError> {
        tracing::debug!(path = %self.req.path, "the owner add may have been applied: reading the owners");
        let applications = Applications::new(self.owners.engine, self.owners.memory);
        Ok(match applications.get(self.org, self.app_id).await {
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
        })
    }
}
