//! The examples under `examples/` are valid: every example directory passes
//! `terraform validate` with our provider (and our binary standing in for
//! another provider of type `anypoint` that one requires), and the import
//! examples use ids the provider accepts. Their layout is checked in process
//! (`examples_layout`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::*;
use serde_json::Value as Json;

/// Every directory under `examples/` that has no subdirectory.
fn leaf_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let subs = subdirs(dir);
    if subs.is_empty() {
        out.push(dir.to_path_buf());
    }
    for s in subs {
        leaf_dirs(&dir.join(s), out);
    }
}

/// The `.tf` files of a directory: (file name, content), sorted by name.
fn tf_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                read_text(&e.path()),
            )
        })
        .collect();
    files.sort();
    files
}

fn declares_provider(files: &[(String, String)]) -> bool {
    files
        .iter()
        .any(|(_, c)| c.contains("provider \"anypoint\""))
}

/// The other providers of type `anypoint` that the files require (full
/// source addresses): the guide's example beside MuleSoft's provider names
/// `mulesoft-anypoint/anypoint`.
fn other_anypoint_sources(files: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = files
        .iter()
        .flat_map(|(_, c)| c.lines())
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            let v = v.trim().trim_matches('"');
            (k.trim() == "source" && v.ends_with("/anypoint") && v != "anypoint-platform/anypoint")
                .then(|| match v.matches('/').count() {
                    1 => format!("registry.terraform.io/{v}"),
                    _ => v.to_owned(),
                })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// An error of a block that went to a stand-in (our binary in another
/// provider's place, which lacks that provider's types): it names the
/// stand-in's address, which shows the block says `provider =`. The same
/// block without it would name ours.
fn stand_in_lacks_type(d: &Json, stand_ins: &[String]) -> bool {
    let detail = d["detail"].as_str().unwrap_or("");
    d["severity"] == "error"
        && (d["summary"] == "Invalid resource type" || d["summary"] == "Invalid data source")
        && stand_ins.iter().any(|s| {
            let short = s.strip_prefix("registry.terraform.io/").unwrap_or(s);
            detail.starts_with(&format!("The provider {short} does not support "))
        })
}

/// `terraform validate -json` over these files (plus the provider example
/// when they declare no provider block): None when valid with no warning but
/// Terraform's note about development overrides, else what went wrong.
/// Another provider of type `anypoint` they require is stood in by our
/// binary: its blocks can only fail as types it lacks (see
/// [`stand_in_lacks_type`]), so ours are validated in full and theirs only
/// for going to the right provider.
fn validate(label: &str, files: &[(String, String)]) -> Option<String> {
    let stand_ins = other_anypoint_sources(files);
    let stand_in_refs: Vec<&str> = stand_ins.iter().map(String::as_str).collect();
    let tf = TfDir::with_stand_ins("", &stand_in_refs);
    std::fs::remove_file(tf.work().join("main.tf")).unwrap();
    for (name, content) in files {
        tf.write(name, content);
    }
    if !declares_provider(files) {
        tf.write(
            "provider.tf",
            &read_text(&examples_root().join("provider/provider.tf")),
        );
    }
    let out = tf.run(&["validate", "-json", "-no-color"]);
    let v: Json = match serde_json::from_str(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            return Some(format!(
                "{label}: no JSON from validate ({e}):\n{}",
                out.all()
            ))
        }
    };
    let diagnostics = v["diagnostics"].as_array().into_iter().flatten();
    let stand_in_errors = diagnostics
        .clone()
        .filter(|d| stand_in_lacks_type(d, &stand_ins))
        .count();
    let unexpected: Vec<&Json> = diagnostics
        .filter(|d| d["summary"] != "Provider development overrides are in effect")
        .filter(|d| !stand_in_lacks_type(d, &stand_ins))
        .collect();
    let failed = out.code != 0 || v["valid"] != true;
    if !unexpected.is_empty() || (failed && stand_in_errors == 0) {
        return Some(format!(
            "{label}: exit {}, valid {}, diagnostics {unexpected:#?}\n{}",
            out.code, v["valid"], out.stderr
        ));
    }
    None
}

