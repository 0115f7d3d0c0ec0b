//! Our stderr lines, parsed the way hclog hosts parse them.

use std::process::Command;

use crate::support::*;

#[test]
fn stderr_lines_are_hclog_json() {
    // Run by hand with the cookie, let it serve, then shut it down: the
    // startup lines are enough to check the format.
    let mut p = PluginProcess::start(&[("TF_LOG", "TRACE")]);
    // Ask it to stop the way Terraform does.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ch = tonic::transport::Endpoint::from_shared(format!("http://{}", p.addr))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut prov = tfplugin::proto::tfplugin6::provider_client::ProviderClient::new(ch.clone());
        prov.get_provider_schema(tfplugin::proto::tfplugin6::get_provider_schema::Request {})
            .await
            .unwrap();
        let mut ctl =
            tfplugin::proto::goplugin::grpc_controller_client::GrpcControllerClient::new(ch);
        ctl.shutdown(tfplugin::proto::goplugin::Empty {})
            .await
            .unwrap();
    });
    assert!(p.wait_exit(10).is_some());
    let mut stderr = String::new();
    use std::io::Read;
    p.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() >= 3,
        "expected several log lines, got {stderr:?}"
    );
    let mut levels = std::collections::BTreeSet::new();
    for l in &lines {
        let v: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        let level = v["@level"].as_str().expect("@level");
        assert!(
            ["trace", "debug", "info", "warn", "error"].contains(&level),
            "hclog level: {level}"
        );
        levels.insert(level.to_owned());
        assert!(v["@message"].is_string(), "@message in {l}");
        assert_eq!(v["@module"], "provider.terraform-provider-anypoint");
        let ts = v["@timestamp"].as_str().expect("@timestamp");
        // 2006-01-02T15:04:05.000000Z07:00: exactly six fractional digits.
        assert_eq!(ts.len(), 27, "{ts}");
        let (date_time, frac) = ts.split_once('.').unwrap();
        assert!(time::PrimitiveDateTime::parse(
            date_time,
            &time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]")
        )
        .is_ok());
        assert_eq!(frac.len(), 7);
        assert!(frac[..6].bytes().all(|b| b.is_ascii_digit()) && frac.ends_with('Z'));
    }
    assert!(
        levels.contains("trace") && levels.contains("debug"),
        "{levels:?}"
    );
    // Spans carry the RPC name onto events.
    assert!(
        stderr.contains("\"tf_rpc\":\"GetProviderSchema\""),
        "{stderr}"
    );
}

#[test]
fn unknown_flags_are_usage_errors_on_stderr() {
    let out = Command::new(provider_bin())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .arg("--bogus")
        .output()
        .unwrap();
    // A bad flag is a usage error on stderr, nothing on stdout.
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
