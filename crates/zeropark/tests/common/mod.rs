//! What the CLI tests share: a throwaway database driven through the `zeropark` binary,
//! the files under `tests/data/` and exact numbers.
#![allow(dead_code, reason = "each test binary uses its own part")]

use rust_decimal::Decimal;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

/// A file of the repository's `tests/data/`.
pub fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
        .display()
        .to_string()
}

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A JSON number as an exact decimal.
pub fn num(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

/// (row, field) of each row of a `quarantine list --json` answer, in its order.
pub fn row_fields(q: &Value) -> Vec<(i64, String)> {
    q.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_i64().unwrap(),
                r["field"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `zeropark ARGS`, with the environment's database settings removed.
pub fn zeropark(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zeropark"));
    c.args(args)
        .env_remove("ZEROPARK_DB")
        .env_remove("ZEROPARK_READINGS_DIR")
        .env_remove("ZEROPARK_REGISTRY_KEY")
        .env_remove("ZEROPARK_CONFIG");
    c
}

/// Asserts a `quarantine list --json` answer holds the rows `want` as (row, field), in
/// order, the first of them from a file whose path ends with `file`.
pub fn assert_quarantined(q: &Value, file: &str, want: &[(i64, &str)]) {
    let want: Vec<(i64, String)> = want.iter().map(|(r, f)| (*r, f.to_string())).collect();
    assert_eq!(row_fields(q), want);
    assert!(q[0]["file"].as_str().unwrap().ends_with(file), "{q}");
}

/// The credit code of the enterprise the hand-made test files use (check digit completed).
pub fn org() -> String {
    zp_domain::CreditCode::complete("91500105MA5YRE01B")
        .unwrap()
        .as_str()
        .to_string()
}

/// The arguments of `line` split at white space, then `more` (paths, which may hold
/// spaces): `args("report bill --org X --month 2023-07", &[])`.
pub fn args<'a>(line: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    line.split_whitespace()
        .chain(more.iter().copied())
        .collect()
}

/// A SQLite database (and its readings store) in a temporary folder.
pub struct Db {
    pub dir: tempfile::TempDir,
    db: PathBuf,
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zp.db");
        Db { dir, db }
    }

    /// The demo's database (`zeropark demo --no-serve --dir <folder>/demo`), seeded.
    pub fn demo() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo").join("zeropark-demo.db");
        let demo = Db { dir, db };
        demo.seed_demo();
        demo
    }

    /// Runs `zeropark demo --no-serve` (again) into this demo's folder; asserts success.
    pub fn seed_demo(&self) {
        let folder = self.db.parent().unwrap().to_str().unwrap();
        let out = zeropark(&["demo", "--no-serve", "--dir", folder])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "demo failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        self.db.clone()
    }

    /// A file in the database's folder (outputs of a test).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `body` to a file `name` in the database's folder; returns its path.
    pub fn write(&self, name: &str, body: &str) -> String {
        let p = self.file(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    }

    /// A database holding one enterprise, [`org`], of `industry` in CQ's 示例园区, imported
    /// from `orgs.csv`.
    pub fn with_org(name: &str, industry: &str) -> Db {
        let db = Db::new();
        let orgs = db.write(
            "orgs.csv",
            &format!(
                "credit_code,name,region,park,industry\n{},{name},CQ,示例园区,{industry}\n",
                org()
            ),
        );
        db.json(&["import", "orgs", &orgs]);
        db
    }

    /// The budget examples' enterprises and their 2022 and 2023 ledgers
    /// (`tests/data/budget/`).
    pub fn budget() -> Db {
        let db = Db::new();
        db.json(&["import", "orgs", &data("budget/orgs.csv")]);
        db.json(&["import", "activity", &data("budget/activity_2022.csv")]);
        db.json(&["import", "activity", &data("budget/activity_2023.csv")]);
        db
    }

    /// Imports an illustrative electricity coal-equivalent factor of 0.3 kgce/kWh for 2023
    /// (a test value) as factor set `test-ce`, from `ce.csv`.
    pub fn import_test_coal_equivalent(&self) {
        let ce = self.write(
            "ce.csv",
            "kind,subject,year,value,unit,publisher,notice\n\
             electricity_coal_equivalent,electricity,2023,0.3,kgce/kWh,test,illustrative test value\n",
        );
        self.ok(&["import", "factors", &ce, "--set", "test-ce"]);
    }

    /// `zeropark --db <this> ARGS`, with the environment's database settings removed.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = zeropark(&["--db", self.db.to_str().unwrap()]);
        c.args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "zeropark {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs with `--json`, asserts success and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let args = [args, &["--json"]].concat();
        let out = self.ok(&args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// The audit log (`audit --json`), newest entry first.
    pub fn audit(&self) -> Vec<Value> {
        self.json(&["audit"]).as_array().unwrap().clone()
    }

    /// Runs a command that must fail with exit status `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Enterprises, the meters of `tests/data/readings_meters.csv` and the hourly grid
    /// factors of 2023-07-10.
    pub fn with_meters() -> Db {
        let db = Db::new();
        db.json(&["import", "orgs", &data("orgs.csv")]);
        db.json(&["import", "meters", &data("readings_meters.csv")]);
        db.json(&["import", "grid-hourly", &data("grid_hourly_2023-07-10.csv")]);
        db
    }

    /// Enterprises and `n` consumption meters `{prefix}0`.. of 91500112MA60ELE02H.
    pub fn with_consumption_meters(prefix: &str, n: usize) -> Db {
        let db = Db::new();
        db.json(&["import", "orgs", &data("orgs.csv")]);
        let mut meters = String::from("meter,credit_code,kind,source\n");
        for m in 0..n {
            meters += &format!("{prefix}{m},91500112MA60ELE02H,consumption,\n");
        }
        let path = db.write("meters.csv", &meters);
        db.json(&["import", "meters", &path]);
        db
    }

    /// `export readings --format parquet` of every reading: how many, and the file's bytes
    /// (the same store exports the same bytes).
    pub fn export_readings(&self) -> (u64, Vec<u8>) {
        let out = self.file("export.parquet");
        let _ = std::fs::remove_file(&out);
        let path = out.to_str().unwrap();
        let e = self.json(&args("export readings --format parquet --out", &[path]));
        (
            e["readings"].as_u64().unwrap(),
            std::fs::read(&out).unwrap(),
        )
    }
}

/// `report carbon-map` of one `day`: `of` is `["--org", code]`, `["--park", name]` or
/// `["--region", code]`, rows by `by` (hour, day, month), grouped by `group` when given.
pub fn carbon_map<'a>(
    of: [&'a str; 2],
    day: &'a str,
    by: &'a str,
    group: Option<&'a str>,
) -> Vec<&'a str> {
    let mut args = vec![
        "report",
        "carbon-map",
        of[0],
        of[1],
        "--from",
        day,
        "--to",
        day,
        "--by",
        by,
    ];
    if let Some(g) = group {
        args.extend(["--group", g]);
    }
    args
}

/// Two carbon maps (`report carbon-map --json`) from different engines are the same map:
/// every row's keys and energies exactly, emissions and totals to 1e-6 tCO2, the same
/// enterprise, meter and fallback-hour counts.
pub fn assert_same_map(a: &Value, b: &Value, what: &str) {
    let (x_rows, y_rows) = (a["rows"].as_array().unwrap(), b["rows"].as_array().unwrap());
    assert!(!x_rows.is_empty(), "{what}: no rows");
    assert_eq!(x_rows.len(), y_rows.len(), "{what}: row counts");
    let tol = d("0.000001");
    for (x, y) in x_rows.iter().zip(y_rows) {
        for k in ["group", "name", "period", "factor_source", "fallback_hours"] {
            assert_eq!(x[k], y[k], "{what}: {k} of {x} vs {y}");
        }
        for k in ["consumption_mwh", "generation_mwh", "grid_import_mwh"] {
            assert_eq!(num(&x[k]), num(&y[k]), "{what}: {k} of {x} vs {y}");
        }
        let diff = (num(&x["emissions_tco2"]) - num(&y["emissions_tco2"])).abs();
        assert!(diff <= tol, "{what}: emissions of {x} vs {y}");
    }
    for k in [
        "consumption_mwh",
        "generation_mwh",
        "grid_import_mwh",
        "emissions_tco2",
    ] {
        let diff = (num(&a["totals"][k]) - num(&b["totals"][k])).abs();
        assert!(diff <= tol, "{what}: total {k}");
    }
    for k in ["enterprises", "meters", "fallback_hours"] {
        assert_eq!(a[k], b[k], "{what}: {k}");
    }
}

/// Issues the registry's certificates for 2023-07-10 and retires the electronics
/// enterprise's own hour by hour against its load (part of its load matched, some of its
/// certificates left active), as `tests/certs_cli.rs` checks by hand.
#[allow(dead_code)] // not every test file matches certificates
pub fn issue_and_match(db: &Db) {
    let day = ["--from", "2023-07-10", "--to", "2023-07-10"];
    db.json(&[&["certs", "issue"][..], &day].concat());
    let m = db.json(
        &[
            &["certs", "match", "--consumer", "91500112MA60ELE02H"][..],
            &day,
        ]
        .concat(),
    );
    assert!(num(&m["matched_mwh"]) > Decimal::ZERO, "{m}");
}

/// `report matching --json` of the electronics enterprise on 2023-07-10, on `engine`.
#[allow(dead_code)]
pub fn matching(db: &Db, engine: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "matching",
        "--org",
        "91500112MA60ELE02H",
        "--from",
        "2023-07-10",
        "--to",
        "2023-07-10",
    ];
    args.extend(engine);
    db.json(&args)
}

