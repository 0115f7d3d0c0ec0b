//! Unit tests: the model against the schema, and state from platform contracts.

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
