//! The emulated platform's data and every operation on it.
//!
//! Operations return [`Outcome`]: `Ok(Reply)` for a 2xx answer, `Err(Reply)`
//! for an error answer; both carry the status and the JSON body. Nothing here
//! does I/O or knows about HTTP beyond status numbers.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{
    API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID,
    ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM,
    TIER_PAYMENTS_STANDARD,
};

const FIRST_APP_ID: i64 = 100_001;
const FIRST_CONTRACT_ID: i64 = 700_001;
const SNAPSHOT_FORMAT: u32 = 1;
pub(crate) const APP_NOT_FOUND: &str = "The application cannot be found.";
const GRANT_TYPES: [&str; 5] = [
    "password",
    "implicit",
    "client_credentials",
    "authorization_code",
    "refresh_token",
];

/// A status and an optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    pub fn ok(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply { status, body: None }
    }

    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::ok(status, json!({ "message": message.into() }))
    }
}

pub(crate) type Outcome = Result<Reply, Reply>;

fn bad(message: impl Into<String>) -> Reply {
    Reply::error(400, message)
}

fn app_not_found() -> Reply {
    Reply::error(404, APP_NOT_FOUND)
}

fn contract_not_found(id: &str) -> Reply {
    Reply::error(404, format!("The contract {id} cannot be found."))
}

/// The current time as RFC 3339 with milliseconds and `Z`.
pub(crate) fn now_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

fn random_hex(len: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..len)
        .map(|_| HEX[rand::random_range(0..16usize)] as char)
        .collect()
}

// ---------------------------------------------------------------- seed data

#[derive(Clone)]
pub(crate) struct User {
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl User {
    fn new(id: &str, username: &str, first: &str, last: &str) -> User {
        User {
            id: id.to_owned(),
            username: username.to_owned(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: format!("{username}@example.com"),
        }
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
        })
    }

    fn owner_json(&self) -> Value {
        json!({
            "id": self.id,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email,
            "username": self.username,
            "type": "user",
            "name": self.display_name(),
        })
    }
}

fn seed_users() -> Vec<User> {
    vec![
        User::new(CONNECTED_APP_USER_ID, "emulator-admin", "Emulator", "Admin"),
        User::new(
            "5eed0000-0000-4000-8000-000000000001",
            "alice",
            "Alice",
            "Anderson",
        ),
        User::new(
            "5eed0000-0000-4000-8000-000000000002",
            "bob",
            "Bob",
            "Brown",
        ),
        User::new(
            "5eed0000-0000-4000-8000-000000000003",
            "carol",
            "Carol",
            "Clark",
        ),
        User::new(
            "5eed0000-0000-4000-8000-000000000004",
            "dave",
            "Dave",
            "Davis",
        ),
        User::new(
            "5eed0000-0000-4000-8000-000000000005",
            "erin",
            "Erin",
            "Evans",
        ),
    ]
}

#[derive(Clone)]
pub(crate) struct Tier {
    pub id: i64,
    pub name: &'static str,
    pub description: &'static str,
    pub auto_approve: bool,
    /// (timePeriodInMilliseconds, maximumRequests)
    pub limits: Vec<(u64, u64)>,
}

impl Tier {
    fn full_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "status": "ACTIVE",
            "autoApprove": self.auto_approve,
            "limits": self.limits.iter().map(|(period, max)| json!({
                "timePeriodInMilliseconds": period,
                "maximumRequests": max,
            })).collect::<Vec<_>>(),
        })
    }

    fn short_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name })
    }
}

#[derive(Clone)]
pub(crate) struct ApiInstance {
    pub id: i64,
    /// The legacy API Platform "API" id (apiVersion.apiId).
    pub legacy_api_id: i64,
    pub asset_id: &'static str,
    pub asset_name: &'static str,
    pub asset_version: &'static str,
    pub product_version: &'static str,
    pub tiers: Vec<Tier>,
}

