//! Create safety: after an ambiguous failure, look up before sending again;
//! the same care for owner adds, secret resets, deletes and contract creates.

use anypoint_client::{AddOwnerOutcome, ApiError, NewContract};
use anypoint_emulator::{
    API_INSTANCE_ORDERS, CONNECTED_APP_USER_ID, ENVIRONMENT_ID, TIER_ORDERS_BRONZE,
};

use super::*;

const ALICE: &str = "5eed0000-0000-4000-8000-000000000001";
const BOB: &str = "5eed0000-0000-4000-8000-000000000002";

#[tokio::test]
async fn an_ambiguous_504_on_create_finds_the_created_app() {
    let emu = start().await;
    let h = emu.handle();
    fault(
        &h,
        "POST",
        &apps_path(),
        [FaultKind::ProcessThenStatus(504)],
    );
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("orders-client"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "orders-client");
    assert!(app.client_secret.is_some());
    assert_eq!(count(&h, "POST", &apps_path()), 1);
    // The same-named applications listed before the create, and the lookup.
    assert_eq!(count(&h, "GET", &apps_path()), 2);
    assert_eq!(h.application_count(), 1);
    // The lookup searched by name, with targetAdminSite.
    let list = requests(&h)
        .into_iter()
        .find(|r| r.starts_with(&format!("GET {}?", apps_path())))
        .unwrap();
    assert!(list.contains("query=orders-client"), "{list}");
    assert!(list.contains("targetAdminSite=true"), "{list}");
}

#[tokio::test]
async fn a_dropped_connection_on_create_finds_the_created_app() {
    let emu = start().await;
    let h = emu.handle();
    // A similar name that must not be taken for ours.
    insert_app(&h, "orders-client-old");
    fault(&h, "POST", &apps_path(), [FaultKind::ProcessThenDrop]);
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("orders-client"), None)
        .await
        .unwrap();
    assert_eq!(app.name, "orders-client");
    assert_eq!(count(&h, "POST", &apps_path()), 1);
    assert_eq!(h.application_count(), 2);
}

#[tokio::test]
async fn an_unreadable_create_answer_is_resolved_by_name() {
    let emu = start().await;
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
    let emu = start().await;
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
    let emu = start().await;
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
    let emu = start().await;
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
async fn a_500_on_create_is_looked_up_but_not_retried() {
    let emu = start().await;
    let h = emu.handle();
    fault(
        &h,
        "POST",
        &apps_path(),
        [FaultKind::ProcessThenStatus(500)],
    );
    let c = client(&emu);
    let app = create_app(&c, ORG, &new_app("c"), None).await.unwrap();
    assert_eq!(app.name, "c");
    assert_eq!(count(&h, "POST", &apps_path()), 1);

    fault(&h, "POST", &apps_path(), [FaultKind::status(500)]);
    let err = create_app(&c, ORG, &new_app("d"), None).await.unwrap_err();
    assert!(matches!(err, ApiError::Server(_)), "{err:?}");
    assert!(err.is_ambiguous());
    assert_eq!(count(&h, "POST", &apps_path()), 2);
}

#[tokio::test]
async fn an_ambiguous_owner_add_reads_the_owners_first() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let owners = format!("{}/owners", app_path(id));
    fault(&h, "POST", &owners, [FaultKind::ProcessThenStatus(502)]);
    let c = client(&emu);
    let outcome = c.owners().add(ORG, id, ALICE).await.unwrap();
    assert_eq!(outcome, AddOwnerOutcome::Added);
    assert_eq!(count(&h, "POST", &owners), 1);
    assert_eq!(count(&h, "GET", &app_path(id)), 1);

    // Not added by the ambiguous attempt: read, then retried.
    fault(&h, "POST", &owners, [FaultKind::Hang]);
    let mut cfg = config(&emu);
    cfg.timeout = Duration::from_secs(1);
    let outcome = client_from(cfg).owners().add(ORG, id, BOB).await.unwrap();
    assert_eq!(outcome, AddOwnerOutcome::Added);
    assert_eq!(count(&h, "POST", &owners), 3);
    assert_eq!(count(&h, "GET", &app_path(id)), 2);

    // 409: already an owner.
    assert_eq!(
        c.owners().add(ORG, id, ALICE).await.unwrap(),
        AddOwnerOutcome::AlreadyOwner
    );
    c.owners().remove(ORG, id, ALICE).await.unwrap();
    assert!(c
        .owners()
        .remove(ORG, id, ALICE)
        .await
        .unwrap_err()
        .is_not_found());
    let app = c.applications().get(ORG, id).await.unwrap();
    // The creator (the Connected App's user) is an owner from the start.
    assert_eq!(
        app.owners.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        vec![CONNECTED_APP_USER_ID, BOB]
    );
}

