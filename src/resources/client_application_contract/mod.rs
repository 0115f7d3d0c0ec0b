//! `anypoint_client_application_contract`: one client application's access
//! to one API instance or API group instance (a contract), requested
//! through Exchange. Exactly one of `api_instance_id` and
//! `api_group_instance_id` names it (checked at validate, with no platform
//! call); everything below holds for both, through the same code.
//!
//! - Create reads the instance's asset coordinates (`asset.rs`: API
//!   Manager, then Exchange for the version group and the asset's
//!   organization) and checks the requested tier against the instance's
//!   active tiers, each read once per process and instance, then requests
//!   the contract through the create-once helper: in the usual case that
//!   request is the only call. The platform guards the one contract per
//!   application and instance; only when it refuses the request is the
//!   slot looked at (an ended contract is removed and the request made
//!   again: `slot.rs`). The configured instance is kept whatever the answer
//!   says.
//! - Read finds an API instance's contract in its instance's contract
//!   list, read once per process for every contract on the instance, where
//!   the Connected App may read it; otherwise, and for a group contract or
//!   a contract that list lacks, in the application's contracts (every
//!   page), read once per application. An import learns from that list
//!   which kind of contract it is. A
//!   contract the application's list no longer shows is gone; an ended one
//!   stays in state while it exists, so that removing the resource deletes
//!   it and keeping it plans a replacement, with a warning that an
//!   administrator ended it.
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
//!
//! The module is layered: `model` at the bottom, `advice`, `slot` and
//! `asset` on it, and this module, the resource's hooks, on top.

use async_trait::async_trait;

use crate::support::values::{parse_app_id, spelled_as};
use crate::support::{api_error, plan_org_id, AnypointData};
use anypoint_client::{ContractSite, Ended, NewContract};
use tfplugin::framework::diagnostics::quoted;
use tfplugin::framework::validators::is_uuid;
use tfplugin::framework::{Diagnostics, Maybe, Plan, ReadResult, Schema, TypedResource};

mod advice;
mod asset;
mod model;
mod slot;

pub use model::{schema, ContractModel, TYPE_NAME};

use advice::{ended_outside, teardown_failed};
use asset::asset_for;
use model::{attrs, ids_of, required, tier_of};
use slot::{check_environment, check_tiers, request};

/// What names the instance, for errors about a state that names none.
const TARGET_ATTRIBUTES: &str = "api_instance_id or api_group_instance_id";

pub struct ClientApplicationContractResource;

#[async_trait]
impl TypedResource for ClientApplicationContractResource {
    type Model = ContractModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// Exactly one of `api_instance_id` and `api_group_instance_id`.
    fn validate(&self, config: &ContractModel, diags: &mut Diagnostics) {
        let (api, group) = (&config.api_instance_id, &config.api_group_instance_id);
        if api.is_unknown() || group.is_unknown() {
            return;
        }
        match (api.is_null(), group.is_null()) {
            (true, true) => diags.error(
                "Missing instance",
                "Set exactly one of `api_instance_id` (an API instance) and \
                 `api_group_instance_id` (an API group instance): the contract gives access to it.",
            ),
            (false, false) => diags.attr_error(
                attrs::api_group_instance_id(),
                "Conflicting instances",
                "Set only one of `api_instance_id` and `api_group_instance_id`, not both: a \
                 contract gives access to one API instance or one API group instance.",
            ),
            _ => {}
        }
    }

    async fn modify_plan(
        &self,
        data: Option<&AnypointData>,
        plan: &mut Plan<ContractModel>,
        diags: &mut Diagnostics,
    ) {
        let Plan {
            prior,
            config,
            planned,
            requires_replace,
            ..
        } = plan;
        let Some(prior) = prior else {
            if plan_org_id(data, &config.org_id, &mut planned.org_id, diags)
                .await
                .is_err()
            {
                return;
            }
            if config.api_instance_org_id.is_null() && !planned.org_id.is_unknown() {
                planned.api_instance_org_id = planned.org_id.clone();
            }
            return;
        };
        // An administrator ended the contract: it still holds the slot, so
        // keeping the resource deletes it and requests access again. The
        // plan says so, and so does a warning.
        if prior.is_ended() {
            ended_outside(prior, diags);
            planned.id = Maybe::Unknown;
            planned.status = Maybe::Unknown;
            planned.tier_id = Maybe::Unknown;
            requires_replace.push(attrs::status());
            return;
        }
        // Recording what the platform cannot report (after import) is an
        // in-place update; a real change requests a new contract.
        if !prior.environment_id.is_null() && prior.environment_id != planned.environment_id {
            requires_replace.push(attrs::environment_id());
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
            requires_replace.push(attrs::api_instance_org_id());
        }
        // A tier cannot be taken away from a contract: dropping it asks for
        // a new contract.
        if !prior.requested_tier_id.is_null() && planned.requested_tier_id.is_null() {
            requires_replace.push(attrs::requested_tier_id());
        }
        if prior.requested_tier_id != planned.requested_tier_id {
            planned.status = Maybe::Unknown;
            planned.tier_id = Maybe::Unknown;
        } else {
            planned.status = prior.status.clone();
            planned.tier_id = prior.tier_id.clone();
        }
    }

