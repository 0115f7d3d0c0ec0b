//! Provider-level RPC bodies: metadata, schemas, the provider block's
//! validation and configuration.

use super::handler::decode;
use super::ProviderService;
use crate::framework::{schema::validate_config, ConfigureRequest, Diagnostics};
use crate::plugin::convert;
use crate::proto::tfplugin6 as pb;

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

impl ProviderService {
    pub(super) fn metadata_response(&self) -> pb::get_metadata::Response {
        pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .entries
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            resources: self
                .resources
                .entries
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemerals
                .entries
                .keys()
                .map(|k| pb::get_metadata::EphemeralMetadata {
                    type_name: k.clone(),
                })
                .collect(),
        }
    }

    pub fn schema_response(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
            provider: Some(convert::schema(&self.provider_schema)),
            resource_schemas: self.resources.schemas(),
            data_source_schemas: self.data_sources.schemas(),
            ephemeral_resource_schemas: self.ephemerals.schemas(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: Default::default(),
        }
    }

    pub(super) fn validate_provider(
        &self,
        r: &pb::validate_provider_config::Request,
        diags: &mut Diagnostics,
    ) -> pb::validate_provider_config::Response {
        if let Some(cfg) = decode(
            &self.provider_schema,
            r.config.as_ref(),
            "configuration",
            diags,
        ) {
            validate_config(&self.provider_schema, &cfg, diags);
            self.provider.validate(&cfg, diags);
        }
        Default::default()
    }

    pub(super) async fn configure(
        &self,
        r: &pb::configure_provider::Request,
        diags: &mut Diagnostics,
    ) -> pb::configure_provider::Response {
        if let Some(cfg) = decode(
            &self.provider_schema,
            r.config.as_ref(),
            "configuration",
            diags,
        ) {
            let req = ConfigureRequest {
                terraform_version: r.terraform_version.clone(),
                config: cfg,
                cancel: self.stop.token(),
            };
            if let Some(data) = self.provider.configure(req, diags).await {
                *self.data.write().unwrap_or_else(|e| e.into_inner()) = Some(data);
            }
        }
        Default::default()
    }
}
