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
