//! The plugin runtime as a process: handshake, AutoMTLS pinning, shutdown,
//! health, StopProvider, debug mode.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::support::*;
use base64::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tfplugin::proto::goplugin::grpc_controller_client::GrpcControllerClient;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;

#[test]
fn run_by_hand_prints_human_message_and_exits_1() {
    let out = Command::new(provider_bin())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("This binary is a plugin"), "{err}");
}

#[test]
fn refuses_hosts_without_protocol_6() {
    let out = Command::new(provider_bin())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol version 6"));
}

#[test]
fn version_flag() {
    let out = Command::new(provider_bin())
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("terraform-provider-anypoint {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn plaintext_handshake_binds_inside_the_port_range() {
    // Find a free port, then ask for exactly that one.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = PluginProcess::start(&[
        ("PLUGIN_MIN_PORT", &port.to_string()),
        ("PLUGIN_MAX_PORT", &port.to_string()),
    ]);
    assert_eq!(p.addr.port(), port);
    assert!(p.addr.ip().is_loopback());
    assert!(p.handshake.starts_with("1|6|tcp|127.0.0.1:"));
    assert!(
        p.handshake.ends_with("|grpc|"),
        "no certificate without AutoMTLS: {}",
        p.handshake
    );
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn channel(p: &PluginProcess) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(format!("http://{}", p.addr))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

#[test]
fn shutdown_exits_cleanly_and_stop_provider_keeps_serving() {
    let mut p = PluginProcess::start(&[]);
    rt().block_on(async {
        let ch = channel(&p).await;
        // Health reports "plugin" as serving.
        let mut health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
        let st = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: "plugin".into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            st.status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );

        let mut prov = ProviderClient::new(ch.clone());
        let schema = prov
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap()
            .into_inner();
        let caps = schema.server_capabilities.unwrap();
        assert!(caps.plan_destroy && caps.get_provider_schema_optional);
        let attrs: Vec<String> = schema
            .provider
            .unwrap()
            .block
            .unwrap()
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect();
        for a in [
            "client_id",
            "client_secret",
            "control_plane",
            "base_url",
            "org_id",
            "max_retries",
            "timeout_seconds",
        ] {
            assert!(attrs.contains(&a.to_string()), "{a} in {attrs:?}");
        }

        // StopProvider cancels work but does not stop the server.
        let stop = prov
            .stop_provider(pb::stop_provider::Request {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stop.error, "");
        prov.get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap();

        let mut ctl = GrpcControllerClient::new(ch);
        ctl.shutdown(tfplugin::proto::goplugin::Empty {})
            .await
            .unwrap();
    });
    let status = p.wait_exit(10).expect("provider exits after Shutdown");
    assert!(status.success(), "clean exit: {status:?}");
}

fn client_identity() -> (rcgen::CertifiedKey<rcgen::KeyPair>, String) {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    // P-521, like the certificate Terraform (go-plugin) presents.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let pem = cert.pem();
    (
        rcgen::CertifiedKey {
            cert,
            signing_key: key,
        },
        pem,
    )
}

/// A TLS client that trusts exactly the server certificate from the
/// handshake line, optionally presenting a client certificate.
async fn tls_connect(
    p: &PluginProcess,
    client: Option<&rcgen::CertifiedKey<rcgen::KeyPair>>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, std::io::Error> {
    let server_der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&p.cert_b64)
        .expect("certificate in handshake is unpadded base64");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    // Like Go's client with the server certificate as its only root: accept
    // exactly that certificate (webpki would refuse a CA as end entity).
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            der: server_der,
            provider,
        }));
    let mut cfg = match client {
        None => builder.with_no_client_auth(),
        Some(ck) => builder
            .with_client_auth_cert(
                vec![ck.cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der())),
            )
            .unwrap(),
    };
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(p.addr).await?;
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    // TLS 1.3 reports a refused client certificate only after the client's
    // flight: exchange data (the HTTP/2 preface) to see the verdict.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await?;
    tls.flush().await?;
    let mut buf = [0u8; 9];
    tls.read_exact(&mut buf).await?;
    Ok(tls)
}

#[test]
fn automtls_pins_the_hosts_certificate() {
    let (pinned, pem) = client_identity();
    let (other, _) = client_identity();
    let p = PluginProcess::start(&[("PLUGIN_CLIENT_CERT", &pem)]);
    assert!(
        p.cert_b64.len() > 50,
        "AutoMTLS handshake carries our certificate"
    );
    rt().block_on(async {
        let ok = tls_connect(&p, Some(&pinned))
            .await
            .expect("pinned client is accepted");
        let (_, conn) = ok.get_ref();
        assert_eq!(conn.alpn_protocol(), Some(&b"h2"[..]));
        let served = conn.peer_certificates().unwrap()[0].as_ref().to_vec();
        let announced = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&p.cert_b64)
            .unwrap();
        assert_eq!(
            served, announced,
            "the served certificate is the announced one"
        );

        let no_cert = tls_connect(&p, None).await;
        assert!(
            no_cert.is_err(),
            "a client without a certificate is refused"
        );
        let wrong = tls_connect(&p, Some(&other)).await;
        assert!(
            wrong.is_err(),
            "a client with another certificate is refused"
        );
    });
}

#[test]
fn debug_mode_prints_reattach_line() {
    let mut child = Command::new(provider_bin())
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut reattach = None;
    for _ in 0..10 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_owned());
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let json: serde_json::Value = serde_json::from_str(&reattach.expect("reattach line")).unwrap();
    let entry = &json[PROVIDER_SOURCE];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Addr"]["Network"], "tcp");
    assert!(entry["Addr"]["String"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
}

#[derive(Debug)]
struct PinnedServer {
    der: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
