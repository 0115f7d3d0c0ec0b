//! Validation at `terraform validate` time: each bad value is reported with
//! its attribute (the diagnostic's range and snippet point at the line), and
//! the platform is never called. Malformed import ids name the expected form.

use crate::support::*;
use serde_json::Value as Json;

/// The error diagnostics of `terraform validate -json`, after checking that
/// validation failed, and the raw output.
#[track_caller]
fn validate_errors(tf: &TfDir) -> (Vec<Json>, TfOutput) {
    let out = tf.run(&["validate", "-json", "-no-color"]);
    let v: Json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("validate -json printed JSON ({e}):\n{}", out.all()));
    assert_eq!(out.code, 1, "validate fails:\n{}", out.all());
    assert_eq!(v["valid"], false, "{v:#}");
    let errors = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .cloned()
        .collect();
    (errors, out)
}

/// The 1-based line of main.tf whose text (trimmed) starts with `attribute =`.
#[track_caller]
fn line_of(tf: &TfDir, attribute: &str) -> u64 {
    let text = std::fs::read_to_string(tf.work().join("main.tf")).unwrap();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start()
                .strip_prefix(attribute)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "exactly one line sets {attribute}");
    lines[0] as u64
}

/// Validate `resources` (after the emulator's provider block) and expect
/// exactly one error, on `attribute`'s line, with this summary and a detail
/// containing each of `detail_parts`; the platform sees no request.
#[track_caller]
fn expect_one_error(resources: &str, attribute: &str, summary: &str, detail_parts: &[&str]) {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, resources);
    let (errors, _) = validate_errors(&tf);
    assert_eq!(errors.len(), 1, "one error: {errors:#?}");
    let d = &errors[0];
    assert_eq!(d["summary"], summary, "{d:#}");
    let detail = d["detail"].as_str().unwrap_or_default();
    for part in detail_parts {
        assert!(detail.contains(part), "detail mentions {part:?}: {d:#}");
    }
    let line = line_of(&tf, attribute);
    assert_eq!(d["range"]["filename"], "main.tf", "{d:#}");
    assert_eq!(
        d["range"]["start"]["line"], line,
        "the range points at {attribute}: {d:#}"
    );
    let code = d["snippet"]["code"].as_str().unwrap_or_default();
    assert!(
        code.trim_start().starts_with(attribute),
        "the snippet shows the {attribute} line: {d:#}"
    );
    assert!(
        emu.handle.requests().is_empty(),
        "validate made no call to the platform: {:?}",
        emu.handle.requests()
    );
}

fn app(body: &str) -> String {
    format!("resource \"anypoint_client_application\" \"a\" {{\n{body}\n}}\n")
}

fn owner(body: &str) -> String {
    format!("resource \"anypoint_client_application_owner\" \"o\" {{\n{body}\n}}\n")
}

#[test]
fn a_valid_configuration_validates_without_calling_the_platform() {
    // The control for every test below: the same shapes, all values valid.
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            "{}\n{}",
            app(r#"
  name            = "valid"
  org_id          = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
  api_instance_id = "40001"
  url             = "https://portal.example.com"
  redirect_uris   = ["https://portal.example.com/cb", "myapp://callback"]
  grant_types     = ["authorization_code", "refresh_token", "client_credentials"]"#),
            owner(&format!(
                "  application_id = anypoint_client_application.a.id\n  user_id        = \"{ALICE}\"\n  org_id         = \"0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d\""
            ))
        ),
    );
    let out = tf.run(&["validate", "-json", "-no-color"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let v: Json = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["valid"], true, "{v:#}");
    assert_eq!(v["error_count"], 0, "{v:#}");
    assert!(emu.handle.requests().is_empty());
}

