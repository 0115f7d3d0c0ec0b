//! Client applications and their secret (API Platform v2), and the witness
//! check of the create-once rule for applications. Their owners are in
//! `owners.rs`; what this client knows of them (list, known applications,
//! shared reads) in `memory.rs`.

use std::sync::Arc;

use reqwest::Method;

use crate::clock::{PriorHolders, Since};
use crate::create_once::{create_once, send_once, CreateOnce, Lookup, Sent};
use crate::error::{ApiError, ErrorInfo};
use crate::failure::Failure;
use crate::memory::Memory;
use crate::models::{
    Application, ApplicationPage, ApplicationSummary, ApplicationUpdate, NewApplication,
};
use crate::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use crate::paths;
use crate::request::{ApiRequest, Reply};
use crate::retry::RetryState;
use crate::send::{after_stop, Engine, Replay};

/// How many known applications are looked for, and how many listed ones
/// are read by id, in one witness check.
const WITNESS_READS: usize = 2;
/// The size of the unfiltered page the witness check lists.
const WITNESS_PAGE: u32 = 10;

/// The client applications of an organization:
/// [`AnypointClient::applications`](crate::AnypointClient::applications).
#[derive(Clone, Copy)]
pub struct Applications<'a> {
    engine: &'a Arc<Engine>,
    memory: &'a Memory,
}

impl<'a> Applications<'a> {
    pub(crate) fn new(engine: &'a Arc<Engine>, memory: &'a Memory) -> Self {
        Applications { engine, memory }
    }

    /// `POST …/applications[?apiVersionId=N]` (201), by the create-once rule
    /// (`create_once.rs`). `existing` are the applications that had the
    /// name before the create ([`Self::prior_holders`]; `None` if unknown):
    /// the look-up after an ambiguous failure is by exact name and never
    /// takes one of those, nor one not shown to be made after them, for
    /// ours. One match is the application our attempt created (fetched by
    /// id for its secret); none means the create did not happen only when
    /// the list is shown to include this Connected App's applications
    /// ([`Self::list_shows_own`]), else the create's failure comes back,
    /// marked as possibly applied; several matches cannot be told apart, so
    /// that is a `Conflict` error naming their ids.
    pub async fn create(
        self,
        org: &str,
        app: &NewApplication,
        api_instance_id: Option<&str>,
        existing: Option<&PriorHolders>,
    ) -> Result<Application, ApiError> {
        let query: Vec<(&str, String)> = api_instance_id
            .map(|id| vec![("apiVersionId", id.to_owned())])
            .unwrap_or_default();
        let req = self
            .engine
            .request(Method::POST, &paths::applications(org, &[]), &query)
            .json(app)?;
        let op = ApplicationCreate {
            apps: self,
            org,
            req,
            name: &app.name,
            existing,
        };
        let created = create_once(self.engine, &op).await?;
        self.memory.changed(org, &created);
        // Made: read its secret even if the provider is stopping.
        after_stop(self.with_secret(org, created)).await
    }

