//! `zeropark buildings set|list|standards`, `report building` and `report retrofit` end to
//! end, with figures derived by hand:
//!
//! - Office 办公楼A of 10,000 m2 in CQ, hot-summer-cold-winter zone, ledger rows with site
//!   办公楼A: 1,000,000 kWh of grid electricity in 2023 (another site's row is not counted).
//!   1,000,000 kWh x 0.1229 kgce = 122.9 tce, back to 1,000,000 kWh: 100 kWh/m2. CQ's 2023
//!   grid factor 0.5581 tCO2/MWh: 1,000 MWh -> 558.1 t -> 55.81 kgCO2/m2. Against constraint
//!   110 and guide 80 (test values): between the two, `constraint`.
//! - Its 2022: 1,200,000 kWh. With 2,000 degree days in 2022 and 2,200 in 2023 the year before
//!   is worth 1,200,000 x 2,200 / 2,000 = 1,320,000 kWh: saving 320,000 kWh (24.24 %).
//! - Building 办公楼B of 100 m2 metered on 2023-07-10: load 100 kWh every hour (2,400 kWh),
//!   PV 30 kWh in each of hours 10-13 (120 kWh): grid 2,280 kWh, on site 120. 24 kWh/m2;
//!   2.28 MWh x 0.5581 = 1.272468 t -> 12.725 kgCO2/m2 (3 decimals).

mod common;

use common::{Db, args, d, num, org};
use zp_domain::CreditCode;

fn office_db() -> Db {
    let db = Db::with_org("示例物业有限公司", "7040");
    let o = org();
    let ledger = db.write(
        "ledger.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit,site\n\
             {o},2022-06,electricity,1200000,kWh,办公楼A\n\
             {o},2023-06,electricity,1000000,kWh,办公楼A\n\
             {o},2023-06,electricity,5000000,kWh,厂房\n"
        ),
    );
    db.json(&["import", "activity", &ledger]);
    for (site, area) in [("办公楼A", "10000"), ("办公楼B", "100")] {
        db.json(&[
            "buildings",
            "set",
            "--site",
            site,
            "--org",
            &o,
            "--type",
            "office",
            "--floor-area-m2",
            area,
            "--climate-zone",
            "hot_summer_cold_winter",
            "--stars",
            "2",
        ]);
    }
    db
}

const STANDARDS: &str = "type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source\n\
    office,hot_summer_cold_winter,110,80,TEST VALUES (illustrative; not GB/T 51161)\n";

#[test]
fn report_building_against_the_standard_and_without_it() {
    let db = office_db();
    let cmd = ["report", "building", "--site", "办公楼A", "--year", "2023"];
    // No standard values yet: the figures, no rating, and a note saying what to import.
    let r = db.json(&cmd);
    assert_eq!(num(&r["floor_area_m2"]), d("10000"));
    assert_eq!(num(&r["energy_kwh_per_m2"]), d("100"));
    assert_eq!(num(&r["carbon_kgco2_per_m2"]), d("55.81"));
    assert!(
        r["constraint_kwh_per_m2"].is_null() && r["rating"].is_null(),
        "{r}"
    );
    assert_eq!(r["electricity_source"], "ledger");
    assert_eq!(
        r["ledger_rows"], 1,
        "the other site's row is not the building's"
    );
    assert!(
        r["notes"]
            .to_string()
            .contains("zeropark buildings standards"),
        "{r}"
    );

    let f = db.write("standards.csv", STANDARDS);
    let first = db.json(&["buildings", "standards", &f]);
    assert_eq!(
        (first["read"].as_u64(), first["accepted"].as_u64()),
        (Some(1), Some(1))
    );
    let again = db.json(&["buildings", "standards", &f]);
    assert_eq!(
        again["duplicates"], 1,
        "the same file again changes nothing"
    );

    let r = db.json(&cmd);
    assert_eq!(num(&r["constraint_kwh_per_m2"]), d("110"));
    assert_eq!(num(&r["guide_kwh_per_m2"]), d("80"));
    assert_eq!(r["rating"], "constraint");
    assert!(
        r["standard_source"]
            .as_str()
            .unwrap()
            .contains("TEST VALUES")
    );
    assert_eq!(
        r["pins"]["grid_location/CQ/2023"]["id"], "builtin-2025.1/grid_average/CQ/2023",
        "the factor version is reported with the result"
    );
}

#[test]
fn a_retrofit_saving_normalised_by_degree_days() {
    let db = office_db();
    let r = db.json(&args("report retrofit --site 办公楼A --before 2022 --after 2023 --degree-days-before 2000 --degree-days-after 2200", &[]));
    assert_eq!(num(&r["before_kwh"]), d("1200000"));
    assert_eq!(num(&r["normalised_before_kwh"]), d("1320000"));
    assert_eq!(num(&r["saving_kwh"]), d("320000"));
    assert_eq!(num(&r["saving_share"]), d("0.2424"));
    assert!(r["normalisation"].as_str().unwrap().contains("2200 / 2000"));
}

