//! Fuzzing of the readings imports (issue 19): generated CSV files (columns in any order,
//! hostile cells, quotes, CR, NUL, invalid UTF-8, far-future times) damaged byte by byte,
//! arbitrary bytes, and Parquet files with columns of many Arrow types (nulls, decimals of
//! any scale, timestamps of any unit and zone, unsigned integers beyond i64) or damaged
//! bytes. Every file is imported or refused with a reason, never a panic; on import
//! `read = accepted + quarantined` and every quarantined row names its row, its field and a
//! reason; the parallel fast reader agrees with the sequential general one.
//! `PROPTEST_CASES=20000 cargo test -p zp-readings --test fuzz` runs more cases.

#[path = "../../../tests/support/fuzz.rs"]
mod fuzz_support;
use arrow::array::{
    ArrayRef, Decimal128Array, Float32Array, Float64Array, Int32Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, TimestampMillisecondArray,
    TimestampNanosecondArray, TimestampSecondArray, UInt64Array,
};
use fuzz_support::{config, damage};
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::Arc;
use zp_readings::{
    CsvOptions, ImportReport, ReadingStore, ReadingsError, TimeRange, prepare_csv, prepare_parquet,
};

/// A scratch directory, in memory when `/dev/shm` is there: the stores' fsyncs are then
/// free, and the cases test the parsers, not the disk.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap())
}

fn known(m: &str) -> bool {
    m != "X9"
}

const METERS: &[&str] = &[
    "L1", "L1", "L2", "电表1", " L1", "", "X9", "\"L1\"", "L\u{0}1", "a,b",
];
const TIMES: &[&str] = &[
    "2023-07-10T10:00:00+08:00",
    "2023-07-10T10:15:00+08:00",
    "2023-07-10 11:00",
    "2023-07-10T11:00:00Z",
    "2023-07-10T10:00",
    "2023-07-10T10:07:00+08:00",
    "2023-07-10T10:00:00.000+08:00",
    "2023-07-10T10:00:00.5+08:00",
    "9999-12-31T23:00:00+08:00",
    "+275760-09-13T00:00:00Z",
    "-009999-01-01 00:00",
    "0000-01-01 00:00",
    "2023-02-30T00:00:00+08:00",
    "2023-07-10T10:00:00+24:00",
    "2023-07-10T10:00:00-23:59",
    "1688954400",
    "",
];
const VALUES: &[&str] = &[
    "1",
    "1.5",
    "12.345",
    "100000",
    "100000.001",
    "0",
    "-0",
    "-1",
    ".5",
    "5.",
    "0.0005",
    "1.2340",
    "1e3",
    "1e-30",
    "1,000",
    "99999999999999999999999999",
    "NaN",
    "inf",
    "+",
    "",
];
const HOSTILE: &[&str] = &[
    "\"", "\"\"", "\0", "\r", "\x1b[2J", "\u{feff}", "\u{fffd}", "１２", "𝟙", ",", ",,", "\t",
];

type Pick = (u8, Index, String);

fn pick() -> impl Strategy<Value = Pick> {
    (0u8..10, any::<Index>(), "\\PC{0,10}")
}

fn text(pool: &[&str], (sel, i, any): &Pick) -> String {
    match sel {
        0..=6 => i.get(pool).to_string(),
        7 => i.get(HOSTILE).to_string(),
        8 => format!("{}{}", i.get(pool), i.get(HOSTILE)),
        _ => any.clone(),
    }
}

#[derive(Debug, Clone)]
struct CsvCase {
    /// Sort keys of meter, ts, kwh and an extra column; whether the extra one is there.
    order: [u8; 4],
    extra: bool,
    bom: bool,
    rows: Vec<(Pick, Pick, Pick, Option<String>, u8)>,
    damage: Vec<(Index, u8, u8)>,
}

