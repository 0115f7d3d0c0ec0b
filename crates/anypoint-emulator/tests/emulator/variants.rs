//! Platform variants: each one's answers over HTTP, against the default
//! answer; exclusivity; the business group; the admin routes.

use anypoint_emulator::{
    Variant, BUSINESS_GROUP_ID, DEFAULT_ORG_NAME, TIER_ORDERS_SILVER_DEPRECATED,
};

use super::*;

async fn with(variants: &[Variant]) -> Env {
    Env::start_with(EmulatorConfig {
        variants: variants.to_vec(),
        ..EmulatorConfig::default()
    })
    .await
}

impl Env {
    /// A new application with a contract on `instance` at `tier`; returns
    /// (application id, contract id).
    async fn contracted(&self, name: &str, instance: i64, tier: Option<i64>) -> (i64, i64) {
        let app = self.create_named(name).await;
        let r = self.request_contract(app, instance, tier).await;
        assert_eq!(r.status, 201, "{}", r.text);
        (app, r.json()["id"].as_i64().unwrap())
    }

    fn contract_path(&self, instance: i64, cid: i64) -> String {
        format!("{}/contracts/{cid}", self.api(instance))
    }

    /// The API Manager PATCH revoke.
    async fn revoke(&self, instance: i64, cid: i64) -> Resp {
        self.call(
            "PATCH",
            &self.contract_path(instance, cid),
            Some(json!({"status": "REVOKED"})),
        )
        .await
    }

    /// The legacy API Platform revoke, with the parent API id read from the
    /// application's contract list.
    async fn legacy_revoke(&self, app: i64, instance: i64, cid: i64) -> Resp {
        let list = self
            .call("GET", &format!("{}/contracts", self.app(app)), None)
            .await
            .json();
        let parent = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == cid)
            .expect("the contract is listed")["apiVersion"]["apiId"]
            .as_i64()
            .unwrap();
        self.call(
            "POST",
            &format!(
                "/apiplatform/repository/v2/organizations/{}/apis/{parent}/versions/{instance}/contracts/{cid}/revoke",
                self.org()
            ),
            Some(json!({})),
        )
        .await
    }

    async fn delete_contract(&self, instance: i64, cid: i64) -> Resp {
        self.call("DELETE", &self.contract_path(instance, cid), None)
            .await
    }

    fn status_of(&self, cid: i64) -> Value {
        self.h()
            .contract(cid)
            .map_or(Value::Null, |c| c["status"].clone())
    }
}

// ------------------------------------------------------------- switching

#[tokio::test]
async fn variants_are_off_by_default_and_answers_to_one_question_exclude_each_other() {
    let env = Env::start().await;
    let h = env.h();
    assert!(h.variants().is_empty());
    h.set_variant(Variant::RevokeAgain200, true);
    h.set_variant(Variant::PutKeepsNull, true);
    h.set_variant(Variant::RevokeAgain400, true);
    assert_eq!(
        h.variants(),
        vec![Variant::RevokeAgain400, Variant::PutKeepsNull]
    );
    h.set_variant(Variant::RevokeApprovedOnly, true);
    h.set_variant(Variant::RevokeRefused, true);
    assert_eq!(
        h.variants(),
        vec![
            Variant::RevokeRefused,
            Variant::RevokeAgain400,
            Variant::PutKeepsNull
        ]
    );
    h.set_variant(Variant::RevokeRefused, false);
    assert!(!h.variants().contains(&Variant::RevokeRefused));
    assert!(h
        .set_variants(&[Variant::RevokeAgain200, Variant::RevokeAgain400])
        .is_err());
    assert_eq!(h.variants().len(), 2, "a refused set changes nothing");
    h.set_variants(&[]).unwrap();
    assert!(h.variants().is_empty());

    let err = Emulator::start(EmulatorConfig {
        variants: vec![Variant::RevokeRefused, Variant::RevokeApprovedOnly],
        ..EmulatorConfig::default()
    })
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("revoke-refused")
            && err.to_string().contains("revoke-approved-only"),
        "{err}"
    );
    let cfg = EmulatorConfig {
        variants: vec![Variant::BusinessGroup],
        ..EmulatorConfig::default()
    };
    assert!(format!("{cfg:?}").contains("BusinessGroup"), "{cfg:?}");
}

