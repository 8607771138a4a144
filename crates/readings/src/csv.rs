//! CSV import, in parallel: the header is read first, then the rest of the file is cut into
//! byte ranges ("parts") that worker threads take in turn. A line belongs to the part that
//! holds its first byte. Each worker validates and stages its rows on its own
//! [`Importer`]; the importers are then merged, rows numbered inside parts become file
//! rows, and the result is the same store and the same report as reading the file from
//! top to bottom on one thread. The one case where row order decides (two parts holding
//! different values for one meter and interval: the first is kept, the later one is
//! quarantined) is detected at the merge, and the file is then read again on one thread.
//!
//! Rows of the usual exact shape, `meter,YYYY-MM-DDTHH:MM:SS+08:00,kwh` (or a naive local
//! time) with a plain decimal kWh, take a fast path: no field splitting, the date parsed
//! once per day ([`DayCache`]), kWh straight to whole Wh. Every other row (quotes, other
//! offsets, fractions of seconds, extra columns, invalid values…) goes through the general
//! parser, which also words the reasons of rejected rows.

use crate::calendar::DayCache;
use crate::calendar::TimeRange;
use crate::error::{ReadingsError, Result};
use crate::import::{ImportReport, Importer, KnownMeter, Prepared, Progress, columns};
use crate::store::ReadingStore;
use crate::value::{fast_kwh, parse_kwh, trim};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Bytes read at a time by an import worker: small enough that the block stays in the
/// core's L2 cache between the read's copy and the parse (with 4 MiB blocks the copy from
/// the page cache took a quarter of the import's CPU samples at 140 M rows).
const BLOCK: u64 = 128 << 10;

/// How [`import_csv_with`] reads a file. The defaults are what [`import_csv`] uses.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Worker threads: `ZEROPARK_IMPORT_THREADS` when set, else the available parallelism.
    pub threads: usize,
    /// Bytes per part (default: an eighth of each worker's share, 1-64 MiB).
    pub part_bytes: Option<u64>,
    /// Whether rows of the usual exact shape take the fast path (the results are the same
    /// either way; `false` is for tests and comparisons).
    pub fast_path: bool,
    /// The times accepted; readings outside are quarantined (default 2000-2100).
    pub time_range: TimeRange,
}

impl Default for CsvOptions {
    fn default() -> Self {
        let threads = std::env::var("ZEROPARK_IMPORT_THREADS")
            .ok()
            .and_then(|t| t.trim().parse::<usize>().ok())
            .filter(|&t| t > 0)
            .unwrap_or_else(crate::par::threads);
        CsvOptions {
            threads,
            part_bytes: None,
            fast_path: true,
            time_range: TimeRange::default(),
        }
    }
}

/// Imports a CSV file with columns `meter,ts,kwh` (UTF-8, optional BOM, any column order,
/// extra columns ignored), on [`CsvOptions::default`] threads. Rows are streamed: memory
/// grows with the staged readings, not with the file.
pub fn import_csv(
    store: &mut ReadingStore,
    path: &Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    import_csv_with(store, path, known, progress, &CsvOptions::default())
}

/// [`import_csv`] with explicit [`CsvOptions`].
pub fn import_csv_with(
    store: &mut ReadingStore,
    path: &Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
    options: &CsvOptions,
) -> Result<ImportReport> {
    prepare_csv(store, path, known, progress, options)?.commit()
}

/// Validates and stages a CSV file without making it visible: see [`Prepared`].
pub fn prepare_csv<'s>(
    store: &'s mut ReadingStore,
    path: &Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
    options: &CsvOptions,
) -> Result<Prepared<'s>> {
    let file_name = path.display().to_string();
    let mut f = File::open(path).map_err(|e| ReadingsError::io(path, e))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let lock = store.lock()?;
    store.reload_catalog()?;
    let Some((header_len, cols, fields)) = read_header(&mut f, path, &file_name)? else {
        return Err(ReadingsError::Format {
            file: file_name,
            reason: "empty file: a readings file has a header meter,ts,kwh".into(),
        });
    };
    let reader = Reader {
        path,
        file_name: &file_name,
        cols,
        fields,
        fast: options.fast_path && cols == [0, 1, 2] && fields == 3,
        parts: parts(header_len, total, options),
        total,
        range: options.time_range,
    };
    let imp = match reader.run(store, known, options.threads, progress)? {
        Some(imp) => imp,
        None => reader
            .run(store, known, 1, progress)?
            .expect("one worker reads the parts in order and never conflicts"),
    };
    imp.prepare(store, lock)
}

