//! The client's log events (message and `path` field), published so a
//! test can wait for "the client is now in its back-off" without guessing
//! with a sleep.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The watch: installed once, as the global subscriber of the test binary
/// that asks for it (events of the client only, DEBUG and up).
pub struct EventWatch {
    tx: tokio::sync::watch::Sender<Vec<(String, String)>>,
}

static WATCH: OnceLock<Arc<EventWatch>> = OnceLock::new();

pub fn event_watch() -> Arc<EventWatch> {
    WATCH
        .get_or_init(|| {
            use tracing_subscriber::layer::SubscriberExt;
            use tracing_subscriber::Layer;
            let watch = Arc::new(EventWatch {
                tx: tokio::sync::watch::channel(Vec::new()).0,
            });
            let layer =
                WatchLayer(watch.clone()).with_filter(tracing_subscriber::filter::filter_fn(|m| {
                    (m.target().starts_with("anypoint_client")
                        || m.target().starts_with("anypoint_emulator"))
                        && *m.level() <= tracing::Level::DEBUG
                }));
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
                .expect("no other global subscriber in this binary");
            watch
        })
        .clone()
}

impl EventWatch {
    /// Wait (at most 20 s) for an event whose message contains `message`
    /// and whose path contains `path`.
    pub async fn wait_for(&self, message: &str, path: &str) {
        let mut rx = self.tx.subscribe();
        let found = tokio::time::timeout(
            Duration::from_secs(20),
            rx.wait_for(|events| {
                events
                    .iter()
                    .any(|(m, p)| m.contains(message) && p.contains(path))
            }),
        )
        .await;
        assert!(
            matches!(found, Ok(Ok(_))),
            "no event {message:?} for {path:?} within 20 s"
        );
    }
}

struct WatchLayer(Arc<EventWatch>);

#[derive(Default)]
struct MessageAndPath {
    message: String,
    path: String,
}

impl tracing::field::Visit for MessageAndPath {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "path" => self.path = format!("{value:?}"),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "path" => self.path = value.to_owned(),
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for WatchLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = MessageAndPath::default();
        event.record(&mut fields);
        self.0
            .tx
            .send_modify(|events| events.push((fields.message, fields.path)));
    }
}
