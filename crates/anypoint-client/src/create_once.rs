//! Create-once: the one loop every create-like call (application create,
//! owner add, contract create) runs, so that a create is never made twice.
//!
//! The rule:
//! 1. Send the request once.
//! 2. A **refusal** (connect error, 429, 503: the request never reached the
//!    platform, or the platform did not act on it) is retried after a
//!    back-off.
//! 3. After an **ambiguous** failure (a timeout after sending, a dropped
//!    connection, 500, 502, 504) the create may have happened, so it is not
//!    resent blindly: the result is **looked up** instead. A 409 on a retry
//!    that follows an ambiguous attempt is looked up the same way (that
//!    attempt probably made what the 409 complains about). A success whose
//!    answer cannot be read is looked up too, and never resent.
//! 4. Found: that is the result. Not found (which a list can say only with
//!    a witness, see below): the create did not happen, and it is retried if
//!    the failure is transient (not after a 500, nor after a 409). The
//!    look-up failing tells nothing, so the create's own failure is returned
//!    (a cancellation is returned as a cancellation).
//! 5. Every retry draws on one budget per call (`max_retries` and the
//!    total-wait cap), and every wait races the cancellation token. A stop
//!    never abandons a sent create: its answer is awaited (up to the request
//!    timeout), and after an ambiguous failure the look-up still runs once
//!    (`send::after_stop`); nothing is retried after the stop.
//!
//! Each call brings its own send and look-up (a [`CreateOnce`]); the loop
//! itself knows nothing of applications, owners or contracts.
//!
//! # When a list may say "not created"
//! A look-up that reads a list never takes an empty or partial answer for
//! proof by itself: the platform's application list can answer
//! `{"applications":[],"total":0}` to a Connected App "even when apps exist"
//! (reference §8 q9), and by default shows only the caller's own
//! applications. So:
//! - **Found** needs the object itself: an application found by name is read
//!   by id (and one that had the name before the create is never taken).
//! - **Not found** (and with it a resend) needs a *witness*: evidence that
//!   this list shows this Connected App's applications at all. An
//!   application look-up has one when the list, queried by the name of an
//!   application this client knows to exist (it created it, or read it by
//!   id: `memory.rs`), shows that application; or when a page of the
//!   unfiltered list holds such an application, or one that a read by id
//!   confirms (`Applications::list_shows_own`). An empty list is never a
//!   witness. Without one, the look-up answers with the create's
//!   own failure, marked as possibly applied, naming the name to check: the
//!   caller tells the user how to import the application if it exists. The
//!   application an ambiguous create would have made belongs to this
//!   Connected App, so a list shown to include the Connected App's
//!   applications would show it too.
//! - **Before a create**, the same-named applications (from the client's
//!   list, `listing.rs`, or a list by name) are used only
//!   to refuse a name that is listed (the caller names the ids to import)
//!   and to leave those ids out of a later look-up. An empty answer is not
//!   taken for proof that the name is free: it only lets the first attempt
//!   go out, as the platform itself guards its names (a taken name gets a
//!   409, which the caller reports with the import advice, looking the id up
//!   when the list shows it); every decision after that attempt follows the
//!   rules above. No witness is asked for before the first attempt, because
//!   an organization with no applications yet has none to give, and its
//!   first create must go ahead.
//! - **Found under the name after a create**, an application that was not
//!   among those listed before it is taken for the one the create made only
//!   if the platform dates its creation (`audit.created.date`) no earlier
//!   than its own `Date` at the time of the name check (`clock.rs`): the
//!   client's list can be older than the create, and somebody else may
//!   have taken the name in between. One that is not so dated is named in
//!   the error, neither taken nor ruled out, and the create is not resent.

use crate::error::ApiError;
use crate::failure::Failure;
use crate::request::{ApiRequest, Reply};
use crate::retry::RetryState;
use crate::send::{after_stop, Engine, Replay};

/// How a send that reached the platform and got a success answered.
pub(crate) enum Sent<T> {
    /// The create happened; this is its result.
    Created(T),
    /// The platform answered with success, but the answer cannot be read:
    /// the create happened, so it is looked up, never resent.
    Unreadable(ApiError),
}

