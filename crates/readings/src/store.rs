//! The columnar readings store: a directory of checksummed chunk files (one per meter and
//! local year) and a catalog of meters with their intervals.
//!
//! ```text
//! <dir>/FORMAT                 "zeropark-readings 1"
//! <dir>/LOCK                   held exclusively (flock) by a writer
//! <dir>/catalog                meter ids, intervals and names, with a CRC-32 line
//! <dir>/chunks/<id>/<year>.zpr one chunk (see `chunk`), replaced atomically
//! ```
//!
//! Writes go to a temporary file that is synced and renamed over the old one, then the
//! directory is synced: a reader or a crash sees the old chunk or the new one, never a
//! mixture. The catalog is written before the chunks of new meters.

use crate::calendar::{Interval, local_year, year_bounds};
use crate::chunk::Chunk;
use crate::error::{ReadingsError, Result};
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

const FORMAT: &str = "zeropark-readings 1";
const CATALOG_HEADER: &str = "zeropark-readings catalog 1";

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
        };
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

    pub(crate) fn lock(&self) -> Result<WriteLock> {
        let path = self.dir.join("LOCK");
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| ReadingsError::io(&path, e))?;
        f.lock().map_err(|e| ReadingsError::io(&path, e))?;
        Ok(WriteLock(f))
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

    /// Adds meters to the catalog (written atomically before any of their chunks).
    pub(crate) fn register(&mut self, new: &[MeterInfo]) -> Result<()> {
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
        write_atomic(&self.dir.join("catalog"), body.as_bytes())
    }

    /// Replaces chunks: each is encoded, written to a temporary file and synced, then
    /// renamed into place. Their directories are synced once per import by
    /// [`ReadingStore::sync_written`], which the caller runs after its last batch.
    pub(crate) fn write_chunks(
        &self,
        chunks: &[(u32, i32, Chunk)],
        written: &mut WrittenDirs,
    ) -> Result<()> {
        let mut dirs = std::collections::BTreeSet::new();
        for (id, _, _) in chunks {
            dirs.insert(self.chunk_dir(*id));
        }
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| ReadingsError::io(d, e))?;
        }
        crate::par::for_each_io(chunks, |(id, year, c)| {
            let tmp = self.chunk_path(*id, *year).with_extension("zpr.tmp");
            let mut f = File::create(&tmp).map_err(|e| ReadingsError::io(&tmp, e))?;
            f.write_all(&c.encode(*id, *year))
                .map_err(|e| ReadingsError::io(&tmp, e))?;
            f.sync_all().map_err(|e| ReadingsError::io(&tmp, e))
        })?;
        for (id, year, _) in chunks {
            let path = self.chunk_path(*id, *year);
            fs::rename(path.with_extension("zpr.tmp"), &path)
                .map_err(|e| ReadingsError::io(&path, e))?;
        }
        written.0.extend(dirs);
        Ok(())
    }

    /// Syncs the directories of the chunks written by [`ReadingStore::write_chunks`] (each
    /// once, in parallel) and the `chunks` directory: the renames are then durable.
    pub(crate) fn sync_written(&self, written: WrittenDirs) -> Result<()> {
        let dirs: Vec<PathBuf> = written.0.into_iter().collect();
        crate::par::for_each_io(&dirs, |d| sync_dir(d))?;
        sync_dir(&self.dir.join("chunks"))
    }
}

/// The chunk directories an import wrote into, to be synced at its end.
#[derive(Default)]
pub(crate) struct WrittenDirs(std::collections::BTreeSet<PathBuf>);

/// The local year a chunk slot belongs to and that year's full grid for an interval.
pub(crate) fn year_grid(year: i32, interval: Interval) -> Chunk {
    let (start, end) = year_bounds(year);
    Chunk::empty(
        interval,
        start,
        ((end - start) / interval.seconds()) as usize,
    )
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(|e| ReadingsError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| ReadingsError::io(&tmp, e))?;
    f.sync_all().map_err(|e| ReadingsError::io(&tmp, e))?;
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
        s.register(&[
            MeterInfo {
                name: "L1".into(),
                interval: Interval::Min15,
            },
            MeterInfo {
                name: "odd\tname%".into(),
                interval: Interval::Min5,
            },
        ])
        .unwrap();
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
