//! The columnar readings store: a directory of checksummed chunk files (one per meter and
//! local year) and a catalog of meters with their intervals.
//!
//! ```text
//! <dir>/FORMAT                 "zeropark-readings 1"
//! <dir>/LOCK                   held exclusively (flock) by a writer
//! <dir>/catalog                meter ids, intervals and names, with a CRC-32 line
//! <dir>/chunks/<id>/<year>.zpr one chunk (see `chunk`)
//! <dir>/staging/               the files of the import in progress
//! <dir>/PREPARED               a staged import's manifest and token while its batch is recorded
//! <dir>/COMMIT                 the manifest that commits them
//! ```
//!
//! An import is one transaction: its catalog and chunks are staged and synced, then the
//! `COMMIT` manifest is renamed into place (the commit point) and the staged files are
//! renamed over the old ones. Opening the store or taking the write lock rolls a committed
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
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

const FORMAT: &str = "zeropark-readings 1";
const CATALOG_HEADER: &str = "zeropark-readings catalog 1";
const COMMIT_HEADER: &str = "zeropark-readings commit 1";
/// The manifest whose presence commits an import (see [`ReadingStore::commit`]).
const COMMIT: &str = "COMMIT";
/// Files of the import in progress: `catalog` and `<id>.<year>.zpr`.
const STAGING: &str = "staging";
/// A prepared import's token line and manifest (see [`ReadingStore::in_doubt`]).
const PREPARED: &str = "PREPARED";

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
            Ok(t) if t.trim() == FORMAT => {}
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
        let dir = self.chunk_dir(id);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ReadingsError::io(&dir, e)),
        };
        let mut years: Vec<i32> = entries
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".zpr")?
                    .parse::<i32>()
                    .ok()
            })
            .collect();
        years.sort_unstable();
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
        let path = self.chunk_path(id, year);
        match fs::read(&path) {
            Ok(bytes) => Chunk::decode(&bytes, &path, id, year).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ReadingsError::io(&path, e)),
        }
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
                return Ok(());
            }
            Err(e) => return Err(ReadingsError::io(&path, e)),
        };
        let bad = |r: String| ReadingsError::corrupt(&path, r);
        let body_end = text
            .trim_end_matches('\n')
            .rfind('\n')
            .ok_or_else(|| bad("no checksum line".into()))?;
        let (body, crc_line) = text.split_at(body_end + 1);
        let crc = crc_line
            .trim()
            .strip_prefix("crc32 ")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| bad("no checksum line".into()))?;
        if crc32fast::hash(body.as_bytes()) != crc {
            return Err(bad("checksum mismatch".into()));
        }
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
        Ok(())
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
        Ok(Txn::default())
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
        let crc = crc32fast::hash(body.as_bytes());
        body += &format!("crc32 {crc:08x}\n");
        write_synced(&self.dir.join(STAGING).join("catalog"), body.as_bytes())?;
        txn.catalog = true;
        Ok(())
    }

    /// Stages replacement chunks: each is encoded, written under `staging/` and synced.
    /// They replace the store's chunks only when the transaction commits.
    pub(crate) fn write_chunks(&self, chunks: &[(u32, i32, Chunk)], txn: &mut Txn) -> Result<()> {
        let staging = self.dir.join(STAGING);
        crate::par::for_each_io(chunks, |(id, year, c)| {
            write_synced(
                &staging.join(staged_name(*id, *year)),
                &c.encode(*id, *year),
            )
        })?;
        txn.chunks
            .extend(chunks.iter().map(|(id, year, _)| (*id, *year)));
        #[cfg(test)]
        if let Some(Fault::StagedChunks(n)) = self.fault
            && txn.chunks.len() >= n
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
    pub(crate) fn commit(&self, txn: Txn) -> Result<()> {
        if txn.is_empty() {
            return Ok(());
        }
        sync_dir(&self.dir.join(STAGING))?;
        write_atomic(&self.dir.join(COMMIT), txn.manifest().as_bytes())?;
        #[cfg(test)]
        if let Some(Fault::CommitPoint) = self.fault {
            return Err(ReadingsError::Limit(
                "injected fault: killed after the commit point".into(),
            ));
        }
        self.apply(&Manifest {
            catalog: txn.catalog,
            chunks: txn.chunks,
        })
    }

    /// Moves the staged files of a committed manifest into place (those an interrupted run
    /// already moved are skipped), syncs, and removes the manifest and the staging files.
    fn apply(&self, m: &Manifest) -> Result<()> {
        let staging = self.dir.join(STAGING);
        if m.catalog {
            let from = staging.join("catalog");
            if from.exists() {
                let to = self.dir.join("catalog");
                fs::rename(&from, &to).map_err(|e| ReadingsError::io(&to, e))?;
            }
        }
        let mut dirs = std::collections::BTreeSet::new();
        #[cfg(test)]
        let mut renamed = 0;
        for (id, year) in &m.chunks {
            #[cfg(test)]
            if let Some(Fault::Renamed(k)) = self.fault
                && renamed == k
            {
                return Err(ReadingsError::Limit(
                    "injected fault: killed while renaming".into(),
                ));
            }
            // Directories of renames an interrupted run made are synced again too.
            let dir = self.chunk_dir(*id);
            let from = staging.join(staged_name(*id, *year));
            if !from.exists() {
                if dir.exists() {
                    dirs.insert(dir);
                }
                continue;
            }
            if dirs.insert(dir.clone()) {
                fs::create_dir_all(&dir).map_err(|e| ReadingsError::io(&dir, e))?;
            }
            let to = self.chunk_path(*id, *year);
            fs::rename(&from, &to).map_err(|e| ReadingsError::io(&to, e))?;
            #[cfg(test)]
            {
                renamed += 1;
            }
        }
        let dirs: Vec<PathBuf> = dirs.into_iter().collect();
        crate::par::for_each_io(&dirs, |d| sync_dir(d))?;
        sync_dir(&self.dir.join("chunks"))?;
        sync_dir(&self.dir)?;
        remove_if_present(&self.dir.join(PREPARED))?;
        let commit = self.dir.join(COMMIT);
        fs::remove_file(&commit).map_err(|e| ReadingsError::io(&commit, e))?;
        sync_dir(&self.dir)?;
        self.clear_staging()
    }

    /// Writes a staged transaction's manifest with `token` as `PREPARED`: from here until
    /// [`ReadingStore::commit`] or [`ReadingStore::discard`] a crash leaves the import in
    /// doubt rather than discarded.
    pub(crate) fn mark_prepared(&self, txn: &Txn, token: &str) -> Result<()> {
        if txn.is_empty() {
            return Ok(());
        }
        sync_dir(&self.dir.join(STAGING))?;
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

/// What one import changes, staged under `staging/` until [`ReadingStore::commit`].
#[derive(Default)]
pub(crate) struct Txn {
    catalog: bool,
    chunks: Vec<(u32, i32)>,
}

impl Txn {
    fn is_empty(&self) -> bool {
        self.chunks.is_empty() && !self.catalog
    }

    /// The `COMMIT` manifest listing the staged files, with its CRC-32 line.
    fn manifest(&self) -> String {
        let mut body = format!("{COMMIT_HEADER}\n");
        if self.catalog {
            body += "catalog\n";
        }
        for (id, year) in &self.chunks {
            body += &format!("chunk\t{id}\t{year}\n");
        }
        let crc = crc32fast::hash(body.as_bytes());
        body + &format!("crc32 {crc:08x}\n")
    }
}

/// A committed transaction read back from `COMMIT`.
struct Manifest {
    catalog: bool,
    chunks: Vec<(u32, i32)>,
}

impl Manifest {
    fn parse(text: &str) -> std::result::Result<Manifest, String> {
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
        let mut lines = body.lines();
        if lines.next() != Some(COMMIT_HEADER) {
            return Err("unknown commit header".into());
        }
        let mut m = Manifest {
            catalog: false,
            chunks: Vec::new(),
        };
        for line in lines {
            let bad = || format!("bad line {line:?}");
            match line.split('\t').collect::<Vec<_>>().as_slice() {
                ["catalog"] => m.catalog = true,
                ["chunk", id, year] => m.chunks.push((
                    id.parse().map_err(|_| bad())?,
                    year.parse().map_err(|_| bad())?,
                )),
                _ => return Err(bad()),
            }
        }
        Ok(m)
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
    /// After this many staged chunks are renamed into place.
    Renamed(usize),
}

fn staged_name(id: u32, year: i32) -> String {
    format!("{id}.{year}.zpr")
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

/// Writes a file and syncs it (not its directory).
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| ReadingsError::io(path, e))?;
    f.write_all(bytes).map_err(|e| ReadingsError::io(path, e))?;
    f.sync_all().map_err(|e| ReadingsError::io(path, e))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ReadingsError::io(path, e)),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| ReadingsError::io(path, e))?;
    if let Some(d) = path.parent() {
        sync_dir(d)?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
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

fn escape(name: &str) -> String {
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

fn unescape(name: &str) -> String {
    name.replace("%09", "\t")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
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
