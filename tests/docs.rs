//! The Registry docs follow the schema: every attribute of the provider, of
//! each resource, of each data source and of each ephemeral resource is
//! documented on its page, in the right section (Required / Optional /
//! Read-Only), and no page documents an attribute the schema lacks. On a mismatch the test prints the expected
//! schema section.

use std::collections::BTreeMap;
use std::path::Path;

use anypoint_provider::framework::{Attribute, Provider, Schema};
use anypoint_provider::provider::AnypointProvider;
use anypoint_provider::tfvalue::Type;

fn type_label(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn section(a: &Attribute) -> &'static str {
    if a.required {
        "Required"
    } else if a.optional {
        "Optional"
    } else {
        "Read-Only"
    }
}

/// The schema part of a page as we expect it.
pub fn expected_schema_markdown(schema: &Schema) -> String {
    let mut by_section: BTreeMap<usize, (&str, Vec<&Attribute>)> = BTreeMap::new();
    for a in &schema.attributes {
        let s = section(a);
        let idx = ["Required", "Optional", "Read-Only"]
            .iter()
            .position(|x| *x == s)
            .unwrap();
        by_section.entry(idx).or_insert((s, Vec::new())).1.push(a);
    }
    let mut out = String::from("## Schema\n");
    for (_, (name, mut attrs)) in by_section {
        attrs.sort_by(|a, b| a.name.cmp(&b.name));
        out.push_str(&format!("\n### {name}\n\n"));
        for a in attrs {
            let mut label = type_label(&a.ty);
            if a.sensitive {
                label.push_str(", Sensitive");
            }
            out.push_str(&format!("- `{}` ({label}) {}\n", a.name, a.description));
        }
    }
    out
}

/// (section, attribute name) pairs documented on a page.
fn documented(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = None;
    let mut in_schema = false;
    for line in page.lines() {
        if line.starts_with("## ") {
            in_schema = line.trim() == "## Schema";
            current = None;
            continue;
        }
        if !in_schema {
            continue;
        }
        if let Some(h) = line.strip_prefix("### ") {
            current = Some(h.trim().to_owned());
            continue;
        }
        if let (Some(sec), Some(rest)) = (&current, line.strip_prefix("- `")) {
            if let Some((name, _)) = rest.split_once('`') {
                out.push((sec.clone(), name.to_owned()));
            }
        }
    }
    out
}

fn check_page(path: &Path, schema: &Schema, problems: &mut Vec<String>) {
    let Ok(page) = std::fs::read_to_string(path) else {
        problems.push(format!(
            "{} is missing; its schema section should be:\n{}",
            path.display(),
            expected_schema_markdown(schema)
        ));
        return;
    };
    if !page.starts_with("---\n") || !page.contains("page_title:") {
        problems.push(format!("{}: no Registry front matter", path.display()));
    }
    if !page.contains("## Example Usage") {
        problems.push(format!("{}: no Example Usage section", path.display()));
    }
    let docs = documented(&page);
    let mut page_problems = Vec::new();
    for a in &schema.attributes {
        match docs.iter().find(|(_, n)| n == &a.name) {
            None => page_problems.push(format!("attribute `{}` is not documented", a.name)),
            Some((sec, _)) if sec != section(a) => page_problems.push(format!(
                "attribute `{}` is under {sec}, but the schema makes it {}",
                a.name,
                section(a)
            )),
            _ => {}
        }
    }
    for (_, n) in &docs {
        if schema.get(n).is_none() {
            page_problems.push(format!("documents `{n}`, which the schema lacks"));
        }
    }
    if !page_problems.is_empty() {
        problems.push(format!(
            "{}:\n  {}\nexpected schema section:\n{}",
            path.display(),
            page_problems.join("\n  "),
            expected_schema_markdown(schema)
        ));
    }
}

#[test]
fn docs_match_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let p = AnypointProvider;
    let mut problems = Vec::new();
    check_page(&root.join("index.md"), &p.schema(), &mut problems);
    for r in p.resources() {
        let short = r.type_name().trim_start_matches("anypoint_");
        check_page(
            &root.join("resources").join(format!("{short}.md")),
            &r.schema(),
            &mut problems,
        );
    }
    for d in p.data_sources() {
        let short = d.type_name().trim_start_matches("anypoint_");
        check_page(
            &root.join("data-sources").join(format!("{short}.md")),
            &d.schema(),
            &mut problems,
        );
    }
    let ephemerals = p.ephemeral_resources();
    assert!(
        !ephemerals.is_empty(),
        "the provider serves ephemeral resources, so their pages are checked"
    );
    for e in ephemerals {
        let short = e.type_name().trim_start_matches("anypoint_");
        check_page(
            &root.join("ephemeral-resources").join(format!("{short}.md")),
            &e.schema(),
            &mut problems,
        );
    }
    // Every page belongs to something the provider serves: a page left
    // behind by a rename documents nothing.
    for (dir, names) in [
        (
            "resources",
            p.resources()
                .iter()
                .map(|r| r.type_name())
                .collect::<Vec<_>>(),
        ),
        (
            "data-sources",
            p.data_sources().iter().map(|d| d.type_name()).collect(),
        ),
        (
            "ephemeral-resources",
            p.ephemeral_resources()
                .iter()
                .map(|e| e.type_name())
                .collect(),
        ),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(short) = file.strip_suffix(".md") else {
                continue;
            };
            if !names.contains(&format!("anypoint_{short}").as_str()) {
                problems.push(format!(
                    "docs/{dir}/{file} documents anypoint_{short}, which the provider does not serve as one of its {dir}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn ephemeral_pages_say_they_stay_out_of_plan_and_state() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ephemeral-resources");
    for e in AnypointProvider.ephemeral_resources() {
        let short = e.type_name().trim_start_matches("anypoint_");
        let path = root.join(format!("{short}.md"));
        let page =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            page.contains("(Ephemeral Resource)") && page.contains("Terraform 1.10"),
            "{short}.md names its kind and the Terraform version it needs"
        );
        assert!(
            page.contains(&format!("ephemeral \"{}\"", e.type_name())),
            "{short}.md shows an ephemeral block"
        );
    }
}

#[test]
fn the_checker_notices_a_missing_and_an_extra_attribute() {
    let schema = Schema::new("x")
        .attribute(Attribute::string("a").required())
        .attribute(Attribute::string("b").computed());
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.md");
    std::fs::write(
        &page,
        "---\npage_title: x\n---\n## Example Usage\n## Schema\n\n### Required\n\n- `a` (String)\n- `zzz` (String)\n",
    )
    .unwrap();
    let mut problems = Vec::new();
    check_page(&page, &schema, &mut problems);
    let text = problems.join("\n");
    assert!(text.contains("`b` is not documented"), "{text}");
    assert!(text.contains("`zzz`, which the schema lacks"), "{text}");
}
