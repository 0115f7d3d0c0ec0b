//! `scripts/release.sh` end to end: the artifacts it writes are checked
//! (SHA256SUMS, the detached GPG signature, the archive's contents, the
//! manifest), then installed the way users install them, with no
//! `dev_overrides`: from a filesystem mirror (then `apply` against the
//! emulator) and from the network-mirror layout served over HTTPS on loopback.
//!
//! The release build runs once per test run (both tests share it) and reuses
//! whatever `cargo build --release` already built in the same target dir.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;
use common::*;

const NAME: &str = "terraform-provider-anypoint";
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn zip_name() -> String {
    format!("{NAME}_{VERSION}_{}.zip", platform())
}

#[track_caller]
fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.stdin(Stdio::null()).output().expect("start command");
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// SHA-256 of `data` as 32 bytes, computed by `sha256sum`.
fn sha256(data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum is installed");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hex = String::from_utf8(out.stdout).unwrap();
    let hex = hex.split_whitespace().next().unwrap();
    (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Terraform's `h1:` hash of a package directory holding one file: SHA-256
/// over the line `<sha256 hex>  <name>\n`, base64.
fn h1_of_single_file(name: &str, contents: &[u8]) -> String {
    let line = format!("{}  {name}\n", hex(&sha256(contents)));
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(sha256(line.as_bytes()))
    )
}

struct Release {
    root: PathBuf,
    gnupg: PathBuf,
    fingerprint: String,
}

impl Release {
    fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }
    fn net_mirror(&self) -> PathBuf {
        self.root.join("net-mirror")
    }
    fn fs_mirror(&self) -> PathBuf {
        self.root.join("fs-mirror")
    }
    fn zip(&self) -> PathBuf {
        self.dist().join(zip_name())
    }
    fn sums(&self) -> PathBuf {
        self.dist().join(format!("{NAME}_{VERSION}_SHA256SUMS"))
    }
    /// The zip's SHA-256 as SHA256SUMS lists it.
    fn zip_sha(&self) -> String {
        let sums = std::fs::read_to_string(self.sums()).unwrap();
        sums.lines()
            .find_map(|l| l.strip_suffix(&format!("  {}", zip_name())))
            .unwrap_or_else(|| panic!("SHA256SUMS lists {}:\n{sums}", zip_name()))
            .to_owned()
    }
    /// The binary inside the zip.
    fn binary(&self) -> Vec<u8> {
        let out = Command::new("unzip")
            .arg("-p")
            .arg(self.zip())
            .arg(format!("{NAME}_v{VERSION}"))
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    }
}

fn gpg(home: &Path) -> Command {
    let mut c = Command::new("gpg");
    c.env("GNUPGHOME", home).arg("--batch");
    c
}

/// Run scripts/release.sh once for this test binary, with a throwaway key.
fn release() -> &'static Release {
    static RELEASE: OnceLock<Release> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release_e2e");
        let _ = std::fs::remove_dir_all(&root);
        let gnupg = root.join("gnupg");
        std::fs::create_dir_all(&gnupg).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        run_ok(gpg(&gnupg).args([
            "--passphrase",
            "",
            "--quick-gen-key",
            "Release Test <release-test@example.invalid>",
            "ed25519",
            "sign",
            "never",
        ]));
        let listing = run_ok(gpg(&gnupg).args(["--with-colons", "--list-secret-keys"]));
        let fingerprint = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_owned())
            .expect("the new key has a fingerprint");

        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let r = Release {
            root,
            gnupg,
            fingerprint,
        };
        let out = Command::new("bash")
            .arg(manifest_dir.join("scripts/release.sh"))
            .arg("--dist")
            .arg(r.dist())
            .arg("--network-mirror")
            .arg(r.net_mirror())
            .arg("--filesystem-mirror")
            .arg(r.fs_mirror())
            .env("GNUPGHOME", &r.gnupg)
            .env("GPG_FINGERPRINT", &r.fingerprint)
            .env_remove("GPG_KEY_ID")
            .env_remove("GPG_PASSPHRASE")
            .env_remove("RELEASE_TARGETS")
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/release.sh");
        // The signing is done: stop the agent gpg started for this keyring.
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &r.gnupg)
            .args(["--kill", "all"])
            .status();
        assert!(
            out.status.success(),
            "scripts/release.sh failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        r
    })
}