#[test]
fn every_example_directory_passes_terraform_validate() {
    let root = examples_root();
    let mut leaves = Vec::new();
    leaf_dirs(&root, &mut leaves);
    let rel = |p: &Path| p.strip_prefix(&root).unwrap().display().to_string();
    let names: BTreeSet<String> = leaves.iter().map(|p| rel(p)).collect();
    // Every type the provider's registry lists has its example directory.
    let expected: Vec<String> = [
        "provider",
        "quickstart",
        "guides/adopt-existing",
        "guides/beside-mulesoft-providers",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(
        resource_types()
            .into_iter()
            .map(|t| format!("resources/{t}")),
    )
    .chain(
        data_source_types()
            .into_iter()
            .map(|t| format!("data-sources/{t}")),
    )
    .chain(
        ephemeral_types()
            .into_iter()
            .map(|t| format!("ephemeral-resources/{t}")),
    )
    .collect();
    for expected in &expected {
        assert!(names.contains(expected), "{expected} is among {names:?}");
    }

    let mut failures = Vec::new();
    let mut validated = 0;
    for dir in &leaves {
        let label = rel(dir);
        let files = tf_files(dir);
        if files.is_empty() {
            failures.push(format!("{label}: no .tf file"));
            continue;
        }
        // The whole directory together: an import block next to the
        // resource it imports into.
        validated += 1;
        failures.extend(validate(&label, &files));
        // resource.tf on its own as well, when the directory has more.
        if files.len() > 1 {
            if let Some(main) = files.iter().find(|(n, _)| n == "resource.tf") {
                validated += 1;
                failures.extend(validate(
                    &format!("{label}/resource.tf"),
                    std::slice::from_ref(main),
                ));
            }
        }
    }
    assert!(validated >= 12, "validated {validated} configurations");
    assert!(
        failures.is_empty(),
        "invalid examples:\n{}",
        failures.join("\n\n")
    );
}

/// The (address, id) pairs of a resource directory's import examples.
fn import_examples(type_name: &str) -> Vec<(String, String)> {
    let dir = examples_root().join("resources").join(type_name);
    let mut out = Vec::new();

    let sh = read_text(&dir.join("import.sh"));
    assert!(
        sh.contains("terraform import"),
        "import.sh shows terraform import"
    );
    for line in sh.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("terraform import ") {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(parts.len(), 2, "address and id in {line:?}");
            out.push((parts[0].to_owned(), parts[1].trim_matches('"').to_owned()));
        }
    }

    let block = read_text(&dir.join("import-by-string-id.tf"));
    let value = |key: &str| {
        block
            .lines()
            .map(str::trim)
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| panic!("{key} in import-by-string-id.tf"))
    };
    assert!(block.contains("import {"), "an import block");
    out.push((value("to"), value("id")));

    // `terraform validate` does not check that an import block's target is
    // declared (plan can generate it), so check the pairing here.
    let main = read_text(&dir.join("resource.tf"));
    for (address, _) in &out {
        let (t, name) = address.split_once('.').expect("type.name");
        assert_eq!(t, type_name, "{address} imports into a {type_name}");
        assert!(
            main.contains(&format!("resource \"{t}\" \"{name}\"")),
            "resource.tf declares {address}"
        );
    }
    out
}

#[test]
fn import_examples_use_ids_the_provider_accepts() {
    // The example ids name an organization and application that do not
    // exist here, so each import fails, but only after the provider accepted
    // the id's form and asked the platform for the object.
    let mut checked = 0;
    for type_name in resource_types() {
        let examples = import_examples(&type_name);
        assert!(examples.len() >= 2, "{type_name}: {examples:?}");
        let main = read_text(
            &examples_root()
                .join("resources")
                .join(&type_name)
                .join("resource.tf"),
        );
        for (address, id) in examples {
            let emu = TestEmulator::start();
            let tf = tf_with_emulator(&emu, &main);
            let out = tf.run(&["import", "-no-color", "-input=false", &address, &id]);
            assert!(
                !out.all().contains("Invalid import id"),
                "{address} {id}: the example id has the documented form:\n{}",
                out.all()
            );
            assert!(
                emu.handle.request_count("GET", "/apiplatform/") > 0,
                "{address} {id}: the provider looked the object up: {:?}\n{}",
                emu.handle.requests(),
                out.all()
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "checked {checked} import examples");
}
