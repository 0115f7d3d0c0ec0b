//! The control surface: inspect and change state behind the provider's back,
//! inject faults, read the request log.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::faults::Fault;
use super::log::RequestRecord;
use super::shared::Shared;
use super::state::{NewApiGroup, NewApiInstance, NewGroupInstance, Target};
use super::sync::lock;
use super::variants::Variant;

/// Cheap to clone, `Send + Sync`. Every mutation made here is persisted to the
/// state file like one made over HTTP.
#[derive(Clone)]
pub struct EmulatorHandle {
    shared: Arc<Shared>,
}

impl EmulatorHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        EmulatorHandle { shared }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    // ------------------------------------------------------ applications

    /// Every application, full objects (as GET-by-id returns them), by id.
    pub fn applications(&self) -> Vec<Value> {
        let st = lock(&self.shared.state);
        st.apps().map(|a| st.app_json(a, true)).collect()
    }

    pub fn application(&self, id: i64) -> Option<Value> {
        let st = lock(&self.shared.state);
        st.app(id).map(|a| st.app_json(a, true))
    }

    pub fn application_count(&self) -> usize {
        lock(&self.shared.state).apps().count()
    }

    /// Create an application as the API would (same validation); returns the
    /// full object, or the error message.
    pub fn create_application(&self, body: Value) -> Result<Value, String> {
        let map = object(body)?;
        self.shared
            .mutate(|s| s.create_app(&map, &Default::default()))
            .map(|r| r.body.unwrap_or(Value::Null))
            .map_err(message)
    }

    /// Merge fields (name, description, url, redirectUri, grantTypes) like a
    /// user editing in the UI. False if the app is missing or the patch is
    /// invalid (wrong types, empty or duplicate name).
    pub fn update_application(&self, id: i64, patch: Value) -> bool {
        let Ok(map) = object(patch) else {
            return false;
        };
        self.shared
            .mutate(|s| s.update_app(&id.to_string(), &map, false))
            .is_ok()
    }

    pub fn delete_application(&self, id: i64) -> bool {
        self.shared
            .mutate(|s| s.delete_app(&id.to_string()))
            .is_ok()
    }

    /// Make the application list answer `{"applications":[],"total":0}`
    /// (on) or show every application again (off); reads by id are not
    /// affected. See the deliberate choices in the `emulator` module docs.
    /// The same as the variant [`Variant::ListHidesApplications`].
    pub fn set_list_hides_applications(&self, hide: bool) {
        self.set_variant(Variant::ListHidesApplications, hide);
    }

    /// List items are short (no credentials, redirect URIs or grant types)
    /// even with `targetAdminSite=true`, as in a captured answer. The same
    /// as the variant [`Variant::ListItemsShort`].
    pub fn set_list_items_short(&self, short: bool) {
        self.set_variant(Variant::ListItemsShort, short);
    }

    // ---------------------------------------------------------- variants

    /// Turn a platform variant on (which turns the others answering its
    /// question off) or off. Takes effect from the next request.
    pub fn set_variant(&self, v: Variant, on: bool) {
        self.shared.set_variant(v, on);
    }

    /// Replace the variants in force. An error (and no change) when two of
    /// them answer the same question.
    pub fn set_variants(&self, variants: &[Variant]) -> Result<(), String> {
        self.shared.set_variants(variants)
    }

    /// The variants in force, in [`Variant::ALL`] order.
    pub fn variants(&self) -> Vec<Variant> {
        self.shared.variants()
    }

    // ------------------------------------------------------------ owners

    /// False if the app is missing or the user is not an owner.
    pub fn remove_owner(&self, app_id: i64, user_id: &str) -> bool {
        self.shared
            .mutate(|s| s.remove_owner(&app_id.to_string(), user_id))
            .is_ok()
    }

    /// False if the app is missing, the user unknown or already an owner.
    pub fn add_owner(&self, app_id: i64, user_id: &str) -> bool {
        let mut body = Map::new();
        body.insert("id".into(), Value::String(user_id.to_owned()));
        self.shared
            .mutate(|s| s.add_owner(&app_id.to_string(), &body))
            .is_ok()
    }

    /// Owner user ids, in order (empty if the app is missing).
    pub fn owners(&self, app_id: i64) -> Vec<String> {
        lock(&self.shared.state)
            .app(app_id)
            .map(|a| a.owners.clone())
            .unwrap_or_default()
    }

    /// The organization's users `{id, username, email, firstName, lastName}`:
    /// the seeded ones (the Connected App's own user first), then those added.
    pub fn users(&self) -> Vec<Value> {
        lock(&self.shared.state)
            .users
            .iter()
            .map(|u| u.json())
            .collect()
    }

    /// Add a user to the organization (not persisted: users are seeded at
    /// every start); the email need not be unique, as on the platform.
    /// Returns its id.
    pub fn add_user(
        &self,
        username: &str,
        email: &str,
        first_name: &str,
        last_name: &str,
    ) -> String {
        let mut st = lock(&self.shared.state);
        let id = uuid::Uuid::new_v4().to_string();
        let mut user = crate::state::User::new(&id, username, first_name, last_name);
        user.email = email.to_owned();
        st.users.push(user);
        id
    }

    pub fn connected_app_user_id(&self) -> String {
        lock(&self.shared.state).connected_app_user().id.clone()
    }

    // --------------------------------------------------------- contracts

    /// The application's contracts, in the API Platform v2 shape.
    pub fn contracts(&self, app_id: i64) -> Vec<Value> {
        let st = lock(&self.shared.state);
        st.contracts_of(app_id)
            .map(|c| st.contract_platform_json(c))
            .collect()
    }

    /// One contract (API Platform v2 shape).
    pub fn contract(&self, contract_id: i64) -> Option<Value> {
        let st = lock(&self.shared.state);
        st.contract(contract_id)
            .map(|c| st.contract_platform_json(c))
    }

    /// Set a contract's status: APPROVED (also applies a requested tier),
    /// PENDING, REJECTED or REVOKED. False for an unknown contract or status.
    pub fn set_contract_status(&self, contract_id: i64, status: &str) -> bool {
        self.shared
            .mutate(|s| {
                if s.set_contract_status(contract_id, status) {
                    Ok(())
                } else {
                    Err(())
                }
            })
            .is_ok()
    }

    /// Reject a tier change waiting for approval (the tier in force stays).
    /// False for an unknown contract or one with no change waiting.
    pub fn reject_tier_change(&self, contract_id: i64) -> bool {
        self.shared
            .mutate(|s| {
                if s.reject_tier_change(contract_id) {
                    Ok(())
                } else {
                    Err(())
                }
            })
            .is_ok()
    }

    /// Whether an ended (revoked or rejected) contract blocks a new request
    /// for the same application and instance (on by default: the platform's
    /// one-contract rule). Off lets a test put a new contract beside an
    /// ended one, as a platform without that rule would.
    pub fn set_ended_contracts_block(&self, block: bool) {
        lock(&self.shared.state).ended_contracts_block = block;
    }

    /// Create a contract behind the API's back, as an administrator:
    /// `tier_id` is needed when the instance has tiers and may be a
    /// deprecated one (a contract made before the deprecation). Returns the
    /// contract (API Platform v2 shape), or the error message.
    pub fn create_contract(
        &self,
        app_id: i64,
        api_instance_id: i64,
        tier_id: Option<i64>,
    ) -> Result<Value, String> {
        let target = Target::Api { api_instance_id };
        self.shared
            .create_contract_for(&app_id.to_string(), target, tier_id)
            .map(|r| r.body.unwrap_or(Value::Null))
            .map_err(message)
    }

    /// Create a contract with an API group instance behind the API's back,
    /// as an administrator (see [`EmulatorHandle::create_contract`]).
    pub fn create_group_contract(
        &self,
        app_id: i64,
        group_instance_id: i64,
        tier_id: Option<i64>,
    ) -> Result<Value, String> {
        let target = Target::Group { group_instance_id };
        self.shared
            .create_contract_for(&app_id.to_string(), target, tier_id)
            .map(|r| r.body.unwrap_or(Value::Null))
            .map_err(message)
    }

    /// Grant or withdraw API Manager's "Manage Contracts" permission: without
    /// it, contract revoke and delete answer 403 (the variant
    /// [`Variant::NoManageContracts`]).
    pub fn set_manage_contracts(&self, allowed: bool) {
        self.shared.set_manage_contracts(allowed);
    }

    /// Whether contract revoke and delete are allowed.
    pub fn manage_contracts(&self) -> bool {
        self.shared.manage_contracts()
    }

    /// Delete a contract behind the API's back (whatever its status). False
    /// for an unknown contract.
    pub fn delete_contract(&self, contract_id: i64) -> bool {
        self.shared
            .mutate(|s| {
                if s.remove_contract(contract_id) {
                    Ok(())
                } else {
                    Err(())
                }
            })
            .is_ok()
    }

    /// Date a contract's creation (`audit.created.date`, RFC 3339) as if it
    /// had been made then. False for an unknown contract.
    pub fn backdate_contract(&self, contract_id: i64, created: &str) -> bool {
        self.shared
            .mutate(|s| {
                if s.backdate_contract(contract_id, created) {
                    Ok(())
                } else {
                    Err(())
                }
            })
            .is_ok()
    }

    /// The API instances, seeded then added, each with `environmentId` and
    /// `tiers`.
    pub fn api_instances(&self) -> Vec<Value> {
        let st = lock(&self.shared.state);
        st.instances
            .iter()
            .map(|i| st.instance_with_tiers_json(i))
            .collect()
    }

    /// Add an API instance (not persisted: instances are seeded at every
    /// start), found by API Manager's search like the seeded ones. Several
    /// may share an asset. Returns its id, or why it was refused (an
    /// environment that is not the root organization's, an empty asset id or
    /// tier name).
    pub fn add_api_instance(&self, instance: NewApiInstance) -> Result<i64, String> {
        lock(&self.shared.state)
            .add_api_instance(instance)
            .map(|i| i.id)
            .map_err(message)
    }

    // ------------------------------------------------------ environments

    /// Every environment `{id, name, type, isProduction, organizationId}`,
    /// the root organization's and the business group's, seeded then added.
    pub fn environments(&self) -> Vec<Value> {
        lock(&self.shared.state)
            .environments
            .iter()
            .map(|e| e.json())
            .collect()
    }

    /// Add an environment of type `production`, `sandbox` or `design` to the
    /// root organization, or to the business group
    /// ([`BUSINESS_GROUP_ID`](crate::BUSINESS_GROUP_ID)); names need not be
    /// unique. Not persisted, like users. Returns its id (a new UUID).
    pub fn add_environment(
        &self,
        name: &str,
        env_type: &str,
        organization_id: Option<&str>,
    ) -> Result<String, String> {
        lock(&self.shared.state)
            .add_environment(name, env_type, organization_id)
            .map(|e| e.id.clone())
            .map_err(message)
    }

    // -------------------------------------------------------- API groups

    /// The API groups, each with its versions and their instances (with
    /// member API instances and tiers), as `GET /_emulator/api-groups`.
    pub fn api_groups(&self) -> Vec<Value> {
        let st = lock(&self.shared.state);
        st.groups
            .groups()
            .map(|g| st.api_group_admin_json(g))
            .collect()
    }

    /// Add an API group with one version and its instances
    /// ([`NewApiGroup`]); not persisted (the seeded groups come back at every
    /// start). Returns its id, or why it was refused (an asset id another
    /// group has, an environment that is not the root organization's, a
    /// member that is not an API instance of that environment).
    pub fn add_api_group(&self, group: NewApiGroup) -> Result<i64, String> {
        lock(&self.shared.state)
            .add_api_group(group)
            .map_err(message)
    }

    /// Add an instance to API group `group_id` (its version); not persisted.
    /// Returns its id (its tiers get new tier ids, in order).
    pub fn add_api_group_instance(
        &self,
        group_id: i64,
        instance: NewGroupInstance,
    ) -> Result<i64, String> {
        lock(&self.shared.state)
            .add_api_group_instance(group_id, instance)
            .map_err(message)
    }

    // ------------------------------------------------- faults and latency

    /// 0.0..=1.0 (clamped; NaN = 0).
    pub fn set_fault_rate(&self, rate: f64) {
        self.shared.set_fault_rate(rate);
    }

    /// Replace the latency added before every response.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.set_latency(latency);
    }

    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Scripted faults not yet consumed.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).len()
    }

    /// At most `per_second` API requests in each 1-second window (windows
    /// aligned to whole seconds); the others answer 429 with `Retry-After`
    /// and the `X-RateLimit-*` headers. 0 turns the limit off. The current
    /// window starts afresh.
    pub fn set_rate_limit(&self, per_second: u32) {
        self.shared.rate_limit.set(per_second);
    }

    /// The rate limit in force (0 = off).
    pub fn rate_limit(&self) -> u32 {
        self.shared.rate_limit.per_second()
    }

    /// Requests the rate limit refused (answered 429) since start or the
    /// last [`EmulatorHandle::reset_request_log`].
    pub fn rate_limited_requests(&self) -> u64 {
        self.shared.rate_limit.refused()
    }

    /// Every token issued so far answers 401 from now on.
    pub fn expire_tokens(&self) {
        self.shared.expire_tokens();
    }

    // ------------------------------------------------------- request log

    /// POSTs to the token endpoint (faulted ones included) since start or
    /// the last [`EmulatorHandle::reset_request_log`].
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// The requests, in the order their answers were decided: the most
    /// recent [`REQUEST_LOG_LIMIT`](super::REQUEST_LOG_LIMIT) of them.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).records().cloned().collect()
    }

    /// Requests with this method (case-insensitive) whose path starts with
    /// `path_prefix`.
    pub fn request_count(&self, method: &str, path_prefix: &str) -> usize {
        lock(&self.shared.log)
            .records()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.starts_with(path_prefix))
            .count()
    }

    /// Wait until [`EmulatorHandle::request_count`] for this method and
    /// prefix reaches `n`. Woken by each logged request, never polling; a
    /// request is logged once its answer is decided, which for a
    /// [`crate::FaultKind::Hang`] is when it arrives. Bound it with
    /// a timeout if the request may never come.
    pub async fn wait_for_requests(&self, method: &str, path_prefix: &str, n: usize) {
        loop {
            let notified = self.shared.logged.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.request_count(method, path_prefix) >= n {
                return;
            }
            notified.await;
        }
    }

    /// TCP connections the emulator accepted since start or the last
    /// [`EmulatorHandle::reset_request_log`] (admin connections included).
    pub fn connections(&self) -> u64 {
        lock(&self.shared.log).connections()
    }

    /// Clear the request log, the per-route counters, the connection count,
    /// the token request counter and the count of rate-limited requests.
    pub fn reset_request_log(&self) {
        let mut log = lock(&self.shared.log);
        log.clear();
        self.shared.token_requests.store(0, Ordering::SeqCst);
        self.shared.rate_limit.reset_counter();
    }
}

fn object(v: Value) -> Result<Map<String, Value>, String> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err("expected a JSON object".to_owned()),
    }
}

fn message(reply: super::state::Reply) -> String {
    reply
        .body
        .as_ref()
        .and_then(|b| b.get("message"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("status {}", reply.status))
}
