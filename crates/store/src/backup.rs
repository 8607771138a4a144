//! Online backup and restore of the SQL store, the same for both backends: every table's
//! rows read in one consistent snapshot (SQLite: one read transaction; PostgreSQL:
//! `REPEATABLE READ READ ONLY`), in creation order, and written back into an empty store of
//! either backend in one transaction. A SQLite backup restores into PostgreSQL and back.
//!
//! `schema_migrations` is not copied: the target must have applied exactly the source's
//! migrations (the same zeropark version), which [`BackupStore::migrations`] lets the
//! caller check. PostgreSQL's id sequences are moved past the restored ids.

use crate::conn::{Conn, Dialect, Row, Value};
use crate::{Result, SqlStore, StoreError};

/// What a dump yields: a table's header, then its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum DumpItem {
    Table { name: String, columns: Vec<String> },
    Row(Vec<Value>),
}

/// Tables a restore may find filled in a freshly migrated store (migrations seed them).
const SEEDED: &[&str] = &["data_version"];

/// Tables whose rows say the store is in use: a restore refuses a store holding any.
const IN_USE: &[&str] = &["orgs", "users", "import_batches", "audit_log"];

pub trait BackupStore {
    /// The migrations applied, in order.
    fn migrations(&mut self) -> Result<Vec<String>>;
    /// Every table (but `schema_migrations`) and its rows, in one snapshot.
    fn dump(&mut self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()>;
    /// Writes a dump into this store, which must be migrated and empty; returns the rows
    /// written per table. All or nothing.
    fn restore(
        &mut self,
        source: &mut dyn Iterator<Item = Result<DumpItem>>,
    ) -> Result<Vec<(String, u64)>>;
}

fn tables(c: &mut dyn Conn) -> Result<Vec<String>> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        }
        Dialect::Postgres => {
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid"
        }
    };
    Ok(c.query(sql, &[])?
        .iter()
        .map(|r| r.text(0))
        .filter(|t| t != "schema_migrations")
        .collect())
}

fn columns(c: &mut dyn Conn, table: &str) -> Result<Vec<String>> {
    let rows = match c.dialect() {
        Dialect::Sqlite => c.query(
            &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            &[],
        )?,
        Dialect::Postgres => c.query(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[table.into()],
        )?,
    };
    Ok(rows.iter().map(|r| r.text(0)).collect())
}

/// A table or column name as it may appear in SQL (ours are lowercase identifiers).
fn ident(name: &str) -> Result<&str> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(name)
    } else {
        Err(StoreError::Corrupt(format!(
            "not a table or column name: {name:?}"
        )))
    }
}

fn count(c: &mut dyn Conn, table: &str) -> Result<i64> {
    Ok(c.query(&format!("SELECT COUNT(*) FROM {}", ident(table)?), &[])?[0].int(0))
}

impl<C: Conn> BackupStore for SqlStore<C> {
    fn migrations(&mut self) -> Result<Vec<String>> {
        Ok(self
            .conn()
            .query("SELECT name FROM schema_migrations ORDER BY name", &[])?
            .iter()
            .map(|r| r.text(0))
            .collect())
    }

    fn dump(&mut self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()> {
        let c = self.conn();
        c.batch(match c.dialect() {
            Dialect::Sqlite => "BEGIN",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        let result = (|| {
            for table in tables(c)? {
                let cols = columns(c, &table)?;
                let list = cols
                    .iter()
                    .map(|n| ident(n))
                    .collect::<Result<Vec<_>>>()?
                    .join(", ");
                let rows: Vec<Row> = c.query(
                    &format!("SELECT {list} FROM {} ORDER BY 1", ident(&table)?),
                    &[],
                )?;
                sink(DumpItem::Table {
                    name: table,
                    columns: cols,
                })?;
                for r in rows {
                    sink(DumpItem::Row(r.0))?;
                }
            }
            Ok(())
        })();
        // A read-only snapshot: nothing to commit either way.
        let _ = c.batch("ROLLBACK");
        result
    }

    fn restore(
        &mut self,
        source: &mut dyn Iterator<Item = Result<DumpItem>>,
    ) -> Result<Vec<(String, u64)>> {
        self.transaction(|c| {
            let known = tables(c)?;
            for t in IN_USE {
                if known.iter().any(|k| k == t) && count(c, t)? > 0 {
                    return Err(StoreError::Conflict(format!(
                        "the target database is in use (table {t} has rows): restore into a new, migrated database"
                    )));
                }
            }
            for t in SEEDED {
                if known.iter().any(|k| k == t) {
                    c.execute(&format!("DELETE FROM {}", ident(t)?), &[])?;
                }
            }
            let mut written: Vec<(String, u64)> = Vec::new();
            let mut insert = String::new();
            let mut width = 0;
            for item in source {
                match item? {
                    DumpItem::Table { name, columns } => {
                        if !known.contains(&name) {
                            return Err(StoreError::Conflict(format!(
                                "the backup has table {name}, which this database does not: restore with the zeropark version that made it"
                            )));
                        }
                        let list = columns
                            .iter()
                            .map(|n| ident(n))
                            .collect::<Result<Vec<_>>>()?
                            .join(", ");
                        let marks = (1..=columns.len())
                            .map(|i| format!("${i}"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        insert = format!("INSERT INTO {} ({list}) VALUES ({marks})", ident(&name)?);
                        width = columns.len();
                        written.push((name, 0));
                    }
                    DumpItem::Row(values) => {
                        let Some(last) = written.last_mut() else {
                            return Err(StoreError::Corrupt("a row before any table".into()));
                        };
                        if values.len() != width {
                            return Err(StoreError::Corrupt(format!(
                                "table {}: a row of {} values for {width} columns",
                                last.0,
                                values.len()
                            )));
                        }
                        c.execute(&insert, &values)?;
                        last.1 += 1;
                    }
                }
            }
            if c.dialect() == Dialect::Postgres {
                for (table, _) in &written {
                    if !columns(c, table)?.iter().any(|col| col == "id") {
                        continue;
                    }
                    let t = ident(table)?;
                    let seq = c.query(
                        &format!("SELECT pg_get_serial_sequence('{t}', 'id')"),
                        &[],
                    )?;
                    if seq.first().and_then(|r| r.opt_text(0)).is_some() {
                        c.query(
                            &format!(
                                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 1), (SELECT MAX(id) FROM {t}) IS NOT NULL)"
                            ),
                            &[],
                        )?;
                    }
                }
            }
            Ok(written)
        })
    }
}

impl From<&Value> for serde_json::Value {
    fn from(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => (*i).into(),
            // Written with a fraction or exponent, so that it reads back as a real.
            Value::Real(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(s) => serde_json::Value::String(s.clone()),
        }
    }
}

/// A value read back from its JSON form ([`From<&Value>`]).
pub fn value_of_json(v: &serde_json::Value) -> Result<Value> {
    Ok(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap_or_default()),
        serde_json::Value::Number(n) => Value::Real(
            n.as_f64()
                .ok_or_else(|| StoreError::Corrupt(format!("number {n}")))?,
        ),
        other => return Err(StoreError::Corrupt(format!("not a stored value: {other}"))),
    })
}
