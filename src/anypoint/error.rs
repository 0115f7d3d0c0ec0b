//! The client's error type and the extraction of the platform's message
//! from an error body.
//!
//! No error ever holds a secret: messages taken from response bodies are
//! scrubbed of the client secret and the access token, JSON string values
//! under secret-looking keys are masked, and transport errors are described
//! without their URL.

use std::fmt;

/// The hint added to a 403 that is not about the organization: a scope or
/// ownership problem.
pub const FORBIDDEN_HINT: &str = "the Connected App needs the Application Creator scope \
     (create/manage client applications), and it can only manage client applications that it created";

/// The organization id in a request path (the segment after
/// `organizations`), if any.
fn organization_in_path(path: &str) -> Option<&str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut segments = path.split('/');
    segments.find(|s| *s == "organizations")?;
    segments.next().filter(|s| !s.is_empty())
}

/// The hint of a 403, fitting what failed. When the platform refused the
/// organization itself (its message names the organization of the request
/// path, or speaks of an organization), the hint names the organization
/// used and how to set it: that is not a scope problem. Otherwise the scope
/// and ownership hint, [`FORBIDDEN_HINT`].
pub fn forbidden_hint(info: &ErrorInfo) -> String {
    let message = info.message.to_ascii_lowercase();
    if let Some(org) = organization_in_path(&info.path) {
        if message.contains(&org.to_ascii_lowercase()) || message.contains("organization") {
            return format!(
                "the Connected App has no access to organization {org}, the organization this \
                 request used. It comes from the provider's org_id (or ANYPOINT_ORG_ID) and, when \
                 neither is set, from the Connected App's own identity: set org_id to the id of \
                 the root organization the Connected App belongs to, or leave it unset to use that \
                 organization"
            );
        }
    }
    FORBIDDEN_HINT.to_owned()
}

/// What a 401 on an API call (not the token request) means: the request was
/// sent with a token that was valid by its stated lifetime, the client
/// renewed it and sent the request again, and the new token was refused too.
pub const TOKEN_REFUSED_EXPLANATION: &str = "the access token was renewed and the request sent \
     again, and the platform refused the new token too: it expired before the request arrived \
     (the platform's token lifetime may be very short) or was revoked. The Connected App's \
     credentials were accepted when the token was issued";

/// The longest platform message kept in an error, in characters.
pub const MAX_MESSAGE_CHARS: usize = 300;

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
            ApiError::Unauthorized(i) if !super::auth::is_token_request_path(&i.path) => {
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
            ApiError::Forbidden(i) => {
                add_sentence(&mut out, &format!("Hint: {}", forbidden_hint(i)))
            }
            ApiError::Unauthorized(i) if !super::auth::is_token_request_path(&i.path) => {
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

/// Control characters (newlines included) become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cut `s` to at most `max` characters, marking the cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Replace every occurrence of each (non-trivial) secret in `text` by `***`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if s.len() >= 4 && out.contains(s) {
            out = out.replace(s, "***");
        }
    }
    out
}

/// Mask string values under keys that look like secrets, recursively.
fn mask_secret_values(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let key = k.to_ascii_lowercase();
                let secret_key = ["secret", "token", "password", "authorization"]
                    .iter()
                    .any(|needle| key.contains(needle));
                if secret_key && !val.is_null() && !val.is_object() && !val.is_array() {
                    *val = serde_json::Value::String("***".to_owned());
                } else {
                    mask_secret_values(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_secret_values),
        _ => {}
    }
}

/// The platform's message from a JSON error body: `message`, else every
/// `errors[].message` (or string item), else `error` (a string, or an object
/// with a `message`). `None` when the body is not JSON or has none of these.
pub fn extract_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let nonempty = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    if let Some(m) = v.get("message").and_then(|m| m.as_str()).and_then(nonempty) {
        return Some(m);
    }
    if let Some(errors) = v.get("errors").and_then(|e| e.as_array()) {
        let parts: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                e.get("message")
                    .and_then(|m| m.as_str())
                    .or_else(|| e.as_str())
                    .and_then(nonempty)
            })
            .collect();
        if !parts.is_empty() {
            return Some(parts.join("; "));
        }
    }
    match v.get("error") {
        Some(serde_json::Value::String(s)) => nonempty(s),
        Some(obj @ serde_json::Value::Object(_)) => obj
            .get("message")
            .and_then(|m| m.as_str())
            .and_then(nonempty),
        _ => None,
    }
}

