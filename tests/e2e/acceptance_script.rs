//! `scripts/acceptance.sh` (the maintainers' run against a real organization)
//! runs against the in-process emulator here, so the script is known to work:
//! the lifecycle passes (with a contract), `--probe` answers every question
//! and names, for each question the emulator has variants for, the variant
//! in force (one probe run per variant, and one of the default), and neither
//! leaves an application or a contract behind.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::*;
use anypoint_emulator::{
    EmulatorConfig, Variant, API_GROUP_INSTANCE_COMMERCE, API_GROUP_INSTANCE_REFERENCE,
    API_INSTANCE_CATALOG, API_INSTANCE_ORDERS, ENVIRONMENT_ID, TIER_ORDERS_BRONZE,
    TIER_ORDERS_PLATINUM,
};

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/acceptance.sh")
}

/// The script with a clean Anypoint/Terraform environment plus `env`.
fn run_script(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(script()).args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("ANYPOINT_") || k.starts_with("TF_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("TERRAFORM", terraform_bin())
        .env("CHECKPOINT_DISABLE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run scripts/acceptance.sh")
}

fn emulator_env(emu: &TestEmulator) -> Vec<(&'static str, String)> {
    let cfg = &emu.config;
    vec![
        ("ANYPOINT_BASE_URL", emu.url.clone()),
        ("ANYPOINT_CLIENT_ID", cfg.client_id.clone()),
        ("ANYPOINT_CLIENT_SECRET", cfg.client_secret.clone()),
        (
            "ANYPOINT_PROVIDER_DIR",
            provider_bin().parent().unwrap().display().to_string(),
        ),
    ]
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The answer line of question `q` in the probe report.
fn answer<'a>(report: &'a str, q: &str) -> &'a str {
    let start = report
        .find(&format!("\n{q} "))
        .unwrap_or_else(|| panic!("the report has no question {q}:\n{report}"));
    let block = &report[start + 1..];
    let block = &block[..block.find("\n\n").unwrap_or(block.len())];
    block
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("answer: "))
        .unwrap_or_else(|| panic!("question {q} has no answer line:\n{block}"))
}

/// The `variant:` line of block `q` in the probe report.
fn variant_line<'a>(report: &'a str, q: &str) -> &'a str {
    let start = report
        .find(&format!("\n{q} "))
        .unwrap_or_else(|| panic!("the report has no block {q}:\n{report}"));
    let block = &report[start + 1..];
    let block = &block[..block.find("\n\n").unwrap_or(block.len())];
    block
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("variant: "))
        .unwrap_or_else(|| panic!("block {q} has no variant line:\n{block}"))
}

/// The report block that answers a variant's question.
fn block_of(v: Variant) -> &'static str {
    match v {
        Variant::RevokeApprovedOnly | Variant::RevokeRefused => "TEARDOWN",
        Variant::RevokeAgain200 | Variant::RevokeAgain400 => "Q11",
        Variant::RevokeLegacyOnly => "REVOKE-PATH",
        Variant::InstanceWithApiId => "INSTANCE-APIID",
        Variant::OwnerAddExisting201 => "Q7",
        Variant::BusinessGroup => "Q4",
        Variant::PutKeepsNull => "Q10",
        Variant::DeprecatedTier => "DEPRECATED-TIER",
        Variant::ListHidesApplications => "Q9",
        Variant::ListItemsShort => "LIST-ITEMS",
        Variant::NoManageContracts => "MANAGE-CONTRACTS",
        Variant::NoViewContracts => "VIEW-CONTRACTS",
        Variant::ApiSearchLoose => "API-SEARCH",
        Variant::GroupContractGroupInstance
        | Variant::GroupContractGroupInstances
        | Variant::GroupContractApiGroupInstanceId => "GROUP-CONTRACT-FIELD",
        Variant::GroupInstanceWithoutAsset => "GROUP-INSTANCE-ASSET",
    }
}

/// Every block with a variant line.
fn variant_blocks() -> Vec<&'static str> {
    let mut blocks: Vec<&str> = Variant::ALL.iter().map(|v| block_of(*v)).collect();
    blocks.dedup();
    blocks
}

/// Run `--probe` against a fresh emulator with `variant` in force (and the
/// orders instance, which has tiers approved at once and one that is not,
/// and the Commerce API group instance);
/// check it passed and left nothing behind; return the report.
fn probe_under(variant: Option<Variant>) -> String {
    probe_under_with(variant, &[])
}

