//! Client applications and their secret (API Platform v2). Their owners
//! are in `owners.rs`; the applications this process knows to exist, and
//! the witness check of the create-once rule, in `known.rs`.

use reqwest::Method;

use super::client::{AnypointClient, ApiRequest, Failure, Replay, Reply};
use super::clock::{PriorHolders, Since};
use super::create_once::{CreateOnce, Lookup, Sent};
use super::error::{ApiError, ErrorInfo};
use super::models::{
    Application, ApplicationPage, ApplicationSummary, ApplicationUpdate, NewApplication,
};
use super::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use super::retry::RetryState;
use secret::register_secret;

/// `apiplatform/repository/v2/organizations/{org}/applications` + `tail`.
pub(super) fn apps<'a>(org: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
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
    /// `POST …/applications[?apiVersionId=N]` (201), by the create-once rule
    /// (`create_once.rs`). The look-up after an ambiguous failure is by exact
    /// name, leaving out the applications that already had that name before
    /// the first attempt (listed first, so a same-named application made by
    /// someone else is never taken for ours): one match is the application
    /// our attempt created (fetched by id for its secret); none means the
    /// create did not happen only when the list is shown to include this
    /// Connected App's applications ([`Self::list_shows_own_applications`]),
    /// else the create's failure comes back, marked as possibly applied;
    /// several matches cannot be told apart, so that is a `Conflict` error
    /// naming their ids. A name that is listed before the create is refused
    /// with a `Conflict` naming the ids, and nothing is sent.
    pub async fn create_application(
        &self,
        org: &str,
        app: &NewApplication,
        api_instance_id: Option<&str>,
    ) -> Result<Application, ApiError> {
        let existing = self.same_named_application_ids(org, &app.name).await?;
        if let Some(ids) = existing
            .as_ref()
            .map(|e| e.ids.as_slice())
            .filter(|ids| !ids.is_empty())
        {
            // Taken: never sent, so nothing changes on the platform.
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            let req = self.request(Method::POST, &apps(org, &[]), &[]);
            return Err(ApiError::Conflict(ErrorInfo::new(
                req.method.as_str(),
                &req.path,
                None,
                format!(
                    "an application named {:?} already exists (id {}): the create was not sent",
                    app.name,
                    ids.join(", ")
                ),
            )));
        }
        self.create_application_excluding(org, app, api_instance_id, existing.as_ref())
            .await
    }

    /// [`Self::create_application`] with the applications that already had
    /// this name before the create (from [`Self::same_named_application_ids`];
    /// `None` if unknown): the recovery after an ambiguous failure never
    /// takes one of those, nor one not shown to be made after them, for ours.
    pub async fn create_application_excluding(
        &self,
        org: &str,
        app: &NewApplication,
        api_instance_id: Option<&str>,
        existing: Option<&PriorHolders>,
    ) -> Result<Application, ApiError> {
        let query: Vec<(&str, String)> = api_instance_id
            .map(|id| vec![("apiVersionId", id.to_owned())])
            .unwrap_or_default();
        let req = self
            .request(Method::POST, &apps(org, &[]), &query)
            .json(app)?;
        let op = ApplicationCreate {
            client: self,
            org,
            req,
            name: &app.name,
            existing,
        };
        let created = self.create_once(&op).await?;
        self.remember_application(org, &created);
        self.listing_created(org, &created);
        // Made: read its secret even if the provider is stopping.
        self.after_stop(self.with_secret(org, created)).await
    }

    /// The applications named `name` before a create, or `None` if they
    /// cannot be listed (the create goes ahead; a later lookup then cannot
    /// leave them out). From this process's list when it holds every name
    /// and the platform dates its answers (`listing.rs`; the date is what
    /// keeps an application made by somebody else since the list was read
    /// from being taken for ours), else from a list by name.
    pub async fn same_named_application_ids(
        &self,
        org: &str,
        name: &str,
    ) -> Result<Option<PriorHolders>, ApiError> {
        if let Some(ids) = self.listed_holders(org, name).await {
            if let Some(as_of) = self.platform_now() {
                return Ok(Some(PriorHolders {
                    ids,
                    as_of: Some(as_of),
                }));
            }
        }
        match self.find_applications_by_name(org, name).await {
            Ok(found) => Ok(Some(PriorHolders {
                ids: found.iter().map(|a| a.id).collect(),
                as_of: self.platform_now(),
            })),
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

    /// Decode an answer that holds an application, and register its client
    /// secret with the log scrubber.
    fn decode_application(&self, req: &ApiRequest, reply: &Reply) -> Result<Application, ApiError> {
        self.decode::<Application>(req, reply).map(registered)
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
        let read = match self.call(&req).await {
            Ok(reply) => self.decode_application(&req, &reply),
            Err(e) => Err(e),
        };
        match &read {
            Ok(app) => {
                self.remember_application(org, app);
                self.listing_seen(org, app);
            }
            Err(e) if e.is_not_found() => {
                self.forget_application(org, &id);
                if let Ok(n) = id.parse() {
                    self.listing_changed(org, n, None);
                }
            }
            Err(_) => {}
        }
        read
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
        let _changing = self.changing_application(org, id);
        let id_text = id.to_string();
        let req = self
            .request(Method::PUT, &apps(org, &[&id_text]), &[])
            .json(update)?;
        let reply = self.call(&req).await?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode_application(&req, &reply) {
                self.remember_application(org, &app);
                self.listing_changed(org, id, Some(&app.name));
                return Ok(app);
            }
        }
        self.get_application(org, id).await
    }

    /// `DELETE …/applications/{id}` (204). Retried; a 404 (also one that
    /// follows an ambiguous first attempt, which then most likely deleted it)
    /// is returned as `NotFound` for the caller to judge.
    pub async fn delete_application(&self, org: &str, id: i64) -> Result<(), ApiError> {
        let _changing = self.changing_application(org, id);
        let id = id.to_string();
        let req = self.request(Method::DELETE, &apps(org, &[&id]), &[]);
        let deleted = self.call(&req).await.map(drop);
        if deleted.is_ok() || deleted.as_ref().is_err_and(ApiError::is_not_found) {
            self.forget_application(org, &id);
            self.listing_changed(org, id_n(&id), None);
        }
        deleted
    }

    /// `GET …/applications?query=&offset=&limit=&targetAdminSite=true`, all
    /// pages (items have no secrets).
    pub async fn list_applications(
        &self,
        org: &str,
        name_query: Option<&str>,
    ) -> Result<Vec<ApplicationSummary>, ApiError> {
        collect_pages(MAX_PAGE_SIZE, |offset, limit| {
            self.list_page(org, name_query, offset, limit)
        })
        .await
    }

    /// One page of the application list.
    pub(super) async fn list_page(
        &self,
        org: &str,
        name_query: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<Page<ApplicationSummary>, ApiError> {
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

    /// `POST …/applications/{id}/secret/reset` (201, the application with its
    /// new secret; an empty answer, or one without a secret, is followed by a
    /// GET). Refusals are retried, but the reset is never repeated after an
    /// ambiguous failure (it would rotate the secret again): that error is
    /// returned (`is_ambiguous()` is true) and the caller re-reads.
    pub async fn reset_secret(&self, org: &str, app_id: i64) -> Result<Application, ApiError> {
        let id = app_id.to_string();
        let req = self.request(Method::POST, &apps(org, &[&id, "secret", "reset"]), &[]);
        let mut state = RetryState::default();
        let _changing = self.changing_application(org, app_id);
        let reply = self
            .send(&req, Replay::IfRefused, &mut state)
            .await
            .map_err(|f| f.error)?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode_application(&req, &reply) {
                if app.client_secret.is_some() {
                    return Ok(app);
                }
            }
        }
        self.get_application(org, app_id).await
    }
}

/// An id that came from an `i64`.
fn id_n(id: &str) -> i64 {
    id.parse().unwrap_or_default()
}

/// Register an application's client secret with the log scrubber.
pub(super) fn registered(app: Application) -> Application {
    if let Some(secret) = &app.client_secret {
        register_secret(secret.expose());
    }
    app
}

/// An application create.
struct ApplicationCreate<'a> {
    client: &'a AnypointClient,
    org: &'a str,
    req: ApiRequest,
    name: &'a str,
    /// The applications that had the name before the create (`None`:
    /// unknown).
    existing: Option<&'a PriorHolders>,
}

