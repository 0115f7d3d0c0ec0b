//! Helpers shared by resources: mapping platform errors to diagnostics and
//! the validators of application attributes. (Value normalisation shared
//! with data sources lives in [`crate::support::values`].)

use crate::anypoint::ApiError;
use crate::framework::validators::{absolute_url, one_of};
use crate::framework::{Diagnostics, Validator};

pub const GRANT_TYPES: &[&str] = &[
    "password",
    "implicit",
    "client_credentials",
    "authorization_code",
    "refresh_token",
];

/// Report a platform error as a diagnostic: what we were doing, then the
/// platform's own words (the error's Display carries method, path, status,
/// message and, for 403, the scope hint; never a secret).
pub fn api_error(diags: &mut Diagnostics, doing: &str, err: &ApiError) {
    diags.error(format!("Error {doing}"), err.to_string());
}

pub fn grant_type_validator() -> Validator {
    one_of(GRANT_TYPES)
}

pub fn redirect_uri_validator() -> Validator {
    absolute_url(false)
}
