//! Readings uploads (`POST /api/v1/imports/readings`): a CSV or Parquet file of
//! `meter,ts,kwh` merged into the columnar readings store, like `zeropark import readings`,
//! but only for meters of enterprises in the caller's scope. Rows of any other meter are
//! quarantined and never written; the reason does not say whether the meter exists.
//!
//! The upload limits hold as for tables: the body limit bounds the bytes, and the rows are
//! counted (CSV lines, Parquet metadata) before anything is written.

use crate::AppError;
use crate::auth::CurrentUser;
use crate::upload::{ImportKind, Outcome, ReadingsSummary};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use zp_ingest::Limits;
use zp_readings::{ReadingStore, ReadingsError};
use zp_store::{Access, BatchMeta, ImportCounts, MeterFilter, Rejected, Store};

/// Imports the readings file at `path` (recorded as `name`) into the store at `dir`.
pub fn import(
    store: &mut dyn Store,
    who: &CurrentUser,
    dir: &Path,
    path: &Path,
    name: &str,
    limits: Limits,
) -> Result<Outcome, AppError> {
    let rows = count_rows(path, name)?;
    if rows > limits.max_rows as u64 {
        return Err(AppError::Unprocessable(format!(
            "{name}: {rows} rows, more than the {} a file may hold",
            limits.max_rows
        )));
    }
    let sha256 = file_sha256(path)?;
    let visible: HashSet<String> = store
        .meters(&who.access, &MeterFilter::default())?
        .into_iter()
        .map(|m| m.meter)
        .collect();
    let mut readings =
        ReadingStore::open(dir).map_err(|e| AppError::Internal(format!("readings store: {e}")))?;
    let report = zp_readings::import_file(
        &mut readings,
        path,
        &|m| visible.contains(m),
        &mut |_, _| {},
    )
    .map_err(|e| readings_error(e, path, name))?;
    let scoped = who.access != Access::All;
    let rejected: Vec<Rejected> = report
        .rejected
        .iter()
        .map(|r| Rejected {
            row: r.row as i64,
            field: r.field.clone(),
            reason: if scoped {
                scoped_reason(&r.reason)
            } else {
                r.reason.clone()
            },
            raw: r.raw.clone(),
        })
        .collect();
    let counts = ImportCounts {
        read: report.read,
        accepted: report.accepted,
        quarantined: report.quarantined,
        duplicates: report.duplicates,
        restated: report.restated,
    };
    let meta = BatchMeta {
        kind: ImportKind::Readings.key().into(),
        file: name.into(),
        sha256: sha256.clone(),
        actor: who.actor(),
    };
    store.record_batch(&meta, &counts, &rejected)?;
    Ok(Outcome {
        kind: ImportKind::Readings.key(),
        file: name.into(),
        sha256,
        counts,
        rejected,
        readings: Some(ReadingsSummary {
            meters: report.meters,
            new_meters: report.new_meters,
            missing_intervals: report.missing_intervals,
        }),
    })
}

/// For a caller with a scope, an unregistered meter and another enterprise's meter read
/// the same.
fn scoped_reason(reason: &str) -> String {
    match reason
        .strip_prefix("unknown meter ")
        .and_then(|rest| rest.split_once(": register"))
    {
        Some((meter, _)) => format!(
            "meter {meter} is not registered to an enterprise in your scope: rows for it are not written"
        ),
        None => reason.to_string(),
    }
}

fn readings_error(e: ReadingsError, path: &Path, name: &str) -> AppError {
    let full = path.display().to_string();
    match e {
        ReadingsError::Format { reason, .. } | ReadingsError::Limit(reason) => {
            AppError::Unprocessable(format!("{name}: {}", reason.replace(&full, name)))
        }
        other => AppError::Internal(other.to_string().replace(&full, name)),
    }
}

/// Data rows of a readings file: Parquet rows from its metadata, CSV lines after the header.
fn count_rows(path: &Path, name: &str) -> Result<u64, AppError> {
    let open = || std::fs::File::open(path).map_err(|e| AppError::Internal(format!("{name}: {e}")));
    if zp_readings::is_parquet(path) {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let reader = SerializedFileReader::new(open()?).map_err(|e| {
            AppError::Unprocessable(format!("{name}: not a readable Parquet file: {e}"))
        })?;
        return Ok(reader.metadata().file_metadata().num_rows().max(0) as u64);
    }
    let mut lines = 0u64;
    let mut reader = BufReader::new(open()?);
    let mut line = Vec::new();
    while reader
        .read_until(b'\n', &mut line)
        .map_err(|e| AppError::Internal(format!("{name}: {e}")))?
        > 0
    {
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines += 1;
        }
        line.clear();
    }
    Ok(lines.saturating_sub(1))
}

fn file_sha256(path: &Path) -> Result<String, AppError> {
    let mut file =
        std::fs::File::open(path).map_err(|e| AppError::Internal(format!("upload: {e}")))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| AppError::Internal(format!("upload: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_callers_cannot_tell_foreign_meters_from_unknown_ones() {
        assert_eq!(
            scoped_reason(
                "unknown meter \"B-L1\": register it first with `zeropark import meters`"
            ),
            "meter \"B-L1\" is not registered to an enterprise in your scope: rows for it are not written"
        );
        assert_eq!(scoped_reason("kwh is negative"), "kwh is negative");
    }
}
