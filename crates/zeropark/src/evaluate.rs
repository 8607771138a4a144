//! `zeropark evaluate ...`: evaluations against indicator sets, gap analysis, trajectories
//! and abatement plans; `zeropark evaluate schemes ...` for the indicator sets.

use crate::output::{self, num, opt_num};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::evaluate::{
    EvaluationKind, EvaluationReport, EvaluationScope, PlanReport, SchemeChoice, Target,
};
use zp_app::evaluate::{IndicatorStatus, PathShape, PlanStatus};
use zp_app::{Access, Store, Upsert};
use zp_domain::CreditCode;

#[derive(Subcommand)]
pub enum EvaluateCmd {
    /// Zero-carbon park (发改环资〔2025〕910号): veto tCO2/tce and guiding indicators.
    ZeroCarbonPark {
        #[arg(long)]
        park: String,
        #[command(flatten)]
        opts: EvalOpts,
    },
    /// Green factory (GB/T 36132): basic requirements and weighted score.
    GreenFactory {
        /// Enterprise credit code.
        #[arg(long)]
        org: String,
        #[command(flatten)]
        opts: EvalOpts,
    },
    /// ESG score of an enterprise with transparent weights.
    Esg {
        /// Enterprise credit code.
        #[arg(long)]
        org: String,
        #[command(flatten)]
        opts: EvalOpts,
    },
    /// Near-zero-carbon park pilot.
    NearZero {
        #[arg(long)]
        park: String,
        #[command(flatten)]
        opts: EvalOpts,
    },
    /// Cheapest portfolio of measures reaching a target intensity (tCO2/tce) by a year,
    /// with the marginal abatement cost curve and the yearly path.
    Plan {
        #[arg(long, conflicts_with = "org", required_unless_present = "org")]
        park: Option<String>,
        #[arg(long)]
        org: Option<String>,
        /// Base year (its accounts are the starting point).
        #[arg(long, value_parser = crate::args::year)]
        year: i32,
        #[command(flatten)]
        target: TargetArgs,
        /// Candidate measures (TOML, layout of `zeropark evaluate measures`).
        #[arg(long)]
        measures: Option<PathBuf>,
    },
    /// The built-in candidate measures file (a template for --measures).
    Measures,
    /// Indicator sets: built-in and imported.
    #[command(subcommand)]
    Schemes(SchemesCmd),
}

#[derive(Args)]
pub struct EvalOpts {
    #[arg(long, value_parser = crate::args::year)]
    year: i32,
    /// Use this indicator set file for this run (not stored).
    #[arg(long)]
    scheme_file: Option<PathBuf>,
    /// Use this version of the set (default: the latest loaded).
    #[arg(long)]
    scheme_version: Option<String>,
    /// Target year of a trajectory of the carbon intensity (with --target).
    #[arg(long, requires = "target")]
    target_year: Option<i32>,
    /// Target market-based intensity, tCO2/tce (with --target-year).
    #[arg(long, requires = "target_year")]
    target: Option<Decimal>,
    #[arg(long, value_enum, default_value = "linear")]
    path: PathArg,
    /// Yearly growth of energy use on the path, as a fraction (0.02 = 2 %).
    #[arg(long, default_value = "0")]
    energy_growth: Decimal,
}

