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
