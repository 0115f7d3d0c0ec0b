//! Shutdown and the state file: restart, atomic replacement, unreadable files.

use super::*;

#[tokio::test]
async fn shutdown_releases_the_port() {
    let env = Env::start().await;
    let url = env.url("/accounts/api/me");
    let addr = env.emu.addr();
    assert_eq!(env.emu.url(), format!("http://{addr}"));
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    let Env { emu, .. } = env;
    emu.shutdown().await;
    let err = reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .expect_err("nothing listens any more");
    assert!(err.is_connect(), "{err:?}");
    // The same address can be served again.
    let again = Emulator::start_on(addr, EmulatorConfig::default())
        .await
        .unwrap();
    assert_eq!(again.addr(), addr);
    again.shutdown().await;
}

fn state_config(path: &std::path::Path) -> EmulatorConfig {
    EmulatorConfig {
        state_file: Some(path.to_owned()),
        ..Default::default()
    }
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator-state.json");
    let (app, contract) = {
        let env = Env::start_with(state_config(&path)).await;
        assert!(!path.exists(), "nothing written before the first mutation");
        let app = env
            .create_app(json!({"name": "persistent", "description": "kept"}))
            .await;
        let id = app["id"].as_i64().unwrap();
        assert_eq!(
            env.call(
                "POST",
                &format!("{}/owners", env.app(id)),
                Some(json!({"id": BOB}))
            )
            .await
            .status,
            201
        );
        let c = env
            .request_contract(id, API_INSTANCE_PAYMENTS, Some(TIER_PAYMENTS_STANDARD))
            .await
            .json();
        let app = env.call("GET", &env.app(id), None).await.json();
        let Env { emu, .. } = env;
        emu.shutdown().await;
        (app, c)
    };
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(on_disk["applications"][0]["name"], "persistent");

    let env = Env::start_with(state_config(&path)).await;
    let id = app["id"].as_i64().unwrap();
    let r = env.call("GET", &env.app(id), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), app, "same object, secret and owners included");
    let contracts = env.h().contracts(id);
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0]["id"], contract["id"]);
    assert_eq!(contracts[0]["status"], "PENDING");
    // Ids keep increasing across the restart.
    let next = env.create_named("after-restart").await;
    assert!(next > id);
    let c2 = env
        .request_contract(next, API_INSTANCE_ORDERS, Some(TIER_ORDERS_GOLD))
        .await
        .json();
    assert!(c2["id"].as_i64().unwrap() > contract["id"].as_i64().unwrap());
    // Tokens are not persisted.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&env.token));
}

#[tokio::test]
async fn state_file_is_replaced_atomically() {
    use std::os::unix::fs::MetadataExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let env = Env::start_with(state_config(&path)).await;
    let h = env.h();
    let id = env.create_named("atomic").await;
    let inode_before = std::fs::metadata(&path).unwrap().ino();
    assert!(h.update_application(id, json!({"description": "second write"})));
    let inode_after = std::fs::metadata(&path).unwrap().ino();
    assert_ne!(
        inode_before, inode_after,
        "a new file is renamed over the old one"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("second write"));

    // A reader polling the file never sees a partial document.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let (mut reads, mut bad) = (0u32, Vec::new());
            while !stop.load(Ordering::SeqCst) || reads == 0 {
                let bytes = std::fs::read(&path).unwrap();
                reads += 1;
                if serde_json::from_slice::<Value>(&bytes).is_err() {
                    bad.push(bytes.len());
                }
            }
            (reads, bad)
        })
    };
    for i in 0..40 {
        let long = "x".repeat(2000 + i * 100);
        assert!(h.update_application(id, json!({"description": long})));
        env.create_named(&format!("bulk-{i}")).await;
    }
    stop.store(true, Ordering::SeqCst);
    let (reads, bad) = reader.join().unwrap();
    assert!(reads > 0);
    assert!(bad.is_empty(), "{} partial reads out of {reads}", bad.len());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["state.json"], "no temporary files left behind");
    let final_state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(final_state["applications"].as_array().unwrap().len(), 41);
}

#[tokio::test]
async fn unreadable_state_file_refuses_to_start_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{\"truncated\": ").unwrap();
    let err = Emulator::start(state_config(&path))
        .await
        .expect_err("must refuse");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"truncated\": ");

    // A state file of another organization is refused too.
    let other = dir.path().join("other.json");
    {
        let env = Env::start_with(state_config(&other)).await;
        env.create_named("x").await;
    }
    let err = Emulator::start(EmulatorConfig {
        org_id: OTHER_ORG.into(),
        ..state_config(&other)
    })
    .await
    .expect_err("another org's file");
    assert!(err.to_string().contains(DEFAULT_ORG_ID), "{err}");
}
