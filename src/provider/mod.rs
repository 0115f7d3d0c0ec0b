//! The Anypoint provider: its block (schema, settings, environment
//! variables, control planes) and the registry of its resources and data
//! sources. Nothing else in the crate imports this room; it stands on
//! [`crate::support`], the resources and the data sources.
//!
//! - `schema`: the provider block's attributes and their validators.
//! - `settings`: raw settings, `ANYPOINT_*` fallbacks, the control-plane
//!   table, and their resolution into the client's configuration.
//! - `registry`: the resources, data sources and ephemeral resources served.

mod registry;
mod schema;
mod settings;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::support::AnypointData;
use anypoint_client::{build_http_client, AnypointClient, ApiError};
use secret::register_secret;
use tfplugin::framework::{
    AttrPath, ConfigureRequest, DataSource, Diagnostics, EphemeralResource, Model, Provider,
    ProviderData, Resource, Schema,
};
use tfplugin::tfvalue::Value;

pub use schema::provider_schema;
pub use settings::{
    all_known, check_base_url, control_plane_url, known_so_far, ConfigError, ProviderSettings,
    CONTROL_PLANES, CONTROL_PLANE_NAMES, ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET,
    ENV_CONTROL_PLANE, ENV_MAX_REQUESTS_PER_SECOND, ENV_MAX_RETRIES, ENV_ORG_ID,
    ENV_TIMEOUT_SECONDS, MAX_MAX_RETRIES, MAX_TIMEOUT_SECONDS,
};

/// The source address used in examples, `dev_overrides` and debug mode.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/anypoint-platform/anypoint";

/// The provider's names for the plugin layer: the binary's name (messages,
/// the log lines' `@module`) and the crates whose log lines are its own.
pub const NAMES: tfplugin::plugin::Names = tfplugin::plugin::Names {
    binary: "terraform-provider-anypoint",
    own_targets: &[
        "anypoint_provider",
        "terraform_provider_anypoint",
        "anypoint_client",
        "tfplugin",
        "secret",
    ],
};

pub struct AnypointProvider;

/// One HTTP client (connection pool) per provider process.
fn shared_http_client() -> Result<reqwest::Client, ApiError> {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = HTTP.get() {
        return Ok(c.clone());
    }
    let c = build_http_client()?;
    Ok(HTTP.get_or_init(|| c).clone())
}

#[async_trait]
impl Provider for AnypointProvider {
    fn type_name(&self) -> &'static str {
        "anypoint"
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // base_url's whole rule (a URL, https or loopback http, no
        // credentials), at validate time; the resolution at configure time
        // applies the same one.
        let Some(settings) = ProviderSettings::decode(&known_so_far(config), diags) else {
            return;
        };
        if let Some(raw) = &settings.base_url {
            if let Err(e) = check_base_url(raw, "`base_url`") {
                diags.attr_error(AttrPath::attr(e.attribute), e.summary, e.detail);
            }
        }
    }

    async fn configure(
        &self,
        req: ConfigureRequest,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        if !all_known(&req.config) {
            tracing::info!("Provider configuration has unknown values; configuring later");
            return None;
        }
        let settings = ProviderSettings::decode(&req.config, diags)?;
        let config = match settings.resolve(|k| std::env::var(k).ok()) {
            Ok(c) => c,
            Err(errors) => {
                for e in errors {
                    diags.attr_error(AttrPath::attr(e.attribute), e.summary, e.detail);
                }
                return None;
            }
        };
        register_secret(config.client_secret.expose());
        let http = match shared_http_client() {
            Ok(h) => h,
            Err(e) => {
                diags.error("Cannot create the HTTP client", e.to_string());
                return None;
            }
        };
        match AnypointClient::with_http_client(config, &req.terraform_version, req.cancel, http) {
            Ok(client) => Some(Arc::new(AnypointData::new(client))),
            Err(e) => {
                diags.error("Cannot configure the Anypoint client", e.to_string());
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        registry::resources()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        registry::data_sources()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        registry::ephemeral_resources()
    }
}
