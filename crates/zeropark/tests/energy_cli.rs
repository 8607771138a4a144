//! `zeropark import tariffs`, `orgs set-tariff`, `report bill` and `flex plan` end to end:
//! the contract (one consumption meter at 500 kWh every 15 minutes on 2023-07-09..11, a
//! two-band tariff of CQ large_industrial: a bill of 144000 kWh and 86400 yuan, and a plan
//! for 2023-07-10 saving 1200 yuan), an idempotent re-import, a refused file naming file,
//! row and reason, PV netted against load, and the choice between two categories.

mod common;

use common::{Db, d, num, org};

const TARIFF: &str = "region,category,valid_from,months,start,end,period,yuan_per_kwh\n\
    CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4\n\
    CQ,large_industrial,2023-01-01,1-12,12:00,24:00,high,0.8\n";

/// The contract's database: one enterprise in CQ, consumption meter L1 (and solar meter
/// PV1 without readings unless `pv` is given), 500 kWh every 15 minutes on 2023-07-09..11.
fn contract_db(pv: &[(&str, u32)]) -> Db {
    let db = Db::with_org("示例制造有限公司", "3971");
    let o = org();
    let meters = db.write(
        "meters.csv",
        &format!("meter,credit_code,kind,source\nL1,{o},consumption,\nPV1,{o},generation,solar\n"),
    );
    let mut readings = String::from("meter,ts,kwh\n");
    for day in 9..=11 {
        for q in 0..96 {
            readings += &format!(
                "L1,2023-07-{day:02}T{:02}:{:02}:00+08:00,500\n",
                q / 4,
                15 * (q % 4)
            );
        }
    }
    for (ts, kwh) in pv {
        readings += &format!("PV1,{ts},{kwh}\n");
    }
    let readings = db.write("readings.csv", &readings);
    db.json(&["import", "meters", &meters]);
    db.json(&["import", "readings", &readings]);
    db
}

/// The contract's database with [`TARIFF`] imported.
fn tariffed_db() -> Db {
    let db = contract_db(&[]);
    let t = db.write("tariffs.csv", TARIFF);
    db.json(&["import", "tariffs", &t]);
    db
}

/// `flex VERB --org <org> --date 2023-07-10`, then `options` split at white space, then
/// `more` (paths).
fn flex<'a>(verb: &'a str, org: &'a str, options: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let head = ["flex", verb, "--org", org, "--date", "2023-07-10"];
    [
        &head[..],
        &options.split_whitespace().collect::<Vec<_>>(),
        more,
    ]
    .concat()
}

#[test]
fn contract_bill_and_flex_plan() {
    let db = contract_db(&[]);
    let t = db.write("tariffs.csv", TARIFF);
    let first = db.json(&["import", "tariffs", &t]);
    assert_eq!(
        (first["read"].as_u64(), first["duplicates"].as_u64()),
        (Some(2), Some(0))
    );
    // Idempotent: the same file again changes nothing.
    let again = db.json(&["import", "tariffs", &t]);
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(2), Some(2))
    );

    let b = db.json(&["report", "bill", "--org", &org(), "--month", "2023-07"]);
    assert_eq!(num(&b["energy_kwh"]), d("144000"));
    assert_eq!(num(&b["cost_yuan"]), d("86400"));
    assert_eq!(b["category"], "large_industrial");
    assert_eq!(b["category_source"], "region");
    assert_eq!(b["intervals"], 288);
    assert_eq!(b["intervals_in_month"], 31 * 96);
    let periods: Vec<(String, String, String)> = b["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                num(&p["kwh"]).to_string(),
                num(&p["cost_yuan"]).to_string(),
            )
        })
        .collect();
    assert_eq!(
        periods,
        vec![
            ("high".into(), "72000".into(), "57600".into()),
            ("valley".into(), "72000".into(), "28800".into()),
        ]
    );
    assert_eq!(b["tariff_versions"][0]["valid_from"], "2023-01-01");

    let f = db.json(&flex(
        "plan",
        &org(),
        "--battery-mwh 4 --battery-mw 2 --efficiency 0.8 --soc-start-mwh 0 --objective cost",
        &[],
    ));
    assert_eq!(num(&f["baseline_cost_yuan"]), d("28800"));
    assert_eq!(num(&f["plan_cost_yuan"]), d("27600"));
    let hours = f["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    assert_eq!(num(&hours[0]["load_mwh"]), d("2"));
    assert_eq!(num(&hours[0]["yuan_per_mwh"]), d("400"));
    assert_eq!(num(&hours[12]["yuan_per_mwh"]), d("800"));
    let total = |key: &str, r: std::ops::Range<usize>| -> rust_decimal::Decimal {
        hours[r].iter().map(|h| num(&h[key])).sum()
    };
    assert_eq!(total("charge_mwh", 0..12), d("5"));
    assert_eq!(total("discharge_mwh", 12..24), d("4"));
    // No hourly factors imported: the annual CQ factor prices every hour, and says so.
    assert_eq!(f["factor_source"], "annual");
    let factor = num(&f["annual_factor"]["tco2_per_mwh"]);
    assert_eq!(num(&f["baseline_tco2"]), d("48") * factor);
    assert_eq!(num(&f["plan_tco2"]), d("49") * factor);
}

