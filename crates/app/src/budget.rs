//! Use cases of energy and carbon budgets (能耗/碳排放预算, 碳排放双控): setting an
//! enterprise's, park's or region's yearly budget with its monthly split, the budget report
//! (actual of the closed months, year-end forecast, warning) and the forecast's backtest.
//!
//! Figures are the inventories of each month (`park::monthly`: the enterprise's ledger with
//! the factors its issued inventory is pinned to; nothing is issued here), summed over the
//! scope's enterprises. Carbon is Scope 1 + Scope 2 location-based (the grid average factor
//! of the province, as the national carbon accounts count it). The forecast model is
//! `zp_energy::forecast` (documented in `docs/forecast.md`).

pub use zp_energy::budget::{BudgetLine, Split};
pub use zp_energy::forecast::{Backtest, BacktestPoint, Method as ForecastMethod};
pub use zp_store::{Budget, BudgetScope};

use crate::note::Note;
use crate::{AppError, Caller};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_accounting::GridFactorMode;
use zp_domain::Period;
use zp_domain::time::Date;
use zp_energy::budget::{closed_months, even, line, split};
use zp_energy::forecast::Months;
use zp_store::{Access, Org, OrgFilter, Store};

/// What `carbon` means in budgets.
pub const CARBON_BASIS: &str = "scope1 + scope2 location-based (tCO2)";

/// How to split a yearly budget by month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitRequest {
    Even,
    /// By the scope's figures of each month of the previous year (all twelve needed).
    LastYear,
    /// By twelve weights.
    Given(Vec<Decimal>),
}

/// `zeropark budget set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetBudget {
    pub scope: BudgetScope,
    pub year: i32,
    pub tce: Decimal,
    pub tco2: Decimal,
    pub split: SplitRequest,
}

/// A scope's enterprises and display name, if the caller may see it.
fn members(
    store: &mut dyn Store,
    access: &Access,
    scope: &BudgetScope,
) -> Result<(String, Vec<Org>), AppError> {
    match scope {
        BudgetScope::Org(code) => {
            let org = store.org(access, code)?.ok_or_else(|| {
                AppError::NotFound(format!(
                    "enterprise {code} is not registered (or not visible to you)"
                ))
            })?;
            Ok((org.name.clone(), vec![org]))
        }
        BudgetScope::Park(p) => {
            if store.park(access, p)?.is_none() {
                return Err(AppError::NotFound(format!(
                    "park {p:?} is not registered (or not visible to you)"
                )));
            }
            let orgs = store.orgs(
                access,
                &OrgFilter {
                    park: Some(p.clone()),
                    region: None,
                },
            )?;
            Ok((p.clone(), orgs))
        }
        BudgetScope::Region(r) => {
            let visible = match access {
                Access::All => true,
                Access::Region(a) => a == r,
                _ => false,
            };
            if !visible {
                return Err(AppError::NotFound(format!(
                    "region {} is not visible to you",
                    r.code()
                )));
            }
            let orgs = store.orgs(
                access,
                &OrgFilter {
                    park: None,
                    region: Some(*r),
                },
            )?;
            Ok((r.name_zh().to_string(), orgs))
        }
    }
}

/// The scope's energy (tce) and carbon (tCO2) by month of `year`; `None` for a month in
/// which none of its enterprises has ledger rows.
pub(crate) fn monthly_figures(
    store: &mut dyn Store,
    access: &Access,
    orgs: &[Org],
    year: i32,
) -> Result<(Months, Months), AppError> {
    let catalog = crate::catalog(store)?;
    let (mut tce, mut tco2): (Months, Months) = ([None; 12], [None; 12]);
    for org in orgs {
        for m in crate::park::monthly(
            store,
            access,
            &catalog,
            org,
            year,
            GridFactorMode::Provincial,
        )? {
            let Ok(p) = Period::parse(&m.period) else {
                continue;
            };
            let i = p.month() as usize - 1;
            *tce[i].get_or_insert(Decimal::ZERO) += m.energy_tce;
            *tco2[i].get_or_insert(Decimal::ZERO) += m.scope1_tco2 + m.scope2_location_tco2;
        }
    }
    Ok((tce, tco2))
}

