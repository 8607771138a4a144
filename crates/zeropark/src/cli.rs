//! Command-line arguments and dispatch.

use crate::args::{FactorsCmd, GridFactorArg, ScopeArgs};
use crate::ctx::{Ctx, actor, open};
use crate::{output, registry, reports};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::QuarantineFilter;
use zp_app::{ImportError, ImportKind};

#[derive(Parser)]
#[command(
    name = "zeropark",
    version,
    about = "Dual-carbon (双碳) energy and carbon management for parks and regions"
)]
pub struct Cli {
    /// Database: a SQLite file path or a postgres:// URL.
    #[arg(
        long,
        global = true,
        env = "ZEROPARK_DB",
        default_value = "zeropark.db"
    )]
    pub db: String,
    /// Print one JSON document instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// Directory of the interval readings store (default `<db>.readings`, or
    /// `zeropark.readings` for a postgres:// database).
    #[arg(long, global = true, env = "ZEROPARK_READINGS_DIR")]
    pub readings_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Import a CSV or XLSX file.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Reports: inventories.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Granular certificate registry: issue, GEC import, hourly matching, lifecycle,
    /// verify, evidence.
    #[command(subcommand)]
    Certs(crate::certs::CertsCmd),
    /// Export data: interval readings as Parquet.
    #[command(subcommand)]
    Export(crate::readings::ExportCmd),
    /// The Parquet data lake (readings and registry tables, partitioned by region/year/month)
    /// that DataFusion and Ballista query.
    #[command(subcommand)]
    Lake(crate::lake::LakeCmd),
    /// Streaming ingestion: interval readings from an MQTT broker.
    #[command(subcommand)]
    Ingest(crate::ingest::IngestCmd),
    /// Rows that failed validation.
    #[command(subcommand)]
    Quarantine(QuarantineCmd),
    /// Re-select factors of every issued inventory from the current catalog and report
    /// what changes (applies the changes unless --dry-run).
    Recompute {
        #[arg(long)]
        dry_run: bool,
    },
    /// The factor catalog.
    #[command(subcommand)]
    Factors(FactorsCmd),
    /// Enterprises (registry).
    #[command(subcommand)]
    Orgs(registry::OrgsCmd),
    /// Parks (registry).
    #[command(subcommand)]
    Parks(registry::ParksCmd),
    /// Provincial regions and their codes.
    Regions,
    /// Sites of an enterprise.
    #[command(subcommand)]
    Sites(registry::SitesCmd),
    /// Designations: green factory, green park, zero-carbon park, ...
    #[command(subcommand)]
    Designations(registry::DesignationsCmd),
    /// Recent imports and their counts; `imports revert ID` rolls an activity import back.
    Imports {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[command(subcommand)]
        action: Option<ImportsCmd>,
    },
    /// The audit log of changes, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Evaluations: zero-carbon park, green factory, near-zero pilot, ESG; gaps and plans.
    #[command(subcommand)]
    Evaluate(crate::evaluate::EvaluateCmd),
    /// Climate investment and financing: projects, products, matching, loans, MRV, reports.
    #[command(subcommand)]
    Finance(crate::finance::FinanceCmd),
    /// Carbon asset registry: allowances, CCER, local and carbon-inclusion credits;
    /// allocate, issue, transfer, pledge, release, surrender, cancel, balances, verify.
    #[command(subcommand)]
    Assets(crate::assets::AssetsCmd),
    /// Compliance (履约): verified emissions, deadlines, status per scheme, enterprise, year.
    #[command(subcommand)]
    Compliance(crate::assets::ComplianceCmd),
    /// The regional trading venue: limit orders per kind and vintage, cancel, book,
    /// trades, daily open/high/low/close/volume; settled in the asset registry.
    #[command(subcommand)]
    Market(crate::market::MarketCmd),
    /// Carbon inclusion (碳普惠): methodologies, participants, action imports, issuance of
    /// whole-tonne credits with the remainder carried, accounts, redemption.
    #[command(subcommand)]
    Inclusion(crate::inclusion::InclusionCmd),
    /// China's working-day calendar (holidays and make-up working days, 2023-2026).
    #[command(subcommand)]
    Calendar(crate::waste::CalendarCmd),
    /// Hazardous waste transfers across provinces: apply, decide, status, manifests (联单),
    /// permits and whitelist imports.
    Waste(crate::waste::WasteArgs),
    /// Demand flexibility: day-ahead battery plans against the tariff and grid factors.
    #[command(subcommand)]
    Flex(crate::energy::FlexCmd),
    /// Yearly energy and carbon budgets (碳排放双控): set, backtest the forecast.
    #[command(subcommand)]
    Budget(crate::budget::BudgetCmd),
    /// Energy and carbon assessment of proposed projects (节能审查) and their register.
    #[command(subcommand)]
    Assess(crate::assess::AssessCmd),
    /// Buildings (建筑): a site as a building, the energy standard's values, the league table.
    #[command(subcommand)]
    Buildings(crate::buildings::BuildingsCmd),
    /// Early warning (预警): meters off their baseline, budgets heading over; webhooks.
    #[command(subcommand)]
    Alerts(crate::centre::AlertsCmd),
    /// Online backup of the database and the readings store into a new directory.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new database (`--db`, either backend) and readings directory.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Create the database (if needed) and apply migrations.
    Migrate,
    /// Create (or reuse) the demo park: 34 enterprises, a year of ledgers, designations.
    Demo {
        /// Folder for the demo database and its source files.
        #[arg(long, default_value = "zeropark-demo")]
        dir: PathBuf,
        #[command(flatten)]
        serve: crate::demo::DemoServe,
    },
    /// Serve the web UI and the JSON API (/api/v1) on the database.
    Serve(crate::serve::ServeArgs),
    /// Accounts of the web UI and API.
    #[command(subcommand)]
    Users(crate::serve::UsersCmd),
}

