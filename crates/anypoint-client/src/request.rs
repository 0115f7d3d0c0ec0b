//! What is sent: the HTTP client every request goes through, the user
//! agent, and one request ready to send (and to send again).

use std::borrow::Cow;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use url::Url;

use crate::error::ApiError;

/// Connect timeout for every request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Build the process's HTTP client: rustls, keep-alive pool, 10 s connect
/// timeout, no redirects (an API call never needs one, and following one
/// could send the bearer token or the secret somewhere else), no proxy from
/// the environment. Timeout and user agent are set per request, so one
/// client can serve any number of [`AnypointClient`](crate::AnypointClient)s.
pub fn build_http_client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_keepalive(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ApiError::Config(format!("could not build the HTTP client: {e}")))
}

/// `terraform-provider-anypoint/<version> terraform/<core version>`.
pub fn user_agent(terraform_version: &str) -> String {
    let tf: String = terraform_version
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect();
    let tf = if tf.is_empty() {
        "unknown".to_owned()
    } else {
        tf
    };
    format!(
        "terraform-provider-anypoint/{} terraform/{tf}",
        env!("CARGO_PKG_VERSION")
    )
}

/// One API request, ready to send (and to send again).
#[derive(Clone, Debug)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// Path and query, for logs and errors.
    pub(crate) path: String,
    pub(crate) body: Option<Vec<u8>>,
    /// Once sent, the exchange runs to its answer (or its timeout) even when
    /// the provider is asked to stop: true for every request that changes
    /// something (all but GET and HEAD, and the token request).
    pub(crate) finish_on_stop: bool,
}

impl ApiRequest {
    /// A request to `base/segments…?query` (segments are percent-encoded).
    pub(crate) fn new(
        base: &Url,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Self {
        let mut url = base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            path.extend(segments.iter().map(|s| lowercase_uuid(s)));
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let finish_on_stop = !matches!(method, Method::GET | Method::HEAD);
        ApiRequest {
            method,
            url,
            path,
            body: None,
            finish_on_stop,
        }
    }

    /// Attach a JSON body.
    pub(crate) fn json<T: Serialize>(mut self, body: &T) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ApiError::Config(format!(
                "could not encode the body of {} {}: {e}",
                self.method, self.path
            ))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A successful response.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_blank(&self) -> bool {
        self.body.iter().all(|b| b.is_ascii_whitespace())
    }
}

/// Ids are UUIDs in lower case on the platform, and paths compare them as
/// text: a UUID-shaped segment is sent in lower case, however it was typed.
fn lowercase_uuid(segment: &str) -> Cow<'_, str> {
    let b = segment.as_bytes();
    let shaped = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if shaped && b.iter().any(u8::is_ascii_uppercase) {
        segment.to_ascii_lowercase().into()
    } else {
        segment.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(base: &str, segments: &[&str], query: &[(&str, String)]) -> ApiRequest {
        ApiRequest::new(&Url::parse(base).unwrap(), Method::GET, segments, query)
    }

    #[test]
    fn uuid_segments_are_sent_in_lower_case() {
        let r = request(
            "https://anypoint.mulesoft.com",
            &[
                "x",
                "E4F5A6B7-C8D9-4E0F-9A1B-2C3D4E5F6A7B",
                "ABC",
                "Deadbeef",
            ],
            &[],
        );
        assert_eq!(
            r.path,
            "/x/e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b/ABC/Deadbeef"
        );
    }

    #[test]
    fn user_agent_format() {
        assert_eq!(
            user_agent("1.9.0"),
            format!(
                "terraform-provider-anypoint/{} terraform/1.9.0",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(user_agent("").ends_with("terraform/unknown"));
        assert!(user_agent("1.2\n3").ends_with("terraform/1.23"));
    }

    #[test]
    fn urls_are_built_from_segments() {
        let r = request(
            "https://anypoint.mulesoft.com",
            &[
                "apiplatform",
                "repository",
                "v2",
                "organizations",
                "o 1",
                "applications",
            ],
            &[("query", "a&b".to_owned()), ("offset", "0".to_owned())],
        );
        assert_eq!(
            r.url.as_str(),
            "https://anypoint.mulesoft.com/apiplatform/repository/v2/organizations/o%201/applications?query=a%26b&offset=0"
        );
        assert_eq!(
            r.path,
            "/apiplatform/repository/v2/organizations/o%201/applications?query=a%26b&offset=0"
        );
        let r = request(
            "http://127.0.0.1:8080/prefix/",
            &["accounts", "api", "me"],
            &[],
        );
        assert_eq!(
            r.url.as_str(),
            "http://127.0.0.1:8080/prefix/accounts/api/me"
        );
    }
}
