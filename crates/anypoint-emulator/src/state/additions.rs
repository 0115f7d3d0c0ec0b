//! What the handle and the admin routes add to the seed: an API instance
//! and its SLA tiers (`State::add_api_instance` adds it), an API group and
//! its instances (`State::add_api_group`, `State::add_api_group_instance`).

/// An API instance to add ([`EmulatorHandle::add_api_instance`](crate::EmulatorHandle::add_api_instance)):
/// start from [`NewApiInstance::new`] and set what differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiInstance {
    /// An environment of the root organization (the business group holds
    /// no API instances).
    pub environment_id: String,
    /// The asset's Exchange group id; `None` = the root organization's id.
    pub group_id: Option<String>,
    pub asset_id: String,
    /// The asset's name; `None` = that of the asset's other instances, else
    /// the asset id.
    pub asset_name: Option<String>,
    pub asset_version: String,
    /// Also the asset version's version group (what a contract request names).
    pub product_version: String,
    pub instance_label: Option<String>,
    /// Each gets a new tier id, in this order.
    pub tiers: Vec<NewTier>,
}

impl NewApiInstance {
    /// An instance of `asset_id` 1.0.0 (product version `v1`) in
    /// [`ENVIRONMENT_ID`](crate::ENVIRONMENT_ID), without a label or tiers.
    pub fn new(asset_id: &str) -> NewApiInstance {
        NewApiInstance {
            environment_id: crate::ENVIRONMENT_ID.to_owned(),
            group_id: None,
            asset_id: asset_id.to_owned(),
            asset_name: None,
            asset_version: "1.0.0".to_owned(),
            product_version: "v1".to_owned(),
            instance_label: None,
            tiers: Vec::new(),
        }
    }
}

/// An SLA tier of a [`NewApiInstance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTier {
    pub name: String,
    pub description: String,
    /// Requests for it are approved at once.
    pub auto_approve: bool,
    /// DEPRECATED rather than ACTIVE: listed, but it takes no new contracts.
    pub deprecated: bool,
    /// `(timePeriodInMilliseconds, maximumRequests)` pairs.
    pub limits: Vec<(u64, u64)>,
}

impl NewTier {
    /// An ACTIVE tier allowing 100 requests a minute.
    pub fn new(name: &str, auto_approve: bool) -> NewTier {
        NewTier {
            name: name.to_owned(),
            description: String::new(),
            auto_approve,
            deprecated: false,
            limits: vec![(60_000, 100)],
        }
    }
}

/// An API group to add ([`EmulatorHandle::add_api_group`](crate::EmulatorHandle::add_api_group)),
/// with one version: start from [`NewApiGroup::new`] and set what differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiGroup {
    pub name: String,
    /// The group's Exchange asset id (unique among the groups); its group
    /// id is the root organization's.
    pub asset_id: String,
    pub asset_version: String,
    /// Also the version's name and its asset's version group.
    pub product_version: String,
    /// Instances of the version, each added as by
    /// [`EmulatorHandle::add_api_group_instance`](crate::EmulatorHandle::add_api_group_instance).
    pub instances: Vec<NewGroupInstance>,
}

impl NewApiGroup {
    /// A group `name` with asset `asset_id` 1.0.0 (product version `v1`),
    /// without instances.
    pub fn new(name: &str, asset_id: &str) -> NewApiGroup {
        NewApiGroup {
            name: name.to_owned(),
            asset_id: asset_id.to_owned(),
            asset_version: "1.0.0".to_owned(),
            product_version: "v1".to_owned(),
            instances: Vec::new(),
        }
    }
}

/// An instance of an API group to add: its environment, an optional label,
/// its member API instances (in that environment) and its own tiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGroupInstance {
    pub environment_id: String,
    pub label: Option<String>,
    pub api_instances: Vec<i64>,
    /// Each gets a new tier id, in this order.
    pub tiers: Vec<NewTier>,
}

impl NewGroupInstance {
    /// An instance in [`ENVIRONMENT_ID`](crate::ENVIRONMENT_ID) of these
    /// member API instances, without a label or tiers.
    pub fn new(api_instances: &[i64]) -> NewGroupInstance {
        NewGroupInstance {
            environment_id: crate::ENVIRONMENT_ID.to_owned(),
            label: None,
            api_instances: api_instances.to_vec(),
            tiers: Vec::new(),
        }
    }
}
