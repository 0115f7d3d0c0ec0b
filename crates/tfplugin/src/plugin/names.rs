//! What the plugin layer says of the provider it serves.

/// The provider's names: `binary` appears in messages for people and in the
/// `@module` of log lines (`provider.<binary>`); events whose tracing target
/// starts with one of `own_targets` are the provider's own and carry no
/// `target` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Names {
    pub binary: &'static str,
    pub own_targets: &'static [&'static str],
}

impl Names {
    /// The `@module` of every log line: Terraform files them under it.
    pub fn log_module(&self) -> String {
        format!("provider.{}", self.binary)
    }

    /// The message for someone who runs the binary by hand (go-plugin's
    /// wording for its first paragraph, which people search for).
    pub fn not_a_plugin_message(&self) -> String {
        format!(
            "This binary is a plugin. These are not meant to be executed directly.
Please execute the program that consumes these plugins, which will
load any plugins automatically.

{} is a Terraform provider: reference it from a
Terraform configuration and run `terraform init` / `terraform plan`.
For debugging, run it with --debug.",
            self.binary
        )
    }

    pub(crate) fn is_own_target(&self, target: &str) -> bool {
        self.own_targets.iter().any(|t| target.starts_with(t))
    }
}
