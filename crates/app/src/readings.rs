//! Use cases of interval meter data: importing and exporting readings, the
//! electricity-carbon map (电碳地图), and hourly energy for the certificate registry.
//!
//! The readings live in a [`ReadingStore`] directory next to the database; the SQL store
//! holds the meter registry, hourly grid factors, import batches and quarantined rows.

/// Readings-store types the adapters show and pass.
pub use zp_readings::{
    ExportFilter, ReadingStore, ReadingsError, Resolution, calendar, export_parquet, import_file,
    is_parquet,
};

use crate::certs::HourlyWh;
use crate::{AppError, Caller, ImportError};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zp_domain::Decimal;
use zp_ingest::Limits;
use zp_ingest::ReadError;
use zp_store::{Access, BatchMeta, ImportCounts, MeterFilter, Rejected, Store, StoreError};

pub use zp_readings::Progress;

mod carbon_map;
pub use carbon_map::*;
mod hour_profile;
pub use hour_profile::*;

/// The readings directory of a database: `explicit` when given, else `<db>.readings` next
/// to a SQLite file, `zeropark.readings` for PostgreSQL.
pub fn readings_dir(db: &str, explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ReadingStore::default_dir(db))
}

pub(crate) fn store_err(e: ReadingsError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// Opens (creating if needed) the readings store of a database.
pub fn open_readings(db: &str, explicit: Option<&Path>) -> Result<ReadingStore, AppError> {
    ReadingStore::open(&readings_dir(db, explicit)).map_err(store_err)
}

/// Missing intervals of one meter, times in Asia/Shanghai.
#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    pub meter: String,
    pub interval_minutes: i64,
    pub missing_intervals: u64,
    /// The first runs of missing intervals as `[from, to)`.
    pub ranges: Vec<[String; 2]>,
}

/// Outcome of `import readings`: `read = accepted + quarantined`; `duplicates` and
/// `restated` are parts of `accepted`.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingsImport {
    pub read: usize,
    pub accepted: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub restated: usize,
    /// Meters with accepted rows.
    pub meters: usize,
    pub new_meters: usize,
    /// Missing intervals between each meter's first and last reading in the file.
    pub missing_intervals: u64,
    pub gaps: Vec<GapReport>,
    pub batch_id: i64,
    /// The file as recorded (uploads: the name given, not the server path).
    #[serde(skip)]
    pub file: String,
    /// SHA-256 of the file when hashed (uploads), else empty.
    #[serde(skip)]
    pub sha256: String,
    /// The quarantined rows, in row order.
    #[serde(skip)]
    pub rejected: Vec<Rejected>,
}

/// What [`preview_import`] found: the outcome, the first meter-days whose readings the
/// import would replace with different values (`zp_readings::MAX_RESTATED_DAYS`, by meter
/// and day), and the credit code of each meter the caller sees.
pub(crate) struct ReadingsPreview {
    pub outcome: ReadingsImport,
    pub restatements: Vec<zp_readings::RestatedDay>,
    pub owners: HashMap<String, String>,
}

impl ReadingsImport {
    /// The outcome as every import reports it (uploads show this).
    pub fn outcome(&self) -> crate::ImportOutcome {
        crate::ImportOutcome {
            kind: crate::ImportKind::Readings.key(),
            file: self.file.clone(),
            sha256: self.sha256.clone(),
            counts: self.counts(),
            rejected: self.rejected.clone(),
            readings: Some(crate::ReadingsSummary {
                meters: self.meters,
                new_meters: self.new_meters,
                missing_intervals: self.missing_intervals,
            }),
        }
    }

    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            read: self.read,
            accepted: self.accepted,
            quarantined: self.quarantined,
            duplicates: self.duplicates,
            restated: self.restated,
        }
    }
}

