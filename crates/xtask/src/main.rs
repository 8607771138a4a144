//! zeropark developer tasks.
//!
//! ```sh
//! cargo run --release -p xtask -- gen --meters 200 --days 30 --seed 1 --out target/bench/small
//! cargo run --release -p xtask -- bench --meters 4000 --days 365 --out target/bench.json
//! ```
//!
//! `gen` writes a synthetic park (see `zp_readings::synth`) and the exact answers of the
//! benchmark queries; `bench` generates (or reuses) such a park and runs ingest, Q1 and Q2
//! on our engine, DuckDB and Polars, checks every engine against the exact answers and
//! writes the timings as JSON. `docs/bench.md` explains the queries and the numbers.

mod bench;
mod compare;
mod engine;
mod generate;
mod machine;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "zeropark developer tasks")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate a synthetic park: orgs.csv, meters.csv, grid_hourly.csv, readings, expected answers.
    Gen(generate::GenArgs),
    /// Benchmark ingest, Q1 and Q2 on our engine, DuckDB and Polars over the same data.
    Bench(bench::BenchArgs),
    /// Run our engine alone on generated data (used by `bench`, in its own process).
    #[command(hide = true)]
    Engine(engine::EngineArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Gen(a) => {
            let m = generate::run(&a)?;
            println!("{}", serde_json::to_string_pretty(&m)?);
        }
        Cmd::Bench(a) => bench::run(&a)?,
        Cmd::Engine(a) => {
            let r = engine::run(&a)?;
            println!("{}", serde_json::to_string(&r)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