fn seed_instances() -> Vec<ApiInstance> {
    const MINUTE: u64 = 60_000;
    vec![
        ApiInstance {
            id: API_INSTANCE_ORDERS,
            legacy_api_id: 30001,
            asset_id: "orders-api",
            asset_name: "Orders API",
            asset_version: "1.0.0",
            product_version: "v1",
            tiers: vec![
                Tier {
                    id: TIER_ORDERS_BRONZE,
                    name: "Bronze",
                    description: "100 requests per minute, approved at once",
                    auto_approve: true,
                    limits: vec![(MINUTE, 100)],
                },
                Tier {
                    id: TIER_ORDERS_GOLD,
                    name: "Gold",
                    description: "1000 requests per minute, approved at once",
                    auto_approve: true,
                    limits: vec![(MINUTE, 1000)],
                },
                Tier {
                    id: TIER_ORDERS_PLATINUM,
                    name: "Platinum",
                    description: "10000 requests per minute, needs approval",
                    auto_approve: false,
                    limits: vec![(MINUTE, 10_000), (1000, 500)],
                },
            ],
        },
        ApiInstance {
            id: API_INSTANCE_PAYMENTS,
            legacy_api_id: 30002,
            asset_id: "payments-api",
            asset_name: "Payments API",
            asset_version: "1.0.0",
            product_version: "v1",
            tiers: vec![Tier {
                id: TIER_PAYMENTS_STANDARD,
                name: "Standard",
                description: "50 requests per minute, needs approval",
                auto_approve: false,
                limits: vec![(MINUTE, 50)],
            }],
        },
        ApiInstance {
            id: API_INSTANCE_CATALOG,
            legacy_api_id: 30003,
            asset_id: "catalog-api",
            asset_name: "Catalog API",
            asset_version: "1.0.0",
            product_version: "v1",
            tiers: vec![],
        },
    ]
}

impl ApiInstance {
    fn tier(&self, id: i64) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.id == id)
    }

    fn label(&self) -> String {
        format!("{}-{}", self.asset_id, self.product_version)
    }
}

// ------------------------------------------------------------ stored data

/// An application as stored (and persisted). Not `Debug`: it holds a secret.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct App {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
    pub api_endpoints: bool,
    pub client_id: String,
    pub client_secret: String,
    pub master_organization_id: String,
    pub owners: Vec<String>,
    pub created: String,
    pub updated: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contract {
    pub id: i64,
    pub application_id: i64,
    pub api_instance_id: i64,
    pub status: String,
    pub tier_id: Option<i64>,
    pub requested_tier_id: Option<i64>,
    pub created: String,
    pub updated: Option<String>,
    pub approved_date: Option<String>,
    pub rejected_date: Option<String>,
    pub revoked_date: Option<String>,
}

impl Contract {
    /// Does this contract still occupy its (application, instance) slot?
    fn is_live(&self) -> bool {
        !matches!(self.status.as_str(), "REVOKED" | "REJECTED")
    }
}

/// The persisted part of the state.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Snapshot {
    pub format: u32,
    pub organization_id: String,
    pub next_application_id: i64,
    pub next_contract_id: i64,
    pub applications: Vec<App>,
    pub contracts: Vec<Contract>,
}

/// Validated mutable application fields; `None` = not given.
#[derive(Default)]
struct AppFields {
    name: Option<String>,
    description: Option<Option<String>>,
    url: Option<Option<String>>,
    redirect_uri: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
}

pub(crate) type Query = HashMap<String, String>;

pub(crate) struct State {
    pub org_id: String,
    next_app_id: i64,
    next_contract_id: i64,
    apps: BTreeMap<i64, App>,
    contracts: BTreeMap<i64, Contract>,
    pub users: Vec<User>,
    pub instances: Vec<ApiInstance>,
}

impl State {
    pub fn new(org_id: &str) -> State {
        State {
            org_id: org_id.to_owned(),
            next_app_id: FIRST_APP_ID,
            next_contract_id: FIRST_CONTRACT_ID,
            apps: BTreeMap::new(),
            contracts: BTreeMap::new(),
            users: seed_users(),
            instances: seed_instances(),
        }
    }

    pub fn restore(&mut self, snap: Snapshot) -> Result<(), String> {
        if snap.format != SNAPSHOT_FORMAT {
            return Err(format!(
                "unsupported format {} (expected {SNAPSHOT_FORMAT})",
                snap.format
            ));
        }
        if snap.organization_id != self.org_id {
            return Err(format!(
                "it belongs to organization {}, not {}; start with that org id or another state file",
                snap.organization_id, self.org_id
            ));
        }
        self.apps = snap.applications.into_iter().map(|a| (a.id, a)).collect();
        self.contracts = snap.contracts.into_iter().map(|c| (c.id, c)).collect();
        // Never reuse an id, even if the counters in the file are behind.
        let max_app = self.apps.keys().next_back().copied().unwrap_or(0);
        let max_contract = self.contracts.keys().next_back().copied().unwrap_or(0);
        self.next_app_id = snap.next_application_id.max(max_app + 1).max(FIRST_APP_ID);
        self.next_contract_id = snap
            .next_contract_id
            .max(max_contract + 1)
            .max(FIRST_CONTRACT_ID);
        Ok(())
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT,
            organization_id: self.org_id.clone(),
            next_application_id: self.next_app_id,
            next_contract_id: self.next_contract_id,
            applications: self.apps.values().cloned().collect(),
            contracts: self.contracts.values().cloned().collect(),
        }
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn connected_app_user(&self) -> &User {
        // The seed always contains it.
        self.user(CONNECTED_APP_USER_ID).unwrap_or(&self.users[0])
    }

