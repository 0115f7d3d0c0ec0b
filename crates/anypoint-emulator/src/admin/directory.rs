//! Environments and API instances added through the admin routes.

use serde_json::{Map, Value};

use super::body::{bad, object, only_keys, text};
use crate::state::{NewApiInstance, NewTier, Reply};
use crate::sync::lock;
use crate::EmulatorHandle;

fn boolean(b: &Map<String, Value>, key: &str, default: bool) -> Result<bool, Reply> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(v)) => Ok(*v),
        Some(_) => Err(bad(format!("{key} must be true or false."))),
    }
}

/// `POST /_emulator/environments`: `{"name": …, "type": …, "organizationId": …}`
/// (`type` defaults to `sandbox`, the organization to the root). Answers
/// 201 with the environment.
pub(super) fn add_environment(h: &EmulatorHandle, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["name", "type", "organizationId"])?;
    let name = text(&b, "name")?.unwrap_or_default();
    let env_type = text(&b, "type")?.unwrap_or_else(|| "sandbox".to_owned());
    let org = text(&b, "organizationId")?;
    let mut st = lock(&h.shared().state);
    let env = st.add_environment(&name, &env_type, org.as_deref())?;
    Ok(Reply::ok(201, env.json()))
}

/// `POST /_emulator/api-instances`: an API instance, `{"assetId": …}` and
/// optionally `environmentId`, `groupId`, `assetName`, `assetVersion`,
/// `productVersion`, `instanceLabel` and `tiers` (each `{"name", "description",
/// "autoApprove", "status", "limits": [{"maximumRequests",
/// "timePeriodInMilliseconds"}]}`). Answers 201 with the instance and its
/// tiers, ids given.
pub(super) fn add_api_instance(h: &EmulatorHandle, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(
        &b,
        &[
            "environmentId",
            "groupId",
            "assetId",
            "assetName",
            "assetVersion",
            "productVersion",
            "instanceLabel",
            "tiers",
        ],
    )?;
    let Some(asset_id) = text(&b, "assetId")? else {
        return Err(bad("assetId (a non-empty string) is required."));
    };
    let mut new = NewApiInstance::new(&asset_id);
    if let Some(env) = text(&b, "environmentId")? {
        new.environment_id = env;
    }
    new.group_id = text(&b, "groupId")?;
    new.asset_name = text(&b, "assetName")?;
    if let Some(v) = text(&b, "assetVersion")? {
        new.asset_version = v;
    }
    if let Some(v) = text(&b, "productVersion")? {
        new.product_version = v;
    }
    new.instance_label = text(&b, "instanceLabel")?;
    new.tiers = match b.get("tiers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(tier).collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("tiers must be an array of objects.")),
    };
    let mut st = lock(&h.shared().state);
    let id = st.add_api_instance(new)?.id;
    let inst = st.instances.iter().find(|i| i.id == id);
    Ok(Reply::ok(
        201,
        inst.map(|i| st.instance_with_tiers_json(i))
            .unwrap_or_default(),
    ))
}

pub(super) fn tier(v: &Value) -> Result<NewTier, Reply> {
    let Value::Object(t) = v else {
        return Err(bad("each tier must be an object."));
    };
    only_keys(
        t,
        &["name", "description", "autoApprove", "status", "limits"],
    )?;
    let Some(name) = text(t, "name")? else {
        return Err(bad("each tier needs a name."));
    };
    let mut tier = NewTier::new(&name, boolean(t, "autoApprove", true)?);
    tier.description = text(t, "description")?.unwrap_or_default();
    tier.deprecated = match text(t, "status")?.as_deref() {
        None | Some("ACTIVE") => false,
        Some("DEPRECATED") => true,
        Some(other) => {
            return Err(bad(format!(
                "status {other:?} is not ACTIVE or DEPRECATED."
            )))
        }
    };
    if let Some(limits) = t.get("limits") {
        let Value::Array(items) = limits else {
            return Err(bad("limits must be an array."));
        };
        tier.limits = items
            .iter()
            .map(|l| {
                let n = |k: &str| l.get(k).and_then(Value::as_u64);
                match (n("timePeriodInMilliseconds"), n("maximumRequests")) {
                    (Some(period), Some(max)) if period > 0 => Ok((period, max)),
                    _ => Err(bad(
                        "each limit is {\"maximumRequests\": N, \"timePeriodInMilliseconds\": M} \
                         (whole numbers, M > 0).",
                    )),
                }
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(tier)
}
