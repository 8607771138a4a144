//! Durable file writes of the store (write, sync, rename, sync the directory), the
//! checksum line of its text files and the escaping of names in them.

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

/// A text file's body followed by its checksum line `crc32 <hex>`.
pub(crate) fn with_crc(body: String) -> String {
    let crc = crc32fast::hash(body.as_bytes());
    body + &format!("crc32 {crc:08x}\n")
}

/// The body of a text file whose last line is `crc32 <hex>` of everything before it, or
/// why not (no checksum line, or a mismatch).
pub(crate) fn checked_body(text: &str) -> std::result::Result<&str, String> {
    let body_end = text
        .trim_end_matches('\n')
        .rfind('\n')
        .ok_or("no checksum line")?;
    let (body, crc_line) = text.split_at(body_end + 1);
    let crc = crc_line
        .trim()
        .strip_prefix("crc32 ")
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or("no checksum line")?;
    if crc32fast::hash(body.as_bytes()) != crc {
        return Err("checksum mismatch".into());
    }
    Ok(body)
}
