//! Retries under injected faults; creates after ambiguous failures never duplicate.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_creates_under_thirty_percent_faults() {
    let emu = emulator().await;
    let h = emu.handle();
    // 20 retries: a call fails only after 21 faults in a row (0.3^21).
    let c = client_with(config(&emu, 20, Some(ORG)), CancellationToken::new());
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_ambiguous_and_random_faults_never_duplicate() {
    let emu = emulator().await;
    let h = emu.handle();
    let c = client_with(config(&emu, 20, Some(ORG)), CancellationToken::new());
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
