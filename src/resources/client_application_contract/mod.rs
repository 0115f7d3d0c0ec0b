//! `anypoint_client_application_contract`: one client application's access
//! to one API instance (a contract), requested through Exchange.
//!
//! - Create looks up the instance's asset coordinates (API Manager, then
//!   Exchange for the version group and the asset's organization), checks
//!   the requested tier against the instance's active tiers, removes an
//!   ended (revoked or rejected) contract for the same instance (the
//!   platform keeps one contract per application and instance), then
//!   requests the contract through the create-once helper. The configured
//!   `api_instance_id` is kept whatever the answer says.
//! - Read lists the application's contracts (every page). A contract the
//!   list no longer shows is gone; an ended one stays in state while it
//!   exists, so that removing the resource deletes it and keeping it plans
//!   a replacement, with a warning that an administrator ended it.
//! - A change of `requested_tier_id` requests a tier change in place.
//!   `status` and `tier_id` are recorded as planned when no tier change was
//!   asked for (an approval between a saved plan and its apply shows at the
//!   next refresh).
//! - Destroy ends the contract by the client's one rule
//!   ([`Contracts::end`](anypoint_client::Contracts::end)).
//! - `environment_id`, `api_instance_org_id` and `accepted_terms` are not
//!   reported by the platform: after import they are recorded from the
//!   configuration in place (the environment checked against the platform
//!   first), never by a replacement.

use async_trait::async_trait;

use crate::support::values::{parse_app_id, spelled_as};
use crate::support::{api_error, plan_org_id, root_org_id_for_resource, AnypointData};
use anypoint_client::{Contract, ContractSite, Ended, NewContract};
use tfplugin::framework::diagnostics::quoted;
use tfplugin::framework::semantic::uuid_ignoring_case;
use tfplugin::framework::validators::{canonical_uuid, is_uuid, numeric_id, uuid};
use tfplugin::framework::{
    Attribute, Ctx, Diagnostics, Maybe, Model, PlanChange, ReadOutcome, Resource, Schema,
};
use tfplugin::tfvalue::Value;

mod advice;
mod slot;

use advice::{ended_outside, request_failed, teardown_failed};
use slot::{check_environment, check_tiers, clear_slot};

pub struct ClientApplicationContractResource;

pub const TYPE_NAME: &str = "anypoint_client_application_contract";

tfplugin::model! {
    /// The attributes of `anypoint_client_application_contract`.
    pub struct ContractModel, paths: attrs {
        id: Maybe<String>,
        org_id: Maybe<String>,
        application_id: Maybe<String>,
        api_instance_id: Maybe<String>,
        environment_id: Maybe<String>,
        api_instance_org_id: Maybe<String>,
        requested_tier_id: Maybe<String>,
        accepted_terms: Maybe<bool>,
        status: Maybe<String>,
        tier_id: Maybe<String>,
        asset_group_id: Maybe<String>,
        asset_id: Maybe<String>,
        asset_version: Maybe<String>,
        asset_version_group: Maybe<String>,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "One client application's access to one API instance: a contract, requested through \
         Exchange. A tier that needs approval leaves the contract PENDING until an API \
         administrator approves it. Destroying the resource ends the contract (an approved one \
         is revoked, then deleted; any other is deleted), which needs API Manager's \"Manage \
         Contracts\" permission. A contract an administrator revoked or rejected stays in state \
         until it is deleted: the plan then replaces it, with a warning.",
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .use_state_for_unknown()
            .description("The contract id."),
    )
    .attribute(
        root_org_id_for_resource(),
    )
    .attribute(
        Attribute::string("application_id")
            .required()
            .requires_replace()
            .validate(numeric_id())
            .description("The client application id (digits), e.g. `anypoint_client_application.example.id`."),
    )
    .attribute(
        Attribute::string("api_instance_id")
            .required()
            .requires_replace()
            .validate(numeric_id())
            .description("The API Manager API instance id (digits)."),
    )
    .attribute(
        Attribute::string("environment_id")
            .required()
            .validate(uuid())
            .semantic_equality(uuid_ignoring_case())
            .description("The environment (a UUID) of the API instance. Changing it requests a new contract; the platform does not report it, so after import it is recorded from the configuration without a replacement."),
    )
    .attribute(
        Attribute::string("api_instance_org_id")
            .optional()
            .computed()
            .use_state_for_unknown()
            .validate(uuid())
            .semantic_equality(uuid_ignoring_case())
            .description("The business group that holds the API instance. Defaults to `org_id`. Changing it requests a new contract; after import it is recorded without a replacement."),
    )
    .attribute(
        Attribute::string("requested_tier_id")
            .optional()
            .validate(numeric_id())
            .description("The SLA tier (digits) asked for; required when the API instance has tiers. Changing it requests a tier change in place, which may wait for approval (see `tier_id`)."),
    )
    .attribute(
        Attribute::bool("accepted_terms")
            .optional()
            .computed()
            .default(Value::Bool(false))
            .description("Whether the API's terms and conditions are accepted; sent with the request. Defaults to `false`. An API with terms refuses a request without them."),
    )
    .attribute(
        Attribute::string("status")
            .computed()
            .description("The contract's status as the platform reports it: `APPROVED`, `PENDING`, `REVOKED`, `REJECTED`. A revoked or rejected contract is replaced by the next apply (a new request), with a warning in the plan."),
    )
    .attribute(
        Attribute::string("tier_id")
            .computed()
            .description("The SLA tier in force; null while the request waits for approval. During a tier change waiting for approval it is the old tier, and `requested_tier_id` the new one."),
    )
    .attribute(
        Attribute::string("asset_group_id")
            .computed()
            .use_state_for_unknown()
            .description("The group id of the API instance's Exchange asset, looked up when the contract is requested."),
    )
    .attribute(
        Attribute::string("asset_id")
            .computed()
            .use_state_for_unknown()
            .description("The asset id of the API instance's Exchange asset."),
    )
    .attribute(
        Attribute::string("asset_version")
            .computed()
            .use_state_for_unknown()
            .description("The asset version of the API instance."),
    )
    .attribute(
        Attribute::string("asset_version_group")
            .computed()
            .use_state_for_unknown()
            .description("The asset's version group (e.g. `v1`)."),
    )
}