/// What a look-up after an ambiguous failure found.
pub(crate) enum Lookup<T> {
    /// The create happened; this is what it made.
    Found(T),
    /// The create did not happen.
    NotFound,
    /// The look-up itself failed, so nothing is known.
    Failed(ApiError),
}

/// One create-like call: its request, how to read a success, and how to
/// find out whether an attempt happened.
pub(crate) trait CreateOnce {
    type Output;

    /// The request (for back-off logs and the cancellation error).
    fn request(&self) -> &ApiRequest;

    /// Send the request once ([`send_once`]) and read the
    /// answer. A failure the call reads as an answer of its own (an owner
    /// add's 409: already an owner) is returned as `Ok` here.
    async fn send(&self, state: &mut RetryState) -> Result<Sent<Self::Output>, Failure>;

    /// Whether the create happened, after `failure` (ambiguous, or an
    /// unreadable success). Logs (at debug) what it looks at. An `Err` is a definite answer returned as is
    /// (e.g. several candidates that cannot be told apart).
    async fn look_up(&self, failure: &ApiError) -> Result<Lookup<Self::Output>, ApiError>;
}

/// Run `op` by the create-once rule (see the module docs).
pub(crate) async fn create_once<C: CreateOnce>(
    engine: &Engine,
    op: &C,
) -> Result<C::Output, ApiError> {
    let req = op.request();
    let mut state = RetryState::default();
    loop {
        let failure = match op.send(&mut state).await {
            Ok(Sent::Created(out)) => return Ok(out),
            Ok(Sent::Unreadable(mut unreadable)) => {
                if let Some(info) = unreadable.info_mut() {
                    info.outcome_unknown = true;
                }
                return match after_stop(look_up(op, req, &unreadable)).await? {
                    Some(found) => Ok(found),
                    None => Err(unreadable),
                };
            }
            Err(f) => f,
        };
        if failure.error.is_cancelled() {
            return Err(failure.error);
        }
        if !failure.is_refused() {
            let conflict_after_ambiguous = state.saw_ambiguous && failure.error.is_conflict();
            if !(failure.is_ambiguous() || conflict_after_ambiguous) {
                return Err(failure.error);
            }
            state.saw_ambiguous = true;
            if let Some(found) = after_stop(look_up(op, req, &failure.error)).await? {
                return Ok(found);
            }
            if !failure.is_retryable() {
                return Err(failure.error);
            }
        }
        engine
            .pause(req, &mut state, failure)
            .await
            .map_err(|f| f.error)?;
    }
}

/// One attempt of a create-like request (plus the 401 renewal), for a
/// [`CreateOnce::send`]: every failure comes back to [`create_once`].
pub(crate) async fn send_once(
    engine: &Engine,
    req: &ApiRequest,
    state: &mut RetryState,
) -> Result<Reply, Failure> {
    engine.send(req, Replay::Never, state).await
}

