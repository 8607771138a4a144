//! Application services: each public function is one use case, called by the CLI and by the
//! HTTP server with the caller's [`Access`]. They glue the pure core (accounting, factors)
//! to storage and ingestion; they hold no state of their own.

pub mod alerts;
pub mod assess;
pub mod assets;
pub mod backup;
mod batch;
pub mod benchmark;
pub mod budget;
pub mod buildings;
mod caller;
pub mod certs;
pub mod demo;
pub mod energy;
pub mod evaluate;
pub mod evidence_pdf;
pub mod finance;
pub mod flex;
pub mod flows;
pub mod footprint;
pub mod grid_factors;
mod import;
pub mod inclusion;
mod indicator_rows;
mod inventory;
pub mod metrics;
pub mod note;
pub mod park;
mod pool;
mod preview;
mod product_energy;
mod production;
pub mod readings;
pub mod reasons;
mod recompute;
pub mod reports;
mod serials;
mod steam_once;
pub mod stream;
pub mod waste;

pub use batch::{ImportOutcome, ReadingsSummary};
pub use caller::Caller;
pub use import::{
    ImportKind, import_factor_set, import_factor_table, import_file, import_table, revert_import,
};
pub use inventory::{InventoryScope, catalog, inventory, inventory_with, org_inventory};
pub use pool::{PooledStore, StorePool};
pub use preview::{ImportChange, ImportPreview, preview_readings, preview_table};
pub use recompute::{FactorChange, FigureChange, RecomputeItem, recompute};

// The record, storage and reference types the adapters show and pass: the CLI and the server
// depend on `zp-app` and `zp-domain` only.
pub use zp_accounting::{
    ActivityLine, ElectricityTce, GridFactorMode, Inventory, NOTES_EN as INVENTORY_NOTES_EN,
    Options, OrgInput, aggregate, compute,
};
pub use zp_factors::{BUILTIN_SET, Catalog, Factor, FactorKind, FactorZh, builtin_zh};
pub use zp_ingest::{Limits, ReadError, Table, read_table};
pub use zp_store::VerifierStore;
pub use zp_store::{
    Access, Application, ApplicationFilter, AuditEntry, BalanceSheet, BatchInfo, BatchMeta,
    Designation, DesignationKind, DesignationLevel, FactorSetInfo, ImportCounts, Meter,
    MeterFilter, MeterKind, NewUser, Org, OrgFilter, Park, ProjectFilter, QuarantineEntry,
    QuarantineFilter, Rejected, Role, Site, Store, StoreError, Upsert, User, open,
};
pub use zp_store::{
    Alert, ApiTokenInfo, AuditFilter, BudgetScope, NewAlert, RevertCounts, Webhook,
};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Accounting(#[from] zp_accounting::AccountingError),
    #[error(transparent)]
    Catalog(#[from] zp_factors::CatalogError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// A certificate registry command refused (who may not do it, or the bundle's state).
    #[error(transparent)]
    Certs(#[from] zp_certs::CertError),
}

/// Why an import failed as a whole (rows that fail validation are quarantined instead).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read at all (exit status 2 in the CLI).
    #[error(transparent)]
    Read(#[from] zp_ingest::ReadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{file}: {count} invalid row(s); a factor set is accepted whole or not at all:\n{details}"
    )]
    FactorRows {
        file: String,
        count: usize,
        details: String,
    },
    /// A request the use case refuses (a missing name, a kind the caller may not import).
    #[error("{0}")]
    Invalid(String),
}
