//! The `tfplugin6.Provider` gRPC service: decodes requests against schemas,
//! calls the framework hooks, and encodes the answers. No resource logic lives
//! here.
//!
//! Every RPC with diagnostics goes through [`handler::serve`]: the trait
//! methods below only name the RPC and its body; the bodies live beside the
//! kind they serve (`provider`, `resource`, `data_source`, `ephemeral`).

mod data_source;
mod ephemeral;
mod handler;
mod provider;
mod resource;

use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response};

use crate::framework::{Ctx, DataSource, EphemeralResource, Provider, ProviderData, Resource};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use handler::{serve, Registry, RpcResult, TypedSchema};

/// Cancellation shared by in-flight operations. `StopProvider` cancels the
/// current token (every running operation sees it) and installs a fresh one,
/// so the server keeps serving later requests.
#[derive(Clone, Default)]
pub struct StopSignal {
    current: Arc<Mutex<CancellationToken>>,
}

impl StopSignal {
    pub fn token(&self) -> CancellationToken {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn stop(&self) {
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        cur.cancel();
        *cur = CancellationToken::new();
    }
}

pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: TypedSchema,
    resources: Registry<dyn Resource>,
    data_sources: Registry<dyn DataSource>,
    ephemerals: Registry<dyn EphemeralResource>,
    data: RwLock<Option<ProviderData>>,
    stop: StopSignal,
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>, stop: StopSignal) -> Self {
        let resources = Registry::new("resource", provider.resources(), |r| {
            (r.type_name(), r.schema())
        });
        let data_sources = Registry::new("data source", provider.data_sources(), |d| {
            (d.type_name(), d.schema())
        });
        let ephemerals = Registry::new("ephemeral resource", provider.ephemeral_resources(), |e| {
            (e.type_name(), e.schema())
        });
        ProviderService {
            provider_schema: TypedSchema::new(provider.schema()),
            provider,
            resources,
            data_sources,
            ephemerals,
            data: RwLock::new(None),
            stop,
        }
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            provider_data: self.data.read().unwrap_or_else(|e| e.into_inner()).clone(),
            cancel: self.stop.token(),
        }
    }
}

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _r: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        Ok(Response::new(self.metadata_response()))
    }

    async fn get_provider_schema(
        &self,
        _r: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        serve("GetProviderSchema", "", async |_| self.schema_response()).await
    }

    async fn validate_provider_config(
        &self,
        r: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        let r = r.into_inner();
        serve("ValidateProviderConfig", "", async |d| {
            self.validate_provider(&r, d)
        })
        .await
    }

    async fn configure_provider(
        &self,
        r: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let r = r.into_inner();
        serve("ConfigureProvider", "", async |d| {
            self.configure(&r, d).await
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        r: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let r = r.into_inner();
        serve("ValidateResourceConfig", &r.type_name, async |d| {
            self.resources
                .validate(&r.type_name, r.config.as_ref(), d, |imp, cfg, d| {
                    imp.validate(cfg, d)
                });
            Default::default()
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        r: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let r = r.into_inner();
        serve("UpgradeResourceState", &r.type_name, async |d| {
            self.upgrade_resource(&r, d)
        })
        .await
    }

    async fn read_resource(
        &self,
        r: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let r = r.into_inner();
        serve("ReadResource", &r.type_name, async |d| {
            self.read_managed(&r, d).await
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        r: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let r = r.into_inner();
        serve("PlanResourceChange", &r.type_name, async |d| {
            self.plan_resource(&r, d).await
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        r: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let r = r.into_inner();
        serve("ApplyResourceChange", &r.type_name, async |d| {
            self.apply_resource(&r, d).await
        })
        .await
    }

    async fn import_resource_state(
        &self,
        r: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let r = r.into_inner();
        serve("ImportResourceState", &r.type_name, async |d| {
            self.import_resource(&r, d).await
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        r: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let r = r.into_inner();
        serve("ValidateDataResourceConfig", &r.type_name, async |d| {
            self.data_sources
                .validate(&r.type_name, r.config.as_ref(), d, |imp, cfg, d| {
                    imp.validate(cfg, d)
                });
            Default::default()
        })
        .await
    }

    async fn read_data_source(
        &self,
        r: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let r = r.into_inner();
        serve("ReadDataSource", &r.type_name, async |d| {
            self.read_data(&r, d).await
        })
        .await
    }

    async fn validate_ephemeral_resource_config(
        &self,
        r: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        let r = r.into_inner();
        serve("ValidateEphemeralResourceConfig", &r.type_name, async |d| {
            self.ephemerals
                .validate(&r.type_name, r.config.as_ref(), d, |imp, cfg, d| {
                    imp.validate(cfg, d)
                });
            Default::default()
        })
        .await
    }

    async fn open_ephemeral_resource(
        &self,
        r: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        let r = r.into_inner();
        serve("OpenEphemeralResource", &r.type_name, async |d| {
            self.open_ephemeral(&r, d).await
        })
        .await
    }

    async fn renew_ephemeral_resource(
        &self,
        r: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        let r = r.into_inner();
        serve("RenewEphemeralResource", &r.type_name, async |d| {
            self.renew_ephemeral(&r, d).await
        })
        .await
    }

    async fn close_ephemeral_resource(
        &self,
        r: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        let r = r.into_inner();
        serve("CloseEphemeralResource", &r.type_name, async |d| {
            self.close_ephemeral(&r, d).await
        })
        .await
    }

    async fn get_functions(
        &self,
        _r: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn stop_provider(
        &self,
        _r: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        tracing::info!(tf_rpc = "StopProvider", "Stopping in-flight operations");
        self.stop.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}
