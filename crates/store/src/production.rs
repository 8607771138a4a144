//! Production records of enterprises (产量): tonnes of a product (with its CN code and
//! production route) per month, the activity level CBAM divides embedded emissions by.
//! Migration `0013_production`.
//!
//! A record is keyed by (enterprise, period, CN code, route). Importing the same value
//! again changes nothing (a duplicate); a different product name or quantity restates it
//! (before and after in the audit log). Batch, quarantined rows, records and audit entries
//! are written in one transaction.

use crate::base::{audit_upsert, corrupt, dec, org_condition, parse_dec, write_row, year_months};
use crate::conn::{Conn, Row, Value};
use crate::{Access, BatchMeta, ImportCounts, ImportRows, Result, SqlStore, Upsert, now};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;
use zp_domain::{CreditCode, Period};

pub(crate) const PRODUCTION_MIGRATION: &str = r#"
CREATE TABLE production (
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    period TEXT NOT NULL,
    cn_code TEXT NOT NULL,
    route TEXT NOT NULL,
    product TEXT NOT NULL,
    quantity_t TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_row BIGINT NOT NULL,
    batch_id BIGINT NOT NULL REFERENCES import_batches(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (credit_code, period, cn_code, route)
);
"#;

/// A validated production row to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduction {
    pub credit_code: CreditCode,
    pub period: Period,
    pub product: String,
    /// Eight digits (or a 4- or 6-digit heading), without spaces.
    pub cn_code: String,
    pub quantity_t: Decimal,
    /// Empty when the file names no route.
    pub route: String,
    /// The file row it came from.
    pub row: i64,
}

/// A stored production record with the file row it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductionRecord {
    pub credit_code: String,
    pub period: Period,
    pub product: String,
    pub cn_code: String,
    pub route: String,
    pub quantity_t: Decimal,
    pub source_file: String,
    pub source_row: i64,
}

pub trait ProductionStore {
    /// Stores validated production rows (`read` rows in the file; `quarantined` the
    /// problems of the rejected rows, possibly several per row) in one transaction with the
    /// batch and its audit entries. Accepted rows beyond `rows` (repeated verbatim in the
    /// file) count as duplicates.
    fn import_production(&mut self, import: ImportRows<'_, NewProduction>) -> Result<ImportCounts>;
    /// The enterprise's records of `year` within `access`, by period, CN code and route.
    fn production(
        &mut self,
        access: &Access,
        code: &CreditCode,
        year: i32,
    ) -> Result<Vec<ProductionRecord>>;
}

const COLS: &str = "p.credit_code, p.period, p.product, p.cn_code, p.route, p.quantity_t, p.source_file, p.source_row";

fn record_of(r: &Row) -> Result<ProductionRecord> {
    Ok(ProductionRecord {
        credit_code: r.text(0),
        period: Period::from_str(&r.text(1)).map_err(corrupt("production period"))?,
        product: r.text(2),
        cn_code: r.text(3),
        route: r.text(4),
        quantity_t: parse_dec(&r.text(5))?,
        source_file: r.text(6),
        source_row: r.int(7),
    })
}

fn put(c: &mut dyn Conn, meta: &BatchMeta, batch: i64, p: &NewProduction) -> Result<Upsert> {
    let key = [
        p.credit_code.as_str().into(),
        p.period.to_string().into(),
        p.cn_code.as_str().into(),
        p.route.as_str().into(),
    ];
    let current = c.query(
        "SELECT product, quantity_t FROM production \
         WHERE credit_code = $1 AND period = $2 AND cn_code = $3 AND route = $4",
        &key,
    )?;
    let after = format!("{} {} t", p.product, dec(p.quantity_t));
    let before = match current.first() {
        Some(r) => {
            let q = parse_dec(&r.text(1))?;
            if r.text(0) == p.product && q == p.quantity_t {
                return Ok(Upsert::Unchanged);
            }
            Some(format!("{} {} t", r.text(0), dec(q)))
        }
        None => None,
    };
    let params = [
        key[0].clone(),
        key[1].clone(),
        key[2].clone(),
        key[3].clone(),
        p.product.as_str().into(),
        dec(p.quantity_t).into(),
        meta.file.as_str().into(),
        p.row.into(),
        batch.into(),
        now().into(),
    ];
    let upsert = write_row(
        c,
        before.is_some(),
        "UPDATE production SET product = $5, quantity_t = $6, source_file = $7, source_row = $8, \
             batch_id = $9, updated_at = $10 \
             WHERE credit_code = $1 AND period = $2 AND cn_code = $3 AND route = $4",
        "INSERT INTO production (credit_code, period, cn_code, route, product, quantity_t, \
             source_file, source_row, batch_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &params,
    )?;
    audit_upsert(
        c,
        &meta.actor,
        upsert,
        "production",
        &format!("{}/{}/{}/{}", p.credit_code, p.period, p.cn_code, p.route),
        before,
        Some(after),
    )?;
    Ok(upsert)
}

impl<C: Conn> ProductionStore for SqlStore<C> {
    fn import_production(&mut self, import: ImportRows<'_, NewProduction>) -> Result<ImportCounts> {
        self.import_keyed(import, put)
    }

    fn production(
        &mut self,
        access: &Access,
        code: &CreditCode,
        year: i32,
    ) -> Result<Vec<ProductionRecord>> {
        let (cond, mut params) = org_condition(access, 4);
        let mut all: Vec<Value> = vec![code.as_str().into()];
        all.extend(year_months(year));
        all.append(&mut params);
        self.conn()
            .query(
                &format!(
                    "SELECT {COLS} FROM production p JOIN orgs o ON o.credit_code = p.credit_code \
                     WHERE p.credit_code = $1 AND p.period >= $2 AND p.period <= $3 AND {cond} \
                     ORDER BY p.period, p.cn_code, p.route"
                ),
                &all,
            )?
            .iter()
            .map(record_of)
            .collect()
    }
}
