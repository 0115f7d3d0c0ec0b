//! No orphaned provider processes: when Terraform is killed mid-command
//! (SIGKILL, so it cannot call Shutdown), its provider processes exit on
//! their own.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::*;

#[test]
fn provider_exits_when_terraform_is_killed_mid_command() {
    // A "platform" that accepts connections and never answers: the provider
    // is then parked inside an HTTP call when we kill Terraform.
    let blackhole = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", blackhole.local_addr().unwrap());
    let tf = TfDir::new(&format!(
        r#"
terraform {{
  required_providers {{
    anypoint = {{ source = "anypoint-platform/anypoint" }}
  }}
}}
provider "anypoint" {{
  base_url        = "{url}"
  client_id       = "id"
  client_secret   = "secret-for-orphan-test"
  org_id          = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
  timeout_seconds = 600
}}
data "anypoint_client_applications" "all" {{}}
"#
    ));
    let mut child = tf
        .command(&["plan", "-no-color", "-input=false"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let tf_pid = child.id();

    // Wait (bounded) for the provider's first request to reach us.
    blackhole.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let _conn = loop {
        match blackhole.accept() {
            Ok((c, _)) => break c,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(
                    child.try_wait().unwrap().is_none(),
                    "terraform ended before the provider called the platform"
                );
                assert!(
                    Instant::now() < deadline,
                    "the provider never called the platform"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    let providers = provider_pids(Some(tf_pid));
    assert!(
        !providers.is_empty(),
        "a provider process runs under terraform"
    );

    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(tf_pid as i32, libc::SIGKILL);
    }
    let _ = child.wait();

    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let alive: Vec<u32> = provider_pids(None)
            .into_iter()
            .filter(|p| providers.contains(p))
            .collect();
        if alive.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "provider processes {alive:?} still run 3 s after terraform was killed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
