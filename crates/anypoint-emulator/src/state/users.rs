//! The organization's users.

use serde_json::{json, Value};

use super::validate::*;
use super::*;

impl State {
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn connected_app_user(&self) -> &User {
        // The seed always contains it.
        self.user(CONNECTED_APP_USER_ID).unwrap_or(&self.users[0])
    }

    pub fn list_users(&self, query: &Query) -> Outcome {
        let (offset, limit) = paging(query, 25, 500)?;
        let needle = query
            .get("search")
            .map(|s| s.to_lowercase())
            .filter(|s| !s.is_empty());
        let matching: Vec<&User> = self
            .users
            .iter()
            .filter(|u| {
                needle.as_ref().is_none_or(|n| {
                    [&u.username, &u.email, &u.first_name, &u.last_name]
                        .iter()
                        .any(|f| f.to_lowercase().contains(n.as_str()))
                })
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|u| u.json())
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "data": page, "total": matching.len() }),
        ))
    }

    /// `GET /accounts/api/organizations/{org}/environments`: the
    /// organization's environments, seeded and added, in the order they
    /// were made (the root: Sandbox, where the seeded API instances are,
    /// and Production; the business group none).
    pub fn list_environments(&self, org: &str) -> Outcome {
        let envs: Vec<Value> = self
            .environments
            .iter()
            .filter(|e| e.organization_id == org)
            .map(Environment::json)
            .collect();
        Ok(Reply::ok(200, json!({ "total": envs.len(), "data": envs })))
    }
}
