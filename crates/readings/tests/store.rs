//! The readings store end to end: import validation, idempotence, restatement, durability,
//! time zones, intervals, gaps, Parquet round trip.

use std::path::{Path, PathBuf};
use zp_readings::{
    ExportFilter, Interval, ReadingStore, export_parquet, import_file, import_parquet,
};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn known(m: &str) -> bool {
    m.starts_with('L') || m.starts_with("PV")
}

fn import(store: &mut ReadingStore, p: &Path) -> zp_readings::ImportReport {
    import_file(store, p, &known, &mut |_, _| {}).unwrap()
}

fn ts(s: &str) -> i64 {
    zp_domain::time::parse_timestamp(s).unwrap()
}

#[test]
fn validation_quarantines_bad_rows_and_keeps_good_ones() {
    let d = tempfile::tempdir().unwrap();
    let mut s = ReadingStore::open(&d.path().join("r")).unwrap();
    let f = write(
        d.path(),
        "a.csv",
        "meter,ts,kwh\n\
         L1,2023-07-10T10:00:00+08:00,1.5\n\
         L1,2023-07-10T10:15:00+08:00,2\n\
         X9,2023-07-10T10:15:00+08:00,2\n\
         L1,yesterday,2\n\
         L1,2023-07-10T10:30:00+08:00,-1\n\
         L1,2023-07-10T10:30:00+08:00,100001\n\
         L1,2023-07-10T10:30:00+08:00,0.0001\n\
         L1,2023-07-10T10:37:00+08:00,1\n\
         L1,2023-07-10T10:15:00+08:00,2\n\
         L1,2023-07-10T10:15:00+08:00,3\n\
         L1\n\
         \n\
         L1,2023-07-10T10:45:00+08:00,0.25\n",
    );
    let r = import(&mut s, &f);
    assert_eq!(r.read, 12);
    assert_eq!(r.accepted, 4, "{:?}", r.rejected);
    assert_eq!(r.duplicates, 1);
    assert_eq!(r.quarantined, 8);
    assert_eq!(r.read, r.accepted + r.quarantined);
    let by_row: Vec<(u64, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.row, x.field.as_str()))
        .collect();
    assert_eq!(
        by_row,
        [
            (4, "meter"),
            (5, "ts"),
            (6, "kwh"),
            (7, "kwh"),
            (8, "kwh"),
            (9, "ts"),
            (11, "kwh"),
            (12, "meter")
        ]
    );
    let reasons: Vec<&str> = r.rejected.iter().map(|x| x.reason.as_str()).collect();
    assert!(
        reasons[0].contains("unknown meter \"X9\""),
        "{}",
        reasons[0]
    );
    assert!(reasons[2].contains("negative"));
    assert!(reasons[3].contains("absurd"));
    assert!(reasons[4].contains("3 decimal places"));
    assert!(reasons[5].contains("not the start of a 5, 15, 30 or 60-minute interval"));
    assert!(reasons[6].contains("appears earlier in this file with 2 kWh"));
    assert_eq!(r.rejected[7].raw, "L1");
    assert_eq!(
        s.readings("L1", 0, i64::MAX / 4).unwrap(),
        [
            (ts("2023-07-10T10:00:00+08:00"), 1500),
            (ts("2023-07-10T10:15:00+08:00"), 2000),
            (ts("2023-07-10T10:45:00+08:00"), 250)
        ]
    );
    assert_eq!(s.interval("L1"), Some(Interval::Min15));
    // The gap at 10:30 is reported.
    assert_eq!(r.missing_intervals, 1);
    assert_eq!(r.gaps[0].ranges[0].from, ts("2023-07-10T10:30:00+08:00"));
}

#[test]
fn reimport_is_idempotent_restatements_replace_and_survive_reopen() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("r");
    let text =
        "meter,ts,kwh\nL1,2023-01-01 00:00,1\nL1,2023-01-01 01:00,2\nPV1,2023-01-01 00:00,0.5\n";
    let f = write(d.path(), "a.csv", text);
    {
        let mut s = ReadingStore::open(&dir).unwrap();
        let r = import(&mut s, &f);
        assert_eq!(
            (r.accepted, r.duplicates, r.written, r.new_meters),
            (3, 0, 3, 2)
        );
    }
    let mut s = ReadingStore::open(&dir).unwrap();
    let before = snapshot(&dir);
    let r = import(&mut s, &f);
    assert_eq!(
        (r.accepted, r.duplicates, r.restated, r.written),
        (3, 3, 0, 0)
    );
    assert_eq!(
        snapshot(&dir),
        before,
        "the same file again changes no byte"
    );
    let g = write(
        d.path(),
        "b.csv",
        "meter,ts,kwh\nL1,2023-01-01T01:00:00+08:00,2.5\nL1,2023-01-01T02:00:00+08:00,3\n",
    );
    let r = import(&mut s, &g);
    assert_eq!(
        (r.accepted, r.duplicates, r.restated, r.written),
        (2, 0, 1, 2)
    );
    let s = ReadingStore::open(&dir).unwrap();
    let t0 = ts("2023-01-01T00:00:00+08:00");
    assert_eq!(
        s.readings("L1", t0, t0 + 86_400).unwrap(),
        [(t0, 1000), (t0 + 3600, 2500), (t0 + 7200, 3000)]
    );
    assert_eq!(s.hourly_wh("PV1", t0, t0 + 86_400).unwrap(), [(t0, 500)]);
}