fn complete(m: &Months, what: &str, year: i32) -> Result<Vec<Decimal>, AppError> {
    let missing: Vec<String> = (1..=12)
        .filter(|i| m[*i as usize - 1].is_none())
        .map(|i| format!("{year}-{i:02}"))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(format!(
            "a last-year split needs every month of {year}, but {what} has no ledger rows for {}; use --split even or given",
            missing.join(", ")
        )));
    }
    Ok(m.iter().map(|v| v.unwrap_or_default()).collect())
}

/// `zeropark budget set`: stores the yearly budget and its monthly split (audited). Budgets
/// are set by a platform, region or park administrator, not by the enterprise itself.
pub fn set_budget(
    store: &mut dyn Store,
    caller: &Caller,
    req: &SetBudget,
) -> Result<Budget, AppError> {
    if matches!(caller.access, Access::Org(_)) {
        return Err(AppError::Invalid(
            "budgets are set by a platform, region or park administrator".into(),
        ));
    }
    for (what, v) in [("tce", req.tce), ("tCO2", req.tco2)] {
        if v < Decimal::ZERO {
            return Err(AppError::Invalid(format!(
                "the {what} budget {v} is negative"
            )));
        }
    }
    let (_, orgs) = members(store, &caller.access, &req.scope)?;
    let invalid = |e: zp_energy::budget::BudgetError| AppError::Invalid(e.to_string());
    let (w_tce, w_tco2): (Vec<Decimal>, Vec<Decimal>) = match &req.split {
        SplitRequest::Even => (even().to_vec(), even().to_vec()),
        SplitRequest::Given(w) => (w.clone(), w.clone()),
        SplitRequest::LastYear => {
            let last = req.year - 1;
            let (tce, tco2) = monthly_figures(store, &caller.access, &orgs, last)?;
            let who = format!("{} {}", req.scope.kind(), req.scope.id());
            (complete(&tce, &who, last)?, complete(&tco2, &who, last)?)
        }
    };
    let budget = Budget {
        scope_kind: req.scope.kind().into(),
        scope: req.scope.id(),
        year: req.year,
        tce: req.tce,
        tco2: req.tco2,
        split: match req.split {
            SplitRequest::Even => Split::Even,
            SplitRequest::LastYear => Split::LastYear,
            SplitRequest::Given(_) => Split::Given,
        }
        .key()
        .into(),
        monthly_tce: split(req.tce, &w_tce).map_err(invalid)?.to_vec(),
        monthly_tco2: split(req.tco2, &w_tco2).map_err(invalid)?.to_vec(),
        updated_by: String::new(),
        updated_at: String::new(),
    };
    store.set_budget(&budget, &caller.actor)?;
    store
        .budget(&req.scope, req.year)?
        .ok_or_else(|| AppError::NotFound("the budget just stored is gone".into()))
}

/// One month of a budget report.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetMonth {
    pub period: String,
    /// Ended by the as-of day.
    pub closed: bool,
    pub budget_tce: Decimal,
    pub actual_tce: Option<Decimal>,
    pub last_year_tce: Option<Decimal>,
    pub budget_tco2: Decimal,
    pub actual_tco2: Option<Decimal>,
    pub last_year_tco2: Option<Decimal>,
}

/// The English of each warning code of a budget report (its `warnings`).
pub const WARNINGS_EN: &[(&str, &str)] = &[
    (
        "budget.over.energy",
        "energy: {basis} {value} tce exceeds the {year} budget of {budget} tce by {over} tce",
    ),
    (
        "budget.over.carbon",
        "carbon: {basis} {value} tCO2 exceeds the {year} budget of {budget} tCO2 by {over} tCO2",
    ),
];

