//! Arguments several commands share (clap).

use clap::{Args, Subcommand, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
pub enum ElectricityTceArg {
    Calorific,
    CoalEquivalent,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GridFactorArg {
    Provincial,
    National,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct ScopeArgs {
    /// Enterprise credit code.
    #[arg(long)]
    pub org: Option<String>,
    /// Park name.
    #[arg(long)]
    pub park: Option<String>,
    /// Region code (e.g. CQ).
    #[arg(long)]
    pub region: Option<String>,
}

#[derive(Subcommand)]
pub enum FactorsCmd {
    /// List factors (built-in and user sets).
    List {
        /// Only this kind, e.g. grid_average.
        #[arg(long)]
        kind: Option<String>,
        /// Only this region code.
        #[arg(long)]
        region: Option<String>,
    },
    /// List user factor sets.
    Sets,
}

/// A four-digit calendar year between 1990 and 2100: `--year 23` is a usage error, not
/// the year 23.
pub fn year(s: &str) -> Result<i32, String> {
    let t = s.trim();
    match t.parse::<i32>() {
        Ok(y) if t.len() == 4 && (1990..=2100).contains(&y) => Ok(y),
        _ => Err(format!(
            "{t:?} is not a four-digit year between 1990 and 2100"
        )),
    }
}
