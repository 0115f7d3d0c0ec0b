//! Client applications, their owners and their secret (API Platform v2).

use reqwest::Method;

use super::client::{AnypointClient, ApiRequest, Failure, Replay};
use super::error::{ApiError, ErrorInfo};
use super::models::{
    AddOwnerOutcome, Application, ApplicationPage, ApplicationSummary, ApplicationUpdate,
    NewApplication,
};
use super::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use super::retry::RetryState;

/// `apiplatform/repository/v2/organizations/{org}/applications` + `tail`.
fn apps<'a>(org: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "apiplatform",
        "repository",
        "v2",
        "organizations",
        org,
        "applications",
    ];
    v.extend_from_slice(tail);
    v
}

impl AnypointClient {
    /// `POST …/applications[?apiVersionId=N]` (201).
    ///
    /// A create is never blindly repeated once it may have reached the
    /// server. Refusals (connect error, 429, 503) are retried. After an
    /// ambiguous failure (timeout after sending, connection dropped, 500, 502,
    /// 504) the application is looked up by exact name, leaving out the
    /// applications that already had that name before the first attempt
    /// (listed first, so a same-named application made by someone else is
    /// never taken for ours): one match is the application our attempt
    /// created (fetched by id for its secret); none means the create did not
    /// happen, and it is retried if the failure is transient (not after a
    /// 500); several matches cannot be told apart, so that is a `Conflict`
    /// error naming their ids. A 409 on a retry after an ambiguous attempt
    /// triggers the same lookup.
    pub async fn create_application(
        &self,
        org: &str,
        app: &NewApplication,
        api_instance_id: Option<&str>,
    ) -> Result<Application, ApiError> {
        let existing = self.same_named_application_ids(org, &app.name).await?;
        self.create_application_excluding(org, app, api_instance_id, existing.as_deref())
            .await
    }

    /// [`Self::create_application`] with the ids of the applications that
    /// already had this name before the create (from
    /// [`Self::same_named_application_ids`]; `None` if unknown): the recovery
    /// after an ambiguous failure never takes one of those for ours.
    pub async fn create_application_excluding(
        &self,
        org: &str,
        app: &NewApplication,
        api_instance_id: Option<&str>,
        existing: Option<&[i64]>,
    ) -> Result<Application, ApiError> {
        let query: Vec<(&str, String)> = api_instance_id
            .map(|id| vec![("apiVersionId", id.to_owned())])
            .unwrap_or_default();
        let req = self
            .request(Method::POST, &apps(org, &[]), &query)
            .json(app)?;
        let mut state = RetryState::default();
        loop {
            let failure = match self.send(&req, Replay::IfRefused, &mut state).await {
                Ok(reply) => match self.decode::<Application>(&req, &reply) {
                    Ok(created) => return self.with_secret(org, created).await,
                    Err(mut unreadable) => {
                        // Created, but the answer cannot be read: find it by
                        // name like after an ambiguous failure.
                        if let Some(info) = unreadable.info_mut() {
                            info.outcome_unknown = true;
                        }
                        return match self
                            .recover_created_application(
                                org,
                                &req,
                                &app.name,
                                existing,
                                &unreadable,
                            )
                            .await?
                        {
                            Some(found) => Ok(found),
                            None => Err(unreadable),
                        };
                    }
                },
                Err(f) => f,
            };
            let conflict_after_ambiguous = state.saw_ambiguous && failure.error.is_conflict();
            if !(failure.is_ambiguous() || conflict_after_ambiguous) {
                return Err(failure.error);
            }
            state.saw_ambiguous = true;
            if let Some(found) = self
                .recover_created_application(org, &req, &app.name, existing, &failure.error)
                .await?
            {
                return Ok(found);
            }
            if !failure.is_retryable() {
                return Err(failure.error);
            }
            self.pause(&req, &mut state, failure)
                .await
                .map_err(|f| f.error)?;
        }
    }

