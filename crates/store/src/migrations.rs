//! Schema migrations, applied in order and recorded by name in `schema_migrations`.
//!
//! Each capability adds its own named migrations to [`MIGRATIONS`]; names never change once
//! released. `{id}` stands for the auto-increment primary key of each dialect.

use crate::StoreError;
use crate::conn::{Conn, Dialect, Value};

pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_foundation", FOUNDATION),
    ("0002_accounts", crate::accounts::ACCOUNTS_MIGRATION),
    ("0003_meters", crate::meters::METERS_MIGRATION),
    ("0004_certs", crate::certs::CERTS_MIGRATION),
    ("0006_indicators", crate::indicators::INDICATORS_MIGRATION),
    ("0007_finance", crate::finance::FINANCE_MIGRATION),
    ("0009_verifier_scope", crate::verifiers::VERIFIERS_MIGRATION),
    ("0010_waste", crate::waste::WASTE_MIGRATION),
    ("0011_assets", crate::assets::ASSETS_MIGRATION),
    ("0012_tariffs", crate::tariffs::TARIFFS_MIGRATION),
    ("0013_production", crate::production::PRODUCTION_MIGRATION),
    ("0014_budgets", crate::budgets::BUDGETS_MIGRATION),
    (
        "0015_waste_declarations",
        crate::waste::DECLARATIONS_MIGRATION,
    ),
    ("0016_data_version", DATA_VERSION),
    ("0017_buildings", crate::buildings::BUILDINGS_MIGRATION),
    ("0018_project_links", PROJECT_LINKS),
    ("0019_energy_centre", crate::alerts::ENERGY_CENTRE_MIGRATION),
    ("0020_inclusion", crate::inclusion::INCLUSION_MIGRATION),
    (
        "0021_product_data",
        crate::product_data::PRODUCT_DATA_MIGRATION,
    ),
    ("0022_readings_txn", READINGS_TXN),
];

/// The readings store's transaction token of a readings batch (`zp_readings::Prepared`):
/// an import whose process died between recording its batch and committing its readings
/// is committed when its token is here, discarded when not.
const READINGS_TXN: &str = r#"
ALTER TABLE import_batches ADD COLUMN readings_txn TEXT;
CREATE UNIQUE INDEX import_batches_readings_txn ON import_batches (readings_txn);
"#;

/// One counter raised by every audited change, in the change's own transaction
/// ([`crate::base::audit`]): readers compare it to know whether anything changed since they
/// last computed (the park overview's cache, `zp_app::park::ViewCache`). Writers of one
/// PostgreSQL row serialise on its lock, so a reader that sees `n` sees every change
/// counted up to `n`.
/// Which enterprise built an assessed project (`assess link`), to compare its metered
/// reality with the assessment.
const PROJECT_LINKS: &str = r#"
CREATE TABLE assessed_project_orgs (
    project_id BIGINT PRIMARY KEY REFERENCES assessed_projects(id),
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    linked_by TEXT NOT NULL,
    linked_at TEXT NOT NULL
);
"#;

const DATA_VERSION: &str = r#"
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);
"#;

const FOUNDATION: &str = r#"
CREATE TABLE parks (
    id {id},
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE orgs (
    credit_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    park_id BIGINT REFERENCES parks(id),
    industry TEXT NOT NULL,
    attrs TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orgs_park ON orgs(park_id);
CREATE TABLE sites (
    id {id},
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    UNIQUE (credit_code, name)
);
CREATE TABLE designations (
    id {id},
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    granted_on TEXT NOT NULL,
    expires_on TEXT,
    notice TEXT NOT NULL DEFAULT '',
    UNIQUE (scope_kind, scope_id, kind, level, granted_on)
);
CREATE TABLE org_output (
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    year BIGINT NOT NULL,
    value_10k_yuan TEXT NOT NULL,
    PRIMARY KEY (credit_code, year)
);
CREATE TABLE import_batches (
    id {id},
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    read_rows BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    restated BIGINT NOT NULL,
    actor TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE activity (
    id {id},
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    site TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL,
    carrier TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    base_quantity TEXT NOT NULL,
    attrs TEXT NOT NULL DEFAULT '{}',
    batch_id BIGINT NOT NULL REFERENCES import_batches(id),
    source_file TEXT NOT NULL,
    source_row BIGINT NOT NULL,
    superseded_by BIGINT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX activity_current ON activity(credit_code, site, period, carrier) WHERE superseded_by IS NULL;
CREATE INDEX activity_org_period ON activity(credit_code, period);
CREATE TABLE quarantine (
    id {id},
    batch_id BIGINT NOT NULL REFERENCES import_batches(id),
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    row_number BIGINT NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (file_sha256, kind, row_number, field)
);
CREATE TABLE factor_sets (
    name TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE factors (
    id TEXT PRIMARY KEY,
    set_name TEXT NOT NULL REFERENCES factor_sets(name),
    body TEXT NOT NULL
);
CREATE TABLE inventory_results (
    scope TEXT NOT NULL,
    year BIGINT NOT NULL,
    grid_mode TEXT NOT NULL,
    pins TEXT NOT NULL,
    figures TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, year, grid_mode)
);
CREATE TABLE audit_log (
    id {id},
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT
);
"#;

fn render(dialect: Dialect, sql: &str) -> String {
    let id = match dialect {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    sql.replace("{id}", id)
}

/// Applies every migration not yet recorded; returns the names applied.
pub fn migrate(conn: &mut dyn Conn, extra: &[(&str, &str)]) -> Result<Vec<String>, StoreError> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let done: Vec<String> = conn
        .query("SELECT name FROM schema_migrations", &[])?
        .iter()
        .map(|r| r.text(0))
        .collect();
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS.iter().chain(extra) {
        if done.iter().any(|d| d == name) {
            continue;
        }
        conn.batch("BEGIN")?;
        let result = conn.batch(&render(conn.dialect(), sql)).and_then(|_| {
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
                &[Value::from(*name), Value::from(crate::now())],
            )
        });
        match result {
            Ok(_) => conn.batch("COMMIT")?,
            Err(e) => {
                conn.batch("ROLLBACK")?;
                return Err(StoreError::Migration(format!("{name}: {e}")));
            }
        }
        applied.push(name.to_string());
    }
    Ok(applied)
}
