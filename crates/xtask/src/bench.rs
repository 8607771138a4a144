//! `xtask bench`: one run, one data set, three engines.
//!
//! 1. Generate the park (or reuse it when `manifest.json` says it is the same data).
//! 2. Read the readings file once so every engine starts from a warm page cache.
//! 3. Run each engine in its own process (our engine via `xtask engine`, DuckDB and Polars
//!    via `scripts/bench/*.py` in the `.venv-bench` interpreter), limited to the same cores.
//!    Each reports its phase timings and its own peak RSS (VmHWM).
//! 4. Check every engine's Q1 and Q2 results against the exact answers from `gen`.
//! 5. Write the JSON report and print a table.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::compare::compare;
use crate::generate::{Format, GenArgs};
use crate::machine;

/// The goal of issue 4: at least this many times DuckDB's throughput on every phase...
pub const TARGET_SPEEDUP_VS_DUCKDB: f64 = 5.0;
/// ...within this much memory for a year of 4,000 meters.
pub const TARGET_PEAK_RSS_BYTES: u64 = 4 << 30;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 4000)]
    pub meters: usize,
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// JSON report (default: target/bench.json in the repository).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Generated data, kept for reuse (default: target/bench/data-<meters>x<days>-s<seed>).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Scratch space for the engines' stores (default: target/bench/work).
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Engines to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "zeropark,duckdb,polars")]
    pub engines: Vec<String>,
    /// Python with duckdb and polars installed (scripts/bench.sh makes it).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Cores every engine may use.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Keep the engines' stores and result files after the run.
    #[arg(long)]
    pub keep_work: bool,
}

/// The repository root (xtask lives in crates/xtask).
pub fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

fn dir_bytes(p: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(p) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(p)
        .map(|rd| rd.flatten().map(|e| dir_bytes(&e.path())).sum())
        .unwrap_or(0)
}

fn engine_command(a: &BenchArgs, engine: &str, data: &Path, work: &Path) -> Result<Command> {
    let root = repo_root();
    let mut argv: Vec<String> = Vec::new();
    // Pin every engine to the same cores when the machine has more than we allow.
    if machine::nproc() > a.threads && Path::new("/usr/bin/taskset").exists() {
        argv.extend([
            "/usr/bin/taskset".into(),
            "-c".into(),
            format!("0-{}", a.threads - 1),
        ]);
    }
    match engine {
        "zeropark" => {
            argv.push(std::env::current_exe()?.display().to_string());
            argv.push("engine".into());
        }
        "duckdb" | "polars" => {
            let python = a
                .python
                .clone()
                .unwrap_or_else(|| root.join(".venv-bench/bin/python"));
            if !python.exists() {
                bail!(
                    "{} not found: run scripts/bench.sh (it makes the venv with duckdb and polars)",
                    python.display()
                );
            }
            argv.push(python.display().to_string());
            argv.push(
                root.join(format!("scripts/bench/{engine}_bench.py"))
                    .display()
                    .to_string(),
            );
            argv.extend(["--threads".into(), a.threads.to_string()]);
        }
        other => bail!("unknown engine {other:?} (zeropark, duckdb, polars)"),
    }
    argv.extend([
        "--data".into(),
        data.display().to_string(),
        "--work".into(),
        work.display().to_string(),
    ]);
    let mut c = Command::new(&argv[0]);
    c.args(&argv[1..]);
    Ok(c)
}

fn run_engine(a: &BenchArgs, engine: &str, data: &Path, work: &Path) -> Result<Value> {
    if work.exists() {
        std::fs::remove_dir_all(work)?;
    }
    std::fs::create_dir_all(work)?;
    let mut cmd = engine_command(a, engine, data, work)?;
    eprintln!("bench: running {engine} ...");
    let load_before = machine::load_average();
    let t = Instant::now();
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("starting {engine}"))?;
    let wall = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("{engine} failed with {}", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rfind(|l| l.starts_with('{'))
        .with_context(|| format!("{engine} printed no JSON report"))?;
    let mut r: Value = serde_json::from_str(last)?;
    r["wall_seconds"] = json!(wall);
    r["load_average_before"] = json!(load_before);
    r["load_average_after"] = json!(machine::load_average());
    r["work_bytes"] = json!(dir_bytes(work));
    Ok(r)
}

fn seconds(r: &Value, phase: &str) -> Option<f64> {
    r["seconds"][phase].as_f64()
}

