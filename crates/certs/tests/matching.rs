mod common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use zp_certs::{
    BundleId, Consumption, GecImport, HourInput, HourlyLoad, IdRange, Status, cfe_figures,
};
use zp_domain::{Period, Region};

const MWH: u64 = 1_000_000;

#[test]
fn worked_example_from_the_reference_pure() {
    // docs/worked-examples.md, "Hourly matching": load 10,10,10,10 MWh; clean 15,10,5,0;
    // grid CFE 0.3. Matched min(load, clean) = 10+10+5+0 = 25; grid 0,0,5,10 -> 0.3 x 15 =
    // 4.5; score (25 + 4.5) / 40 = 0.7375; annual matching would claim 30 / 40 = 0.75.
    let inputs: Vec<HourInput> = [(10, 15), (10, 10), (10, 5), (10, 0)]
        .iter()
        .enumerate()
        .map(|(h, &(load, clean))| HourInput {
            hour_start: hour(h as i64),
            load_wh: load * MWH,
            retired_wh: clean * MWH,
            unretired_wh: 0,
            grid_cfe_share: Some(dec!(0.3)),
        })
        .collect();
    let r = cfe_figures(&inputs);
    assert_eq!(r.load_mwh, dec!(40));
    assert_eq!(r.matched_mwh, dec!(25));
    assert_eq!(r.cfe_score, Some(dec!(0.7375)));
    assert_eq!(r.annual_match_ratio, Some(dec!(0.75)));
    assert!(r.missing_grid_cfe_hours.is_empty());
    let grid: Vec<u64> = r.hours.iter().map(|h| h.grid_wh / MWH).collect();
    assert_eq!(grid, vec![0, 0, 5, 10]);
}

#[test]
fn missing_or_invalid_grid_share_counts_zero_and_is_flagged() {
    let inputs = [
        HourInput {
            hour_start: hour(0),
            load_wh: 10,
            retired_wh: 5,
            unretired_wh: 0,
            grid_cfe_share: None,
        },
        HourInput {
            hour_start: hour(1),
            load_wh: 10,
            retired_wh: 5,
            unretired_wh: 0,
            grid_cfe_share: Some(dec!(1.2)),
        },
    ];
    let r = cfe_figures(&inputs);
    assert_eq!(r.cfe_score, Some(dec!(0.5)));
    assert_eq!(r.missing_grid_cfe_hours, vec![hour(0), hour(1)]);
    assert_eq!(cfe_figures(&[]).cfe_score, None);
}

fn loads() -> Vec<HourlyLoad> {
    (0..4)
        .map(|h| HourlyLoad {
            hour_start: hour(h),
            load_wh: 10 * MWH,
        })
        .collect()
}

#[test]
fn worked_example_through_the_registry_and_matching_is_idempotent() {
    let mut reg = registry();
    // The factory owns an on-site solar meter producing 15, 10, 5, 0 MWh.
    issue(
        &mut reg,
        &factory(),
        &[
            (hour(0), 15 * MWH),
            (hour(1), 10 * MWH),
            (hour(2), 5 * MWH),
            (hour(3), 0),
        ],
    );
    // Someone else's certificates of the same hours are never touched.
    let plan = reg
        .issue(
            &[row("M2", hour(3), 7 * MWH)],
            &[generator("M2", &third())],
            NOW,
        )
        .unwrap();
    reg.append(plan.drafts, &key()).unwrap();

    let drafts = reg.match_hourly(&factory(), &loads(), NOW).unwrap();
    // Hour 0 needs a split (15 -> 10 + 5); hours 1 and 2 retire whole bundles.
    assert_eq!(drafts.len(), 4);
    reg.append(drafts, &key()).unwrap();

    let cfe: BTreeMap<i64, Decimal> = (0..4).map(|h| (hour(h), dec!(0.3))).collect();
    let r = reg.hourly_report(&factory(), &loads(), &cfe).unwrap();
    // The worked example again (see above): (25 + 0.3 x 15) / 40 = 0.7375.
    assert_eq!(r.load_mwh, dec!(40));
    assert_eq!(r.matched_mwh, dec!(25));
    assert_eq!(r.cfe_score, Some(dec!(0.7375)));
    assert_eq!(r.annual_match_ratio, Some(dec!(0.75)));

    // The 5 MWh excess of hour 0 stays active, split off with the upper ids.
    let b1 = reg.bundle(BundleId(1)).unwrap();
    assert_eq!(b1.energy_wh, 10 * MWH);
    assert!(matches!(b1.status, Status::Cancelled { .. }));
    let excess = reg.bundle(BundleId(5)).unwrap();
    assert_eq!(excess.status, Status::Active);
    assert_eq!(
        excess.ids,
        IdRange {
            start: 10 * MWH + 1,
            end: 15 * MWH
        }
    );
    assert_eq!(reg.bundle(BundleId(4)).unwrap().status, Status::Active);

    // Running the match again plans nothing.
    assert!(
        reg.match_hourly(&factory(), &loads(), NOW)
            .unwrap()
            .is_empty()
    );
    // More load in hour 0 later: only the difference is matched.
    let more = [HourlyLoad {
        hour_start: hour(0),
        load_wh: 12 * MWH,
    }];
    let drafts = reg.match_hourly(&factory(), &more, NOW).unwrap();
    assert_eq!(drafts.len(), 2); // split 2 MWh off the 5 MWh excess, retire it
    reg.append(drafts, &key()).unwrap();
    assert_eq!(reg.retired_for_hour(&factory(), hour(0)), 12 * MWH);
    reg.check_invariants().unwrap();
}

