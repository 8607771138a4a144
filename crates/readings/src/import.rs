//! Importing readings: rows are validated one by one (meter, time, value, interval
//! alignment, duplicates inside the file), staged on per-meter year grids, then merged into
//! the store. Re-importing the same rows changes nothing; a different value for an existing
//! (meter, ts) replaces it and is counted as restated.

use crate::calendar::{Interval, local_year};
use crate::chunk::Chunk;
use crate::error::{ReadingsError, Result};
use crate::store::{MeterInfo, ReadingStore, year_grid};
use crate::value::{ValueError, format_kwh, parse_kwh};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::Path;

/// Most invalid rows one import may hold before it is abandoned as "not a readings file".
pub const MAX_REJECTED: usize = 1_000_000;
/// Gap ranges listed per meter (the count of missing intervals is always complete).
pub const MAX_GAP_RANGES: usize = 20;

/// A row that failed validation: the file's row (CSV: line number, header = 1; Parquet:
/// 1-based record number), the field, the reason and the raw row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub row: u64,
    pub field: String,
    pub reason: String,
    pub raw: String,
}

/// Missing intervals `[from, to)` (epoch seconds) between a meter's readings in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapRange {
    pub from: i64,
    pub to: i64,
}

/// The gaps of one meter inside the span of its readings in the imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterGaps {
    pub meter: String,
    pub interval: Interval,
    pub missing_intervals: u64,
    /// The first [`MAX_GAP_RANGES`] runs of missing intervals.
    pub ranges: Vec<GapRange>,
}

/// What an import did. `read = accepted + quarantined`; `duplicates` (already stored with
/// the same value, or repeated in the file) and `restated` (replaced a different stored
/// value) are parts of `accepted`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub file: String,
    pub read: usize,
    pub accepted: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub restated: usize,
    /// Meters with accepted rows in the file.
    pub meters: usize,
    /// Meters the store had not seen before (their interval is now fixed).
    pub new_meters: usize,
    /// Readings added to or changed in the store.
    pub written: usize,
    pub missing_intervals: u64,
    pub gaps: Vec<MeterGaps>,
    pub rejected: Vec<RejectedRow>,
}

/// Progress of a long import: (bytes or rows done, total).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

#[derive(Default)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

struct FileMeter {
    raw: Vec<u8>,
    name: String,
    /// Why rows of this meter are rejected (unknown, empty, not UTF-8).
    invalid: Option<String>,
    interval: Option<Interval>,
    /// The interval comes from the store and cannot change.
    fixed: bool,
    stages: Vec<usize>,
    /// (year start, year end, stage) of the last row.
    cache: Option<(i64, i64, usize)>,
    accepted: bool,
}

struct Stage {
    meter: u32,
    year: i32,
    chunk: Chunk,
}

/// Validates and stages rows; [`Importer::finish`] merges them into the store.
pub(crate) struct Importer<'a> {
    known: &'a dyn Fn(&str) -> bool,
    stored: FxMap<String, Interval>,
    meters: Vec<FileMeter>,
    index: FxMap<Vec<u8>, u32>,
    last: Option<u32>,
    stages: Vec<Stage>,
    stage_index: FxMap<(u32, i32), usize>,
    report: ImportReport,
}

impl<'a> Importer<'a> {
    pub(crate) fn new(store: &ReadingStore, file: String, known: &'a dyn Fn(&str) -> bool) -> Self {
        Importer {
            known,
            stored: store
                .meters()
                .iter()
                .map(|m| (m.name.clone(), m.interval))
                .collect(),
            meters: Vec::new(),
            index: FxMap::default(),
            last: None,
            stages: Vec::new(),
            stage_index: FxMap::default(),
            report: ImportReport {
                file,
                ..Default::default()
            },
        }
    }

