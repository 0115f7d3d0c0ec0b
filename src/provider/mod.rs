//! The Anypoint provider: its configuration schema, and the registry of its
//! resources and data sources.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;

use crate::anypoint::{
    build_http_client, validate_base_url, AnypointClient, ApiError, ProviderSettings,
};
use crate::data_sources::{ClientApplicationDataSource, ClientApplicationsDataSource};
use crate::resources::{ClientApplicationOwnerResource, ClientApplicationResource};
use crate::secret::register_secret;
use crate::secret::Secret;

use crate::framework::validators::{absolute_url, int_between, non_empty, one_of, uuid};
use crate::framework::{
    AttrPath, Attribute, ConfigureRequest, DataSource, Diagnostics, Provider, ProviderData,
    Resource, Schema,
};
use crate::tfvalue::Value;

/// The source address used in examples, `dev_overrides` and debug mode.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/anypoint-platform/anypoint";

pub const CONTROL_PLANES: &[&str] = &["us", "eu", "gov", "ca", "jp"];

pub struct AnypointProvider;

pub fn provider_schema() -> Schema {
    Schema::new(
        "The Anypoint provider manages MuleSoft Anypoint Platform client applications, their \
         owners and API contracts. It authenticates as a Connected App with client credentials.",
    )
    .attribute(
        Attribute::string("client_id")
            .optional()
            .validate(non_empty())
            .description("Client id of the Connected App (client credentials grant). May also be set with the `ANYPOINT_CLIENT_ID` environment variable."),
    )
    .attribute(
        Attribute::string("client_secret")
            .optional()
            .sensitive()
            .validate(non_empty())
            .description("Client secret of the Connected App. May also be set with the `ANYPOINT_CLIENT_SECRET` environment variable."),
    )
    .attribute(
        Attribute::string("control_plane")
            .optional()
            .validate(one_of(CONTROL_PLANES))
            .description("The Anypoint control plane: `us` (default), `eu`, `gov`, `ca` or `jp`. May also be set with `ANYPOINT_CONTROL_PLANE`. Ignored when `base_url` is set."),
    )
    .attribute(
        Attribute::string("base_url")
            .optional()
            .validate(absolute_url(true))
            .description("Base URL of the Anypoint Platform, overriding `control_plane` (for example the local emulator, `http://127.0.0.1:8080`). Plain `http://` is accepted for loopback hosts only. May also be set with `ANYPOINT_BASE_URL`."),
    )
    .attribute(
        Attribute::string("org_id")
            .optional()
            .validate(uuid())
            .description("The root (master) organization id. When unset, it is discovered from the Connected App's identity. May also be set with `ANYPOINT_ORG_ID`."),
    )
    .attribute(
        Attribute::number("max_retries")
            .optional()
            .validate(int_between(0, 20))
            .description("How many times a request that failed with a rate limit, a server-side error or a dropped connection is retried (default 5). May also be set with `ANYPOINT_MAX_RETRIES`."),
    )
    .attribute(
        Attribute::number("timeout_seconds")
            .optional()
            .validate(int_between(1, 3600))
            .description("Timeout of each HTTP request, in seconds (default 60). May also be set with `ANYPOINT_TIMEOUT_SECONDS`."),
    )
}

/// Serialises owner changes of one application.
pub type OwnerLock = Arc<tokio::sync::Mutex<()>>;

/// What every resource and data source gets from `configure`: the API
/// client, and per-application locks that serialise owner changes.
pub struct AnypointData {
    pub client: AnypointClient,
    configured_org: Option<String>,
    owner_locks: Mutex<HashMap<(String, i64), OwnerLock>>,
}

impl AnypointData {
    pub fn new(client: AnypointClient, configured_org: Option<String>) -> Self {
        AnypointData {
            client,
            configured_org,
            owner_locks: Mutex::new(HashMap::new()),
        }
    }

    /// The organization named by the provider settings, if any (known
    /// without a network call).
    pub fn configured_org(&self) -> Option<&str> {
        self.configured_org.as_deref()
    }

    /// The lock of one application's owner list: adding and removing owners
    /// of the same application happen one at a time inside this process.
    pub fn owner_lock(&self, org: &str, app_id: i64) -> OwnerLock {
        let mut locks = self.owner_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry((org.to_owned(), app_id)).or_default().clone()
    }

    /// The organization to use: the configured one, else the one the
    /// Connected App belongs to (discovered once).
    pub async fn org(&self, configured: Option<&str>) -> Result<String, ApiError> {
        match configured {
            Some(o) => Ok(o.to_owned()),
            None => self.client.org_id().await,
        }
    }

    /// [`Self::org`], reporting a failure as an error diagnostic.
    pub async fn org_or_report(
        &self,
        configured: Option<&str>,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        match self.org(configured).await {
            Ok(o) => Some(o),
            Err(e) => {
                crate::resources::common::api_error(diags, "finding the organization", &e);
                None
            }
        }
    }
}

/// One HTTP client (connection pool) per provider process.
fn shared_http_client() -> Result<reqwest::Client, ApiError> {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = HTTP.get() {
        return Ok(c.clone());
    }
    let c = build_http_client()?;
    Ok(HTTP.get_or_init(|| c).clone())
}

/// Provider settings from the configuration; `None` when some value is not
/// known yet (it depends on another resource).
fn settings_from_config(config: &Value) -> Option<ProviderSettings> {
    if config
        .as_entries()
        .is_some_and(|m| m.values().any(Value::is_unknown))
    {
        return None;
    }
    let s = |n: &str| config.attr_str(n).map(str::to_owned);
    Some(ProviderSettings {
        client_id: s("client_id"),
        client_secret: s("client_secret").map(Secret::from),
        control_plane: s("control_plane"),
        base_url: s("base_url"),
        org_id: s("org_id"),
        max_retries: config.attr("max_retries").as_i64(),
        timeout_seconds: config.attr("timeout_seconds").as_i64(),
    })
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
        // The loopback-only rule for plain http, at validate time.
        if let Some(raw) = config.attr_str("base_url") {
            if let Err(e) = validate_base_url(raw, "base_url") {
                diags.attr_error(AttrPath::attr("base_url"), e.summary, e.detail);
            }
        }
    }

    async fn configure(
        &self,
        req: ConfigureRequest,
        diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        let Some(settings) = settings_from_config(&req.config) else {
            tracing::info!("Provider configuration has unknown values; configuring later");
            return None;
        };
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
        let configured_org = config.org_id.clone();
        match AnypointClient::with_http_client(config, &req.terraform_version, req.cancel, http) {
            Ok(client) => Some(Arc::new(AnypointData::new(client, configured_org))),
            Err(e) => {
                diags.error("Cannot configure the Anypoint client", e.to_string());
                None
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(ClientApplicationResource),
            Arc::new(ClientApplicationOwnerResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(ClientApplicationDataSource),
            Arc::new(ClientApplicationsDataSource),
        ]
    }
}
