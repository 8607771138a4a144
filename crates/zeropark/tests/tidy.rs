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
