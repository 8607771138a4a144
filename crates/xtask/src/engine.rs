//! Our engine on generated data, through the public API of `zp-readings` only: CSV or
//! Parquet import into a fresh `ReadingStore`, then Q1 (`meter_emissions` by month at the
//! hourly factors) and Q2 (`enterprise_matching`). Run by `bench` in a child process so
//! that its peak memory is its own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use zp_readings::{
    EnterpriseMeters, FactorSeries, HourGrid, MeterFactor, ReadingStore, Resolution,
    enterprise_matching, factor_ng_per_wh, import_file, meter_emissions,
};

use crate::generate::{kwh_text, tco2_text};

#[derive(clap::Args, Debug, Clone)]
pub struct EngineArgs {
    /// Directory written by `xtask gen`.
    #[arg(long)]
    pub data: PathBuf,
    /// Scratch directory: the store and the result files go here.
    #[arg(long)]
    pub work: PathBuf,
}

/// The registry side of a generated park, as read from its CSV files.
pub struct Registry {
    /// (meter, credit code, is consumption)
    pub meters: Vec<(String, String, bool)>,
    pub region_of: HashMap<String, String>,
    /// (region, hour start, tco2_per_mwh text)
    pub grid: Vec<(String, i64, String)>,
}

fn csv_rows(path: &Path) -> Result<Vec<Vec<String>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect())
}

pub fn read_registry(data: &Path) -> Result<Registry> {
    let meters = csv_rows(&data.join("meters.csv"))?
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2] == "consumption"))
        .collect();
    let region_of = csv_rows(&data.join("orgs.csv"))?
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    let mut grid = Vec::new();
    for r in csv_rows(&data.join("grid_hourly.csv"))? {
        grid.push((
            r[0].clone(),
            zp_domain::time::parse_timestamp(&r[1])?,
            r[2].clone(),
        ));
    }
    Ok(Registry {
        meters,
        region_of,
        grid,
    })
}

/// Peak resident set size of this process (VmHWM), bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn run(a: &EngineArgs) -> Result<Value> {
    let manifest = crate::generate::manifest(&a.data)
        .with_context(|| format!("{} has no manifest.json: run xtask gen", a.data.display()))?;
    let file = manifest["readings_file"]
        .as_str()
        .context("manifest: readings_file")?;
    let start: zp_domain::time::Date = manifest["data"]["start"]
        .as_str()
        .context("manifest: start")?
        .parse()?;
    let days = manifest["data"]["days"]
        .as_u64()
        .context("manifest: days")? as i64;
    let from = zp_domain::time::local_day_start(start);
    let grid = HourGrid::new(from, from + days * 86_400);

    let mut seconds = BTreeMap::new();
    let t = Instant::now();
    let reg = read_registry(&a.data)?;
    seconds.insert("registry", t.elapsed().as_secs_f64());

    let store_dir = a.work.join("store");
    if store_dir.exists() {
        std::fs::remove_dir_all(&store_dir)?;
    }
    std::fs::create_dir_all(&a.work)?;
    let t = Instant::now();
    let mut store = ReadingStore::open(&store_dir)?;
    let known: HashSet<&str> = reg.meters.iter().map(|m| m.0.as_str()).collect();
    let report = import_file(
        &mut store,
        &a.data.join(file),
        &|m| known.contains(m),
        &mut |_, _| {},
    )?;
    seconds.insert("ingest", t.elapsed().as_secs_f64());
    if report.quarantined != 0 {
        bail!(
            "import quarantined {} rows, e.g. {:?}",
            report.quarantined,
            report.rejected.first()
        );
    }

    // Q1: per consumption meter and month, energy and emissions at the hourly factors.
    let t = Instant::now();
    let regions: Vec<&String> = {
        let mut r: Vec<&String> = reg.grid.iter().map(|g| &g.0).collect();
        r.sort();
        r.dedup();
        r
    };
    let region_index: HashMap<&str, usize> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i))
        .collect();
    let mut factors = vec![FactorSeries::fallback(grid, 0); regions.len()];
    for (region, ts, text) in &reg.grid {
        let ng = factor_ng_per_wh(text).with_context(|| format!("factor {text:?}"))?;
        factors[region_index[region.as_str()]].set_hourly(grid, *ts, ng);
    }
    let factor_of = |code: &str| -> Result<usize> {
        let region = reg
            .region_of
            .get(code)
            .context("meter of an unknown enterprise")?;
        region_index
            .get(region.as_str())
            .copied()
            .with_context(|| format!("no hourly factors for region {region}"))
    };
    let mut q1_meters = Vec::new();
    for (meter, code, consumption) in &reg.meters {
        if *consumption {
            q1_meters.push(MeterFactor {
                meter: meter.clone(),
                factors: factor_of(code)?,
            });
        }
    }
    let (periods, q1) = meter_emissions(&store, grid, Resolution::Month, &q1_meters, &factors)?;
    seconds.insert("q1", t.elapsed().as_secs_f64());
    let fallback_hours: usize = factors.iter().map(FactorSeries::fallback_hours).sum();

    // Q2: per enterprise, hourly matching of consumption against own generation.
    let t = Instant::now();
    let mut by_code: BTreeMap<&str, EnterpriseMeters> = BTreeMap::new();
    for (meter, code, consumption) in &reg.meters {
        let n = by_code.len();
        let e = by_code.entry(code).or_insert_with(|| EnterpriseMeters {
            consumption: Vec::new(),
            generation: Vec::new(),
            group: n,
            factors: 0,
        });
        if *consumption {
            e.consumption.push(meter.clone());
        } else {
            e.generation.push(meter.clone());
        }
    }
    let enterprises: Vec<EnterpriseMeters> = by_code.values().cloned().collect();
    let q2 = enterprise_matching(&store, grid, &enterprises)?;
    seconds.insert("q2", t.elapsed().as_secs_f64());

    let mut w = std::io::BufWriter::new(std::fs::File::create(a.work.join("q1.csv"))?);
    writeln!(w, "meter,month,consumption_kwh,emissions_tco2")?;
    for (m, r) in q1_meters.iter().zip(&q1) {
        for p in 0..periods.len() {
            writeln!(
                w,
                "{},{},{},{}",
                m.meter,
                periods.label(p),
                kwh_text(r.energy_wh[p]),
                tco2_text(r.emissions_ngco2[p])
            )?;
        }
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(a.work.join("q2.csv"))?);
    writeln!(
        w,
        "credit_code,consumption_kwh,generation_kwh,matched_kwh,grid_import_kwh"
    )?;
    for (code, t) in by_code.keys().zip(&q2) {
        writeln!(
            w,
            "{code},{},{},{},{}",
            kwh_text(t.consumption_wh),
            kwh_text(t.generation_wh),
            kwh_text(t.matched_wh),
            kwh_text(t.grid_import_wh)
        )?;
    }
    w.flush()?;

    Ok(json!({
        "engine": "zeropark",
        "version": format!("zp-readings {}", env!("CARGO_PKG_VERSION")),
        "threads": zp_readings::par::threads(),
        "rows": report.accepted,
        "seconds": seconds,
        "q1_rows": q1_meters.len() * periods.len(),
        "q2_rows": q2.len(),
        "peak_rss_bytes": peak_rss_bytes(),
        "notes": format!(
            "durable chunk store (zp-readings), exact integer kernels; {} worker threads (available parallelism); {} hours at fallback factors",
            zp_readings::par::threads(),
            fallback_hours
        ),
    }))
}
