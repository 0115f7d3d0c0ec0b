//! Managed resource RPC bodies: state upgrade, read, plan, apply and import
//! (validation goes through `Registry::validate`).

use std::borrow::Cow;

use super::handler::Entry;
use super::handler::{decode, encode, encode_result, is_no_object, no_object_error};
use super::ProviderService;
use crate::framework::plan::{conform_object, default_plan, replace_paths};
use crate::framework::{Diagnostics, PlanChange, ReadOutcome, Resource};
use crate::plugin::convert;
use crate::proto::tfplugin6 as pb;
use crate::tfvalue::codec::decode_json;
use crate::tfvalue::Value;

/// The stored state as JSON of the current schema version. State of the
/// current version is used as stored (Terraform has already dropped
/// attributes the schema no longer has), so the hot path neither parses it
/// twice nor calls the resource; older versions go through the resource's
/// `upgrade_state`.
fn upgraded_json<'a>(
    e: &Entry<dyn Resource>,
    version: i64,
    raw: &'a [u8],
    diags: &mut Diagnostics,
) -> Option<Cow<'a, [u8]>> {
    if version == e.schema.version {
        return Some(Cow::Borrowed(raw));
    }
    let json = match serde_json::from_slice::<serde_json::Value>(raw) {
        Ok(j) => j,
        Err(err) => {
            diags.error(
                "Invalid stored state",
                format!("The stored state is not valid JSON: {err}."),
            );
            return None;
        }
    };
    let Some(upgraded) = e.imp.upgrade_state(version, json, diags) else {
        no_object_error(
            diags,
            e.imp.type_name(),
            "state upgrade",
            "The stored state was left as it is.",
        );
        return None;
    };
    // Keep only the current schema's attributes.
    let json = match upgraded {
        serde_json::Value::Object(mut m) => {
            m.retain(|k, _| e.schema.get(k).is_some());
            serde_json::Value::Object(m)
        }
        other => other,
    };
    Some(Cow::Owned(serde_json::to_vec(&json).unwrap_or_default()))
}

