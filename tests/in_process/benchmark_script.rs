//! `scripts/bench.sh` and its report generator, without running the
//! benchmark: the script parses, answers `--help` and refuses bad options,
//! and the generator turns a small fixture of raw samples into the markdown
//! and SVG the benchmark commits. No timing is asserted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bench(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/bench.sh"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/bench.sh")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_script_parses_and_documents_its_options() {
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(root().join("scripts/bench.sh"))
        .output()
        .expect("bash -n");
    assert!(syntax.status.success(), "{}", text(&syntax.stderr));

    let help = bench(&["--help"]);
    assert!(help.status.success(), "{}", text(&help.stderr));
    let help = text(&help.stdout);
    for option in [
        "--sizes",
        "--runs",
        "--latencies",
        "--variants",
        "--no-extras",
        "--out",
        "--rate-limit-scenario",
        "--profile",
        "--report-only",
        "--compare",
    ] {
        assert!(help.contains(option), "--help names {option}:\n{help}");
    }
}

#[test]
fn the_script_refuses_bad_options_before_building_anything() {
    for (args, says) in [
        (&["--sizes", "ten"][..], "--sizes"),
        (&["--runs", "0"][..], "--runs"),
        (&["--variants", "ours fast"][..], "unknown variant fast"),
        (&["--latencies", "-5"][..], "--latencies"),
        (&["--frobnicate"][..], "unknown option --frobnicate"),
        (&["--runs"][..], "--runs needs a value"),
    ] {
        let out = bench(args);
        assert!(!out.status.success(), "{args:?} must fail");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(
            !err.contains("Compiling"),
            "{args:?} built something: {err}"
        );
    }
}

fn sample(
    variant: &str,
    latency: u32,
    n: u32,
    run: u32,
    command: &str,
    seconds: f64,
) -> serde_json::Value {
    let ours = variant == "ours";
    serde_json::json!({
        "variant": variant, "latency_ms": latency, "n": n, "instances": n + 2 * (n / 10),
        "run": run, "command": command, "seconds": seconds, "exit": 0,
        "requests": if ours { Some(3 * n) } else { None },
        "tokens": if ours { Some(1) } else { None },
        "connections": if ours { Some(10) } else { None },
        "status429": if ours { Some(0) } else { None },
    })
}

/// Two sizes, three runs of every variant; `ours@100ms` apply at N = 100
/// takes 1.58 s against a limit of (120/10 + 2 + 1) × 0.1 = 1.5 s.
fn fixture() -> serde_json::Value {
    let mut samples = Vec::new();
    for n in [10u32, 100] {
        for run in 1..=3u32 {
            let jitter = f64::from(run) * 0.01;
            for (variant, latency, base) in [
                ("ours", 0u32, 0.30),
                ("ours", 100, 1.0),
                ("noop", 0, 0.25),
                ("tfdata-trivial", 0, 0.15),
                ("tfdata-same", 0, 0.40),
            ] {
                for (command, factor) in [("apply", 1.0), ("plan", 0.5), ("destroy", 0.9)] {
                    let scale = if n == 100 { 1.56 } else { 1.0 };
                    samples.push(sample(
                        variant,
                        latency,
                        n,
                        run,
                        command,
                        base * factor * scale + jitter,
                    ));
                }
            }
        }
    }
    // A failed run is counted, not averaged in.
    let mut failed = sample("ours", 0, 10, 4, "apply", 99.0);
    failed["exit"] = serde_json::json!(1);
    samples.push(failed);
    serde_json::json!({
        "meta": {
            "date": "2026-01-01T00:00:00Z", "nproc": "2", "cpu": "Test CPU",
            "terraform": "Terraform v1.11.4", "parallelism": 10, "runs": 3,
            "sizes": "10 100", "latencies": "0 100",
            "variants": "ours noop tfdata-trivial tfdata-same", "extras": true,
            "note": "Fixture run", "command": "scripts/bench.sh --sizes \"10 100\"",
        },
        "samples": samples,
        "rss": [
            {"variant": "ours", "n": 100, "command": "apply", "processes": 4,
             "max_rss_kb": 12288, "cpu_seconds": 0.05, "tokens": 2},
        ],
        "rate_limit": {"rate": 20, "apps": 200, "exit": 0, "seconds": 12.5, "errors": 0,
                        "requests": 400, "status429": 8, "message": null},
    })
}

fn generate(dir: &Path) -> (String, String) {
    generate_with(dir, None)
}