/// [`probe_under`], with `extra` variables for the script.
fn probe_under_with(variant: Option<Variant>, extra: &[(&str, String)]) -> String {
    let emu = TestEmulator::start_with(EmulatorConfig {
        variants: variant.into_iter().collect(),
        ..EmulatorConfig::default()
    });
    let mut env = emulator_env(&emu);
    env.push(("ANYPOINT_API_INSTANCE_ID", API_INSTANCE_ORDERS.to_string()));
    env.push(("ANYPOINT_ENVIRONMENT_ID", ENVIRONMENT_ID.to_owned()));
    env.push((
        "ANYPOINT_API_GROUP_INSTANCE_ID",
        API_GROUP_INSTANCE_COMMERCE.to_string(),
    ));
    env.extend(extra.iter().cloned());
    let out = run_script(&["--probe"], &env);
    let (report, stderr) = text(&out);
    assert!(
        out.status.success(),
        "probe under {variant:?} failed:\n{report}\n{stderr}"
    );
    assert_eq!(
        emu.handle.application_count(),
        0,
        "left behind under {variant:?}: {:?}",
        emu.handle.applications()
    );
    report
}

/// The probe under `variant` names it for its question, names `also` for
/// the questions it answers too, and the default answer for every other.
fn probe_names(variant: Variant, also: &[(&str, &str)]) {
    probe_names_with(variant, also, &[]);
}

/// [`probe_names`], with `extra` variables for the script.
fn probe_names_with(variant: Variant, also: &[(&str, &str)], extra: &[(&str, String)]) {
    let report = probe_under_with(Some(variant), extra);
    let own = block_of(variant);
    assert_eq!(
        variant_line(&report, own),
        variant.name(),
        "under {variant}:\n{report}"
    );
    for block in variant_blocks() {
        if block == own {
            continue;
        }
        let line = variant_line(&report, block);
        match also.iter().find(|(b, _)| *b == block) {
            Some((_, expected)) => assert!(
                line.starts_with(expected),
                "{block} under {variant}: {line:?}, expected {expected:?}"
            ),
            None => assert!(
                line.starts_with("default ("),
                "{block} under {variant}: {line:?}\n{report}"
            ),
        }
    }
}

#[test]
fn every_variant_question_has_its_block_in_the_probe() {
    let blocks = variant_blocks();
    assert_eq!(blocks.len(), 15, "{blocks:?}");
    let script = std::fs::read_to_string(script()).unwrap();
    for block in blocks {
        assert!(
            script.contains(&format!("report {block} ")),
            "scripts/acceptance.sh reports {block}"
        );
    }
}

#[test]
fn probe_of_the_default_emulator_names_the_default_answer_everywhere() {
    let report = probe_under(None);
    for block in variant_blocks() {
        let line = variant_line(&report, block);
        assert!(line.starts_with("default ("), "{block}: {line:?}\n{report}");
    }
}

#[test]
fn probe_names_revoke_approved_only() {
    // A revoked contract is not APPROVED: revoking it again is 400 too.
    probe_names(Variant::RevokeApprovedOnly, &[("Q11", "revoke-again-400")]);
}

#[test]
fn probe_names_revoke_refused() {
    probe_names(Variant::RevokeRefused, &[("Q11", "unknown (")]);
}

#[test]
fn probe_names_revoke_again_200() {
    probe_names(Variant::RevokeAgain200, &[]);
}

#[test]
fn probe_names_revoke_again_400() {
    probe_names(Variant::RevokeAgain400, &[]);
}

#[test]
fn probe_names_revoke_legacy_only() {
    probe_names(Variant::RevokeLegacyOnly, &[]);
}

#[test]
fn probe_names_instance_with_api_id() {
    probe_names(Variant::InstanceWithApiId, &[]);
}

#[test]
fn probe_names_owner_add_existing_201() {
    probe_names(Variant::OwnerAddExisting201, &[]);
}

#[test]
fn probe_names_business_group() {
    probe_names(Variant::BusinessGroup, &[]);
}

#[test]
fn probe_names_put_keeps_null() {
    probe_names(Variant::PutKeepsNull, &[]);
}

#[test]
fn probe_names_deprecated_tier() {
    probe_names(Variant::DeprecatedTier, &[]);
}

