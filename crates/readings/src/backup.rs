//! A copy of the readings store for backup, and a restore from one.
//!
//! [`ReadingStore::backup_to`] holds the store's write lock while it copies, so no import
//! commits half-way through the copy: the copy holds every committed import whole. Staging
//! files of an import in progress are not copied (the lock waits for it to end). Each file
//! is synced; [`restore_to`] copies a backup into an empty directory and opens it, which
//! checks the format and the catalog's checksum.

use crate::error::{ReadingsError, Result};
use crate::store::ReadingStore;
use std::fs::{self, File};
use std::path::Path;

/// What a copy holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyStats {
    pub files: u64,
    pub bytes: u64,
}

/// Copies `from` (a directory) into `to` recursively, syncing each file; skips `skip` names
/// at the top.
fn copy_tree(from: &Path, to: &Path, skip: &[&str], stats: &mut CopyStats) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| ReadingsError::io(to, e))?;
    let entries = fs::read_dir(from).map_err(|e| ReadingsError::io(from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| ReadingsError::io(from, e))?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let src = entry.path();
        let dst = to.join(&name);
        let kind = entry.file_type().map_err(|e| ReadingsError::io(&src, e))?;
        if kind.is_dir() {
            copy_tree(&src, &dst, &[], stats)?;
        } else if kind.is_file() {
            stats.bytes += fs::copy(&src, &dst).map_err(|e| ReadingsError::io(&src, e))?;
            File::open(&dst)
                .and_then(|f| f.sync_all())
                .map_err(|e| ReadingsError::io(&dst, e))?;
            stats.files += 1;
        }
    }
    Ok(())
}

fn empty_or_missing(dir: &Path) -> Result<()> {
    match fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(ReadingsError::corrupt(
                dir,
                "the directory is not empty: a backup or restore goes into a new one",
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ReadingsError::io(dir, e)),
    }
}

impl ReadingStore {
    /// Copies the committed store into `dest` (new or empty) under the write lock, after
    /// running `during` under the same lock (the SQL snapshot of a whole backup, so that no
    /// readings import commits between the two).
    pub fn backup_to<T, E: From<ReadingsError>>(
        &self,
        dest: &Path,
        during: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<(T, CopyStats), E> {
        empty_or_missing(dest)?;
        let _lock = self.lock()?;
        let value = during()?;
        let mut stats = CopyStats::default();
        copy_tree(self.dir(), dest, &["LOCK", "staging", "COMMIT"], &mut stats)?;
        Ok((value, stats))
    }
}

/// Copies the backup `from` into `dest` (new or empty) and opens it.
pub fn restore_to(from: &Path, dest: &Path) -> Result<(ReadingStore, CopyStats)> {
    empty_or_missing(dest)?;
    if !from.join("FORMAT").is_file() {
        return Err(ReadingsError::corrupt(
            from,
            "not a readings store backup (no FORMAT file)",
        ));
    }
    let mut stats = CopyStats::default();
    copy_tree(from, dest, &[], &mut stats)?;
    Ok((ReadingStore::open(dest)?, stats))
}
