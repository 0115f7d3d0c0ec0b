//! HTTP admin routes: drive the emulator from a shell, a script or a test in
//! another language, the way [`EmulatorHandle`] drives it from Rust.
//!
//! Served under [`ADMIN_PREFIX`] (`/_emulator`, a prefix no Anypoint path
//! uses) only when the emulator runs with `admin` on (`--admin`); otherwise
//! those paths are unknown routes like any other (404). Admin routes need no
//! bearer token but answer only loopback peers (403 for any other), and they
//! are never faulted, rate-limited, delayed, logged or counted. Bodies are JSON; every
//! error is `{"message": "..."}` with a 4xx status. Changes are persisted to
//! the state file like changes made through the API.
//!
//! The routes are `ROUTES` below (`GET /_emulator` lists them); what each
//! does is in `docs/guides/emulator.md`, "Admin routes".

mod api_groups;
mod apps;
mod body;
mod contracts;
mod directory;
mod faults;
mod requests;
mod variants;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::response::Response;
use serde_json::{json, Value};

use apps::{add_owner, user_id};
use contracts::{all_contracts, contracts_locked, create_contract, set_contract_status};
use faults::{faults_json, push_faults, set_fault_rate, set_latency, set_rate_limit};
use requests::{counters, requests};

use super::handle::EmulatorHandle;
use super::route_table::path_segments;
use super::shared::Shared;
use super::state::{Reply, State};
use super::sync::lock;
use super::{BUSINESS_GROUP_ID, BUSINESS_GROUP_NAME, ENVIRONMENT_ID};
use body::object;

/// The prefix of every admin route.
pub const ADMIN_PREFIX: &str = "/_emulator";

/// Every admin route, for `GET /_emulator`.
const ROUTES: &[&str] = &[
    "GET /_emulator",
    "GET /_emulator/state",
    "POST /_emulator/reset",
    "GET /_emulator/users",
    "POST /_emulator/users",
    "GET /_emulator/environments",
    "POST /_emulator/environments",
    "GET /_emulator/api-instances",
    "POST /_emulator/api-instances",
    "GET /_emulator/applications",
    "POST /_emulator/applications",
    "GET /_emulator/applications/{app}",
    "PATCH /_emulator/applications/{app}",
    "DELETE /_emulator/applications/{app}",
    "GET /_emulator/applications/{app}/owners",
    "POST /_emulator/applications/{app}/owners",
    "DELETE /_emulator/applications/{app}/owners/{user}",
    "POST /_emulator/applications/{app}/contracts",
    "GET /_emulator/api-groups",
    "POST /_emulator/api-groups",
    "POST /_emulator/api-groups/{group}/instances",
    "GET /_emulator/contracts",
    "GET /_emulator/contracts/{id}",
    "POST /_emulator/contracts/{id}/approve",
    "POST /_emulator/contracts/{id}/reject",
    "POST /_emulator/contracts/{id}/revoke",
    "POST /_emulator/contracts/{id}/pending",
    "POST /_emulator/contracts/{id}/reject-tier-change",
    "DELETE /_emulator/contracts/{id}",
    "PUT /_emulator/permissions/manage-contracts",
    "GET /_emulator/variants",
    "PUT /_emulator/variants",
    "POST /_emulator/variants/{name}",
    "DELETE /_emulator/variants/{name}",
    "GET /_emulator/faults",
    "POST /_emulator/faults",
    "DELETE /_emulator/faults",
    "PUT /_emulator/faults/rate",
    "PUT /_emulator/latency",
    "PUT /_emulator/rate-limit",
    "GET /_emulator/requests",
    "DELETE /_emulator/requests",
    "GET /_emulator/counters",
    "POST /_emulator/tokens/expire",
];

