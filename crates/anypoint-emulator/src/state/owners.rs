//! Application owners: add and remove.

use serde_json::{Map, Value};

use super::*;

impl State {
    pub fn add_owner(&mut self, key: &str, body: &Map<String, Value>) -> Outcome {
        let id = self.resolve_app(key)?;
        let user_id = match body.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(bad("id (the user id) is required and must be a string")),
        };
        let Some(user) = self.user(&user_id).cloned() else {
            return Err(Reply::error(
                404,
                format!("The user {user_id} cannot be found."),
            ));
        };
        let again_201 = self.on(Variant::OwnerAddExisting201);
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        if app.owners.contains(&user_id) {
            if again_201 {
                return Ok(Reply::ok(201, user.owner_json()));
            }
            return Err(Reply::error(
                409,
                format!("The user {user_id} is already an owner of the application."),
            ));
        }
        app.owners.push(user_id);
        Ok(Reply::ok(201, user.owner_json()))
    }

    pub fn remove_owner(&mut self, key: &str, user_id: &str) -> Outcome {
        let id = self.resolve_app(key)?;
        let app = self.apps.get_mut(&id).ok_or_else(app_not_found)?;
        let Some(pos) = app.owners.iter().position(|o| o == user_id) else {
            return Err(Reply::error(
                404,
                format!("The user {user_id} is not an owner of the application."),
            ));
        };
        app.owners.remove(pos);
        Ok(Reply::empty(204))
    }
}
