//! API groups added through the admin routes: a group with its instances,
//! or an instance to a group.

use serde_json::{Map, Value};

use super::body::{bad, object, only_keys, text};
use super::directory::tier;
use crate::shared::Shared;
use crate::state::{NewApiGroup, NewGroupInstance, Reply};
use crate::sync::lock;

/// `POST /_emulator/api-groups`: `{"name", "assetId"}` and optionally
/// `assetVersion`, `productVersion` and `instances` (each as
/// [`add_instance`] takes it). Answers 201 with the group, its versions and
/// instances, ids given.
pub(super) fn add_group(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(
        &b,
        &[
            "name",
            "assetId",
            "assetVersion",
            "productVersion",
            "instances",
        ],
    )?;
    let (Some(name), Some(asset_id)) = (text(&b, "name")?, text(&b, "assetId")?) else {
        return Err(bad("name and assetId (non-empty strings) are required."));
    };
    let mut new = NewApiGroup::new(&name, &asset_id);
    if let Some(v) = text(&b, "assetVersion")? {
        new.asset_version = v;
    }
    if let Some(v) = text(&b, "productVersion")? {
        new.product_version = v;
    }
    new.instances = match b.get("instances") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Object(m) => instance(m),
                _ => Err(bad("each instance must be an object.")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("instances must be an array of objects.")),
    };
    let mut st = lock(&shared.state);
    let id = st.add_api_group(new)?;
    let group = st.groups.group(id).map(|g| st.api_group_admin_json(g));
    Ok(Reply::ok(201, group.unwrap_or_default()))
}

/// `POST /_emulator/api-groups/{group}/instances`: `{"apiInstances": [id…]}`
/// and optionally `environmentId` (the sandbox), `label` and `tiers` (as
/// `POST /_emulator/api-instances` takes them). Answers 201 with the
/// instance and its tiers.
pub(super) fn add_instance(shared: &Shared, group: &str, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    let new = instance(&b)?;
    let group = group
        .parse::<i64>()
        .map_err(|_| Reply::error(404, format!("The API group {group} cannot be found.")))?;
    let mut st = lock(&shared.state);
    let id = st.add_api_group_instance(group, new)?;
    let gi = st
        .groups
        .instance(id)
        .map(|g| st.group_instance_with_tiers_json(g));
    Ok(Reply::ok(201, gi.unwrap_or_default()))
}

fn instance(b: &Map<String, Value>) -> Result<NewGroupInstance, Reply> {
    only_keys(b, &["environmentId", "label", "apiInstances", "tiers"])?;
    let members = match b.get("apiInstances") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_i64()
                    .ok_or_else(|| bad("apiInstances must be an array of API instance ids."))
            })
            .collect::<Result<Vec<i64>, _>>()?,
        _ => {
            return Err(bad(
                "apiInstances is required: the ids of the member API instances (e.g. [40001]).",
            ))
        }
    };
    let mut new = NewGroupInstance::new(&members);
    if let Some(env) = text(b, "environmentId")? {
        new.environment_id = env;
    }
    new.label = text(b, "label")?;
    new.tiers = match b.get("tiers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(tier).collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("tiers must be an array of objects.")),
    };
    Ok(new)
}
