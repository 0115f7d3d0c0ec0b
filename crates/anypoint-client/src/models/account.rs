//! Access Management's answers about the caller: `GET /accounts/api/me`
//! (who the Connected App is, and its organizations) and
//! `GET /accounts/api/organizations/{id}` (where an organization sits in its
//! tree).

use serde::Deserialize;
use serde_json::Value;

use super::lenient::{lenient_opt_bool, lenient_opt_string, string_list};

/// Who the Connected App is, as `GET /accounts/api/me` tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectedAppIdentity {
    /// `user.id`: the user the Connected App acts for (the user who created
    /// it), whom the platform makes the first owner of every application
    /// the Connected App creates.
    pub user_id: Option<String>,
    /// The organization, read as the organization discovery reads it.
    pub org_id: Option<String>,
}

/// The organizations a `/accounts/api/me` answer names: the root
/// organization of the user the Connected App acts for
/// (`user.organization.id`, else `user.organizationId`), where client
/// applications live, and the organization the Connected App itself resides
/// in (`client.org_id`), which may be a business group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MeOrganizations {
    pub(crate) user_root: Option<String>,
    pub(crate) connected_app: Option<String>,
}

/// A non-empty string at `pointer` in `body`, trimmed.
fn text_at(body: &Value, pointer: &str) -> Option<String> {
    body.pointer(pointer)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

pub(crate) fn orgs_from_me(body: &Value) -> MeOrganizations {
    MeOrganizations {
        user_root: text_at(body, "/user/organization/id")
            .or_else(|| text_at(body, "/user/organizationId")),
        connected_app: text_at(body, "/client/org_id"),
    }
}

/// The Connected App's identity in a `/me` answer whose organizations are
/// `orgs`.
pub(crate) fn identity_from_me(body: &Value, orgs: &MeOrganizations) -> ConnectedAppIdentity {
    ConnectedAppIdentity {
        user_id: text_at(body, "/user/id"),
        org_id: orgs
            .user_root
            .clone()
            .or_else(|| orgs.connected_app.clone()),
    }
}

/// `GET /accounts/api/organizations/{id}`: where an organization sits in
/// its tree.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrganizationNode {
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub(crate) is_master: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub(crate) parent_organization_id: Option<String>,
    #[serde(default, deserialize_with = "string_list")]
    pub(crate) parent_organization_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn org_discovery_fields() {
        let both = orgs_from_me(
            &json!({"client": {"org_id": "c-org"}, "user": {"organization": {"id": "u-org"}}}),
        );
        assert_eq!(both.user_root.as_deref(), Some("u-org"));
        assert_eq!(both.connected_app.as_deref(), Some("c-org"));
        let flat = orgs_from_me(&json!({"user": {"organizationId": "u-org"}}));
        assert_eq!(flat.user_root.as_deref(), Some("u-org"));
        assert_eq!(flat.connected_app, None);
        assert_eq!(
            orgs_from_me(&json!({"client": {"org_id": ""}})),
            MeOrganizations::default()
        );
        let node: OrganizationNode = serde_json::from_value(json!({
            "isMaster": false, "parentOrganizationIds": ["root"], "parentOrganizationId": null
        }))
        .unwrap();
        assert_eq!(node.is_master, Some(false));
        assert_eq!(node.parent_organization_ids, vec!["root".to_owned()]);
        assert_eq!(node.parent_organization_id, None);
    }
}