/// `zeropark import readings FILE` and readings uploads: CSV or Parquet with columns
/// `meter,ts,kwh`, recorded as `name`. Meters must be registered (`import meters`) to an
/// enterprise the caller sees: rows of any other meter are quarantined and never written,
/// and for a scoped caller the reason does not say whether the meter exists. Bad rows are
/// quarantined with row, field and reason. With `limits`, a file of more rows is refused
/// before anything is written and the file's SHA-256 is recorded (uploads); without, the
/// file is not hashed (readings files run to gigabytes).
pub fn import_readings(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    caller: &Caller,
    path: &Path,
    name: &str,
    limits: Option<Limits>,
    progress: Progress<'_>,
) -> Result<ReadingsImport, ImportError> {
    let sha256 = within_limits(path, name, limits)?;
    let prepared = prepare_import(store, readings, &caller.access, path, name, progress)?;
    let report = caller_report(&prepared, caller);
    let mut out = record_and_commit(
        store,
        prepared,
        &report,
        &|row| row as i64,
        Vec::new(),
        readings_meta(name.to_string(), &caller.actor, sha256, None),
        path,
    )?;
    out.file = name.to_string();
    Ok(out)
}

/// What importing the readings file at `path` as `caller` would do, storing nothing: the
/// import is validated and merged exactly as [`import_readings`] does (same staging, same
/// comparison with the stored readings), then abandoned, which discards the staged files.
/// The outcome has no batch (`batch_id` 0).
pub(crate) fn preview_import(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    caller: &Caller,
    path: &Path,
    name: &str,
    limits: Option<Limits>,
) -> Result<ReadingsPreview, ImportError> {
    let sha256 = within_limits(path, name, limits)?;
    settle_in_doubt(store, readings)?;
    let owners = meter_owners(store, &caller.access)?;
    let prepared = prepare_known(readings, &owners, path, name, &mut |_, _| {})?;
    let report = caller_report(&prepared, caller);
    drop(prepared);
    let mut out = tally_report(&report, &|row| row as i64, Vec::new());
    out.file = name.to_string();
    out.sha256 = sha256;
    Ok(ReadingsPreview {
        outcome: out,
        restatements: report.restatements,
        owners,
    })
}

/// Refuses a file that cannot be read; with `limits`, refuses a file of more rows and hashes
/// it (uploads); without, the file is not hashed (empty).
fn within_limits(path: &Path, name: &str, limits: Option<Limits>) -> Result<String, ImportError> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(ReadError::Io {
            file: name.to_string(),
            reason: e.to_string(),
        }
        .into());
    }
    let Some(limits) = limits else {
        return Ok(String::new());
    };
    let rows = count_rows(path, name)?;
    if rows > limits.max_rows as u64 {
        return Err(ReadError::Format {
            file: name.to_string(),
            reason: format!(
                "{rows} rows, more than the {} a file may hold",
                limits.max_rows
            ),
        }
        .into());
    }
    file_sha256(path, name)
}

/// The prepared import's report with its reasons as `caller` may read them.
fn caller_report(
    prepared: &zp_readings::Prepared<'_>,
    caller: &Caller,
) -> zp_readings::ImportReport {
    let mut report = prepared.report().clone();
    if !caller.is_unscoped() {
        for r in &mut report.rejected {
            r.reason = scoped_reason(&r.reason);
        }
    }
    report
}

/// For a caller with a scope, an unregistered meter and another enterprise's meter read
/// the same.
pub(crate) fn scoped_reason(reason: &str) -> String {
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

/// Data rows of a readings file: Parquet rows from its metadata, CSV lines after the header.
fn count_rows(path: &Path, name: &str) -> Result<u64, ImportError> {
    use std::io::BufRead;
    let io = |e: std::io::Error| {
        ImportError::Read(ReadError::Io {
            file: name.to_string(),
            reason: e.to_string(),
        })
    };
    if zp_readings::is_parquet(path) {
        return zp_readings::parquet_rows(path).map_err(|reason| {
            ImportError::Read(ReadError::Format {
                file: name.to_string(),
                reason: format!("not a readable Parquet file: {reason}"),
            })
        });
    }
    let mut lines = 0u64;
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).map_err(io)? > 0 {
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines += 1;
        }
        line.clear();
    }
    Ok(lines.saturating_sub(1))
}

