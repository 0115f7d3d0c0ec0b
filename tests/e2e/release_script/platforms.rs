//! Every platform of a release and the emulator beside the provider: the
//! stand-ins given with `--prebuilt` and the host's build reach the zips,
//! SHA256SUMS, the signature and the mirrors; lock files for every platform
//! come from either mirror; a packed mirror holding the whole of dist/
//! (emulator zips and all) still installs; the emulator in its zip runs.

use super::*;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn prebuilt_platforms_and_the_emulator_are_zipped_summed_signed_and_mirrored() {
    let r = release();
    assert_eq!(
        r.standins.len(),
        2,
        "two stand-in platforms besides the host"
    );

    // SHA256SUMS: both zips of every platform, and the manifest; nothing else.
    let listed: BTreeSet<String> = r.listed().into_iter().map(|(f, _)| f).collect();
    let mut want: BTreeSet<String> = BTreeSet::new();
    for p in r.platforms() {
        want.insert(provider_zip_name(&p));
        want.insert(emulator_zip_name(&p));
    }
    want.insert(format!("{NAME}_{VERSION}_manifest.json"));
    assert_eq!(listed, want);
    run_ok(
        Command::new("sha256sum")
            .args(["--check", "--strict"])
            .arg(r.sums())
            .current_dir(r.dist()),
    );
    let sig = r.dist().join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"));
    run_ok(gpg(&r.gnupg).arg("--verify").arg(&sig).arg(r.sums()));

    // Each zip holds its one binary under the name Terraform and users expect.
    for p in r.platforms() {
        for (zip, inner) in [
            (provider_zip_name(&p), provider_inner_name(&p)),
            (emulator_zip_name(&p), emulator_inner_name(&p)),
        ] {
            let listing = run_ok(Command::new("unzip").arg("-Z1").arg(r.dist().join(&zip)));
            assert_eq!(listing.trim(), inner, "{zip}");
        }
    }
    for p in &r.standins {
        assert_eq!(
            unzip_file(
                &r.dist().join(provider_zip_name(p)),
                &provider_inner_name(p)
            ),
            standin_bytes(p, NAME),
            "{p}: the provider zip holds the prebuilt binary"
        );
        assert_eq!(
            unzip_file(
                &r.dist().join(emulator_zip_name(p)),
                &emulator_inner_name(p)
            ),
            standin_bytes(p, EMULATOR),
            "{p}: the emulator zip holds the prebuilt emulator"
        );
    }
    assert!(
        r.standins.iter().any(|p| exe(p) == ".exe"),
        "a Windows stand-in covers the .exe names"
    );

    // The network mirror lists every platform's provider zip with its zh:
    // hash; neither mirror carries the emulator.
    let dir = r
        .net_mirror()
        .join("registry.terraform.io/anypoint-platform/anypoint");
    let version: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{VERSION}.json"))).unwrap(),
    )
    .unwrap();
    let archives = version["archives"].as_object().unwrap();
    let keys: BTreeSet<String> = archives.keys().cloned().collect();
    assert_eq!(keys, r.platforms().into_iter().collect::<BTreeSet<_>>());
    for p in r.platforms() {
        let zip = provider_zip_name(&p);
        assert_eq!(archives[&p]["url"], zip.as_str());
        assert_eq!(
            archives[&p]["hashes"],
            serde_json::json!([format!("zh:{}", r.listed_sha(&zip))])
        );
        assert!(dir.join(&zip).is_file());
        assert!(
            r.fs_mirror()
                .join("registry.terraform.io/anypoint-platform/anypoint")
                .join(&zip)
                .is_file(),
            "{zip} in the filesystem mirror"
        );
    }
    for mirror in [r.net_mirror(), r.fs_mirror()] {
        let d = mirror.join("registry.terraform.io/anypoint-platform/anypoint");
        let strays: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(EMULATOR))
            .collect();
        assert!(strays.is_empty(), "{}: {strays:?}", d.display());
    }
}

