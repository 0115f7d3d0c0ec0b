//! go-plugin's auxiliary services: the controller (Shutdown), stdio and the
//! broker. Terraform calls Shutdown when it is done with the process; the
//! streams idle until then and end at shutdown so that the graceful stop does
//! not wait on them.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tokio_util::sync::WaitForCancellationFutureOwned;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::goplugin as gp;

use tonic::codegen::BoxStream;

/// A stream that yields nothing and ends when `shutdown` is cancelled.
fn idle_until<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    Box::pin(UntilCancelled::<T> {
        wait: Box::pin(shutdown.cancelled_owned()),
        _item: PhantomData,
    })
}

struct UntilCancelled<T> {
    wait: Pin<Box<WaitForCancellationFutureOwned>>,
    _item: PhantomData<fn() -> T>,
}

impl<T> Stream for UntilCancelled<T> {
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        match self.wait.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[derive(Clone)]
pub struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _r: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        tracing::debug!("Received Shutdown from the plugin host");
        self.shutdown.cancel();
        Ok(Response::new(gp::Empty {}))
    }
}

#[derive(Clone)]
pub struct Stdio {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _r: Request<()>,
    ) -> Result<Response<BoxStream<gp::StdioData>>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

#[derive(Clone)]
pub struct Broker {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_broker_server::GrpcBroker for Broker {
    async fn start_stream(
        &self,
        _r: Request<Streaming<gp::ConnInfo>>,
    ) -> Result<Response<BoxStream<gp::ConnInfo>>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}
