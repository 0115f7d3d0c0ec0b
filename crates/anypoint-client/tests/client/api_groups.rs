//! API group contracts: the group instance's asset (from the instance, or
//! its group and version), its tiers, a request that names the group
//! instance (never an `apiId`), the create-once look-up that finds a group
//! contract by its group instance whatever field the list names it in, and
//! the end of a group contract through API Manager's groupInstances paths
//! only (no legacy fallback), by the same rule as an instance contract's.

use anypoint_client::{ContractSite, Ended};
use anypoint_emulator::{
    EmulatorConfig, Variant, API_GROUP_INSTANCE_COMMERCE, API_GROUP_INSTANCE_REFERENCE,
    TIER_COMMERCE_PARTNER, TIER_COMMERCE_PREMIUM, TIER_COMMERCE_STARTER,
};

use super::*;

const COMMERCE: i64 = API_GROUP_INSTANCE_COMMERCE;

fn group_path(g: i64) -> String {
    format!(
        "/apimanager/api/v1/organizations/{ORG}/environments/{ENVIRONMENT_ID}/groupInstances/{g}"
    )
}

fn commerce_contract(tier: Option<i64>) -> NewContract {
    NewContract {
        target: ContractTarget::ApiGroupInstance(COMMERCE),
        requested_tier_id: tier,
        accepted_terms: true,
        organization_id: ORG.to_owned(),
        group_id: ORG.to_owned(),
        asset_id: "commerce-apis".to_owned(),
        version: "1.0.0".to_owned(),
        version_group: "v1".to_owned(),
        environment_id: Some(ENVIRONMENT_ID.to_owned()),
    }
}

fn group_site(app: i64, g: i64, contract: i64) -> ContractSite<'static> {
    ContractSite {
        target: ContractTarget::ApiGroupInstance(g),
        ..site(app, 0, contract)
    }
}

async fn with_variants(variants: &[Variant]) -> Emulator {
    start_emulator(|c: &mut EmulatorConfig| c.variants = variants.to_vec()).await
}

#[tokio::test]
async fn the_asset_is_read_from_the_group_instance_else_from_its_group_and_version() {
    for (variant, reads) in [(None, 1), (Some(Variant::GroupInstanceWithoutAsset), 3)] {
        let emu = with_variants(&variant.into_iter().collect::<Vec<_>>()).await;
        let h = emu.handle();
        let c = client(&emu);
        let (gi, asset) = c
            .api_groups()
            .asset(ORG, ENVIRONMENT_ID, COMMERCE)
            .await
            .unwrap();
        assert_eq!(gi.id, COMMERCE);
        assert_eq!(
            (
                asset.group_id.as_str(),
                asset.asset_id.as_str(),
                asset.version.as_str()
            ),
            (ORG, "commerce-apis", "1.0.0"),
            "{variant:?}"
        );
        assert_eq!(asset.product_version.as_deref(), Some("v1"));
        let sent: Vec<String> = requests(&h)
            .into_iter()
            .filter(|r| r.contains("/apimanager/"))
            .collect();
        assert_eq!(sent.len(), reads, "{variant:?}: {sent:?}");
        assert_eq!(sent[0], format!("GET {}", group_path(COMMERCE)));
        // Exchange knows the group's asset (its version group).
        let info = c
            .api_instances()
            .asset_info(&asset.group_id, &asset.asset_id, &asset.version)
            .await
            .unwrap();
        assert_eq!(info.version_group, "v1");
    }
    // A group instance that is not there is NotFound, and so is one in
    // another environment.
    let emu = emulator().await;
    let c = client(&emu);
    let e = c
        .api_groups()
        .asset(ORG, ENVIRONMENT_ID, 99_999)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .api_groups()
        .get_instance(ORG, anypoint_emulator::PRODUCTION_ENVIRONMENT_ID, COMMERCE)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn group_tiers_are_read_with_their_limits() {
    let emu = emulator().await;
    let c = client(&emu);
    let tiers = c
        .api_groups()
        .tiers(ORG, ENVIRONMENT_ID, COMMERCE)
        .await
        .unwrap();
    let ids: Vec<i64> = tiers.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        [
            TIER_COMMERCE_STARTER,
            TIER_COMMERCE_PREMIUM,
            TIER_COMMERCE_PARTNER
        ]
    );
    assert_eq!(tiers[2].auto_approve, Some(false));
    assert_eq!(tiers[0].limits[0].maximum_requests, Some(100));
    let none = c
        .api_groups()
        .tiers(ORG, ENVIRONMENT_ID, API_GROUP_INSTANCE_REFERENCE)
        .await
        .unwrap();
    assert!(none.is_empty());
}