pub fn run(a: &BenchArgs) -> Result<()> {
    let root = repo_root();
    let bench_dir = root.join("target/bench");
    let data = a
        .data
        .clone()
        .unwrap_or_else(|| bench_dir.join(format!("data-{}x{}-s{}", a.meters, a.days, a.seed)));
    let work = a.work.clone().unwrap_or_else(|| bench_dir.join("work"));
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| root.join("target/bench.json"));
    let machine_info = machine::describe();

    let gen_args = GenArgs {
        meters: a.meters,
        days: a.days,
        seed: a.seed,
        out: data.clone(),
        format: Format::Csv,
        start: "2023-01-01".into(),
        missing_share: 0.002,
        interval_minutes: 15,
        threads: None,
    };
    let manifest = match crate::generate::manifest(&data) {
        Some(m) if m["data"] == gen_args.key() => {
            eprintln!("bench: reusing {}", data.display());
            m
        }
        _ => {
            eprintln!(
                "bench: generating {} meters x {} days into {} ...",
                a.meters,
                a.days,
                data.display()
            );
            crate::generate::run(&gen_args)?
        }
    };
    let readings = manifest["readings"]
        .as_u64()
        .context("manifest: readings")?;

    // Warm the page cache so that no engine pays for the first read from disk.
    let t = Instant::now();
    std::io::copy(
        &mut std::fs::File::open(data.join("readings.csv"))?,
        &mut std::io::sink(),
    )?;
    let warm_seconds = t.elapsed().as_secs_f64();

    let mut engines = Vec::new();
    for engine in &a.engines {
        let w = work.join(engine);
        let mut r = run_engine(a, engine, &data, &w)?;
        let rate = |phase: &str, rows: u64| seconds(&r, phase).map(|s| rows as f64 / s);
        r["rows_per_second"] = json!({
            "ingest": rate("ingest", r["rows"].as_u64().unwrap_or(0)),
            "q1": rate("q1", readings),
            "q2": rate("q2", readings),
        });
        r["agreement"] = json!({
            "q1": compare(&data.join("expected_q1.csv"), &w.join("q1.csv"), 2)?,
            "q2": compare(&data.join("expected_q2.csv"), &w.join("q2.csv"), 1)?,
        });
        if r["rows"].as_u64() != Some(readings) {
            r["agreement"]["rows"] =
                json!(format!("ingested {} rows, generated {readings}", r["rows"]));
        }
        if !a.keep_work {
            std::fs::remove_dir_all(&w).ok();
        }
        engines.push(r);
    }

    let find = |name: &str| engines.iter().find(|e| e["engine"] == name);
    let mut verdict = serde_json::Map::new();
    if let (Some(ours), Some(duck)) = (find("zeropark"), find("duckdb")) {
        for phase in ["ingest", "q1", "q2"] {
            if let (Some(o), Some(d)) = (seconds(ours, phase), seconds(duck, phase)) {
                let speedup = d / o;
                verdict.insert(
                    format!("{phase}_speedup_vs_duckdb"),
                    json!({"speedup": speedup, "meets_target": speedup >= TARGET_SPEEDUP_VS_DUCKDB}),
                );
            }
        }
    }
    if let Some(ours) = find("zeropark") {
        let rss = ours["peak_rss_bytes"].as_u64().unwrap_or(u64::MAX);
        verdict.insert(
            "peak_rss".into(),
            json!({"bytes": rss, "meets_target": rss < TARGET_PEAK_RSS_BYTES}),
        );
    }
    let all_agree = engines.iter().all(|e| {
        e["agreement"]["q1"]["agrees"] == true
            && e["agreement"]["q2"]["agrees"] == true
            && e["agreement"]["rows"].is_null()
    });
    let report = json!({
        "schema": "zeropark-bench 1",
        "machine": machine_info,
        "threads_per_engine": a.threads,
        "data": manifest,
        "page_cache_warmup_seconds": warm_seconds,
        "engines": engines,
        "all_engines_agree": all_agree,
        "target": {
            "speedup_vs_duckdb": TARGET_SPEEDUP_VS_DUCKDB,
            "peak_rss_bytes": TARGET_PEAK_RSS_BYTES,
        },
        "verdict": verdict,
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    print_table(&report);
    eprintln!("bench: report written to {}", out.display());
    if !all_agree {
        bail!(
            "engines disagree with the exact answers: see agreement in {}",
            out.display()
        );
    }
    Ok(())
}

fn print_table(r: &Value) {
    let readings = r["data"]["readings"].as_u64().unwrap_or(0);
    println!(
        "{} readings, {} meters, {} threads per engine, {} cores ({})",
        readings,
        r["data"]["data"]["meters"],
        r["threads_per_engine"],
        r["machine"]["nproc"],
        r["machine"]["cpu_model"].as_str().unwrap_or("?")
    );
    println!(
        "{:<10} {:>10} {:>12} {:>9} {:>12} {:>9} {:>12} {:>10} {:>6}",
        "engine",
        "ingest s",
        "ingest row/s",
        "Q1 s",
        "Q1 row/s",
        "Q2 s",
        "Q2 row/s",
        "peak RSS",
        "agree"
    );
    for e in r["engines"].as_array().into_iter().flatten() {
        let s = |p: &str| e["seconds"][p].as_f64().unwrap_or(f64::NAN);
        let rate = |p: &str| e["rows_per_second"][p].as_f64().unwrap_or(f64::NAN);
        let agree = e["agreement"]["q1"]["agrees"] == true
            && e["agreement"]["q2"]["agrees"] == true
            && e["agreement"]["rows"].is_null();
        println!(
            "{:<10} {:>10.2} {:>12.3e} {:>9.3} {:>12.3e} {:>9.3} {:>12.3e} {:>9.0}M {:>6}",
            e["engine"].as_str().unwrap_or("?"),
            s("ingest"),
            rate("ingest"),
            s("q1"),
            rate("q1"),
            s("q2"),
            rate("q2"),
            e["peak_rss_bytes"].as_f64().unwrap_or(f64::NAN) / (1024.0 * 1024.0),
            if agree { "yes" } else { "NO" }
        );
    }
    for (k, v) in r["verdict"].as_object().into_iter().flatten() {
        println!("{k}: {v}");
    }
}
