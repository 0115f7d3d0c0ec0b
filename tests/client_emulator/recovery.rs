//! Recovery after ambiguous or refused requests, exhausted retries, token faults.

use super::*;

#[tokio::test]
async fn ambiguous_contract_create_next_to_a_revoked_contract() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // The emulator enforces one contract per application and instance; a
    // platform that keeps ended contracts beside new ones is the harder case
    // for the look-up, so play that one.
    h.set_ended_contracts_block(false);
    let app = c
        .create_application(ORG, &new_app("recontracted"), None)
        .await
        .unwrap();
    // An old contract with the instance, revoked (e.g. in the UI) but not
    // deleted: it stays in the application's contract list.
    let old = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    c.revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, old.id)
        .await
        .unwrap();

    // Processed, then 504: the lookup must find the new contract, not the
    // revoked one.
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::ProcessThenStatus(504),
    ));
    let new = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_GOLD))
        .await
        .unwrap();
    assert_ne!(
        new.id, old.id,
        "the revoked contract was taken for the new one"
    );
    assert_eq!(new.status.as_deref(), Some("APPROVED"));
    assert_eq!(new.tier_id, Some(TIER_ORDERS_GOLD));
    assert_eq!(h.contracts(app.id).len(), 2);

    // Revoke that one too; then a create dropped BEFORE processing must be
    // sent again (a revoked contract is not evidence that it happened).
    c.revoke_contract(ORG, ENVIRONMENT_ID, API_INSTANCE_ORDERS, new.id)
        .await
        .unwrap();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::DropBeforeProcessing,
    ));
    let third = c
        .create_contract(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert!(third.id != old.id && third.id != new.id, "{third:?}");
    assert_eq!(third.status.as_deref(), Some("APPROVED"));
    assert_eq!(h.request_count("POST", "/exchange/"), 2);
    let live: Vec<Value> = h
        .contracts(app.id)
        .into_iter()
        .filter(|k| k["status"] == "APPROVED")
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["id"], third.id);
}

#[tokio::test]
async fn create_timing_out_after_it_was_processed_is_found_not_repeated() {
    let emu = emulator().await;
    let h = emu.handle();
    let mut cfg = config(&emu, 10, Some(ORG));
    cfg.timeout = Duration::from_secs(1);
    let c = client_with(cfg, CancellationToken::new());
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    // Created at once, answered only after 5 s: the client times out at 1 s.
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::Delay(Duration::from_secs(5)),
    ));
    let started = Instant::now();
    let app = c
        .create_application(ORG, &new_app("slow-create"), None)
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_matches_stored(&app, &h);
    assert_eq!(h.request_count("POST", &apps_path()), 1);
    assert_eq!(h.application_count(), 1);
}

#[tokio::test]
async fn recovery_by_name_with_special_characters_and_case() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // Names that differ only in case, and names that need encoding.
    let names = [
        "Sales & Ops + EU/2 100% #1?",
        "sales & ops + eu/2 100% #1?",
        "Ünïcødé app ✓",
        "  spaced  name  ",
        "a=b;c,d",
    ];
    let kinds = [
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
    ];
    for (i, name) in names.iter().enumerate() {
        h.push_fault(Fault::on("POST", &apps_path(), kinds[i % 2].clone()));
        let app = c
            .create_application(ORG, &new_app(name), None)
            .await
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(app.name, *name);
        assert_matches_stored(&app, &h);
        let found = c.find_applications_by_name(ORG, name).await.unwrap();
        assert_eq!(found.len(), 1, "{name:?}: {found:?}");
        assert_eq!(found[0].id, app.id);
    }
    assert_eq!(h.application_count(), names.len());
    assert_eq!(h.request_count("POST", &apps_path()), names.len());
}

