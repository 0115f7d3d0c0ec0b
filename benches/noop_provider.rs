//! The benchmark's no-op floor (`scripts/bench.sh`, variant `noop`): a
//! provider named `anypoint` with exactly our provider and resource schemas,
//! served by our own plugin layer and framework, that never calls the
//! platform. The framework plans it exactly as it plans ours (the same
//! computed, unknown and `use_state_for_unknown` handling), so the difference
//! between the two in the benchmark is what the platform calls and our
//! client cost.
//!
//! - create fills the unknown computed attributes with deterministic fake
//!   values (ids from a counter, client id and secret from the name);
//! - read returns the state as it is;
//! - update returns the planned state (unknowns filled the same way);
//! - delete does nothing.
//!
//! Built as a Cargo example so that it is never part of a release:
//! `cargo build --release --example noop-provider`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;

use anypoint_provider::provider::{provider_schema, NAMES};
use anypoint_provider::resources::{
    ClientApplicationContractResource, ClientApplicationOwnerResource, ClientApplicationResource,
};
use tfplugin::framework::{
    ConfigureRequest, Ctx, DataSource, Diagnostics, Provider, ProviderData, ReadOutcome, Resource,
    Schema, Typed,
};
use tfplugin::plugin::{self, logging, Mode};
use tfplugin::tfvalue::Value;

/// The organization every fake object belongs to (the emulator's default).
const FAKE_ORG: &str = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
const FAKE_CREATED_AT: &str = "2026-01-01T00:00:00Z";

/// Ids handed out by this process: applications from 100001, as the
/// emulator numbers them, contracts from 700001.
static NEXT_APP: AtomicU64 = AtomicU64::new(100_001);
static NEXT_CONTRACT: AtomicU64 = AtomicU64::new(700_001);

#[derive(Clone, Copy)]
enum Kind {
    Application,
    Owner,
    Contract,
}

/// A no-op resource with the schema and type name of one of ours.
struct Noop {
    kind: Kind,
    type_name: &'static str,
    schema: Schema,
}

impl Noop {
    fn new(kind: Kind, real: &dyn Resource) -> Noop {
        Noop {
            kind,
            type_name: real.type_name(),
            schema: real.schema(),
        }
    }

    /// The fake value of one unknown attribute of `obj`.
    fn fake(&self, name: &str, obj: &Value) -> Value {
        let text = |k: &str| obj.attr_str(k).unwrap_or("").to_owned();
        let s = match (self.kind, name) {
            (Kind::Application, "id") => NEXT_APP.fetch_add(1, Ordering::Relaxed).to_string(),
            (Kind::Contract, "id") => NEXT_CONTRACT.fetch_add(1, Ordering::Relaxed).to_string(),
            (Kind::Owner, "id") => format!(
                "{}/{}/{}",
                obj.attr_str("org_id").unwrap_or(FAKE_ORG),
                text("application_id"),
                text("user_id")
            ),
            (_, "org_id") => FAKE_ORG.to_owned(),
            (Kind::Contract, "api_instance_org_id") => {
                obj.attr_str("org_id").unwrap_or(FAKE_ORG).to_owned()
            }
            (Kind::Application, "client_id") => format!("noop-id-{}", text("name")),
            (Kind::Application, "client_secret") => format!("noop-secret-{}", text("name")),
            (Kind::Application, "created_at") => FAKE_CREATED_AT.to_owned(),
            (Kind::Owner, "username") => format!("user-{}", text("user_id")),
            (Kind::Owner, "email") => format!("user-{}@example.com", text("user_id")),
            (Kind::Contract, "status") => "APPROVED".to_owned(),
            (Kind::Contract, "tier_id") => match obj.attr_str("requested_tier_id") {
                Some(t) => t.to_owned(),
                None => return Value::Null,
            },
            (_, other) => format!("noop-{other}"),
        };
        Value::String(s)
    }

    /// `planned` with every unknown top-level attribute made known.
    fn fill(&self, planned: &Value) -> Value {
        let mut out = planned.clone();
        for attr in &self.schema.attributes {
            let name = attr.name.as_str();
            if out.attr(name).is_unknown() {
                let v = if attr.ty == tfplugin::tfvalue::Type::Bool {
                    Value::Bool(false)
                } else {
                    self.fake(name, &out)
                };
                out.set_attr(name, v);
            }
        }
        out
    }
}

#[async_trait]
impl Resource for Noop {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn create(
        &self,
        _ctx: &Ctx,
        planned: &Value,
        _config: &Value,
        _private: &mut Vec<u8>,
        _diags: &mut Diagnostics,
    ) -> Option<Value> {
        Some(self.fill(planned))
    }

    async fn read(
        &self,
        _ctx: &Ctx,
        state: &Value,
        _private: &mut Vec<u8>,
        _diags: &mut Diagnostics,
    ) -> ReadOutcome {
        ReadOutcome::Found(state.clone())
    }

    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: &Value,
        planned: &Value,
        _config: &Value,
        _private: &mut Vec<u8>,
        _diags: &mut Diagnostics,
    ) -> Option<Value> {
        Some(self.fill(planned))
    }

    async fn delete(&self, _ctx: &Ctx, _prior: &Value, _diags: &mut Diagnostics) {}
}

struct NoopProvider;

#[async_trait]
impl Provider for NoopProvider {
    fn type_name(&self) -> &'static str {
        "anypoint"
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    async fn configure(
        &self,
        _req: ConfigureRequest,
        _diags: &mut Diagnostics,
    ) -> Option<ProviderData> {
        Some(Arc::new(()))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Noop::new(
                Kind::Application,
                &Typed(ClientApplicationResource),
            )),
            Arc::new(Noop::new(
                Kind::Owner,
                &Typed(ClientApplicationOwnerResource),
            )),
            Arc::new(Noop::new(
                Kind::Contract,
                &Typed(ClientApplicationContractResource),
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}

fn main() {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!(
            "noop-provider: the benchmark's no-op `anypoint` provider (same schemas, no platform \
             calls). Terraform starts it through dev_overrides; see scripts/bench.sh."
        );
        return;
    }
    plugin::ignore_sigint();
    logging::init_from_env(NAMES);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("noop-provider: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(plugin::serve(Arc::new(NoopProvider), NAMES, Mode::Managed));
    std::process::exit(code);
}