impl ContractModel {
    /// The state from a contract the platform reported; what it does not
    /// report is kept from `self`.
    fn with_contract(mut self, org: &str, app_id: i64, c: &Contract) -> ContractModel {
        self.id = Maybe::Known(c.id.to_string());
        self.org_id = org.into();
        self.application_id = Maybe::Known(app_id.to_string());
        if let Some(api) = c.api_instance_id {
            self.api_instance_id = Maybe::Known(api.to_string());
        }
        self.status = c.status.clone().into();
        self.tier_id = if c.is_pending() { None } else { c.tier_id }
            .map(|t| t.to_string())
            .into();
        // The tier asked for: one waiting for approval, else the one in force.
        self.requested_tier_id = c
            .requested_tier_id
            .or(c.tier_id)
            .map(|t| t.to_string())
            .into();
        for f in [
            &mut self.environment_id,
            &mut self.api_instance_org_id,
            &mut self.asset_group_id,
            &mut self.asset_id,
            &mut self.asset_version,
            &mut self.asset_version_group,
        ] {
            if f.is_unknown() {
                *f = Maybe::Null;
            }
        }
        if self.accepted_terms.is_unknown() {
            self.accepted_terms = Maybe::Null;
        }
        self
    }

    /// The organization of the instance (lower case, as sent), or `org`.
    fn instance_org(&self, org: &str) -> String {
        canonical_uuid(self.api_instance_org_id.as_str().unwrap_or(org))
    }

    /// The environment, in lower case as it is sent, if recorded.
    fn environment(&self) -> Option<String> {
        self.environment_id.as_str().map(canonical_uuid)
    }

    fn api_instance(&self) -> Option<i64> {
        self.api_instance_id.as_str().and_then(parse_app_id)
    }

    /// Whether the state holds a contract an administrator ended.
    fn is_ended(&self) -> bool {
        self.status.as_str().is_some_and(|s| {
            s.eq_ignore_ascii_case("REVOKED") || s.eq_ignore_ascii_case("REJECTED")
        })
    }
}

fn tier_of(m: &ContractModel) -> Option<i64> {
    m.requested_tier_id.as_str().and_then(parse_app_id)
}

/// A value the hooks need that the plan did not give: an error naming it
/// (never a silent "no object").
fn required<T>(v: Option<T>, what: &str, diags: &mut Diagnostics) -> Option<T> {
    if v.is_none() {
        diags.error(
            "Incomplete contract",
            format!("The contract has no {what}: set it in the configuration (or import the contract again) and apply."),
        );
    }
    v
}