/// The h1: hash Terraform records for a platform's package.
fn h1_of(r: &Release, p: &str) -> String {
    let bytes = unzip_file(
        &r.dist().join(provider_zip_name(p)),
        &provider_inner_name(p),
    );
    h1_of_single_file(&provider_inner_name(p), &bytes)
}

const REQUIRED: &str =
    "terraform {\n  required_providers {\n    anypoint = {\n      source = \"anypoint-platform/anypoint\"\n    }\n  }\n}\n";

#[test]
fn providers_lock_records_every_platform_from_either_mirror() {
    let r = release();
    let platforms: Vec<String> = r
        .platforms()
        .iter()
        .map(|p| format!("-platform={p}"))
        .collect();
    let want: BTreeSet<String> = r.platforms().iter().map(|p| h1_of(r, p)).collect();
    assert_eq!(want.len(), 3, "three different packages");

    // From the packed filesystem mirror the script wrote.
    let tf = TfDir::new(REQUIRED);
    std::fs::write(&tf.cli_config, "").unwrap();
    let fs_mirror = format!("-fs-mirror={}", r.fs_mirror().display());
    let mut args = vec!["providers", "lock", fs_mirror.as_str()];
    args.extend(platforms.iter().map(String::as_str));
    run_tf(&tf, &args, &[]).assert_ok();
    let got: BTreeSet<String> = lock_hashes(&tf).into_iter().collect();
    assert_eq!(got, want, "one h1: per platform from the filesystem mirror");

    // From the network mirror over HTTPS.
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let ca_file = r.root.join("lock-mirror-cert.pem");
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    let server = MirrorServer::start(
        r.root.clone(),
        cert.cert.der().to_vec(),
        cert.signing_key.serialize_der(),
    );
    let tf = TfDir::new(REQUIRED);
    std::fs::write(&tf.cli_config, "").unwrap();
    let net_mirror = format!("-net-mirror=https://127.0.0.1:{}/net-mirror/", server.port);
    let mut args = vec!["providers", "lock", net_mirror.as_str()];
    args.extend(platforms.iter().map(String::as_str));
    run_tf(&tf, &args, &[("SSL_CERT_FILE", &ca_file)]).assert_ok();
    let got: BTreeSet<String> = lock_hashes(&tf).into_iter().collect();
    assert_eq!(got, want, "one h1: per platform from the network mirror");
    let requests = server.requests.lock().unwrap().clone();
    for p in r.platforms() {
        let want = format!(
            "GET /net-mirror/registry.terraform.io/anypoint-platform/anypoint/{}",
            provider_zip_name(&p)
        );
        assert!(requests.contains(&want), "{want} in {requests:?}");
    }

    // Init from the filesystem mirror with that lock file: the host's
    // package matches its recorded h1:.
    let tf2 = tf_dir_installing(
        REQUIRED,
        &format!(
            "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
            r.fs_mirror().display()
        ),
    );
    std::fs::copy(
        tf.work().join(".terraform.lock.hcl"),
        tf2.work().join(".terraform.lock.hcl"),
    )
    .unwrap();
    run_tf(&tf2, &["init", "-no-color", "-input=false"], &[]).assert_ok();
}

#[test]
fn a_packed_mirror_holding_all_of_dist_still_installs() {
    // Terraform takes only terraform-provider-anypoint_<version>_<os>_<arch>.zip
    // from a packed mirror; the emulator's zips, SHA256SUMS, its signature
    // and the manifest beside them are ignored.
    let r = release();
    let mirror = r.root.join("whole-dist-mirror");
    let dir = mirror.join("registry.terraform.io/anypoint-platform/anypoint");
    std::fs::create_dir_all(&dir).unwrap();
    let mut copied = 0;
    for entry in std::fs::read_dir(r.dist()).unwrap().flatten() {
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        copied += 1;
    }
    assert!(
        copied >= 9,
        "zips, sums, signature and manifest copied: {copied}"
    );
    let tf = tf_dir_installing(
        REQUIRED,
        &format!(
            "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
            mirror.display()
        ),
    );
    let init = run_tf(&tf, &["init", "-no-color", "-input=false"], &[]);
    init.assert_ok();
    assert_eq!(lock_hashes(&tf), vec![h1_of(r, &platform())]);
}

