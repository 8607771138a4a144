//! `zeropark report cbam | ghg-inventory | park-annual`: a report model from `zp_app::reports`,
//! printed as JSON, summarised as a table, or written as JSON, PDF or Excel with `--out`.

use crate::ctx::{Ctx, Fail, credit_code, finish};
use crate::output;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::reports::{
    AllocationChoice, CbamReport, ElectricityOption, Lang, ReportFormat, ReportModel,
};

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Json,
    Pdf,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FactorArg {
    /// The Commission's country default (not shipped: refused with the reason).
    Default,
    /// The MEE provincial grid factor of the inventory (location-based).
    Provincial,
    /// Hourly-matched certificates at 0 tCO2/MWh, the rest provincial.
    Matched,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AllocationArg {
    /// By route when every product names a route with ledger rows, else by mass share.
    Auto,
    Route,
    Mass,
}

/// Where and how a report is written.
#[derive(Args)]
pub struct OutArgs {
    /// Output format (default: from the `--out` extension, else json).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write the report to this file instead of printing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args)]
pub struct CbamArgs {
    /// Enterprise (installation operator) credit code.
    #[arg(long)]
    pub org: String,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
    /// Emission factor of the electricity consumed.
    #[arg(long, value_enum, default_value = "provincial")]
    pub electricity_factor: FactorArg,
    /// How several products share the installation's emissions.
    #[arg(long, value_enum, default_value = "auto")]
    pub allocation: AllocationArg,
    /// Language of the texts (default en, for EU customers).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    #[command(flatten)]
    pub out: OutArgs,
}

// The year, language (default zh) and output of a report for Chinese readers, flattened
// into the commands that take them (a plain comment keeps their help as it was).
#[derive(Args)]
pub struct ZhReportArgs {
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: LangArg,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Args)]
pub struct GhgArgs {
    /// Enterprise credit code.
    #[arg(long)]
    pub org: String,
    #[command(flatten)]
    pub report: ZhReportArgs,
}

#[derive(Args)]
pub struct ParkAnnualArgs {
    /// Park name.
    #[arg(long)]
    pub park: String,
    #[command(flatten)]
    pub report: ZhReportArgs,
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

/// The format asked for, else the `--out` file's extension, else JSON.
fn format_of(out: &OutArgs) -> Result<ReportFormat, Fail> {
    if let Some(f) = out.format {
        return Ok(match f {
            FormatArg::Json => ReportFormat::Json,
            FormatArg::Pdf => ReportFormat::Pdf,
            FormatArg::Xlsx => ReportFormat::Xlsx,
        });
    }
    match out.out.as_ref().and_then(|p| p.extension()) {
        Some(ext) => ReportFormat::parse(&ext.to_string_lossy()).ok_or_else(|| {
            Fail::Refused(format!(
                "--out {}: give --format json, pdf or xlsx",
                out.out
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ))
        }),
        None => Ok(ReportFormat::Json),
    }
}

/// Writes `model` to `--out`, or prints it (JSON) or its summary.
pub(crate) fn emit<R: ReportModel>(
    ctx: &Ctx,
    model: &R,
    out: &OutArgs,
    summary: impl FnOnce(&R),
) -> Result<(), Fail> {
    let format = format_of(out)?;
    let Some(path) = &out.out else {
        if format != ReportFormat::Json {
            return Err(Fail::Refused(format!(
                "{} is a file format: give --out FILE",
                format.extension()
            )));
        }
        output::json(model)?;
        return Ok(());
    };
    let r = zp_app::reports::render(model, format)?;
    std::fs::write(path, &r.bytes)
        .map_err(|e| Fail::Other(anyhow::anyhow!("writing {}: {e}", path.display())))?;
    if ctx.json {
        output::json(&serde_json::json!({
            "out": path.display().to_string(),
            "format": format,
            "bytes": r.bytes.len(),
            "content_type": r.content_type,
        }))?;
    } else {
        println!(
            "{}: {} ({} bytes)",
            path.display(),
            r.file_name,
            r.bytes.len()
        );
        summary(model);
    }
    Ok(())
}

fn print_cbam(r: &CbamReport) {
    println!(
        "{} {} — CBAM embedded emissions, {} ({})",
        r.installation.name, r.installation.credit_code, r.year, r.allocation
    );
    let rows: Vec<Vec<String>> = r
        .goods
        .iter()
        .map(|g| {
            vec![
                g.cn_code.clone(),
                g.product.clone(),
                g.route.clone().unwrap_or_default(),
                output::num(g.quantity_t, 3),
                output::num(g.direct_tco2, 3),
                output::num(g.indirect_tco2, 3),
                output::num(g.see_direct_tco2_per_t, 6),
                output::num(g.see_indirect_tco2_per_t, 6),
                output::num(g.see_total_tco2_per_t, 6),
            ]
        })
        .collect();
    output::table(
        &[
            "CN",
            "product",
            "route",
            "t",
            "direct tCO2",
            "indirect tCO2",
            "SEE direct",
            "SEE indirect",
            "SEE total",
        ],
        &rows,
    );
    println!("electricity factor: {}", r.electricity_factor_justification);
    println!("allocation: {}", r.allocation_statement);
    for n in &r.notes {
        println!("note: {n}");
    }
}

pub fn cbam(ctx: &Ctx, a: &CbamArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let code = credit_code(&a.org, "--org")?;
        let option = match a.electricity_factor {
            FactorArg::Default => ElectricityOption::Default,
            FactorArg::Provincial => ElectricityOption::Provincial,
            FactorArg::Matched => ElectricityOption::Matched,
        };
        let allocation = match a.allocation {
            AllocationArg::Auto => AllocationChoice::Auto,
            AllocationArg::Route => AllocationChoice::Route,
            AllocationArg::Mass => AllocationChoice::Mass,
        };
        let mut store = ctx.open()?;
        let r = zp_app::reports::cbam_report(
            store.as_mut(),
            &ctx.caller(),
            &code,
            a.year,
            option,
            allocation,
            lang(a.lang),
        )?;
        if a.out.out.is_none() && a.out.format.is_none() && !ctx.json {
            print_cbam(&r);
            return Ok(());
        }
        emit(ctx, &r, &a.out, print_cbam)
    })())
}

