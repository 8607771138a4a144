//! The embedded default backend: SQLite via rusqlite (bundled).

use crate::StoreError;
use crate::conn::{Conn, Dialect, Row, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use std::path::Path;

pub struct SqliteConn {
    conn: rusqlite::Connection,
}

impl SqliteConn {
    pub fn open(path: &Path) -> Result<SqliteConn, StoreError> {
        let conn = rusqlite::Connection::open(path)
            .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        Self::setup(conn)
    }

    pub fn memory() -> Result<SqliteConn, StoreError> {
        Self::setup(rusqlite::Connection::open_in_memory().map_err(sql)?)
    }

    fn setup(conn: rusqlite::Connection) -> Result<SqliteConn, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        )
        .map_err(sql)?;
        Ok(SqliteConn { conn })
    }
}

fn sql(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return StoreError::Conflict(e.to_string());
    }
    StoreError::Sql(e.to_string())
}

/// `$N` placeholders become SQLite's positional `?N`.
fn positional(sql_text: &str) -> String {
    let mut out = String::with_capacity(sql_text.len());
    let mut chars = sql_text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            in_string = !in_string;
        }
        if c == '$' && !in_string && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(v) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Owned(rusqlite::types::Value::Real(*v)),
            Value::Text(v) => match crate::conn::storable_text(v) {
                std::borrow::Cow::Borrowed(t) => {
                    ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes()))
                }
                std::borrow::Cow::Owned(t) => ToSqlOutput::Owned(rusqlite::types::Value::Text(t)),
            },
        })
    }
}

impl Conn for SqliteConn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql_text: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&positional(sql_text))
            .map_err(sql)?;
        Ok(stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(sql)? as u64)
    }

    fn query(&mut self, sql_text: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&positional(sql_text))
            .map_err(sql)?;
        let n = stmt.column_count();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                (0..n)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            ValueRef::Null => Value::Null,
                            ValueRef::Integer(v) => Value::Int(v),
                            ValueRef::Real(v) => Value::Real(v),
                            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into()),
                            ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into()),
                        })
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(Row)
            })
            .map_err(sql)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
    }

    fn batch(&mut self, sql_text: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql_text).map_err(sql)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_positional_outside_strings() {
        assert_eq!(
            super::positional("a=$2 AND b='$1' AND c=$10"),
            "a=?2 AND b='$1' AND c=?10"
        );
    }
}