/// `zeropark report budget`: actual against budget and the year-end forecast.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetReport {
    pub scope_kind: String,
    pub scope: String,
    pub name: String,
    pub year: i32,
    pub as_of: Date,
    pub months_closed: u32,
    pub split: String,
    pub budget_tce: Decimal,
    pub actual_tce: Decimal,
    pub forecast_tce: Option<Decimal>,
    pub budget_tco2: Decimal,
    pub actual_tco2: Decimal,
    pub forecast_tco2: Option<Decimal>,
    /// The forecast (or the actual) exceeds the tce or the tCO2 budget.
    pub warning: bool,
    /// The forecast rule (`seasonal-ratio`, `run-rate`, `last-year`, `actual`, `none`).
    pub method: String,
    pub method_description: String,
    pub carbon_basis: &'static str,
    pub tce: BudgetLine,
    pub tco2: BudgetLine,
    pub months: Vec<BudgetMonth>,
    pub warnings: Vec<String>,
    /// `warnings` as codes and parameters ([`WARNINGS_EN`]), for pages in other languages.
    pub warning_codes: Vec<Note>,
    pub notes: Vec<String>,
}

fn stored_budget(
    store: &mut dyn Store,
    scope: &BudgetScope,
    year: i32,
) -> Result<Budget, AppError> {
    store.budget(scope, year)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "no budget is set for {} {} in {year}: `zeropark budget set --{} {} --year {year} --tce N --tco2 N`",
            scope.kind(),
            scope.id(),
            scope.kind(),
            scope.id()
        ))
    })
}

fn monthly_array(v: &[Decimal]) -> [Decimal; 12] {
    let mut out = [Decimal::ZERO; 12];
    for (o, x) in out.iter_mut().zip(v) {
        *o = *x;
    }
    out
}

/// `zeropark report budget --org CODE --year Y --as-of DATE`: the months of `year` ended by
/// `as_of` are actual, the rest forecast; a warning when a forecast exceeds its budget.
pub fn budget_report(
    store: &mut dyn Store,
    caller: &Caller,
    scope: &BudgetScope,
    year: i32,
    as_of: Date,
) -> Result<BudgetReport, AppError> {
    let (name, orgs) = members(store, &caller.access, scope)?;
    let budget = stored_budget(store, scope, year)?;
    let closed = closed_months(year, as_of);
    let (this_tce, this_tco2) = monthly_figures(store, &caller.access, &orgs, year)?;
    let (last_tce, last_tco2) = monthly_figures(store, &caller.access, &orgs, year - 1)?;
    let (m_tce, m_tco2) = (
        monthly_array(&budget.monthly_tce),
        monthly_array(&budget.monthly_tco2),
    );
    let tce = line(budget.tce, &m_tce, &this_tce, &last_tce, closed);
    let tco2 = line(budget.tco2, &m_tco2, &this_tco2, &last_tco2, closed);
    let mut warnings = Vec::new();
    for (what, l) in [("energy", &tce), ("carbon", &tco2)] {
        if let Some(over) = l.over_budget {
            let n = |d: Decimal| d.round_dp(4).normalize().to_string();
            warnings.push(Note::new(
                &format!("budget.over.{what}"),
                &[
                    (
                        "basis",
                        if l.forecast.is_some_and(|f| f >= l.actual) {
                            "forecast"
                        } else {
                            "actual"
                        }
                        .to_string(),
                    ),
                    ("value", n(l.forecast.unwrap_or(l.actual).max(l.actual))),
                    ("year", year.to_string()),
                    ("budget", n(l.budget)),
                    ("over", n(over)),
                ],
            ));
        }
    }
    let mut notes = vec![format!(
        "forecast ({}): {}",
        tce.method.key(),
        tce.method.describe()
    )];
    if tco2.method != tce.method {
        notes.push(format!(
            "carbon forecast ({}): {}",
            tco2.method.key(),
            tco2.method.describe()
        ));
    }
    let gaps: Vec<String> = (1..=closed)
        .filter(|m| this_tce[*m as usize - 1].is_none())
        .map(|m| format!("{year}-{m:02}"))
        .collect();
    if !gaps.is_empty() {
        notes.push(format!(
            "closed months without ledger rows, forecast like the months to come: {}",
            gaps.join(", ")
        ));
    }
    if orgs.is_empty() {
        notes.push(format!(
            "{} {} has no enterprises visible to you",
            scope.kind(),
            scope.id()
        ));
    }
    let months = (1..=12u32)
        .map(|m| {
            let i = m as usize - 1;
            let closed_month = m <= closed;
            BudgetMonth {
                period: format!("{year}-{m:02}"),
                closed: closed_month,
                budget_tce: m_tce[i],
                actual_tce: this_tce[i].filter(|_| closed_month),
                last_year_tce: last_tce[i],
                budget_tco2: m_tco2[i],
                actual_tco2: this_tco2[i].filter(|_| closed_month),
                last_year_tco2: last_tco2[i],
            }
        })
        .collect();
    Ok(BudgetReport {
        scope_kind: scope.kind().into(),
        scope: scope.id(),
        name,
        year,
        as_of,
        months_closed: closed,
        split: budget.split.clone(),
        budget_tce: budget.tce,
        actual_tce: tce.actual,
        forecast_tce: tce.forecast,
        budget_tco2: budget.tco2,
        actual_tco2: tco2.actual,
        forecast_tco2: tco2.forecast,
        warning: tce.warning || tco2.warning,
        method: tce.method.key().into(),
        method_description: tce.method.describe().into(),
        carbon_basis: CARBON_BASIS,
        tce,
        tco2,
        months,
        warnings: warnings.iter().map(|n| n.text(WARNINGS_EN)).collect(),
        warning_codes: warnings,
        notes,
    })
}