fn file_sha256(path: &Path, name: &str) -> Result<String, ImportError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let io = |e: std::io::Error| {
        ImportError::Read(ReadError::Io {
            file: name.to_string(),
            reason: e.to_string(),
        })
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Validates and merges a readings file into the store; rows of meters not in the registry
/// are quarantined.
/// Validates and stages a readings file (nothing visible yet): the caller records the
/// batch with the prepared import's token, then commits it. An import an earlier process
/// left in doubt is settled first ([`settle_in_doubt`]).
pub(crate) fn prepare_import<'r>(
    store: &mut dyn Store,
    readings: &'r mut ReadingStore,
    access: &Access,
    path: &Path,
    file: &str,
    progress: Progress<'_>,
) -> Result<zp_readings::Prepared<'r>, ImportError> {
    settle_in_doubt(store, readings)?;
    let owners = meter_owners(store, access)?;
    prepare_known(readings, &owners, path, file, progress)
}

/// The meters `access` sees, by name, with their enterprise's credit code.
fn meter_owners(
    store: &mut dyn Store,
    access: &Access,
) -> Result<HashMap<String, String>, ImportError> {
    Ok(store
        .meters(access, &MeterFilter::default())?
        .into_iter()
        .map(|m| (m.meter, m.credit_code.to_string()))
        .collect())
}

/// Stages the file's readings of the meters in `owners` (the others are quarantined).
fn prepare_known<'r>(
    readings: &'r mut ReadingStore,
    owners: &HashMap<String, String>,
    path: &Path,
    file: &str,
    progress: Progress<'_>,
) -> Result<zp_readings::Prepared<'r>, ImportError> {
    let options = zp_readings::CsvOptions::default();
    zp_readings::prepare_file(
        readings,
        path,
        &|m| owners.contains_key(m),
        progress,
        &options,
    )
    .map_err(|e| readings_import_err(e, path, file))
}

fn readings_import_err(e: ReadingsError, path: &Path, file: &str) -> ImportError {
    match e {
        ReadingsError::Io { path: p, reason } if p == path => ImportError::Read(ReadError::Io {
            file: file.to_string(),
            reason,
        }),
        ReadingsError::Format { file: f, reason } => {
            ImportError::Read(ReadError::Format { file: f, reason })
        }
        ReadingsError::Limit(reason) => ImportError::Read(ReadError::Format {
            file: file.to_string(),
            reason,
        }),
        other => ImportError::Store(StoreError::Corrupt(other.to_string())),
    }
}

/// Settles a readings import that a process left in doubt: it died after staging the
/// import and before committing it (see `zp_readings::Prepared`). The import is committed
/// when its batch was recorded and discarded when not, so every visible reading has its
/// batch and every batch its readings. Returns whether there was one, and its outcome.
pub fn settle_in_doubt(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
) -> Result<Option<bool>, StoreError> {
    let corrupt = |e: ReadingsError| StoreError::Corrupt(e.to_string());
    let Some(token) = readings.in_doubt().map_err(corrupt)? else {
        return Ok(None);
    };
    let recorded = store.readings_txn_recorded(&token)?;
    if readings.settle(&token, recorded).map_err(corrupt)? {
        Ok(Some(recorded))
    } else {
        Ok(None)
    }
}

/// Records an import batch (counts and quarantined rows) for a readings report, described
/// by `meta` (kind `readings`). The report's rejected rows are quarantined under the row
/// `row_of` gives their row number in the source, beside the rows `earlier` refused before
/// the import; all in row order.
pub(crate) fn record_readings_batch(
    store: &mut dyn Store,
    report: &zp_readings::ImportReport,
    row_of: &dyn Fn(u64) -> i64,
    earlier: Vec<Rejected>,
    meta: BatchMeta,
) -> Result<ReadingsImport, ImportError> {
    let mut out = tally_report(report, row_of, earlier);
    out.batch_id = store.record_batch(&meta, &out.counts().checked(), &out.rejected)?;
    crate::metrics::record_import("readings", out.read, out.accepted, out.quarantined);
    out.sha256 = meta.sha256;
    Ok(out)
}

