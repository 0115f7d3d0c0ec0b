//! A static HTTPS server on loopback for the mirror and registry tests.

use super::*;

/// A static file server over HTTPS on 127.0.0.1 (HTTP/1.1, one request per
/// connection), recording the paths asked for.
pub(crate) struct MirrorServer {
    pub(crate) port: u16,
    pub(crate) requests: Arc<Mutex<Vec<String>>>,
    // Dropping the runtime ends the accept loop and open connections.
    _runtime: tokio::runtime::Runtime,
}

impl MirrorServer {
    pub(crate) fn start(root: PathBuf, cert_der: Vec<u8>, key_der: Vec<u8>) -> MirrorServer {
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
