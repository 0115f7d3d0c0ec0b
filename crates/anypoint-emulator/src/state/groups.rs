//! The API groups' data: groups, their versions, and their instances (one
//! per environment, told apart by a label), each with its member API
//! instances and its own SLA tiers; the seeded ones and the counters of
//! added ones (a tier's id is drawn with the API instances' tiers: one
//! numbering). What the platform does with them is `api_groups`.

use serde_json::{json, Value};

use super::seed::Tier;
use crate::{
    API_GROUP_COMMERCE, API_GROUP_INSTANCE_COMMERCE, API_GROUP_INSTANCE_REFERENCE,
    API_GROUP_REFERENCE, API_GROUP_VERSION_COMMERCE, API_GROUP_VERSION_REFERENCE,
    API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS, ENVIRONMENT_ID,
    TIER_COMMERCE_PARTNER, TIER_COMMERCE_PREMIUM, TIER_COMMERCE_STARTER,
};

const FIRST_ADDED_GROUP_ID: i64 = 60_101;
const FIRST_ADDED_VERSION_ID: i64 = 61_101;
const FIRST_ADDED_INSTANCE_ID: i64 = 62_101;

#[derive(Clone)]
pub(crate) struct ApiGroup {
    pub id: i64,
    pub name: String,
    /// The group's Exchange asset id (its group id is the organization).
    pub asset_id: String,
    pub versions: Vec<GroupVersion>,
}

#[derive(Clone)]
pub(crate) struct GroupVersion {
    pub id: i64,
    pub name: String,
    pub asset_version: String,
    pub product_version: String,
}

#[derive(Clone)]
pub(crate) struct GroupInstance {
    pub id: i64,
    pub group_id: i64,
    pub group_version_id: i64,
    pub environment_id: String,
    pub label: Option<String>,
    /// The member API instances.
    pub api_instances: Vec<i64>,
    pub tiers: Vec<Tier>,
}

/// Every API group and group instance, with the counters of added ones.
#[derive(Clone)]
pub(crate) struct ApiGroups {
    groups: Vec<ApiGroup>,
    instances: Vec<GroupInstance>,
    next_group_id: i64,
    next_version_id: i64,
    next_instance_id: i64,
}

fn group_tier(id: i64, name: &str, per_minute: u64, auto_approve: bool) -> Tier {
    let approval = if auto_approve {
        "approved at once"
    } else {
        "needs approval"
    };
    Tier {
        id,
        name: name.to_owned(),
        description: format!("{per_minute} requests per minute to each API, {approval}"),
        auto_approve,
        limits: vec![(60_000, per_minute)],
        deprecated: false,
    }
}

impl ApiGroups {
    /// Two groups in the sandbox: "Commerce APIs" (orders and payments,
    /// with tiers) and "Reference Data" (the catalog, without tiers).
    pub(crate) fn seeded() -> ApiGroups {
        let env = ENVIRONMENT_ID.to_owned();
        ApiGroups {
            groups: vec![
                ApiGroup {
                    id: API_GROUP_COMMERCE,
                    name: "Commerce APIs".into(),
                    asset_id: "commerce-apis".into(),
                    versions: vec![GroupVersion {
                        id: API_GROUP_VERSION_COMMERCE,
                        name: "v1".into(),
                        asset_version: "1.0.0".into(),
                        product_version: "v1".into(),
                    }],
                },
                ApiGroup {
                    id: API_GROUP_REFERENCE,
                    name: "Reference Data".into(),
                    asset_id: "reference-data".into(),
                    versions: vec![GroupVersion {
                        id: API_GROUP_VERSION_REFERENCE,
                        name: "v2".into(),
                        asset_version: "2.1.0".into(),
                        product_version: "v2".into(),
                    }],
                },
            ],
            instances: vec![
                GroupInstance {
                    id: API_GROUP_INSTANCE_COMMERCE,
                    group_id: API_GROUP_COMMERCE,
                    group_version_id: API_GROUP_VERSION_COMMERCE,
                    environment_id: env.clone(),
                    label: None,
                    api_instances: vec![API_INSTANCE_ORDERS, API_INSTANCE_PAYMENTS],
                    tiers: vec![
                        group_tier(TIER_COMMERCE_STARTER, "Starter", 100, true),
                        group_tier(TIER_COMMERCE_PREMIUM, "Premium", 1000, true),
                        group_tier(TIER_COMMERCE_PARTNER, "Partner", 5000, false),
                    ],
                },
                GroupInstance {
                    id: API_GROUP_INSTANCE_REFERENCE,
                    group_id: API_GROUP_REFERENCE,
                    group_version_id: API_GROUP_VERSION_REFERENCE,
                    environment_id: env,
                    label: None,
                    api_instances: vec![API_INSTANCE_CATALOG],
                    tiers: Vec::new(),
                },
            ],
            next_group_id: FIRST_ADDED_GROUP_ID,
            next_version_id: FIRST_ADDED_VERSION_ID,
            next_instance_id: FIRST_ADDED_INSTANCE_ID,
        }
    }

    pub fn instance(&self, id: i64) -> Option<&GroupInstance> {
        self.instances.iter().find(|g| g.id == id)
    }

    pub fn group(&self, id: i64) -> Option<&ApiGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn groups(&self) -> impl Iterator<Item = &ApiGroup> {
        self.groups.iter()
    }

    pub fn instances(&self) -> impl Iterator<Item = &GroupInstance> {
        self.instances.iter()
    }

    /// Add a group with one version; its id and the version's.
    pub(crate) fn insert_group(
        &mut self,
        name: String,
        asset_id: String,
        asset_version: String,
        product_version: String,
    ) -> (i64, i64) {
        let group_id = self.next_group_id;
        self.next_group_id += 1;
        let version_id = self.next_version_id;
        self.next_version_id += 1;
        self.groups.push(ApiGroup {
            id: group_id,
            name,
            asset_id,
            versions: vec![GroupVersion {
                id: version_id,
                name: product_version.clone(),
                asset_version,
                product_version,
            }],
        });
        (group_id, version_id)
    }

    /// The group and version of a group instance.
    pub(crate) fn parents(&self, gi: &GroupInstance) -> Option<(&ApiGroup, &GroupVersion)> {
        let group = self.group(gi.group_id)?;
        let version = group
            .versions
            .iter()
            .find(|v| v.id == gi.group_version_id)?;
        Some((group, version))
    }

    pub(crate) fn tier(&self, id: i64) -> Option<&Tier> {
        self.tiers().find(|t| t.id == id)
    }

    /// Every group instance's tiers.
    pub(crate) fn tiers(&self) -> impl Iterator<Item = &Tier> {
        self.instances.iter().flat_map(|g| g.tiers.iter())
    }

    /// `api` of Exchange's answer to a group request: the first member.
    pub(crate) fn member_api_json(&self, group_instance: i64) -> Value {
        self.instance(group_instance)
            .and_then(|g| g.api_instances.first())
            .map_or(Value::Null, |id| json!({ "id": id }))
    }
}

impl ApiGroups {
    /// Add an instance of version `version_id` of group `group_id`, its
    /// tiers numbered already; its id.
    pub(crate) fn insert_instance(
        &mut self,
        (group_id, version_id): (i64, i64),
        environment_id: String,
        label: Option<String>,
        api_instances: Vec<i64>,
        tiers: Vec<Tier>,
    ) -> i64 {
        let id = self.next_instance_id;
        self.next_instance_id += 1;
        self.instances.push(GroupInstance {
            id,
            group_id,
            group_version_id: version_id,
            environment_id,
            label,
            api_instances,
            tiers,
        });
        id
    }
}