#[tokio::test]
async fn a_secret_reset_is_not_repeated_after_an_ambiguous_failure() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let reset = format!("{}/secret/reset", app_path(id));
    fault(&h, "POST", &reset, [FaultKind::ProcessThenStatus(504)]);
    let c = client(&emu);
    let err = c.applications().reset_secret(ORG, id).await.unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    assert_eq!(count(&h, "POST", &reset), 1);

    // Refused: retried.
    fault(&h, "POST", &reset, [FaultKind::status(503)]);
    let app = c.applications().reset_secret(ORG, id).await.unwrap();
    assert_eq!(count(&h, "POST", &reset), 3);
    let current = h.application(id).unwrap()["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.client_secret.unwrap().expose(), current);
}

#[tokio::test]
async fn a_secret_reset_with_an_empty_answer_reads_the_app() {
    let emu = start().await;
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
async fn a_delete_that_was_applied_then_404_is_not_found() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    fault(
        &h,
        "DELETE",
        &app_path(id),
        [FaultKind::ProcessThenStatus(504)],
    );
    let err = client(&emu)
        .applications()
        .delete(ORG, id)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(count(&h, "DELETE", &app_path(id)), 2);
    assert_eq!(h.application_count(), 0);
}

#[tokio::test]
async fn an_ambiguous_contract_create_finds_the_contract() {
    let emu = start().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let path = format!("/exchange/api/v2/organizations/{ORG}/applications/{id}/contracts");
    fault(&h, "POST", &path, [FaultKind::ProcessThenStatus(504)]);
    let req = NewContract {
        api_id: API_INSTANCE_ORDERS,
        requested_tier_id: Some(TIER_ORDERS_BRONZE),
        organization_id: ORG.into(),
        group_id: ORG.into(),
        asset_id: "orders-api".into(),
        version: "1.0.0".into(),
        version_group: "v1".into(),
        environment_id: Some(ENVIRONMENT_ID.into()),
        ..Default::default()
    };
    let c = client(&emu);
    let contract = c.contracts().create(ORG, id, &req).await.unwrap();
    assert_eq!(contract.api_instance_id, Some(API_INSTANCE_ORDERS));
    assert_eq!(count(&h, "POST", &path), 1);
    assert_eq!(count(&h, "GET", &format!("{}/contracts", app_path(id))), 1);
    // A first-attempt 409 is the caller's business.
    assert!(c
        .contracts()
        .create(ORG, id, &req)
        .await
        .unwrap_err()
        .is_conflict());
}

/// The emulator refuses a second application with a name in use, so only the
/// mock can hold several same-named applications.
mod on_the_mock {
    use std::time::Duration;

    use anypoint_client::PriorHolders;

    use crate::client_support::*;

    #[tokio::test]
    async fn an_ambiguous_create_never_takes_an_older_same_named_app() {
        let mock = start().await;
        let older = mock.world.insert_app("dup");
        let c = client(&mock);
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
        let mock = start().await;
        let c = client(&mock);
        // The third create reads the list of names.
        for name in ["first", "second", "third"] {
            create_app(&c, ORG, &new_app(name), None).await.unwrap();
        }
        let listed_at = mock.world.count("GET", &apps_path());
        let theirs = mock.world.insert_app("dup");
        // Our create is refused ambiguously, without acting.
        mock.world.fault("POST", &apps_path(), [status(504)]);
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
        let mock = start().await;
        mock.world.fault("POST", &apps_path(), [Fault::Hang]);
        let mut cfg = config(&mock);
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