    /// The ids of the applications named `name` before a create, or `None`
    /// if they cannot be listed (the create goes ahead; a later lookup then
    /// cannot leave them out).
    pub async fn same_named_application_ids(
        &self,
        org: &str,
        name: &str,
    ) -> Result<Option<Vec<i64>>, ApiError> {
        match self.find_applications_by_name(org, name).await {
            Ok(found) => Ok(Some(found.iter().map(|a| a.id).collect())),
            Err(e) if e.is_cancelled() => Err(e),
            Err(e) => {
                tracing::debug!(
                    kind = e.kind(),
                    "could not list the same-named applications before a create"
                );
                Ok(None)
            }
        }
    }

    /// After an ambiguous create: the application named `name` that is not
    /// among `existing` (those that had the name before the create), if
    /// exactly one exists.
    async fn recover_created_application(
        &self,
        org: &str,
        req: &ApiRequest,
        name: &str,
        existing: Option<&[i64]>,
        original: &ApiError,
    ) -> Result<Option<Application>, ApiError> {
        tracing::debug!(
            path = %req.path,
            "the create may have been applied: looking the application up by name"
        );
        let matches = match self.find_applications_by_name(org, name).await {
            Ok(mut m) => {
                m.retain(|a| existing.is_none_or(|before| !before.contains(&a.id)));
                m
            }
            Err(e) if e.is_cancelled() => return Err(e),
            Err(e) => {
                tracing::debug!(
                    kind = e.kind(),
                    "the lookup after an ambiguous create failed"
                );
                return Err(original.clone());
            }
        };
        match matches.as_slice() {
            [] => Ok(None),
            [one] => {
                tracing::debug!(
                    id = one.id,
                    "found the application the ambiguous create made"
                );
                self.get_application(org, one.id).await.map(Some)
            }
            many => {
                let ids: Vec<String> = many.iter().map(|a| a.id.to_string()).collect();
                let mut info = ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    original.status(),
                    format!(
                        "creating application {name:?} may have succeeded ({}), and {} \
                         applications with that name appeared since (ids {}): import the right \
                         one or delete the extra ones",
                        original.message(),
                        many.len(),
                        ids.join(", ")
                    ),
                );
                info.outcome_unknown = true;
                Err(ApiError::Conflict(info))
            }
        }
    }

    /// A created application normally carries its secret; if not, read it.
    async fn with_secret(&self, org: &str, app: Application) -> Result<Application, ApiError> {
        if app.client_secret.is_some() {
            Ok(app)
        } else {
            self.get_application(org, app.id).await
        }
    }

    /// `GET …/applications/{id}` (200; with clientSecret and owners).
    pub async fn get_application(&self, org: &str, id: i64) -> Result<Application, ApiError> {
        let id = id.to_string();
        let req = self.request(Method::GET, &apps(org, &[&id]), &[]);
        self.call_json(&req).await
    }

    /// `PUT …/applications/{id}` with the full mutable set (200). Idempotent,
    /// so retried. If the answer has no application in it, the application
    /// is read back.
    pub async fn update_application(
        &self,
        org: &str,
        id: i64,
        update: &ApplicationUpdate,
    ) -> Result<Application, ApiError> {
        let id_text = id.to_string();
        let req = self
            .request(Method::PUT, &apps(org, &[&id_text]), &[])
            .json(update)?;
        let reply = self.call(&req).await?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode::<Application>(&req, &reply) {
                return Ok(app);
            }
        }
        self.get_application(org, id).await
    }

    /// `DELETE …/applications/{id}` (204). Retried; a 404 (also one that
    /// follows an ambiguous first attempt, which then most likely deleted it)
    /// is returned as `NotFound` for the caller to judge.
    pub async fn delete_application(&self, org: &str, id: i64) -> Result<(), ApiError> {
        let id = id.to_string();
        let req = self.request(Method::DELETE, &apps(org, &[&id]), &[]);
        self.call(&req).await.map(drop)
    }

    /// `GET …/applications?query=&offset=&limit=&targetAdminSite=true`, all
    /// pages (items have no secrets).
    pub async fn list_applications(
        &self,
        org: &str,
        name_query: Option<&str>,
    ) -> Result<Vec<ApplicationSummary>, ApiError> {
        collect_pages(MAX_PAGE_SIZE, |offset, limit| async move {
            let mut query: Vec<(&str, String)> = Vec::new();
            if let Some(q) = name_query {
                query.push(("query", q.to_owned()));
            }
            query.push(("offset", offset.to_string()));
            query.push(("limit", limit.to_string()));
            query.push(("targetAdminSite", "true".to_owned()));
            let req = self.request(Method::GET, &apps(org, &[]), &query);
            let page: ApplicationPage = self.call_json(&req).await?;
            Ok(Page {
                items: page.applications,
                total: page.total.and_then(|t| u64::try_from(t).ok()),
            })
        })
        .await
    }

    /// The applications whose name is exactly `exact_name` (the server's
    /// `query` is a search, so the result is filtered here).
    pub async fn find_applications_by_name(
        &self,
        org: &str,
        exact_name: &str,
    ) -> Result<Vec<ApplicationSummary>, ApiError> {
        let mut all = self.list_applications(org, Some(exact_name)).await?;
        all.retain(|a| a.name == exact_name);
        Ok(all)
    }

    /// `POST …/applications/{id}/owners` `{"id": user}` (201; 409 = already
    /// an owner). After an ambiguous failure the application's owners are read
    /// first: if the user is there, the add happened; otherwise a transient
    /// failure is retried.
    pub async fn add_owner(
        &self,
        org: &str,
        app_id: i64,
        user_id: &str,
    ) -> Result<AddOwnerOutcome, ApiError> {
        let id = app_id.to_string();
        let req = self
            .request(Method::POST, &apps(org, &[&id, "owners"]), &[])
            .json(&serde_json::json!({ "id": user_id }))?;
        let mut state = RetryState::default();
        loop {
            let failure: Failure = match self.send(&req, Replay::IfRefused, &mut state).await {
                Ok(_) => return Ok(AddOwnerOutcome::Added),
                Err(f) if f.error.is_conflict() => return Ok(AddOwnerOutcome::AlreadyOwner),
                Err(f) if f.is_ambiguous() => f,
                Err(f) => return Err(f.error),
            };
            tracing::debug!(path = %req.path, "the owner add may have been applied: reading the owners");
            match self.get_application(org, app_id).await {
                Ok(app)
                    if app
                        .owners
                        .iter()
                        .any(|o| o.id.eq_ignore_ascii_case(user_id)) =>
                {
                    return Ok(AddOwnerOutcome::Added)
                }
                Ok(_) => {}
                Err(e) if e.is_cancelled() => return Err(e),
                Err(_) => return Err(failure.error),
            }
            if !failure.is_retryable() {
                return Err(failure.error);
            }
            self.pause(&req, &mut state, failure)
                .await
                .map_err(|f| f.error)?;
        }
    }

    /// `DELETE …/applications/{id}/owners/{userId}` (204). Retried; 404 is
    /// `NotFound`.
    pub async fn remove_owner(
        &self,
        org: &str,
        app_id: i64,
        user_id: &str,
    ) -> Result<(), ApiError> {
        let id = app_id.to_string();
        let req = self.request(Method::DELETE, &apps(org, &[&id, "owners", user_id]), &[]);
        self.call(&req).await.map(drop)
    }

    /// `POST …/applications/{id}/secret/reset` (201, the application with its
    /// new secret; an empty answer, or one without a secret, is followed by a
    /// GET). Refusals are retried, but the reset is never repeated after an
    /// ambiguous failure (it would rotate the secret again): that error is
    /// returned (`is_ambiguous()` is true) and the caller re-reads.
    pub async fn reset_secret(&self, org: &str, app_id: i64) -> Result<Application, ApiError> {
        let id = app_id.to_string();
        let req = self.request(Method::POST, &apps(org, &[&id, "secret", "reset"]), &[]);
        let mut state = RetryState::default();
        let reply = self
            .send(&req, Replay::IfRefused, &mut state)
            .await
            .map_err(|f| f.error)?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode::<Application>(&req, &reply) {
                if app.client_secret.is_some() {
                    return Ok(app);
                }
            }
        }
        self.get_application(org, app_id).await
    }
}