fn csv_case() -> impl Strategy<Value = CsvCase> {
    (
        any::<[u8; 4]>(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(
            (
                pick(),
                pick(),
                pick(),
                prop::option::weighted(0.1, "[a-z,\"]{0,4}"),
                0u8..8,
            ),
            0..40,
        ),
        prop::collection::vec((any::<Index>(), 0u8..5, any::<u8>()), 0..4),
    )
        .prop_map(|(order, extra, bom, rows, damage)| CsvCase {
            order,
            extra,
            bom,
            rows,
            damage,
        })
}

impl CsvCase {
    fn bytes(&self) -> Vec<u8> {
        let n = if self.extra { 4 } else { 3 };
        let mut cols: Vec<usize> = (0..n).collect();
        cols.sort_by_key(|&c| self.order[c]);
        let names = ["meter", "ts", "kwh", "note"];
        let mut s = String::new();
        if self.bom {
            s.push('\u{feff}');
        }
        s += &cols.iter().map(|&c| names[c]).collect::<Vec<_>>().join(",");
        s += "\n";
        for (m, t, v, note, form) in &self.rows {
            let cells = [
                text(METERS, m),
                text(TIMES, t),
                text(VALUES, v),
                note.clone().unwrap_or_default(),
            ];
            let quote = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
            let line: Vec<String> = cols
                .iter()
                .map(|&c| match form {
                    0 => quote(&cells[c]),
                    _ => cells[c].clone(),
                })
                .collect();
            s += &line.join(",");
            s += match form {
                1 => "\r\n",
                2 => ",extra\n",
                _ => "\n",
            };
        }
        let mut bytes = s.into_bytes();
        damage(&mut bytes, &self.damage);
        bytes
    }
}

/// The checks every import result must pass: an error with a reason, or a report whose
/// counts add up and whose quarantined rows name a row, a field and a reason.
fn check(r: &Result<ImportReport, ReadingsError>, rows: u64) -> Result<(), TestCaseError> {
    let report = match r {
        Ok(report) => report,
        Err(
            e @ (ReadingsError::Io { .. }
            | ReadingsError::Corrupt { .. }
            | ReadingsError::InDoubt { .. }),
        ) => {
            return Err(TestCaseError::fail(format!(
                "an input file must not fail as I/O, corruption or an import in doubt: {e}"
            )));
        }
        Err(ReadingsError::Format { reason, .. }) => {
            prop_assert!(!reason.trim().is_empty(), "refusal without a reason");
            return Ok(());
        }
        Err(e @ ReadingsError::Limit(_)) => {
            prop_assert!(!e.to_string().trim().is_empty());
            return Ok(());
        }
    };
    prop_assert_eq!(report.read, report.accepted + report.quarantined);
    prop_assert_eq!(report.rejected.len(), report.quarantined);
    prop_assert!(report.duplicates + report.restated <= report.accepted);
    let mut seen = std::collections::HashSet::new();
    for x in &report.rejected {
        prop_assert!(
            (1..=rows).contains(&x.row),
            "row {} outside 1..={rows}: {x:?}",
            x.row
        );
        prop_assert!(seen.insert(x.row), "row {} quarantined twice", x.row);
        prop_assert!(
            ["meter", "ts", "kwh"].contains(&x.field.as_str()),
            "field {:?}: {x:?}",
            x.field
        );
        prop_assert!(!x.reason.trim().is_empty(), "no reason: {x:?}");
    }
    Ok(())
}

/// Imports `bytes` as a CSV file on one thread with the general parser and on three
/// threads with the fast path; both must pass [`check`] and agree.
fn check_csv(bytes: &[u8]) -> Result<(), TestCaseError> {
    let d = scratch();
    let p = d.path().join("r.csv");
    std::fs::write(&p, bytes).unwrap();
    // Physical lines (LF-terminated), the header's included: rows are numbered by them.
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut reports = Vec::new();
    for (name, threads, part_bytes, fast_path) in
        [("general", 1, None, false), ("parallel", 3, Some(53), true)]
    {
        let o = CsvOptions {
            threads,
            part_bytes,
            fast_path,
            ..Default::default()
        };
        let mut s = ReadingStore::open(&d.path().join(name)).unwrap();
        // Validated and staged, not committed: the report is the one a commit returns.
        let r = prepare_csv(&mut s, &p, &known, &mut |_, _| {}, &o).map(|p| p.report().clone());
        check(&r, lines)?;
        if let Ok(r) = &r {
            prop_assert!(r.rejected.iter().all(|x| x.row >= 2), "{:?}", r.rejected);
        }
        reports.push(r.map_err(|e| e.to_string()));
    }
    prop_assert_eq!(
        &reports[0],
        &reports[1],
        "general and parallel readers disagree"
    );
    Ok(())
}

/// A Parquet column, generated: its Arrow type and cells.
#[derive(Debug, Clone)]
enum Column {
    Utf8(Vec<Option<Pick>>),
    LargeUtf8(Vec<Option<Pick>>),
    Int64(Vec<Option<i64>>),
    UInt64(Vec<Option<u64>>),
    Int32(Vec<Option<i32>>),
    Float64(Vec<Option<f64>>),
    Float32(Vec<Option<f32>>),
    Decimal(u8, i8, Vec<Option<i128>>),
    TsSecond(Option<&'static str>, Vec<Option<i64>>),
    TsMilli(Option<&'static str>, Vec<Option<i64>>),
    TsNano(Option<&'static str>, Vec<Option<i64>>),
}

fn column(n: usize) -> impl Strategy<Value = Column> {
    let v = move |s: BoxedStrategy<i64>| prop::collection::vec(prop::option::weighted(0.9, s), n);
    let epoch = || {
        prop_oneof![
            3 => (0i64..96).prop_map(|k| 1_688_954_400 + k * 900),
            1 => any::<i64>(),
            1 => Just(253_402_300_799),
            1 => Just(i64::MIN),
        ]
        .boxed()
    };
    let zone = || prop::sample::select(vec![None, Some("+08:00"), Some("UTC"), Some("-23:59")]);
    prop_oneof![
        prop::collection::vec(prop::option::weighted(0.9, pick()), n).prop_map(Column::Utf8),
        prop::collection::vec(prop::option::weighted(0.9, pick()), n).prop_map(Column::LargeUtf8),
        v(epoch()).prop_map(Column::Int64),
        prop::collection::vec(prop::option::of(any::<u64>()), n).prop_map(Column::UInt64),
        prop::collection::vec(prop::option::of(any::<i32>()), n).prop_map(Column::Int32),
        prop::collection::vec(prop::option::of(any::<f64>()), n).prop_map(Column::Float64),
        prop::collection::vec(prop::option::of(any::<f32>()), n).prop_map(Column::Float32),
        (
            1u8..=38,
            prop_oneof![-5i8..=38, -128i8..-5],
            prop::collection::vec(prop::option::of(any::<i128>()), n)
        )
            .prop_map(|(p, s, v)| Column::Decimal(p, s, v)),
        (zone(), v(epoch())).prop_map(|(z, v)| Column::TsSecond(z, v)),
        (zone(), v(any::<i64>().boxed())).prop_map(|(z, v)| Column::TsMilli(z, v)),
        (zone(), v(any::<i64>().boxed())).prop_map(|(z, v)| Column::TsNano(z, v)),
    ]
}

impl Column {
    /// The Arrow array of this column as column `k` (0 meter, 1 ts, 2 kwh: text cells
    /// come from that column's pool); None when Arrow refuses it (a decimal out of its
    /// precision).
    fn array(&self, k: usize) -> Option<ArrayRef> {
        let pool = [METERS, TIMES, VALUES][k.min(2)];
        let texts = |v: &[Option<Pick>]| -> Vec<Option<String>> {
            v.iter()
                .map(|c| c.as_ref().map(|p| text(pool, p)))
                .collect()
        };
        let with_zone = |z: &Option<&str>| z.map(|z| z.to_string());
        Some(match self {
            Column::Utf8(v) => Arc::new(StringArray::from(texts(v))),
            Column::LargeUtf8(v) => Arc::new(LargeStringArray::from(texts(v))),
            Column::Int64(v) => Arc::new(Int64Array::from(v.clone())),
            Column::UInt64(v) => Arc::new(UInt64Array::from(v.clone())),
            Column::Int32(v) => Arc::new(Int32Array::from(v.clone())),
            Column::Float64(v) => Arc::new(Float64Array::from(v.clone())),
            Column::Float32(v) => Arc::new(Float32Array::from(v.clone())),
            Column::Decimal(p, s, v) => {
                let max = 10i128.pow(*p as u32) - 1;
                let v: Vec<Option<i128>> = v.iter().map(|x| x.map(|x| x % max)).collect();
                Arc::new(
                    Decimal128Array::from(v)
                        .with_precision_and_scale(*p, *s)
                        .ok()?,
                )
            }
            Column::TsSecond(z, v) => {
                Arc::new(TimestampSecondArray::from(v.clone()).with_timezone_opt(with_zone(z)))
            }
            Column::TsMilli(z, v) => {
                Arc::new(TimestampMillisecondArray::from(v.clone()).with_timezone_opt(with_zone(z)))
            }
            Column::TsNano(z, v) => {
                Arc::new(TimestampNanosecondArray::from(v.clone()).with_timezone_opt(with_zone(z)))
            }
        })
    }
}

#[derive(Debug, Clone)]
struct ParquetCase {
    /// meter, ts, kwh; the names (sometimes upper case, sometimes one missing).
    columns: Vec<Column>,
    names: [u8; 3],
    damage: Vec<(Index, u8, u8)>,
}

fn parquet_case() -> impl Strategy<Value = ParquetCase> {
    (1usize..12).prop_flat_map(|n| {
        (
            prop::collection::vec(column(n), 3),
            any::<[u8; 3]>(),
            prop::collection::vec((any::<Index>(), 0u8..5, any::<u8>()), 0..2),
        )
            .prop_map(|(columns, names, damage)| ParquetCase {
                columns,
                names,
                damage,
            })
    })
}

impl ParquetCase {
    /// The file's bytes and its rows; None when Arrow or Parquet cannot write it.
    fn bytes(&self) -> Option<(Vec<u8>, u64)> {
        let names = ["meter", "ts", "kwh"];
        let mut cols = Vec::new();
        for (k, c) in self.columns.iter().enumerate() {
            let name = match self.names[k] % 16 {
                0 => names[k].to_uppercase(),
                1 => format!("{}_x", names[k]),
                _ => names[k].to_string(),
            };
            cols.push((name, c.array(k)?));
        }
        let rows = cols[0].1.len() as u64;
        let batch = RecordBatch::try_from_iter(cols).ok()?;
        let mut out = Vec::new();
        let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).ok()?;
        w.write(&batch).ok()?;
        w.close().ok()?;
        damage(&mut out, &self.damage);
        Some((out, rows))
    }
}

fn check_parquet(bytes: &[u8], rows: u64) -> Result<(), TestCaseError> {
    let d = scratch();
    let p = d.path().join("r.parquet");
    std::fs::write(&p, bytes).unwrap();
    let mut s = ReadingStore::open(&d.path().join("store")).unwrap();
    let r = prepare_parquet(&mut s, &p, &known, &mut |_, _| {}, TimeRange::default())
        .map(|p| p.report().clone());
    check(&r, rows)
}

proptest! {
    #![proptest_config(config(384))]

    /// Generated readings CSV files, damaged byte by byte.
    #[test]
    fn readings_csv_is_imported_or_refused_with_reasons(case in csv_case()) {
        check_csv(&case.bytes())?;
    }

    /// Arbitrary bytes after a valid header, and arbitrary bytes alone.
    #[test]
    fn arbitrary_bytes_as_readings_csv(
        header: bool,
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let head: &[u8] = if header { b"meter,ts,kwh\n" } else { b"" };
        check_csv(&[head, &bytes].concat())?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Generated Parquet files of many column types, some damaged.
    #[test]
    fn readings_parquet_is_imported_or_refused_with_reasons(case in parquet_case()) {
        if let Some((bytes, rows)) = case.bytes() {
            check_parquet(&bytes, rows)?;
        }
    }

    /// Arbitrary bytes between Parquet magics.
    #[test]
    fn arbitrary_bytes_as_parquet(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let file = [&b"PAR1"[..], &bytes, b"PAR1"].concat();
        check_parquet(&file, u64::MAX)?;
    }
}