/// The application, its root organization and the contract id of a state.
fn ids_of(m: &ContractModel, diags: &mut Diagnostics) -> Option<(i64, i64)> {
    match (
        m.application_id.as_str().and_then(parse_app_id),
        m.id.as_str().and_then(parse_app_id),
    ) {
        (Some(app), Some(cid)) => Some((app, cid)),
        _ => {
            diags.error(
                "Invalid contract state",
                "The state lacks a numeric application_id or contract id. Remove the resource from state with `terraform state rm` and import it again.",
            );
            None
        }
    }
}

#[async_trait]
impl Resource for ClientApplicationContractResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange, diags: &mut Diagnostics) {
        let Some(mut planned) = ContractModel::decode(&change.planned, diags) else {
            return;
        };
        if change.is_create() {
            let Some(config) = ContractModel::decode(&change.config, diags) else {
                return;
            };
            let data = ctx
                .provider_data
                .clone()
                .and_then(|d| d.downcast::<AnypointData>().ok());
            if plan_org_id(data.as_deref(), &config.org_id, &mut planned.org_id, diags)
                .await
                .is_err()
            {
                return;
            }
            if config.api_instance_org_id.is_null() && !planned.org_id.is_unknown() {
                planned.api_instance_org_id = planned.org_id.clone();
            }
            planned.write_changes(&mut change.planned);
            return;
        }
        let Some(prior) = ContractModel::decode(&change.prior, diags) else {
            return;
        };
        // An administrator ended the contract: it still holds the slot, so
        // keeping the resource deletes it and requests access again. The
        // plan says so, and so does a warning.
        if prior.is_ended() {
            ended_outside(&prior, diags);
            planned.id = Maybe::Unknown;
            planned.status = Maybe::Unknown;
            planned.tier_id = Maybe::Unknown;
            change.requires_replace.push(attrs::status());
            planned.write_changes(&mut change.planned);
            return;
        }
        // Recording what the platform cannot report (after import) is an
        // in-place update; a real change requests a new contract.
        if !prior.environment_id.is_null() && prior.environment_id != planned.environment_id {
            change.requires_replace.push(attrs::environment_id());
        }
        if planned.api_instance_org_id.is_unknown() || planned.api_instance_org_id.is_null() {
            planned.api_instance_org_id = if prior.api_instance_org_id.is_null() {
                planned.org_id.clone()
            } else {
                prior.api_instance_org_id.clone()
            };
        }
        if !prior.api_instance_org_id.is_null()
            && prior.api_instance_org_id != planned.api_instance_org_id
        {
            change.requires_replace.push(attrs::api_instance_org_id());
        }
        // A tier cannot be taken away from a contract: dropping it asks for
        // a new contract.
        if !prior.requested_tier_id.is_null() && planned.requested_tier_id.is_null() {
            change.requires_replace.push(attrs::requested_tier_id());
        }
        if prior.requested_tier_id != planned.requested_tier_id {
            planned.status = Maybe::Unknown;
            planned.tier_id = Maybe::Unknown;
        } else {
            planned.status = prior.status.clone();
            planned.tier_id = prior.tier_id.clone();
        }
        planned.write_changes(&mut change.planned);
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let planned = ContractModel::decode(planned, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let app_id = required(
            planned.application_id.as_str().and_then(parse_app_id),
            "application_id",
            diags,
        )?;
        let api = required(planned.api_instance(), "api_instance_id", diags)?;
        let env = required(planned.environment(), "environment_id", diags)?;
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let inst_org = planned.instance_org(&org);
        let doing =
            format!("requesting access to API instance {api} for client application {app_id}");

        // The instance's asset coordinates.
        let inst = match data.client.api_instances().get(&inst_org, &env, api).await {
            Ok(i) => i,
            Err(e) if e.is_not_found() => {
                diags.attr_error(
                    attrs::api_instance_id(),
                    format!("Error {doing}"),
                    format!("API instance {api} does not exist in environment {env} of organization {inst_org}: check api_instance_id, environment_id and api_instance_org_id. ({e})"),
                );
                return None;
            }
            Err(e) => {
                api_error(diags, &format!("reading API instance {api}"), &e);
                return None;
            }
        };
        let (Some(group), Some(asset), Some(version)) = (
            inst.group_id.clone(),
            inst.asset_id.clone(),
            inst.asset_version.clone(),
        ) else {
            diags.error(
                format!("Error {doing}"),
                format!("API instance {api} reports no Exchange asset (groupId, assetId, assetVersion)."),
            );
            return None;
        };
        let (version_group, asset_org) = match data
            .client
            .api_instances()
            .asset_info(&group, &asset, &version)
            .await
        {
            Ok(info) => (info.version_group, info.organization_id),
            Err(e) => match inst.product_version.clone() {
                Some(pv) => {
                    tracing::debug!(
                        "asset look-up failed ({e}); using the instance's productVersion"
                    );
                    (pv, None)
                }
                None => {
                    api_error(
                        diags,
                        &format!("reading Exchange asset {group}/{asset}/{version}"),
                        &e,
                    );
                    return None;
                }
            },
        };
        check_tiers(&data, (&inst_org, &env, api), tier_of(&planned), diags).await?;
        clear_slot(
            &data,
            &org,
            app_id,
            (&inst_org, Some(&env), api),
            &doing,
            diags,
        )
        .await?;

        let accepted = planned.accepted_terms.as_bool().unwrap_or(false);
        let new = NewContract {
            api_id: api,
            requested_tier_id: tier_of(&planned),
            accepted_terms: accepted,
            organization_id: asset_org.unwrap_or_else(|| group.clone()),
            group_id: group.clone(),
            asset_id: asset.clone(),
            version: version.clone(),
            version_group: version_group.clone(),
            environment_id: Some(env.clone()),
            ..NewContract::default()
        };
        let made = match data.client.contracts().create(&org, app_id, &new).await {
            Ok(c) => c,
            Err(e) => {
                request_failed(diags, &doing, &e, accepted, (&org, app_id, api));
                return None;
            }
        };
        tracing::info!(contract_id = made.id, "Requested a contract");
        let mut state = planned.clone();
        if state.api_instance_org_id.as_str().is_none() {
            state.api_instance_org_id = Maybe::Known(org.clone());
        }
        state.asset_group_id = Maybe::Known(group);
        state.asset_id = Maybe::Known(asset);
        state.asset_version = Maybe::Known(version);
        state.asset_version_group = Maybe::Known(version_group);
        state.accepted_terms = Maybe::Known(accepted);
        let mut state = state.with_contract(&org, app_id, &made);
        // The configured instance and spellings, whatever the answer says.
        state.api_instance_id = planned.api_instance_id.clone();
        state.org_id = Maybe::Known(spelled_as(planned.org_id.as_str(), &org));
        Some(state.to_value())
    }