#[tokio::test]
async fn the_older_switches_are_the_variants() {
    let env = Env::start_with(EmulatorConfig {
        list_hides_applications: true,
        deny_manage_contracts: true,
        ..EmulatorConfig::default()
    })
    .await;
    let h = env.h();
    assert_eq!(
        h.variants(),
        vec![Variant::ListHidesApplications, Variant::NoManageContracts]
    );
    assert!(!h.manage_contracts());
    h.set_variant(Variant::NoManageContracts, false);
    assert!(h.manage_contracts());
    h.set_manage_contracts(false);
    assert!(h.variants().contains(&Variant::NoManageContracts));
    h.set_list_hides_applications(false);
    h.set_list_items_short(true);
    assert_eq!(
        h.variants(),
        vec![Variant::ListItemsShort, Variant::NoManageContracts]
    );
    env.create_named("listed").await;
    let item = env
        .call("GET", &format!("{}?targetAdminSite=true", env.apps()), None)
        .await
        .json()["applications"][0]
        .clone();
    assert_eq!(item["name"], "listed");
    assert!(item.get("clientSecret").is_none(), "short: {item}");
    h.set_variant(Variant::ListHidesApplications, true);
    let r = env.call("GET", &env.apps(), None).await;
    assert_eq!(r.json(), json!({"applications": [], "total": 0}));
}

// --------------------------------------------------------- contract teardown

