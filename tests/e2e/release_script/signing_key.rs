//! The signing-key recipe of docs/guides/installation.md, run as written:
//! it makes an RSA key (what the registries take) with a passphrase, exports
//! the ASCII-armoured public key and the secret key for the workflow's
//! secret; the release workflow's import of that secret then signs a
//! release through scripts/release.sh, and the public key alone verifies it.

use super::*;

/// The ```sh blocks of a section of the installation guide.
fn sh_blocks(section: &str) -> Vec<String> {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/installation.md"),
    )
    .unwrap();
    let start = guide
        .find(&format!("\n## {section}\n"))
        .unwrap_or_else(|| panic!("the guide has a section {section}"));
    let body = &guide[start + 1..];
    let body = &body[..body[3..].find("\n## ").map_or(body.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in body.lines() {
        let t = line.trim_start();
        match &mut current {
            None if t == "```sh" => current = Some(String::new()),
            Some(_) if t == "```" => blocks.push(current.take().unwrap()),
            Some(b) => {
                b.push_str(t);
                b.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn kill_agent(home: &Path) {
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home)
        .args(["--kill", "all"])
        .status();
}

#[test]
fn the_guides_signing_key_recipe_makes_a_key_the_release_workflow_signs_with() {
    let blocks = sh_blocks("Making and publishing the signing key");
    assert!(blocks.len() >= 4, "{blocks:#?}");
    let (generate, export_public, export_secret) = (&blocks[0], &blocks[1], &blocks[3]);
    assert!(generate.contains("Key-Type: RSA"), "{generate}");
    // The secret goes to a file here instead of `gh secret set`.
    let to_secret = " | gh secret set GPG_PRIVATE_KEY\n";
    assert!(export_secret.contains(to_secret), "{export_secret}");
    let export_secret = export_secret
        .replace(to_secret, " > gpg-private-key.asc\n")
        .lines()
        .filter(|l| !l.starts_with("gh secret set GPG_PASSPHRASE"))
        .collect::<Vec<_>>()
        .join("\n");

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let keyring = home.join(".gnupg-anypoint-release");
    let passphrase = "correct horse battery staple";
    let script = format!(
        "set -euo pipefail\n{generate}{export_public}{export_secret}\nprintf '%s\\n' \"$GPG_FINGERPRINT\" > fingerprint\n"
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&work)
        .env("HOME", &home)
        .env_remove("GNUPGHOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The answer to the recipe's `read` prompt.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    kill_agent(&keyring);
    assert!(
        out.status.success(),
        "the recipe failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let fingerprint = std::fs::read_to_string(work.join("fingerprint"))
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(fingerprint.len(), 40, "{fingerprint}");

    // An RSA key of 4096 bits, protected by the passphrase.
    let listing = run_ok(gpg(&keyring).args(["--with-colons", "--list-keys", &fingerprint]));
    let pub_line = listing.lines().find(|l| l.starts_with("pub:")).unwrap();
    let fields: Vec<&str> = pub_line.split(':').collect();
    assert_eq!(
        (fields[2], fields[3]),
        ("4096", "1"),
        "RSA 4096: {pub_line}"
    );
    kill_agent(&keyring);
    let public = std::fs::read_to_string(work.join("anypoint-release-key.asc")).unwrap();
    assert!(
        public.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"),
        "{public}"
    );
    let secret = std::fs::read_to_string(work.join("gpg-private-key.asc")).unwrap();
    assert!(secret.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));

    // The workflow's "Import the signing key" step, in a fresh keyring.
    let ci = dir.path().join("ci-gnupg");
    std::fs::create_dir_all(&ci).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ci, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let mut import = gpg(&ci)
        .arg("--import")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    import
        .stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    let imported = import.wait_with_output().unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    // scripts/release.sh signs with it (passphrase from GPG_PASSPHRASE).
    let prebuilt = dir.path().join("prebuilt/darwin_arm64");
    std::fs::create_dir_all(&prebuilt).unwrap();
    for b in [NAME, EMULATOR] {
        std::fs::write(prebuilt.join(b), standin_bytes("darwin_arm64", b)).unwrap();
    }
    let dist = dir.path().join("dist");
    let sign = |pass: &str| {
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"))
            .arg("--no-build")
            .arg("--prebuilt")
            .arg(prebuilt.parent().unwrap())
            .arg("--dist")
            .arg(&dist)
            .env("GNUPGHOME", &ci)
            .env("GPG_FINGERPRINT", &fingerprint)
            .env("GPG_PASSPHRASE", pass)
            .env("RELEASE_TARGETS", "")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let wrong = sign("not the passphrase");
    assert!(!wrong.status.success(), "a wrong passphrase does not sign");
    let signed = sign(passphrase);
    kill_agent(&ci);
    assert!(
        signed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&signed.stdout),
        String::from_utf8_lossy(&signed.stderr)
    );

    // Anyone with only the published public key verifies the release.
    let verifier = dir.path().join("verifier-gnupg");
    std::fs::create_dir_all(&verifier).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&verifier, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    run_ok(
        gpg(&verifier)
            .arg("--import")
            .arg(work.join("anypoint-release-key.asc")),
    );
    let sums = dist.join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    run_ok(
        gpg(&verifier)
            .arg("--verify")
            .arg(dist.join(format!("{NAME}_{VERSION}_SHA256SUMS.sig")))
            .arg(&sums),
    );
    kill_agent(&verifier);
}
