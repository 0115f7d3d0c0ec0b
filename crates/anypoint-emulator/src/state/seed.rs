//! The seeded users, environments, API instances and SLA tiers every
//! emulator starts with.

use serde_json::{json, Value};

use super::super::{
    API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, CONNECTED_APP_USER_ID,
    ENVIRONMENT_ID, ENVIRONMENT_NAME, PRODUCTION_ENVIRONMENT_ID, TIER_ORDERS_BRONZE,
    TIER_ORDERS_GOLD, TIER_ORDERS_PLATINUM, TIER_ORDERS_SILVER_DEPRECATED, TIER_PAYMENTS_STANDARD,
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
    /// DEPRECATED rather than ACTIVE (the seeded one exists only under the
    /// `deprecated-tier` variant: `State::tier_exists`).
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
    pub environment_id: String,
    /// The Exchange group id of its asset (the root organization's id for
    /// the seeded ones).
    pub group_id: String,
    pub asset_id: String,
    pub asset_name: String,
    pub asset_version: String,
    pub product_version: String,
    pub instance_label: Option<String>,
    pub tiers: Vec<Tier>,
}

/// An environment of the root organization or of the business group.
#[derive(Clone)]
pub(crate) struct Environment {
    pub id: String,
    pub name: String,
    /// `production`, `sandbox` or `design`.
    pub env_type: String,
    pub organization_id: String,
}

impl Environment {
    pub(crate) fn json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "type": self.env_type,
            "isProduction": self.env_type == "production",
            "organizationId": self.organization_id,
        })
    }
}

/// The root organization's Sandbox (where the seeded instances are) and
/// Production; the business group has none.
pub(super) fn seed_environments(org: &str) -> Vec<Environment> {
    let env = |id: &str, name: &str, env_type: &str| Environment {
        id: id.to_owned(),
        name: name.to_owned(),
        env_type: env_type.to_owned(),
        organization_id: org.to_owned(),
    };
    vec![
        env(ENVIRONMENT_ID, ENVIRONMENT_NAME, "sandbox"),
        env(PRODUCTION_ENVIRONMENT_ID, "Production", "production"),
    ]
}

pub(super) fn seed_instances(org: &str) -> Vec<ApiInstance> {
    const MINUTE: u64 = 60_000;
    vec![
        ApiInstance {
            id: API_INSTANCE_ORDERS,
            legacy_api_id: 30001,
            environment_id: ENVIRONMENT_ID.into(),
            group_id: org.into(),
            asset_id: "orders-api".into(),
            asset_name: "Orders API".into(),
            asset_version: "1.0.0".into(),
            product_version: "v1".into(),
            instance_label: Some("orders-api-v1".into()),
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
            environment_id: ENVIRONMENT_ID.into(),
            group_id: org.into(),
            asset_id: "payments-api".into(),
            asset_name: "Payments API".into(),
            asset_version: "1.0.0".into(),
            product_version: "v1".into(),
            instance_label: Some("payments-api-v1".into()),
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
            environment_id: ENVIRONMENT_ID.into(),
            group_id: org.into(),
            asset_id: "catalog-api".into(),
            asset_name: "Catalog API".into(),
            asset_version: "1.0.0".into(),
            product_version: "v1".into(),
            instance_label: Some("catalog-api-v1".into()),
            tiers: vec![],
        },
    ]
}

impl ApiInstance {
    pub(super) fn tier(&self, id: i64) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.id == id)
    }
}