    fn instance(&self, id: i64) -> Option<&ApiInstance> {
        self.instances.iter().find(|i| i.id == id)
    }

    fn tier(&self, id: i64) -> Option<&Tier> {
        self.instances.iter().find_map(|i| i.tier(id))
    }

    // --------------------------------------------------------- rendering

    /// The full application object, as GET-by-id returns it.
    pub fn app_json(&self, app: &App, with_owners: bool) -> Value {
        let owners: Vec<Value> = app
            .owners
            .iter()
            .map(|id| match self.user(id) {
                Some(u) => u.owner_json(),
                None => json!({ "id": id, "type": "user" }),
            })
            .collect();
        let first = app.owners.first().and_then(|id| self.user(id));
        let mut v = json!({
            "audit": self.audit_json(&app.created, app.updated.as_deref()),
            "masterOrganizationId": app.master_organization_id,
            "id": app.id,
            "name": app.name,
            "description": app.description,
            "coreServicesId": app.client_id,
            "url": app.url,
            "clientId": app.client_id,
            "clientSecret": app.client_secret,
            "clientProvider": { "providerId": null },
            "redirectUri": app.redirect_uri,
            "grantTypes": app.grant_types,
            "owner": first.map(User::display_name).unwrap_or_else(|| "N/A".to_owned()),
            "email": first.map(|u| u.email.clone()).unwrap_or_else(|| "N/A".to_owned()),
        });
        if with_owners {
            v["owners"] = Value::Array(owners);
        }
        v
    }

    /// A list item: no clientId, clientSecret or owners.
    fn app_summary_json(&self, app: &App) -> Value {
        json!({
            "audit": self.audit_json(&app.created, app.updated.as_deref()),
            "masterOrganizationId": app.master_organization_id,
            "id": app.id,
            "name": app.name,
            "description": app.description,
            "coreServicesId": app.client_id,
            "url": app.url,
        })
    }

    fn audit_json(&self, created: &str, updated: Option<&str>) -> Value {
        json!({
            "created": { "date": created },
            "updated": match updated { Some(d) => json!({ "date": d }), None => json!({}) },
        })
    }

    fn tier_full(&self, id: Option<i64>) -> Value {
        id.and_then(|id| self.tier(id))
            .map(Tier::full_json)
            .unwrap_or(Value::Null)
    }

    fn tier_short(&self, id: Option<i64>) -> Value {
        id.and_then(|id| self.tier(id))
            .map(Tier::short_json)
            .unwrap_or(Value::Null)
    }

    /// The API Platform v2 shape (`GET …/applications/{id}/contracts`).
    pub fn contract_platform_json(&self, c: &Contract) -> Value {
        let inst = self.instance(c.api_instance_id);
        json!({
            "audit": self.audit_json(&c.created, c.updated.as_deref()),
            "organizationId": self.org_id,
            "id": c.id,
            "status": c.status,
            "tier": self.tier_short(c.tier_id),
            "requestedTier": self.tier_short(c.requested_tier_id),
            "apiVersion": {
                "id": c.api_instance_id,
                "apiId": inst.map(|i| i.legacy_api_id),
                "name": inst.map(|i| i.product_version),
                "api": {
                    "id": inst.map(|i| i.legacy_api_id),
                    "name": inst.map(|i| i.asset_name),
                    "exchangeAssetName": inst.map(|i| i.asset_id),
                },
            },
            "applicationId": c.application_id,
            "apiId": c.api_instance_id,
        })
    }

    /// The Exchange v2 shape (create and tier change answers).
    fn contract_exchange_json(&self, c: &Contract) -> Value {
        let client_id = self
            .apps
            .get(&c.application_id)
            .map(|a| a.client_id.clone());
        json!({
            "id": c.id,
            "status": c.status,
            "applicationId": c.application_id,
            "clientId": client_id,
            "tier": self.tier_full(c.tier_id),
            "requestedTier": self.tier_full(c.requested_tier_id),
            "api": { "id": c.api_instance_id },
        })
    }

    /// The API Manager v1 shape.
    fn contract_manager_json(&self, c: &Contract) -> Value {
        let app = self.apps.get(&c.application_id);
        json!({
            "audit": self.audit_json(&c.created, c.updated.as_deref()),
            "masterOrganizationId": self.org_id,
            "organizationId": self.org_id,
            "id": c.id,
            "status": c.status,
            "approvedDate": c.approved_date,
            "rejectedDate": c.rejected_date,
            "revokedDate": c.revoked_date,
            "applicationId": c.application_id,
            "application": app.map(|a| json!({
                "id": a.id,
                "name": a.name,
                "description": a.description,
                "coreServicesId": a.client_id,
            })),
            "tierId": c.tier_id,
            "tier": self.tier_full(c.tier_id),
            "requestedTierId": c.requested_tier_id,
            "requestedTier": self.tier_full(c.requested_tier_id),
            "apiId": c.api_instance_id,
            "api": { "id": c.api_instance_id },
        })
    }

