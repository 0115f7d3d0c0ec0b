//! Where each call goes on the platform: the path segments below the base
//! URL (the request builder percent-encodes each one).

/// The token request.
pub(crate) const TOKEN_PATH: &[&str] = &["accounts", "api", "v2", "oauth2", "token"];

/// True when `path` (as kept in an error, with its query) is the token
/// request's: a 401 there means the credentials were refused; anywhere else
/// it means an access token was (see `error::TOKEN_REFUSED_EXPLANATION`).
pub(crate) fn is_token_request_path(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    // The base URL may carry a path prefix: compare the last segments.
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.ends_with(TOKEN_PATH)
}

/// `accounts/api/me`: the caller.
pub(crate) const ME: &[&str] = &["accounts", "api", "me"];

/// `accounts/api/organizations/{org}` + `tail`.
pub(crate) fn organization<'a>(org: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["accounts", "api", "organizations", org];
    v.extend_from_slice(tail);
    v
}

/// `apiplatform/repository/v2/organizations/{org}/applications` + `tail`.
pub(crate) fn applications<'a>(org: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "apiplatform",
        "repository",
        "v2",
        "organizations",
        org,
        "applications",
    ];
    v.extend_from_slice(tail);
    v
}

/// `exchange/api/v2/organizations/{org}/applications/{app}/contracts` +
/// `tail`: where an application asks for access (Exchange).
pub(crate) fn contract_requests<'a>(org: &'a str, app: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "exchange",
        "api",
        "v2",
        "organizations",
        org,
        "applications",
        app,
        "contracts",
    ];
    v.extend_from_slice(tail);
    v
}

/// `apimanager/api/v1/organizations/{org}` + `tail`.
fn api_manager_org<'a>(org: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["apimanager", "api", "v1", "organizations", org];
    v.extend_from_slice(tail);
    v
}

/// `apimanager/api/v1/organizations/{org}/environments/{env}/apis`: the search.
pub(crate) fn api_manager_apis<'a>(org: &'a str, env: &'a str) -> Vec<&'a str> {
    api_manager_org(org, &["environments", env, "apis"])
}

/// `apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}` + `tail`.
pub(crate) fn api_manager<'a>(
    org: &'a str,
    env: &'a str,
    api: &'a str,
    tail: &[&'a str],
) -> Vec<&'a str> {
    let mut v = api_manager_apis(org, env);
    v.push(api);
    v.extend_from_slice(tail);
    v
}

/// `apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{id}` + `tail`.
pub(crate) fn group_instance<'a>(
    org: &'a str,
    env: &'a str,
    id: &'a str,
    tail: &[&'a str],
) -> Vec<&'a str> {
    let mut v = api_manager_org(org, &["environments", env, "groupInstances", id]);
    v.extend_from_slice(tail);
    v
}

/// `apimanager/api/v1/organizations/{org}/groups/{group}` + `tail`.
pub(crate) fn api_group<'a>(org: &'a str, group: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = api_manager_org(org, &["groups", group]);
    v.extend_from_slice(tail);
    v
}

/// `apiplatform/repository/v2/organizations/{org}/apis/{parent}/versions/{api}/contracts/{id}` + `tail`.
pub(crate) fn legacy_contract<'a>(
    org: &'a str,
    parent: &'a str,
    api: &'a str,
    cid: &'a str,
    tail: &[&'a str],
) -> Vec<&'a str> {
    let mut v = vec![
        "apiplatform",
        "repository",
        "v2",
        "organizations",
        org,
        "apis",
        parent,
        "versions",
        api,
        "contracts",
        cid,
    ];
    v.extend_from_slice(tail);
    v
}

/// `exchange/api/v2/assets/{group}/{asset}/{version}`.
pub(crate) fn asset<'a>(group: &'a str, asset: &'a str, version: &'a str) -> Vec<&'a str> {
    vec!["exchange", "api", "v2", "assets", group, asset, version]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_request_path_is_recognised() {
        assert!(is_token_request_path("/accounts/api/v2/oauth2/token"));
        assert!(is_token_request_path("/accounts/api/v2/oauth2/token?x=1"));
        assert!(!is_token_request_path("/accounts/api/me"));
        assert!(!is_token_request_path(
            "/accounts/api/v2/oauth2/token/extra"
        ));
        assert!(is_token_request_path(
            "/prefix/accounts/api/v2/oauth2/token"
        ));
    }
}
