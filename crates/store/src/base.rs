//! The SQL store's shared parts: the [`SqlStore`] type over a [`Conn`], its transaction,
//! row mappers, tenant conditions and the batch, quarantine and audit writers every store
//! module uses. The `Store` implementation itself is in `sql_store`; the migrations that
//! the modules contribute are listed in `migrations`.

use crate::conn::{Conn, Dialect, Row, Value};
use crate::model::*;
use crate::{Result, StoreError, now};
use std::str::FromStr;
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region, Unit};

/// A store over any SQL backend.
pub struct SqlStore<C: Conn> {
    pub(crate) conn: C,
    pub(crate) extra_migrations: Vec<(&'static str, &'static str)>,
}

pub(crate) fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

pub(crate) fn parse_dec(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::Corrupt(format!("decimal {s:?}: {e}")))
}

pub(crate) fn corrupt<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// SQL condition restricting `orgs o` to what `access` may see; parameters start at `$n`.
pub(crate) fn org_condition(access: &Access, n: usize) -> (String, Vec<Value>) {
    match access {
        Access::All => ("1=1".into(), vec![]),
        Access::Region(r) => (format!("o.region = ${n}"), vec![r.code().into()]),
        Access::Park(p) => (
            format!("o.park_id = (SELECT id FROM parks WHERE name = ${n})"),
            vec![p.into()],
        ),
        Access::Org(c) => (format!("o.credit_code = ${n}"), vec![c.as_str().into()]),
    }
}

/// SQL condition restricting `parks p` to what `access` may see.
pub(crate) fn park_condition(access: &Access, n: usize) -> (String, Vec<Value>) {
    match access {
        Access::All => ("1=1".into(), vec![]),
        Access::Region(r) => (format!("p.region = ${n}"), vec![r.code().into()]),
        Access::Park(p) => (format!("p.name = ${n}"), vec![p.into()]),
        Access::Org(c) => (
            format!("p.id = (SELECT park_id FROM orgs WHERE credit_code = ${n})"),
            vec![c.as_str().into()],
        ),
    }
}

impl<C: Conn> SqlStore<C> {
    pub fn new(conn: C) -> Self {
        SqlStore {
            conn,
            extra_migrations: Vec::new(),
        }
    }

    /// Registers migrations of other capabilities (applied after the foundation's).
    pub fn with_migrations(mut self, m: &[(&'static str, &'static str)]) -> Self {
        self.extra_migrations.extend_from_slice(m);
        self
    }

    /// Direct access for capability modules that keep their own tables.
    pub fn conn(&mut self) -> &mut C {
        &mut self.conn
    }