#[test]
fn empty_name() {
    expect_one_error(
        &app(r#"  name = """#),
        "name",
        "Empty value",
        &["name", "must not be empty"],
    );
}

#[test]
fn unknown_grant_type_lists_the_allowed_ones() {
    expect_one_error(
        &app("  name        = \"g\"\n  grant_types = [\"client_credentials\", \"magic\"]"),
        "grant_types",
        "Invalid value",
        &[
            "grant_types",
            "\"magic\"",
            "password",
            "implicit",
            "client_credentials",
            "authorization_code",
            "refresh_token",
        ],
    );
}

#[test]
fn refresh_token_without_authorization_code() {
    expect_one_error(
        &app("  name        = \"g\"\n  grant_types = [\"refresh_token\", \"client_credentials\"]"),
        "grant_types",
        "Invalid grant types",
        &["refresh_token", "authorization_code"],
    );
}

#[test]
fn malformed_url() {
    expect_one_error(
        &app("  name = \"u\"\n  url  = \"portal.example.com/home\""),
        "url",
        "Invalid URL",
        &[
            "url",
            "absolute http or https URL",
            "portal.example.com/home",
        ],
    );
}

#[test]
fn url_with_another_scheme() {
    expect_one_error(
        &app("  name = \"u\"\n  url  = \"ftp://portal.example.com/\""),
        "url",
        "Invalid URL",
        &["url", "http or https"],
    );
}

#[test]
fn malformed_redirect_uri() {
    expect_one_error(
        &app("  name          = \"r\"\n  redirect_uris = [\"https://ok.example.com/cb\", \"/relative/callback\"]"),
        "redirect_uris",
        "Invalid URL",
        &["redirect_uris", "/relative/callback", "absolute URI"],
    );
}

#[test]
fn user_id_not_a_uuid() {
    expect_one_error(
        &owner("  application_id = \"100001\"\n  user_id        = \"alice\""),
        "user_id",
        "Invalid UUID",
        &["user_id", "\"alice\""],
    );
}

#[test]
fn application_id_not_digits() {
    expect_one_error(
        &owner(&format!(
            "  application_id = \"app-100001\"\n  user_id        = \"{ALICE}\""
        )),
        "application_id",
        "Invalid identifier",
        &["application_id", "digits", "app-100001"],
    );
}

#[test]
fn api_instance_id_not_digits() {
    expect_one_error(
        &app("  name            = \"i\"\n  api_instance_id = \"orders-api\""),
        "api_instance_id",
        "Invalid identifier",
        &["api_instance_id", "digits", "orders-api"],
    );
}

#[test]
fn application_org_id_not_a_uuid() {
    expect_one_error(
        &app("  name   = \"o\"\n  org_id = \"my-org\""),
        "org_id",
        "Invalid UUID",
        &["org_id", "my-org"],
    );
}

#[test]
fn owner_org_id_not_a_uuid() {
    expect_one_error(
        &owner(&format!(
            "  org_id         = \"12345\"\n  application_id = \"100001\"\n  user_id        = \"{ALICE}\""
        )),
        "org_id",
        "Invalid UUID",
        &["org_id", "12345"],
    );
}

#[test]
fn plain_http_base_url_to_a_remote_host_is_refused() {
    let emu = TestEmulator::start();
    let block = emu.provider_block().replace(&emu.url, "http://example.com");
    assert!(block.contains("base_url      = \"http://example.com\""));
    let tf = TfDir::new(&format!("{block}\n{}", app("  name = \"p\"")));
    let (errors, out) = validate_errors(&tf);
    assert_eq!(errors.len(), 1, "one error: {errors:#?}");
    let d = &errors[0];
    assert_eq!(d["summary"], "Invalid base_url", "{d:#}");
    let detail = d["detail"].as_str().unwrap();
    for part in ["http://example.com", "secret", "https", "loopback"] {
        assert!(detail.contains(part), "detail mentions {part:?}: {d:#}");
    }
    assert_eq!(
        d["range"]["start"]["line"],
        line_of(&tf, "base_url"),
        "{d:#}"
    );
    assert!(d["snippet"]["code"]
        .as_str()
        .unwrap()
        .trim_start()
        .starts_with("base_url"));
    // The secret itself never appears.
    assert!(!out.all().contains(anypoint_emulator::DEFAULT_CLIENT_SECRET));
    assert!(emu.handle.requests().is_empty());
}

#[test]
fn plain_http_base_url_to_loopback_is_accepted() {
    // The control for the test above: the emulator's own http://127.0.0.1 URL.
    let emu = TestEmulator::start();
    assert!(emu.url.starts_with("http://127.0.0.1:"), "{}", emu.url);
    let tf = tf_with_emulator(&emu, &app("  name = \"p\""));
    let out = tf.run(&["validate", "-no-color"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(emu.handle.requests().is_empty());
}

#[track_caller]
fn expect_bad_import(resources: &str, address: &str, id: &str, expected_form: &str) {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, resources);
    let out = tf.run(&["import", "-no-color", "-input=false", address, id]);
    assert_eq!(out.code, 1, "import of {id:?} fails:\n{}", out.all());
    let text = flat(&out.all());
    assert!(text.contains("Invalid import id"), "{id:?}: {text}");
    assert!(
        text.contains(expected_form),
        "{id:?} names {expected_form}: {text}"
    );
    assert!(
        tf.resource_values(address).is_none(),
        "nothing was imported for {id:?}"
    );
    assert_eq!(
        emu.handle.request_count("GET", "/apiplatform"),
        0,
        "no application was read for {id:?}: {:?}",
        emu.handle.requests()
    );
    assert_eq!(emu.handle.application_count(), 0);
}

#[test]
fn malformed_application_import_ids_name_the_expected_form() {
    let cfg = app("  name = \"imported\"");
    for id in [
        "not-an-id",
        "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/",
        "my-org/100001",
        "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/app-1",
        "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/100001/extra",
    ] {
        expect_bad_import(
            &cfg,
            "anypoint_client_application.a",
            id,
            "<org_id>/<application_id>",
        );
    }
}

#[test]
fn malformed_owner_import_ids_name_the_expected_form() {
    let cfg = owner(&format!(
        "  application_id = \"100001\"\n  user_id        = \"{ALICE}\""
    ));
    for id in [
        "100001",
        "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/100001",
        &format!("100001/{ALICE}"),
        &format!("0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/app-1/{ALICE}"),
        "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/100001/alice",
        &format!("my-org/100001/{ALICE}"),
    ] {
        expect_bad_import(
            &cfg,
            "anypoint_client_application_owner.o",
            id,
            "<org_id>/<application_id>/<user_id>",
        );
    }
}

/// `kind "type" "name" {` lines with every required attribute written as
/// `= null`, from the provider's schemas (so a new required attribute is
/// covered without touching this test), and for each null line its marker.
fn every_required_argument_as_null() -> (String, Vec<String>) {
    use tfplugin::framework::{Provider, Schema};
    let p = anypoint_provider::provider::AnypointProvider;
    let mut kinds: Vec<(&str, &str, Schema)> = Vec::new();
    for r in p.resources() {
        kinds.push(("resource", r.type_name(), r.schema()));
    }
    for d in p.data_sources() {
        kinds.push(("data", d.type_name(), d.schema()));
    }
    for e in p.ephemeral_resources() {
        kinds.push(("ephemeral", e.type_name(), e.schema()));
    }
    let mut blocks = String::new();
    let mut markers = Vec::new();
    for (kind, type_name, schema) in kinds {
        let required: Vec<&str> = schema
            .attributes
            .iter()
            .filter(|a| a.required)
            .map(|a| a.name.as_str())
            .collect();
        if required.is_empty() {
            continue;
        }
        blocks.push_str(&format!("{kind} \"{type_name}\" \"n\" {{\n"));
        for name in required {
            let marker = format!("{kind}.{type_name}.{name}");
            blocks.push_str(&format!("  {name} = null # {marker}\n"));
            markers.push(marker);
        }
        blocks.push_str("}\n\n");
    }
    let provider_required: Vec<String> = p
        .schema()
        .attributes
        .iter()
        .filter(|a| a.required)
        .map(|a| a.name.clone())
        .collect();
    assert!(
        provider_required.is_empty(),
        "the provider block has required attributes {provider_required:?}: add them to this test's provider block"
    );
    (blocks, markers)
}

#[test]
fn every_required_argument_written_as_null_fails_validate_naming_it() {
    let (blocks, markers) = every_required_argument_as_null();
    assert!(
        markers.len() >= 6,
        "the generator saw the schemas: {markers:?}"
    );
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &blocks);
    let text = std::fs::read_to_string(tf.work().join("main.tf")).unwrap();
    let (errors, out) = validate_errors(&tf);
    assert!(!out.all().contains("bug in the provider"), "{}", out.all());
    let mut seen = Vec::new();
    for d in &errors {
        let line = d["range"]["start"]["line"].as_u64().expect("a range") as usize;
        let code = text.lines().nth(line - 1).unwrap_or_default();
        // A requirement across arguments (exactly one of two optional ones)
        // is the resource's own check, reported on its block.
        if code.trim_end().ends_with('{') && d["summary"] != "Required argument is null" {
            continue;
        }
        assert_eq!(d["summary"], "Required argument is null", "{d:#}");
        let (name, marker) = code
            .trim()
            .split_once(" = null # ")
            .unwrap_or_else(|| panic!("the error points at a null line, not {code:?}: {d:#}"));
        let detail = d["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&format!("\"{name}\" is required"))
                && detail.contains("Set it to a value"),
            "{marker}: {d:#}"
        );
        seen.push(marker.to_owned());
    }
    seen.sort();
    let mut expected = markers.clone();
    expected.sort();
    assert_eq!(seen, expected, "one error per required argument");
    assert!(
        emu.handle.requests().is_empty(),
        "{:?}",
        emu.handle.requests()
    );
}