    fn meter(&mut self, name: &[u8]) -> u32 {
        if let Some(ix) = self.last
            && self.meters[ix as usize].raw == name
        {
            return ix;
        }
        let ix = match self.index.get(name) {
            Some(ix) => *ix,
            None => {
                let ix = self.meters.len() as u32;
                let (text, invalid) = match std::str::from_utf8(name) {
                    Ok(t) if t.trim().is_empty() => (String::new(), Some("meter is empty".into())),
                    Ok(t) if t.trim() != t => (
                        t.to_string(),
                        Some(format!("meter {t:?} has leading or trailing spaces")),
                    ),
                    Ok(t) if !(self.known)(t) => (
                        t.to_string(),
                        Some(format!(
                            "unknown meter {t:?}: register it first with `zeropark import meters`"
                        )),
                    ),
                    Ok(t) => (t.to_string(), None),
                    Err(_) => (
                        String::from_utf8_lossy(name).into_owned(),
                        Some("meter is not UTF-8 text (readings files must be UTF-8)".into()),
                    ),
                };
                let stored = self.stored.get(&text).copied();
                self.meters.push(FileMeter {
                    raw: name.to_vec(),
                    name: text,
                    invalid,
                    interval: stored,
                    fixed: stored.is_some(),
                    stages: Vec::new(),
                    cache: None,
                    accepted: false,
                });
                self.index.insert(name.to_vec(), ix);
                ix
            }
        };
        self.last = Some(ix);
        ix
    }

    fn reject(
        &mut self,
        row: u64,
        field: &str,
        reason: String,
        raw: &dyn Fn() -> String,
    ) -> Result<()> {
        self.report.quarantined += 1;
        if self.report.rejected.len() >= MAX_REJECTED {
            return Err(ReadingsError::Limit(format!(
                "{}: more than {MAX_REJECTED} invalid rows; is this a readings file (meter,ts,kwh)?",
                self.report.file
            )));
        }
        self.report.rejected.push(RejectedRow {
            row,
            field: field.into(),
            reason,
            raw: raw(),
        });
        Ok(())
    }

    /// Validates and stages one row.
    pub(crate) fn row(
        &mut self,
        row: u64,
        meter: &[u8],
        ts: std::result::Result<i64, String>,
        wh: std::result::Result<u32, ValueError>,
        raw: &dyn Fn() -> String,
    ) -> Result<()> {
        self.report.read += 1;
        let ix = self.meter(meter);
        if let Some(reason) = self.meters[ix as usize].invalid.clone() {
            return self.reject(row, "meter", reason, raw);
        }
        let ts = match ts {
            Ok(t) => t,
            Err(reason) => return self.reject(row, "ts", reason, raw),
        };
        let wh = match wh {
            Ok(w) => w,
            Err(e) => return self.reject(row, "kwh", e.reason().into(), raw),
        };
        let Some(aligned) = Interval::longest_aligned(ts) else {
            return self.reject(
                row,
                "ts",
                format!(
                    "{} is not the start of a 5, 15, 30 or 60-minute interval",
                    zp_domain::time::format_local(ts)
                ),
                raw,
            );
        };
        let m = &self.meters[ix as usize];
        let interval = match m.interval {
            Some(iv) if ts.rem_euclid(iv.seconds()) == 0 => iv,
            Some(iv) if m.fixed => {
                let reason = format!(
                    "meter {:?} records {}-minute intervals (fixed by its first import); {} is not the start of one",
                    m.name,
                    iv.minutes(),
                    zp_domain::time::format_local(ts)
                );
                return self.reject(row, "ts", reason, raw);
            }
            Some(_) => {
                self.regrid(ix, aligned);
                aligned
            }
            None => {
                self.meters[ix as usize].interval = Some(aligned);
                aligned
            }
        };
        let stage = self.stage(ix, ts, interval);
        let chunk = &mut self.stages[stage].chunk;
        let slot = ((ts - chunk.start) / interval.seconds()) as usize;
        if chunk.is_present(slot) {
            let before = chunk.values[slot];
            if before == wh {
                self.report.accepted += 1;
                self.report.duplicates += 1;
                return Ok(());
            }
            let name = self.meters[ix as usize].name.clone();
            return self.reject(
                row,
                "kwh",
                format!(
                    "meter {name:?} at {} appears earlier in this file with {} kWh; the first value is kept",
                    zp_domain::time::format_local(ts),
                    format_kwh(before as u64)
                ),
                raw,
            );
        }
        chunk.set(slot, wh);
        self.report.accepted += 1;
        self.meters[ix as usize].accepted = true;
        Ok(())
    }

