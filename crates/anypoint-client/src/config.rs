//! The client's configuration: a checked [`ClientConfig`], its defaults,
//! and the base-URL checks (https anywhere, plain http only to loopback).
//!
//! Where the values come from (the provider block, environment variables,
//! control-plane names) is the provider's business, not the client's.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use url::{Host, Url};

use crate::retry::Backoff;
use secret::Secret;

pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// The request timeout: by the timeout rule (`send.rs`), two timeouts and
/// the first back-off (at most 0.5 s) stay well under two minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(50);

/// Why a base URL was refused. The message names the URL (never its
/// credentials) and what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrlError {
    pub message: String,
}

impl BaseUrlError {
    fn new(message: impl Into<String>) -> Self {
        BaseUrlError {
            message: message.into(),
        }
    }
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BaseUrlError {}

/// Checked settings, ready for [`crate::AnypointClient::new`].
///
/// `Debug` is safe to print: the secret is a [`Secret`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Scheme, host, port and an optional path prefix; never a query.
    pub base_url: Url,
    pub client_id: String,
    pub client_secret: Secret,
    /// Which setting chose `base_url`, in words for messages (a 401 on the
    /// token request or an unreachable host names it): `control plane "eu"
    /// (\`control_plane\`)`, `` `base_url` ``, ….
    pub platform: String,
    /// An explicit organization; `None` means "discover it from /accounts/api/me".
    pub org_id: Option<String>,
    /// How many times a failed request may be retried (0 = no retries).
    pub max_retries: u32,
    /// Per-request timeout (the whole exchange, body included).
    pub timeout: Duration,
    /// Back-off timing; the defaults suit production, tests shorten them.
    pub backoff: Backoff,
    /// At most this many requests a second, all the client's calls together
    /// (`throttle.rs`); `None` = no pacing. Must pass [`crate::valid_rate`].
    pub max_requests_per_second: Option<f64>,
}

impl ClientConfig {
    /// A config with default retry and timeout settings, for a base URL that
    /// passes [`validate_base_url`].
    pub fn new(
        base_url: &str,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Result<Self, BaseUrlError> {
        let base_url = validate_base_url(base_url)?;
        Ok(ClientConfig {
            base_url,
            client_id: client_id.into(),
            client_secret,
            platform: "`base_url`".to_owned(),
            org_id: None,
            max_retries: DEFAULT_MAX_RETRIES,
            timeout: DEFAULT_TIMEOUT,
            backoff: Backoff::default(),
            max_requests_per_second: None,
        })
    }
}

/// True for hosts that never leave the machine: 127.0.0.0/8, ::1 (also as
/// an IPv4-mapped address) and `localhost`.
pub fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<IpAddr>()
                    .map(|ip| ip.is_loopback())
                    .unwrap_or(false)
        }
    }
}

/// Parse and check a base URL: https anywhere, plain http only to a loopback
/// host (the token request carries the client secret, which must not cross a
/// network in the clear), no credentials, query or fragment in the URL.
pub fn validate_base_url(raw: &str) -> Result<Url, BaseUrlError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        BaseUrlError::new(format!(
            "base_url {raw:?} is not a valid URL ({e}); expected e.g. https://anypoint.mulesoft.com"
        ))
    })?;
    let host = match url.host() {
        Some(h) => h,
        None => return Err(BaseUrlError::new(format!("base_url {raw:?} has no host"))),
    };
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback_host(&host) {
                return Err(BaseUrlError::new(format!(
                    "base_url {raw:?} uses plain http to a non-loopback host: the client \
                     secret would cross the network in the clear. Use https (plain http is \
                     allowed only for 127.0.0.0/8, ::1 and localhost)"
                )));
            }
        }
        other => {
            return Err(BaseUrlError::new(format!(
                "base_url {raw:?} has scheme {other:?}: only https (or http to a loopback host) is allowed"
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo the URL: it holds credentials.
        return Err(BaseUrlError::new(
            "base_url must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BaseUrlError::new(format!(
            "base_url {raw:?} must not contain a query or a fragment"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_allowed() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://[::1]:9000/",
            "http://localhost:1234",
            "http://LOCALHOST",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(validate_base_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused_with_the_reason() {
        for url in [
            "http://example.com",
            "http://10.0.0.1",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
        ] {
            let e = validate_base_url(url).unwrap_err();
            assert!(e.message.contains("secret"), "{}", e.message);
            assert!(e.message.contains("in the clear"), "{}", e.message);
        }
    }

    #[test]
    fn https_anywhere_is_allowed() {
        for url in [
            "https://anypoint.mulesoft.com",
            "https://example.com:8443/prefix",
            "https://127.0.0.1",
        ] {
            assert!(validate_base_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for url in [
            "ftp://example.com",
            "file:///etc/passwd",
            "not a url",
            "",
            "https://",
        ] {
            assert!(validate_base_url(url).is_err(), "{url}");
        }
        let e = validate_base_url("https://user:pw@example.com").unwrap_err();
        assert!(!e.message.contains("pw"));
        assert!(validate_base_url("https://example.com/?a=b").is_err());
    }

    #[test]
    fn new_applies_the_defaults_and_the_url_checks() {
        let cfg = ClientConfig::new("http://127.0.0.1:1", "id", Secret::new("s")).unwrap();
        assert_eq!(cfg.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(cfg.timeout, DEFAULT_TIMEOUT);
        assert_eq!(cfg.org_id, None);
        assert_eq!(cfg.max_requests_per_second, None);
        assert!(ClientConfig::new("http://example.com", "id", Secret::new("s")).is_err());
    }
}
