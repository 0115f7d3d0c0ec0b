//! Read-only data sources.

mod api_instance;
mod client_application;
mod client_application_contracts;
mod client_applications;
mod environment;
mod user;

pub use api_instance::ApiInstanceDataSource;
pub use client_application::ClientApplicationDataSource;
pub use client_application_contracts::ClientApplicationContractsDataSource;
pub use client_applications::ClientApplicationsDataSource;
pub use environment::EnvironmentDataSource;
pub use user::UserDataSource;
