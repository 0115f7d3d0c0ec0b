//! Read-only data sources.

mod client_application;
mod client_applications;

pub use client_application::ClientApplicationDataSource;
pub use client_applications::ClientApplicationsDataSource;
