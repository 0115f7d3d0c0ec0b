//! The client registers every secret it receives with the log scrubber
//! ([`secret::register_secret`]): access tokens and the client
//! secrets of applications (create, get, reset). Against the emulator.

use reqwest::Method;
use tokio_util::sync::CancellationToken;

use crate::request::build_http_client;
use crate::send::Engine;
use crate::{AnypointClient, ClientConfig, NewApplication};
use anypoint_emulator::{Emulator, EmulatorConfig};
use secret::{scrub, Secret};

/// Settings for a fresh emulator, with its own org id.
async fn emulated() -> (Emulator, ClientConfig) {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let cfg = emu.config();
    let mut settings = ClientConfig::new(
        &emu.url(),
        &cfg.client_id,
        Secret::new(cfg.client_secret.clone()),
    )
    .unwrap();
    settings.org_id = Some(cfg.org_id.clone());
    (emu, settings)
}

#[tokio::test]
async fn a_fetched_token_is_scrubbed_from_log_lines() {
    let (_emu, settings) = emulated().await;
    let engine = Engine::new(
        settings,
        "1.11.4",
        CancellationToken::new(),
        build_http_client().unwrap(),
    )
    .unwrap();
    let req = engine.request(Method::GET, &["accounts", "api", "me"], &[]);
    let token = engine
        .access_token(&req)
        .await
        .map_err(|f| f.error)
        .unwrap();
    let token = token.value.expose();
    assert!(
        token.len() >= 6,
        "the emulator's tokens are long enough to register"
    );
    let line = format!(r#"{{"@message":"sent Authorization: Bearer {token}"}}"#);
    let scrubbed = scrub(&line);
    assert!(!scrubbed.contains(token), "{scrubbed}");
    assert!(scrubbed.contains("Bearer ***"), "{scrubbed}");
}

#[tokio::test]
async fn client_secrets_from_the_platform_are_scrubbed_from_log_lines() {
    let (_emu, settings) = emulated().await;
    let c = AnypointClient::new(settings, "1.11.4", CancellationToken::new()).unwrap();
    let org = c.org_id().await.unwrap();
    let new = NewApplication {
        name: "scrubbed-secrets".to_owned(),
        description: None,
        url: None,
        redirect_uri: vec![],
        grant_types: vec!["client_credentials".to_owned()],
        api_endpoints: None,
    };
    let created = c
        .applications()
        .create(&org, &new, None, None)
        .await
        .unwrap();
    let reset = c
        .applications()
        .reset_secret(&org, created.id)
        .await
        .unwrap();
    for app in [&created, &reset] {
        let secret = app.client_secret.as_ref().unwrap().expose();
        let scrubbed = scrub(&format!("secret={secret}"));
        assert_eq!(scrubbed, "secret=***");
    }
}
