//! The columnar readings store: checksummed chunks (one per meter and local year) in
//! segment files (one per import) with an index, and a catalog of meters with their
//! intervals.
//!
//! ```text
//! <dir>/FORMAT                 "zeropark-readings 2" (1: chunk files only, still read)
//! <dir>/LOCK                   held exclusively (flock) by a writer
//! <dir>/catalog                meter ids, intervals and names, with a CRC-32 line
//! <dir>/segments/<n>.zps       the chunks one import wrote (see `segment`)
//! <dir>/index                  where each chunk is: segment, offset, length (see `segment`)
//! <dir>/chunks/<id>/<year>.zpr one chunk written before segments (format 1), until an
//!                              import writes the chunk again into a segment
//! <dir>/staging/               the files of the import in progress
//! <dir>/PREPARED               a staged import's manifest and token while its batch is recorded
//! <dir>/COMMIT                 the manifest that commits them
//! ```
//!
//! An import is one transaction: its catalog, segment and index are staged and synced,
//! then the `COMMIT` manifest is renamed into place (the commit point) and the staged files
//! are renamed over the old ones. Opening the store or taking the write lock rolls a committed
//! import forward and discards an uncommitted one: after a crash the store holds all of an
//! import or none of it.
//!
//! An import whose batch is recorded in another store (the SQL database) is *prepared*
//! first: its manifest and a token are written as `PREPARED`, the caller records the batch
//! with the token, then commits. A crash between the two leaves the import in doubt: it
//! stays staged, no other import starts, and [`ReadingStore::settle`] commits it when the
//! batch was recorded and discards it when not (presumed abort). Every visible reading then
//! has its batch, and every batch its readings.

use crate::calendar::{Interval, local_year, year_bounds};
use crate::chunk::Chunk;
use crate::error::{ReadingsError, Result};
use crate::files::{escape, remove_if_present, sync_dir, unescape, write_atomic, write_synced};
use crate::segment::{Index, Loc, segment_file};
use crate::txn::{Manifest, StagedSegment, Txn};
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const FORMAT: &str = "zeropark-readings 2";
/// Stores written before segments: read as they are, upgraded by their next import.
const FORMAT_1: &str = "zeropark-readings 1";
const CATALOG_HEADER: &str = "zeropark-readings catalog 1";
/// The manifest whose presence commits an import (see [`ReadingStore::commit`]).
const COMMIT: &str = "COMMIT";
/// Files of the import in progress: `catalog` and `<id>.<year>.zpr`.
const STAGING: &str = "staging";
/// A prepared import's token line and manifest (see [`ReadingStore::in_doubt`]).
const PREPARED: &str = "PREPARED";
const SEGMENTS: &str = "segments";

/// A meter known to the store and the interval its readings are kept at (fixed by the
/// meter's first import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterInfo {
    pub name: String,
    pub interval: Interval,
}

/// The readings store. Opening reads only the catalog; chunks are read on demand.
#[derive(Debug)]
pub struct ReadingStore {
    dir: PathBuf,
    meters: Vec<MeterInfo>,
    index: HashMap<String, u32>,
    /// Where the chunks in segments are.
    placed: Index,
    #[cfg(test)]
    pub(crate) fault: Option<Fault>,
}

