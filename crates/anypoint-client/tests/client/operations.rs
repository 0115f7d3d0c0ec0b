//! Every operation's exact method, path and query; paging; revoke recovery.

use anypoint_client::{ApplicationUpdate, NewContract};
use anypoint_emulator::{
    API_INSTANCE_ORDERS, ENVIRONMENT_ID, TIER_ORDERS_BRONZE, TIER_ORDERS_PLATINUM,
};

use super::*;

const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";

fn orders_contract() -> NewContract {
    NewContract {
        api_id: API_INSTANCE_ORDERS,
        requested_tier_id: Some(TIER_ORDERS_BRONZE),
        organization_id: ORG.into(),
        group_id: ORG.into(),
        asset_id: "orders-api".into(),
        version: "1.0.0".into(),
        version_group: "v1".into(),
        environment_id: Some(ENVIRONMENT_ID.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn every_operation_uses_its_exact_path() {
    let emu = start().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("paths"), None).await.unwrap();
    let id = app.id;
    let got = c.applications().get(ORG, id).await.unwrap();
    assert_eq!(got.client_id, app.client_id);
    let mut update = ApplicationUpdate::from(&got);
    update.description = Some("new".into());
    let updated = c.applications().update(ORG, id, &update).await.unwrap();
    assert_eq!(updated.description.as_deref(), Some("new"));
    let found = c.applications().find_by_name(ORG, "paths").await.unwrap();
    assert_eq!(found.len(), 1);
    c.owners().add(ORG, id, ALICE).await.unwrap();
    c.owners().remove(ORG, id, ALICE).await.unwrap();
    c.applications().reset_secret(ORG, id).await.unwrap();
    let api = API_INSTANCE_ORDERS;
    let instance = c
        .api_instances()
        .get(ORG, ENVIRONMENT_ID, api)
        .await
        .unwrap();
    assert_eq!(instance.asset_id.as_deref(), Some("orders-api"));
    let tiers = c
        .api_instances()
        .tiers(ORG, ENVIRONMENT_ID, api)
        .await
        .unwrap();
    assert_eq!(tiers.len(), 3);
    let group = c
        .api_instances()
        .asset_version_group(ORG, "orders-api", "1.0.0")
        .await
        .unwrap();
    assert_eq!(group, "v1");
    let contract = c
        .contracts()
        .create(
            ORG,
            id,
            &NewContract {
                version_group: group,
                ..orders_contract()
            },
        )
        .await
        .unwrap();
    let changed = c
        .contracts()
        .change_tier(ORG, id, contract.id, TIER_ORDERS_PLATINUM)
        .await
        .unwrap();
    assert_eq!(changed.requested_tier_id, Some(TIER_ORDERS_PLATINUM));
    let listed = c.contracts().list(ORG, id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].api_instance_id, Some(api));
    c.contracts()
        .revoke(&site(id, api, contract.id))
        .await
        .unwrap();
    c.contracts()
        .delete(&site(id, api, contract.id))
        .await
        .unwrap();
    let users = c.users().list(ORG, Some("ali")).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].id, ALICE);
    c.applications().delete(ORG, id).await.unwrap();

    let a = apps_path();
    let cid = contract.id;
    let apim =
        format!("/apimanager/api/v1/organizations/{ORG}/environments/{ENVIRONMENT_ID}/apis/{api}");
    let expected = vec![
        format!("POST {TOKEN_PATH}"),
        format!("GET {a}?query=paths&offset=0&limit=250&targetAdminSite=true"),
        format!("POST {a}"),
        format!("GET {a}/{id}"),
        format!("PUT {a}/{id}"),
        format!("GET {a}?query=paths&offset=0&limit=250&targetAdminSite=true"),
        format!("POST {a}/{id}/owners"),
        format!("DELETE {a}/{id}/owners/{ALICE}"),
        format!("POST {a}/{id}/secret/reset"),
        format!("GET {apim}"),
        format!("GET {apim}/tiers?offset=0&limit=250"),
        format!("GET /exchange/api/v2/assets/{ORG}/orders-api/1.0.0"),
        format!("POST /exchange/api/v2/organizations/{ORG}/applications/{id}/contracts"),
        format!("PATCH /exchange/api/v2/organizations/{ORG}/applications/{id}/contracts/{cid}"),
        format!("GET {a}/{id}/contracts?offset=0&limit=250"),
        format!("PATCH {apim}/contracts/{cid}"),
        format!("DELETE {apim}/contracts/{cid}"),
        format!("GET /accounts/api/organizations/{ORG}/users?search=ali&offset=0&limit=100"),
        format!("DELETE {a}/{id}"),
    ];
    assert_eq!(requests(&h), expected);
}

#[tokio::test]
async fn listing_pages_through_everything() {
    let emu = start().await;
    let h = emu.handle();
    for i in 0..260 {
        insert_app(&h, &format!("app-{i}"));
    }
    let c = client(&emu);
    let all = c.applications().list(ORG, None).await.unwrap();
    assert_eq!(all.len(), 260);
    let lists: Vec<String> = requests(&h)
        .into_iter()
        .filter(|r| r.starts_with("GET "))
        .collect();
    assert_eq!(
        lists,
        vec![
            format!(
                "GET {}?offset=0&limit=250&targetAdminSite=true",
                apps_path()
            ),
            format!(
                "GET {}?offset=250&limit=250&targetAdminSite=true",
                apps_path()
            ),
        ]
    );
    // Exact-name lookup ignores partial matches.
    let found = c.applications().find_by_name(ORG, "app-1").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "app-1");
}

#[tokio::test]
async fn revoking_again_after_an_ambiguous_revoke_succeeds() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let c = client(&emu);
    let contract = c
        .contracts()
        .create(ORG, id, &orders_contract())
        .await
        .unwrap();
    let api = API_INSTANCE_ORDERS;
    let revoke = format!(
        "/apimanager/api/v1/organizations/{ORG}/environments/{ENVIRONMENT_ID}/apis/{api}/contracts/{}",
        contract.id
    );
    fault(&h, "PATCH", &revoke, [FaultKind::ProcessThenStatus(504)]);
    c.contracts()
        .revoke(&site(id, api, contract.id))
        .await
        .unwrap();
    assert_eq!(count(&h, "PATCH", &revoke), 2);
    // Without an ambiguous attempt, a 409 is reported.
    assert!(c
        .contracts()
        .revoke(&site(id, api, contract.id))
        .await
        .unwrap_err()
        .is_conflict());
}
