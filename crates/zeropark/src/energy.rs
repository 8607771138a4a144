//! `import tariffs`, `orgs set-tariff`, `report bill`, `flex plan` and `flex verify`: time-of-use tariffs,
//! monthly electricity bills from metered readings and day-ahead battery plans. A refusal
//! (a tariff file whose bands do not tile the day, an unknown enterprise or category, no
//! readings) exits 2 with the reason on stderr.

use crate::ctx::Ctx;
use crate::output;
use clap::{Args, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::path::Path;
use std::process::ExitCode;
use zp_app::energy::{self as uc, Battery, Objective};
use zp_app::flex::FlexRequest;
use zp_app::{AppError, ImportError, Store};
use zp_domain::CreditCode;
use zp_domain::time::Date;

#[derive(Args)]
pub struct BillArgs {
    /// Enterprise credit code.
    #[arg(long)]
    pub org: String,
    /// YYYY-MM
    #[arg(long)]
    pub month: String,
}

#[derive(Subcommand)]
pub enum FlexCmd {
    /// Day-ahead battery plan of an enterprise (储能日前计划): when to charge and discharge
    /// against its tariff and the hourly grid factors, with the day's metered load and PV.
    Plan(FlexPlanArgs),
    /// Verification after the day: the plan against the battery's meters (kinds
    /// battery_charge and battery_discharge): planned and realised cost and carbon savings
    /// and the change in the hourly certificate-matching (CFE) score.
    Verify(FlexPlanArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ObjectiveArg {
    Cost,
    Carbon,
    #[value(name = "cost+carbon")]
    CostCarbon,
}

#[derive(Args)]
pub struct FlexPlanArgs {
    /// Enterprise credit code.
    #[arg(long)]
    pub org: String,
    /// Local day YYYY-MM-DD.
    #[arg(long)]
    pub date: Date,
    /// Battery capacity, MWh.
    #[arg(long)]
    pub battery_mwh: Decimal,
    /// Battery power, MW (charge or discharge per hour: MW x 1 h).
    #[arg(long)]
    pub battery_mw: Decimal,
    /// Round-trip efficiency: MWh stored per MWh charged.
    #[arg(long, default_value = "0.9")]
    pub efficiency: Decimal,
    /// State of charge at 00:00, MWh; the plan ends at least as full.
    #[arg(long, default_value = "0")]
    pub soc_start_mwh: Decimal,
    /// Lowest state of charge the plan keeps, MWh (default 0; e.g. 10 % of the capacity).
    #[arg(long)]
    pub soc_min_mwh: Option<Decimal>,
    /// Highest state of charge the plan keeps, MWh (default the capacity).
    #[arg(long)]
    pub soc_max_mwh: Option<Decimal>,
    /// Demand cap (需量上限) on grid import, MW as an hour's average: the plan shaves the
    /// peaks above it or is refused as infeasible.
    #[arg(long)]
    pub grid_cap_mw: Option<Decimal>,
    #[arg(long, value_enum, default_value = "cost")]
    pub objective: ObjectiveArg,
    /// Carbon price for --objective cost+carbon, yuan per tCO2.
    #[arg(long, default_value = "80")]
    pub carbon_price_yuan: Decimal,
    /// EV fleets and flexible loads to schedule too: CSV/xlsx with columns
    /// name,chargers,charger_kw,arrival_hour,departure_hour,energy_mwh,v2g and an optional
    /// kind (ev, or load for a flexible load: no V2G, no OCPP profile).
    #[arg(long)]
    pub fleets: Option<std::path::PathBuf>,
}

/// Prints a refusal (exit 2) or returns the error (exit 1).
fn refuse_or(e: AppError) -> anyhow::Result<ExitCode> {
    match e {
        AppError::Invalid(m) | AppError::NotFound(m) => Ok(crate::ctx::refuse(m)),
        e => Err(e.into()),
    }
}

fn code(s: &str) -> Result<CreditCode, ExitCode> {
    CreditCode::parse(s).map_err(|e| crate::ctx::refuse(format!("credit code {s}: {e}")))
}

/// `zeropark import tariffs FILE`.
pub fn import_tariffs(ctx: &Ctx, file: &Path) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    match uc::import_tariffs(store.as_mut(), &ctx.caller(), file) {
        Ok(o) => {
            if ctx.json {
                output::json(&o)?;
            } else {
                let c = o.counts;
                println!(
                    "{}: {} band rows read, {} new or changed ({} restated), {} unchanged",
                    o.file,
                    c.read,
                    c.accepted - c.duplicates,
                    c.restated,
                    c.duplicates
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Read(e)) => Ok(crate::ctx::refuse(e)),
        Err(ImportError::Invalid(m)) => Ok(crate::ctx::refuse(m)),
        Err(e) => Err(e.into()),
    }
}

/// `zeropark orgs set-tariff CODE CATEGORY`.
pub fn set_tariff(
    store: &mut dyn Store,
    org: &str,
    category: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let code = match code(org) {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let caller = zp_app::Caller::operator(crate::ctx::actor());
    match uc::set_org_tariff(store, &caller, &code, category) {
        Ok(t) => {
            output::either(json, &t, |_| {
                println!(
                    "{}: billed under {} {} ({} version(s), latest from {})",
                    t.credit_code,
                    t.region,
                    t.category,
                    t.versions.len(),
                    t.versions
                        .last()
                        .map(|v| v.version.valid_from.to_string())
                        .unwrap_or_default()
                );
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refuse_or(e),
    }
}

/// `zeropark report bill --org CODE --month YYYY-MM`.
pub fn bill(ctx: &Ctx, args: &BillArgs) -> anyhow::Result<ExitCode> {
    let code = match code(&args.org) {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let mut store = ctx.open()?;
    let readings = ctx.readings()?;
    let b = match uc::bill(store.as_mut(), &ctx.caller(), &readings, &code, &args.month) {
        Ok(b) => b,
        Err(e) => return refuse_or(e),
    };
    if ctx.json {
        output::json(&b)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} {} {}: {} {} ({})",
        b.org, b.name, b.month, b.region, b.category, b.category_source
    );
    let mut rows: Vec<Vec<String>> = b
        .periods
        .iter()
        .map(|p| {
            vec![
                format!("{} {}", p.period, p.period_zh),
                output::num(p.kwh, 3),
                output::num(p.cost_yuan, 2),
                p.intervals.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        "total".into(),
        output::num(b.energy_kwh, 3),
        output::num(b.cost_yuan, 2),
        b.intervals.to_string(),
    ]);
    output::table(&["period", "kWh", "yuan", "intervals"], &rows);
    for n in &b.notes {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `zeropark flex plan|verify ...`.
pub fn flex(ctx: &Ctx, cmd: FlexCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        FlexCmd::Plan(a) => flex_plan(ctx, a),
        FlexCmd::Verify(a) => flex_verify(ctx, a),
    }
}

/// The request of `flex plan` and `flex verify`, or the exit of a refused argument.
fn flex_request(a: &FlexPlanArgs) -> Result<FlexRequest, anyhow::Result<ExitCode>> {
    let org = code(&a.org).map_err(Ok)?;
    Ok(FlexRequest {
        org,
        date: a.date,
        battery: Battery::new(a.battery_mwh, a.battery_mw, a.efficiency, a.soc_start_mwh)
            .with_limits(a.soc_min_mwh, a.soc_max_mwh),
        objective: match a.objective {
            ObjectiveArg::Cost => Objective::Cost,
            ObjectiveArg::Carbon => Objective::Carbon,
            ObjectiveArg::CostCarbon => Objective::CostCarbon,
        },
        carbon_price_yuan_per_t: a.carbon_price_yuan,
        fleets: match &a.fleets {
            Some(path) => zp_app::flex::read_fleets(path).map_err(refuse_or)?,
            None => Vec::new(),
        },
        grid_cap_mw: a.grid_cap_mw,
    })
}

fn flex_plan(ctx: &Ctx, a: FlexPlanArgs) -> anyhow::Result<ExitCode> {
    let req = match flex_request(&a) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let mut store = ctx.open()?;
    let readings = ctx.readings()?;
    let r = match zp_app::flex::flex_plan(store.as_mut(), &ctx.caller(), &readings, &req) {
        Ok(r) => r,
        Err(e) => return refuse_or(e),
    };
    if ctx.json {
        output::json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    let p = &r.plan;
    println!(
        "{} {} {}: objective {}, battery {} MWh / {} MW / {}",
        r.org,
        r.name,
        r.date,
        p.objective.key(),
        r.battery.energy_mwh,
        r.battery.power_mw,
        r.battery.efficiency
    );
    let rows: Vec<Vec<String>> = p
        .hours
        .iter()
        .map(|h| {
            vec![
                format!("{:02}:00", h.hour),
                output::num(h.load_mwh, 3),
                output::num(h.pv_mwh, 3),
                output::num(h.charge_mwh, 3),
                output::num(h.discharge_mwh, 3),
                output::num(h.soc_mwh, 3),
                output::num(h.grid_import_mwh, 3),
                output::num(h.yuan_per_mwh, 2),
                output::num(h.tco2_per_mwh, 4),
            ]
        })
        .collect();
    output::table(
        &[
            "hour",
            "load MWh",
            "PV MWh",
            "charge",
            "discharge",
            "SoC",
            "grid MWh",
            "yuan/MWh",
            "tCO2/MWh",
        ],
        &rows,
    );
    println!(
        "cost {} -> {} yuan (saves {}); emissions {} -> {} tCO2 (avoids {})",
        output::num(p.baseline_cost_yuan, 2),
        output::num(p.plan_cost_yuan, 2),
        output::num(p.savings_yuan, 2),
        output::num(p.baseline_tco2, 4),
        output::num(p.plan_tco2, 4),
        output::num(p.avoided_tco2, 4)
    );
    for n in &r.notes {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

fn flex_verify(ctx: &Ctx, a: FlexPlanArgs) -> anyhow::Result<ExitCode> {
    let req = match flex_request(&a) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let mut store = ctx.open()?;
    let readings = ctx.readings()?;
    let r = match zp_app::flex::flex_verify(store.as_mut(), &ctx.caller(), &readings, &req) {
        Ok(r) => r,
        Err(e) => return refuse_or(e),
    };
    if ctx.json {
        output::json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    let v = &r.verification;
    println!(
        "{} {} {}: battery {} MWh / {} MW, objective {}",
        r.org,
        r.name,
        r.date,
        r.battery.energy_mwh,
        r.battery.power_mw,
        r.objective.key()
    );
    let rows: Vec<Vec<String>> = v
        .hours
        .iter()
        .map(|h| {
            vec![
                format!("{:02}:00", h.hour),
                output::num(h.load_mwh - h.pv_mwh, 3),
                output::num(h.planned_charge_mwh - h.planned_discharge_mwh, 3),
                output::num(h.metered_charge_mwh - h.metered_discharge_mwh, 3),
                output::num(h.plan_import_mwh, 3),
                output::num(h.realised_import_mwh, 3),
                output::num(h.yuan_per_mwh, 2),
            ]
        })
        .collect();
    output::table(
        &[
            "hour",
            "net load MWh",
            "planned battery",
            "metered battery",
            "plan grid MWh",
            "realised grid MWh",
            "yuan/MWh",
        ],
        &rows,
    );
    println!(
        "cost: baseline {} yuan, plan {} (saves {}), realised {} (saves {})",
        output::num(v.baseline_cost_yuan, 2),
        output::num(v.plan_cost_yuan, 2),
        output::num(v.planned_saving_yuan, 2),
        output::num(v.realised_cost_yuan, 2),
        output::num(v.realised_saving_yuan, 2)
    );
    println!(
        "carbon: baseline {} tCO2, plan {} (avoids {}), realised {} (avoids {})",
        output::num(v.baseline_tco2, 4),
        output::num(v.plan_tco2, 4),
        output::num(v.planned_saving_tco2, 4),
        output::num(v.realised_tco2, 4),
        output::num(v.realised_saving_tco2, 4)
    );
    let score = |s: Option<Decimal>| s.map_or("-".to_string(), |s| output::num(s, 4));
    println!(
        "plan followed: {}; hourly CFE score {} -> {}",
        score(v.plan_followed_share),
        score(r.matching.baseline_cfe_score),
        score(r.matching.realised_cfe_score)
    );
    for n in &r.notes {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
