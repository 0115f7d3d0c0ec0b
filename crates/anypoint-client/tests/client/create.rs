//! Create safety: after an ambiguous failure, look up before sending again,
//! and never make anything twice; the same care for owner adds, secret
//! resets, deletes and contract creates.

use super::*;

#[tokio::test]
async fn an_unreadable_create_answer_is_resolved_by_name() {
    let emu = emulator().await;
    let h = emu.handle();
    // Created, but the 201 comes with an empty body.
    fault(
        &h,
        "POST",
        &apps_path(),
        [FaultKind::ProcessThenStatus(201)],
    );
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("quiet"), None).await.unwrap();
    assert_eq!(app.name, "quiet");
    assert!(app.client_secret.is_some());
    assert_eq!(count(&h, "POST", &apps_path()), 1);
    assert_eq!(h.application_count(), 1);
}

#[tokio::test]
async fn a_refused_create_is_retried_without_a_lookup() {
    let emu = emulator().await;
    let h = emu.handle();
    fault(&h, "POST", &apps_path(), [503, 429].map(FaultKind::status));
    let c = client(&emu);
    let api_version = API_INSTANCE_ORDERS.to_string();
    let app = create_app(&c, ORG, &new_app("a"), Some(&api_version))
        .await
        .unwrap();
    assert_eq!(app.name, "a");
    assert_eq!(count(&h, "POST", &apps_path()), 3);
    // Only the listing before the first attempt.
    assert_eq!(count(&h, "GET", &apps_path()), 1);
    assert!(requests(&h).contains(&format!("POST {}?apiVersionId={api_version}", apps_path())));
}

#[tokio::test]
async fn an_ambiguous_create_that_did_not_happen_is_looked_up_then_retried() {
    let emu = emulator().await;
    let h = emu.handle();
    // An application the list shows and a read by id confirms: the witness
    // that "not listed" means "not created" (see create_once.rs).
    let witness = insert_app(&h, "witness");
    fault(&h, "POST", &apps_path(), [FaultKind::status(502)]);
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("b"), None).await.unwrap();
    assert_eq!(app.name, "b");
    let order: Vec<String> = h
        .requests()
        .into_iter()
        .filter(|r| r.path == apps_path() || r.path == app_path(witness))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        order,
        vec![
            // Same-named applications before the create.
            format!("GET {}", apps_path()),
            format!("POST {}", apps_path()),
            // The look-up by name, then the witness: a page, a read by id.
            format!("GET {}", apps_path()),
            format!("GET {}", apps_path()),
            format!("GET {}", app_path(witness)),
            format!("POST {}", apps_path()),
        ]
    );
    assert_eq!(h.application_count(), 2);

    // Without a witness (the organization shows nothing), it is not resent.
    let emu = emulator().await;
    let h = emu.handle();
    fault(&h, "POST", &apps_path(), [FaultKind::status(502)]);
    let err = create_app(&client(&emu), ORG, &new_app("b"), None)
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    assert!(err.to_string().contains("not sent again"), "{err}");
    assert_eq!(count(&h, "POST", &apps_path()), 1);
    assert_eq!(h.application_count(), 0);
}

#[tokio::test]
async fn ambiguous_create_failures_never_duplicate() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let cases: [(&str, FaultKind, usize); 5] = [
        // Processed, then 504: found by name, not posted again.
        ("amb-504", FaultKind::ProcessThenStatus(504), 1),
        // Processed, then the connection breaks: found by name.
        ("amb-drop", FaultKind::ProcessThenDrop, 1),
        // Processed, then 502: found by name.
        ("amb-502", FaultKind::ProcessThenStatus(502), 1),
        // Processed, then 500 (not transient, but it was created): found.
        ("amb-500", FaultKind::ProcessThenStatus(500), 1),
        // Dropped before processing: nothing found, so posted again.
        ("amb-early-drop", FaultKind::DropBeforeProcessing, 2),
    ];
    for (name, kind, posts) in cases {
        h.reset_request_log();
        h.push_fault(Fault::on("POST", "/applications", kind.clone()));
        let app = create_app(&c, ORG, &new_app(name), None)
            .await
            .unwrap_or_else(|e| panic!("{name} ({kind:?}): {e}"));
        assert_eq!(h.pending_faults(), 0);
        assert_eq!(app.name, name);
        assert_matches_stored(&app, &h);
        assert_eq!(
            h.request_count("POST", &apps_path()),
            posts,
            "{name}: {:?}",
            h.requests()
        );
        assert!(
            h.request_count("GET", &apps_path()) >= 1,
            "{name}: looked up by name"
        );
    }
    assert_eq!(h.application_count(), 5);

    // A 500 on a create that did NOT happen (refused before processing) is
    // not transient: no lookup hit, the error comes back, nothing created.
    h.push_fault(Fault::on("POST", "/applications", FaultKind::status(500)));
    let e = create_app(&c, ORG, &new_app("amb-refused-500"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Server(_)), "{e}");
    assert!(e.is_ambiguous());
    assert_eq!(h.application_count(), 5);
}

