//! Client applications, their owners and their secret (API Platform v2).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock};

use reqwest::Method;

use super::client::{AnypointClient, ApiRequest, Failure, Replay, Reply};
use super::create_once::{CreateOnce, Lookup, Sent};
use super::error::{ApiError, ErrorInfo};
use super::models::{
    AddOwnerOutcome, Application, ApplicationPage, ApplicationSummary, ApplicationUpdate,
    NewApplication,
};
use super::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use super::retry::RetryState;
use crate::secret::register_secret;

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
        if let Some(ids) = existing.as_deref().filter(|ids| !ids.is_empty()) {
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
        let op = ApplicationCreate {
            client: self,
            org,
            req,
            name: &app.name,
            existing,
        };
        let created = self.create_once(&op).await?;
        self.remember_application(org, &created);
        // Made: read its secret even if the provider is stopping.
        self.after_stop(self.with_secret(org, created)).await
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
            Ok(app) => self.remember_application(org, app),
            Err(e) if e.is_not_found() => self.forget_application(org, &id),
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
        let id_text = id.to_string();
        let req = self
            .request(Method::PUT, &apps(org, &[&id_text]), &[])
            .json(update)?;
        let reply = self.call(&req).await?;
        if !reply.is_blank() {
            if let Ok(app) = self.decode_application(&req, &reply) {
                self.remember_application(org, &app);
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
        let deleted = self.call(&req).await.map(drop);
        if deleted.is_ok() || deleted.as_ref().is_err_and(ApiError::is_not_found) {
            self.forget_application(org, &id);
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
    async fn list_page(
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

    /// Whether the application list is shown to include this Connected
    /// App's applications: the witness the create-once rule for
    /// applications needs before it takes "not listed" for "not created"
    /// (the rule is in `create_once.rs`). True when the list, queried by
    /// the name of an application this process knows to exist (it created
    /// it, or read it by id), shows that application; or when a page of
    /// the unfiltered list holds such an application, or one that a read by
    /// id confirms. An empty list is never a witness. A failed list is an
    /// error (nothing is known); an unreadable listed application is just
    /// not a witness.
    pub async fn list_shows_own_applications(&self, org: &str) -> Result<bool, ApiError> {
        let known = self.known_applications(org);
        for (id, name) in known.iter().take(WITNESS_READS) {
            let listed = self.find_applications_by_name(org, name).await?;
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
            match self.get_application(org, listed.id).await {
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

    /// The registry key of this client's platform and `org`.
    fn witness_key(&self, org: &str) -> (String, String) {
        (
            self.base_url().as_str().to_owned(),
            org.to_ascii_lowercase(),
        )
    }

    /// Remember that `app` exists (this process created it or read it).
    fn remember_application(&self, org: &str, app: &Application) {
        let mut all = known_registry();
        let known = all.entry(self.witness_key(org)).or_default();
        known.retain(|(id, _)| *id != app.id);
        known.push_front((app.id, app.name.clone()));
        known.truncate(WITNESSES_KEPT);
    }

    /// Forget application `id` (deleted, or read as gone).
    fn forget_application(&self, org: &str, id: &str) {
        let Ok(id) = id.parse::<i64>() else {
            return;
        };
        if let Some(known) = known_registry().get_mut(&self.witness_key(org)) {
            known.retain(|(k, _)| *k != id);
        }
    }

    /// The applications of `org` this process knows to exist, most recent
    /// first: (id, name when last seen).
    fn known_applications(&self, org: &str) -> Vec<(i64, String)> {
        known_registry()
            .get(&self.witness_key(org))
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default()
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
    /// an owner), by the create-once rule (`create_once.rs`). The look-up
    /// reads the application's owners: if the user is among them (user ids
    /// compared without case), the add happened.
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
            if let Ok(app) = self.decode_application(&req, &reply) {
                if app.client_secret.is_some() {
                    return Ok(app);
                }
            }
        }
        self.get_application(org, app_id).await
    }
}

/// Applications this process knows to exist, per platform and organization,
/// kept for [`AnypointClient::list_shows_own_applications`] (a few per
/// organization are enough: each is a possible witness).
type KnownApplications = HashMap<(String, String), VecDeque<(i64, String)>>;

/// How many known applications are kept per platform and organization.
const WITNESSES_KEPT: usize = 8;
/// How many known applications are looked for, and how many listed ones
/// are read by id, in one witness check.
const WITNESS_READS: usize = 2;
/// The size of the unfiltered page the witness check lists.
const WITNESS_PAGE: u32 = 10;

fn known_registry() -> MutexGuard<'static, KnownApplications> {
    static KNOWN: OnceLock<Mutex<KnownApplications>> = OnceLock::new();
    KNOWN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Register an application's client secret with the log scrubber.
fn registered(app: Application) -> Application {
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
    /// The ids that had the name before the create (`None`: unknown).
    existing: Option<&'a [i64]>,
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
        matches.retain(|a| self.existing.is_none_or(|before| !before.contains(&a.id)));
        match matches.as_slice() {
            // Not listed is "not created" only if the list is shown to see
            // this Connected App's applications (the rule in create_once.rs).
            [] => match self.client.list_shows_own_applications(self.org).await {
                Ok(true) => Ok(Lookup::NotFound),
                Ok(false) => Err(self.unproven(failure)),
                Err(e) => Ok(Lookup::Failed(e)),
            },
            // Nothing tells whether it had the name before the create.
            [one] if self.existing.is_none() => Err(self.outcome_unknown(
                failure,
                format!(
                    "an application with that name exists (id {}), but whether it existed \
                     before this create is unknown (the list before the create failed), so it \
                     is not taken for the one this create made",
                    one.id
                ),
            )),
            [one] => {
                tracing::debug!(
                    id = one.id,
                    "found the application the ambiguous create made"
                );
                self.client
                    .get_application(self.org, one.id)
                    .await
                    .map(Lookup::Found)
            }
            many => {
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

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::anypoint::config::ClientConfig;
    use crate::secret::Secret;

    fn client(base: &str) -> AnypointClient {
        let cfg = ClientConfig::new(base, "id", Secret::new("secret-value")).unwrap();
        AnypointClient::new(cfg, "1.11.4", CancellationToken::new()).unwrap()
    }

    fn app(id: i64, name: &str) -> Application {
        serde_json::from_value(serde_json::json!({ "id": id, "name": name })).unwrap()
    }

    #[test]
    fn known_applications_are_kept_per_platform_and_organization() {
        let a = client("http://127.0.0.1:19");
        let b = client("http://127.0.0.1:29");
        a.remember_application("Org-1", &app(1, "one"));
        a.remember_application("org-1", &app(2, "two"));
        // Renamed: seen again under its new name, once.
        a.remember_application("org-1", &app(1, "uno"));
        assert_eq!(
            a.known_applications("ORG-1"),
            [(1, "uno".to_owned()), (2, "two".to_owned())]
        );
        assert!(a.known_applications("org-2").is_empty());
        assert!(b.known_applications("org-1").is_empty());
        a.forget_application("org-1", "1");
        a.forget_application("org-1", "not-a-number");
        assert_eq!(a.known_applications("org-1"), [(2, "two".to_owned())]);
        for id in 10..30 {
            a.remember_application("org-1", &app(id, "many"));
        }
        let kept = a.known_applications("org-1");
        assert_eq!(kept.len(), WITNESSES_KEPT);
        assert_eq!(kept[0].0, 29, "the most recent first");
    }
}