#[test]
fn probe_names_list_hides_applications() {
    // With none of its applications listed, the items' shape is unknown.
    probe_names(
        Variant::ListHidesApplications,
        &[("LIST-ITEMS", "unknown (")],
    );
}

#[test]
fn probe_names_list_items_short() {
    probe_names(Variant::ListItemsShort, &[]);
}

#[test]
fn probe_names_group_contract_group_instance() {
    probe_names(Variant::GroupContractGroupInstance, &[]);
}

#[test]
fn probe_names_group_contract_group_instances() {
    probe_names(Variant::GroupContractGroupInstances, &[]);
}

#[test]
fn probe_names_group_contract_api_group_instance_id() {
    probe_names(Variant::GroupContractApiGroupInstanceId, &[]);
}

#[test]
fn probe_names_group_instance_without_asset() {
    probe_names(Variant::GroupInstanceWithoutAsset, &[]);
}

#[test]
fn probe_names_no_manage_contracts() {
    // Without the permission no revoke succeeds, so the revoke questions
    // stay open.
    probe_names(
        Variant::NoManageContracts,
        &[
            ("TEARDOWN", "unknown ("),
            ("Q11", "unknown ("),
            ("REVOKE-PATH", "unknown ("),
        ],
    );
}

#[test]
fn probe_names_no_view_contracts() {
    // Without the tier list the user names the tiers; a deprecated tier
    // cannot be told.
    probe_names_with(
        Variant::NoViewContracts,
        &[("DEPRECATED-TIER", "unknown (the tiers answered 403")],
        &[
            ("ANYPOINT_TIER_ID", TIER_ORDERS_BRONZE.to_string()),
            ("ANYPOINT_PENDING_TIER_ID", TIER_ORDERS_PLATINUM.to_string()),
        ],
    );
}

#[test]
fn probe_names_api_search_loose() {
    probe_names(Variant::ApiSearchLoose, &[]);
}

