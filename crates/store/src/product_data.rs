//! Product data for benchmarking and footprints. Migration `0021_product_data`.
//!
//! - `energy_limits`: the levels 1/2/3 of an energy-consumption limit standard
//!   (单位产品能源消耗限额) for one product, kgce per t, with the source they were copied from
//!   (reference data, keyed by standard and product);
//! - `product_materials`: an enterprise's purchased materials for a product and year with
//!   their emission factor and its source (tenant data, keyed by enterprise, year, product
//!   and material).
//!
//! Both imports are keyed upserts like production records: the same values again change
//! nothing (duplicates); other values replace them with before and after in the audit log;
//! batch, quarantined rows, rows and audit entries are written in one transaction.

use crate::base::{audit_upsert, dec, org_condition, parse_dec, write_row, year_months};
use crate::conn::{Conn, Row, Value};
use crate::{Access, BatchMeta, ImportCounts, ImportRows, Result, SqlStore, Upsert, now};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::CreditCode;

pub(crate) const PRODUCT_DATA_MIGRATION: &str = r#"
CREATE TABLE energy_limits (
    standard TEXT NOT NULL,
    product TEXT NOT NULL,
    unit TEXT NOT NULL,
    level1 TEXT NOT NULL,
    level2 TEXT NOT NULL,
    level3 TEXT NOT NULL,
    source TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_row BIGINT NOT NULL,
    batch_id BIGINT NOT NULL REFERENCES import_batches(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (standard, product)
);
CREATE TABLE product_materials (
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    year BIGINT NOT NULL,
    product TEXT NOT NULL,
    material TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    kgco2e_per_unit TEXT NOT NULL,
    source TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_row BIGINT NOT NULL,
    batch_id BIGINT NOT NULL REFERENCES import_batches(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (credit_code, year, product, material)
);
"#;

/// One standard's levels for one product (kgce/t; lower is better), with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnergyLimit {
    /// e.g. `GB 16780-2021`.
    pub standard: String,
    /// Matched against production records' product name or CN code.
    pub product: String,
    pub unit: String,
    pub level1: Decimal,
    pub level2: Decimal,
    pub level3: Decimal,
    pub source: String,
    /// The file row it came from (`file:row`); set by the store on reads.
    pub row: i64,
    pub source_file: String,
}

/// A purchased material of an enterprise's product in a year, with its factor's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductMaterial {
    pub credit_code: CreditCode,
    pub year: i32,
    pub product: String,
    pub material: String,
    pub quantity: Decimal,
    pub unit: String,
    pub kgco2e_per_unit: Decimal,
    pub source: String,
    pub row: i64,
    pub source_file: String,
}

