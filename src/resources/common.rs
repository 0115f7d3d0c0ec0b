//! Helpers shared by resources: the validators of application attributes.
//! (Value normalisation shared with data sources lives in
//! [`crate::support::values`]; platform errors become diagnostics in
//! [`crate::support::api_error`].)

use tfplugin::framework::validators::{one_of, redirect_uri};
use tfplugin::framework::Validator;

pub const GRANT_TYPES: &[&str] = &[
    "password",
    "implicit",
    "client_credentials",
    "authorization_code",
    "refresh_token",
];

pub fn grant_type_validator() -> Validator {
    one_of(GRANT_TYPES)
}

pub fn redirect_uri_validator() -> Validator {
    redirect_uri()
}
