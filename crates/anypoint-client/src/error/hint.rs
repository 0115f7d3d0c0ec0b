//! The hints that an error's text adds to what the platform said: for a
//! 403, the organization or the scope at fault; for a 401 on an API call,
//! what a refused token means.

/// The hint added to a 403 on a client application call that is not about
/// the organization: a scope or ownership problem.
pub const FORBIDDEN_HINT: &str = "the Connected App needs the Application Creator scope \
     (create/manage client applications), and it can only manage client applications that it created";

/// What a 403 on ending a contract (revoke, delete) means.
const MANAGE_CONTRACTS: &str = "ending a contract (revoke, delete) needs API Manager's \
     \"Manage Contracts\" permission in the API instance's business group and environment, \
     which the Application Creator scope does not give";

/// The calls a 403 can answer, each with the one thing to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    /// Client applications, their owners and secrets (API Platform).
    Applications,
    /// A contract request or tier change for an application (Exchange).
    ContractRequest,
    /// Revoking or deleting a contract (API Manager, API Platform).
    ContractAdministration,
    /// Reading an instance's contracts or tiers (API Manager).
    ContractReads,
    /// Reading an API instance (API Manager).
    Instance,
    /// Searching an environment's API instances (API Manager).
    InstanceSearch,
    /// An API group, its instances, their tiers and contracts (API Manager).
    ApiGroup,
    /// Reading an Exchange asset.
    Asset,
    /// Reading the organization's users.
    Users,
    /// Reading an organization.
    Organization,
    Other,
}

impl Call {
    fn of(method: &str, path: &str) -> Call {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let has = |s: &str| segs.contains(&s);
        let reading = matches!(method, "GET" | "HEAD");
        match segs.first().copied() {
            Some("apimanager") if has("groupInstances") || has("groups") => Call::ApiGroup,
            Some("apimanager") if has("contracts") && !reading => Call::ContractAdministration,
            Some("apimanager") if has("contracts") || has("tiers") => Call::ContractReads,
            Some("apimanager") if segs.last() == Some(&"apis") => Call::InstanceSearch,
            Some("apimanager") => Call::Instance,
            Some("apiplatform") if has("apis") && has("contracts") => Call::ContractAdministration,
            Some("apiplatform") => Call::Applications,
            Some("exchange") if has("assets") => Call::Asset,
            Some("exchange") if has("contracts") => Call::ContractRequest,
            Some("exchange") => Call::Applications,
            Some("accounts") if has("users") => Call::Users,
            Some("accounts") if has("organizations") => Call::Organization,
            _ => Call::Other,
        }
    }

    /// The hint when the call itself was refused (not the organization).
    fn scope(self) -> &'static str {
        match self {
            Call::Applications | Call::Other => FORBIDDEN_HINT,
            Call::ContractRequest => {
                "requesting access or a tier change needs the Application Creator scope (for \
                 client applications the Connected App created) and Exchange Viewer for the API's \
                 asset"
            }
            Call::ContractAdministration => MANAGE_CONTRACTS,
            Call::ContractReads => {
                "reading an API instance's contracts and SLA tiers needs API Manager's \"View \
                 Contracts\" permission in the instance's business group and environment"
            }
            Call::Instance => {
                "reading an API instance needs API Manager's \"View APIs Configuration\" \
                 permission in the instance's business group and environment"
            }
            Call::ApiGroup => {
                "an API group instance, its tiers and its contracts (reading them, revoking and \
                 deleting a contract) need API Manager's \"API Group Administrator\" permission \
                 in the group instance's business group and environment"
            }
            Call::InstanceSearch => {
                "searching an environment's API instances needs API Manager's \"View APIs \
                 Configuration\" permission in that business group and environment"
            }
            Call::Asset => "reading an Exchange asset needs the Exchange Viewer scope",
            Call::Users => {
                "reading the organization's users needs an Access Management scope that lets the \
                 Connected App view users"
            }
            Call::Organization => {
                "reading an organization needs an Access Management scope that lets the \
                 Connected App view organizations"
            }
        }
    }

    /// Whether the call's organization is the instance's (which may be a
    /// business group) rather than the root organization.
    fn instance_side(self) -> bool {
        matches!(
            self,
            Call::ContractAdministration
                | Call::ContractReads
                | Call::Instance
                | Call::InstanceSearch
                | Call::ApiGroup
        )
    }
}

