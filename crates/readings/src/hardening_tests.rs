//! Regression tests of issue 22 for the readings engine: the accepted time range, the
//! precise reasons of damaged CSV rows, and imports that are all or nothing when killed.

use crate::ReadingStore;
use crate::calendar::TimeRange;
use crate::error::Result;
use crate::import::ImportReport;
use crate::store::Fault;
use crate::value::ValueError;

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Imports `p`, every reason of its quarantined rows checked to be one of the templates a
/// page can write again in its language ([`crate::REASONS_EN`]).
fn import(s: &mut ReadingStore, p: &std::path::Path) -> Result<ImportReport> {
    let r = crate::import_csv(s, p, &|_| true, &mut |_, _| {})?;
    for x in &r.rejected {
        assert!(
            zp_domain::template::recognise(&x.reason, crate::REASONS_EN).is_some(),
            "no template writes {:?}",
            x.reason
        );
    }
    Ok(r)
}

#[test]
fn readings_at_9999_12_31_are_quarantined_before_writing() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "r.csv",
        "meter,ts,kwh\n\
         L1,2023-07-10T10:00:00+08:00,1\n\
         L1,9999-12-31T00:00:00+08:00,1\n\
         L1,9999-12-31T23:00:00-12:00,1\n\
         L1,0000-01-01 00:00,1\n\
         L1,1900-01-01T00:00:00+08:00,1\n\
         L1,2023-07-10T11:00:00+24:00,1\n\
         L1,2100-01-01 00:00,1\n",
    );
    let mut s = ReadingStore::open(&d.path().join("store")).unwrap();
    let r = import(&mut s, &p).unwrap();
    // 7 rows: only the 2023 one is inside [2000-01-01, 2100-01-01) with a valid offset.
    assert_eq!((r.read, r.accepted, r.quarantined), (7, 1, 6));
    let rows: Vec<(u64, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.row, x.field.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (3, "ts"),
            (4, "ts"),
            (5, "ts"),
            (6, "ts"),
            (7, "ts"),
            (8, "ts")
        ]
    );
    assert_eq!(
        r.rejected[0].reason,
        "ts is outside the accepted time range [2000-01-01, 2100-01-01) (local time)"
    );
    assert!(
        r.rejected[4].reason.contains("UTC offset +24:00"),
        "{}",
        r.rejected[4].reason
    );
    assert_eq!(s.years("L1").unwrap(), [2023]);
    // The range is an option: a file of 2023 readings against a 2024-only range.
    let mut s2 = ReadingStore::open(&d.path().join("store2")).unwrap();
    let o = crate::CsvOptions {
        time_range: TimeRange {
            from: crate::calendar::local_midnight(2024, 1, 1),
            to: crate::calendar::local_midnight(2025, 1, 1),
        },
        ..Default::default()
    };
    let r = crate::import_csv_with(&mut s2, &p, &|_| true, &mut |_, _| {}, &o).unwrap();
    assert_eq!((r.accepted, r.quarantined), (0, 7));
    assert!(s2.meters().is_empty());
}

#[test]
fn readings_csv_reasons_for_1e_minus_30_1_000_stray_quote_and_cr_only() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "r.csv",
        "meter,ts,kwh\n\
         L1,2023-07-10 10:00,1e-30\n\
         L1,2023-07-10 11:00,\"1,000\"\n\
         L1,2023-07-10 12:00,1,000\n\
         L1,\"2023-07-10 13:00,1\n\
         L1,2023-07-10 14:00,2\n",
    );
    let mut s = ReadingStore::open(&d.path().join("store")).unwrap();
    let r = import(&mut s, &p).unwrap();
    assert_eq!((r.read, r.accepted, r.quarantined), (5, 1, 4));
    let got: Vec<(u64, &str, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.row, x.field.as_str(), x.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "kwh", ValueError::Exponent.reason()),
            (3, "kwh", ValueError::ThousandsSeparator.reason()),
            (
                4,
                "kwh",
                "row has more fields than the 3 columns of the header: a number with a thousands separator (1,000) must be written 1000"
            ),
            // The unclosed quote takes nothing beyond its own line.
            (
                5,
                "meter",
                "a quote (\") is opened and not closed on this line"
            ),
        ]
    );
    let cr = write(d.path(), "cr.csv", "meter,ts,kwh\rL1,2023-07-10 10:00,1\r");
    let e = import(&mut s, &cr).unwrap_err().to_string();
    assert!(
        e.contains("line 1 ends with a lone carriage return (CR) at byte 13"),
        "{e}"
    );
}

/// 200 meters with a reading in 2023 and one in 2024: 400 chunks, two batches of 256.
fn restatement(dir: &std::path::Path, kwh: u32) -> std::path::PathBuf {
    let mut text = String::from("meter,ts,kwh\n");
    for m in 0..200 {
        for y in [2023, 2024] {
            text += &format!("M{m},{y}-06-01T00:00:00+08:00,{kwh}\n");
        }
    }
    write(dir, &format!("r{kwh}.csv"), &text)
}

