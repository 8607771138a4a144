//! Parquet in and out, with the same columns as CSV: `meter`, `ts`, `kwh`.
//!
//! Export writes `meter` (UTF-8), `ts` (`TIMESTAMP(SECOND)` in UTC+8, the interval start)
//! and `kwh` (`DECIMAL(18,3)`, exact). Import accepts `meter` as any string type; `ts` as a
//! timestamp (with a zone: that instant; without: Asia/Shanghai wall time, as for naive CSV
//! times), as epoch seconds (integer) or as text; `kwh` as decimal, float, integer or text.

use crate::calendar::TimeRange;
use crate::calendar::parse_ts_checked;
use crate::error::{ReadingsError, Result};
use crate::import::{ImportReport, Importer, KnownMeter, Prepared, Progress, columns};
use crate::store::ReadingStore;
use crate::value::{ValueError, kwh_f64_to_wh, parse_kwh};
use arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampSecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use std::path::Path;
use std::sync::Arc;
use zp_domain::time::CST_OFFSET_SECONDS;

/// True when the file starts with the Parquet magic bytes `PAR1`.
pub fn is_parquet(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"PAR1"
}

/// Rows of a Parquet file, from its metadata (nothing else is read).
pub fn parquet_rows(path: &Path) -> std::result::Result<u64, String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let file = path.display().to_string();
    let reader = guarded(&file, || Ok(SerializedFileReader::new(f)))
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(reader.metadata().file_metadata().num_rows().max(0) as u64)
}

/// Runs a call into the Parquet library, which asserts on some damaged files (a column
/// chunk at a negative offset panics in `ColumnChunkMetaData::byte_range`): a panic there
/// is a damaged file, refused with the library's message, not a crash of the import.
fn guarded<T>(file: &str, call: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(format_err(
            file,
            format!("damaged Parquet file: the Parquet reader failed ({why})"),
        ))
    })
}

fn format_err(file: &str, e: impl std::fmt::Display) -> ReadingsError {
    ReadingsError::Format {
        file: file.into(),
        reason: e.to_string(),
    }
}

/// Imports a Parquet file with columns `meter`, `ts`, `kwh`. Row numbers in rejections are
/// 1-based record numbers.
pub fn import_parquet(
    store: &mut ReadingStore,
    path: &Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    import_parquet_with(store, path, known, progress, TimeRange::default())
}

/// [`import_parquet`] accepting the readings of `range` (others are quarantined).
pub fn import_parquet_with(
    store: &mut ReadingStore,
    path: &Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
    range: TimeRange,
) -> Result<ImportReport> {
    prepare_parquet(store, path, known, progress, range)?.commit()
}

/// Validates and stages a Parquet file without making it visible: see [`Prepared`].
pub fn prepare_parquet<'s>(
    store: &'s mut ReadingStore,
    path: &Path,
    known: KnownMeter<'_>,
    progress: Progress<'_>,
    range: TimeRange,
) -> Result<Prepared<'s>> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file_name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| ReadingsError::io(path, e))?;
    let builder = guarded(&file_name, || {
        ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| format_err(&file_name, e))
    })?;
    let total = builder.metadata().file_metadata().num_rows().max(0) as u64;
    let headers: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let [mc, tc, kc] = columns(&file_name, &headers)?;
    let mut reader = guarded(&file_name, || {
        builder
            .with_batch_size(65_536)
            .build()
            .map_err(|e| format_err(&file_name, e))
    })?;
    let lock = store.lock()?;
    store.reload_catalog()?;
    let mut imp = Importer::new(store, file_name.clone(), known, range);
    let mut row = 0u64;
    while let Some(batch) = guarded(&file_name, || Ok(reader.next()))? {
        let batch = batch.map_err(|e| format_err(&file_name, e))?;
        let meter = arrow::compute::cast(batch.column(mc), &DataType::Utf8)
            .map_err(|e| format_err(&file_name, format!("column meter: {e}")))?;
        let meter = meter.as_string::<i32>();
        let ts = ts_seconds(&file_name, batch.column(tc))?;
        let kwh = kwh_wh(&file_name, batch.column(kc))?;
        for i in 0..batch.num_rows() {
            row += 1;
            let m = if meter.is_null(i) { "" } else { meter.value(i) };
            let raw = || {
                format!(
                    "{m},{},{}",
                    text_cell(batch.column(tc), i),
                    text_cell(batch.column(kc), i)
                )
            };
            imp.row(row, m.as_bytes(), ts[i].clone(), kwh[i], &raw)?;
        }
        progress(row, total);
    }
    imp.prepare(store, lock)
}