/// The header's length in bytes (with its newline), the columns of meter, ts and kwh and the
/// number of columns; None for an empty file.
fn read_header(
    f: &mut File,
    path: &Path,
    file_name: &str,
) -> Result<Option<(u64, [usize; 3], usize)>> {
    let mut head = Vec::new();
    let len = loop {
        let old = head.len();
        let n = f
            .by_ref()
            .take(64 << 10)
            .read_to_end(&mut head)
            .map_err(|e| ReadingsError::io(path, e))?;
        if let Some(i) = head[old..].iter().position(|&b| b == b'\n') {
            break old + i + 1;
        }
        if n == 0 {
            break head.len();
        }
    };
    if len == 0 {
        return Ok(None);
    }
    let mut line = &head[..len];
    line = line.strip_suffix(b"\n").unwrap_or(line);
    line = line.strip_suffix(b"\r").unwrap_or(line);
    if let Some(cr) = line.iter().position(|&b| b == b'\r') {
        return Err(ReadingsError::Format {
            file: file_name.into(),
            reason: format!(
                "line 1 ends with a lone carriage return (CR) at byte {}: lines must end with LF or CRLF; save the file with Unix or Windows line ends",
                cr + 1
            ),
        });
    }
    line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let headers: Vec<String> = split_quoted(line)
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    Ok(Some((
        len as u64,
        columns(file_name, &headers)?,
        headers.len(),
    )))
}

/// Byte ranges `[start, end)` of the rows after the header; the last one reaches the end of
/// the file whatever its length then.
fn parts(header_len: u64, total: u64, options: &CsvOptions) -> Vec<(u64, u64)> {
    let body = total.saturating_sub(header_len);
    if body == 0 {
        return vec![(header_len, u64::MAX)];
    }
    let size = options
        .part_bytes
        .unwrap_or_else(|| (body / (8 * options.threads.max(1) as u64)).clamp(1 << 20, 64 << 20))
        .max(1);
    let n = body.div_ceil(size);
    (0..n)
        .map(|i| {
            let end = if i + 1 == n {
                u64::MAX
            } else {
                header_len + (i + 1) * size
            };
            (header_len + i * size, end)
        })
        .collect()
}

struct Reader<'f> {
    path: &'f Path,
    file_name: &'f str,
    cols: [usize; 3],
    /// Columns of the header.
    fields: usize,
    fast: bool,
    parts: Vec<(u64, u64)>,
    total: u64,
    range: TimeRange,
}

/// What one worker did: its importer and the number of lines of each part it read.
type WorkerResult<'a> = Result<(Importer<'a>, Vec<(usize, u64)>)>;

