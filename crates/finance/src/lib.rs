//! Climate investment and financing (气候投融资): the project library, financial products,
//! bank-enterprise matching, the application workflow with repayment schedules, MRV of
//! monitored reductions and the reports banks file.
//!
//! Pure: no I/O, no async, no clock. Callers pass in the factor catalog, the ledgers and
//! the dates.
//!
//! - [`SupportCatalogue`]: categories of the green finance support catalogue (2025
//!   edition) shipped as data (a documented subset), used to tag projects.
//! - [`Project`] and [`expected_reduction`]: a project's expected reductions are computed
//!   by the accounting engine from its baseline and project activity (energy saved ->
//!   tce -> tCO2 with the catalog's factors), never typed in.
//! - [`Product`] and [`matching`]: subsidies, low-interest and carbon-reduction loans,
//!   green bonds and quota-pledged credit as data; every eligibility [`Rule`] is checked
//!   with a reason.
//! - [`workflow`]: submitted -> under review -> approved/rejected -> disbursed ->
//!   repaying -> closed, and [`schedule`]: equal-principal or annuity repayment in fen.
//! - [`mrv`]: monthly monitored reductions against expected, with alerts.
//! - [`reporting`]: carbon-reduction loan report, PCAF financed emissions, Excel export.

pub mod catalogue;
pub mod matching;
pub mod money;
pub mod mrv;
pub mod product;
pub mod project;
pub mod reporting;
pub mod schedule;
pub mod workflow;
mod xlsx;

pub use catalogue::{Category, SupportCatalogue, Tag};
pub use matching::{Match, RuleCheck, evaluate, products_for_project, projects_for_product};
pub use money::{fen_to_yuan, yuan_to_fen};
pub use mrv::{MrvMonth, MrvReport, monitor};
pub use product::{Product, ProductKind, Rule, SubsidyTerms};
pub use project::{
    AnnualActivity, CarrierSaving, Driver, Project, ProjectKind, Reduction, annual_from_ledger,
    expected_reduction,
};
pub use reporting::{
    DataQuality, Exposure, LoanLine, LoanReport, PcafLine, PcafReport, loan_report, pcaf,
};
pub use schedule::{Installment, Method, schedule};
pub use workflow::{Action, Status};
pub use xlsx::{loan_report_xlsx, pcaf_xlsx};

/// Errors of the finance core.
#[derive(Debug, thiserror::Error)]
pub enum FinanceError {
    #[error(transparent)]
    Accounting(#[from] zp_accounting::AccountingError),
    #[error("green finance catalogue: {0}")]
    Catalogue(String),
    #[error("invalid project {id}: {reason}")]
    Project { id: String, reason: String },
    #[error("invalid product {id}: {reason}")]
    Product { id: String, reason: String },
    #[error("money: {0}")]
    Money(String),
    #[error("application is {from}; cannot {action}")]
    Transition { from: Status, action: Action },
    #[error("schedule: {0}")]
    Schedule(String),
    #[error("PCAF: {0}")]
    Pcaf(String),
    #[error("Excel export: {0}")]
    Xlsx(String),
}