/// The counts of a readings report with its rejected rows under the row `row_of` gives
/// them, beside the rows `earlier` refused, in row order; no batch yet.
fn tally_report(
    report: &zp_readings::ImportReport,
    row_of: &dyn Fn(u64) -> i64,
    earlier: Vec<Rejected>,
) -> ReadingsImport {
    let mut rejected = earlier;
    rejected.extend(report.rejected.iter().map(|r| Rejected {
        row: row_of(r.row),
        field: r.field.clone(),
        reason: r.reason.clone(),
        raw: r.raw.clone(),
    }));
    rejected.sort_by_key(|r| r.row);
    let quarantined = rejected.len();
    ReadingsImport {
        read: report.accepted + quarantined,
        accepted: report.accepted,
        quarantined,
        duplicates: report.duplicates,
        restated: report.restated,
        meters: report.meters,
        new_meters: report.new_meters,
        missing_intervals: report.missing_intervals,
        gaps: report
            .gaps
            .iter()
            .map(|g| GapReport {
                meter: g.meter.clone(),
                interval_minutes: g.interval.minutes(),
                missing_intervals: g.missing_intervals,
                ranges: g
                    .ranges
                    .iter()
                    .map(|r| {
                        [
                            zp_domain::time::format_local(r.from),
                            zp_domain::time::format_local(r.to),
                        ]
                    })
                    .collect(),
            })
            .collect(),
        batch_id: 0,
        file: String::new(),
        sha256: String::new(),
        rejected,
    }
}

/// Records the batch of a prepared import under its token, then makes its readings
/// visible: past the batch, a crash is settled as committed ([`settle_in_doubt`]). `meta`
/// names the file the errors name; `path` is where it was read from.
pub(crate) fn record_and_commit(
    store: &mut dyn Store,
    prepared: zp_readings::Prepared<'_>,
    report: &zp_readings::ImportReport,
    row_of: &dyn Fn(u64) -> i64,
    earlier: Vec<Rejected>,
    meta: BatchMeta,
    path: &Path,
) -> Result<ReadingsImport, ImportError> {
    let file = meta.file.clone();
    let meta = BatchMeta {
        readings_txn: Some(prepared.token().to_string()),
        ..meta
    };
    let out = record_readings_batch(store, report, row_of, earlier, meta)?;
    prepared
        .commit()
        .map_err(|e| readings_import_err(e, path, &file))?;
    Ok(out)
}

/// The batch of a readings import of `file` by `actor`, prepared in the readings store as
/// `readings_txn` (none for a batch without readings).
pub(crate) fn readings_meta(
    file: String,
    actor: &str,
    sha256: String,
    readings_txn: Option<&str>,
) -> BatchMeta {
    BatchMeta {
        kind: "readings".into(),
        file,
        sha256,
        actor: actor.into(),
        readings_txn: readings_txn.map(str::to_string),
    }
}

/// Outcome of `export readings`.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingsExport {
    pub file: String,
    pub readings: u64,
}

/// `zeropark export readings --format parquet`: readings of all or one meter, optionally
/// limited to the local days `from ..= to` (`YYYY-MM-DD`).
pub fn export_readings(
    readings: &ReadingStore,
    out: &Path,
    meter: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<ReadingsExport, AppError> {
    let day = |s: &str| {
        zp_readings::calendar::parse_date(s)
            .ok_or_else(|| AppError::Invalid(format!("{s:?} is not a date YYYY-MM-DD")))
    };
    let filter = zp_readings::ExportFilter {
        meters: meter.map(|m| vec![m.to_string()]).unwrap_or_default(),
        from: from.map(day).transpose()?,
        to: to.map(day).transpose()?.map(|t| t + 86_400),
    };
    if let Some(m) = meter
        && readings.interval(m).is_none()
    {
        return Err(AppError::NotFound(format!("no readings for meter {m:?}")));
    }
    let n = zp_readings::export_parquet(readings, out, &filter).map_err(store_err)?;
    Ok(ReadingsExport {
        file: out.display().to_string(),
        readings: n,
    })
}

impl crate::certs::HourlyReadings for ReadingStore {
    fn meter_hourly_wh(&self, meter: &str, from: i64, to: i64) -> Result<HourlyWh, AppError> {
        Ok(self
            .hourly_wh(meter, from, to)
            .map_err(store_err)?
            .into_iter()
            .filter(|(h, _)| *h >= from && *h < to)
            .map(|(h, wh)| (h, Decimal::from(wh)))
            .collect())
    }
}
