//! Durable file writes of the store (write, sync, rename, sync the directory) and the
//! escaping of names in its text files.

use crate::error::{ReadingsError, Result};
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

/// Writes a file and syncs it (not its directory).
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| ReadingsError::io(path, e))?;
    f.write_all(bytes).map_err(|e| ReadingsError::io(path, e))?;
    f.sync_all().map_err(|e| ReadingsError::io(path, e))
}

pub(crate) fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ReadingsError::io(path, e)),
    }
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| ReadingsError::io(path, e))?;
    if let Some(d) = path.parent() {
        sync_dir(d)?;
    }
    Ok(())
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| ReadingsError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(crate) fn escape(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' => s += "%25",
            '\t' => s += "%09",
            '\n' => s += "%0A",
            '\r' => s += "%0D",
            c => s.push(c),
        }
    }
    s
}

pub(crate) fn unescape(name: &str) -> String {
    name.replace("%09", "\t")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}
