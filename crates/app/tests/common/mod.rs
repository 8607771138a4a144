//! What the use-case tests share: files in a test's folder imported as the platform
//! operator.
#![allow(dead_code, reason = "each test binary uses its own part")]

use std::path::{Path, PathBuf};
use zp_app::{Caller, ImportKind, ImportOutcome, Limits};
use zp_store::Store;

/// Writes `text` to `name` in `dir`; returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Imports the file at `path` as `kind`, as the platform operator `test`.
pub fn import(store: &mut dyn Store, kind: ImportKind, path: &Path) -> ImportOutcome {
    let op = Caller::operator("test");
    zp_app::import_file(store, &op, kind, path, Limits::default(), None).unwrap()
}
