//! Contracts: an application's access to an API instance or an API group
//! instance. Requested through Exchange, listed in the application (the
//! proof of what exists), and ended (revoked, deleted) through the instance
//! (API Manager; an API instance also has a legacy API Platform path, a
//! group instance none).

use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;

use crate::applications::Applications;
use crate::clock::{PriorHolders, Since};
use crate::create_once::{create_once, send_once, CreateOnce, Lookup, Sent};
use crate::error::{ApiError, ErrorInfo};
use crate::failure::Failure;
use crate::memory::Memory;
use crate::models::ContractPage;
use crate::models::{Contract, ContractTarget, NewContract};
use crate::paging::{collect_pages, Page, MAX_PAGE_SIZE};
use crate::paths;
use crate::request::ApiRequest;
use crate::retry::RetryState;
use crate::send::{after_stop, Engine, Replay};

/// Contracts from a list answer: a bare array (documented), or an object
/// with `contracts` or `data`. Items that do not read as contracts are
/// skipped.
fn contracts_from(v: Value) -> Option<Vec<Contract>> {
    let items = match v {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("contracts").or_else(|| map.remove("data")) {
            Some(Value::Array(items)) => items,
            _ => return None,
        },
        _ => return None,
    };
    Some(
        items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
    )
}

/// The contracts of client applications:
/// [`AnypointClient::contracts`](crate::AnypointClient::contracts).
#[derive(Clone, Copy)]
pub struct Contracts<'a> {
    engine: &'a Arc<Engine>,
    memory: &'a Memory,
}

impl<'a> Contracts<'a> {
    pub(crate) fn new(engine: &'a Arc<Engine>, memory: &'a Memory) -> Self {
        Contracts { engine, memory }
    }

