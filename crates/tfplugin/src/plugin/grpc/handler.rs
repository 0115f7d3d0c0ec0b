//! The one path every RPC takes: a span named after the RPC, fresh
//! diagnostics, the body, the diagnostics logged and attached to the
//! response. And the value plumbing bodies share: decoding a request's
//! values against a schema, encoding results, validating a configuration.

use std::collections::HashMap;
use std::time::Instant;

use tonic::{Response, Status};
use tracing::Instrument;

use crate::framework::plan::{conform_object, null_unknowns};
use crate::framework::{schema::validate_config, Diagnostics, Schema, Severity};
use crate::plugin::convert;
use crate::proto::tfplugin6 as pb;
use crate::tfvalue::codec::{decode_json, decode_msgpack, encode_msgpack};
use crate::tfvalue::{Type, Value};
use secret::register_secret;

pub(super) type RpcResult<T> = Result<Response<T>, Status>;

/// A response message with a `diagnostics` field.
pub(super) trait Reply {
    fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>);
}

macro_rules! replies {
    ($($rpc:ident),* $(,)?) => {
        $(impl Reply for pb::$rpc::Response {
            fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>) {
                self.diagnostics = diagnostics;
            }
        })*
    };
}

replies!(
    get_provider_schema,
    validate_provider_config,
    configure_provider,
    validate_resource_config,
    upgrade_resource_state,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    import_resource_state,
    validate_data_resource_config,
    read_data_source,
    validate_ephemeral_resource_config,
    open_ephemeral_resource,
    renew_ephemeral_resource,
    close_ephemeral_resource,
);

/// Serve one RPC: run `body` with fresh diagnostics inside a span carrying
/// `tf_rpc` (and `tf_resource_type` unless `type_name` is empty), log the
/// diagnostics it reported, and attach them to its response.
pub(super) async fn serve<R: Reply>(
    rpc: &'static str,
    type_name: &str,
    body: impl AsyncFnOnce(&mut Diagnostics) -> R,
) -> RpcResult<R> {
    let span = if type_name.is_empty() {
        tracing::debug_span!("rpc", tf_rpc = rpc)
    } else {
        tracing::debug_span!("rpc", tf_rpc = rpc, tf_resource_type = type_name)
    };
    async move {
        let start = Instant::now();
        tracing::trace!("Received request");
        let mut diags = Diagnostics::new();
        let mut out = body(&mut diags).await;
        log_diags(&diags);
        out.set_diagnostics(convert::diagnostics(&diags));
        tracing::debug!(
            tf_req_duration_ms = start.elapsed().as_millis() as u64,
            "Served request"
        );
        Ok(Response::new(out))
    }
    .instrument(span)
    .await
}

fn log_diags(diags: &Diagnostics) {
    for d in diags.iter() {
        match d.severity {
            Severity::Error => {
                tracing::error!(diagnostic_summary = %d.summary, diagnostic_attribute = %d.path.clone().unwrap_or_default(), "Response contains error diagnostic")
            }
            Severity::Warning => {
                tracing::warn!(diagnostic_summary = %d.summary, diagnostic_attribute = %d.path.clone().unwrap_or_default(), "Response contains warning diagnostic")
            }
        }
    }
}

/// A schema with its object type, both built once: every value of the
/// schema is decoded and encoded against that type.
pub(super) struct TypedSchema {
    schema: Schema,
    pub(super) ty: Type,
}

impl TypedSchema {
    pub(super) fn new(schema: Schema) -> Self {
        let ty = schema.object_type();
        TypedSchema { schema, ty }
    }
}

impl std::ops::Deref for TypedSchema {
    type Target = Schema;
    fn deref(&self) -> &Schema {
        &self.schema
    }
}

/// One implementation and its schema.
pub(super) struct Entry<T: ?Sized> {
    pub(super) imp: std::sync::Arc<T>,
    pub(super) schema: TypedSchema,
}

/// The implementations of one kind (resource, data source, ephemeral
/// resource) by type name, with their schemas built once.
pub(super) struct Registry<T: ?Sized> {
    kind: &'static str,
    pub(super) entries: HashMap<String, Entry<T>>,
}

