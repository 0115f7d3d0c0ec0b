//! The emulated platform's data and every operation on it.
//!
//! Operations return [`Outcome`]: `Ok(Reply)` for a 2xx answer, `Err(Reply)`
//! for an error answer; both carry the status and the JSON body. Nothing here
//! does I/O or knows about HTTP beyond status numbers.

mod additions;
mod api_groups;
mod apps;
mod contracts;
mod groups;
mod instances;
mod owners;
mod render;
mod seed;
mod users;
mod validate;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use additions::{NewApiGroup, NewApiInstance, NewGroupInstance, NewTier};
pub(crate) use groups::ApiGroups;
use seed::{seed_environments, seed_instances, seed_users};
pub(crate) use seed::{ApiInstance, Environment, Tier, User};

use super::variants::{Variant, Variants};
use super::{CONNECTED_APP_USER_ID, TIER_ORDERS_SILVER_DEPRECATED};

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

/// What a contract gives access to: an API instance, or an API group
/// instance (`api_groups`). Stored as `apiInstanceId` or `groupInstanceId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Target {
    Api {
        #[serde(rename = "apiInstanceId")]
        api_instance_id: i64,
    },
    Group {
        #[serde(rename = "groupInstanceId")]
        group_instance_id: i64,
    },
}

impl Target {
    pub fn api(self) -> Option<i64> {
        match self {
            Target::Api { api_instance_id } => Some(api_instance_id),
            Target::Group { .. } => None,
        }
    }

    pub fn group(self) -> Option<i64> {
        match self {
            Target::Group { group_instance_id } => Some(group_instance_id),
            Target::Api { .. } => None,
        }
    }

