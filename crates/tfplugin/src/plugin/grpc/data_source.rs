//! Data source RPC bodies (validation goes through `Registry::validate`).

use super::handler::{decode, encode_result, is_no_object, no_object_error};
use super::ProviderService;
use crate::framework::Diagnostics;
use crate::proto::tfplugin6 as pb;

impl ProviderService {
    pub(super) async fn read_data(
        &self,
        r: &pb::read_data_source::Request,
        diags: &mut Diagnostics,
    ) -> pb::read_data_source::Response {
        let mut state = None;
        if let Some(e) = self.data_sources.get(&r.type_name, diags) {
            if let Some(cfg) = decode(&e.schema, r.config.as_ref(), "configuration", diags) {
                let read = e.imp.read(&self.ctx(), &cfg, diags).await;
                if is_no_object(read.as_ref()) {
                    no_object_error(diags, &r.type_name, "read", "No data was read.");
                }
                if let Some(v) = read.filter(|v| !v.is_null()) {
                    state = encode_result(&e.schema, v, "Read", diags);
                }
            }
        }
        pb::read_data_source::Response {
            state,
            diagnostics: Vec::new(),
            deferred: None,
        }
    }
}
