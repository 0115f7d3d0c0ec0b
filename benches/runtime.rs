//! Plugin runtime benchmarks (run with `cargo bench --bench runtime`):
//! 1. time from process start to the handshake line (target: median < 10 ms);
//! 2. `terraform providers schema -json` with our provider, against the same
//!    command with no provider configured (target: within 1.2x).
//!
//! Results are printed; nothing here is a pass/fail test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A client certificate like Terraform's, so the TLS set-up is measured too.
fn client_cert_pem() -> String {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    params.self_signed(&key).unwrap().pem()
}

fn handshake_latency(bin: &PathBuf, runs: usize, tls: bool) -> Duration {
    let pem = client_cert_pem();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if tls {
            cmd.env("PLUGIN_CLIENT_CERT", &pem);
        }
        let start = Instant::now();
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        samples.push(start.elapsed());
        assert!(line.starts_with("1|6|tcp|"), "{line}");
        let _ = child.kill();
        let _ = child.wait();
    }
    median(samples)
}

fn terraform() -> PathBuf {
    std::env::var_os("TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("terraform"))
}

fn schema_command(dir: &std::path::Path, cli_config: &std::path::Path, runs: usize) -> Duration {
    schema_command_env(dir, cli_config, runs, &[])
}

fn schema_command_env(
    dir: &std::path::Path,
    cli_config: &std::path::Path,
    runs: usize,
    env: &[(&str, &str)],
) -> Duration {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(terraform())
            .args(["providers", "schema", "-json"])
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("terraform on PATH or $TERRAFORM");
        samples.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    median(samples)
}

fn main() {
    // `cargo test --all-targets` also runs this binary, without `--bench`:
    // measure only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/runtime.rs: run `cargo bench --bench runtime` to measure");
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-anypoint"));
    // Warm the page cache.
    handshake_latency(&bin, 3, true);
    let plain = handshake_latency(&bin, 50, false);
    let tls = handshake_latency(&bin, 50, true);
    println!(
        "handshake latency, median of 50: plaintext {}, AutoMTLS {} (target < 10 ms)",
        fmt(plain),
        fmt(tls)
    );

    let tmp = tempfile::tempdir().unwrap();
    let cli = tmp.path().join("dev.tfrc");
    std::fs::write(
        &cli,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/anypoint-platform/anypoint\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            bin.parent().unwrap().display()
        ),
    )
    .unwrap();
    let with = tmp.path().join("with");
    let without = tmp.path().join("without");
    std::fs::create_dir_all(&with).unwrap();
    std::fs::create_dir_all(&without).unwrap();
    std::fs::write(
        with.join("main.tf"),
        "terraform {\n  required_providers {\n    anypoint = { source = \"anypoint-platform/anypoint\" }\n  }\n}\nprovider \"anypoint\" {}\n",
    )
    .unwrap();
    std::fs::write(without.join("main.tf"), "terraform {}\n").unwrap();
    schema_command(&with, &cli, 2);
    schema_command(&without, &cli, 2);
    let t_with = schema_command(&with, &cli, 15);
    let t_without = schema_command(&without, &cli, 15);
    // The same without AutoMTLS: Terraform then skips generating its own
    // P-521 client certificate and the TLS handshake, which separates the
    // provider's cost from the cost of Terraform's plugin TLS set-up.
    let t_plain = schema_command_env(&with, &cli, 15, &[("TF_DISABLE_PLUGIN_TLS", "1")]);
    println!(
        "terraform providers schema -json, median of 15: with provider {}, without {}, ratio {:.2} (target <= 1.2)",
        fmt(t_with),
        fmt(t_without),
        t_with.as_secs_f64() / t_without.as_secs_f64()
    );
    println!(
        "  the same with TF_DISABLE_PLUGIN_TLS=1 (no AutoMTLS): {}, ratio {:.2}",
        fmt(t_plain),
        t_plain.as_secs_f64() / t_without.as_secs_f64()
    );
}