    fn stage(&mut self, ix: u32, ts: i64, interval: Interval) -> usize {
        let m = &mut self.meters[ix as usize];
        if let Some((a, b, s)) = m.cache
            && ts >= a
            && ts < b
        {
            return s;
        }
        let year = local_year(ts);
        let s = match self.stage_index.get(&(ix, year)) {
            Some(s) => *s,
            None => {
                let s = self.stages.len();
                self.stages.push(Stage {
                    meter: ix,
                    year,
                    chunk: year_grid(year, interval),
                });
                self.stage_index.insert((ix, year), s);
                m.stages.push(s);
                s
            }
        };
        let (a, b) = crate::calendar::year_bounds(year);
        m.cache = Some((a, b, s));
        s
    }

    /// Moves a new meter's staged readings onto a finer interval grid (each reading keeps
    /// its start time).
    fn regrid(&mut self, ix: u32, finer: Interval) {
        let m = &mut self.meters[ix as usize];
        let old = m.interval.expect("regrid of a meter with an interval");
        m.interval = Some(finer);
        let factor = (old.seconds() / finer.seconds()) as usize;
        for &s in &m.stages {
            let st = &mut self.stages[s];
            let mut c = year_grid(st.year, finer);
            for i in 0..st.chunk.slots() {
                if st.chunk.is_present(i) {
                    c.set(i * factor, st.chunk.values[i]);
                }
            }
            st.chunk = c;
        }
    }

    fn gaps(&self) -> Vec<MeterGaps> {
        let mut out = Vec::new();
        for m in self.meters.iter().filter(|m| m.accepted) {
            let mut stages: Vec<&Stage> = m.stages.iter().map(|&s| &self.stages[s]).collect();
            stages.sort_by_key(|s| s.year);
            let iv = m.interval.expect("accepted meter has an interval");
            let mut g = MeterGaps {
                meter: m.name.clone(),
                interval: iv,
                missing_intervals: 0,
                ranges: Vec::new(),
            };
            // Walk from the first to the last present slot across the meter's years.
            let mut last_present: Option<i64> = None;
            for st in stages {
                let c = &st.chunk;
                for (w, word) in c.present.iter().enumerate() {
                    if *word == 0 {
                        continue;
                    }
                    for b in 0..64 {
                        if word >> b & 1 == 0 {
                            continue;
                        }
                        let ts = c.start + (w * 64 + b) as i64 * iv.seconds();
                        if let Some(prev) = last_present
                            && ts - prev > iv.seconds()
                        {
                            g.missing_intervals += ((ts - prev) / iv.seconds() - 1) as u64;
                            if g.ranges.len() < MAX_GAP_RANGES {
                                g.ranges.push(GapRange {
                                    from: prev + iv.seconds(),
                                    to: ts,
                                });
                            }
                        }
                        last_present = Some(ts);
                    }
                }
            }
            if g.missing_intervals > 0 {
                out.push(g);
            }
        }
        out
    }

    /// Merges the staged readings into the store and returns the report.
    pub(crate) fn finish(mut self, store: &mut ReadingStore) -> Result<ImportReport> {
        self.report.gaps = self.gaps();
        self.report.missing_intervals = self.report.gaps.iter().map(|g| g.missing_intervals).sum();
        self.report.meters = self.meters.iter().filter(|m| m.accepted).count();
        let new: Vec<MeterInfo> = self
            .meters
            .iter()
            .filter(|m| m.accepted && !m.fixed)
            .map(|m| MeterInfo {
                name: m.name.clone(),
                interval: m.interval.expect("accepted meter has an interval"),
            })
            .collect();
        self.report.new_meters = new.len();
        store.register(&new)?;
        let mut stages = std::mem::take(&mut self.stages);
        stages.sort_by(|a, b| {
            (&self.meters[a.meter as usize].name, a.year)
                .cmp(&(&self.meters[b.meter as usize].name, b.year))
        });
        let work: Vec<(u32, i32, Chunk)> = stages
            .into_iter()
            .filter_map(|s| {
                let id = store
                    .id(&self.meters[s.meter as usize].name)
                    .expect("registered");
                s.chunk.trimmed().map(|c| (id, s.year, c))
            })
            .collect();
        for batch in work.chunks(256) {
            let merged = crate::par::map(
                batch,
                || (),
                |_, (id, year, staged)| {
                    let existing = store.chunk_by_id(*id, *year)?;
                    Ok((*id, *year, merge(existing, staged)))
                },
            )?;
            let mut writes = Vec::new();
            for (id, year, m) in merged {
                let m = m.map_err(|reason| ReadingsError::Corrupt {
                    path: store.dir().join("chunks").join(id.to_string()),
                    reason,
                })?;
                self.report.duplicates += m.duplicates;
                self.report.restated += m.restated;
                self.report.written += m.written;
                if let Some(c) = m.chunk {
                    writes.push((id, year, c));
                }
            }
            store.write_chunks(&writes)?;
        }
        Ok(self.report)
    }
}