impl CreateOnce for ApplicationCreate<'_> {
    type Output = Application;

    fn request(&self) -> &ApiRequest {
        &self.req
    }

    async fn send(&self, state: &mut RetryState) -> Result<Sent<Application>, Failure> {
        let reply = self.client.send_once(&self.req, state).await?;
        Ok(match self.client.decode_application(&self.req, &reply) {
            Ok(created) => Sent::Created(created),
            Err(unreadable) => Sent::Unreadable(unreadable),
        })
    }

    /// The application named `name` that is not among `existing`, if
    /// exactly one exists.
    async fn look_up(&self, failure: &ApiError) -> Result<Lookup<Application>, ApiError> {
        tracing::debug!(
            path = %self.req.path,
            "the create may have been applied: looking the application up by name"
        );
        let mut matches = match self
            .client
            .find_applications_by_name(self.org, self.name)
            .await
        {
            Ok(m) => m,
            Err(e) => return Ok(Lookup::Failed(e)),
        };
        // Leave out the prior holders; of the others, only one shown to be
        // made after them can be ours.
        let mut after = Vec::new();
        let mut unsure = Vec::new();
        for a in matches.drain(..) {
            match self
                .existing
                .map(|e| e.since(a.id, a.created_at.as_deref()))
            {
                Some(Since::Before) => {}
                Some(Since::After) => after.push(a),
                None | Some(Since::Unsure) => unsure.push(a),
            }
        }
        match (after.as_slice(), unsure.as_slice()) {
            // Not listed is "not created" only if the list is shown to see
            // this Connected App's applications (the rule in create_once.rs).
            ([], []) => match self.client.list_shows_own_applications(self.org).await {
                Ok(true) => Ok(Lookup::NotFound),
                Ok(false) => Err(self.unproven(failure)),
                Err(e) => Ok(Lookup::Failed(e)),
            },
            // Nothing tells whether it had the name before the create.
            ([], [one]) if self.existing.is_none() => Err(self.outcome_unknown(
                failure,
                format!(
                    "an application with that name exists (id {}), but whether it existed \
                     before this create is unknown (the list before the create failed), so it \
                     is not taken for the one this create made",
                    one.id
                ),
            )),
            // Not a prior holder, but perhaps made by somebody else since
            // the names were listed.
            ([], [one]) => Err(self.outcome_unknown(
                failure,
                format!(
                    "an application with that name exists (id {}), but the platform does not \
                     date its creation after the names were last listed, so it is not taken \
                     for the one this create made",
                    one.id
                ),
            )),
            ([one], []) => {
                tracing::debug!(
                    id = one.id,
                    "found the application the ambiguous create made"
                );
                self.client
                    .get_application(self.org, one.id)
                    .await
                    .map(Lookup::Found)
            }
            (after, unsure) => {
                let many: Vec<&ApplicationSummary> = after.iter().chain(unsure).collect();
                let ids: Vec<String> = many.iter().map(|a| a.id.to_string()).collect();
                let mut info = ErrorInfo::new(
                    self.req.method.as_str(),
                    &self.req.path,
                    failure.status(),
                    format!(
                        "creating application {:?} may have succeeded ({}), and {} \
                         applications with that name appeared since (ids {}): import the right \
                         one or delete the extra ones",
                        self.name,
                        failure.message(),
                        many.len(),
                        ids.join(", ")
                    ),
                );
                info.outcome_unknown = true;
                Err(ApiError::Conflict(info))
            }
        }
    }
}

impl ApplicationCreate<'_> {
    /// The create's own failure, marked as possibly applied, with `why`
    /// its outcome cannot be told: returned instead of a resend.
    fn outcome_unknown(&self, failure: &ApiError, why: String) -> ApiError {
        let mut e = failure.clone();
        if let Some(info) = e.info_mut() {
            info.message = format!("{}; {why}", info.message);
            info.outcome_unknown = true;
        }
        e
    }

    /// No application with the name is listed, but the list is not shown
    /// to include this Connected App's applications.
    fn unproven(&self, failure: &ApiError) -> ApiError {
        tracing::debug!(
            path = %self.req.path,
            "not listed, but the list is not shown to see this Connected App's applications: \
             not sent again"
        );
        self.outcome_unknown(
            failure,
            format!(
                "the create may have happened: no application named {:?} is listed, but the \
                 application list is not shown to include this Connected App's applications \
                 (it can answer empty for a Connected App that may not view client \
                 applications), so the create is not sent again",
                self.name
            ),
        )
    }
}
