//! `zeropark finance ...` end to end on `tests/data/finance/` (and the sample orgs and
//! ledgers of `tests/data/`).

mod common;

use common::{Db, data, num};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::Value;
use std::str::FromStr;

const CEM: &str = "91500112MA60CEM01B";
const BANK: &str = "重庆示范银行";

/// The MRV of the Fuhuang-like project up to June 2024.
const MRV_FH_TO_JUNE: [&str; 6] = [
    "finance",
    "mrv",
    "--project",
    "FH-2023-01",
    "--to",
    "2024-06",
];

fn fin(name: &str) -> String {
    data(&format!("finance/{name}"))
}

/// `finance project add <toml> --ledger <csv>` of files under `tests/data/finance/`.
fn add_project_with_ledger(toml: &str, ledger: &str) -> [String; 6] {
    [
        "finance".into(),
        "project".into(),
        "add".into(),
        fin(toml),
        "--ledger".into(),
        fin(ledger),
    ]
}

/// `finance application advance <id> --action <action>`.
fn advance<'a>(id: &'a str, action: &'a str) -> [&'a str; 6] {
    ["finance", "application", "advance", id, "--action", action]
}

/// `finance apply` of `project` for the carbon-reduction loan, `amount` yuan.
fn apply_for_loan<'a>(project: &'a str, amount: &'a str) -> [&'a str; 8] {
    [
        "finance",
        "apply",
        "--project",
        project,
        "--product",
        "CQB-CRL-01",
        "--amount",
        amount,
    ]
}

/// Borrowed arguments of owned ones.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

impl Db {
    /// A database with the sample enterprises.
    fn with_orgs() -> Db {
        let db = Db::new();
        db.json(&["import", "orgs", &data("orgs.csv")]);
        db
    }

    /// Orgs, the Fuhuang-like project from its ledgers and two products.
    fn with_project() -> Db {
        let db = Db::with_orgs();
        db.json(&strs(&add_project_with_ledger("fh.toml", "fh-ledger.csv")));
        db.json(&["finance", "product", "add", &fin("crl.toml")]);
        db.json(&["finance", "product", "add", &fin("subsidy.toml")]);
        db
    }
}

