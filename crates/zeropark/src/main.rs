//! `zeropark`: the command-line interface. Thin: parses arguments, calls the application
//! services in `zp-app`, prints tables or `--json`.

mod args;
mod assess;
mod assets;
mod backup;
mod benchmark;
mod budget;
mod buildings;
mod centre;
mod certs;
mod cli;
mod config;
mod ctx;
mod demo;
mod dry_run;
mod energy;
mod evaluate;
mod finance;
mod inclusion;
mod ingest;
mod lake;
mod market;
mod output;
mod readings;
mod registry;
mod reports;
mod reports_cmd;
mod serve;
mod waste;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // The configuration file first: its values stand in for unset environment variables,
    // which clap and the server's configuration read.
    if let Err(reason) = config::load() {
        return ctx::refuse(format!("configuration: {reason}"));
    }
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
