//! `anypoint_api_instance` data source: an API Manager API instance, its
//! Exchange asset coordinates and its SLA tiers; the instance is named by
//! its id, or found by its asset.
//!
//! Found by asset, it is the one instance of the environment whose asset id
//! (and group, version and label, when set) equals the one asked for: API
//! Manager's search may match more loosely than asked, so its answer is
//! only a list of candidates, filtered here. No match, or more than one, is
//! an error naming what was looked for (and the candidates).

use async_trait::async_trait;

use crate::support::values::{parse_app_id, spelled_as};
use crate::support::{api_error, org_id, AnypointData, OrgId};
use anypoint_client::{InstanceSearch, ListedInstance, Tier, TierLimit};
use tfplugin::framework::validators::{non_empty, numeric_id, same_uuid, uuid};
use tfplugin::framework::{
    AttrPath, Attribute, Diagnostics, Maybe, Model, Schema, TypedDataSource,
};

pub struct ApiInstanceDataSource;

tfplugin::model! {
    /// One limit of an SLA tier.
    pub struct TierLimitItem, paths: limit_attrs {
        maximum_requests: Option<i64>,
        time_period_in_milliseconds: Option<i64>,
    }
}

tfplugin::model! {
    /// One SLA tier of the instance.
    pub struct TierItem, paths: tier_attrs {
        id: Option<String>,
        name: Option<String>,
        description: Option<String>,
        status: Option<String>,
        auto_approve: Option<bool>,
        limits: Option<Vec<TierLimitItem>>,
    }
}

tfplugin::model! {
    /// The attributes of the `anypoint_api_instance` data source.
    pub struct ApiInstanceModel, paths: attrs {
        api_instance_id: Maybe<String>,
        environment_id: Maybe<String>,
        org_id: Maybe<String>,
        asset_group_id: Maybe<String>,
        asset_id: Maybe<String>,
        asset_version: Maybe<String>,
        product_version: Option<String>,
        asset_version_group: Option<String>,
        instance_label: Maybe<String>,
        tiers: Option<Vec<TierItem>>,
    }
}

impl TierItem {
    fn from_platform(t: &Tier) -> Self {
        TierItem {
            id: Some(t.id.to_string()),
            name: t.name.clone(),
            description: t.description.clone().filter(|d| !d.is_empty()),
            status: t.status.clone(),
            auto_approve: t.auto_approve,
            limits: Some(t.limits.iter().map(TierLimitItem::from_platform).collect()),
        }
    }
}

impl TierLimitItem {
    fn from_platform(l: &TierLimit) -> Self {
        TierLimitItem {
            maximum_requests: l.maximum_requests,
            time_period_in_milliseconds: l.time_period_in_milliseconds,
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Reads an API Manager API instance, named by its id or found by its Exchange asset: the \
         asset it implements and its SLA tiers, for example to pick the tier of an \
         `anypoint_client_application_contract` by name.",
    )
    .attribute(
        Attribute::string("api_instance_id")
            .optional()
            .computed()
            .validate(numeric_id())
            .description(
                "The API instance id (digits), as API Manager shows it. Set this or `asset_id`; \
                 when the instance is found by `asset_id`, its id.",
            ),
    )
    .attribute(
        Attribute::string("environment_id")
            .required()
            .validate(uuid())
            .description("The environment (a UUID) that holds the API instance."),
    )
    .attribute(org_id(OrgId::InstanceHolder))
    .attribute(
        Attribute::string("asset_id")
            .optional()
            .computed()
            .validate(non_empty())
            .description(
                "The asset id of the Exchange asset the instance implements. Set this instead of \
                 `api_instance_id` to find the one instance of that asset in the environment \
                 (through API Manager's search, compared exactly); `asset_group_id`, \
                 `asset_version` and `instance_label` narrow the search.",
            ),
    )
    .attribute(
        Attribute::string("asset_group_id")
            .optional()
            .computed()
            .validate(non_empty())
            .description(
                "The group id of the Exchange asset. With `asset_id`, narrows the search (a UUID \
                 compares without regard to case); otherwise read from the instance.",
            ),
    )
    .attribute(
        Attribute::string("asset_version")
            .optional()
            .computed()
            .validate(non_empty())
            .description(
                "The version of the Exchange asset (e.g. `1.0.0`). With `asset_id`, narrows the \
                 search (exact); otherwise read from the instance.",
            ),
    )
    .attribute(
        Attribute::string("product_version")
            .computed()
            .description("The API's product version as API Manager reports it (e.g. `v1`)."),
    )
    .attribute(
        Attribute::string("asset_version_group")
            .computed()
            .description("The asset version's version group, as Exchange reports it (e.g. `v1`); null when the instance names no asset."),
    )
    .attribute(
        Attribute::string("instance_label")
            .optional()
            .computed()
            .validate(non_empty())
            .description(
                "The instance label. With `asset_id`, narrows the search (exact); otherwise read \
                 from the instance (null when it has none).",
            ),
    )
    .attribute(
        Attribute::list("tiers", TierItem::object_type())
            .computed()
            .description("The instance's SLA tiers, in id order, active and deprecated: `id` (digits), `name`, `description`, `status` (`ACTIVE`, `DEPRECATED`), `auto_approve` and `limits` (`maximum_requests` per `time_period_in_milliseconds`). Empty without tiers."),
    )
}

fn missing_selector(diags: &mut Diagnostics) {
    diags.attr_error(
        attrs::api_instance_id(),
        "Missing API instance selector",
        "Set either `api_instance_id` or `asset_id` to choose the API instance to read.",
    );
}

/// What a search by asset looks for: the asset id, and the filters set.
struct Wanted<'a> {
    asset: &'a str,
    group: Option<&'a str>,
    version: Option<&'a str>,
    label: Option<&'a str>,
}

