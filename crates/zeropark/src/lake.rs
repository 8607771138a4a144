//! `zeropark lake export`: the Parquet data lake that `report carbon-map --engine
//! datafusion|ballista://HOST:PORT` queries (`zp-lake`, `docs/scale.md`).

use crate::ctx::{Ctx, Fail, finish};
use crate::output;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zp_lake::LakeError;

/// Where a report that a lake plan also answers (`report carbon-map`, `report matching`)
/// is computed.
#[derive(Args)]
pub struct EngineArgs {
    /// Where the report is computed: `native` (the database and readings store),
    /// `datafusion` (in-process, over `--lake`) or `ballista://HOST:PORT` (a Ballista
    /// cluster, over `--lake`).
    #[arg(long, default_value = "native", value_parser = zp_lake::Engine::parse)]
    pub engine: zp_lake::Engine,
    /// The lake written by `zeropark lake export` (for `--engine datafusion|ballista://..`).
    #[arg(long)]
    pub lake: Option<PathBuf>,
}

/// The answer of a lake engine, or the command's end: a refusal (exit 2) when no lake was
/// given or the request is bad, a failure (exit 1) when the engine failed.
pub fn on_lake<T>(
    on: &EngineArgs,
    run: impl FnOnce(&std::path::Path) -> Result<T, LakeError>,
) -> Result<T, anyhow::Result<ExitCode>> {
    let Some(lake) = &on.lake else {
        return Err(Ok(crate::ctx::refuse(format!(
            "--engine {}: --lake DIR is required (written by `zeropark lake export`)",
            on.engine
        ))));
    };
    run(lake).map_err(|e| finish_lake(Err(e)))
}

#[derive(Subcommand)]
pub enum LakeCmd {
    /// Write readings, orgs, meters and grid factors as Parquet partitioned by
    /// region/year/month (local), with manifest.json; re-exporting replaces partitions.
    Export(LakeExportArgs),
}

#[derive(Args)]
pub struct LakeExportArgs {
    /// The lake directory.
    #[arg(long)]
    pub out: PathBuf,
    /// First local day YYYY-MM-DD (widened to its month's start).
    #[arg(long)]
    pub from: Option<String>,
    /// Last local day YYYY-MM-DD, inclusive (widened to its month's end).
    #[arg(long)]
    pub to: Option<String>,
    /// Most readings per Parquet file; a bigger partition is split into part-0, part-1, ...
    /// (the default, 2^27 rows, makes files of about 1 GB).
    #[arg(long, default_value_t = zp_lake::FILE_ROWS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub file_rows: usize,
}

/// A lake error as a command's end: a refused request (bad dates, a directory that is not
/// a lake, an unknown scope) exits 2; anything else (I/O, a query that failed) exits 1.
fn fail(e: LakeError) -> Fail {
    match e {
        LakeError::Invalid(m) | LakeError::NotFound(m) => Fail::Refused(m),
        LakeError::App(e) => e.into(),
        e => Fail::Other(e.into()),
    }
}

/// The exit status of a lake command.
pub fn finish_lake(r: Result<(), LakeError>) -> anyhow::Result<ExitCode> {
    finish(r.map_err(fail))
}

pub fn run(ctx: &Ctx, cmd: LakeCmd) -> anyhow::Result<ExitCode> {
    let LakeCmd::Export(a) = cmd;
    finish((|| {
        let mut store = ctx.open()?;
        let readings = ctx.readings()?;
        let out = zp_lake::export_lake(
            store.as_mut(),
            &ctx.caller(),
            &readings,
            &a.out,
            a.from.as_deref(),
            a.to.as_deref(),
            a.file_rows,
            &mut |line| eprintln!("{line}"),
        )
        .map_err(fail)?;
        output::either(ctx.json, &out, |o| {
            println!(
                "{}: {} .. {}: {} readings in {} partitions, {} files ({} bytes), {} enterprises, {} meters, {} hourly factors, {} certificate bundles",
                o.out,
                o.from,
                o.to,
                o.readings,
                o.partitions,
                o.files,
                o.readings_bytes,
                o.orgs,
                o.meters,
                o.grid_hourly,
                o.certificates
            );
        })?;
        Ok::<(), Fail>(())
    })())
}