#[test]
fn a_metered_building_takes_its_meters_electricity_net_of_its_pv() {
    let db = office_db();
    let o = org();
    let meters = db.write("meters.csv",
        &format!(
            "meter,credit_code,kind,source,site\nB-L1,{o},consumption,,办公楼B\nB-PV,{o},generation,solar,办公楼B\n"
        ),
    );
    db.json(&["import", "meters", &meters]);
    let mut readings = String::from("meter,ts,kwh\n");
    for h in 0..24 {
        readings += &format!("B-L1,2023-07-10T{h:02}:00:00+08:00,100\n");
        if (10..14).contains(&h) {
            readings += &format!("B-PV,2023-07-10T{h:02}:00:00+08:00,30\n");
        }
    }
    let f = db.write("readings.csv", &readings);
    db.json(&["import", "readings", &f]);
    let r = db.json(&["report", "building", "--site", "办公楼B", "--year", "2023"]);
    assert_eq!(r["electricity_source"], "meters");
    assert_eq!(r["metered_hours"], 24);
    assert_eq!(num(&r["energy_kwh"]), d("2400"));
    assert_eq!(num(&r["energy_kwh_per_m2"]), d("24"));
    assert_eq!(num(&r["carbon_kgco2_per_m2"]), d("12.725"));

    // The league table: the most intensive first (办公楼A 100 kWh/m2, 办公楼B 24).
    let list = db.json(&["buildings", "list", "--year", "2023"]);
    let sites: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["building"]["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites, ["办公楼A", "办公楼B"]);
}

#[test]
fn bad_buildings_and_standards_are_refused_with_their_reason() {
    let db = office_db();
    let o = org();
    let err = db.fails(
        &args(&format!("buildings set --site X --org {o} --type castle --floor-area-m2 10 --climate-zone cold"), &[]),
        2,
    );
    assert!(err.contains("type \"castle\": one of office"), "{err}");
    let err = db.fails(
        &args(&format!("buildings set --site X --org {o} --type office --floor-area-m2 0 --climate-zone cold"), &[]),
        2,
    );
    assert!(err.contains("must be positive"), "{err}");
    let bad = db.write(
        "bad.csv",
        "type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source\n\
         office,cold,80,110,somewhere\n",
    );
    let err = db.fails(&["buildings", "standards", &bad], 2);
    assert!(
        err.contains("row 2, field guide_kwh_per_m2") && err.contains("above the constraint"),
        "{err}"
    );
    // A site name is one enterprise's building: another enterprise cannot take it over.
    let other = CreditCode::complete("91500105MA5YRE02B")
        .unwrap()
        .to_string();
    let orgs = db.write(
        "orgs2.csv",
        &format!("credit_code,name,region,park,industry\n{other},另一家公司,CQ,示例园区,7040\n"),
    );
    db.json(&["import", "orgs", &orgs]);
    let err = db.fails(
        &[
            "buildings",
            "set",
            "--site",
            "办公楼A",
            "--org",
            &other,
            "--type",
            "office",
            "--floor-area-m2",
            "10",
            "--climate-zone",
            "cold",
        ],
        2,
    );
    assert!(
        err.contains("already another enterprise's building"),
        "{err}"
    );
    let err = db.fails(
        &["report", "building", "--site", "无此楼", "--year", "2023"],
        2,
    );
    assert!(err.contains("not registered"), "{err}");
}

#[test]
fn the_building_report_as_excel() {
    let db = office_db();
    let out = db.file("building.xlsx");
    let r = db.json(&[
        "report",
        "building",
        "--site",
        "办公楼A",
        "--year",
        "2023",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r["format"], "xlsx", "{r}");
    let numbers = common::sheet_numbers(&out, "Results");
    // 100 kWh/m2 and 55.81 kgCO2/m2 (the module's worked example).
    assert!(
        numbers.contains(&100.0) && numbers.contains(&55.81),
        "{numbers:?}"
    );
}

#[test]
fn a_retrofit_saving_on_metered_data() {
    // 办公楼B's meter: 150 kWh every hour of 2022-07-10 (3,600 kWh) before the retrofit and
    // 100 kWh every hour of 2023-07-10 (2,400 kWh) after. With 100 degree days that day in
    // 2022 and 110 in 2023: 3,600 x 110 / 100 = 3,960 kWh normalised, saving 1,560 kWh
    // (39.39 %); the raw difference would be 1,200.
    let db = office_db();
    let o = org();
    let meters = db.write(
        "meters.csv",
        &format!("meter,credit_code,kind,source,site\nB-L1,{o},consumption,,办公楼B\n"),
    );
    db.json(&["import", "meters", &meters]);
    let mut readings = String::from("meter,ts,kwh\n");
    for (year, kwh) in [(2022, 150), (2023, 100)] {
        for h in 0..24 {
            readings += &format!("B-L1,{year}-07-10T{h:02}:00:00+08:00,{kwh}\n");
        }
    }
    let f = db.write("readings.csv", &readings);
    db.json(&["import", "readings", &f]);
    let r = db.json(&args("report retrofit --site 办公楼B --before 2022 --after 2023 --degree-days-before 100 --degree-days-after 110", &[]));
    assert_eq!(num(&r["before_kwh"]), d("3600"));
    assert_eq!(num(&r["after_kwh"]), d("2400"));
    assert_eq!(num(&r["normalised_before_kwh"]), d("3960"));
    assert_eq!(num(&r["saving_kwh"]), d("1560"));
    assert_eq!(num(&r["saving_share"]), d("0.3939"));
    assert_eq!(num(&r["before_kwh_per_m2"]), d("36"));
}
