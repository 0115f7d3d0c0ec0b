//! The plugin runtime: go-plugin handshake, AutoMTLS, the gRPC server and
//! process lifecycle.
//!
//! Terraform starts the provider with `TF_PLUGIN_MAGIC_COOKIE`,
//! `PLUGIN_PROTOCOL_VERSIONS`, a port range and (AutoMTLS) its client
//! certificate; the provider answers with exactly one line on stdout,
//! `1|6|tcp|127.0.0.1:PORT|grpc|<base64 DER of our certificate>`, and then
//! serves gRPC until Terraform calls `plugin.GRPCController/Shutdown`, or
//! until Terraform itself is gone.

pub mod convert;
pub mod grpc;
pub mod logging;
mod names;
pub mod services;
pub mod tls;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use crate::framework::Provider;
use crate::proto::goplugin as gp;
use crate::proto::tfplugin6::provider_server::ProviderServer;
pub use names::Names;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The protocol version we speak (tfplugin6).
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own core protocol version.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The largest message we accept or send, as Terraform's own SDKs allow.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// How often we check that Terraform (our parent) is still alive.
const PARENT_POLL: Duration = Duration::from_millis(250);

/// How the process was started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Started by Terraform (go-plugin handshake).
    Managed,
    /// `--debug`: plaintext on loopback, prints `TF_REATTACH_PROVIDERS`.
    Debug { provider_address: String },
}

/// What the go-plugin environment asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct HandshakeEnv {
    pub client_cert_pem: Option<String>,
    pub min_port: u16,
    pub max_port: u16,
}

/// Check the environment a go-plugin host sets; `Err` carries the message to
/// print on stderr before exiting 1.
pub fn handshake_env(
    names: &Names,
    get: impl Fn(&str) -> Option<String>,
) -> Result<HandshakeEnv, String> {
    if get(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(names.not_a_plugin_message());
    }
    let versions = get("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_default();
    let offered: Vec<&str> = versions.split(',').map(str::trim).collect();
    if !offered.contains(&"6") {
        return Err(format!(
            "{} speaks plugin protocol version 6 only, but the host offered versions \
             {versions:?}. Use Terraform 1.0 or later.",
            names.binary
        ));
    }
    let port = |k: &str| {
        get(k)
            .and_then(|v| v.trim().parse::<u16>().ok())
            .unwrap_or(0)
    };
    let (min_port, max_port) = (port("PLUGIN_MIN_PORT"), port("PLUGIN_MAX_PORT"));
    Ok(HandshakeEnv {
        client_cert_pem: get("PLUGIN_CLIENT_CERT").filter(|c| !c.trim().is_empty()),
        min_port,
        max_port,
    })
}

/// Bind 127.0.0.1 inside `min..=max` (starting at a random port of the range
/// so that concurrent providers rarely collide), or on any port when no range
/// is given.
pub async fn bind_in_range(min: u16, max: u16) -> std::io::Result<TcpListener> {
    if min == 0 || max == 0 || min > max {
        return TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await;
    }
    let span = u32::from(max - min) + 1;
    let start = rand::random::<u32>() % span;
    let mut last_err = None;
    for i in 0..span {
        let port = min + ((start + i) % span) as u16;
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Ok(l) => return Ok(l),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| std::io::Error::other("no port available in range")))
}

/// The handshake line (without newline).
pub fn handshake_line(addr: SocketAddr, cert_der: Option<&[u8]>) -> String {
    let cert = cert_der
        .map(|c| base64::engine::general_purpose::STANDARD_NO_PAD.encode(c))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{addr}|grpc|{cert}")
}

/// The `TF_REATTACH_PROVIDERS` value for debug mode.
pub fn reattach_json(provider_address: &str, addr: SocketAddr, pid: u32) -> String {
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": "tcp", "String": addr.to_string()},
        }
    })
    .to_string()
}

/// An accepted connection, plaintext or TLS.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }
    fn is_write_vectored(&self) -> bool {
        match self {
            Conn::Plain(s) => s.is_write_vectored(),
            Conn::Tls(s) => s.is_write_vectored(),
        }
    }
}

