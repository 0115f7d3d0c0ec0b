//! Everything logged at TRACE during a full client flow holds no secret:
//! not the Connected App's secret, not any application's client secret (old
//! or current), and no access token. One flow runs against the mock (which
//! echoes the Authorization header back), one against the emulator (token,
//! org discovery, creates, reads, secret resets, a 401 renewal, random and
//! scripted faults with retries, failed calls).
//!
//! Both flows are captured by one process-global subscriber (which also
//! receives `log` records, e.g. from the HTTP stack), installed once. They
//! run one at a time ([`one_flow`]), each in a runtime of its own that is
//! shut down before the next flow starts, and each reads only what was
//! logged since it began. Its own test binary: nothing else may log into
//! the capture.

mod support;

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use anypoint_client::{AnypointClient, ApiError, Application, ContractTarget, NewContract};
use anypoint_emulator::{
    Emulator, Fault, FaultKind, API_INSTANCE_CATALOG, ENVIRONMENT_ID, TOKEN_PATH,
};
use secret::Secret;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

use support::mock;
use support::{client_from, config, create_app, emulator, new_app, ALICE, CLIENT_SECRET, ORG};

const WRONG_SECRET: &str = "logs-Wrong-Secret-3a9b2c";

// --------------------------------------------------------------- the capture

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn bytes(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The process's capture: everything at TRACE and up, installed at the
/// first use.
fn capture() -> &'static Captured {
    static CAPTURE: OnceLock<Captured> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let buffer = Captured::default();
        let writer = buffer.clone();
        // try_init also routes `log` records (reqwest, hyper) into the capture.
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("the only subscriber in this binary");
        buffer
    })
}

/// What was logged since a flow began.
struct Logs {
    from: usize,
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&capture().bytes()[self.from..]).into_owned()
    }
}

/// Run `flow` in `runtime`, alone: no other flow logs into the capture
/// until it has ended and its runtime has shut down.
fn one_flow<F: Future<Output = ()>>(runtime: Runtime, flow: impl FnOnce(Logs) -> F) {
    static TURN: Mutex<()> = Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
    let logs = Logs {
        from: capture().bytes().len(),
    };
    runtime.block_on(flow(logs));
    drop(runtime);
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

fn two_threads() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A client for the emulator flow: many retries (it runs under random
/// faults), and the Connected App's `secret` as given.
fn logged_client(emu: &Emulator, secret: &str, org: Option<&str>) -> AnypointClient {
    let mut cfg = config(emu);
    cfg.max_retries = 20;
    cfg.client_secret = Secret::from(secret);
    cfg.org_id = org.map(str::to_owned);
    client_from(cfg)
}

fn secret_of(app: &Application) -> String {
    app.client_secret
        .as_ref()
        .expect("a created or reset application has its secret")
        .expose()
        .to_owned()
}

// ------------------------------------------------------------ text scanning

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Every hyphenated UUID (8-4-4-4-12 hex) in `text`. The emulator's access
/// tokens have this shape.
fn uuids(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let groups = [8usize, 4, 4, 4, 12];
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let starts_clean = i == 0 || !is_hex(b[i - 1]);
        let mut pos = i;
        let mut ok = starts_clean;
        for (n, len) in groups.iter().enumerate() {
            if !ok {
                break;
            }
            ok = b[pos..pos + len].iter().all(|c| is_hex(*c));
            pos += len;
            if n < 4 {
                ok = ok && b[pos] == b'-';
                pos += 1;
            }
        }
        if ok && (pos == b.len() || !is_hex(b[pos])) {
            found.insert(text[i..pos].to_ascii_lowercase());
            i = pos;
        } else {
            i += 1;
        }
    }
    found
}

/// Every run of at least 32 hex digits in `text` (client ids and client
/// secrets have this shape).
fn long_hex_runs(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            if run.len() >= 32 {
                found.insert(run.to_ascii_lowercase());
            }
            run.clear();
        }
    }
    found
}

/// The word "bearer" (any case) followed by something token-like (8 or more
/// characters of letters, digits, `-`, `_`, `.`) after spaces, `:` or `"`.
fn bearer_followed_by_token(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("bearer") {
        let start = from + at + "bearer".len();
        let rest = lower[start..].trim_start_matches([' ', ':', '"', '=']);
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if word.len() >= 8 {
            let line_start = lower[..start].rfind('\n').map_or(0, |p| p + 1);
            let line_end = lower[start..].find('\n').map_or(lower.len(), |p| start + p);
            return Some(text[line_start..line_end].to_owned());
        }
        from = start;
    }
    None
}