impl<'a> Wanted<'a> {
    fn of(config: &'a ApiInstanceModel, asset: &'a str) -> Self {
        Wanted {
            asset,
            group: config.asset_group_id.as_str(),
            version: config.asset_version.as_str(),
            label: config.instance_label.as_str(),
        }
    }

    /// The search as sent: the asset id only. The filters narrow its
    /// answer here, so that when they leave nothing the error can name the
    /// asset's instances (an asset has few).
    fn search(&self) -> InstanceSearch {
        InstanceSearch {
            asset_id: Some(self.asset.to_owned()),
            ..InstanceSearch::default()
        }
    }

    /// The asset id compares exactly, and so does each filter set (a group
    /// that is a UUID without regard to case).
    fn matches(&self, i: &ListedInstance) -> bool {
        i.asset_id.as_deref() == Some(self.asset)
            && self
                .group
                .is_none_or(|g| i.group_id.as_deref().is_some_and(|h| same_uuid(g, h)))
            && self
                .version
                .is_none_or(|v| i.asset_version.as_deref() == Some(v))
            && self
                .label
                .is_none_or(|l| i.instance_label.as_deref() == Some(l))
    }

    fn describe(&self) -> String {
        let mut parts = vec![format!("asset_id {:?}", self.asset)];
        for (name, value) in [
            ("asset_group_id", self.group),
            ("asset_version", self.version),
            ("instance_label", self.label),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name} {v:?}"));
            }
        }
        parts.join(", ")
    }

    /// The attribute a "no match" points at: the last filter set, else the
    /// asset id.
    fn narrowest(&self) -> AttrPath {
        if self.label.is_some() {
            attrs::instance_label()
        } else if self.version.is_some() {
            attrs::asset_version()
        } else if self.group.is_some() {
            attrs::asset_group_id()
        } else {
            attrs::asset_id()
        }
    }
}

/// An instance as a candidate in a message: id, label, asset version, group.
fn candidate(i: &ListedInstance) -> String {
    format!(
        "{} ({}, asset version {}, group {})",
        i.id,
        i.instance_label
            .as_deref()
            .map_or_else(|| "no label".to_owned(), |l| format!("label {l:?}")),
        i.asset_version.as_deref().unwrap_or("none"),
        i.group_id.as_deref().unwrap_or("none"),
    )
}

