//! Applications and their owners.

use serde::{Deserialize, Serialize};

use super::lenient::{
    created_date, lenient_i64, lenient_object, lenient_opt_bool, lenient_opt_i64,
    lenient_opt_string, lenient_secret, lenient_string, object_list, string_list, Audit,
};
use secret::Secret;

/// A client application as returned by get, create and secret reset.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawApplication")]
pub struct Application {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
    pub api_endpoints: Option<bool>,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub master_organization_id: Option<String>,
    pub owners: Vec<Owner>,
    /// From `audit.created.date`.
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawApplication {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    name: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    url: Option<String>,
    /// `None` when absent or null (an answer without the field), as a list
    /// item may be; an application reads it as empty.
    #[serde(default, deserialize_with = "present_string_list")]
    redirect_uri: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present_string_list")]
    grant_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    api_endpoints: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    core_services_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_secret")]
    client_secret: Option<Secret>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    master_organization_id: Option<String>,
    #[serde(default, deserialize_with = "object_list")]
    owners: Vec<Owner>,
    #[serde(default, deserialize_with = "lenient_object")]
    audit: Option<Audit>,
}

impl Application {
    /// Register the client secret with the log scrubber: every application
    /// read from the platform passes here.
    pub(crate) fn registered(self) -> Self {
        if let Some(secret) = &self.client_secret {
            secret::register_secret(secret.expose());
        }
        self
    }
}

impl From<RawApplication> for Application {
    fn from(r: RawApplication) -> Self {
        Application {
            id: r.id,
            name: r.name,
            description: r.description,
            url: r.url,
            redirect_uri: r.redirect_uri.unwrap_or_default(),
            grant_types: r.grant_types.unwrap_or_default(),
            api_endpoints: r.api_endpoints,
            client_id: r.client_id.or(r.core_services_id).unwrap_or_default(),
            client_secret: r.client_secret,
            master_organization_id: r.master_organization_id,
            owners: r.owners,
            created_at: created_date(r.audit),
        }
    }
}

/// An application in a list (no secret, no owners).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawApplicationSummary")]
pub struct ApplicationSummary {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub master_organization_id: Option<String>,
    /// `clientId`, or `coreServicesId` when that is all the list gives.
    pub client_id: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawApplicationSummary {
    #[serde(deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    name: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    url: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    master_organization_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    client_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    core_services_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_object")]
    audit: Option<Audit>,
}

impl From<RawApplicationSummary> for ApplicationSummary {
    fn from(r: RawApplicationSummary) -> Self {
        ApplicationSummary {
            id: r.id,
            name: r.name,
            description: r.description,
            url: r.url,
            master_organization_id: r.master_organization_id,
            client_id: r.client_id.or(r.core_services_id),
            created_at: created_date(r.audit),
        }
    }
}

/// `{"applications":[…],"total":N}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ApplicationPage {
    #[serde(default, deserialize_with = "object_list")]
    pub(crate) applications: Vec<ApplicationSummary>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

/// An owner of an application.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The Anypoint user (or team) id.
    #[serde(deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub last_name: Option<String>,
    /// JSON `type`: `user` or `team`.
    #[serde(default, rename = "type", deserialize_with = "lenient_opt_string")]
    pub owner_type: Option<String>,
}

/// The body of an application create.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApplication {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_endpoints: Option<bool>,
}

/// The body of an application update: always the full mutable set. `None`
/// is sent as `""`: that clears the field on every platform we can think
/// of, where a `null` may be taken for "keep" (the only real capture of an
/// application shows `""` for an unset description).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationUpdate {
    pub name: String,
    #[serde(serialize_with = "empty_for_none")]
    pub description: Option<String>,
    #[serde(serialize_with = "empty_for_none")]
    pub url: Option<String>,
    pub redirect_uri: Vec<String>,
    pub grant_types: Vec<String>,
}

fn empty_for_none<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.as_deref().unwrap_or(""))
}

impl From<&Application> for ApplicationUpdate {
    fn from(a: &Application) -> Self {
        ApplicationUpdate {
            name: a.name.clone(),
            description: a.description.clone(),
            url: a.url.clone(),
            redirect_uri: a.redirect_uri.clone(),
            grant_types: a.grant_types.clone(),
        }
    }
}