/// A group request names its group instance, and the answer is taken as a
/// group contract although Exchange names a member API as `api`.
#[tokio::test]
async fn a_group_contract_is_requested_changed_and_ended_through_its_group_instance() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("grouped"), None)
        .await
        .unwrap();
    let made = c
        .contracts()
        .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_STARTER)))
        .await
        .unwrap();
    assert_eq!(made.group_instance_id, Some(COMMERCE));
    assert_eq!(made.api_instance_id, None, "{made:?}");
    assert_eq!(
        made.target(),
        Some(ContractTarget::ApiGroupInstance(COMMERCE))
    );
    let listed = c.contracts().list(ORG, app.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].target(), made.target());

    // A tier change goes through Exchange as for an API contract.
    let changed = c
        .contracts()
        .change_tier(ORG, app.id, made.id, TIER_COMMERCE_PREMIUM)
        .await
        .unwrap();
    assert_eq!(changed.tier_id, Some(TIER_COMMERCE_PREMIUM));

    // Ended: revoked (it is APPROVED), then deleted, through the group
    // instance's paths only.
    h.reset_request_log();
    let ended = c
        .contracts()
        .end(&group_site(app.id, COMMERCE, made.id), Some("APPROVED"))
        .await
        .unwrap();
    assert_eq!(ended, Ended::Deleted);
    let contract = format!("{}/contracts/{}", group_path(COMMERCE), made.id);
    assert_eq!(
        requests(&h),
        [format!("PATCH {contract}"), format!("DELETE {contract}")]
    );
    assert!(h.contracts(app.id).is_empty());
}

#[tokio::test]
async fn a_lost_answer_to_a_group_request_is_found_by_its_group_instance_under_each_list_field() {
    for variant in [
        None,
        Some(Variant::GroupContractGroupInstance),
        Some(Variant::GroupContractGroupInstances),
        Some(Variant::GroupContractApiGroupInstanceId),
    ] {
        let emu = with_variants(&variant.into_iter().collect::<Vec<_>>()).await;
        let h = emu.handle();
        let c = client(&emu);
        let app = create_app(&c, ORG, &new_app("lost"), None).await.unwrap();
        // An API contract with a member instance is not the group's.
        c.contracts()
            .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
            .await
            .unwrap();
        h.reset_request_log();
        fault(
            &h,
            "POST",
            "/contracts",
            [FaultKind::ProcessThenStatus(504)],
        );
        let found = c
            .contracts()
            .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_PARTNER)))
            .await
            .unwrap_or_else(|e| panic!("{variant:?}: {e}"));
        assert_eq!(found.group_instance_id, Some(COMMERCE), "{variant:?}");
        assert_eq!(found.status.as_deref(), Some("PENDING"), "{variant:?}");
        assert_eq!(h.request_count("POST", "/exchange/"), 1, "never sent again");
        assert_eq!(h.contracts(app.id).len(), 2, "{variant:?}");
    }
}

#[tokio::test]
async fn a_group_contract_ends_by_the_same_rule_under_each_teardown_answer() {
    for (variants, approved_first) in [
        (vec![], true),
        (vec![Variant::RevokeApprovedOnly], true),
        (vec![Variant::RevokeRefused], true),
        (vec![Variant::RevokeAgain400], true),
        (vec![Variant::RevokeLegacyOnly], true),
        // What the caller saw may be stale: the platform's answers decide.
        (vec![], false),
        (vec![Variant::RevokeApprovedOnly], false),
    ] {
        let emu = with_variants(&variants).await;
        let h = emu.handle();
        let c = client(&emu);
        let app = create_app(&c, ORG, &new_app("ended"), None).await.unwrap();
        let made = c
            .contracts()
            .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_STARTER)))
            .await
            .unwrap();
        h.reset_request_log();
        let seen = if approved_first {
            "APPROVED"
        } else {
            "PENDING"
        };
        let ended = c
            .contracts()
            .end(&group_site(app.id, COMMERCE, made.id), Some(seen))
            .await
            .unwrap_or_else(|e| panic!("{variants:?} {seen}: {e}"));
        assert_eq!(ended, Ended::Deleted, "{variants:?}");
        assert!(h.contracts(app.id).is_empty(), "{variants:?}");
        for r in requests(&h) {
            assert!(
                r.contains("/groupInstances/") || r.contains("/applications/"),
                "{variants:?}: only the group instance's paths: {r}"
            );
        }
    }
}

