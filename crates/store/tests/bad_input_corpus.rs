//! The bad-input corpus (issue 22, item 6): damaged and hostile files go through the real
//! ingest path (read, validate) into a SQLite and a PostgreSQL store, and both must give the
//! same result: the same refusals, counts, quarantined rows (row, field, reason, raw) and
//! stored organisations and parks. Before, PostgreSQL refused whole files holding a NUL
//! byte (`database error: db error`) that SQLite quarantined.
//!
//! PostgreSQL comes from `ZEROPARK_TEST_PG_URL` or `scripts/pg-test.sh`; under CI (`CI` set)
//! a missing server is a failure.

use std::path::{Path, PathBuf};
use zp_domain::CreditCode;
use zp_domain::records::{BatchMeta, ImportCounts, Meter};
use zp_ingest::{Limits, read_table, validate_activity, validate_meters, validate_orgs};
use zp_store::*;

mod common;
use common::sqlite;

fn postgres() -> Option<Box<dyn Store>> {
    common::postgres("zp_corpus")
}

fn code(n: u32) -> String {
    CreditCode::complete(&format!("91500105MA5YRE{n:02}B"))
        .unwrap()
        .to_string()
}

/// (file name, kind, bytes). Every file is small; each holds one kind of damage.
fn corpus() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let (a, b, c) = (code(1), code(2), code(3));
    let orgs = |body: &str| format!("credit_code,name,park,industry\n{body}").into_bytes();
    let mut invalid_byte = orgs(&format!("{a},甲公司,一号园区,3011\n{b},乙"));
    invalid_byte.push(0xFF);
    invalid_byte
        .extend_from_slice(format!("公司,坏园区,3011\n{c},丙公司,一号园区,3011\n").as_bytes());
    let gb = gb18030_orgs();
    vec![
        ("nul_in_name.csv", "orgs", orgs(&format!("{a},甲\0公司,一号园区,3011\n{b},乙公司,一号园区,3011\n"))),
        ("nul_in_park.csv", "orgs", orgs(&format!("{a},甲公司,园\0区,3011\n"))),
        ("nul_in_code.csv", "orgs", orgs(&format!("{a}\0,甲公司,一号园区,3011\n"))),
        ("nul_in_header.csv", "orgs", b"credit_code,na\0me,park,industry\n".to_vec()),
        ("ansi_escape.csv", "orgs", orgs(&format!("{a},\x1b[2J甲公司,一号园区,3011\n"))),
        ("invalid_byte.csv", "orgs", invalid_byte),
        ("stray_quote.csv", "orgs", orgs(&format!("{a},\"甲公司,一号园区,3011\n{b},乙公司,一号园区,3011\n"))),
        ("cr_only.csv", "orgs", format!("credit_code,name,park,industry\r{a},甲公司,一号园区,3011\r").into_bytes()),
        ("gb18030.csv", "orgs", gb),
        ("bom.csv", "orgs", [&b"\xEF\xBB\xBF"[..], &orgs(&format!("{a},甲公司,一号园区,3011\n"))].concat()),
        ("empty.csv", "orgs", Vec::new()),
        ("missing_columns.csv", "orgs", b"credit_code,name\nx,y\n".to_vec()),
        (
            "activity_numbers.csv",
            "activity",
            format!(
                "credit_code,period,carrier,quantity,unit\n{a},2023-01,electricity,1e-30,MWh\n{a},2023-02,electricity,\"1,000\",MWh\n{a},2023-03,electricity,1,000,MWh\n{a},2023-04,electricity,12\0,MWh\n{a},2023-05,electricity,12.5,MWh\n"
            )
            .into_bytes(),
        ),
        (
            "meters_nul.csv",
            "meters",
            format!("meter,credit_code,kind\nM\01,{a},consumption\nM2,{a},consumption\n").into_bytes(),
        ),
    ]
}

/// A GB18030 orgs file, encoded by hand: 甲 = D7 A3, 公 = B9 AB, 司 = CB BE, 园 = D4 B0,
/// 区 = C7 F8 (GB2312 code points, which GB18030 keeps).
fn gb18030_orgs() -> Vec<u8> {
    let mut v = format!("credit_code,name,park,industry\n{},", code(1)).into_bytes();
    v.extend_from_slice(&[0xD7, 0xA3, 0xB9, 0xAB, 0xCB, 0xBE]);
    v.push(b',');
    v.extend_from_slice(&[0xD4, 0xB0, 0xC7, 0xF8]);
    v.extend_from_slice(b",3011\n");
    v
}

