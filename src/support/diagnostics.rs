//! Platform errors as Terraform diagnostics.

use anypoint_client::ApiError;
use tfplugin::framework::Diagnostics;

/// The summary of the diagnostic for `err` met while `doing`: a failure to
/// authenticate (a 401, or a refused token request) is titled as one,
/// whatever the call was for; anything else says what we were doing.
pub fn api_error_summary(doing: &str, err: &ApiError) -> String {
    if err.is_unauthorized() {
        "Error authenticating with Anypoint Platform".to_owned()
    } else {
        format!("Error {doing}")
    }
}

/// Report a platform error as a diagnostic: what we were doing, then the
/// platform's own words (the error's Display carries method, path, status,
/// message and, for 403 and 401, a hint; never a secret).
pub fn api_error(diags: &mut Diagnostics, doing: &str, err: &ApiError) {
    let summary = api_error_summary(doing, err);
    let detail = if err.is_unauthorized() {
        format!("While {doing}: {err}")
    } else {
        err.to_string()
    };
    diags.error(summary, detail);
}

#[cfg(test)]
mod tests {
    use super::*;
    use anypoint_client::ErrorInfo;

    fn err(status: u16, path: &str, message: &str) -> ApiError {
        let info = ErrorInfo {
            method: "GET".to_owned(),
            path: path.to_owned(),
            status: Some(status),
            message: message.to_owned(),
            outcome_unknown: false,
            attempts: 0,
        };
        match status {
            401 => ApiError::Unauthorized(info),
            403 => ApiError::Forbidden(info),
            _ => ApiError::NotFound(info),
        }
    }

    #[test]
    fn credential_failures_are_titled_as_authentication() {
        let e = err(
            401,
            "/accounts/api/v2/oauth2/token",
            "the token request was rejected: check client_id and client_secret",
        );
        let mut d = Diagnostics::new();
        api_error(&mut d, "finding the organization", &e);
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.summary, "Error authenticating with Anypoint Platform");
        assert!(diag.detail.contains("client_secret"), "{}", diag.detail);
        assert_eq!(
            api_error_summary("reading client application 7", &err(404, "/x", "gone")),
            "Error reading client application 7"
        );
    }

    #[test]
    fn summaries_and_details_never_show_a_doubled_period() {
        for status in [401, 403, 404] {
            for message in ["Unauthorized.", "Forbidden", "organization o-1."] {
                let e = err(
                    status,
                    "/apiplatform/repository/v2/organizations/o-1/applications",
                    message,
                );
                let mut d = Diagnostics::new();
                api_error(&mut d, "listing client applications", &e);
                let diag = d.iter().next().unwrap();
                assert!(!diag.summary.contains(".."), "{}", diag.summary);
                assert!(!diag.detail.contains(".."), "{}", diag.detail);
            }
        }
    }
}
