//! `budget set`, `report budget` and `budget backtest` end to end on the illustrative
//! two-year ledgers of `tests/data/budget/` (two enterprises of 预算示例园区 in CQ, 2022 and
//! 2023): a budget warning worked by hand, the last-year and given splits, the park's
//! budget, refusals, and the forecast's backtest whose errors `docs/forecast.md` reports.

mod common;

use common::{Db, args, d, num};
use serde_json::Value;

/// 预算示例汽车零部件有限公司: electricity and natural gas.
const A: &str = "91500112MA61BGTA1B";
/// 预算示例电子有限公司: electricity only.
const B: &str = "91500112MA61BGTB2F";
const PARK: &str = "预算示例园区";

fn months(v: &Value) -> Vec<rust_decimal::Decimal> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[test]
fn a_forecast_above_the_budget_warns_worked_by_hand() {
    let db = Db::budget();
    let set = db.json(&[
        "budget", "set", "--org", B, "--year", "2023", "--tce", "600", "--tco2", "3000",
    ]);
    assert_eq!(set["split"], "even");
    assert_eq!(months(&set["monthly_tce"]), vec![d("50"); 12]);
    let r = db.json(&args(
        &format!("report budget --org {B} --year 2023 --as-of 2023-06-30"),
        &[],
    ));
    // B used 420+400+430+425+435+445 = 2555 MWh in H1 2023 and 2420 MWh in H1 2022, 2530 MWh
    // in H2 2022. Energy: 2555 x 0.1229 = 314.0095 tce; forecast = 314.0095 + (2555/2420) x
    // 2530 x 0.1229 = 642.29215909.. -> 642.2922 tce, above the 600 tce budget.
    assert_eq!(r["months_closed"], 6);
    assert_eq!(num(&r["budget_tce"]), d("600"));
    assert_eq!(num(&r["actual_tce"]), d("314.0095"));
    assert_eq!(num(&r["forecast_tce"]), d("642.2922"));
    assert_eq!(r["method"], "seasonal-ratio");
    // Carbon at CQ's grid factors (0.5581 in 2023, 0.5227 in 2022): 2555 x 0.5581 =
    // 1425.9455 tCO2; forecast = 1425.9455 x (1 + 2530/2420) = 2916.7067, within 3000.
    assert_eq!(num(&r["actual_tco2"]), d("1425.9455"));
    assert_eq!(num(&r["forecast_tco2"]), d("2916.7067"));
    assert_eq!(r["warning"], true);
    assert_eq!(r["tce"]["warning"], true);
    assert_eq!(r["tco2"]["warning"], false);
    assert_eq!(num(&r["tce"]["over_budget"]), d("42.2922"));
    assert_eq!(num(&r["tce"]["budget_to_date"]), d("300"));
    let w = r["warnings"].to_string();
    assert!(
        w.contains("forecast 642.2922 tce exceeds the 2023 budget of 600 tce"),
        "{w}"
    );
    // The months after the as-of day are not actual, whatever the ledger holds.
    assert!(r["months"][6]["actual_tce"].is_null());
    assert_eq!(num(&r["months"][6]["last_year_tce"]), d("54.076")); // 440 x 0.1229

    // A larger budget: no warning; the change is audited.
    db.json(&[
        "budget", "set", "--org", B, "--year", "2023", "--tce", "700", "--tco2", "3000",
    ]);
    let r = db.json(&args(
        &format!("report budget --org {B} --year 2023 --as-of 2023-06-30"),
        &[],
    ));
    assert_eq!(r["warning"], false);
    assert!(r["warnings"].as_array().unwrap().is_empty());
    let audit = db.audit();
    let entry = audit.iter().find(|a| a["entity"] == "budgets").unwrap();
    assert_eq!(entry["action"], "update");
    assert!(
        entry["before"].as_str().unwrap().contains("tce=600"),
        "{entry}"
    );
    // The text report says so too.
    let text = db.ok(&args(
        &format!("report budget --org {B} --year 2023 --as-of 2023-12-31"),
        &[],
    ));
    assert!(
        text.contains("12 months closed") && !text.contains("WARNING"),
        "{text}"
    );
}