/// A Terraform directory whose CLI configuration installs the provider with
/// `provider_installation` (no dev_overrides).
fn tf_dir_installing(main_tf: &str, installation: &str) -> TfDir {
    let tf = TfDir::new(main_tf);
    std::fs::write(
        &tf.cli_config,
        format!(
            "provider_installation {{\n{installation}\n  direct {{\n    exclude = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n"
        ),
    )
    .unwrap();
    tf
}

fn run_tf(tf: &TfDir, args: &[&str], env: &[(&str, &Path)]) -> TfOutput {
    let mut cmd = tf.command(args);
    cmd.env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    TfOutput::from(cmd.output().expect("run terraform"))
}

/// Terraform wraps its messages: compare with all whitespace runs as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn lock_hashes(tf: &TfDir) -> Vec<String> {
    let lock = std::fs::read_to_string(tf.work().join(".terraform.lock.hcl"))
        .expect("terraform init wrote .terraform.lock.hcl");
    assert!(lock.contains(&format!("version = \"{VERSION}\"")), "{lock}");
    lock.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix('"'))
        .filter_map(|l| l.strip_suffix("\","))
        .map(str::to_owned)
        .collect()
}

#[test]
fn artifacts_are_signed_and_install_from_a_filesystem_mirror() {
    let r = release();

    // Registry layout: the zip, the manifest, SHA256SUMS and its signature.
    let manifest = r.dist().join(format!("{NAME}_{VERSION}_manifest.json"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(
        m["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
    let sums = std::fs::read_to_string(r.sums()).unwrap();
    assert!(
        sums.contains(&format!("  {NAME}_{VERSION}_manifest.json")),
        "{sums}"
    );
    run_ok(
        Command::new("sha256sum")
            .args(["--check", "--strict"])
            .arg(r.sums())
            .current_dir(r.dist()),
    );
    let sig = r.dist().join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"));
    run_ok(gpg(&r.gnupg).arg("--verify").arg(&sig).arg(r.sums()));
    // The signature covers the sums: a changed line fails verification.
    let tampered = r.root.join("SHA256SUMS.tampered");
    std::fs::write(&tampered, sums.replacen(&r.zip_sha(), &"0".repeat(64), 1)).unwrap();
    let bad = gpg(&r.gnupg)
        .arg("--verify")
        .arg(&sig)
        .arg(&tampered)
        .output()
        .unwrap();
    assert!(
        !bad.status.success(),
        "a tampered SHA256SUMS must not verify"
    );

    // The archive holds exactly the versioned binary, which reports the version.
    let listing = run_ok(Command::new("unzip").arg("-Z1").arg(r.zip()));
    assert_eq!(listing.trim(), format!("{NAME}_v{VERSION}"));

    // Unzip into a filesystem mirror (unpacked layout).
    let mirror = r.root.join("unpacked-mirror");
    let pkg = mirror
        .join("registry.terraform.io/anypoint-platform/anypoint")
        .join(VERSION)
        .join(platform());
    std::fs::create_dir_all(&pkg).unwrap();
    run_ok(
        Command::new("unzip")
            .args(["-o", "-q"])
            .arg(r.zip())
            .arg("-d")
            .arg(&pkg),
    );
    let bin = pkg.join(format!("{NAME}_v{VERSION}"));
    let version = run_ok(Command::new(&bin).arg("--version"));
    assert_eq!(version.trim(), format!("{NAME} {VERSION}"));

    let emu = TestEmulator::start();
    let main_tf = format!(
        "{}\nresource \"anypoint_client_application\" \"release\" {{\n  name        = \"from-a-release\"\n  description = \"installed from a filesystem mirror\"\n}}\n",
        emu.provider_block()
    );
    let fs_config = format!(
        "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
        mirror.display()
    );
    let tf = tf_dir_installing(&main_tf, &fs_config);
    let init = run_tf(&tf, &["init", "-no-color", "-input=false"], &[]);
    init.assert_ok();
    assert!(
        !init.all().contains("Provider development overrides"),
        "no dev_overrides: {}",
        init.all()
    );
    let expected_h1 = h1_of_single_file(&format!("{NAME}_v{VERSION}"), &r.binary());
    assert_eq!(lock_hashes(&tf), vec![expected_h1.clone()]);

    run_tf(
        &tf,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        &[],
    )
    .assert_ok();
    let apps = emu.handle.applications();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(apps[0]["name"], "from-a-release");
    let plan = run_tf(
        &tf,
        &["plan", "-detailed-exitcode", "-no-color", "-input=false"],
        &[],
    );
    assert_eq!(plan.code, 0, "second plan is empty:\n{}", plan.all());
    run_tf(
        &tf,
        &["destroy", "-auto-approve", "-no-color", "-input=false"],
        &[],
    )
    .assert_ok();
    assert_eq!(emu.handle.application_count(), 0);

    // The packed layout the script wrote: a lock file that records only the
    // zip's SHA-256 (`zh:`, as a registry or network mirror reports it) is
    // honoured, and a different one is refused.
    let packed = format!(
        "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
        r.fs_mirror().display()
    );
    assert!(r
        .fs_mirror()
        .join("registry.terraform.io/anypoint-platform/anypoint")
        .join(zip_name())
        .is_file());
    let lock_with = |zh: &str| {
        format!(
            "provider \"{PROVIDER_SOURCE}\" {{\n  version = \"{VERSION}\"\n  hashes = [\n    \"zh:{zh}\",\n  ]\n}}\n"
        )
    };
    let zh = r.zip_sha();
    assert_eq!(zh, hex(&sha256(&std::fs::read(r.zip()).unwrap())));
    let tf = tf_dir_installing(&main_tf, &packed);
    tf.write(".terraform.lock.hcl", &lock_with(&zh));
    run_tf(&tf, &["init", "-no-color", "-input=false"], &[]).assert_ok();
    let hashes = lock_hashes(&tf);
    assert!(hashes.contains(&format!("zh:{zh}")), "{hashes:?}");
    assert!(hashes.contains(&expected_h1), "{hashes:?}");

    let tf = tf_dir_installing(&main_tf, &packed);
    tf.write(".terraform.lock.hcl", &lock_with(&"0".repeat(64)));
    let refused = run_tf(&tf, &["init", "-no-color", "-input=false"], &[]);
    assert_ne!(refused.code, 0, "a wrong zh: hash is refused");
    assert!(
        one_line(&refused.all()).contains("doesn't match any of the checksums"),
        "{}",
        refused.all()
    );
}

/// A static file server over HTTPS on 127.0.0.1 (HTTP/1.1, one request per
/// connection), recording the paths asked for.
struct MirrorServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    // Dropping the runtime ends the accept loop and open connections.
    _runtime: tokio::runtime::Runtime,
}

impl MirrorServer {
    fn start(root: PathBuf, cert_der: Vec<u8>, key_der: Vec<u8>) -> MirrorServer {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert_der)],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der)),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        runtime.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let root = root.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        let _ = serve_one(tls, &root, &log).await;
                    }
                });
            }
        });
        MirrorServer {
            port,
            requests,
            _runtime: runtime,
        }
    }
}

