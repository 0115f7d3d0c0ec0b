//! Error messages from each body shape, secrets kept out of errors, `Send`.

use super::*;

#[tokio::test]
async fn error_messages_come_from_each_body_shape() {
    let emu = emulator().await;
    let h = emu.handle();
    let id = insert_app(&h, "a");
    let c = client(&emu);
    let cases = [
        (400, r#"{"message":"name is required"}"#, "name is required"),
        (
            400,
            r#"{"errors":[{"message":"bad url"},{"message":"bad name"}]}"#,
            "bad url; bad name",
        ),
        (409, r#"{"error":"Conflict"}"#, "Conflict"),
        (400, "plain words from a proxy", "plain words from a proxy"),
        (400, "", "empty response body"),
    ];
    for (code, body, expected) in cases {
        fault(&h, "GET", &app_path(id), [FaultKind::respond(code, body)]);
        let err = c.applications().get(ORG, id).await.unwrap_err();
        assert_eq!(err.message(), expected);
        assert_eq!(err.status(), Some(code));
        let text = err.to_string();
        assert!(text.contains(expected), "{text}");
        assert!(text.contains(&format!("GET {}", app_path(id))), "{text}");
        assert!(!text.contains('\n'));
    }
    fault(&h, "GET", &app_path(id), [FaultKind::status(403)]);
    let err = c.applications().get(ORG, id).await.unwrap_err();
    assert!(err.is_forbidden());
    assert!(err.to_string().contains("Application Creator"), "{err}");
    assert!(err.to_string().contains("it created"), "{err}");
}

#[test]
fn client_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let cfg = ClientConfig::new("https://example.com", "id", Secret::new("s")).unwrap();
    let c = AnypointClient::new(cfg, "1", CancellationToken::new()).unwrap();
    is_send(&c.applications().get(ORG, 1));
    is_send(&c.applications().prior_holders(ORG, "x"));
    is_send(&c.applications().create(ORG, &new_app("x"), None, None));
    is_send(&c.applications().list(ORG, None));
    is_send(&c.owners().add(ORG, 1, "u"));
    is_send(&c.contracts().create(ORG, 1, &NewContract::default()));
    is_send(&c.contracts().end(&site(1, 2, 3), None));
    is_send(&c.users().list(ORG, None));
    is_send(&c.org_id());
}

/// The mock echoes the Authorization header into an error body, and keeps
/// every token and application secret it handed out to search the text for.
mod on_the_mock {
    use std::time::Duration;

    use anypoint_client::{AnypointClient, ApiError};
    use tokio_util::sync::CancellationToken;

    use crate::support::mock::{self, Fault};
    use crate::support::{app_path, client_from, CLIENT_SECRET, ORG};

    #[tokio::test]
    async fn debug_and_display_hold_no_secret() {
        let mock = mock::start().await;
        let id = mock.world.insert_app("a");
        let cfg = mock.config();
        let c = client_from(cfg.clone());
        let mut rendered = vec![format!("{cfg:?}"), format!("{c:?}")];
        // Make sure a token exists, so a leak would be visible.
        let app = c.applications().get(ORG, id).await.unwrap();
        rendered.push(format!("{app:?}"));

        let mut errors: Vec<ApiError> = Vec::new();
        // The platform echoes the Authorization header (twice: the 401 renewal).
        mock.world.fault(
            "GET",
            &app_path(id),
            [Fault::EchoAuth(401), Fault::EchoAuth(401)],
        );
        errors.push(c.applications().get(ORG, id).await.unwrap_err());
        // A body that quotes the client secret and an app's secret.
        let app_secret = app.client_secret.as_ref().unwrap().expose().to_owned();
        mock.world.fault(
            "GET",
            &app_path(id),
            [Fault::Respond {
                status: 400,
                body: format!(r#"{{"message":"bad secret {CLIENT_SECRET}"}}"#),
            }],
        );
        errors.push(c.applications().get(ORG, id).await.unwrap_err());
        mock.world.fault(
            "GET",
            &app_path(id),
            [Fault::Respond {
                status: 409,
                body: format!(r#"{{"id":1,"clientSecret":"{app_secret}"}}"#),
            }],
        );
        errors.push(c.applications().get(ORG, id).await.unwrap_err());
        for code in [403, 404, 429, 500] {
            mock.world
                .fault("GET", &app_path(id), [Fault::status(code)]);
            let mut cfg = mock.config();
            cfg.max_retries = 0;
            errors.push(
                client_from(cfg)
                    .applications()
                    .get(ORG, id)
                    .await
                    .unwrap_err(),
            );
        }
        // Decode: a 200 that is not an application, quoting a secret.
        mock.world.fault(
            "GET",
            &app_path(id),
            [Fault::Respond {
                status: 200,
                body: format!(r#"{{"id":"{app_secret}"}}"#),
            }],
        );
        errors.push(c.applications().get(ORG, id).await.unwrap_err());
        // Cancelled, transport, config.
        let cancel = CancellationToken::new();
        cancel.cancel();
        errors.push(
            AnypointClient::new(cfg.clone(), "1", cancel)
                .unwrap()
                .applications()
                .get(ORG, id)
                .await
                .unwrap_err(),
        );
        mock.world
            .fault("GET", &app_path(id), [Fault::Hang, Fault::Hang]);
        let mut short = mock.config();
        short.timeout = Duration::from_secs(1);
        short.max_retries = 1;
        errors.push(
            client_from(short)
                .applications()
                .get(ORG, id)
                .await
                .unwrap_err(),
        );
        errors.push(ApiError::Config("x".into()));

        let kinds: Vec<&str> = errors.iter().map(|e| e.kind()).collect();
        assert_eq!(
            kinds,
            vec![
                "unauthorized",
                "bad_request",
                "conflict",
                "forbidden",
                "not_found",
                "rate_limited",
                "server",
                "decode",
                "cancelled",
                "transport",
                "config"
            ]
        );
        for e in &errors {
            rendered.push(format!("{e:?}"));
            rendered.push(e.to_string());
        }
        assert!(rendered
            .iter()
            .any(|r| r.contains("rejected credentials: Bearer ***")));
        for r in &rendered {
            mock.assert_free_of_secrets(r);
        }
    }
}