    pub fn instance_json(&self, inst: &ApiInstance) -> Value {
        json!({
            "id": inst.id,
            "organizationId": self.org_id,
            "masterOrganizationId": self.org_id,
            "environmentId": ENVIRONMENT_ID,
            "groupId": self.org_id,
            "assetId": inst.asset_id,
            "assetVersion": inst.asset_version,
            "productVersion": inst.product_version,
            "instanceLabel": inst.label(),
            "technology": "mule4",
            "status": "active",
            "endpointUri": format!("https://{}.example.com/api", inst.asset_id),
            "audit": { "created": { "date": "2024-01-01T00:00:00.000Z" }, "updated": {} },
        })
    }

    /// The instance with its tiers, for the control handle.
    pub fn instance_with_tiers_json(&self, inst: &ApiInstance) -> Value {
        let mut v = self.instance_json(inst);
        v["tiers"] = Value::Array(inst.tiers.iter().map(Tier::full_json).collect());
        v
    }

    // ------------------------------------------------------ applications

    /// Resolve a path key (numeric id, or the application's clientId).
    fn resolve_app(&self, key: &str) -> Result<i64, Reply> {
        if let Ok(id) = key.parse::<i64>() {
            if self.apps.contains_key(&id) {
                return Ok(id);
            }
            return Err(app_not_found());
        }
        self.apps
            .values()
            .find(|a| a.client_id == key)
            .map(|a| a.id)
            .ok_or_else(app_not_found)
    }

    pub fn app(&self, id: i64) -> Option<&App> {
        self.apps.get(&id)
    }

    pub fn apps(&self) -> impl Iterator<Item = &App> {
        self.apps.values()
    }

    fn name_taken(&self, name: &str, except: Option<i64>) -> bool {
        self.apps
            .values()
            .any(|a| a.name == name && Some(a.id) != except)
    }

    fn duplicate_name(name: &str) -> Reply {
        Reply::error(
            409,
            format!("An application with name {name} already exists."),
        )
    }

