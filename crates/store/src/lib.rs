//! Storage for zeropark: one [`Store`] trait, implemented once over a small SQL executor
//! ([`conn::Conn`]) for two backends: SQLite (embedded default, [`open_sqlite`]) and
//! PostgreSQL ([`open_postgres`]). One test suite (`tests/suite.rs`) runs against both.
//!
//! Every write records an [`AuditEntry`] in the same transaction. Reads that return tenant
//! data take an [`Access`] and filter in the SQL itself.

pub mod accounts;
mod alerts;
mod assets;
mod backup;
mod base;
mod budgets;
mod buildings;
mod certs;
pub mod conn;
mod finance;
mod inclusion;
mod indicators;
mod meters;
mod migrations;
mod model;
mod postgres;
mod product_data;
mod production;
mod sql_store;
mod sqlite;
mod tariffs;
mod verifiers;
mod waste;

pub use accounts::{AccountStore, ApiTokenInfo, AuditFilter, NewUser, Role, User};
pub use alerts::{Alert, AlertStore, NewAlert, Webhook};
pub use assets::{AssetEventRow, AssetStore};
pub use backup::{BackupStore, DumpItem, value_of_json};
pub use base::SqlStore;
pub use budgets::{AssessedProject, Budget, BudgetScope, BudgetStore, NewAssessment};
pub use buildings::{Building, BuildingStandard, BuildingStore};
pub use certs::{CertEventRow, CertStore};
pub use conn::{Conn, Dialect, Row, Value};
pub use finance::{
    Application, ApplicationEvent, ApplicationFilter, BalanceSheet, FinanceProduct, FinanceProject,
    FinanceStore, FinanceView, MrvLink, NewApplication, NewEvent, ProjectFilter,
};
pub use inclusion::{
    INCLUSION_REASONS_EN, InclusionAction, InclusionIssuance, InclusionRedemption, InclusionStore,
    Participant,
};
pub use indicators::{IndicatorStore, StoredScheme};
pub use meters::MeterStore;
pub use migrations::{MIGRATIONS, migrate};
pub use model::*;
pub use postgres::PgConn;
pub use product_data::{EnergyLimit, ProductDataStore, ProductMaterial};
pub use production::{NewProduction, ProductionRecord, ProductionStore};
pub use sqlite::SqliteConn;
pub use tariffs::{StoredTariff, TariffStore};
pub use verifiers::VerifierStore;
pub use waste::{NewManifest, Ruled, WasteStore};

