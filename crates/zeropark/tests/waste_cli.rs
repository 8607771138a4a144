//! `zeropark calendar` and `zeropark waste` end to end: permits and a whitelist imported
//! (bad rows quarantined), an application submitted on the Friday before National Day 2024,
//! both provinces deciding, a manifest shipped and received with a discrepancy, the status
//! and the province's report.

mod common;

use common::{Db, args, d, num};
use zp_domain::CreditCode;

fn generator() -> String {
    CreditCode::complete("91510100MA6XGEN01")
        .unwrap()
        .as_str()
        .to_string()
}
fn receiver() -> String {
    CreditCode::complete("91500112MA60CQREC")
        .unwrap()
        .as_str()
        .to_string()
}

/// `waste decide` approving application 1 on `side` (export, import) on `date`.
fn approve_1<'a>(side: &'a str, date: &'a str) -> [&'a str; 9] {
    [
        "waste",
        "decide",
        "--id",
        "1",
        "--side",
        side,
        "--approve",
        "--date",
        date,
    ]
}

/// The header of a `waste import-permits` file.
const PERMITS: &str = "permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source\n";

#[test]
fn calendar_contracts() {
    let db = Db::new();
    // 2024-09-29 (Sun) is a make-up day: 09-29, 09-30, 10-08, 10-09, 10-10.
    let v = db.json(&args(
        "calendar add-working-days --from 2024-09-27 --days 5",
        &[],
    ));
    assert_eq!(v, serde_json::json!({"date": "2024-10-10"}));
    let v = db.json(&["calendar", "is-working-day", "2024-09-29"]);
    assert_eq!(v["working_day"], true);
    assert_eq!(v["name_zh"], "国庆节");
    let e = db.fails(&["calendar", "is-working-day", "2027-01-04"], 2);
    assert!(e.contains("does not cover 2027-01-04"), "{e}");
}

