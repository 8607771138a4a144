//! zeropark's interval-readings engine: a durable columnar store of meter readings and the
//! hourly kernels of the electricity-carbon map (电碳地图).
//!
//! - [`ReadingStore`]: a directory of per-meter, per-year chunks ([`Chunk`]): start time,
//!   interval, presence bitmap and exact whole-Wh values, CRC-32 checked, replaced
//!   atomically. See `README.md` in this crate for the layout and the guarantees.
//! - Imports ([`import_csv`], [`import_parquet`], [`import_file`]) validate each row (known
//!   meter, time, value bounds, interval alignment, duplicates), keep the good rows, report
//!   the bad ones with row, field and reason, report gaps, and are idempotent; a changed
//!   value for an existing (meter, ts) is a restatement. CSV files are parsed by one
//!   thread per core ([`CsvOptions`]).
//! - Kernels ([`kernels`]) and scans ([`meter_emissions`], [`enterprise_matching`],
//!   [`carbon_map`]) aggregate readings hour by hour in exact integers: energy in Wh,
//!   factors in ngCO2/Wh (= 1e-9 tCO2/MWh), emissions in ngCO2.
//!
//! Time is UTC epoch seconds; hours, days and months are those of Asia/Shanghai (UTC+8,
//! no daylight saving). No SQL and no async here: the SQL database holds the meter registry
//! and import batches, the application layer joins them.

mod backup;
pub mod calendar;
pub mod chunk;
mod csv;
mod error;
mod files;
#[cfg(test)]
mod hardening_tests;
mod import;
pub mod kernels;
pub mod par;
mod parquet_io;
pub mod profiles;
mod query;
mod reasons;
mod segment;
#[cfg(test)]
mod segment_tests;
mod store;
pub mod synth;
mod txn;
pub mod value;

pub use backup::{CopyStats, restore_to};
pub use calendar::{HourGrid, Interval, Periods, Resolution, TimeRange};
pub use chunk::Chunk;
pub use csv::{CsvOptions, import_csv, import_csv_with, prepare_csv};
pub use error::{ReadingsError, Result};
pub use import::{
    GapRange, ImportReport, KnownMeter, MAX_GAP_RANGES, MAX_REJECTED, MAX_RESTATED_DAYS, MeterGaps,
    Prepared, Progress, RejectedRow, RestatedDay,
};
pub use parquet_io::{
    ExportFilter, export_parquet, import_parquet, import_parquet_with, is_parquet, parquet_rows,
    prepare_parquet, readings_schema,
};
pub use query::{
    CarbonCell, CarbonMap, EnterpriseMeters, FactorSeries, MatchingTotals, MeterFactor,
    MeterPeriods, carbon_map, enterprise_hourly, enterprise_matching, factor_ng_per_wh,
    meter_emissions, meter_hourly,
};
pub use reasons::REASONS_EN;
pub use store::{MeterInfo, ReadingStore};
pub use value::MAX_WH_PER_INTERVAL;

/// Imports a readings file: Parquet when it starts with the Parquet magic bytes, CSV
/// otherwise. `known` says whether a meter is registered; `progress` receives (done, total)
/// in bytes (CSV) or rows (Parquet).
pub fn import_file(
    store: &mut ReadingStore,
    path: &std::path::Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    import_file_with(store, path, known, progress, &CsvOptions::default())
}

/// [`import_file`] with explicit options (the time range applies to Parquet files too).
pub fn import_file_with(
    store: &mut ReadingStore,
    path: &std::path::Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
    options: &CsvOptions,
) -> Result<ImportReport> {
    prepare_file(store, path, known, progress, options)?.commit()
}

/// Validates and stages a readings file (Parquet or CSV) without making any of it visible:
/// record the import's batch, then [`Prepared::commit`]. Dropping the result uncommitted
/// leaves the store as it was.
pub fn prepare_file<'s>(
    store: &'s mut ReadingStore,
    path: &std::path::Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
    options: &CsvOptions,
) -> Result<Prepared<'s>> {
    if is_parquet(path) {
        prepare_parquet(store, path, known, progress, options.time_range)
    } else {
        prepare_csv(store, path, known, progress, options)
    }
}
