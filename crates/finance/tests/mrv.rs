//! MRV after disbursement: monitored against expected, with alerts.
//!
//! The project is the common electricity saver: baseline 12,000 MWh a year (1,000 MWh a
//! month), expected 9,600 (800 a month). Expected reduction 2,400 x 0.5581 = 1,339.44 tCO2
//! a year = 111.62 tCO2 a month. The 2024 months use Chongqing's latest published factor,
//! 2023's 0.5581 (the report's notes say so).

mod common;

use common::*;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use zp_domain::{Carrier, Decimal, Unit};
use zp_factors::Catalog;
use zp_finance::mrv::default_threshold;
use zp_finance::{MrvReport, expected_reduction, monitor};

fn run(months: &[(u32, Decimal)], to: &str) -> MrvReport {
    let p = electricity_saver("ES-MRV");
    let cat = Catalog::builtin();
    let expected = expected_reduction(&p, &cat).unwrap();
    assert_eq!(expected.total_tco2, dec!(1339.44));
    let ledger = ledger(2024, Carrier::Electricity, Unit::Mwh, months, 1);
    monitor(
        &p,
        &expected,
        &ledger,
        &BTreeMap::new(),
        period(to),
        default_threshold(),
        &cat,
    )
    .unwrap()
}

#[test]
fn an_under_performing_project_is_flagged() {
    // 900 MWh a month instead of 800: monitored (1,000 - 900) x 0.5581 = 55.81 tCO2 a month,
    // half of the 111.62 expected. Six months: 334.86 of 669.72 = 50 % < 90 %.
    let r = run(
        &(1..=6).map(|m| (m, dec!(900))).collect::<Vec<_>>(),
        "2024-06",
    );
    assert_eq!(r.months.len(), 6);
    assert!(
        r.months
            .iter()
            .all(|m| m.monitored_tco2 == dec!(55.81) && m.expected_tco2 == dec!(111.62))
    );
    assert!(r.months.iter().all(|m| m.behind && !m.missing));
    assert_eq!(r.monitored_tco2, dec!(334.86));
    assert_eq!(r.expected_tco2, dec!(669.72));
    assert_eq!(r.performance, Some(dec!(0.5)));
    assert_eq!(
        r.alert.as_deref(),
        Some(
            "behind since 2024-01: 334.86 tCO2 monitored is 50% of the 669.72 tCO2 expected to 2024-06 (threshold 90%)"
        )
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("used the latest published, CQ grid_average 2023")),
        "{:?}",
        r.notes
    );
    // Lineage: each month lists its ledger row.
    assert_eq!(r.months[2].inputs, [3]);
    // Energy saved: 100 MWh x 0.1229 = 12.29 tce a month.
    assert_eq!(r.months[0].energy_saved_tce, dec!(12.29));
}

#[test]
fn a_project_on_track_raises_no_alert() {
    let r = run(
        &(1..=6).map(|m| (m, dec!(800))).collect::<Vec<_>>(),
        "2024-06",
    );
    assert_eq!(r.monitored_tco2, dec!(669.72));
    assert_eq!(r.performance, Some(dec!(1)));
    assert!(r.alert.is_none());
    assert!(r.months.iter().all(|m| !m.behind));
}

#[test]
fn a_missing_month_counts_nothing_and_can_put_a_project_behind() {
    // Five good months and no June ledger: 5 x 111.62 = 558.10 of 669.72 = 83.3 % < 90 %.
    let r = run(
        &(1..=5).map(|m| (m, dec!(800))).collect::<Vec<_>>(),
        "2024-06",
    );
    let june = &r.months[5];
    assert!(june.missing && june.behind);
    assert_eq!(june.monitored_tco2, dec!(0));
    assert_eq!(r.monitored_tco2, dec!(558.10));
    assert!(
        r.alert
            .as_deref()
            .unwrap()
            .starts_with("behind since 2024-06: 558.1 tCO2 monitored is 83.3% ")
    );
}

#[test]
fn catching_up_clears_the_alert() {
    // Two weak months (55.81 each) then four strong ones (700 MWh: 300 x 0.5581 = 167.43):
    // 111.62 + 669.72 = 781.34 >= 0.9 x 669.72.
    let months: Vec<_> = (1..=6)
        .map(|m| (m, if m <= 2 { dec!(900) } else { dec!(700) }))
        .collect();
    let r = run(&months, "2024-06");
    assert!(r.months[0].behind && r.months[1].behind);
    assert!(!r.months[5].behind);
    assert_eq!(r.monitored_tco2, dec!(781.34));
    assert!(r.alert.is_none());
}

#[test]
fn nothing_to_monitor_before_operation() {
    let r = run(&[], "2023-12");
    assert!(r.months.is_empty() && r.alert.is_none() && r.performance.is_none());
    assert!(r.notes[0].contains("operation starts 2024-01, after 2023-12"));
}

#[test]
fn a_production_driver_scales_baseline_and_expected() {
    // 1,200,000 t cement in the baseline year; 120,000 t in 2024-01 = a tenth of the year:
    // baseline 12,000 x 0.1 = 1,200 MWh, expected 1,339.44 x 0.1 = 133.944 tCO2; 960 MWh
    // metered -> (1,200 - 960) x 0.5581 = 133.944 tCO2, on track.
    let mut p = electricity_saver("ES-DRV");
    p.driver = Some(zp_finance::Driver {
        name: "cement".into(),
        unit: "t".into(),
        baseline_annual: dec!(1200000),
    });
    let cat = Catalog::builtin();
    let expected = expected_reduction(&p, &cat).unwrap();
    let ledger = ledger(
        2024,
        Carrier::Electricity,
        Unit::Mwh,
        &[(1, dec!(960)), (2, dec!(800))],
        1,
    );
    let output = BTreeMap::from([(period("2024-01"), dec!(120000))]);
    let r = monitor(
        &p,
        &expected,
        &ledger,
        &output,
        period("2024-02"),
        default_threshold(),
        &cat,
    )
    .unwrap();
    assert_eq!(r.months[0].driver_scale, dec!(1.2));
    assert_eq!(r.months[0].expected_tco2, dec!(133.944));
    assert_eq!(r.months[0].monitored_tco2, dec!(133.944));
    // February has no output recorded: unscaled, and the notes say so.
    assert_eq!(r.months[1].driver_scale, dec!(1));
    assert!(
        r.notes
            .iter()
            .any(|n| n == "2024-02: no cement output recorded; baseline not scaled")
    );
}