fn text_cell(a: &ArrayRef, i: usize) -> String {
    if a.is_null(i) {
        return String::new();
    }
    arrow::util::display::array_value_to_string(a, i).unwrap_or_default()
}

/// The column `a` cast to `to` (an array of type `A`), each cell through `cell`; a null
/// cell is `null()`.
fn cast_cells<A: Array + 'static, T>(
    file: &str,
    a: &ArrayRef,
    to: &DataType,
    null: impl Fn() -> T,
    cell: impl Fn(&A, usize) -> T,
) -> Result<Vec<T>> {
    let v = arrow::compute::cast(a, to).map_err(|e| format_err(file, e))?;
    let v = v
        .as_any()
        .downcast_ref::<A>()
        .ok_or_else(|| format_err(file, format!("cannot read a column as {to}")))?;
    Ok((0..v.len())
        .map(|i| if v.is_null(i) { null() } else { cell(v, i) })
        .collect())
}

/// The `ts` column as epoch seconds per row.
fn ts_seconds(file: &str, a: &ArrayRef) -> Result<Vec<std::result::Result<i64, String>>> {
    let empty = || Err("ts is empty".to_string());
    Ok(match a.data_type() {
        DataType::Timestamp(unit, tz) => {
            let per_second: i64 = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            // Without a zone the value is wall time, taken as Asia/Shanghai.
            let shift = if tz.is_some() { 0 } else { CST_OFFSET_SECONDS };
            cast_cells(file, a, &DataType::Int64, empty, |v: &Int64Array, i| {
                let x = v.value(i);
                if x % per_second != 0 {
                    return Err("ts has a fraction of a second".into());
                }
                (x / per_second)
                    .checked_sub(shift)
                    .ok_or_else(|| "ts is out of range".to_string())
            })?
        }
        DataType::Int64 | DataType::Int32 | DataType::UInt32 | DataType::UInt64 => {
            cast_cells(file, a, &DataType::Int64, empty, |v: &Int64Array, i| {
                Ok(v.value(i))
            })?
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            cast_cells(file, a, &DataType::Utf8, empty, |v: &StringArray, i| {
                parse_ts_checked(v.value(i))
            })?
        }
        other => {
            return Err(format_err(
                file,
                format!("column ts has type {other}; expected a timestamp, epoch seconds or text"),
            ));
        }
    })
}

/// The `kwh` column as whole Wh per row.
fn kwh_wh(file: &str, a: &ArrayRef) -> Result<Vec<std::result::Result<u32, ValueError>>> {
    let n = a.len();
    let empty = || Err(ValueError::Empty);
    Ok(match a.data_type() {
        DataType::Decimal128(_, scale) => {
            let v = a.as_primitive::<arrow::datatypes::Decimal128Type>();
            let scale = *scale as i32;
            (0..n)
                .map(|i| {
                    if v.is_null(i) {
                        return Err(ValueError::Empty);
                    }
                    decimal_to_wh(v.value(i), scale)
                })
                .collect()
        }
        DataType::Float64 | DataType::Float32 | DataType::Float16 => {
            cast_cells(file, a, &DataType::Float64, empty, |v: &Float64Array, i| {
                kwh_f64_to_wh(v.value(i))
            })?
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => cast_cells(file, a, &DataType::Int64, empty, |v: &Int64Array, i| {
            decimal_to_wh(v.value(i) as i128, 0)
        })?,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            cast_cells(file, a, &DataType::Utf8, empty, |v: &StringArray, i| {
                parse_kwh(v.value(i).as_bytes())
            })?
        }
        other => {
            return Err(format_err(
                file,
                format!("column kwh has type {other}; expected a decimal, float, integer or text"),
            ));
        }
    })
}

