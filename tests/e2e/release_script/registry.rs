//! The release installed from a registry that checks its signature.

use super::*;

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
    // Every platform of the release, the stand-ins too.
    let os_arch = |p: &str| {
        p.split_once('_')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .unwrap()
    };
    let platforms: Vec<serde_json::Value> = r
        .platforms()
        .iter()
        .map(|p| {
            let (os, arch) = os_arch(p);
            serde_json::json!({"os": os, "arch": arch})
        })
        .collect();
    write(
        "v1/providers/anypoint-platform/anypoint/versions",
        serde_json::json!({"versions": [{"version": VERSION, "protocols": ["6.0"],
            "platforms": platforms}]})
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
    for p in r.platforms() {
        let (os, arch) = os_arch(&p);
        let zip = provider_zip_name(&p);
        write(
            &format!("v1/providers/anypoint-platform/anypoint/{VERSION}/download/{os}/{arch}"),
            serde_json::json!({
                "protocols": ["6.0"], "os": os, "arch": arch,
                "filename": zip,
                "download_url": format!("{files}/{zip}"),
                "shasums_url": format!("{files}/{sums}"),
                "shasums_signature_url": format!("{files}/{sums}.sig"),
                "shasum": r.listed_sha(&zip),
                "signing_keys": {"gpg_public_keys": [{"key_id": key_id, "ascii_armor": armor}]},
            })
            .to_string()
            .as_bytes(),
        );
        write(
            &format!("files/{zip}"),
            &std::fs::read(r.dist().join(&zip)).unwrap(),
        );
    }
    for f in [sums.clone(), format!("{sums}.sig")] {
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
    // One zh: for every line of SHA256SUMS: Terraform takes them all, the
    // other platforms', the emulator zips' and the manifest's too (harmless:
    // no provider package has those hashes).
    let mut zh_recorded: Vec<String> = hashes
        .iter()
        .filter_map(|h| h.strip_prefix("zh:"))
        .map(str::to_owned)
        .collect();
    let mut zh_listed: Vec<String> = r.listed().into_iter().map(|(_, sha)| sha).collect();
    zh_recorded.sort();
    zh_listed.sort();
    assert_eq!(zh_recorded, zh_listed);
    assert!(
        r.listed()
            .iter()
            .any(|(f, _)| f == &emulator_zip_name(&platform())),
        "the emulator's zip is in the signed SHA256SUMS"
    );

    // `terraform providers lock` for every platform: an h1: for each
    // package, next to the zh: values.
    let tf_lock = TfDir::new(&format!(
        "terraform {{\n  required_providers {{\n    anypoint = {{\n      source = \"{host}/anypoint-platform/anypoint\"\n    }}\n  }}\n}}\n"
    ));
    std::fs::write(&tf_lock.cli_config, "").unwrap();
    let platform_args: Vec<String> = r
        .platforms()
        .iter()
        .map(|p| format!("-platform={p}"))
        .collect();
    let mut args = vec!["providers", "lock"];
    args.extend(platform_args.iter().map(String::as_str));
    run_tf(&tf_lock, &args, &[("SSL_CERT_FILE", &ca_file)]).assert_ok();
    let locked = lock_hashes(&tf_lock);
    for p in r.platforms() {
        let zip = provider_zip_name(&p);
        let inner = provider_inner_name(&p);
        let h1 = h1_of_single_file(&inner, &unzip_file(&r.dist().join(&zip), &inner));
        assert!(locked.contains(&h1), "{p}: {h1} in {locked:?}");
    }
    assert_eq!(
        locked.iter().filter(|h| h.starts_with("zh:")).count(),
        zh_listed.len(),
        "{locked:?}"
    );

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