/// One HTTP/1.1 request on loopback: (status, body).
fn http(url: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let addr = url.strip_prefix("http://").expect("an http:// URL");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // Size lines and chunks, alternating, until the empty last chunk.
        let mut out = String::new();
        let mut lines = rest.split("\r\n");
        while let Some(size) = lines.next() {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(lines.next().unwrap_or(""));
        }
        out
    } else {
        rest.to_owned()
    };
    (status, body)
}

#[test]
fn the_emulator_from_its_release_zip_serves_the_api_and_its_admin_routes() {
    let r = release();
    let dir = r.root.join("emulator-from-zip");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    run_ok(
        Command::new("unzip")
            .args(["-o", "-q"])
            .arg(r.dist().join(emulator_zip_name(&platform())))
            .arg("-d")
            .arg(&dir),
    );
    let url_file = dir.join("emulator.url");
    let mut child = Command::new(dir.join(emulator_inner_name(&platform())))
        .args(["--listen", "127.0.0.1:0", "--admin", "--url-file"])
        .arg(&url_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator from the zip starts");
    let pid = child.id();
    // The first line of its output is the URL; the URL file is written first.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(std::fs::read_to_string(&url_file).unwrap().trim(), url);

    // The API: a token for the default Connected App.
    let (status, body) = http(
        &url,
        "POST",
        "/accounts/api/v2/oauth2/token",
        r#"{"grant_type": "client_credentials", "client_id": "emulator-client-id", "client_secret": "emulator-client-secret"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("access_token"), "{body}");
    // The admin routes: create an application behind Terraform's back, list it.
    let (status, body) = http(
        &url,
        "POST",
        "/_emulator/applications",
        r#"{"name": "made-in-ci"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = http(&url, "GET", "/_emulator/applications", "");
    assert_eq!(status, 200, "{body}");
    let apps: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(apps.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(apps[0]["name"], "made-in-ci");

    // SIGTERM stops it cleanly (what a CI job does at the end); a stuck
    // emulator fails the test instead of hanging it.
    // SAFETY: kill with a pid we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let Ok(status) = rx.recv_timeout(Duration::from_secs(30)) else {
        // SAFETY: as above; the waiting thread reaps it.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        panic!("the emulator did not exit within 30 s of SIGTERM");
    };
    let status = status.unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status}");
}

/// scripts/release.sh with the given arguments, unsigned, building nothing
/// unless asked: (success, stdout and stderr).
fn release_sh(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"))
        .args(args)
        .env("RELEASE_TARGETS", "")
        .env_remove("GPG_FINGERPRINT")
        .env_remove("GPG_KEY_ID")
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/release.sh");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn with_no_build_the_script_packages_only_the_prebuilt_binaries() {
    // The workflow's path: binaries from other runners, nothing built here.
    let dir = tempfile::tempdir().unwrap();
    let prebuilt = dir.path().join("prebuilt");
    for p in ["darwin_amd64", "windows_amd64"] {
        let d = prebuilt.join(p);
        std::fs::create_dir_all(&d).unwrap();
        for b in [NAME, EMULATOR] {
            std::fs::write(d.join(format!("{b}{}", exe(p))), standin_bytes(p, b)).unwrap();
        }
    }
    let dist = dir.path().join("dist");
    let (ok, out) = release_sh(&[
        "--no-build".as_ref(),
        "--no-sign".as_ref(),
        "--prebuilt".as_ref(),
        prebuilt.as_os_str(),
        "--dist".as_ref(),
        dist.as_os_str(),
    ]);
    assert!(ok, "{out}");
    assert!(!out.contains("Building"), "nothing is built:\n{out}");
    let mut files: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            emulator_zip_name("darwin_amd64"),
            emulator_zip_name("windows_amd64"),
            format!("{NAME}_{VERSION}_SHA256SUMS"),
            provider_zip_name("darwin_amd64"),
            format!("{NAME}_{VERSION}_manifest.json"),
            provider_zip_name("windows_amd64"),
        ]
    );
    assert_eq!(
        unzip_file(
            &dist.join(provider_zip_name("windows_amd64")),
            &provider_inner_name("windows_amd64")
        ),
        standin_bytes("windows_amd64", NAME)
    );
    run_ok(
        Command::new("sha256sum")
            .args(["--check", "--strict"])
            .arg(dist.join(format!("{NAME}_{VERSION}_SHA256SUMS")))
            .current_dir(&dist),
    );
}

