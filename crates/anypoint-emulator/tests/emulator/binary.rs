//! The `anypoint-emulator` binary.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::*;

const BIN: &str = env!("CARGO_BIN_EXE_anypoint-emulator");

fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the emulator binary")
}

async fn first_lines(child: &mut Child, n: usize) -> Vec<String> {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut out = Vec::new();
    while out.len() < n {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("the emulator printed nothing in 60 s")
            .unwrap()
            .expect("stdout ended early");
        out.push(line);
    }
    out
}

fn signal(child: &Child, sig: i32) {
    let pid = child.id().expect("still running") as i32;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

#[tokio::test]
async fn serves_prints_url_first_and_stops_on_sigterm() {
    let mut child = spawn(&["--listen", "127.0.0.1:0"]);
    let lines = first_lines(&mut child, 4).await;
    let url = lines[0].clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with('/'));
    assert_eq!(lines[1], format!("Anypoint emulator listening on {url}"));
    assert!(lines[2].contains(DEFAULT_CLIENT_ID), "{lines:?}");
    assert!(lines[3].contains(DEFAULT_CLIENT_SECRET), "{lines:?}");

    let http = reqwest::Client::new();
    let r = send(
        http.post(format!("{url}{TOKEN_PATH}"))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let me = send(
        http.get(format!("{url}/accounts/api/me"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(me.json()["client"]["org_id"], DEFAULT_ORG_ID);

    signal(&child, libc::SIGTERM);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
}

#[tokio::test]
async fn url_file_custom_credentials_and_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let url_file = dir.path().join("url");
    let state = dir.path().join("state.json");
    let mut child = spawn(&[
        "--client-id",
        "custom-id",
        "--client-secret=custom-secret-value",
        "--token-ttl",
        "120",
        "--latency-ms",
        "1",
        "--url-file",
        url_file.to_str().unwrap(),
        "--state-file",
        state.to_str().unwrap(),
    ]);
    let lines = first_lines(&mut child, 9).await;
    let url = lines[0].clone();
    assert_eq!(std::fs::read_to_string(&url_file).unwrap().trim_end(), url);
    assert!(
        !lines.join("\n").contains("custom-secret-value"),
        "a given secret is not printed"
    );

    let http = reqwest::Client::new();
    let r = send(
        http.post(format!("{url}{TOKEN_PATH}"))
            .json(&token_body("custom-id", "custom-secret-value")),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["expires_in"], 120);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let r = send(
        http.post(format!(
            "{url}/apiplatform/repository/v2/organizations/{DEFAULT_ORG_ID}/applications"
        ))
        .bearer_auth(&token)
        .json(&json!({"name": "from-binary"})),
    )
    .await;
    assert_eq!(r.status, 201);
    let r = send(
        http.post(format!("{url}{TOKEN_PATH}"))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    assert_eq!(
        r.status, 401,
        "the default credentials are not accepted any more"
    );

    signal(&child, libc::SIGINT);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("exits after SIGINT")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["applications"][0]["name"], "from-binary");
}

#[tokio::test]
async fn help_and_bad_arguments() {
    let out = Command::new(BIN).arg("--help").output().await.unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--client-id",
        "--client-secret",
        "--org-id",
        "--latency-ms",
        "--fault-rate",
        "--token-ttl",
        "--state-file",
        "--url-file",
        "--variant",
    ] {
        assert!(text.contains(flag), "help mentions {flag}");
    }
    let out = Command::new(BIN)
        .args(["--fault-rate", "2"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fault-rate"));
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn variant_flag_plays_the_variants_and_refuses_unknown_names() {
    let mut child = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--variant",
        "business-group,no-manage-contracts",
    ]);
    let lines = first_lines(&mut child, 10).await;
    let url = lines[0].clone();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("variants:") && l.contains("business-group, no-manage-contracts")),
        "{lines:?}"
    );
    let http = reqwest::Client::new();
    let r = send(
        http.post(format!("{url}{TOKEN_PATH}"))
            .json(&token_body(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)),
    )
    .await;
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let me = send(
        http.get(format!("{url}/accounts/api/me"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(
        me.json()["client"]["org_id"],
        anypoint_emulator::BUSINESS_GROUP_ID
    );
    signal(&child, libc::SIGTERM);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");

    let out = Command::new(BIN)
        .args(["--variant", "revoke-sometimes"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("revoke-sometimes") && err.contains("revoke-approved-only"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn the_binary_serves_admin_routes_with_the_admin_flag() {
    let mut child = spawn(&["--admin", "--listen", "127.0.0.1:0"]);
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    // The URL, then the banner; bounded by the banner's length.
    for _ in 0..12 {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("the emulator printed nothing in 60 s")
            .unwrap();
        let Some(line) = line else { break };
        let done = line.starts_with("Stop with");
        banner.push(line);
        if done {
            break;
        }
    }
    let url = banner.first().cloned().expect("the URL line");
    assert!(url.starts_with("http://127.0.0.1:"), "{banner:?}");
    assert!(
        banner
            .iter()
            .any(|l| l.contains(&format!("{url}/_emulator (loopback clients only)"))),
        "the banner names the admin routes: {banner:?}"
    );
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{url}/_emulator/applications"))
        .json(&json!({"name": "from-curl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let state: Value = http
        .get(format!("{url}/_emulator/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["applications"][0]["name"], "from-curl");
    assert_eq!(
        state["organization"]["id"],
        anypoint_emulator::DEFAULT_ORG_ID
    );
}