/// `op`'s look-up: `Some` if the create happened, `None` if not, and the
/// create's own failure `original` if the look-up cannot tell.
async fn look_up<C: CreateOnce>(
    op: &C,
    req: &ApiRequest,
    original: &ApiError,
) -> Result<Option<C::Output>, ApiError> {
    match op.look_up(original).await? {
        Lookup::Found(found) => {
            tracing::debug!(path = %req.path, "the look-up found what the create made");
            Ok(Some(found))
        }
        Lookup::NotFound => Ok(None),
        Lookup::Failed(e) if e.is_cancelled() => Err(e),
        Lookup::Failed(e) => {
            tracing::debug!(
                path = %req.path,
                kind = e.kind(),
                "the look-up after an ambiguous create failed"
            );
            Err(original.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;
    use std::time::Duration;

    use reqwest::Method;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::config::ClientConfig;
    use crate::error::ErrorInfo;
    use crate::failure::Class;
    use crate::request::build_http_client;
    use crate::retry::Backoff;
    use secret::Secret;

    type Answer = Result<Sent<&'static str>, Failure>;
    type Found = Result<Lookup<&'static str>, ApiError>;

    /// A create whose sends and look-ups answer from scripts, in order.
    struct Scripted {
        req: ApiRequest,
        sends: Mutex<VecDeque<Answer>>,
        lookups: Mutex<VecDeque<Found>>,
        sent: Mutex<u32>,
        looked: Mutex<u32>,
        /// Cancelled by the first look-up, when set.
        cancel_on_lookup: Option<CancellationToken>,
    }

    impl Scripted {
        fn new(req: ApiRequest, sends: Vec<Answer>, lookups: Vec<Found>) -> Self {
            Scripted {
                req,
                sends: Mutex::new(sends.into()),
                lookups: Mutex::new(lookups.into()),
                sent: Mutex::new(0),
                looked: Mutex::new(0),
                cancel_on_lookup: None,
            }
        }
        fn counts(&self) -> (u32, u32) {
            (*self.sent.lock().unwrap(), *self.looked.lock().unwrap())
        }
    }

    impl CreateOnce for Scripted {
        type Output = &'static str;
        fn request(&self) -> &ApiRequest {
            &self.req
        }
        async fn send(&self, _state: &mut RetryState) -> Result<Sent<&'static str>, Failure> {
            *self.sent.lock().unwrap() += 1;
            self.sends
                .lock()
                .unwrap()
                .pop_front()
                .expect("no more scripted sends")
        }
        async fn look_up(&self, _failure: &ApiError) -> Result<Lookup<&'static str>, ApiError> {
            *self.looked.lock().unwrap() += 1;
            if let Some(c) = &self.cancel_on_lookup {
                c.cancel();
            }
            self.lookups
                .lock()
                .unwrap()
                .pop_front()
                .expect("no more scripted look-ups")
        }
    }

    fn engine(max_retries: u32, cancel: CancellationToken) -> Engine {
        let mut cfg =
            ClientConfig::new("http://127.0.0.1:9", "id", Secret::new("secret-value")).unwrap();
        cfg.max_retries = max_retries;
        cfg.backoff = Backoff {
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_single_wait: Duration::ZERO,
            max_total_wait: Duration::from_secs(1),
        };
        Engine::new(cfg, "1.11.4", cancel, build_http_client().unwrap()).unwrap()
    }

    fn request(c: &Engine) -> ApiRequest {
        c.request(Method::POST, &["things"], &[])
    }

    fn info(status: Option<u16>, message: &str) -> ErrorInfo {
        ErrorInfo::new("POST", "/things", status, message.to_owned())
    }

    fn refused() -> Answer {
        Err(Failure::new(
            ApiError::RateLimited(info(Some(429), "slow down")),
            Class::Refused,
        ))
    }
    fn timed_out() -> Answer {
        Err(Failure::new(
            ApiError::Transport(info(None, "timed out")),
            Class::Ambiguous { retryable: true },
        ))
    }
    fn server_error() -> Answer {
        Err(Failure::new(
            ApiError::Server(info(Some(500), "boom")),
            Class::Ambiguous { retryable: false },
        ))
    }
    fn conflict() -> Answer {
        Err(Failure::new(
            ApiError::Conflict(info(Some(409), "exists")),
            Class::Final,
        ))
    }
    fn created(v: &'static str) -> Answer {
        Ok(Sent::Created(v))
    }

    async fn run(c: &Engine, op: &Scripted) -> Result<&'static str, ApiError> {
        create_once(c, op).await
    }

    #[tokio::test]
    async fn success_first_time() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(request(&c), vec![created("made")], vec![]);
        assert_eq!(run(&c, &op).await.unwrap(), "made");
        assert_eq!(op.counts(), (1, 0));
    }

    #[tokio::test]
    async fn a_refusal_is_resent_without_a_look_up() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(request(&c), vec![refused(), created("made")], vec![]);
        assert_eq!(run(&c, &op).await.unwrap(), "made");
        assert_eq!(op.counts(), (2, 0));
    }

    #[tokio::test]
    async fn ambiguous_then_found_is_not_resent() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(
            request(&c),
            vec![timed_out()],
            vec![Ok(Lookup::Found("recovered"))],
        );
        assert_eq!(run(&c, &op).await.unwrap(), "recovered");
        assert_eq!(op.counts(), (1, 1));
    }

    #[tokio::test]
    async fn ambiguous_then_not_found_is_resent() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(
            request(&c),
            vec![timed_out(), created("made")],
            vec![Ok(Lookup::NotFound)],
        );
        assert_eq!(run(&c, &op).await.unwrap(), "made");
        assert_eq!(op.counts(), (2, 1));
    }

    #[tokio::test]
    async fn a_conflict_after_an_ambiguous_attempt_is_looked_up() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(
            request(&c),
            vec![timed_out(), conflict()],
            vec![Ok(Lookup::NotFound), Ok(Lookup::Found("theirs-or-ours"))],
        );
        assert_eq!(run(&c, &op).await.unwrap(), "theirs-or-ours");
        assert_eq!(op.counts(), (2, 2));
    }

    #[tokio::test]
    async fn a_first_conflict_is_returned_without_a_look_up() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(request(&c), vec![conflict()], vec![]);
        assert!(run(&c, &op).await.unwrap_err().is_conflict());
        assert_eq!(op.counts(), (1, 0));
    }

    #[tokio::test]
    async fn ambiguous_non_retryable_and_not_found_is_returned() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(
            request(&c),
            vec![server_error()],
            vec![Ok(Lookup::NotFound)],
        );
        let e = run(&c, &op).await.unwrap_err();
        assert_eq!(e.status(), Some(500));
        assert_eq!(op.counts(), (1, 1));
    }

    #[tokio::test]
    async fn a_failed_look_up_returns_the_create_failure() {
        let c = engine(3, CancellationToken::new());
        let lookup_error = ApiError::Server(info(Some(503), "list failed"));
        let op = Scripted::new(
            request(&c),
            vec![timed_out()],
            vec![Ok(Lookup::Failed(lookup_error))],
        );
        let e = run(&c, &op).await.unwrap_err();
        assert_eq!(e.message(), "timed out");
        assert_eq!(op.counts(), (1, 1));
    }

    #[tokio::test]
    async fn a_definite_look_up_error_is_returned_as_is() {
        let c = engine(3, CancellationToken::new());
        let op = Scripted::new(
            request(&c),
            vec![timed_out()],
            vec![Err(ApiError::Conflict(info(None, "two candidates")))],
        );
        let e = run(&c, &op).await.unwrap_err();
        assert_eq!(e.message(), "two candidates");
        assert_eq!(op.counts(), (1, 1));
    }

    #[tokio::test]
    async fn an_unreadable_success_is_looked_up_and_never_resent() {
        let c = engine(3, CancellationToken::new());
        let unreadable = || Ok(Sent::Unreadable(ApiError::Decode(info(Some(201), "bad"))));
        let op = Scripted::new(
            request(&c),
            vec![unreadable()],
            vec![Ok(Lookup::Found("it"))],
        );
        assert_eq!(run(&c, &op).await.unwrap(), "it");
        let op = Scripted::new(request(&c), vec![unreadable()], vec![Ok(Lookup::NotFound)]);
        let e = run(&c, &op).await.unwrap_err();
        assert_eq!(e.message(), "bad");
        assert!(e.info().unwrap().outcome_unknown);
        assert_eq!(op.counts(), (1, 1));
    }

    #[tokio::test]
    async fn the_retry_budget_ends_the_loop() {
        let c = engine(2, CancellationToken::new());
        let op = Scripted::new(
            request(&c),
            vec![timed_out(), refused(), timed_out()],
            vec![Ok(Lookup::NotFound), Ok(Lookup::NotFound)],
        );
        let e = run(&c, &op).await.unwrap_err();
        assert_eq!(e.message(), "timed out");
        assert_eq!(e.info().unwrap().attempts, 3);
        assert_eq!(op.counts(), (3, 2));
    }

    #[tokio::test]
    async fn a_stop_during_the_look_up_is_a_cancellation() {
        let cancel = CancellationToken::new();
        let c = engine(3, cancel.clone());
        let mut op = Scripted::new(
            request(&c),
            vec![timed_out(), created("never")],
            vec![Ok(Lookup::NotFound)],
        );
        op.cancel_on_lookup = Some(cancel);
        // The look-up answers "not found", but the stop came first: no resend.
        assert!(run(&c, &op).await.unwrap_err().is_cancelled());
        assert_eq!(op.counts(), (1, 1));

        let cancel = CancellationToken::new();
        let c = engine(3, cancel.clone());
        let cancelled = ApiError::cancelled("GET", "/things");
        let op = Scripted::new(
            request(&c),
            vec![timed_out()],
            vec![Ok(Lookup::Failed(cancelled))],
        );
        assert!(run(&c, &op).await.unwrap_err().is_cancelled());
    }
}