#[test]
fn match_rejects_duplicate_or_unaligned_load_hours() {
    let reg = registry();
    let dup = [loads()[0], loads()[0]];
    assert_eq!(
        reg.match_hourly(&factory(), &dup, NOW)
            .unwrap_err()
            .to_string(),
        "load hour 1719763200: two load rows for the same hour"
    );
    let unaligned = [HourlyLoad {
        hour_start: hour(0) + 1,
        load_wh: 1,
    }];
    assert_eq!(
        reg.match_hourly(&factory(), &unaligned, NOW)
            .unwrap_err()
            .to_string(),
        "load hour 1719763201: load hour is not aligned to the hour"
    );
}

#[test]
fn market_scope2_uses_granular_first_then_gec_never_twice() {
    // Reference: 1,000,000 kWh consumed, 600,000 kWh covered by retired certificates.
    let mut reg = registry();
    let consumer = factory();
    issue(&mut reg, &consumer, &[(hour(0), 200_000_000)]);
    run(&mut reg, |r| {
        r.retire(
            BundleId(1),
            None,
            &consumer,
            Consumption::Hour {
                hour_start: hour(0),
            },
            &acct(&consumer),
            NOW,
        )
    });
    let gec = GecImport {
        serials: IdRange {
            start: 1_000,
            end: 1_499,
        },
        energy_mwh: 500,
        plant: "Wulong wind farm".into(),
        production_month: Period::new(2024, 5).unwrap(),
        owner: consumer.clone(),
        technology: "wind".into(),
        region: Region::parse("CQ").unwrap(),
    };
    let d = reg.import_gec(&gec, NOW).unwrap().unwrap();
    reg.append(vec![d], &key()).unwrap();
    run(&mut reg, |r| {
        r.retire(
            BundleId(2),
            Some(400 * MWH),
            &consumer,
            Consumption::Month {
                period: Period::new(2024, 7).unwrap(),
            },
            &acct(&consumer),
            NOW,
        )
    });

    let cover = reg.market_cover(&consumer, 2024, 1_000 * MWH);
    assert_eq!(cover.granular_applied_wh, 200 * MWH);
    assert_eq!(cover.gec_applied_wh, 400 * MWH);
    assert_eq!(cover.uncovered_wh, 400 * MWH);
    assert_eq!(cover.applied_mwh(), dec!(600));
    // Residual 400 MWh x 0.45 t/MWh = 180 tCO2, as in the reference.
    assert_eq!(
        Decimal::from(cover.uncovered_wh / MWH) * dec!(0.45),
        dec!(180)
    );

    // Less grid electricity than certificates: granular first, GEC only for the rest.
    let small = reg.market_cover(&consumer, 2024, 300 * MWH);
    assert_eq!(
        (
            small.granular_applied_wh,
            small.gec_applied_wh,
            small.uncovered_wh
        ),
        (200 * MWH, 100 * MWH, 0)
    );
    // Another year, another consumer: nothing.
    assert_eq!(
        reg.market_cover(&consumer, 2023, MWH).applied_mwh(),
        dec!(0)
    );
    assert_eq!(reg.market_cover(&third(), 2024, MWH).applied_mwh(), dec!(0));
}
