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
    let app = create_app(&c, ORG, &new_app("recontracted"), None)
        .await
        .unwrap();
    // An old contract with the instance, revoked (e.g. in the UI) but not
    // deleted: it stays in the application's contract list.
    let old = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    c.contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, old.id))
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
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_GOLD))
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
    c.contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, new.id))
        .await
        .unwrap();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::DropBeforeProcessing,
    ));
    let third = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
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
    c.users().list(ORG, None).await.unwrap();
    h.reset_request_log();
    // Created at once, answered only after 5 s: the client times out at 1 s.
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::Delay(Duration::from_secs(5)),
    ));
    let started = Instant::now();
    let app = create_app(&c, ORG, &new_app("slow-create"), None)
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
        let app = create_app(&c, ORG, &new_app(name), None)
            .await
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(app.name, *name);
        assert_matches_stored(&app, &h);
        let found = c.applications().find_by_name(ORG, name).await.unwrap();
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
    c.users().list(ORG, None).await.unwrap();
    h.reset_request_log();
    h.set_fault_rate(1.0);
    let e = c.applications().list(ORG, None).await.unwrap_err();
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
    let e = fresh.users().list(ORG, None).await.unwrap_err();
    h.set_fault_rate(0.0);
    assert_eq!(h.token_requests(), 4, "{e}");
    assert_eq!(h.requests().len(), 4, "{:?}", h.requests());
    // The token request failed for good: the next call of this client gets
    // the same error without asking again; a new client (process) asks.
    let again = fresh.users().list(ORG, None).await.unwrap_err();
    assert_eq!(again.to_string(), e.to_string());
    assert_eq!(h.requests().len(), 4, "{:?}", h.requests());
    client_with(config(&emu, 3, Some(ORG)), CancellationToken::new())
        .users()
        .list(ORG, None)
        .await
        .unwrap();
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
    c.applications().list(ORG, None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(h.token_requests(), 4);
    assert_eq!(h.pending_faults(), 0);
}

#[tokio::test]
async fn owner_add_dropped_before_processing_is_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("owner-retry"), None)
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
        c.owners().add(ORG, app.id, BOB).await.unwrap(),
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

    // The name check finds the holder (the provider refuses the name then,
    // naming it).
    h.reset_request_log();
    let holders = c.applications().prior_holders(ORG, "taken").await.unwrap();
    assert_eq!(holders.unwrap().ids, [foreign_id]);
    assert_eq!(h.request_count("POST", &apps_path()), 0);

    // Sent anyway with the holder left out (as after a list that did not
    // show it), an ambiguous first attempt (whether or not the server
    // processed it) ends in the same Conflict: never the foreign application.
    let existing = anypoint_client::PriorHolders {
        ids: vec![foreign_id],
        as_of: None,
    };
    for kind in [
        FaultKind::DropBeforeProcessing,
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
    ] {
        h.push_fault(Fault::on("POST", &apps_path(), kind.clone()));
        match c
            .applications()
            .create(ORG, &new_app("taken"), None, Some(&existing))
            .await
        {
            Ok(app) => panic!(
                "{kind:?}: took application {} (the foreign one is {foreign_id})",
                app.id
            ),
            Err(e) => assert!(e.is_conflict(), "{kind:?}: {e}"),
        }
        assert_eq!(h.pending_faults(), 0, "{kind:?}");
    }
    assert_eq!(h.application_count(), 1);

    // A create under a new name after an ambiguous failure still finds its
    // own application.
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::ProcessThenStatus(504),
    ));
    let mine = create_app(&c, ORG, &new_app("taken-2"), None)
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
    c.users().list(ORG, None).await.unwrap();
    h.reset_request_log();
    // The listing of same-named applications before the create is refused.
    h.push_fault(Fault::on("GET", &apps_path(), FaultKind::status(403)));
    let app = create_app(&c, ORG, &new_app("unlisted"), None)
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

/// The application list answers empty "even when apps exist" (reference §8
/// q9): after an ambiguous create, "not listed" is no proof of "not
/// created", so the create is never sent again, whether the platform made
/// the application or not; the error says so and is marked as possibly
/// applied. Reads by id still work.
#[tokio::test]
async fn a_list_that_hides_applications_never_leads_to_a_resend() {
    let emu = start_emulator(|c| c.list_hides_applications = true).await;
    let h = emu.handle();
    let c = client(&emu);
    for (i, kind) in [
        FaultKind::DropBeforeProcessing,
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("hidden-{i}");
        h.reset_request_log();
        h.push_fault(Fault::on("POST", &apps_path(), kind.clone()));
        let e = create_app(&c, ORG, &new_app(&name), None)
            .await
            .unwrap_err();
        assert!(e.is_ambiguous(), "{kind:?}: {e}");
        assert!(
            e.to_string().contains(&format!("{name:?}")),
            "{kind:?}: {e}"
        );
        assert!(e.to_string().contains("not sent again"), "{kind:?}: {e}");
        assert_eq!(h.request_count("POST", &apps_path()), 1, "{kind:?}");
    }
    // Only the two that the platform processed exist, once each.
    assert_eq!(h.application_count(), 2);

    // An application this client created is no witness either while the
    // list hides it: made here, then an ambiguous create.
    let made = create_app(&c, ORG, &new_app("made-here"), None)
        .await
        .unwrap();
    assert_matches_stored(&made, &h);
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::DropBeforeProcessing,
    ));
    let e = create_app(&c, ORG, &new_app("after-made"), None)
        .await
        .unwrap_err();
    assert!(e.is_ambiguous(), "{e}");
    assert_eq!(h.request_count("POST", &apps_path()), 1);
    assert!(!c.applications().list_shows_own(ORG).await.unwrap());

    // Once the list shows applications again, the known one is a witness.
    h.set_list_hides_applications(false);
    assert!(c.applications().list_shows_own(ORG).await.unwrap());
}

/// An application this process created is a witness: after an ambiguous
/// create that did not happen, the list queried by that application's name
/// shows it, so the create is sent again, once.
#[tokio::test]
async fn an_application_this_process_made_is_a_witness() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let first = create_app(&c, ORG, &new_app("first"), None).await.unwrap();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::DropBeforeProcessing,
    ));
    let second = create_app(&c, ORG, &new_app("second"), None).await.unwrap();
    assert_matches_stored(&second, &h);
    assert_eq!(h.request_count("POST", &apps_path()), 2);
    let queries: Vec<String> = h
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == apps_path())
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(
        queries.iter().any(|q| q.contains("query=first")),
        "the witness check looked for {}: {queries:?}",
        first.id
    );
    // No read by id was needed.
    assert_eq!(
        h.request_count("GET", &format!("{}/{}", apps_path(), first.id)),
        0
    );

    // Deleted behind the client's back, it is no witness any more; with
    // nothing else in the organization, the create is not sent again.
    assert!(h.delete_application(first.id));
    assert!(h.delete_application(second.id));
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        &apps_path(),
        FaultKind::DropBeforeProcessing,
    ));
    let e = create_app(&c, ORG, &new_app("third"), None)
        .await
        .unwrap_err();
    assert!(e.is_ambiguous(), "{e}");
    assert_eq!(h.request_count("POST", &apps_path()), 1);
    assert_eq!(h.application_count(), 0);
}