#[tokio::test]
async fn a_group_contract_is_gone_only_when_the_application_no_longer_lists_it() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("gone"), None).await.unwrap();
    let made = c
        .contracts()
        .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_STARTER)))
        .await
        .unwrap();
    // Through the wrong group instance every path answers 404, yet the
    // application still lists the contract: a Conflict that names it.
    let wrong = group_site(app.id, API_GROUP_INSTANCE_REFERENCE, made.id);
    let e = c
        .contracts()
        .end(&wrong, Some("APPROVED"))
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    let text = e.to_string();
    assert!(text.contains("still APPROVED"), "{text}");
    assert!(
        text.contains(&format!("API group instance {COMMERCE}")),
        "{text}"
    );
    assert_eq!(h.contracts(app.id).len(), 1);
    // Deleted behind our back: the 404 is confirmed by the list.
    assert!(h.delete_contract(made.id));
    let ended = c
        .contracts()
        .end(&group_site(app.id, COMMERCE, made.id), Some("APPROVED"))
        .await
        .unwrap();
    assert_eq!(ended, Ended::AlreadyGone);
    // Without its environment nothing reaches a group contract: no legacy
    // fallback, nothing sent.
    let made = c
        .contracts()
        .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_STARTER)))
        .await
        .unwrap();
    h.reset_request_log();
    let e = c
        .contracts()
        .end(
            &ContractSite {
                environment: None,
                ..group_site(app.id, COMMERCE, made.id)
            },
            Some("APPROVED"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Config(_)), "{e:?}");
    assert!(e.to_string().contains("environment"), "{e}");
    assert_eq!(h.request_count("POST", "/"), 0, "{:?}", requests(&h));
    assert_eq!(h.request_count("PATCH", "/"), 0);
    assert_eq!(h.request_count("DELETE", "/"), 0);
}

/// Lost answers while ending a group contract: the revoke's 409 after an
/// ambiguous attempt is success, and the delete's 404 after one is
/// confirmed by the list; nothing is left.
#[tokio::test]
async fn lost_answers_while_ending_a_group_contract_leave_nothing_behind() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("lossy"), None).await.unwrap();
    let made = c
        .contracts()
        .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_STARTER)))
        .await
        .unwrap();
    let contract = format!("{}/contracts/{}", group_path(COMMERCE), made.id);
    fault(&h, "PATCH", &contract, [FaultKind::ProcessThenDrop]);
    fault(&h, "DELETE", &contract, [FaultKind::ProcessThenStatus(502)]);
    let ended = c
        .contracts()
        .end(&group_site(app.id, COMMERCE, made.id), Some("APPROVED"))
        .await
        .unwrap();
    assert_eq!(ended, Ended::AlreadyGone);
    assert!(h.contracts(app.id).is_empty());
    assert_eq!(count(&h, "PATCH", &contract), 2);
    assert_eq!(count(&h, "DELETE", &contract), 2);
}

/// A stop after the revoke of a group contract was sent: the delete is
/// still sent, so the revoked contract is not left behind.
#[tokio::test]
async fn a_stop_during_the_revoke_of_a_group_contract_still_deletes_it() {
    let emu = emulator().await;
    let h = emu.handle();
    let cancel = CancellationToken::new();
    let c = AnypointClient::new(config(&emu), "1.11.4", cancel.clone()).unwrap();
    let app = create_app(&c, ORG, &new_app("stopped"), None)
        .await
        .unwrap();
    let made = c
        .contracts()
        .create(ORG, app.id, &commerce_contract(Some(TIER_COMMERCE_STARTER)))
        .await
        .unwrap();
    let contract = format!("{}/contracts/{}", group_path(COMMERCE), made.id);
    fault(
        &h,
        "PATCH",
        &contract,
        [FaultKind::Delay(Duration::from_millis(500))],
    );
    let end = tokio::spawn({
        let c = c.clone();
        async move {
            c.contracts()
                .end(&group_site(app.id, COMMERCE, made.id), Some("APPROVED"))
                .await
        }
    });
    tokio::time::timeout(
        Duration::from_secs(30),
        h.wait_for_requests("PATCH", &contract, 1),
    )
    .await
    .expect("the revoke reached the platform");
    cancel.cancel();
    assert_eq!(end.await.unwrap().unwrap(), Ended::Deleted);
    assert!(h.contracts(app.id).is_empty());
}
