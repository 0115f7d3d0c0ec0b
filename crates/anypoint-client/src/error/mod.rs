//! The client's error type. The extraction of the platform's message from
//! an error body is in `body.rs`, the hints of a 403 and a 401 in `hint.rs`.
//!
//! No error ever holds a secret: messages taken from response bodies are
//! scrubbed of the client secret and the access token, JSON string values
//! under secret-looking keys are masked, and transport errors are described
//! without their URL.

use std::fmt;

use crate::paths::is_token_request_path;

mod body;
mod hint;

pub use body::extract_message;
use body::one_line;
pub(crate) use body::{describe_body, describe_decode_error, truncate};
use hint::forbidden_hint;
pub use hint::{FORBIDDEN_HINT, TOKEN_REFUSED_EXPLANATION};

/// What went wrong with one API call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request path with its query, without scheme and host.
    pub path: String,
    /// The HTTP status, if a response arrived.
    pub status: Option<u16>,
    /// The platform's message, or a description of the transport problem.
    pub message: String,
    /// True when the request may have been applied by the server even though
    /// it failed (timeout after sending, connection dropped, 500/502/504).
    pub outcome_unknown: bool,
    /// How many attempts were made (0 = not counted).
    pub attempts: u32,
}

impl ErrorInfo {
    pub(crate) fn new(method: &str, path: &str, status: Option<u16>, message: String) -> Self {
        ErrorInfo {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            message,
            outcome_unknown: false,
            attempts: 0,
        }
    }
}

/// An Anypoint API error.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// 404.
    NotFound(ErrorInfo),
    /// 401 (after one token renewal), or the token request was rejected.
    Unauthorized(ErrorInfo),
    /// 403; `Display` adds [`FORBIDDEN_HINT`].
    Forbidden(ErrorInfo),
    /// 409, or a create whose outcome cannot be told apart from another object.
    Conflict(ErrorInfo),
    /// Any other 4xx.
    BadRequest(ErrorInfo),
    /// 429 after the retries ran out.
    RateLimited(ErrorInfo),
    /// 5xx (after retries where they apply).
    Server(ErrorInfo),
    /// No usable response: connect failure, timeout, connection dropped.
    Transport(ErrorInfo),
    /// A response that is not the JSON we expected.
    Decode(ErrorInfo),
    /// The provider is stopping: the call was abandoned.
    Cancelled(ErrorInfo),
    /// Invalid settings or a client that could not be built.
    Config(String),
}

/// The `ErrorInfo` of an `ApiError` (by reference or by mutable reference,
/// whichever `$error` is), or `None` for `Config`: one match for both
/// accessors.
macro_rules! info_of {
    ($error:expr) => {
        match $error {
            ApiError::NotFound(i)
            | ApiError::Unauthorized(i)
            | ApiError::Forbidden(i)
            | ApiError::Conflict(i)
            | ApiError::BadRequest(i)
            | ApiError::RateLimited(i)
            | ApiError::Server(i)
            | ApiError::Transport(i)
            | ApiError::Decode(i)
            | ApiError::Cancelled(i) => Some(i),
            ApiError::Config(_) => None,
        }
    };
}

impl ApiError {
    pub(crate) fn from_status(status: u16, info: ErrorInfo) -> Self {
        match status {
            401 => ApiError::Unauthorized(info),
            403 => ApiError::Forbidden(info),
            404 => ApiError::NotFound(info),
            409 => ApiError::Conflict(info),
            429 => ApiError::RateLimited(info),
            500..=599 => ApiError::Server(info),
            _ => ApiError::BadRequest(info),
        }
    }

    pub(crate) fn cancelled(method: &str, path: &str) -> Self {
        ApiError::Cancelled(ErrorInfo::new(
            method,
            path,
            None,
            "the provider is stopping".to_owned(),
        ))
    }

    /// The request details, for every kind except `Config`.
    pub fn info(&self) -> Option<&ErrorInfo> {
        info_of!(self)
    }

    pub(crate) fn info_mut(&mut self) -> Option<&mut ErrorInfo> {
        info_of!(self)
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.info().and_then(|i| i.status)
    }