/// The one instance of the environment the search by asset finds, or an
/// error naming what was looked for.
async fn find_by_asset(
    data: &AnypointData,
    org: &str,
    env: &str,
    wanted: &Wanted<'_>,
    diags: &mut Diagnostics,
) -> Option<i64> {
    let listed = match data
        .client
        .api_instances()
        .search(org, env, &wanted.search())
        .await
    {
        Ok(listed) => listed,
        Err(e) => {
            api_error(
                diags,
                &format!(
                    "searching the API instances of environment {env} for asset {:?}",
                    wanted.asset
                ),
                &e,
            );
            return None;
        }
    };
    let found: Vec<&ListedInstance> = listed.iter().filter(|i| wanted.matches(i)).collect();
    match found.as_slice() {
        [one] => Some(one.id),
        [] => {
            let same_asset: Vec<String> = listed
                .iter()
                .filter(|i| i.asset_id.as_deref() == Some(wanted.asset))
                .map(candidate)
                .collect();
            let there = if same_asset.is_empty() {
                String::new()
            } else {
                format!(
                    " Instances of asset {:?} there: {}.",
                    wanted.asset,
                    same_asset.join("; ")
                )
            };
            diags.attr_error(
                wanted.narrowest(),
                "No such API instance",
                format!(
                    "No API instance with {} exists in environment {env} of organization {org} \
                     (or the Connected App cannot see it).{there} Asset ids, versions and labels \
                     compare exactly, case included.",
                    wanted.describe()
                ),
            );
            None
        }
        many => {
            let listed: Vec<String> = many.iter().map(|i| candidate(i)).collect();
            diags.attr_error(
                attrs::asset_id(),
                "Several API instances match",
                format!(
                    "{} API instances with {} exist in environment {env} of organization {org}: \
                     {}. Narrow the search with `instance_label` or `asset_version` (or \
                     `asset_group_id`), or set `api_instance_id` instead.",
                    many.len(),
                    wanted.describe(),
                    listed.join("; ")
                ),
            );
            None
        }
    }
}