    /// The applications named `name` before a create, or `None` if they
    /// cannot be listed (the create goes ahead; a later lookup then cannot
    /// leave them out). From this client's list when it holds every name
    /// and the platform dates its answers (`listing.rs`; the date is what
    /// keeps an application made by somebody else since the list was read
    /// from being taken for ours), else from a list by name.
    pub async fn prior_holders(
        self,
        org: &str,
        name: &str,
    ) -> Result<Option<PriorHolders>, ApiError> {
        let listing = self.memory.listing(org);
        if let Some(ids) = listing.holders_of(self.engine, org, name).await {
            if let Some(as_of) = self.engine.platform_now() {
                return Ok(Some(PriorHolders {
                    ids,
                    as_of: Some(as_of),
                }));
            }
        }
        match self.find_by_name(org, name).await {
            Ok(found) => Ok(Some(PriorHolders {
                ids: found.iter().map(|a| a.id).collect(),
                as_of: self.engine.platform_now(),
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

    /// `GET …/applications/{id}` (200; with clientSecret and owners).
    pub async fn get(self, org: &str, id: i64) -> Result<Application, ApiError> {
        let id_text = id.to_string();
        let req = self
            .engine
            .request(Method::GET, &paths::applications(org, &[&id_text]), &[]);
        let read = match self.engine.call(&req).await {
            Ok(reply) => self.decode(&req, &reply),
            Err(e) => Err(e),
        };
        match &read {
            Ok(app) => self.memory.saw(org, app),
            Err(e) if e.is_not_found() => self.memory.gone(org, id),
            Err(_) => {}
        }
        read
    }

    /// The application `id` of `org` for a refresh: from this client's list
    /// when it carries it whole (`listing.rs`), else read by id (a read
    /// shared with the other resources that read it, see
    /// [`Self::read_shared`]). A `NotFound` comes only from a read by id.
    pub async fn read(self, org: &str, id: i64) -> Result<Application, ApiError> {
        let listing = self.memory.listing(org);
        if let Some(app) = listing.application(self.engine, org, id).await {
            return Ok(app);
        }
        self.read_shared(org, id).await
    }

    /// Application `id` read by id (`GET …/applications/{id}`, with its
    /// owners), once per client: the resources that refresh from it share
    /// the answer (`memory.rs`). A `NotFound` is shared too; other failures
    /// are not kept.
    pub async fn read_shared(self, org: &str, id: i64) -> Result<Application, ApiError> {
        let cell = self.memory.application_read(org, id);
        let read = cell
            .get_or_try_init(|| async {
                match self.get(org, id).await {
                    Ok(app) => Ok(Ok(app)),
                    Err(e) if e.is_not_found() => Ok(Err(e)),
                    Err(e) => Err(e),
                }
            })
            .await?;
        read.clone()
    }

    /// `PUT …/applications/{id}` with the full mutable set (200). Idempotent,
    /// so retried. If the answer has no application in it, the application
    /// is read back.
    pub async fn update(
        self,
        org: &str,
        id: i64,
        update: &ApplicationUpdate,
    ) -> Result<Application, ApiError> {
        let _changing = self.memory.changing_application(org, id);
        let id_text = id.to_string();
        let req = self
            .engine
            .request(Method::PUT, &paths::applications(org, &[&id_text]), &[])
            .json(update)?;
        let reply = self.engine.call(&req).await?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode(&req, &reply) {
                self.memory.changed(org, &app);
                return Ok(app);
            }
        }
        self.get(org, id).await
    }

    /// `DELETE …/applications/{id}` (204). Retried; a 404 (also one that
    /// follows an ambiguous first attempt, which then most likely deleted it)
    /// is returned as `NotFound` for the caller to judge.
    pub async fn delete(self, org: &str, id: i64) -> Result<(), ApiError> {
        let _changing = self.memory.changing_application(org, id);
        let id_text = id.to_string();
        let req = self
            .engine
            .request(Method::DELETE, &paths::applications(org, &[&id_text]), &[]);
        let deleted = self.engine.call(&req).await.map(drop);
        if deleted.is_ok() || deleted.as_ref().is_err_and(ApiError::is_not_found) {
            self.memory.gone(org, id);
        }
        deleted
    }

    /// `GET …/applications?query=&offset=&limit=&targetAdminSite=true`, all
    /// pages (items have no secrets).
    pub async fn list(
        self,
        org: &str,
        name_query: Option<&str>,
    ) -> Result<Vec<ApplicationSummary>, ApiError> {
        collect_pages(MAX_PAGE_SIZE, |offset, limit| {
            self.list_page(org, name_query, offset, limit)
        })
        .await
    }

    /// The applications whose name is exactly `exact_name` (the server's
    /// `query` is a search, so the result is filtered here).
    pub async fn find_by_name(
        self,
        org: &str,
        exact_name: &str,
    ) -> Result<Vec<ApplicationSummary>, ApiError> {
        let mut all = self.list(org, Some(exact_name)).await?;
        all.retain(|a| a.name == exact_name);
        Ok(all)
    }

    /// `POST …/applications/{id}/secret/reset` (201, the application with its
    /// new secret; an empty answer, or one without a secret, is followed by a
    /// GET). Refusals are retried, but the reset is never repeated after an
    /// ambiguous failure (it would rotate the secret again): that error is
    /// returned (`is_ambiguous()` is true) and the caller re-reads.
    pub async fn reset_secret(self, org: &str, id: i64) -> Result<Application, ApiError> {
        let id_text = id.to_string();
        let req = self.engine.request(
            Method::POST,
            &paths::applications(org, &[&id_text, "secret", "reset"]),
            &[],
        );
        let mut state = RetryState::default();
        let _changing = self.memory.changing_application(org, id);
        let reply = self
            .engine
            .send(&req, Replay::IfRefused, &mut state)
            .await
            .map_err(|f| f.error)?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode(&req, &reply) {
                if app.client_secret.is_some() {
                    return Ok(app);
                }
            }
        }
        self.get(org, id).await
    }

    /// Whether the application list is shown to include this Connected
    /// App's applications: the witness the create-once rule for
    /// applications needs before it takes "not listed" for "not created"
    /// (`create_once.rs` says what is a witness). A failed list is an error
    /// (nothing is known); an unreadable listed application is just not a
    /// witness.
    pub async fn list_shows_own(self, org: &str) -> Result<bool, ApiError> {
        let known = self.memory.known(org);
        for (id, name) in known.iter().take(WITNESS_READS) {
            let listed = self.find_by_name(org, name).await?;
            if listed.iter().any(|a| a.id == *id) {
                tracing::debug!(
                    witness = id,
                    "the application list shows an application this process knows"
                );
                return Ok(true);
            }
        }
        let page = self.list_page(org, None, 0, WITNESS_PAGE).await?.items;
        if let Some(a) = page
            .iter()
            .find(|a| known.iter().any(|(id, _)| *id == a.id))
        {
            tracing::debug!(
                witness = a.id,
                "the application list shows an application this process knows"
            );
            return Ok(true);
        }
        for listed in page.iter().take(WITNESS_READS) {
            match self.get(org, listed.id).await {
                Ok(_) => {
                    tracing::debug!(
                        witness = listed.id,
                        "a read by id confirms an application of the list"
                    );
                    return Ok(true);
                }
                Err(e) if e.is_cancelled() => return Err(e),
                Err(e) => tracing::debug!(
                    id = listed.id,
                    kind = e.kind(),
                    "a listed application cannot be read by id"
                ),
            }
        }
        tracing::debug!(
            listed = page.len(),
            "the application list is not shown to include this Connected App's applications"
        );
        Ok(false)
    }

    /// One page of the application list.
    async fn list_page(
        self,
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
        let req = self
            .engine
            .request(Method::GET, &paths::applications(org, &[]), &query);
        let page: ApplicationPage = self.engine.call_json(&req).await?;
        Ok(Page {
            items: page.applications,
            total: page.total.and_then(|t| u64::try_from(t).ok()),
        })
    }

    /// Decode an answer that holds an application, and register its client
    /// secret with the log scrubber.
    fn decode(self, req: &ApiRequest, reply: &Reply) -> Result<Application, ApiError> {
        self.engine
            .decode::<Application>(req, reply)
            .map(Application::registered)
    }

    /// A created application normally carries its secret; if not, read it.
    async fn with_secret(self, org: &str, app: Application) -> Result<Application, ApiError> {
        if app.client_secret.is_some() {
            Ok(app)
        } else {
            self.get(org, app.id).await
        }
    }
}

/// An application create.
struct ApplicationCreate<'a> {
    apps: Applications<'a>,
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
        let reply = send_once(self.apps.engine, &self.req, state).await?;
        Ok(match self.apps.decode(&self.req, &reply) {
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
        let mut matches = match self.apps.find_by_name(self.org, self.name).await {
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
            ([], []) => match self.apps.list_shows_own(self.org).await {
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
                self.apps.get(self.org, one.id).await.map(Lookup::Found)
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