#[tokio::test]
async fn exhausted_retries_report_the_attempts() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 3, Some(ORG)), CancellationToken::new());
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    h.set_fault_rate(1.0);
    let e = c.list_applications(ORG, None).await.unwrap_err();
    h.set_fault_rate(0.0);
    assert!(
        matches!(e, ApiError::RateLimited(_) | ApiError::Server(_)),
        "{e}"
    );
    assert_eq!(e.info().unwrap().attempts, 4, "{e}");
    assert!(e.to_string().contains("after 4 attempts"), "{e}");
    assert_eq!(h.request_count("GET", &apps_path()), 4);

    // The token endpoint too: a fresh client gives up after 4 token requests.
    h.reset_request_log();
    h.set_fault_rate(1.0);
    let fresh = client_with(config(&emu, 3, Some(ORG)), CancellationToken::new());
    let e = fresh.list_users(ORG, None).await.unwrap_err();
    h.set_fault_rate(0.0);
    assert_eq!(h.token_requests(), 4, "{e}");
    assert_eq!(h.requests().len(), 4, "{:?}", h.requests());
    // The next call tries again and succeeds.
    fresh.list_users(ORG, None).await.unwrap();
}

#[tokio::test]
async fn token_endpoint_faults_are_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // A token issued but lost, a refusal with a wait hint, then success.
    h.push_fault(Fault::on("POST", TOKEN_PATH, FaultKind::ProcessThenDrop));
    h.push_fault(Fault::on(
        "POST",
        TOKEN_PATH,
        FaultKind::Status {
            status: 429,
            retry_after: Some("1".to_owned()),
            ratelimit_reset: None,
        },
    ));
    h.push_fault(Fault::on(
        "POST",
        TOKEN_PATH,
        FaultKind::ProcessThenStatus(502),
    ));
    let started = Instant::now();
    c.list_applications(ORG, None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(h.token_requests(), 4);
    assert_eq!(h.pending_faults(), 0);
}

#[tokio::test]
async fn owner_add_dropped_before_processing_is_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = c
        .create_application(ORG, &new_app("owner-retry"), None)
        .await
        .unwrap();
    let owners_path = format!("{}/{}/owners", apps_path(), app.id);
    h.push_fault(Fault::on(
        "POST",
        &owners_path,
        FaultKind::DropBeforeProcessing,
    ));
    h.push_fault(Fault::on(
        "POST",
        &owners_path,
        FaultKind::ProcessThenStatus(504),
    ));
    assert_eq!(
        c.add_owner(ORG, app.id, BOB).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, BOB]);
    assert_eq!(h.request_count("POST", &owners_path), 2);
}

#[tokio::test]
async fn an_ambiguous_create_never_takes_a_same_named_application_for_its_own() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    // Made by someone else (e.g. in the UI) with the name we are about to use.
    let foreign = h
        .create_application(serde_json::json!({ "name": "taken" }))
        .unwrap();
    let foreign_id = foreign["id"].as_i64().unwrap();

    // Without a fault the create is a plain Conflict.
    let e = c
        .create_application(ORG, &new_app("taken"), None)
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");

    // With an ambiguous first attempt (whether or not the server processed
    // it), the outcome is the same Conflict: never the foreign application.
    for kind in [
        FaultKind::DropBeforeProcessing,
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
    ] {
        h.push_fault(Fault::on("POST", &apps_path(), kind.clone()));
        match c.create_application(ORG, &new_app("taken"), None).await {
            Ok(app) => panic!(
                "{kind:?}: took application {} (the foreign one is {foreign_id})",
                app.id
            ),
            Err(e) => assert!(e.is_conflict(), "{kind:?}: {e}"),
        }
    }
    assert_eq!(h.application_count(), 1);

    // A create under a new name after an ambiguous failure still finds its
    // own application.
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::ProcessThenStatus(504),
    ));
    let mine = c
        .create_application(ORG, &new_app("taken-2"), None)
        .await
        .unwrap();
    assert_ne!(mine.id, foreign_id);
    assert_matches_stored(&mine, &h);
}

#[tokio::test]
async fn a_create_goes_ahead_when_the_listing_before_it_is_refused() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    c.list_users(ORG, None).await.unwrap();
    h.reset_request_log();
    // The listing of same-named applications before the create is refused.
    h.push_fault(Fault::on("GET", &apps_path(), FaultKind::status(403)));
    let app = c
        .create_application(ORG, &new_app("unlisted"), None)
        .await
        .unwrap();
    assert_matches_stored(&app, &h);
    let seen: Vec<(String, u16)> = h
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [("GET".to_owned(), 403), ("POST".to_owned(), 201)],
        "{:?}",
        h.requests()
    );
}
