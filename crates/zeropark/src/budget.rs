//! `budget set`, `budget backtest` and `report budget`: yearly energy and carbon budgets
//! (碳排放双控) of an enterprise, park or region, actual against budget with a year-end
//! forecast and a warning. A refusal (unknown scope, no budget, a last-year split without
//! last year's months) exits 2 with the reason on stderr.

use crate::args::ScopeArgs;
use crate::ctx::{Ctx, Fail, credit_code, finish};
use crate::output::{self, num, opt_num};
use clap::{Args, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::process::ExitCode;
use zp_app::budget::{self as uc, BudgetScope, SetBudget, SplitRequest};
use zp_domain::Region;
use zp_domain::time::Date;

#[derive(Subcommand)]
pub enum BudgetCmd {
    /// Set the yearly energy (tce) and carbon (tCO2, Scope 1 + Scope 2 location-based)
    /// budget of an enterprise, park or region, split by month.
    Set(SetArgs),
    /// Backtest the year-end forecast on a past year: the forecast made at each month end
    /// against the year's actual (MAPE).
    Backtest(BacktestArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SplitArg {
    /// Twelve equal months.
    Even,
    /// By the scope's figures of each month of the previous year.
    LastYear,
    /// By the twelve --weights.
    Given,
}

#[derive(Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
    /// Yearly energy budget, tce.
    #[arg(long)]
    pub tce: Decimal,
    /// Yearly carbon budget, tCO2.
    #[arg(long)]
    pub tco2: Decimal,
    #[arg(long, value_enum, default_value = "even")]
    pub split: SplitArg,
    /// Twelve monthly weights for --split given, comma-separated (January first).
    #[arg(long, value_delimiter = ',')]
    pub weights: Vec<Decimal>,
}

#[derive(Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// The past year to forecast (the year before it is "last year").
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
    /// The day the report is made on: months ended by then are actual (YYYY-MM-DD).
    #[arg(long)]
    pub as_of: Date,
}

fn scope(s: &ScopeArgs) -> Result<BudgetScope, Fail> {
    match (&s.org, &s.park, &s.region) {
        (Some(o), _, _) => Ok(BudgetScope::Org(credit_code(o, "--org")?)),
        (_, Some(p), _) => Ok(BudgetScope::Park(p.clone())),
        (_, _, Some(r)) => Region::parse_province(r)
            .map(BudgetScope::Region)
            .map_err(|e| Fail::Refused(format!("--region {r}: {e}"))),
        _ => Err(Fail::Refused("give --org, --park or --region".into())),
    }
}

/// `zeropark budget ...`.
pub fn run(ctx: &Ctx, cmd: BudgetCmd) -> anyhow::Result<ExitCode> {
    finish(match cmd {
        BudgetCmd::Set(a) => set(ctx, &a),
        BudgetCmd::Backtest(a) => backtest(ctx, &a),
    })
}

fn set(ctx: &Ctx, a: &SetArgs) -> Result<(), Fail> {
    let split = match (a.split, a.weights.is_empty()) {
        (SplitArg::Given, false) => SplitRequest::Given(a.weights.clone()),
        (SplitArg::Given, true) => {
            return Err(Fail::Refused(
                "--split given needs --weights w1,...,w12".into(),
            ));
        }
        (_, false) => {
            return Err(Fail::Refused("--weights goes with --split given".into()));
        }
        (SplitArg::Even, true) => SplitRequest::Even,
        (SplitArg::LastYear, true) => SplitRequest::LastYear,
    };
    let req = SetBudget {
        scope: scope(&a.scope)?,
        year: a.year,
        tce: a.tce,
        tco2: a.tco2,
        split,
    };
    let mut store = ctx.open()?;
    let b = uc::set_budget(store.as_mut(), &ctx.caller(), &req)?;
    output::either(ctx.json, &b, |b| {
        println!(
            "budget {} {} {}: {} tce, {} tCO2, split {}",
            b.scope_kind,
            b.scope,
            b.year,
            b.tce.normalize(),
            b.tco2.normalize(),
            b.split
        );
        let rows: Vec<Vec<String>> = (0..12)
            .map(|i| {
                vec![
                    format!("{}-{:02}", b.year, i + 1),
                    num(b.monthly_tce[i], 4),
                    num(b.monthly_tco2[i], 4),
                ]
            })
            .collect();
        output::table(&["month", "tce", "tCO2"], &rows);
    })?;
    Ok(())
}

fn backtest(ctx: &Ctx, a: &BacktestArgs) -> Result<(), Fail> {
    let scope = scope(&a.scope)?;
    let mut store = ctx.open()?;
    let r = uc::backtest(store.as_mut(), &ctx.caller(), &scope, a.year)?;
    output::either(ctx.json, &r, |r| {
        println!(
            "forecast backtest {} {} ({}) {}: {}",
            r.scope_kind, r.name, r.scope, r.year, r.method
        );
        let rows: Vec<Vec<String>> = r
            .tce
            .points
            .iter()
            .zip(&r.tco2.points)
            .map(|(e, c)| {
                vec![
                    format!("{}-{:02}", r.year, e.month),
                    e.method.key().to_string(),
                    num(e.forecast, 2),
                    format!("{}%", e.error_pct),
                    num(c.forecast, 2),
                    format!("{}%", c.error_pct),
                ]
            })
            .collect();
        output::table(
            &[
                "made at",
                "method",
                "tce forecast",
                "error",
                "tCO2 forecast",
                "error",
            ],
            &rows,
        );
        println!(
            "actual {} tce, {} tCO2; MAPE {}% (tce), {}% (tCO2)",
            num(r.tce.actual_total, 4),
            num(r.tco2.actual_total, 4),
            r.tce.mape_pct,
            r.tco2.mape_pct
        );
    })?;
    Ok(())
}

/// `zeropark report budget --org CODE --year Y --as-of DATE`.
pub fn report(ctx: &Ctx, a: &ReportArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let scope = scope(&a.scope)?;
        let mut store = ctx.open()?;
        let r = uc::budget_report(store.as_mut(), &ctx.caller(), &scope, a.year, a.as_of)?;
        output::either(ctx.json, &r, |r| {
            println!(
                "budget {} {} ({}) {} as of {} ({} months closed, split {})",
                r.scope_kind, r.name, r.scope, r.year, r.as_of, r.months_closed, r.split
            );
            let rows: Vec<Vec<String>> = r
                .months
                .iter()
                .map(|m| {
                    vec![
                        m.period.clone(),
                        num(m.budget_tce, 2),
                        opt_num(m.actual_tce, 2),
                        opt_num(m.last_year_tce, 2),
                        num(m.budget_tco2, 2),
                        opt_num(m.actual_tco2, 2),
                        opt_num(m.last_year_tco2, 2),
                    ]
                })
                .collect();
            output::table(
                &[
                    "month",
                    "budget tce",
                    "actual tce",
                    "last year",
                    "budget tCO2",
                    "actual tCO2",
                    "last year",
                ],
                &rows,
            );
            for (what, l) in [("tce", &r.tce), ("tCO2", &r.tco2)] {
                println!(
                    "{what}: budget {}, to date {}, actual {}, forecast {} ({}{})",
                    num(l.budget, 2),
                    num(l.budget_to_date, 2),
                    num(l.actual, 2),
                    opt_num(l.forecast, 2),
                    l.method.key(),
                    l.forecast_pct_of_budget
                        .map(|p| format!(", {p}% of budget"))
                        .unwrap_or_default()
                );
            }
            for w in &r.warnings {
                println!("WARNING: {w}");
            }
            for n in &r.notes {
                println!("note: {n}");
            }
        })?;
        Ok(())
    })())
}
