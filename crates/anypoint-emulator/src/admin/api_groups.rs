//! API groups: add one (with its instances), or an instance to one.

use super::body::object;
use crate::shared::Shared;
use crate::state::Reply;
use crate::sync::lock;

/// `POST /_emulator/api-groups` (201 with the group).
pub(super) fn add_group(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    lock(&shared.state).add_api_group(&b)
}

/// `POST /_emulator/api-groups/{group}/instances` (201 with the instance).
pub(super) fn add_instance(shared: &Shared, group: &str, body: &[u8]) -> Result<Reply, Reply> {
    let b = object(body)?;
    lock(&shared.state).add_group_instance(group, &b)
}