/// The report of the fixture; with `before`, compared with it.
fn generate_with(dir: &Path, before: Option<&serde_json::Value>) -> (String, String) {
    let data = dir.join("performance-data.json");
    std::fs::write(&data, serde_json::to_string_pretty(&fixture()).unwrap()).unwrap();
    let before_path = dir.join("before-data.json");
    if let Some(b) = before {
        std::fs::write(&before_path, serde_json::to_string_pretty(b).unwrap()).unwrap();
    }
    let md = dir.join("performance.md");
    let svg = dir.join("performance.svg");
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("scripts/bench_report.py"))
        .arg(&data)
        .arg(&md)
        .arg(&svg)
        .env("BENCH_REPORT_QUIET", "1")
        .env_remove("BENCH_COMPARE")
        .env_remove("BENCH_COMPARE_AFTER");
    if before.is_some() {
        cmd.env("BENCH_COMPARE", &before_path);
    }
    let out = cmd
        .output()
        .expect("python3 is needed for the report generator");
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    (
        std::fs::read_to_string(md).unwrap(),
        std::fs::read_to_string(svg).unwrap(),
    )
}

#[test]
fn the_report_generator_writes_tables_ratios_and_a_plot() {
    let dir = tempfile::tempdir().unwrap();
    let (md, svg) = generate(dir.path());

    assert!(md.starts_with("# Performance\n"), "{md}");
    assert!(md.contains("> **Fixture run**"), "the note is shown:\n{md}");
    assert!(md.contains("Terraform v1.11.4"), "{md}");
    assert!(
        md.contains("(performance.svg)"),
        "inline link to the plot:\n{md}"
    );
    assert!(md.contains("(performance-data.json)"), "{md}");
    assert!(md.contains("### N = 100 (120 resource instances)"), "{md}");
    // Medians of the three runs; the failed fourth run is only counted.
    assert!(
        md.contains("| `ours@0ms` | 320 ms | 170 ms | 290 ms | 1 |"),
        "{md}"
    );
    // ours@100ms apply at N = 100: median 1.0 × 1.56 + 0.02 = 1.58 s
    // against (120 / 10 + 2 + 1) × 100 ms = 1.5 s (the owners and
    // contracts wait for their applications).
    assert!(
        md.contains("| 100 ms | 100 | apply | 1.58 s | 1.50 s | 1.05 |"),
        "{md}"
    );
    // No-op plan limit: the noop floor's plan plus (1 + 2) RTT, one for
    // the 10 applications with owners (parallelism 10), one for the
    // instance's contract list.
    let noop_plan = 0.25 * 0.5 * 1.56 + 0.02;
    let line = format!(
        "| 100 ms | 100 | plan | 800 ms | {:.0} ms |",
        (noop_plan + 0.5) * 1000.0
    );
    assert!(md.contains(&line), "{line}\n{md}");
    // Ratios at 0 ms to the three floors.
    assert!(
        md.contains("| 10 | apply | 320 ms | 1.19 | 1.88 | 0.76 |"),
        "{md}"
    );
    assert!(
        md.contains("| 0 ms | 100 | apply | 300 | 1 | 10 | 0 |"),
        "{md}"
    );
    assert!(
        md.contains("| `ours` | 100 | apply | 4 | 12.0 MB | 0.80 |"),
        "{md}"
    );
    assert!(
        md.contains("| 0 | 0 | 12.50 s | 400 | 8 | 2.0% | 0.40 |"),
        "{md}"
    );
    assert!(md.contains("## Profiling"), "{md}");

    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    // One line per variant and command: 5 variants × 3 commands.
    assert_eq!(svg.matches("<polyline").count(), 15, "{svg}");
    for name in [
        "ours@0ms apply",
        "ours@100ms plan",
        "noop destroy",
        "tfdata-same apply",
    ] {
        assert!(
            svg.contains(&format!(">{name}</text>")),
            "legend {name}:\n{svg}"
        );
    }
    for tick in [">10</text>", ">100</text>"] {
        assert!(svg.contains(tick), "x tick {tick}");
    }
}

#[test]
fn the_report_compares_with_an_earlier_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut before = fixture();
    before["meta"]["note"] = serde_json::json!("before the change");
    for s in before["samples"].as_array_mut().unwrap() {
        if s["variant"] == "ours" && s["latency_ms"] == 100 {
            let secs = s["seconds"].as_f64().unwrap();
            s["seconds"] = serde_json::json!(secs + 0.5);
            s["requests"] = serde_json::json!(s["requests"].as_i64().unwrap() + 40);
        }
    }
    let (md, _) = generate_with(dir.path(), Some(&before));
    assert!(md.contains("## Before and after"), "{md}");
    assert!(md.contains("before the change"), "{md}");
    // N = 100 apply at 100 ms: 2.08 s before, 1.58 s after; added by
    // latency (the 0 ms apply, 0.49 s, taken away) 1.59 s before, 1.09 s
    // after, against 1.5 s allowed; the requests 340 before, 300 after.
    assert!(
        md.contains(
            "| 100 ms | 100 | apply | 2.08 s | 1.58 s | 1.59 s | 1.09 s | 1.50 s | 1.06 | 0.73 | 340 | 300 |"
        ),
        "{md}"
    );
    let (plain, _) = generate(dir.path());
    assert!(!plain.contains("## Before and after"), "{plain}");
}
