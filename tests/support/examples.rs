//! The repository's `examples/` (Terraform Registry layout) and the
//! provider's type names they must cover.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anypoint_provider::provider::AnypointProvider;
use tfplugin::framework::Provider;

pub fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

pub fn read_text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

pub fn resource_types() -> BTreeSet<String> {
    AnypointProvider
        .resources()
        .iter()
        .map(|r| r.type_name().to_owned())
        .collect()
}

pub fn data_source_types() -> BTreeSet<String> {
    AnypointProvider
        .data_sources()
        .iter()
        .map(|d| d.type_name().to_owned())
        .collect()
}

pub fn ephemeral_types() -> BTreeSet<String> {
    AnypointProvider
        .ephemeral_resources()
        .iter()
        .map(|e| e.type_name().to_owned())
        .collect()
}

/// Names of the subdirectories of `dir`.
pub fn subdirs(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}
