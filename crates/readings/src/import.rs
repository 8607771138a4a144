//! Long because: validation, staging and the all-or-nothing merge of one import share the
//! staged grids and the commit manifest; split, the crash-safety argument would span files.
//!
//! Importing readings: rows are validated one by one (meter, time, value, interval
//! alignment, duplicates inside the file), staged on per-meter year grids, then merged into
//! the store. Re-importing the same rows changes nothing; a different value for an existing
//! (meter, ts) replaces it and is counted as restated.

use crate::calendar::{Interval, TimeRange, local_year};
use crate::chunk::Chunk;
use crate::error::{ReadingsError, Result};
use crate::store::{MeterInfo, ReadingStore, WriteLock, year_grid};
use crate::txn::Txn;
use crate::value::{ValueError, format_kwh};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Most invalid rows one import may hold before it is abandoned as "not a readings file".
pub const MAX_REJECTED: usize = 1_000_000;
/// Gap ranges listed per meter (the count of missing intervals is always complete).
pub const MAX_GAP_RANGES: usize = 20;

/// Restated meter-days listed per import (the count of restated readings is always
/// complete).
pub const MAX_RESTATED_DAYS: usize = 1000;

/// The readings of one meter on one local day that an import replaces with different
/// values: how many, and their sums before and after (only the replaced readings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestatedDay {
    pub meter: String,
    /// Epoch seconds of the local (Beijing) day's start.
    pub day: i64,
    pub readings: u32,
    pub old_wh: u64,
    pub new_wh: u64,
}

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
    /// The first [`MAX_RESTATED_DAYS`] meter-days with a restated reading, by meter and
    /// day.
    pub restatements: Vec<RestatedDay>,
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

#[derive(Clone)]
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
    /// Where the meter first appears: (part, row in the part); orders the meters as they
    /// appear in the file when parts were read by several threads.
    first: (u32, u64),
}

struct Stage {
    meter: u32,
    year: i32,
    chunk: Chunk,
}

/// Validates and stages rows; [`Importer::finish`] merges them into the store.
pub(crate) struct Importer<'a> {
    known: KnownMeter<'a>,
    stored: FxMap<String, Interval>,
    meters: Vec<FileMeter>,
    index: FxMap<Vec<u8>, u32>,
    last: Option<u32>,
    stages: Vec<Stage>,
    stage_index: FxMap<(u32, i32), usize>,
    report: ImportReport,
    /// The part of the file being read (CSV read in parallel: rows are numbered inside
    /// their part until [`Importer::number_rows`]).
    pub(crate) part: u32,
    /// The part of each rejected row.
    rejected_part: Vec<u32>,
    range: TimeRange,
}

/// Whether a meter is registered; called from the import's worker threads.
pub type KnownMeter<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// Two parts of a file hold different values for one (meter, interval): which one is kept
/// and which quarantined depends on the order of rows, so the file is read again in order.
pub(crate) struct Conflict;