#[test]
fn the_script_refuses_incomplete_prebuilt_platforms_and_an_empty_no_build() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    // A platform without its emulator.
    let prebuilt = dir.path().join("prebuilt");
    let d = prebuilt.join("darwin_arm64");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(NAME), standin_bytes("darwin_arm64", NAME)).unwrap();
    let (ok, out) = release_sh(&[
        "--no-build".as_ref(),
        "--no-sign".as_ref(),
        "--prebuilt".as_ref(),
        prebuilt.as_os_str(),
        "--dist".as_ref(),
        dist.as_os_str(),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("has no anypoint-emulator"), "{out}");
    // A Windows platform whose binaries lack .exe.
    let prebuilt = dir.path().join("prebuilt-windows");
    let d = prebuilt.join("windows_amd64");
    std::fs::create_dir_all(&d).unwrap();
    for b in [NAME, EMULATOR] {
        std::fs::write(d.join(b), standin_bytes("windows_amd64", b)).unwrap();
    }
    let (ok, out) = release_sh(&[
        "--no-build".as_ref(),
        "--no-sign".as_ref(),
        "--prebuilt".as_ref(),
        prebuilt.as_os_str(),
        "--dist".as_ref(),
        dist.as_os_str(),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("has no {NAME}.exe")), "{out}");
    // Nothing to package at all.
    let (ok, out) = release_sh(&[
        "--no-build".as_ref(),
        "--no-sign".as_ref(),
        "--dist".as_ref(),
        dist.as_os_str(),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("nothing to package"), "{out}");
    assert!(
        !dist.join(provider_zip_name("darwin_arm64")).exists(),
        "no zip from a refused run"
    );
}

#[test]
fn the_lock_hint_after_a_mirror_init_asks_the_public_registry() {
    // What docs/guides/installation.md warns about: after an init from a
    // mirror Terraform suggests `terraform providers lock -platform=…`,
    // which ignores the mirror and asks registry.terraform.io. The request
    // goes to a closed port on loopback through HTTPS_PROXY, so the test
    // never leaves the machine.
    let r = release();
    let tf = tf_dir_installing(
        REQUIRED,
        &format!(
            "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}",
            r.fs_mirror().display()
        ),
    );
    let init = run_tf(&tf, &["init", "-no-color", "-input=false"], &[]);
    init.assert_ok();
    let said = one_line(&init.all());
    assert!(
        said.contains("Incomplete lock file information for providers"),
        "{said}"
    );
    let hint = format!("terraform providers lock -platform={}", platform());
    assert!(said.contains(&hint), "{said}");

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let proxy = PathBuf::from(format!("http://127.0.0.1:{closed}"));
    let other = format!("-platform={}", r.standins[0]);
    let mut cmd = tf.command(&["providers", "lock", "-no-color", other.as_str()]);
    cmd.env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("TF_PLUGIN_CACHE_DIR");
    let out = TfOutput::from(cmd.output().unwrap());
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        one_line(&out.all()).contains("registry.terraform.io"),
        "{}",
        out.all()
    );
}