#[test]
fn without_credentials_it_exits_2_and_names_the_variables() {
    let out = run_script(&[], &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        stderr.contains("ANYPOINT_CLIENT_ID") && stderr.contains("ANYPOINT_CLIENT_SECRET"),
        "{stderr}"
    );
    let out = run_script(&["--probe"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lifecycle_passes_against_the_emulator_and_leaves_nothing() {
    let emu = TestEmulator::start();
    let mut env = emulator_env(&emu);
    env.push(("ANYPOINT_API_INSTANCE_ID", API_INSTANCE_ORDERS.to_string()));
    env.push(("ANYPOINT_ENVIRONMENT_ID", ENVIRONMENT_ID.to_owned()));
    let out = run_script(&[], &env);
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "acceptance.sh failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("Acceptance lifecycle passed"),
        "{stdout}\n{stderr}"
    );
    for step in [
        "==> create",
        "==> update",
        "==> owner",
        "==> contract (API instance 40001, tier 50001)",
        "==> import",
        "==> contract destroy",
        "==> destroy",
    ] {
        assert!(stdout.contains(step), "step {step:?} ran:\n{stdout}");
    }
    // The contract was requested through Exchange, imported, and ended by
    // the provider (revoke, then delete) before the application went.
    assert_eq!(emu.handle.request_count("POST", "/exchange/api/v2/"), 1);
    assert!(
        emu.handle.request_count("PATCH", "/apimanager/api/v1/") >= 1
            && emu.handle.request_count("DELETE", "/apimanager/api/v1/") >= 1,
        "{:?}",
        emu.handle.requests()
    );
    // It really went through the platform: a create, an update, an owner.
    assert!(
        emu.handle
            .request_count("POST", "/apiplatform/repository/v2/organizations")
            >= 2
    );
    assert!(
        emu.handle
            .request_count("PUT", "/apiplatform/repository/v2/organizations")
            >= 1
    );
    assert_eq!(
        emu.handle.application_count(),
        0,
        "left behind: {:?}",
        emu.handle.applications()
    );
}

#[test]
fn a_failed_step_still_cleans_up() {
    let emu = TestEmulator::start();
    let mut env = emulator_env(&emu);
    // The owner step fails: no such user. The application created before it
    // must still be destroyed.
    env.push((
        "ANYPOINT_OWNER_USER_ID",
        "00000000-0000-4000-8000-00000000dead".to_owned(),
    ));
    let out = run_script(&[], &env);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("FAILED at step: owner"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(
        emu.handle.application_count(),
        0,
        "left behind: {:?}",
        emu.handle.applications()
    );
}

#[test]
fn probe_reports_the_emulators_answer_to_each_question() {
    let emu = TestEmulator::start();
    let mut env = emulator_env(&emu);
    env.push(("ANYPOINT_API_INSTANCE_ID", API_INSTANCE_CATALOG.to_string()));
    env.push(("ANYPOINT_ENVIRONMENT_ID", ENVIRONMENT_ID.to_owned()));
    env.push((
        "ANYPOINT_API_GROUP_INSTANCE_ID",
        API_GROUP_INSTANCE_REFERENCE.to_string(),
    ));
    let out = run_script(&["--probe"], &env);
    let (report, stderr) = text(&out);
    assert!(out.status.success(), "probe failed:\n{report}\n{stderr}");

    for q in [
        "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11",
    ] {
        let a = answer(&report, q);
        assert!(!a.trim().is_empty(), "{q} has an empty answer");
        assert!(!a.contains("not asked"), "{q} was not asked: {a}");
    }
    // What the emulator does, as the report must state it.
    assert!(
        answer(&report, "Q1").contains("duplicate create was refused with 409"),
        "{report}"
    );
    assert!(answer(&report, "Q2").starts_with("omitted fields are cleared"));
    let q3 = answer(&report, "Q3");
    assert!(
        q3.contains("a new clientSecret") && q3.contains("clientId unchanged"),
        "{q3}"
    );
    assert_eq!(answer(&report, "Q5"), "GET answers 404");
    assert!(
        answer(&report, "Q7").starts_with("409 Conflict"),
        "{report}"
    );
    assert!(answer(&report, "Q9").contains("with targetAdminSite=true: 2 of total 2"));
    let q10 = answer(&report, "Q10");
    assert!(q10.starts_with("null: 200"), "{q10}");
    let q11 = answer(&report, "Q11");
    // The emulator serves the documented revoke (the PATCH); the path in no
    // public source is an unknown route.
    assert!(
        q11.contains("PATCH api/v1 …/contracts/{id} {status:REVOKED}: first 200, again 409, contract then REVOKED"),
        "{q11}"
    );
    assert!(
        q11.contains("POST api/v1 …/contracts/{id}/revoke: first 404"),
        "{q11}"
    );
    // The look-ups of the data sources: shape and paging.
    let users = answer(&report, "USERS");
    assert!(
        users.starts_with("total 6, 2 item(s) with limit=2; keys: data, total"),
        "{users}"
    );
    assert!(users.contains("its own user among them: yes"), "{users}");
    let envs = answer(&report, "ENVIRONMENTS");
    assert!(
        envs.starts_with("total 2, 2 listed: Sandbox (sandbox), Production (production)"),
        "{envs}"
    );
    assert!(envs.contains("names used more than once: none"), "{envs}");
    let search = answer(&report, "API-SEARCH");
    for part in [
        "total 3, 3 asset(s) holding 3 instance(s) on one page (total counts assets)",
        "with limit=1: 1 asset(s) of total 3",
        "assetId=catalog-api: 1 of 1 asset(s) listed",
        "assetId=catalog-ap (a part) finds it: false",
    ] {
        assert!(search.contains(part), "{part:?} in {search}");
    }
    // An instance without a tier that needs approval leaves the pending
    // half of the teardown question unasked, and says so.
    let teardown = variant_line(&report, "TEARDOWN");
    assert!(teardown.starts_with("unknown (not asked"), "{teardown}");
    // The group instance without tiers: its asset read from it, and a group
    // contract requested, listed and ended.
    let asset = answer(&report, "GROUP-INSTANCE-ASSET");
    assert!(
        asset.contains("assetId=reference-data") && asset.contains("assetVersion=2.1.0"),
        "{asset}"
    );
    let field = answer(&report, "GROUP-CONTRACT-FIELD");
    assert!(field.contains("is listed with groupInstanceId"), "{field}");
    assert!(!field.contains("ending it answered"), "{field}");

    assert_eq!(
        emu.handle.application_count(),
        0,
        "left behind: {:?}",
        emu.handle.applications()
    );
    assert!(report.contains("clean-up: deleted application"), "{report}");
}