impl<T: ?Sized> Registry<T> {
    pub(super) fn new(
        kind: &'static str,
        items: Vec<std::sync::Arc<T>>,
        meta: impl Fn(&T) -> (&'static str, Schema),
    ) -> Self {
        let entries = items
            .into_iter()
            .map(|imp| {
                let (name, schema) = meta(&imp);
                (
                    name.to_owned(),
                    Entry {
                        imp,
                        schema: TypedSchema::new(schema),
                    },
                )
            })
            .collect();
        Registry { kind, entries }
    }

    /// The implementation named `type_name`, or an error diagnostic.
    pub(super) fn get(&self, type_name: &str, diags: &mut Diagnostics) -> Option<&Entry<T>> {
        let found = self.entries.get(type_name);
        if found.is_none() {
            let kind = self.kind;
            diags.error(
                format!("Unknown {kind} type"),
                format!("This provider has no {kind} type named {type_name:?}."),
            );
        }
        found
    }

    pub(super) fn schemas(&self) -> HashMap<String, pb::Schema> {
        self.entries
            .iter()
            .map(|(k, e)| (k.clone(), convert::schema(&e.schema)))
            .collect()
    }

    /// Validate a configuration of one type: schema checks, then the type's
    /// own cross-attribute checks.
    pub(super) fn validate(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
        diags: &mut Diagnostics,
        check: impl Fn(&T, &Value, &mut Diagnostics),
    ) {
        if let Some(e) = self.get(type_name, diags) {
            if let Some(cfg) = decode(&e.schema, config, "configuration", diags) {
                validate_config(&e.schema, &cfg, diags);
                check(&e.imp, &cfg, diags);
            }
        }
    }
}

/// Whether a hook's result is "no object": nothing, or a null object.
pub(super) fn is_no_object(v: Option<&Value>) -> bool {
    v.is_none_or(Value::is_null)
}

/// A hook that ends without an object must say why with an error. One that
/// did not is reported here, naming the type and the operation, so that
/// Terraform never gets an absent object with no error (it would call that a
/// bug in the provider and say nothing useful). `outcome` tells the user what
/// became of the object. No-op when the hook reported an error.
pub(super) fn no_object_error(
    diags: &mut Diagnostics,
    type_name: &str,
    operation: &str,
    outcome: &str,
) {
    if diags.has_errors() {
        return;
    }
    tracing::debug!(
        tf_resource_type = type_name,
        operation,
        "the hook returned no object and no error diagnostic"
    );
    diags.error(
        format!("{type_name}: {operation} returned no result"),
        format!(
            "The {operation} of {type_name} ended without a result and without an error saying \
             why. {outcome} This is a defect of the provider: please report it with the debug \
             log of the command (TF_LOG_PROVIDER=debug)."
        ),
    );
}

fn dv(bytes: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    })
}

/// Decode a DynamicValue (msgpack, or JSON as a fallback) against a schema
/// and register the values of sensitive attributes with the log scrubber.
pub(super) fn decode(
    schema: &TypedSchema,
    v: Option<&pb::DynamicValue>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let ty = &schema.ty;
    let res = match v {
        None => Ok(Value::Null),
        Some(d) if !d.msgpack.is_empty() => decode_msgpack(&d.msgpack, ty),
        Some(d) if !d.json.is_empty() => decode_json(&d.json, ty),
        Some(_) => Ok(Value::Null),
    };
    match res {
        Ok(v) => {
            for s in schema.sensitive_strings(&v) {
                register_secret(s);
            }
            Some(v)
        }
        Err(e) => {
            diags.error(
                format!("Invalid {what} value"),
                format!("Terraform sent a {what} that does not match the schema: {e}. This is a bug in the provider or in Terraform."),
            );
            None
        }
    }
}

pub(super) fn encode(
    schema: &TypedSchema,
    v: &Value,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    for s in schema.sensitive_strings(v) {
        register_secret(s);
    }
    match encode_msgpack(v, &schema.ty) {
        Ok(b) => dv(b),
        Err(e) => {
            diags.error(
                "Provider produced an invalid value",
                format!(
                    "The provider could not encode its result: {e}. This is a bug in the provider."
                ),
            );
            None
        }
    }
}

/// Encode an object a hook produced as a state or result: exactly the
/// schema's attributes, and wholly known (a leftover unknown is recorded
/// as null, with a warning in the log). Null stays null.
pub(super) fn encode_result(
    schema: &TypedSchema,
    v: Value,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    if v.is_null() {
        return encode(schema, &Value::Null, diags);
    }
    let mut v = conform_object(schema, v);
    let unknown = null_unknowns(&mut v);
    if !unknown.is_empty() {
        tracing::warn!(paths = ?unknown, "{what} left unknown values; recorded as null");
    }
    encode(schema, &v, diags)
}
