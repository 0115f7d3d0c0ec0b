//! Application owners: add and remove them by user id or username.

use serde_json::{Map, Value};

use super::body::{object, only_keys};
use crate::shared::Shared;
use crate::state::{Reply, State};
use crate::sync::lock;

/// A user id for a path segment or body value that is a user id or a
/// username (unknown names pass through, to fail as unknown users).
pub(super) fn user_id(st: &State, user: &str) -> String {
    st.users
        .iter()
        .find(|u| u.id == user || u.username == user)
        .map_or_else(|| user.to_owned(), |u| u.id.clone())
}

pub(super) fn add_owner(shared: &Shared, app: &str, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["id", "username"])?;
    let given =
        match (b.get("id"), b.get("username")) {
            (Some(Value::String(s)), None) | (None, Some(Value::String(s))) if !s.is_empty() => {
                s.clone()
            }
            _ => return Err(Reply::error(
                400,
                "Give the new owner as {\"id\": \"<user id>\"} or {\"username\": \"<username>\"}.",
            )),
        };
    let id = user_id(&lock(&shared.state), &given);
    let mut req = Map::new();
    req.insert("id".into(), Value::String(id));
    shared.mutate(|s| s.add_owner(app, &req))
}

/// `POST /_emulator/users`: a user added to the organization,
/// `{"username": …, "email": …, "firstName": …, "lastName": …}` (only the
/// username is needed; the email defaults to `{username}@example.com` and
/// need not be unique). Answers 201 with the user.
pub(super) fn add_user(h: &crate::EmulatorHandle, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    only_keys(&b, &["username", "email", "firstName", "lastName"])?;
    let text = |k: &str| match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Reply::error(400, format!("{k} must be a string."))),
    };
    let Some(username) = text("username")?.filter(|u| !u.is_empty()) else {
        return Err(Reply::error(
            400,
            "username (a non-empty string) is required.",
        ));
    };
    let email = text("email")?.unwrap_or_else(|| format!("{username}@example.com"));
    let first = text("firstName")?.unwrap_or_default();
    let last = text("lastName")?.unwrap_or_default();
    let id = h.add_user(&username, &email, &first, &last);
    let user = h.users().into_iter().find(|u| u["id"] == id.as_str());
    Ok(Reply::ok(201, user.unwrap_or(Value::Null)))
}
