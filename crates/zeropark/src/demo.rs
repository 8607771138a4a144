//! `zeropark demo`: seed (or reuse) the demo park and show it.

use crate::cli::actor;
use crate::output;
use anyhow::Context;
use std::path::Path;
use std::process::ExitCode;
use zp_app::InventoryScope;
use zp_app::demo::{DEMO_PARK, DEMO_YEAR};
use zp_store::Access;

pub fn run(dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let db = dir.join("zeropark-demo.db");
    let mut store = zp_store::open(&db.display().to_string())?;
    let started = std::time::Instant::now();
    let summary = zp_app::demo::seed(store.as_mut(), &dir.join("source-files"), &actor())?;
    let park = zp_app::inventory(
        store.as_mut(),
        &Access::All,
        &InventoryScope::Park(DEMO_PARK.into()),
        DEMO_YEAR,
        Default::default(),
        &actor(),
    )?;
    if json {
        output::json(&serde_json::json!({ "db": db, "summary": summary, "park": park }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "demo database {} {} in {:.1} s: {} enterprises, {} ledger rows",
        db.display(),
        if summary.already_seeded {
            "reused"
        } else {
            "created"
        },
        started.elapsed().as_secs_f64(),
        summary.orgs,
        summary.activity_rows
    );
    println!(
        "{DEMO_PARK} {DEMO_YEAR}: {} tce, {} tCO2 (market-based), {} tCO2/tce, clean electricity {}",
        output::num(park.energy_tce, 0),
        output::num(park.total_market_tco2(), 0),
        output::opt_num(park.intensity_market_tco2_per_tce, 3),
        output::opt_num(park.clean_electricity_share, 3)
    );
    println!(
        "try: zeropark --db {} report inventory --park {DEMO_PARK} --year {DEMO_YEAR}",
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}
