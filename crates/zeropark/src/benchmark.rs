//! `report benchmark` (product energy intensity against the limit standards' levels and
//! peers) and `report footprint` (a product's cradle-to-gate carbon footprint by stage).
//! The imports (`import energy-limits`, `import materials`) go through `cli::import`.
//! Refusals (no production records, unknown product) exit 2 with the reason on stderr.

use crate::ctx::{Ctx, Fail, credit_code, finish};
use crate::output::{self, num, opt_num};
use clap::{Args, ValueEnum};
use std::process::ExitCode;
use zp_app::benchmark::BenchmarkReport;
use zp_app::footprint::FootprintReport;

#[derive(Args)]
pub struct BenchmarkArgs {
    /// Enterprise credit code.
    #[arg(long)]
    pub org: String,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FootprintAllocation {
    /// By route when every product names a route with ledger rows, else by mass.
    Route,
    /// By output mass share.
    Mass,
}

#[derive(Args)]
pub struct FootprintArgs {
    /// Enterprise credit code.
    #[arg(long)]
    pub org: String,
    /// The product's name (as in production records) or its CN code.
    #[arg(long)]
    pub product: String,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
    /// How the enterprise's emissions are shared between its products.
    #[arg(long, value_enum, default_value = "mass")]
    pub allocation: FootprintAllocation,
}

fn print_benchmark(r: &BenchmarkReport) {
    println!(
        "{} {} {}: {} tce; allocation {}",
        r.name,
        r.credit_code,
        r.year,
        num(r.energy_tce, 3),
        r.allocation_statement
    );
    output::table_of(
        &[
            "product",
            "CN",
            "t",
            "tce",
            "kgce/t",
            "standard",
            "L1",
            "L2",
            "L3",
            "level",
            "park rank",
            "region rank",
        ],
        &r.products,
        |p| {
            let rank = |g: &Option<zp_app::benchmark::PeerGroup>| {
                g.as_ref()
                    .map(|g| format!("{}/{}", g.stats.rank, g.stats.count))
                    .unwrap_or_else(|| "-".into())
            };
            vec![
                p.product.clone(),
                p.cn_code.clone(),
                num(p.output_t, 3),
                num(p.energy_tce, 3),
                opt_num(p.intensity_kgce_per_t, 3),
                p.standard
                    .as_ref()
                    .map(|s| s.standard.clone())
                    .unwrap_or_else(|| "-".into()),
                opt_num(p.standard.as_ref().map(|s| s.level1_kgce_per_t), 3),
                opt_num(p.standard.as_ref().map(|s| s.level2_kgce_per_t), 3),
                opt_num(p.standard.as_ref().map(|s| s.level3_kgce_per_t), 3),
                p.level.clone().unwrap_or_else(|| "-".into()),
                rank(&p.peers_park),
                rank(&p.peers_region),
            ]
        },
    );
    for p in &r.products {
        if let Some(s) = &p.standard {
            println!("{} levels: {} ({})", p.product, s.source, s.imported_from);
        }
    }
    for n in &r.notes {
        println!("note: {n}");
    }
}

pub fn benchmark(ctx: &Ctx, a: &BenchmarkArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let code = credit_code(&a.org, "--org")?;
        let mut store = ctx.open()?;
        let r = zp_app::benchmark::benchmark_report(store.as_mut(), &ctx.caller(), &code, a.year)?;
        output::either(ctx.json, &r, print_benchmark).map_err(Fail::Other)
    })())
}

fn print_footprint(r: &FootprintReport) {
    println!(
        "{} {} — {} ({}) {}: {} t, {} tCO2e, {} kgCO2e/t (cradle to gate; {})",
        r.name,
        r.credit_code,
        r.product,
        r.cn_code,
        r.year,
        num(r.footprint.output_t, 3),
        num(r.footprint.total_tco2e, 3),
        num(r.footprint.total_kgco2e_per_t, 3),
        r.allocation_statement
    );
    output::table_of(&["stage", "tCO2e", "kgCO2e/t"], &r.footprint.stages, |s| {
        vec![
            s.stage.to_string(),
            num(s.emissions_tco2e, 3),
            num(s.kgco2e_per_t, 3),
        ]
    });
    for m in &r.footprint.materials {
        println!(
            "material {}: {} [{}]",
            m.input.material, m.formula, m.input.source
        );
    }
    for n in &r.notes {
        println!("note: {n}");
    }
}

pub fn footprint(ctx: &Ctx, a: &FootprintArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let code = credit_code(&a.org, "--org")?;
        let mut store = ctx.open()?;
        let r = zp_app::footprint::footprint_report(
            store.as_mut(),
            &ctx.caller(),
            &code,
            &a.product,
            a.year,
            matches!(a.allocation, FootprintAllocation::Route),
        )?;
        output::either(ctx.json, &r, print_footprint).map_err(Fail::Other)
    })())
}
