//! The route table: which operation a method and path name.

use serde_json::{Map, Value};

use crate::state::Reply;

/// A JSON object body, or 400.
pub(super) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::error(400, "A JSON request body is required."));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Reply::error(400, "The request body must be a JSON object.")),
        Err(e) => Err(Reply::error(400, format!("Malformed JSON body: {e}"))),
    }
}

/// The decoded segments of a path.
pub(crate) fn path_segments(path: &str) -> Vec<String> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(percent_decode)
        .collect()
}

/// The route template a request matched (e.g.
/// `GET /apiplatform/repository/v2/organizations/{org}/applications/{app}`),
/// or `unmatched`: the key of the per-route counters.
pub(crate) fn route_label(method: &str, path: &str) -> &'static str {
    let segments = path_segments(path);
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    parse_route(method, &segs).map_or("unmatched", |(op, _)| op.label())
}

/// A lenient decode: a `%` not followed by two hex digits stays as it is, and
/// invalid UTF-8 becomes U+FFFD.
fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// The operations, with their path parameters.
pub(super) enum Op<'a> {
    Token,
    Me,
    GetOrganization(&'a str),
    ListUsers,
    ListEnvironments(&'a str),
    CreateApp,
    ListApps,
    GetApp(&'a str),
    PutApp(&'a str),
    PatchApp(&'a str),
    DeleteApp(&'a str),
    AddOwner(&'a str),
    RemoveOwner(&'a str, &'a str),
    ResetSecret(&'a str),
    AppContracts(&'a str),
    CreateContract(&'a str),
    ChangeTier(&'a str, &'a str),
    SearchInstances(&'a str, &'a str),
    GetInstance(&'a str, &'a str),
    ListTiers(&'a str, &'a str),
    ListInstanceContracts(&'a str, &'a str),
    GetInstanceContract(&'a str, &'a str, &'a str),
    PatchInstanceContract(&'a str, &'a str, &'a str),
    LegacyRevokeContract(&'a str, &'a str, &'a str),
    LegacyDeleteContract(&'a str, &'a str, &'a str),
    DeleteContract(&'a str, &'a str, &'a str),
    Asset(&'a str, &'a str, &'a str),
    /// API groups and their instances (API Manager).
    Group(GroupOp<'a>),
}

/// API Manager's API group operations: a group and its version by id, and
/// a group instance (environment, id) with its tiers and contracts.
pub(super) enum GroupOp<'a> {
    GetGroup(&'a str),
    GetGroupVersion(&'a str, &'a str),
    GetInstance(&'a str, &'a str),
    ListTiers(&'a str, &'a str),
    ListContracts(&'a str, &'a str),
    GetContract(&'a str, &'a str, &'a str),
    PatchContract(&'a str, &'a str, &'a str),
    DeleteContract(&'a str, &'a str, &'a str),
}

impl GroupOp<'_> {
    fn label(&self) -> &'static str {
        use GroupOp::*;
        match self {
            GetGroup(_) => "GET /apimanager/api/v1/organizations/{org}/groups/{group}",
            GetGroupVersion(..) => "GET /apimanager/api/v1/organizations/{org}/groups/{group}/versions/{version}",
            GetInstance(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{groupInstance}",
            ListTiers(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{groupInstance}/tiers",
            ListContracts(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{groupInstance}/contracts",
            GetContract(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{groupInstance}/contracts/{contract}",
            PatchContract(..) => "PATCH /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{groupInstance}/contracts/{contract}",
            DeleteContract(..) => "DELETE /apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances/{groupInstance}/contracts/{contract}",
        }
    }

    /// What the operation names, for a 404 in a business group (which
    /// holds no API group).
    pub(super) fn what(&self) -> String {
        use GroupOp::*;
        match self {
            GetGroup(g) | GetGroupVersion(g, _) => format!("API group {g}"),
            GetInstance(_, g)
            | ListTiers(_, g)
            | ListContracts(_, g)
            | GetContract(_, g, _)
            | PatchContract(_, g, _)
            | DeleteContract(_, g, _) => format!("API group instance {g}"),
        }
    }

    fn parse<'a>(method: &str, segs: &[&'a str]) -> Option<GroupOp<'a>> {
        use GroupOp::*;
        Some(match (method, segs) {
            ("GET", ["groups", g]) => GetGroup(g),
            ("GET", ["groups", g, "versions", v]) => GetGroupVersion(g, v),
            ("GET", ["environments", env, "groupInstances", g]) => GetInstance(env, g),
            ("GET", ["environments", env, "groupInstances", g, "tiers"]) => ListTiers(env, g),
            ("GET", ["environments", env, "groupInstances", g, "contracts"]) => {
                ListContracts(env, g)
            }
            ("GET", ["environments", env, "groupInstances", g, "contracts", c]) => {
                GetContract(env, g, c)
            }
            ("PATCH", ["environments", env, "groupInstances", g, "contracts", c]) => {
                PatchContract(env, g, c)
            }
            ("DELETE", ["environments", env, "groupInstances", g, "contracts", c]) => {
                DeleteContract(env, g, c)
            }
            _ => return None,
        })
    }
}

impl Op<'_> {
    /// Client applications, their owners and their Exchange contracts: they
    /// live in the root organization only.
    pub(super) fn root_only(&self) -> bool {
        use Op::*;
        matches!(
            self,
            CreateApp
                | ListApps
                | GetApp(_)
                | PutApp(_)
                | PatchApp(_)
                | DeleteApp(_)
                | AddOwner(_)
                | RemoveOwner(..)
                | ResetSecret(_)
                | AppContracts(_)
                | CreateContract(_)
                | ChangeTier(..)
        )
    }

    /// The API instance an API Manager (or legacy API Platform contract)
    /// operation names.
    pub(super) fn instance_key(&self) -> Option<&str> {
        use Op::*;
        match self {
            GetInstance(_, api)
            | ListTiers(_, api)
            | ListInstanceContracts(_, api)
            | GetInstanceContract(_, api, _)
            | PatchInstanceContract(_, api, _)
            | DeleteContract(_, api, _) => Some(api),
            // `…/apis/{apiId}/versions/{api}/…`: the version is the instance.
            LegacyRevokeContract(_, version, _) => Some(version),
            _ => None,
        }
    }

    pub(super) fn label(&self) -> &'static str {
        match self {
            Op::Token => "POST /accounts/api/v2/oauth2/token",
            Op::Me => "GET /accounts/api/me",
            Op::GetOrganization(_) => "GET /accounts/api/organizations/{org}",
            Op::ListUsers => "GET /accounts/api/organizations/{org}/users",
            Op::ListEnvironments(_) => "GET /accounts/api/organizations/{org}/environments",
            Op::CreateApp => "POST /apiplatform/repository/v2/organizations/{org}/applications",
            Op::ListApps => "GET /apiplatform/repository/v2/organizations/{org}/applications",
            Op::GetApp(_) => "GET /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::PutApp(_) => "PUT /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::PatchApp(_) => "PATCH /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::DeleteApp(_) => "DELETE /apiplatform/repository/v2/organizations/{org}/applications/{app}",
            Op::AddOwner(_) => "POST /apiplatform/repository/v2/organizations/{org}/applications/{app}/owners",
            Op::RemoveOwner(..) => "DELETE /apiplatform/repository/v2/organizations/{org}/applications/{app}/owners/{user}",
            Op::ResetSecret(_) => "POST /apiplatform/repository/v2/organizations/{org}/applications/{app}/secret/reset",
            Op::AppContracts(_) => "GET /apiplatform/repository/v2/organizations/{org}/applications/{app}/contracts",
            Op::CreateContract(_) => "POST /exchange/api/v2/organizations/{org}/applications/{app}/contracts",
            Op::ChangeTier(..) => "PATCH /exchange/api/v2/organizations/{org}/applications/{app}/contracts/{contract}",
            Op::SearchInstances(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis",
            Op::GetInstance(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}",
            Op::ListTiers(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/tiers",
            Op::ListInstanceContracts(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts",
            Op::GetInstanceContract(..) => "GET /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts/{contract}",
            Op::PatchInstanceContract(..) => "PATCH /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts/{contract}",
            Op::LegacyRevokeContract(..) => "POST /apiplatform/repository/v2/organizations/{org}/apis/{apiId}/versions/{api}/contracts/{contract}/revoke",
            Op::LegacyDeleteContract(..) => "DELETE /apiplatform/repository/v2/organizations/{org}/apis/{apiId}/versions/{api}/contracts/{contract}",
            Op::DeleteContract(..) => "DELETE /apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts/{contract}",
            Op::Asset(..) => "GET /exchange/api/v2/assets/{group}/{asset}/{version}",
            Op::Group(g) => g.label(),
        }
    }
}

/// The operation for a method and decoded path segments, with the
/// organization id from the path when there is one.
pub(super) fn parse_route<'a>(method: &str, segs: &[&'a str]) -> Option<(Op<'a>, Option<&'a str>)> {
    use Op::*;
    let r = match (method, segs) {
        ("POST", ["accounts", "api", "v2", "oauth2", "token"]) => (Token, None),
        ("GET", ["accounts", "api", "me"]) => (Me, None),
        ("GET", ["accounts", "api", "organizations", org]) => (GetOrganization(org), None),
        ("GET", ["accounts", "api", "organizations", org, "users"]) => (ListUsers, Some(*org)),
        ("GET", ["accounts", "api", "organizations", org, "environments"]) => {
            (ListEnvironments(org), Some(*org))
        }
        (
            m,
            ["apiplatform", "repository", "v2", "organizations", org, "applications", rest @ ..],
        ) => {
            let op = match (m, rest) {
                ("POST", []) => CreateApp,
                ("GET", []) => ListApps,
                ("GET", [app]) => GetApp(app),
                ("PUT", [app]) => PutApp(app),
                ("PATCH", [app]) => PatchApp(app),
                ("DELETE", [app]) => DeleteApp(app),
                ("POST", [app, "owners"]) => AddOwner(app),
                ("DELETE", [app, "owners", user]) => RemoveOwner(app, user),
                ("POST", [app, "secret", "reset"]) => ResetSecret(app),
                ("GET", [app, "contracts"]) => AppContracts(app),
                _ => return None,
            };
            (op, Some(*org))
        }
        (
            "POST",
            ["apiplatform", "repository", "v2", "organizations", org, "apis", api, "versions", ver, "contracts", c, "revoke"],
        ) => (LegacyRevokeContract(api, ver, c), Some(*org)),
        (
            "DELETE",
            ["apiplatform", "repository", "v2", "organizations", org, "apis", api, "versions", ver, "contracts", c],
        ) => (LegacyDeleteContract(api, ver, c), Some(*org)),
        (
            "POST",
            ["exchange", "api", "v2", "organizations", org, "applications", app, "contracts"],
        ) => (CreateContract(app), Some(*org)),
        (
            "PATCH",
            ["exchange", "api", "v2", "organizations", org, "applications", app, "contracts", c],
        ) => (ChangeTier(app, c), Some(*org)),
        ("GET", ["apimanager", "api", "v1", "organizations", org, "environments", env, "apis"]) => {
            (SearchInstances(org, env), Some(*org))
        }
        (
            m,
            ["apimanager", "api", "v1", "organizations", org, "environments", env, "apis", api, rest @ ..],
        ) => {
            let op = match (m, rest) {
                ("GET", []) => GetInstance(env, api),
                ("GET", ["tiers"]) => ListTiers(env, api),
                ("GET", ["contracts"]) => ListInstanceContracts(env, api),
                ("GET", ["contracts", c]) => GetInstanceContract(env, api, c),
                ("DELETE", ["contracts", c]) => DeleteContract(env, api, c),
                ("PATCH", ["contracts", c]) => PatchInstanceContract(env, api, c),
                _ => return None,
            };
            (op, Some(*org))
        }
        ("GET", ["exchange", "api", "v2", "assets", g, a, v]) => (Asset(g, a, v), None),
        (m, ["apimanager", "api", "v1", "organizations", org, rest @ ..]) => {
            (Group(GroupOp::parse(m, rest)?), Some(*org))
        }
        _ => return None,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%41%42"), "AB");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("a%FFb"), "a\u{FFFD}b");
    }

    #[test]
    fn routes_resolve() {
        let r = |m: &str, p: &str| {
            let segs: Vec<&str> = p.split('/').collect();
            parse_route(m, &segs).map(|(_, org)| org.map(str::to_owned))
        };
        assert_eq!(r("POST", "accounts/api/v2/oauth2/token"), Some(None));
        assert_eq!(r("GET", "accounts/api/v2/oauth2/token"), None);
        assert_eq!(
            r(
                "DELETE",
                "apiplatform/repository/v2/organizations/o1/applications/5/owners/u"
            ),
            Some(Some("o1".into()))
        );
        assert_eq!(
            r(
                "GET",
                "apiplatform/repository/v2/organizations/o1/applications/5/x"
            ),
            None
        );
        // The revoke path in no public source is an unknown route.
        assert_eq!(
            r(
                "POST",
                "apimanager/api/v1/organizations/o/environments/e/apis/1/contracts/2/revoke"
            ),
            None
        );
        assert_eq!(
            r(
                "PATCH",
                "apimanager/api/v1/organizations/o/environments/e/apis/1/contracts/2"
            ),
            Some(Some("o".into()))
        );
        assert_eq!(
            r(
                "POST",
                "apiplatform/repository/v2/organizations/o/apis/3/versions/1/contracts/2/revoke"
            ),
            Some(Some("o".into()))
        );
        assert_eq!(r("GET", "exchange/api/v2/assets/g/a/1.0.0"), Some(None));
        // API groups: the group, its version, and a group instance's routes.
        for (m, p) in [
            ("GET", "apimanager/api/v1/organizations/o/groups/1"),
            (
                "GET",
                "apimanager/api/v1/organizations/o/groups/1/versions/2",
            ),
            (
                "GET",
                "apimanager/api/v1/organizations/o/environments/e/groupInstances/3",
            ),
            (
                "GET",
                "apimanager/api/v1/organizations/o/environments/e/groupInstances/3/tiers",
            ),
            (
                "PATCH",
                "apimanager/api/v1/organizations/o/environments/e/groupInstances/3/contracts/4",
            ),
            (
                "DELETE",
                "apimanager/api/v1/organizations/o/environments/e/groupInstances/3/contracts/4",
            ),
        ] {
            assert_eq!(r(m, p), Some(Some("o".into())), "{m} {p}");
        }
        assert_eq!(
            r(
                "POST",
                "apimanager/api/v1/organizations/o/environments/e/groupInstances/3/contracts/4"
            ),
            None
        );
        assert_eq!(r("GET", "apimanager/api/v1/organizations/o/groups"), None);
        assert_eq!(
            r(
                "GET",
                "apimanager/api/v1/organizations/o/environments/e/apis"
            ),
            Some(Some("o".into()))
        );
        assert_eq!(
            r(
                "POST",
                "apimanager/api/v1/organizations/o/environments/e/apis"
            ),
            None
        );
        assert_eq!(r("GET", "accounts/api/organizations/o1"), Some(None));
        assert_eq!(r("PUT", "accounts/api/organizations/o1"), None);
    }
}
