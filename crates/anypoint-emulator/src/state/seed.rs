//! The seeded users, API instances and SLA tiers every emulator starts with.

use serde_json::{json, Value};

use super::super::{
    API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID,
    TIER_ORDERS_BRONZE, TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM, TIER_ORDERS_SILVER_DEPRECATED,
    TIER_PAYMENTS_STANDARD,
};

#[derive(Clone)]
pub(crate) struct User {
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl User {
    pub(crate) fn new(id: &str, username: &str, first: &str, last: &str) -> User {
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

    pub(super) fn owner_json(&self) -> Value {
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

pub(super) fn seed_users() -> Vec<User> {
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
    pub name: String,
    pub description: String,
    pub auto_approve: bool,
    /// (timePeriodInMilliseconds, maximumRequests)
    pub limits: Vec<(u64, u64)>,
    /// DEPRECATED rather than ACTIVE; such a tier exists only under the
    /// `deprecated-tier` variant (`State::tier_exists`).
    pub deprecated: bool,
}

impl Tier {
    pub(super) fn full_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "status": self.status(),
            "autoApprove": self.auto_approve,
            "limits": self.limits.iter().map(|(period, max)| json!({
                "timePeriodInMilliseconds": period,
                "maximumRequests": max,
            })).collect::<Vec<_>>(),
        })
    }

    pub(super) fn short_json(&self) -> Value {
        json!({ "id": self.id, "name": self.name })
    }

    pub(super) fn status(&self) -> &'static str {
        if self.deprecated {
            "DEPRECATED"
        } else {
            "ACTIVE"
        }
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

pub(super) fn seed_instances() -> Vec<ApiInstance> {
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
                    name: "Bronze".into(),
                    description: "100 requests per minute, approved at once".into(),
                    auto_approve: true,
                    limits: vec![(MINUTE, 100)],
                    deprecated: false,
                },
                Tier {
                    id: TIER_ORDERS_GOLD,
                    name: "Gold".into(),
                    description: "1000 requests per minute, approved at once".into(),
                    auto_approve: true,
                    limits: vec![(MINUTE, 1000)],
                    deprecated: false,
                },
                Tier {
                    id: TIER_ORDERS_PLATINUM,
                    name: "Platinum".into(),
                    description: "10000 requests per minute, needs approval".into(),
                    auto_approve: false,
                    limits: vec![(MINUTE, 10_000), (1000, 500)],
                    deprecated: false,
                },
                Tier {
                    id: TIER_ORDERS_SILVER_DEPRECATED,
                    name: "Silver".into(),
                    description: "500 requests per minute, approved at once; deprecated".into(),
                    auto_approve: true,
                    limits: vec![(MINUTE, 500)],
                    deprecated: true,
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
                name: "Standard".into(),
                description: "50 requests per minute, needs approval".into(),
                auto_approve: false,
                limits: vec![(MINUTE, 50)],
                deprecated: false,
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
    pub(super) fn tier(&self, id: i64) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.id == id)
    }

    pub(super) fn label(&self) -> String {
        format!("{}-{}", self.asset_id, self.product_version)
    }
}
