//! The Registry docs follow the schema: every attribute of the provider, of
//! each resource, of each data source and of each ephemeral resource is
//! documented on its page, in the right section (Required / Optional /
//! Read-Only) with its type, and no page documents an attribute the schema
//! lacks. An attribute holding objects (an object, a list, set or map of
//! objects, or nested attributes) has a "Nested Schema" section with the
//! anchor tfplugindocs gives it, listing the object's attributes.
//!
//! The "## Schema" section of each page (up to the next `## ` heading) is
//! generated: it must be exactly what `expected_schema_markdown` renders.
//! With `DOCS_WRITE=1` (`scripts/docs.sh`) the test rewrites each page's
//! Schema section in place before checking, keeping the prose around it; on
//! a mismatch without it, the test says to run `scripts/docs.sh`.
//!
//! Links between pages work where the Registry renders them: no relative
//! link (the Registry serves a page without its `.md` and resolves relative
//! links from the wrong directory), only the Registry's own paths to pages
//! that exist, anchors that exist, and absolute URLs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anypoint_provider::provider::AnypointProvider;
use tfplugin::framework::{Attribute, Nesting, Provider, Schema};
use tfplugin::tfvalue::Type;

/// Where the Registry serves this provider's documentation; links between
/// pages use this path (`.../docs` is the index page, `.../docs/<kind>/<page>`
/// the others).
const REGISTRY_DOCS: &str = "/providers/anypoint-platform/anypoint/latest/docs";

fn docs_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

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

