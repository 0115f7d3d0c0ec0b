//! The `tfplugin6.Provider` gRPC service: decodes requests against schemas,
//! calls the framework hooks, and encodes the answers. No resource logic lives
//! here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::Instrument;

use crate::framework::plan::{conform_object, default_plan, null_unknowns, replace_paths};
use crate::framework::{
    schema::validate_config, ConfigureRequest, Ctx, DataSource, Diagnostics, EphemeralResource,
    PlanChange, Provider, ProviderData, ReadOutcome, Resource, Schema,
};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use crate::secret::register_secret;
use crate::tfvalue::codec::{decode_json, decode_msgpack, encode_msgpack};
use crate::tfvalue::Value;

/// Cancellation shared by in-flight operations. `StopProvider` cancels the
/// current token (every running operation sees it) and installs a fresh one,
/// so the server keeps serving later requests.
#[derive(Clone, Default)]
pub struct StopSignal {
    current: Arc<Mutex<CancellationToken>>,
}

impl StopSignal {
    pub fn token(&self) -> CancellationToken {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn stop(&self) {
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        cur.cancel();
        *cur = CancellationToken::new();
    }
}

struct Entry<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
}

pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: HashMap<String, Entry<dyn Resource>>,
    data_sources: HashMap<String, Entry<dyn DataSource>>,
    ephemerals: HashMap<String, Entry<dyn EphemeralResource>>,
    data: RwLock<Option<ProviderData>>,
    stop: StopSignal,
}

/// The implementations of one kind by type name, with their schemas built
/// once.
fn index<T: ?Sized>(
    items: Vec<Arc<T>>,
    meta: impl Fn(&T) -> (&'static str, Schema),
) -> HashMap<String, Entry<T>> {
    items
        .into_iter()
        .map(|imp| {
            let (name, schema) = meta(&imp);
            (name.to_owned(), Entry { imp, schema })
        })
        .collect()
}

fn dv(bytes: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    })
}