#[async_trait]
impl TypedDataSource for ApiInstanceDataSource {
    type Model = ApiInstanceModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_api_instance"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &ApiInstanceModel, diags: &mut Diagnostics) {
        let (id, asset) = (&config.api_instance_id, &config.asset_id);
        if !id.is_unknown() && !asset.is_unknown() {
            match (id.is_null(), asset.is_null()) {
                (true, true) => missing_selector(diags),
                (false, false) => diags.attr_error(
                    attrs::asset_id(),
                    "Conflicting API instance selectors",
                    "Set only one of `api_instance_id` and `asset_id`, not both.",
                ),
                _ => {}
            }
        }
        if id.is_null() {
            return;
        }
        for (value, path, name) in [
            (
                &config.asset_group_id,
                attrs::asset_group_id(),
                "asset_group_id",
            ),
            (
                &config.asset_version,
                attrs::asset_version(),
                "asset_version",
            ),
            (
                &config.instance_label,
                attrs::instance_label(),
                "instance_label",
            ),
        ] {
            if !value.is_null() {
                diags.attr_error(
                    path,
                    "Search filter without a search",
                    format!(
                        "`{name}` narrows a search by `asset_id`; with `api_instance_id` it is \
                         read from the instance, not set. Remove it, or find the instance by \
                         `asset_id` instead of `api_instance_id`."
                    ),
                );
            }
        }
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: ApiInstanceModel,
        diags: &mut Diagnostics,
    ) -> Option<ApiInstanceModel> {
        let env = config.environment_id.as_str()?.to_owned();
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let api_id = match (config.api_instance_id.as_str(), config.asset_id.as_str()) {
            (Some(id), _) => parse_app_id(id)?,
            (None, Some(asset)) => {
                let wanted = Wanted::of(&config, asset);
                find_by_asset(data, &org, &env, &wanted, diags).await?
            }
            // validate refuses this first; never answer without a diagnostic.
            (None, None) => {
                missing_selector(diags);
                return None;
            }
        };
        let instance = match data.client.api_instances().get(&org, &env, api_id).await {
            Ok(i) => i,
            Err(e) => {
                api_error(diags, &format!("reading API instance {api_id}"), &e);
                return None;
            }
        };
        let mut tiers = match data.client.api_instances().tiers(&org, &env, api_id).await {
            Ok(t) => t,
            Err(e) => {
                api_error(
                    diags,
                    &format!("listing the SLA tiers of API instance {api_id}"),
                    &e,
                );
                return None;
            }
        };
        tiers.sort_by_key(|t| t.id);
        let present = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let (group, asset, version) = (
            present(&instance.group_id),
            present(&instance.asset_id),
            present(&instance.asset_version),
        );
        let version_group = match (&group, &asset, &version) {
            (Some(g), Some(a), Some(v)) => {
                match data
                    .client
                    .api_instances()
                    .asset_version_group(g, a, v)
                    .await
                {
                    Ok(vg) => Some(vg),
                    Err(e) => {
                        api_error(
                        diags,
                        &format!("looking up the Exchange asset {g}/{a}/{v} of API instance {api_id}"),
                        &e,
                    );
                        return None;
                    }
                }
            }
            _ => None,
        };
        // What the configuration set keeps its spelling (a search matched
        // it); the rest is the platform's.
        let configured = |c: &Maybe<String>, read: Option<String>| match c {
            Maybe::Known(v) => Maybe::Known(v.clone()),
            _ => read.into(),
        };
        let state = ApiInstanceModel {
            api_instance_id: Maybe::Known(api_id.to_string()),
            environment_id: config.environment_id.clone(),
            org_id: Maybe::Known(spelled_as(config.org_id.as_str(), &org)),
            asset_group_id: configured(&config.asset_group_id, group),
            asset_id: configured(&config.asset_id, asset),
            asset_version: configured(&config.asset_version, version),
            product_version: present(&instance.product_version),
            asset_version_group: version_group,
            instance_label: configured(&config.instance_label, present(&instance.instance_label)),
            tiers: Some(tiers.iter().map(TierItem::from_platform).collect()),
        };
        Some(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ApiInstanceModel>(&schema());
    }

    fn listed(
        id: i64,
        group: &str,
        asset: &str,
        version: &str,
        label: Option<&str>,
    ) -> ListedInstance {
        ListedInstance {
            id,
            group_id: Some(group.to_owned()),
            asset_id: Some(asset.to_owned()),
            asset_name: None,
            asset_version: Some(version.to_owned()),
            product_version: None,
            instance_label: label.map(str::to_owned),
            environment_id: None,
        }
    }

    #[test]
    fn a_search_by_asset_keeps_only_exact_matches() {
        let group = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
        let orders = listed(1, group, "orders-api", "1.0.0", Some("eu"));
        let wanted =
            |g: Option<&'static str>, v: Option<&'static str>, l: Option<&'static str>| Wanted {
                asset: "orders-api",
                group: g,
                version: v,
                label: l,
            };
        assert!(wanted(None, None, None).matches(&orders));
        assert!(wanted(
            Some("0A9B8C7D-6E5F-4A3B-8C2D-1E0F9A8B7C6D"),
            Some("1.0.0"),
            Some("eu")
        )
        .matches(&orders));
        assert!(!wanted(None, Some("1.0"), None).matches(&orders));
        assert!(!wanted(None, None, Some("EU")).matches(&orders));
        assert!(!wanted(Some("other"), None, None).matches(&orders));
        let longer = listed(2, group, "orders-api-v2", "1.0.0", None);
        assert!(!wanted(None, None, None).matches(&longer));
        assert!(!wanted(None, None, Some("eu")).matches(&listed(
            3,
            group,
            "orders-api",
            "1.0.0",
            None
        )));
        let sent = wanted(Some(group), Some("1.0.0"), Some("eu")).search();
        assert_eq!(sent.asset_id.as_deref(), Some("orders-api"));
        assert_eq!(
            sent.group_id, None,
            "filters narrow the answer, not the search"
        );
        assert_eq!(
            candidate(&orders),
            format!("1 (label \"eu\", asset version 1.0.0, group {group})")
        );
    }

    #[test]
    fn tiers_keep_their_limits_and_ids_as_text() {
        let t: Tier = serde_json::from_value(serde_json::json!({
            "id": 7, "name": "Gold", "description": "", "status": "ACTIVE", "autoApprove": false,
            "limits": [{"maximumRequests": 5, "timePeriodInMilliseconds": 1000, "visible": true}]
        }))
        .unwrap();
        let item = TierItem::from_platform(&t);
        assert_eq!(item.id.as_deref(), Some("7"));
        assert_eq!(item.description, None, "an empty description is null");
        assert_eq!(item.auto_approve, Some(false));
        assert_eq!(
            item.limits.unwrap(),
            vec![TierLimitItem {
                maximum_requests: Some(5),
                time_period_in_milliseconds: Some(1000)
            }]
        );
    }
}