    pub fn create_app(&mut self, body: &Map<String, Value>, query: &Query) -> Outcome {
        if let Some(v) = query.get("apiVersionId") {
            let ok = !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
                && v.parse::<i64>()
                    .ok()
                    .and_then(|id| self.instance(id))
                    .is_some();
            if !ok {
                return Err(bad(format!(
                    "apiVersionId must be the id of an existing API instance (got {v:?})"
                )));
            }
        }
        let fields = parse_app_fields(body, true)?;
        let api_endpoints = match body.get("apiEndpoints") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(bad("apiEndpoints must be a boolean")),
        };
        let name = fields.name.unwrap_or_default();
        if self.name_taken(&name, None) {
            return Err(Self::duplicate_name(&name));
        }
        let id = self.next_app_id;
        self.next_app_id += 1;
        let client_id = uuid::Uuid::new_v4().simple().to_string();
        let app = App {
            id,
            name,
            description: fields.description.flatten(),
            url: fields.url.flatten(),
            redirect_uri: fields.redirect_uri.unwrap_or_default(),
            grant_types: fields.grant_types.unwrap_or_default(),
            api_endpoints,
            client_id,
            client_secret: random_hex(32),
            master_organization_id: self.org_id.clone(),
            owners: vec![CONNECTED_APP_USER_ID.to_owned()],
            created: now_stamp(),
            updated: None,
        };
        let body = self.app_json(&app, true);
        self.apps.insert(id, app);
        Ok(Reply::ok(201, body))
    }

    pub fn list_apps(&self, query: &Query) -> Outcome {
        let (offset, limit) = paging(query, 100, 250)?;
        // targetAdminSite is validated but changes nothing: every application
        // is visible to the Connected App here.
        parse_bool(query, "targetAdminSite")?;
        let literal = parse_bool(query, "literalMatch")?.unwrap_or(false);
        let needle = query
            .get("query")
            .map(|q| q.to_lowercase())
            .filter(|q| !q.is_empty());
        let matching: Vec<&App> = self
            .apps
            .values()
            .filter(|a| match &needle {
                None => true,
                Some(n) if literal => a.name.to_lowercase() == *n,
                Some(n) => a.name.to_lowercase().contains(n.as_str()),
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|a| self.app_summary_json(a))
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "applications": page, "total": matching.len() }),
        ))
    }

    pub fn get_app(&self, key: &str, query: &Query) -> Outcome {
        let id = self.resolve_app(key)?;
        let ignore_owners = parse_bool(query, "ignoreOwners")?.unwrap_or(false);
        Ok(Reply::ok(
            200,
            self.app_json(&self.apps[&id], !ignore_owners),
        ))
    }

    /// PUT (`replace`: missing fields are cleared) or PATCH (merge).
    pub fn update_app(&mut self, key: &str, body: &Map<String, Value>, replace: bool) -> Outcome {
        let id = self.resolve_app(key)?;
        let fields = parse_app_fields(body, replace)?;
        if let Some(name) = &fields.name {
            if self.name_taken(name, Some(id)) {
                return Err(Self::duplicate_name(name));
            }
        }
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        if replace {
            app.name = fields.name.unwrap_or_default();
            app.description = fields.description.flatten();
            app.url = fields.url.flatten();
            app.redirect_uri = fields.redirect_uri.unwrap_or_default();
            app.grant_types = fields.grant_types.unwrap_or_default();
        } else {
            if let Some(name) = fields.name {
                app.name = name;
            }
            if let Some(d) = fields.description {
                app.description = d;
            }
            if let Some(u) = fields.url {
                app.url = u;
            }
            if let Some(r) = fields.redirect_uri {
                app.redirect_uri = r;
            }
            if let Some(g) = fields.grant_types {
                app.grant_types = g;
            }
        }
        app.updated = Some(now_stamp());
        Ok(Reply::ok(200, self.app_json(&self.apps[&id], true)))
    }

    pub fn delete_app(&mut self, key: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        self.apps.remove(&id);
        self.contracts.retain(|_, c| c.application_id != id);
        Ok(Reply::empty(204))
    }

    pub fn add_owner(&mut self, key: &str, body: &Map<String, Value>) -> Outcome {
        let id = self.resolve_app(key)?;
        let user_id = match body.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(bad("id (the user id) is required and must be a string")),
        };
        let Some(user) = self.user(&user_id).cloned() else {
            return Err(Reply::error(
                404,
                format!("The user {user_id} cannot be found."),
            ));
        };
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        if app.owners.contains(&user_id) {
            return Err(Reply::error(
                409,
                format!("The user {user_id} is already an owner of the application."),
            ));
        }
        app.owners.push(user_id);
        Ok(Reply::ok(201, user.owner_json()))
    }

    pub fn remove_owner(&mut self, key: &str, user_id: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        let Some(pos) = app.owners.iter().position(|o| o == user_id) else {
            return Err(Reply::error(
                404,
                format!("The user {user_id} is not an owner of the application."),
            ));
        };
        app.owners.remove(pos);
        Ok(Reply::empty(204))
    }

    pub fn reset_secret(&mut self, key: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        app.client_secret = random_hex(32);
        app.updated = Some(now_stamp());
        Ok(Reply::ok(201, self.app_json(&self.apps[&id], true)))
    }

    pub fn app_contracts(&self, key: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        Ok(Reply::ok(
            200,
            Value::Array(
                self.contracts_of(id)
                    .map(|c| self.contract_platform_json(c))
                    .collect(),
            ),
        ))
    }

    pub fn contracts_of(&self, app_id: i64) -> impl Iterator<Item = &Contract> {
        self.contracts
            .values()
            .filter(move |c| c.application_id == app_id)
    }

    // -------------------------------------------------------- contracts

    pub fn create_contract(&mut self, app_key: &str, body: &Map<String, Value>) -> Outcome {
        let app_id = self.resolve_app(app_key)?;
        let api_id = int_field(body, "apiId")?
            .ok_or_else(|| bad("apiId (the API instance id) is required"))?;
        match body.get("instanceType") {
            Some(Value::String(s)) if s == "api" => {}
            Some(Value::String(s)) if s == "api-group" => {
                return Err(bad(
                    "instanceType api-group is not supported by the emulator",
                ))
            }
            _ => return Err(bad("instanceType is required and must be \"api\"")),
        }
        match body.get("acceptedTerms") {
            Some(Value::Bool(_)) => {}
            _ => return Err(bad("acceptedTerms is required and must be a boolean")),
        }
        let inst = self.instance(api_id).cloned().ok_or_else(|| {
            Reply::error(404, format!("The API instance {api_id} cannot be found."))
        })?;
        let expected = [
            ("organizationId", self.org_id.as_str()),
            ("groupId", self.org_id.as_str()),
            ("assetId", inst.asset_id),
            ("version", inst.asset_version),
            ("versionGroup", inst.product_version),
        ];
        for (key, want) in expected {
            match body.get(key) {
                Some(Value::String(s)) if s == want => {}
                Some(Value::String(s)) => {
                    return Err(bad(format!(
                        "{key} {s:?} does not match the asset of API instance {api_id} (expected {want:?})"
                    )))
                }
                _ => return Err(bad(format!("{key} is required and must be a string"))),
            }
        }
        match body.get("environmentId") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == ENVIRONMENT_ID => {}
            Some(_) => {
                return Err(bad(format!(
                    "environmentId does not match the environment of API instance {api_id}"
                )))
            }
        }
        let requested = int_field(body, "requestedTierId")?;
        let tier =
            match (inst.tiers.is_empty(), requested) {
                (true, None) => None,
                (true, Some(t)) => {
                    return Err(bad(format!(
                        "API instance {api_id} has no SLA tiers, so requestedTierId {t} is invalid"
                    )))
                }
                (false, None) => {
                    return Err(bad(format!(
                        "requestedTierId is required: API instance {api_id} has SLA tiers"
                    )))
                }
                (false, Some(t)) => Some(inst.tier(t).cloned().ok_or_else(|| {
                    bad(format!("Tier {t} is not a tier of API instance {api_id}"))
                })?),
            };
        if self
            .contracts_of(app_id)
            .any(|c| c.api_instance_id == api_id && c.is_live())
        {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!(
                        "The application {app_id} already has a contract with API instance {api_id}."
                    ),
                }),
            ));
        }
        let now = now_stamp();
        let auto = tier.as_ref().is_none_or(|t| t.auto_approve);
        let id = self.next_contract_id;
        self.next_contract_id += 1;
        let contract = Contract {
            id,
            application_id: app_id,
            api_instance_id: api_id,
            status: if auto { "APPROVED" } else { "PENDING" }.to_owned(),
            tier_id: if auto {
                tier.as_ref().map(|t| t.id)
            } else {
                None
            },
            requested_tier_id: if auto {
                None
            } else {
                tier.as_ref().map(|t| t.id)
            },
            created: now.clone(),
            updated: None,
            approved_date: auto.then_some(now),
            rejected_date: None,
            revoked_date: None,
        };
        let body = self.contract_exchange_json(&contract);
        self.contracts.insert(id, contract);
        Ok(Reply::ok(201, body))
    }

    pub fn change_contract_tier(
        &mut self,
        app_key: &str,
        contract_key: &str,
        body: &Map<String, Value>,
    ) -> Outcome {
        let app_id = self.resolve_app(app_key)?;
        let cid = contract_key
            .parse::<i64>()
            .ok()
            .filter(|id| {
                self.contracts
                    .get(id)
                    .is_some_and(|c| c.application_id == app_id)
            })
            .ok_or_else(|| contract_not_found(contract_key))?;
        let tier_id = int_field(body, "requestedTierId")?
            .ok_or_else(|| bad("requestedTierId is required"))?;
        let contract = &self.contracts[&cid];
        if !contract.is_live() {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!("The contract {cid} is {}.", contract.status),
                }),
            ));
        }
        let inst_id = contract.api_instance_id;
        let tier = self
            .instance(inst_id)
            .and_then(|i| i.tier(tier_id))
            .cloned()
            .ok_or_else(|| {
                bad(format!(
                    "Tier {tier_id} is not a tier of API instance {inst_id}"
                ))
            })?;
        let now = now_stamp();
        let c = self
            .contracts
            .get_mut(&cid)
            .ok_or_else(|| contract_not_found(contract_key))?;
        if tier.auto_approve {
            c.tier_id = Some(tier.id);
            c.requested_tier_id = None;
            if c.status == "PENDING" {
                c.status = "APPROVED".to_owned();
                c.approved_date = Some(now.clone());
            }
        } else if c.tier_id == Some(tier.id) {
            c.requested_tier_id = None;
        } else {
            c.requested_tier_id = Some(tier.id);
        }
        c.updated = Some(now);
        Ok(Reply::ok(
            200,
            self.contract_exchange_json(&self.contracts[&cid]),
        ))
    }

    /// Approve, reject, revoke or reset a contract behind the API's back.
    pub fn set_contract_status(&mut self, id: i64, status: &str) -> bool {
        let now = now_stamp();
        let Some(c) = self.contracts.get_mut(&id) else {
            return false;
        };
        match status {
            "APPROVED" => {
                if let Some(t) = c.requested_tier_id.take() {
                    c.tier_id = Some(t);
                }
                c.approved_date = Some(now.clone());
            }
            "REJECTED" => {
                c.requested_tier_id = None;
                c.rejected_date = Some(now.clone());
            }
            "REVOKED" => {
                c.requested_tier_id = None;
                c.revoked_date = Some(now.clone());
            }
            "PENDING" => {}
            _ => return false,
        }
        c.status = status.to_owned();
        c.updated = Some(now);
        true
    }

    // ------------------------------------------------------ API Manager

    fn instance_in_env(&self, env: &str, api_key: &str) -> Result<&ApiInstance, Reply> {
        if env != ENVIRONMENT_ID {
            return Err(Reply::error(
                404,
                format!("The environment {env} cannot be found."),
            ));
        }
        api_key
            .parse::<i64>()
            .ok()
            .and_then(|id| self.instance(id))
            .ok_or_else(|| {
                Reply::error(404, format!("The API instance {api_key} cannot be found."))
            })
    }

    fn contract_of_instance(&self, inst_id: i64, contract_key: &str) -> Result<i64, Reply> {
        contract_key
            .parse::<i64>()
            .ok()
            .filter(|id| {
                self.contracts
                    .get(id)
                    .is_some_and(|c| c.api_instance_id == inst_id)
            })
            .ok_or_else(|| contract_not_found(contract_key))
    }

    pub fn get_instance(&self, env: &str, api_key: &str) -> Outcome {
        let inst = self.instance_in_env(env, api_key)?;
        Ok(Reply::ok(200, self.instance_json(inst)))
    }

    pub fn list_tiers(&self, env: &str, api_key: &str) -> Outcome {
        let inst = self.instance_in_env(env, api_key)?;
        Ok(Reply::ok(
            200,
            json!({
                "total": inst.tiers.len(),
                "tiers": inst.tiers.iter().map(Tier::full_json).collect::<Vec<_>>(),
            }),
        ))
    }

    pub fn list_instance_contracts(&self, env: &str, api_key: &str, query: &Query) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let (offset, limit) = paging(query, 100, 250)?;
        let all: Vec<&Contract> = self
            .contracts
            .values()
            .filter(|c| c.api_instance_id == inst_id)
            .collect();
        let page: Vec<Value> = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|c| self.contract_manager_json(c))
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "total": all.len(), "contracts": page }),
        ))
    }

    pub fn get_instance_contract(&self, env: &str, api_key: &str, contract_key: &str) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        Ok(Reply::ok(
            200,
            self.contract_manager_json(&self.contracts[&cid]),
        ))
    }

    pub fn revoke_contract(&mut self, env: &str, api_key: &str, contract_key: &str) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        if self.contracts[&cid].status == "REVOKED" {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!("The contract {cid} is already revoked."),
                }),
            ));
        }
        self.set_contract_status(cid, "REVOKED");
        Ok(Reply::ok(
            201,
            self.contract_manager_json(&self.contracts[&cid]),
        ))
    }

    pub fn delete_contract(&mut self, env: &str, api_key: &str, contract_key: &str) -> Outcome {
        let inst_id = self.instance_in_env(env, api_key)?.id;
        let cid = self.contract_of_instance(inst_id, contract_key)?;
        if self.contracts[&cid].status != "REVOKED" {
            return Err(Reply::ok(
                409,
                json!({
                    "error": "Conflict",
                    "message": format!(
                        "The contract {cid} must be revoked before it can be deleted."
                    ),
                }),
            ));
        }
        self.contracts.remove(&cid);
        Ok(Reply::empty(204))
    }

    pub fn contract(&self, id: i64) -> Option<&Contract> {
        self.contracts.get(&id)
    }

    // ------------------------------------------------- Exchange, users

    pub fn get_asset(&self, group: &str, asset: &str, version: &str) -> Outcome {
        self.instances
            .iter()
            .find(|i| group == self.org_id && i.asset_id == asset && i.asset_version == version)
            .map(|i| {
                Reply::ok(
                    200,
                    json!({
                        "groupId": group,
                        "assetId": i.asset_id,
                        "version": i.asset_version,
                        "versionGroup": i.product_version,
                        "name": i.asset_name,
                        "organizationId": self.org_id,
                        "type": "rest-api",
                        "status": "published",
                    }),
                )
            })
            .ok_or_else(|| {
                Reply::error(
                    404,
                    format!("The asset {group}/{asset}/{version} cannot be found."),
                )
            })
    }

    pub fn list_users(&self, query: &Query) -> Outcome {
        let (offset, limit) = paging(query, 25, 500)?;
        let needle = query
            .get("search")
            .map(|s| s.to_lowercase())
            .filter(|s| !s.is_empty());
        let matching: Vec<&User> = self
            .users
            .iter()
            .filter(|u| {
                needle.as_ref().is_none_or(|n| {
                    [&u.username, &u.email, &u.first_name, &u.last_name]
                        .iter()
                        .any(|f| f.to_lowercase().contains(n.as_str()))
                })
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|u| u.json())
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "data": page, "total": matching.len() }),
        ))
    }
}