    /// The platform's message (or the transport/config description).
    pub fn message(&self) -> &str {
        match self {
            ApiError::Config(m) => m,
            other => other.info().map(|i| i.message.as_str()).unwrap_or(""),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound(_))
    }
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Unauthorized(_))
    }
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ApiError::Forbidden(_))
    }
    pub fn is_conflict(&self) -> bool {
        matches!(self, ApiError::Conflict(_))
    }
    pub fn is_cancelled(&self) -> bool {
        matches!(self, ApiError::Cancelled(_))
    }
    /// True when the failed request may nevertheless have been applied
    /// (e.g. a secret reset that timed out): re-read before deciding.
    pub fn is_ambiguous(&self) -> bool {
        self.info().is_some_and(|i| i.outcome_unknown)
    }

    /// A short name of the kind, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Conflict(_) => "conflict",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Server(_) => "server",
            ApiError::Transport(_) => "transport",
            ApiError::Decode(_) => "decode",
            ApiError::Cancelled(_) => "cancelled",
            ApiError::Config(_) => "config",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "Anypoint object not found",
            ApiError::Unauthorized(i) if !is_token_request_path(&i.path) => {
                "Anypoint refused the access token"
            }
            ApiError::Unauthorized(_) => "Anypoint rejected the credentials",
            ApiError::Forbidden(_) => "Anypoint denied access",
            ApiError::Conflict(_) => "Anypoint reported a conflict",
            ApiError::BadRequest(_) => "Anypoint rejected the request",
            ApiError::RateLimited(_) => "Anypoint rate limit hit",
            ApiError::Server(_) => "Anypoint server error",
            ApiError::Transport(_) => "could not reach Anypoint",
            ApiError::Decode(_) => "unexpected Anypoint response",
            ApiError::Cancelled(_) => "Anypoint call cancelled",
            ApiError::Config(_) => "invalid Anypoint client configuration",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = match self {
            ApiError::Config(m) => return write!(f, "{}: {}", self.label(), one_line(m)),
            other => match other.info() {
                Some(i) => i,
                None => return f.write_str(self.label()),
            },
        };
        let mut out = format!("{}: {} {}", self.label(), info.method, info.path);
        if let Some(status) = info.status {
            out.push_str(&format!(" returned HTTP {status}"));
        }
        out.push_str(&format!(": {}", one_line(&info.message)));
        if info.attempts > 1 {
            out.push_str(&format!(" (after {} attempts)", info.attempts));
        }
        // Only a request that changes something can "have been applied".
        let changes = !matches!(info.method.as_str(), "GET" | "HEAD");
        if changes
            && info.outcome_unknown
            && matches!(self, ApiError::Transport(_) | ApiError::Server(_))
        {
            out.push_str(" (the request may have been applied)");
        }
        match self {
            ApiError::Forbidden(i) => add_sentence(
                &mut out,
                &format!("Hint: {}", forbidden_hint(&i.method, &i.path, &i.message)),
            ),
            ApiError::Unauthorized(i) if !is_token_request_path(&i.path) => {
                add_sentence(&mut out, &format!("Hint: {TOKEN_REFUSED_EXPLANATION}"))
            }
            _ => {}
        }
        f.write_str(&out)
    }
}

impl std::error::Error for ApiError {}

/// Append `sentence` to `text` as a new sentence: after a full stop only if
/// `text` does not already end with one (or with `!`, `?`, `…`), so that no
/// text ever shows a doubled period.
fn add_sentence(text: &mut String, sentence: &str) {
    let len = text.trim_end().len();
    text.truncate(len);
    if !text.ends_with(['.', '!', '?', '…']) {
        text.push('.');
    }
    text.push(' ');
    text.push_str(sentence);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(status: Option<u16>, message: &str) -> ErrorInfo {
        ErrorInfo::new("GET", "/x/y", status, message.to_owned())
    }

    #[test]
    fn display_is_one_line_with_context() {
        let e = ApiError::from_status(404, info(Some(404), "The application\ncannot be found."));
        let s = e.to_string();
        assert!(!s.contains('\n'));
        assert!(s.contains("GET /x/y"));
        assert!(s.contains("404"));
        assert!(s.contains("The application cannot be found."));
        assert!(e.is_not_found());
        assert_eq!(e.status(), Some(404));
    }

    #[test]
    fn forbidden_adds_the_scope_hint() {
        let e = ApiError::from_status(403, info(Some(403), "Forbidden"));
        assert!(e.is_forbidden());
        let s = e.to_string();
        assert!(s.contains("Application Creator"), "{s}");
        assert!(
            s.contains("only manage client applications that it created"),
            "{s}"
        );
        let nf = ApiError::from_status(404, info(Some(404), "x")).to_string();
        assert!(!nf.contains("Application Creator"));
    }

    #[test]
    fn status_mapping() {
        let kinds: Vec<&str> = [400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]
            .iter()
            .map(|s| ApiError::from_status(*s, info(Some(*s), "m")).kind())
            .collect();
        assert_eq!(
            kinds,
            [
                "bad_request",
                "unauthorized",
                "forbidden",
                "not_found",
                "conflict",
                "bad_request",
                "rate_limited",
                "server",
                "server",
                "server",
                "server"
            ]
        );
    }

    #[test]
    fn a_refused_token_is_not_called_rejected_credentials() {
        let api = ApiError::from_status(
            401,
            ErrorInfo::new(
                "GET",
                "/accounts/api/me",
                Some(401),
                "Unauthorized".to_owned(),
            ),
        )
        .to_string();
        assert!(!api.contains("rejected the credentials"), "{api}");
        assert!(api.contains("expired"), "{api}");
        let token = ApiError::from_status(
            401,
            ErrorInfo::new(
                "POST",
                "/accounts/api/v2/oauth2/token",
                Some(401),
                "the token request was rejected: check client_id and client_secret".to_owned(),
            ),
        )
        .to_string();
        assert!(token.contains("rejected the credentials"), "{token}");
    }

    /// Every text the client shows (label, message, suffixes, hints) joined
    /// for every kind, with messages that end with and without a period:
    /// never a doubled period.
    #[test]
    fn no_text_shows_a_doubled_period() {
        let paths = [
            "/accounts/api/v2/oauth2/token",
            "/accounts/api/me",
            "/apiplatform/repository/v2/organizations/o-1/applications/7",
        ];
        for status in [400, 401, 403, 404, 409, 429, 500, 502] {
            for path in paths {
                for message in ["Forbidden.", "Forbidden", "organization o-1.", "no. ", ""] {
                    for method in ["GET", "POST"] {
                        let mut info =
                            ErrorInfo::new(method, path, Some(status), message.to_owned());
                        info.outcome_unknown = true;
                        info.attempts = 3;
                        let text = ApiError::from_status(status, info.clone()).to_string();
                        assert!(!text.contains(".."), "{text}");
                        let text = ApiError::Transport(info).to_string();
                        assert!(!text.contains(".."), "{text}");
                    }
                }
            }
        }
        for hint in [FORBIDDEN_HINT, TOKEN_REFUSED_EXPLANATION] {
            assert!(!hint.contains("..") && !hint.ends_with('.'), "{hint}");
        }
        assert!(!ApiError::Config("bad.".into()).to_string().contains(".."));
    }
}
