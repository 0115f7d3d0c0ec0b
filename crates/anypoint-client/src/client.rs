//! The client: one per provider configuration, cheap to clone, handing out
//! a handler per area of the API. Clones share everything: the request
//! engine (`send.rs`), what the client has read and done (`memory.rs`) and
//! the organization (`organization.rs`).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use url::Url;

use crate::api_instances::ApiInstances;
use crate::applications::Applications;
use crate::config::ClientConfig;
use crate::contracts::Contracts;
use crate::environments::Environments;
use crate::error::ApiError;
use crate::memory::Memory;
use crate::models::ConnectedAppIdentity;
use crate::organization::Organization;
use crate::owners::Owners;
use crate::request::build_http_client;
use crate::send::{self, Engine};
use crate::users::Users;

/// The Anypoint API client. Cheap to clone (`Arc`s inside): clones share
/// the HTTP client, the token, the discovered organization and what the
/// client has read. Constructing it does no I/O: the token is fetched at
/// the first call.
#[derive(Clone)]
pub struct AnypointClient {
    engine: Arc<Engine>,
    memory: Arc<Memory>,
    organization: Arc<Organization>,
}

impl fmt::Debug for AnypointClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnypointClient")
            .field("engine", &self.engine)
            .field("org_id", &self.organization.configured())
            .finish_non_exhaustive()
    }
}

impl AnypointClient {
    /// Build a client with its own HTTP client. No I/O.
    pub fn new(
        config: ClientConfig,
        terraform_version: &str,
        cancel: CancellationToken,
    ) -> Result<Self, ApiError> {
        Self::with_http_client(config, terraform_version, cancel, build_http_client()?)
    }

    /// Build a client on an existing HTTP client (see [`build_http_client`]),
    /// to share one connection pool per process. No I/O.
    pub fn with_http_client(
        config: ClientConfig,
        terraform_version: &str,
        cancel: CancellationToken,
        http: reqwest::Client,
    ) -> Result<Self, ApiError> {
        let organization = Organization::new(config.org_id.clone());
        Ok(AnypointClient {
            engine: Arc::new(Engine::new(config, terraform_version, cancel, http)?),
            memory: Arc::default(),
            organization: Arc::new(organization),
        })
    }

    /// Client applications and their secret.
    pub fn applications(&self) -> Applications<'_> {
        Applications::new(&self.engine, &self.memory)
    }

    /// The owners of client applications.
    pub fn owners(&self) -> Owners<'_> {
        Owners::new(&self.engine, &self.memory)
    }

    /// The contracts of client applications.
    pub fn contracts(&self) -> Contracts<'_> {
        Contracts::new(&self.engine, &self.memory)
    }

    /// API instances, their tiers and their Exchange assets.
    pub fn api_instances(&self) -> ApiInstances<'_> {
        ApiInstances::new(&self.engine, &self.memory)
    }

    /// The users of an organization.
    pub fn users(&self) -> Users<'_> {
        Users::new(&self.engine)
    }

    /// The environments of an organization.
    pub fn environments(&self) -> Environments<'_> {
        Environments::new(&self.engine)
    }

    /// The root organization, where client applications, their owners and
    /// contracts live: `org_id` from the settings, else discovered once
    /// (`organization.rs`).
    pub async fn org_id(&self) -> Result<String, ApiError> {
        self.organization.id(&self.engine).await
    }

    /// `GET /accounts/api/me`: the Connected App's user and organization
    /// (the same answer [`Self::org_id`] discovers the organization from).
    pub async fn connected_app_identity(&self) -> Result<ConnectedAppIdentity, ApiError> {
        self.organization.identity(&self.engine).await
    }

    /// Run `fut` (a look-up of what a mutating request did) so that a stop of
    /// the provider does not abandon it: each of its requests is still sent
    /// once and runs to its answer or its timeout, but nothing is retried or
    /// waited for after the stop. Without a stop it runs as usual.
    pub async fn after_stop<F: Future>(&self, fut: F) -> F::Output {
        send::after_stop(fut).await
    }

    /// Whether the provider was asked to stop.
    pub fn is_stopping(&self) -> bool {
        self.engine.is_stopping()
    }

    /// The shared HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        self.engine.http_client()
    }

    pub fn base_url(&self) -> &Url {
        self.engine.base_url()
    }

    /// The token that abandons every wait and request of this client.
    pub fn cancellation_token(&self) -> &CancellationToken {
        self.engine.cancellation_token()
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        self.engine.user_agent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secret::Secret;

    #[test]
    fn debug_hides_the_secret() {
        let cfg = ClientConfig::new(
            "https://anypoint.mulesoft.com",
            "id",
            Secret::new("secret-value"),
        )
        .unwrap();
        let c = AnypointClient::new(cfg, "1.9.0", CancellationToken::new()).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("secret-value"), "{d}");
        assert!(d.contains("anypoint.mulesoft.com"));
    }
}