#[test]
fn scanners_find_what_they_look_for() {
    let token = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    let t = format!("x token={token}, y 5eed0000-0000-4000-8000-00000000000 short");
    assert_eq!(uuids(&t), BTreeSet::from([token.to_owned()]));
    let secret = "0123456789abcdef0123456789ABCDEF";
    assert_eq!(
        long_hex_runs(&format!("a {secret} b deadbeef")),
        BTreeSet::from([secret.to_ascii_lowercase()])
    );
    assert!(bearer_followed_by_token(&format!("authorization: Bearer {token}")).is_some());
    assert!(bearer_followed_by_token("\"token_type\":\"bearer\",").is_none());
    assert!(bearer_followed_by_token("Bearer ***").is_none());
}

// ----------------------------------------------------------------- the flows

#[test]
fn trace_logs_of_a_flow_against_the_mock_hold_no_secret() {
    one_flow(current_thread(), |logs| async move {
        let mock = mock::start().await;
        let mut cfg = mock.config();
        cfg.org_id = None;
        let c = client_from(cfg);
        let org = c.org_id().await.unwrap();
        // Include a retry and a 401 renewal in the flow.
        mock.world.fault(
            "POST",
            &format!("/apiplatform/repository/v2/organizations/{org}/applications"),
            [mock::Fault::status(503)],
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
            [mock::Fault::EchoAuth(401)],
        );
        c.applications().get(&org, app.id).await.unwrap();
        c.applications().reset_secret(&org, app.id).await.unwrap();
        c.applications().get(&org, app.id).await.unwrap();

        let text = logs.text();
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
        mock.assert_free_of_secrets(&text);
    });
}

