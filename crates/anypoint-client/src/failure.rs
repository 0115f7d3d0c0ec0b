//! How a failed attempt is classified (refused, ambiguous, final) and
//! described. The classification decides what the request engine
//! (`send.rs`) and the create-once loop (`create_once.rs`) do next.

use std::time::{Duration, SystemTime};

use crate::error::{describe_body, truncate, ApiError, ErrorInfo};
use crate::request::{ApiRequest, Reply, CONNECT_TIMEOUT};
use crate::retry::server_hint;

/// How a failed attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// The server did not act on the request (connect error, 429, 503).
    Refused,
    /// The server may have acted (timeout or drop after sending, 500/502/504).
    /// `retryable` is false for 500, which is not a transient status.
    Ambiguous { retryable: bool },
    /// A definite answer (4xx, decode, cancel): never retried.
    Final,
}

pub(crate) struct Failure {
    pub(crate) error: ApiError,
    pub(crate) class: Class,
    /// The server's wait hint (`Retry-After`, `X-RateLimit-Reset`).
    pub(crate) hint: Option<Duration>,
    /// No complete answer within the request timeout (connect included).
    pub(crate) timed_out: bool,
}

/// The platform as failure messages name it.
#[derive(Debug)]
pub(crate) struct Platform {
    /// The host (and port, when the base URL has one).
    pub(crate) host: String,
    /// Which setting chose it (`ClientConfig::platform`).
    pub(crate) setting: String,
    /// The request timeout.
    pub(crate) timeout: Duration,
}

/// How to change the request timeout, for timeout messages.
const TIMEOUT_ADVICE: &str = "the provider attribute `timeout_seconds` (or \
     ANYPOINT_TIMEOUT_SECONDS) sets the request timeout";

impl Failure {
    pub(crate) fn fatal(error: ApiError) -> Self {
        Failure {
            error,
            class: Class::Final,
            hint: None,
            timed_out: false,
        }
    }

    pub(crate) fn cancelled(req: &ApiRequest) -> Self {
        Failure::fatal(ApiError::cancelled(req.method.as_str(), &req.path))
    }

    /// A failure of the given class without a server wait hint.
    #[cfg(test)]
    pub(crate) fn new(error: ApiError, class: Class) -> Self {
        Failure {
            error,
            class,
            hint: None,
            timed_out: false,
        }
    }

    pub(crate) fn is_refused(&self) -> bool {
        matches!(self.class, Class::Refused)
    }

    pub(crate) fn is_ambiguous(&self) -> bool {
        matches!(self.class, Class::Ambiguous { .. })
    }

    pub(crate) fn is_retryable(&self) -> bool {
        matches!(
            self.class,
            Class::Refused | Class::Ambiguous { retryable: true }
        )
    }

    /// The wait a rate limit (a 429, or a 503 with a wait hint) asks for.
    pub(crate) fn rate_limit_wait(&self) -> Option<Duration> {
        match (self.error.status(), self.hint) {
            (Some(429 | 503), Some(wait)) => Some(wait),
            _ => None,
        }
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        if let Some(info) = self.error.info_mut() {
            info.attempts = attempts;
        }
        self
    }

    /// Classify an error status; the message is scrubbed of `secrets`.
    pub(crate) fn from_status(req: &ApiRequest, reply: &Reply, secrets: &[&str]) -> Self {
        let status = reply.status.as_u16();
        let message = describe_body(&reply.body, secrets);
        let mut info = ErrorInfo::new(req.method.as_str(), &req.path, Some(status), message);
        // 429 and 503 mean the server refused the request (the Anypoint rate
        // limiter answers 503 with an empty body). 502/504 come from a
        // gateway after the request may have reached the service. A 500 may
        // also have been applied, but it is not transient: not retried.
        let class = match status {
            429 | 503 => Class::Refused,
            502 | 504 => Class::Ambiguous { retryable: true },
            500..=599 => Class::Ambiguous { retryable: false },
            _ => Class::Final,
        };
        info.outcome_unknown = matches!(class, Class::Ambiguous { .. });
        let hint = match class {
            Class::Final => None,
            _ => server_hint(&reply.headers, SystemTime::now()),
        };
        Failure {
            error: ApiError::from_status(status, info),
            class,
            hint,
            timed_out: false,
        }
    }

    /// Classify a transport error. A connect error means the request never
    /// left; anything else (timeout, reset, dropped mid-response) may have
    /// reached the server.
    pub(crate) fn from_transport(req: &ApiRequest, e: reqwest::Error, platform: &Platform) -> Self {
        let refused = e.is_connect();
        let final_error = e.is_builder();
        let timed_out = e.is_timeout();
        let e = e.without_url();
        let mut parts: Vec<String> = Vec::new();
        let mut current: Option<&dyn std::error::Error> = Some(&e);
        while let Some(err) = current {
            let text = err.to_string();
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            current = err.source();
        }
        let mut message = truncate(&parts.join(": "), 300);
        let host = &platform.host;
        let setting = &platform.setting;
        if timed_out {
            let what = if refused {
                format!("could not connect to {host} ({setting})")
            } else {
                format!("no complete answer from {host}")
            };
            message = format!(
                "{what} within {} ({message}); {}",
                timeout_text(platform, refused),
                TIMEOUT_ADVICE
            );
        } else if refused {
            message = format!(
                "could not connect to {host} ({setting}): {message}; check that the host is \
                 right and reachable from here"
            );
        } else if !final_error {
            message = format!("the exchange with {host} broke off: {message}");
        }
        let mut info = ErrorInfo::new(req.method.as_str(), &req.path, None, message);
        let class = if final_error {
            Class::Final
        } else if refused {
            Class::Refused
        } else {
            Class::Ambiguous { retryable: true }
        };
        info.outcome_unknown = matches!(class, Class::Ambiguous { .. });
        Failure {
            error: ApiError::Transport(info),
            class,
            hint: None,
            timed_out,
        }
    }

    /// A request not sent because the platform has let the last `silent`
    /// requests time out without answering anything in between.
    pub(crate) fn unresponsive(req: &ApiRequest, silent: u32, platform: &Platform) -> Self {
        let info = ErrorInfo::new(
            req.method.as_str(),
            &req.path,
            None,
            format!(
                "not sent: {} has not answered the last {silent} requests within the request \
                 timeout of {} s, so the provider gives up on it for this run; {}",
                platform.host,
                platform.timeout.as_secs_f64(),
                TIMEOUT_ADVICE
            ),
        );
        Failure::fatal(ApiError::Transport(info))
    }
}

/// The timeout that ran out: the request timeout, or the connect timeout.
fn timeout_text(platform: &Platform, connect: bool) -> String {
    if connect {
        format!("the connect timeout of {} s", CONNECT_TIMEOUT.as_secs_f64())
    } else {
        format!(
            "the request timeout of {} s",
            platform.timeout.as_secs_f64()
        )
    }
}
