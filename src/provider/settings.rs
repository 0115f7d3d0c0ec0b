//! The provider block's settings: its values as a model
//! ([`ProviderSettings`]), the `ANYPOINT_*` environment fallbacks, the
//! control planes, and the checks that turn them into the client's
//! [`ClientConfig`].
//!
//! The provider is configured once every value of its block is known
//! ([`all_known`]); until then a value that is not known yet reads as unset
//! ([`known_so_far`]), so that `validate` checks the values it has.

use std::fmt;
use std::time::Duration;

use url::Url;

use anypoint_client::{
    validate_base_url, Backoff, BaseUrlError, ClientConfig, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
    MAX_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND,
};
use secret::Secret;
use tfplugin::framework::diagnostics::quoted;
use tfplugin::framework::validators::is_uuid;
use tfplugin::tfvalue::{Number, Value};

/// Environment variables read by [`ProviderSettings::resolve`].
pub const ENV_CLIENT_ID: &str = "ANYPOINT_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "ANYPOINT_CLIENT_SECRET";
pub const ENV_CONTROL_PLANE: &str = "ANYPOINT_CONTROL_PLANE";
pub const ENV_BASE_URL: &str = "ANYPOINT_BASE_URL";
pub const ENV_ORG_ID: &str = "ANYPOINT_ORG_ID";
pub const ENV_MAX_RETRIES: &str = "ANYPOINT_MAX_RETRIES";
pub const ENV_TIMEOUT_SECONDS: &str = "ANYPOINT_TIMEOUT_SECONDS";
pub const ENV_MAX_REQUESTS_PER_SECOND: &str = "ANYPOINT_MAX_REQUESTS_PER_SECOND";

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
             \"0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b\"), got {}",
            quoted(value)
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