async fn serve_one<S>(mut stream: S, root: &Path, log: &Mutex<Vec<String>>) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("").to_owned();
    log.lock().unwrap().push(format!("{method} {path}"));
    let file = (method == "GET" && !path.split('/').any(|s| s == ".."))
        .then(|| root.join(path.trim_start_matches('/')))
        .filter(|p| p.is_file());
    let (status, ctype, body) = match file {
        Some(p) => {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let ctype = if name.ends_with(".zip") {
                "application/zip"
            } else if name.ends_with(".sig") || name.ends_with("SHA256SUMS") {
                "application/octet-stream"
            } else {
                "application/json"
            };
            ("200 OK", ctype, std::fs::read(&p)?)
        }
        None => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}

#[test]
fn installs_from_the_network_mirror_layout_over_https() {
    let r = release();
    let dir = r
        .net_mirror()
        .join("registry.terraform.io/anypoint-platform/anypoint");
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["versions"][VERSION], serde_json::json!({}));
    let version: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{VERSION}.json"))).unwrap(),
    )
    .unwrap();
    let zh = r.zip_sha();
    assert_eq!(version["archives"][platform()]["url"], zip_name());
    assert_eq!(
        version["archives"][platform()]["hashes"],
        serde_json::json!([format!("zh:{zh}")])
    );

    // A self-signed certificate for the IP address 127.0.0.1, trusted
    // through SSL_CERT_FILE.
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let ca_file = r.root.join("mirror-cert.pem");
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    // A copy of the mirror whose <version>.json lists a wrong zh: hash.
    let bad = r.root.join("bad-mirror");
    let bad_dir = bad.join("registry.terraform.io/anypoint-platform/anypoint");
    std::fs::create_dir_all(&bad_dir).unwrap();
    for f in ["index.json".to_owned(), zip_name()] {
        std::fs::copy(dir.join(&f), bad_dir.join(&f)).unwrap();
    }
    let listed = std::fs::read_to_string(dir.join(format!("{VERSION}.json"))).unwrap();
    std::fs::write(
        bad_dir.join(format!("{VERSION}.json")),
        listed.replace(&zh, &"0".repeat(64)),
    )
    .unwrap();
    let server = MirrorServer::start(
        r.root.clone(),
        cert.cert.der().to_vec(),
        cert.signing_key.serialize_der(),
    );

    let tf = tf_dir_installing(
        "terraform {\n  required_providers {\n    anypoint = {\n      source = \"anypoint-platform/anypoint\"\n    }\n  }\n}\n",
        &format!(
            "  network_mirror {{\n    url     = \"https://127.0.0.1:{}/net-mirror/\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
            server.port
        ),
    );
    let init = run_tf(
        &tf,
        &["init", "-no-color", "-input=false"],
        &[("SSL_CERT_FILE", &ca_file)],
    );
    init.assert_ok();
    let requests = server.requests.lock().unwrap().clone();
    let base = "/net-mirror/registry.terraform.io/anypoint-platform/anypoint";
    for want in [
        format!("GET {base}/index.json"),
        format!("GET {base}/{VERSION}.json"),
        format!("GET {base}/{}", zip_name()),
    ] {
        assert!(requests.contains(&want), "{want} in {requests:?}");
    }
    // A mirror's hashes are not signed, so Terraform records only the h1:
    // of what it unpacked; it checked the zip against the mirror's zh: (a
    // wrong one is refused below).
    assert_eq!(
        lock_hashes(&tf),
        vec![h1_of_single_file(
            &format!("{NAME}_v{VERSION}"),
            &r.binary()
        )]
    );
    let installed = tf
        .work()
        .join(".terraform/providers/registry.terraform.io/anypoint-platform/anypoint")
        .join(VERSION)
        .join(platform())
        .join(format!("{NAME}_v{VERSION}"));
    assert_eq!(std::fs::read(&installed).unwrap(), r.binary());

    // A zip that does not match the mirror's zh: hash is refused.
    let tf_bad = tf_dir_installing(
        "terraform {\n  required_providers {\n    anypoint = {\n      source = \"anypoint-platform/anypoint\"\n    }\n  }\n}\n",
        &format!(
            "  network_mirror {{\n    url     = \"https://127.0.0.1:{}/bad-mirror/\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
            server.port
        ),
    );
    let refused = run_tf(
        &tf_bad,
        &["init", "-no-color", "-input=false"],
        &[("SSL_CERT_FILE", &ca_file)],
    );
    assert_ne!(refused.code, 0, "{}", refused.all());
    assert!(
        one_line(&refused.all()).contains("checksum"),
        "{}",
        refused.all()
    );

    // Without the certificate trusted, Terraform refuses the mirror.
    let tf2 = tf_dir_installing(
        "terraform {\n  required_providers {\n    anypoint = {\n      source = \"anypoint-platform/anypoint\"\n    }\n  }\n}\n",
        &format!(
            "  network_mirror {{\n    url     = \"https://127.0.0.1:{}/net-mirror/\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
            server.port
        ),
    );
    let untrusted = run_tf(
        &tf2,
        &["init", "-no-color", "-input=false"],
        &[("SSL_CERT_FILE", &r.root.join("no-such-bundle.pem"))],
    );
    assert_ne!(untrusted.code, 0, "{}", untrusted.all());
    assert!(
        untrusted.all().contains("x509") || untrusted.all().contains("certificate"),
        "{}",
        untrusted.all()
    );
}

