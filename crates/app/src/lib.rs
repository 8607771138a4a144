//! Application services: each public function is one use case, called by the CLI and by the
//! HTTP server with the caller's [`Access`]. They glue the pure core (accounting, factors)
//! to storage and ingestion; they hold no state of their own.

mod caller;
pub mod certs;
pub mod demo;
pub mod evaluate;
pub mod evidence_pdf;
pub mod finance;
mod import;
mod indicator_rows;
mod inventory;
pub mod readings;
mod recompute;
pub mod stream;

pub use caller::Caller;
pub use import::{
    ImportError, ImportKind, ImportOutcome, ReadingsSummary, import_factor_set,
    import_factor_table, import_file, import_table,
};
pub use inventory::{InventoryScope, catalog, inventory, org_inventory};
pub use recompute::{FactorChange, FigureChange, RecomputeItem, recompute};

// The record, storage and reference types the adapters show and pass: the CLI and the server
// depend on `zp-app` and `zp-domain` only.
pub use zp_accounting::{
    ActivityLine, GridFactorMode, Inventory, Options, OrgInput, aggregate, compute,
};
pub use zp_factors::{BUILTIN_SET, Catalog, Factor, FactorKind};
pub use zp_ingest::{Limits, ReadError, Table, read_table};
pub use zp_store::{
    Access, Application, ApplicationFilter, AuditEntry, BalanceSheet, BatchInfo, BatchMeta,
    Designation, DesignationKind, DesignationLevel, ImportCounts, Meter, MeterFilter, MeterKind,
    NewUser, Org, OrgFilter, Park, ProjectFilter, QuarantineEntry, QuarantineFilter, Rejected,
    Role, Site, Store, StoreError, Upsert, User, open,
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