#[test]
fn trace_logs_of_a_full_flow_against_the_emulator_hold_no_secret() {
    one_flow(two_threads(), |logs| async move {
        let emu = emulator().await;
        let h = emu.handle();
        let apps_path = format!("/apiplatform/repository/v2/organizations/{ORG}/applications");

        // Every secret the flow sees, and every error it gets (checked too).
        let mut secrets: Vec<String> = vec![CLIENT_SECRET.to_owned(), WRONG_SECRET.to_owned()];
        let mut errors: Vec<ApiError> = Vec::new();

        // Token and org discovery; a refused create is retried.
        let c = logged_client(&emu, CLIENT_SECRET, None);
        let org = c.org_id().await.unwrap();
        assert_eq!(org, ORG);
        h.push_fault(Fault::on("POST", &apps_path, FaultKind::status(503)));
        let app = create_app(&c, &org, &new_app("logged-app"), None)
            .await
            .unwrap();
        secrets.push(secret_of(&app));
        let read = c.applications().get(&org, app.id).await.unwrap();
        assert_eq!(secret_of(&read), secret_of(&app));

        // Secret resets: the old and the new secrets.
        for _ in 0..2 {
            let reset = c.applications().reset_secret(&org, app.id).await.unwrap();
            secrets.push(secret_of(&reset));
        }
        // An ambiguous reset (processed, then 504): the error, and the secret it
        // set, read back.
        h.push_fault(Fault::on(
            "POST",
            "/secret/reset",
            FaultKind::ProcessThenStatus(504),
        ));
        errors.push(
            c.applications()
                .reset_secret(&org, app.id)
                .await
                .unwrap_err(),
        );
        secrets.push(secret_of(
            &c.applications().get(&org, app.id).await.unwrap(),
        ));

        // A 401 on an expired token, renewed once.
        h.expire_tokens();
        c.applications().get(&org, app.id).await.unwrap();

        // Random faults on everything (the token endpoint included) with retries.
        h.set_fault_rate(0.3);
        let mut set = JoinSet::new();
        for i in 0..10 {
            let c = c.clone();
            let org = org.clone();
            set.spawn(async move {
                let created = create_app(&c, &org, &new_app(&format!("logged-{i}")), None).await?;
                let reset = c.applications().reset_secret(&org, created.id).await?;
                c.owners().add(&org, created.id, ALICE).await?;
                c.applications().list(&org, Some("logged")).await?;
                Ok::<_, ApiError>(vec![secret_of(&created), secret_of(&reset)])
            });
        }
        while let Some(r) = set.join_next().await {
            secrets.extend(r.unwrap().expect("flow under faults succeeds"));
        }
        h.expire_tokens(); // a 401 under faults too
        c.users().list(&org, None).await.unwrap();
        h.set_fault_rate(0.0);

        // Ambiguous create, recovered by name (the recovered object has the
        // secret too).
        h.push_fault(Fault::on("POST", &apps_path, FaultKind::ProcessThenDrop));
        let recovered = create_app(&c, &org, &new_app("logged-recovered"), None)
            .await
            .unwrap();
        secrets.push(secret_of(&recovered));

        // A contract, created through an ambiguous failure, and listed.
        h.push_fault(Fault::on(
            "POST",
            "/contracts",
            FaultKind::ProcessThenStatus(504),
        ));
        let contract = c
            .contracts()
            .create(
                &org,
                app.id,
                &NewContract {
                    target: ContractTarget::ApiInstance(API_INSTANCE_CATALOG),
                    organization_id: org.clone(),
                    group_id: org.clone(),
                    asset_id: "catalog-api".to_owned(),
                    version: "1.0.0".to_owned(),
                    version_group: "v1".to_owned(),
                    environment_id: Some(ENVIRONMENT_ID.to_owned()),
                    ..NewContract::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            c.contracts().list(&org, app.id).await.unwrap()[0].id,
            contract.id
        );

        // Failed calls: a conflict, a missing object, another organization, a
        // wrong Connected App secret.
        errors.push(
            create_app(&c, &org, &new_app("logged-app"), None)
                .await
                .unwrap_err(),
        );
        errors.push(c.applications().get(&org, 1).await.unwrap_err());
        errors.push(
            c.applications()
                .list("00000000-0000-4000-8000-000000000000", None)
                .await
                .unwrap_err(),
        );
        let wrong = logged_client(&emu, WRONG_SECRET, Some(ORG));
        errors.push(wrong.users().list(ORG, None).await.unwrap_err());
        assert!(errors.last().unwrap().is_unauthorized());

        // Every secret the emulator holds now.
        for stored in h.applications() {
            secrets.push(stored["clientSecret"].as_str().unwrap().to_owned());
        }
        let secrets: BTreeSet<String> = secrets.into_iter().collect();
        // The Connected App's two (right and wrong), 4 of the first application,
        // 2 of each of the 10 made under faults, 1 of the recovered one.
        let expected = 2 + 4 + 20 + 1;
        assert!(secrets.len() >= expected, "{}", secrets.len());

        let logs = logs.text();
        let error_text: String = errors.iter().map(|e| format!("{e}\n{e:?}\n")).collect();

        // The capture is real and covers the whole flow.
        for needle in [
            "TRACE",
            "sending Anypoint request",
            "Anypoint request succeeded",
            "retrying the Anypoint request after a back-off",
            "401: renewing the access token",
            "/secret/reset",
            "looking the application up by name",
            "the contract create may have been applied",
            "obtained an Anypoint access token",
            "the root organization",
            "emulator request",
            TOKEN_PATH,
            ORG,
        ] {
            assert!(logs.contains(needle), "no {needle:?} in the logs:\n{logs}");
        }
        assert!(h.token_requests() >= 4, "{}", h.token_requests());

        for (what, text) in [("logs", &logs), ("errors", &error_text)] {
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "a secret is in the {what}");
            }
            if let Some(line) = bearer_followed_by_token(text) {
                panic!("a bearer token is in the {what}: {line}");
            }
            // Tokens are UUIDs: the only UUIDs allowed are the organization's,
            // the environment's and the users' ids.
            let users: BTreeSet<String> = h
                .users()
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_owned())
                .collect();
            for u in uuids(text) {
                assert!(
                    u == ORG
                        || u == ENVIRONMENT_ID
                        || users.contains(&u)
                        || u == "00000000-0000-4000-8000-000000000000",
                    "an unknown UUID (an access token?) is in the {what}"
                );
            }
            // 32+ hex digits: only application client ids, never a secret.
            let client_ids: BTreeSet<String> = h
                .applications()
                .iter()
                .map(|a| a["clientId"].as_str().unwrap().to_ascii_lowercase())
                .collect();
            for run in long_hex_runs(text) {
                assert!(
                    client_ids.contains(&run) && !secrets.contains(&run),
                    "a 32+ hex-digit value that is not a client id is in the {what}"
                );
            }
        }
        assert!(!uuids(&logs).is_empty(), "the UUID scan saw the org id");
    });
}
