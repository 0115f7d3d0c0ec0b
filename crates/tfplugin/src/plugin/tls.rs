//! go-plugin AutoMTLS: a fresh self-signed server certificate per process,
//! and a client-certificate verifier pinned to the exact certificate that
//! Terraform passed in `PLUGIN_CLIENT_CERT`.
//!
//! rustls' stock WebPKI verifier rejects Terraform's client certificate (it is
//! a CA certificate used as an end entity), and tonic's TLS cannot pin, so we
//! build the rustls configuration ourselves. The aws-lc-rs provider matters:
//! Terraform's certificate uses P-521, which ring cannot verify.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// The server's certificate (DER) and the TLS configuration serving it.
pub struct ServerTls {
    pub cert_der: Vec<u8>,
    pub config: Arc<rustls::ServerConfig>,
}

#[derive(Debug)]
pub enum TlsSetupError {
    BadClientCert(String),
    Certificate(String),
    Config(String),
}

impl std::fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsSetupError::BadClientCert(m) => {
                write!(f, "PLUGIN_CLIENT_CERT is not a usable PEM certificate: {m}")
            }
            TlsSetupError::Certificate(m) => {
                write!(f, "could not create the server certificate: {m}")
            }
            TlsSetupError::Config(m) => write!(f, "could not configure TLS: {m}"),
        }
    }
}

impl std::error::Error for TlsSetupError {}

/// Accepts exactly one client certificate, byte for byte.
#[derive(Debug)]
pub struct PinnedClientCert {
    pinned: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl PinnedClientCert {
    pub fn new(pinned_der: Vec<u8>, provider: Arc<CryptoProvider>) -> Self {
        PinnedClientCert {
            pinned: pinned_der,
            provider,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_slice() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Parse the first certificate of a PEM text.
pub fn pem_to_der(pem: &str) -> Result<Vec<u8>, TlsSetupError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|c| c.as_ref().to_vec())
        .map_err(|e| TlsSetupError::BadClientCert(format!("{e:?}")))
}

/// A self-signed certificate for `localhost` shaped like go-plugin's own
/// (CA, server and client auth), valid from 30 s ago for one year.
pub fn self_signed() -> Result<(Vec<u8>, Vec<u8>), TlsSetupError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    };
    let err = |e: rcgen::Error| TlsSetupError::Certificate(e.to_string());
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "tfplugin");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(365);
    let cert = params.self_signed(&key).map_err(err)?;
    Ok((cert.der().as_ref().to_vec(), key.serialize_der()))
}

/// TLS for the plugin server: our certificate, ALPN h2, and the client
/// certificate pinned to `client_cert_pem`.
pub fn server_config(client_cert_pem: &str) -> Result<ServerTls, TlsSetupError> {
    let pinned = pem_to_der(client_cert_pem)?;
    let (cert_der, key_der) = self_signed()?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedClientCert::new(pinned, provider.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Config(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der)),
        )
        .map_err(|e| TlsSetupError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(ServerTls {
        cert_der,
        config: Arc::new(config),
    })
}
