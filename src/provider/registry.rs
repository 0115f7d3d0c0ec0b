//! The registry: every resource and data source the provider serves.

use std::sync::Arc;

use crate::data_sources::{ClientApplicationDataSource, ClientApplicationsDataSource};
use crate::framework::{DataSource, Resource};
use crate::resources::{
    ClientApplicationContractResource, ClientApplicationOwnerResource, ClientApplicationResource,
};

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
    ]
}