#[derive(Subcommand)]
pub enum ImportsCmd {
    /// Roll a stored activity import back: its restated values return to the previous
    /// ones, its new rows are withdrawn (audited). Ids as listed by `zeropark imports`.
    Revert { id: i64 },
}

/// The file of an import, and whether to only show what importing it would do.
#[derive(clap::Args)]
pub struct ImportFile {
    pub file: PathBuf,
    /// Show what the import would do (the counts it would report, each restatement as
    /// old -> new, the rows it would quarantine) and store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Enterprises: credit_code,name,region,park,industry.
    Orgs(ImportFile),
    /// Monthly energy ledgers: credit_code,period,carrier,quantity,unit.
    Activity(ImportFile),
    /// Meters: meter,credit_code,kind,source[,site] (kind consumption, generation, battery_charge or battery_discharge).
    Meters(ImportFile),
    /// Hourly grid factors: region,ts,tco2_per_mwh[,cfe_share].
    GridHourly(ImportFile),
    /// Interval meter readings: meter,ts,kwh (CSV or Parquet).
    Readings(ImportFile),
    /// Indicator data for evaluations: scope_id,indicator,period,value,unit,evidence.
    Indicators(ImportFile),
    /// Time-of-use tariffs: region,category,valid_from,months,start,end,period,yuan_per_kwh
    /// (each month's bands must tile the day; the file is accepted whole or refused).
    Tariffs(ImportFile),
    /// Production records for CBAM: credit_code,period,product,cn_code,quantity_t[,route].
    Production(ImportFile),
    /// Levels of the energy-consumption limit standards (单位产品能源消耗限额), kgce/t:
    /// standard,product,unit,level1,level2,level3,source (source required).
    EnergyLimits(ImportFile),
    /// Purchased materials of products for footprints:
    /// credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source.
    Materials(ImportFile),
    /// A user factor set (e.g. a new MEE/NBS notice).
    Factors {
        #[command(flatten)]
        file: ImportFile,
        /// Name of the new set (immutable once imported).
        #[arg(long)]
        set: String,
    },
}

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Energy and GHG inventory of an enterprise, a park or a region.
    Inventory {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, value_parser = crate::args::year)]
        year: i32,
        /// Location-based factor: the enterprise's province (default) or the national average.
        #[arg(long, value_enum, default_value = "provincial")]
        grid_factor: GridFactorArg,
        /// Electricity to tce: GB/T 2589's calorific 0.1229 kgce/kWh (当量值, default) or the
        /// year's coal-equivalent (等价值) from the factor catalog.
        #[arg(long, value_enum, default_value = "calorific")]
        electricity_tce: crate::args::ElectricityTceArg,
        /// Also print each carrier's input rows.
        #[arg(long)]
        lineage: bool,
    },
    /// Electricity-carbon map (电碳地图): hourly metered grid import x hourly grid factor.
    CarbonMap(crate::readings::CarbonMapArgs),
    /// Hourly matching of an enterprise's metered load with certificates retired for it:
    /// load_mwh, matched_mwh, cfe_score, annual_match_ratio.
    Matching {
        /// Enterprise credit code.
        #[arg(long)]
        org: String,
        #[command(flatten)]
        days: crate::certs::DaysArgs,
        #[command(flatten)]
        on: crate::lake::EngineArgs,
    },
    /// Time-of-use electricity bill of an enterprise for a month, from its metered readings.
    Bill(crate::energy::BillArgs),
    /// EU CBAM embedded emissions of an enterprise's goods: direct and indirect tCO2 and
    /// specific embedded emissions per tonne, per product and CN code.
    Cbam(crate::reports_cmd::CbamArgs),
    /// GHG inventory report (GB/T 32150, ISO 14064-1) of an enterprise as PDF, Excel or JSON.
    GhgInventory(crate::reports_cmd::GhgArgs),
    /// Annual dual-carbon report of a park as PDF, Excel or JSON.
    ParkAnnual(crate::reports_cmd::ParkAnnualArgs),
    /// Budget against actual of an enterprise, park or region, with the year-end forecast
    /// and a warning when it exceeds the budget.
    Budget(crate::budget::ReportArgs),
    /// A building's year: energy-use intensity (kWh/m2) and carbon (kgCO2/m2) against the
    /// civil-building energy standard's constraint and guide values.
    Building(crate::buildings::BuildingArgs),
    /// A retrofit's saving between two years of a building, normalised by degree days.
    Retrofit(crate::buildings::RetrofitArgs),
    /// Energy flow (能流) of an enterprise or a park: sources, the meter tree, end uses and
    /// the unmetered remainder of every master meter: {nodes, links, losses}.
    EnergyFlow(crate::centre::FlowArgs),
    /// Product energy intensity (kgce/t) against the limit standards' levels and peers of
    /// the same product in the park and region.
    Benchmark(crate::benchmark::BenchmarkArgs),
    /// A product's cradle-to-gate carbon footprint by stage (GB/T 24067 / ISO 14067).
    Footprint(crate::benchmark::FootprintArgs),
    /// Hazardous waste transfers of a province in a year: approvals, tonnes by code and
    /// route, median approval working days, whitelist share, manifests.
    Waste {
        /// Province code (e.g. CQ).
        #[arg(long)]
        region: String,
        #[arg(long, value_parser = crate::args::year)]
        year: i32,
        /// Judge overdue applications as of this day (default today, Asia/Shanghai).
        #[arg(long)]
        as_of: Option<zp_domain::time::Date>,
    },
}

