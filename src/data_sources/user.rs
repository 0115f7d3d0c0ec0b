//! `anypoint_user` data source: one user of an organization, by exact
//! username or email, so that owners can be named instead of copied UUIDs.
//!
//! Access Management's user search matches substrings of several fields,
//! so its answer is only a list of candidates: a user is the one whose
//! username equals the one asked for (exactly), or whose email equals the
//! one asked for without regard to case. No match, or more than one, is an
//! error naming what was looked for (and the candidates).

use async_trait::async_trait;

use crate::support::{api_error, org_id, AnypointData, OrgId, OrgIdReadBack};
use anypoint_client::User;
use tfplugin::framework::validators::{canonical_uuid, non_empty};
use tfplugin::framework::{Attribute, Diagnostics, Maybe, Schema, TypedDataSource};

pub struct UserDataSource;

tfplugin::model! {
    /// The attributes of the `anypoint_user` data source.
    pub struct UserDataModel, paths: attrs {
        username: Maybe<String>,
        email: Maybe<String>,
        org_id: Maybe<String>,
        id: Option<String>,
        first_name: Option<String>,
        last_name: Option<String>,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Reads one user of the organization, by exact `username` or by `email` (set exactly \
         one), for example to name the owner of a client application.",
    )
    .attribute(
        Attribute::string("username")
            .optional()
            .computed()
            .validate(non_empty())
            .description("The exact username. Set this or `email`."),
    )
    .attribute(
        Attribute::string("email")
            .optional()
            .computed()
            .validate(non_empty())
            .description(
                "The email address, compared without regard to case. Set this or `username`.",
            ),
    )
    .attribute(org_id(OrgId::Read(OrgIdReadBack::Lowercase)))
    .attribute(
        Attribute::string("id")
            .computed()
            .description("The user id (a UUID, in lower case)."),
    )
    .attribute(
        Attribute::string("first_name")
            .computed()
            .description("The user's first name."),
    )
    .attribute(
        Attribute::string("last_name")
            .computed()
            .description("The user's last name."),
    )
}

/// What is looked for: a username (exact) or an email (without case).
enum Wanted<'a> {
    Username(&'a str),
    Email(&'a str),
}

impl Wanted<'_> {
    fn text(&self) -> &str {
        match self {
            Wanted::Username(s) | Wanted::Email(s) => s,
        }
    }

    fn describe(&self) -> String {
        match self {
            Wanted::Username(u) => format!("username {u:?}"),
            Wanted::Email(e) => format!("email {e:?}"),
        }
    }

    fn matches(&self, user: &User) -> bool {
        match self {
            Wanted::Username(u) => user.username.as_deref() == Some(*u),
            Wanted::Email(e) => user
                .email
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(e)),
        }
    }
}

fn missing_selector(diags: &mut Diagnostics) {
    diags.attr_error(
        attrs::username(),
        "Missing user selector",
        "Set either `username` or `email` to choose the user to read.",
    );
}

/// A user as a candidate in a message: id, username and email.
fn candidate(user: &User) -> String {
    format!(
        "{} ({}, {})",
        user.id,
        user.username.as_deref().unwrap_or("no username"),
        user.email.as_deref().unwrap_or("no email")
    )
}

#[async_trait]
impl TypedDataSource for UserDataSource {
    type Model = UserDataModel;
    type Data = AnypointData;

    fn type_name(&self) -> &'static str {
        "anypoint_user"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &UserDataModel, diags: &mut Diagnostics) {
        let (username, email) = (&config.username, &config.email);
        if username.is_unknown() || email.is_unknown() {
            return;
        }
        match (username.is_null(), email.is_null()) {
            (true, true) => missing_selector(diags),
            (false, false) => diags.attr_error(
                attrs::email(),
                "Conflicting user selectors",
                "Set only one of `username` and `email`, not both.",
            ),
            _ => {}
        }
    }

    async fn read(
        &self,
        data: &AnypointData,
        config: UserDataModel,
        diags: &mut Diagnostics,
    ) -> Option<UserDataModel> {
        let (wanted, path) = match (config.username.as_str(), config.email.as_str()) {
            (Some(u), _) => (Wanted::Username(u), attrs::username()),
            (None, Some(e)) => (Wanted::Email(e), attrs::email()),
            // validate refuses this first; never answer without a diagnostic.
            (None, None) => {
                missing_selector(diags);
                return None;
            }
        };
        let org = data.org_or_report(config.org_id.as_str(), diags).await?;
        let candidates = match data.client.users().list(&org, Some(wanted.text())).await {
            Ok(users) => users,
            Err(e) => {
                api_error(diags, "searching the organization's users", &e);
                return None;
            }
        };
        let found: Vec<&User> = candidates.iter().filter(|u| wanted.matches(u)).collect();
        let user = match found.as_slice() {
            [one] => *one,
            [] => {
                diags.attr_error(
                    path,
                    "No such user",
                    format!(
                        "No user with {} exists in organization {org} (or the Connected App \
                         cannot see it).",
                        wanted.describe()
                    ),
                );
                return None;
            }
            many => {
                let listed: Vec<String> = many.iter().map(|u| candidate(u)).collect();
                diags.attr_error(
                    path,
                    "Several users match",
                    format!(
                        "{} users have {}: {}. Select one by `username`, or use its id.",
                        many.len(),
                        wanted.describe(),
                        listed.join("; ")
                    ),
                );
                return None;
            }
        };
        // The selector keeps its configured spelling (an email may differ in
        // case); the other one is the platform's.
        Some(UserDataModel {
            username: match config.username {
                Maybe::Known(u) => Maybe::Known(u),
                _ => user.username.clone().into(),
            },
            email: match config.email {
                Maybe::Known(e) => Maybe::Known(e),
                _ => user.email.clone().into(),
            },
            org_id: org.as_str().into(),
            id: Some(canonical_uuid(&user.id)),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::assert_model_matches_schema;

    #[test]
    fn model_matches_schema() {
        assert_model_matches_schema::<UserDataModel>(&schema());
    }

    fn user(id: &str, username: &str, email: &str) -> User {
        User {
            id: id.to_owned(),
            username: Some(username.to_owned()),
            email: Some(email.to_owned()),
            first_name: None,
            last_name: None,
            enabled: None,
        }
    }

    #[test]
    fn usernames_match_exactly_and_emails_without_case() {
        let bob = user("u1", "bob", "Bob@Example.com");
        assert!(Wanted::Username("bob").matches(&bob));
        assert!(!Wanted::Username("Bob").matches(&bob));
        assert!(!Wanted::Username("bo").matches(&bob));
        assert!(Wanted::Email("bob@example.COM").matches(&bob));
        assert!(!Wanted::Email("bob@example.co").matches(&bob));
    }
}