/// The type in parentheses after an attribute's name, as tfplugindocs
/// writes it.
fn attribute_label(a: &Attribute) -> String {
    let mut label = match &a.nested {
        Some(n) => match n.nesting {
            Nesting::Single => "Attributes",
            Nesting::List => "Attributes List",
            Nesting::Set => "Attributes Set",
            Nesting::Map => "Attributes Map",
        }
        .to_owned(),
        None => type_label(&a.ty),
    };
    if a.sensitive {
        label.push_str(", Sensitive");
    }
    label
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

const SECTIONS: [&str; 3] = ["Required", "Optional", "Read-Only"];

/// The attributes of an object type, or of the objects a collection holds.
fn object_fields(ty: &Type) -> Option<&BTreeMap<String, Type>> {
    match ty {
        Type::Object(fields) => Some(fields),
        Type::List(e) | Type::Set(e) | Type::Map(e) => match e.as_ref() {
            Type::Object(fields) => Some(fields),
            _ => None,
        },
        _ => None,
    }
}

/// One "Nested Schema" section: its anchor, the path in its title, and its
/// groups ("Read-Only:" and so on) of (attribute name, type label).
#[derive(Debug, Clone, PartialEq)]
struct NestedSection {
    anchor: String,
    title: String,
    groups: Vec<(String, Vec<(String, String)>)>,
}

/// What an attribute line points to: the anchor of its nested section.
fn see_below(anchor: &str) -> String {
    format!("(see [below for nested schema](#{anchor}))")
}

/// The nested sections of a schema in the order tfplugindocs writes them:
/// after each list of attributes, the sections of its attributes that hold
/// objects, each followed at once by its own.
fn nested_sections(schema: &Schema) -> Vec<NestedSection> {
    let mut out = Vec::new();
    let mut attrs: Vec<&Attribute> = schema.attributes.iter().collect();
    sort_by_section(&mut attrs);
    for a in attrs {
        attribute_sections(std::slice::from_ref(&a.name), a, section(a), &mut out);
    }
    out
}

fn sort_by_section(attrs: &mut [&Attribute]) {
    attrs.sort_by(|a, b| {
        let pos = |x: &Attribute| SECTIONS.iter().position(|s| *s == section(x)).unwrap();
        (pos(a), &a.name).cmp(&(pos(b), &b.name))
    });
}

/// Sections for an attribute (nested attributes or an object type).
fn attribute_sections(path: &[String], a: &Attribute, group: &str, out: &mut Vec<NestedSection>) {
    if let Some(nested) = &a.nested {
        let mut children: Vec<&Attribute> = nested.attributes.iter().collect();
        sort_by_section(&mut children);
        let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for c in &children {
            let title = format!("{}:", section(c));
            match groups.last_mut() {
                Some((t, items)) if *t == title => items.push((c.name.clone(), attribute_label(c))),
                _ => groups.push((title, vec![(c.name.clone(), attribute_label(c))])),
            }
        }
        out.push(NestedSection {
            anchor: format!("nestedatt--{}", path.join("--")),
            title: path.join("."),
            groups,
        });
        for c in children {
            let mut p = path.to_vec();
            p.push(c.name.clone());
            attribute_sections(&p, c, group, out);
        }
    } else if let Some(fields) = object_fields(&a.ty) {
        object_sections("nestedatt", path, fields, group, out);
    }
}

/// Sections for an object type; its attributes take the group of the
/// attribute that holds it (tfplugindocs: `nestedobjatt--` below the top).
fn object_sections(
    prefix: &str,
    path: &[String],
    fields: &BTreeMap<String, Type>,
    group: &str,
    out: &mut Vec<NestedSection>,
) {
    out.push(NestedSection {
        anchor: format!("{prefix}--{}", path.join("--")),
        title: path.join("."),
        groups: vec![(
            format!("{group}:"),
            fields
                .iter()
                .map(|(n, t)| (n.clone(), type_label(t)))
                .collect(),
        )],
    });
    for (name, ty) in fields {
        if let Some(inner) = object_fields(ty) {
            let mut p = path.to_vec();
            p.push(name.clone());
            object_sections("nestedobjatt", &p, inner, group, out);
        }
    }
}

/// The anchor an attribute line at `path` must point to, if it holds objects.
fn anchor_of(path: &[String], nested: bool, ty: &Type, top: bool) -> Option<String> {
    if nested || top && object_fields(ty).is_some() {
        Some(format!("nestedatt--{}", path.join("--")))
    } else if object_fields(ty).is_some() {
        Some(format!("nestedobjatt--{}", path.join("--")))
    } else {
        None
    }
}

/// The schema part of a page as we expect it.
pub fn expected_schema_markdown(schema: &Schema) -> String {
    let mut attrs: Vec<&Attribute> = schema.attributes.iter().collect();
    sort_by_section(&mut attrs);
    let mut out = String::from("## Schema\n");
    let mut current = "";
    for a in attrs {
        if section(a) != current {
            current = section(a);
            out.push_str(&format!("\n### {current}\n\n"));
        }
        out.push_str(&format!("- `{}` ({})", a.name, attribute_label(a)));
        if !a.description.is_empty() {
            out.push_str(&format!(" {}", a.description));
        }
        let path = [a.name.clone()];
        if let Some(anchor) = anchor_of(&path, a.nested.is_some(), &a.ty, true) {
            out.push_str(&format!(" {}", see_below(&anchor)));
        }
        out.push('\n');
    }
    for s in nested_sections(schema) {
        out.push_str(&format!(
            "\n<a id=\"{}\"></a>\n### Nested Schema for `{}`\n",
            s.anchor, s.title
        ));
        let parts: Vec<&str> = s.title.split('.').collect();
        for (title, items) in &s.groups {
            out.push_str(&format!("\n{title}\n\n"));
            for (name, label) in items {
                out.push_str(&format!("- `{name}` ({label})"));
                let mut path: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                path.push(name.clone());
                let ty = field_type(schema, &path);
                let nested = nested_attr(schema, &path).is_some();
                if let Some(anchor) = ty.and_then(|t| anchor_of(&path, nested, t, false)) {
                    out.push_str(&format!(" {}", see_below(&anchor)));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The attribute of nested attributes at `path`, if it is one.
fn nested_attr<'a>(schema: &'a Schema, path: &[String]) -> Option<&'a Attribute> {
    let mut attrs = &schema.attributes;
    let mut found = None;
    for p in path {
        let a = attrs.iter().find(|a| &a.name == p)?;
        found = Some(a);
        attrs = &a.nested.as_ref()?.attributes;
    }
    found
}

/// The type of the attribute at `path` (through nested attributes and
/// object types).
fn field_type<'a>(schema: &'a Schema, path: &[String]) -> Option<&'a Type> {
    let first = schema.get(&path[0])?;
    let mut ty = &first.ty;
    let mut attr = Some(first);
    for p in &path[1..] {
        if let Some(child) = attr
            .and_then(|a| a.nested.as_ref())
            .and_then(|n| n.attributes.iter().find(|c| &c.name == p))
        {
            ty = &child.ty;
            attr = Some(child);
        } else {
            ty = object_fields(ty)?.get(p)?;
            attr = None;
        }
    }
    Some(ty)
}

/// One documented attribute line: (section, name, type label, the rest).
type Line = (String, String, String, String);

fn parse_item(line: &str) -> Option<(String, String, String)> {
    let rest = line.strip_prefix("- `")?;
    let (name, rest) = rest.split_once('`')?;
    let rest = rest.strip_prefix(" (").unwrap_or("");
    let (label, rest) = rest.split_once(')').unwrap_or(("", rest));
    Some((name.to_owned(), label.to_owned(), rest.trim().to_owned()))
}

/// The top-level attribute lines of a page's schema.
fn documented(page: &str) -> Vec<Line> {
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
        if line.starts_with("<a id=") || line.starts_with("### Nested Schema for") {
            // The nested sections follow the top-level ones.
            in_schema = false;
            continue;
        }
        if let Some(h) = line.strip_prefix("### ") {
            current = Some(h.trim().to_owned());
            continue;
        }
        if let (Some(sec), Some((name, label, rest))) = (&current, parse_item(line)) {
            out.push((sec.clone(), name, label, rest));
        }
    }
    out
}

/// The nested sections of a page, as written, and for each its item lines'
/// trailing text by attribute name (to find the "see below" links).
fn documented_nested(page: &str) -> Vec<(NestedSection, BTreeMap<String, String>)> {
    let mut out: Vec<(NestedSection, BTreeMap<String, String>)> = Vec::new();
    let mut pending_anchor: Option<String> = None;
    let mut open = false;
    for line in page.lines() {
        if let Some(rest) = line.strip_prefix("<a id=\"") {
            pending_anchor = rest.split_once('"').map(|(a, _)| a.to_owned());
            open = false;
            continue;
        }
        if let Some(rest) = line.strip_prefix("### Nested Schema for `") {
            let title = rest.trim_end().trim_end_matches('`').to_owned();
            out.push((
                NestedSection {
                    anchor: pending_anchor.take().unwrap_or_default(),
                    title,
                    groups: Vec::new(),
                },
                BTreeMap::new(),
            ));
            open = true;
            continue;
        }
        if line.starts_with('#') {
            open = false;
            continue;
        }
        if !open {
            continue;
        }
        let (section, rests) = out.last_mut().unwrap();
        let t = line.trim();
        if SECTIONS.iter().any(|s| t == format!("{s}:")) {
            section.groups.push((t.to_owned(), Vec::new()));
        } else if let Some((name, label, rest)) = parse_item(line) {
            if section.groups.is_empty() {
                section.groups.push((String::new(), Vec::new()));
            }
            section
                .groups
                .last_mut()
                .unwrap()
                .1
                .push((name.clone(), label));
            rests.insert(name, rest);
        }
    }
    out
}

/// Whether this run rewrites the pages' Schema sections (`scripts/docs.sh`).
fn write_mode() -> bool {
    std::env::var_os("DOCS_WRITE").is_some_and(|v| v == "1")
}

/// Where a page's Schema section lies: from its heading to the next `## `
/// heading, or to the end.
fn schema_span(page: &str) -> Option<std::ops::Range<usize>> {
    let start = if page.starts_with("## Schema\n") {
        0
    } else {
        page.find("\n## Schema\n")? + 1
    };
    let end = page[start..]
        .find("\n## ")
        .map_or(page.len(), |i| start + i + 1);
    Some(start..end)
}

/// The page with its Schema section as the schema renders it (appended
/// when the page has none); the prose around it is kept.
fn generated_page(page: &str, schema: &Schema) -> String {
    let section = expected_schema_markdown(schema);
    match schema_span(page) {
        Some(r) if r.end < page.len() => {
            format!("{}{section}\n{}", &page[..r.start], &page[r.end..])
        }
        Some(r) => format!("{}{section}", &page[..r.start]),
        None => format!("{}\n\n{section}", page.trim_end()),
    }
}

/// Checks a page against the schema; with `write`, first rewrites its
/// Schema section from the schema.
fn check_page(path: &Path, schema: &Schema, write: bool, problems: &mut Vec<String>) {
    let Ok(mut page) = std::fs::read_to_string(path) else {
        problems.push(format!(
            "{} is missing; its schema section should be:\n{}",
            path.display(),
            expected_schema_markdown(schema)
        ));
        return;
    };
    let generated = generated_page(&page, schema);
    if write && generated != page {
        std::fs::write(path, &generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        page = std::fs::read_to_string(path).unwrap();
    }
    if !page.starts_with("---\n") || !page.contains("page_title:") {
        problems.push(format!("{}: no Registry front matter", path.display()));
    }
    if !page.contains("## Example Usage") {
        problems.push(format!("{}: no Example Usage section", path.display()));
    }
    let docs = documented(&page);
    let mut page_problems = Vec::new();
    for a in &schema.attributes {
        match docs.iter().find(|(_, n, _, _)| n == &a.name) {
            None => page_problems.push(format!("attribute `{}` is not documented", a.name)),
            Some((sec, _, label, rest)) => {
                if sec != section(a) {
                    page_problems.push(format!(
                        "attribute `{}` is under {sec}, but the schema makes it {}",
                        a.name,
                        section(a)
                    ));
                }
                if *label != attribute_label(a) {
                    page_problems.push(format!(
                        "attribute `{}` is labelled ({label}), but its type is ({})",
                        a.name,
                        attribute_label(a)
                    ));
                }
                let path = [a.name.clone()];
                let anchor = anchor_of(&path, a.nested.is_some(), &a.ty, true);
                let text = rest.strip_suffix(&anchor.as_deref().map(see_below).unwrap_or_default());
                if text.map(str::trim) != Some(a.description.trim()) {
                    page_problems.push(format!(
                        "attribute `{}` is described otherwise than in the schema",
                        a.name
                    ));
                }
                if let Some(anchor) = anchor {
                    if !rest.contains(&see_below(&anchor)) {
                        page_problems.push(format!(
                            "attribute `{}` holds objects but its line does not end with {}",
                            a.name,
                            see_below(&anchor)
                        ));
                    }
                }
            }
        }
    }
    for (_, n, _, _) in &docs {
        if schema.get(n).is_none() {
            page_problems.push(format!("documents `{n}`, which the schema lacks"));
        }
    }
    // Nested sections: exactly the expected ones, in order, with their
    // anchors, groups and attributes, and "see below" links inside them.
    let expected = nested_sections(schema);
    let written = documented_nested(&page);
    let written_sections: Vec<NestedSection> = written.iter().map(|(s, _)| s.clone()).collect();
    if written_sections != expected {
        page_problems.push(format!(
            "the nested schema sections differ:\n    written:  {written_sections:?}\n    expected: {expected:?}"
        ));
    }
    for (s, rests) in &written {
        let parts: Vec<String> = s.title.split('.').map(str::to_owned).collect();
        for (name, rest) in rests {
            let mut p = parts.clone();
            p.push(name.clone());
            let nested = nested_attr(schema, &p).is_some();
            if let Some(anchor) =
                field_type(schema, &p).and_then(|t| anchor_of(&p, nested, t, false))
            {
                if !rest.contains(&see_below(&anchor)) {
                    page_problems.push(format!(
                        "`{}` holds objects but its line does not end with {}",
                        p.join("."),
                        see_below(&anchor)
                    ));
                }
            }
        }
        if !page.contains(&format!(
            "<a id=\"{}\"></a>\n### Nested Schema for `{}`",
            s.anchor, s.title
        )) {
            page_problems.push(format!(
                "the anchor <a id=\"{}\"></a> is not on the line before its heading",
                s.anchor
            ));
        }
    }
    if page != generated {
        page_problems.push("the Schema section is not the one generated from the schema".into());
    }
    if !page_problems.is_empty() {
        problems.push(format!(
            "{}:\n  {}\nRun scripts/docs.sh to rewrite the Schema section from the schema \
             (edit only the prose above \"## Schema\"). Expected schema section:\n{}",
            path.display(),
            page_problems.join("\n  "),
            expected_schema_markdown(schema)
        ));
    }
}

/// The slug a heading gets as an anchor (lowercase; letters, digits, `-` and
/// `_` kept, spaces turned into `-`, everything else dropped).
fn heading_slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors a page defines: its headings' slugs and its `<a id>` tags.
fn anchors(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.starts_with('#') {
            out.push(heading_slug(line.trim_start_matches('#')));
        }
        let mut rest = line;
        while let Some(i) = rest.find("<a id=\"") {
            let after = &rest[i + 7..];
            if let Some((id, tail)) = after.split_once('"') {
                out.push(id.to_owned());
                rest = tail;
            } else {
                break;
            }
        }
    }
    out
}

/// The targets of the inline links of a page, outside code.
fn link_targets(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop inline code spans.
        let text: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join("");
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    out
}

/// The page a Registry path names, if it is one of ours.
fn registry_page(path: &str) -> Option<PathBuf> {
    let rest = path.strip_prefix(REGISTRY_DOCS)?;
    if rest.is_empty() {
        return Some(docs_root().join("index.md"));
    }
    let page = rest.strip_prefix('/')?;
    (!page.is_empty() && !page.ends_with(".md")).then(|| docs_root().join(format!("{page}.md")))
}

/// Problems with the links of one page.
fn check_links(path: &Path, page: &str, problems: &mut Vec<String>) {
    let here = path.display();
    for target in link_targets(page) {
        if target.starts_with("https://")
            || target.starts_with("http://")
            || target.starts_with("mailto:")
        {
            continue;
        }
        let (base, fragment) = match target.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (target.as_str(), None),
        };
        let linked_page = if base.is_empty() {
            Some(path.to_path_buf())
        } else if let Some(p) = registry_page(base) {
            Some(p)
        } else {
            problems.push(format!(
                "{here}: the link ({target}) is {}; the Registry serves pages without `.md` and \
                 resolves relative links from the wrong directory: link to {REGISTRY_DOCS}/<kind>/<page> instead",
                if base.contains(".md") {
                    "a relative .md link"
                } else {
                    "not a path the Registry serves"
                }
            ));
            None
        };
        let Some(linked_page) = linked_page else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&linked_page) else {
            problems.push(format!(
                "{here}: the link ({target}) names {}, which does not exist",
                linked_page.display()
            ));
            continue;
        };
        if let Some(fragment) = fragment {
            if !anchors(&text).iter().any(|a| a == fragment) {
                problems.push(format!(
                    "{here}: the link ({target}) names the anchor #{fragment}, which {} lacks",
                    linked_page.display()
                ));
            }
        }
    }
}