    /// Runs `f` in a transaction: committed when it returns Ok, rolled back otherwise.
    /// SQLite takes the write lock at the start (`BEGIN IMMEDIATE`), so two connections
    /// that read and then write wait for each other (busy timeout) instead of failing on
    /// the lock upgrade.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut C) -> Result<T>) -> Result<T> {
        self.conn.batch(match self.conn.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        })?;
        match f(&mut self.conn) {
            Ok(v) => {
                self.conn.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                // The original error matters more than a failed rollback.
                let _ = self.conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Stores an import's validated rows with `put` in one transaction with the batch, its
    /// quarantined rows and the audit entries. A row with several problems is one
    /// quarantined row; accepted rows beyond `rows` (repeated verbatim in the file) count as
    /// duplicates.
    pub(crate) fn import_keyed<T>(
        &mut self,
        import: ImportRows<'_, T>,
        put: fn(&mut dyn Conn, &BatchMeta, i64, &T) -> Result<Upsert>,
    ) -> Result<ImportCounts> {
        let ImportRows {
            meta,
            rows,
            quarantined,
            read,
        } = import;
        self.transaction(|c| {
            let bad_rows: std::collections::BTreeSet<i64> =
                quarantined.iter().map(|r| r.row).collect();
            let mut counts = ImportCounts::of(read, bad_rows.len());
            let batch = insert_batch(c, meta, &counts)?;
            insert_quarantine(c, batch, meta, quarantined)?;
            for r in rows {
                counts.tally(put(c, meta, batch, r)?);
            }
            counts.duplicates += counts.accepted.saturating_sub(rows.len());
            update_batch_counts(c, batch, &counts)?;
            audit_import(c, meta, &counts)?;
            Ok(counts.checked())
        })
    }

    pub(crate) fn row_to_org(r: &Row) -> Result<Org> {
        Ok(Org {
            credit_code: CreditCode::parse(&r.text(0)).map_err(corrupt("credit code"))?,
            name: r.text(1),
            region: Region::parse(&r.text(2)).map_err(corrupt("region"))?,
            industry: r.text(3),
            attrs: serde_json::from_str(&r.text(4)).map_err(corrupt("attrs"))?,
            park: r.opt_text(5),
        })
    }

    pub(crate) fn row_to_activity(r: &Row) -> Result<ActivityRecord> {
        let unit = Unit::parse(&r.text(6)).map_err(corrupt("unit"))?;
        Ok(ActivityRecord {
            id: r.int(0),
            credit_code: r.text(1),
            site: r.text(2),
            period: Period::parse(&r.text(3)).map_err(corrupt("period"))?,
            carrier: Carrier::parse(&r.text(4))
                .ok_or_else(|| StoreError::Corrupt(format!("carrier {}", r.text(4))))?,
            quantity: Quantity::new(parse_dec(&r.text(5))?, unit),
            attrs: serde_json::from_str(&r.text(7)).map_err(corrupt("attrs"))?,
            batch_id: r.int(8),
            source_file: r.text(9),
            source_row: r.int(10),
            superseded_by: r.opt_int(11),
            created_at: r.text(12),
        })
    }
}

/// Runs a query and maps each row it returns.
pub(crate) fn query_map<T>(
    conn: &mut dyn Conn,
    sql: &str,
    params: &[Value],
    row: impl FnMut(&Row) -> T,
) -> Result<Vec<T>> {
    Ok(conn.query(sql, params)?.iter().map(row).collect())
}

/// Runs a query and maps its first row, if any.
pub(crate) fn query_first<T>(
    conn: &mut dyn Conn,
    sql: &str,
    params: &[Value],
    row: impl FnOnce(&Row) -> T,
) -> Result<Option<T>> {
    Ok(conn.query(sql, params)?.first().map(row))
}

/// The columns [`batch_of`] reads, of `import_batches`.
pub(crate) const BATCH_COLS: &str = "id, kind, file, sha256, read_rows, accepted, quarantined, duplicates, restated, actor, imported_at";

pub(crate) fn batch_of(r: &Row) -> BatchInfo {
    BatchInfo {
        id: r.int(0),
        kind: r.text(1),
        file: r.text(2),
        sha256: r.text(3),
        counts: ImportCounts {
            read: r.int(4) as usize,
            accepted: r.int(5) as usize,
            quarantined: r.int(6) as usize,
            duplicates: r.int(7) as usize,
            restated: r.int(8) as usize,
        },
        actor: r.text(9),
        imported_at: r.text(10),
    }
}

/// The columns [`quarantine_of`] reads, of `quarantine q`.
pub(crate) const QUARANTINE_COLS: &str =
    "q.id, q.batch_id, q.kind, q.file, q.row_number, q.field, q.reason, q.raw, q.created_at";

pub(crate) fn quarantine_of(r: &Row) -> QuarantineEntry {
    QuarantineEntry {
        id: r.int(0),
        batch_id: r.int(1),
        kind: r.text(2),
        file: r.text(3),
        row: r.int(4),
        field: r.text(5),
        reason: r.text(6),
        raw: r.text(7),
        created_at: r.text(8),
    }
}

/// The columns [`audit_entry_of`] reads, of `audit_log`.
pub(crate) const AUDIT_COLS: &str =
    "id, at, actor, action, entity, entity_id, before_value, after_value";

pub(crate) fn audit_entry_of(r: &Row) -> AuditEntry {
    AuditEntry {
        id: r.int(0),
        at: r.text(1),
        actor: r.text(2),
        action: r.text(3),
        entity: r.text(4),
        entity_id: r.text(5),
        before: r.opt_text(6),
        after: r.opt_text(7),
    }
}

/// Appends an audit entry and raises the data version (inside the caller's transaction).
pub(crate) fn audit(
    conn: &mut dyn Conn,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, before_value, after_value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            now().into(),
            actor.into(),
            action.into(),
            entity.into(),
            entity_id.into(),
            before.into(),
            after.into(),
        ],
    )?;
    conn.execute("UPDATE data_version SET n = n + 1 WHERE id = 1", &[])?;
    Ok(())
}

/// Audits a row an import inserted or updated (never called for an unchanged row).
pub(crate) fn audit_upsert(
    conn: &mut dyn Conn,
    actor: &str,
    upsert: Upsert,
    entity: &str,
    entity_id: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    let action = if upsert == Upsert::Inserted {
        "insert"
    } else {
        "update"
    };
    audit(conn, actor, action, entity, entity_id, before, after)
}

/// The first and last month of `year` (`YYYY-01`, `YYYY-12`): bounds of a period column.
pub(crate) fn year_months(year: i32) -> [Value; 2] {
    [
        format!("{year:04}-01").into(),
        format!("{year:04}-12").into(),
    ]
}