/// The organization id in a request path (the segment after
/// `organizations`), if any.
fn organization_in_path(path: &str) -> Option<&str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut segments = path.split('/');
    segments.find(|s| *s == "organizations")?;
    segments.next().filter(|s| !s.is_empty())
}

/// The one hint of a 403, fitting the call that failed. When the platform
/// refused the organization itself (its message names the organization of
/// the request path, or speaks of an organization), the hint names that
/// organization and which setting chose it; otherwise it names what the
/// call needs.
pub fn forbidden_hint(method: &str, path: &str, message: &str) -> String {
    let call = Call::of(method, path);
    let message = message.to_ascii_lowercase();
    if let Some(org) = organization_in_path(path) {
        if message.contains(&org.to_ascii_lowercase()) || message.contains("organization") {
            if call.instance_side() {
                return format!(
                    "the Connected App has no access to organization {org}, which this request \
                     used as the API instance's organization (api_instance_org_id, or the data \
                     source's org_id; by default the provider's organization): set it to the \
                     business group that holds the instance, or grant the Connected App access \
                     there"
                );
            }
            return format!(
                "the Connected App has no access to organization {org}, the organization this \
                 request used. It comes from the provider's org_id (or ANYPOINT_ORG_ID) and, when \
                 neither is set, from the root organization of the Connected App's user: set \
                 org_id to the id of the root organization that holds the client applications, \
                 or leave it unset"
            );
        }
    }
    call.scope().to_owned()
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
    use crate::error::{ApiError, ErrorInfo};

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

    #[test]
    fn each_call_names_its_own_scope_once() {
        let hint = |method: &str, path: &str| {
            ApiError::from_status(
                403,
                ErrorInfo::new(method, path, Some(403), "Forbidden".to_owned()),
            )
            .to_string()
        };
        let m = "/apimanager/api/v1/organizations/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/environments/e/apis/1";
        for (method, path, wanted) in [
            ("PATCH", format!("{m}/contracts/2"), "Manage Contracts"),
            ("DELETE", format!("{m}/contracts/2"), "Manage Contracts"),
            (
                "POST",
                "/apiplatform/repository/v2/organizations/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/apis/3/versions/1/contracts/2/revoke"
                    .to_owned(),
                "Manage Contracts",
            ),
            ("GET", format!("{m}/tiers"), "View Contracts"),
            ("GET", m.to_owned(), "View APIs Configuration"),
            (
                "GET",
                m.replace("/apis/1", "/groupInstances/62001"),
                "API Group Administrator",
            ),
            (
                "DELETE",
                m.replace("/apis/1", "/groupInstances/62001/contracts/2"),
                "API Group Administrator",
            ),
            (
                "GET",
                "/apimanager/api/v1/organizations/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/groups/60001"
                    .to_owned(),
                "API Group Administrator",
            ),
            (
                "GET",
                format!("{}?assetId=orders-api&offset=0&limit=100", &m[..m.len() - 2]),
                "searching an environment's API instances",
            ),
            (
                "GET",
                "/exchange/api/v2/assets/g/a/1.0.0".to_owned(),
                "Exchange Viewer",
            ),
            (
                "POST",
                "/exchange/api/v2/organizations/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/applications/7/contracts".to_owned(),
                "Exchange Viewer",
            ),
            (
                "PUT",
                "/apiplatform/repository/v2/organizations/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/applications/7".to_owned(),
                "Application Creator",
            ),
        ] {
            let text = hint(method, &path);
            assert_eq!(text.matches(wanted).count(), 1, "{method} {path}: {text}");
            assert_eq!(text.matches("Hint:").count(), 1, "{text}");
            if wanted != "Application Creator" && wanted != "Exchange Viewer" {
                assert!(!text.contains("only manage client applications"), "{text}");
            }
        }
        // A business group refused on an instance path: the instance's
        // organization setting, not the provider's org_id.
        let bg = ApiError::from_status(
            403,
            ErrorInfo::new(
                "GET",
                "/apimanager/api/v1/organizations/b1/environments/e/apis/1",
                Some(403),
                "You do not have permission to access organization b1.".to_owned(),
            ),
        )
        .to_string();
        assert!(bg.contains("api_instance_org_id"), "{bg}");
    }
}
