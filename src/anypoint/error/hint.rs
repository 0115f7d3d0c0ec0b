//! The hints that an error's text adds to what the platform said: for a
//! 403, the organization or the scope at fault; for a 401 on an API call,
//! what a refused token means.

use super::ErrorInfo;

/// The hint added to a 403 that is not about the organization: a scope or
/// ownership problem.
pub const FORBIDDEN_HINT: &str = "the Connected App needs the Application Creator scope \
     (create/manage client applications), and it can only manage client applications that it created";

/// The organization id in a request path (the segment after
/// `organizations`), if any.
fn organization_in_path(path: &str) -> Option<&str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut segments = path.split('/');
    segments.find(|s| *s == "organizations")?;
    segments.next().filter(|s| !s.is_empty())
}

/// The hint of a 403, fitting what failed. When the platform refused the
/// organization itself (its message names the organization of the request
/// path, or speaks of an organization), the hint names the organization
/// used and how to set it: that is not a scope problem. Otherwise the scope
/// and ownership hint, [`FORBIDDEN_HINT`].
pub fn forbidden_hint(info: &ErrorInfo) -> String {
    let message = info.message.to_ascii_lowercase();
    if let Some(org) = organization_in_path(&info.path) {
        if message.contains(&org.to_ascii_lowercase()) || message.contains("organization") {
            return format!(
                "the Connected App has no access to organization {org}, the organization this \
                 request used. It comes from the provider's org_id (or ANYPOINT_ORG_ID) and, when \
                 neither is set, from the Connected App's own identity: set org_id to the id of \
                 the root organization the Connected App belongs to, or leave it unset to use that \
                 organization"
            );
        }
    }
    FORBIDDEN_HINT.to_owned()
}

/// What a 401 on an API call (not the token request) means: the request was
/// sent with a token that was valid by its stated lifetime, the client
/// renewed it and sent the request again, and the new token was refused too.
pub const TOKEN_REFUSED_EXPLANATION: &str = "the access token was renewed and the request sent \
     again, and the platform refused the new token too: it expired before the request arrived \
     (the platform's token lifetime may be very short) or was revoked. The Connected App's \
     credentials were accepted when the token was issued";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anypoint::error::ApiError;

    #[test]
    fn forbidden_hint_fits_what_failed() {
        let org = "11111111-2222-4333-8444-555555555555";
        let path = format!("/apiplatform/repository/v2/organizations/{org}/applications");
        let wrong_org = ApiError::from_status(
            403,
            ErrorInfo::new(
                "GET",
                &path,
                Some(403),
                format!("You do not have permission to access organization {org}."),
            ),
        )
        .to_string();
        assert!(!wrong_org.contains("Application Creator"), "{wrong_org}");
        assert!(
            wrong_org.contains(org) && wrong_org.contains("org_id"),
            "{wrong_org}"
        );
        assert!(!wrong_org.contains(".."), "{wrong_org}");
        let scope = ApiError::from_status(
            403,
            ErrorInfo::new("POST", &path, Some(403), "Forbidden".to_owned()),
        )
        .to_string();
        assert!(scope.contains("Application Creator"), "{scope}");
        assert_eq!(organization_in_path(&format!("{path}?offset=0")), Some(org));
        assert_eq!(organization_in_path("/accounts/api/me"), None);
    }
}
