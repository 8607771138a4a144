//! A year-end forecast of an energy or carbon figure from its monthly values (能耗/碳排放
//! 预测), and its backtest. `docs/forecast.md` states the model and its measured error.
//!
//! The model, for a year whose months `D` have data as of a month end and whose months `R`
//! (the rest: later months, and earlier ones without ledger rows) have none:
//!
//! - **seasonal-ratio** (last year has all twelve months, and its months `D` sum to more
//!   than zero): `forecast = sum_D(this) + r x sum_R(last)`, `r = sum_D(this) / sum_D(last)`.
//!   Each missing month is last year's same month scaled by how this year compares with
//!   last year so far: the season comes from last year, the level from this year.
//! - **run-rate** (otherwise): `forecast = sum_D(this) + mean_D(this) x |R|`.
//! - **last-year** (no month of this year has data yet): last year's total.
//! - **actual** (all twelve months have data): the year's sum.
//!
//! Values are exact decimals; the forecast is rounded to 4 decimal places (the model is an
//! estimate, more digits would only suggest precision it does not have).

use rust_decimal::Decimal;
use serde::Serialize;

/// A year's values by month (index 0 = January); `None` where there is no data.
pub type Months = [Option<Decimal>; 12];

/// Decimal places of a forecast.
pub const FORECAST_DP: u32 = 4;

/// Which rule made a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    SeasonalRatio,
    RunRate,
    LastYear,
    Actual,
    /// No data this year and no complete last year: no forecast.
    None,
}

impl Method {
    pub fn key(self) -> &'static str {
        match self {
            Method::SeasonalRatio => "seasonal-ratio",
            Method::RunRate => "run-rate",
            Method::LastYear => "last-year",
            Method::Actual => "actual",
            Method::None => "none",
        }
    }

    /// The rule in words, as the reports state it.
    pub fn describe(self) -> &'static str {
        match self {
            Method::SeasonalRatio => {
                "actual to date + each remaining month's value last year x (this year's to-date / last year's same months)"
            }
            Method::RunRate => {
                "actual to date + the mean of this year's months with data x the months remaining (last year incomplete)"
            }
            Method::LastYear => "last year's total (no month of this year has data yet)",
            Method::Actual => "the year's actual (every month has data)",
            Method::None => "no forecast: no data this year and no complete last year",
        }
    }
}

/// A year-end forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    /// Sum of this year's months with data (up to the month end the forecast is made at).
    pub actual: Decimal,
    pub forecast: Option<Decimal>,
    pub method: Method,
    /// `r` of the seasonal-ratio rule.
    pub ratio: Option<Decimal>,
    /// Months (1-12) with data, and those the forecast filled in.
    pub months_with_data: Vec<u32>,
    pub months_forecast: Vec<u32>,
}

/// Forecasts the year from this year's months `1..=closed` (later months are ignored even
/// when they hold data) and last year's twelve.
pub fn forecast(this: &Months, last: &Months, closed: u32) -> Forecast {
    let closed = closed.min(12) as usize;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    let mut actual = Decimal::ZERO;
    for (i, v) in this.iter().enumerate() {
        match v {
            Some(v) if i < closed => {
                with.push(i as u32 + 1);
                actual += *v;
            }
            _ => without.push(i as u32 + 1),
        }
    }
    let value = |m: &u32| last[*m as usize - 1];
    let last_complete: Option<Vec<Decimal>> = last.iter().copied().collect();
    let mut f = Forecast {
        actual,
        forecast: None,
        method: Method::None,
        ratio: None,
        months_with_data: with.clone(),
        months_forecast: without.clone(),
    };
    if without.is_empty() {
        f.forecast = Some(actual);
        f.method = Method::Actual;
        return f;
    }
    if with.is_empty() {
        if let Some(l) = last_complete {
            f.forecast = Some(l.iter().sum::<Decimal>().round_dp(FORECAST_DP));
            f.method = Method::LastYear;
        }
        return f;
    }
    let last_same: Decimal = with.iter().filter_map(value).sum();
    if last_complete.is_some() && last_same > Decimal::ZERO {
        let r = actual / last_same;
        let rest: Decimal = without.iter().filter_map(value).sum();
        f.forecast = Some((actual + r * rest).round_dp(FORECAST_DP));
        f.ratio = Some(r.round_dp(6));
        f.method = Method::SeasonalRatio;
    } else {
        let mean = actual / Decimal::from(with.len());
        f.forecast = Some((actual + mean * Decimal::from(without.len())).round_dp(FORECAST_DP));
        f.method = Method::RunRate;
    }
    f
}

/// One forecast of a backtest: made at the end of `month`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BacktestPoint {
    pub month: u32,
    pub forecast: Decimal,
    pub method: Method,
    /// |forecast - actual total| / actual total x 100, 2 decimal places.
    pub error_pct: Decimal,
}

/// The forecast made at each month end January..November of a past year, against that
/// year's actual total (December's would be the actual itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backtest {
    pub actual_total: Decimal,
    pub points: Vec<BacktestPoint>,
    /// Mean absolute percentage error of the year-end forecasts, 2 decimal places.
    pub mape_pct: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a backtest needs a year with a total above zero")]
pub struct BacktestError;

