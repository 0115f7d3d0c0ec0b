//! The layout of `examples/` (Terraform Registry layout): a page of
//! examples for every resource, data source and ephemeral resource, and the
//! guides' examples. That they are valid, with the real Terraform CLI, is
//! the end-to-end module `examples`.

use crate::support::*;

#[test]
fn registry_layout_exists() {
    let root = examples_root();
    assert!(root.join("provider/provider.tf").is_file());
    assert!(
        read_text(&root.join("provider/provider.tf")).contains("provider \"anypoint\""),
        "the provider example has a provider block"
    );

    // The types come from the provider's registry: a new one needs its directory.
    let resources = resource_types();
    assert!(!resources.is_empty(), "the registry lists resources");
    assert_eq!(
        subdirs(&root.join("resources")),
        resources,
        "one directory per resource type, and no other"
    );
    for t in &resources {
        for f in ["resource.tf", "import.sh", "import-by-string-id.tf"] {
            let p = root.join("resources").join(t).join(f);
            assert!(p.is_file(), "{} exists", p.display());
        }
        let main = read_text(&root.join("resources").join(t).join("resource.tf"));
        assert!(
            main.contains(&format!("resource \"{t}\" ")),
            "resources/{t}/resource.tf shows a {t}"
        );
    }

    let data_sources = data_source_types();
    assert!(!data_sources.is_empty(), "the registry lists data sources");
    assert_eq!(
        subdirs(&root.join("data-sources")),
        data_sources,
        "one directory per data source, and no other"
    );
    for t in &data_sources {
        let p = root.join("data-sources").join(t).join("data-source.tf");
        assert!(p.is_file(), "{} exists", p.display());
        assert!(
            read_text(&p).contains(&format!("data \"{t}\" ")),
            "{} shows the {t} data source",
            p.display()
        );
    }
    let ephemerals = ephemeral_types();
    assert!(
        !ephemerals.is_empty(),
        "the registry lists ephemeral resources"
    );
    assert_eq!(
        subdirs(&root.join("ephemeral-resources")),
        ephemerals,
        "one directory per ephemeral resource type, and no other"
    );
    for t in &ephemerals {
        let p = root
            .join("ephemeral-resources")
            .join(t)
            .join("ephemeral-resource.tf");
        assert!(p.is_file(), "{} exists", p.display());
        assert!(
            read_text(&p).contains(&format!("ephemeral \"{t}\" ")),
            "{} shows the {t} ephemeral resource",
            p.display()
        );
    }
    assert!(root.join("quickstart/main.tf").is_file());
    let adopt = read_text(&root.join("guides/adopt-existing/main.tf"));
    assert!(
        adopt.contains("import {") && adopt.contains("for_each = local.existing"),
        "the adoption guide imports with for_each"
    );
}

/// The top-level `resource` and `data` blocks of a configuration: (kind,
/// type, body lines).
fn blocks(text: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some((kind, rest)) = line
            .strip_prefix("resource \"")
            .map(|r| ("resource", r))
            .or_else(|| line.strip_prefix("data \"").map(|r| ("data", r)))
        else {
            continue;
        };
        let ty = rest.split('"').next().unwrap_or("").to_owned();
        let body = lines
            .by_ref()
            .take_while(|l| *l != "}")
            .map(str::to_owned)
            .collect();
        out.push((kind.to_owned(), ty, body));
    }
    out
}

#[test]
fn the_example_beside_mulesoft_gives_each_of_their_blocks_to_their_local_name() {
    let text = read_text(&examples_root().join("guides/beside-mulesoft-providers/main.tf"));
    assert!(
        text.contains("source  = \"mulesoft-anypoint/anypoint\"")
            && text.contains("provider \"mulesoft\" {")
            && text.contains("provider \"anypoint\" {"),
        "two local names, a provider block each"
    );
    let (resources, data_sources) = (resource_types(), data_source_types());
    let all = blocks(&text);
    let (mut theirs, mut ours) = (0, 0);
    for (kind, ty, body) in &all {
        let is_ours = match kind.as_str() {
            "resource" => resources.contains(ty),
            _ => data_sources.contains(ty),
        };
        let says_mulesoft = body.iter().any(|l| l.trim() == "provider = mulesoft");
        assert_eq!(
            says_mulesoft, !is_ours,
            "{kind} {ty}: `provider = mulesoft` on MuleSoft's blocks only"
        );
        if is_ours {
            ours += 1;
        } else {
            theirs += 1;
        }
    }
    assert!(theirs >= 3 && ours >= 3, "{all:?}");
}