/// How many meters hold `kwh` in both years, and whether the store is clean.
fn meters_with(dir: &std::path::Path, kwh: u32) -> (usize, usize, bool) {
    let s = ReadingStore::open(dir).unwrap();
    let (mut with, mut other) = (0, 0);
    for m in 0..200 {
        let r = s.readings(&format!("M{m}"), 0, i64::MAX / 2).unwrap();
        if r.len() == 2 && r.iter().all(|(_, wh)| *wh == kwh * 1000) {
            with += 1;
        } else {
            other += 1;
        }
    }
    let clean = !dir.join("COMMIT").exists()
        && std::fs::read_dir(dir.join("staging"))
            .unwrap()
            .next()
            .is_none();
    (with, other, clean)
}

#[test]
fn killed_restatement_of_readings_is_all_or_nothing() {
    for (fault, new_visible) in [
        (Fault::StagedChunks(256), false),
        (Fault::CommitPoint, true),
        // The segment is in place, the index that points into it is not.
        (Fault::Renamed(1), true),
    ] {
        let d = tempfile::tempdir().unwrap();
        let store = d.path().join("store");
        let mut s = ReadingStore::open(&store).unwrap();
        import(&mut s, &restatement(d.path(), 1)).unwrap();
        s.fault = Some(fault);
        let e = import(&mut s, &restatement(d.path(), 2)).unwrap_err();
        assert!(e.to_string().contains("injected fault"), "{e}");
        drop(s); // the process dies here
        // All 200 meters old (1 kWh) or all new (2 kWh), never a mixture; no leftovers.
        let kwh = if new_visible { 2 } else { 1 };
        assert_eq!(meters_with(&store, kwh), (200, 0, true), "{fault:?}");
        // The store works on: the restatement imported again applies whole.
        let mut s = ReadingStore::open(&store).unwrap();
        let r = import(&mut s, &restatement(d.path(), 2)).unwrap();
        assert_eq!(r.restated, if new_visible { 0 } else { 400 });
        assert_eq!(meters_with(&store, 2), (200, 0, true));
    }
}

#[test]
fn killed_first_import_leaves_no_meters() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let mut s = ReadingStore::open(&store).unwrap();
    s.fault = Some(Fault::StagedChunks(1));
    import(&mut s, &restatement(d.path(), 1)).unwrap_err();
    // The failed import's meters are gone from the live object too.
    assert!(s.meters().is_empty());
    drop(s);
    let s = ReadingStore::open(&store).unwrap();
    assert!(s.meters().is_empty());
    assert!(
        std::fs::read_dir(store.join("staging"))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn prepared_import_writes_nothing_until_committed() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let p = restatement(d.path(), 1);
    let mut s = ReadingStore::open(&store).unwrap();
    let o = crate::CsvOptions::default();
    {
        let prepared = crate::prepare_file(&mut s, &p, &|_| true, &mut |_, _| {}, &o).unwrap();
        // 200 meters × 2 years of one reading each.
        assert_eq!(prepared.report().accepted, 400);
        // Nothing is visible to another reader before the commit.
        let other = ReadingStore::open(&store).unwrap();
        assert!(other.meters().is_empty());
        // Dropped uncommitted (say, the batch could not be recorded): discarded.
    }
    assert!(s.meters().is_empty());
    assert_eq!(meters_with(&store, 1), (0, 200, true));
    let prepared = crate::prepare_file(&mut s, &p, &|_| true, &mut |_, _| {}, &o).unwrap();
    let r = prepared.commit().unwrap();
    assert_eq!((r.accepted, r.written), (400, 400));
    assert_eq!(meters_with(&store, 1), (200, 0, true));
}

/// Issue 19 (crash): a process that dies after its batch was recorded and before the commit
/// leaves the import in doubt: nothing visible, other imports refused with the reason, and
/// settling commits it when the batch was recorded and discards it when not.
#[test]
fn import_in_doubt_is_settled_by_whether_its_batch_was_recorded() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let first = restatement(d.path(), 1);
    let o = crate::CsvOptions::default();
    for recorded in [true, false] {
        let _ = std::fs::remove_dir_all(&store);
        let mut s = ReadingStore::open(&store).unwrap();
        let prepared = crate::prepare_file(&mut s, &first, &|_| true, &mut |_, _| {}, &o).unwrap();
        let token = prepared.token().to_string();
        prepared.die();
        // Reopened (the next process): in doubt, nothing visible, no other import starts.
        let mut s = ReadingStore::open(&store).unwrap();
        assert_eq!(s.in_doubt().unwrap().as_deref(), Some(token.as_str()));
        assert!(s.meters().is_empty());
        let err = import(&mut s, &first).unwrap_err().to_string();
        assert!(err.contains("in doubt") && err.contains(&token), "{err}");
        // Another token settles nothing.
        assert!(!s.settle("not-it", recorded).unwrap());
        assert!(s.settle(&token, recorded).unwrap());
        assert_eq!(s.in_doubt().unwrap(), None);
        let visible = if recorded { 200 } else { 0 };
        assert_eq!(meters_with(&store, 1), (visible, 200 - visible, true));
        assert!(!store.join("PREPARED").exists());
        // Settled: imports go on.
        let r = import(&mut s, &first).unwrap();
        assert_eq!(r.written, if recorded { 0 } else { 400 });
    }
}