/// Backtests [`forecast`] on a past year `this` (all twelve months known) with the year
/// before it `last`.
pub fn backtest(this: &[Decimal; 12], last: &Months) -> Result<Backtest, BacktestError> {
    let total: Decimal = this.iter().sum();
    if total <= Decimal::ZERO {
        return Err(BacktestError);
    }
    let known: Months = this.map(Some);
    let points: Vec<BacktestPoint> = (1..=11)
        .filter_map(|k| {
            let f = forecast(&known, last, k);
            let value = f.forecast?;
            let error = ((value - total).abs() / total * Decimal::ONE_HUNDRED).round_dp(2);
            Some(BacktestPoint {
                month: k,
                forecast: value,
                method: f.method,
                error_pct: error,
            })
        })
        .collect();
    let mape = if points.is_empty() {
        Decimal::ZERO
    } else {
        let raw: Decimal = points
            .iter()
            .map(|p| (p.forecast - total).abs() / total * Decimal::ONE_HUNDRED)
            .sum();
        (raw / Decimal::from(points.len())).round_dp(2)
    };
    Ok(Backtest {
        actual_total: total,
        points,
        mape_pct: mape,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn months(v: &[i64]) -> Months {
        let mut m = [None; 12];
        for (i, x) in v.iter().enumerate() {
            m[i] = Some(Decimal::from(*x));
        }
        m
    }

    #[test]
    fn seasonal_ratio_scales_last_years_remaining_months() {
        // Last year: 10 a month in H1, 20 in H2 (total 180). This year runs 10 % higher.
        let last = months(&[10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20]);
        let this = months(&[11, 11, 11]);
        let f = forecast(&this, &last, 3);
        assert_eq!(f.method, Method::SeasonalRatio);
        assert_eq!(f.actual, dec!(33));
        assert_eq!(f.ratio, Some(dec!(1.1)));
        // 33 + 1.1 x (3 x 10 + 6 x 20) = 33 + 165 = 198
        assert_eq!(f.forecast, Some(dec!(198)));
        assert_eq!(f.months_forecast, (4..=12).collect::<Vec<_>>());
    }

    #[test]
    fn months_after_the_as_of_month_are_ignored_and_gaps_are_filled() {
        let last = months(&[10; 12]);
        // February has no rows; April (after the as-of month) has, but does not count.
        let mut this = months(&[12, 0, 12, 99]);
        this[1] = None;
        let f = forecast(&this, &last, 3);
        assert_eq!(f.months_with_data, vec![1, 3]);
        // r = 24 / 20 = 1.2; 10 missing months x 10 x 1.2 = 120; 24 + 120
        assert_eq!(f.forecast, Some(dec!(144)));
    }

    #[test]
    fn run_rate_without_a_complete_last_year() {
        let mut last = months(&[10; 12]);
        last[5] = None;
        let f = forecast(&months(&[5, 7]), &last, 2);
        assert_eq!(f.method, Method::RunRate);
        assert_eq!(f.forecast, Some(dec!(72))); // 12 + 6 x 10
        let f = forecast(&months(&[5, 7]), &[None; 12], 2);
        assert_eq!(f.forecast, Some(dec!(72)));
    }

    #[test]
    fn no_data_yet_or_all_data() {
        let last = months(&[10; 12]);
        let f = forecast(&[None; 12], &last, 0);
        assert_eq!((f.method, f.forecast), (Method::LastYear, Some(dec!(120))));
        let f = forecast(&[None; 12], &[None; 12], 4);
        assert_eq!((f.method, f.forecast), (Method::None, None));
        let f = forecast(&months(&[1; 12]), &[None; 12], 12);
        assert_eq!((f.method, f.forecast), (Method::Actual, Some(dec!(12))));
    }

    #[test]
    fn backtest_of_a_perfectly_seasonal_year_has_no_error() {
        let last = months(&[10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20]);
        let this = [11, 11, 11, 11, 11, 11, 22, 22, 22, 22, 22, 22].map(Decimal::from);
        let b = backtest(&this, &last).unwrap();
        assert_eq!(b.points.len(), 11);
        assert_eq!(b.mape_pct, Decimal::ZERO);
    }

    #[test]
    fn backtest_error_of_a_step_change_worked_by_hand() {
        // Flat last year; this year steps from 10 to 20 a month in July (total 180).
        let last = months(&[10; 12]);
        let this = [10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20].map(Decimal::from);
        let b = backtest(&this, &last).unwrap();
        // Forecasts at month ends 1..6: 120 (error 33.33 %). At 7: 80 x 1 (r = 80/70)...
        // k = 7: actual 80, r = 80/70, 5 x 10 x 8/7 = 57.142857.. -> 137.1429 (23.81 %)
        assert_eq!(b.points[0].forecast, dec!(120));
        assert_eq!(b.points[0].error_pct, dec!(33.33));
        assert_eq!(b.points[6].forecast, dec!(137.1429));
        assert_eq!(b.points[6].error_pct, dec!(23.81));
        // k = 11: actual 160, r = 160/110, + 10 x 16/11 = 174.5455 (3.03 %)
        assert_eq!(b.points[10].forecast, dec!(174.5455));
        // A flat last year carries no season: the same as the run-rate, 23.75 % MAPE.
        assert_eq!(b.mape_pct, dec!(23.75));
        assert!(backtest(&[Decimal::ZERO; 12], &last).is_err());
    }
}