/// `terraform plan -generate-config-out` writes `environment_id = null` for
/// an imported contract (the platform does not report it): the plan names
/// the argument to fill in, never ends in a provider bug, and once it is
/// filled in the contract is imported with nothing else to change.
#[test]
fn a_generated_contract_configuration_names_the_argument_to_fill_in() {
    use anypoint_emulator::{API_INSTANCE_ORDERS, ENVIRONMENT_ID, TIER_ORDERS_BRONZE};
    let emu = TestEmulator::start();
    let org = emu.org_id();
    let tf = tf_with_emulator(
        &emu,
        &format!(
            r#"
resource "anypoint_client_application" "demo" {{
  name = "generated-contract"
}}

resource "anypoint_client_application_contract" "made" {{
  application_id    = anypoint_client_application.demo.id
  api_instance_id   = "{API_INSTANCE_ORDERS}"
  environment_id    = "{ENVIRONMENT_ID}"
  requested_tier_id = "{TIER_ORDERS_BRONZE}"
}}
"#
        ),
    );
    tf.apply();
    let made = tf
        .resource_values("anypoint_client_application_contract.made")
        .unwrap();
    let app = tf
        .resource_values("anypoint_client_application.demo")
        .unwrap();
    let import_id = format!(
        "{org}/{}/{}",
        app["id"].as_str().unwrap(),
        made["id"].as_str().unwrap()
    );
    tf.run(&[
        "state",
        "rm",
        "-no-color",
        "anypoint_client_application_contract.made",
    ])
    .assert_ok();
    let keep_app =
        "resource \"anypoint_client_application\" \"demo\" {\n  name = \"generated-contract\"\n}\n";
    tf.set_config(
        &emu,
        &format!(
            "{keep_app}\nimport {{\n  to = anypoint_client_application_contract.adopted\n  id = \"{import_id}\"\n}}\n"
        ),
    );

    let plan = tf.run(&[
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=generated.tf",
    ]);
    let generated = std::fs::read_to_string(tf.work().join("generated.tf"))
        .unwrap_or_else(|e| panic!("generated.tf written ({e}):\n{}", plan.all()));
    assert!(
        generated.contains("environment_id") && generated.contains("null"),
        "{generated}"
    );
    let text = flat(&plan.all());
    assert_ne!(plan.code, 0, "a null required argument fails:\n{text}");
    assert!(!text.contains("bug in the provider"), "{text}");
    assert!(
        text.contains("Required argument is null")
            && text.contains("\"environment_id\" is required"),
        "{text}"
    );
    let apply = tf.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_ne!(apply.code, 0, "{}", apply.all());
    assert!(
        !flat(&apply.all()).contains("bug in the provider"),
        "{}",
        apply.all()
    );
    assert!(
        flat(&apply.all()).contains("\"environment_id\" is required"),
        "{}",
        apply.all()
    );

    // Filled in, the import goes through and nothing is left to change.
    let filled = generated
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("environment_id") {
                format!("  environment_id = \"{ENVIRONMENT_ID}\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    tf.write("generated.tf", &filled);
    let applied = tf.apply();
    assert!(applied.stdout.contains("1 imported"), "{}", applied.stdout);
    let plan = tf.plan_exit(&[]);
    assert_eq!(plan.code, 0, "nothing left to change:\n{}", plan.all());
    assert_eq!(
        tf.resource_values("anypoint_client_application_contract.adopted")
            .unwrap()["id"],
        made["id"]
    );
}

/// Names that show nothing or display in another order than stored, and URLs
/// holding invisible formatting characters or user information, are refused
/// at validate, each on its own line, naming the attribute and the rule.
#[test]
fn invisible_and_display_reordering_characters_and_url_credentials_are_refused() {
    // (attribute line as written in HCL, what the detail names)
    let bad: &[(&str, &str)] = &[
        (r#"name = "\u200B""#, "visible character"),
        (r#"name = "\u200B\u2060\u3164""#, "visible character"),
        (r#"name = "line\u2028break""#, "U+2028"),
        (r#"name = "para\u2029graph""#, "U+2029"),
        (r#"name = "\uFEFFbom""#, "U+FEFF"),
        (r#"name = "invoice\u202Efdp.exe""#, "U+202E"),
        (r#"name = "a\u2066b\u2069""#, "U+2066"),
        (r#"url = "https://portal.example.com/\u202Eppa""#, "U+202E"),
        (
            r#"url = "https://user:pw@portal.example.com/home""#,
            "user information",
        ),
        (
            r#"redirect_uris = ["https://portal.example.com/\u2067cb"]"#,
            "U+2067",
        ),
    ];
    let mut hcl = String::new();
    let mut lines = Vec::new();
    for (i, (attr, _)) in bad.iter().enumerate() {
        let name = if attr.starts_with("name") {
            String::new()
        } else {
            format!("  name = \"ok-{i}\"\n")
        };
        hcl.push_str(&format!(
            "resource \"anypoint_client_application\" \"a{i}\" {{\n{name}  {attr} # bad-{i}\n}}\n"
        ));
    }
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(&emu, &hcl);
    let text = std::fs::read_to_string(tf.work().join("main.tf")).unwrap();
    for i in 0..bad.len() {
        let n = text
            .lines()
            .position(|l| l.ends_with(&format!("# bad-{i}")))
            .unwrap();
        lines.push(n as u64 + 1);
    }
    let (errors, _) = validate_errors(&tf);
    assert_eq!(errors.len(), bad.len(), "one error each: {errors:#?}");
    for (i, (attr, says)) in bad.iter().enumerate() {
        let d = errors
            .iter()
            .find(|d| d["range"]["start"]["line"] == lines[i])
            .unwrap_or_else(|| panic!("no error on the line of {attr}: {errors:#?}"));
        let attribute = attr.split_whitespace().next().unwrap();
        let detail = d["detail"].as_str().unwrap();
        assert!(
            detail.contains(attribute) && detail.contains(says),
            "{attr}: {d:#}"
        );
    }
    assert!(emu.handle.requests().is_empty());
}

#[test]
fn an_empty_base_url_is_one_clear_error() {
    let emu = TestEmulator::start();
    let block = emu
        .provider_block()
        .replace(&format!("\"{}\"", emu.url), "\"\"");
    assert!(block.contains("base_url      = \"\""), "{block}");
    let tf = TfDir::new(&format!("{block}\n{}", app("  name = \"p\"")));
    let (errors, _) = validate_errors(&tf);
    assert_eq!(errors.len(), 1, "one error: {errors:#?}");
    let d = &errors[0];
    assert_eq!(d["summary"], "Empty base_url", "{d:#}");
    let detail = d["detail"].as_str().unwrap();
    assert!(
        detail.contains("https://anypoint.mulesoft.com") && detail.contains("control_plane"),
        "{d:#}"
    );
    assert_eq!(d["range"]["start"]["line"], line_of(&tf, "base_url"));
    assert!(emu.handle.requests().is_empty());
}

/// An empty `ANYPOINT_BASE_URL` is a mistake, not "unset": the plan fails
/// naming the variable instead of going to the US control plane.
#[test]
fn an_empty_base_url_variable_is_an_error_naming_it() {
    let emu = TestEmulator::start();
    let block = emu
        .provider_block()
        .replace(&format!("  base_url      = \"{}\"\n", emu.url), "");
    assert!(!block.contains("base_url"), "{block}");
    let mut tf = TfDir::new(&format!(
        "{block}\ndata \"anypoint_client_applications\" \"all\" {{}}\n"
    ));
    tf.set_env("ANYPOINT_BASE_URL", "");
    let out = tf.run(&["plan", "-no-color", "-input=false"]);
    let text = flat(&out.all());
    assert_eq!(out.code, 1, "{text}");
    assert!(text.contains("Empty ANYPOINT_BASE_URL"), "{text}");
    assert!(text.contains("unset ANYPOINT_BASE_URL"), "{text}");
    assert!(
        !text.contains("anypoint.mulesoft.com:"),
        "no call was tried: {text}"
    );
    assert!(emu.handle.requests().is_empty());
}

/// A huge `name_filter` is refused at validate with a short message: the
/// value is quoted by its first characters and its length.
#[test]
fn a_huge_name_filter_is_refused_with_a_short_message() {
    let emu = TestEmulator::start();
    let tf = tf_with_emulator(
        &emu,
        "data \"anypoint_client_applications\" \"f\" {\n  name_filter = format(\"%0100000d\", 0)\n}\n",
    );
    let (errors, out) = validate_errors(&tf);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let d = &errors[0];
    assert_eq!(d["summary"], "Value too long", "{d:#}");
    let detail = d["detail"].as_str().unwrap();
    assert!(
        detail.contains("name_filter")
            && detail.contains("at most 255")
            && detail.contains("100000"),
        "{d:#}"
    );
    assert!(detail.len() < 400, "{} bytes: {detail}", detail.len());
    assert!(
        out.all().len() < 5_000,
        "{} bytes of output",
        out.all().len()
    );
    assert!(emu.handle.requests().is_empty());
}