/// The result of adding an owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddOwnerOutcome {
    Added,
    /// The platform answered 409: the user already owns the application.
    AlreadyOwner,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn application_full_and_tolerant() {
        let app: Application = serde_json::from_value(json!({
            "id": 154284, "name": "my-app", "description": null, "url": "https://x",
            "redirectUri": ["https://cb"], "grantTypes": ["client_credentials"],
            "apiEndpoints": "false", "clientId": "abc", "clientSecret": "s3cr3t-value",
            "masterOrganizationId": "org", "unknownField": {"x": 1},
            "owners": [{"id": "u1", "username": "alice", "firstName": "A", "type": "user", "extra": 1}],
            "audit": {"created": {"date": "2017-12-23T21:31:48.706Z"}, "updated": {}}
        }))
        .unwrap();
        assert_eq!(app.id, 154284);
        assert_eq!(app.description, None);
        assert_eq!(app.api_endpoints, Some(false));
        assert_eq!(app.client_secret.as_ref().unwrap().expose(), "s3cr3t-value");
        assert_eq!(app.owners[0].owner_type.as_deref(), Some("user"));
        assert_eq!(app.owners[0].first_name.as_deref(), Some("A"));
        assert_eq!(app.created_at.as_deref(), Some("2017-12-23T21:31:48.706Z"));
        assert!(!format!("{app:?}").contains("s3cr3t-value"));

        let app: Application = serde_json::from_value(json!({
            "id": "7", "name": "n", "redirectUri": null, "grantTypes": null, "owners": null,
            "clientSecret": null, "coreServicesId": "core", "audit": null
        }))
        .unwrap();
        assert_eq!(app.id, 7);
        assert!(app.redirect_uri.is_empty() && app.grant_types.is_empty() && app.owners.is_empty());
        assert_eq!(app.client_id, "core");
        assert_eq!(app.client_secret, None);
        assert_eq!(app.created_at, None);
    }

    #[test]
    fn summaries_and_pages() {
        let page: ApplicationPage = serde_json::from_value(json!({
            "applications": [
                {"id": 1, "name": "a", "coreServicesId": "c1", "audit": {"created": {"date": "d"}}},
                {"id": 2, "name": "b"}
            ],
            "total": 2
        }))
        .unwrap();
        assert_eq!(page.total, Some(2));
        assert_eq!(page.applications[0].client_id.as_deref(), Some("c1"));
        assert_eq!(page.applications[0].created_at.as_deref(), Some("d"));
        let page: ApplicationPage = serde_json::from_value(json!({})).unwrap();
        assert!(page.applications.is_empty() && page.total.is_none());
    }
}

/// A page of the application list read item by item into its application
/// (no tree of the whole page is built: a page of 250 whole applications
/// is parsed in place). An item that cannot be read fails the page.
#[derive(Deserialize)]
pub(crate) struct ListedApplicationPage {
    #[serde(default)]
    pub(crate) applications: Vec<ListedApplication>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    pub(crate) total: Option<i64>,
}

/// A list item: its id and name, and the whole application when the item
/// carries every field a read by id gives (the owners aside):
/// `redirectUri`, `grantTypes`, `clientSecret` and `clientId` or
/// `coreServicesId`.
#[derive(Debug)]
pub(crate) struct ListedApplication {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) whole: Option<Application>,
}

/// A list of strings that is there (`Some`, even when empty) or not (`None`;
/// null counts as not there).
fn present_string_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(string_list(v).unwrap_or_default()),
    })
}

impl<'de> Deserialize<'de> for ListedApplication {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawApplication::deserialize(d)?;
        let whole = r.redirect_uri.is_some()
            && r.grant_types.is_some()
            && r.client_secret.is_some()
            && (r.client_id.is_some() || r.core_services_id.is_some());
        let (id, name) = (r.id, r.name.clone());
        let mut app = Application::from(r);
        // A list item carries no owners, whatever it says.
        app.owners.clear();
        Ok(ListedApplication {
            id,
            name,
            whole: whole.then_some(app),
        })
    }
}
