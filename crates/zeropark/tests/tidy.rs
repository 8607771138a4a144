//! Repository-wide conventions, checked on every test run.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() && !matches!(name.as_str(), "target" | "node_modules" | ".git") {
            rust_files(&p, out);
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_stubs_debug_prints_or_ignored_tests() {
    // Spelled in pieces so this file does not match itself.
    let banned = [
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
        concat!("dbg", "!("),
        concat!("#[", "ignore"),
    ];
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for b in banned {
                if line.contains(b) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "stubs left:\n{}", found.join("\n"));
}

#[test]
fn every_crate_has_docs_and_is_on_the_map() {
    let root = root();
    let arch = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    assert!(
        readme.contains("cargo test --workspace"),
        "README gives the test command"
    );
    for e in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !e.path().join("Cargo.toml").exists() {
            continue;
        }
        assert!(
            arch.contains(&format!("crates/{name}")),
            "ARCHITECTURE.md does not describe crates/{name}"
        );
        let entry = ["src/lib.rs", "src/main.rs"]
            .iter()
            .map(|f| e.path().join(f))
            .find(|p| p.exists());
        let entry = entry.unwrap_or_else(|| panic!("crates/{name} has no lib.rs or main.rs"));
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(
            text.trim_start().starts_with("//!"),
            "{} has no crate documentation (//!)",
            entry.display()
        );
    }
}

/// The crates of the pure core: no I/O, no threads, no async, no storage.
const PURE: &[&str] = &[
    "domain",
    "factors",
    "accounting",
    "certs",
    "evaluate",
    "finance",
    "waste",
    "assets",
    "energy",
    "reports",
];

/// Our crates each adapter may depend on (issue: "one use-case layer, thin adapters").
const ADAPTERS: &[(&str, &[&str])] = &[
    ("server", &["app", "domain"]),
    // `lake` holds DataFusion (and Ballista): the binary calls it for `lake export` and
    // `report carbon-map --engine datafusion|ballista://..`, as it calls `server` and `mqtt`.
    ("zeropark", &["app", "domain", "server", "mqtt", "lake"]),
    ("ingest", &["domain"]),
];

/// The `zp-*` dependencies (without the prefix) of `crates/<name>`, from `[dependencies]`.
fn our_deps(name: &str) -> Vec<String> {
    let toml = std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml"))
        .unwrap_or_default();
    let mut deps = Vec::new();
    let mut in_deps = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some(rest) = line.strip_prefix("zp-") {
            let dep: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            deps.push(dep);
        }
    }
    deps.sort();
    deps
}

/// All external and internal dependency names of `crates/<name>` (`[dependencies]` only).
fn all_deps(name: &str) -> Vec<String> {
    let toml = std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml"))
        .unwrap_or_default();
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
        } else if in_deps && let Some((dep, _)) = line.split_once(['=', '.']) {
            deps.push(dep.trim().to_string());
        }
    }
    deps
}

fn crate_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

/// Source files of a crate's library or binary (not its tests), without `#[cfg(test)]`
/// modules and comments.
fn non_test_sources(name: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("crates").join(name).join("src"), &mut files);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (f, code)
        })
        .collect()
}

#[test]
fn pure_crates_do_no_io_threads_async_or_storage() {
    let banned_deps = [
        "zp-store",
        "zp-ingest",
        "zp-readings",
        "zp-app",
        "zp-server",
        "zp-mqtt",
        "rusqlite",
        "postgres",
        "tokio",
        "axum",
        "rumqttc",
        "calamine",
        "parquet",
        "arrow",
    ];
    let banned_code = [
        "std::fs",
        "std::net",
        "std::thread",
        "std::process",
        "std::env",
        "File::open",
        "File::create",
        "tokio::",
        "async fn",
        ".await",
    ];
    let mut found = Vec::new();
    for name in crate_names().iter().filter(|n| PURE.contains(&n.as_str())) {
        for dep in all_deps(name) {
            if banned_deps.contains(&dep.as_str()) {
                found.push(format!("crates/{name} depends on {dep}"));
            }
        }
        for (file, code) in non_test_sources(name) {
            for b in banned_code {
                if code.contains(b) {
                    found.push(format!("{} uses {b}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "pure crates must stay pure:\n{}",
        found.join("\n")
    );
}

#[test]
fn adapters_depend_on_the_use_case_layer_only() {
    let mut found = Vec::new();
    for (name, allowed) in ADAPTERS {
        for dep in our_deps(name) {
            if !allowed.contains(&dep.as_str()) {
                found.push(format!(
                    "crates/{name} depends on zp-{dep} (allowed: {allowed:?})"
                ));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Rows of ARCHITECTURE.md's crate table: `| `crates/X` (`zp-X`) | holds | a, b |`.
fn architecture_table() -> Vec<(String, Vec<String>)> {
    let arch = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    arch.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix("`crates/")?.split('`').next()?;
            let deps = cells.get(3)?;
            let mut deps: Vec<String> = if deps.starts_with("nothing") {
                Vec::new()
            } else {
                deps.split(',')
                    .map(|d| d.split_whitespace().next().unwrap_or("").to_string())
                    .filter(|d| !d.is_empty())
                    .collect()
            };
            deps.sort();
            Some((name.to_string(), deps))
        })
        .collect()
}

#[test]
fn architecture_dependency_table_matches_the_cargo_files() {
    let table = architecture_table();
    let mut found = Vec::new();
    for name in crate_names() {
        match table.iter().find(|(n, _)| *n == name) {
            None => found.push(format!(
                "crates/{name} has no row in ARCHITECTURE.md's table"
            )),
            Some((_, deps)) if *deps != our_deps(&name) => found.push(format!(
                "crates/{name}: ARCHITECTURE.md says {deps:?}, Cargo.toml says {:?}",
                our_deps(&name)
            )),
            Some(_) => {}
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The top-level module of `file` inside `src` (`""` for the crate root).
fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    let first = first.trim_end_matches(".rs");
    if matches!(first, "lib" | "main") {
        String::new()
    } else {
        first.to_string()
    }
}

/// A circle among the top-level modules of `crates/<name>` through `crate::module` paths,
/// if any (the modules on it).
fn module_circle(name: &str) -> Option<Vec<String>> {
    let src = root().join("crates").join(name).join("src");
    let sources = non_test_sources(name);
    let modules: std::collections::BTreeSet<String> = sources
        .iter()
        .map(|(f, _)| top_module(&src, f))
        .filter(|m| !m.is_empty())
        .collect();
    let mut edges: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (f, code) in &sources {
        let from = top_module(&src, f);
        if from.is_empty() {
            continue;
        }
        for part in code.split("crate::").skip(1) {
            let to: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if to != from && modules.contains(&to) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            return Some(path[i..].to_vec());
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = Default::default();
    modules
        .iter()
        .find_map(|m| visit(m, &edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_circle_inside_a_crate() {
    let circles: Vec<String> = crate_names()
        .iter()
        .filter_map(|n| module_circle(n).map(|c| format!("crates/{n}: {}", c.join(" -> "))))
        .collect();
    assert!(
        circles.is_empty(),
        "module import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn long_source_files_say_why() {
    let mut found = Vec::new();
    for name in crate_names() {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(&name).join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            if text.lines().count() > 800
                && !text
                    .lines()
                    .take(5)
                    .any(|l| l.starts_with("//! Long because:"))
            {
                found.push(format!("{}: {} lines", f.display(), text.lines().count()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files over 800 lines without a `//! Long because: ...` line among their first five:\n{}",
        found.join("\n")
    );
}