struct Merged {
    chunk: Option<Chunk>,
    duplicates: usize,
    restated: usize,
    written: usize,
}

/// Merges staged readings into an existing chunk (same interval). Returns the new chunk
/// when anything changed.
fn merge(existing: Option<Chunk>, staged: &Chunk) -> std::result::Result<Merged, String> {
    let Some(old) = existing else {
        return Ok(Merged {
            written: staged.count() as usize,
            chunk: Some(staged.clone()),
            duplicates: 0,
            restated: 0,
        });
    };
    if old.interval != staged.interval {
        return Err(format!(
            "stored chunk has {}-minute intervals, the catalog says {}",
            old.interval.minutes(),
            staged.interval.minutes()
        ));
    }
    let iv = old.interval.seconds();
    let start = old.start.min(staged.start);
    let end = old.end().max(staged.end());
    let mut out = Chunk::empty(old.interval, start, ((end - start) / iv) as usize);
    let shift_old = ((old.start - start) / iv) as usize;
    for i in 0..old.slots() {
        if old.is_present(i) {
            out.set(i + shift_old, old.values[i]);
        }
    }
    let shift_new = ((staged.start - start) / iv) as usize;
    let (mut duplicates, mut restated, mut written) = (0, 0, 0);
    for i in 0..staged.slots() {
        if !staged.is_present(i) {
            continue;
        }
        let j = i + shift_new;
        let v = staged.values[i];
        if out.is_present(j) {
            if out.values[j] == v {
                duplicates += 1;
                continue;
            }
            restated += 1;
        }
        written += 1;
        out.set(j, v);
    }
    Ok(Merged {
        chunk: (written > 0).then_some(out),
        duplicates,
        restated,
        written,
    })
}

/// Finds the `meter`, `ts` and `kwh` columns of a header (case-insensitive, any order).
pub(crate) fn columns(file: &str, headers: &[String]) -> Result<[usize; 3]> {
    let norm: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    let find = |n: &str| norm.iter().position(|h| h == n);
    match (find("meter"), find("ts"), find("kwh")) {
        (Some(m), Some(t), Some(k)) => Ok([m, t, k]),
        _ => Err(ReadingsError::Format {
            file: file.into(),
            reason: format!(
                "missing column(s): a readings file has columns meter,ts,kwh (found: {})",
                headers.join(", ")
            ),
        }),
    }
}

/// Splits a CSV line with quotes (the slow path; plain lines are split on commas).
fn split_quoted(line: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        match (quoted, b) {
            (true, b'"') if line.get(i + 1) == Some(&b'"') => {
                cur.push(b'"');
                i += 1;
            }
            (true, b'"') => quoted = false,
            (false, b'"') => quoted = true,
            (false, b',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(b),
        }
        i += 1;
    }
    out.push(cur);
    out
}

fn parse_ts_cell(cell: &[u8]) -> std::result::Result<i64, String> {
    let t = crate::value::trim(cell);
    if t.is_empty() {
        return Err("ts is empty".into());
    }
    if let Some(ts) = crate::calendar::parse_ts_fast(t) {
        return Ok(ts);
    }
    match std::str::from_utf8(t) {
        Ok(s) => zp_domain::time::parse_timestamp(s).map_err(|e| e.to_string()),
        Err(_) => Err("ts is not UTF-8 text".into()),
    }
}