#[derive(Args)]
pub struct TargetArgs {
    /// Target market-based intensity, tCO2/tce.
    #[arg(long)]
    target: Decimal,
    #[arg(long)]
    target_year: i32,
    #[arg(long, value_enum, default_value = "linear")]
    path: PathArg,
    /// Yearly growth of energy use on the path, as a fraction (0.02 = 2 %).
    #[arg(long, default_value = "0")]
    energy_growth: Decimal,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PathArg {
    Linear,
    ConstantRate,
}

impl PathArg {
    fn shape(self) -> PathShape {
        match self {
            PathArg::Linear => PathShape::Linear,
            PathArg::ConstantRate => PathShape::ConstantRate,
        }
    }
}

#[derive(Subcommand)]
pub enum SchemesCmd {
    /// Loaded indicator sets with id, version and origin.
    List,
    /// One set in full (JSON).
    Show {
        id: String,
        #[arg(long)]
        version: Option<String>,
    },
    /// Store a user indicator set (TOML); a set version is immutable.
    Import { file: PathBuf },
}

fn org_code(s: &str) -> anyhow::Result<CreditCode> {
    CreditCode::parse(s).map_err(|e| anyhow::anyhow!("--org {s:?}: {e}"))
}

pub fn run(store: &mut dyn Store, cmd: EvaluateCmd, json: bool) -> anyhow::Result<ExitCode> {
    let actor = crate::ctx::actor();
    let (kind, scope, opts) = match cmd {
        EvaluateCmd::ZeroCarbonPark { park, opts } => (
            EvaluationKind::ZeroCarbonPark,
            EvaluationScope::Park(park),
            opts,
        ),
        EvaluateCmd::NearZero { park, opts } => {
            (EvaluationKind::NearZero, EvaluationScope::Park(park), opts)
        }
        EvaluateCmd::GreenFactory { org, opts } => (
            EvaluationKind::GreenFactory,
            EvaluationScope::Org(org_code(&org)?),
            opts,
        ),
        EvaluateCmd::Esg { org, opts } => (
            EvaluationKind::Esg,
            EvaluationScope::Org(org_code(&org)?),
            opts,
        ),
        EvaluateCmd::Plan {
            park,
            org,
            year,
            target,
            measures,
        } => {
            let scope = match (park, org) {
                (Some(p), _) => EvaluationScope::Park(p),
                (None, Some(o)) => EvaluationScope::Org(org_code(&o)?),
                (None, None) => anyhow::bail!("give --park or --org"),
            };
            let measures = measures
                .map(|p| zp_app::evaluate::read_measures_file(&p))
                .transpose()?;
            let target = Target {
                year: target.target_year,
                tco2_per_tce: target.target,
                shape: target.path.shape(),
                energy_growth: target.energy_growth,
            };
            let report = zp_app::evaluate::plan(
                store,
                &Access::All,
                &scope,
                year,
                target,
                measures,
                &actor,
            )?;
            if json {
                output::json(&report)?;
            } else {
                print_plan(&report);
            }
            return Ok(ExitCode::SUCCESS);
        }
        EvaluateCmd::Measures => {
            if json {
                output::json(&zp_app::evaluate::MeasureSet::default_set())?;
            } else {
                print!("{}", zp_app::evaluate::abatement::DEFAULT_MEASURES_TOML);
            }
            return Ok(ExitCode::SUCCESS);
        }
        EvaluateCmd::Schemes(cmd) => return schemes(store, cmd, json, &actor),
    };
    let choice = SchemeChoice {
        file: opts
            .scheme_file
            .as_deref()
            .map(zp_app::evaluate::read_scheme_file)
            .transpose()?
            .map(|(s, _)| s),
        version: opts.scheme_version,
    };
    let target = match (opts.target_year, opts.target) {
        (Some(year), Some(t)) => Some(Target {
            year,
            tco2_per_tce: t,
            shape: opts.path.shape(),
            energy_growth: opts.energy_growth,
        }),
        _ => None,
    };
    let report = zp_app::evaluate::evaluate(
        store,
        &Access::All,
        kind,
        &scope,
        opts.year,
        &choice,
        target,
        &actor,
    )?;
    if json {
        output::json(&report)?;
    } else {
        print_evaluation(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn schemes(
    store: &mut dyn Store,
    cmd: SchemesCmd,
    json: bool,
    actor: &str,
) -> anyhow::Result<ExitCode> {
    match cmd {
        SchemesCmd::List => {
            let list = zp_app::evaluate::list_schemes(store)?;
            output::list(
                json,
                &list,
                &["id", "version", "indicators", "veto", "origin", "name"],
                |s| {
                    vec![
                        s.id.clone(),
                        s.version.clone(),
                        s.indicators.to_string(),
                        s.veto.join(" "),
                        s.origin.clone(),
                        s.name.clone(),
                    ]
                },
            )?;
        }
        SchemesCmd::Show { id, version } => {
            let catalog = zp_app::evaluate::scheme_catalog(store)?;
            let scheme = catalog
                .get(&id, version.as_deref())
                .with_context(|| format!("indicator set {id} is not loaded"))?;
            output::json(scheme)?;
        }
        SchemesCmd::Import { file } => {
            let (scheme, upsert) = zp_app::evaluate::import_scheme(store, &file, actor)?;
            if json {
                output::json(&serde_json::json!({
                    "id": scheme.id,
                    "version": scheme.version,
                    "sha256": scheme.sha256,
                    "result": upsert,
                }))?;
            } else {
                let what = match upsert {
                    Upsert::Unchanged => "already imported, unchanged",
                    _ => "imported",
                };
                println!(
                    "{}: indicator set {} version {} {what}",
                    file.display(),
                    scheme.id,
                    scheme.version
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status(s: IndicatorStatus) -> &'static str {
    match s {
        IndicatorStatus::Pass => "pass",
        IndicatorStatus::Fail => "FAIL",
        IndicatorStatus::Missing => "missing",
        IndicatorStatus::Scored => "scored",
    }
}

fn print_evaluation(r: &EvaluationReport) {
    let e = &r.evaluation;
    println!(
        "{} {} — {} {} ({} version {})",
        r.kind.key(),
        e.scope_id,
        e.period,
        r.scheme_name,
        e.scheme,
        e.version
    );
    let rows: Vec<Vec<String>> = e
        .indicators
        .iter()
        .map(|i| {
            vec![
                i.id.clone(),
                opt_num(i.value, 4),
                i.unit.clone(),
                match (i.comparison, i.threshold) {
                    (Some(c), Some(t)) => format!(
                        "{} {}",
                        serde_json::to_value(c)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        num(t, 4)
                    ),
                    _ => "-".into(),
                },
                status(i.status).into(),
                if i.veto { "veto".into() } else { String::new() },
                match (i.points, i.max_points) {
                    (Some(p), Some(m)) => format!("{}/{}", num(p, 2), num(m, 2)),
                    _ => String::new(),
                },
                i.source.clone(),
            ]
        })
        .collect();
    output::table(
        &[
            "indicator",
            "value",
            "unit",
            "threshold",
            "status",
            "veto",
            "points",
            "source",
        ],
        &rows,
    );
    if let Some(score) = e.score {
        println!(
            "score {} of 100{}{}",
            num(score, 2),
            e.min_score
                .map(|m| format!(" (pass mark {m})"))
                .unwrap_or_default(),
            e.grade
                .as_ref()
                .map(|g| format!(", grade {g}"))
                .unwrap_or_default()
        );
    }
    println!("result: {}", if e.pass { "PASS" } else { "FAIL" });
    for reason in &e.reasons {
        println!("  - {reason}");
    }
    if !e.missing.is_empty() {
        println!(
            "missing (never counted as a pass): {}",
            e.missing.join(", ")
        );
    }
    if !r.gaps.is_empty() {
        println!("\nwhat would close the gaps:");
        for g in &r.gaps {
            println!("  {}{}:", g.indicator, if g.veto { " (veto)" } else { "" });
            for a in &g.actions {
                println!("    - {}", a.text);
                if !a.arithmetic.is_empty() {
                    println!("      {}", a.arithmetic);
                }
                if let Some(n) = &a.note {
                    println!("      note: {n}");
                }
            }
        }
    }
    if let Some(t) = &r.trajectory {
        println!("\ntrajectory:");
        print_trajectory(t);
    }
    for n in &r.inventory_notes {
        println!("note (accounts): {n}");
    }
}

fn print_trajectory(t: &[zp_app::evaluate::TrajectoryPoint]) {
    let rows: Vec<Vec<String>> = t
        .iter()
        .map(|p| {
            vec![
                p.year.to_string(),
                num(p.intensity_tco2_per_tce, 4),
                num(p.energy_tce, 1),
                num(p.allowed_tco2, 1),
                num(p.abatement_tco2, 1),
            ]
        })
        .collect();
    output::table(
        &[
            "year",
            "tCO2/tce",
            "energy tce",
            "allowed tCO2",
            "abatement tCO2",
        ],
        &rows,
    );
}

fn print_plan(r: &PlanReport) {
    let p = &r.plan;
    println!(
        "abatement plan {}: {} tCO2/tce in {} -> {} by {} (measures {} version {})",
        p.scope_id,
        num(p.base_intensity_tco2_per_tce, 4),
        p.base_year,
        p.target_tco2_per_tce,
        p.target_year,
        p.measures_set,
        p.measures_version
    );
    let status = match p.status {
        PlanStatus::AlreadyMet => "already met: nothing to buy",
        PlanStatus::Optimal => "cheapest portfolio reaching the target",
        PlanStatus::Infeasible => "target out of reach with these measures (deepest cut shown)",
    };
    println!("status: {status}");
    let rows: Vec<Vec<String>> = p
        .portfolio
        .iter()
        .map(|m| {
            vec![
                m.measure.clone(),
                format!("{} x {}", m.units, m.unit),
                num(m.avoided_tco2, 1),
                num(m.saved_tce, 1),
                num(m.annualised_cost_yuan, 0),
                num(m.capex_yuan, 0),
            ]
        })
        .collect();
    output::table(
        &[
            "measure",
            "units",
            "avoided tCO2/yr",
            "saved tce/yr",
            "cost yuan/yr",
            "capex yuan",
        ],
        &rows,
    );
    println!(
        "total {} yuan a year (capex {} yuan); intensity after {} tCO2/tce",
        num(p.total_annualised_cost_yuan, 0),
        num(p.total_capex_yuan, 0),
        opt_num(p.intensity_after_tco2_per_tce, 4)
    );
    for n in &p.notes {
        println!("note: {n}");
    }
    println!("\nmarginal abatement cost curve:");
    let rows: Vec<Vec<String>> = r
        .mac_curve
        .iter()
        .map(|m| {
            vec![
                m.measure.clone(),
                opt_num(m.cost_yuan_per_tco2, 0),
                num(m.units, 0),
                num(m.avoided_tco2, 0),
                num(m.cumulative_tco2, 0),
            ]
        })
        .collect();
    output::table(
        &["measure", "yuan/tCO2", "units", "tCO2/yr", "cumulative"],
        &rows,
    );
    println!("\ntrajectory:");
    print_trajectory(&r.trajectory);
}