    /// `GET /apiplatform/repository/v2/organizations/{org}/applications/{id}/contracts?offset=&limit=`
    /// (a bare array, no total; the API instance id is in `apiVersion.id`),
    /// every page: paging stops at a page shorter than the limit.
    pub async fn list(self, org: &str, app_id: i64) -> Result<Vec<Contract>, ApiError> {
        let id = app_id.to_string();
        let id = id.as_str();
        collect_pages(MAX_PAGE_SIZE, |offset, limit| async move {
            let req = self.engine.request(
                Method::GET,
                &paths::applications(org, &[id, "contracts"]),
                &[("offset", offset.to_string()), ("limit", limit.to_string())],
            );
            let reply = self.engine.call(&req).await?;
            let v: Value = self.engine.decode(&req, &reply)?;
            let items = contracts_from(v).ok_or_else(|| {
                ApiError::Decode(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    "expected a list of contracts".to_owned(),
                ))
            })?;
            Ok(Page { items, total: None })
        })
        .await
    }

    /// The contracts of application `id` ([`Self::list`]), once per client,
    /// shared by the contract resources that refresh from them
    /// (`memory.rs`). Failures are not kept.
    pub async fn read_shared(self, org: &str, app_id: i64) -> Result<Vec<Contract>, ApiError> {
        let cell = self.memory.contracts_read(org, app_id);
        cell.get_or_try_init(|| self.list(org, app_id))
            .await
            .cloned()
    }

    /// The contract `contract_id` where it lives: the application's
    /// contract list, read afresh. `None` only when the list lacks it or
    /// the application itself is gone (its read by id answers 404); a 404
    /// of the list with the application still there is an error.
    pub async fn find(
        self,
        org: &str,
        app_id: i64,
        contract_id: i64,
    ) -> Result<Option<Contract>, ApiError> {
        match self.list(org, app_id).await {
            Ok(list) => Ok(list.into_iter().find(|c| c.id == contract_id)),
            Err(e) if e.is_not_found() => match self.applications().get(org, app_id).await {
                Err(gone) if gone.is_not_found() => Ok(None),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// `POST /exchange/api/v2/organizations/{org}/applications/{id}/contracts`
    /// (201), by the create-once rule (`create_once.rs`), without reading
    /// anything first: the platform guards the one slot per application and
    /// instance itself, so a 409 on the first attempt is returned (a
    /// contract the caller did not know about, or an ended one holding the
    /// slot: the caller decides). The look-up after an ambiguous attempt
    /// lists the application's contracts: a live (not revoked or rejected)
    /// contract for the same API instance or API group instance is the one
    /// the attempt made (the newest, should there be several) if the
    /// platform dates its creation no earlier than its `Date` just before
    /// the request was sent ([`PriorHolders`], the applications' rule); one
    /// that is older or undated was there before (the attempt then met a
    /// 409) and is named in the error, never taken. A group contract is
    /// returned as with its group instance, whatever API the answer names
    /// (Exchange's answer to a group request names one of the group's APIs
    /// as `api`).
    pub async fn create(
        self,
        org: &str,
        app_id: i64,
        new: &NewContract,
    ) -> Result<Contract, ApiError> {
        let _changing = self.memory.changing_contracts(org, app_id);
        let id = app_id.to_string();
        let req = self
            .engine
            .request(Method::POST, &paths::contract_requests(org, &id, &[]), &[])
            .json(new)?;
        if self.engine.platform_now().is_none() {
            // The token's answer dates the moment before the request.
            self.engine.access_token(&req).await.map_err(|f| f.error)?;
        }
        let op = ContractCreate {
            contracts: self,
            org,
            app_id,
            target: new.target,
            before: PriorHolders {
                ids: Vec::new(),
                as_of: self.engine.platform_now(),
            },
            req,
        };
        create_once(self.engine, &op).await
    }

    /// `PATCH /exchange/api/v2/organizations/{org}/applications/{id}/contracts/{contractId}`
    /// `{"requestedTierId":N}` (200). Setting the requested tier is
    /// idempotent, so it is retried. An empty answer is followed by a list.
    pub async fn change_tier(
        self,
        org: &str,
        app_id: i64,
        contract_id: i64,
        tier_id: i64,
    ) -> Result<Contract, ApiError> {
        let _changing = self.memory.changing_contracts(org, app_id);
        let id = app_id.to_string();
        let cid = contract_id.to_string();
        let req = self
            .engine
            .request(
                Method::PATCH,
                &paths::contract_requests(org, &id, &[&cid]),
                &[],
            )
            .json(&serde_json::json!({ "requestedTierId": tier_id }))?;
        let reply = self.engine.call(&req).await?;
        if !reply.is_blank() {
            return self.engine.decode(&req, &reply);
        }
        self.list(org, app_id)
            .await?
            .into_iter()
            .find(|c| c.id == contract_id)
            .ok_or_else(|| {
                ApiError::NotFound(ErrorInfo::new(
                    req.method.as_str(),
                    &req.path,
                    Some(reply.status.as_u16()),
                    format!("contract {contract_id} is not among the application's contracts"),
                ))
            })
    }

    /// End a contract: revoke it if `status` (what the caller last saw)
    /// is APPROVED, delete it otherwise; the platform's answers decide the
    /// rest (see [`Self::revoke`] and [`Self::delete`] for the paths):
    /// - a revoke refused with a 4xx other than 401/403 (a platform that
    ///   revokes only approved contracts, or one that asks for a plain
    ///   delete) still goes on to the delete, which decides;
    /// - a delete refused with a 400 or 409 before any revoke (a live
    ///   contract the platform wants revoked first) revokes, then deletes;
    /// - once a revoke was made, the delete is sent even after a stop
    ///   (`send::after_stop`), or the revoked contract would stay behind;
    /// - a 404 is never taken for "gone": the application's contract list
    ///   decides, and a contract it still shows is a `Conflict` that names
    ///   the contract, its status and the path that answered 404.
    pub async fn end(
        self,
        site: &ContractSite<'_>,
        status: Option<&str>,
    ) -> Result<Ended, ApiError> {
        let _changing = self.memory.changing_contracts(site.app_org, site.app_id);
        let mut listed = Listed::default();
        let approved = status.is_some_and(|s| s.eq_ignore_ascii_case("APPROVED"));
        let mut revoked = false;
        if approved {
            revoked = self.revoke_or_pass(site, &mut listed).await?;
        }
        let first = if revoked {
            after_stop(self.take(Step::Delete, site, &mut listed)).await
        } else {
            self.take(Step::Delete, site, &mut listed).await
        };
        let error = match first {
            Ok(()) => return Ok(Ended::Deleted),
            Err(e) if e.is_not_found() => return self.confirm_gone(site, &mut listed, e).await,
            Err(e) => e,
        };
        let wants_revoke = matches!(error, ApiError::Conflict(_) | ApiError::BadRequest(_));
        if approved || !wants_revoke {
            return Err(error);
        }
        tracing::debug!(
            contract_id = site.contract_id,
            "the delete was refused ({error}): revoking first"
        );
        if !self.revoke_or_pass(site, &mut listed).await? {
            return Err(error);
        }
        match after_stop(self.take(Step::Delete, site, &mut listed)).await {
            Ok(()) => Ok(Ended::Deleted),
            Err(e) if e.is_not_found() => self.confirm_gone(site, &mut listed, e).await,
            Err(e) => Err(e),
        }
    }

    /// Revoke a contract: API Manager's `PATCH …/apis/{api}/contracts/{id}`
    /// `{"status":"REVOKED"}` (KB-001115212), or the legacy
    /// `POST /apiplatform/repository/v2/organizations/{org}/apis/{parent}/versions/{api}/contracts/{id}/revoke`
    /// (which one, see [`ContractSite`]). Retried like a PUT; a 409 after an
    /// ambiguous attempt is success.
    pub async fn revoke(self, site: &ContractSite<'_>) -> Result<(), ApiError> {
        self.take(Step::Revoke, site, &mut Listed::default()).await
    }

    /// Delete a contract: API Manager's `DELETE …/apis/{api}/contracts/{id}`
    /// (204), or the legacy
    /// `DELETE /apiplatform/repository/v2/organizations/{org}/apis/{parent}/versions/{api}/contracts/{id}`
    /// (which one, see [`ContractSite`]). Retried; a 404 is `NotFound` (for
    /// the caller to confirm).
    pub async fn delete(self, site: &ContractSite<'_>) -> Result<(), ApiError> {
        self.take(Step::Delete, site, &mut Listed::default()).await
    }

    fn applications(self) -> Applications<'a> {
        Applications::new(self.engine, self.memory)
    }

    /// The contracts of `target` (an API instance or an API group instance)
    /// in `env` of `org` (the target's organization), when they fit in one
    /// page: API Manager's
    /// `GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts?offset=0&limit=250`
    /// (or `…/groupInstances/{id}/contracts`) → `{"total":N,"contracts":[…]}`,
    /// read once per client and target and shared by the refresh of every
    /// contract on it (`memory.rs`). `None` when the target has more
    /// contracts than a page holds (paging through a busy instance would
    /// cost more than reading by application), when the platform refuses
    /// such lists to this Connected App (401, 403: "View Contracts", or "API
    /// Group Administrator" for groups; remembered per kind, so it is asked
    /// once), or when the list cannot be read: the caller then reads by
    /// application. What this list lacks is not gone: only the application's
    /// list says that.
    pub async fn read_target_shared(
        self,
        org: &str,
        env: &str,
        target: ContractTarget,
    ) -> Option<Vec<Contract>> {
        let cell = self.memory.target_contracts_read(org, env, target)?;
        let read = cell
            .get_or_try_init(|| async {
                let id = target.id().to_string();
                let path = match target {
                    ContractTarget::ApiInstance(_) => {
                        paths::api_manager(org, env, &id, &["contracts"])
                    }
                    ContractTarget::ApiGroupInstance(_) => {
                        paths::group_instance(org, env, &id, &["contracts"])
                    }
                };
                let req = self.engine.request(
                    Method::GET,
                    &path,
                    &[
                        ("offset", "0".to_owned()),
                        ("limit", MAX_PAGE_SIZE.to_string()),
                    ],
                );
                let page: ContractPage = match self.engine.call_json(&req).await {
                    Ok(page) => page,
                    // A refusal is an answer, kept like one (for this
                    // target, and for every other of its kind: it is the
                    // scope).
                    Err(ApiError::Forbidden(_) | ApiError::Unauthorized(_)) => {
                        self.memory.target_contracts_refused(target);
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                };
                let whole = page
                    .total
                    .and_then(|t| usize::try_from(t).ok())
                    .is_some_and(|t| t <= page.contracts.len());
                Ok::<_, ApiError>(whole.then_some(page.contracts))
            })
            .await;
        match read {
            Ok(list) => list.clone(),
            Err(e) => {
                tracing::debug!(
                    kind = e.kind(),
                    "cannot list the contracts of {target}: reading by application"
                );
                None
            }
        }
    }

    /// The application's live contracts with `target` (an API instance or
    /// an API group instance), for the look-up after an ambiguous create:
    /// the newest the platform dates after `before`, and the newest of the
    /// others. Revoked and rejected contracts stay in the list until
    /// deleted; they are never the one a create just made, so they are
    /// skipped.
    async fn made_for(
        self,
        org: &str,
        app_id: i64,
        target: ContractTarget,
        before: &PriorHolders,
    ) -> Result<(Option<Contract>, Option<Contract>), ApiError> {
        let (after, other): (Vec<Contract>, Vec<Contract>) = self
            .list(org, app_id)
            .await?
            .into_iter()
            .filter(|c| c.target() == Some(target) && !c.is_ended())
            .partition(|c| before.since(c.id, c.created_at.as_deref()) == Since::After);
        let newest = |list: Vec<Contract>| list.into_iter().max_by_key(|c| c.id);
        Ok((newest(after), newest(other)))
    }

    /// Revoke; `Ok(true)` when revoked, `Ok(false)` when the platform
    /// refused with a 4xx that leaves the decision to the delete (never
    /// 401 or 403, which are errors like any 5xx or transport failure: the
    /// contract stays in state and the next run sees what happened).
    async fn revoke_or_pass(
        self,
        site: &ContractSite<'_>,
        listed: &mut Listed,
    ) -> Result<bool, ApiError> {
        match self.take(Step::Revoke, site, listed).await {
            Ok(()) => Ok(true),
            Err(e @ (ApiError::BadRequest(_) | ApiError::Conflict(_) | ApiError::NotFound(_))) => {
                tracing::debug!(
                    contract_id = site.contract_id,
                    "the revoke was refused ({e}): the delete decides"
                );
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// A 404 from a contract path: gone only if the application's contract
    /// list no longer shows it.
    async fn confirm_gone(
        self,
        site: &ContractSite<'_>,
        listed: &mut Listed,
        answer: ApiError,
    ) -> Result<Ended, ApiError> {
        listed.0 = None;
        match listed.get(self, site).await? {
            None => Ok(Ended::AlreadyGone),
            Some(c) => {
                let info = answer
                    .info()
                    .cloned()
                    .unwrap_or_else(|| ErrorInfo::new("DELETE", "", None, String::new()));
                Err(ApiError::Conflict(ErrorInfo::new(
                    &info.method,
                    &info.path,
                    info.status,
                    format!(
                        "contract {} is still {} on the platform (client application {}'s \
                         contract list shows it, with {}), but this path answered 404: {}",
                        c.id,
                        c.status.as_deref().unwrap_or("listed"),
                        site.app_id,
                        c.target().unwrap_or(site.target),
                        info.message
                    ),
                )))
            }
        }
    }

    /// Take `step` on the contract at `site`, by the path rule of
    /// [`ContractSite`].
    async fn take(
        self,
        step: Step,
        site: &ContractSite<'_>,
        listed: &mut Listed,
    ) -> Result<(), ApiError> {
        let _changing = self.memory.changing_a_contract();
        let api = match site.target {
            ContractTarget::ApiInstance(api) => api.to_string(),
            ContractTarget::ApiGroupInstance(group) => {
                return self.take_in_group(step, site, group).await
            }
        };
        let cid = site.contract_id.to_string();
        let unserved = match site.environment {
            Some(env) => {
                let path = paths::api_manager(site.instance_org, env, &api, &["contracts", &cid]);
                let req = step.api_manager_request(self.engine, &path)?;
                match self.send_step(step, &req).await {
                    Ok(()) => return Ok(()),
                    Err(e) if is_unserved(&e) => Some(e),
                    Err(e) => return Err(e),
                }
            }
            None => None,
        };
        let Some(parent) = listed.parent(self, site).await? else {
            return Err(unserved.unwrap_or_else(|| no_parent(site)));
        };
        tracing::debug!(
            contract_id = site.contract_id,
            "{} through the API Platform path",
            step.doing()
        );
        let parent = parent.to_string();
        let path = paths::legacy_contract(site.instance_org, &parent, &api, &cid, &[]);
        let req = step.legacy_request(self.engine, path)?;
        match self.send_step(step, &req).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_not_found() => Err(unserved.unwrap_or(e)),
            Err(e) => Err(e),
        }
    }

    /// Take `step` on a group contract: API Manager's
    /// `…/groupInstances/{id}/contracts/{contractId}`, the one path there is.
    async fn take_in_group(
        self,
        step: Step,
        site: &ContractSite<'_>,
        group: i64,
    ) -> Result<(), ApiError> {
        let Some(env) = site.environment else {
            return Err(ApiError::Config(format!(
                "contract {} is with API group instance {group}, which API Manager reaches only \
                 through its environment, and none is known",
                site.contract_id
            )));
        };
        let (group, cid) = (group.to_string(), site.contract_id.to_string());
        let path = paths::group_instance(site.instance_org, env, &group, &["contracts", &cid]);
        let req = step.api_manager_request(self.engine, &path)?;
        self.send_step(step, &req).await
    }

    /// Send a step, retried like a PUT. A revoke sets a state: a 409 after
    /// an ambiguous attempt is success.
    async fn send_step(self, step: Step, req: &ApiRequest) -> Result<(), ApiError> {
        let mut state = RetryState::default();
        match self.engine.send(req, Replay::Always, &mut state).await {
            Ok(_) => Ok(()),
            Err(f) if step == Step::Revoke && state.saw_ambiguous && f.error.is_conflict() => {
                Ok(())
            }
            Err(f) => Err(f.error),
        }
    }
}

/// The two ways a contract ends ([`Contracts::revoke`], [`Contracts::delete`]),
/// each with its API Manager request and its legacy one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Revoke,
    Delete,
}

impl Step {
    fn doing(self) -> &'static str {
        match self {
            Step::Revoke => "revoking",
            Step::Delete => "deleting",
        }
    }

    fn api_manager_request(self, engine: &Engine, path: &[&str]) -> Result<ApiRequest, ApiError> {
        match self {
            Step::Revoke => engine
                .request(Method::PATCH, path, &[])
                .json(&serde_json::json!({ "status": "REVOKED" })),
            Step::Delete => Ok(engine.request(Method::DELETE, path, &[])),
        }
    }

    fn legacy_request(self, engine: &Engine, mut path: Vec<&str>) -> Result<ApiRequest, ApiError> {
        match self {
            Step::Revoke => {
                path.push("revoke");
                engine
                    .request(Method::POST, &path, &[])
                    .json(&serde_json::json!({}))
            }
            Step::Delete => Ok(engine.request(Method::DELETE, &path, &[])),
        }
    }
}

/// A path that is not served, or does not know the contract there: 404 or 405.
fn is_unserved(e: &ApiError) -> bool {
    e.is_not_found() || e.status() == Some(405)
}

/// Neither the environment nor the parent API is known: no path reaches
/// the contract.
fn no_parent(site: &ContractSite<'_>) -> ApiError {
    ApiError::Config(format!(
        "contract {} can be reached through API Manager only with its environment, and \
         through API Platform only with its parent API id, which client application {}'s \
         contract list does not give",
        site.contract_id, site.app_id
    ))
}

/// Where a contract is reached. It lives in its application (whose
/// contract list is the proof of what exists) and is administered through
/// its API instance or API group instance.
///
/// An API instance's contract: API Manager's paths need the instance's
/// organization and environment; the legacy API Platform paths need the
/// organization and the parent API id, from the contract list. API
/// Manager's path is used when the environment is known; the legacy one
/// without it, or when API Manager's is not served (404, 405). When both
/// answer 404, API Manager's answer is returned (the contract list decides:
/// [`Contracts::end`]).
///
/// A group instance's contract: API Manager's
/// `…/environments/{env}/groupInstances/{id}/contracts/{contractId}` only
/// (there is no legacy path), so the environment is needed.
#[derive(Clone, Copy, Debug)]
pub struct ContractSite<'a> {
    /// The root organization of the application.
    pub app_org: &'a str,
    pub app_id: i64,
    pub contract_id: i64,
    /// The organization or business group of the API instance.
    pub instance_org: &'a str,
    /// The instance's environment; `None` when not known (a contract
    /// imported and never applied): the legacy paths are used (an API
    /// instance's contract) or nothing can be done (a group's).
    pub environment: Option<&'a str>,
    /// The API instance or API group instance.
    pub target: ContractTarget,
}

/// How [`Contracts::end`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Deleted,
    /// The application's contract list no longer shows it.
    AlreadyGone,
}