tfplugin::model! {
    /// The provider block's values as written; `None` means "not set".
    /// Numbers are kept as written: [`ProviderSettings::resolve`] applies
    /// their rules.
    pub struct ProviderSettings, paths: provider_attrs {
        client_id: Option<String>,
        client_secret: Option<Secret>,
        control_plane: Option<String>,
        base_url: Option<String>,
        org_id: Option<String>,
        max_retries: Option<Number>,
        timeout_seconds: Option<Number>,
        max_requests_per_second: Option<Number>,
    }
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

/// Whether every value of the provider block is known (one may depend on
/// another resource until it is applied).
pub fn all_known(config: &Value) -> bool {
    !config
        .as_entries()
        .is_some_and(|m| m.values().any(Value::is_unknown))
}

/// The provider block with each value that is not known yet read as unset.
pub fn known_so_far(config: &Value) -> Value {
    let mut known = config.clone();
    if let Value::Object(values) = &mut known {
        for v in values.values_mut().filter(|v| v.is_unknown()) {
            *v = Value::Null;
        }
    }
    known
}

/// A value that is present only if non-empty after trimming.
fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The value of the environment variable `name` (as set, untrimmed), read
/// because the attribute it stands in for is not set. A variable that is set
/// but empty or blank is a mistake (a script that meant to fill it), not
/// "unset": it is reported against `attribute`, naming the variable, and
/// nothing else is taken in its place.
fn read_env(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    attribute: &'static str,
    errors: &mut Vec<ConfigError>,
) -> Option<String> {
    let raw = env(name)?;
    if raw.trim().is_empty() {
        errors.push(ConfigError::new(
            attribute,
            format!("Empty {name}"),
            format!(
                "The environment variable {name} is set but empty, which the provider does not \
                 take for unset. Give it a value, or unset it (`unset {name}`) to leave \
                 `{attribute}` to the provider block or its default."
            ),
        ));
        return None;
    }
    Some(raw)
}

/// The longest `base_url` accepted (well over any real one); a longer value
/// is refused before it is parsed or quoted whole.
const MAX_BASE_URL_CHARS: usize = 2048;

/// `base_url`'s rule, for the attribute (`source` = "`base_url`", at
/// validate time) and for [`ENV_BASE_URL`]: not blank, not absurdly long,
/// and what [`validate_base_url`] accepts.
pub fn check_base_url(raw: &str, source: &str) -> Result<Url, ConfigError> {
    if raw.trim().is_empty() {
        return Err(ConfigError::new(
            "base_url",
            "Empty base_url",
            format!(
                "{source} is empty: set it to the platform's base URL, such as \
                 https://anypoint.mulesoft.com (or http://127.0.0.1:8080 for the emulator), or \
                 remove it to use `control_plane`."
            ),
        ));
    }
    let n = raw.chars().count();
    if n > MAX_BASE_URL_CHARS {
        return Err(ConfigError::new(
            "base_url",
            "Invalid base_url",
            format!(
                "{source} is {n} characters long, more than any base URL ({MAX_BASE_URL_CHARS} \
                 at most); it starts with {}.",
                quoted(raw)
            ),
        ));
    }
    validate_base_url(raw).map_err(ConfigError::invalid_base_url)
}

impl ProviderSettings {
    /// Fill gaps from the environment (`env` returns a variable's value) and
    /// check everything. All problems are reported together.
    pub fn resolve(
        self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientConfig, Vec<ConfigError>> {
        let mut errors = Vec::new();

        let client_id = non_empty(self.client_id).or_else(|| {
            read_env(&env, ENV_CLIENT_ID, "client_id", &mut errors).map(|v| v.trim().to_owned())
        });
        let client_secret = self
            .client_secret
            .filter(|s| !s.expose().trim().is_empty())
            .or_else(|| {
                // The env value goes straight into a Secret.
                read_env(&env, ENV_CLIENT_SECRET, "client_secret", &mut errors).map(Secret::from)
            });
        // An empty variable was reported already; do not call it missing too.
        let reported = |attribute: &str, errors: &[ConfigError]| {
            errors.iter().any(|e| e.attribute == attribute)
        };
        let missing_id = client_id.is_none() && !reported("client_id", &errors);
        let missing_secret = client_secret.is_none() && !reported("client_secret", &errors);
        match (missing_id, missing_secret) {
            (true, true) => errors.push(ConfigError::new(
                "client_id",
                "Missing Anypoint credentials",
                format!(
                    "client_id and client_secret are not set: set the provider attributes \
                     `client_id` and `client_secret` or the environment variables \
                     {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (the Connected App's credentials)"
                ),
            )),
            (true, false) => errors.push(ConfigError::new(
                "client_id",
                "Missing Anypoint client_id",
                format!(
                    "client_id is not set: set the provider attribute `client_id` or the \
                     environment variable {ENV_CLIENT_ID}"
                ),
            )),
            (false, true) => errors.push(ConfigError::new(
                "client_secret",
                "Missing Anypoint client_secret",
                format!(
                    "client_secret is not set: set the provider attribute `client_secret` or \
                     the environment variable {ENV_CLIENT_SECRET}"
                ),
            )),
            (false, false) => {}
        }

        // control_plane is checked even when base_url overrides it, so a typo
        // is never silently ignored.
        let control_plane = match non_empty(self.control_plane) {
            Some(v) => Some((v, "`control_plane`")),
            None => read_env(&env, ENV_CONTROL_PLANE, "control_plane", &mut errors)
                .map(|v| (v.trim().to_owned(), ENV_CONTROL_PLANE)),
        };
        // The platform in words, for messages that name the host.
        let mut platform = match &control_plane {
            Some((name, source)) => format!(
                "control plane {} (set by {source})",
                quoted(&name.to_ascii_lowercase())
            ),
            None => format!(
                "control plane {} (the default: control_plane is not set)",
                quoted(CONTROL_PLANES[0].0)
            ),
        };
        let control_plane = control_plane.map(|(name, _)| name);
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
                            "control_plane {} is not valid: use one of {} \
                             (or set base_url)",
                            quoted(name),
                            allowed.join(", ")
                        ),
                    ));
                }
                url
            }
        };

        // The attribute, else the variable, else the control plane. An empty
        // attribute is refused at validate already; here it is refused too,
        // so that nothing empty ever falls back to the default control plane.
        let base_url = match self.base_url {
            Some(raw) => Some((raw, "`base_url`")),
            None => {
                read_env(&env, ENV_BASE_URL, "base_url", &mut errors).map(|v| (v, ENV_BASE_URL))
            }
        };
        let base_url = match base_url {
            Some((raw, source)) => match check_base_url(&raw, source) {
                Ok(url) => {
                    platform = format!("the base URL set by {source}");
                    Some(url)
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None if errors.iter().any(|e| e.attribute == "base_url") => None,
            None => plane_url.and_then(|u| Url::parse(u).ok()),
        };

        let org_id = match non_empty(self.org_id) {
            Some(v) => Some((v, "`org_id`")),
            None => read_env(&env, ENV_ORG_ID, "org_id", &mut errors)
                .map(|v| (v.trim().to_owned(), ENV_ORG_ID)),
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
            self.max_retries.as_ref().and_then(Number::as_i64),
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
            self.timeout_seconds.as_ref().and_then(Number::as_i64),
            &env,
            "timeout_seconds",
            ENV_TIMEOUT_SECONDS,
            MIN_TIMEOUT_SECONDS,
            MAX_TIMEOUT_SECONDS,
            &mut errors,
        )
        .map(|n| Duration::from_secs(n as u64))
        .unwrap_or(DEFAULT_TIMEOUT);
        let max_requests_per_second = resolve_rate(
            self.max_requests_per_second.as_ref().map(Number::as_f64),
            &env,
            &mut errors,
        );

        if !errors.is_empty() {
            return Err(errors);
        }
        match (base_url, client_id, client_secret) {
            (Some(base_url), Some(client_id), Some(client_secret)) => Ok(ClientConfig {
                base_url,
                client_id,
                client_secret,
                platform,
                org_id,
                max_retries,
                timeout,
                backoff: Backoff::default(),
                max_requests_per_second,
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
            let raw = read_env(env, env_name, attribute, errors)?;
            let raw = raw.trim();
            match raw.parse::<i64>() {
                Ok(n) => (n, env_name.to_owned()),
                Err(_) => {
                    errors.push(ConfigError::new(
                        attribute,
                        format!("Invalid {attribute}"),
                        format!("{env_name}={} is not a whole number", quoted(raw)),
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

/// `max_requests_per_second` from the attribute or, failing that,
/// [`ENV_MAX_REQUESTS_PER_SECOND`]: a number (fractions allowed) from
/// [`MIN_REQUESTS_PER_SECOND`] to [`MAX_REQUESTS_PER_SECOND`]. `None` = not
/// set anywhere, or invalid (an error was pushed).
fn resolve_rate(
    value: Option<f64>,
    env: &impl Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<f64> {
    const ATTRIBUTE: &str = "max_requests_per_second";
    let range = format!("from {MIN_REQUESTS_PER_SECOND} to {MAX_REQUESTS_PER_SECOND}");
    let fix = format!(
        "set `{ATTRIBUTE}` (or {ENV_MAX_REQUESTS_PER_SECOND}) to a number of requests a \
         second {range}, such as 5 or 0.5, or leave it unset for no pacing"
    );
    let (n, source) = match value {
        Some(n) => (n, format!("`{ATTRIBUTE}`")),
        None => {
            let raw = read_env(env, ENV_MAX_REQUESTS_PER_SECOND, ATTRIBUTE, errors)?;
            let raw = raw.trim();
            match raw.parse::<f64>() {
                Ok(n) => (n, ENV_MAX_REQUESTS_PER_SECOND.to_owned()),
                Err(_) => {
                    errors.push(ConfigError::new(
                        ATTRIBUTE,
                        format!("Invalid {ATTRIBUTE}"),
                        format!(
                            "{ENV_MAX_REQUESTS_PER_SECOND}={} is not a number: {fix}",
                            quoted(raw)
                        ),
                    ));
                    return None;
                }
            }
        }
    };
    if !(MIN_REQUESTS_PER_SECOND..=MAX_REQUESTS_PER_SECOND).contains(&n) {
        errors.push(ConfigError::new(
            ATTRIBUTE,
            format!("Invalid {ATTRIBUTE}"),
            format!("{source} must be a number {range}, got {n}: {fix}"),
        ));
        return None;
    }
    Some(n)
}

#[cfg(test)]
mod tests;