#[derive(Subcommand)]
pub enum QuarantineCmd {
    List {
        /// Only this import kind (orgs, activity, ...).
        #[arg(long)]
        kind: Option<String>,
        /// Only rows of this file (as given at import).
        #[arg(long)]
        file: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let json = cli.json;
    let ctx = Ctx::new(cli.db.clone(), json, cli.readings_dir.clone());
    match cli.command {
        Command::Report(ReportCmd::CarbonMap(a)) => crate::readings::carbon_map(&ctx, a),
        Command::Export(cmd) => crate::readings::export(&ctx, cmd),
        Command::Lake(cmd) => crate::lake::run(&ctx, cmd),
        Command::Ingest(cmd) => crate::ingest::run(&ctx, cmd),
        Command::Certs(cmd) => crate::certs::run(&ctx, cmd),
        Command::Report(ReportCmd::Matching { org, days, on }) => {
            crate::certs::matching_report(&ctx, &org, &days, &on)
        }
        Command::Import(cmd) => import(&ctx, cmd),
        Command::Report(ReportCmd::Bill(a)) => crate::energy::bill(&ctx, &a),
        Command::Report(ReportCmd::Cbam(a)) => crate::reports_cmd::cbam(&ctx, &a),
        Command::Report(ReportCmd::GhgInventory(a)) => crate::reports_cmd::ghg(&ctx, &a),
        Command::Report(ReportCmd::ParkAnnual(a)) => crate::reports_cmd::park_annual(&ctx, &a),
        Command::Flex(cmd) => crate::energy::flex(&ctx, cmd),
        Command::Budget(cmd) => crate::budget::run(&ctx, cmd),
        Command::Report(ReportCmd::Budget(a)) => crate::budget::report(&ctx, &a),
        Command::Assess(cmd) => crate::assess::run(&ctx, cmd),
        Command::Buildings(cmd) => crate::buildings::run(&ctx, cmd),
        Command::Report(ReportCmd::Building(a)) => crate::buildings::report(&ctx, &a),
        Command::Report(ReportCmd::Retrofit(a)) => crate::buildings::retrofit(&ctx, &a),
        Command::Report(ReportCmd::EnergyFlow(a)) => crate::centre::flow(&ctx, &a),
        Command::Alerts(cmd) => crate::centre::alerts(&ctx, cmd),
        Command::Backup { out } => crate::backup::backup(&ctx, &out),
        Command::Restore { from } => crate::backup::restore(&ctx, &from),
        Command::Report(ReportCmd::Benchmark(a)) => crate::benchmark::benchmark(&ctx, &a),
        Command::Report(ReportCmd::Footprint(a)) => crate::benchmark::footprint(&ctx, &a),
        Command::Report(ReportCmd::Inventory {
            scope,
            year,
            grid_factor,
            electricity_tce,
            lineage,
        }) => {
            let mut store = open(&cli.db)?;
            let opts = reports::InventoryOpts {
                grid: grid_factor,
                electricity_tce,
                lineage,
            };
            reports::inventory(store.as_mut(), &scope, year, opts, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Quarantine(QuarantineCmd::List { kind, file, limit }) => {
            let mut store = open(&cli.db)?;
            let rows = store.quarantine(&QuarantineFilter { kind, file, limit })?;
            if json {
                output::json(&rows)?;
            } else {
                let t: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.kind.clone(),
                            r.file.clone(),
                            r.row.to_string(),
                            r.field.clone(),
                            r.reason.clone(),
                        ]
                    })
                    .collect();
                output::table(&["kind", "file", "row", "field", "reason"], &t);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Recompute { dry_run } => {
            let mut store = open(&cli.db)?;
            reports::recompute(store.as_mut(), dry_run, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Factors(cmd) => {
            let mut store = open(&cli.db)?;
            reports::factors(store.as_mut(), cmd, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Orgs(cmd) => registry::orgs(open(&cli.db)?.as_mut(), cmd, json),
        Command::Parks(cmd) => registry::parks(open(&cli.db)?.as_mut(), cmd, json),
        Command::Regions => registry::regions(json),
        Command::Sites(cmd) => registry::sites(open(&cli.db)?.as_mut(), cmd, json),
        Command::Designations(cmd) => registry::designations(open(&cli.db)?.as_mut(), cmd, json),
        Command::Imports {
            action: Some(ImportsCmd::Revert { id }),
            ..
        } => {
            let caller = zp_app::Caller::operator(crate::ctx::actor());
            let r = zp_app::revert_import(open(&cli.db)?.as_mut(), &caller, id)?;
            if json {
                output::json(&r)?;
            } else {
                println!(
                    "import {}: {} restated value(s) restored, {} added row(s) withdrawn",
                    r.batch, r.restored, r.withdrawn
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Imports { limit, .. } => {
            let rows = open(&cli.db)?.batches(limit)?;
            if json {
                output::json(&rows)?;
            } else {
                let t: Vec<Vec<String>> = rows
                    .iter()
                    .map(|b| {
                        let c = b.counts;
                        vec![
                            b.id.to_string(),
                            b.imported_at.clone(),
                            b.kind.clone(),
                            b.file.clone(),
                            c.read.to_string(),
                            c.accepted.to_string(),
                            c.quarantined.to_string(),
                            c.duplicates.to_string(),
                            c.restated.to_string(),
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "id",
                        "at",
                        "kind",
                        "file",
                        "read",
                        "accepted",
                        "quarantined",
                        "duplicates",
                        "restated",
                    ],
                    &t,
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { limit } => {
            let rows = open(&cli.db)?.audit(limit)?;
            if json {
                output::json(&rows)?;
            } else {
                let t: Vec<Vec<String>> = rows
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.to_string(),
                            a.at.clone(),
                            a.actor.clone(),
                            a.action.clone(),
                            a.entity.clone(),
                            a.entity_id.clone(),
                        ]
                    })
                    .collect();
                output::table(&["id", "at", "actor", "action", "entity", "id"], &t);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { dir, serve } => crate::demo::run(&dir, json, &serve),
        Command::Serve(args) => crate::serve::run(&ctx, &args),
        Command::Users(cmd) => crate::serve::users(&cli.db, cmd, json),
        Command::Evaluate(cmd) => crate::evaluate::run(open(&cli.db)?.as_mut(), cmd, json),
        Command::Finance(cmd) => crate::finance::run(&ctx, open(&cli.db)?.as_mut(), cmd),
        Command::Assets(cmd) => crate::assets::run(open(&cli.db)?.as_mut(), actor(), cmd, json),
        Command::Market(cmd) => crate::market::run(open(&cli.db)?.as_mut(), actor(), cmd, json),
        Command::Inclusion(cmd) => {
            crate::inclusion::run(open(&cli.db)?.as_mut(), actor(), cmd, json)
        }
        Command::Compliance(cmd) => {
            crate::assets::run_compliance(open(&cli.db)?.as_mut(), actor(), cmd, json)
        }
        Command::Calendar(cmd) => crate::waste::calendar(cmd, json),
        Command::Waste(args) => crate::waste::run(open(&cli.db)?.as_mut(), actor(), args, json),
        Command::Report(ReportCmd::Waste {
            region,
            year,
            as_of,
        }) => crate::waste::report(open(&cli.db)?.as_mut(), actor(), &region, year, as_of, json),
        Command::Migrate => {
            let mut store = open(&cli.db)?;
            let applied = store.migrate()?;
            if json {
                output::json(&serde_json::json!({ "db": cli.db, "applied": applied }))?;
            } else {
                println!("{}: schema up to date", cli.db);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import(ctx: &Ctx, cmd: ImportCmd) -> anyhow::Result<ExitCode> {
    let (db, json) = (ctx.db.as_str(), ctx.json);
    let caller = ctx.caller();
    let (kind, f, set) = match &cmd {
        ImportCmd::Orgs(f) => (ImportKind::Orgs, f, None),
        ImportCmd::Activity(f) => (ImportKind::Activity, f, None),
        ImportCmd::Meters(f) => (ImportKind::Meters, f, None),
        ImportCmd::GridHourly(f) => (ImportKind::GridHourly, f, None),
        ImportCmd::Readings(f) if f.dry_run => return crate::dry_run::readings(ctx, &f.file),
        ImportCmd::Readings(f) => return crate::readings::import(ctx, &f.file),
        ImportCmd::Tariffs(f) if f.dry_run => return crate::dry_run::tariffs(ctx, &f.file),
        ImportCmd::Tariffs(f) => return crate::energy::import_tariffs(ctx, &f.file),
        ImportCmd::Production(f) => (ImportKind::Production, f, None),
        ImportCmd::EnergyLimits(f) => (ImportKind::EnergyLimits, f, None),
        ImportCmd::Materials(f) => (ImportKind::Materials, f, None),
        ImportCmd::Indicators(f) => (ImportKind::Indicators, f, None),
        ImportCmd::Factors { file: f, set } => (ImportKind::Factors, f, Some(set.as_str())),
    };
    let mut store = open(db)?;
    if f.dry_run {
        return crate::dry_run::table(store.as_mut(), &caller, kind, &f.file, set, json);
    }
    let file = &f.file;
    if let Some(set) = set {
        return match zp_app::import_factor_set(store.as_mut(), file, set, &caller.actor) {
            Ok(n) => {
                if json {
                    output::json(&serde_json::json!({ "set": set, "factors": n }))?;
                } else {
                    println!(
                        "{}: factor set {set:?} with {n} factors imported; issued inventories keep their factors until `zeropark recompute`",
                        file.display()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(ImportError::Read(e)) => Ok(crate::ctx::refuse(e)),
            Err(e) => Err(e.into()),
        };
    }
    let result = zp_app::import_file(
        store.as_mut(),
        &caller,
        kind,
        file,
        zp_app::Limits::default(),
        set,
    )
    .map(|o| o.counts);
    match result {
        Ok(c) => {
            if json {
                output::json(&c)?;
            } else {
                println!("{}", output::import_summary(file, &c));
                if c.quarantined > 0 {
                    output::quarantined_rows(store.as_mut(), file)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Read(e)) => Ok(crate::ctx::refuse(e)),
        Err(e) => Err(e.into()),
    }
}
