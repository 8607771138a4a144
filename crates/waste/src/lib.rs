//! Hazardous waste transfers across provincial borders (危险废物跨省转移). Pure: no I/O.
//!
//! - [`catalog`]: the National Hazardous Waste List (2021) as shipped data.
//! - [`rules`]: approval periods in working days and the manifest tolerance, configurable,
//!   each value citing its source.
//! - [`model`]: permits, whitelist agreements, applications, decisions, manifests.
//! - [`apply`]: the automatic checks of a new application and its due date.
//! - [`workflow`]: the two provinces' decisions, shipping and receiving manifests (联单).
//! - [`stats`]: a province's figures for a year.
//! - [`import`]: validating permit, whitelist and declaration files into records and
//!   rejections.
//!
//! Working days come from the product's one calendar, [`zp_domain::Calendar`].

pub mod apply;
pub mod catalog;
pub mod import;
pub mod model;
pub mod rules;
pub mod stats;
pub mod workflow;

pub use apply::{ApplyContext, plan_application};
pub use catalog::{Catalog, Category, WasteCode};
pub use model::{
    Application, Check, Decision, Declaration, Load, Manifest, NewApplication, Permit, Planned,
    Purpose, Side, Status, Usage, WhitelistEntry,
};
pub use rules::Rules;
pub use stats::{Utilisation, WasteReport, generators_utilisation, report};
pub use workflow::{Receipt, Verdict, check_shipment, decide, receive};

/// Why an operation was refused or data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WasteError {
    /// The request breaks a rule; the message says which.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Calendar(#[from] zp_domain::CalendarError),
    /// Reference data or a rules file is malformed.
    #[error("{0}")]
    Data(String),
}