use std::path::Path;
use zp_domain::{CreditCode, Decimal};
use zp_factors::Factor;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {0}")]
    Open(String),
    #[error("database error: {0}")]
    Sql(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Current time as RFC 3339 UTC (the store's clock).
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Opens (creating if needed) a SQLite database file and migrates it.
pub fn open_sqlite(path: &Path) -> Result<SqlStore<SqliteConn>> {
    let mut s = SqlStore::new(SqliteConn::open(path)?);
    s.migrate()?;
    Ok(s)
}

/// Connects to PostgreSQL and migrates.
pub fn open_postgres(url: &str) -> Result<SqlStore<PgConn>> {
    let mut s = SqlStore::new(PgConn::connect(url)?);
    s.migrate()?;
    Ok(s)
}

/// Opens `target`: a `postgres://` URL or a SQLite file path.
pub fn open(target: &str) -> Result<Box<dyn Store>> {
    if target.starts_with("postgres://") || target.starts_with("postgresql://") {
        Ok(Box::new(open_postgres(target)?))
    } else {
        Ok(Box::new(open_sqlite(Path::new(target))?))
    }
}

/// The storage operations of the platform. Implemented by [`SqlStore`] for every backend.
pub trait Store:
    MeterStore
    + CertStore
    + AccountStore
    + IndicatorStore
    + FinanceStore
    + AssetStore
    + VerifierStore
    + WasteStore
    + TariffStore
    + ProductionStore
    + ProductDataStore
    + BudgetStore
    + BuildingStore
    + AlertStore
    + BackupStore
    + InclusionStore
    + Send
{
    /// Applies pending schema migrations; returns their names.
    fn migrate(&mut self) -> Result<Vec<String>>;

    // Registry
    fn upsert_park(&mut self, name: &str, region: zp_domain::Region, actor: &str) -> Result<Park>;
    fn parks(&mut self, access: &Access) -> Result<Vec<Park>>;
    fn park(&mut self, access: &Access, name: &str) -> Result<Option<Park>>;
    fn upsert_org(&mut self, org: &Org, actor: &str) -> Result<Upsert>;
    fn org(&mut self, access: &Access, code: &CreditCode) -> Result<Option<Org>>;
    fn orgs(&mut self, access: &Access, filter: &OrgFilter) -> Result<Vec<Org>>;
    fn upsert_site(&mut self, site: &Site, actor: &str) -> Result<Upsert>;
    fn sites(&mut self, access: &Access, code: &CreditCode) -> Result<Vec<Site>>;
    fn add_designation(&mut self, d: &Designation, actor: &str) -> Result<Upsert>;
    fn designations(&mut self, access: &Access, scope_id: Option<&str>)
    -> Result<Vec<Designation>>;
    fn set_output_value(
        &mut self,
        code: &CreditCode,
        year: i32,
        value_10k_yuan: Decimal,
        actor: &str,
    ) -> Result<Upsert>;
    fn output_value(&mut self, code: &CreditCode, year: i32) -> Result<Option<Decimal>>;

    // Imports
    /// Records an import that has no rows of its own to store (e.g. orgs), with its
    /// quarantined rows. Returns the batch id.
    fn record_batch(
        &mut self,
        meta: &BatchMeta,
        counts: &ImportCounts,
        quarantined: &[Rejected],
    ) -> Result<i64>;
    /// Whether a batch was recorded for the readings transaction `token`.
    fn readings_txn_recorded(&mut self, token: &str) -> Result<bool>;
    /// Stores a validated activity file: duplicates change nothing, changed values restate.
    fn import_activity(&mut self, import: ImportRows<'_, NewActivity>) -> Result<ImportCounts>;
    /// Current activity rows of an enterprise for a year.
    fn activity(
        &mut self,
        access: &Access,
        code: &CreditCode,
        year: i32,
    ) -> Result<Vec<ActivityRecord>>;
    /// Current `green_certificate` rows of every enterprise that name serials: what the
    /// double-claim check compares a new row with. Unscoped by design (a claim by another
    /// tenant must still block); callers show only the serials and the claimant's code.
    fn certificate_claims(&mut self) -> Result<Vec<ActivityRecord>>;
    /// All versions (current and superseded) of an enterprise's rows.
    fn activity_history(
        &mut self,
        access: &Access,
        code: &CreditCode,
    ) -> Result<Vec<ActivityRecord>>;
    fn quarantine(&mut self, filter: &QuarantineFilter) -> Result<Vec<QuarantineEntry>>;
    fn batches(&mut self, limit: usize) -> Result<Vec<BatchInfo>>;
    /// Reverts a stored activity import: the rows it added are withdrawn, the values it
    /// restated come back, all audited. Refused when a later import restated one of its
    /// rows (revert that one first) or when it was already reverted.
    fn revert_activity_batch(&mut self, batch: i64, actor: &str) -> Result<RevertCounts>;

    // Factors and issued results
    fn save_factor_set(
        &mut self,
        info: &FactorSetInfo,
        factors: &[Factor],
        actor: &str,
    ) -> Result<()>;
    fn factor_sets(&mut self) -> Result<Vec<FactorSetInfo>>;
    /// User factors in precedence order (oldest set first).
    fn user_factors(&mut self) -> Result<Vec<Factor>>;
    fn issued(&mut self, scope: &str, year: i32, grid_mode: &str) -> Result<Option<IssuedResult>>;
    fn issued_all(&mut self) -> Result<Vec<IssuedResult>>;
    fn save_issued(&mut self, result: &IssuedResult, actor: &str) -> Result<()>;

    // Audit
    fn audit(&mut self, limit: usize) -> Result<Vec<AuditEntry>>;
    /// A number raised by every audited change (every change): equal numbers, same data.
    fn data_version(&mut self) -> Result<i64>;
}