#[test]
fn naive_offset_and_utc_times_are_the_same_reading() {
    let d = tempfile::tempdir().unwrap();
    let mut s = ReadingStore::open(&d.path().join("r")).unwrap();
    let a = write(d.path(), "a.csv", "meter,ts,kwh\nL1,2023-07-10 10:15,4\n");
    let b = write(
        d.path(),
        "b.csv",
        "meter,ts,kwh\nL1,2023-07-10T10:15:00+08:00,4\n",
    );
    let c = write(
        d.path(),
        "c.csv",
        "ts,kwh,meter\n2023-07-10T02:15:00Z,4,L1\n",
    );
    assert_eq!(import(&mut s, &a).written, 1);
    assert_eq!(import(&mut s, &b).duplicates, 1);
    assert_eq!(import(&mut s, &c).duplicates, 1);
}

#[test]
fn a_meters_interval_is_fixed_by_its_first_import() {
    let d = tempfile::tempdir().unwrap();
    let mut s = ReadingStore::open(&d.path().join("r")).unwrap();
    // First reading at :00 then :30 -> the new meter is detected as 30-minute.
    let a = write(
        d.path(),
        "a.csv",
        "meter,ts,kwh\nL1,2023-07-10 10:00,1\nL1,2023-07-10 10:30,1\nL2,2023-07-10 10:00,1\nL2,2023-07-10 10:05,2\n",
    );
    let r = import(&mut s, &a);
    assert_eq!(r.accepted, 4);
    assert_eq!(s.interval("L1"), Some(Interval::Min30));
    assert_eq!(s.interval("L2"), Some(Interval::Min5));
    let b = write(d.path(), "b.csv", "meter,ts,kwh\nL1,2023-07-10 10:15,1\n");
    let r = import(&mut s, &b);
    assert_eq!(r.quarantined, 1);
    assert!(
        r.rejected[0].reason.contains("records 30-minute intervals"),
        "{:?}",
        r.rejected
    );
}

#[test]
fn missing_columns_and_missing_files_are_errors() {
    let d = tempfile::tempdir().unwrap();
    let mut s = ReadingStore::open(&d.path().join("r")).unwrap();
    let a = write(
        d.path(),
        "a.csv",
        "meter,time,value\nL1,2023-07-10 10:00,1\n",
    );
    let e = import_file(&mut s, &a, &known, &mut |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing column"), "{e}");
    let e = import_file(&mut s, &d.path().join("nope.csv"), &known, &mut |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope.csv"), "{e}");
}

#[test]
fn readings_cross_years_and_damage_is_detected() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("r");
    let mut s = ReadingStore::open(&dir).unwrap();
    let a = write(
        d.path(),
        "a.csv",
        "meter,ts,kwh\nL1,2023-12-31T23:00:00+08:00,1\nL1,2024-01-01T00:00:00+08:00,2\n",
    );
    import(&mut s, &a);
    assert_eq!(s.years("L1").unwrap(), [2023, 2024]);
    // The import's one segment holds both chunks, 2024 last.
    let p = dir.join("segments/0.zps");
    let mut bytes = std::fs::read(&p).unwrap();
    let n = bytes.len();
    bytes[n - 6] ^= 0xff;
    std::fs::write(&p, bytes).unwrap();
    let e = s.readings("L1", 0, i64::MAX / 4).unwrap_err().to_string();
    assert!(e.contains("checksum") && e.contains("0.zps"), "{e}");
}

/// Every file of a store directory and its bytes (the lock file aside).
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.file_name().unwrap() != "LOCK" {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn parquet_round_trip_is_exact() {
    let d = tempfile::tempdir().unwrap();
    let mut s = ReadingStore::open(&d.path().join("r")).unwrap();
    let mut text = String::from("meter,ts,kwh\n");
    for i in 0..500 {
        text += &format!("L{},2023-03-01T00:00:00+08:00,0\n", i % 3);
        let t = ts("2023-03-01T00:00:00+08:00") + 900 * i;
        text += &format!(
            "PV1,{},{}.{:03}\n",
            zp_domain::time::format_local(t),
            i,
            (i * 7) % 1000
        );
    }
    let a = write(d.path(), "a.csv", &text);
    let r = import(&mut s, &a);
    assert_eq!(r.accepted, 1000);
    let out = d.path().join("x.parquet");
    let n = export_parquet(&s, &out, &ExportFilter::default()).unwrap();
    assert_eq!(n, 503);
    let mut t = ReadingStore::open(&d.path().join("r2")).unwrap();
    let r = import_parquet(&mut t, &out, &known, &mut |_, _| {}).unwrap();
    assert_eq!((r.read, r.accepted, r.quarantined), (503, 503, 0));
    for m in ["L0", "L1", "L2", "PV1"] {
        assert_eq!(
            s.readings(m, 0, i64::MAX / 4).unwrap(),
            t.readings(m, 0, i64::MAX / 4).unwrap(),
            "{m}"
        );
    }
    // A filtered export: one meter, one local day.
    let day = ts("2023-03-02T00:00:00+08:00");
    let f = ExportFilter {
        meters: vec!["PV1".into()],
        from: Some(day),
        to: Some(day + 86_400),
    };
    assert_eq!(export_parquet(&s, &out, &f).unwrap(), 96);
}
