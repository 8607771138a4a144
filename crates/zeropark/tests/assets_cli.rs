//! `zeropark assets` and `zeropark compliance` end to end: the national compliance example
//! at and over the offset cap, pledges, a late case, the accounts' fallback figure, and two
//! processes racing to surrender the same units.

mod common;

use common::{Db, args, data};
use serde_json::{Value, json};
use std::process::Stdio;

/// 重庆示例水泥有限公司 and 重庆示例电子科技有限公司 of tests/data/orgs.csv.
const A: &str = "91500112MA60CEM01B";
const B: &str = "91500112MA60ELE02H";

fn db() -> Db {
    let db = Db::new();
    db.json(&["import", "orgs", &data("orgs.csv")]);
    db
}

/// The flags naming A's cn-ets 2023 compliance.
const A_CN_ETS_2023: [&str; 6] = ["--scheme", "cn-ets", "--org", A, "--year", "2023"];

fn status(db: &Db, extra: &[&str]) -> Value {
    db.json(&[&["compliance", "status"][..], &A_CN_ETS_2023, extra].concat())
}

/// `assets surrender` of A's `kind` 2023 for cn-ets 2023.
fn surrender<'a>(kind: &'a str, units: &'a str) -> [&'a str; 14] {
    surrender_in("cn-ets", kind, units)
}

fn surrender_in<'a>(scheme: &'a str, kind: &'a str, units: &'a str) -> [&'a str; 14] {
    [
        "assets",
        "surrender",
        "--scheme",
        scheme,
        "--year",
        "2023",
        "--org",
        A,
        "--kind",
        kind,
        "--vintage",
        "2023",
        "--units",
        units,
    ]
}

/// `assets allocate` of `scheme` 2023 allowances.
fn allocate<'a>(scheme: &'a str, org: &'a str, units: &'a str) -> [&'a str; 10] {
    [
        "assets", "allocate", "--scheme", scheme, "--year", "2023", "--org", org, "--units", units,
    ]
}

/// `assets issue` of `kind` 2023.
fn issue<'a>(kind: &'a str, org: &'a str, units: &'a str) -> [&'a str; 10] {
    [
        "assets",
        "issue",
        "--kind",
        kind,
        "--vintage",
        "2023",
        "--org",
        org,
        "--units",
        units,
    ]
}

/// `assets transfer` of CEA 2023.
fn transfer<'a>(from: &'a str, to: &'a str, units: &'a str) -> [&'a str; 12] {
    [
        "assets",
        "transfer",
        "--kind",
        "cea",
        "--vintage",
        "2023",
        "--from",
        from,
        "--to",
        to,
        "--units",
        units,
    ]
}

/// `compliance set-verified` of A's cn-ets 2023 emissions.
fn set_verified(tco2: &str) -> Vec<&str> {
    [
        &["compliance", "set-verified"][..],
        &A_CN_ETS_2023,
        &["--tco2", tco2],
    ]
    .concat()
}

/// 46,000 t CEA allocated, 3,000 t CCER issued, 50,000 tCO2 verified, all CEA surrendered.
fn national_example(db: &Db) {
    db.ok(&allocate("cn-ets", A, "46000"));
    db.ok(&issue("ccer", A, "3000"));
    db.ok(&set_verified("50000"));
    db.ok(&surrender("cea", "46000"));
}

#[test]
fn offsets_over_the_cap_exit_2_and_at_the_cap_count() {
    let db = db();
    national_example(&db);
    // Cap: 5 % of 50,000 t = 2,500 t, so 3,000 t is refused whole.
    let err = db.fails(&surrender("ccer", "3000"), 2);
    assert!(err.contains("offset cap exceeded"), "{err}");
    assert!(err.contains("cap of 2500 t"), "{err}");
    assert!(err.contains("第二十九条"), "{err}");
    db.ok(&surrender("ccer", "2500"));
    let s = status(&db, &["--today", "2024-06-01"]);
    // Shortfall: 50,000 - 46,000 allowances - 2,500 offsets = 1,500 t.
    assert_eq!(s["verified_tco2"], json!(50000));
    assert_eq!(s["surrendered_allowances_t"], json!(46000));
    assert_eq!(s["surrendered_offsets_t"], json!(2500));
    assert_eq!(s["offset_cap_t"], json!(2500));
    assert_eq!(s["shortfall_t"], json!(1500));
    assert_eq!(s["status"], json!("short"));
    assert_eq!(s["emissions_source"], json!("verifier"));
    // 3,000 CCER issued - 2,500 surrendered = 500 still available.
    let bal = db.json(&["assets", "balances", "--org", A]);
    assert_eq!(
        bal,
        json!([
            {"org": A, "kind": "ccer", "vintage": 2023, "available": 500, "pledged": 0, "reserved": 0, "surrendered": 2500, "cancelled": 0},
            {"org": A, "kind": "cea", "vintage": 2023, "available": 0, "pledged": 0, "reserved": 0, "surrendered": 46000, "cancelled": 0}
        ])
    );
    // allocate, issue, verified, surrender cea, then split 3,000 CCER into 2,500 + 500 and
    // surrender the 2,500: 6 events, nothing from the refusal.
    let v = db.json(&["assets", "verify"]);
    assert_eq!(v["events"], json!(6));
}

