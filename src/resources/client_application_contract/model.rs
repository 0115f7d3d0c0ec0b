//! The model of `anypoint_client_application_contract` and what is read
//! from it: the schema, the state from a platform contract, and the ids,
//! instance and tier a state names. Everything else in the module stands on
//! this one; it stands on none of them.
//!
//! A contract is with an API instance (`api_instance_id`) or an API group
//! instance (`api_group_instance_id`): exactly one is configured (checked at
//! validate), and a state names its target by the one that is set.

use crate::support::values::parse_app_id;
use crate::support::{application_id, org_id, ApplicationId, OrgId};
use anypoint_client::{Contract, ContractTarget};
use tfplugin::framework::semantic::uuid_ignoring_case;
use tfplugin::framework::validators::{canonical_uuid, numeric_id, uuid};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Schema};
use tfplugin::tfvalue::Value;

pub const TYPE_NAME: &str = "anypoint_client_application_contract";

tfplugin::model! {
    /// The attributes of `anypoint_client_application_contract`.
    pub struct ContractModel, paths: attrs {
        id: Maybe<String>,
        org_id: Maybe<String>,
        application_id: Maybe<String>,
        api_instance_id: Maybe<String>,
        api_group_instance_id: Maybe<String>,
        environment_id: Maybe<String>,
        api_instance_org_id: Maybe<String>,
        requested_tier_id: Maybe<String>,
        accepted_terms: Maybe<bool>,
        status: Maybe<String>,
        tier_id: Maybe<String>,
        asset_group_id: Maybe<String>,
        asset_id: Maybe<String>,
        asset_version: Maybe<String>,
        asset_version_group: Maybe<String>,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "One client application's access to one API instance or API group instance: a \
         contract, requested through Exchange. A tier that needs approval leaves the contract PENDING until an API \
         administrator approves it. Destroying the resource ends the contract (an approved one \
         is revoked, then deleted; any other is deleted), which needs API Manager's \"Manage \
         Contracts\" permission. A contract an administrator revoked or rejected stays in state \
         until it is deleted: the plan then replaces it, with a warning.",
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .use_state_for_unknown()
            .description("The contract id."),
    )
    .attribute(org_id(OrgId::Resource))
    .attribute(application_id(ApplicationId::Resource))
    .attribute(
        Attribute::string("api_instance_id")
            .optional()
            .requires_replace()
            .validate(numeric_id())
            .description("The API Manager API instance id (digits). Exactly one of `api_instance_id` and `api_group_instance_id` is set."),
    )
    .attribute(
        Attribute::string("api_group_instance_id")
            .optional()
            .requires_replace()
            .validate(numeric_id())
            .description("The API Manager API group instance id (digits): a contract with an API group (several APIs offered as one Exchange asset), requested with `instanceType` `api-group`. Exactly one of `api_instance_id` and `api_group_instance_id` is set. Reading the group instance needs API Manager's \"API Group Administrator\" permission."),
    )
    .attribute(
        Attribute::string("environment_id")
            .required()
            .validate(uuid())
            .semantic_equality(uuid_ignoring_case())
            .description("The environment (a UUID) of the API instance or API group instance. Changing it requests a new contract; the platform does not report it, so after import it is recorded from the configuration without a replacement."),
    )
    .attribute(
        Attribute::string("api_instance_org_id")
            .optional()
            .computed()
            .use_state_for_unknown()
            .validate(uuid())
            .semantic_equality(uuid_ignoring_case())
            .description("The business group that holds the API instance or API group instance. Defaults to `org_id`. Changing it requests a new contract; after import it is recorded without a replacement."),
    )
    .attribute(
        Attribute::string("requested_tier_id")
            .optional()
            .validate(numeric_id())
            .description("The SLA tier (digits) asked for; required when the API instance (or API group instance) has tiers. Changing it requests a tier change in place, which may wait for approval (see `tier_id`)."),
    )
    .attribute(
        Attribute::bool("accepted_terms")
            .optional()
            .computed()
            .default(Value::Bool(false))
            .description("Whether the API's terms and conditions are accepted; sent with the request. Defaults to `false`. An API with terms refuses a request without them."),
    )
    .attribute(
        Attribute::string("status")
            .computed()
            .description("The contract's status as the platform reports it: `APPROVED`, `PENDING`, `REVOKED`, `REJECTED`. A revoked or rejected contract is replaced by the next apply (a new request), with a warning in the plan."),
    )
    .attribute(
        Attribute::string("tier_id")
            .computed()
            .description("The SLA tier in force; null while the request waits for approval. During a tier change waiting for approval it is the old tier, and `requested_tier_id` the new one."),
    )
    .attribute(
        Attribute::string("asset_group_id")
            .computed()
            .use_state_for_unknown()
            .description("The group id of the Exchange asset of the API instance (or of the API group), looked up when the contract is requested."),
    )
    .attribute(
        Attribute::string("asset_id")
            .computed()
            .use_state_for_unknown()
            .description("The asset id of the Exchange asset of the API instance (or of the API group)."),
    )
    .attribute(
        Attribute::string("asset_version")
            .computed()
            .use_state_for_unknown()
            .description("The asset version of the API instance (or of the API group's version)."),
    )
    .attribute(
        Attribute::string("asset_version_group")
            .computed()
            .use_state_for_unknown()
            .description("The asset's version group (e.g. `v1`)."),
    )
}