/// Writes a keyed row with `params`: `update` when the row was there before (`exists`),
/// else `insert`.
pub(crate) fn write_row(
    conn: &mut dyn Conn,
    exists: bool,
    update: &str,
    insert: &str,
    params: &[Value],
) -> Result<Upsert> {
    if exists {
        conn.execute(update, params)?;
        Ok(Upsert::Updated)
    } else {
        conn.execute(insert, params)?;
        Ok(Upsert::Inserted)
    }
}

/// Audits an import of `meta`'s file with its counts (inside the caller's transaction).
pub(crate) fn audit_import(
    conn: &mut dyn Conn,
    meta: &BatchMeta,
    counts: &ImportCounts,
) -> Result<()> {
    let summary = serde_json::to_string(counts).map_err(corrupt("counts"))?;
    audit(
        conn,
        &meta.actor,
        "import",
        &meta.kind,
        &meta.file,
        None,
        Some(summary),
    )
}

/// Writes one import inside the caller's transaction: the batch, each accepted row through
/// `row` (which counts the row's duplicates and restatements), the quarantined rows, the
/// final counts and the audit entry of the import.
pub(crate) fn write_import<T>(
    conn: &mut dyn Conn,
    import: ImportRows<'_, T>,
    mut row: impl FnMut(&mut dyn Conn, i64, &T, &mut ImportCounts) -> Result<()>,
) -> Result<ImportCounts> {
    let mut counts = ImportCounts {
        read: import.read,
        accepted: import.rows.len(),
        quarantined: import.quarantined.len(),
        ..Default::default()
    };
    let batch = insert_batch(conn, import.meta, &counts)?;
    for r in import.rows {
        row(conn, batch, r, &mut counts)?;
    }
    insert_quarantine(conn, batch, import.meta, import.quarantined)?;
    update_batch_counts(conn, batch, &counts)?;
    audit_import(conn, import.meta, &counts)?;
    Ok(counts)
}

/// Appends the optional park and region conditions on `orgs o` to `sql`.
pub(crate) fn push_org_filters(
    sql: &mut String,
    params: &mut Vec<Value>,
    park: Option<&String>,
    region: Option<&Region>,
) {
    if let Some(p) = park {
        params.push(p.into());
        *sql += &format!(
            " AND o.park_id = (SELECT id FROM parks WHERE name = ${})",
            params.len()
        );
    }
    if let Some(r) = region {
        params.push(r.code().into());
        *sql += &format!(" AND o.region = ${}", params.len());
    }
}

pub(crate) fn insert_batch(conn: &mut dyn Conn, meta: &BatchMeta, c: &ImportCounts) -> Result<i64> {
    let rows = conn.query(
        "INSERT INTO import_batches (kind, file, sha256, read_rows, accepted, quarantined, duplicates, restated, actor, imported_at, readings_txn) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        &[
            meta.kind.as_str().into(),
            meta.file.as_str().into(),
            meta.sha256.as_str().into(),
            (c.read as i64).into(),
            (c.accepted as i64).into(),
            (c.quarantined as i64).into(),
            (c.duplicates as i64).into(),
            (c.restated as i64).into(),
            meta.actor.as_str().into(),
            now().into(),
            meta.readings_txn.as_deref().into(),
        ],
    )?;
    Ok(rows[0].int(0))
}

pub(crate) fn insert_quarantine(
    conn: &mut dyn Conn,
    batch: i64,
    meta: &BatchMeta,
    q: &[Rejected],
) -> Result<()> {
    for r in q {
        conn.execute(
            "INSERT INTO quarantine (batch_id, kind, file, file_sha256, row_number, field, reason, raw, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (file_sha256, kind, row_number, field) DO NOTHING",
            &[
                batch.into(),
                meta.kind.as_str().into(),
                meta.file.as_str().into(),
                meta.sha256.as_str().into(),
                r.row.into(),
                r.field.as_str().into(),
                r.reason.as_str().into(),
                r.raw.as_str().into(),
                now().into(),
            ],
        )?;
    }
    Ok(())
}

pub(crate) fn update_batch_counts(conn: &mut dyn Conn, id: i64, c: &ImportCounts) -> Result<()> {
    conn.execute(
        "UPDATE import_batches SET accepted = $1, duplicates = $2, restated = $3 WHERE id = $4",
        &[
            (c.accepted as i64).into(),
            (c.duplicates as i64).into(),
            (c.restated as i64).into(),
            id.into(),
        ],
    )?;
    Ok(())
}