    async fn read(
        &self,
        ctx: &Ctx,
        state: &Value,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadOutcome {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let Some(model) = ContractModel::decode(state, diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let Some((app_id, cid)) = ids_of(&model, diags) else {
            return ReadOutcome::Found(state.clone());
        };
        let Some(org) = data.org_or_report(model.org_id.as_str(), diags).await else {
            return ReadOutcome::Found(state.clone());
        };
        // One read of the application's contracts serves all of its
        // contract resources; a 404 of that list is checked where the
        // application lives.
        let found = match data.client.contracts().read_shared(&org, app_id).await {
            Ok(list) => Ok(list.into_iter().find(|c| c.id == cid)),
            Err(e) if e.is_not_found() => data.client.contracts().find(&org, app_id, cid).await,
            Err(e) => Err(e),
        };
        match found {
            Ok(Some(c)) => {
                if c.is_ended() {
                    tracing::info!(contract_id = cid, status = ?c.status, "Contract ended outside Terraform; kept in state until it is deleted");
                }
                ReadOutcome::Found(model.with_contract(&org, app_id, &c).to_value())
            }
            Ok(None) => {
                tracing::info!(contract_id = cid, "Contract is gone");
                ReadOutcome::Gone
            }
            Err(e) => {
                api_error(
                    diags,
                    &format!("reading the contracts of client application {app_id}"),
                    &e,
                );
                ReadOutcome::Found(state.clone())
            }
        }
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let prior = ContractModel::decode(prior, diags)?;
        let planned = ContractModel::decode(planned, diags)?;
        let data = ctx.data::<AnypointData>(diags)?;
        let (app_id, cid) = ids_of(&prior, diags)?;
        let api = required(planned.api_instance(), "api_instance_id", diags)?;
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let inst_org = planned.instance_org(&org);
        // The environment recorded after an import: it must hold the
        // instance, or the contract could never be ended through it.
        if prior.environment_id.is_null() {
            if let Some(env) = planned.environment() {
                check_environment(&data, (&inst_org, &env, api), diags).await?;
            }
        }
        let mut changed = None;
        if let Some(tier) = tier_of(&planned).filter(|t| Some(*t) != tier_of(&prior)) {
            if let Some(env) = planned.environment() {
                check_tiers(&data, (&inst_org, &env, api), Some(tier), diags).await?;
            }
            match data
                .client
                .contracts()
                .change_tier(&org, app_id, cid, tier)
                .await
            {
                Ok(c) => changed = Some(c),
                Err(e) => {
                    api_error(
                        diags,
                        &format!("requesting tier {tier} for contract {cid}"),
                        &e,
                    );
                    return None;
                }
            }
        }
        // Read back the contract as the list reports it (the tier in force
        // and the one waiting); the answer of the change stands in when the
        // list cannot be read.
        let listed = match data.client.contracts().list(&org, app_id).await {
            Ok(list) => Ok(list.into_iter().find(|c| c.id == cid)),
            Err(e) => Err(e),
        };
        let c = match (listed, changed) {
            (Ok(Some(c)), _) => c,
            (Err(_), Some(c)) => c,
            (Ok(None), _) => {
                diags.error(
                    "Contract no longer exists",
                    format!("Contract {cid} of client application {app_id} is not among the application's contracts any more (deleted outside Terraform). Apply again to request access anew."),
                );
                return None;
            }
            (Err(e), None) => {
                api_error(
                    diags,
                    &format!("reading contract {cid} of client application {app_id}"),
                    &e,
                );
                return None;
            }
        };
        let mut next = planned.clone().with_contract(&org, app_id, &c);
        // What the plan showed, where it showed a value: the tier asked for,
        // the instance, the organization's spelling, and the status and tier
        // when no tier change was asked for (an approval since the plan shows
        // at the next refresh).
        next.requested_tier_id = planned.requested_tier_id.clone();
        next.api_instance_id = planned.api_instance_id.clone();
        next.org_id = planned.org_id.clone();
        if !planned.status.is_unknown() {
            next.status = planned.status.clone();
        }
        if !planned.tier_id.is_unknown() {
            next.tier_id = planned.tier_id.clone();
        }
        Some(next.to_value())
    }

    async fn delete(&self, ctx: &Ctx, prior: &Value, diags: &mut Diagnostics) {
        let Some(data) = ctx.data::<AnypointData>(diags) else {
            return;
        };
        let Some(prior) = ContractModel::decode(prior, diags) else {
            return;
        };
        let Some((app_id, cid)) = ids_of(&prior, diags) else {
            return;
        };
        let Some(api) = required(prior.api_instance(), "api_instance_id", diags) else {
            return;
        };
        let Some(org) = data.org_or_report(prior.org_id.as_str(), diags).await else {
            return;
        };
        let inst_org = prior.instance_org(&org);
        let env = prior.environment();
        let site = ContractSite {
            app_org: &org,
            app_id,
            contract_id: cid,
            instance_org: &inst_org,
            environment: env.as_deref(),
            api_id: api,
        };
        match data
            .client
            .contracts()
            .end(&site, prior.status.as_str())
            .await
        {
            Ok(Ended::Deleted) => tracing::info!(contract_id = cid, "Ended and deleted a contract"),
            Ok(Ended::AlreadyGone) => {
                tracing::info!(contract_id = cid, "Contract was already gone")
            }
            Err(e) => teardown_failed(diags, &site, &e),
        }
    }

    async fn import(&self, _ctx: &Ctx, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let parts: Vec<&str> = id.split('/').collect();
        if let [org, app, contract] = parts.as_slice() {
            if let (true, Some(app_id), Some(cid)) =
                (is_uuid(org), parse_app_id(app), parse_app_id(contract))
            {
                let model = ContractModel {
                    id: Maybe::Known(cid.to_string()),
                    org_id: (*org).into(),
                    application_id: Maybe::Known(app_id.to_string()),
                    api_instance_id: Maybe::Null,
                    environment_id: Maybe::Null,
                    api_instance_org_id: Maybe::Null,
                    requested_tier_id: Maybe::Null,
                    accepted_terms: Maybe::Null,
                    status: Maybe::Null,
                    tier_id: Maybe::Null,
                    asset_group_id: Maybe::Null,
                    asset_id: Maybe::Null,
                    asset_version: Maybe::Null,
                    asset_version_group: Maybe::Null,
                };
                return Some(model.to_value());
            }
        }
        diags.error(
            "Invalid import id",
            format!("The import id {} is not of the form <org_id>/<application_id>/<contract_id> (organization UUID, numeric application id, numeric contract id), e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/100001/700001\".", quoted(id)),
        );
        None
    }
}

#[cfg(test)]
mod tests;
