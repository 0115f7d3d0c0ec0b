//! Contracts: list them, create one for an application, set a status,
//! reject a tier change, delete one, and switch the "Manage Contracts"
//! permission.

use serde_json::{json, Value};

use super::body::{object, only_keys};
use crate::handle::EmulatorHandle;
use crate::shared::Shared;
use crate::state::{Reply, State, Target};
use crate::sync::lock;

/// Every contract (API Platform v2 shape), by id.
pub(super) fn contracts_locked(st: &State) -> Vec<Value> {
    let mut contracts: Vec<(i64, Value)> = st
        .apps()
        .flat_map(|a| st.contracts_of(a.id))
        .map(|c| (c.id, st.contract_platform_json(c)))
        .collect();
    contracts.sort_by_key(|(id, _)| *id);
    contracts.into_iter().map(|(_, v)| v).collect()
}

pub(super) fn all_contracts(shared: &Shared) -> Vec<Value> {
    contracts_locked(&lock(&shared.state))
}

fn contract_id(id: &str) -> Result<i64, Reply> {
    id.parse()
        .map_err(|_| Reply::error(404, format!("The contract {id} cannot be found.")))
}

fn contract_missing(id: i64) -> Reply {
    Reply::error(404, format!("The contract {id} cannot be found."))
}

/// `GET /_emulator/contracts/{id}`.
pub(super) fn get_contract(h: &EmulatorHandle, id: &str) -> Result<Reply, Reply> {
    contract_id(id)
        .and_then(|id| h.contract(id).ok_or_else(|| contract_missing(id)))
        .map(|c| Reply::ok(200, c))
}

pub(super) fn create_contract(shared: &Shared, app: &str, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["apiId", "groupInstanceId", "tierId"])?;
    let target = match (
        b.get("apiId").map(Value::as_i64),
        b.get("groupInstanceId").map(Value::as_i64),
    ) {
        (Some(Some(api_instance_id)), None) => Target::Api { api_instance_id },
        (None, Some(Some(group_instance_id))) => Target::Group { group_instance_id },
        _ => {
            return Err(Reply::error(
                400,
                "Give exactly one of apiId (an API instance id, a number such as 40001) and \
                 groupInstanceId (an API group instance id, such as 62001).",
            ))
        }
    };
    let tier = match b.get("tierId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| Reply::error(400, "tierId must be a number (a tier id)."))?,
        ),
    };
    shared.create_contract_for(app, target, tier)
}

pub(super) fn set_contract_status(
    h: &EmulatorHandle,
    id: &str,
    action: &str,
) -> Result<Reply, Reply> {
    let status = match action {
        "approve" => "APPROVED",
        "reject" => "REJECTED",
        "revoke" => "REVOKED",
        "pending" => "PENDING",
        _ => {
            return Err(Reply::error(
                404,
                format!(
                    "No such contract action {action:?}: use approve, reject, revoke or pending."
                ),
            ))
        }
    };
    let id = contract_id(id)?;
    if !h.set_contract_status(id, status) {
        return Err(contract_missing(id));
    }
    h.contract(id)
        .map(|c| Reply::ok(200, c))
        .ok_or_else(|| contract_missing(id))
}

/// `POST /_emulator/contracts/{id}/reject-tier-change`.
pub(super) fn reject_tier_change(h: &EmulatorHandle, id: &str) -> Result<Reply, Reply> {
    let id = contract_id(id)?;
    if !h.reject_tier_change(id) {
        return Err(Reply::error(
            409,
            format!("The contract {id} is unknown or has no tier change waiting."),
        ));
    }
    h.contract(id)
        .map(|c| Reply::ok(200, c))
        .ok_or_else(|| contract_missing(id))
}

/// `DELETE /_emulator/contracts/{id}`.
pub(super) fn delete_contract(h: &EmulatorHandle, id: &str) -> Result<Reply, Reply> {
    let id = contract_id(id)?;
    if h.delete_contract(id) {
        Ok(Reply::empty(204))
    } else {
        Err(contract_missing(id))
    }
}

/// `PUT /_emulator/permissions/manage-contracts`.
pub(super) fn set_manage_contracts(h: &EmulatorHandle, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    let Some(allowed) = b.get("allowed").and_then(Value::as_bool) else {
        return Err(Reply::error(
            400,
            "the body must be {\"allowed\": true|false}",
        ));
    };
    h.set_manage_contracts(allowed);
    Ok(Reply::ok(200, json!({ "allowed": allowed })))
}
