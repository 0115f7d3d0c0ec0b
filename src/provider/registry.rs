//! The registry: every resource, data source and ephemeral resource the
//! provider serves, each written against its model and served through
//! tfplugin's adapter [`Typed`].

use std::sync::Arc;

use crate::data_sources::{
    ApiInstanceDataSource, ClientApplicationContractsDataSource, ClientApplicationDataSource,
    ClientApplicationsDataSource, EnvironmentDataSource, UserDataSource,
};
use crate::ephemeral::ClientApplicationCredentialsEphemeral;
use crate::resources::{
    ClientApplicationContractResource, ClientApplicationOwnerResource, ClientApplicationResource,
};
use tfplugin::framework::{DataSource, EphemeralResource, Resource, Typed};

/// The managed resources.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(Typed(ClientApplicationResource)),
        Arc::new(Typed(ClientApplicationOwnerResource)),
        Arc::new(Typed(ClientApplicationContractResource)),
    ]
}

/// The data sources.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(Typed(ClientApplicationDataSource)),
        Arc::new(Typed(ClientApplicationsDataSource)),
        Arc::new(Typed(ApiInstanceDataSource)),
        Arc::new(Typed(ClientApplicationContractsDataSource)),
        Arc::new(Typed(UserDataSource)),
        Arc::new(Typed(EnvironmentDataSource)),
    ]
}

/// The ephemeral resources (Terraform 1.10 and later).
pub fn ephemeral_resources() -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(Typed(ClientApplicationCredentialsEphemeral))]
}
