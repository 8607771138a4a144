//! A minimal SQL executor over which the store is written once for both backends.
//!
//! Statements use `$1, $2, ...` placeholders and the SQL both SQLite and PostgreSQL accept
//! (`ON CONFLICT`, `RETURNING`, partial unique indexes). Values are the four types the
//! schema uses: BIGINT, TEXT, DOUBLE PRECISION and NULL. Exact decimals are stored as TEXT.

use crate::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Real(f64),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// The text a backend stores for a text value. PostgreSQL cannot hold the NUL character in
/// TEXT at all and SQLite can, so both store U+2400 (SYMBOL FOR NULL, `␀`) in its place:
/// the same input gives the same stored text, never an error on one backend only. Input
/// validation quarantines NUL in names and codes before they get here; this covers text
/// kept verbatim, such as the raw line of a quarantined row.
pub fn storable_text(v: &str) -> std::borrow::Cow<'_, str> {
    if v.contains('\0') {
        std::borrow::Cow::Owned(v.replace('\0', NUL_STANDIN))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

/// What [`storable_text`] stores for NUL.
pub const NUL_STANDIN: &str = "\u{2400}";

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn int(&self, i: usize) -> i64 {
        match &self.0[i] {
            Value::Int(v) => *v,
            Value::Real(v) => *v as i64,
            other => panic!("column {i}: expected an integer, got {other:?}"),
        }
    }

    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match &self.0[i] {
            Value::Null => None,
            _ => Some(self.int(i)),
        }
    }

    pub fn text(&self, i: usize) -> String {
        match &self.0[i] {
            Value::Text(v) => v.clone(),
            Value::Int(v) => v.to_string(),
            other => panic!("column {i}: expected text, got {other:?}"),
        }
    }

    pub fn opt_text(&self, i: usize) -> Option<String> {
        match &self.0[i] {
            Value::Null => None,
            _ => Some(self.text(i)),
        }
    }

    pub fn real(&self, i: usize) -> f64 {
        match &self.0[i] {
            Value::Real(v) => *v,
            Value::Int(v) => *v as f64,
            other => panic!("column {i}: expected a number, got {other:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What each backend provides.
pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    /// Runs several statements without parameters (DDL, BEGIN/COMMIT).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
}
