//! The release workflow, `.github/workflows/release.yml`: it passes
//! actionlint (which runs shellcheck on its scripts where shellcheck is
//! installed), builds every platform `scripts/release.sh` releases, runs the
//! tests on Linux, and assembles with `scripts/release.sh --prebuilt
//! --no-build`, the same path a local run takes.
//!
//! actionlint comes from `$ACTIONLINT` or `scripts/actionlint.sh`, which
//! installs it on first use; when none can be had the tests fail, saying
//! why: they are never skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflow() -> String {
    std::fs::read_to_string(root().join(".github/workflows/release.yml"))
        .expect(".github/workflows/release.yml exists")
}

/// The actionlint executable, installed once per test run if need be.
fn actionlint() -> &'static PathBuf {
    static ACTIONLINT: OnceLock<PathBuf> = OnceLock::new();
    ACTIONLINT.get_or_init(|| {
        let out = Command::new("bash")
            .arg(root().join("scripts/actionlint.sh"))
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/actionlint.sh");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "no actionlint, so the workflow cannot be checked:\n{stderr}"
        );
        let path = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned();
        assert!(
            !path.is_empty(),
            "scripts/actionlint.sh named no path:\n{stderr}"
        );
        PathBuf::from(path)
    })
}

/// actionlint on the given workflow files, run from `dir`: (success, output).
fn lint(dir: &Path, files: &[&Path]) -> (bool, String) {
    let out = Command::new(actionlint())
        .arg("-no-color")
        .args(files)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run actionlint");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_release_workflow_passes_actionlint() {
    let file = root().join(".github/workflows/release.yml");
    let (ok, out) = lint(root(), &[&file]);
    assert!(
        ok,
        "actionlint finds problems in the release workflow:\n{out}"
    );
    assert!(out.trim().is_empty(), "{out}");
}

#[test]
fn actionlint_rejects_a_broken_workflow() {
    // Proves the linter really checks: an undefined matrix key, an unknown
    // runner label and a step with neither `run` nor `uses`.
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let file = wf.join("broken.yml");
    std::fs::write(
        &file,
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-nonexistent-99\n    strategy:\n      matrix:\n        platform: [linux_amd64]\n    steps:\n      - run: echo ${{ matrix.target }}\n      - name: nothing to do\n",
    )
    .unwrap();
    let (ok, out) = lint(dir.path(), &[&file]);
    assert!(!ok, "a broken workflow fails actionlint:\n{out}");
    assert!(
        out.contains("target"),
        "names the undefined matrix key:\n{out}"
    );
    assert!(
        out.contains("ubuntu-nonexistent-99"),
        "names the unknown runner label:\n{out}"
    );
}

/// Terraform's os_arch for a Rust target triple, as scripts/release.sh maps it.
fn tf_platform(triple: &str) -> String {
    let arch = match triple.split('-').next().unwrap() {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => panic!("no Terraform arch for {other}"),
    };
    let os = if triple.contains("-linux-") {
        "linux"
    } else if triple.ends_with("-apple-darwin") {
        "darwin"
    } else if triple.contains("-windows-") {
        "windows"
    } else if triple.ends_with("-freebsd") {
        "freebsd"
    } else {
        panic!("no Terraform os for {triple}")
    };
    format!("{os}_{arch}")
}

/// The Rust targets scripts/release.sh releases by default.
fn release_targets() -> Vec<String> {
    let script = std::fs::read_to_string(root().join("scripts/release.sh")).unwrap();
    let line = script
        .lines()
        .find(|l| l.contains("candidates=${RELEASE_TARGETS"))
        .expect("release.sh has its default target list");
    let list = line.split('"').nth(1).expect("the list is quoted");
    list.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn the_workflow_builds_every_platform_the_release_script_releases() {
    let wf = workflow();
    let targets = release_targets();
    assert_eq!(targets.len(), 6, "{targets:?}");
    for t in &targets {
        let p = tf_platform(t);
        if p == "freebsd_amd64" {
            // Built in a FreeBSD VM, uploaded under its platform's name.
            assert!(wf.contains("vmactions/freebsd-vm@"), "a FreeBSD VM job");
            assert!(wf.contains("name: freebsd_amd64"), "its artifact");
        } else {
            assert!(
                wf.contains(&format!("- platform: {p}\n            target: {t}\n")),
                "a build of {p} ({t}) in the matrix"
            );
        }
    }
    // Exactly those platforms: no matrix entry releases something else.
    let in_matrix = wf.matches("- platform: ").count();
    assert_eq!(in_matrix + 1, targets.len(), "matrix entries plus FreeBSD");
    // Terraform runs on both arm64 and amd64 Linux and macOS.
    for p in ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"] {
        assert!(
            targets.iter().any(|t| tf_platform(t) == p),
            "{p} is released"
        );
    }
}

#[test]
fn the_workflow_tests_on_linux_and_assembles_with_the_release_script() {
    let wf = workflow();
    // The test job runs the whole suite (.ci/run) with Terraform 1.11.4.
    let test_job = &wf[wf.find("\n  test:\n").expect("a test job")..];
    let end = 1 + test_job[1..].find("\n  build:\n").expect("then the builds");
    let test_job = &test_job[..end];
    assert!(test_job.contains("runs-on: ubuntu-"), "{test_job}");
    assert!(test_job.contains("bash .ci/run"), "{test_job}");
    assert!(test_job.contains("terraform_version: 1.11.4"), "{test_job}");
    // The release job waits for the tests and every build, then assembles,
    // sums and signs through scripts/release.sh.
    let release_job = &wf[wf.find("\n  release:\n").expect("a release job")..];
    assert!(
        release_job.contains("needs: [test, build, build-freebsd]"),
        "{release_job}"
    );
    assert!(
        release_job.contains("scripts/release.sh --prebuilt prebuilt --no-build --dist dist"),
        "{release_job}"
    );
    assert!(release_job.contains("GPG_PRIVATE_KEY"), "{release_job}");
    // Each build uploads its binaries under its platform's name, which is
    // the directory --prebuilt reads.
    assert!(
        wf.contains("name: ${{ matrix.platform }}\n          path: out/${{ matrix.platform }}/")
    );
    assert!(release_job.contains("path: prebuilt"), "{release_job}");
}
