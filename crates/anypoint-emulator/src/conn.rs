//! A TCP listener whose connections can be broken from inside a handler.
//!
//! Each accepted stream shares a kill flag with the [`ConnMeta`] that axum
//! hands to the handler as connect info. Once the flag is set, every read,
//! write and flush on the stream fails, so hyper abandons the connection
//! before a single byte of the response is written and closes the socket:
//! the client sees the connection end without any response (a transport
//! error), which is what a dropped connection looks like.
//!
//! The listener also reports every accepted connection to a callback (the
//! emulator counts them in its request log, for `GET /_emulator/counters`).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Called once per accepted connection.
pub(crate) type OnAccept = Box<dyn Fn() + Send + Sync>;

pub(crate) struct KillableListener {
    inner: TcpListener,
    on_accept: OnAccept,
}

impl KillableListener {
    /// `on_accept` runs once for every connection accepted, before it is
    /// handed to the server.
    pub fn new(inner: TcpListener, on_accept: OnAccept) -> Self {
        KillableListener { inner, on_accept }
    }
}

/// Per-connection information available to handlers.
#[derive(Clone)]
pub(crate) struct ConnMeta {
    pub remote: SocketAddr,
    killed: Arc<AtomicBool>,
}

impl ConnMeta {
    /// Break the connection: the response being prepared is never written.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }
}

impl fmt::Debug for ConnMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.remote)
    }
}

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = ConnMeta;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, remote)) => {
                    (self.on_accept)();
                    let _ = stream.set_nodelay(true);
                    let killed = Arc::new(AtomicBool::new(false));
                    return (
                        KillableStream {
                            inner: stream,
                            killed: killed.clone(),
                        },
                        ConnMeta { remote, killed },
                    );
                }
                Err(e) => {
                    // Per-connection errors are the client's problem; others
                    // (e.g. out of file descriptors) get a short back-off.
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::ConnectionRefused
                    ) {
                        tracing::warn!("emulator accept error: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(ConnMeta {
            remote: self.inner.local_addr()?,
            killed: Arc::new(AtomicBool::new(false)),
        })
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnMeta {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub(crate) struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl KillableStream {
    fn broken(&self) -> Option<io::Error> {
        self.killed.load(Ordering::SeqCst).then(|| {
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection deliberately dropped by a fault",
            )
        })
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.broken() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn every_accepted_connection_is_reported_once() {
        let inner = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = inner.local_addr().unwrap();
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let mut listener = KillableListener::new(
            inner,
            Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
            }),
        );
        assert_eq!(seen.load(Ordering::SeqCst), 0, "nothing accepted yet");
        let mut clients = Vec::new();
        for n in 1..=3 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            let (_stream, meta) = listener.accept().await;
            assert_eq!(meta.remote, clients.last().unwrap().local_addr().unwrap());
            assert_eq!(seen.load(Ordering::SeqCst), n);
        }
        // local_addr is no connection.
        listener.local_addr().unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), 3);
    }
}