/// A Parquet file of readings with a `ts` column of type `ts` and the given values.
fn parquet_with(
    dir: &std::path::Path,
    name: &str,
    ts: arrow::array::ArrayRef,
) -> std::path::PathBuf {
    use arrow::array::{ArrayRef, Float64Array, StringArray};
    use std::sync::Arc;
    let n = ts.len();
    let meter: ArrayRef = Arc::new(StringArray::from(vec!["L1"; n]));
    let kwh: ArrayRef = Arc::new(Float64Array::from(vec![1.0; n]));
    let batch = arrow::record_batch::RecordBatch::try_from_iter([
        ("meter", meter),
        ("ts", ts),
        ("kwh", kwh),
    ])
    .unwrap();
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    p
}

/// Issue 22 #3 through Parquet ("also hit by a damaged Parquet file"): timestamps of year
/// 9999, 1900 or beyond what an i64 of seconds can shift are quarantined row by row before
/// anything is written; the good row is kept.
#[test]
fn parquet_readings_at_9999_12_31_or_overflowing_are_quarantined_before_writing() {
    use arrow::array::{ArrayRef, Int64Array, TimestampSecondArray};
    use std::sync::Arc;
    let d = tempfile::tempdir().unwrap();
    // Epoch seconds: 1688954400 = 2023-07-10T10:00+08:00; 253402185600 =
    // 9999-12-31T00:00+08:00; -2208988800 = 1900-01-01T00:00Z.
    let epochs = vec![1_688_954_400i64, 253_402_185_600, -2_208_988_800];
    let with_zone: ArrayRef =
        Arc::new(TimestampSecondArray::from(epochs.clone()).with_timezone("+08:00"));
    // Zoneless timestamps are wall time in Asia/Shanghai: i64::MIN cannot be shifted by
    // the 8 hours (it overflowed before).
    let wall: ArrayRef = Arc::new(TimestampSecondArray::from(vec![
        1_688_954_400 + 8 * 3600,
        i64::MIN,
    ]));
    let plain: ArrayRef = Arc::new(Int64Array::from(epochs));
    for (name, ts, read) in [
        ("zoned.parquet", with_zone, 3),
        ("wall.parquet", wall, 2),
        ("epoch.parquet", plain, 3),
    ] {
        let p = parquet_with(d.path(), name, ts);
        let mut s = ReadingStore::open(&d.path().join(name.replace(".parquet", ""))).unwrap();
        let r = crate::import_parquet(&mut s, &p, &|_| true, &mut |_, _| {}).unwrap();
        assert_eq!(
            (r.read, r.accepted, r.quarantined),
            (read, 1, read - 1),
            "{name}"
        );
        assert!(
            r.rejected.iter().all(|x| x.field == "ts"),
            "{name}: {:?}",
            r.rejected
        );
        // Only the 2023 reading is stored: 1 kWh = 1,000 Wh.
        assert_eq!(s.years("L1").unwrap(), [2023], "{name}");
        assert_eq!(
            s.readings("L1", 0, i64::MAX / 2).unwrap(),
            [(1_688_954_400, 1000)],
            "{name}"
        );
    }
}

/// Found by fuzzing (issue 19): a Parquet file with one bit flipped in its footer (a column
/// chunk's page offset becomes negative) panicked the import inside the Parquet library
/// (`column start and length should not be negative`). Every single-bit flip of a small
/// file's footer is now imported or refused with a reason.
#[test]
fn parquet_with_a_bit_flipped_in_its_footer_is_refused_not_a_panic() {
    use arrow::array::ArrayRef;
    use std::sync::Arc;
    let d = tempfile::tempdir().unwrap();
    let ts: ArrayRef = Arc::new(
        arrow::array::TimestampSecondArray::from(vec![1_688_954_400, 1_688_955_300])
            .with_timezone("UTC"),
    );
    let good = std::fs::read(parquet_with(d.path(), "good.parquet", ts)).unwrap();
    let footer = u32::from_le_bytes(good[good.len() - 8..good.len() - 4].try_into().unwrap());
    let start = good.len() - 8 - footer as usize;
    let mut s = ReadingStore::open(&d.path().join("store")).unwrap();
    let mut refused_by_the_guard = 0;
    for i in start..good.len() - 8 {
        let mut bad = good.clone();
        bad[i] ^= 1;
        let p = d.path().join("bad.parquet");
        std::fs::write(&p, &bad).unwrap();
        match crate::import_parquet(&mut s, &p, &|_| true, &mut |_, _| {}) {
            Ok(r) => assert_eq!(r.read, r.accepted + r.quarantined, "byte {i}"),
            Err(crate::ReadingsError::Format { reason, .. }) => {
                assert!(!reason.is_empty(), "byte {i}");
                refused_by_the_guard += reason.starts_with("damaged Parquet file") as usize;
            }
            Err(e) => panic!("byte {i}: {e}"),
        }
    }
    assert!(refused_by_the_guard > 0);
}
