//! The provider block's settings: raw values from the configuration, the
//! `ANYPOINT_*` environment fallbacks, the control planes, and the checks
//! that turn them into the client's [`ClientConfig`].

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::anypoint::{
    validate_base_url, Backoff, BaseUrlError, ClientConfig, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
};
use crate::framework::validators::is_uuid;
use crate::secret::Secret;
use crate::tfvalue::Value;

/// Environment variables read by [`ProviderSettings::resolve`].
pub const ENV_CLIENT_ID: &str = "ANYPOINT_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "ANYPOINT_CLIENT_SECRET";
pub const ENV_CONTROL_PLANE: &str = "ANYPOINT_CONTROL_PLANE";
pub const ENV_BASE_URL: &str = "ANYPOINT_BASE_URL";
pub const ENV_ORG_ID: &str = "ANYPOINT_ORG_ID";
pub const ENV_MAX_RETRIES: &str = "ANYPOINT_MAX_RETRIES";
pub const ENV_TIMEOUT_SECONDS: &str = "ANYPOINT_TIMEOUT_SECONDS";

/// The ranges accepted for the numeric settings: one rule per setting, used
/// both by the provider block's schema (at `terraform validate`) and for its
/// environment variable (when the provider is configured).
pub const MIN_MAX_RETRIES: i64 = 0;
pub const MAX_MAX_RETRIES: i64 = 20;
pub const MIN_TIMEOUT_SECONDS: i64 = 1;
pub const MAX_TIMEOUT_SECONDS: i64 = 3600;

/// The rule of `org_id` (and `ANYPOINT_ORG_ID`): a UUID, as the schema's
/// `uuid()` validator checks it. `source` names where the value came from.
pub fn org_id_problem(value: &str, source: &str) -> Option<String> {
    (!is_uuid(value)).then(|| {
        format!(
            "{source} must be a UUID (the root organization id, such as \
             \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b\"), got {value:?}"
        )
    })
}

/// The Anypoint control planes and their base URLs; the first is the default.
pub const CONTROL_PLANES: [(&str, &str); 5] = [
    ("us", "https://anypoint.mulesoft.com"),
    ("eu", "https://eu1.anypoint.mulesoft.com"),
    ("gov", "https://gov.anypoint.mulesoft.com"),
    ("ca", "https://ca1.platform.mulesoft.com"),
    ("jp", "https://jp1.platform.mulesoft.com"),
];

/// The names of [`CONTROL_PLANES`], in the same order (for the schema's
/// `one_of` validator).
pub static CONTROL_PLANE_NAMES: [&str; CONTROL_PLANES.len()] = plane_names(&CONTROL_PLANES);

const fn plane_names<const N: usize>(
    table: &[(&'static str, &'static str); N],
) -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = table[i].0;
        i += 1;
    }
    names
}

/// The base URL for a control-plane name (`us`, `eu`, `gov`, `ca`, `jp`;
/// case-insensitive), or `None` for an unknown name.
pub fn control_plane_url(name: &str) -> Option<&'static str> {
    let name = name.trim().to_ascii_lowercase();
    CONTROL_PLANES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, url)| *url)
}

/// Raw values from the provider block; `None` means "not set".
#[derive(Clone, Debug, Default)]
pub struct ProviderSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub control_plane: Option<String>,
    pub base_url: Option<String>,
    pub org_id: Option<String>,
    pub max_retries: Option<i64>,
    pub timeout_seconds: Option<i64>,
}

/// One problem with the provider settings, for a Terraform diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The provider-block attribute the problem is about.
    pub attribute: &'static str,
    pub summary: String,
    pub detail: String,
}

