//! The release installed from the network-mirror layout over HTTPS.

use super::*;

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
