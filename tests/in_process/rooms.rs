//! Guard: what the crate boundaries cannot say.
//!
//! The workspace's crates are the rooms, and Cargo already holds their
//! arrows (`tfplugin` and `anypoint-client` never name each other; the
//! emulator is only a dev-dependency). These tests hold the rest:
//! - inside the provider crate, `support`, `resources`, `data_sources` and
//!   `ephemeral` never import `provider` or the wire, and resources never
//!   stand on data sources;
//! - inside `tfplugin`, the value model and the framework know nothing of the
//!   protobuf types or the plugin runtime, and no provider is named;
//! - no crate's modules import each other in a circle;
//! - the provider binary carries no emulator code.
//!
//! The scans read code lines; comment lines (`//`, `///`, `//!`) are skipped,
//! since a doc link is no dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

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

/// The files of one module of a crate's `src`: `<src>/<room>/**.rs` and
/// `<src>/<room>.rs`, whichever exist.
fn room_files(src: &str, room: &str) -> Vec<PathBuf> {
    let src = workspace().join(src);
    let mut files = Vec::new();
    let dir = src.join(room);
    if dir.is_dir() {
        files.extend(rust_files(&dir));
    }
    let single = src.join(format!("{room}.rs"));
    if single.is_file() {
        files.push(single);
    }
    assert!(
        !files.is_empty(),
        "{}/{room} has no files; update tests/in_process/rooms.rs",
        src.display()
    );
    files
}

/// The code lines of a file (comment lines dropped), numbered from 1.
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text =
        fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(n, l)| (n + 1, l.to_owned()))
        .collect()
}