#[test]
fn late_after_the_deadline_then_compliant() {
    let db = db();
    national_example(&db);
    db.ok(&surrender("ccer", "2500"));
    db.ok(&args(
        "compliance set-deadline --scheme cn-ets --year 2023 --date 2024-12-31",
        &[],
    ));
    assert_eq!(
        status(&db, &["--today", "2024-12-31"])["status"],
        json!("short")
    );
    let late = status(&db, &["--today", "2025-01-01"]);
    assert_eq!(
        (&late["status"], &late["shortfall_t"]),
        (&json!("late"), &json!(1500))
    );
    // B sells A the missing 1,500 t: 46,000 + 1,500 + 2,500 = 50,000.
    db.ok(&allocate("cn-ets", B, "1500"));
    db.ok(&transfer(B, A, "1500"));
    db.ok(&surrender("cea", "1500"));
    let s = status(&db, &["--today", "2025-01-02"]);
    assert_eq!(
        (&s["status"], &s["shortfall_t"]),
        (&json!("compliant"), &json!(0))
    );
}

#[test]
fn pledged_units_cannot_move_or_be_surrendered() {
    let db = db();
    db.ok(&allocate("cn-ets", A, "100"));
    let p = db.json(&args(
        &format!(
            "assets pledge --kind cea --vintage 2023 --org {A} --units 80 --to 某银行重庆分行"
        ),
        &[],
    ));
    assert_eq!(p["pledge"], json!(1));
    // 100 - 80 pledged = 20 available; 21 is one too many for either a transfer or a surrender.
    let err = db.fails(&transfer(A, B, "21"), 2);
    assert!(
        err.contains("20 t of cea 2023 available") && err.contains("80 t more are pledged"),
        "{err}"
    );
    db.fails(&surrender("cea", "21"), 2);
    db.ok(&["assets", "release", "--pledge", "1"]);
    let err = db.fails(&["assets", "release", "--pledge", "1"], 2);
    assert!(err.contains("already released"), "{err}");
    db.ok(&transfer(A, B, "21"));
    db.ok(&[
        "assets",
        "cancel",
        "--kind",
        "cea",
        "--vintage",
        "2023",
        "--org",
        B,
        "--units",
        "1",
        "--claim",
        "2024 年会碳中和",
    ]);
    let bal = db.json(&["assets", "balances", "--org", B]);
    assert_eq!(
        (&bal[0]["available"], &bal[0]["cancelled"]),
        (&json!(20), &json!(1))
    );
    let pledges = db.json(&["assets", "pledges"]);
    assert_eq!(
        (&pledges[0]["units"], &pledges[0]["released"]),
        (&json!(80), &json!(true))
    );
}

#[test]
fn refusals_name_their_reason() {
    let db = db();
    let err = db.fails(&allocate("eu-ets", A, "1"), 2);
    assert!(err.contains("unknown scheme"), "{err}");
    let err = db.fails(&issue("cea", A, "1"), 2);
    assert!(err.contains("allowance"), "{err}");
    let err = db.fails(&issue("ccer", "91500000MA5UA0000A", "1"), 2);
    assert!(err.contains("no enterprise"), "{err}");
    let err = db.fails(&issue("ccer", A, "0"), 2);
    assert!(err.contains("positive"), "{err}");
    db.ok(&issue("ccer", A, "10"));
    // No verified figure yet: the cap cannot be known, so offsets are refused.
    let err = db.fails(&surrender("ccer", "1"), 2);
    assert!(err.contains("no verified emissions"), "{err}");
    // Chongqing's cap is not sourced: refused rather than guessed.
    let err = db.fails(&surrender_in("cq-pilot", "ccer", "1"), 2);
    assert!(err.contains("no sourced offset cap"), "{err}");
}

#[test]
fn accounts_figure_stands_in_until_verified() {
    let db = db();
    db.json(&["import", "activity", &data("activity_2023.csv")]);
    let inv = db.json(&["report", "inventory", "--org", A, "--year", "2023"]);
    let scope1 = common::num(&inv["scope1_tco2"]);
    let s = status(&db, &[]);
    assert_eq!(s["emissions_source"], json!("accounts"));
    // cn-ets stands in the Scope 1 figure, rounded up to whole tonnes.
    assert_eq!(common::num(&s["verified_tco2"]), scope1.ceil());
    assert!(scope1 > common::d("0"));
    db.ok(&set_verified("7"));
    let s = status(&db, &[]);
    assert_eq!(
        (&s["emissions_source"], &s["verified_tco2"]),
        (&json!("verifier"), &json!(7))
    );
}

/// Two processes surrender the same 100 t at once: one lands, the other is refused because
/// the units are gone, and the log holds exactly one surrender.
#[test]
fn double_surrender_one_wins() {
    let db = db();
    for round in 0..3 {
        db.ok(&allocate("cn-ets", A, "100"));
        let children: Vec<_> = (0..2)
            .map(|_| {
                db.command(&surrender("cea", "100"))
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
        let won = codes.iter().filter(|c| **c == Some(0)).count();
        assert_eq!(won, 1, "round {round}: {codes:?}");
        let lost = outs
            .iter()
            .find(|o| o.status.code() == Some(2))
            .expect("the other exits 2");
        let err = String::from_utf8_lossy(&lost.stderr);
        assert!(
            err.contains("0 t of cea 2023 available, 100 t asked"),
            "{err}"
        );
    }
    // 3 rounds x 100 t surrendered once each.
    let s = status(&db, &[]);
    assert_eq!(s["surrendered_allowances_t"], json!(300));
    db.json(&["assets", "verify"]);
}
