//! Command-line parsing for the `anypoint-emulator` binary (by hand, no clap).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::variants::{parse_name, Variants};
use super::EmulatorConfig;

pub const USAGE: &str = "\
anypoint-emulator: an in-memory Anypoint Platform on loopback, for tests and the quickstart

USAGE:
    anypoint-emulator [OPTIONS]

OPTIONS:
    --listen ADDR          address to serve on (default 127.0.0.1:0, a free port)
    --client-id ID         Connected App client id to accept (default emulator-client-id)
    --client-secret S      Connected App client secret to accept (default emulator-client-secret)
    --org-id UUID          organization id (default 0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d)
    --org-name NAME        organization name (default \"Emulated Organization\")
    --latency-ms N         milliseconds added before every response (default 0)
    --fault-rate F         0.0..1.0: fraction of requests answered 429 or 503, empty body (default 0)
    --rate-limit N         at most N API requests in each 1-second window (aligned to whole
                           seconds); the others answer 429 with Retry-After and X-RateLimit-*
                           headers (default: no limit)
    --token-ttl SECONDS    access token lifetime (default 3600)
    --state-file PATH      load state from PATH if present; rewrite it atomically after every change
    --url-file PATH        write the URL to PATH once listening
    --variant NAME         play a platform variant where the platform's answer is unconfirmed
                           (repeatable, or comma-separated; at most one per question):
                           revoke-approved-only, revoke-refused, revoke-again-200,
                           revoke-again-400, revoke-legacy-only, instance-with-api-id,
                           owner-add-existing-201, business-group, put-keeps-null,
                           deprecated-tier, list-hides-applications, list-items-short,
                           no-manage-contracts, no-view-contracts, api-search-loose,
                           group-contract-group-instance, group-contract-group-instances,
                           group-contract-api-group-instance-id,
                           group-instance-without-asset (default: none, the default answers;
                           see docs/guides/emulator.md, \"Platform variants\")
    --admin                serve the HTTP admin routes under /_emulator/ (loopback clients
                           only, no token): state dump, change applications, owners and
                           contracts behind Terraform's back, add API groups, faults, latency, rate limit,
                           request log, counters, token expiry. Off by default. GET /_emulator lists them;
                           see docs/guides/emulator.md
    -h, --help             print this help

The first line of standard output is the URL (e.g. http://127.0.0.1:PORT), so a script can
read it with `head -1`. The emulator stops cleanly on SIGTERM or SIGINT.
";

/// Options for running the emulator.
#[derive(Debug, Clone)]
pub struct CliOptions {
    pub listen: SocketAddr,
    pub url_file: Option<PathBuf>,
    pub config: EmulatorConfig,
}

#[derive(Debug, Clone)]
pub enum CliCommand {
    Run(Box<CliOptions>),
    Help,
}

/// Parse the arguments (without the program name). Accepts `--flag value`
/// and `--flag=value`. Errors are one line, meant to be followed by [`USAGE`].
pub fn parse_args<I>(args: I) -> Result<CliCommand, String>
where
    I: IntoIterator<Item = String>,
{
    let mut opts = CliOptions {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        url_file: None,
        config: EmulatorConfig::default(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(CliCommand::Help);
        }
        if arg == "--admin" {
            opts.config.admin = true;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let known = [
            "--listen",
            "--client-id",
            "--client-secret",
            "--org-id",
            "--org-name",
            "--latency-ms",
            "--fault-rate",
            "--rate-limit",
            "--token-ttl",
            "--state-file",
            "--url-file",
            "--variant",
        ];
        if !known.contains(&flag.as_str()) {
            // Name only the flag, never a value (it could be a secret).
            return Err(if flag.starts_with('-') {
                format!("unknown option {flag:?}")
            } else {
                "unexpected argument: values follow their option (e.g. --listen 127.0.0.1:0)"
                    .to_owned()
            });
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        match flag.as_str() {
            "--listen" => {
                opts.listen = value.parse().map_err(|_| {
                    format!("--listen: {value:?} is not an IP:PORT address (e.g. 127.0.0.1:8080)")
                })?
            }
            "--client-id" => opts.config.client_id = non_empty(&flag, value)?,
            "--client-secret" => opts.config.client_secret = non_empty(&flag, value)?,
            "--org-id" => {
                uuid::Uuid::parse_str(&value)
                    .map_err(|_| format!("--org-id: {value:?} is not a UUID"))?;
                opts.config.org_id = value;
            }
            "--org-name" => opts.config.org_name = non_empty(&flag, value)?,
            "--latency-ms" => {
                let ms: u64 = value
                    .parse()
                    .map_err(|_| format!("--latency-ms: {value:?} is not a whole number"))?;
                opts.config.latency = Duration::from_millis(ms);
            }
            "--fault-rate" => {
                let rate: f64 = value
                    .parse()
                    .ok()
                    .filter(|r: &f64| (0.0..=1.0).contains(r))
                    .ok_or_else(|| {
                        format!("--fault-rate: {value:?} is not a number from 0.0 to 1.0")
                    })?;
                opts.config.fault_rate = rate;
            }
            "--rate-limit" => {
                let n: u32 = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=super::rate_limit::MAX_RATE_LIMIT).contains(n))
                    .ok_or_else(|| {
                        format!(
                            "--rate-limit: {value:?} is not a whole number of requests a second \
                             from 1 to {}",
                            super::rate_limit::MAX_RATE_LIMIT
                        )
                    })?;
                opts.config.rate_limit = n;
            }
            "--token-ttl" => {
                let secs: u64 =
                    value.parse().ok().filter(|s| *s >= 1).ok_or_else(|| {
                        format!("--token-ttl: {value:?} is not a whole number >= 1")
                    })?;
                opts.config.token_ttl = Duration::from_secs(secs);
            }
            "--state-file" => {
                opts.config.state_file = Some(PathBuf::from(non_empty(&flag, value)?))
            }
            "--url-file" => opts.url_file = Some(PathBuf::from(non_empty(&flag, value)?)),
            "--variant" => {
                let names: Vec<&str> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .collect();
                if names.is_empty() {
                    return Err("--variant must not be empty".to_owned());
                }
                for name in names {
                    let v = parse_name(name).map_err(|e| format!("--variant: {e}"))?;
                    if !opts.config.variants.contains(&v) {
                        opts.config.variants.push(v);
                    }
                }
            }
            _ => unreachable!("checked against the known flags"),
        }
    }
    Variants::from_list(&opts.config.variants).map_err(|e| format!("--variant: {e}"))?;
    Ok(CliCommand::Run(Box::new(opts)))
}

fn non_empty(flag: &str, value: String) -> Result<String, String> {
    if value.is_empty() {
        Err(format!("{flag} must not be empty"))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CliCommand, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    fn run(args: &[&str]) -> CliOptions {
        match parse(args).unwrap() {
            CliCommand::Run(o) => *o,
            CliCommand::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[]);
        assert_eq!(o.listen, "127.0.0.1:0".parse().unwrap());
        assert_eq!(o.config.client_id, "emulator-client-id");
        assert_eq!(o.config.client_secret, "emulator-client-secret");
        assert_eq!(o.config.org_id, super::super::DEFAULT_ORG_ID);
        assert_eq!(o.config.token_ttl, Duration::from_secs(3600));
        assert_eq!(o.config.fault_rate, 0.0);
        assert!(o.config.state_file.is_none() && o.url_file.is_none());
        assert!(!o.config.admin);
        assert_eq!(o.config.rate_limit, 0);
    }

    #[test]
    fn rate_limit_is_a_whole_number_of_at_least_one() {
        assert_eq!(run(&["--rate-limit", "5"]).config.rate_limit, 5);
        assert_eq!(run(&["--rate-limit=1"]).config.rate_limit, 1);
        assert_eq!(
            run(&["--rate-limit", "1000000"]).config.rate_limit,
            1_000_000
        );
        for bad in ["0", "-1", "2.5", "five", "", "1000001"] {
            let err = parse(&["--rate-limit", bad])
                .err()
                .unwrap_or_else(|| panic!("{bad:?} should fail"));
            assert!(err.starts_with("--rate-limit:"), "{bad:?}: {err}");
            assert!(err.contains("from 1 to"), "states the rule: {err}");
        }
        assert!(parse(&["--rate-limit"])
            .unwrap_err()
            .contains("needs a value"));
    }

    #[test]
    fn admin_flag_takes_no_value() {
        let o = run(&["--admin", "--latency-ms", "5"]);
        assert!(o.config.admin);
        assert_eq!(o.config.latency, Duration::from_millis(5));
        assert!(parse(&["--admin=yes"]).is_err());
    }

    #[test]
    fn every_flag_both_spellings() {
        let o = run(&[
            "--listen",
            "127.0.0.1:8081",
            "--client-id=cid",
            "--client-secret",
            "cs",
            "--org-id",
            "11111111-2222-4333-8444-555555555555",
            "--org-name=Acme",
            "--latency-ms",
            "25",
            "--fault-rate=0.5",
            "--token-ttl",
            "60",
            "--state-file",
            "/tmp/s.json",
            "--url-file=/tmp/u",
        ]);
        assert_eq!(o.listen.port(), 8081);
        assert_eq!(o.config.client_id, "cid");
        assert_eq!(o.config.client_secret, "cs");
        assert_eq!(o.config.org_id, "11111111-2222-4333-8444-555555555555");
        assert_eq!(o.config.org_name, "Acme");
        assert_eq!(o.config.latency, Duration::from_millis(25));
        assert_eq!(o.config.fault_rate, 0.5);
        assert_eq!(o.config.token_ttl, Duration::from_secs(60));
        assert_eq!(o.config.state_file, Some(PathBuf::from("/tmp/s.json")));
        assert_eq!(o.url_file, Some(PathBuf::from("/tmp/u")));
    }

    #[test]
    fn variants_repeat_and_split_on_commas() {
        use crate::Variant;
        let o = run(&[
            "--variant",
            "revoke-refused,business-group",
            "--variant=put-keeps-null",
            "--variant",
            "business-group",
        ]);
        assert_eq!(
            o.config.variants,
            vec![
                Variant::RevokeRefused,
                Variant::BusinessGroup,
                Variant::PutKeepsNull
            ]
        );
        assert!(run(&[]).config.variants.is_empty());
        let o = run(&["--variant", "deprecated-tier,"]);
        assert_eq!(o.config.variants, vec![Variant::DeprecatedTier]);
    }

    #[test]
    fn unknown_or_clashing_variants_are_errors() {
        let err = parse(&["--variant", "business-group,revoke-twice"]).unwrap_err();
        assert!(
            err.starts_with("--variant:") && err.contains("\"revoke-twice\""),
            "{err}"
        );
        for v in crate::Variant::ALL {
            assert!(err.contains(v.name()), "lists the valid names: {err}");
        }
        let err = parse(&[
            "--variant",
            "revoke-again-200",
            "--variant",
            "revoke-again-400",
        ])
        .unwrap_err();
        assert!(
            err.contains("revoke-again-200") && err.contains("revoke-again-400"),
            "{err}"
        );
        for empty in ["", ",", " , "] {
            assert!(
                parse(&["--variant", empty])
                    .unwrap_err()
                    .contains("must not be empty"),
                "{empty:?}"
            );
        }
        assert!(parse(&["--variant"]).unwrap_err().contains("needs a value"));
        for v in crate::Variant::ALL {
            assert!(USAGE.contains(v.name()), "USAGE names {v}");
        }
    }

    #[test]
    fn help_and_errors() {
        assert!(matches!(parse(&["--help"]), Ok(CliCommand::Help)));
        assert!(matches!(
            parse(&["--latency-ms", "1", "-h"]),
            Ok(CliCommand::Help)
        ));
        for (args, needle) in [
            (&["--bogus"][..], "unknown option"),
            (&["stray"][..], "unexpected argument"),
            (&["--listen"][..], "needs a value"),
            (&["--listen", "nope"][..], "--listen"),
            (&["--fault-rate", "1.5"][..], "--fault-rate"),
            (&["--fault-rate", "NaN"][..], "--fault-rate"),
            (&["--token-ttl", "0"][..], "--token-ttl"),
            (&["--org-id", "not-a-uuid"][..], "--org-id"),
            (&["--client-id="][..], "must not be empty"),
        ] {
            let err = parse(args)
                .err()
                .unwrap_or_else(|| panic!("{args:?} should fail"));
            assert!(err.contains(needle), "{args:?}: {err}");
        }
    }

    #[test]
    fn errors_never_echo_values() {
        for args in [
            &["--client-secret", "s3cr3t-value", "--bogus"][..],
            &["--client-secrt=s3cr3t-value"][..],
            &["s3cr3t-value"][..],
        ] {
            let err = parse(args).err().unwrap();
            assert!(!err.contains("s3cr3t-value"), "{err}");
        }
    }
}
