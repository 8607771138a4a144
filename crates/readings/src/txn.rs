//! An import's transaction: what it stages (catalog, segment, index) and the manifest that
//! commits it (`COMMIT`, or `PREPARED` while its batch is recorded elsewhere). The store
//! (`store.rs`) writes, seals, commits and recovers them.

use crate::error::{ReadingsError, Result};
use crate::segment::{ChunkKey, Index, Loc};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

const COMMIT_HEADER: &str = "zeropark-readings commit 1";

/// What one import changes, staged under `staging/` until [`ReadingStore::commit`].
#[derive(Default)]
pub(crate) struct Txn {
    pub(crate) catalog: bool,
    /// The segment being written (until sealed).
    pub(crate) segment: Option<StagedSegment>,
    /// Chunks written to it and where.
    pub(crate) placed: Vec<(ChunkKey, Loc)>,
    /// Chunk files of format 1 the new chunks replace.
    pub(crate) shadowed: Vec<(u32, i32)>,
    /// Whether the store has chunk files of format 1 at all (else none is looked for).
    pub(crate) has_chunk_files: bool,
    // Set when sealed: the segment's number, the new index, the segments it drops.
    pub(crate) sealed: bool,
    pub(crate) staged_segment: Option<u32>,
    pub(crate) index: Option<Index>,
    pub(crate) drops: Vec<u32>,
}

/// The import's segment file under `staging/`. While chunks are appended, the bytes
/// written so far are synced by a background thread every [`SYNC_EVERY`] bytes, so that
/// the disk works while the import encodes; [`StagedSegment::finish`] syncs the rest.
pub(crate) struct StagedSegment {
    pub(crate) n: u32,
    file: std::io::BufWriter<File>,
    path: PathBuf,
    pub(crate) len: u64,
    /// Where the last background sync started.
    sync_started_at: u64,
    syncer: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// Bytes appended between background syncs of a staged segment (a few kB in tests, so
/// that the store's tests go through them).
#[cfg(not(test))]
const SYNC_EVERY: u64 = 64 << 20;
#[cfg(test)]
const SYNC_EVERY: u64 = 4 << 10;

impl StagedSegment {
    pub(crate) fn create(n: u32, path: PathBuf) -> Result<StagedSegment> {
        let file = File::create(&path).map_err(|e| ReadingsError::io(&path, e))?;
        Ok(StagedSegment {
            n,
            file: std::io::BufWriter::with_capacity(1 << 20, file),
            path,
            len: 0,
            sync_started_at: 0,
            syncer: None,
        })
    }

    pub(crate) fn append(&mut self, bytes: &[u8]) -> Result<()> {
        let path = self.path.clone();
        let io = |e| ReadingsError::io(&path, e);
        self.file.write_all(bytes).map_err(io)?;
        self.len += bytes.len() as u64;
        if self.len - self.sync_started_at >= SYNC_EVERY
            && self.syncer.as_ref().is_none_or(|h| h.is_finished())
        {
            self.join_syncer()?;
            self.file.flush().map_err(io)?;
            let f = self.file.get_ref().try_clone().map_err(io)?;
            self.syncer = Some(std::thread::spawn(move || f.sync_data()));
            self.sync_started_at = self.len;
        }
        Ok(())
    }

    fn join_syncer(&mut self) -> Result<()> {
        match self.syncer.take() {
            Some(h) => h
                .join()
                .expect("segment sync thread panicked")
                .map_err(|e| ReadingsError::io(&self.path, e)),
            None => Ok(()),
        }
    }

    /// Flushes and syncs the file (after the background sync, whose error it reports).
    pub(crate) fn finish(mut self) -> Result<()> {
        self.join_syncer()?;
        let path = self.path;
        let f = self
            .file
            .into_inner()
            .map_err(|e| ReadingsError::io(&path, e.into_error()))?;
        f.sync_all().map_err(|e| ReadingsError::io(&path, e))
    }
}

impl Txn {
    pub(crate) fn is_empty(&self) -> bool {
        self.placed.is_empty() && !self.catalog
    }

    pub(crate) fn as_manifest(&self) -> Manifest {
        Manifest {
            catalog: self.catalog,
            segment: self.staged_segment,
            index: self.index.is_some(),
            drops: self.drops.clone(),
            shadowed: self.shadowed.clone(),
            chunks: Vec::new(),
        }
    }

    /// The `COMMIT` manifest listing the staged files, with its CRC-32 line (after
    /// [`ReadingStore::seal`]).
    pub(crate) fn manifest(&self) -> String {
        self.as_manifest().render()
    }
}

/// A committed transaction: what `COMMIT` lists.
pub(crate) struct Manifest {
    pub(crate) catalog: bool,
    /// The staged segment to move into `segments/`.
    pub(crate) segment: Option<u32>,
    /// A staged index.
    pub(crate) index: bool,
    /// Segments to delete once the index no longer points into them.
    pub(crate) drops: Vec<u32>,
    /// Chunk files of format 1 to delete (the index holds newer copies).
    pub(crate) shadowed: Vec<(u32, i32)>,
    /// Staged chunk files of format 1 (a manifest an earlier version left).
    pub(crate) chunks: Vec<(u32, i32)>,
}

impl Manifest {
    pub(crate) fn render(&self) -> String {
        use std::fmt::Write;
        let mut body = format!("{COMMIT_HEADER}\n");
        if self.catalog {
            body += "catalog\n";
        }
        if let Some(n) = self.segment {
            let _ = writeln!(body, "segment\t{n}");
        }
        if self.index {
            body += "index\n";
        }
        for n in &self.drops {
            let _ = writeln!(body, "drop\t{n}");
        }
        for (id, year) in &self.shadowed {
            let _ = writeln!(body, "shadow\t{id}\t{year}");
        }
        for (id, year) in &self.chunks {
            let _ = writeln!(body, "chunk\t{id}\t{year}");
        }
        crate::files::with_crc(body)
    }

    pub(crate) fn parse(text: &str) -> std::result::Result<Manifest, String> {
        let body = crate::files::checked_body(text)?;
        let mut lines = body.lines();
        if lines.next() != Some(COMMIT_HEADER) {
            return Err("unknown commit header".into());
        }
        let mut m = Manifest {
            catalog: false,
            segment: None,
            index: false,
            drops: Vec::new(),
            shadowed: Vec::new(),
            chunks: Vec::new(),
        };
        for line in lines {
            let bad = || format!("bad line {line:?}");
            let key = |id: &str, year: &str| -> std::result::Result<(u32, i32), String> {
                Ok((
                    id.parse().map_err(|_| bad())?,
                    year.parse().map_err(|_| bad())?,
                ))
            };
            match line.split('\t').collect::<Vec<_>>().as_slice() {
                ["catalog"] => m.catalog = true,
                ["index"] => m.index = true,
                ["segment", n] => m.segment = Some(n.parse().map_err(|_| bad())?),
                ["drop", n] => m.drops.push(n.parse().map_err(|_| bad())?),
                ["shadow", id, year] => m.shadowed.push(key(id, year)?),
                ["chunk", id, year] => m.chunks.push(key(id, year)?),
                _ => return Err(bad()),
            }
        }
        Ok(m)
    }
}
