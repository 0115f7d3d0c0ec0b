//! Ephemeral resources: values Terraform holds only while one run lasts,
//! never writing them into a plan or the state (Terraform 1.10 and later).

mod client_application_credentials;

pub use client_application_credentials::ClientApplicationCredentialsEphemeral;