/// The exclusive write lock of a store directory; released when dropped.
pub(crate) struct WriteLock(#[allow(dead_code)] File);

impl ReadingStore {
    /// Opens the store in `dir`, creating the directory when missing.
    pub fn open(dir: &Path) -> Result<ReadingStore> {
        fs::create_dir_all(dir.join("chunks")).map_err(|e| ReadingsError::io(dir, e))?;
        let format = dir.join("FORMAT");
        match fs::read_to_string(&format) {
            Ok(t) if t.trim() == FORMAT || t.trim() == FORMAT_1 => {}
            Ok(t) => {
                return Err(ReadingsError::corrupt(
                    &format,
                    format!(
                        "unsupported store format {:?}, expected {FORMAT:?}",
                        t.trim()
                    ),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomic(&format, format!("{FORMAT}\n").as_bytes())?;
            }
            Err(e) => return Err(ReadingsError::io(&format, e)),
        }
        let mut s = ReadingStore {
            dir: dir.to_path_buf(),
            meters: Vec::new(),
            index: HashMap::new(),
            placed: Index::default(),
            #[cfg(test)]
            fault: None,
        };
        // An import killed before its end: finish or discard it, unless a writer is at
        // work right now (it recovers when it takes the lock).
        if s.needs_recovery()
            && let Some(_lock) = s.try_lock()?
        {
            s.recover()?;
        }
        s.reload_catalog()?;
        Ok(s)
    }

    /// The default store directory of a database: `<db path>.readings` next to a SQLite
    /// file, `zeropark.readings` for a PostgreSQL URL.
    pub fn default_dir(db: &str) -> PathBuf {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            PathBuf::from("zeropark.readings")
        } else {
            PathBuf::from(format!("{db}.readings"))
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Meters with readings (or registered by an import), in catalog order.
    pub fn meters(&self) -> &[MeterInfo] {
        &self.meters
    }

    /// The interval of a meter's readings, if the store knows the meter.
    pub fn interval(&self, meter: &str) -> Option<Interval> {
        self.id(meter).map(|id| self.meters[id as usize].interval)
    }

    pub(crate) fn id(&self, meter: &str) -> Option<u32> {
        self.index.get(meter).copied()
    }

    fn chunk_dir(&self, id: u32) -> PathBuf {
        self.dir.join("chunks").join(id.to_string())
    }

    fn chunk_path(&self, id: u32, year: i32) -> PathBuf {
        self.chunk_dir(id).join(format!("{year}.zpr"))
    }

    /// Local years for which the meter has a chunk, ascending.
    pub fn years(&self, meter: &str) -> Result<Vec<i32>> {
        let Some(id) = self.id(meter) else {
            return Ok(Vec::new());
        };
        let mut years: Vec<i32> = self.placed.years(id).collect();
        // Chunk files of format 1 that no import has written again.
        let dir = self.chunk_dir(id);
        match fs::read_dir(&dir) {
            Ok(entries) => years.extend(entries.flatten().filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".zpr")?
                    .parse::<i32>()
                    .ok()
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ReadingsError::io(&dir, e)),
        }
        years.sort_unstable();
        years.dedup();
        Ok(years)
    }

    /// The chunk of a meter and local year (verified), if any.
    pub fn chunk(&self, meter: &str, year: i32) -> Result<Option<Chunk>> {
        match self.id(meter) {
            Some(id) => self.chunk_by_id(id, year),
            None => Ok(None),
        }
    }

    pub(crate) fn chunk_by_id(&self, id: u32, year: i32) -> Result<Option<Chunk>> {
        if let Some(loc) = self.placed.chunks.get(&(id, year)) {
            let (bytes, path) = self.read_placed(*loc)?;
            return Chunk::decode(&bytes, &path, id, year).map(Some);
        }
        let path = self.chunk_path(id, year);
        match fs::read(&path) {
            Ok(bytes) => Chunk::decode(&bytes, &path, id, year).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ReadingsError::io(&path, e)),
        }
    }

    fn segment_path(&self, n: u32) -> PathBuf {
        self.dir.join(SEGMENTS).join(segment_file(n))
    }

    /// The encoded chunk at `loc` and the segment's path.
    fn read_placed(&self, loc: Loc) -> Result<(Vec<u8>, PathBuf)> {
        let path = self.segment_path(loc.segment);
        let io = |e| ReadingsError::io(&path, e);
        let mut f = File::open(&path).map_err(io)?;
        f.seek(SeekFrom::Start(loc.offset)).map_err(io)?;
        let mut bytes = vec![0u8; loc.len as usize];
        f.read_exact(&mut bytes).map_err(io)?;
        Ok((bytes, path))
    }

    /// The chunks of a meter that overlap `[from, to)`, in time order.
    pub fn chunks_in(&self, meter: &str, from: i64, to: i64) -> Result<Vec<Chunk>> {
        let Some(id) = self.id(meter) else {
            return Ok(Vec::new());
        };
        if to <= from {
            return Ok(Vec::new());
        }
        let (y0, y1) = (local_year(from), local_year(to - 1));
        // Probe the years of a short window; list the meter's chunks for a long one.
        let years: Vec<i32> = if y1 - y0 <= 4 {
            (y0..=y1).collect()
        } else {
            self.years(meter)?
                .into_iter()
                .filter(|y| (y0..=y1).contains(y))
                .collect()
        };
        let mut out = Vec::new();
        for year in years {
            if let Some(c) = self.chunk_by_id(id, year)?
                && c.start < to
                && c.end() > from
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Present readings of a meter with `from <= ts < to`, as (interval start, Wh).
    pub fn readings(&self, meter: &str, from: i64, to: i64) -> Result<Vec<(i64, u32)>> {
        Ok(self
            .chunks_in(meter, from, to)?
            .iter()
            .flat_map(|c| c.readings().collect::<Vec<_>>())
            .filter(|(t, _)| *t >= from && *t < to)
            .collect())
    }

    /// Energy per hour (hour start, Wh) of a meter for the hours in `[from, to)` that hold
    /// at least one reading, in time order. Used by the certificate registry.
    pub fn hourly_wh(&self, meter: &str, from: i64, to: i64) -> Result<Vec<(i64, u64)>> {
        let grid = crate::HourGrid::new(from, to);
        let mut wh = vec![0u64; grid.hours];
        let mut seen = vec![false; grid.hours];
        for c in self.chunks_in(meter, grid.start, grid.end())? {
            crate::kernels::add_hourly_wh(&c, grid, &mut wh);
            crate::kernels::mark_hours_present(&c, grid, &mut seen);
        }
        Ok((0..grid.hours)
            .filter(|&h| seen[h])
            .map(|h| (grid.hour_start(h), wh[h]))
            .collect())
    }

    // ----- writing -----

    /// The lock file (created on first use) and its path.
    fn lock_file(&self) -> Result<(File, PathBuf)> {
        let path = self.dir.join("LOCK");
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ReadingsError::io(&path, e))?;
        Ok((f, path))
    }

    pub(crate) fn lock(&self) -> Result<WriteLock> {
        let (f, path) = self.lock_file()?;
        f.lock().map_err(|e| ReadingsError::io(&path, e))?;
        self.recover()?;
        Ok(WriteLock(f))
    }

    /// The write lock if no other writer holds it.
    fn try_lock(&self) -> Result<Option<WriteLock>> {
        let (f, path) = self.lock_file()?;
        match f.try_lock() {
            Ok(()) => Ok(Some(WriteLock(f))),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(ReadingsError::io(&path, e)),
        }
    }

    /// Re-reads the catalog (another process may have added meters).
    pub(crate) fn reload_catalog(&mut self) -> Result<()> {
        let path = self.dir.join("catalog");
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.meters.clear();
                self.index.clear();
                self.placed = Index::default();
                return Ok(());
            }
            Err(e) => return Err(ReadingsError::io(&path, e)),
        };
        let bad = |r: String| ReadingsError::corrupt(&path, r);
        let body = crate::files::checked_body(&text).map_err(bad)?;
        let mut lines = body.lines();
        if lines.next() != Some(CATALOG_HEADER) {
            return Err(bad("unknown catalog header".into()));
        }
        let mut meters = Vec::new();
        for (i, line) in lines.enumerate() {
            let mut f = line.splitn(3, '\t');
            let (Some(id), Some(iv), Some(name)) = (f.next(), f.next(), f.next()) else {
                return Err(bad(format!("line {}: three fields expected", i + 2)));
            };
            if id.parse::<usize>().ok() != Some(i) {
                return Err(bad(format!("line {}: id {id} out of order", i + 2)));
            }
            let interval = iv
                .parse()
                .ok()
                .and_then(Interval::from_seconds)
                .ok_or_else(|| bad(format!("line {}: interval {iv}", i + 2)))?;
            meters.push(MeterInfo {
                name: unescape(name),
                interval,
            });
        }
        self.index = meters
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i as u32))
            .collect();
        self.meters = meters;
        self.placed = self.read_index()?;
        Ok(())
    }

    /// The segment index on disk (empty when no import wrote a segment yet).
    fn read_index(&self) -> Result<Index> {
        let path = self.dir.join("index");
        match fs::read_to_string(&path) {
            Ok(text) => Index::parse(&text).map_err(|r| ReadingsError::corrupt(&path, r)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index::default()),
            Err(e) => Err(ReadingsError::io(&path, e)),
        }
    }

    /// Starts an import's transaction: nothing it stages is visible until
    /// [`ReadingStore::commit`]. The caller holds the write lock (taking it recovered any
    /// earlier interrupted import, so `staging/` is empty).
    pub(crate) fn begin(&self) -> Result<Txn> {
        if let Some(token) = self.in_doubt()? {
            return Err(ReadingsError::InDoubt {
                path: self.dir.join(PREPARED),
                token,
            });
        }
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(|e| ReadingsError::io(&staging, e))?;
        let chunks = self.dir.join("chunks");
        Ok(Txn {
            has_chunk_files: fs::read_dir(&chunks)
                .map_err(|e| ReadingsError::io(&chunks, e))?
                .next()
                .is_some(),
            ..Txn::default()
        })
    }

    /// Adds meters to the catalog. The new catalog is staged and replaces the old one when
    /// the transaction commits; until then only this store object knows the new ids.
    pub(crate) fn register(&mut self, new: &[MeterInfo], txn: &mut Txn) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        for m in new {
            debug_assert!(!self.index.contains_key(&m.name));
            self.index.insert(m.name.clone(), self.meters.len() as u32);
            self.meters.push(m.clone());
        }
        let mut body = format!("{CATALOG_HEADER}\n");
        for (i, m) in self.meters.iter().enumerate() {
            body += &format!("{i}\t{}\t{}\n", m.interval.seconds(), escape(&m.name));
        }
        let body = crate::files::with_crc(body);
        write_synced(&self.dir.join(STAGING).join("catalog"), body.as_bytes())?;
        txn.catalog = true;
        Ok(())
    }

    /// Stages replacement chunks: they are encoded (in parallel) and appended to the
    /// import's segment under `staging/`, which is synced once when the transaction is
    /// sealed. They replace the store's chunks only when the transaction commits.
    pub(crate) fn write_chunks(&self, chunks: &[(u32, i32, Chunk)], txn: &mut Txn) -> Result<()> {
        if chunks.is_empty() {
            return Ok(());
        }
        let encoded = crate::par::map(chunks, || (), |_, (id, year, c)| Ok(c.encode(*id, *year)))?;
        let seg = match &mut txn.segment {
            Some(seg) => seg,
            None => {
                let n = self.placed.next;
                let path = self.dir.join(STAGING).join(segment_file(n));
                txn.segment.insert(StagedSegment::create(n, path)?)
            }
        };
        for ((id, year, _), bytes) in chunks.iter().zip(&encoded) {
            seg.append(bytes)?;
            let loc = Loc {
                segment: seg.n,
                offset: seg.len - bytes.len() as u64,
                len: bytes.len() as u32,
            };
            txn.placed.push(((*id, *year), loc));
            // A chunk file of format 1 is shadowed by the new copy and removed at apply.
            if txn.has_chunk_files
                && !self.placed.chunks.contains_key(&(*id, *year))
                && self.chunk_path(*id, *year).exists()
            {
                txn.shadowed.push((*id, *year));
            }
        }
        #[cfg(test)]
        if let Some(Fault::StagedChunks(n)) = self.fault
            && txn.placed.len() >= n
        {
            return Err(ReadingsError::Limit(
                "injected fault: killed while staging".into(),
            ));
        }
        Ok(())
    }

    /// Commits a transaction: the staging directory is synced, the `COMMIT` manifest
    /// listing the staged files is written, synced and renamed into place (the commit
    /// point), then each staged file is renamed over its target, the directories are synced
    /// and the manifest is removed. A crash before the manifest's rename leaves the old
    /// store (the staged files are deleted by the next open or import); a crash after it is
    /// completed by the next open or import (roll forward).
    pub(crate) fn commit(&mut self, mut txn: Txn) -> Result<()> {
        if txn.is_empty() {
            return Ok(());
        }
        self.seal(&mut txn)?;
        write_atomic(&self.dir.join(COMMIT), txn.manifest().as_bytes())?;
        #[cfg(test)]
        if let Some(Fault::CommitPoint) = self.fault {
            return Err(ReadingsError::Limit(
                "injected fault: killed after the commit point".into(),
            ));
        }
        self.apply(&txn.as_manifest())?;
        if let Some(index) = txn.index {
            self.placed = index;
        }
        Ok(())
    }

    /// Finishes what a transaction staged before a manifest names it: the live chunks of
    /// segments at least half dead are copied into the new segment (those segments are
    /// dropped at apply), the segment is synced, the new index is written and synced, and
    /// so is the staging directory. Done once per transaction.
    fn seal(&self, txn: &mut Txn) -> Result<()> {
        if txn.sealed {
            return Ok(());
        }
        if let Some(mut seg) = txn.segment.take() {
            // A store of format 1 is read by this version as it is; segments are not
            // seen by format 1 readers, so the format changes before one is committed.
            let format = self.dir.join("FORMAT");
            if fs::read_to_string(&format).is_ok_and(|t| t.trim() == FORMAT_1) {
                write_atomic(&format, format!("{FORMAT}\n").as_bytes())?;
            }
            let mut index = self.placed.clone();
            for (key, loc) in &txn.placed {
                index.chunks.insert(*key, *loc);
            }
            index.segments.insert(seg.n, seg.len);
            let (drops, copies) = index.compaction(seg.n);
            for (key, loc) in copies {
                let (bytes, path) = self.read_placed(loc)?;
                // Checked on the way: damage is reported, never copied.
                Chunk::decode(&bytes, &path, key.0, key.1)?;
                seg.append(&bytes)?;
                index.chunks.insert(
                    key,
                    Loc {
                        segment: seg.n,
                        offset: seg.len - bytes.len() as u64,
                        len: loc.len,
                    },
                );
            }
            for n in &drops {
                index.segments.remove(n);
            }
            index.segments.insert(seg.n, seg.len);
            index.next = seg.n + 1;
            txn.staged_segment = Some(seg.n);
            seg.finish()?;
            write_synced(
                &self.dir.join(STAGING).join("index"),
                index.render().as_bytes(),
            )?;
            txn.drops = drops;
            txn.index = Some(index);
        }
        sync_dir(&self.dir.join(STAGING))?;
        txn.sealed = true;
        Ok(())
    }

    /// Moves the staged files of a committed manifest into place (those an interrupted run
    /// already moved are skipped), syncs, and removes the manifest and the staging files.
    fn apply(&self, m: &Manifest) -> Result<()> {
        let staging = self.dir.join(STAGING);
        #[cfg(test)]
        let renamed = std::cell::Cell::new(0usize);
        // Moves a staged file into place; false when an interrupted run already did.
        let move_staged = |from: &Path, to: &Path| -> Result<bool> {
            #[cfg(test)]
            if let Some(Fault::Renamed(k)) = self.fault
                && renamed.get() == k
            {
                return Err(ReadingsError::Limit(
                    "injected fault: killed while renaming".into(),
                ));
            }
            if !from.exists() {
                return Ok(false);
            }
            fs::rename(from, to).map_err(|e| ReadingsError::io(to, e))?;
            #[cfg(test)]
            renamed.set(renamed.get() + 1);
            Ok(true)
        };
        if m.catalog {
            move_staged(&staging.join("catalog"), &self.dir.join("catalog"))?;
        }
        // The segment before the index that points into it.
        if let Some(n) = m.segment {
            let segments = self.dir.join(SEGMENTS);
            fs::create_dir_all(&segments).map_err(|e| ReadingsError::io(&segments, e))?;
            move_staged(&staging.join(segment_file(n)), &self.segment_path(n))?;
            sync_dir(&segments)?;
        }
        if m.index {
            move_staged(&staging.join("index"), &self.dir.join("index"))?;
        }
        // Chunk files of a format 1 manifest (an import an earlier version left committed).
        let mut dirs = std::collections::BTreeSet::new();
        for (id, year) in &m.chunks {
            let dir = self.chunk_dir(*id);
            fs::create_dir_all(&dir).map_err(|e| ReadingsError::io(&dir, e))?;
            let from = staging.join(format!("{id}.{year}.zpr"));
            move_staged(&from, &self.chunk_path(*id, *year))?;
            // Directories of renames an interrupted run made are synced again too.
            dirs.insert(dir);
        }
        let dirs: Vec<PathBuf> = dirs.into_iter().collect();
        crate::par::for_each_io(&dirs, |d| sync_dir(d))?;
        sync_dir(&self.dir)?;
        // Only now does nothing point at the dropped segments and the shadowed files.
        for n in &m.drops {
            remove_if_present(&self.segment_path(*n))?;
        }
        for (id, year) in &m.shadowed {
            remove_if_present(&self.chunk_path(*id, *year))?;
        }
        remove_if_present(&self.dir.join(PREPARED))?;
        let commit = self.dir.join(COMMIT);
        fs::remove_file(&commit).map_err(|e| ReadingsError::io(&commit, e))?;
        sync_dir(&self.dir)?;
        self.clear_staging()
    }

    /// Writes a staged transaction's manifest with `token` as `PREPARED`: from here until
    /// [`ReadingStore::commit`] or [`ReadingStore::discard`] a crash leaves the import in
    /// doubt rather than discarded.
    pub(crate) fn mark_prepared(&self, txn: &mut Txn, token: &str) -> Result<()> {
        if txn.is_empty() {
            return Ok(());
        }
        self.seal(txn)?;
        let body = format!("token {token}\n{}", txn.manifest());
        write_atomic(&self.dir.join(PREPARED), body.as_bytes())
    }

    /// Drops a staged (or prepared) import: the `PREPARED` manifest, then the staged files.
    pub(crate) fn discard(&self) -> Result<()> {
        remove_if_present(&self.dir.join(PREPARED))?;
        sync_dir(&self.dir)?;
        self.clear_staging()
    }

    /// The token of an import that was prepared and neither committed nor discarded: its
    /// process died while the caller recorded its batch. Its readings are not visible and no
    /// other import starts until it is settled ([`ReadingStore::settle`]).
    pub fn in_doubt(&self) -> Result<Option<String>> {
        let path = self.dir.join(PREPARED);
        match fs::read_to_string(&path) {
            Ok(text) => text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("token "))
                .map(|t| Some(t.to_string()))
                .ok_or_else(|| ReadingsError::corrupt(&path, "no token line")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ReadingsError::io(&path, e)),
        }
    }

    /// Settles the import in doubt with `token`: commits it when its batch was `recorded`,
    /// discards it otherwise. Returns false when there was nothing to settle (another
    /// process settled it first). Takes the write lock.
    pub fn settle(&mut self, token: &str, recorded: bool) -> Result<bool> {
        let _lock = self.lock()?;
        if self.in_doubt()?.as_deref() != Some(token) {
            return Ok(false);
        }
        if recorded {
            let path = self.dir.join(PREPARED);
            let text = fs::read_to_string(&path).map_err(|e| ReadingsError::io(&path, e))?;
            let body = text.split_once('\n').map_or("", |(_, b)| b);
            let m = Manifest::parse(body).map_err(|r| ReadingsError::corrupt(&path, r))?;
            write_atomic(&self.dir.join(COMMIT), body.as_bytes())?;
            self.apply(&m)?;
        } else {
            self.discard()?;
        }
        self.reload_catalog()?;
        Ok(true)
    }

    /// Finishes what an interrupted import left: a complete `COMMIT` manifest is rolled
    /// forward; staged files without one (an import killed before its commit point) and
    /// temporary files are deleted. Runs under the write lock.
    pub(crate) fn recover(&self) -> Result<()> {
        let commit = self.dir.join(COMMIT);
        match fs::read_to_string(&commit) {
            Ok(text) => {
                let m = Manifest::parse(&text).map_err(|r| ReadingsError::corrupt(&commit, r))?;
                self.apply(&m)?;
            }
            // A prepared import stays staged until it is settled.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !self.dir.join(PREPARED).exists() {
                    self.clear_staging()?
                }
            }
            Err(e) => return Err(ReadingsError::io(&commit, e)),
        }
        for tmp in ["COMMIT.tmp", "PREPARED.tmp", "catalog.tmp"] {
            let p = self.dir.join(tmp);
            match fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ReadingsError::io(&p, e)),
            }
        }
        Ok(())
    }

    /// Whether an interrupted import left anything to recover.
    fn needs_recovery(&self) -> bool {
        self.dir.join(COMMIT).exists()
            || self.dir.join("COMMIT.tmp").exists()
            || fs::read_dir(self.dir.join(STAGING)).is_ok_and(|mut d| d.next().is_some())
    }

    fn clear_staging(&self) -> Result<()> {
        let staging = self.dir.join(STAGING);
        let entries = match fs::read_dir(&staging) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(ReadingsError::io(&staging, e)),
        };
        for e in entries.flatten() {
            let p = e.path();
            fs::remove_file(&p).map_err(|e| ReadingsError::io(&p, e))?;
        }
        Ok(())
    }
}