impl ProviderService {
    pub fn new(provider: Arc<dyn Provider>, stop: StopSignal) -> Self {
        let resources = index(provider.resources(), |r| (r.type_name(), r.schema()));
        let data_sources = index(provider.data_sources(), |d| (d.type_name(), d.schema()));
        let ephemerals = index(provider.ephemeral_resources(), |e| {
            (e.type_name(), e.schema())
        });
        ProviderService {
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            ephemerals,
            data: RwLock::new(None),
            stop,
        }
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            provider_data: self.data.read().unwrap_or_else(|e| e.into_inner()).clone(),
            cancel: self.stop.token(),
        }
    }

    /// Decode a DynamicValue (msgpack, or JSON as a fallback) against a schema
    /// and register the values of sensitive attributes with the log scrubber.
    fn decode(
        schema: &Schema,
        v: Option<&pb::DynamicValue>,
        what: &str,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let ty = schema.object_type();
        let res = match v {
            None => Ok(Value::Null),
            Some(d) if !d.msgpack.is_empty() => decode_msgpack(&d.msgpack, &ty),
            Some(d) if !d.json.is_empty() => decode_json(&d.json, &ty),
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

    fn encode(schema: &Schema, v: &Value, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
        for s in schema.sensitive_strings(v) {
            register_secret(s);
        }
        match encode_msgpack(v, &schema.object_type()) {
            Ok(b) => dv(b),
            Err(e) => {
                diags.error(
                    "Provider produced an invalid value",
                    format!("The provider could not encode its result: {e}. This is a bug in the provider."),
                );
                None
            }
        }
    }

    /// Encode an object a hook produced as a state or result: exactly the
    /// schema's attributes, and wholly known (a leftover unknown is recorded
    /// as null, with a warning in the log). Null stays null.
    fn encode_result(
        schema: &Schema,
        v: Value,
        what: &str,
        diags: &mut Diagnostics,
    ) -> Option<pb::DynamicValue> {
        if v.is_null() {
            return Self::encode(schema, &Value::Null, diags);
        }
        let mut v = conform_object(schema, v);
        let unknown = null_unknowns(&mut v);
        if !unknown.is_empty() {
            tracing::warn!(paths = ?unknown, "{what} left unknown values; recorded as null");
        }
        Self::encode(schema, &v, diags)
    }

    fn unknown_type(kind: &str, name: &str, diags: &mut Diagnostics) {
        diags.error(
            format!("Unknown {kind} type"),
            format!("This provider has no {kind} type named {name:?}."),
        );
    }

    /// Validate a configuration of one resource, data source or ephemeral
    /// resource type: schema checks, then the type's own cross-attribute
    /// checks.
    fn validate_typed<T: ?Sized>(
        entries: &HashMap<String, Entry<T>>,
        kind: &str,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
        check: impl Fn(&T, &Value, &mut Diagnostics),
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match entries.get(type_name) {
            None => Self::unknown_type(kind, type_name, &mut diags),
            Some(e) => {
                if let Some(cfg) = Self::decode(&e.schema, config, "configuration", &mut diags) {
                    validate_config(&e.schema, &cfg, &mut diags);
                    check(&e.imp, &cfg, &mut diags);
                }
            }
        }
        log_diags(&diags);
        diags
    }

    /// The stored state as JSON of the current schema version. State of the
    /// current version is used as stored (Terraform has already dropped
    /// attributes the schema no longer has), so the hot path neither parses
    /// it twice nor calls the resource; older versions go through the
    /// resource's `upgrade_state`.
    fn upgraded_json<'a>(
        e: &Entry<dyn Resource>,
        version: i64,
        raw: &'a [u8],
        diags: &mut Diagnostics,
    ) -> Option<std::borrow::Cow<'a, [u8]>> {
        if version == e.schema.version {
            return Some(std::borrow::Cow::Borrowed(raw));
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
        // Keep only the current schema's attributes.
        let json = match e.imp.upgrade_state(version, json, diags)? {
            serde_json::Value::Object(mut m) => {
                m.retain(|k, _| e.schema.get(k).is_some());
                serde_json::Value::Object(m)
            }
            other => other,
        };
        Some(std::borrow::Cow::Owned(
            serde_json::to_vec(&json).unwrap_or_default(),
        ))
    }

    pub fn schema_response(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: Default::default(),
        }
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

/// Run one RPC body inside a span carrying `tf_rpc` (and the resource type),
/// logging its start and end at debug/trace.
async fn traced<T, F>(rpc: &'static str, type_name: &str, fut: F) -> T
where
    F: std::future::Future<Output = T>,
{
    let span = if type_name.is_empty() {
        tracing::debug_span!("rpc", tf_rpc = rpc)
    } else {
        tracing::debug_span!("rpc", tf_rpc = rpc, tf_resource_type = type_name)
    };
    async move {
        let start = Instant::now();
        tracing::trace!("Received request");
        let out = fut.await;
        tracing::debug!(
            tf_req_duration_ms = start.elapsed().as_millis() as u64,
            "Served request"
        );
        out
    }
    .instrument(span)
    .await
}

fn log_diags(diags: &Diagnostics) {
    for d in diags.iter() {
        match d.severity {
            crate::framework::Severity::Error => {
                tracing::error!(diagnostic_summary = %d.summary, diagnostic_attribute = %d.path.clone().unwrap_or_default(), "Response contains error diagnostic")
            }
            crate::framework::Severity::Warning => {
                tracing::warn!(diagnostic_summary = %d.summary, diagnostic_attribute = %d.path.clone().unwrap_or_default(), "Response contains warning diagnostic")
            }
        }
    }
}

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _r: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemerals
                .keys()
                .map(|k| pb::get_metadata::EphemeralMetadata {
                    type_name: k.clone(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _r: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(
            traced("GetProviderSchema", "", async { self.schema_response() }).await,
        ))
    }

    async fn validate_provider_config(
        &self,
        r: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let r = r.into_inner();
        let diags = traced("ValidateProviderConfig", "", async {
            let mut diags = Diagnostics::new();
            if let Some(cfg) = Self::decode(
                &self.provider_schema,
                r.config.as_ref(),
                "configuration",
                &mut diags,
            ) {
                validate_config(&self.provider_schema, &cfg, &mut diags);
                self.provider.validate(&cfg, &mut diags);
            }
            log_diags(&diags);
            diags
        })
        .await;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn validate_resource_config(
        &self,
        r: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let r = r.into_inner();
        let diags = traced("ValidateResourceConfig", &r.type_name, async {
            Self::validate_typed(
                &self.resources,
                "resource",
                &r.type_name,
                r.config.as_ref(),
                |imp, cfg, diags| imp.validate(cfg, diags),
            )
        })
        .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        r: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let r = r.into_inner();
        let diags = traced("ValidateDataResourceConfig", &r.type_name, async {
            Self::validate_typed(
                &self.data_sources,
                "data source",
                &r.type_name,
                r.config.as_ref(),
                |imp, cfg, diags| imp.validate(cfg, diags),
            )
        })
        .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        r: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("UpgradeResourceState", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut upgraded = None;
            match self.resources.get(&r.type_name) {
                None => Self::unknown_type("resource", &r.type_name, &mut diags),
                Some(e) => {
                    let raw = r.raw_state.as_ref().map(|s| s.json.as_slice()).unwrap_or(&[]);
                    if raw.is_empty() {
                        diags.error(
                            "Unsupported state format",
                            "The stored state has no JSON form (it predates Terraform 0.12) and cannot be upgraded.",
                        );
                    } else if let Some(json) = Self::upgraded_json(e, r.version, raw, &mut diags) {
                        match decode_json(&json, &e.schema.object_type()) {
                            Ok(v) => {
                                let v = conform_object(&e.schema, v);
                                upgraded = Self::encode(&e.schema, &v, &mut diags);
                            }
                            Err(err) => diags.error(
                                "Invalid stored state",
                                format!("The stored state does not match the current schema: {err}."),
                            ),
                        }
                    }
                }
            }
            log_diags(&diags);
            pb::upgrade_resource_state::Response {
                upgraded_state: upgraded,
                diagnostics: diags.into_proto(),
            }
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn configure_provider(
        &self,
        r: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let r = r.into_inner();
        let diags = traced("ConfigureProvider", "", async {
            let mut diags = Diagnostics::new();
            if let Some(cfg) = Self::decode(
                &self.provider_schema,
                r.config.as_ref(),
                "configuration",
                &mut diags,
            ) {
                let req = ConfigureRequest {
                    terraform_version: r.terraform_version.clone(),
                    config: cfg,
                    cancel: self.stop.token(),
                };
                if let Some(data) = self.provider.configure(req, &mut diags).await {
                    *self.data.write().unwrap_or_else(|e| e.into_inner()) = Some(data);
                }
            }
            log_diags(&diags);
            diags
        })
        .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn read_resource(
        &self,
        r: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("ReadResource", &r.type_name, async {
            let mut diags = Diagnostics::new();
            // Default: keep what we were given (on errors Terraform keeps the
            // prior state anyway).
            let mut new_state = r.current_state.clone();
            match self.resources.get(&r.type_name) {
                None => Self::unknown_type("resource", &r.type_name, &mut diags),
                Some(e) => {
                    if let Some(state) =
                        Self::decode(&e.schema, r.current_state.as_ref(), "state", &mut diags)
                    {
                        if !state.is_null() {
                            match e.imp.read(&self.ctx(), &state, &mut diags).await {
                                ReadOutcome::Gone => {
                                    tracing::info!(
                                        "Object no longer exists; removing it from state"
                                    );
                                    new_state = Self::encode(&e.schema, &Value::Null, &mut diags);
                                }
                                ReadOutcome::Found(v) => {
                                    if !diags.has_errors() {
                                        new_state =
                                            Self::encode_result(&e.schema, v, "Read", &mut diags);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            log_diags(&diags);
            pb::read_resource::Response {
                new_state,
                diagnostics: diags.into_proto(),
                private: r.private.clone(),
                deferred: None,
            }
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn plan_resource_change(
        &self,
        r: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("PlanResourceChange", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut out = pb::plan_resource_change::Response {
                planned_state: r.proposed_new_state.clone(),
                requires_replace: Vec::new(),
                planned_private: r.prior_private.clone(),
                diagnostics: Vec::new(),
                deferred: None,
            };
            let Some(e) = self.resources.get(&r.type_name) else {
                Self::unknown_type("resource", &r.type_name, &mut diags);
                out.diagnostics = diags.into_proto();
                return out;
            };
            let prior = Self::decode(&e.schema, r.prior_state.as_ref(), "prior state", &mut diags);
            let proposed = Self::decode(
                &e.schema,
                r.proposed_new_state.as_ref(),
                "proposed state",
                &mut diags,
            );
            let config = Self::decode(&e.schema, r.config.as_ref(), "configuration", &mut diags);
            if let (Some(prior), Some(proposed), Some(config)) = (prior, proposed, config) {
                if proposed.is_null() {
                    // Destroy: nothing to plan.
                    out.planned_state = Self::encode(&e.schema, &Value::Null, &mut diags);
                } else {
                    let planned = default_plan(&e.schema, &prior, &proposed, &config);
                    let mut change = PlanChange {
                        prior: prior.clone(),
                        config,
                        planned,
                        requires_replace: Vec::new(),
                        prior_private: r.prior_private.clone(),
                        planned_private: r.prior_private.clone(),
                    };
                    e.imp
                        .modify_plan(&self.ctx(), &mut change, &mut diags)
                        .await;
                    let mut replace = replace_paths(&e.schema, &prior, &change.planned);
                    for p in change.requires_replace {
                        if !replace.contains(&p) {
                            replace.push(p);
                        }
                    }
                    out.requires_replace = replace.iter().map(|p| p.to_proto()).collect();
                    out.planned_private = change.planned_private;
                    out.planned_state = Self::encode(&e.schema, &change.planned, &mut diags);
                }
            }
            log_diags(&diags);
            out.diagnostics = diags.into_proto();
            out
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn apply_resource_change(
        &self,
        r: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("ApplyResourceChange", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut out = pb::apply_resource_change::Response {
                new_state: r.prior_state.clone(),
                private: r.planned_private.clone(),
                diagnostics: Vec::new(),
            };
            let Some(e) = self.resources.get(&r.type_name) else {
                Self::unknown_type("resource", &r.type_name, &mut diags);
                out.diagnostics = diags.into_proto();
                return out;
            };
            let prior = Self::decode(&e.schema, r.prior_state.as_ref(), "prior state", &mut diags);
            let planned = Self::decode(
                &e.schema,
                r.planned_state.as_ref(),
                "planned state",
                &mut diags,
            );
            let config = Self::decode(&e.schema, r.config.as_ref(), "configuration", &mut diags);
            let (Some(prior), Some(planned), Some(config)) = (prior, planned, config) else {
                out.diagnostics = diags.into_proto();
                return out;
            };
            let ctx = self.ctx();
            let result: Option<Value> = if planned.is_null() {
                e.imp.delete(&ctx, &prior, &mut diags).await;
                if diags.has_errors() {
                    Some(prior)
                } else {
                    Some(Value::Null)
                }
            } else if prior.is_null() {
                e.imp.create(&ctx, &planned, &config, &mut diags).await
            } else {
                match e
                    .imp
                    .update(&ctx, &prior, &planned, &config, &mut diags)
                    .await
                {
                    Some(v) => Some(v),
                    None => Some(prior),
                }
            };
            out.new_state = Self::encode_result(
                &e.schema,
                result.unwrap_or(Value::Null),
                "Apply",
                &mut diags,
            );
            log_diags(&diags);
            out.diagnostics = diags.into_proto();
            out
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn import_resource_state(
        &self,
        r: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("ImportResourceState", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut imported = Vec::new();
            match self.resources.get(&r.type_name) {
                None => Self::unknown_type("resource", &r.type_name, &mut diags),
                Some(e) => {
                    if let Some(state) = e.imp.import(&self.ctx(), &r.id, &mut diags).await {
                        if let Some(s) = Self::encode_result(&e.schema, state, "Import", &mut diags)
                        {
                            imported.push(pb::import_resource_state::ImportedResource {
                                type_name: r.type_name.clone(),
                                state: Some(s),
                                private: Vec::new(),
                            });
                        }
                    }
                }
            }
            log_diags(&diags);
            pb::import_resource_state::Response {
                imported_resources: if diags.has_errors() {
                    Vec::new()
                } else {
                    imported
                },
                diagnostics: diags.into_proto(),
                deferred: None,
            }
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn read_data_source(
        &self,
        r: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("ReadDataSource", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut state = None;
            match self.data_sources.get(&r.type_name) {
                None => Self::unknown_type("data source", &r.type_name, &mut diags),
                Some(e) => {
                    if let Some(cfg) =
                        Self::decode(&e.schema, r.config.as_ref(), "configuration", &mut diags)
                    {
                        if let Some(v) = e.imp.read(&self.ctx(), &cfg, &mut diags).await {
                            state = Self::encode_result(&e.schema, v, "Read", &mut diags);
                        }
                    }
                }
            }
            log_diags(&diags);
            pb::read_data_source::Response {
                state,
                diagnostics: diags.into_proto(),
                deferred: None,
            }
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        r: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let r = r.into_inner();
        let diags = traced("ValidateEphemeralResourceConfig", &r.type_name, async {
            Self::validate_typed(
                &self.ephemerals,
                "ephemeral resource",
                &r.type_name,
                r.config.as_ref(),
                |imp, cfg, diags| imp.validate(cfg, diags),
            )
        })
        .await;
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diags.into_proto(),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        r: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("OpenEphemeralResource", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut out = pb::open_ephemeral_resource::Response::default();
            match self.ephemerals.get(&r.type_name) {
                None => Self::unknown_type("ephemeral resource", &r.type_name, &mut diags),
                Some(e) => {
                    if let Some(cfg) =
                        Self::decode(&e.schema, r.config.as_ref(), "configuration", &mut diags)
                    {
                        if let Some(opened) = e.imp.open(&self.ctx(), &cfg, &mut diags).await {
                            out.result =
                                Self::encode_result(&e.schema, opened.result, "Open", &mut diags);
                            out.private = opened.private;
                            out.renew_at = opened.renew_at.map(prost_types::Timestamp::from);
                        }
                    }
                }
            }
            log_diags(&diags);
            out.diagnostics = diags.into_proto();
            out
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn renew_ephemeral_resource(
        &self,
        r: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let r = r.into_inner();
        let resp = traced("RenewEphemeralResource", &r.type_name, async {
            let mut diags = Diagnostics::new();
            let mut out = pb::renew_ephemeral_resource::Response::default();
            match self.ephemerals.get(&r.type_name) {
                None => Self::unknown_type("ephemeral resource", &r.type_name, &mut diags),
                Some(e) => {
                    if let Some(renewed) = e
                        .imp
                        .renew(&self.ctx(), r.private.clone(), &mut diags)
                        .await
                    {
                        out.private = renewed.private;
                        out.renew_at = renewed.renew_at.map(prost_types::Timestamp::from);
                    }
                }
            }
            log_diags(&diags);
            out.diagnostics = diags.into_proto();
            out
        })
        .await;
        Ok(Response::new(resp))
    }

    async fn close_ephemeral_resource(
        &self,
        r: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let r = r.into_inner();
        let diags = traced("CloseEphemeralResource", &r.type_name, async {
            let mut diags = Diagnostics::new();
            match self.ephemerals.get(&r.type_name) {
                None => Self::unknown_type("ephemeral resource", &r.type_name, &mut diags),
                Some(e) => {
                    e.imp
                        .close(&self.ctx(), r.private.clone(), &mut diags)
                        .await
                }
            }
            log_diags(&diags);
            diags
        })
        .await;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn get_functions(
        &self,
        _r: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn stop_provider(
        &self,
        _r: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!(tf_rpc = "StopProvider", "Stopping in-flight operations");
        self.stop.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}
