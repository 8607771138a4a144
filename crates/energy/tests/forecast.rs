//! The year-end forecast against the naive run-rate on the illustrative monthly series of
//! `tests/data/budget/` (electricity of the two enterprises, MWh; tce is proportional) and
//! on a season the run-rate cannot see, with the errors `docs/forecast.md` reports.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_energy::forecast::{Method, Months, backtest, forecast};

fn year(v: [i64; 12]) -> [Decimal; 12] {
    v.map(Decimal::from)
}

fn known(v: [i64; 12]) -> Months {
    year(v).map(Some)
}

/// No last year: every forecast is a run-rate.
const NONE: Months = [None; 12];

const A_2022: [i64; 12] = [820, 640, 900, 880, 910, 980, 1100, 1130, 960, 900, 880, 940];
const A_2023: [i64; 12] = [
    860, 700, 950, 930, 960, 1050, 1180, 1250, 1090, 1030, 1010, 1070,
];
const B_2022: [i64; 12] = [400, 380, 410, 400, 410, 420, 440, 450, 420, 410, 400, 410];
const B_2023: [i64; 12] = [420, 400, 430, 425, 435, 445, 470, 480, 450, 440, 430, 440];

#[test]
fn the_seasonal_ratio_beats_the_run_rate_on_the_illustrative_ledgers() {
    let a = backtest(&year(A_2023), &known(A_2022)).unwrap();
    let a_naive = backtest(&year(A_2023), &NONE).unwrap();
    assert!(a.points.iter().all(|p| p.method == Method::SeasonalRatio));
    assert!(a_naive.points.iter().all(|p| p.method == Method::RunRate));
    assert_eq!((a.mape_pct, a_naive.mape_pct), (dec!(2.35), dec!(9.20)));
    let b = backtest(&year(B_2023), &known(B_2022)).unwrap();
    let b_naive = backtest(&year(B_2023), &NONE).unwrap();
    assert_eq!((b.mape_pct, b_naive.mape_pct), (dec!(0.71), dec!(2.65)));
}

#[test]
fn a_summer_peak_is_seen_only_with_last_year() {
    // A cooling load: 100 a month, 200 in June-September, both years alike but 10 % higher.
    let last = known([100, 100, 100, 100, 100, 200, 200, 200, 200, 100, 100, 100]);
    let this = year([110, 110, 110, 110, 110, 220, 220, 220, 220, 110, 110, 110]);
    let with_season = backtest(&this, &last).unwrap();
    let naive = backtest(&this, &NONE).unwrap();
    assert_eq!(with_season.mape_pct, Decimal::ZERO);
    // At the end of May the run-rate sees 110 a month: 1320 against 1760 (25 % low).
    assert_eq!(naive.points[4].forecast, dec!(1320));
    assert_eq!(naive.points[4].error_pct, dec!(25));
    assert_eq!(naive.mape_pct, dec!(14.53));
}

#[test]
fn a_forecast_uses_only_the_months_closed() {
    // Made at the end of March 2023 for A: r = 2510 / 2360; the rest of 2022 is 8680.
    let f = forecast(&known(A_2023), &known(A_2022), 3);
    assert_eq!(f.actual, dec!(2510));
    // 2510 + 8680 x 2510 / 2360 = 11741.6949 (4 dp)
    assert_eq!(f.forecast, Some(dec!(11741.6949)));
    assert_eq!(f.ratio, Some(dec!(1.063559)));
}
