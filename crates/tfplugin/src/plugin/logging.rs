//! hclog-compatible JSON logging on stderr.
//!
//! go-plugin hosts (Terraform) read the provider's stderr line by line and
//! re-emit JSON lines that look like hclog output at their own level:
//! `{"@level":"debug","@message":"…","@module":"…","@timestamp":"…"}` with
//! exactly six fractional digits in the timestamp and levels
//! trace|debug|info|warn|error. Anything else shows up as a raw DEBUG line.
//!
//! Secrets never reach a line: values are held in [`secret::Secret`],
//! which cannot be formatted, and as a second guard every finished line is
//! scrubbed ([`secret::scrub`]) of all secret texts registered with
//! [`secret::register_secret`] (by the provider, for the Connected
//! App's secret and sensitive attribute values, and by the API client, for
//! every access token and client secret it receives).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use secret::scrub;

use super::names::Names;

/// The level our logger runs at, from `TF_LOG_PROVIDER`, then `TF_LOG`
/// (TRACE, DEBUG, INFO, WARN, ERROR, JSON = TRACE, OFF). Unset: warnings and
/// errors only, which Terraform shows when its own logging is on.
pub fn level_from_env(get: impl Fn(&str) -> Option<String>) -> Option<Level> {
    let raw = get("TF_LOG_PROVIDER")
        .filter(|v| !v.is_empty())
        .or_else(|| get("TF_LOG").filter(|v| !v.is_empty()));
    match raw.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        None => Some(Level::WARN),
        Some("TRACE") | Some("JSON") => Some(Level::TRACE),
        Some("DEBUG") => Some(Level::DEBUG),
        Some("INFO") => Some(Level::INFO),
        Some("WARN") => Some(Level::WARN),
        Some("ERROR") => Some(Level::ERROR),
        Some("OFF") => None,
        Some(_) => Some(Level::TRACE),
    }
}

/// hclog's level names. Note "warn", never "warning": hclog rejects the latter.
pub fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `2026-11-28T06:40:00.123456Z`: UTC, exactly six fractional digits, the
/// layout hclog parses.
pub fn timestamp(now: time::OffsetDateTime) -> String {
    let now = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: BTreeMap<String, serde_json::Value>,
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields
                .insert(field.name().to_owned(), serde_json::Value::from(value));
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields
            .insert(field.name().to_owned(), serde_json::Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields
            .insert(field.name().to_owned(), serde_json::Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields
            .insert(field.name().to_owned(), serde_json::Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields
            .insert(field.name().to_owned(), serde_json::Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message.push_str(&text);
        } else {
            self.fields
                .insert(field.name().to_owned(), serde_json::Value::from(text));
        }
    }
}

/// Fields recorded on spans (e.g. `tf_rpc`, `tf_resource_type`), copied onto
/// every event inside the span.
struct SpanFields(BTreeMap<String, serde_json::Value>);

/// A `tracing` layer that writes hclog JSON lines to a writer (stderr).
pub struct HclogLayer<W: Send + 'static> {
    out: Mutex<W>,
    module: String,
    names: Names,
}

impl<W: std::io::Write + Send + 'static> HclogLayer<W> {
    pub fn new(out: W, names: Names) -> Self {
        HclogLayer {
            out: Mutex::new(out),
            module: names.log_module(),
            names,
        }
    }
}

/// Build one hclog line (without the newline) from its parts; the secret
/// scrub is applied to the whole line.
pub fn format_line(
    level: &Level,
    message: &str,
    module: &str,
    now: time::OffsetDateTime,
    fields: &BTreeMap<String, serde_json::Value>,
) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level_name(level).into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module.into());
    obj.insert("@timestamp".into(), timestamp(now).into());
    for (k, v) in fields {
        if !k.starts_with('@') {
            obj.insert(k.clone(), v.clone());
        }
    }
    scrub(&serde_json::Value::Object(obj).to_string())
}

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: std::io::Write + Send + 'static,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut collector = FieldCollector::default();
        attrs.record(&mut collector);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(collector.fields));
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: Context<'_, S>,
    ) {
        let mut collector = FieldCollector::default();
        values.record(&mut collector);
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            if let Some(fields) = ext.get_mut::<SpanFields>() {
                fields.0.extend(collector.fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut collector = FieldCollector::default();
        event.record(&mut collector);
        let mut fields = BTreeMap::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(f) = span.extensions().get::<SpanFields>() {
                    fields.extend(f.0.clone());
                }
            }
        }
        fields.extend(collector.fields);
        let meta = event.metadata();
        if !self.names.is_own_target(meta.target()) {
            fields.insert("target".into(), meta.target().into());
        }
        let line = format_line(
            meta.level(),
            &collector.message,
            &self.module,
            time::OffsetDateTime::now_utc(),
            &fields,
        );
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// Install the hclog layer on stderr as the global subscriber, at the level
/// the environment asks for. Our own crate logs at that level; noisy
/// dependencies (h2, hyper, rustls, tonic) are capped at INFO: tonic's DEBUG
/// line for the connection Terraform closes at every shutdown ("broken pipe")
/// is no error.
pub fn init_from_env(names: Names) {
    let Some(level) = level_from_env(|k| std::env::var(k).ok()) else {
        return;
    };
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(level)
        .with_target("h2", Level::INFO.min(level))
        .with_target("hyper", Level::INFO.min(level))
        .with_target("hyper_util", Level::INFO.min(level))
        .with_target("rustls", Level::INFO.min(level))
        .with_target("tonic", Level::INFO.min(level))
        .with_target("tower", Level::INFO.min(level))
        .with_target("reqwest", Level::INFO.min(level));
    let layer = HclogLayer::new(std::io::stderr(), names).with_filter(filter);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use secret::register_secret;

    #[test]
    fn timestamp_has_six_fraction_digits() {
        let t = time::macros::datetime!(2026-01-02 03:04:05.000007 UTC);
        assert_eq!(timestamp(t), "2026-01-02T03:04:05.000007Z");
    }

    #[test]
    fn levels_follow_tf_log() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(level_from_env(env(&[])), Some(Level::WARN));
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "debug")])),
            Some(Level::DEBUG)
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "debug"), ("TF_LOG_PROVIDER", "TRACE")])),
            Some(Level::TRACE)
        );
        assert_eq!(level_from_env(env(&[("TF_LOG", "off")])), None);
        assert_eq!(level_name(&Level::WARN), "warn");
    }

    #[test]
    fn registered_secrets_are_scrubbed() {
        register_secret("s3cr3t-value-123");
        register_secret("abc"); // too short to register
        let line = format_line(
            &Level::INFO,
            "token s3cr3t-value-123 used",
            "provider.example",
            time::OffsetDateTime::now_utc(),
            &BTreeMap::from([("body".to_string(), "x s3cr3t-value-123".into())]),
        );
        assert!(!line.contains("s3cr3t-value-123"), "{line}");
        assert!(line.contains("token *** used"));
        assert!(scrub("abc").contains("abc"));
    }

    #[test]
    fn json_escaped_secrets_are_scrubbed() {
        register_secret("quote\"and\\slash-secret");
        let line = format_line(
            &Level::INFO,
            "value quote\"and\\slash-secret here",
            "provider.example",
            time::OffsetDateTime::now_utc(),
            &BTreeMap::new(),
        );
        assert!(!line.contains("slash-secret"), "{line}");
        assert!(line.contains("value *** here"), "{line}");
    }
}