impl Reader<'_> {
    /// Reads all parts on `threads` workers and merges their importers; None when parts
    /// conflict (see the module documentation).
    fn run<'a>(
        &self,
        store: &ReadingStore,
        known: KnownMeter<'a>,
        threads: usize,
        progress: Progress<'_>,
    ) -> Result<Option<Importer<'a>>> {
        let workers = threads.clamp(1, self.parts.len());
        let next = AtomicUsize::new(0);
        let done = AtomicU64::new(0);
        let stop = AtomicBool::new(false);
        let results: Vec<WorkerResult<'a>> = std::thread::scope(|sc| {
            let (tx, rx) = mpsc::channel::<()>();
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let tx = tx.clone();
                    let (next, done, stop) = (&next, &done, &stop);
                    sc.spawn(move || {
                        let r = self.worker(store, known, next, done, stop);
                        let _ = tx.send(());
                        r
                    })
                })
                .collect();
            drop(tx);
            let mut finished = 0;
            while finished < workers {
                match rx.recv_timeout(Duration::from_millis(200)) {
                    Ok(()) => finished += 1,
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
                progress(done.load(Ordering::Relaxed).min(self.total), self.total);
            }
            handles
                .into_iter()
                .map(|h| h.join().expect("import worker panicked"))
                .collect()
        });
        let mut lines = vec![0u64; self.parts.len()];
        let mut importers = Vec::with_capacity(results.len());
        for r in results {
            let (imp, counts) = r?;
            for (p, n) in counts {
                lines[p] = n;
            }
            importers.push(imp);
        }
        let mut it = importers.into_iter();
        let mut imp = it.next().expect("at least one worker");
        for other in it {
            if imp.absorb(other).is_err() {
                return Ok(None);
            }
        }
        imp.check_rejected()?;
        let mut first_row = Vec::with_capacity(lines.len());
        let mut row = 1; // the header
        for n in lines {
            first_row.push(row);
            row += n;
        }
        imp.number_rows(&first_row);
        Ok(Some(imp))
    }

    fn worker<'a>(
        &self,
        store: &ReadingStore,
        known: KnownMeter<'a>,
        next: &AtomicUsize,
        done: &AtomicU64,
        stop: &AtomicBool,
    ) -> WorkerResult<'a> {
        let mut imp = Importer::new(store, self.file_name.to_string(), known, self.range);
        let mut f = File::open(self.path).map_err(|e| ReadingsError::io(self.path, e))?;
        let mut buf = Vec::new();
        let mut day = DayCache::default();
        let mut counts = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let p = next.fetch_add(1, Ordering::Relaxed);
            if p >= self.parts.len() {
                break;
            }
            imp.part = p as u32;
            let lines = self
                .read_part(&mut imp, &mut f, p, &mut buf, &mut day)
                .inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
            counts.push((p, lines));
            let (a, b) = self.parts[p];
            done.fetch_add(b.min(self.total).saturating_sub(a), Ordering::Relaxed);
        }
        Ok((imp, counts))
    }

    /// Reads the lines starting in part `p`; returns how many.
    fn read_part(
        &self,
        imp: &mut Importer,
        f: &mut File,
        p: usize,
        buf: &mut Vec<u8>,
        day: &mut DayCache,
    ) -> Result<u64> {
        let io = |e| ReadingsError::io(self.path, e);
        let (start, end) = self.parts[p];
        // A later part starts after the first newline at or after its start - 1: the line
        // running into it belongs to the part before.
        let mut base = if p == 0 { start } else { start - 1 };
        let mut skip = p > 0;
        f.seek(SeekFrom::Start(base)).map_err(io)?;
        buf.clear();
        let mut cursor = 0usize;
        let mut lines = 0u64;
        loop {
            let n = f.by_ref().take(BLOCK).read_to_end(buf).map_err(io)?;
            let eof = n == 0;
            if skip {
                match buf[cursor..].iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        cursor += i + 1;
                        skip = false;
                    }
                    None if eof => return Ok(0),
                    None => continue,
                }
            }
            let complete = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(i) if i >= cursor => i + 1,
                    _ => continue,
                }
            };
            let limit = usize::try_from(end.saturating_sub(base)).unwrap_or(usize::MAX);
            cursor = self.lines(imp, &buf[..complete], cursor, limit, &mut lines, day)?;
            if cursor >= limit || eof {
                return Ok(lines);
            }
            buf.copy_within(cursor.., 0);
            buf.truncate(buf.len() - cursor);
            base += cursor as u64;
            cursor = 0;
        }
    }

    /// Imports the lines of `block` (whole lines) that start at `i` up to `limit`; returns
    /// where the next line starts.
    fn lines(
        &self,
        imp: &mut Importer,
        block: &[u8],
        mut i: usize,
        limit: usize,
        lines: &mut u64,
        day: &mut DayCache,
    ) -> Result<usize> {
        while i < limit && i < block.len() {
            if self.fast {
                i = imp.fast_run(block, i, limit, lines, day);
                if i >= limit || i >= block.len() {
                    break;
                }
            }
            *lines += 1;
            if self.fast
                && let Some(next) = fast_row(imp, block, i, *lines, day)?
            {
                i = next;
                continue;
            }
            let e = block[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(block.len(), |k| i + k);
            self.general_row(imp, &block[i..e], *lines)?;
            i = (e + 1).min(block.len());
        }
        Ok(i)
    }

    /// Any line (without its newline): fields split with quotes when there are any.
    fn general_row(&self, imp: &mut Importer, mut line: &[u8], row: u64) -> Result<()> {
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(());
        }
        let raw = || String::from_utf8_lossy(line).into_owned();
        let owned;
        let mut cells: [&[u8]; 3] = [&[], &[], &[]];
        let mut found = 0;
        // Non-empty cells beyond the header's columns: an unquoted `1,000` split in two.
        let extra;
        if line.contains(&b'"') {
            if !quotes_closed(line) {
                return imp.bad_row(
                    row,
                    "meter",
                    "a quote (\") is opened and not closed on this line".into(),
                    &raw,
                );
            }
            owned = split_quoted(line);
            extra = owned.iter().skip(self.fields).any(|c| !trim(c).is_empty());
            for (k, &ci) in self.cols.iter().enumerate() {
                if let Some(v) = owned.get(ci) {
                    cells[k] = v;
                    found += 1;
                }
            }
        } else {
            let mut more = false;
            for (i, field) in line.split(|&b| b == b',').enumerate() {
                for (k, &ci) in self.cols.iter().enumerate() {
                    if ci == i {
                        cells[k] = field;
                        found += 1;
                    }
                }
                if i >= self.fields && !trim(field).is_empty() {
                    more = true;
                    break;
                }
            }
            extra = more;
        }
        if found < 3 {
            return imp.short_row(row, &raw);
        }
        if extra {
            return imp.long_row(row, self.fields, &raw);
        }
        imp.row(
            row,
            trim(cells[0]),
            parse_ts_cell(cells[1]),
            parse_kwh(cells[2]),
            &raw,
        )
    }
}

