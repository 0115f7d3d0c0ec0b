//! `anypoint_client_applications` data source: the applications of an
//! organization that the platform lists, optionally filtered by name, each
//! read by id for what the list does not carry.
//!
//! The platform's list is not taken as the truth about which applications
//! exist (the reference's open question 9: a Connected App may be shown an
//! empty or partial list). So the list only names candidates: each one is
//! read by id (the list has no redirect URIs or grant types), an item whose
//! read answers 404 was deleted meanwhile and is left out, any other failure
//! fails the read, and an unfiltered empty list comes with a warning.

use std::collections::BTreeSet;

use async_trait::async_trait;
use tokio::task::JoinSet;

use crate::resources::ClientApplicationResource;
use crate::support::values::{norm_set, norm_string};
use crate::support::{api_error, org_id, AnypointData, OrgId, OrgIdReadBack};
use anypoint_client::{AnypointClient, Application, ApplicationSummary};
use tfplugin::framework::schema::validate_config;
use tfplugin::framework::validators::max_chars;
use tfplugin::framework::{
    Attribute, Diagnostics, Maybe, Model, Resource, Schema, Severity, Typed, TypedDataSource,
};

pub struct ClientApplicationsDataSource;

/// How many applications are read by id at once.
const READ_CONCURRENCY: usize = 8;

/// The longest `name_filter`: longer than any name worth searching for, and
/// short enough that the request (the filter travels in its query string)
/// and any message quoting it stay small.
const MAX_NAME_FILTER_CHARS: usize = 255;

tfplugin::model! {
    /// One application of the list (the schema takes its object type from
    /// this model).
    pub struct ApplicationItem, paths: item_attrs {
        id: Option<String>,
        name: Option<String>,
        description: Option<String>,
        url: Option<String>,
        redirect_uris: Option<BTreeSet<String>>,
        grant_types: Option<BTreeSet<String>>,
        client_id: Option<String>,
        manageable: Option<bool>,
        problems: Option<BTreeSet<String>>,
    }
}

tfplugin::model! {
    /// The attributes of the `anypoint_client_applications` data source.
    pub struct ClientApplicationsModel, paths: attrs {
        name_filter: Maybe<String>,
        org_id: Maybe<String>,
        applications: Option<Vec<ApplicationItem>>,
    }
}

impl ApplicationItem {
    /// An item as the application resource would store it for a
    /// configuration that sets only what the platform holds: unset strings
    /// and empty sets are null, so `for_each` over the list adopts each
    /// application with an empty plan.
    fn from_platform(app: &Application, listed: &ApplicationSummary) -> Self {
        let client_id = Some(app.client_id.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| listed.client_id.clone());
        let mut item = ApplicationItem {
            id: Some(app.id.to_string()),
            name: Some(app.name.clone()),
            description: norm_string(app.description.as_deref(), None),
            url: norm_string(app.url.as_deref(), None),
            redirect_uris: norm_set(&app.redirect_uri, None),
            grant_types: norm_set(&app.grant_types, None),
            client_id,
            manageable: None,
            problems: None,
        };
        let problems = adoption_problems(&item);
        item.manageable = Some(problems.is_empty());
        item.problems = Some(problems);
        item
    }
}

/// The arguments of `anypoint_client_application` that an adoption takes
/// from an item (as `examples/guides/adopt-existing` writes them).
const ADOPTED_ARGUMENTS: [&str; 5] = ["name", "description", "url", "redirect_uris", "grant_types"];

/// Why `anypoint_client_application` would refuse `item` as its
/// configuration; empty when it takes it. The resource's own validation
/// decides (its schema's validators, then its cross-attribute checks), so
/// this answer cannot drift from what `terraform plan` would say.
fn adoption_problems(item: &ApplicationItem) -> BTreeSet<String> {
    let resource = Typed(ClientApplicationResource);
    let schema = resource.schema();
    let values = item.to_value();
    let mut config = schema.null_object();
    for name in ADOPTED_ARGUMENTS {
        config.set_attr(name, values.attr(name).clone());
    }
    let mut diags = Diagnostics::new();
    validate_config(&schema, &config, &mut diags);
    resource.validate(&config, &mut diags);
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.detail.clone())
        .collect()
}

pub fn schema() -> Schema {
    Schema::new(
        "Lists the client applications that the platform shows the Connected App, in id \
         order, each read by id. The list is what the platform shows, which may be less than \
         what exists: never read an application's absence from it as deleted.",
    )
    .attribute(
        Attribute::string("name_filter")
            .optional()
            .validate(max_chars(MAX_NAME_FILTER_CHARS))
            .description("Only applications whose name contains this text (case-insensitive). At most 255 characters."),
    )
    .attribute(org_id(OrgId::Read(OrgIdReadBack::Lowercase)))
    .attribute(
        Attribute::list("applications", ApplicationItem::object_type())
            .computed()
            .description(
                "The applications: `id`, `name`, `description`, `url`, `redirect_uris`, `grant_types` and `client_id` of each (never the secret; unset values are null), `manageable` (whether `anypoint_client_application` accepts them as they are) and `problems` (why not).",
            ),
    )
}