pub fn ghg(ctx: &Ctx, a: &GhgArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let code = credit_code(&a.org, "--org")?;
        let mut store = ctx.open()?;
        let r = zp_app::reports::ghg_report(
            store.as_mut(),
            &ctx.caller(),
            &code,
            a.report.year,
            lang(a.report.lang),
        )?;
        emit(ctx, &r, &a.report.out, |r| {
            println!(
                "Scope 1 {} tCO2, Scope 2 {} (location) / {} (market) tCO2, {} sources, {} factors",
                output::num(r.totals.scope1_tco2, 3),
                output::num(r.totals.scope2_location_tco2, 3),
                output::num(r.totals.scope2_market_tco2, 3),
                r.sources.len(),
                r.factors.len()
            )
        })
    })())
}

pub fn park_annual(ctx: &Ctx, a: &ParkAnnualArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let mut store = ctx.open()?;
        let r = zp_app::reports::park_annual_report(
            store.as_mut(),
            &ctx.caller(),
            &a.park,
            a.report.year,
            lang(a.report.lang),
        )?;
        emit(ctx, &r, &a.report.out, |r| {
            println!(
                "{} {}: {} enterprises, {} tce, {} tCO2 (market), {} years in the trend",
                r.park.name,
                r.year,
                r.park.enterprises,
                output::num(r.summary.energy_tce, 3),
                output::num(r.summary.total_market_tco2, 3),
                r.trend.len()
            )
        })
    })())
}
