//! Every operation: its exact method, path and query, paging, and what it
//! answers.

use super::*;

#[tokio::test]
async fn every_operation_uses_its_exact_path() {
    let emu = emulator().await;
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
                ..orders_contract(TIER_ORDERS_BRONZE)
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
    let emu = emulator().await;
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
async fn applications_crud_list_and_find() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);

    // Create: the full object, with its secret and the creator as owner.
    let app = create_app(&c, ORG, &new_app("alpha"), None).await.unwrap();
    assert!(app.id > 0);
    assert_eq!(app.description.as_deref(), Some("alpha description"));
    assert_eq!(app.url.as_deref(), Some("https://example.com/app"));
    assert_eq!(app.redirect_uri, ["https://example.com/callback"]);
    assert_eq!(app.grant_types, ["client_credentials"]);
    assert!(!app.client_id.is_empty());
    assert_eq!(app.master_organization_id.as_deref(), Some(ORG));
    assert!(app.created_at.is_some());
    assert_eq!(app.owners.len(), 1);
    assert_eq!(app.owners[0].id, CONNECTED_APP_USER_ID);
    assert_eq!(app.owners[0].username.as_deref(), Some("emulator-admin"));
    assert_matches_stored(&app, &h);

    // With an API instance (apiVersionId); an unknown one is a 400.
    let linked = create_app(
        &c,
        ORG,
        &new_app("alpha-2"),
        Some(&API_INSTANCE_ORDERS.to_string()),
    )
    .await
    .unwrap();
    assert_matches_stored(&linked, &h);
    let e = create_app(&c, ORG, &new_app("alpha-3"), Some("99999"))
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::BadRequest(_)), "{e}");
    assert!(e.message().contains("apiVersionId"), "{e}");

    // A duplicate name is a Conflict, on the first attempt.
    let e = create_app(&c, ORG, &new_app("alpha"), None)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    assert!(!e.is_ambiguous());
    assert_eq!(h.application_count(), 2);

    // Get.
    let got = c.applications().get(ORG, app.id).await.unwrap();
    assert_eq!(got, app);

    // Update replaces the mutable set: url cleared, names and lists changed.
    let update = ApplicationUpdate {
        name: "alpha-renamed".to_owned(),
        description: Some("changed".to_owned()),
        url: None,
        redirect_uri: vec![
            "https://example.com/a".into(),
            "https://example.com/b".into(),
        ],
        grant_types: vec!["client_credentials".into(), "refresh_token".into()],
    };
    let updated = c.applications().update(ORG, app.id, &update).await.unwrap();
    assert_eq!(updated.name, "alpha-renamed");
    assert_eq!(updated.description.as_deref(), Some("changed"));
    assert_eq!(updated.url, None);
    assert_eq!(updated.redirect_uri.len(), 2);
    assert_eq!(updated.grant_types, ["client_credentials", "refresh_token"]);
    assert_eq!(updated.client_id, app.client_id);
    assert_eq!(updated.client_secret, app.client_secret);
    let stored = h.application(app.id).unwrap();
    assert_eq!(stored["name"], "alpha-renamed");
    assert_eq!(stored["url"], Value::Null);
    assert_eq!(ApplicationUpdate::from(&updated), update);
    // Renaming onto another application's name conflicts.
    let e = c
        .applications()
        .update(
            ORG,
            app.id,
            &ApplicationUpdate {
                name: "alpha-2".into(),
                ..update.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");

    // List: all, and by search; find by exact name.
    for i in 0..5 {
        create_app(&c, ORG, &new_app(&format!("beta-{i}")), None)
            .await
            .unwrap();
    }
    let all = c.applications().list(ORG, None).await.unwrap();
    assert_eq!(all.len(), 7);
    let listed = all.iter().find(|a| a.id == app.id).unwrap();
    assert_eq!(listed.name, "alpha-renamed");
    assert_eq!(listed.client_id.as_deref(), Some(app.client_id.as_str()));
    assert_eq!(listed.master_organization_id.as_deref(), Some(ORG));
    let betas = c.applications().list(ORG, Some("beta")).await.unwrap();
    assert_eq!(betas.len(), 5);
    // "alpha" is part of both names; the exact match finds one.
    let found = c.applications().find_by_name(ORG, "alpha-2").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, linked.id);
    let found = c.applications().find_by_name(ORG, "alpha").await.unwrap();
    assert!(found.is_empty(), "{found:?}");

    // Delete, then it is gone: get and a second delete are NotFound.
    c.applications().delete(ORG, app.id).await.unwrap();
    assert!(h.application(app.id).is_none());
    let e = c.applications().get(ORG, app.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c.applications().delete(ORG, app.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(c.applications().list(ORG, None).await.unwrap().len(), 6);
}

#[tokio::test]
async fn owners_and_secret_reset() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("owned"), None).await.unwrap();

    // Add: Added, then AlreadyOwner.
    assert_eq!(
        c.owners().add(ORG, app.id, ALICE).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(
        c.owners().add(ORG, app.id, ALICE).await.unwrap(),
        AddOwnerOutcome::AlreadyOwner
    );
    assert_eq!(
        c.owners().add(ORG, app.id, BOB).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, ALICE, BOB]);
    let read = c.applications().get(ORG, app.id).await.unwrap();
    let alice = read.owners.iter().find(|o| o.id == ALICE).unwrap();
    assert_eq!(alice.username.as_deref(), Some("alice"));
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice.first_name.as_deref(), Some("Alice"));
    assert_eq!(alice.owner_type.as_deref(), Some("user"));
    // An unknown user, and an unknown application.
    let e = c
        .owners()
        .add(ORG, app.id, "00000000-0000-4000-8000-00000000dead")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c.owners().add(ORG, 1, ALICE).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // Remove, then NotFound for one that is not (or no longer) an owner.
    c.owners().remove(ORG, app.id, ALICE).await.unwrap();
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, BOB]);
    let e = c.owners().remove(ORG, app.id, ALICE).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .owners()
        .remove(ORG, app.id, "5eed0000-0000-4000-8000-000000000005")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // Reset secret: a new secret, the same client id, stored by the emulator.
    let old = app.client_secret.clone().unwrap();
    let reset = c.applications().reset_secret(ORG, app.id).await.unwrap();
    let new = reset.client_secret.clone().unwrap();
    assert_ne!(new.expose(), old.expose());
    assert!(!new.is_empty());
    assert_eq!(reset.client_id, app.client_id);
    assert_eq!(reset.id, app.id);
    assert_eq!(h.application(app.id).unwrap()["clientSecret"], new.expose());
    assert_eq!(
        c.applications()
            .get(ORG, app.id)
            .await
            .unwrap()
            .client_secret,
        Some(new)
    );
    let e = c.applications().reset_secret(ORG, 1).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn api_instances_tiers_assets_and_users() {
    let emu = emulator().await;
    let c = client(&emu);

    let inst = c
        .api_instances()
        .get(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS)
        .await
        .unwrap();
    assert_eq!(inst.id, API_INSTANCE_ORDERS);
    assert_eq!(inst.group_id.as_deref(), Some(ORG));
    assert_eq!(inst.asset_id.as_deref(), Some("orders-api"));
    assert_eq!(inst.asset_version.as_deref(), Some("1.0.0"));
    assert_eq!(inst.product_version.as_deref(), Some("v1"));
    assert_eq!(inst.environment_id.as_deref(), Some(ENVIRONMENT_ID));
    assert_eq!(inst.organization_id.as_deref(), Some(ORG));
    let e = c
        .api_instances()
        .get(ORG, ENVIRONMENT_ID, 12345)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = c
        .api_instances()
        .get(ORG, "no-such-env", API_INSTANCE_ORDERS)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // The version group of the instance's asset.
    let group = c
        .api_instances()
        .asset_version_group(
            inst.group_id.as_deref().unwrap(),
            inst.asset_id.as_deref().unwrap(),
            inst.asset_version.as_deref().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(group, "v1");
    let e = c
        .api_instances()
        .asset_version_group(ORG, "orders-api", "9.9.9")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");

    // Tiers.
    let tiers = c
        .api_instances()
        .tiers(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS)
        .await
        .unwrap();
    let summary: Vec<(i64, Option<&str>, Option<bool>)> = tiers
        .iter()
        .map(|t| (t.id, t.name.as_deref(), t.auto_approve))
        .collect();
    assert_eq!(
        summary,
        [
            (TIER_ORDERS_BRONZE, Some("Bronze"), Some(true)),
            (TIER_ORDERS_GOLD, Some("Gold"), Some(true)),
            (TIER_ORDERS_PLATINUM, Some("Platinum"), Some(false)),
        ]
    );
    assert_eq!(tiers[0].status.as_deref(), Some("ACTIVE"));
    assert_eq!(tiers[0].limits[0].maximum_requests, Some(100));
    assert_eq!(tiers[0].limits[0].time_period_in_milliseconds, Some(60_000));
    assert_eq!(tiers[2].limits.len(), 2);
    let tiers = c
        .api_instances()
        .tiers(ORG, ENVIRONMENT_ID, API_INSTANCE_PAYMENTS)
        .await
        .unwrap();
    assert_eq!(tiers.len(), 1);
    assert_eq!(tiers[0].id, TIER_PAYMENTS_STANDARD);
    assert!(c
        .api_instances()
        .tiers(ORG, ENVIRONMENT_ID, API_INSTANCE_CATALOG)
        .await
        .unwrap()
        .is_empty());

    // Users.
    let users = c.users().list(ORG, None).await.unwrap();
    assert_eq!(users.len(), 6);
    assert_eq!(users[0].id, CONNECTED_APP_USER_ID);
    let alice = c.users().list(ORG, Some("alice")).await.unwrap();
    assert_eq!(alice.len(), 1);
    assert_eq!(alice[0].id, ALICE);
    assert_eq!(alice[0].username.as_deref(), Some("alice"));
    assert_eq!(alice[0].email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice[0].first_name.as_deref(), Some("Alice"));
    assert_eq!(alice[0].last_name.as_deref(), Some("Anderson"));
    assert!(c
        .users()
        .list(ORG, Some("nobody-here"))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_api_search_sends_its_filters_and_pages_through_every_asset() {
    use anypoint_client::{InstanceSearch, SEARCH_PAGE_SIZE};
    use anypoint_emulator::NewApiInstance;

    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // More assets than a page, one of them with two instances.
    let extra = SEARCH_PAGE_SIZE as usize + 20;
    for n in 0..extra {
        h.add_api_instance(NewApiInstance::new(&format!("svc-{n:03}")))
            .unwrap();
    }
    let eu = h
        .add_api_instance(NewApiInstance {
            instance_label: Some("orders-eu".into()),
            ..NewApiInstance::new("orders-api")
        })
        .unwrap();
    h.reset_request_log();
    let all = c
        .api_instances()
        .search(ORG, ENVIRONMENT_ID, &InstanceSearch::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3 + extra + 1, "every instance of every page");
    let path = format!("/apimanager/api/v1/organizations/{ORG}/environments/{ENVIRONMENT_ID}/apis");
    let queries: Vec<String> = h
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        ["offset=0&limit=100", "offset=100&limit=100"],
        "pages count assets"
    );

    h.reset_request_log();
    let orders = c
        .api_instances()
        .search(
            ORG,
            ENVIRONMENT_ID,
            &InstanceSearch {
                asset_id: Some("orders-api".into()),
                group_id: Some(ORG.into()),
                asset_version: Some("1.0.0".into()),
                instance_label: Some("orders-eu".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].id, eu);
    assert_eq!(orders[0].asset_id.as_deref(), Some("orders-api"));
    assert_eq!(orders[0].group_id.as_deref(), Some(ORG));
    assert_eq!(orders[0].asset_name.as_deref(), Some("Orders API"));
    assert_eq!(orders[0].instance_label.as_deref(), Some("orders-eu"));
    assert_eq!(orders[0].environment_id.as_deref(), Some(ENVIRONMENT_ID));
    let sent = h.requests()[0].query.clone().unwrap_or_default();
    assert_eq!(
        sent,
        format!(
            "assetId=orders-api&groupId={ORG}&assetVersion=1.0.0&instanceLabel=orders-eu&offset=0&limit=100"
        )
    );
    let e = c
        .api_instances()
        .search(ORG, "no-such-env", &InstanceSearch::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn contracts_create_change_tier_revoke_delete() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("consumer"), None)
        .await
        .unwrap();
    assert!(c.contracts().list(ORG, app.id).await.unwrap().is_empty());

    // The contract body built from the instance lookup, as the provider does.
    let inst = c
        .api_instances()
        .get(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS)
        .await
        .unwrap();
    let version_group = c
        .api_instances()
        .asset_version_group(
            inst.group_id.as_deref().unwrap(),
            inst.asset_id.as_deref().unwrap(),
            inst.asset_version.as_deref().unwrap(),
        )
        .await
        .unwrap();
    let body = NewContract {
        target: ContractTarget::ApiInstance(inst.id),
        requested_tier_id: Some(TIER_ORDERS_BRONZE),
        organization_id: inst.group_id.clone().unwrap(),
        group_id: inst.group_id.clone().unwrap(),
        asset_id: inst.asset_id.clone().unwrap(),
        version: inst.asset_version.clone().unwrap(),
        version_group,
        environment_id: inst.environment_id.clone(),
        ..NewContract::default()
    };
    assert_eq!(body, orders_contract(TIER_ORDERS_BRONZE));

    // Auto-approved tier: APPROVED with the tier.
    let orders = c.contracts().create(ORG, app.id, &body).await.unwrap();
    assert_eq!(orders.status.as_deref(), Some("APPROVED"));
    assert_eq!(orders.tier_id, Some(TIER_ORDERS_BRONZE));
    assert_eq!(orders.requested_tier_id, None);
    assert_eq!(orders.api_instance_id, Some(API_INSTANCE_ORDERS));
    assert_eq!(orders.application_id, Some(app.id));
    // A second contract with the same instance conflicts.
    let e = c.contracts().create(ORG, app.id, &body).await.unwrap_err();
    assert!(e.is_conflict(), "{e}");

    // Manual-approval tier: PENDING, the tier only requested.
    let payments = c
        .contracts()
        .create(
            ORG,
            app.id,
            &NewContract {
                target: ContractTarget::ApiInstance(API_INSTANCE_PAYMENTS),
                requested_tier_id: Some(TIER_PAYMENTS_STANDARD),
                asset_id: "payments-api".to_owned(),
                ..orders_contract(0)
            },
        )
        .await
        .unwrap();
    assert_eq!(payments.status.as_deref(), Some("PENDING"));
    assert_eq!(payments.tier_id, None);
    assert_eq!(payments.requested_tier_id, Some(TIER_PAYMENTS_STANDARD));

    // No tiers: APPROVED without a tier.
    let catalog = c
        .contracts()
        .create(
            ORG,
            app.id,
            &NewContract {
                target: ContractTarget::ApiInstance(API_INSTANCE_CATALOG),
                requested_tier_id: None,
                asset_id: "catalog-api".to_owned(),
                ..orders_contract(0)
            },
        )
        .await
        .unwrap();
    assert_eq!(catalog.status.as_deref(), Some("APPROVED"));
    assert_eq!(catalog.tier_id, None);

    // The list shows all three, each with its instance and tier.
    let listed = c.contracts().list(ORG, app.id).await.unwrap();
    // (id, instance, status, tier, requested tier)
    type Row<'a> = (i64, Option<i64>, Option<&'a str>, Option<i64>, Option<i64>);
    let view: Vec<Row> = listed
        .iter()
        .map(|k| {
            (
                k.id,
                k.api_instance_id,
                k.status.as_deref(),
                k.tier_id,
                k.requested_tier_id,
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (
                orders.id,
                Some(API_INSTANCE_ORDERS),
                Some("APPROVED"),
                Some(TIER_ORDERS_BRONZE),
                None
            ),
            (
                payments.id,
                Some(API_INSTANCE_PAYMENTS),
                Some("PENDING"),
                None,
                Some(TIER_PAYMENTS_STANDARD)
            ),
            (
                catalog.id,
                Some(API_INSTANCE_CATALOG),
                Some("APPROVED"),
                None,
                None
            ),
        ]
    );

    // Tier change to another auto tier applies at once.
    let gold = c
        .contracts()
        .change_tier(ORG, app.id, orders.id, TIER_ORDERS_GOLD)
        .await
        .unwrap();
    assert_eq!(gold.id, orders.id);
    assert_eq!(gold.tier_id, Some(TIER_ORDERS_GOLD));
    assert_eq!(gold.status.as_deref(), Some("APPROVED"));
    // To a manual tier: requested, the current tier stays until approval.
    let plat = c
        .contracts()
        .change_tier(ORG, app.id, orders.id, TIER_ORDERS_PLATINUM)
        .await
        .unwrap();
    assert_eq!(plat.tier_id, Some(TIER_ORDERS_GOLD));
    assert_eq!(plat.requested_tier_id, Some(TIER_ORDERS_PLATINUM));
    assert!(h.set_contract_status(orders.id, "APPROVED"));
    let approved = c
        .contracts()
        .list(ORG, app.id)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == orders.id)
        .unwrap();
    assert_eq!(approved.tier_id, Some(TIER_ORDERS_PLATINUM));
    assert_eq!(approved.requested_tier_id, None);
    // A tier of another instance is refused.
    let e = c
        .contracts()
        .change_tier(ORG, app.id, orders.id, TIER_PAYMENTS_STANDARD)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::BadRequest(_)), "{e}");

    // Deleting before revoking conflicts; revoke, then delete.
    let e = c
        .contracts()
        .delete(&site(app.id, API_INSTANCE_ORDERS, orders.id))
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    c.contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, orders.id))
        .await
        .unwrap();
    assert_eq!(h.contract(orders.id).unwrap()["status"], "REVOKED");
    let revoked = c
        .contracts()
        .list(ORG, app.id)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == orders.id)
        .unwrap();
    assert_eq!(revoked.status.as_deref(), Some("REVOKED"));
    // Revoking again (no ambiguous attempt before) is a Conflict.
    let e = c
        .contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, orders.id))
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    c.contracts()
        .delete(&site(app.id, API_INSTANCE_ORDERS, orders.id))
        .await
        .unwrap();
    assert!(h.contract(orders.id).is_none());
    let e = c
        .contracts()
        .delete(&site(app.id, API_INSTANCE_ORDERS, orders.id))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // The wrong instance for a contract is NotFound.
    let e = c
        .contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, payments.id))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let left: Vec<i64> = c
        .contracts()
        .list(ORG, app.id)
        .await
        .unwrap()
        .iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(left, [payments.id, catalog.id]);
    // With the old contract gone, the instance can be contracted again.
    let again = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert_ne!(again.id, orders.id);
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