/// Two matching reports agree: energies exactly, ratios to 1e-6, hour by hour.
#[allow(dead_code)]
pub fn assert_same_matching(a: &Value, b: &Value, what: &str) {
    let (x_hours, y_hours) = (
        a["hours"].as_array().unwrap(),
        b["hours"].as_array().unwrap(),
    );
    assert!(!x_hours.is_empty(), "{what}: no hours");
    assert!(
        num(&a["matched_mwh"]) > Decimal::ZERO,
        "{what}: nothing matched"
    );
    assert_eq!(x_hours.len(), y_hours.len(), "{what}: hour counts");
    for (x, y) in x_hours.iter().zip(y_hours) {
        for k in ["hour_start", "load_wh", "matched_wh", "grid_wh"] {
            assert_eq!(x[k], y[k], "{what}: {k} of {x} vs {y}");
        }
        let diff = (num(&x["cfe_wh"]) - num(&y["cfe_wh"])).abs();
        assert!(diff <= d("0.000001"), "{what}: cfe_wh of {x} vs {y}");
    }
    for k in ["load_mwh", "matched_mwh"] {
        assert_eq!(num(&a[k]), num(&b[k]), "{what}: {k}");
    }
    for k in ["cfe_score", "annual_match_ratio"] {
        let diff = (num(&a[k]) - num(&b[k])).abs();
        assert!(diff <= d("0.000001"), "{what}: {k} {} vs {}", a[k], b[k]);
    }
    assert_eq!(
        a["missing_grid_cfe_hours"], b["missing_grid_cfe_hours"],
        "{what}: missing CFE hours"
    );
}

/// Every number of a workbook's sheet (report files read back).
#[allow(dead_code)] // not every test file reads workbooks
pub fn sheet_numbers(path: &std::path::Path, sheet: &str) -> Vec<f64> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    wb.worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{}: no sheet {sheet}: {e}", path.display()))
        .rows()
        .flat_map(|row| row.iter())
        .filter_map(|c| match c {
            Data::Float(f) => Some(*f),
            _ => None,
        })
        .collect()
}
