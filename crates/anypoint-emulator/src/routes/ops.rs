//! Authentication, the token and `/me` answers, and the dispatch of each
//! operation to the state.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};
use serde_json::{json, Value};

use crate::route_table::{parse_object, parse_route, path_segments, Op};
use crate::shared::Shared;
use crate::state::{Outcome, Query, Reply};
use crate::sync::lock;
use crate::variants::Variant;
use crate::{BUSINESS_GROUP_ID, BUSINESS_GROUP_NAME};

impl Shared {
    fn token_valid(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return false;
        }
        lock(&self.tokens)
            .get(token.trim())
            .is_some_and(|exp| Instant::now() < *exp)
    }

    fn issue_token(&self, headers: &HeaderMap, body: &[u8]) -> Outcome {
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let fields: HashMap<String, String> = if is_form {
            url::form_urlencoded::parse(body).into_owned().collect()
        } else {
            let map = parse_object(body)?;
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    _ => None,
                })
                .collect()
        };
        let oauth_error = |status: u16, error: &str, message: &str| {
            Reply::ok(status, json!({ "error": error, "message": message }))
        };
        match fields.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {}
            Some(_) => {
                return Err(oauth_error(
                    400,
                    "unsupported_grant_type",
                    "grant_type must be client_credentials",
                ))
            }
            None => {
                return Err(oauth_error(
                    400,
                    "invalid_request",
                    "grant_type is required",
                ))
            }
        }
        let (Some(id), Some(secret)) = (fields.get("client_id"), fields.get("client_secret"))
        else {
            return Err(oauth_error(
                400,
                "invalid_request",
                "client_id and client_secret are required",
            ));
        };
        if *id != self.config.client_id || *secret != self.config.client_secret {
            return Err(oauth_error(
                401,
                "invalid_client",
                "Invalid client credentials",
            ));
        }
        let token = uuid::Uuid::new_v4().to_string();
        let now = Instant::now();
        let expiry = now
            .checked_add(self.config.token_ttl)
            .unwrap_or(now + Duration::from_secs(100 * 365 * 24 * 3600));
        {
            let mut tokens = lock(&self.tokens);
            tokens.retain(|_, exp| now < *exp);
            tokens.insert(token.clone(), expiry);
        }
        Ok(Reply::ok(
            200,
            json!({
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.config.token_ttl.as_secs(),
            }),
        ))
    }

    /// `/me`: `client` is the Connected App, `user` its creator. The
    /// Connected App resides in the root organization, or in the business
    /// group under `business-group`; `user.organization` is the root.
    fn me(&self) -> Outcome {
        let st = lock(&self.state);
        let user = st.connected_app_user();
        let client_org = if st.on(Variant::BusinessGroup) {
            BUSINESS_GROUP_ID
        } else {
            self.config.org_id.as_str()
        };
        Ok(Reply::ok(
            200,
            json!({
                "client": {
                    "client_id": self.config.client_id,
                    "name": "Emulator Connected App",
                    "org_id": client_org,
                    "grant_types": ["client_credentials"],
                    "redirect_uris": [],
                },
                "user": {
                    "id": user.id,
                    "username": user.username,
                    "firstName": user.first_name,
                    "lastName": user.last_name,
                    "email": user.email,
                    "organizationId": self.config.org_id,
                    "organization": {
                        "id": self.config.org_id,
                        "name": self.config.org_name,
                        "subOrganizationIds": [BUSINESS_GROUP_ID],
                    },
                },
            }),
        ))
    }

    /// `GET /accounts/api/organizations/{id}`: the root organization and its
    /// one business group; any other id is 403, like every path naming an
    /// organization the Connected App cannot see.
    fn organization(&self, id: &str) -> Outcome {
        let root = self.config.org_id.as_str();
        if id == root {
            Ok(Reply::ok(
                200,
                json!({
                    "id": root,
                    "name": self.config.org_name,
                    "isMaster": true,
                    "isRoot": true,
                    "parentOrganizationId": null,
                    "parentOrganizationIds": [],
                    "subOrganizationIds": [BUSINESS_GROUP_ID],
                }),
            ))
        } else if id == BUSINESS_GROUP_ID {
            Ok(Reply::ok(
                200,
                json!({
                    "id": BUSINESS_GROUP_ID,
                    "name": BUSINESS_GROUP_NAME,
                    "isMaster": false,
                    "isRoot": false,
                    "parentOrganizationId": root,
                    "parentOrganizationIds": [root],
                    "subOrganizationIds": [],
                }),
            ))
        } else {
            Err(no_access(id))
        }
    }

    /// The organization check of a path naming one: the root organization
    /// takes every route; the business group takes users and API Manager
    /// routes (holding no API instance, it has none to show) but not client
    /// applications, which live in the root organization; any other id is
    /// 403. Ids compare exactly (the provider sends lowercase).
    fn check_org(&self, op: &Op<'_>, org: &str) -> Result<(), Reply> {
        let root = self.config.org_id.as_str();
        if org == root {
            return Ok(());
        }
        if org != BUSINESS_GROUP_ID {
            return Err(no_access(org));
        }
        if op.root_only() {
            return Err(Reply::error(
                403,
                format!(
                    "Client applications live in the root organization {root}; {org} is a \
                     business group."
                ),
            ));
        }
        if let Some(api) = op.instance_key() {
            return Err(Reply::error(
                404,
                format!("The API instance {api} cannot be found in organization {org}."),
            ));
        }
        if let Op::Group(g) = op {
            return Err(Reply::error(
                404,
                format!("The {} cannot be found in organization {org}.", g.what()),
            ));
        }
        Ok(())
    }

    /// Route, authenticate, check the organization and run the operation.
    pub fn process(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Reply {
        let segments = path_segments(path);
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let Some((op, org)) = parse_route(method, &segs) else {
            return Reply::error(404, format!("No such resource: {method} {path}"));
        };
        if !matches!(op, Op::Token) && !self.token_valid(headers) {
            return Reply::error(401, "Unauthorized");
        }
        if let Some(org) = org {
            if let Err(refused) = self.check_org(&op, org) {
                return refused;
            }
        }
        let query: Query = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        let result = self.execute(op, &query, headers, body);
        result.unwrap_or_else(|e| e)
    }

    /// 403 when contract administration is switched off (the Connected App
    /// lacks API Manager's "Manage Contracts" permission).
    pub(super) fn contract_admin_allowed(&self) -> Result<(), Reply> {
        if self.manage_contracts() {
            Ok(())
        } else {
            Err(Reply::error(
                403,
                "You do not have permission to perform this action.",
            ))
        }
    }

    /// 403 under [`Variant::NoViewContracts`] (the Connected App lacks API
    /// Manager's "View Contracts" permission).
    fn contract_views_allowed(&self) -> Result<(), Reply> {
        if lock(&self.state).on(Variant::NoViewContracts) {
            Err(Reply::error(
                403,
                "You do not have permission to perform this action.",
            ))
        } else {
            Ok(())
        }
    }

    fn execute(&self, op: Op<'_>, q: &Query, headers: &HeaderMap, body: &[u8]) -> Outcome {
        match op {
            Op::Token => self.issue_token(headers, body),
            Op::Me => self.me(),
            Op::GetOrganization(id) => self.organization(id),
            Op::ListUsers => lock(&self.state).list_users(q),
            Op::ListEnvironments(org) => lock(&self.state).list_environments(org),
            Op::CreateApp => {
                let b = parse_object(body)?;
                self.mutate(|s| s.create_app(&b, q))
            }
            Op::ListApps => lock(&self.state).list_apps(q),
            Op::GetApp(app) => lock(&self.state).get_app(app, q),
            Op::PutApp(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.update_app(app, &b, true))
            }
            Op::PatchApp(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.update_app(app, &b, false))
            }
            Op::DeleteApp(app) => self.mutate(|s| s.delete_app(app)),
            Op::AddOwner(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.add_owner(app, &b))
            }
            Op::RemoveOwner(app, user) => self.mutate(|s| s.remove_owner(app, user)),
            Op::ResetSecret(app) => self.mutate(|s| s.reset_secret(app)),
            Op::AppContracts(app) => lock(&self.state).app_contracts(app, q),
            Op::CreateContract(app) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.create_contract(app, &b))
            }
            Op::ChangeTier(app, c) => {
                let b = parse_object(body)?;
                self.mutate(|s| s.change_contract_tier(app, c, &b))
            }
            Op::SearchInstances(org, env) => lock(&self.state).search_instances(org, env, q),
            Op::GetInstance(env, api) => lock(&self.state).get_instance(env, api),
            Op::ListTiers(env, api) => {
                self.contract_views_allowed()?;
                lock(&self.state).list_tiers(env, api, q)
            }
            Op::ListInstanceContracts(env, api) => {
                self.contract_views_allowed()?;
                lock(&self.state).list_instance_contracts(env, api, q)
            }
            Op::GetInstanceContract(env, api, c) => {
                self.contract_views_allowed()?;
                lock(&self.state).get_instance_contract(env, api, c)
            }
            Op::PatchInstanceContract(env, api, c) => {
                if lock(&self.state).on(Variant::RevokeLegacyOnly) {
                    // Only the legacy API Platform revoke is served.
                    return Err(Reply::error(
                        405,
                        "Method PATCH is not allowed on this resource.",
                    ));
                }
                self.contract_admin_allowed()?;
                let b = parse_object(body)?;
                self.mutate(|s| s.patch_instance_contract(env, api, c, &b))
            }
            Op::LegacyRevokeContract(api, ver, c) => {
                self.contract_admin_allowed()?;
                self.mutate(|s| s.legacy_revoke_contract(api, ver, c))
            }
            Op::LegacyDeleteContract(api, ver, c) => {
                self.contract_admin_allowed()?;
                self.mutate(|s| s.legacy_delete_contract(api, ver, c))
            }
            Op::DeleteContract(env, api, c) => {
                self.contract_admin_allowed()?;
                self.mutate(|s| s.delete_contract(env, api, c))
            }
            Op::Asset(g, a, v) => lock(&self.state).get_asset(g, a, v),
            Op::Group(g) => self.execute_group(g, q, body),
        }
    }
}

fn no_access(org: &str) -> Reply {
    Reply::error(
        403,
        format!("You do not have permission to access organization {org}."),
    )
}