/// The message for an error response: the extracted platform message, else
/// the raw text (JSON with secret-looking values masked), else
/// "empty response body"; scrubbed of `secrets` and truncated.
pub(crate) fn describe_body(body: &[u8], secrets: &[&str]) -> String {
    let text = match extract_message(body) {
        Some(m) => m,
        None => {
            let raw = String::from_utf8_lossy(body);
            let raw = raw.trim();
            if raw.is_empty() {
                "empty response body".to_owned()
            } else {
                match serde_json::from_str::<serde_json::Value>(raw) {
                    Ok(mut v) => {
                        mask_secret_values(&mut v);
                        v.to_string()
                    }
                    Err(_) => raw.to_owned(),
                }
            }
        }
    };
    truncate(&one_line(&scrub(&text, secrets)), MAX_MESSAGE_CHARS)
}

/// Describe a JSON decoding failure without echoing any value from the body
/// (serde's messages may quote the offending value, which could be a secret).
pub(crate) fn describe_decode_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("missing field") {
        return msg;
    }
    let what = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "malformed JSON",
        serde_json::error::Category::Data => "a field has an unexpected type or value",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "the response body could not be read: {what} at line {} column {}",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(status: Option<u16>, message: &str) -> ErrorInfo {
        ErrorInfo::new("GET", "/x/y", status, message.to_owned())
    }

    #[test]
    fn message_shapes() {
        assert_eq!(
            extract_message(br#"{"message":"The application cannot be found."}"#).as_deref(),
            Some("The application cannot be found.")
        );
        assert_eq!(
            extract_message(br#"{"errors":[{"message":"a"},{"message":"b"}]}"#).as_deref(),
            Some("a; b")
        );
        assert_eq!(
            extract_message(br#"{"error":"Conflict"}"#).as_deref(),
            Some("Conflict")
        );
        assert_eq!(
            extract_message(br#"{"error":"Conflict","message":"already exists"}"#).as_deref(),
            Some("already exists")
        );
        assert_eq!(
            extract_message(br#"{"error":{"message":"nested"}}"#).as_deref(),
            Some("nested")
        );
        assert_eq!(extract_message(b"plain text"), None);
        assert_eq!(extract_message(b""), None);
        assert_eq!(extract_message(br#"{"status":500}"#), None);
    }

    #[test]
    fn body_descriptions() {
        assert_eq!(describe_body(b"", &[]), "empty response body");
        assert_eq!(describe_body(b"  \n", &[]), "empty response body");
        assert_eq!(
            describe_body(b"Back-end server is at capacity", &[]),
            "Back-end server is at capacity"
        );
        assert_eq!(describe_body(b"line1\nline2", &[]), "line1 line2");
        let long = "x".repeat(1000);
        let d = describe_body(long.as_bytes(), &[]);
        assert_eq!(d.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(d.ends_with('…'));
        // Raw JSON fallback masks secret-looking values.
        let d = describe_body(
            br#"{"id":1,"clientSecret":"abcd1234","token":"t0k3n"}"#,
            &[],
        );
        assert!(!d.contains("abcd1234") && !d.contains("t0k3n"), "{d}");
        assert!(d.contains("\"id\":1"), "{d}");
        // Known secrets are scrubbed from messages.
        let d = describe_body(br#"{"message":"token tok-123456 is bad"}"#, &["tok-123456"]);
        assert_eq!(d, "token *** is bad");
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
    fn decode_errors_do_not_echo_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            n: i64,
        }
        let e = serde_json::from_str::<T>(r#"{"n":"hunter2-secret"}"#).unwrap_err();
        let d = describe_decode_error(&e);
        assert!(!d.contains("hunter2"), "{d}");
        let e = serde_json::from_str::<T>(r#"{}"#).unwrap_err();
        assert!(describe_decode_error(&e).contains("missing field `n`"));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("ab", 2), "ab");
    }

    #[test]
    fn forbidden_hint_fits_what_failed() {
        let org = "11111111-2222-4333-8444-555555555555";
        let path = format!("/apiplatform/repository/v2/organizations/{org}/applications");
        let wrong_org = ApiError::from_status(
            403,
            ErrorInfo::new(
                "GET",
                &path,
                Some(403),
                format!("You do not have permission to access organization {org}."),
            ),
        )
        .to_string();
        assert!(!wrong_org.contains("Application Creator"), "{wrong_org}");
        assert!(
            wrong_org.contains(org) && wrong_org.contains("org_id"),
            "{wrong_org}"
        );
        assert!(!wrong_org.contains(".."), "{wrong_org}");
        let scope = ApiError::from_status(
            403,
            ErrorInfo::new("POST", &path, Some(403), "Forbidden".to_owned()),
        )
        .to_string();
        assert!(scope.contains("Application Creator"), "{scope}");
        assert_eq!(organization_in_path(&format!("{path}?offset=0")), Some(org));
        assert_eq!(organization_in_path("/accounts/api/me"), None);
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