impl ProviderService {
    pub(super) fn upgrade_resource(
        &self,
        r: &pb::upgrade_resource_state::Request,
        diags: &mut Diagnostics,
    ) -> pb::upgrade_resource_state::Response {
        let mut upgraded = None;
        if let Some(e) = self.resources.get(&r.type_name, diags) {
            let raw = r
                .raw_state
                .as_ref()
                .map(|s| s.json.as_slice())
                .unwrap_or(&[]);
            if raw.is_empty() {
                diags.error(
                    "Unsupported state format",
                    "The stored state has no JSON form (it predates Terraform 0.12) and cannot be upgraded.",
                );
            } else if let Some(json) = upgraded_json(e, r.version, raw, diags) {
                match decode_json(&json, &e.schema.ty) {
                    Ok(v) => {
                        let v = conform_object(&e.schema, v);
                        upgraded = encode(&e.schema, &v, diags);
                    }
                    Err(err) => diags.error(
                        "Invalid stored state",
                        format!("The stored state does not match the current schema: {err}."),
                    ),
                }
            }
        }
        pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: Vec::new(),
        }
    }

    pub(super) async fn read_managed(
        &self,
        r: &pb::read_resource::Request,
        diags: &mut Diagnostics,
    ) -> pb::read_resource::Response {
        // Default: keep what we were given (on errors Terraform keeps the
        // prior state anyway).
        let mut new_state = r.current_state.clone();
        let mut private = r.private.clone();
        if let Some(e) = self.resources.get(&r.type_name, diags) {
            if let Some(state) = decode(&e.schema, r.current_state.as_ref(), "state", diags) {
                if !state.is_null() {
                    let mut read_private = r.private.clone();
                    match e
                        .imp
                        .read(&self.ctx(), &state, &mut read_private, diags)
                        .await
                    {
                        ReadOutcome::Gone => {
                            tracing::info!("Object no longer exists; removing it from state");
                            new_state = encode(&e.schema, &Value::Null, diags);
                        }
                        ReadOutcome::Found(v) => {
                            if !diags.has_errors() {
                                new_state = encode_result(&e.schema, v, "Read", diags);
                                private = read_private;
                            }
                        }
                    }
                }
            }
        }
        pb::read_resource::Response {
            new_state,
            diagnostics: Vec::new(),
            private,
            deferred: None,
        }
    }

    pub(super) async fn plan_resource(
        &self,
        r: &pb::plan_resource_change::Request,
        diags: &mut Diagnostics,
    ) -> pb::plan_resource_change::Response {
        let mut out = pb::plan_resource_change::Response {
            planned_state: r.proposed_new_state.clone(),
            requires_replace: Vec::new(),
            planned_private: r.prior_private.clone(),
            diagnostics: Vec::new(),
            deferred: None,
        };
        let Some(e) = self.resources.get(&r.type_name, diags) else {
            return out;
        };
        let prior = decode(&e.schema, r.prior_state.as_ref(), "prior state", diags);
        let proposed = decode(
            &e.schema,
            r.proposed_new_state.as_ref(),
            "proposed state",
            diags,
        );
        let config = decode(&e.schema, r.config.as_ref(), "configuration", diags);
        let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) else {
            return out;
        };
        if proposed.is_null() {
            // Destroy: nothing to plan.
            out.planned_state = encode(&e.schema, &Value::Null, diags);
            return out;
        }
        let planned = default_plan(&e.schema, &prior, &proposed, &config);
        let mut change = PlanChange {
            prior: prior.clone(),
            config,
            planned,
            requires_replace: Vec::new(),
            prior_private: r.prior_private.clone(),
            planned_private: r.prior_private.clone(),
        };
        e.imp.modify_plan(&self.ctx(), &mut change, diags).await;
        if change.planned.is_null() {
            no_object_error(
                diags,
                &r.type_name,
                "plan",
                "Nothing was planned for this object.",
            );
            change.planned = proposed;
        }
        let mut replace = replace_paths(&e.schema, &prior, &change.planned);
        for p in change.requires_replace {
            if !replace.contains(&p) {
                replace.push(p);
            }
        }
        out.requires_replace = replace.iter().map(convert::attr_path).collect();
        out.planned_private = change.planned_private;
        out.planned_state = encode(&e.schema, &change.planned, diags);
        out
    }

    pub(super) async fn apply_resource(
        &self,
        r: &pb::apply_resource_change::Request,
        diags: &mut Diagnostics,
    ) -> pb::apply_resource_change::Response {
        let mut out = pb::apply_resource_change::Response {
            new_state: r.prior_state.clone(),
            private: r.planned_private.clone(),
            diagnostics: Vec::new(),
        };
        let Some(e) = self.resources.get(&r.type_name, diags) else {
            return out;
        };
        let prior = decode(&e.schema, r.prior_state.as_ref(), "prior state", diags);
        let planned = decode(&e.schema, r.planned_state.as_ref(), "planned state", diags);
        let config = decode(&e.schema, r.config.as_ref(), "configuration", diags);
        let (Some(prior), Some(planned), Some(config)) = (prior, planned, config) else {
            return out;
        };
        let ctx = self.ctx();
        let mut private = r.planned_private.clone();
        let result: Option<Value> = if planned.is_null() {
            e.imp.delete(&ctx, &prior, diags).await;
            if diags.has_errors() {
                Some(prior)
            } else {
                Some(Value::Null)
            }
        } else if prior.is_null() {
            let made = e
                .imp
                .create(&ctx, &planned, &config, &mut private, diags)
                .await;
            if is_no_object(made.as_ref()) {
                no_object_error(
                    diags,
                    &r.type_name,
                    "create",
                    "Nothing was recorded in the state; if the object was made on the platform \
                     anyway, import it.",
                );
            }
            made.filter(|v| !v.is_null())
        } else {
            match e
                .imp
                .update(&ctx, &prior, &planned, &config, &mut private, diags)
                .await
            {
                Some(v) if !v.is_null() => Some(v),
                _ => {
                    no_object_error(
                        diags,
                        &r.type_name,
                        "update",
                        "The state keeps the object as it was before this apply.",
                    );
                    Some(prior)
                }
            }
        };
        if !planned.is_null() {
            out.private = private;
        }
        out.new_state = encode_result(&e.schema, result.unwrap_or(Value::Null), "Apply", diags);
        out
    }

    pub(super) async fn import_resource(
        &self,
        r: &pb::import_resource_state::Request,
        diags: &mut Diagnostics,
    ) -> pb::import_resource_state::Response {
        let mut imported = Vec::new();
        if let Some(e) = self.resources.get(&r.type_name, diags) {
            let state = e.imp.import(&self.ctx(), &r.id, diags).await;
            if is_no_object(state.as_ref()) {
                no_object_error(diags, &r.type_name, "import", "Nothing was imported.");
            }
            if let Some(state) = state.filter(|v| !v.is_null()) {
                if let Some(s) = encode_result(&e.schema, state, "Import", diags) {
                    imported.push(pb::import_resource_state::ImportedResource {
                        type_name: r.type_name.clone(),
                        state: Some(s),
                        private: Vec::new(),
                    });
                }
            }
        }
        pb::import_resource_state::Response {
            imported_resources: if diags.has_errors() {
                Vec::new()
            } else {
                imported
            },
            diagnostics: Vec::new(),
            deferred: None,
        }
    }
}