/// Whether a path belongs to the admin routes.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PREFIX
        || path
            .strip_prefix(ADMIN_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Admin routes answer loopback peers only (IPv4-mapped loopback included).
pub(crate) fn peer_allowed(peer: SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

/// Answer one admin request. `body` is the whole request body, or the error
/// met reading it (too large).
pub(crate) fn serve(
    shared: &Arc<Shared>,
    peer: SocketAddr,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Result<Bytes, axum::Error>,
) -> Response {
    let reply = if !peer_allowed(peer) {
        Reply::error(
            403,
            format!("The emulator's admin routes answer loopback clients only, not {peer}."),
        )
    } else {
        match body {
            Err(_) => Reply::error(413, "The request body is too large."),
            Ok(body) => route(shared, method, path, query.unwrap_or(""), &body),
        }
    };
    tracing::debug!(
        method,
        path,
        status = reply.status,
        "emulator admin request"
    );
    crate::http::reply_response(reply)
}

fn route(shared: &Arc<Shared>, method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
    let segments = path_segments(path);
    // Drop the prefix segment and a trailing slash.
    let mut segs: Vec<&str> = segments.iter().skip(1).map(String::as_str).collect();
    if segs.last() == Some(&"") {
        segs.pop();
    }
    let h = EmulatorHandle::new(shared.clone());
    let result = match (method, segs.as_slice()) {
        ("GET", []) => Ok(Reply::ok(200, json!({ "routes": ROUTES }))),
        ("GET", ["state"]) => Ok(Reply::ok(200, state_dump(shared))),
        ("POST", ["reset"]) => reset(shared),
        ("GET", ["users"]) => Ok(Reply::ok(200, Value::Array(h.users()))),
        ("POST", ["users"]) => apps::add_user(&h, body),
        ("GET", ["environments"]) => Ok(Reply::ok(200, Value::Array(h.environments()))),
        ("POST", ["environments"]) => directory::add_environment(&h, body),
        ("GET", ["api-instances"]) => Ok(Reply::ok(200, Value::Array(h.api_instances()))),
        ("POST", ["api-instances"]) => directory::add_api_instance(&h, body),
        ("GET", ["applications"]) => Ok(Reply::ok(200, Value::Array(h.applications()))),
        ("POST", ["applications"]) => {
            object(body).and_then(|b| shared.mutate(|s| s.create_app(&b, &Default::default())))
        }
        ("GET", ["applications", app]) => lock(&shared.state).get_app(app, &Default::default()),
        ("PATCH", ["applications", app]) => {
            object(body).and_then(|b| shared.mutate(|s| s.update_app(app, &b, false)))
        }
        ("DELETE", ["applications", app]) => shared.mutate(|s| s.delete_app(app)),
        ("GET", ["applications", app, "owners"]) => lock(&shared.state)
            .get_app(app, &Default::default())
            .map(|r| Reply::ok(200, r.body.unwrap_or_default()["owners"].take())),
        ("POST", ["applications", app, "owners"]) => add_owner(shared, app, body),
        ("DELETE", ["applications", app, "owners", user]) => {
            let user = user_id(&lock(&shared.state), user);
            shared.mutate(|s| s.remove_owner(app, &user))
        }
        ("POST", ["applications", app, "contracts"]) => create_contract(shared, app, body),
        ("GET", ["api-groups"]) => Ok(Reply::ok(200, Value::Array(h.api_groups()))),
        ("POST", ["api-groups"]) => api_groups::add_group(shared, body),
        ("POST", ["api-groups", group, "instances"]) => {
            api_groups::add_instance(shared, group, body)
        }
        ("GET", ["contracts"]) => Ok(Reply::ok(200, Value::Array(all_contracts(shared)))),
        ("GET", ["contracts", id]) => contracts::get_contract(&h, id),
        ("POST", ["contracts", id, "reject-tier-change"]) => contracts::reject_tier_change(&h, id),
        ("POST", ["contracts", id, action]) => set_contract_status(&h, id, action),
        ("DELETE", ["contracts", id]) => contracts::delete_contract(&h, id),
        ("PUT", ["permissions", "manage-contracts"]) => contracts::set_manage_contracts(&h, body),
        ("GET", ["variants"]) => Ok(Reply::ok(200, variants::variants_json(shared))),
        ("PUT", ["variants"]) => variants::put_variants(shared, body),
        ("POST", ["variants", name]) => variants::switch_variant(shared, name, true),
        ("DELETE", ["variants", name]) => variants::switch_variant(shared, name, false),
        ("GET", ["faults"]) => Ok(Reply::ok(200, faults_json(shared))),
        ("POST", ["faults"]) => push_faults(shared, body),
        ("DELETE", ["faults"]) => {
            h.clear_faults();
            h.set_fault_rate(0.0);
            Ok(Reply::ok(200, faults_json(shared)))
        }
        ("PUT", ["faults", "rate"]) => set_fault_rate(shared, body),
        ("PUT", ["latency"]) => set_latency(shared, body),
        ("PUT", ["rate-limit"]) => set_rate_limit(shared, body),
        ("GET", ["requests"]) => requests(shared, query),
        ("DELETE", ["requests"]) => {
            h.reset_request_log();
            Ok(Reply::empty(204))
        }
        ("GET", ["counters"]) => Ok(Reply::ok(200, counters(shared))),
        ("POST", ["tokens", "expire"]) => {
            h.expire_tokens();
            Ok(Reply::empty(204))
        }
        _ => Err(Reply::error(
            404,
            format!(
                "No such admin route: {method} {path} (GET {ADMIN_PREFIX} lists the admin routes)"
            ),
        )),
    };
    result.unwrap_or_else(|e| e)
}

// ------------------------------------------------------------------ state

/// One consistent view of everything, taken under one lock.
fn state_dump(shared: &Shared) -> Value {
    let (users, environments, applications, contracts, instances, groups, variants) = {
        let st = lock(&shared.state);
        let users: Vec<Value> = st.users.iter().map(|u| u.json()).collect();
        let environments: Vec<Value> = st.environments.iter().map(|e| e.json()).collect();
        let applications: Vec<Value> = st.apps().map(|a| st.app_json(a, true)).collect();
        let instances: Vec<Value> = st
            .instances
            .iter()
            .map(|i| st.instance_with_tiers_json(i))
            .collect();
        let groups: Vec<Value> = st
            .groups
            .groups()
            .map(|g| st.api_group_admin_json(g))
            .collect();
        let variants = st.variants.names();
        (
            users,
            environments,
            applications,
            contracts_locked(&st),
            instances,
            groups,
            variants,
        )
    };
    json!({
        "organization": {
            "id": shared.config.org_id,
            "name": shared.config.org_name,
        },
        "businessGroup": {
            "id": BUSINESS_GROUP_ID,
            "name": BUSINESS_GROUP_NAME,
        },
        "environmentId": ENVIRONMENT_ID,
        "users": users,
        "environments": environments,
        "applications": applications,
        "contracts": contracts,
        "apiInstances": instances,
        "apiGroups": groups,
        "faults": faults_json(shared),
        "variants": variants,
    })
}

fn reset(shared: &Shared) -> Result<Reply, Reply> {
    let org = shared.config.org_id.clone();
    shared
        .mutate(|s| {
            // Settings stay: the variants in force and the one-contract rule.
            let mut fresh = State::new(&org);
            fresh.variants = s.variants.clone();
            fresh.ended_contracts_block = s.ended_contracts_block;
            *s = fresh;
            Ok::<(), ()>(())
        })
        .map_err(|()| Reply::error(500, "reset failed"))?;
    Ok(Reply::empty(204))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_paths() {
        assert!(is_admin_path("/_emulator"));
        assert!(is_admin_path("/_emulator/"));
        assert!(is_admin_path("/_emulator/state"));
        assert!(!is_admin_path("/_emulatorx"));
        assert!(!is_admin_path("/accounts/api/me"));
        assert!(!is_admin_path("/x/_emulator/state"));
    }

    #[test]
    fn only_loopback_peers() {
        for ok in [
            "127.0.0.1:1",
            "127.9.9.9:1",
            "[::1]:1",
            "[::ffff:127.0.0.1]:1",
        ] {
            assert!(peer_allowed(ok.parse().unwrap()), "{ok}");
        }
        for no in [
            "10.0.0.1:1",
            "192.168.1.2:1",
            "[::ffff:10.0.0.1]:1",
            "[2001:db8::1]:1",
        ] {
            assert!(!peer_allowed(no.parse().unwrap()), "{no}");
        }
    }
}
