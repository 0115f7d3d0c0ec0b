//! The release installed from a filesystem mirror, then applied against the emulator.

use super::*;

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