#[test]
fn flex_plan_with_a_flexible_load_an_ev_fleet_soc_limits_and_a_demand_cap() {
    // The contract day (2 MWh every hour; 00-12 at 400, 12-24 at 800) with a 1 MW kiln
    // needing 3 MWh between hours 10 and 16 (a flexible load) and 2 buses at 500 kW
    // needing 2 MWh between 18 and 24. Battery 4 MWh / 2 MW / 80 % kept within 1..3 MWh from
    // 1 MWh; demand cap 3 MW.
    // Kiln: baseline 10, 11, 12 (400 + 400 + 800 = 1600); the plan 10 and 11 at 400 and one
    // MWh at 800 (window 10..16 has only two cheap hours): 1600 either way. Buses need 2 MWh
    // in 18..24, all at 800: 1600 either way. Battery: 2 MWh usable (1..3): 2.5 in at 400
    // (1000), 2 out at 800 (1600): saves 600. Baseline 28800 + 1600 + 1600 = 32000.
    // The cap holds: the kiln's 1 MWh on 2 MWh load is 3 in hours 10 and 11 (no room to
    // charge there), the baseline's peak is 3 (hours 10-12 and 18-19 at 2 + 1 MW).
    let db = tariffed_db();
    let fleets = db.write(
        "fleets.csv",
        "name,chargers,charger_kw,arrival_hour,departure_hour,energy_mwh,v2g,kind\n\
         kiln,1,1000,10,16,3,no,load\n\
         buses,2,500,18,24,2,no,ev\n",
    );
    let f = db.json(&flex("plan", &org(), "--battery-mwh 4 --battery-mw 2 --efficiency 0.8 --soc-start-mwh 1 --soc-min-mwh 1 --soc-max-mwh 3 --grid-cap-mw 3 --fleets", &[&fleets]));
    assert_eq!(num(&f["baseline_cost_yuan"]), d("32000"));
    assert_eq!(num(&f["plan_cost_yuan"]), d("31400"));
    assert_eq!(num(&f["charged_mwh"]), d("2.5"));
    assert_eq!(num(&f["discharged_mwh"]), d("2"));
    assert_eq!(num(&f["baseline_peak_mw"]), d("3"));
    assert!(num(&f["plan_peak_mw"]) <= d("3"), "{}", f["plan_peak_mw"]);
    assert_eq!(num(&f["battery"]["soc_min_mwh"]), d("1"));
    let hours = f["hours"].as_array().unwrap();
    assert!(
        hours
            .iter()
            .all(|h| num(&h["soc_mwh"]) >= d("1") && num(&h["soc_mwh"]) <= d("3")),
        "the state of charge stays within 1..3 MWh"
    );
    let kiln: rust_decimal::Decimal = f["fleets"][0]["charge_mwh"]
        .as_array()
        .unwrap()
        .iter()
        .map(num)
        .sum();
    assert_eq!(kiln, d("3"));
    // Only the buses get an OCPP profile; the kiln is not a charger.
    let profiles = f["ocpp_charging_profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["chargingProfilePurpose"], "TxDefaultProfile");

    // A cap the battery cannot hold is refused with the cap in the reason.
    let out = db.run(&flex(
        "plan",
        &org(),
        "--battery-mwh 4 --battery-mw 2 --grid-cap-mw 1",
        &[],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("grid cap of 1 MW"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A kind that is neither ev nor load names its row and field.
    let bad = db.write(
        "bad-fleets.csv",
        "name,chargers,charger_kw,arrival_hour,departure_hour,energy_mwh,v2g,kind\n\
         heat,1,1000,0,4,1,no,boiler\n",
    );
    let out = db.run(&flex(
        "plan",
        &org(),
        "--battery-mwh 1 --battery-mw 1 --fleets",
        &[&bad],
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 2, field kind") && err.contains("boiler"),
        "{err}"
    );
}

#[test]
fn a_tariff_with_a_gap_is_refused_naming_file_row_and_reason() {
    let db = contract_db(&[]);
    let t = db.write(
        "gap.csv",
        "region,category,valid_from,months,start,end,period,yuan_per_kwh\n\
         CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4\n\
         CQ,large_industrial,2023-01-01,7-8,12:00,24:00,high,0.8\n\
         CQ,large_industrial,2023-01-01,1-6,12:00,23:00,high,0.8\n",
    );
    let e = db.fails(&["import", "tariffs", &t], 2);
    // Months 9-12 end at 12:00 after row 2; months 1-6 at 23:00 after row 4.
    assert!(
        e.contains("gap.csv: row 2: CQ large_industrial from 2023-01-01: months 9-12: no band covers 12:00-24:00"),
        "{e}"
    );
    assert!(
        e.contains("gap.csv: row 4: CQ large_industrial from 2023-01-01: months 1-6: no band covers 23:00-24:00"),
        "{e}"
    );
    // Nothing was stored: a bill has no tariff.
    let e = db.fails(
        &["report", "bill", "--org", &org(), "--month", "2023-07"],
        2,
    );
    assert!(e.contains("no tariff is imported for region CQ"), "{e}");
}

#[test]
fn own_generation_is_netted_per_interval_and_never_below_zero() {
    // PV1: 200 kWh at 10:00 (valley) and 700 kWh at 12:00 (high, 200 more than the load).
    let db = contract_db(&[
        ("2023-07-10T10:00:00+08:00", 200),
        ("2023-07-10T12:00:00+08:00", 700),
    ]);
    let t = db.write("tariffs.csv", TARIFF);
    db.json(&["import", "tariffs", &t]);
    let b = db.json(&["report", "bill", "--org", &org(), "--month", "2023-07"]);
    // 144000 - 200 - 500 kWh; cost 86400 - 200 x 0.4 - 500 x 0.8.
    assert_eq!(num(&b["energy_kwh"]), d("143300"));
    assert_eq!(num(&b["cost_yuan"]), d("85920"));
    assert_eq!(b["surplus_intervals"], 1);
}

#[test]
fn two_categories_need_a_choice_and_the_choice_prices_the_bill() {
    let db = contract_db(&[]);
    let body = format!("{TARIFF}CQ,general_industrial,2023-01-01,1-12,00:00,24:00,flat,0.5\n");
    let t = db.write("two.csv", &body);
    db.json(&["import", "tariffs", &t]);
    let e = db.fails(
        &["report", "bill", "--org", &org(), "--month", "2023-07"],
        2,
    );
    assert!(e.contains("orgs set-tariff"), "{e}");
    let e = db.fails(&["orgs", "set-tariff", &org(), "residential"], 2);
    assert!(e.contains("no tariff category \"residential\""), "{e}");
    let s = db.json(&["orgs", "set-tariff", &org(), "general_industrial"]);
    assert_eq!(s["category_source"], "assigned");
    let b = db.json(&["report", "bill", "--org", &org(), "--month", "2023-07"]);
    assert_eq!(num(&b["cost_yuan"]), d("72000"));
    assert_eq!(b["category"], "general_industrial");
    // The change is in the audit log.
    let audit = db.audit();
    assert!(
        audit
            .iter()
            .any(|a| a["entity"] == "org_tariffs" && a["after"] == "general_industrial"),
        "{audit:?}"
    );
}

/// The contract day with a battery that was metered: charge meter BC 1.25 MWh in each of
/// hours 0-3 (5 MWh, 312.5 kWh a quarter), discharge meter BD 0.9 MWh in each of hours
/// 12-15 (3.6 MWh, 225 kWh a quarter): 90 % of the 4 MWh the plan discharges.
fn metered_battery_db() -> Db {
    let db = tariffed_db();
    let o = org();
    let meters = db.write(
        "battery_meters.csv",
        &format!("meter,credit_code,kind,source\nBC,{o},battery_charge,\nBD,{o},储能放电,\n"),
    );
    let m = db.json(&["import", "meters", &meters]);
    assert_eq!(
        (m["accepted"].as_u64(), m["quarantined"].as_u64()),
        (Some(2), Some(0))
    );
    let mut readings = String::from("meter,ts,kwh\n");
    for (meter, hours, kwh) in [("BC", 0..4, "312.5"), ("BD", 12..16, "225")] {
        for h in hours {
            for q in 0..4 {
                readings += &format!("{meter},2023-07-10T{h:02}:{:02}:00+08:00,{kwh}\n", 15 * q);
            }
        }
    }
    let r = db.write("battery_readings.csv", &readings);
    db.json(&["import", "readings", &r]);
    db
}

#[test]
fn flex_verify_prices_the_metered_battery_against_the_plan_and_the_day_without_it() {
    let db = metered_battery_db();
    let v = db.json(&flex(
        "verify",
        &org(),
        "--battery-mwh 4 --battery-mw 2 --efficiency 0.8",
        &[],
    ));
    // Baseline and plan as `flex plan` (the contract): 28,800 and 27,600 yuan.
    assert_eq!(num(&v["baseline_cost_yuan"]), d("28800"));
    assert_eq!(num(&v["plan_cost_yuan"]), d("27600"));
    assert_eq!(num(&v["planned_saving_yuan"]), d("1200"));
    // Realised: 5 MWh more bought at 400 yuan, 3.6 MWh less at 800:
    // 28,800 + 5 x 400 - 3.6 x 800 = 27,920 yuan, a saving of 880.
    assert_eq!(num(&v["realised_cost_yuan"]), d("27920"));
    assert_eq!(num(&v["realised_saving_yuan"]), d("880"));
    assert_eq!(num(&v["metered_charge_mwh"]), d("5"));
    assert_eq!(num(&v["metered_discharge_mwh"]), d("3.6"));
    assert_eq!(v["metered_battery_hours"], 8);
    // Carbon at the annual CQ factor F: baseline 48 F, realised (48 + 5 - 3.6) F = 49.4 F.
    let factor = num(&v["annual_factor"]["tco2_per_mwh"]);
    assert_eq!(num(&v["realised_tco2"]), d("49.4") * factor);
    assert_eq!(num(&v["realised_saving_tco2"]), d("-1.4") * factor);
    // Followed: sum of min(planned, metered) per hour over the planned 9 MWh of flows,
    // whichever valley and high hours the plan chose.
    let hours = v["hours"].as_array().unwrap();
    let followed: rust_decimal::Decimal = hours
        .iter()
        .map(|h| {
            num(&h["planned_charge_mwh"]).min(num(&h["metered_charge_mwh"]))
                + num(&h["planned_discharge_mwh"]).min(num(&h["metered_discharge_mwh"]))
        })
        .sum();
    assert_eq!(
        num(&v["plan_followed_share"]),
        (followed / d("9")).normalize()
    );
    assert_eq!(num(&hours[12]["realised_import_mwh"]), d("1.1"));
    assert_eq!(num(&hours[0]["realised_import_mwh"]), d("3.25"));
    // No certificates and no grid CFE shares: both scores 0; the battery adds its losses
    // to the load the grid served: 48 -> 49.4 MWh.
    let m = &v["matching"];
    assert_eq!(num(&m["baseline_load_mwh"]), d("48"));
    assert_eq!(num(&m["realised_load_mwh"]), d("49.4"));
    assert_eq!(num(&m["baseline_cfe_score"]), d("0"));
    assert_eq!(num(&m["cfe_score_change"]), d("0"));
    assert_eq!(v["battery_meters"]["charge"][0], "BC");
    assert_eq!(v["battery_meters"]["discharge"][0], "BD");
}

#[test]
fn the_bill_nets_a_battery_charge_and_discharge() {
    let db = metered_battery_db();
    let b = db.json(&["report", "bill", "--org", &org(), "--month", "2023-07"]);
    // 144,000 + 5,000 - 3,600 kWh; 86,400 + 5,000 x 0.4 - 3,600 x 0.8 yuan.
    assert_eq!(num(&b["energy_kwh"]), d("145400"));
    assert_eq!(num(&b["cost_yuan"]), d("85520"));
    assert_eq!(b["battery_meters"].as_array().unwrap().len(), 2);
}

#[test]
fn flex_verify_without_battery_meters_exits_2_and_says_what_to_register() {
    let db = tariffed_db();
    let err = db.fails(
        &flex("verify", &org(), "--battery-mwh 4 --battery-mw 2", &[]),
        2,
    );
    assert!(
        err.contains("no battery meters") && err.contains("battery_charge"),
        "{err}"
    );
}
