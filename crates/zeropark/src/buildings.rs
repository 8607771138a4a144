//! `buildings set|list|standards`, `report building` and `report retrofit`: a site as a
//! building (type, floor area, climate zone, stars), its energy-use intensity and carbon per
//! m2 against the civil-building energy standard's values (imported with their source), and
//! a retrofit's weather-normalised saving. Refusals exit 2 with the reason on stderr.

use crate::ctx::{Ctx, Fail, finish};
use crate::output::{self, num, opt_num};
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::buildings as uc;
use zp_domain::CreditCode;

#[derive(Subcommand)]
pub enum BuildingsCmd {
    /// Register a site of an enterprise as a building (again: update it).
    Set(SetArgs),
    /// The buildings in scope with a year's intensity, most energy-intensive first.
    List {
        /// Year of the figures (default: last year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Import the standard's constraint and guide values per type and climate zone: CSV or
    /// .xlsx with type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source.
    Standards { file: PathBuf },
}

#[derive(Args)]
pub struct SetArgs {
    /// The building's site name: its ledger rows' and meters' `site`.
    #[arg(long)]
    pub site: String,
    /// The enterprise's credit code.
    #[arg(long)]
    pub org: String,
    /// office, hotel, shopping_centre, school, hospital or data_centre.
    #[arg(long = "type")]
    pub kind: String,
    #[arg(long)]
    pub floor_area_m2: Decimal,
    /// severe_cold, cold, hot_summer_cold_winter, hot_summer_warm_winter or mild.
    #[arg(long)]
    pub climate_zone: String,
    /// Green-building star rating (1-3), if rated.
    #[arg(long)]
    pub stars: Option<u8>,
}

#[derive(Args)]
pub struct BuildingArgs {
    /// The building's site name.
    #[arg(long)]
    pub site: String,
    #[arg(long)]
    pub year: i32,
    /// The report as PDF or Excel (`--out FILE.pdf|.xlsx`).
    #[command(flatten)]
    pub out: crate::reports_cmd::OutArgs,
}

#[derive(Args)]
pub struct RetrofitArgs {
    #[arg(long)]
    pub site: String,
    /// The year before the retrofit.
    #[arg(long)]
    pub before: i32,
    /// The year after it.
    #[arg(long)]
    pub after: i32,
    /// Degree days of the year before (heating, cooling or both, as you state them); with
    /// --degree-days-after the year before is scaled to the weather of the year after.
    #[arg(long, requires = "degree_days_after")]
    pub degree_days_before: Option<Decimal>,
    #[arg(long, requires = "degree_days_before")]
    pub degree_days_after: Option<Decimal>,
}

/// `zeropark buildings ...`.
pub fn run(ctx: &Ctx, cmd: BuildingsCmd) -> anyhow::Result<ExitCode> {
    finish(match cmd {
        BuildingsCmd::Set(a) => set(ctx, &a),
        BuildingsCmd::List { year } => list(ctx, year),
        BuildingsCmd::Standards { file } => standards(ctx, &file),
    })
}

fn set(ctx: &Ctx, a: &SetArgs) -> Result<(), Fail> {
    let org = CreditCode::parse(a.org.trim())
        .map_err(|e| zp_app::AppError::Invalid(format!("org {:?}: {e}", a.org)))?;
    let mut store = ctx.open()?;
    let input = uc::BuildingInput {
        site: a.site.clone(),
        org,
        kind: a.kind.clone(),
        floor_area_m2: a.floor_area_m2,
        climate_zone: a.climate_zone.clone(),
        stars: a.stars,
    };
    let r = uc::set_building(store.as_mut(), &ctx.caller(), &input)?;
    let out = serde_json::json!({"site": a.site.trim(), "result": r});
    output::either(ctx.json, &out, |_| {
        println!("building {}: {r:?}", a.site.trim())
    })?;
    Ok(())
}

fn list(ctx: &Ctx, year: Option<i32>) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let readings = ctx.readings()?;
    let year = year.unwrap_or_else(uc::last_full_year);
    let rows = uc::league(store.as_mut(), &ctx.caller(), Some(&readings), year)?;
    output::either(ctx.json, &rows, |rows| {
        output::table_of(
            &["site", "org", "type", "m2", "kWh/m2", "kgCO2/m2", "rating"],
            rows,
            |r| {
                let b = &r.building;
                let rep = r.report.as_ref();
                vec![
                    b.site.clone(),
                    b.credit_code.to_string(),
                    b.kind.clone(),
                    num(b.floor_area_m2, 0),
                    opt_num(rep.map(|x| x.energy_kwh_per_m2), 1),
                    opt_num(rep.map(|x| x.carbon_kgco2_per_m2), 1),
                    rep.and_then(|x| x.rating)
                        .map(|x| x.name_zh().to_string())
                        .or_else(|| r.missing.clone())
                        .unwrap_or_default(),
                ]
            },
        )
    })?;
    Ok(())
}

fn standards(ctx: &Ctx, file: &std::path::Path) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let r = uc::import_standards(store.as_mut(), &ctx.caller(), file)?;
    output::either(ctx.json, &r, |r| {
        println!(
            "{}: read {}, accepted {} ({} unchanged, {} updated)",
            r.file, r.read, r.accepted, r.duplicates, r.updated
        )
    })?;
    Ok(())
}

/// `zeropark report building`.
pub fn report(ctx: &Ctx, a: &BuildingArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let mut store = ctx.open()?;
        let readings = ctx.readings()?;
        let r = uc::building_report(
            store.as_mut(),
            &ctx.caller(),
            Some(&readings),
            &a.site,
            a.year,
        )?;
        if a.out.out.is_some() {
            return crate::reports_cmd::emit(ctx, &r, &a.out, |_| {});
        }
        output::either(ctx.json, &r, |r| {
            println!(
                "{} ({} {}, {} m2, zone {}) {}: {} kWh/m2, {} kgCO2/m2",
                r.site,
                r.org,
                r.kind,
                num(r.floor_area_m2, 0),
                r.climate_zone,
                r.year,
                num(r.energy_kwh_per_m2, 1),
                num(r.carbon_kgco2_per_m2, 1)
            );
            println!(
                "standard: constraint {} / guide {} kWh/m2 ({}): {}",
                opt_num(r.constraint_kwh_per_m2, 1),
                opt_num(r.guide_kwh_per_m2, 1),
                r.standard_source.as_deref().unwrap_or("not imported"),
                r.rating.map(|x| x.name_zh()).unwrap_or("-")
            );
            for n in &r.notes {
                println!("note: {n}");
            }
        })?;
        Ok(())
    })())
}

/// `zeropark report retrofit`.
pub fn retrofit(ctx: &Ctx, a: &RetrofitArgs) -> anyhow::Result<ExitCode> {
    finish((|| {
        let mut store = ctx.open()?;
        let readings = ctx.readings()?;
        let dd = a.degree_days_before.zip(a.degree_days_after);
        let r = uc::retrofit(
            store.as_mut(),
            &ctx.caller(),
            Some(&readings),
            &a.site,
            a.before,
            a.after,
            dd,
        )?;
        output::either(ctx.json, &r, |r| {
            println!(
                "{} {} -> {}: {} kWh normalised -> {} kWh, saving {} kWh ({})",
                r.site,
                r.before_year,
                r.after_year,
                num(r.saving.normalised_before_kwh, 0),
                num(r.saving.after_kwh, 0),
                num(r.saving.saving_kwh, 0),
                r.normalisation
            );
        })?;
        Ok(())
    })())
}