/// An exact decimal kWh (`value * 10^-scale`) as whole Wh.
fn decimal_to_wh(value: i128, scale: i32) -> std::result::Result<u32, ValueError> {
    if value < 0 {
        return Err(ValueError::Negative);
    }
    let wh = if scale <= 3 {
        value.checked_mul(10i128.pow((3 - scale) as u32))
    } else {
        let d = 10i128.pow((scale - 3) as u32);
        if value % d != 0 {
            return Err(ValueError::TooPrecise);
        }
        Some(value / d)
    };
    match wh {
        Some(w) if w <= crate::MAX_WH_PER_INTERVAL as i128 => Ok(w as u32),
        _ => Err(ValueError::TooLarge),
    }
}

/// Which readings to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Only these meters (all when empty).
    pub meters: Vec<String>,
    /// Interval starts `>= from` (epoch seconds).
    pub from: Option<i64>,
    /// Interval starts `< to` (epoch seconds).
    pub to: Option<i64>,
}

/// The schema `zeropark export readings` writes: `meter` UTF-8, `ts` TIMESTAMP(SECOND,
/// +08:00), `kwh` DECIMAL(18,3).
pub fn readings_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("meter", DataType::Utf8, false),
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Second, Some("+08:00".into())),
            false,
        ),
        Field::new("kwh", DataType::Decimal128(18, 3), false),
    ]))
}

/// Writes the selected readings to a Parquet file (written to a temporary file, then
/// renamed). Returns the number of readings written.
pub fn export_parquet(store: &ReadingStore, out: &Path, filter: &ExportFilter) -> Result<u64> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let tmp = out.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| ReadingsError::io(&tmp, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let schema = readings_schema();
    let werr = |e: parquet::errors::ParquetError| ReadingsError::io(out, e);
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(werr)?;
    let meters: Vec<String> = if filter.meters.is_empty() {
        let mut m: Vec<String> = store.meters().iter().map(|m| m.name.clone()).collect();
        m.sort();
        m
    } else {
        filter.meters.clone()
    };
    let from = filter.from.unwrap_or(i64::MIN / 4);
    let to = filter.to.unwrap_or(i64::MAX / 4);
    let mut total = 0u64;
    let (mut names, mut tss, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    let flush = |names: &mut Vec<String>,
                 tss: &mut Vec<i64>,
                 vals: &mut Vec<i128>,
                 w: &mut ArrowWriter<std::fs::File>|
     -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(std::mem::take(names))),
            Arc::new(TimestampSecondArray::from(std::mem::take(tss)).with_timezone("+08:00")),
            Arc::new(
                Decimal128Array::from(std::mem::take(vals))
                    .with_precision_and_scale(18, 3)
                    .map_err(|e| ReadingsError::io(out, e))?,
            ),
        ];
        let batch =
            RecordBatch::try_new(schema.clone(), cols).map_err(|e| ReadingsError::io(out, e))?;
        w.write(&batch).map_err(werr)
    };
    for m in &meters {
        let years = store.years(m)?;
        for year in years {
            let (ys, ye) = crate::calendar::year_bounds(year);
            if ye <= from || ys >= to {
                continue;
            }
            let Some(c) = store.chunk(m, year)? else {
                continue;
            };
            for (ts, wh) in c.readings() {
                if ts >= from && ts < to {
                    names.push(m.clone());
                    tss.push(ts);
                    vals.push(wh as i128);
                    total += 1;
                }
            }
            if names.len() >= 1 << 20 {
                flush(&mut names, &mut tss, &mut vals, &mut w)?;
            }
        }
    }
    flush(&mut names, &mut tss, &mut vals, &mut w)?;
    w.close().map_err(werr)?;
    std::fs::rename(&tmp, out).map_err(|e| ReadingsError::io(out, e))?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_convert_exactly() {
        assert_eq!(decimal_to_wh(2_500_000, 3), Ok(2_500_000));
        assert_eq!(decimal_to_wh(25, 1), Ok(2_500));
        assert_eq!(decimal_to_wh(123_450, 4), Ok(12_345));
        assert_eq!(decimal_to_wh(123_451, 4), Err(ValueError::TooPrecise));
        assert_eq!(decimal_to_wh(-1, 0), Err(ValueError::Negative));
        assert_eq!(decimal_to_wh(100_001, 0), Err(ValueError::TooLarge));
    }
}
