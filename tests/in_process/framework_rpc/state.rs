//! Stored state: upgrades from older versions and import.

use super::*;

#[tokio::test]
async fn upgrade_resource_state_from_an_older_version() {
    let (svc, _) = service();
    let r = svc
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"t9","label":"old","zone":null,"enabled":true,"tags":["a"],"secret":"s","gone":1}"#.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let v = undv(&r.upgraded_state);
    assert_eq!(v.attr_str("name"), Some("old"));
    assert_eq!(v.attr_str("id"), Some("t9"));
    assert_eq!(v.attr("tags"), &Value::string_set(["a"]));
}

#[tokio::test]
async fn import_returns_exactly_one_object() {
    let (svc, _) = service();
    let r = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "t5".into(),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.imported_resources.len(), 1);
    assert_eq!(r.imported_resources[0].type_name, "test_thing");
    assert_eq!(
        undv(&r.imported_resources[0].state).attr_str("id"),
        Some("t5")
    );
}
