//! The PostgreSQL backend, for deployments that already run one.

use crate::StoreError;
use crate::conn::{Conn, Dialect, Row, Value};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};

pub struct PgConn {
    client: Client,
}

impl PgConn {
    /// Connects with a URL such as `postgres://user@localhost:5432/zeropark`.
    pub fn connect(url: &str) -> Result<PgConn, StoreError> {
        let client = Client::connect(url, NoTls)
            .map_err(|e| StoreError::Open(format!("{}: {e}", redact(url))))?;
        Ok(PgConn { client })
    }
}

/// Hides a password in a connection URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn pg(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error()
        && db.code().code().starts_with("23")
    {
        return StoreError::Conflict(db.message().to_string());
    }
    match e.as_db_error() {
        // "db error" alone says nothing: the server's message and code do.
        Some(db) => StoreError::Sql(format!("{} ({})", db.message(), db.code().code())),
        None => StoreError::Sql(e.to_string()),
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::FLOAT8 => (*v as f64).to_sql(ty, out),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Real(v) => v.to_sql(ty, out),
            Value::Text(v) => crate::conn::storable_text(v).as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn params(p: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    p.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, p: &[Value]) -> Result<u64, StoreError> {
        self.client.execute(sql, &params(p)).map_err(pg)
    }

    fn query(&mut self, sql: &str, p: &[Value]) -> Result<Vec<Row>, StoreError> {
        let rows = self.client.query(sql, &params(p)).map_err(pg)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        let ty = r.columns()[i].type_();
                        let v = if *ty == Type::INT8 {
                            r.get::<_, Option<i64>>(i).map(Value::Int)
                        } else if *ty == Type::INT4 {
                            r.get::<_, Option<i32>>(i).map(|v| Value::Int(v.into()))
                        } else if *ty == Type::FLOAT8 {
                            r.get::<_, Option<f64>>(i).map(Value::Real)
                        } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
                            r.get::<_, Option<String>>(i).map(Value::Text)
                        } else if *ty == Type::BOOL {
                            r.get::<_, Option<bool>>(i).map(|b| Value::Int(b.into()))
                        } else {
                            return Err(StoreError::Sql(format!("unsupported column type {ty}")));
                        };
                        Ok(v.unwrap_or(Value::Null))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(pg)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://zp:secret@h/db"),
            "postgres://zp:***@h/db"
        );
        assert_eq!(super::redact("postgres://zp@h/db"), "postgres://zp@h/db");
    }
}
