//! Yearly energy (tce) and carbon (tCO2) budgets (能耗/碳排放预算, the 碳排放双控 work) of an
//! enterprise, a park or a region: their split by month, the months closed as of a day,
//! and a budget line's status (budget to date, actual, year-end forecast, warning).
//!
//! A split divides the yearly amount by twelve weights: `even` (all 1), `last-year` (the
//! scope's previous-year figure of each month) or `given` (twelve weights the user names).
//! Each month gets `amount x w / sum(w)` rounded to 4 decimal places and the last month
//! with a weight takes the remainder, so the months always sum to the budget exactly.

use crate::forecast::{Forecast, Months, forecast};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::time::Date;

/// Decimal places of a monthly budget.
pub const MONTH_DP: u32 = 4;

/// How a yearly budget is split by month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    Even,
    LastYear,
    Given,
}

impl Split {
    pub fn key(self) -> &'static str {
        match self {
            Split::Even => "even",
            Split::LastYear => "last-year",
            Split::Given => "given",
        }
    }

    pub fn parse(s: &str) -> Option<Split> {
        [Split::Even, Split::LastYear, Split::Given]
            .into_iter()
            .find(|k| k.key() == s.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("{what} budget {value} is negative")]
    Negative { what: &'static str, value: Decimal },
    #[error("a split needs twelve monthly weights, {0} given")]
    WeightCount(usize),
    #[error("monthly weight {value} of month {month} is negative")]
    NegativeWeight { month: u32, value: Decimal },
    #[error("the monthly weights sum to zero: nothing to split by")]
    ZeroWeights,
}

/// `amount` split by `weights` (see the module documentation); exact: the months sum to
/// `amount`.
pub fn split(amount: Decimal, weights: &[Decimal]) -> Result<[Decimal; 12], BudgetError> {
    if weights.len() != 12 {
        return Err(BudgetError::WeightCount(weights.len()));
    }
    if let Some((i, w)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| **w < Decimal::ZERO)
    {
        return Err(BudgetError::NegativeWeight {
            month: i as u32 + 1,
            value: *w,
        });
    }
    let total: Decimal = weights.iter().sum();
    if total.is_zero() {
        return Err(BudgetError::ZeroWeights);
    }
    let last = weights
        .iter()
        .rposition(|w| !w.is_zero())
        .expect("weights sum above zero");
    let mut out = [Decimal::ZERO; 12];
    let mut given = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        if i == last {
            continue;
        }
        out[i] = (amount * *w / total).round_dp(MONTH_DP);
        given += out[i];
    }
    out[last] = amount - given;
    Ok(out)
}

/// Twelve equal weights.
pub fn even() -> [Decimal; 12] {
    [Decimal::ONE; 12]
}

/// The number of months of `year` that have ended by the end of `as_of` (0-12): a month
/// counts once its last day is on or before `as_of`.
pub fn closed_months(year: i32, as_of: Date) -> u32 {
    let y = i32::from(as_of.year());
    if y > year {
        return 12;
    }
    if y < year {
        return 0;
    }
    let month = as_of.month() as u32;
    if as_of.day() == as_of.days_in_month() {
        month
    } else {
        month - 1
    }
}

/// One figure (tce or tCO2) of a budget report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetLine {
    pub budget: Decimal,
    /// The monthly budgets of the closed months.
    pub budget_to_date: Decimal,
    /// This year's months with data among the closed ones.
    pub actual: Decimal,
    pub forecast: Option<Decimal>,
    pub method: crate::forecast::Method,
    pub ratio: Option<Decimal>,
    /// Forecast (or actual, when it is already higher) above the budget.
    pub over_budget: Option<Decimal>,
    /// Forecast / budget x 100, 1 decimal place.
    pub forecast_pct_of_budget: Option<Decimal>,
    pub warning: bool,
    pub months_with_data: Vec<u32>,
    pub months_forecast: Vec<u32>,
}

/// The status of one budgeted figure as of the end of month `closed`: actual, forecast
/// ([`forecast`]) and a warning when the forecast (or the actual) exceeds the budget.
pub fn line(
    budget: Decimal,
    monthly: &[Decimal; 12],
    this: &Months,
    last: &Months,
    closed: u32,
) -> BudgetLine {
    let f: Forecast = forecast(this, last, closed);
    let budget_to_date: Decimal = monthly.iter().take(closed.min(12) as usize).sum();
    let worst = f.forecast.unwrap_or(f.actual).max(f.actual);
    let over = (worst > budget).then(|| worst - budget);
    BudgetLine {
        budget,
        budget_to_date,
        actual: f.actual,
        forecast: f.forecast,
        method: f.method,
        ratio: f.ratio,
        over_budget: over,
        forecast_pct_of_budget: match (f.forecast, budget.is_zero()) {
            (Some(v), false) => Some((v / budget * Decimal::ONE_HUNDRED).round_dp(1)),
            _ => None,
        },
        warning: over.is_some(),
        months_with_data: f.months_with_data,
        months_forecast: f.months_forecast,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn an_even_split_sums_exactly() {
        let m = split(dec!(1000), &even()).unwrap();
        assert_eq!(m[0], dec!(83.3333));
        assert_eq!(m[11], dec!(83.3337));
        assert_eq!(m.iter().sum::<Decimal>(), dec!(1000));
    }

    #[test]
    fn a_profile_split_follows_the_weights_and_skips_zero_months() {
        let mut w = [dec!(1); 12];
        w[11] = Decimal::ZERO;
        w[6] = dec!(2);
        let m = split(dec!(120), &w).unwrap();
        assert_eq!(m[6], dec!(20));
        assert_eq!(m[11], Decimal::ZERO);
        assert_eq!(m[10], dec!(10)); // the last weighted month takes the remainder
        assert_eq!(m.iter().sum::<Decimal>(), dec!(120));
        assert_eq!(
            split(dec!(1), &[Decimal::ZERO; 12]),
            Err(BudgetError::ZeroWeights)
        );
        assert_eq!(
            split(dec!(1), &[Decimal::ONE; 3]),
            Err(BudgetError::WeightCount(3))
        );
    }

    #[test]
    fn closed_months_count_months_ended_by_the_day() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(closed_months(2023, d("2023-06-30")), 6);
        assert_eq!(closed_months(2023, d("2023-07-15")), 6);
        assert_eq!(closed_months(2023, d("2023-01-01")), 0);
        assert_eq!(closed_months(2023, d("2024-02-01")), 12);
        assert_eq!(closed_months(2024, d("2023-12-31")), 0);
        assert_eq!(closed_months(2024, d("2024-02-29")), 2);
    }

    #[test]
    fn a_line_warns_when_the_forecast_exceeds_the_budget() {
        let last: Months = [Some(dec!(10)); 12];
        let mut this: Months = [None; 12];
        for m in this.iter_mut().take(6) {
            *m = Some(dec!(11));
        }
        let monthly = split(dec!(125), &even()).unwrap();
        let l = line(dec!(125), &monthly, &this, &last, 6);
        assert_eq!(l.forecast, Some(dec!(132))); // 66 + 1.1 x 60
        assert!(l.warning);
        assert_eq!(l.over_budget, Some(dec!(7)));
        assert_eq!(l.forecast_pct_of_budget, Some(dec!(105.6)));
        let l = line(
            dec!(140),
            &split(dec!(140), &even()).unwrap(),
            &this,
            &last,
            6,
        );
        assert!(!l.warning);
        assert_eq!(l.budget_to_date, dec!(70.0002)); // 6 x 11.6667
    }
}