/// Imports a CSV file with columns `meter,ts,kwh` (UTF-8, optional BOM, any column order,
/// extra columns ignored). Rows are streamed: memory grows with the staged readings, not
/// with the file.
pub fn import_csv(
    store: &mut ReadingStore,
    path: &Path,
    known: &dyn Fn(&str) -> bool,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let file_name = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| ReadingsError::io(path, e))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let _lock = store.lock()?;
    store.reload_catalog()?;
    let mut imp = Importer::new(store, file_name.clone(), known);
    let mut buf = vec![0u8; 8 << 20];
    let mut filled = 0usize;
    let mut done = 0u64;
    let mut line_no = 0u64;
    let mut cols: Option<[usize; 3]> = None;
    let mut eof = false;
    while !eof {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = f
            .read(&mut buf[filled..])
            .map_err(|e| ReadingsError::io(path, e))?;
        filled += n;
        eof = n == 0;
        let end = if eof {
            filled
        } else {
            match buf[..filled].iter().rposition(|&b| b == b'\n') {
                Some(p) => p + 1,
                None => continue,
            }
        };
        let block = &buf[..end];
        for mut line in block.split(|&b| b == b'\n') {
            if line.is_empty() && line.as_ptr() == block.as_ptr().wrapping_add(block.len()) {
                break;
            }
            line_no += 1;
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            if line_no == 1
                && let Some(rest) = line.strip_prefix(b"\xEF\xBB\xBF".as_slice())
            {
                line = rest;
            }
            let Some(c) = cols else {
                let headers: Vec<String> = split_quoted(line)
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).into_owned())
                    .collect();
                cols = Some(columns(&file_name, &headers)?);
                continue;
            };
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let raw = || String::from_utf8_lossy(line).into_owned();
            let owned;
            let mut cells: [&[u8]; 3] = [&[], &[], &[]];
            let mut found = 0;
            if line.contains(&b'"') {
                owned = split_quoted(line);
                for (k, &ci) in c.iter().enumerate() {
                    if let Some(v) = owned.get(ci) {
                        cells[k] = v;
                        found += 1;
                    }
                }
            } else {
                for (i, field) in line.split(|&b| b == b',').enumerate() {
                    for (k, &ci) in c.iter().enumerate() {
                        if ci == i {
                            cells[k] = field;
                            found += 1;
                        }
                    }
                    if found == 3 {
                        break;
                    }
                }
            }
            if found < 3 {
                imp.report.read += 1;
                imp.reject(
                    line_no,
                    "meter",
                    "row has fewer fields than the header (meter,ts,kwh)".into(),
                    &raw,
                )?;
                continue;
            }
            let meter = crate::value::trim(cells[0]);
            imp.row(
                line_no,
                meter,
                parse_ts_cell(cells[1]),
                parse_kwh(cells[2]),
                &raw,
            )?;
        }
        done += end as u64;
        progress(done, total);
        buf.copy_within(end..filled, 0);
        filled -= end;
    }
    if cols.is_none() {
        return Err(ReadingsError::Format {
            file: file_name,
            reason: "empty file: a readings file has a header meter,ts,kwh".into(),
        });
    }
    imp.finish(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_cells() {
        assert_eq!(
            split_quoted(br#"a,"b,c","d""e""#),
            vec![b"a".to_vec(), b"b,c".to_vec(), b"d\"e".to_vec()]
        );
    }

    #[test]
    fn merge_counts_duplicates_and_restatements() {
        let mut old = Chunk::empty(Interval::Min60, 0, 3);
        old.set(0, 1);
        old.set(1, 2);
        let mut new = Chunk::empty(Interval::Min60, 3600, 3);
        new.set(0, 2); // same as old slot 1
        new.set(1, 9); // old slot 2 was absent
        new.set(2, 4); // beyond the old end
        let m = merge(Some(old.clone()), &new).unwrap();
        assert_eq!((m.duplicates, m.restated, m.written), (1, 0, 2));
        let c = m.chunk.unwrap();
        assert_eq!(
            c.readings().collect::<Vec<_>>(),
            [(0, 1), (3600, 2), (7200, 9), (10800, 4)]
        );
        let mut change = Chunk::empty(Interval::Min60, 0, 1);
        change.set(0, 5);
        let m = merge(Some(old.clone()), &change).unwrap();
        assert_eq!((m.duplicates, m.restated, m.written), (0, 1, 1));
        let mut same = Chunk::empty(Interval::Min60, 0, 1);
        same.set(0, 1);
        let m = merge(Some(old), &same).unwrap();
        assert!(m.chunk.is_none());
        assert_eq!(m.duplicates, 1);
    }
}