/// The contract as the application's contract list shows it, read at most
/// once per teardown step (`None` inside: not read yet).
#[derive(Default)]
struct Listed(Option<Option<Contract>>);

impl Listed {
    async fn get(
        &mut self,
        contracts: Contracts<'_>,
        site: &ContractSite<'_>,
    ) -> Result<Option<Contract>, ApiError> {
        if let Some(c) = &self.0 {
            return Ok(c.clone());
        }
        let found = after_stop(contracts.find(site.app_org, site.app_id, site.contract_id)).await?;
        self.0 = Some(found.clone());
        Ok(found)
    }

    async fn parent(
        &mut self,
        contracts: Contracts<'_>,
        site: &ContractSite<'_>,
    ) -> Result<Option<i64>, ApiError> {
        Ok(self
            .get(contracts, site)
            .await?
            .and_then(|c| c.parent_api_id))
    }
}

/// A contract create.
struct ContractCreate<'a> {
    contracts: Contracts<'a>,
    org: &'a str,
    app_id: i64,
    target: ContractTarget,
    /// No contract ids: the platform's time before the request was sent.
    before: PriorHolders,
    req: ApiRequest,
}

impl ContractCreate<'_> {
    /// A live contract for the instance that the platform does not date
    /// after the request was sent: there before (the attempt then met a
    /// 409) or somebody else's, so never taken.
    fn not_taken(&self, c: &Contract) -> ApiError {
        let mut info = ErrorInfo::new(
            self.req.method.as_str(),
            &self.req.path,
            None,
            format!(
                "client application {} has contract {} ({}) with {}, which the platform does \
                 not date after this request was sent: it was there before (the request then \
                 met a 409) or is somebody else's, so it is not taken",
                self.app_id,
                c.id,
                c.status.as_deref().unwrap_or("unknown status"),
                self.target
            ),
        );
        info.outcome_unknown = true;
        ApiError::Conflict(info)
    }

    /// A group contract, whatever API the answer names.
    fn with_target(&self, mut c: Contract) -> Contract {
        if let ContractTarget::ApiGroupInstance(g) = self.target {
            c.group_instance_id = Some(g);
            c.api_instance_id = None;
            c.parent_api_id = None;
        }
        c
    }
}