#[tokio::test]
async fn create_timing_out_after_it_was_processed_is_found_not_repeated() {
    let emu = emulator().await;
    let h = emu.handle();
    let mut cfg = config(&emu);
    cfg.timeout = Duration::from_secs(1);
    let c = client_from(cfg);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_creates_under_thirty_percent_faults() {
    let emu = emulator().await;
    let h = emu.handle();
    // 20 retries: a call fails only after 21 faults in a row (0.3^21).
    let c = client_from(with_retries(&emu, 20));
    h.set_fault_rate(0.3);
    let names: Vec<String> = (0..50).map(|i| format!("faulty-{i:02}")).collect();
    let created = create_all(&c, &names).await;
    h.set_fault_rate(0.0);

    assert_eq!(created.len(), 50);
    assert_eq!(h.application_count(), 50);
    assert_unique_names(&h, &names.iter().cloned().collect());
    for app in &created {
        assert_matches_stored(app, &h);
    }
    let ids: BTreeSet<i64> = created.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 50);
    // Each create was processed once: 50 answered 201, none replayed (409).
    let posts = post_statuses(&h);
    assert_eq!(posts.iter().filter(|s| **s == 201).count(), 50);
    assert!(
        posts.iter().all(|s| [201, 429, 503].contains(s)),
        "{posts:?}"
    );
    // Faults really happened, and the token endpoint was retried too.
    let faulted = count_status(&h, 429) + count_status(&h, 503);
    assert!(faulted >= 5, "only {faulted} faults in {:?}", h.requests());
    assert!(h.token_requests() >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_ambiguous_and_random_faults_never_duplicate() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_from(with_retries(&emu, 20));
    let kinds = [
        FaultKind::ProcessThenStatus(504),
        FaultKind::ProcessThenDrop,
        FaultKind::DropBeforeProcessing,
        FaultKind::ProcessThenStatus(502),
    ];
    for i in 0..16 {
        h.push_fault(Fault::on(
            "POST",
            &apps_path(),
            kinds[i % kinds.len()].clone(),
        ));
    }
    h.set_fault_rate(0.3);
    let names: Vec<String> = (0..30).map(|i| format!("mixed-{i:02}")).collect();
    let created = create_all(&c, &names).await;
    h.set_fault_rate(0.0);

    assert_eq!(h.pending_faults(), 0, "every scripted fault was hit");
    assert_eq!(h.application_count(), 30);
    // Every name was processed exactly once: 12 POSTs were processed under a
    // scripted fault (4 each of 504, 502 and a drop), the other 18 answered
    // 201, and no POST was replayed onto an existing name (409).
    let posts = post_statuses(&h);
    let count = |s: u16| posts.iter().filter(|p| **p == s).count();
    assert_eq!(
        (count(201), count(504), count(502)),
        (18, 4, 4),
        "{posts:?}"
    );
    assert_eq!(count(409), 0, "{posts:?}");
    assert_unique_names(&h, &names.iter().cloned().collect());
    for app in &created {
        assert_matches_stored(app, &h);
    }
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

/// An application this client created is a witness: after an ambiguous
/// create that did not happen, the list queried by that application's name
/// shows it, so the create is sent again, once.
#[tokio::test]
async fn an_application_this_client_made_is_a_witness() {
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

#[tokio::test]
async fn ambiguous_failures_of_other_operations() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("other-ops"), None)
        .await
        .unwrap();
    let app_path = format!("{}/{}", apps_path(), app.id);

    // Owner add processed then dropped: the owners are read, it is Added.
    h.push_fault(Fault::on(
        "POST",
        &format!("{app_path}/owners"),
        FaultKind::ProcessThenDrop,
    ));
    assert_eq!(
        c.owners().add(ORG, app.id, ALICE).await.unwrap(),
        AddOwnerOutcome::Added
    );
    assert_eq!(h.owners(app.id), [CONNECTED_APP_USER_ID, ALICE]);

    // Secret reset processed then 504: never repeated, the error says the
    // outcome is unknown, and the secret rotated exactly once.
    let before = h.application(app.id).unwrap()["clientSecret"].clone();
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/secret/reset",
        FaultKind::ProcessThenStatus(504),
    ));
    let e = c
        .applications()
        .reset_secret(ORG, app.id)
        .await
        .unwrap_err();
    assert!(e.is_ambiguous(), "{e}");
    assert_eq!(
        h.request_count("POST", &format!("{app_path}/secret/reset")),
        1
    );
    let after = h.application(app.id).unwrap()["clientSecret"].clone();
    assert_ne!(before, after);
    // Re-reading gives the secret the emulator holds.
    let read = c.applications().get(ORG, app.id).await.unwrap();
    assert_eq!(after, read.client_secret.unwrap().expose());

    // A refused reset (503) is retried and succeeds.
    h.push_fault(Fault::on("POST", "/secret/reset", FaultKind::status(503)));
    let reset = c.applications().reset_secret(ORG, app.id).await.unwrap();
    assert_eq!(
        h.application(app.id).unwrap()["clientSecret"],
        reset.client_secret.unwrap().expose()
    );

    // Contract create processed then 504: found in the list, not repeated.
    h.reset_request_log();
    h.push_fault(Fault::on(
        "POST",
        "/contracts",
        FaultKind::ProcessThenStatus(504),
    ));
    let contract = c
        .contracts()
        .create(ORG, app.id, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert_eq!(contract.api_instance_id, Some(API_INSTANCE_ORDERS));
    assert_eq!(h.contracts(app.id).len(), 1);
    assert_eq!(h.request_count("POST", "/exchange/"), 1);

    // Revoke processed then 502: retried, the 409 that follows means done.
    h.push_fault(Fault::on(
        "PATCH",
        &format!("/contracts/{}", contract.id),
        FaultKind::ProcessThenStatus(502),
    ));
    c.contracts()
        .revoke(&site(app.id, API_INSTANCE_ORDERS, contract.id))
        .await
        .expect("revoked by the first attempt");
    assert_eq!(h.contract(contract.id).unwrap()["status"], "REVOKED");

    // Delete processed then dropped: retried, and the 404 is returned for
    // the caller to judge; the application is gone, once.
    h.push_fault(Fault::on("DELETE", &app_path, FaultKind::ProcessThenDrop));
    let e = c.applications().delete(ORG, app.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(h.application_count(), 0);
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
async fn a_secret_reset_with_an_empty_answer_reads_the_app() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let reset = format!("{}/secret/reset", app_path(id));
    fault(&h, "POST", &reset, [FaultKind::ProcessThenStatus(201)]);
    let c = client(&emu);
    let before = c.applications().get(ORG, id).await.unwrap().client_secret;
    let app = c.applications().reset_secret(ORG, id).await.unwrap();
    assert_ne!(app.client_secret, before);
    assert!(app.client_secret.is_some());
    assert_eq!(count(&h, "GET", &app_path(id)), 2);
}

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

fn with_retries(emu: &Emulator, max_retries: u32) -> ClientConfig {
    let mut cfg = config(emu);
    cfg.max_retries = max_retries;
    cfg
}

/// The emulator refuses a second application with a name in use, so only the
/// mock can hold several same-named applications.
mod on_the_mock {
    use std::time::Duration;

    use anypoint_client::PriorHolders;

    use crate::support::mock::{self, Fault};
    use crate::support::{apps_path, client_from, create_app, new_app, ORG};

    #[tokio::test]
    async fn an_ambiguous_create_never_takes_an_older_same_named_app() {
        let mock = mock::start().await;
        let older = mock.world.insert_app("dup");
        let c = mock.client();
        // The name check finds the older holder (the provider refuses the
        // name then, naming the id).
        let holders = c.applications().prior_holders(ORG, "dup").await.unwrap();
        assert_eq!(holders.unwrap().ids, [older]);
        assert_eq!(mock.world.count("POST", &apps_path()), 0);
        // Sent anyway (as after a list that did not show it), the recovery
        // leaves the older application out.
        mock.world
            .fault("POST", &apps_path(), [Fault::ActThen(504)]);
        let app = c
            .applications()
            .create(
                ORG,
                &new_app("dup"),
                None,
                Some(&PriorHolders {
                    ids: vec![older],
                    as_of: None,
                }),
            )
            .await
            .unwrap();
        assert_ne!(app.id, older);
        assert_eq!(mock.world.count("POST", &apps_path()), 1);
        assert_eq!(mock.world.apps.lock().unwrap().len(), 2);
    }

    /// The names were listed once (by the third create); an application
    /// somebody else made under a name after that, and before our create,
    /// is not listed among the prior holders, but the platform dates it
    /// before them: it is never taken for the one our create made.
    #[tokio::test]
    async fn an_application_made_after_the_names_were_listed_is_never_taken_for_ours() {
        let mock = mock::start().await;
        let c = mock.client();
        // The third create reads the list of names.
        for name in ["first", "second", "third"] {
            create_app(&c, ORG, &new_app(name), None).await.unwrap();
        }
        let listed_at = mock.world.count("GET", &apps_path());
        let theirs = mock.world.insert_app("dup");
        // Our create is refused ambiguously, without acting.
        mock.world.fault("POST", &apps_path(), [Fault::status(504)]);
        let err = create_app(&c, ORG, &new_app("dup"), None)
            .await
            .unwrap_err();
        assert!(err.is_ambiguous(), "{err:?}");
        assert!(err.to_string().contains(&theirs.to_string()), "{err}");
        assert!(err.to_string().contains("not taken"), "{err}");
        // Not resent, and nothing else made; the name check was the list's
        // (only the look-up after the failure listed by name).
        assert_eq!(mock.world.count("POST", &apps_path()), 4);
        assert_eq!(mock.world.apps.lock().unwrap().len(), 4);
        assert_eq!(mock.world.count("GET", &apps_path()), listed_at + 1);
    }

    #[tokio::test]
    async fn an_ambiguous_create_with_several_new_same_named_apps_is_a_conflict() {
        let mock = mock::start().await;
        mock.world.fault("POST", &apps_path(), [Fault::Hang]);
        let mut cfg = mock.config();
        cfg.timeout = Duration::from_secs(1);
        let c = client_from(cfg);
        let create = tokio::spawn(async move { create_app(&c, ORG, &new_app("dup"), None).await });
        // While our attempt hangs, two applications with the name appear.
        mock.world.wait_for("POST", &apps_path(), 1).await;
        mock.world.insert_app("dup");
        mock.world.insert_app("dup");
        let err = create.await.unwrap().unwrap_err();
        assert!(err.is_conflict(), "{err:?}");
        assert!(err.to_string().contains("2 applications"), "{err}");
        assert_eq!(mock.world.count("POST", &apps_path()), 1);
    }
}

#[tokio::test]
async fn a_contract_there_before_an_ambiguous_request_is_named_never_taken() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client(&emu);
    let app = insert_app(&h, "slot-held");
    let before = h
        .create_contract(app, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(h.backdate_contract(before, "2020-01-01T00:00:00.000Z"));
    // The platform refuses (the slot is held) and the answer is lost.
    h.push_fault(Fault::on("POST", "/contracts", FaultKind::ProcessThenDrop));
    let e = c
        .contracts()
        .create(ORG, app, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap_err();
    assert!(e.is_conflict() && e.is_ambiguous(), "{e:?}");
    assert!(e.to_string().contains(&before.to_string()), "{e}");
    assert_eq!(h.contracts(app).len(), 1, "nothing made, nothing taken");

    // Without it, the contract the lost answer made is found, not made twice.
    assert!(h.delete_contract(before));
    h.push_fault(Fault::on("POST", "/contracts", FaultKind::ProcessThenDrop));
    let made = c
        .contracts()
        .create(ORG, app, &orders_contract(TIER_ORDERS_BRONZE))
        .await
        .unwrap();
    assert_eq!(h.contracts(app).len(), 1);
    assert_eq!(h.contracts(app)[0]["id"], made.id);
}