#[tokio::test]
async fn default_teardown_revokes_any_live_contract_and_deletes_only_ended_ones() {
    let env = Env::start().await;
    let (_, pending) = env
        .contracted("pending", API_INSTANCE_ORDERS, Some(TIER_ORDERS_PLATINUM))
        .await;
    assert_eq!(env.status_of(pending), "PENDING");
    assert_eq!(
        env.delete_contract(API_INSTANCE_ORDERS, pending)
            .await
            .status,
        409
    );
    let r = env.revoke(API_INSTANCE_ORDERS, pending).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        env.delete_contract(API_INSTANCE_ORDERS, pending)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn revoke_approved_only_refuses_other_revokes_and_deletes_them_directly() {
    let env = with(&[Variant::RevokeApprovedOnly]).await;
    let (papp, pending) = env
        .contracted("pending", API_INSTANCE_ORDERS, Some(TIER_ORDERS_PLATINUM))
        .await;
    let r = env.revoke(API_INSTANCE_ORDERS, pending).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.message().contains("APPROVED"), "{}", r.text);
    let r = env.legacy_revoke(papp, API_INSTANCE_ORDERS, pending).await;
    assert_eq!(r.status, 400, "the legacy path too: {}", r.text);
    assert_eq!(env.status_of(pending), "PENDING");
    let r = env.delete_contract(API_INSTANCE_ORDERS, pending).await;
    assert_eq!(r.status, 204, "{}", r.text);

    let (_, rejected) = env
        .contracted(
            "rejected",
            API_INSTANCE_PAYMENTS,
            Some(TIER_PAYMENTS_STANDARD),
        )
        .await;
    assert!(env.h().set_contract_status(rejected, "REJECTED"));
    assert_eq!(
        env.revoke(API_INSTANCE_PAYMENTS, rejected).await.status,
        400
    );
    assert_eq!(
        env.delete_contract(API_INSTANCE_PAYMENTS, rejected)
            .await
            .status,
        204
    );

    let (_, approved) = env
        .contracted("approved", API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    let r = env.delete_contract(API_INSTANCE_ORDERS, approved).await;
    assert_eq!(r.status, 409, "revoke first: {}", r.text);
    assert_eq!(env.revoke(API_INSTANCE_ORDERS, approved).await.status, 200);
    let r = env.revoke(API_INSTANCE_ORDERS, approved).await;
    assert_eq!(r.status, 400, "a REVOKED one is not APPROVED: {}", r.text);
    assert_eq!(
        env.delete_contract(API_INSTANCE_ORDERS, approved)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn revoke_refused_refuses_every_revoke_and_deletes_any_contract() {
    let env = with(&[Variant::RevokeRefused]).await;
    let (app, approved) = env
        .contracted("approved", API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    let r = env.revoke(API_INSTANCE_ORDERS, approved).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.message()
            .contains("marked for deletion by an external system. Please delete the contract"),
        "{}",
        r.text
    );
    assert_eq!(
        env.legacy_revoke(app, API_INSTANCE_ORDERS, approved)
            .await
            .status,
        400
    );
    assert_eq!(env.status_of(approved), "APPROVED");
    let r = env.delete_contract(API_INSTANCE_ORDERS, approved).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let (_, pending) = env
        .contracted(
            "pending",
            API_INSTANCE_PAYMENTS,
            Some(TIER_PAYMENTS_STANDARD),
        )
        .await;
    assert_eq!(
        env.delete_contract(API_INSTANCE_PAYMENTS, pending)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn revoking_a_revoked_contract_answers_409_by_default_200_or_400_under_a_variant() {
    for (variants, again, again_legacy) in [
        (vec![], 409, 409),
        (vec![Variant::RevokeAgain200], 200, 200),
        (vec![Variant::RevokeAgain400], 400, 400),
    ] {
        let env = with(&variants).await;
        let (app, cid) = env
            .contracted("twice", API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
            .await;
        assert_eq!(env.revoke(API_INSTANCE_ORDERS, cid).await.status, 200);
        let r = env.revoke(API_INSTANCE_ORDERS, cid).await;
        assert_eq!(r.status, again, "{variants:?}: {}", r.text);
        if again == 200 {
            assert_eq!(r.json()["status"], "REVOKED");
        } else {
            assert!(r.message().contains("already revoked"), "{}", r.text);
        }
        let r = env.legacy_revoke(app, API_INSTANCE_ORDERS, cid).await;
        assert_eq!(r.status, again_legacy, "{variants:?} legacy: {}", r.text);
        assert_eq!(env.status_of(cid), "REVOKED");
    }
}

#[tokio::test]
async fn revoke_legacy_only_refuses_the_patch_with_405_and_revokes_on_the_legacy_path() {
    let env = with(&[Variant::RevokeLegacyOnly]).await;
    let (app, cid) = env
        .contracted("legacy", API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await;
    let r = env.revoke(API_INSTANCE_ORDERS, cid).await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert!(!r.message().is_empty());
    assert_eq!(env.status_of(cid), "APPROVED");
    let r = env.legacy_revoke(app, API_INSTANCE_ORDERS, cid).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["status"], "REVOKED");
    assert_eq!(
        env.delete_contract(API_INSTANCE_ORDERS, cid).await.status,
        204
    );
}

// ------------------------------------------------------ instance and owners

#[tokio::test]
async fn the_instance_carries_api_id_only_under_instance_with_api_id() {
    let env = Env::start().await;
    let (app, _) = env.contracted("parent", API_INSTANCE_CATALOG, None).await;
    let listed = env
        .call("GET", &format!("{}/contracts", env.app(app)), None)
        .await
        .json();
    let parent = listed[0]["apiVersion"]["apiId"].clone();
    assert!(
        parent.is_i64(),
        "the contract list names the parent: {listed}"
    );
    let inst = env
        .call("GET", &env.api(API_INSTANCE_CATALOG), None)
        .await
        .json();
    assert!(inst.get("apiId").is_none(), "no apiId by default: {inst}");
    for key in ["id", "groupId", "assetId", "assetVersion", "productVersion"] {
        assert!(inst.get(key).is_some(), "{key} in {inst}");
    }
    env.h().set_variant(Variant::InstanceWithApiId, true);
    let inst = env
        .call("GET", &env.api(API_INSTANCE_CATALOG), None)
        .await
        .json();
    assert_eq!(inst["apiId"], parent);
    let listed = env
        .call("GET", &format!("{}/contracts", env.app(app)), None)
        .await
        .json();
    assert_eq!(listed[0]["apiVersion"]["apiId"], parent, "in both modes");
}

#[tokio::test]
async fn adding_an_existing_owner_is_409_by_default_and_201_under_the_variant() {
    let env = Env::start().await;
    let id = env.create_named("owned").await;
    let owners = format!("{}/owners", env.app(id));
    assert_eq!(
        env.call("POST", &owners, Some(json!({"id": ALICE})))
            .await
            .status,
        201
    );
    let r = env.call("POST", &owners, Some(json!({"id": ALICE}))).await;
    assert_eq!(r.status, 409, "{}", r.text);
    env.h().set_variant(Variant::OwnerAddExisting201, true);
    let r = env.call("POST", &owners, Some(json!({"id": ALICE}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["id"], ALICE);
    assert_eq!(r.json()["type"], "user");
    assert_eq!(
        env.h().owners(id),
        vec![CONNECTED_APP_USER_ID.to_owned(), ALICE.to_owned()],
        "no duplicate"
    );
}

// ---------------------------------------------------------- business group

#[tokio::test]
async fn business_group_variant_puts_the_connected_app_in_the_group() {
    let env = Env::start().await;
    let me = env.call("GET", "/accounts/api/me", None).await.json();
    assert_eq!(me["client"]["org_id"], DEFAULT_ORG_ID);
    assert_eq!(me["user"]["organization"]["id"], DEFAULT_ORG_ID);
    env.h().set_variant(Variant::BusinessGroup, true);
    let me = env.call("GET", "/accounts/api/me", None).await.json();
    assert_eq!(me["client"]["org_id"], BUSINESS_GROUP_ID);
    assert_eq!(me["user"]["organization"]["id"], DEFAULT_ORG_ID);
    assert_eq!(me["user"]["organizationId"], DEFAULT_ORG_ID);
    // The group's own answer says where the root is.
    let bg = env
        .call(
            "GET",
            &format!("/accounts/api/organizations/{BUSINESS_GROUP_ID}"),
            None,
        )
        .await
        .json();
    assert_eq!(bg["isMaster"], false);
    assert_eq!(bg["parentOrganizationIds"], json!([DEFAULT_ORG_ID]));
}

#[tokio::test]
async fn organizations_answer_for_the_root_and_its_business_group_only() {
    let env = Env::start().await;
    let org = |id: &str| {
        let env = &env;
        let path = format!("/accounts/api/organizations/{id}");
        async move { env.call("GET", &path, None).await }
    };
    let root = org(DEFAULT_ORG_ID).await;
    assert_eq!(root.status, 200, "{}", root.text);
    assert_eq!(
        root.json(),
        json!({
            "id": DEFAULT_ORG_ID,
            "name": DEFAULT_ORG_NAME,
            "isMaster": true,
            "isRoot": true,
            "parentOrganizationId": null,
            "parentOrganizationIds": [],
            "subOrganizationIds": [BUSINESS_GROUP_ID],
        })
    );
    let bg = org(BUSINESS_GROUP_ID).await.json();
    assert_eq!(bg["id"], BUSINESS_GROUP_ID);
    assert_eq!(bg["name"], "Emulated Business Group");
    assert_eq!(bg["isMaster"], false);
    assert_eq!(bg["parentOrganizationId"], DEFAULT_ORG_ID);
    assert_eq!(bg["parentOrganizationIds"], json!([DEFAULT_ORG_ID]));
    for other in [OTHER_ORG.to_owned(), DEFAULT_ORG_ID.to_uppercase()] {
        let r = org(&other).await;
        assert_eq!(r.status, 403, "{other}: {}", r.text);
        assert!(r.message().contains(&other), "names the id: {}", r.text);
    }
    let r = send(env.builder(
        "GET",
        &format!("/accounts/api/organizations/{DEFAULT_ORG_ID}"),
    ))
    .await;
    assert_eq!(r.status, 401, "needs a token");
}

#[tokio::test]
async fn the_business_group_refuses_client_applications_and_takes_users_and_api_manager() {
    let env = Env::start().await;
    let app = env.create_named("in-root").await;
    let bg_apps =
        format!("/apiplatform/repository/v2/organizations/{BUSINESS_GROUP_ID}/applications");
    let bg_exchange =
        format!("/exchange/api/v2/organizations/{BUSINESS_GROUP_ID}/applications/{app}/contracts");
    for (method, path, body) in [
        ("GET", bg_apps.clone(), None),
        ("POST", bg_apps.clone(), Some(json!({"name": "in-group"}))),
        ("GET", format!("{bg_apps}/{app}"), None),
        (
            "PUT",
            format!("{bg_apps}/{app}"),
            Some(json!({"name": "x"})),
        ),
        ("DELETE", format!("{bg_apps}/{app}"), None),
        (
            "POST",
            format!("{bg_apps}/{app}/owners"),
            Some(json!({"id": ALICE})),
        ),
        ("GET", format!("{bg_apps}/{app}/contracts"), None),
        (
            "POST",
            bg_exchange.clone(),
            Some(contract_body(BUSINESS_GROUP_ID, API_INSTANCE_CATALOG, None)),
        ),
        (
            "PATCH",
            format!("{bg_exchange}/700001"),
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        ),
    ] {
        let r = env.call(method, &path, body).await;
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
        let m = r.message();
        assert!(
            m.contains("root organization")
                && m.contains(BUSINESS_GROUP_ID)
                && m.contains(DEFAULT_ORG_ID),
            "{m}"
        );
    }
    assert_eq!(env.h().application_count(), 1, "nothing changed");

    let r = env
        .call(
            "GET",
            &format!("/accounts/api/organizations/{BUSINESS_GROUP_ID}/users?search=alice"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["data"][0]["id"], ALICE);
    let bg_api = format!(
        "/apimanager/api/v1/organizations/{BUSINESS_GROUP_ID}/environments/{ENVIRONMENT_ID}/apis/{API_INSTANCE_ORDERS}"
    );
    for path in [
        bg_api.clone(),
        format!("{bg_api}/tiers"),
        format!("{bg_api}/contracts"),
    ] {
        let r = env.call("GET", &path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert!(
            r.message().contains(&API_INSTANCE_ORDERS.to_string()),
            "{}",
            r.text
        );
    }
    // An upper-case root id is another organization: the provider sends
    // lower case.
    let upper = DEFAULT_ORG_ID.to_uppercase();
    let r = env
        .call(
            "GET",
            &format!("/apiplatform/repository/v2/organizations/{upper}/applications"),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.message().contains(&upper), "{}", r.text);
}

// ------------------------------------------------------------ clearing a field

#[tokio::test]
async fn by_default_null_and_empty_clear_a_field_and_read_back_null() {
    let env = Env::start().await;
    let bare = env.create_named("bare").await;
    assert_eq!(
        env.call("GET", &env.app(bare), None).await.json()["description"],
        Value::Null
    );
    let id = env
        .create_app(json!({"name": "set", "description": "d", "url": "https://u.example"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let r = env
        .call(
            "PUT",
            &env.app(id),
            Some(json!({"name": "set", "description": null, "url": ""})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(
        (got["description"].clone(), got["url"].clone()),
        (Value::Null, Value::Null)
    );
}

#[tokio::test]
async fn put_keeps_null_keeps_on_null_and_stores_empty_strings() {
    let env = with(&[Variant::PutKeepsNull]).await;
    let bare = env.create_named("bare").await;
    let got = env.call("GET", &env.app(bare), None).await.json();
    assert_eq!(got["description"], "", "unset reads \"\" by id: {got}");
    assert_eq!(got["url"], "");
    let id = env
        .create_app(json!({"name": "set", "description": "d", "url": "https://u.example"}))
        .await["id"]
        .as_i64()
        .unwrap();
    for (method, body) in [
        (
            "PUT",
            json!({"name": "set", "description": null, "url": null}),
        ),
        ("PUT", json!({"name": "set"})),
        ("PATCH", json!({"description": null})),
    ] {
        let r = env.call(method, &env.app(id), Some(body.clone())).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let got = env.call("GET", &env.app(id), None).await.json();
        assert_eq!(got["description"], "d", "{method} {body} keeps it");
        assert_eq!(got["url"], "https://u.example", "{method} {body} keeps it");
    }
    let r = env
        .call(
            "PUT",
            &env.app(id),
            Some(json!({"name": "set", "description": "", "url": ""})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["description"], "");
    let got = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(
        (got["description"].clone(), got["url"].clone()),
        (json!(""), json!(""))
    );
    let list = env
        .call(
            "GET",
            &format!("{}?query=set&targetAdminSite=true", env.apps()),
            None,
        )
        .await
        .json();
    let item = &list["applications"][0];
    assert_eq!(item["id"], id);
    assert_eq!(
        (item["description"].clone(), item["url"].clone()),
        (Value::Null, Value::Null),
        "the list shows null for \"\": {item}"
    );
    // Back to the default: "" reads back as null again.
    env.h().set_variant(Variant::PutKeepsNull, false);
    let got = env.call("GET", &env.app(id), None).await.json();
    assert_eq!(got["description"], Value::Null);
}

// ------------------------------------------------------------------- tiers

#[tokio::test]
async fn deprecated_tier_is_listed_but_refused_for_new_contracts_and_changes() {
    let env = with(&[Variant::DeprecatedTier]).await;
    let tiers = format!("{}/tiers", env.api(API_INSTANCE_ORDERS));
    let all = env.call("GET", &tiers, None).await.json();
    assert_eq!(all["total"], 4);
    let silver = all["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == TIER_ORDERS_SILVER_DEPRECATED)
        .expect("Silver is listed")
        .clone();
    assert_eq!(silver["name"], "Silver");
    assert_eq!(silver["status"], "DEPRECATED");
    assert_eq!(silver["autoApprove"], true);
    let active = env
        .call("GET", &format!("{tiers}?active=true"), None)
        .await
        .json();
    assert_eq!(active["total"], 3);
    assert!(active["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "ACTIVE"));

    let app = env.create_named("late").await;
    let r = env
        .request_contract(
            app,
            API_INSTANCE_ORDERS,
            Some(TIER_ORDERS_SILVER_DEPRECATED),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.message().contains("deprecated") && r.message().contains("50005"),
        "{}",
        r.text
    );
    assert!(env.h().contracts(app).is_empty());
    let cid = env
        .request_contract(app, API_INSTANCE_ORDERS, Some(TIER_ORDERS_BRONZE))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = env
        .call(
            "PATCH",
            &format!("{}/{cid}", env.exchange_contracts(app)),
            Some(json!({"requestedTierId": TIER_ORDERS_SILVER_DEPRECATED})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.message().contains("deprecated"), "{}", r.text);
    assert_eq!(
        env.h().contract(cid).unwrap()["tier"]["id"],
        TIER_ORDERS_BRONZE
    );
}

#[tokio::test]
async fn a_contract_already_on_the_deprecated_tier_keeps_working() {
    let env = with(&[Variant::DeprecatedTier]).await;
    let app = env.create_named("early").await;
    let made = env
        .h()
        .create_contract(
            app,
            API_INSTANCE_ORDERS,
            Some(TIER_ORDERS_SILVER_DEPRECATED),
        )
        .expect("an administrator's contract from before the deprecation");
    let cid = made["id"].as_i64().unwrap();
    assert_eq!(
        made["tier"],
        json!({"id": TIER_ORDERS_SILVER_DEPRECATED, "name": "Silver"})
    );
    let read = env
        .call("GET", &env.contract_path(API_INSTANCE_ORDERS, cid), None)
        .await
        .json();
    assert_eq!(read["tier"]["status"], "DEPRECATED");
    let change = format!("{}/{cid}", env.exchange_contracts(app));
    let r = env
        .call(
            "PATCH",
            &change,
            Some(json!({"requestedTierId": TIER_ORDERS_SILVER_DEPRECATED})),
        )
        .await;
    assert_eq!(r.status, 200, "staying on it: {}", r.text);
    let r = env
        .call(
            "PATCH",
            &change,
            Some(json!({"requestedTierId": TIER_ORDERS_GOLD})),
        )
        .await;
    assert_eq!(r.status, 200, "moving off it: {}", r.text);
    assert_eq!(r.json()["tier"]["id"], TIER_ORDERS_GOLD);
    assert_eq!(env.revoke(API_INSTANCE_ORDERS, cid).await.status, 200);
    assert_eq!(
        env.delete_contract(API_INSTANCE_ORDERS, cid).await.status,
        204
    );
}

#[tokio::test]
async fn without_the_variant_there_is_no_deprecated_tier_and_active_still_filters() {
    let env = Env::start().await;
    let tiers = format!("{}/tiers", env.api(API_INSTANCE_ORDERS));
    for q in ["", "?active=true", "?active=false"] {
        let r = env.call("GET", &format!("{tiers}{q}"), None).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(r.json()["total"], 3, "{q}");
    }
    assert_eq!(
        env.call("GET", &format!("{tiers}?active=maybe"), None)
            .await
            .status,
        400
    );
    let app = env.create_named("nothing-deprecated").await;
    let r = env
        .request_contract(
            app,
            API_INSTANCE_ORDERS,
            Some(TIER_ORDERS_SILVER_DEPRECATED),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("is not a tier"), "{}", r.text);
    assert!(env
        .h()
        .create_contract(
            app,
            API_INSTANCE_ORDERS,
            Some(TIER_ORDERS_SILVER_DEPRECATED)
        )
        .is_err());
    assert_eq!(
        env.h().api_instances()[0]["tiers"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

// ------------------------------------------------------------------- admin

#[tokio::test]
async fn admin_routes_list_replace_and_switch_variants() {
    let env = Env::start_with(EmulatorConfig {
        admin: true,
        variants: vec![Variant::DeprecatedTier],
        ..EmulatorConfig::default()
    })
    .await;
    let r = env.call("GET", "/_emulator/variants", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["active"], json!(["deprecated-tier"]));
    let available = v["available"].as_array().unwrap();
    assert_eq!(available.len(), Variant::ALL.len());
    for (item, variant) in available.iter().zip(Variant::ALL) {
        assert_eq!(item["name"], variant.name());
        assert_eq!(item["question"], variant.question());
        assert_eq!(item["evidence"], variant.evidence());
        assert_eq!(item["default"], false);
    }
    let questions = v["questions"].as_array().unwrap();
    let revoke_again = questions
        .iter()
        .find(|q| q["variants"] == json!(["revoke-again-200", "revoke-again-400"]))
        .expect("the revoke-again question lists both answers");
    assert!(revoke_again["default"].as_str().unwrap().contains("409"));
    assert!(questions
        .iter()
        .all(|q| q["default"].as_str().is_some_and(|d| !d.is_empty())));

    let r = env
        .call(
            "PUT",
            "/_emulator/variants",
            Some(json!({"active": ["business-group", "revoke-refused"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["active"],
        json!(["revoke-refused", "business-group"])
    );
    assert_eq!(
        env.h().variants(),
        vec![Variant::RevokeRefused, Variant::BusinessGroup]
    );
    for bad in [
        json!({"active": ["revoke-again-200", "revoke-again-400"]}),
        json!({"active": ["no-such-variant"]}),
        json!({"active": [7]}),
        json!({"active": "business-group"}),
        json!({"variants": []}),
    ] {
        let r = env
            .call("PUT", "/_emulator/variants", Some(bad.clone()))
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    assert_eq!(env.h().variants().len(), 2, "a refused PUT changes nothing");

    let r = env
        .call("POST", "/_emulator/variants/revoke-approved-only", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["active"],
        json!(["revoke-approved-only", "business-group"])
    );
    let r = env
        .call("DELETE", "/_emulator/variants/business-group", None)
        .await;
    assert_eq!(r.json()["active"], json!(["revoke-approved-only"]));
    let r = env.call("POST", "/_emulator/variants/nope", None).await;
    assert_eq!(r.status, 404);
    assert!(
        r.message().contains("revoke-refused"),
        "lists them: {}",
        r.text
    );

    let routes = env.call("GET", "/_emulator", None).await.json();
    for route in [
        "GET /_emulator/variants",
        "PUT /_emulator/variants",
        "POST /_emulator/variants/{name}",
        "DELETE /_emulator/variants/{name}",
    ] {
        assert!(
            routes["routes"].as_array().unwrap().contains(&json!(route)),
            "{route}"
        );
    }
    let state = env.call("GET", "/_emulator/state", None).await.json();
    assert_eq!(state["variants"], json!(["revoke-approved-only"]));
    assert_eq!(state["businessGroup"]["id"], BUSINESS_GROUP_ID);
    assert_eq!(env.call("POST", "/_emulator/reset", None).await.status, 204);
    assert_eq!(
        env.h().variants(),
        vec![Variant::RevokeApprovedOnly],
        "reset keeps them"
    );
}

#[tokio::test]
async fn variants_are_not_written_to_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = EmulatorConfig {
        state_file: Some(path.clone()),
        variants: vec![Variant::PutKeepsNull, Variant::BusinessGroup],
        ..EmulatorConfig::default()
    };
    let env = Env::start_with(config.clone()).await;
    env.create_app(json!({"name": "saved", "description": ""}))
        .await;
    let text = std::fs::read_to_string(&path).unwrap();
    for v in Variant::ALL {
        assert!(!text.contains(v.name()), "{v} in {text}");
    }
    assert!(!text.contains("variants"), "{text}");
    drop(env);
    let again = Env::start_with(EmulatorConfig {
        variants: Vec::new(),
        ..config
    })
    .await;
    assert!(again.h().variants().is_empty());
    assert_eq!(again.h().applications()[0]["name"], "saved");
}
