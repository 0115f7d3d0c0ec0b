//! Contract administration: the documented revoke (and its legacy fallback),
//! the "Manage Contracts" hint on a 403, paging of an application's
//! contracts, asset look-up.

use super::*;

#[tokio::test]
async fn application_contracts_are_listed_with_offset_and_limit() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("paged"), None).await.unwrap();
    c.contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    h.reset_request_log();
    let list = c.contracts().list(ORG, app.id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].api_instance_id, Some(API_INSTANCE_ORDERS));
    let gets: Vec<_> = h
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/contracts"))
        .collect();
    assert_eq!(gets.len(), 1, "{gets:?}");
    let q = gets[0].query.clone().unwrap_or_default();
    assert!(q.contains("offset=0") && q.contains("limit=250"), "{q}");
}

#[tokio::test]
async fn revoke_uses_the_api_manager_patch_then_the_legacy_call() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("revoked"), None)
        .await
        .unwrap();
    let k = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert_eq!(k.status.as_deref(), Some("APPROVED"));
    // The parent API id for the legacy call comes from the application's
    // contract list (the instance GET carries none: anypoint-api.md §9.4).
    // The PATCH is not served (405): the legacy API Platform revoke is used.
    h.reset_request_log();
    h.push_fault(Fault::on(
        "PATCH",
        &format!("/contracts/{}", k.id),
        FaultKind::respond(405, r#"{"message":"Method Not Allowed"}"#),
    ));
    c.contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, k.id))
        .await
        .unwrap();
    assert_eq!(h.contract(k.id).unwrap()["status"], "REVOKED");
    assert_eq!(
        h.request_count("POST", "/apiplatform/repository/v2/organizations"),
        1
    );
    c.contracts()
        .delete(&site(app.id, API_INSTANCE_ORDERS, k.id))
        .await
        .unwrap();
    assert!(h.contract(k.id).is_none());
    // A new contract is revoked with the PATCH alone.
    let k = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_GOLD))
        .await
        .unwrap();
    h.reset_request_log();
    c.contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, k.id))
        .await
        .unwrap();
    assert_eq!(h.request_count("PATCH", "/apimanager/"), 1);
    assert_eq!(h.request_count("POST", "/apiplatform/"), 0);
}

#[tokio::test]
async fn forbidden_contract_administration_names_manage_contracts() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("forbidden"), None)
        .await
        .unwrap();
    let k = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    h.set_manage_contracts(false);
    let e = c
        .contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, k.id))
        .await
        .unwrap_err();
    assert!(e.is_forbidden(), "{e}");
    assert!(e.to_string().contains("Manage Contracts"), "{e}");
    h.set_contract_status(k.id, "REVOKED");
    let e = c
        .contracts()
        .delete(&site(app.id, API_INSTANCE_ORDERS, k.id))
        .await
        .unwrap_err();
    assert!(e.is_forbidden(), "{e}");
    assert!(e.to_string().contains("Manage Contracts"), "{e}");
    assert!(h.contract(k.id).is_some());
}

#[tokio::test]
async fn asset_info_and_the_parent_api_id_from_the_contract_list() {
    let emu = emulator().await;
    let c = client(&emu);
    let inst = c
        .api_instances()
        .get(ORG, ENVIRONMENT_ID, API_INSTANCE_CATALOG)
        .await
        .unwrap();
    assert_eq!(inst.asset_id.as_deref(), Some("catalog-api"));
    let info = c
        .api_instances()
        .asset_info(ORG, "catalog-api", "1.0.0")
        .await
        .unwrap();
    assert_eq!(info.version_group, "v1");
    assert_eq!(info.organization_id.as_deref(), Some(ORG));
    // Terms are not accepted unless asked for.
    assert!(!NewContract::default().accepted_terms);
    // The parent API id, which the legacy paths take, is in the
    // application's contract list.
    let app = create_app(&c, ORG, &new_app("parent"), None).await.unwrap();
    let k = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    let listed = c.contracts().list(ORG, app.id).await.unwrap();
    let item = listed.iter().find(|x| x.id == k.id).unwrap();
    assert!(item.parent_api_id.is_some(), "{item:?}");
}