impl ContractModel {
    /// The state from a contract the platform reported; what it does not
    /// report is kept from `self`. The target is taken from the contract
    /// only when `self` names none (an import): a contract never changes
    /// its target, and an answer may name another (Exchange's answer to a
    /// group request names a member API).
    pub fn with_contract(mut self, org: &str, app_id: i64, c: &Contract) -> ContractModel {
        self.id = Maybe::Known(c.id.to_string());
        self.org_id = org.into();
        self.application_id = Maybe::Known(app_id.to_string());
        if self.target().is_none() {
            match c.target() {
                Some(ContractTarget::ApiInstance(api)) => {
                    self.api_instance_id = Maybe::Known(api.to_string());
                    self.api_group_instance_id = Maybe::Null;
                }
                Some(ContractTarget::ApiGroupInstance(group)) => {
                    self.api_group_instance_id = Maybe::Known(group.to_string());
                    self.api_instance_id = Maybe::Null;
                }
                None => {}
            }
        }
        self.status = c.status.clone().into();
        self.tier_id = if c.is_pending() { None } else { c.tier_id }
            .map(|t| t.to_string())
            .into();
        // The tier asked for: one waiting for approval, else the one in force.
        self.requested_tier_id = c
            .requested_tier_id
            .or(c.tier_id)
            .map(|t| t.to_string())
            .into();
        for f in [
            &mut self.environment_id,
            &mut self.api_instance_org_id,
            &mut self.asset_group_id,
            &mut self.asset_id,
            &mut self.asset_version,
            &mut self.asset_version_group,
        ] {
            if f.is_unknown() {
                *f = Maybe::Null;
            }
        }
        if self.accepted_terms.is_unknown() {
            self.accepted_terms = Maybe::Null;
        }
        self
    }

    /// The organization of the instance (lower case, as sent), or `org`.
    pub fn instance_org(&self, org: &str) -> String {
        canonical_uuid(self.api_instance_org_id.as_str().unwrap_or(org))
    }

    /// The environment, in lower case as it is sent, if recorded.
    pub fn environment(&self) -> Option<String> {
        self.environment_id.as_str().map(canonical_uuid)
    }

    pub fn api_instance(&self) -> Option<i64> {
        self.api_instance_id.as_str().and_then(parse_app_id)
    }

    /// The API instance or API group instance the state names.
    pub fn target(&self) -> Option<ContractTarget> {
        let group = self.api_group_instance_id.as_str().and_then(parse_app_id);
        group
            .map(ContractTarget::ApiGroupInstance)
            .or(self.api_instance().map(ContractTarget::ApiInstance))
    }

    /// "API instance 40001", "API group instance 62001", or "?".
    pub fn target_text(&self) -> String {
        self.target()
            .map_or_else(|| "?".to_owned(), |t| t.to_string())
    }

    /// Whether the state holds a contract an administrator ended.
    pub fn is_ended(&self) -> bool {
        self.status.as_str().is_some_and(|s| {
            s.eq_ignore_ascii_case("REVOKED") || s.eq_ignore_ascii_case("REJECTED")
        })
    }
}

pub fn tier_of(m: &ContractModel) -> Option<i64> {
    m.requested_tier_id.as_str().and_then(parse_app_id)
}

