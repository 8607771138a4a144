//! `import readings`, `export readings` and `report carbon-map`: interval meter data and
//! the electricity-carbon map (电碳地图).

use crate::args::ScopeArgs;
use crate::ctx::{Ctx, actor};
use crate::lake::{EngineArgs, on_lake};
use crate::output;
use anyhow::{Context, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zp_app::ImportError;
use zp_app::readings::Resolution;
use zp_app::readings::{CarbonMapQuery, MapGroup, MapScope};

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Interval readings as Parquet (columns meter, ts, kwh).
    Readings(ExportReadingsArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Parquet,
}

#[derive(Args)]
pub struct ExportReadingsArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Output file (default readings.parquet).
    #[arg(long, default_value = "readings.parquet")]
    pub out: PathBuf,
    /// Only this meter.
    #[arg(long)]
    pub meter: Option<String>,
    /// First local day YYYY-MM-DD.
    #[arg(long)]
    pub from: Option<String>,
    /// Last local day YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ByArg {
    Hour,
    Day,
    Month,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GroupArg {
    Enterprise,
    Park,
    Industry,
}

#[derive(Args)]
pub struct CarbonMapArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// First local day YYYY-MM-DD.
    #[arg(long)]
    pub from: String,
    /// Last local day YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub to: String,
    #[arg(long, value_enum, default_value = "day")]
    pub by: ByArg,
    #[arg(long, value_enum, default_value = "enterprise")]
    pub group: GroupArg,
    #[command(flatten)]
    pub on: EngineArgs,
}

/// `zeropark import readings FILE`.
pub fn import(ctx: &Ctx, file: &Path) -> anyhow::Result<ExitCode> {
    let (db, json) = (ctx.db.as_str(), ctx.json);
    let mut store = zp_app::open(db).with_context(|| format!("opening database {db}"))?;
    let mut readings = ctx.readings()?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = if json || !std::io::stderr().is_terminal() || size < 16 << 20 {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(size);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        b.set_message(file.display().to_string());
        b
    };
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total.max(1));
        bar.set_position(done);
    };
    let result = zp_app::readings::import_readings(
        store.as_mut(),
        &mut readings,
        &zp_app::Caller::operator(actor()),
        file,
        &file.display().to_string(),
        None,
        &mut progress,
    );
    bar.finish_and_clear();
    let c = match result {
        Ok(c) => c,
        Err(ImportError::Read(e)) => {
            return Ok(crate::ctx::refuse(e));
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        output::json(&c)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: read {}, accepted {} (of which {} duplicates, {} restated), quarantined {}; {} meters, {} missing intervals",
        file.display(),
        c.read,
        c.accepted,
        c.duplicates,
        c.restated,
        c.quarantined,
        c.meters,
        c.missing_intervals
    );
    for g in c.gaps.iter().take(10) {
        let first = g
            .ranges
            .first()
            .map(|r| format!(", first {} .. {}", r[0], r[1]))
            .unwrap_or_default();
        eprintln!(
            "  gap: meter {} misses {} {}-minute intervals{first}",
            g.meter, g.missing_intervals, g.interval_minutes
        );
    }
    if c.quarantined > 0 {
        output::quarantined_rows(store.as_mut(), file)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `zeropark export readings`.
pub fn export(ctx: &Ctx, cmd: ExportCmd) -> anyhow::Result<ExitCode> {
    let json = ctx.json;
    let ExportCmd::Readings(a) = cmd;
    let ExportFormat::Parquet = a.format;
    let readings = ctx.readings()?;
    let out = zp_app::readings::export_readings(
        &readings,
        &a.out,
        a.meter.as_deref(),
        a.from.as_deref(),
        a.to.as_deref(),
    )?;
    output::either(json, &out, |_| {
        println!("{}: {} readings", out.file, out.readings);
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `zeropark report carbon-map`.
pub fn carbon_map(ctx: &Ctx, a: CarbonMapArgs) -> anyhow::Result<ExitCode> {
    let (db, json) = (ctx.db.as_str(), ctx.json);
    let scope = match (&a.scope.org, &a.scope.park, &a.scope.region) {
        (Some(o), _, _) => MapScope::Org(
            zp_domain::CreditCode::parse(o.trim()).map_err(|e| anyhow!("--org {o:?}: {e}"))?,
        ),
        (_, Some(p), _) => MapScope::Park(p.clone()),
        (_, _, Some(r)) => MapScope::Region(
            zp_domain::Region::parse(r).map_err(|e| anyhow!("--region {r:?}: {e}"))?,
        ),
        _ => return Err(anyhow!("one of --org, --park or --region is required")),
    };
    let q = CarbonMapQuery {
        scope,
        from: a.from,
        to: a.to,
        by: match a.by {
            ByArg::Hour => Resolution::Hour,
            ByArg::Day => Resolution::Day,
            ByArg::Month => Resolution::Month,
        },
        group: match a.group {
            GroupArg::Enterprise => MapGroup::Enterprise,
            GroupArg::Park => MapGroup::Park,
            GroupArg::Industry => MapGroup::Industry,
        },
    };
    let map = if a.on.engine == zp_lake::Engine::Native {
        let mut store = zp_app::open(db).with_context(|| format!("opening database {db}"))?;
        let readings = ctx.readings()?;
        zp_app::readings::carbon_map(store.as_mut(), &zp_app::Access::All, &readings, &q)?
    } else {
        // The lake engines refuse bad requests with exit 2, like `lake export`.
        match on_lake(&a.on, |lake| {
            zp_lake::lake_carbon_map(lake, &a.on.engine, &q)
        }) {
            Ok(map) => map,
            Err(end) => return end,
        }
    };
    if json {
        output::json(&map)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = map
        .rows
        .iter()
        .map(|r| {
            vec![
                r.group.clone(),
                r.name.clone(),
                r.period.clone(),
                output::num(r.consumption_mwh, 3),
                output::num(r.generation_mwh, 3),
                output::num(r.grid_import_mwh, 3),
                output::num(r.emissions_tco2, 3),
                r.factor_source.to_string(),
            ]
        })
        .collect();
    output::table(
        &[
            map.group,
            "name",
            "period",
            "consumption_mwh",
            "generation_mwh",
            "grid_import_mwh",
            "emissions_tco2",
            "factor",
        ],
        &rows,
    );
    println!(
        "total: {} MWh consumed, {} MWh generated, {} MWh from the grid, {} tCO2 ({} enterprises, {} meters)",
        output::num(map.totals.consumption_mwh, 3),
        output::num(map.totals.generation_mwh, 3),
        output::num(map.totals.grid_import_mwh, 3),
        output::num(map.totals.emissions_tco2, 3),
        map.enterprises,
        map.meters
    );
    for n in &map.notes {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
