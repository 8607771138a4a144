//! `zeropark demo`: seed (or reuse) the demo park, create demo logins and serve it.

use crate::ctx::actor;
use crate::output;
use anyhow::Context;
use std::path::Path;
use std::process::ExitCode;
use zp_app::Access;
use zp_app::InventoryScope;
use zp_app::demo::{DEMO_PARK, DEMO_YEAR};
use zp_server::accounts::DemoLogin;

/// How `zeropark demo` serves the park once seeded.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoServe {
    /// Seed and print the logins, then exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
}

pub fn run(dir: &Path, json: bool, serve: &DemoServe) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let db = dir.join("zeropark-demo.db");
    let mut store = zp_app::open(&db.display().to_string())?;
    let started = std::time::Instant::now();
    let summary = zp_app::demo::seed(store.as_mut(), &dir.join("source-files"), &actor())?;
    let mut readings = zp_app::readings::open_readings(&db.display().to_string(), None)?;
    zp_app::demo::readings(
        store.as_mut(),
        &mut readings,
        &dir.join("source-files"),
        &actor(),
    )?;
    zp_app::demo::finance::demo_meter_mrv(
        store.as_mut(),
        &mut readings,
        &dir.join("source-files"),
        &actor(),
    )?;
    zp_app::demo::alerts(store.as_mut(), &readings, &actor())?;
    let park = zp_app::inventory(
        store.as_mut(),
        &Access::All,
        &InventoryScope::Park(DEMO_PARK.into()),
        DEMO_YEAR,
        Default::default(),
        &actor(),
    )?;
    let logins = demo_logins(store.as_mut())?;
    // The demo bank works for the bank of the demo's loans (its products, applications).
    store.set_bank_issuer("bank", zp_app::demo::finance::DEMO_BANK, &actor())?;
    if json {
        output::json(&serde_json::json!({
            "db": db, "summary": summary, "park": park, "logins": logins,
            "url": (!serve.no_serve).then(|| format!("http://{}/", serve.addr)),
        }))?;
        return finish(store, &db, serve, &logins, json);
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
    finish(store, &db, serve, &logins, json)
}

/// One account per role, with fresh random passwords (demo database only).
fn demo_logins(store: &mut dyn zp_app::Store) -> anyhow::Result<Vec<DemoLogin>> {
    let orgs = zp_app::demo::demo_orgs();
    let enterprise = orgs
        .iter()
        .find(|o| o.park == DEMO_PARK)
        .map(|o| o.code.to_string())
        .unwrap_or_default();
    Ok(zp_server::accounts::ensure_demo_accounts(
        store,
        DEMO_PARK,
        "CQ",
        &enterprise,
        &actor(),
    )?)
}

fn finish(
    store: Box<dyn zp_app::Store>,
    db: &Path,
    serve: &DemoServe,
    logins: &[DemoLogin],
    json: bool,
) -> anyhow::Result<ExitCode> {
    if !json {
        println!();
        println!("demo logins (random passwords, new on every run; for this demo database only):");
        for l in logins {
            println!(
                "  {:<11} {:<16} {:<18} {}",
                l.username,
                l.password,
                l.role.key(),
                l.scope
            );
        }
    }
    if serve.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    drop(store);
    crate::serve::serve(
        &db.display().to_string(),
        zp_app::readings::readings_dir(&db.display().to_string(), None),
        &serve.addr,
        |url| {
            if !json {
                println!();
                println!(
                    "open {url} in a browser and log in as park / admin / ... (Ctrl-C to stop)"
                );
            }
            eprintln!("zeropark serving {} on {url}", db.display());
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