/// Where a test kills an import (the error stands for the process dying there).
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fault {
    /// Once at least this many chunks are staged.
    StagedChunks(usize),
    /// Right after the `COMMIT` manifest is in place.
    CommitPoint,
    /// After this many staged files (catalog, segment, index) are renamed into place.
    Renamed(usize),
}

/// The local year a chunk slot belongs to and that year's full grid for an interval.
pub(crate) fn year_grid(year: i32, interval: Interval) -> Chunk {
    let (start, end) = year_bounds(year);
    Chunk::empty(
        interval,
        start,
        ((end - start) / interval.seconds()) as usize,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_survives_reopen_and_detects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = ReadingStore::open(dir.path()).unwrap();
        let mut txn = s.begin().unwrap();
        s.register(
            &[
                MeterInfo {
                    name: "L1".into(),
                    interval: Interval::Min15,
                },
                MeterInfo {
                    name: "odd\tname%".into(),
                    interval: Interval::Min5,
                },
            ],
            &mut txn,
        )
        .unwrap();
        s.commit(txn).unwrap();
        let again = ReadingStore::open(dir.path()).unwrap();
        assert_eq!(again.meters(), s.meters());
        assert_eq!(again.interval("odd\tname%"), Some(Interval::Min5));
        let cat = dir.path().join("catalog");
        let text = fs::read_to_string(&cat).unwrap().replace("900", "300");
        fs::write(&cat, text).unwrap();
        let e = ReadingStore::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
    }

    #[test]
    fn default_dirs() {
        assert_eq!(
            ReadingStore::default_dir("park.db"),
            PathBuf::from("park.db.readings")
        );
        assert_eq!(
            ReadingStore::default_dir("postgres://x/y"),
            PathBuf::from("zeropark.readings")
        );
    }
}