// ------------------------------------------------------------ validation

fn parse_app_fields(body: &Map<String, Value>, name_required: bool) -> Result<AppFields, Reply> {
    let mut f = AppFields::default();
    match body.get("name") {
        None if !name_required => {}
        Some(Value::String(s)) if !s.trim().is_empty() => f.name = Some(s.clone()),
        _ => return Err(bad("name is required and must be a non-empty string")),
    }
    f.description = opt_text(body, "description")?;
    f.url = opt_text(body, "url")?;
    f.redirect_uri = opt_list(body, "redirectUri")?;
    f.grant_types = opt_list(body, "grantTypes")?;
    if let Some(grants) = &f.grant_types {
        if let Some(badg) = grants.iter().find(|g| !GRANT_TYPES.contains(&g.as_str())) {
            return Err(bad(format!(
                "grantTypes contains {badg:?}; allowed: {}",
                GRANT_TYPES.join(", ")
            )));
        }
    }
    Ok(f)
}

/// Absent = `None`; null or "" = `Some(None)`.
fn opt_text(body: &Map<String, Value>, key: &str) -> Result<Option<Option<String>>, Reply> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.is_empty() => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(bad(format!("{key} must be a string or null"))),
    }
}

/// Absent = `None`; null = empty list.
fn opt_list(body: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Reply> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(bad(format!("{key} must be an array of strings"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad(format!("{key} must be an array of strings"))),
    }
}

/// An integer given as a JSON integer or a string of digits.
fn int_field(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, Reply> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|v| *v > 0)
            .map(Some)
            .ok_or_else(|| bad(format!("{key} must be a positive integer"))),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad(format!("{key} must be a positive integer"))),
        Some(_) => Err(bad(format!("{key} must be a positive integer"))),
    }
}

