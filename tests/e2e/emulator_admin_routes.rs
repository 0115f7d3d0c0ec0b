//! The emulator's HTTP admin routes (`/_emulator`) with Terraform: drift
//! made through them behind Terraform's back shows in a real `terraform
//! plan`; the `terraform test` example in `examples/emulator-test` passes
//! against the emulator, and so does a `terraform test` run that switches a
//! platform variant with the guide's helper module. The routes alone are
//! tested in the in-process module of the same name.

use std::path::Path;

use crate::support::*;
use serde_json::json;

const CONFIG: &str = r#"
resource "anypoint_client_application" "app" {
  name        = "drift-demo"
  description = "as configured"
  grant_types = ["client_credentials"]
}

resource "anypoint_client_application_owner" "alice" {
  application_id = anypoint_client_application.app.id
  user_id        = "5eed0000-0000-4000-8000-000000000001"
}
"#;

#[test]
fn drift_made_through_admin_routes_shows_in_a_plan() {
    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);
    let tf = tf_with_emulator(&emu, CONFIG);
    tf.apply();
    let empty = tf.plan_exit(&[]);
    assert_eq!(empty.code, 0, "no drift yet:\n{}", empty.all());
    let id = tf
        .resource_values("anypoint_client_application.app")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Behind Terraform's back: a new description, alice removed (by username).
    let changed = http.admin_ok(
        "PATCH",
        &format!("/applications/{id}"),
        Some(json!({"description": "edited in the UI"})),
    );
    assert_eq!(changed["description"], "edited in the UI");
    let gone = http.admin("DELETE", &format!("/applications/{id}/owners/alice"), None);
    assert_eq!(gone.status, 204, "{}", gone.body);
    let owners = http.admin_ok("GET", &format!("/applications/{id}/owners"), None);
    assert!(
        owners.as_array().unwrap().iter().all(|o| o["id"] != ALICE),
        "{owners}"
    );

    let plan = tf.plan_exit(&[]);
    let out = plan.all();
    assert_eq!(plan.code, 2, "the plan shows drift:\n{out}");
    let changed_lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("~ ") && l.contains(" -> "))
        .collect();
    assert_eq!(changed_lines.len(), 1, "one attribute changes:\n{out}");
    let words: Vec<&str> = changed_lines[0].split_whitespace().collect();
    assert_eq!(
        words[..2],
        ["~", "description"],
        "the description drift is named:\n{out}"
    );
    assert!(
        changed_lines[0].ends_with(r#"= "edited in the UI" -> "as configured""#),
        "from the admin route's value back to the configured one:\n{out}"
    );
    assert!(
        out.contains("anypoint_client_application_owner.alice will be created"),
        "the removed owner is re-added:\n{out}"
    );
    assert!(
        out.contains("Plan: 1 to add, 1 to change, 0 to destroy."),
        "exactly that drift, nothing else:\n{out}"
    );
    for other in ["~ name", "~ grant_types", "~ client_id", "must be replaced"] {
        assert!(
            !out.contains(other),
            "{other} is not part of the drift:\n{out}"
        );
    }

    // Applying repairs it, as the admin routes then see.
    tf.apply();
    let app = http.admin_ok("GET", &format!("/applications/{id}"), None);
    assert_eq!(app["description"], "as configured");
    assert!(
        app["owners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == ALICE),
        "{app}"
    );
    assert_eq!(tf.plan_exit(&[]).code, 0);

    // A deleted application: the plan creates it and its owner again.
    let del = http.admin("DELETE", &format!("/applications/{id}"), None);
    assert_eq!(del.status, 204, "{}", del.body);
    let plan = tf.plan_exit(&[]);
    let out = plan.all();
    assert_eq!(plan.code, 2, "{out}");
    assert!(
        out.contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "the application and its owner are recreated:\n{out}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let p = entry.path();
        if p.is_file() {
            std::fs::copy(&p, to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn the_terraform_test_example_passes_against_the_emulator() {
    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);
    let mut tf = TfDir::new("");
    std::fs::remove_file(tf.work().join("main.tf")).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/emulator-test");
    copy_dir(&example, &tf.work());
    assert!(tf.work().join("client_application.tftest.hcl").is_file());
    let cfg = emu.config.clone();
    tf.set_env("ANYPOINT_BASE_URL", &emu.url);
    tf.set_env("ANYPOINT_CLIENT_ID", &cfg.client_id);
    tf.set_env("ANYPOINT_CLIENT_SECRET", &cfg.client_secret);

    let out = tf.run(&["test", "-no-color"]);
    let all = out.all();
    assert_eq!(out.code, 0, "terraform test passes:\n{all}");
    assert!(all.contains("Success! 4 passed, 0 failed."), "{all}");

    // The runs really reached the emulator, and the test cleaned up.
    let counters = http.admin_ok("GET", "/counters", None);
    assert!(
        counters["routes"]["POST /apiplatform/repository/v2/organizations/{org}/applications"]
            ["requests"]
            == 1,
        "one application created: {counters}"
    );
    assert_eq!(
        http.admin_ok("GET", "/applications", None),
        json!([]),
        "terraform test destroyed what it made"
    );
}

/// The `terraform test` helper module of the emulator guide ("Switching
/// variants"), as the guide prints it.
fn guide_variants_module() -> String {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/emulator.md"),
    )
    .unwrap();
    let start = guide
        .find("# tests/variants/main.tf\n")
        .expect("the guide shows the helper module");
    let module = &guide[start..];
    module[..module.find("```").expect("the code block ends")].to_owned()
}

#[test]
fn a_terraform_test_run_switches_a_variant_through_the_admin_route() {
    let emu = TestEmulator::with_admin();
    let http = EmulatorHttp::new(&emu.url);
    let mut tf = TfDir::new(&format!(
        "{}\n{}",
        emu.provider_block(),
        r#"
variable "emulator_url" { type = string }

data "anypoint_api_instance" "orders" {
  api_instance_id = "40001"
  environment_id  = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
}

output "tier_statuses" {
  value = [for t in data.anypoint_api_instance.orders.tiers : t.status]
}
"#
    ));
    std::fs::create_dir_all(tf.work().join("tests/variants")).unwrap();
    tf.write("tests/variants/main.tf", &guide_variants_module());
    tf.write(
        "deprecated.tftest.hcl",
        r#"
run "with_a_deprecated_tier" {
  module {
    source = "./tests/variants"
  }
  variables {
    variants = ["deprecated-tier"]
  }
}

run "the_instance_lists_it" {
  command = plan

  assert {
    condition     = output.tier_statuses == ["ACTIVE", "ACTIVE", "ACTIVE", "DEPRECATED"]
    error_message = "Under deprecated-tier the orders instance has a fourth, DEPRECATED, tier."
  }
}
"#,
    );
    tf.set_env("TF_VAR_emulator_url", &emu.url);
    // A run that names a module needs it installed; `terraform get` does
    // that without the registry (`init` would look the provider up there).
    let get = tf.run(&["get", "-no-color"]);
    assert_eq!(get.code, 0, "terraform get:\n{}", get.all());
    let out = tf.run(&["test", "-no-color"]);
    let all = out.all();
    assert_eq!(out.code, 0, "terraform test passes:\n{all}");
    assert!(all.contains("Success! 2 passed, 0 failed."), "{all}");
    assert_eq!(
        http.admin_ok("GET", "/variants", None)["active"],
        json!([]),
        "the teardown set the default answers back"
    );
}