/// A value the hooks need that the plan did not give: an error naming it
/// (never a silent "no object").
pub fn required<T>(v: Option<T>, what: &str, diags: &mut Diagnostics) -> Option<T> {
    if v.is_none() {
        diags.error(
            "Incomplete contract",
            format!("The contract has no {what}: set it in the configuration (or import the contract again) and apply."),
        );
    }
    v
}

/// The application, its root organization and the contract id of a state.
pub fn ids_of(m: &ContractModel, diags: &mut Diagnostics) -> Option<(i64, i64)> {
    match (
        m.application_id.as_str().and_then(parse_app_id),
        m.id.as_str().and_then(parse_app_id),
    ) {
        (Some(app), Some(cid)) => Some((app, cid)),
        _ => {
            diags.error(
                "Invalid contract state",
                "The state lacks a numeric application_id or contract id. Remove the resource from state with `terraform state rm` and import it again.",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ContractModel>(&schema());
    }

    fn imported() -> ContractModel {
        ContractModel {
            id: Maybe::Null,
            org_id: Maybe::Null,
            application_id: Maybe::Null,
            api_instance_id: Maybe::Null,
            api_group_instance_id: Maybe::Null,
            environment_id: Maybe::Null,
            api_instance_org_id: Maybe::Null,
            requested_tier_id: Maybe::Null,
            accepted_terms: Maybe::Null,
            status: Maybe::Null,
            tier_id: Maybe::Null,
            asset_group_id: Maybe::Unknown,
            asset_id: Maybe::Null,
            asset_version: Maybe::Null,
            asset_version_group: Maybe::Null,
        }
    }

    fn contract(v: serde_json::Value) -> Contract {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn state_from_platform_contracts() {
        // A new request waiting for approval: no tier in force.
        let m = imported().with_contract(
            "o",
            7,
            &contract(serde_json::json!({"id": 9, "status": "PENDING",
                "requestedTier": {"id": 3}, "apiVersion": {"id": 40}})),
        );
        assert_eq!(m.id.as_str(), Some("9"));
        assert_eq!(m.api_instance_id.as_str(), Some("40"));
        assert!(m.tier_id.is_null());
        assert_eq!(m.requested_tier_id.as_str(), Some("3"));
        assert!(m.asset_group_id.is_null(), "unknowns become null");
        // A tier change waiting: the tier in force and the one asked for.
        let m = imported().with_contract(
            "o",
            7,
            &contract(serde_json::json!({"id": 9, "status": "APPROVED",
                "tier": {"id": 1}, "requestedTier": {"id": 3}})),
        );
        assert_eq!(m.tier_id.as_str(), Some("1"));
        assert_eq!(m.requested_tier_id.as_str(), Some("3"));
        // No tiers at all.
        let m = imported().with_contract(
            "o",
            7,
            &contract(serde_json::json!({"id": 9, "status": "APPROVED"})),
        );
        assert!(m.tier_id.is_null() && m.requested_tier_id.is_null());
        let ended = imported().with_contract(
            "o",
            7,
            &contract(serde_json::json!({"id": 1, "status": "REJECTED"})),
        );
        assert!(ended.is_ended());
        let pending = imported().with_contract(
            "o",
            7,
            &contract(serde_json::json!({"id": 1, "status": "PENDING"})),
        );
        assert!(!pending.is_ended());
    }

    #[test]
    fn an_imported_group_contract_names_its_group_instance_and_a_state_keeps_its_target() {
        let listed = contract(serde_json::json!({"id": 9, "status": "APPROVED",
            "apiVersion": null, "groupInstanceId": 62001}));
        let m = imported().with_contract("o", 7, &listed);
        assert_eq!(m.api_group_instance_id.as_str(), Some("62001"));
        assert!(m.api_instance_id.is_null());
        assert_eq!(m.target(), Some(ContractTarget::ApiGroupInstance(62001)));
        assert_eq!(m.target_text(), "API group instance 62001");
        // An answer that names a member API leaves the group's state alone.
        let answer = contract(serde_json::json!({"id": 9, "status": "APPROVED",
            "api": {"id": 40001}}));
        let kept = m.clone().with_contract("o", 7, &answer);
        assert_eq!(kept.target(), m.target());
        assert!(kept.api_instance_id.is_null());
    }
}
