//! Log output at TRACE holds no secret. This test has its own binary: a
//! thread-local subscriber (`set_default`) loses events when other tests emit
//! events on other threads at the same time (tracing's per-callsite interest
//! cache), so it must not share a process with the other client tests.

mod client_support;

use std::sync::{Arc, Mutex};

use client_support::*;

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_of_a_full_flow_hold_no_secret() {
    let mock = start().await;
    let buffer = Captured::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut cfg = config(&mock);
    cfg.org_id = None;
    let c = client_from(cfg);
    let org = c.org_id().await.unwrap();
    // Include a retry and a 401 renewal in the flow.
    mock.world.fault(
        "POST",
        &format!("/apiplatform/repository/v2/organizations/{org}/applications"),
        [status(503)],
    );
    let app = create_app(&c, &org, &new_app("logged"), None)
        .await
        .unwrap();
    mock.world.fault(
        "GET",
        &format!(
            "/apiplatform/repository/v2/organizations/{org}/applications/{}",
            app.id
        ),
        [Fault::EchoAuth(401)],
    );
    c.applications().get(&org, app.id).await.unwrap();
    c.applications().reset_secret(&org, app.id).await.unwrap();
    c.applications().get(&org, app.id).await.unwrap();

    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("/applications"),
        "logging captured nothing: {text}"
    );
    assert!(text.contains("TRACE"), "{text}");
    assert!(text.contains("retrying"), "{text}");
    // The capture covers the whole flow, up to its last call.
    assert!(text.contains("401: renewing the access token"), "{text}");
    assert!(text.contains("/secret/reset"), "{text}");
    assert_eq!(
        text.matches("Anypoint request succeeded").count(),
        mock.world.total() - 2,
        "one success line per request except the 503 and the 401: {text}"
    );
    assert!(mock.world.issued_tokens().len() >= 2);
    assert_eq!(mock.world.app_secrets.lock().unwrap().len(), 2);
    assert_free_of_secrets(&text, &mock);
}
