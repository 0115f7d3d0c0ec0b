//! `scripts/release.sh` end to end: the artifacts it writes are checked
//! (SHA256SUMS, the detached GPG signature, the archives' contents, the
//! manifest, the emulator's zips beside the provider's), then installed the
//! way users install them, with no `dev_overrides`: from a filesystem mirror
//! (then `apply` against the emulator), from the network-mirror layout served
//! over HTTPS on loopback, and from a registry that checks the signature.
//!
//! Besides the host platform, which the script builds, it packages two
//! stand-in binaries for other platforms given with `--prebuilt` (the path
//! the release workflow takes with the binaries its runners built): they
//! must reach the zips, SHA256SUMS, the signature, the mirrors and the lock
//! files like the host's.
//!
//! The release build runs once per test run (the tests share it) and reuses
//! whatever `cargo build --release` already built in the same target dir.

mod filesystem;
mod network;
mod platforms;
mod registry;
mod server;
mod signing_key;

use server::MirrorServer;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use crate::support::*;
use base64::Engine;

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

const EMULATOR: &str = "anypoint-emulator";

/// The platforms given to the script as prebuilt stand-ins: two that are not
/// the host, one of them Windows (whose files end in `.exe`).
fn standin_platforms() -> Vec<String> {
    ["windows_amd64", "darwin_arm64", "freebsd_amd64"]
        .iter()
        .map(|p| p.to_string())
        .filter(|p| *p != platform())
        .take(2)
        .collect()
}

fn exe(platform: &str) -> &'static str {
    if platform.starts_with("windows_") {
        ".exe"
    } else {
        ""
    }
}

/// What a stand-in binary holds: different for every platform and binary.
fn standin_bytes(platform: &str, binary: &str) -> Vec<u8> {
    format!("#!/bin/sh\n# stand-in {binary} for {platform}\nexit 1\n").into_bytes()
}

/// The provider's zip for a platform, and the name of the binary in it.
fn provider_zip_name(platform: &str) -> String {
    format!("{NAME}_{VERSION}_{platform}.zip")
}
fn provider_inner_name(platform: &str) -> String {
    format!("{NAME}_v{VERSION}{}", exe(platform))
}

/// The emulator's zip for a platform, and the name of the binary in it.
fn emulator_zip_name(platform: &str) -> String {
    format!("{EMULATOR}_{VERSION}_{platform}.zip")
}
fn emulator_inner_name(platform: &str) -> String {
    format!("{EMULATOR}{}", exe(platform))
}

/// The one file a zip holds, by name.
fn unzip_file(zip: &Path, inner: &str) -> Vec<u8> {
    let out = Command::new("unzip")
        .arg("-p")
        .arg(zip)
        .arg(inner)
        .output()
        .unwrap();
    assert!(out.status.success(), "{} holds {inner}", zip.display());
    out.stdout
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
    /// The platforms given as prebuilt stand-ins.
    standins: Vec<String>,
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
    /// The host's platform and the stand-ins'.
    fn platforms(&self) -> Vec<String> {
        let mut all = vec![platform()];
        all.extend(self.standins.iter().cloned());
        all
    }
    /// SHA256SUMS as (file name, hex SHA-256) pairs.
    fn listed(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.sums())
            .unwrap()
            .lines()
            .map(|l| {
                let (sha, file) = l.split_once("  ").expect("sha256sum line");
                (file.to_owned(), sha.to_owned())
            })
            .collect()
    }
    /// The SHA-256 SHA256SUMS lists for a file of dist/.
    fn listed_sha(&self, file: &str) -> String {
        self.listed()
            .into_iter()
            .find(|(f, _)| f == file)
            .unwrap_or_else(|| panic!("SHA256SUMS lists {file}"))
            .1
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
        unzip_file(&self.zip(), &provider_inner_name(&platform()))
    }
}

fn gpg(home: &Path) -> Command {
    let mut c = Command::new("gpg");
    c.env("GNUPGHOME", home).arg("--batch");
    c
}

/// Make the throwaway signing key. gpg starts its agent on demand and gives
/// up when the agent is slow to answer (seen on a loaded 2-core machine:
/// "can't connect to the agent: IPC connect call failed"), so the agent is
/// launched first and a key generation that found no agent is tried again,
/// at most three times.
fn generate_key(gnupg: &Path) {
    let mut last = String::new();
    for _ in 0..3 {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", gnupg)
            .args(["--launch", "gpg-agent"])
            .status();
        let out = gpg(gnupg)
            .args([
                "--passphrase",
                "",
                "--quick-gen-key",
                "Release Test <release-test@example.invalid>",
                "ed25519",
                "sign",
                "never",
            ])
            .output()
            .expect("run gpg");
        if out.status.success() {
            return;
        }
        last = String::from_utf8_lossy(&out.stderr).into_owned();
        if !last.contains("agent") {
            break;
        }
    }
    panic!("gpg could not make the test key:\n{last}");
}

/// Run scripts/release.sh once for this test binary, with a throwaway key.
fn release() -> &'static Release {
    static RELEASE: OnceLock<Release> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release_script");
        let _ = std::fs::remove_dir_all(&root);
        let gnupg = root.join("gnupg");
        std::fs::create_dir_all(&gnupg).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        generate_key(&gnupg);
        let listing = run_ok(gpg(&gnupg).args(["--with-colons", "--list-secret-keys"]));
        let fingerprint = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_owned())
            .expect("the new key has a fingerprint");

        // Stand-ins for binaries built elsewhere: <dir>/<os>_<arch>/ with both.
        let prebuilt = root.join("prebuilt");
        let standins = standin_platforms();
        for p in &standins {
            let d = prebuilt.join(p);
            std::fs::create_dir_all(&d).unwrap();
            for b in [NAME, EMULATOR] {
                std::fs::write(d.join(format!("{b}{}", exe(p))), standin_bytes(p, b)).unwrap();
            }
        }

        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let r = Release {
            root,
            gnupg,
            fingerprint,
            standins,
        };
        let out = Command::new("bash")
            .arg(manifest_dir.join("scripts/release.sh"))
            .arg("--dist")
            .arg(r.dist())
            .arg("--prebuilt")
            .arg(&prebuilt)
            .arg("--network-mirror")
            .arg(r.net_mirror())
            .arg("--filesystem-mirror")
            .arg(r.fs_mirror())
            .env("GNUPGHOME", &r.gnupg)
            .env("GPG_FINGERPRINT", &r.fingerprint)
            .env_remove("GPG_KEY_ID")
            .env_remove("GPG_PASSPHRASE")
            // Only the host is built, whatever Rust targets this machine has.
            .env("RELEASE_TARGETS", "")
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