/// Every Markdown file under `dir`.
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

#[test]
fn docs_match_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let p = AnypointProvider;
    let write = write_mode();
    let mut problems = Vec::new();
    check_page(&root.join("index.md"), &p.schema(), write, &mut problems);
    for r in p.resources() {
        let short = r.type_name().trim_start_matches("anypoint_");
        check_page(
            &root.join("resources").join(format!("{short}.md")),
            &r.schema(),
            write,
            &mut problems,
        );
    }
    for d in p.data_sources() {
        let short = d.type_name().trim_start_matches("anypoint_");
        check_page(
            &root.join("data-sources").join(format!("{short}.md")),
            &d.schema(),
            write,
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
            write,
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
    check_page(&page, &schema, false, &mut problems);
    let text = problems.join("\n");
    assert!(text.contains("`b` is not documented"), "{text}");
    assert!(text.contains("`zzz`, which the schema lacks"), "{text}");
}

#[test]
fn links_in_docs_work_on_the_registry() {
    let mut files = Vec::new();
    markdown_files(&docs_root(), &mut files);
    assert!(files.len() > 5, "the docs are found: {files:?}");
    let mut problems = Vec::new();
    for f in &files {
        check_links(f, &std::fs::read_to_string(f).unwrap(), &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn docs_holds_only_pages_the_registry_publishes() {
    // The Registry's layout: the index, and one page per resource, data
    // source, ephemeral resource or guide. Contributor documents live in
    // contributing/.
    let root = docs_root();
    let mut strays = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let p = entry.path();
        let ok = if p.is_dir() {
            ["resources", "data-sources", "ephemeral-resources", "guides"].contains(&name.as_str())
                && std::fs::read_dir(&p)
                    .unwrap()
                    .flatten()
                    .all(|e| e.path().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        } else {
            name == "index.md"
        };
        if !ok {
            strays.push(name);
        }
    }
    assert!(
        strays.is_empty(),
        "docs/ holds what the Registry does not publish (contributor documents go to contributing/): {strays:?}"
    );
}

#[test]
fn the_link_checker_refuses_relative_links_and_missing_pages_and_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.md");
    let text = format!(
        "# Page\n\n## A section\n\n\
         [one](resources/client_application.md) [two](../guides/installation.md)\n\
         [three](#nowhere) [four]({REGISTRY_DOCS}/resources/no_such_thing)\n\
         [five]({REGISTRY_DOCS}/guides/installation#no-such-heading) [six](guides/installation)\n\
         Fine: [a]({REGISTRY_DOCS}/guides/installation#from-a-network-mirror) [b]({REGISTRY_DOCS})\n\
         [c](#a-section) [d](https://example.com/notes.md) `[e](not/a/link.md)`\n\n\
         ```\n[f](inside/a/fence.md)\n```\n"
    );
    std::fs::write(&page, &text).unwrap();
    let mut problems = Vec::new();
    check_links(&page, &text, &mut problems);
    let all = problems.join("\n");
    assert_eq!(problems.len(), 6, "{all}");
    assert!(
        all.contains("(resources/client_application.md) is a relative .md link"),
        "{all}"
    );
    assert!(
        all.contains("(../guides/installation.md) is a relative .md link"),
        "{all}"
    );
    assert!(all.contains("the anchor #nowhere"), "{all}");
    assert!(
        all.contains("no_such_thing.md, which does not exist"),
        "{all}"
    );
    assert!(all.contains("the anchor #no-such-heading"), "{all}");
    assert!(
        all.contains("(guides/installation) is not a path the Registry serves"),
        "{all}"
    );
}

#[test]
fn the_checker_wants_a_nested_section_for_each_attribute_holding_objects() {
    let limit = Type::Object(BTreeMap::from([
        ("maximum".to_owned(), Type::Number),
        ("period".to_owned(), Type::Number),
    ]));
    let tier = Type::Object(BTreeMap::from([
        ("name".to_owned(), Type::String),
        ("limits".to_owned(), Type::List(Box::new(limit))),
    ]));
    let schema = Schema::new("x")
        .attribute(Attribute::string("id").required())
        .attribute(Attribute::list("tiers", tier).computed());
    let expected = expected_schema_markdown(&schema);
    assert!(
        expected.contains(
            "- `tiers` (List of Object) (see [below for nested schema](#nestedatt--tiers))\n"
        ),
        "{expected}"
    );
    assert!(
        expected.contains(
            "<a id=\"nestedatt--tiers\"></a>\n### Nested Schema for `tiers`\n\nRead-Only:\n\n\
             - `limits` (List of Object) (see [below for nested schema](#nestedobjatt--tiers--limits))\n\
             - `name` (String)\n"
        ),
        "{expected}"
    );
    assert!(
        expected.contains(
            "<a id=\"nestedobjatt--tiers--limits\"></a>\n### Nested Schema for `tiers.limits`\n\n\
             Read-Only:\n\n- `maximum` (Number)\n- `period` (Number)\n"
        ),
        "{expected}"
    );

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.md");
    let front = "---\npage_title: x\n---\n## Example Usage\n";
    // The expected section passes.
    std::fs::write(&page, format!("{front}{expected}")).unwrap();
    let mut problems = Vec::new();
    check_page(&page, &schema, false, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Without the nested sections (and the pointer to them), it fails.
    let top_only = expected
        .split("\n<a id=")
        .next()
        .unwrap()
        .replace(" (see [below for nested schema](#nestedatt--tiers))", "");
    std::fs::write(&page, format!("{front}{top_only}")).unwrap();
    let mut problems = Vec::new();
    check_page(&page, &schema, false, &mut problems);
    let text = problems.join("\n");
    assert!(text.contains("the nested schema sections differ"), "{text}");
    assert!(text.contains("`tiers` holds objects"), "{text}");

    // A nested section missing one attribute fails too.
    let short = expected.replace("- `period` (Number)\n", "");
    std::fs::write(&page, format!("{front}{short}")).unwrap();
    let mut problems = Vec::new();
    check_page(&page, &schema, false, &mut problems);
    assert!(
        problems
            .join("\n")
            .contains("the nested schema sections differ"),
        "{problems:?}"
    );
}

#[test]
fn write_mode_restores_a_broken_schema_section_and_keeps_the_prose() {
    let r = AnypointProvider
        .resources()
        .into_iter()
        .find(|r| r.type_name() == "anypoint_client_application_owner")
        .expect("the owner resource is served");
    let schema = r.schema();
    let original =
        std::fs::read_to_string(docs_root().join("resources/client_application_owner.md")).unwrap();
    let section = expected_schema_markdown(&schema);
    assert!(
        original.contains(&section),
        "the checked-in page is generated"
    );
    assert!(
        original.contains("\n## Import\n"),
        "a section follows the schema"
    );

    // A description edited by hand and an attribute line dropped.
    let first_item = section.lines().find(|l| l.starts_with("- `")).unwrap();
    let broken_section = section
        .replacen(first_item, &format!("{first_item} Edited by hand."), 1)
        .replacen(
            section.lines().rfind(|l| l.starts_with("- `")).unwrap(),
            "",
            1,
        );
    let broken = original.replacen(&section, &broken_section, 1);
    assert_ne!(broken, original);

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("client_application_owner.md");
    std::fs::write(&page, &broken).unwrap();
    let mut problems = Vec::new();
    check_page(&page, &schema, false, &mut problems);
    let text = problems.join("\n");
    assert!(text.contains("Run scripts/docs.sh"), "{text}");
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        broken,
        "checking writes nothing"
    );

    let mut problems = Vec::new();
    check_page(&page, &schema, true, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), original);

    // A page without a Schema section gets one at its end.
    let head = &original[..original.find("## Schema\n").unwrap()];
    std::fs::write(&page, head).unwrap();
    check_page(&page, &schema, true, &mut Vec::new());
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        format!("{}\n\n{section}", head.trim_end())
    );
}