#[test]
fn a_fuhuang_like_retrofit_is_computed_from_its_ledgers_and_registered_once() {
    let db = Db::with_orgs();
    let add = add_project_with_ledger("fh.toml", "fh-ledger.csv");
    let args = strs(&add);
    let v = db.json(&args);
    assert_eq!(v["result"], "inserted");
    let e = &v["project"]["expected"];
    // 32,600 MWh x 0.1229 kgce/kWh = 4,006.54 tce; 32,600 x 0.5581 + 44,500 t clinker x
    // 0.535 = 18,194.06 + 23,807.5 = 42,001.56 tCO2 (see crates/finance/tests/fuhuang.rs).
    assert_eq!(num(&e["energy_saved_tce"]), dec!(4006.54));
    assert_eq!(num(&e["scope2_location_tco2"]), dec!(18194.06));
    assert_eq!(num(&e["total_tco2"]), dec!(42001.56));
    assert_eq!(
        v["project"]["tags"][0]["path_zh"],
        "节能降碳产业 / 能效提升 / 工业领域节能改造"
    );
    assert_eq!(db.json(&args)["result"], "unchanged");
    let shown = db.json(&["finance", "project", "show", "FH-2023-01"]);
    assert_eq!(num(&shown["expected"]["total_tco2"]), dec!(42001.56));
    assert_eq!(
        num(&shown["project"]["baseline"][0]["quantity"]),
        dec!(108000000)
    );
    // Library filters.
    let ids = |extra: &[&str]| -> Vec<String> {
        let v = db.json(&[&["finance", "project", "list"], extra].concat());
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["project"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    db.json(&["finance", "project", "add", &fin("pv-sc.toml")]);
    assert_eq!(ids(&[]), ["ELE-PV-01", "FH-2023-01"]);
    assert_eq!(ids(&["--category", "4"]), ["ELE-PV-01"]);
    assert_eq!(ids(&["--min-reduction", "1000"]), ["FH-2023-01"]);
    assert_eq!(ids(&["--region", "SC"]), ["ELE-PV-01"]);
    assert_eq!(ids(&["--org", CEM]), ["FH-2023-01"]);
    // Every change is audited.
    let audit = db.audit();
    let entities: Vec<&str> = audit
        .iter()
        .map(|a| a["entity"].as_str().unwrap())
        .collect();
    assert!(
        entities.contains(&"finance_project") && entities.contains(&"finance_mrv_link"),
        "{entities:?}"
    );
}

#[test]
fn bad_project_input_names_file_row_field_and_reason() {
    let db = Db::with_orgs();
    let err = db.fails(
        &strs(&add_project_with_ledger("fh.toml", "fh-ledger-bad.csv")),
        1,
    );
    assert!(err.contains("3 invalid row(s)"), "{err}");
    assert!(
        err.contains("fh-ledger-bad.csv: row 6, field period"),
        "{err}"
    );
    assert!(
        err.contains("row 7, field quantity: -5 is negative"),
        "{err}"
    );
    assert!(
        err.contains("row 8, field side: \"other\" is not baseline or project"),
        "{err}"
    );
    let err = db.fails(&["finance", "project", "add", &fin("no-such.toml")], 2);
    assert!(err.contains("no-such.toml"), "{err}");
    let err = db.fails(&["finance", "product", "add", &fin("product-bad.toml")], 1);
    assert!(
        err.contains("invalid product NO-TERMS: a subsidy needs [subsidy] terms"),
        "{err}"
    );
    // Nothing was stored.
    assert!(
        db.json(&["finance", "project", "list"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_baseline_can_come_from_the_imported_ledger() {
    let db = Db::with_orgs();
    db.json(&["import", "activity", &data("activity_2023.csv")]);
    // The cement plant's 2023 grid electricity, summed from the sample file (万kWh -> kWh).
    let mut base = Decimal::ZERO;
    for r in csv::Reader::from_path(data("activity_2023.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        if &r[0] == CEM && &r[2] == "electricity" {
            assert_eq!(&r[4], "万kWh");
            base += Decimal::from_str(&r[3]).unwrap() * dec!(10000);
        }
    }
    let text = std::fs::read_to_string(fin("cem-vfd.toml.in"))
        .unwrap()
        .replace("PLACEHOLDER", &(base - dec!(2600000)).to_string());
    let file = db.file("cem-vfd.toml");
    std::fs::write(&file, text).unwrap();
    let v = db.json(&["finance", "project", "add", file.to_str().unwrap()]);
    let e = &v["project"]["expected"];
    // 2,600 MWh: x 0.1229 = 319.54 tce; x 0.5581 = 1,451.06 tCO2.
    assert_eq!(num(&e["energy_saved_tce"]), dec!(319.54));
    assert_eq!(num(&e["total_tco2"]), dec!(1451.06));
    assert_eq!(
        num(&v["project"]["project"]["baseline"][0]["quantity"]),
        base
    );
}

#[test]
fn matching_ranks_with_reasons_both_ways() {
    let db = Db::with_project();
    db.json(&["finance", "project", "add", &fin("pv-sc.toml")]);
    let m = db.json(&["finance", "match", "--project", "FH-2023-01"]);
    let list = m.as_array().unwrap();
    // Grants before loans; both eligible. Subsidy: min(10% x 60 M, 2 M) = 2,000,000.
    assert_eq!(list[0]["product_id"], "BB-SUBSIDY");
    assert_eq!(num(&list[0]["offer_yuan"]), dec!(2000000));
    assert_eq!(list[1]["product_id"], "CQB-CRL-01");
    assert_eq!(num(&list[1]["offer_yuan"]), dec!(48000000)); // 80 % of 60 M
    assert!(list.iter().all(|x| x["eligible"] == true));
    let m = db.json(&["finance", "match", "--product", "CQB-CRL-01"]);
    let list = m.as_array().unwrap();
    assert_eq!(
        (
            list[0]["project_id"].as_str(),
            list[0]["eligible"].as_bool()
        ),
        (Some("FH-2023-01"), Some(true))
    );
    assert_eq!(list[1]["project_id"], "ELE-PV-01");
    let failed: Vec<String> = list[1]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| {
            format!(
                "{}: {}",
                c["rule"].as_str().unwrap(),
                c["reason"].as_str().unwrap()
            )
        })
        .collect();
    // 2,600 MWh x Sichuan 2023 0.1564 = 406.64 tCO2.
    assert_eq!(
        failed,
        [
            "region: project region SC is not in [CQ]",
            "min_annual_reduction: expected reduction 406.64 tCO2/yr < minimum 10000"
        ]
    );
    let err = db.fails(&apply_for_loan("ELE-PV-01", "100"), 1);
    assert!(
        err.contains("not eligible for CQB-CRL-01: region: project region SC is not in [CQ]"),
        "{err}"
    );
}

#[test]
fn an_application_walks_the_workflow_and_the_bank_reports_it() {
    let db = Db::with_project();
    let app = [
        "finance",
        "apply",
        "--project",
        "FH-2023-01",
        "--product",
        "CQB-CRL-01",
    ];
    let err = db.fails(&[&app[..], &["--amount", "48000000.01"]].concat(), 1);
    assert!(
        err.contains("more than CQB-CRL-01 offers this project (48000000"),
        "{err}"
    );
    let a = db.json(&[&app[..], &["--amount", "24000000"]].concat());
    assert_eq!(
        (a["status"].as_str(), a["amount_fen"].as_i64()),
        (Some("submitted"), Some(2_400_000_000))
    );
    let id = a["id"].to_string();
    let adv = |action: &str, extra: &[&str]| db.json(&[&advance(&id, action)[..], extra].concat());
    let err = db.fails(&advance(&id, "repay"), 1);
    assert!(
        err.contains("application is submitted; cannot repay"),
        "{err}"
    );
    adv("review", &[]);
    adv("approve", &[]);
    let err = db.fails(&advance(&id, "disburse"), 1);
    assert!(err.contains("--period"), "{err}");
    let d = adv("disburse", &["--period", "2023-12"]);
    assert_eq!(d["status"], "disbursed");
    let s = db.json(&["finance", "schedule", &id]);
    let inst = s["installments"].as_array().unwrap();
    assert_eq!(inst.len(), 60);
    assert_eq!(inst[0]["due"], "2024-01");
    assert_eq!(inst[59]["balance_fen"], 0);
    let principal: i64 = inst
        .iter()
        .map(|i| i["principal_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(principal, 2_400_000_000);
    // First interest: 24,000,000 x 3.1 % / 12 = 62,000.00 yuan.
    assert_eq!(inst[0]["interest_fen"], 6_200_000i64);
    let r = adv("repay", &[]);
    assert_eq!(r["status"], "repaying");
    adv("repay", &[]);
    let s = db.json(&["finance", "schedule", &id]);
    let paid =
        inst[0]["principal_fen"].as_i64().unwrap() + inst[1]["principal_fen"].as_i64().unwrap();
    assert_eq!(s["outstanding_fen"].as_i64().unwrap(), 2_400_000_000 - paid);
    assert_eq!(s["installments"][1]["paid"], true);
    assert_eq!(s["installments"][2]["paid"], false);
    let err = db.fails(&advance(&id, "close"), 1);
    assert!(err.contains("still owes"), "{err}");
    // The bank's carbon-reduction loan report for 2023: 24 M of a 60 M project drives
    // 0.4 x 42,001.56 = 16,800.624 tCO2 a year; repayments fall due in 2024.
    let xlsx = db.file("loans.xlsx");
    let rep = db.json(&[
        "finance",
        "report",
        "loans",
        "--bank",
        BANK,
        "--year",
        "2023",
        "--xlsx",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(rep["loans"], 1);
    assert_eq!(
        num(&rep["total_attributed_annual_reduction_tco2"]),
        dec!(16800.624)
    );
    assert_eq!(rep["lines"][0]["outstanding_fen"], 2_400_000_000i64);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let empty = db.json(&[
        "finance", "report", "loans", "--bank", BANK, "--year", "2024",
    ]);
    assert_eq!(empty["loans"], 0);
    // Workflow steps are audited.
    let audit = db.audit();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|a| a["entity"] == "finance_application")
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["repay", "repay", "disburse", "approve", "review", "create"]
    );
}

#[test]
fn mrv_flags_the_retrofit_when_metered_ledgers_fall_behind() {
    let db = Db::with_project();
    db.json(&["import", "activity", &fin("activity_2024.csv")]);
    let v = db.json(&MRV_FH_TO_JUNE);
    // Baseline month: 9,000 MWh and 40,000 t clinker. Metered: 8,000 MWh and 40,000 t:
    // (9,000 - 8,000) x 0.5581 = 558.1 tCO2 against 42,001.56 / 12 = 3,500.13 expected.
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 6);
    assert!(
        months
            .iter()
            .all(|m| num(&m["monitored_tco2"]) == dec!(558.1) && m["behind"] == true)
    );
    assert_eq!(num(&v["monitored_tco2"]), dec!(3348.6));
    assert_eq!(num(&v["expected_tco2"]), dec!(21000.78));
    assert_eq!(v["source"], "ledger");
    let alert = v["alert"].as_str().unwrap();
    assert!(
        alert.starts_with(
            "behind since 2024-01: 3348.6 tCO2 monitored is 15.9% of the 21000.78 tCO2 expected"
        ),
        "{alert}"
    );
    // --from trims the months shown, not the cumulative figures.
    let v = db.json(&[
        "finance",
        "mrv",
        "--project",
        "FH-2023-01",
        "--from",
        "2024-05",
        "--to",
        "2024-06",
    ]);
    assert_eq!(v["months"].as_array().unwrap().len(), 2);
    assert_eq!(num(&v["monitored_tco2"]), dec!(3348.6));
}

#[test]
fn pcaf_attributes_the_borrower_inventory_by_balance_sheet() {
    let db = Db::with_project();
    db.json(&["import", "activity", &data("activity_2023.csv")]);
    let a = db.json(&apply_for_loan("FH-2023-01", "24000000"));
    let id = a["id"].to_string();
    for (action, extra) in [
        ("review", None),
        ("approve", None),
        ("disburse", Some("2023-12")),
    ] {
        let mut args = advance(&id, action).to_vec();
        if let Some(p) = extra {
            args.extend(["--period", p]);
        }
        db.json(&args);
    }
    // Without a balance sheet the loan is named in the notes, not guessed.
    let r = db.json(&[
        "finance", "report", "pcaf", "--bank", BANK, "--year", "2023",
    ]);
    assert!(r["lines"].as_array().unwrap().is_empty());
    assert!(
        r["notes"][0]
            .as_str()
            .unwrap()
            .contains("no 2023 balance sheet"),
        "{r}"
    );
    db.json(&[
        "finance",
        "balance-sheet",
        "set",
        "--org",
        CEM,
        "--year",
        "2023",
        "--equity",
        "420000000",
        "--debt",
        "260000000",
    ]);
    let inv = db.json(&["report", "inventory", "--org", CEM, "--year", "2023"]);
    let emissions = num(&inv["scope1_tco2"]) + num(&inv["scope2_location_tco2"]);
    let r = db.json(&[
        "finance",
        "report",
        "pcaf",
        "--bank",
        BANK,
        "--year",
        "2023",
        "--xlsx",
        db.file("pcaf.xlsx").to_str().unwrap(),
    ]);
    let line = &r["lines"][0];
    // attribution = 24,000,000 / (420,000,000 + 260,000,000)
    let attribution = dec!(24000000) / dec!(680000000);
    assert_eq!(num(&line["attribution"]), attribution);
    assert_eq!(num(&line["emissions_tco2"]), emissions);
    assert_eq!(num(&line["financed_tco2"]), attribution * emissions);
    assert_eq!(line["data_quality_score"], 2);
    assert_eq!(num(&r["weighted_data_quality"]), dec!(2));
    assert!(db.file("pcaf.xlsx").exists());
}

#[test]
fn the_catalogue_lists_the_2025_edition_subset() {
    let db = Db::with_orgs();
    let c = db.json(&["finance", "catalogue"]);
    assert_eq!(c["edition"], "2025");
    let codes: Vec<&str> = c["category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"1.1.1") && codes.contains(&"4.1.1"),
        "{codes:?}"
    );
}

/// Hourly readings of `meter` for every hour of `month` (2024) at `kwh` each, but `skip`.
fn hourly_csv(meter: &str, month: u32, days: u32, kwh: u32, skip: Option<(u32, u32)>) -> String {
    let mut csv = String::new();
    for d in 1..=days {
        for h in 0..24 {
            if skip != Some((d, h)) {
                csv += &format!("{meter},2024-{month:02}-{d:02}T{h:02}:00:00+08:00,{kwh}\n");
            }
        }
    }
    csv
}

#[test]
fn mrv_reads_the_linked_meter_month_by_month_with_the_ledger_as_fallback() {
    let db = Db::with_project();
    db.json(&["import", "activity", &fin("activity_2024.csv")]);
    let meters = db.file("meters.csv");
    std::fs::write(
        &meters,
        format!(
            "meter,credit_code,kind,source\nCEM-GRIND-1,{CEM},consumption,\nELEC-L1,91500112MA60ELE02H,consumption,\n"
        ),
    )
    .unwrap();
    db.json(&["import", "meters", meters.to_str().unwrap()]);
    // March complete at 10,000 kWh an hour (744 h = 7,440 MWh); April misses one hour.
    let readings = db.file("readings.csv");
    let csv = String::from("meter,ts,kwh\n")
        + &hourly_csv("CEM-GRIND-1", 3, 31, 10_000, None)
        + &hourly_csv("CEM-GRIND-1", 4, 30, 10_000, Some((30, 23)));
    std::fs::write(&readings, csv).unwrap();
    db.json(&["import", "readings", readings.to_str().unwrap()]);

    // Only the project enterprise's meters can be linked.
    let err = db.fails(
        &[
            "finance",
            "project",
            "link-meter",
            "FH-2023-01",
            "--meter",
            "ELEC-L1",
        ],
        1,
    );
    assert!(
        err.contains("meter ELEC-L1 is not registered to 91500112MA60CEM01B"),
        "{err}"
    );
    let l = db.json(&[
        "finance",
        "project",
        "link-meter",
        "FH-2023-01",
        "--meter",
        "CEM-GRIND-1",
    ]);
    assert_eq!(l["result"], "inserted");

    let v = db.json(&MRV_FH_TO_JUNE);
    assert_eq!(v["source"], "meter");
    assert_eq!(v["meters"][0], "CEM-GRIND-1");
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 6);
    // March from the meter: baseline 9,000 MWh - metered 7,440 MWh = 1,560 MWh;
    // 1,560 MWh x 0.5581 tCO2/MWh = 870.636 tCO2 and 1,560,000 kWh x 0.1229 kgce/kWh =
    // 191.724 tce (clinker 40,000 t both sides, from the ledger).
    let march = &months[2];
    assert_eq!(march["period"], "2024-03");
    assert_eq!(
        num(&march["actual_tco2"]) - num(&march["baseline_tco2"]),
        dec!(-870.636)
    );
    assert_eq!(num(&march["monitored_tco2"]), dec!(870.636));
    assert_eq!(num(&march["energy_saved_tce"]), dec!(191.724));
    let sources: Vec<&str> = march["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"meter:CEM-GRIND-1:2024-03 (7440000 kWh, 744/744 intervals)"),
        "{sources:?}"
    );
    // The other months fall back to the ledger (8,000 MWh): 1,000 x 0.5581 = 558.1.
    for i in [0, 1, 3, 4, 5] {
        assert_eq!(
            num(&months[i]["monitored_tco2"]),
            dec!(558.1),
            "{}",
            months[i]
        );
    }
    assert_eq!(
        num(&v["monitored_tco2"]),
        dec!(558.1) * dec!(5) + dec!(870.636)
    );
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.contains(
            &"2024-04 electricity: meter CEM-GRIND-1 has 719 of 720 intervals; ledger used instead"
        ),
        "{notes:?}"
    );
    // The factors used are recorded with the figures.
    let factors: Vec<&str> = v["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(!factors.is_empty());
    assert!(
        v["factors"].as_array().unwrap().iter().any(|f| f["slot"]
            .as_str()
            .unwrap()
            .starts_with("grid_location/")
            && num(&f["value"]) == dec!(0.5581)),
        "{factors:?}"
    );
}

#[test]
fn the_demo_retrofit_is_monitored_from_its_meter_to_the_wh_of_its_ledger() {
    let db = Db::demo();
    let mrv = |extra: &[&str]| -> Value { db.json(&[extra, &MRV_FH_TO_JUNE[..]].concat()) };
    let metered = mrv(&[]);
    assert_eq!(metered["source"], "meter");
    let meter = metered["meters"][0].as_str().unwrap().to_string();
    assert!(meter.ends_with("-L1"), "{meter}");
    let months = metered["months"].as_array().unwrap();
    assert_eq!(months.len(), 6);
    // Every month's electricity is the meter's: 31 days x 96 intervals in January, 29 x 96
    // in February 2024.
    for (m, intervals) in [(0, 2976), (1, 2784)] {
        let s = months[m]["sources"].to_string();
        assert!(
            s.contains(&format!("meter:{meter}:2024-0{}", m + 1))
                && s.contains(&format!("{intervals}/{intervals} intervals")),
            "{s}"
        );
    }
    assert!(metered["alert"].is_null(), "{}", metered["alert"]);
    // Without the readings store the ledger stands in, month by month, and says so; the
    // demo's readings sum to the ledger to the Wh, so the figures agree exactly.
    let empty = db.file("no-readings");
    std::fs::create_dir_all(&empty).unwrap();
    let ledger = mrv(&["--readings-dir", empty.to_str().unwrap()]);
    assert_eq!(
        num(&ledger["monitored_tco2"]),
        num(&metered["monitored_tco2"])
    );
    assert!(ledger["notes"].to_string().contains(&format!(
        "2024-01 electricity: meter {meter} has 0 of 0 intervals; ledger used instead"
    )));
    assert!(!metered["notes"].to_string().contains("ledger used instead"));
}