fn parse_bool(query: &Query, key: &str) -> Result<Option<bool>, Reply> {
    match query.get(key).map(String::as_str) {
        None | Some("") => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(bad(format!("{key} must be true or false (got {v:?})"))),
    }
}

/// `offset` (>= 0, default 0) and `limit` (1..=max, default `default`).
fn paging(query: &Query, default: usize, max: usize) -> Result<(usize, usize), Reply> {
    let offset = match query.get("offset").map(String::as_str) {
        None | Some("") => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad(format!("offset must be a non-negative integer (got {v:?})")))?,
    };
    let limit = match query.get("limit").map(String::as_str) {
        None | Some("") => default,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| {
                bad(format!(
                    "limit must be an integer from 1 to {max} (got {v:?})"
                ))
            })?,
    };
    Ok((offset, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn stamp_is_rfc3339_millis_z() {
        let s = now_stamp();
        assert_eq!(s.len(), 24, "{s}");
        assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.');
        assert!(
            time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).is_ok()
        );
    }

    #[test]
    fn restore_never_reuses_ids() {
        let mut st = State::new("org");
        let q = Query::new();
        st.create_app(&obj(json!({"name": "a"})), &q).unwrap();
        let mut snap = st.snapshot();
        snap.next_application_id = 1; // a stale counter
        let mut restored = State::new("org");
        restored.restore(snap).unwrap();
        let reply = restored.create_app(&obj(json!({"name": "b"})), &q).unwrap();
        assert_eq!(reply.body.unwrap()["id"], json!(FIRST_APP_ID + 1));
    }

    #[test]
    fn restore_refuses_another_org() {
        let st = State::new("org-a");
        let mut other = State::new("org-b");
        let err = other.restore(st.snapshot()).err().unwrap();
        assert!(err.contains("org-a"), "{err}");
    }

    #[test]
    fn paging_bounds() {
        let mut q = Query::new();
        assert_eq!(paging(&q, 100, 250).unwrap(), (0, 100));
        q.insert("limit".into(), "250".into());
        q.insert("offset".into(), "7".into());
        assert_eq!(paging(&q, 100, 250).unwrap(), (7, 250));
        for bad_limit in ["0", "251", "-1", "x"] {
            q.insert("limit".into(), bad_limit.into());
            assert_eq!(paging(&q, 100, 250).unwrap_err().status, 400, "{bad_limit}");
        }
    }

    #[test]
    fn int_field_accepts_numbers_and_digit_strings() {
        let b = obj(json!({"a": 5, "b": "6", "c": "x", "d": -1, "e": 1.5}));
        assert_eq!(int_field(&b, "a").unwrap(), Some(5));
        assert_eq!(int_field(&b, "b").unwrap(), Some(6));
        assert_eq!(int_field(&b, "missing").unwrap(), None);
        for k in ["c", "d", "e"] {
            assert_eq!(int_field(&b, k).unwrap_err().status, 400, "{k}");
        }
    }
}
