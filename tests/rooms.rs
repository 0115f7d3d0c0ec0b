//! Guard: the rooms of the crate import in one direction only.
//!
//! - `anypoint/` is the HTTP client and knows nothing of Terraform.
//! - `support/`, `resources/`, `data_sources/` (and `ephemeral/` when it
//!   exists) have no HTTP code, no wire code, and never import the provider.
//! - `framework/` and `tfvalue/` know nothing of protobuf or the plugin.
//!
//! The test reads the source files and looks at code lines; comment lines
//! (`//`, `///`, `//!`) are skipped, since a doc link is no dependency.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` (depth-first, bounded by the tree).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The files of one room: `src/<room>/**.rs` and `src/<room>.rs`, whichever exist.
fn room_files(room: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = src.join(room);
    if dir.is_dir() {
        files.extend(rust_files(&dir));
    }
    let single = src.join(format!("{room}.rs"));
    if single.is_file() {
        files.push(single);
    }
    files
}

/// `file:line: text` for every line of the rooms' files that mentions one of
/// the forbidden strings.
fn violations(rooms: &[&str], forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for room in rooms {
        for file in room_files(room) {
            let text = fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for word in forbidden {
                    if line.contains(word) {
                        let rel = file.strip_prefix(root).unwrap_or(&file);
                        found.push(format!(
                            "{}:{}: mentions `{word}`: {}",
                            rel.display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    found
}

fn assert_clean(rule: &str, rooms: &[&str], forbidden: &[&str]) {
    // The rule must look at something: a renamed room would make it vacuous.
    for room in rooms {
        if *room != "ephemeral" {
            assert!(
                !room_files(room).is_empty(),
                "room src/{room} has no files; update tests/rooms.rs"
            );
        }
    }
    let found = violations(rooms, forbidden);
    assert!(
        found.is_empty(),
        "{rule}\n{} line(s) import against it:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_http_client_knows_nothing_of_terraform() {
    assert_clean(
        "src/anypoint is the HTTP client: it must not use the framework, the value model, \
         the provider, the resources, the plugin or the protobuf types",
        &["anypoint"],
        &[
            "crate::framework",
            "crate::tfvalue",
            "crate::provider",
            "crate::resources",
            "crate::plugin",
            "crate::proto",
        ],
    );
}

#[test]
fn resources_data_sources_and_support_stand_on_the_client_not_on_the_wire() {
    assert_clean(
        "src/resources, src/data_sources, src/ephemeral and src/support must not import the \
         provider (nothing imports it back), the plugin or the protobuf types, and hold no \
         HTTP code (reqwest belongs to src/anypoint)",
        &["resources", "data_sources", "ephemeral", "support"],
        &[
            "crate::provider",
            "crate::plugin",
            "crate::proto",
            "reqwest",
        ],
    );
}

#[test]
fn the_value_model_and_the_framework_know_nothing_of_the_wire() {
    assert_clean(
        "src/framework and src/tfvalue must not use the protobuf types or the plugin: all \
         protobuf conversions live in src/plugin",
        &["framework", "tfvalue"],
        &["crate::proto", "crate::plugin"],
    );
}

#[test]
fn the_plugin_serves_the_framework_and_knows_no_platform() {
    assert_clean(
        "src/plugin turns RPCs into framework calls: it must not use the API client, the \
         support room, the resources or the provider (main.rs wires the provider in)",
        &["plugin"],
        &[
            "crate::anypoint",
            "crate::support",
            "crate::resources",
            "crate::data_sources",
            "crate::ephemeral",
            "crate::provider",
        ],
    );
}

#[test]
fn resources_never_stand_on_data_sources() {
    assert_clean(
        "src/data_sources may check items with a resource's own validation, so the arrow runs \
         from data_sources to resources only",
        &["resources", "support", "ephemeral"],
        &["crate::data_sources"],
    );
}

#[test]
fn the_emulator_shares_no_code_with_the_provider() {
    assert_clean(
        "src/emulator stands in for the platform: it must not use the client it is tested \
         against, nor any room of the provider",
        &["emulator"],
        &[
            "crate::anypoint",
            "crate::framework",
            "crate::tfvalue",
            "crate::plugin",
            "crate::proto",
            "crate::support",
            "crate::resources",
            "crate::data_sources",
            "crate::ephemeral",
            "crate::provider",
        ],
    );
}

#[test]
fn the_guard_sees_a_forbidden_mention() {
    // The scanner itself: a rule over a room whose code does use the string
    // finds it (the provider imports the support room).
    let found = violations(&["provider"], &["crate::support"]);
    assert!(
        !found.is_empty(),
        "the scanner found nothing in src/provider"
    );
    assert!(found[0].starts_with("src/provider/"), "{}", found[0]);
}
