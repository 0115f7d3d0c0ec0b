//! The real Terraform CLI against our freshly built provider: a working
//! directory whose CLI configuration points Terraform at the binary
//! (`dev_overrides`, so no `terraform init`; the binary may stand in for a
//! second provider too), runs of `terraform` in it, and the configuration
//! blocks the tests write.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{provider_bin, PROVIDER_SOURCE};

/// The Terraform CLI: `$TERRAFORM`, else `terraform` on PATH. Missing
/// Terraform fails the test with a clear message; it never skips.
pub fn terraform_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TERRAFORM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "TERRAFORM is set to {} but no such file exists",
            p.display()
        );
        return p;
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let c = dir.join("terraform");
            if c.is_file() {
                return c;
            }
        }
    }
    panic!(
        "The end-to-end tests need the Terraform CLI (1.5 or later): install it on PATH or set \
         TERRAFORM=/path/to/terraform. These tests do not skip without it."
    );
}

/// A Terraform working directory with a CLI config whose `dev_overrides`
/// point Terraform at our freshly built binary.
pub struct TfDir {
    pub dir: tempfile::TempDir,
    pub cli_config: PathBuf,
    pub env: Vec<(String, String)>,
}

impl TfDir {
    pub fn new(main_tf: &str) -> TfDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin_dir = provider_bin().parent().unwrap().to_path_buf();
        let cli_config = dir.path().join("dev.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                bin_dir.display()
            ),
        )
        .unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        std::fs::write(work.join("main.tf"), main_tf).unwrap();
        TfDir {
            dir,
            cli_config,
            env: Vec::new(),
        }
    }

    /// Like [`TfDir::new`], and the CLI configuration also stands our binary
    /// in for each source address of `stand_ins` (each of type `anypoint`,
    /// e.g. `registry.terraform.io/mulesoft-anypoint/anypoint`, since
    /// `dev_overrides` looks for `terraform-provider-<type>`): a
    /// configuration can then declare a second provider under a local name
    /// of its own, and Terraform runs a process of our binary for it.
    pub fn with_stand_ins(main_tf: &str, stand_ins: &[&str]) -> TfDir {
        let tf = TfDir::new(main_tf);
        let bin_dir = provider_bin().parent().unwrap().display().to_string();
        let mut overrides = format!("    \"{PROVIDER_SOURCE}\" = \"{bin_dir}\"\n");
        for source in stand_ins {
            assert!(
                source.ends_with("/anypoint") && *source != PROVIDER_SOURCE,
                "a stand-in is another source address of type anypoint: {source}"
            );
            overrides.push_str(&format!("    \"{source}\" = \"{bin_dir}\"\n"));
        }
        std::fs::write(
            &tf.cli_config,
            format!("provider_installation {{\n  dev_overrides {{\n{overrides}  }}\n  direct {{}}\n}}\n"),
        )
        .unwrap();
        tf
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn write(&self, name: &str, content: &str) {
        std::fs::write(self.work().join(name), content).unwrap();
    }

    /// An environment variable for the commands run here (never set in the
    /// test process, which other tests share).
    pub fn set_env(&mut self, k: &str, v: &str) {
        self.env.push((k.to_owned(), v.to_owned()));
    }

    /// `terraform args…` in the working directory, with none of the
    /// Terraform and Anypoint variables of the test's own environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(terraform_bin());
        cmd.args(args)
            .current_dir(self.work())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH")
            .env_remove("ANYPOINT_CLIENT_ID")
            .env_remove("ANYPOINT_CLIENT_SECRET")
            .env_remove("ANYPOINT_BASE_URL")
            .env_remove("ANYPOINT_ORG_ID")
            .env_remove("ANYPOINT_CONTROL_PLANE")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> TfOutput {
        let out = self.command(args).output().expect("run terraform");
        TfOutput::from(out)
    }

    /// `terraform plan -detailed-exitcode` exit code and output.
    pub fn plan_exit(&self, extra: &[&str]) -> TfOutput {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn apply(&self) -> TfOutput {
        let out = self.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        out.assert_ok();
        out
    }

    /// The current state as JSON (`terraform show -json`).
    pub fn state_json(&self) -> serde_json::Value {
        let out = self.run(&["show", "-json", "-no-color"]);
        out.assert_ok();
        serde_json::from_str(&out.stdout).expect("show -json")
    }

    /// The attribute values of one resource instance in state, by address.
    pub fn resource_values(&self, address: &str) -> Option<serde_json::Value> {
        let state = self.state_json();
        state["values"]["root_module"]["resources"]
            .as_array()?
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
    }
}

pub struct TfOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for TfOutput {
    fn from(o: Output) -> Self {
        TfOutput {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl TfOutput {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.all());
        self
    }
}

/// A Terraform command started in its own process group (as a shell starts
/// a foreground job), so that SIGINT can go to Terraform and its providers
/// together, as Ctrl-C does, and never to the test process's own group.
pub struct Running {
    pub child: Child,
}

impl Running {
    pub fn start(tf: &TfDir, args: &[&str]) -> Running {
        use std::os::unix::process::CommandExt;
        let mut cmd = tf.command(args);
        cmd.process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Running {
            child: cmd.spawn().expect("start terraform"),
        }
    }

    pub fn apply(tf: &TfDir) -> Running {
        Running::start(tf, &["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// Ctrl-C: SIGINT to the whole process group.
    pub fn interrupt(&self) {
        // SAFETY: signalling the process group this test created.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGINT);
        }
    }

    /// SIGKILL of Terraform alone (its providers notice and exit).
    pub fn kill_terraform(&self) {
        // SAFETY: signalling our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGKILL);
        }
    }

    pub fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Wait for the command to end; its output. Bounded: a command still
    /// running after `secs` seconds is killed and the test fails.
    pub fn finish(mut self, secs: u64) -> TfOutput {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let out = TfOutput::from(self.child.wait_with_output().unwrap());
                panic!(
                    "terraform still ran {secs} s after it was started or interrupted:\n{}",
                    out.all()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        TfOutput::from(self.child.wait_with_output().unwrap())
    }
}

/// An `anypoint_client_application` block with `extra` attribute lines.
pub fn app_block(label: &str, name: &str, extra: &str) -> String {
    format!(
        "resource \"anypoint_client_application\" \"{label}\" {{\n  name = \"{name}\"\n{extra}}}\n"
    )
}

/// An `anypoint_client_application_owner` block.
pub fn owner_block(label: &str, application_id: &str, user_id: &str) -> String {
    format!(
        "resource \"anypoint_client_application_owner\" \"{label}\" {{\n  application_id = {application_id}\n  user_id        = \"{user_id}\"\n}}\n"
    )
}