impl ConfigError {
    fn new(attribute: &'static str, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        ConfigError {
            attribute,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    /// A refused `base_url`, as a problem with that attribute.
    pub fn invalid_base_url(e: BaseUrlError) -> Self {
        ConfigError::new("base_url", "Invalid base_url", e.message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for ConfigError {}

/// Provider settings from the configuration; `None` when some value is not
/// known yet (it depends on another resource).
pub fn settings_from_config(config: &Value) -> Option<ProviderSettings> {
    if config
        .as_entries()
        .is_some_and(|m| m.values().any(Value::is_unknown))
    {
        return None;
    }
    let s = |n: &str| config.attr_str(n).map(str::to_owned);
    Some(ProviderSettings {
        client_id: s("client_id"),
        client_secret: s("client_secret").map(Secret::from),
        control_plane: s("control_plane"),
        base_url: s("base_url"),
        org_id: s("org_id"),
        max_retries: config.attr("max_retries").as_i64(),
        timeout_seconds: config.attr("timeout_seconds").as_i64(),
    })
}

/// A value that is present only if non-empty after trimming.
fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl ProviderSettings {
    /// Fill gaps from the environment (`env` returns a variable's value) and
    /// check everything. All problems are reported together.
    pub fn resolve(
        self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();

        let client_id = non_empty(self.client_id).or_else(|| non_empty(env(ENV_CLIENT_ID)));
        let client_secret = self
            .client_secret
            .filter(|s| !s.expose().trim().is_empty())
            .or_else(|| {
                // The env value goes straight into a Secret.
                env(ENV_CLIENT_SECRET)
                    .filter(|v| !v.trim().is_empty())
                    .map(Secret::from)
            });
        match (&client_id, &client_secret) {
            (None, None) => errors.push(ConfigError::new(
                "client_id",
                "Missing Anypoint credentials",
                format!(
                    "client_id and client_secret are not set: set the provider attributes \
                     `client_id` and `client_secret` or the environment variables \
                     {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (the Connected App's credentials)"
                ),
            )),
            (None, Some(_)) => errors.push(ConfigError::new(
                "client_id",
                "Missing Anypoint client_id",
                format!(
                    "client_id is not set: set the provider attribute `client_id` or the \
                     environment variable {ENV_CLIENT_ID}"
                ),
            )),
            (Some(_), None) => errors.push(ConfigError::new(
                "client_secret",
                "Missing Anypoint client_secret",
                format!(
                    "client_secret is not set: set the provider attribute `client_secret` or \
                     the environment variable {ENV_CLIENT_SECRET}"
                ),
            )),
            (Some(_), Some(_)) => {}
        }

        // control_plane is checked even when base_url overrides it, so a typo
        // is never silently ignored.
        let control_plane =
            non_empty(self.control_plane).or_else(|| non_empty(env(ENV_CONTROL_PLANE)));
        let plane_url = match &control_plane {
            None => Some(CONTROL_PLANES[0].1),
            Some(name) => {
                let url = control_plane_url(name);
                if url.is_none() {
                    let allowed: Vec<&str> = CONTROL_PLANES.iter().map(|(n, _)| *n).collect();
                    errors.push(ConfigError::new(
                        "control_plane",
                        "Invalid control_plane",
                        format!(
                            "control_plane {name:?} is not valid: use one of {} \
                             (or set base_url)",
                            allowed.join(", ")
                        ),
                    ));
                }
                url
            }
        };

        let base_url = match non_empty(self.base_url).or_else(|| non_empty(env(ENV_BASE_URL))) {
            Some(raw) => match validate_base_url(&raw) {
                Ok(url) => Some(url),
                Err(e) => {
                    errors.push(ConfigError::invalid_base_url(e));
                    None
                }
            },
            None => plane_url.and_then(|u| Url::parse(u).ok()),
        };

        let org_id = match non_empty(self.org_id) {
            Some(v) => Some((v, "`org_id`")),
            None => non_empty(env(ENV_ORG_ID)).map(|v| (v, ENV_ORG_ID)),
        };
        let org_id = match org_id {
            Some((v, source)) => match org_id_problem(&v, source) {
                Some(detail) => {
                    errors.push(ConfigError::new("org_id", "Invalid org_id", detail));
                    None
                }
                None => Some(v),
            },
            None => None,
        };

        let max_retries = resolve_number(
            self.max_retries,
            &env,
            "max_retries",
            ENV_MAX_RETRIES,
            MIN_MAX_RETRIES,
            MAX_MAX_RETRIES,
            &mut errors,
        )
        .map(|n| n as u32)
        .unwrap_or(DEFAULT_MAX_RETRIES);
        let timeout = resolve_number(
            self.timeout_seconds,
            &env,
            "timeout_seconds",
            ENV_TIMEOUT_SECONDS,
            MIN_TIMEOUT_SECONDS,
            MAX_TIMEOUT_SECONDS,
            &mut errors,
        )
        .map(|n| Duration::from_secs(n as u64))
        .unwrap_or(DEFAULT_TIMEOUT);

        if !errors.is_empty() {
            return Err(errors);
        }
        match (base_url, client_id, client_secret) {
            (Some(base_url), Some(client_id), Some(client_secret)) => Ok(ClientConfig {
                base_url,
                client_id,
                client_secret,
                org_id,
                max_retries,
                timeout,
                backoff: Backoff::default(),
            }),
            // Every None above pushed an error, so this is unreachable; report
            // it as a config error rather than panic.
            _ => Err(vec![ConfigError::new(
                "base_url",
                "Invalid provider configuration",
                "the provider configuration could not be resolved",
            )]),
        }
    }
}

/// A whole number from the attribute or, failing that, the environment,
/// checked against `min..=max`. `None` = not set anywhere, or invalid (an
/// error was pushed).
fn resolve_number(
    value: Option<i64>,
    env: &impl Fn(&str) -> Option<String>,
    attribute: &'static str,
    env_name: &str,
    min: i64,
    max: i64,
    errors: &mut Vec<ConfigError>,
) -> Option<i64> {
    let (n, source) = match value {
        Some(n) => (n, format!("`{attribute}`")),
        None => {
            let raw = non_empty(env(env_name))?;
            match raw.parse::<i64>() {
                Ok(n) => (n, env_name.to_owned()),
                Err(_) => {
                    errors.push(ConfigError::new(
                        attribute,
                        format!("Invalid {attribute}"),
                        format!("{env_name}={raw:?} is not a whole number"),
                    ));
                    return None;
                }
            }
        }
    };
    if n < min || n > max {
        errors.push(ConfigError::new(
            attribute,
            format!("Invalid {attribute}"),
            format!("{source} must be between {min} and {max}, got {n}"),
        ));
        return None;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const ORG_A: &str = "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b";
    const ORG_B: &str = "11111111-2222-4333-8444-555555555555";

    fn creds() -> ProviderSettings {
        ProviderSettings {
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("csecret")),
            ..Default::default()
        }
    }

    #[test]
    fn control_plane_names_follow_the_table() {
        assert_eq!(CONTROL_PLANE_NAMES, ["us", "eu", "gov", "ca", "jp"]);
        for (name, url) in CONTROL_PLANES {
            assert_eq!(control_plane_url(name), Some(url));
        }
    }

    #[test]
    fn a_refused_base_url_keeps_its_summary_and_reason() {
        let errs = ProviderSettings {
            base_url: Some("http://example.com".into()),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].attribute, "base_url");
        assert_eq!(errs[0].summary, "Invalid base_url");
        assert!(
            errs[0].detail.contains("in the clear"),
            "{}",
            errs[0].detail
        );
    }

    #[test]
    fn control_planes_map_to_their_urls() {
        let cases = [
            ("us", "https://anypoint.mulesoft.com/"),
            ("eu", "https://eu1.anypoint.mulesoft.com/"),
            ("gov", "https://gov.anypoint.mulesoft.com/"),
            ("ca", "https://ca1.platform.mulesoft.com/"),
            ("jp", "https://jp1.platform.mulesoft.com/"),
            ("EU", "https://eu1.anypoint.mulesoft.com/"),
        ];
        for (plane, url) in cases {
            let cfg = ProviderSettings {
                control_plane: Some(plane.into()),
                ..creds()
            }
            .resolve(env_of(&[]))
            .unwrap();
            assert_eq!(cfg.base_url.as_str(), url, "{plane}");
        }
        let cfg = creds().resolve(env_of(&[])).unwrap();
        assert_eq!(cfg.base_url.as_str(), "https://anypoint.mulesoft.com/");
        let cfg = creds()
            .resolve(env_of(&[(ENV_CONTROL_PLANE, "gov")]))
            .unwrap();
        assert_eq!(cfg.base_url.as_str(), "https://gov.anypoint.mulesoft.com/");
    }

    #[test]
    fn invalid_control_plane_names_the_allowed_values() {
        let errs = ProviderSettings {
            control_plane: Some("mars".into()),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].attribute, "control_plane");
        for name in ["us", "eu", "gov", "ca", "jp", "mars"] {
            assert!(errs[0].detail.contains(name), "{}", errs[0].detail);
        }
    }

    #[test]
    fn base_url_overrides_the_control_plane() {
        let cfg = ProviderSettings {
            control_plane: Some("eu".into()),
            base_url: Some("http://127.0.0.1:9999".into()),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap();
        assert_eq!(cfg.base_url.as_str(), "http://127.0.0.1:9999/");
        let cfg = creds()
            .resolve(env_of(&[(
                ENV_BASE_URL,
                "https://stgx.anypoint.mulesoft.com",
            )]))
            .unwrap();
        assert_eq!(cfg.base_url.host_str(), Some("stgx.anypoint.mulesoft.com"));
        let errs = creds()
            .resolve(env_of(&[(ENV_BASE_URL, "http://example.com")]))
            .unwrap_err();
        assert_eq!(errs[0].attribute, "base_url");
    }

    #[test]
    fn everything_falls_back_to_the_environment() {
        let cfg = ProviderSettings::default()
            .resolve(env_of(&[
                (ENV_CLIENT_ID, "env-id"),
                (ENV_CLIENT_SECRET, "env-secret"),
                (ENV_CONTROL_PLANE, "jp"),
                (ENV_ORG_ID, ORG_A),
                (ENV_MAX_RETRIES, "2"),
                (ENV_TIMEOUT_SECONDS, "15"),
            ]))
            .unwrap();
        assert_eq!(cfg.client_id, "env-id");
        assert_eq!(cfg.client_secret.expose(), "env-secret");
        assert_eq!(cfg.base_url.host_str(), Some("jp1.platform.mulesoft.com"));
        assert_eq!(cfg.org_id.as_deref(), Some(ORG_A));
        assert_eq!(cfg.max_retries, 2);
        assert_eq!(cfg.timeout, Duration::from_secs(15));
        assert!(!format!("{cfg:?}").contains("env-secret"));
    }

    #[test]
    fn attributes_win_over_the_environment() {
        let cfg = ProviderSettings {
            org_id: Some(ORG_A.into()),
            max_retries: Some(0),
            timeout_seconds: Some(5),
            ..creds()
        }
        .resolve(env_of(&[
            (ENV_CLIENT_ID, "env-id"),
            (ENV_ORG_ID, ORG_B),
            (ENV_MAX_RETRIES, "9"),
        ]))
        .unwrap();
        assert_eq!(cfg.client_id, "cid");
        assert_eq!(cfg.org_id.as_deref(), Some(ORG_A));
        assert_eq!(cfg.max_retries, 0);
        assert_eq!(cfg.timeout, Duration::from_secs(5));
    }

    #[test]
    fn defaults_apply() {
        let cfg = creds().resolve(env_of(&[])).unwrap();
        assert_eq!(cfg.max_retries, 5);
        assert_eq!(cfg.timeout, Duration::from_secs(50));
        assert_eq!(cfg.org_id, None);
    }

    #[test]
    fn missing_credentials_name_attribute_and_env_var() {
        let errs = ProviderSettings {
            client_secret: Some(Secret::new("s")),
            ..Default::default()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].attribute, "client_id");
        assert!(errs[0].detail.contains("`client_id`"));
        assert!(errs[0].detail.contains("ANYPOINT_CLIENT_ID"));

        let errs = ProviderSettings {
            client_id: Some("c".into()),
            ..Default::default()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].attribute, "client_secret");
        assert!(errs[0].detail.contains("`client_secret`"));
        assert!(errs[0].detail.contains("ANYPOINT_CLIENT_SECRET"));

        // Both missing: one error that mentions both.
        let errs = ProviderSettings::default()
            .resolve(env_of(&[]))
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        for needle in [
            "client_id",
            "client_secret",
            "ANYPOINT_CLIENT_ID",
            "ANYPOINT_CLIENT_SECRET",
        ] {
            assert!(errs[0].detail.contains(needle), "{needle}");
        }
        // Empty strings count as unset.
        let errs = ProviderSettings {
            client_id: Some("  ".into()),
            client_secret: Some(Secret::new("")),
            ..Default::default()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn bad_numbers_are_reported_together() {
        let errs = ProviderSettings {
            max_retries: Some(-1),
            ..creds()
        }
        .resolve(env_of(&[(ENV_TIMEOUT_SECONDS, "soon")]))
        .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].attribute, "max_retries");
        assert_eq!(errs[1].attribute, "timeout_seconds");
        assert!(errs[1].detail.contains("ANYPOINT_TIMEOUT_SECONDS"));
        let errs = ProviderSettings {
            timeout_seconds: Some(0),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert_eq!(errs[0].attribute, "timeout_seconds");
    }

    #[test]
    fn environment_variables_follow_the_rules_of_their_attributes() {
        // ANYPOINT_ORG_ID is a UUID, like org_id.
        let errs = creds()
            .resolve(env_of(&[(ENV_ORG_ID, "not-a-uuid")]))
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].attribute, "org_id");
        assert!(errs[0].detail.contains(ENV_ORG_ID), "{}", errs[0].detail);
        assert!(errs[0].detail.contains("UUID"), "{}", errs[0].detail);
        let errs = ProviderSettings {
            org_id: Some("not-a-uuid".into()),
            ..creds()
        }
        .resolve(env_of(&[]))
        .unwrap_err();
        assert!(errs[0].detail.contains("`org_id`"), "{}", errs[0].detail);
        // ANYPOINT_MAX_RETRIES has the range of max_retries.
        let ok = creds().resolve(env_of(&[(ENV_MAX_RETRIES, "20")])).unwrap();
        assert_eq!(ok.max_retries, 20);
        for (n, env) in [(21, "21"), (30, "30"), (-1, "-1")] {
            let errs = creds()
                .resolve(env_of(&[(ENV_MAX_RETRIES, env)]))
                .unwrap_err();
            assert!(
                errs[0].detail.contains("between 0 and 20"),
                "{}",
                errs[0].detail
            );
            let errs = ProviderSettings {
                max_retries: Some(n),
                ..creds()
            }
            .resolve(env_of(&[]))
            .unwrap_err();
            assert!(
                errs[0].detail.contains("between 0 and 20"),
                "{}",
                errs[0].detail
            );
        }
        let errs = creds()
            .resolve(env_of(&[(ENV_TIMEOUT_SECONDS, "3601")]))
            .unwrap_err();
        assert!(
            errs[0].detail.contains("between 1 and 3600"),
            "{}",
            errs[0].detail
        );
    }
}
