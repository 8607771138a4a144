//! Application services: each public function is one use case, called by the CLI and by the
//! HTTP server with the caller's [`Access`]. They glue the pure core (accounting, factors)
//! to storage and ingestion; they hold no state of their own.

pub mod certs;
pub mod demo;
pub mod evaluate;
pub mod evidence_pdf;
pub mod finance;
mod import;
mod inventory;
pub mod readings;
mod recompute;
pub mod stream;

pub use import::{
    ImportError, import_activity, import_factor_set, import_factor_table, import_grid_hourly,
    import_meters, import_orgs,
};
pub use inventory::{InventoryScope, catalog, inventory, org_inventory};
pub use recompute::{FactorChange, FigureChange, RecomputeItem, recompute};

use zp_store::StoreError;

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