pub trait ProductDataStore {
    /// Stores validated limit rows (`read` rows in the file) in one transaction with the
    /// batch, the quarantined rows and the audit entries.
    fn import_energy_limits(&mut self, import: ImportRows<'_, EnergyLimit>)
    -> Result<ImportCounts>;
    /// Every stored standard and product (reference data: no tenant filter).
    fn energy_limits(&mut self) -> Result<Vec<EnergyLimit>>;
    /// Stores validated material rows, like [`ProductDataStore::import_energy_limits`].
    fn import_materials(&mut self, import: ImportRows<'_, ProductMaterial>)
    -> Result<ImportCounts>;
    /// The enterprise's materials of `year` within `access`, by product and material.
    fn materials(
        &mut self,
        access: &Access,
        code: &CreditCode,
        year: i32,
    ) -> Result<Vec<ProductMaterial>>;
    /// The enterprises within `access` with production records in `year` (for peers).
    fn producers(&mut self, access: &Access, year: i32) -> Result<Vec<CreditCode>>;
}

const LIMIT_COLS: &str =
    "standard, product, unit, level1, level2, level3, source, source_row, source_file";
const MATERIAL_COLS: &str = "m.credit_code, m.year, m.product, m.material, m.quantity, m.unit, \
     m.kgco2e_per_unit, m.source, m.source_row, m.source_file";

fn limit_of(r: &Row) -> Result<EnergyLimit> {
    Ok(EnergyLimit {
        standard: r.text(0),
        product: r.text(1),
        unit: r.text(2),
        level1: parse_dec(&r.text(3))?,
        level2: parse_dec(&r.text(4))?,
        level3: parse_dec(&r.text(5))?,
        source: r.text(6),
        row: r.int(7),
        source_file: r.text(8),
    })
}

fn limit_text(l: &EnergyLimit) -> String {
    format!(
        "{} {}/{}/{} {} ({})",
        l.unit,
        dec(l.level1),
        dec(l.level2),
        dec(l.level3),
        l.product,
        l.source
    )
}

fn material_of(r: &Row) -> Result<ProductMaterial> {
    Ok(ProductMaterial {
        credit_code: CreditCode::parse(&r.text(0))
            .map_err(|e| crate::StoreError::Corrupt(format!("material credit code: {e}")))?,
        year: r.int(1) as i32,
        product: r.text(2),
        material: r.text(3),
        quantity: parse_dec(&r.text(4))?,
        unit: r.text(5),
        kgco2e_per_unit: parse_dec(&r.text(6))?,
        source: r.text(7),
        row: r.int(8),
        source_file: r.text(9),
    })
}

fn material_text(m: &ProductMaterial) -> String {
    format!(
        "{} {} x {} kgCO2e/{} ({})",
        dec(m.quantity),
        m.unit,
        dec(m.kgco2e_per_unit),
        m.unit,
        m.source
    )
}

/// Inserts or updates one keyed row: `Unchanged` when `before` equals `after`.
#[allow(clippy::too_many_arguments)]
fn upsert(
    c: &mut dyn Conn,
    meta: &BatchMeta,
    entity: &str,
    id: &str,
    before: Option<String>,
    after: String,
    update: &str,
    insert: &str,
    params: &[Value],
) -> Result<Upsert> {
    if before.as_deref() == Some(after.as_str()) {
        return Ok(Upsert::Unchanged);
    }
    let upsert = write_row(c, before.is_some(), update, insert, params)?;
    audit_upsert(c, &meta.actor, upsert, entity, id, before, Some(after))?;
    Ok(upsert)
}

fn put_limit(c: &mut dyn Conn, meta: &BatchMeta, batch: i64, l: &EnergyLimit) -> Result<Upsert> {
    let before = c
        .query(
            &format!("SELECT {LIMIT_COLS} FROM energy_limits WHERE standard = $1 AND product = $2"),
            &[l.standard.as_str().into(), l.product.as_str().into()],
        )?
        .first()
        .map(limit_of)
        .transpose()?
        .map(|b| limit_text(&b));
    let params: Vec<Value> = vec![
        l.standard.as_str().into(),
        l.product.as_str().into(),
        l.unit.as_str().into(),
        dec(l.level1).into(),
        dec(l.level2).into(),
        dec(l.level3).into(),
        l.source.as_str().into(),
        meta.file.as_str().into(),
        l.row.into(),
        batch.into(),
        now().into(),
    ];
    upsert(
        c,
        meta,
        "energy_limit",
        &format!("{}/{}", l.standard, l.product),
        before,
        limit_text(l),
        "UPDATE energy_limits SET unit = $3, level1 = $4, level2 = $5, level3 = $6, source = $7, \
         source_file = $8, source_row = $9, batch_id = $10, updated_at = $11 \
         WHERE standard = $1 AND product = $2",
        "INSERT INTO energy_limits (standard, product, unit, level1, level2, level3, source, \
         source_file, source_row, batch_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &params,
    )
}

fn put_material(
    c: &mut dyn Conn,
    meta: &BatchMeta,
    batch: i64,
    m: &ProductMaterial,
) -> Result<Upsert> {
    let key: [Value; 4] = [
        m.credit_code.as_str().into(),
        i64::from(m.year).into(),
        m.product.as_str().into(),
        m.material.as_str().into(),
    ];
    let before = c
        .query(
            &format!(
                "SELECT {MATERIAL_COLS} FROM product_materials m \
                 WHERE m.credit_code = $1 AND m.year = $2 AND m.product = $3 AND m.material = $4"
            ),
            &key,
        )?
        .first()
        .map(material_of)
        .transpose()?
        .map(|b| material_text(&b));
    let mut params: Vec<Value> = key.to_vec();
    params.extend([
        dec(m.quantity).into(),
        m.unit.as_str().into(),
        dec(m.kgco2e_per_unit).into(),
        m.source.as_str().into(),
        meta.file.as_str().into(),
        m.row.into(),
        batch.into(),
        now().into(),
    ]);
    upsert(
        c,
        meta,
        "product_material",
        &format!("{}/{}/{}/{}", m.credit_code, m.year, m.product, m.material),
        before,
        material_text(m),
        "UPDATE product_materials SET quantity = $5, unit = $6, kgco2e_per_unit = $7, source = $8, \
         source_file = $9, source_row = $10, batch_id = $11, updated_at = $12 \
         WHERE credit_code = $1 AND year = $2 AND product = $3 AND material = $4",
        "INSERT INTO product_materials (credit_code, year, product, material, quantity, unit, \
         kgco2e_per_unit, source, source_file, source_row, batch_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &params,
    )
}

impl<C: Conn> ProductDataStore for SqlStore<C> {
    fn import_energy_limits(
        &mut self,
        import: ImportRows<'_, EnergyLimit>,
    ) -> Result<ImportCounts> {
        self.import_keyed(import, put_limit)
    }

    fn energy_limits(&mut self) -> Result<Vec<EnergyLimit>> {
        self.conn()
            .query(
                &format!("SELECT {LIMIT_COLS} FROM energy_limits ORDER BY standard, product"),
                &[],
            )?
            .iter()
            .map(limit_of)
            .collect()
    }

    fn import_materials(
        &mut self,
        import: ImportRows<'_, ProductMaterial>,
    ) -> Result<ImportCounts> {
        self.import_keyed(import, put_material)
    }

    fn materials(
        &mut self,
        access: &Access,
        code: &CreditCode,
        year: i32,
    ) -> Result<Vec<ProductMaterial>> {
        let (cond, mut params) = org_condition(access, 3);
        let mut all: Vec<Value> = vec![code.as_str().into(), i64::from(year).into()];
        all.append(&mut params);
        self.conn()
            .query(
                &format!(
                    "SELECT {MATERIAL_COLS} FROM product_materials m \
                     JOIN orgs o ON o.credit_code = m.credit_code \
                     WHERE m.credit_code = $1 AND m.year = $2 AND {cond} \
                     ORDER BY m.product, m.material"
                ),
                &all,
            )?
            .iter()
            .map(material_of)
            .collect()
    }

    fn producers(&mut self, access: &Access, year: i32) -> Result<Vec<CreditCode>> {
        let (cond, mut params) = org_condition(access, 3);
        let mut all: Vec<Value> = year_months(year).to_vec();
        all.append(&mut params);
        self.conn()
            .query(
                &format!(
                    "SELECT DISTINCT p.credit_code FROM production p \
                     JOIN orgs o ON o.credit_code = p.credit_code \
                     WHERE p.period >= $1 AND p.period <= $2 AND {cond} ORDER BY p.credit_code"
                ),
                &all,
            )?
            .iter()
            .map(|r| {
                CreditCode::parse(&r.text(0))
                    .map_err(|e| crate::StoreError::Corrupt(format!("producer credit code: {e}")))
            })
            .collect()
    }
}