    async fn create(
        &self,
        data: &AnypointData,
        planned: ContractModel,
        _config: ContractModel,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<ContractModel> {
        let app_id = required(
            planned.application_id.as_str().and_then(parse_app_id),
            "application_id",
            diags,
        )?;
        let target = required(planned.target(), TARGET_ATTRIBUTES, diags)?;
        let env = required(planned.environment(), "environment_id", diags)?;
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let inst_org = planned.instance_org(&org);
        let doing = format!("requesting access to {target} for client application {app_id}");

        let asset = asset_for(
            data,
            (&inst_org, &env, target),
            tier_of(&planned),
            &doing,
            diags,
        )
        .await?;
        let accepted = planned.accepted_terms.as_bool().unwrap_or(false);
        let new = NewContract {
            target,
            requested_tier_id: tier_of(&planned),
            accepted_terms: accepted,
            organization_id: asset
                .organization
                .clone()
                .unwrap_or_else(|| asset.group.clone()),
            group_id: asset.group.clone(),
            asset_id: asset.asset.clone(),
            version: asset.version.clone(),
            version_group: asset.version_group.clone(),
            environment_id: Some(env.clone()),
        };
        let made = request(
            data,
            (&org, app_id),
            (&inst_org, Some(&env), target),
            &new,
            &doing,
            diags,
        )
        .await?;
        tracing::info!(contract_id = made.id, "Requested a contract");
        let mut state = planned.clone();
        if state.api_instance_org_id.as_str().is_none() {
            state.api_instance_org_id = Maybe::Known(org.clone());
        }
        state.asset_group_id = Maybe::Known(asset.group);
        state.asset_id = Maybe::Known(asset.asset);
        state.asset_version = Maybe::Known(asset.version);
        state.asset_version_group = Maybe::Known(asset.version_group);
        state.accepted_terms = Maybe::Known(accepted);
        let mut state = state.with_contract(&org, app_id, &made);
        // The configured instance and spellings, whatever the answer says.
        state.api_instance_id = planned.api_instance_id.clone();
        state.api_group_instance_id = planned.api_group_instance_id.clone();
        state.org_id = Maybe::Known(spelled_as(planned.org_id.as_str(), &org));
        Some(state)
    }

    async fn read(
        &self,
        data: &AnypointData,
        state: ContractModel,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> ReadResult<ContractModel> {
        let Some((app_id, cid)) = ids_of(&state, diags) else {
            return ReadResult::Unchanged;
        };
        let Some(org) = data.org_or_report(state.org_id.as_str(), diags).await else {
            return ReadResult::Unchanged;
        };
        // One read of the instance's (or group instance's) contracts serves
        // every contract resource on it, one read of the application's all of its
        // contract resources; a 404 of the latter is checked where the
        // application lives.
        let on_instance = match (state.environment(), state.target()) {
            (Some(env), Some(target)) => data
                .client
                .contracts()
                .read_target_shared(&state.instance_org(&org), &env, target)
                .await
                .and_then(|list| {
                    list.into_iter()
                        .find(|c| c.id == cid && c.application_id.is_none_or(|a| a == app_id))
                }),
            _ => None,
        };
        let found = match on_instance {
            Some(c) => Ok(Some(c)),
            None => match data.client.contracts().read_shared(&org, app_id).await {
                Ok(list) => Ok(list.into_iter().find(|c| c.id == cid)),
                Err(e) if e.is_not_found() => data.client.contracts().find(&org, app_id, cid).await,
                Err(e) => Err(e),
            },
        };
        match found {
            Ok(Some(c)) => {
                if c.is_ended() {
                    tracing::info!(contract_id = cid, status = ?c.status, "Contract ended outside Terraform; kept in state until it is deleted");
                }
                ReadResult::Found(state.with_contract(&org, app_id, &c))
            }
            Ok(None) => {
                tracing::info!(contract_id = cid, "Contract is gone");
                ReadResult::Gone
            }
            Err(e) => {
                api_error(
                    diags,
                    &format!("reading the contracts of client application {app_id}"),
                    &e,
                );
                ReadResult::Unchanged
            }
        }
    }

    async fn update(
        &self,
        data: &AnypointData,
        prior: ContractModel,
        planned: ContractModel,
        _config: ContractModel,
        _private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Option<ContractModel> {
        let (app_id, cid) = ids_of(&prior, diags)?;
        let target = required(planned.target(), TARGET_ATTRIBUTES, diags)?;
        let org = data.org_or_report(planned.org_id.as_str(), diags).await?;
        let inst_org = planned.instance_org(&org);
        // The environment recorded after an import: it must hold the
        // instance, or the contract could never be ended through it.
        if prior.environment_id.is_null() {
            if let Some(env) = planned.environment() {
                check_environment(data, (&inst_org, &env, target), diags).await?;
            }
        }
        let mut changed = None;
        if let Some(tier) = tier_of(&planned).filter(|t| Some(*t) != tier_of(&prior)) {
            if let Some(env) = planned.environment() {
                check_tiers(data, (&inst_org, &env, target), Some(tier), diags).await?;
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
        next.api_group_instance_id = planned.api_group_instance_id.clone();
        next.org_id = planned.org_id.clone();
        if !planned.status.is_unknown() {
            next.status = planned.status.clone();
        }
        if !planned.tier_id.is_unknown() {
            next.tier_id = planned.tier_id.clone();
        }
        Some(next)
    }

    async fn delete(&self, data: &AnypointData, prior: ContractModel, diags: &mut Diagnostics) {
        let Some((app_id, cid)) = ids_of(&prior, diags) else {
            return;
        };
        let Some(target) = required(prior.target(), TARGET_ATTRIBUTES, diags) else {
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
            target,
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

    async fn import(
        &self,
        _data: Option<&AnypointData>,
        id: &str,
        diags: &mut Diagnostics,
    ) -> Option<ContractModel> {
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
                    api_group_instance_id: Maybe::Null,
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
                return Some(model);
            }
        }
        diags.error(
            "Invalid import id",
            format!("The import id {} is not of the form <org_id>/<application_id>/<contract_id> (organization UUID, numeric application id, numeric contract id), e.g. \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/100001/700001\".", quoted(id)),
        );
        None
    }
}