/// `file:line: text` for every code line of the rooms that mentions one of
/// the forbidden strings.
fn violations(src: &str, rooms: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for room in rooms {
        for file in room_files(src, room) {
            for (n, line) in code_lines(&file) {
                for word in forbidden {
                    if line.contains(word) {
                        let rel = file.strip_prefix(workspace()).unwrap_or(&file);
                        found.push(format!(
                            "{}:{n}: mentions `{word}`: {}",
                            rel.display(),
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    found
}

fn assert_clean(rule: &str, src: &str, rooms: &[&str], forbidden: &[&str]) {
    let found = violations(src, rooms, forbidden);
    assert!(
        found.is_empty(),
        "{rule}\n{} line(s) import against it:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn resources_data_sources_and_support_stand_on_the_client_not_on_the_wire() {
    assert_clean(
        "src/resources, src/data_sources, src/ephemeral and src/support must not import the \
         provider module (nothing imports it back), the plugin runtime or the protobuf types, \
         and hold no HTTP code (reqwest belongs to anypoint-client)",
        "src",
        &["resources", "data_sources", "ephemeral", "support"],
        &[
            "crate::provider",
            "tfplugin::plugin",
            "tfplugin::proto",
            "reqwest",
        ],
    );
}

#[test]
fn resources_never_stand_on_data_sources() {
    assert_clean(
        "src/data_sources may check items with a resource's own validation, so the arrow runs \
         from data_sources to resources only",
        "src",
        &["resources", "support", "ephemeral"],
        &["crate::data_sources"],
    );
}

#[test]
fn the_value_model_and_the_framework_know_nothing_of_the_wire() {
    assert_clean(
        "tfplugin's framework and tfvalue must not use the protobuf types or the plugin runtime: \
         all protobuf conversions live in tfplugin::plugin",
        "crates/tfplugin/src",
        &["framework", "tfvalue"],
        &["crate::proto", "crate::plugin"],
    );
}

#[test]
fn tfplugin_names_no_provider() {
    // Code, comments, build script and manifest: a provider's names come in
    // as parameters (`plugin::Names`), never as literals.
    let mut files = rust_files(&workspace().join("crates/tfplugin/src"));
    files.push(workspace().join("crates/tfplugin/build.rs"));
    files.push(workspace().join("crates/tfplugin/Cargo.toml"));
    let naming: Vec<String> = files
        .iter()
        .filter(|f| {
            fs::read_to_string(f)
                .unwrap_or_else(|e| panic!("reading {}: {e}", f.display()))
                .to_ascii_lowercase()
                .contains("anypoint")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        naming.is_empty(),
        "tfplugin serves any provider, but these files name one: {naming:?}"
    );
}

/// The module path of a file of `src`: `mod.rs`, `lib.rs` and `main.rs`
/// stand for their folder (the crate root is "").
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The names a file defines at any depth (functions, types, traits,
/// constants, statics, macros), from its non-test code lines.
fn defined_names(lines: &[(usize, String)]) -> BTreeSet<String> {
    const KINDS: [&str; 9] = [
        "fn ",
        "struct ",
        "enum ",
        "trait ",
        "const ",
        "static ",
        "type ",
        "union ",
        "macro_rules! ",
    ];
    let mut names = BTreeSet::new();
    for (_, line) in lines {
        for kind in KINDS {
            let mut rest = line.as_str();
            while let Some(i) = rest.find(kind) {
                let before = rest[..i].chars().last();
                let tail = &rest[i + kind.len()..];
                if before.is_none_or(|c| !c.is_alphanumeric() && c != '_') {
                    let name: String = tail
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        names.insert(name);
                    }
                }
                rest = tail;
            }
        }
    }
    names
}

/// The code lines of a file up to its unit tests (which may reach anywhere
/// and are no part of the layering).
fn layered_lines(file: &Path) -> Vec<(usize, String)> {
    code_lines(file)
        .into_iter()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .collect()
}

/// Every path a line names from the crate: `crate::a::B`, `super::B`,
/// `self::a::B`, or `a::B` for a child module `a`, with `{…}` groups of one
/// line spread out. Paths come back as segments relative to the crate root.
fn named_paths(line: &str, me: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0
            || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
        if !boundary || !(chars[i].is_alphabetic() || chars[i] == '_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':')
        {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        // `pub(super)` and the like are visibility, not paths.
        if !word.contains("::") {
            continue;
        }
        let segs: Vec<&str> = word.split("::").filter(|s| !s.is_empty()).collect();
        let Some(first) = segs.first() else { continue };
        let own: Vec<String> = me
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // The module the path starts from, and how many segments that took.
        let (base, used): (Vec<String>, usize) = match *first {
            "crate" => (Vec::new(), 1),
            "self" => (own, 1),
            "super" => {
                let ups = segs.iter().take_while(|s| **s == "super").count();
                (own[..own.len().saturating_sub(ups)].to_vec(), ups)
            }
            child if children.contains(child) => {
                let mut b = own;
                b.push(child.to_owned());
                (b, 1)
            }
            _ => continue,
        };
        let mut path = base;
        path.extend(segs[used..].iter().map(|s| s.to_string()));
        // `crate::a::{B, c::D}` on one line: one path per member.
        if word.ends_with("::") && chars.get(i) == Some(&'{') {
            let close = chars[i..].iter().position(|c| *c == '}').map(|p| i + p);
            if let Some(close) = close {
                let group: String = chars[i + 1..close].iter().collect();
                for member in group.split(',') {
                    let mut p = path.clone();
                    p.extend(
                        member
                            .trim()
                            .split(" as ")
                            .next()
                            .unwrap_or("")
                            .split("::")
                            .filter(|s| !s.is_empty() && *s != "self")
                            .map(str::to_owned),
                    );
                    out.push(p);
                }
                i = close + 1;
                continue;
            }
        }
        out.push(path);
    }
    out
}

/// The modules of a crate's `src` and which others each one uses: a path
/// is followed down the module tree as far as it names modules, and its
/// last name is taken to the module that defines it (through re-exports).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    let mut lines = BTreeMap::new();
    let mut defines: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let me = module_of(src, file);
        let l = layered_lines(file);
        defines.insert(me.clone(), defined_names(&l));
        lines.insert(me, l);
    }
    let modules: BTreeSet<String> = defines.keys().cloned().collect();
    let children_of = |m: &str| -> BTreeSet<String> {
        modules
            .iter()
            .filter_map(|c| {
                let rest = if m.is_empty() {
                    Some(c.as_str())
                } else {
                    c.strip_prefix(m)?.strip_prefix("::")
                };
                rest.filter(|r| !r.is_empty() && !r.contains("::"))
                    .map(str::to_owned)
            })
            .collect()
    };
    // A name to the module that defines it, searched below `prefix`
    // (nearest first), for a path that ends in an item, not a module.
    let definer = |prefix: &str, name: &str| -> Option<String> {
        let mut below: Vec<&String> = modules
            .iter()
            .filter(|m| prefix.is_empty() || *m == prefix || m.starts_with(&format!("{prefix}::")))
            .filter(|m| defines[*m].contains(name))
            .collect();
        below.sort_by_key(|m| m.matches("::").count());
        below.first().map(|m| m.to_string())
    };
    let mut graph = BTreeMap::new();
    for (me, code) in &lines {
        let children = children_of(me);
        let mut arrows = BTreeSet::new();
        // A `use` written over several lines is read as one line.
        let mut joined: Vec<String> = Vec::new();
        let mut open = false;
        for (_, line) in code {
            if open {
                joined.last_mut().unwrap().push_str(line.trim());
            } else {
                joined.push(line.clone());
            }
            let t = line.trim_start();
            let starts_use = t.starts_with("use ") || (t.starts_with("pub") && t.contains(" use "));
            open = (open || starts_use) && !t.trim_end().ends_with(';');
        }
        for line in &joined {
            let t = line.trim_start();
            // `mod a;` declares a child; it uses nothing.
            if t.starts_with("mod ")
                || t.starts_with("pub mod ")
                || t.starts_with("pub(crate) mod ")
            {
                continue;
            }
            for path in named_paths(line, me, &children) {
                let mut module = String::new();
                let mut n = 0;
                while n < path.len() {
                    let next = if module.is_empty() {
                        path[n].clone()
                    } else {
                        format!("{module}::{}", path[n])
                    };
                    if !modules.contains(&next) {
                        break;
                    }
                    module = next;
                    n += 1;
                }
                let target = match path.get(n) {
                    Some(name) => definer(&module, name).unwrap_or(module),
                    None => module,
                };
                if !target.is_empty() && target != *me {
                    arrows.insert(target);
                }
            }
        }
        graph.insert(me.clone(), arrows);
    }
    graph
}

/// One circle of `graph`, if there is any (depth-first search).
fn a_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = graph.keys().map(|k| (k.as_str(), Mark::New)).collect();
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        mark: &mut BTreeMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        mark.insert(node, Mark::Open);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            match mark.get(next.as_str()).copied().unwrap_or(Mark::Done) {
                Mark::Open => {
                    let from = stack.iter().position(|n| *n == next.as_str()).unwrap();
                    let mut circle: Vec<String> =
                        stack[from..].iter().map(|s| s.to_string()).collect();
                    circle.push(next.clone());
                    return Some(circle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, mark, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        mark.insert(node, Mark::Done);
        None
    }
    let nodes: Vec<&str> = graph.keys().map(String::as_str).collect();
    for node in nodes {
        if mark[node] == Mark::New {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut mark, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_crate_has_an_import_circle() {
    for src in [
        "src",
        "crates/tfplugin/src",
        "crates/anypoint-client/src",
        "crates/anypoint-emulator/src",
        "crates/secret/src",
    ] {
        let graph = module_graph(&workspace().join(src));
        if let Some(circle) = a_circle(&graph) {
            panic!(
                "the modules of {src} import each other in a circle: {}\n\
                 move what both need into a module of its own below them",
                circle.join(" -> ")
            );
        }
    }
}

#[test]
fn the_circle_finder_sees_a_circle() {
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("d".to_owned(), BTreeSet::new()),
    ]);
    let circle = a_circle(&graph).expect("a -> b -> c -> a");
    assert_eq!(circle.first(), circle.last());
    assert_eq!(circle.len(), 4);
    let layered = BTreeMap::from([
        (
            "a".to_owned(),
            BTreeSet::from(["b".to_owned(), "c".to_owned()]),
        ),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::new()),
    ]);
    assert_eq!(a_circle(&layered), None);
}

#[test]
fn the_guard_sees_a_forbidden_mention() {
    // The scanner itself: the provider module does import the support room.
    let found = violations("src", &["provider"], &["crate::support"]);
    assert!(
        !found.is_empty(),
        "the scanner found nothing in src/provider"
    );
    assert!(found[0].starts_with("src/provider/"), "{}", found[0]);
}

#[test]
fn the_provider_binary_carries_no_emulator() {
    let provider = fs::read(env!("CARGO_BIN_EXE_terraform-provider-anypoint"))
        .expect("read the provider binary");
    let needle = b"anypoint_emulator";
    assert!(
        !provider.windows(needle.len()).any(|w| w == needle),
        "the provider binary holds emulator code: anypoint-emulator must stay a dev-dependency"
    );
    // The search can see the client's code, so it would see the emulator's.
    let client = b"anypoint_client";
    assert!(provider.windows(client.len()).any(|w| w == client));
}
