//! Streaming ingestion of interval readings (MQTT and other message feeds): each batch of
//! rows taken from messages is validated and merged exactly like a readings file, so the
//! rules (registered meters, aligned intervals, plausible values, restatements) and the
//! idempotency are the same: a message delivered twice changes nothing.
//!
//! Quarantined rows name the source (e.g. `mqtt://127.0.0.1:1883/zeropark/readings/#`) as
//! their file and the message number (1-based, counted from the start of the session) as
//! their row.

use crate::ImportError;
use crate::readings::{
    ReadingsImport, prepare_import, readings_meta, record_and_commit, record_readings_batch,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use zp_ingest::ReadError;
use zp_readings::{ImportReport, ReadingStore};
use zp_store::{Rejected, Store};

/// One reading taken from a message, its fields as the message wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRow {
    pub meter: String,
    pub ts: String,
    pub kwh: String,
    /// The message it came from (1-based within the session).
    pub message: u64,
}

/// A message (or one element of it) that could not be read as a reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamReject {
    pub message: u64,
    pub field: String,
    pub reason: String,
    /// The topic and the offending payload (or element).
    pub raw: String,
}

/// Validates and stores one batch; `rejects` were refused before (unreadable messages) and
/// are quarantined with the rows the readings rules refuse. `read = accepted + quarantined`
/// counts rows and refused messages.
pub fn import_stream_batch(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    source: &str,
    rows: &[StreamRow],
    rejects: &[StreamReject],
    actor: &str,
) -> Result<ReadingsImport, ImportError> {
    let refused: Vec<Rejected> = rejects
        .iter()
        .map(|r| Rejected {
            row: r.message as i64,
            field: r.field.clone(),
            reason: r.reason.clone(),
            raw: r.raw.clone(),
        })
        .collect();
    // CSV line 1 is the header, line n + 2 holds rows[n].
    let message_of = |line: u64| {
        usize::try_from(line)
            .ok()
            .and_then(|line| line.checked_sub(2))
            .and_then(|i| rows.get(i))
            .map_or(0, |row| row.message as i64)
    };
    let meta = readings_meta(source.to_string(), actor, String::new(), None);
    if rows.is_empty() {
        let none = ImportReport::default();
        return record_readings_batch(store, &none, &message_of, refused, meta);
    }
    let staged = StagedCsv::write(readings.dir(), rows).map_err(|reason| {
        ImportError::Read(ReadError::Io {
            file: source.to_string(),
            reason,
        })
    })?;
    let prepared = prepare_import(
        store,
        readings,
        &zp_store::Access::All,
        &staged.path,
        source,
        &mut |_, _| {},
    )?;
    let report = prepared.report().clone();
    record_and_commit(
        store,
        prepared,
        &report,
        &message_of,
        refused,
        meta,
        &staged.path,
    )
}

/// The rows of a batch as a `meter,ts,kwh` CSV file in the readings directory, removed
/// when dropped.
struct StagedCsv {
    path: PathBuf,
}

impl StagedCsv {
    fn write(dir: &Path, rows: &[StreamRow]) -> Result<StagedCsv, String> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!(".stream-{}-{n}.csv", std::process::id()));
        let staged = StagedCsv { path };
        let file = std::fs::File::create(&staged.path)
            .map_err(|e| format!("{}: {e}", staged.path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let mut write = || -> std::io::Result<()> {
            writeln!(out, "meter,ts,kwh")?;
            for r in rows {
                writeln!(out, "{},{},{}", cell(&r.meter), cell(&r.ts), cell(&r.kwh))?;
            }
            out.flush()
        };
        write().map_err(|e| format!("{}: {e}", staged.path.display()))?;
        Ok(staged)
    }
}

impl Drop for StagedCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A CSV cell, quoted when it holds a separator, a quote or a line break.
fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_with_separators_are_quoted() {
        assert_eq!(cell("M-1"), "M-1");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