#[test]
fn installs_from_a_registry_that_serves_the_signed_release() {
    let r = release();
    let zh = r.zip_sha();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let ca_file = r.root.join("registry-cert.pem");
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    let site = r.root.join("registry");
    std::fs::create_dir_all(&site).unwrap();
    let server = MirrorServer::start(
        site.clone(),
        cert.cert.der().to_vec(),
        cert.signing_key.serialize_der(),
    );
    let host = format!("127.0.0.1:{}", server.port);

    // The Provider Registry Protocol as static files: service discovery,
    // the version list, and the download answer for this platform with the
    // release's SHA256SUMS, signature and public key.
    let write = |rel: &str, body: &[u8]| {
        let p = site.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    };
    write(
        ".well-known/terraform.json",
        br#"{"providers.v1":"/v1/providers/"}"#,
    );
    let (os, arch) = platform()
        .split_once('_')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    write(
        "v1/providers/anypoint-platform/anypoint/versions",
        serde_json::json!({"versions": [{"version": VERSION, "protocols": ["6.0"],
            "platforms": [{"os": os, "arch": arch}]}]})
        .to_string()
        .as_bytes(),
    );
    let armor = run_ok(
        gpg(&r.gnupg)
            .args(["--armor", "--export"])
            .arg(&r.fingerprint),
    );
    let key_id = r.fingerprint[r.fingerprint.len() - 16..].to_owned();
    let sums = format!("{NAME}_{VERSION}_SHA256SUMS");
    let files = format!("https://{host}/files");
    write(
        &format!("v1/providers/anypoint-platform/anypoint/{VERSION}/download/{os}/{arch}"),
        serde_json::json!({
            "protocols": ["6.0"], "os": os, "arch": arch,
            "filename": zip_name(),
            "download_url": format!("{files}/{}", zip_name()),
            "shasums_url": format!("{files}/{sums}"),
            "shasums_signature_url": format!("{files}/{sums}.sig"),
            "shasum": zh,
            "signing_keys": {"gpg_public_keys": [{"key_id": key_id, "ascii_armor": armor}]},
        })
        .to_string()
        .as_bytes(),
    );
    for f in [zip_name(), sums.clone(), format!("{sums}.sig")] {
        write(
            &format!("files/{f}"),
            &std::fs::read(r.dist().join(&f)).unwrap(),
        );
    }

    let tf = TfDir::new(&format!(
        "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"{host}/anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n"
    ));
    std::fs::write(&tf.cli_config, "").unwrap();
    let init = run_tf(
        &tf,
        &["init", "-no-color", "-input=false"],
        &[("SSL_CERT_FILE", &ca_file)],
    );
    init.assert_ok();
    // Terraform checked the signature with the key the registry gave.
    assert!(
        one_line(&init.all()).contains(&format!("(self-signed, key ID {})", key_id.to_uppercase())),
        "{}",
        init.all()
    );
    // A signed source: the lock records the zip's SHA-256 from SHA256SUMS
    // (zh:) next to the h1: of the unpacked package.
    let lock = std::fs::read_to_string(tf.work().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains(&format!("provider \"{host}/anypoint-platform/anypoint\"")),
        "{lock}"
    );
    let hashes = lock_hashes(&tf);
    assert!(hashes.contains(&format!("zh:{zh}")), "{hashes:?}");
    assert!(
        hashes.contains(&h1_of_single_file(
            &format!("{NAME}_v{VERSION}"),
            &r.binary()
        )),
        "{hashes:?}"
    );
    // One zh: for every line of SHA256SUMS (Terraform takes them all).
    let mut zh_recorded: Vec<String> = hashes
        .iter()
        .filter_map(|h| h.strip_prefix("zh:"))
        .map(str::to_owned)
        .collect();
    let mut zh_listed: Vec<String> = std::fs::read_to_string(r.sums())
        .unwrap()
        .lines()
        .map(|l| l[..64].to_owned())
        .collect();
    zh_recorded.sort();
    zh_listed.sort();
    assert_eq!(zh_recorded, zh_listed);

    // A signature by another key is refused.
    let other = r.root.join("other-gnupg");
    let _ = std::fs::remove_dir_all(&other);
    std::fs::create_dir_all(&other).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    run_ok(gpg(&other).args([
        "--passphrase",
        "",
        "--quick-gen-key",
        "Someone Else <someone-else@example.invalid>",
        "ed25519",
        "sign",
        "never",
    ]));
    run_ok(
        gpg(&other)
            .args(["--yes", "--detach-sign", "--output"])
            .arg(site.join(format!("files/{sums}.sig")))
            .arg(r.sums()),
    );
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &other)
        .args(["--kill", "all"])
        .status();
    let tf2 = TfDir::new(&format!(
        "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"{host}/anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n"
    ));
    std::fs::write(&tf2.cli_config, "").unwrap();
    let refused = run_tf(
        &tf2,
        &["init", "-no-color", "-input=false"],
        &[("SSL_CERT_FILE", &ca_file)],
    );
    assert_ne!(refused.code, 0, "{}", refused.all());
    assert!(
        one_line(&refused.all())
            .to_lowercase()
            .contains("signature"),
        "{}",
        refused.all()
    );
}