impl<'a> Importer<'a> {
    pub(crate) fn new(
        store: &ReadingStore,
        file: String,
        known: KnownMeter<'a>,
        range: TimeRange,
    ) -> Self {
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
            part: 0,
            rejected_part: Vec::new(),
            range,
        }
    }

    fn meter(&mut self, name: &[u8], row: u64) -> u32 {
        if let Some(ix) = self.last
            && same_bytes(&self.meters[ix as usize].raw, name)
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
                    first: (self.part, row),
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
        reason: impl Into<String>,
        raw: &dyn Fn() -> String,
    ) -> Result<()> {
        self.report.quarantined += 1;
        if self.report.rejected.len() >= MAX_REJECTED {
            return Err(too_many_rejected(&self.report.file));
        }
        self.report.rejected.push(RejectedRow {
            row,
            field: field.into(),
            reason: reason.into(),
            raw: raw(),
        });
        self.rejected_part.push(self.part);
        Ok(())
    }

    /// Quarantines a row without the three fields.
    pub(crate) fn short_row(&mut self, row: u64, raw: &dyn Fn() -> String) -> Result<()> {
        self.report.read += 1;
        let reason = "row has fewer fields than the header (meter,ts,kwh)";
        self.reject(row, "meter", reason, raw)
    }

    /// Quarantines a row that cannot be split into fields.
    pub(crate) fn bad_row(
        &mut self,
        row: u64,
        field: &str,
        reason: String,
        raw: &dyn Fn() -> String,
    ) -> Result<()> {
        self.report.read += 1;
        self.reject(row, field, reason, raw)
    }

    /// Quarantines a row with more non-empty fields than the header has columns.
    pub(crate) fn long_row(
        &mut self,
        row: u64,
        columns: usize,
        raw: &dyn Fn() -> String,
    ) -> Result<()> {
        self.report.read += 1;
        self.reject(
            row,
            "kwh",
            format!(
                "row has more fields than the {columns} columns of the header: a number with a thousands separator (1,000) must be written 1000"
            ),
            raw,
        )
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
        let ix = self.meter(meter, row);
        if let Some(reason) = self.meters[ix as usize].invalid.clone() {
            return self.reject(row, "meter", reason, raw);
        }
        let ts = match ts {
            Ok(t) => t,
            Err(reason) => return self.reject(row, "ts", reason, raw),
        };
        if !self.range.contains(ts) {
            let reason = format!(
                "ts is outside the accepted time range {} (local time)",
                self.range.describe()
            );
            return self.reject(row, "ts", reason, raw);
        }
        let wh = match wh {
            Ok(w) => w,
            Err(e) => return self.reject(row, "kwh", e.reason(), raw),
        };
        // The common case first: the meter's interval is known and `ts` starts one of
        // its intervals (then `ts` is on a 5-minute boundary too).
        let interval = match self.meters[ix as usize].interval {
            Some(iv) if iv.starts(ts) => iv,
            _ => match self.new_interval(ix, ts) {
                Ok(iv) => iv,
                Err(reason) => return self.reject(row, "ts", reason, raw),
            },
        };
        let stage = self.stage(ix, ts, interval);
        let chunk = &mut self.stages[stage].chunk;
        let slot = interval.slot(ts - chunk.start);
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

    /// The CSV fast path's inner loop: stages the rows from `i` on (up to `limit`) that
    /// repeat the meter of the last row, in the year it was staged in, with a new,
    /// aligned, in-range value, and returns where the first other row starts. Such rows
    /// need none of [`Importer::row`]'s checks (the meter is valid, its interval known,
    /// its stage found); any other row (another meter, a new year, a duplicate, anything
    /// the fast layout does not match) ends the run and goes through `row`.
    #[inline]
    pub(crate) fn fast_run(
        &mut self,
        block: &[u8],
        mut i: usize,
        limit: usize,
        lines: &mut u64,
        day: &mut crate::calendar::DayCache,
    ) -> usize {
        let Some(ix) = self.last else { return i };
        let m = &mut self.meters[ix as usize];
        let (Some(interval), Some((from, to, s)), None) = (m.interval, m.cache, &m.invalid) else {
            return i;
        };
        let (from, to) = (from.max(self.range.from), to.min(self.range.to));
        let name = m.raw.as_slice();
        let chunk = &mut self.stages[s].chunk;
        let mut staged = 0usize;
        while i < limit && i < block.len() {
            let b = &block[i..];
            if !(b.len() > name.len()
                && b[name.len()] == b','
                && same_bytes(&b[..name.len()], name))
            {
                break;
            }
            let Some((ts, ts_len)) = day.parse(&b[name.len() + 1..]) else {
                break;
            };
            let k = name.len() + ts_len + 2;
            let Some((wh, _, next)) = crate::value::fast_kwh(&b[k..]) else {
                break;
            };
            if ts < from || ts >= to || !interval.starts(ts) {
                break;
            }
            let slot = interval.slot(ts - chunk.start);
            if chunk.is_present(slot) {
                break;
            }
            chunk.set(slot, wh);
            staged += 1;
            i += k + next;
        }
        *lines += staged as u64;
        self.report.read += staged;
        self.report.accepted += staged;
        if staged > 0 {
            m.accepted = true;
        }
        i
    }

    /// The interval a meter's reading at `ts` is staged on when `ts` does not start one of
    /// the meter's current intervals (or the meter has none yet): the longest `ts` starts,
    /// onto which a new meter's staged readings move; an error for a meter whose interval
    /// an earlier import fixed, or a `ts` off the 5-minute grid.
    fn new_interval(&mut self, ix: u32, ts: i64) -> std::result::Result<Interval, String> {
        let Some(aligned) = Interval::longest_aligned(ts) else {
            return Err(format!(
                "{} is not the start of a 5, 15, 30 or 60-minute interval",
                zp_domain::time::format_local(ts)
            ));
        };
        let m = &self.meters[ix as usize];
        match m.interval {
            Some(iv) if m.fixed => Err(format!(
                "meter {:?} records {}-minute intervals (fixed by its first import); {} is not the start of one",
                m.name,
                iv.minutes(),
                zp_domain::time::format_local(ts)
            )),
            Some(_) => {
                self.regrid(ix, aligned);
                Ok(aligned)
            }
            None => {
                self.meters[ix as usize].interval = Some(aligned);
                Ok(aligned)
            }
        }
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
        for &s in &m.stages {
            let st = &mut self.stages[s];
            st.chunk = regridded(&st.chunk, st.year, old, finer);
        }
    }

    /// Adds the rows another worker read from other parts of the same file: counts,
    /// rejected rows, meters and staged readings. Readings of one (meter, interval) in both
    /// are duplicates when equal; different values are a [`Conflict`].
    pub(crate) fn absorb(&mut self, other: Importer<'a>) -> std::result::Result<(), Conflict> {
        let r = other.report;
        self.report.read += r.read;
        self.report.accepted += r.accepted;
        self.report.quarantined += r.quarantined;
        self.report.duplicates += r.duplicates;
        self.report.rejected.extend(r.rejected);
        self.rejected_part.extend(other.rejected_part);
        let mut stages: Vec<Option<Stage>> = other.stages.into_iter().map(Some).collect();
        for mut m in other.meters {
            let theirs = std::mem::take(&mut m.stages);
            let ix = match self.index.get(&m.raw) {
                Some(&ix) => ix,
                None => {
                    let ix = self.meters.len() as u32;
                    self.index.insert(m.raw.clone(), ix);
                    self.meters.push(FileMeter {
                        interval: None,
                        accepted: false,
                        ..m.clone()
                    });
                    ix
                }
            };
            let mine = &mut self.meters[ix as usize];
            mine.first = mine.first.min(m.first);
            mine.accepted |= m.accepted;
            mine.cache = None;
            let finer = match (mine.interval, m.interval) {
                (Some(a), Some(b)) => Some(if a.seconds() <= b.seconds() { a } else { b }),
                (a, b) => a.or(b),
            };
            if let (Some(a), Some(f)) = (mine.interval, finer)
                && a != f
            {
                self.regrid(ix, f);
            }
            self.meters[ix as usize].interval = finer;
            for s in theirs {
                let mut st = stages[s].take().expect("a stage belongs to one meter");
                if let (Some(old), Some(f)) = (m.interval, finer)
                    && old != f
                {
                    st.chunk = regridded(&st.chunk, st.year, old, f);
                }
                match self.stage_index.get(&(ix, st.year)) {
                    Some(&t) => {
                        self.report.duplicates += union(&mut self.stages[t].chunk, &st.chunk)?;
                    }
                    None => {
                        let t = self.stages.len();
                        self.stage_index.insert((ix, st.year), t);
                        self.meters[ix as usize].stages.push(t);
                        self.stages.push(Stage { meter: ix, ..st });
                    }
                }
            }
        }
        Ok(())
    }

    /// Turns row numbers inside parts into the file's rows: `first_row[p]` is the row before
    /// part `p`'s first. Rejected rows end up in file order.
    pub(crate) fn number_rows(&mut self, first_row: &[u64]) {
        for (r, &p) in self.report.rejected.iter_mut().zip(&self.rejected_part) {
            r.row += first_row[p as usize];
        }
        for m in &mut self.meters {
            m.first = (0, m.first.1 + first_row[m.first.0 as usize]);
        }
        self.rejected_part.iter_mut().for_each(|p| *p = 0);
        self.report.rejected.sort_by_key(|r| r.row);
    }

    /// Whether the rows rejected so far exceed [`MAX_REJECTED`].
    pub(crate) fn check_rejected(&self) -> Result<()> {
        if self.report.quarantined > MAX_REJECTED {
            return Err(too_many_rejected(&self.report.file));
        }
        Ok(())
    }

    /// The meters in order of first appearance in the file.
    fn in_file_order(&self) -> Vec<&FileMeter> {
        let mut v: Vec<&FileMeter> = self.meters.iter().collect();
        v.sort_by_key(|m| m.first);
        v
    }

    fn gaps(&self) -> Vec<MeterGaps> {
        let mut out = Vec::new();
        for m in self.in_file_order().into_iter().filter(|m| m.accepted) {
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
                let step = iv.seconds();
                for (w, &word) in c.present.iter().enumerate() {
                    let base = c.start + (w * 64) as i64 * step;
                    if word == u64::MAX && last_present == Some(base - step) {
                        last_present = Some(base + 63 * step);
                        continue;
                    }
                    let mut rest = word;
                    while rest != 0 {
                        let ts = base + rest.trailing_zeros() as i64 * step;
                        rest &= rest - 1;
                        if let Some(prev) = last_present
                            && ts - prev > step
                        {
                            g.missing_intervals += ((ts - prev) / step - 1) as u64;
                            if g.ranges.len() < MAX_GAP_RANGES {
                                g.ranges.push(GapRange {
                                    from: prev + step,
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

    /// Stages the validated readings as one transaction of the store (nothing visible
    /// yet): [`Prepared::commit`] makes all of it visible at once. On an error nothing is
    /// visible and the store's catalog is read again.
    pub(crate) fn prepare(self, store: &mut ReadingStore, lock: WriteLock) -> Result<Prepared<'_>> {
        let token = new_token();
        match self.stage_inner(store).and_then(|(report, txn)| {
            Ok((report, {
                let mut txn = txn;
                store.mark_prepared(&mut txn, &token).map(|()| txn)?
            }))
        }) {
            Ok((report, txn)) => Ok(Prepared {
                store,
                txn: Some(txn),
                report,
                token,
                _lock: lock,
            }),
            Err(e) => {
                // What this import staged is cleared by the next lock (no `PREPARED` was
                // written: it is the last step).
                // Meters registered by the failed transaction are not in the committed catalog.
                let _ = store.reload_catalog();
                Err(e)
            }
        }
    }

    fn stage_inner(mut self, store: &mut ReadingStore) -> Result<(ImportReport, Txn)> {
        self.report.gaps = self.gaps();
        self.report.missing_intervals = self.report.gaps.iter().map(|g| g.missing_intervals).sum();
        self.report.meters = self.meters.iter().filter(|m| m.accepted).count();
        let new: Vec<MeterInfo> = self
            .in_file_order()
            .into_iter()
            .filter(|m| m.accepted && !m.fixed)
            .map(|m| MeterInfo {
                name: m.name.clone(),
                interval: m.interval.expect("accepted meter has an interval"),
            })
            .collect();
        self.report.new_meters = new.len();
        // One transaction: the catalog and every chunk are staged, then committed at once
        // (see `ReadingStore::commit`); a crash leaves all of the old store or all of the new.
        let mut txn = store.begin()?;
        store.register(&new, &mut txn)?;
        let mut stages = std::mem::take(&mut self.stages);
        stages.sort_by(|a, b| {
            (&self.meters[a.meter as usize].name, a.year)
                .cmp(&(&self.meters[b.meter as usize].name, b.year))
        });
        let mut names: HashMap<u32, &str> = HashMap::new();
        let work: Vec<(u32, i32, Chunk)> = stages
            .into_iter()
            .map(|s| {
                let name = &self.meters[s.meter as usize].name;
                let id = store.id(name).expect("registered");
                names.insert(id, name);
                (id, s.year, s.chunk)
            })
            .collect();
        for batch in work.chunks(256) {
            // Trimmed and merged on every core; a new chunk is moved, not copied.
            let merged = crate::par::map(
                batch,
                || (),
                |_, (id, year, staged)| {
                    let Some(staged) = staged.trimmed() else {
                        return Ok(None);
                    };
                    let existing = store.chunk_by_id(*id, *year)?;
                    Ok(Some((*id, *year, merge(existing, staged))))
                },
            )?;
            let mut writes = Vec::new();
            for (id, year, m) in merged.into_iter().flatten() {
                let m = m.map_err(|reason| ReadingsError::Corrupt {
                    path: store.dir().join("chunks").join(id.to_string()),
                    reason,
                })?;
                self.report.duplicates += m.duplicates;
                self.report.restated += m.restated;
                self.report.written += m.written;
                let room = MAX_RESTATED_DAYS.saturating_sub(self.report.restatements.len());
                let meter = names.get(&id).copied().unwrap_or_default().to_string();
                self.report
                    .restatements
                    .extend(m.days.into_iter().take(room).map(|d| RestatedDay {
                        meter: meter.clone(),
                        ..d
                    }));
                if let Some(c) = m.chunk {
                    writes.push((id, year, c));
                }
            }
            store.write_chunks(&writes, &mut txn)?;
        }
        Ok((self.report, txn))
    }
}

/// A validated import whose readings are staged but not yet visible: the caller records its
/// batch (in the SQL database) with [`Prepared::token`] first, then commits; no reading is
/// written before the import can be recorded. The store's write lock is held until this is
/// committed or dropped; dropping it uncommitted discards the staged files. A process that
/// dies in between leaves the import in doubt ([`ReadingStore::in_doubt`]): settled by
/// whether the batch with its token was recorded.
pub struct Prepared<'s> {
    store: &'s mut ReadingStore,
    txn: Option<Txn>,
    report: ImportReport,
    token: String,
    _lock: WriteLock,
}

/// A token no other import of this store has: the clock in nanoseconds and the process id.
fn new_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}", std::process::id())
}

impl Prepared<'_> {
    /// What the import will do once committed.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// The token to record with the import's batch: it settles the import if this process
    /// dies before [`Prepared::commit`].
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stands for the process dying after the batch was recorded: the import is left in
    /// doubt, neither committed nor discarded.
    #[cfg(test)]
    pub(crate) fn die(mut self) {
        self.txn = None;
    }

    /// Makes every staged reading visible at once (see the crate README, "Atomic imports").
    pub fn commit(mut self) -> Result<ImportReport> {
        let txn = self.txn.take().expect("a prepared import commits once");
        let r = self.store.commit(txn);
        if r.is_err() {
            // Past the commit point the next open or import rolls it forward; before it,
            // the committed catalog is the one to use.
            let _ = self.store.reload_catalog();
        }
        r.map(|()| std::mem::take(&mut self.report))
    }
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        if self.txn.take().is_some() {
            // Abandoned: discard the staged files and forget the meters it registered.
            let _ = self.store.discard();
            let _ = self.store.reload_catalog();
        }
    }
}

/// Short byte strings equal, without a `memcmp` call (meter names, once per row).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn too_many_rejected(file: &str) -> ReadingsError {
    ReadingsError::Limit(format!(
        "{file}: more than {MAX_REJECTED} invalid rows; is this a readings file (meter,ts,kwh)?"
    ))
}

/// A year grid moved onto a finer interval (each reading keeps its start time).
fn regridded(c: &Chunk, year: i32, old: Interval, finer: Interval) -> Chunk {
    let factor = (old.seconds() / finer.seconds()) as usize;
    let mut out = year_grid(year, finer);
    for i in 0..c.slots() {
        if c.is_present(i) {
            out.set(i * factor, c.values[i]);
        }
    }
    out
}

/// Adds the readings of `b` to `a` (the same grid); returns how many were in both with the
/// same value, or a [`Conflict`] when one differs.
fn union(a: &mut Chunk, b: &Chunk) -> std::result::Result<usize, Conflict> {
    let mut duplicates = 0;
    for (w, &bits) in b.present.iter().enumerate() {
        let both = a.present[w] & bits;
        let mut rest = both;
        while rest != 0 {
            let i = w * 64 + rest.trailing_zeros() as usize;
            if a.values[i] != b.values[i] {
                return Err(Conflict);
            }
            duplicates += 1;
            rest &= rest - 1;
        }
        let mut new = bits & !both;
        while new != 0 {
            let i = w * 64 + new.trailing_zeros() as usize;
            a.values[i] = b.values[i];
            new &= new - 1;
        }
        a.present[w] |= bits;
    }
    Ok(duplicates)
}

struct Merged {
    chunk: Option<Chunk>,
    duplicates: usize,
    restated: usize,
    written: usize,
    /// The restated readings by local day, in day order (the meter left empty).
    days: Vec<RestatedDay>,
}

/// Merges staged readings into an existing chunk (same interval). Returns the new chunk
/// when anything changed.
fn merge(existing: Option<Chunk>, staged: Chunk) -> std::result::Result<Merged, String> {
    let Some(old) = existing else {
        return Ok(Merged {
            written: staged.count() as usize,
            chunk: Some(staged),
            duplicates: 0,
            restated: 0,
            days: Vec::new(),
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
    let mut days: Vec<RestatedDay> = Vec::new();
    for i in 0..staged.slots() {
        if !staged.is_present(i) {
            continue;
        }
        let j = i + shift_new;
        let v = staged.values[i];
        if out.is_present(j) {
            let was = out.values[j];
            if was == v {
                duplicates += 1;
                continue;
            }
            restated += 1;
            let day = zp_domain::time::day_start(start + j as i64 * iv);
            if days.last().is_none_or(|d| d.day != day) {
                days.push(RestatedDay {
                    meter: String::new(),
                    day,
                    readings: 0,
                    old_wh: 0,
                    new_wh: 0,
                });
            }
            let d = days.last_mut().expect("pushed");
            d.readings += 1;
            d.old_wh += u64::from(was);
            d.new_wh += u64::from(v);
        }
        written += 1;
        out.set(j, v);
    }
    Ok(Merged {
        chunk: (written > 0).then_some(out),
        duplicates,
        restated,
        written,
        days,
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn merge_counts_duplicates_and_restatements() {
        let mut old = Chunk::empty(Interval::Min60, 0, 3);
        old.set(0, 1);
        old.set(1, 2);
        let mut new = Chunk::empty(Interval::Min60, 3600, 3);
        new.set(0, 2); // same as old slot 1
        new.set(1, 9); // old slot 2 was absent
        new.set(2, 4); // beyond the old end
        let m = merge(Some(old.clone()), new).unwrap();
        assert_eq!((m.duplicates, m.restated, m.written), (1, 0, 2));
        let c = m.chunk.unwrap();
        assert_eq!(
            c.readings().collect::<Vec<_>>(),
            [(0, 1), (3600, 2), (7200, 9), (10800, 4)]
        );
        let mut change = Chunk::empty(Interval::Min60, 0, 1);
        change.set(0, 5);
        let m = merge(Some(old.clone()), change).unwrap();
        assert_eq!((m.duplicates, m.restated, m.written), (0, 1, 1));
        let mut same = Chunk::empty(Interval::Min60, 0, 1);
        same.set(0, 1);
        let m = merge(Some(old), same).unwrap();
        assert!(m.chunk.is_none());
        assert_eq!(m.duplicates, 1);
    }

    /// Restated readings are summed by local (Beijing) day: old and new of the replaced
    /// readings only, a day per run of them.
    #[test]
    fn merge_sums_restatements_by_local_day() {
        // 2023-01-01T22:00+08:00 .. 2023-01-02T02:00+08:00, hourly.
        let start = zp_domain::time::parse_timestamp("2023-01-01T22:00:00+08:00").unwrap();
        let mut old = Chunk::empty(Interval::Min60, start, 4);
        for (i, v) in [10, 20, 30, 40].into_iter().enumerate() {
            old.set(i, v);
        }
        let mut new = Chunk::empty(Interval::Min60, start, 5);
        new.set(0, 11); // 22:00 restated
        new.set(1, 20); // 23:00 the same: not a restatement
        new.set(2, 33); // 00:00 next day restated
        new.set(3, 44); // 01:00 restated
        new.set(4, 50); // 02:00 new
        let m = merge(Some(old), new).unwrap();
        assert_eq!((m.duplicates, m.restated, m.written), (1, 3, 4));
        let day =
            |d: &str| zp_domain::time::local_day_start(d.parse::<jiff::civil::Date>().unwrap());
        let got: Vec<_> = m
            .days
            .iter()
            .map(|d| (d.day, d.readings, d.old_wh, d.new_wh))
            .collect();
        assert_eq!(
            got,
            [
                (day("2023-01-01"), 1, 10, 11),
                (day("2023-01-02"), 2, 70, 77)
            ]
        );
    }
}
