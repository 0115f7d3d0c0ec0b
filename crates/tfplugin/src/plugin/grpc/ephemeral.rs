//! Ephemeral resource RPC bodies (validation goes through
//! `Registry::validate`).

use super::handler::{decode, encode_result, is_no_object, no_object_error};
use super::ProviderService;
use crate::framework::plan::with_configured_values;
use crate::framework::Diagnostics;
use crate::proto::tfplugin6 as pb;

impl ProviderService {
    pub(super) async fn open_ephemeral(
        &self,
        r: &pb::open_ephemeral_resource::Request,
        diags: &mut Diagnostics,
    ) -> pb::open_ephemeral_resource::Response {
        let mut out = pb::open_ephemeral_resource::Response::default();
        if let Some(e) = self.ephemerals.get(&r.type_name, diags) {
            if let Some(cfg) = decode(&e.schema, r.config.as_ref(), "configuration", diags) {
                let opened = e.imp.open(&self.ctx(), &cfg, diags).await;
                if is_no_object(opened.as_ref().map(|o| &o.result)) {
                    no_object_error(diags, &r.type_name, "open", "Nothing was opened.");
                }
                if let Some(opened) = opened.filter(|o| !o.result.is_null()) {
                    // Terraform requires every configured value back exactly
                    // as written (it checks the result like a plan).
                    let result = with_configured_values(&e.schema, &cfg, opened.result);
                    out.result = encode_result(&e.schema, result, "Open", diags);
                    out.private = opened.private;
                    out.renew_at = opened.renew_at.map(prost_types::Timestamp::from);
                }
            }
        }
        out
    }

    pub(super) async fn renew_ephemeral(
        &self,
        r: &pb::renew_ephemeral_resource::Request,
        diags: &mut Diagnostics,
    ) -> pb::renew_ephemeral_resource::Response {
        let mut out = pb::renew_ephemeral_resource::Response::default();
        if let Some(e) = self.ephemerals.get(&r.type_name, diags) {
            if let Some(renewed) = e.imp.renew(&self.ctx(), r.private.clone(), diags).await {
                out.private = renewed.private;
                out.renew_at = renewed.renew_at.map(prost_types::Timestamp::from);
            }
        }
        out
    }

    pub(super) async fn close_ephemeral(
        &self,
        r: &pb::close_ephemeral_resource::Request,
        diags: &mut Diagnostics,
    ) -> pb::close_ephemeral_resource::Response {
        if let Some(e) = self.ephemerals.get(&r.type_name, diags) {
            e.imp.close(&self.ctx(), r.private.clone(), diags).await;
        }
        Default::default()
    }
}
