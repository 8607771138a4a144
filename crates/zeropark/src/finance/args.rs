//! The arguments of `zeropark finance ...` (clap).

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand, ValueEnum};
use rust_decimal::Decimal;
use std::path::PathBuf;
use zp_app::finance::Action;

#[derive(Subcommand)]
pub enum FinanceCmd {
    /// The green finance support catalogue (2025 edition subset) projects are tagged with.
    Catalogue,
    /// The project library.
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Financial products (subsidies, loans, bonds, quota-pledged credit).
    #[command(subcommand)]
    Product(ProductCmd),
    /// Rank products for a project, or projects for a product, with the reasons.
    Match(MatchArgs),
    /// Apply for a product with a project.
    Apply {
        #[arg(long)]
        project: String,
        #[arg(long)]
        product: String,
        /// Yuan (at most 2 decimals).
        #[arg(long)]
        amount: Decimal,
        #[arg(long, value_enum, default_value = "annuity")]
        method: MethodArg,
    },
    /// Applications and their workflow.
    #[command(subcommand)]
    Application(ApplicationCmd),
    /// The repayment schedule of an application, with what is paid and outstanding.
    Schedule { id: i64 },
    /// Monitored reductions of a project against expected (MRV), with alerts.
    Mrv {
        #[arg(long)]
        project: String,
        /// First month shown (cumulative figures still count from the start of operation).
        #[arg(long)]
        from: Option<String>,
        /// Last month (default: the current month).
        #[arg(long)]
        to: Option<String>,
    },
    /// Monthly production output of a project (the MRV baseline driver).
    #[command(subcommand)]
    Output(OutputCmd),
    /// Borrowers' balance sheets (PCAF attribution).
    #[command(subcommand, name = "balance-sheet")]
    BalanceSheet(BalanceSheetCmd),
    /// Bank users and the product issuer they work for.
    #[command(subcommand)]
    Bank(BankCmd),
    /// Bank reports: carbon-reduction loans, PCAF financed emissions.
    #[command(subcommand)]
    Report(FinanceReportCmd),
}

#[derive(Subcommand)]
pub enum ProjectCmd {
    /// Register or update a project from TOML (expected reduction computed, never typed).
    Add {
        file: PathBuf,
        /// Monthly ledgers `side,period,carrier,quantity,unit` (side baseline or project).
        #[arg(long)]
        ledger: Option<PathBuf>,
    },
    List {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        park: Option<String>,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        /// Catalogue code: the project's category is it or under it.
        #[arg(long)]
        category: Option<String>,
        /// Expected reduction at least this, tCO2/yr.
        #[arg(long)]
        min_reduction: Option<Decimal>,
    },
    Show {
        id: String,
    },
    /// Monitor the project from a meter of its enterprise (readings store, monthly sums);
    /// the ledger stays the fallback for months the meter does not fully cover.
    LinkMeter {
        id: String,
        #[arg(long)]
        meter: String,
    },
}

#[derive(Subcommand)]
pub enum ProductCmd {
    /// Publish or update a product from TOML.
    Add { file: PathBuf },
    List {
        #[arg(long)]
        issuer: Option<String>,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct MatchArgs {
    #[arg(long)]
    pub project: Option<String>,
    #[arg(long)]
    pub product: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Annuity,
    EqualPrincipal,
}

/// `--action`: one of the workflow's actions by name (`review`, `approve`, ...).
fn action() -> impl TypedValueParser<Value = Action> {
    let names = Action::ALL.map(Action::key);
    PossibleValuesParser::new(names).try_map(|s| Action::parse(&s).ok_or("not a workflow action"))
}

#[derive(Subcommand)]
pub enum ApplicationCmd {
    List {
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        product: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
    Show {
        id: i64,
    },
    /// Move an application: review, approve, reject, disburse (--period), repay, close.
    Advance {
        id: i64,
        #[arg(long, value_parser = action())]
        action: Action,
        /// Month of a disbursement (YYYY-MM).
        #[arg(long)]
        period: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Subcommand)]
pub enum OutputCmd {
    Set {
        #[arg(long)]
        project: String,
        #[arg(long)]
        period: String,
        #[arg(long)]
        value: Decimal,
    },
}

#[derive(Subcommand)]
pub enum BalanceSheetCmd {
    Set {
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = crate::args::year)]
        year: i32,
        /// Total equity, yuan.
        #[arg(long)]
        equity: Decimal,
        /// Total debt, yuan.
        #[arg(long)]
        debt: Decimal,
        #[arg(long, default_value = "")]
        source: String,
    },
}

#[derive(Subcommand)]
pub enum BankCmd {
    /// Link a bank user account to the issuer name its products carry.
    Link {
        #[arg(long)]
        user: String,
        #[arg(long)]
        issuer: String,
    },
}

#[derive(Subcommand)]
pub enum FinanceReportCmd {
    /// Carbon-reduction loans disbursed in the year: amounts, balances, reductions.
    Loans(BankReport),
    /// PCAF financed emissions of the loans outstanding at year end.
    Pcaf(BankReport),
}

/// Which bank's report of which year, and where to write it as a workbook.
#[derive(Args)]
pub struct BankReport {
    #[arg(long)]
    pub bank: String,
    #[arg(long, value_parser = crate::args::year)]
    pub year: i32,
    /// Also write the report as an Excel workbook.
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
}