/// `zeropark budget backtest`: the forecast made at each month end of a past `year` against
/// its actual total, for energy and carbon.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    pub scope_kind: String,
    pub scope: String,
    pub name: String,
    pub year: i32,
    pub method: &'static str,
    pub carbon_basis: &'static str,
    pub tce: Backtest,
    pub tco2: Backtest,
}

/// Backtests the forecast on `year` (every month needed) with `year - 1` as last year.
pub fn backtest(
    store: &mut dyn Store,
    caller: &Caller,
    scope: &BudgetScope,
    year: i32,
) -> Result<BacktestReport, AppError> {
    let (name, orgs) = members(store, &caller.access, scope)?;
    let (this_tce, this_tco2) = monthly_figures(store, &caller.access, &orgs, year)?;
    let (last_tce, last_tco2) = monthly_figures(store, &caller.access, &orgs, year - 1)?;
    let who = format!("{} {}", scope.kind(), scope.id());
    let full = |m: &Months| -> Result<[Decimal; 12], AppError> {
        let missing: Vec<String> = (1..=12)
            .filter(|i| m[*i as usize - 1].is_none())
            .map(|i| format!("{year}-{i:02}"))
            .collect();
        if missing.is_empty() {
            Ok(m.map(|v| v.unwrap_or_default()))
        } else {
            Err(AppError::Invalid(format!(
                "a backtest needs every month of {year}; {who} has no ledger rows for {}",
                missing.join(", ")
            )))
        }
    };
    let run = |this: [Decimal; 12], last: &Months| {
        zp_energy::forecast::backtest(&this, last)
            .map_err(|e| AppError::Invalid(format!("{who} {year}: {e}")))
    };
    Ok(BacktestReport {
        scope_kind: scope.kind().into(),
        scope: scope.id(),
        name,
        year,
        method: "forecast at each month end January-November; error = |forecast - actual total| / actual total; MAPE = their mean",
        carbon_basis: CARBON_BASIS,
        tce: run(full(&this_tce)?, &last_tce)?,
        tco2: run(full(&this_tco2)?, &last_tco2)?,
    })
}