impl CreateOnce for ContractCreate<'_> {
    type Output = Contract;

    fn request(&self) -> &ApiRequest {
        &self.req
    }

    async fn send(&self, state: &mut RetryState) -> Result<Sent<Contract>, Failure> {
        let engine = self.contracts.engine;
        let reply = send_once(engine, &self.req, state).await?;
        Ok(match engine.decode::<Contract>(&self.req, &reply) {
            Ok(created) => Sent::Created(self.with_target(created)),
            Err(unreadable) => Sent::Unreadable(unreadable),
        })
    }

    async fn look_up(&self, _failure: &ApiError) -> Result<Lookup<Contract>, ApiError> {
        tracing::debug!(path = %self.req.path, "the contract create may have been applied: listing contracts");
        Ok(
            match self
                .contracts
                .made_for(self.org, self.app_id, self.target, &self.before)
                .await
            {
                Ok((Some(found), _)) => Lookup::Found(found),
                Ok((None, None)) => Lookup::NotFound,
                Ok((None, Some(older))) => return Err(self.not_taken(&older)),
                Err(e) => Lookup::Failed(e),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contract_list_shapes() {
        let c = contracts_from(json!([{"id": 1}, {"nope": true}, {"id": "2"}])).unwrap();
        assert_eq!(c.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(
            contracts_from(json!({"contracts": [{"id": 3}], "total": 1})).unwrap()[0].id,
            3
        );
        assert_eq!(contracts_from(json!({"data": []})).unwrap().len(), 0);
        assert!(contracts_from(json!({"x": 1})).is_none());
        assert!(contracts_from(json!("text")).is_none());
    }

    #[test]
    fn ended_contracts() {
        let c = |status: Value| -> Contract {
            serde_json::from_value(json!({"id": 1, "status": status})).unwrap()
        };
        assert!(c(json!("REVOKED")).is_ended());
        assert!(c(json!("rejected")).is_ended());
        assert!(!c(json!("APPROVED")).is_ended());
        assert!(!c(json!("PENDING")).is_ended());
        assert!(!c(Value::Null).is_ended());
    }
}
