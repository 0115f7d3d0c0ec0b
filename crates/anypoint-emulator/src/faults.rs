//! Fault injection: scripted faults (FIFO, per matcher) and the random rate.

use std::collections::VecDeque;
use std::time::Duration;

/// A scripted fault: the next request matching `matcher` gets `kind`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub matcher: FaultMatch,
    pub kind: FaultKind,
}

impl Fault {
    /// A fault for the next request of any kind.
    pub fn any(kind: FaultKind) -> Fault {
        Fault {
            matcher: FaultMatch::any(),
            kind,
        }
    }

    /// A fault for the next `method` request whose path contains `path_contains`.
    pub fn on(method: &str, path_contains: &str, kind: FaultKind) -> Fault {
        Fault {
            matcher: FaultMatch {
                method: Some(method.to_owned()),
                path_contains: Some(path_contains.to_owned()),
            },
            kind,
        }
    }
}

/// Which requests a fault applies to; `None` matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultMatch {
    /// Compared case-insensitively with the request method.
    pub method: Option<String>,
    /// A substring of the request path (the query string is not part of it).
    pub path_contains: Option<String>,
}

impl FaultMatch {
    pub fn any() -> FaultMatch {
        FaultMatch::default()
    }

    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// What happens to a faulted request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Answered BEFORE processing (nothing changes) with this status and an
    /// empty body; the optional values go to `Retry-After` and
    /// `X-RateLimit-Reset`. An invalid status code is answered 500.
    Status {
        status: u16,
        retry_after: Option<String>,
        ratelimit_reset: Option<String>,
    },
    /// Close the connection without any response; nothing changes.
    DropBeforeProcessing,
    /// Carry out the request, then answer this status with an empty body.
    ProcessThenStatus(u16),
    /// Carry out the request, then break the connection without a response.
    ProcessThenDrop,
    /// Carry out the request, then answer after this delay.
    Delay(Duration),
    /// Answered BEFORE processing (nothing changes) with this status and this
    /// body, sent as it is (as `text/plain`): a proxy's page, an error body
    /// of some shape, a 2xx that is not what the route returns.
    Respond { status: u16, body: String },
    /// Never answered and never processed: the request is held until the
    /// client gives up or the emulator stops (then the connection is cut).
    Hang,
}

impl FaultKind {
    /// A plain status fault with no headers, e.g. `FaultKind::status(429)`.
    pub fn status(status: u16) -> FaultKind {
        FaultKind::Status {
            status,
            retry_after: None,
            ratelimit_reset: None,
        }
    }

    /// A status fault with a `Retry-After` value.
    pub fn retry_after(status: u16, retry_after: &str) -> FaultKind {
        FaultKind::Status {
            status,
            retry_after: Some(retry_after.to_owned()),
            ratelimit_reset: None,
        }
    }

    /// A status fault with an `X-RateLimit-Reset` value.
    pub fn ratelimit_reset(status: u16, reset: &str) -> FaultKind {
        FaultKind::Status {
            status,
            retry_after: None,
            ratelimit_reset: Some(reset.to_owned()),
        }
    }

    /// A [`FaultKind::Respond`] with this status and body.
    pub fn respond(status: u16, body: &str) -> FaultKind {
        FaultKind::Respond {
            status,
            body: body.to_owned(),
        }
    }
}

/// Scripted faults in FIFO order.
#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: Fault) {
        self.queue.push_back(fault);
    }

    pub fn clear(&mut self) {
        self.queue.clear();
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Remove and return the oldest fault matching this request.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let pos = self
            .queue
            .iter()
            .position(|f| f.matcher.matches(method, path))?;
        self.queue.remove(pos).map(|f| f.kind)
    }
}

/// Decide a random fault: with probability `rate`, 429 or 503 (even odds).
pub(crate) fn random_fault(rate: f64) -> Option<FaultKind> {
    if rate.is_nan() || rate <= 0.0 {
        return None;
    }
    let hit = rate >= 1.0 || rand::random::<f64>() < rate;
    if !hit {
        return None;
    }
    let status = if rand::random::<bool>() { 429 } else { 503 };
    Some(FaultKind::status(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_checks_method_and_path() {
        let m = FaultMatch {
            method: Some("post".into()),
            path_contains: Some("/applications".into()),
        };
        assert!(m.matches(
            "POST",
            "/apiplatform/repository/v2/organizations/o/applications"
        ));
        assert!(!m.matches(
            "GET",
            "/apiplatform/repository/v2/organizations/o/applications"
        ));
        assert!(!m.matches("POST", "/accounts/api/v2/oauth2/token"));
        assert!(FaultMatch::any().matches("DELETE", "/x"));
    }

    #[test]
    fn queue_is_fifo_per_match() {
        let mut q = FaultQueue::default();
        q.push(Fault::on("POST", "/a", FaultKind::status(500)));
        q.push(Fault::on("GET", "/b", FaultKind::status(501)));
        q.push(Fault::on("POST", "/a", FaultKind::status(502)));
        // A GET /b skips the first (non-matching) fault.
        assert_eq!(q.take("GET", "/b"), Some(FaultKind::status(501)));
        assert_eq!(q.take("GET", "/b"), None);
        assert_eq!(q.take("POST", "/a"), Some(FaultKind::status(500)));
        assert_eq!(q.take("POST", "/a"), Some(FaultKind::status(502)));
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn random_fault_extremes() {
        for _ in 0..200 {
            assert_eq!(random_fault(0.0), None);
            assert_eq!(random_fault(f64::NAN), None);
            match random_fault(1.0) {
                Some(FaultKind::Status { status, .. }) => assert!(status == 429 || status == 503),
                other => panic!("expected a status fault, got {other:?}"),
            }
        }
    }
}