/// The fast path: a row `meter,<DayCache layout>,<digits>[.<1-3 digits>]` ending in `\n`,
/// `\r\n` or the end of the file, with a value within bounds, is staged and the start of
/// the next line returned; Ok(None) leaves the row to the general parser.
#[inline]
fn fast_row(
    imp: &mut Importer,
    block: &[u8],
    i: usize,
    row: u64,
    day: &mut DayCache,
) -> Result<Option<usize>> {
    let b = &block[i..];
    let Some(c) = b.iter().position(|&x| x == b',' || x == b'\n' || x == b'"') else {
        return Ok(None);
    };
    if b[c] != b',' {
        return Ok(None);
    }
    let Some((ts, ts_len)) = day.parse(&b[c + 1..]) else {
        return Ok(None);
    };
    let k = c + ts_len + 2;
    let Some((wh, kwh_len, next)) = fast_kwh(&b[k..]) else {
        return Ok(None);
    };
    let line = &b[..k + kwh_len];
    let raw = || String::from_utf8_lossy(line).into_owned();
    imp.row(row, trim(&b[..c]), Ok(ts), Ok(wh), &raw)?;
    Ok(Some(i + k + next))
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

/// Whether every quote a line opens is closed on it (`""` inside quotes is a quote).
fn quotes_closed(line: &[u8]) -> bool {
    // Quote characters toggle the state; an escaped `""` toggles twice.
    line.iter().filter(|&&b| b == b'"').count() % 2 == 0
}

fn parse_ts_cell(cell: &[u8]) -> std::result::Result<i64, String> {
    let t = trim(cell);
    if t.is_empty() {
        return Err("ts is empty".into());
    }
    if let Some(ts) = crate::calendar::parse_ts_fast(t) {
        return Ok(ts);
    }
    match std::str::from_utf8(t) {
        Ok(s) => crate::calendar::parse_ts_checked(s),
        Err(_) => Err("ts is not UTF-8 text".into()),
    }
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
    fn parts_cover_the_body() {
        let o = CsvOptions {
            threads: 2,
            part_bytes: Some(10),
            fast_path: true,
            ..Default::default()
        };
        assert_eq!(parts(5, 30, &o), vec![(5, 15), (15, 25), (25, u64::MAX)]);
        assert_eq!(parts(5, 5, &o), vec![(5, u64::MAX)]);
    }
}
