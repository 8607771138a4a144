//! The parallel CSV import and its fast path give the same store (byte for byte) and the
//! same report (counts, rejected rows with row/field/reason, gaps) as reading the file on
//! one thread with the general parser, on random valid and invalid files.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use zp_readings::{CsvOptions, ImportReport, ReadingStore, import_csv_with};

fn known(m: &str) -> bool {
    m.starts_with('L') || m.starts_with("PV")
}

/// Every file of a store but its lock, by relative path.
fn store_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "LOCK" {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn import(dir: &Path, files: &[&Path], o: &CsvOptions) -> Vec<ImportReport> {
    let mut s = ReadingStore::open(dir).unwrap();
    files
        .iter()
        .map(|f| import_csv_with(&mut s, f, &known, &mut |_, _| {}, o).unwrap())
        .collect()
}

const METERS: [&str; 7] = ["L1", "L2", "PV3", "L4", "X9", " L1", ""];
const VALUES: [&str; 14] = [
    "1.5",
    "0",
    "12.345",
    "7",
    "007.50",
    "2.25",
    "-1",
    "100001",
    "1.2345",
    "abc",
    "",
    "1.2340",
    "99999.999",
    "3.",
];

/// One line: meter, a time on a 5-minute grid around new year 2024 in one of several
/// layouts (some invalid), a value; sometimes quoted, with an extra column or CRLF.
fn line(m: usize, slot: i64, form: usize, v: usize, extra: usize) -> String {
    let t = 1_703_980_800 + slot * 300; // 2023-12-31T08:00:00+08:00
    let local = t + 8 * 3600;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, mo, d) = zp_readings::calendar::civil_from_days(days);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let date = format!("{y:04}-{mo:02}-{d:02}");
    let ts = match form {
        0..=3 => format!("{date}T{h:02}:{mi:02}:{s:02}+08:00"),
        4 => format!("{date} {h:02}:{mi:02}:{s:02}"),
        5 => format!("{date}T{h:02}:{mi:02}:{s:02}"),
        6 => format!("{date}T{:02}:{mi:02}:{s:02}Z", (h + 16) % 24),
        7 => format!("{date}T{h:02}:{mi:02}"),
        8 => format!("{date}T{h:02}:{mi:02}:{s:02}.000+08:00"),
        9 => format!("{date}T{h:02}:{mi:02}:07+08:00"),
        10 => format!("{y:04}-{mo:02}-32T{h:02}:{mi:02}:{s:02}+08:00"),
        _ => "yesterday".into(),
    };
    let (meter, value) = (METERS[m], VALUES[v]);
    match extra {
        0 => format!("\"{meter}\",{ts},\"{value}\"\n"),
        1 => format!("{meter},{ts},{value},x\n"),
        2 => format!("{meter},{ts},{value}\r\n"),
        3 => format!("{meter},{ts}\n"),
        4 => "\n".into(),
        _ => format!("{meter},{ts},{value}\n"),
    }
}

fn body() -> impl Strategy<Value = String> {
    // Mostly valid rows of a few meters, in runs as real files have them.
    let row = (
        prop::sample::select(vec![0usize, 0, 0, 1, 1, 2, 3, 4, 5, 6]),
        0i64..300,
        prop::sample::select(vec![0usize, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        prop::sample::select(vec![
            0usize, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        ]),
        prop::sample::select(vec![5usize, 5, 5, 5, 5, 5, 5, 5, 0, 1, 2, 3, 4]),
    );
    prop::collection::vec((row, 1usize..12), 1..40).prop_map(|runs| {
        let mut s = String::new();
        for ((m, slot, form, v, extra), n) in runs {
            for k in 0..n as i64 {
                s += &line(m, slot + k * 3, form, v, extra);
            }
        }
        s
    })
}

fn check(first: &str, second: &str, last_newline: bool) -> Result<(), TestCaseError> {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.csv");
    let b = d.path().join("b.csv");
    std::fs::write(&a, format!("meter,ts,kwh\n{first}")).unwrap();
    let mut second = format!("\u{feff}meter,ts,kwh\r\n{second}");
    if !last_newline {
        second.pop();
    }
    std::fs::write(&b, second).unwrap();
    let files = [a.as_path(), b.as_path()];
    let reference = CsvOptions {
        threads: 1,
        part_bytes: None,
        fast_path: false,
        ..Default::default()
    };
    let want = import(&d.path().join("ref"), &files, &reference);
    let want_files = store_files(&d.path().join("ref"));
    for (name, threads, part_bytes, fast_path) in [
        ("fast", 1, None, true),
        ("parallel", 3, Some(97), true),
        ("parallel-general", 2, Some(61), false),
        ("parallel-one-thread", 1, Some(50), true),
    ] {
        let o = CsvOptions {
            threads,
            part_bytes,
            fast_path,
            ..Default::default()
        };
        let dir = d.path().join(name);
        let got = import(&dir, &files, &o);
        prop_assert_eq!(&got, &want, "{} report", name);
        prop_assert!(store_files(&dir) == want_files, "{} store differs", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn parallel_fast_import_equals_sequential_general(
        first in body(), second in body(), last_newline: bool,
    ) {
        check(&first, &second, last_newline)?;
    }
}

#[test]
fn conflicting_values_in_different_parts_keep_the_first() {
    let mut first = String::new();
    for i in 0..40 {
        first += &line(0, i, 0, 0, 5);
    }
    // The same 40 intervals again, half with other values: parts disagree.
    let mut second = first.clone();
    for i in 0..40 {
        second += &line(0, i, 0, if i % 2 == 0 { 0 } else { 3 }, 5);
    }
    check(&first, &second, true).unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("c.csv");
    std::fs::write(&p, format!("meter,ts,kwh\n{second}")).unwrap();
    let o = CsvOptions {
        threads: 4,
        part_bytes: Some(200),
        fast_path: true,
        ..Default::default()
    };
    let r = import(&d.path().join("s"), &[p.as_path()], &o).remove(0);
    assert_eq!((r.read, r.accepted, r.quarantined), (80, 60, 20));
    assert_eq!(r.duplicates, 20);
    assert_eq!(r.rejected[0].row, 43); // header, 40 rows, then the 2nd of the repeat
    assert_eq!(r.rejected[0].field, "kwh");
    assert!(
        r.rejected[0]
            .reason
            .contains("earlier in this file with 1.5 kWh")
    );
}
