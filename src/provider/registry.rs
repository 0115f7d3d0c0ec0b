//! The registry: every resource, data source and ephemeral resource the
//! provider serves.

use std::sync::Arc;

use crate::data_sources::{
    ApiInstanceDataSource, ClientApplicationContractsDataSource, ClientApplicationDataSource,
    ClientApplicationsDataSource,
};
use crate::ephemeral::ClientApplicationCredentialsEphemeral;
use crate::resources::{
    ClientApplicationContractResource, ClientApplicationOwnerResource, ClientApplicationResource,
};
use tfplugin::framework::{DataSource, EphemeralResource, Resource};

/// The managed resources.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(ClientApplicationResource),
        Arc::new(ClientApplicationOwnerResource),
        Arc::new(ClientApplicationContractResource),
    ]
}

/// The data sources.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(ClientApplicationDataSource),
        Arc::new(ClientApplicationsDataSource),
        Arc::new(ApiInstanceDataSource),
        Arc::new(ClientApplicationContractsDataSource),
    ]
}

/// The ephemeral resources (Terraform 1.10 and later).
pub fn ephemeral_resources() -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(ClientApplicationCredentialsEphemeral)]
}