#[test]
fn last_year_and_given_splits_and_the_parks_budget() {
    let db = Db::budget();
    // By last year's profile: B's 2022 electricity, so January gets 400/4950 of the budget.
    let set = db.json(&args(
        &format!("budget set --org {B} --year 2023 --tce 990 --tco2 4950 --split last-year"),
        &[],
    ));
    let tce = months(&set["monthly_tce"]);
    assert_eq!(tce[0], d("80")); // 990 x 400 / 4950
    assert_eq!(tce[7], d("90")); // 990 x 450 / 4950
    assert_eq!(tce.iter().sum::<rust_decimal::Decimal>(), d("990"));
    // Given weights: all in the first half.
    let w = "1,1,1,1,1,1,0,0,0,0,0,0";
    let set = db.json(&args(
        &format!("budget set --org {A} --year 2023 --tce 1200 --tco2 6000 --split given --weights"),
        &[w],
    ));
    assert_eq!(months(&set["monthly_tce"])[5], d("200"));
    assert_eq!(months(&set["monthly_tce"])[6], d("0"));
    // 2022 has no 2021 to take a profile from: refused, naming the months.
    let e = db.fails(
        &args(
            &format!("budget set --org {A} --year 2022 --tce 1 --tco2 1 --split last-year"),
            &[],
        ),
        2,
    );
    assert!(e.contains("2021-01") && e.contains("--split even"), "{e}");
    assert!(
        db.fails(
            &[
                "budget", "set", "--org", A, "--year", "2023", "--tce", "1", "--tco2", "1",
                "--split", "given"
            ],
            2
        )
        .contains("--weights")
    );
    // The park: both enterprises summed month by month.
    db.json(&[
        "budget", "set", "--park", PARK, "--year", "2023", "--tce", "2500", "--tco2", "10000",
    ]);
    let park = db.json(&[
        "report",
        "budget",
        "--park",
        PARK,
        "--year",
        "2023",
        "--as-of",
        "2023-12-31",
    ]);
    let a = db.json(&["report", "inventory", "--org", A, "--year", "2023"]);
    let b = db.json(&["report", "inventory", "--org", B, "--year", "2023"]);
    assert_eq!(
        num(&park["actual_tce"]),
        num(&a["energy_tce"]) + num(&b["energy_tce"])
    );
    assert_eq!(park["method"], "actual");
    assert_eq!(num(&park["forecast_tce"]), num(&park["actual_tce"]));
    assert_eq!(park["warning"], true, "2619.242 tce is above 2500");
    // No budget, unknown enterprise: refused.
    let e = db.fails(
        &args(
            &format!("report budget --org {A} --year 2024 --as-of 2024-03-31"),
            &[],
        ),
        2,
    );
    assert!(
        e.contains("no budget is set") && e.contains("budget set"),
        "{e}"
    );
    let e = db.fails(
        &args(
            "report budget --park 没有的园区 --year 2023 --as-of 2023-03-31",
            &[],
        ),
        2,
    );
    assert!(e.contains("not registered"), "{e}");
}

/// The backtest `docs/forecast.md` reports: forecasts made at each month end of 2023.
#[test]
fn forecast_backtest_on_2023() {
    let db = Db::budget();
    let b = db.json(&["budget", "backtest", "--org", B, "--year", "2023"]);
    assert_eq!(num(&b["tce"]["actual_total"]), d("647.0685")); // 5265 MWh x 0.1229
    let pts = b["tce"]["points"].as_array().unwrap();
    assert_eq!(pts.len(), 11);
    // Made at the end of June: the forecast of the warning test, 642.2922 tce, 0.74 % low.
    assert_eq!(num(&pts[5]["forecast"]), d("642.2922"));
    assert_eq!(num(&pts[5]["error_pct"]), d("0.74"));
    assert_eq!(num(&b["tce"]["mape_pct"]), d("0.71"));
    assert_eq!(num(&b["tco2"]["mape_pct"]), d("0.71"));
    let a = db.json(&["budget", "backtest", "--org", A, "--year", "2023"]);
    assert_eq!(num(&a["tce"]["mape_pct"]), d("2.03"));
    assert_eq!(num(&a["tco2"]["mape_pct"]), d("2.39"));
    let park = db.json(&["budget", "backtest", "--park", PARK, "--year", "2023"]);
    assert_eq!(num(&park["tce"]["mape_pct"]), d("1.71"));
    assert_eq!(num(&park["tco2"]["mape_pct"]), d("1.92"));
    // Each point's error is |forecast - actual| / actual, and the MAPE their mean.
    let total = num(&a["tce"]["actual_total"]);
    for p in a["tce"]["points"].as_array().unwrap() {
        let err = ((num(&p["forecast"]) - total).abs() / total * d("100")).round_dp(2);
        assert_eq!(num(&p["error_pct"]), err, "{p}");
    }
    // 2022 has no 2021 and is complete: the backtest runs on the run-rate rule.
    let r = db.json(&["budget", "backtest", "--org", B, "--year", "2022"]);
    assert_eq!(r["tce"]["points"][0]["method"], "run-rate");
    // An incomplete year is refused.
    let e = db.fails(&["budget", "backtest", "--org", B, "--year", "2024"], 2);
    assert!(e.contains("2024-01"), "{e}");
}
