//! Applications: create, list, read, update, delete, secret reset.

use serde_json::{json, Map, Value};

use super::validate::*;
use super::*;

impl State {
    /// Resolve a path key (numeric id, or the application's clientId).
    pub(super) fn resolve_app(&self, key: &str) -> Result<i64, Reply> {
        if let Ok(id) = key.parse::<i64>() {
            if self.apps.contains_key(&id) {
                return Ok(id);
            }
            return Err(app_not_found());
        }
        self.apps
            .values()
            .find(|a| a.client_id == key)
            .map(|a| a.id)
            .ok_or_else(app_not_found)
    }

    pub fn app(&self, id: i64) -> Option<&App> {
        self.apps.get(&id)
    }

    pub fn apps(&self) -> impl Iterator<Item = &App> {
        self.apps.values()
    }

    pub(super) fn name_taken(&self, name: &str, except: Option<i64>) -> bool {
        self.apps
            .values()
            .any(|a| a.name == name && Some(a.id) != except)
    }

    pub(super) fn duplicate_name(name: &str) -> Reply {
        Reply::error(
            409,
            format!("An application with name {name} already exists."),
        )
    }

    pub fn create_app(&mut self, body: &Map<String, Value>, query: &Query) -> Outcome {
        if let Some(v) = query.get("apiVersionId") {
            let ok = !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
                && v.parse::<i64>()
                    .ok()
                    .and_then(|id| self.instance(id))
                    .is_some();
            if !ok {
                return Err(bad(format!(
                    "apiVersionId must be the id of an existing API instance (got {v:?})"
                )));
            }
        }
        let fields = parse_app_fields(body, true)?;
        let api_endpoints = match body.get("apiEndpoints") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(bad("apiEndpoints must be a boolean")),
        };
        let name = fields.name.unwrap_or_default();
        if self.name_taken(&name, None) {
            return Err(Self::duplicate_name(&name));
        }
        let id = self.next_app_id;
        self.next_app_id += 1;
        let client_id = uuid::Uuid::new_v4().simple().to_string();
        let mut description = None;
        let mut url = None;
        self.apply_text(&mut description, fields.description, true);
        self.apply_text(&mut url, fields.url, true);
        let app = App {
            id,
            name,
            description,
            url,
            redirect_uri: fields.redirect_uri.unwrap_or_default(),
            grant_types: fields.grant_types.unwrap_or_default(),
            api_endpoints,
            client_id,
            client_secret: random_hex(32),
            master_organization_id: self.org_id.clone(),
            owners: vec![CONNECTED_APP_USER_ID.to_owned()],
            created: now_stamp(),
            updated: None,
        };
        let body = self.app_json(&app, true);
        self.apps.insert(id, app);
        Ok(Reply::ok(201, body))
    }

    pub fn list_apps(&self, query: &Query) -> Outcome {
        let (offset, limit) = paging(query, 100, 250)?;
        // Every application is visible to the Connected App here; with
        // targetAdminSite=true the items carry the credentials, redirect URIs
        // and grant types too (KB-001116455), unless `list-items-short`.
        let admin_site = parse_bool(query, "targetAdminSite")?.unwrap_or(false);
        let whole = admin_site && !self.on(Variant::ListItemsShort);
        let literal = parse_bool(query, "literalMatch")?.unwrap_or(false);
        if self.on(Variant::ListHidesApplications) {
            // What a Connected App without the scope to view client
            // applications is reported to get (reference §8 q9).
            return Ok(Reply::ok(200, json!({ "applications": [], "total": 0 })));
        }
        let needle = query
            .get("query")
            .map(|q| q.to_lowercase())
            .filter(|q| !q.is_empty());
        let matching: Vec<&App> = self
            .apps
            .values()
            .filter(|a| match &needle {
                None => true,
                Some(n) if literal => a.name.to_lowercase() == *n,
                Some(n) => a.name.to_lowercase().contains(n.as_str()),
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|a| {
                if whole {
                    self.app_list_json(a)
                } else {
                    self.app_summary_json(a)
                }
            })
            .collect();
        Ok(Reply::ok(
            200,
            json!({ "applications": page, "total": matching.len() }),
        ))
    }

    pub fn get_app(&self, key: &str, query: &Query) -> Outcome {
        let id = self.resolve_app(key)?;
        let ignore_owners = parse_bool(query, "ignoreOwners")?.unwrap_or(false);
        Ok(Reply::ok(
            200,
            self.app_json(&self.apps[&id], !ignore_owners),
        ))
    }

    /// Store a `description` or `url` as sent. By default null and `""` clear
    /// it, and so does leaving it out of a PUT (`replace`); under
    /// `put-keeps-null` null or left out keeps the stored value and `""` is
    /// stored as `""`.
    fn apply_text(&self, stored: &mut Option<String>, sent: Text, replace: bool) {
        if self.on(Variant::PutKeepsNull) {
            if let Text::Given(s) = sent {
                *stored = Some(s);
            }
            return;
        }
        if sent == Text::Absent && !replace {
            return;
        }
        *stored = sent.or_none();
    }

    /// PUT (`replace`: missing fields are cleared) or PATCH (merge).
    pub fn update_app(&mut self, key: &str, body: &Map<String, Value>, replace: bool) -> Outcome {
        let id = self.resolve_app(key)?;
        let fields = parse_app_fields(body, replace)?;
        if let Some(name) = &fields.name {
            if self.name_taken(name, Some(id)) {
                return Err(Self::duplicate_name(name));
            }
        }
        let mut description = self.apps[&id].description.clone();
        let mut url = self.apps[&id].url.clone();
        self.apply_text(&mut description, fields.description, replace);
        self.apply_text(&mut url, fields.url, replace);
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        app.description = description;
        app.url = url;
        if replace {
            app.name = fields.name.unwrap_or_default();
            app.redirect_uri = fields.redirect_uri.unwrap_or_default();
            app.grant_types = fields.grant_types.unwrap_or_default();
        } else {
            if let Some(name) = fields.name {
                app.name = name;
            }
            if let Some(r) = fields.redirect_uri {
                app.redirect_uri = r;
            }
            if let Some(g) = fields.grant_types {
                app.grant_types = g;
            }
        }
        app.updated = Some(now_stamp());
        Ok(Reply::ok(200, self.app_json(&self.apps[&id], true)))
    }

    pub fn delete_app(&mut self, key: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        self.apps.remove(&id);
        self.contracts.retain(|_, c| c.application_id != id);
        Ok(Reply::empty(204))
    }

    pub fn reset_secret(&mut self, key: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        app.client_secret = random_hex(32);
        app.updated = Some(now_stamp());
        Ok(Reply::ok(201, self.app_json(&self.apps[&id], true)))
    }
}