#[tokio::test]
async fn an_instance_contract_list_is_read_once_and_only_when_it_fits_a_page() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let api = API_INSTANCE_PAYMENTS;
    let mut made = Vec::new();
    for i in 0..3 {
        let app = insert_app(&h, &format!("on-payments-{i}"));
        let contract = h
            .create_contract(app, api, Some(TIER_PAYMENTS_STANDARD))
            .unwrap();
        made.push(contract["id"].as_i64().unwrap());
    }
    let path = format!("/apis/{api}/contracts");
    let (one, two) = tokio::join!(
        c.contracts()
            .read_target_shared(ORG, ENVIRONMENT_ID, ContractTarget::ApiInstance(api)),
        c.contracts()
            .read_target_shared(ORG, ENVIRONMENT_ID, ContractTarget::ApiInstance(api)),
    );
    assert_eq!(one, two);
    let mut ids: Vec<i64> = one.unwrap().iter().map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, made);
    let reads = |h: &EmulatorHandle, tail: &str| {
        h.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with(tail))
            .count()
    };
    assert_eq!(reads(&h, &path), 1, "one read for both");

    // More contracts than a page holds: read by application instead.
    let busy = API_INSTANCE_ORDERS;
    for i in 0..=MAX_PAGE_SIZE {
        let app = insert_app(&h, &format!("on-orders-{i}"));
        h.create_contract(app, busy, Some(TIER_ORDERS_BRONZE))
            .unwrap();
    }
    let fresh = client(&emu);
    assert_eq!(
        fresh
            .contracts()
            .read_target_shared(ORG, ENVIRONMENT_ID, ContractTarget::ApiInstance(busy))
            .await,
        None
    );
}

#[tokio::test]
async fn a_refused_instance_contract_list_is_asked_for_once() {
    let emu = start_emulator(|cfg| cfg.variants.push(Variant::NoViewContracts)).await;
    let h = emu.handle();
    let c = client(&emu);
    let reads = [
        API_INSTANCE_ORDERS,
        API_INSTANCE_PAYMENTS,
        API_INSTANCE_ORDERS,
    ];
    for api in reads {
        assert_eq!(
            c.contracts()
                .read_target_shared(ORG, ENVIRONMENT_ID, ContractTarget::ApiInstance(api))
                .await,
            None
        );
    }
    let asked = h
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/contracts"))
        .count();
    assert_eq!(asked, 1, "asked once");
}
