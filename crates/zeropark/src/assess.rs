//! `assess project`, `assess list` and `assess set-status`: the energy and carbon
//! assessment of proposed projects (节能审查 with carbon evaluation) and their register. A
//! refused project file (every fault named) exits 2 with the reason on stderr.

use crate::ctx::{Ctx, Fail, finish};
use crate::output::{self, num, opt_num};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::assess as uc;
use zp_domain::time::Date;

#[derive(Subcommand)]
pub enum AssessCmd {
    /// Assess a proposed project described in a TOML file (name, region, park, industry,
    /// year, output_10k_yuan, [[energy]] carrier/quantity/unit, optional green_power_mwh)
    /// and register it.
    Project(ProjectArgs),
    /// The register of assessed projects, newest first.
    List,
    /// Record the decision on a registered project: assessed, approved or rejected.
    SetStatus {
        /// Register id (`assess list`).
        id: i64,
        /// assessed, approved or rejected.
        status: String,
        /// The decision's reference (e.g. the approval document number).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Link a registered project to the enterprise that built it.
    Link {
        /// Register id (`assess list`).
        id: i64,
        /// The enterprise's credit code.
        #[arg(long)]
        org: String,
    },
    /// Compare a linked project's assessment with its enterprise's accounts of a year.
    Compare {
        /// Register id (`assess list`).
        id: i64,
        #[arg(long)]
        year: i32,
    },
}

#[derive(Args)]
pub struct ProjectArgs {
    pub file: PathBuf,
    /// The day the budget share is judged on (default today, Asia/Shanghai).
    #[arg(long)]
    pub as_of: Option<Date>,
    /// The report for the approving authority as PDF or Excel (`--out FILE.pdf|.xlsx`).
    #[command(flatten)]
    pub out: crate::reports_cmd::OutArgs,
}

/// `zeropark assess ...`.
pub fn run(ctx: &Ctx, cmd: AssessCmd) -> anyhow::Result<ExitCode> {
    finish(match cmd {
        AssessCmd::Project(a) => project(ctx, &a),
        AssessCmd::List => list(ctx),
        AssessCmd::SetStatus { id, status, note } => set_status(ctx, id, &status, &note),
        AssessCmd::Link { id, org } => link(ctx, id, &org),
        AssessCmd::Compare { id, year } => compare(ctx, id, year),
    })
}

fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(zp_domain::time::cst())
        .date()
}

fn project(ctx: &Ctx, a: &ProjectArgs) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let as_of = a.as_of.unwrap_or_else(today);
    let r = uc::assess_file(store.as_mut(), &ctx.caller(), &a.file, as_of)?;
    if a.out.out.is_some() {
        return crate::reports_cmd::emit(ctx, &r, &a.out, |_| {});
    }
    output::either(ctx.json, &r, |r| {
        let s = &r.assessment;
        println!(
            "project {} ({} {}, industry {}, {}): register id {}, {} ({})",
            s.name,
            s.region,
            s.park.as_deref().unwrap_or("-"),
            s.industry,
            s.year,
            r.register_id,
            r.status,
            r.register
        );
        let rows: Vec<Vec<String>> = s
            .lines
            .iter()
            .map(|l| {
                vec![
                    format!("{} {}", l.carrier, l.name_zh),
                    format!("{} {}", num(l.quantity, 3), l.unit),
                    num(l.energy_tce, 4),
                    num(l.scope1_tco2, 4),
                    num(l.scope2_location_tco2, 4),
                    num(l.scope2_market_tco2, 4),
                ]
            })
            .collect();
        output::table(
            &[
                "carrier",
                "quantity",
                "tce",
                "scope 1",
                "scope 2 loc",
                "scope 2 mkt",
            ],
            &rows,
        );
        println!(
            "energy {} tce (coal-equivalent {}); scope 1 {} tCO2, scope 2 {} (location) / {} (market) tCO2",
            num(s.energy_tce, 4),
            opt_num(s.energy_coal_equivalent_tce, 4),
            num(s.scope1_tco2, 4),
            num(s.scope2_location_tco2, 4),
            num(s.scope2_market_tco2, 4)
        );
        println!(
            "per 10^4 yuan of output: {} tce, {} tCO2",
            opt_num(s.intensity_tce_per_10k_yuan, 4),
            opt_num(s.carbon_tco2_per_10k_yuan, 4)
        );
        match &s.budget_share {
            Some(b) => println!(
                "share of the remaining {} budget of {} {}: {} of {} tce, {} of {} tCO2",
                b.year,
                b.scope_kind,
                b.scope,
                opt_num(b.share_tce, 4),
                num(b.remaining_tce, 2),
                opt_num(b.share_tco2, 4),
                num(b.remaining_tco2, 2)
            ),
            None => println!("budget share: no budget set"),
        }
        for n in &s.notes {
            println!("note: {n}");
        }
    })?;
    Ok(())
}

fn list(ctx: &Ctx) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let rows = uc::list(store.as_mut(), &ctx.caller())?;
    output::either(ctx.json, &rows, |rows| {
        let field = |r: &uc::AssessedProject, k: &str| {
            r.result
                .get(k)
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".into())
        };
        let t: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.name.clone(),
                    r.region.clone(),
                    r.park.clone().unwrap_or_default(),
                    r.year.to_string(),
                    field(r, "energy_tce"),
                    field(r, "carbon_tco2"),
                    r.status.clone(),
                    r.assessed_at.clone(),
                ]
            })
            .collect();
        output::table(
            &[
                "id", "name", "region", "park", "year", "tce", "tCO2", "status", "assessed",
            ],
            &t,
        );
    })?;
    Ok(())
}

fn set_status(ctx: &Ctx, id: i64, status: &str, note: &str) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let p = uc::set_status(store.as_mut(), &ctx.caller(), id, status, note)?;
    output::either(ctx.json, &p, |p| {
        println!("{} {}: {} {}", p.id, p.name, p.status, p.status_note);
    })?;
    Ok(())
}

fn link(ctx: &Ctx, id: i64, org: &str) -> Result<(), Fail> {
    let code = zp_domain::CreditCode::parse(org.trim())
        .map_err(|e| zp_app::AppError::Invalid(format!("--org {org:?}: {e}")))?;
    let mut store = ctx.open()?;
    let r = uc::link(store.as_mut(), &ctx.caller(), id, &code)?;
    let out = serde_json::json!({"id": id, "org": code.to_string(), "result": r});
    output::either(ctx.json, &out, |_| {
        println!("project {id} linked to {code}: {r:?}")
    })?;
    Ok(())
}

fn compare(ctx: &Ctx, id: i64, year: i32) -> Result<(), Fail> {
    let mut store = ctx.open()?;
    let r = uc::compare(store.as_mut(), &ctx.caller(), id, year)?;
    output::either(ctx.json, &r, |r| {
        println!("{} ({}) against {} in {}:", r.name, r.status, r.org, r.year);
        let row = |what: &str, c: &uc::Compared| {
            vec![
                what.to_string(),
                num(c.assessed, 3),
                num(c.actual, 3),
                num(c.difference, 3),
                opt_num(c.difference_share, 4),
            ]
        };
        output::table(
            &["", "assessed", "actual", "difference", "share"],
            &[
                row("energy tce", &r.energy_tce),
                row("carbon tCO2", &r.carbon_tco2),
                row("scope2 market tCO2", &r.scope2_market_tco2),
            ],
        );
        for n in &r.notes {
            println!("note: {n}");
        }
    })?;
    Ok(())
}