    /// "API instance 40001" or "API group instance 62001".
    pub fn describe(self) -> String {
        match self {
            Target::Api { api_instance_id } => format!("API instance {api_instance_id}"),
            Target::Group { group_instance_id } => {
                format!("API group instance {group_instance_id}")
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contract {
    pub id: i64,
    pub application_id: i64,
    #[serde(flatten)]
    pub target: Target,
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
    /// Does this contract still grant (or wait to grant) access?
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

pub(crate) type Query = HashMap<String, String>;

pub(crate) struct State {
    pub org_id: String,
    next_app_id: i64,
    next_contract_id: i64,
    apps: BTreeMap<i64, App>,
    contracts: BTreeMap<i64, Contract>,
    pub users: Vec<User>,
    pub environments: Vec<Environment>,
    pub instances: Vec<ApiInstance>,
    /// API groups, their versions and instances (not persisted: seeded).
    pub groups: ApiGroups,
    /// The platform variants in force (see `variants`). Not persisted.
    pub variants: Variants,
    /// Whether an ended (revoked or rejected) contract blocks a new request
    /// for the same application and instance (the documented rule; on by
    /// default, off only for client tests of the look-up).
    pub ended_contracts_block: bool,
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
            environments: seed_environments(org_id),
            instances: seed_instances(org_id),
            groups: ApiGroups::seeded(),
            variants: Variants::default(),
            ended_contracts_block: true,
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

    /// Whether a platform variant is in force.
    pub fn on(&self, v: Variant) -> bool {
        self.variants.is_on(v)
    }

    fn instance(&self, id: i64) -> Option<&ApiInstance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// A tier by id, wherever it is (an API instance or an API group
    /// instance) and whatever its status (for showing a contract's tier).
    fn tier(&self, id: i64) -> Option<&Tier> {
        self.instances
            .iter()
            .find_map(|i| i.tier(id))
            .or_else(|| self.groups.tier(id))
    }

    /// The id of the next tier added, to an API instance or an API group
    /// instance: one numbering, so a tier id names one tier.
    pub(crate) fn next_tier_id(&self) -> i64 {
        self.instances
            .iter()
            .flat_map(|i| i.tiers.iter())
            .chain(self.groups.tiers())
            .map(|t| t.id)
            .max()
            .unwrap_or(0)
            + 1
    }

    /// New tiers with ids, numbered on from every tier there is.
    pub(crate) fn number_tiers(&self, tiers: Vec<NewTier>) -> Vec<Tier> {
        tiers
            .into_iter()
            .zip(self.next_tier_id()..)
            .map(|(t, id)| Tier {
                id,
                name: t.name,
                description: t.description,
                auto_approve: t.auto_approve,
                limits: t.limits,
                deprecated: t.deprecated,
            })
            .collect()
    }

    /// Whether a tier exists in this mode: the seeded deprecated tier only
    /// under `deprecated-tier`; tiers added through the handle always.
    pub(crate) fn tier_exists(&self, t: &Tier) -> bool {
        t.id != TIER_ORDERS_SILVER_DEPRECATED || self.on(Variant::DeprecatedTier)
    }

    /// The instance's tiers that exist in this mode.
    pub(crate) fn tiers_of<'a>(&'a self, inst: &'a ApiInstance) -> impl Iterator<Item = &'a Tier> {
        inst.tiers.iter().filter(|t| self.tier_exists(t))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

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
    fn a_list_that_hides_applications_still_reads_by_id() {
        let mut st = State::new("org");
        let q = Query::new();
        let made = st.create_app(&obj(json!({"name": "a"})), &q).unwrap();
        let id = made.body.unwrap()["id"].as_i64().unwrap();
        st.variants.set(Variant::ListHidesApplications, true);
        let listed = st.list_apps(&q).unwrap().body.unwrap();
        assert_eq!(listed, json!({"applications": [], "total": 0}));
        let read = st.get_app(&id.to_string(), &q).unwrap().body.unwrap();
        assert_eq!(read["name"], "a");
        st.variants.set(Variant::ListHidesApplications, false);
        let listed = st.list_apps(&q).unwrap().body.unwrap();
        assert_eq!(listed["total"], 1);
    }

    #[test]
    fn list_items_are_whole_for_the_admin_site_unless_short() {
        let mut st = State::new("org");
        let q = Query::new();
        st.create_app(
            &obj(json!({"name": "a", "redirectUri": ["https://a.example/cb"]})),
            &q,
        )
        .unwrap();
        let mut admin = Query::new();
        admin.insert("targetAdminSite".to_owned(), "true".to_owned());
        let item = |st: &State, q: &Query| {
            st.list_apps(q).unwrap().body.unwrap()["applications"][0].clone()
        };
        let whole = item(&st, &admin);
        assert!(whole["clientSecret"].is_string(), "{whole}");
        assert_eq!(whole["redirectUri"], json!(["https://a.example/cb"]));
        assert!(whole.get("owners").is_none(), "{whole}");
        let plain = item(&st, &q);
        assert!(plain.get("clientSecret").is_none(), "{plain}");
        st.variants.set(Variant::ListItemsShort, true);
        let short = item(&st, &admin);
        assert!(short.get("clientSecret").is_none(), "{short}");
        assert!(short.get("redirectUri").is_none(), "{short}");
        assert_eq!(short["name"], "a");
    }

    /// A state with one application holding an APPROVED contract on the
    /// orders instance; returns it and the contract id.
    fn with_contract(variants: &[Variant]) -> (State, i64) {
        let mut st = State::new("org");
        st.variants = Variants::from_list(variants).unwrap();
        let q = Query::new();
        let app = st.create_app(&obj(json!({"name": "a"})), &q).unwrap();
        let app = app.body.unwrap()["id"].as_i64().unwrap();
        let body = obj(json!({
            "apiId": super::super::API_INSTANCE_ORDERS, "instanceType": "api",
            "acceptedTerms": true, "organizationId": "org", "groupId": "org",
            "assetId": "orders-api", "version": "1.0.0", "versionGroup": "v1",
            "requestedTierId": super::super::TIER_ORDERS_BRONZE,
        }));
        let c = st.create_contract(&app.to_string(), &body).unwrap();
        (st, c.body.unwrap()["id"].as_i64().unwrap())
    }

    fn revoke_status(st: &mut State, cid: i64) -> u16 {
        let revoke = obj(json!({"status": "REVOKED"}));
        let api = super::super::API_INSTANCE_ORDERS.to_string();
        match st.patch_instance_contract(
            super::super::ENVIRONMENT_ID,
            &api,
            &cid.to_string(),
            &revoke,
        ) {
            Ok(r) | Err(r) => r.status,
        }
    }

    #[test]
    fn a_second_revoke_follows_the_variant_precedence() {
        for (variants, first, again) in [
            (vec![], 200, 409),
            (vec![Variant::RevokeApprovedOnly], 200, 400),
            (
                vec![Variant::RevokeApprovedOnly, Variant::RevokeAgain200],
                200,
                200,
            ),
            (vec![Variant::RevokeAgain400], 200, 400),
            (
                vec![Variant::RevokeRefused, Variant::RevokeAgain200],
                400,
                400,
            ),
        ] {
            let (mut st, cid) = with_contract(&variants);
            assert_eq!(revoke_status(&mut st, cid), first, "{variants:?}");
            if first == 200 {
                assert_eq!(st.contract(cid).unwrap().status, "REVOKED");
            } else {
                // Make it REVOKED behind the API's back to ask again.
                st.set_contract_status(cid, "REVOKED");
            }
            assert_eq!(revoke_status(&mut st, cid), again, "{variants:?}");
        }
    }

    #[test]
    fn put_keeps_null_treats_null_and_left_out_alike_and_stores_empty() {
        let q = Query::new();
        let mut st = State::new("org");
        st.variants.set(Variant::PutKeepsNull, true);
        st.create_app(&obj(json!({"name": "a", "description": "d"})), &q)
            .unwrap();
        let key = FIRST_APP_ID.to_string();
        for body in [
            json!({"name": "a", "description": null}),
            json!({"name": "a"}),
        ] {
            st.update_app(&key, &obj(body), true).unwrap();
            assert_eq!(
                st.app(FIRST_APP_ID).unwrap().description.as_deref(),
                Some("d")
            );
        }
        st.update_app(&key, &obj(json!({"description": ""})), false)
            .unwrap();
        assert_eq!(
            st.app(FIRST_APP_ID).unwrap().description.as_deref(),
            Some("")
        );
        st.variants.set(Variant::PutKeepsNull, false);
        st.update_app(&key, &obj(json!({"description": "e"})), false)
            .unwrap();
        st.update_app(&key, &obj(json!({"name": "a", "description": ""})), true)
            .unwrap();
        assert_eq!(st.app(FIRST_APP_ID).unwrap().description, None);
    }

    #[test]
    fn the_deprecated_tier_exists_only_under_its_variant() {
        let mut st = State::new("org");
        let orders = st
            .instance(super::super::API_INSTANCE_ORDERS)
            .unwrap()
            .clone();
        assert_eq!(st.tiers_of(&orders).count(), 3);
        st.variants.set(Variant::DeprecatedTier, true);
        let ids: Vec<i64> = st.tiers_of(&orders).map(|t| t.id).collect();
        assert!(
            ids.contains(&super::super::TIER_ORDERS_SILVER_DEPRECATED),
            "{ids:?}"
        );
        let err = st
            .tier_for_new_contract(&orders, super::super::TIER_ORDERS_SILVER_DEPRECATED, false)
            .err()
            .unwrap();
        assert_eq!(err.status, 400);
        assert!(st
            .tier_for_new_contract(&orders, super::super::TIER_ORDERS_SILVER_DEPRECATED, true)
            .is_ok());
    }

    #[test]
    fn restore_refuses_another_org() {
        let st = State::new("org-a");
        let mut other = State::new("org-b");
        let err = other.restore(st.snapshot()).err().unwrap();
        assert!(err.contains("org-a"), "{err}");
    }
}
