//! Platform errors as Terraform diagnostics.

use crate::anypoint::ApiError;
use crate::framework::Diagnostics;

/// Report a platform error as a diagnostic: what we were doing, then the
/// platform's own words (the error's Display carries method, path, status,
/// message and, for 403, the scope hint; never a secret).
pub fn api_error(diags: &mut Diagnostics, doing: &str, err: &ApiError) {
    diags.error(format!("Error {doing}"), err.to_string());
}