/// Accept connections until `shutdown`: set TCP_NODELAY on each (without it
/// every RPC stalls ~40 ms on Nagle + delayed ACK) and do TLS handshakes in
/// their own tasks so one bad peer cannot stall the rest.
fn spawn_acceptor(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: CancellationToken,
) -> tokio_stream::wrappers::ReceiverStream<Result<Conn, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                a = listener.accept() => a,
            };
            let (stream, peer) = match accepted {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            match &tls {
                None => {
                    if tx.send(Ok(Conn::Plain(stream))).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(s)) => {
                                let _ = tx.send(Ok(Conn::Tls(Box::new(s)))).await;
                            }
                            Ok(Err(e)) => {
                                tracing::warn!(peer = %peer, error = %e, "Refused a TLS connection")
                            }
                            Err(_) => tracing::warn!(peer = %peer, "TLS handshake timed out"),
                        }
                    });
                }
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// Exit when our parent process (Terraform) is gone: it was killed or crashed
/// without calling Shutdown, and nobody will ever talk to us again. (Unix
/// only: elsewhere std cannot tell the parent, and Terraform's plugin client
/// ends its plugins itself.)
#[cfg(unix)]
fn spawn_parent_watch() {
    let parent = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PARENT_POLL).await;
            let now = std::os::unix::process::parent_id();
            if now != parent {
                tracing::warn!(
                    parent,
                    "The plugin host exited without shutting the provider down; exiting"
                );
                // Nothing can be delivered to a host that is gone; in-flight
                // calls are abandoned with the process.
                std::process::exit(0);
            }
        }
    });
}

#[cfg(not(unix))]
fn spawn_parent_watch() {}

/// Ignore Ctrl-C: go-plugin hosts share our process group (on Windows, our
/// console), so Ctrl-C reaches us too; Terraform stops work through
/// StopProvider instead. On Windows the events are swallowed once the
/// runtime runs ([`swallow_ctrl_c`]).
pub fn ignore_sigint() {
    #[cfg(unix)]
    // SAFETY: installing SIG_IGN for SIGINT is async-signal-safe and has no
    // preconditions.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
}

/// Windows' counterpart of SIG_IGN: while a Ctrl-C listener exists, the
/// console's Ctrl-C no longer ends the process.
#[cfg(windows)]
fn swallow_ctrl_c() {
    if let Ok(mut events) = tokio::signal::windows::ctrl_c() {
        tokio::spawn(async move { while events.recv().await.is_some() {} });
    }
}

/// Serve the provider until shutdown. Returns the process exit code.
pub async fn serve(provider: Arc<dyn Provider>, names: Names, mode: Mode) -> i32 {
    let env = match &mode {
        Mode::Managed => match handshake_env(&names, |k| std::env::var(k).ok()) {
            Ok(e) => e,
            Err(msg) => {
                eprintln!("{msg}");
                return 1;
            }
        },
        Mode::Debug { .. } => HandshakeEnv {
            client_cert_pem: None,
            min_port: 0,
            max_port: 0,
        },
    };

    let tls = match &env.client_cert_pem {
        None => None,
        Some(pem) => match tls::server_config(pem) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("{}: {e}", names.binary);
                return 1;
            }
        },
    };

    let listener = match bind_in_range(env.min_port, env.max_port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{}: cannot listen on 127.0.0.1: {e}", names.binary);
            return 1;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{}: {e}", names.binary);
            return 1;
        }
    };

    let shutdown = CancellationToken::new();
    let acceptor = tls
        .as_ref()
        .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone()));
    let incoming = spawn_acceptor(listener, acceptor, shutdown.clone());

    let stop = grpc::StopSignal::default();
    let service = grpc::ProviderService::new(provider, stop);
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            services::Controller {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(
            services::Stdio {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(
            services::Broker {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(
            ProviderServer::new(service)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        );

    match &mode {
        Mode::Managed => {
            let line = handshake_line(addr, tls.as_ref().map(|t| t.cert_der.as_slice()));
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                return 1;
            }
            spawn_parent_watch();
            #[cfg(windows)]
            swallow_ctrl_c();
        }
        Mode::Debug { provider_address } => {
            let json = reattach_json(provider_address, addr, std::process::id());
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{json}'\n\nPress Ctrl-C to stop the provider."
            );
            let _ = out.flush();
            let sd = shutdown.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                sd.cancel();
            });
        }
    }
    tracing::info!(address = %addr, tls = tls.is_some(), "Provider serving");

    let sd = shutdown.clone();
    let server = router.serve_with_incoming_shutdown(incoming, async move { sd.cancelled().await });
    tokio::pin!(server);
    let result = tokio::select! {
        r = &mut server => r,
        _ = async {
            shutdown.cancelled().await;
            // Give in-flight answers (the Shutdown reply itself) a moment,
            // but never hang on a client that keeps its connection open.
            tokio::time::sleep(Duration::from_millis(1500)).await;
        } => Ok(()),
    };
    match result {
        Ok(()) => {
            tracing::debug!("Provider stopped");
            0
        }
        Err(e) => {
            tracing::error!(error = %e, "gRPC server failed");
            1
        }
    }
}