fn xlsx_corpus(dir: &Path) -> Vec<(String, &'static str)> {
    let p = dir.join("xfd1048576.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "credit_code").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&p).unwrap();
    vec![(p.display().to_string(), "orgs")]
}

/// Imports one file as the application does and describes everything the store then holds
/// about it, in a backend-independent text.
fn run(s: &mut dyn Store, path: &Path, kind: &str) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut out = vec![format!("== {name}")];
    let table = match read_table(path, Limits::default()) {
        Ok(t) => t,
        Err(e) => {
            out.push(format!(
                "refused: {}",
                e.to_string().replace(&path.display().to_string(), &name)
            ));
            return out;
        }
    };
    let meta = BatchMeta {
        kind: kind.into(),
        file: name.clone(),
        sha256: table.sha256.clone(),
        actor: "corpus".into(),
        readings_txn: None,
    };
    let known = |c: &CreditCode| c.as_str() == code(1);
    let counts = match kind {
        "orgs" => match validate_orgs(&table) {
            Ok(v) => {
                for o in &v.orgs {
                    s.upsert_org(o, "corpus").unwrap();
                }
                let counts = ImportCounts::of(table.rows.len(), v.rejected.len());
                s.record_batch(&meta, &counts, &v.rejected).unwrap();
                counts
            }
            Err(e) => {
                let e = e.to_string().replace(&path.display().to_string(), &name);
                out.push(format!("refused: {e}"));
                return out;
            }
        },
        "activity" => {
            let v = validate_activity(&table, &known).unwrap();
            s.import_activity(ImportRows::new(
                &meta,
                &v.rows,
                &v.rejected,
                table.rows.len(),
            ))
            .unwrap()
        }
        "meters" => {
            let v = validate_meters(&table, &known).unwrap();
            for m in &v.meters {
                s.upsert_meter(m, "corpus").unwrap();
            }
            let counts = ImportCounts::of(table.rows.len(), v.rejected.len());
            s.record_batch(&meta, &counts, &v.rejected).unwrap();
            counts
        }
        other => panic!("kind {other}"),
    };
    out.push(format!(
        "read {} accepted {} quarantined {}",
        counts.read, counts.accepted, counts.quarantined
    ));
    let q = s
        .quarantine(&QuarantineFilter {
            file: Some(name),
            ..Default::default()
        })
        .unwrap();
    let mut q: Vec<String> = q
        .iter()
        .map(|e| format!("row {} {}: {} | {}", e.row, e.field, e.reason, e.raw))
        .collect();
    q.sort();
    out.extend(q);
    out
}

/// The state after the whole corpus: organisations, parks and meters.
fn state(s: &mut dyn Store) -> Vec<String> {
    let mut v: Vec<String> = s
        .orgs(&Access::All, &OrgFilter::default())
        .unwrap()
        .iter()
        .map(|o| format!("org {} {} {:?}", o.credit_code, o.name, o.park))
        .collect();
    v.extend(
        s.parks(&Access::All)
            .unwrap()
            .iter()
            .map(|p| format!("park {}", p.name)),
    );
    v.extend(
        s.meters(&Access::All, &MeterFilter::default())
            .unwrap()
            .iter()
            .map(|m: &Meter| format!("meter {:?}", m.meter)),
    );
    v
}

fn files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut v: Vec<(PathBuf, &'static str)> = corpus()
        .into_iter()
        .map(|(name, kind, bytes)| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            (p, kind)
        })
        .collect();
    v.extend(
        xlsx_corpus(dir)
            .into_iter()
            .map(|(p, k)| (PathBuf::from(p), k)),
    );
    v
}

fn all(s: &mut dyn Store, files: &[(PathBuf, &'static str)]) -> Vec<String> {
    let mut out = Vec::new();
    for (p, kind) in files {
        out.extend(run(s, p, kind));
    }
    out.extend(state(s));
    out
}

#[test]
fn bad_input_corpus_gives_the_same_results_on_sqlite_and_postgres() {
    let d = tempfile::tempdir().unwrap();
    let files = files(d.path());
    let lite = all(sqlite().as_mut(), &files);
    // Literal expectations for the cases of issue 22 (both backends must match them).
    let has = |line: &str| {
        assert!(
            lite.iter().any(|l| l == line),
            "missing {line:?} in\n{}",
            lite.join("\n")
        );
    };
    has("== nul_in_name.csv");
    // Two rows: the NUL one quarantined, the other accepted.
    has("read 2 accepted 1 quarantined 1");
    has(&format!(
        "row 2 name: name contains the control character U+0000 (NUL) at character 2: text must be printable | {},甲\\x00公司,一号园区,3011",
        code(1)
    ));
    has(
        "refused: nul_in_header.csv: header (line 1) has the control character U+0000 (NUL): column names must be printable",
    );
    // Header 31 bytes, line 2 (18 + 1 + 9 + 1 + 12 + 1 + 4 + 1 =) 47: line 3 starts at 78;
    // its 0xFF follows the code, a comma and 乙 (18 + 1 + 3 = 22): offset 100.
    has("row 3 row: byte 0xFF at byte offset 100 is not UTF-8 (the file is read as UTF-8): this row is not imported | 91500105MA5YRE02BX,乙\u{FFFD}公司,坏园区,3011".replace("91500105MA5YRE02BX", &code(2)).as_str());
    // No park from a failed row: only 一号园区 and the GB18030 file's 园区.
    assert!(
        !lite
            .iter()
            .any(|l| l.contains("park 坏园区") || l.contains("park 园\0区"))
    );
    has("park 园区");
    has("park 一号园区");
    let Some(mut pg) = postgres() else { return };
    let pg = all(pg.as_mut(), &files);
    assert_eq!(lite, pg, "SQLite and PostgreSQL differ");
}

#[test]
fn nul_in_stored_text_is_the_same_on_both_backends() {
    let rejected = [zp_domain::records::Rejected {
        row: 2,
        field: "meter".into(),
        reason: "unknown meter \"M\u{0}1\"".into(),
        raw: "M\u{0}1,2023-07-10 10:00,1".into(),
    }];
    let meta = BatchMeta {
        kind: "readings".into(),
        file: "r.csv".into(),
        sha256: String::new(),
        actor: "t".into(),
        readings_txn: None,
    };
    let mut stored = Vec::new();
    let mut backends = vec![sqlite()];
    backends.extend(postgres());
    for mut s in backends {
        s.record_batch(&meta, &ImportCounts::of(1, 1), &rejected)
            .unwrap();
        let q = s.quarantine(&QuarantineFilter::default()).unwrap();
        stored.push((q[0].reason.clone(), q[0].raw.clone()));
    }
    // NUL is stored as U+2400 (␀) by both backends.
    for got in &stored {
        assert_eq!(
            got,
            &(
                "unknown meter \"M␀1\"".to_string(),
                "M␀1,2023-07-10 10:00,1".to_string()
            )
        );
    }
}