#[test]
fn application_to_manifest_with_two_provinces_and_a_discrepancy() {
    let db = Db::new();
    let (g, r) = (generator(), receiver());
    let permits = db.write(
        "permits.csv",
        &format!(
            "{PERMITS}CQW-001,{r},CQ,HW08;900-041-49,100,2024-01-01,2026-12-31,test permit\n\
             CQW-002,{r},CQ,HW99,100,2024-01-01,2026-12-31,test permit\n"
        ),
    );
    let whitelist = db.write("whitelist.csv", &format!(
            "agreement,from_province,to_province,generator,receiver,codes,yearly_cap_t,valid_from,valid_to,source\n\
             SC-CQ-01,SC,CQ,{g},{r},900-249-08,50,2024-01-01,2025-12-31,test agreement\n"
        ));
    let p = db.json(&["waste", "import-permits", &permits]);
    assert_eq!(
        (
            p["read"].as_u64(),
            p["accepted"].as_u64(),
            p["quarantined"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(p["rejected"][0]["row"], 3);
    assert_eq!(p["rejected"][0]["field"], "codes");
    db.json(&["waste", "import-whitelist", &whitelist]);

    let apply = |tonnes: &str| apply_args(&g, &r, tonnes, "2024-09-27");
    let a = db.json(&strs(&apply("20")));
    assert_eq!(a["id"], 1);
    assert_eq!(a["whitelisted"], true);
    // 5 working days after Fri 2024-09-27: 09-29 (Sun, make-up), 09-30, 10-08, 10-09, 10-10.
    assert_eq!(a["due_date"], "2024-10-10");
    // 81 t: over the 80 t left of the permit's 100 t (20 t reserved by application 1): exit 2.
    let e = db.fails(&strs(&apply("81")), 2);
    assert!(
        e.contains("permit CQW-001 has 80 t of its 100 t for 2024 left; 81 t asked"),
        "{e}"
    );

    // The exporting province cannot approve first.
    let e = db.fails(&approve_1("export", "2024-09-30"), 2);
    assert!(e.contains("after the importing province"), "{e}");
    db.json(&approve_1("import", "2024-09-30"));
    let s = db.json(&approve_1("export", "2024-10-08"));
    assert_eq!(s["status"], "approved");

    let m = db.json(&args("waste manifest ship --id 1 --tonnes 12 --date 2024-10-09 --transporter 四川危运 --transporter 重庆危运", &[]));
    assert_eq!(m["id"], 1);
    // 11.5 of 12 t: 0.5 t short, over the 2 % tolerance (0.24 t).
    let receive = |tonnes| {
        let date = "2024-10-10";
        [
            "waste",
            "manifest",
            "receive",
            "--manifest",
            "1",
            "--tonnes",
            tonnes,
            "--date",
            date,
        ]
    };
    let m = db.json(&receive("11.5"));
    assert_eq!(num(&m["received_tonnes"]), d("11.5"));
    assert_eq!(m["discrepancy"], true);
    assert_eq!(num(&m["difference_tonnes"]), d("-0.5"));
    let again = db.fails(&receive("12"), 2);
    assert!(again.contains("already received"), "{again}");

    let s = db.json(&["waste", "status", "--id", "1", "--today", "2024-12-31"]);
    assert_eq!(s["status"], "approved");
    assert_eq!(s["whitelisted"], true);
    assert_eq!(s["due_date"], "2024-10-10");
    // Settled 2024-10-08: 09-29, 09-30, 10-08 -> 3 working days, not overdue.
    assert_eq!(s["working_days_taken"], 3);
    assert_eq!(s["overdue"], false);
    assert_eq!(num(&s["received_t"]), d("11.5"));

    // A second, ordinary application (code not on the whitelist) rejected by Chongqing.
    let ordinary: Vec<String> = apply("5")
        .into_iter()
        .map(|a| {
            if a == "900-249-08" {
                "900-041-49".into()
            } else {
                a
            }
        })
        .collect();
    let b = db.json(&strs(&ordinary));
    assert_eq!(b["whitelisted"], false);
    // 20 working days after 2024-09-27 (see crates/waste/tests/transfers.rs): 2024-10-30.
    assert_eq!(b["due_date"], "2024-10-30");
    db.json(&[
        "waste",
        "decide",
        "--id",
        "2",
        "--side",
        "import",
        "--reject",
        "no capacity for packaging",
        "--date",
        "2024-10-09",
    ]);

    let rep = db.json(&args(
        "report waste --region CQ --year 2024 --as-of 2024-12-31",
        &[],
    ));
    assert_eq!(
        (
            rep["applications"].as_u64(),
            rep["approved"].as_u64(),
            rep["rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(num(&rep["whitelist_share"]), d("1"));
    assert_eq!(num(&rep["imported_t"]), d("20"));
    assert_eq!(num(&rep["median_approval_working_days"]), d("3"));
    assert_eq!(rep["discrepancies"], 1);
    assert_eq!(num(&rep["received_t"]), d("11.5"));

    let audit = db.json(&["audit", "--limit", "50"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in ["submit", "approve", "reject", "ship", "receive"] {
        assert!(actions.contains(&a), "audit has no {a}: {actions:?}");
    }
}

/// `waste apply` of `tonnes` of 900-249-08 SC -> CQ submitted on `submitted`.
fn apply_args(g: &str, r: &str, tonnes: &str, submitted: &str) -> Vec<String> {
    [
        "waste",
        "apply",
        "--generator",
        g,
        "--receiver",
        r,
        "--code",
        "900-249-08",
        "--tonnes",
        tonnes,
        "--from-province",
        "SC",
        "--to-province",
        "CQ",
        "--submitted",
        submitted,
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn declarations_bound_the_years_applications() {
    let db = Db::new();
    let (g, r) = (generator(), receiver());
    let permits = db.write(
        "permits.csv",
        &format!("{PERMITS}CQW-001,{r},CQ,HW08,1000,2024-01-01,2026-12-31,test permit\n"),
    );
    db.json(&["waste", "import-permits", &permits]);

    // Before any declaration is imported: accepted, and the checks say the declaration
    // could not be checked.
    let a = db.json(&strs(&apply_args(&g, &r, "5", "2024-10-08")));
    let check = |a: &serde_json::Value| {
        a["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "declaration")
            .cloned()
            .unwrap()
    };
    assert_eq!(check(&a)["passed"], false);
    assert!(
        check(&a)["detail"]
            .as_str()
            .unwrap()
            .starts_with("not possible"),
        "{a}"
    );

    let decl = db.write(
        "declarations.csv",
        &format!(
            "generator,code,annual_t,year,source\n\
             {g},900-249-08,60,2024,2024 年危险废物管理计划\n\
             {g},HW08,10,2024,a category\n\
             {g},900-249-08,abc,2025,not a number\n\
             {g},900-249-08,70,2025,2025 计划\n"
        ),
    );
    let o = db.json(&["waste", "import-declarations", &decl]);
    assert_eq!(
        (
            o["read"].as_u64(),
            o["accepted"].as_u64(),
            o["quarantined"].as_u64()
        ),
        (Some(4), Some(2), Some(2))
    );
    let q = db.json(&["quarantine", "list", "--kind", "waste-declarations"]);
    common::assert_quarantined(&q, "declarations.csv", &[(3, "code"), (4, "annual_t")]);
    assert!(
        q[0]["reason"].as_str().unwrap().contains("is a category"),
        "{q}"
    );
    // The same file again changes nothing.
    let o = db.json(&["waste", "import-declarations", &decl]);
    assert_eq!(
        (o["accepted"].as_u64(), o["duplicates"].as_u64()),
        (Some(2), Some(2))
    );

    // Declared 60 t, 5 t applied: 55 t left. 56 t is refused (exit 2, the reason on
    // stderr); exactly 55 t is accepted.
    let e = db.fails(&strs(&apply_args(&g, &r, "56", "2024-10-08")), 2);
    assert!(
        e.contains(
            "declared 60 t of 900-249-08 for 2024; 5 t applied for earlier, 55 t left; 56 t asked"
        ),
        "{e}"
    );
    let a = db.json(&strs(&apply_args(&g, &r, "55", "2024-10-08")));
    assert_eq!(a["id"], 2);
    assert_eq!(check(&a)["passed"], true);
    assert_eq!(
        check(&a)["detail"],
        "declared 60 t of 900-249-08 for 2024, 5 t applied for earlier, 55 t left"
    );
    let e = db.fails(&strs(&apply_args(&g, &r, "0.5", "2024-10-08")), 2);
    assert!(e.contains("0 t left; 0.5 t asked"), "{e}");
    assert_eq!(
        db.json(&["waste", "list", "--year", "2024"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
