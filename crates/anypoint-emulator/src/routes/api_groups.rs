//! The API group operations (`route_table::GroupOp`) run on the state.

use crate::route_table::{parse_object, GroupOp};
use crate::shared::Shared;
use crate::state::{Outcome, Query};
use crate::sync::lock;

impl Shared {
    /// Reads answer as they are; a revoke or delete of a group contract
    /// needs contract administration like an API instance's (the
    /// `no-manage-contracts` variant refuses both with 403), and is served
    /// under every revoke-path variant (a group has no legacy path).
    pub(super) fn execute_group(&self, op: GroupOp<'_>, q: &Query, body: &[u8]) -> Outcome {
        match op {
            GroupOp::GetGroup(g) => lock(&self.state).get_api_group(g),
            GroupOp::GetGroupVersion(g, v) => lock(&self.state).get_api_group_version(g, v),
            GroupOp::GetInstance(env, g) => lock(&self.state).get_group_instance(env, g),
            GroupOp::ListTiers(env, g) => lock(&self.state).list_group_tiers(env, g, q),
            GroupOp::ListContracts(env, g) => lock(&self.state).list_group_contracts(env, g, q),
            GroupOp::GetContract(env, g, c) => lock(&self.state).get_group_contract(env, g, c),
            GroupOp::PatchContract(env, g, c) => {
                self.contract_admin_allowed()?;
                let b = parse_object(body)?;
                self.mutate(|s| s.patch_group_contract(env, g, c, &b))
            }
            GroupOp::DeleteContract(env, g, c) => {
                self.contract_admin_allowed()?;
                self.mutate(|s| s.delete_group_contract(env, g, c))
            }
        }
    }
}
