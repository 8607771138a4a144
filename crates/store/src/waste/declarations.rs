//! Generators' declared wastes (产废单位申报的危险废物): one row per generator, code and
//! year with the declared annual tonnes. Migration `0015_waste_declarations`. Imported like
//! permits (new rows insert, changed ones update with before/after in the audit log, equal
//! ones count as duplicates) and read by a submission in its transaction.

use super::{RefTable, dec, import_rows};
use crate::conn::{Conn, Row, Value};
use crate::{ImportCounts, ImportRows, Result};
use zp_domain::CreditCode;
use zp_waste::Declaration;

pub(crate) const DECLARATIONS_MIGRATION: &str = r#"
CREATE TABLE waste_declarations (
    generator TEXT NOT NULL,
    code TEXT NOT NULL,
    year BIGINT NOT NULL,
    annual_t TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (generator, code, year)
);
"#;

const COLS: &str = "generator, code, year, annual_t, source";

pub(super) const DECLARATIONS: RefTable = RefTable {
    name: "waste_declarations",
    cols: COLS,
    key_cols: 3,
};

pub(super) fn values(d: &Declaration) -> Vec<Value> {
    vec![
        d.generator.as_str().into(),
        d.code.as_str().into(),
        i64::from(d.year).into(),
        super::t(d.annual_t).into(),
        d.source.as_str().into(),
    ]
}

fn of(r: &Row) -> Result<Declaration> {
    Ok(Declaration {
        generator: super::code(&r.text(0))?,
        code: r.text(1),
        year: i32::try_from(r.int(2)).map_err(|e| super::corrupt("declaration year", e))?,
        annual_t: dec(&r.text(3))?,
        source: r.text(4),
    })
}

pub(super) fn import(
    c: &mut dyn Conn,
    import: ImportRows<'_, Declaration>,
) -> Result<ImportCounts> {
    import_rows(c, &DECLARATIONS, import, values)
}

/// Every declaration, by generator, year and code.
pub(super) fn all(c: &mut dyn Conn) -> Result<Vec<Declaration>> {
    c.query(
        &format!("SELECT {COLS} FROM waste_declarations ORDER BY generator, year, code"),
        &[],
    )?
    .iter()
    .map(of)
    .collect()
}

/// What a submission's declaration check sees: `None` when no declaration of anyone was
/// ever imported, else the generator's declarations of the year.
pub(super) fn for_submission(
    c: &mut dyn Conn,
    generator: &CreditCode,
    year: i64,
) -> Result<Option<Vec<Declaration>>> {
    let any = c.query("SELECT COUNT(*) FROM waste_declarations", &[])?[0].int(0) > 0;
    if !any {
        return Ok(None);
    }
    let rows = c.query(
        &format!(
            "SELECT {COLS} FROM waste_declarations WHERE generator = $1 AND year = $2 ORDER BY code"
        ),
        &[generator.as_str().into(), year.into()],
    )?;
    rows.iter().map(of).collect::<Result<Vec<_>>>().map(Some)
}