/// Read each listed application by id, a few at a time; `None` for one that
/// is gone (404). Any other failure is reported and ends the read.
async fn read_each(
    client: &AnypointClient,
    org: &str,
    listed: &[ApplicationSummary],
    diags: &mut Diagnostics,
) -> Option<Vec<Option<Application>>> {
    let mut out: Vec<Option<Application>> = vec![None; listed.len()];
    for (chunk_no, chunk) in listed.chunks(READ_CONCURRENCY).enumerate() {
        let mut reads = JoinSet::new();
        for (i, item) in chunk.iter().enumerate() {
            let (client, org, id) = (client.clone(), org.to_owned(), item.id);
            let index = chunk_no * READ_CONCURRENCY + i;
            reads.spawn(async move { (index, id, client.applications().read(&org, id).await) });
        }
        while let Some(joined) = reads.join_next().await {
            let (index, id, result) = match joined {
                Ok(done) => done,
                Err(e) => {
                    diags.error(
                        "Error reading the listed client applications",
                        format!("A read stopped before it finished ({e}). This is a bug in the provider; please report it."),
                    );
                    return None;
                }
            };
            match result {
                Ok(app) => out[index] = Some(app),
                Err(e) if e.is_not_found() => {
                    tracing::info!(application_id = id, "A listed client application is gone");
                }
                Err(e) => {
                    api_error(
                        diags,
                        &format!("reading client application {id}, which the list shows"),
                        &e,
                    );
                    return None;
                }
            }
        }
    }
    Some(out)
}

#[async_trait]
impl TypedDataSource for ClientApplicationsDataSource {
    type Model = ClientApplicationsModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_client_applications"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: ClientApplicationsModel,
        diags: &mut Diagnostics,
    ) -> Option<ClientApplicationsModel> {
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let filter = config.name_filter.as_str().filter(|f| !f.is_empty());
        let apps = match data.client.applications().list(&org, filter).await {
            Ok(a) => a,
            Err(e) => {
                api_error(diags, "listing client applications", &e);
                return None;
            }
        };
        if apps.is_empty() && filter.is_none() {
            diags.attr_warning(
                attrs::applications(),
                "The platform listed no client applications",
                format!(
                    "The platform listed no client applications in organization {org}. If some \
                     exist, the Connected App may not be allowed to list them (a Connected App \
                     without the needed scopes has been seen to get an empty list instead of \
                     an error): check its scopes. To read one application whatever the list \
                     says, use the anypoint_client_application data source with its id."
                ),
            );
        }
        let needle = filter.map(str::to_lowercase);
        let mut listed: Vec<ApplicationSummary> = apps
            .into_iter()
            // The platform's search is loose; apply the documented rule.
            .filter(|a| {
                needle
                    .as_ref()
                    .is_none_or(|n| a.name.to_lowercase().contains(n))
            })
            .collect();
        listed.sort_by_key(|a| a.id);
        listed.dedup_by_key(|a| a.id);
        let read = read_each(&data.client, &org, &listed, diags).await?;
        let applications = listed
            .iter()
            .zip(read)
            .filter_map(|(summary, app)| app.map(|a| (summary, a)))
            // The application read by id has the final word on its name.
            .filter(|(_, a)| {
                needle
                    .as_ref()
                    .is_none_or(|n| a.name.to_lowercase().contains(n))
            })
            .map(|(summary, app)| ApplicationItem::from_platform(&app, summary))
            .collect();
        let state = ClientApplicationsModel {
            name_filter: config.name_filter.clone(),
            org_id: Maybe::Known(org),
            applications: Some(applications),
        };
        Some(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<ClientApplicationsModel>(&schema());
    }

    #[test]
    fn items_are_normalised_like_the_resource_state() {
        let app: Application = serde_json::from_value(serde_json::json!({
            "id": 5, "name": "n", "description": "", "url": null,
            "redirectUri": [], "grantTypes": ["client_credentials"], "clientId": "cid"
        }))
        .unwrap();
        let listed: ApplicationSummary =
            serde_json::from_value(serde_json::json!({"id": 5, "name": "n"})).unwrap();
        let item = ApplicationItem::from_platform(&app, &listed);
        assert_eq!(item.description, None);
        assert_eq!(item.url, None);
        assert_eq!(item.redirect_uris, None, "an empty set is null");
        assert_eq!(
            item.grant_types,
            Some(BTreeSet::from(["client_credentials".to_owned()]))
        );
        assert_eq!(item.client_id.as_deref(), Some("cid"));
        assert_eq!(item.manageable, Some(true));
        assert_eq!(item.problems, Some(BTreeSet::new()));
    }

    #[test]
    fn items_the_resource_would_refuse_say_why() {
        let listed: ApplicationSummary =
            serde_json::from_value(serde_json::json!({"id": 5, "name": "n"})).unwrap();
        let item = |body: serde_json::Value| {
            let app: Application = serde_json::from_value(body).unwrap();
            ApplicationItem::from_platform(&app, &listed)
        };
        for (body, says) in [
            (
                serde_json::json!({"id": 5, "name": "trailing ", "clientId": "c"}),
                "start or end",
            ),
            (
                serde_json::json!({"id": 5, "name": "n", "clientId": "c",
                    "redirectUri": ["https://a.example.com/cb#frag"]}),
                "fragment",
            ),
            (
                serde_json::json!({"id": 5, "name": "n", "clientId": "c",
                    "grantTypes": ["refresh_token"]}),
                "authorization_code",
            ),
            (
                serde_json::json!({"id": 5, "name": "n", "clientId": "c",
                    "grantTypes": ["urn:example:custom"]}),
                "Allowed values",
            ),
            (
                serde_json::json!({"id": 5, "name": "n", "clientId": "c", "url": "portal.example.com"}),
                "url",
            ),
        ] {
            let it = item(body.clone());
            assert_eq!(it.manageable, Some(false), "{body}");
            let problems = it.problems.unwrap();
            assert_eq!(problems.len(), 1, "{body}: {problems:?}");
            let p = problems.iter().next().unwrap();
            assert!(p.contains(says), "{body}: {p}");
        }
    }
}
