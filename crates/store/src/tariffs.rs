//! Storage of time-of-use tariffs (see `zp-energy`) and of the tariff category each
//! enterprise is billed under. Migration `0012_tariffs`.
//!
//! A tariff version (region, category, valid_from) is stored whole: its bands as one
//! canonical JSON text, with the file that set it. Importing a version equal to the stored
//! one changes nothing (its rows count as duplicates); a different one replaces it
//! (restated, before and after in the audit log). The batch, the audit entries and the
//! rows are written in one transaction.

use crate::base::{
    audit, audit_import, audit_upsert, insert_batch, update_batch_counts, write_row,
};
use crate::conn::{Conn, Row};
use crate::{BatchMeta, ImportCounts, Result, SqlStore, StoreError, Upsert, now};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use zp_domain::time::Date;
use zp_domain::{CreditCode, Region};
use zp_energy::{Band, MonthSet, Period, TariffVersion};

pub(crate) const TARIFFS_MIGRATION: &str = r#"
CREATE TABLE tariff_versions (
    region TEXT NOT NULL,
    category TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    bands TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (region, category, valid_from)
);
CREATE TABLE org_tariffs (
    credit_code TEXT PRIMARY KEY REFERENCES orgs(credit_code),
    category TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"#;

/// A stored tariff version with the file that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTariff {
    #[serde(flatten)]
    pub version: TariffVersion,
    pub file: String,
    pub sha256: String,
    pub updated_at: String,
}

pub trait TariffStore {
    /// Stores validated tariff versions (`read` band rows) in one transaction: equal
    /// versions are duplicates, changed ones restated; batch and audit entries included.
    fn import_tariffs(
        &mut self,
        meta: &BatchMeta,
        versions: &[TariffVersion],
        read: usize,
    ) -> Result<ImportCounts>;
    /// Stored versions (of one region if given), by region, category and valid_from.
    fn tariffs(&mut self, region: Option<Region>) -> Result<Vec<StoredTariff>>;
    /// Bills the enterprise under `category` from now on (audited).
    fn set_org_tariff(&mut self, code: &CreditCode, category: &str, actor: &str) -> Result<Upsert>;
    /// The category set for the enterprise, if any.
    fn org_tariff(&mut self, code: &CreditCode) -> Result<Option<String>>;
}

/// A band as stored: text for the price, so no float ever touches it.
#[derive(Serialize, Deserialize)]
struct StoredBand {
    months: String,
    start_min: u16,
    end_min: u16,
    period: String,
    yuan_per_kwh: String,
}

fn bands_text(bands: &[Band]) -> Result<String> {
    let rows: Vec<StoredBand> = bands
        .iter()
        .map(|b| StoredBand {
            months: b.months.to_string(),
            start_min: b.start_min,
            end_min: b.end_min,
            period: b.period.key().to_string(),
            yuan_per_kwh: b.yuan_per_kwh.normalize().to_string(),
        })
        .collect();
    serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(format!("tariff bands: {e}")))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn bands_of(text: &str) -> Result<Vec<Band>> {
    let rows: Vec<StoredBand> =
        serde_json::from_str(text).map_err(|e| corrupt("tariff bands", e))?;
    rows.into_iter()
        .map(|b| {
            Ok(Band {
                months: MonthSet::parse(&b.months).map_err(|e| corrupt("tariff months", e))?,
                start_min: b.start_min,
                end_min: b.end_min,
                period: Period::parse(&b.period)
                    .ok_or_else(|| corrupt("tariff period", &b.period))?,
                yuan_per_kwh: Decimal::from_str(&b.yuan_per_kwh)
                    .map_err(|e| corrupt("tariff price", e))?,
            })
        })
        .collect()
}

const COLS: &str = "region, category, valid_from, bands, file, sha256, updated_at";

fn stored_of(r: &Row) -> Result<StoredTariff> {
    Ok(StoredTariff {
        version: TariffVersion {
            region: Region::parse(&r.text(0)).map_err(|e| corrupt("tariff region", e))?,
            category: r.text(1),
            valid_from: Date::from_str(&r.text(2)).map_err(|e| corrupt("tariff valid_from", e))?,
            bands: bands_of(&r.text(3))?,
        },
        file: r.text(4),
        sha256: r.text(5),
        updated_at: r.text(6),
    })
}

/// Stores one version; returns what happened.
fn put_version(c: &mut dyn Conn, meta: &BatchMeta, v: &TariffVersion) -> Result<Upsert> {
    let key = [
        v.region.code().into(),
        v.category.as_str().into(),
        v.valid_from.to_string().into(),
    ];
    let text = bands_text(&v.bands)?;
    let current = c.query(
        &format!(
            "SELECT {COLS} FROM tariff_versions WHERE region = $1 AND category = $2 AND valid_from = $3"
        ),
        &key,
    )?;
    let before = current.first().map(stored_of).transpose()?;
    let params = [
        key[0].clone(),
        key[1].clone(),
        key[2].clone(),
        text.as_str().into(),
        meta.file.as_str().into(),
        meta.sha256.as_str().into(),
        now().into(),
    ];
    let upsert = match &before {
        Some(b) if b.version == *v => return Ok(Upsert::Unchanged),
        _ => write_row(
            c,
            before.is_some(),
            "UPDATE tariff_versions SET bands = $4, file = $5, sha256 = $6, updated_at = $7 \
                 WHERE region = $1 AND category = $2 AND valid_from = $3",
            &format!("INSERT INTO tariff_versions ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &params,
        )?,
    };
    let before_text = current.first().map(|r| r.text(3));
    audit_upsert(
        c,
        &meta.actor,
        upsert,
        "tariff_versions",
        &format!("{}/{}/{}", v.region.code(), v.category, v.valid_from),
        before_text,
        Some(text),
    )?;
    Ok(upsert)
}

impl<C: Conn> TariffStore for SqlStore<C> {
    fn import_tariffs(
        &mut self,
        meta: &BatchMeta,
        versions: &[TariffVersion],
        read: usize,
    ) -> Result<ImportCounts> {
        let rows: usize = versions.iter().map(|v| v.bands.len()).sum();
        if rows != read {
            return Err(StoreError::Conflict(format!(
                "tariff import of {}: {read} rows read but {rows} bands given",
                meta.file
            )));
        }
        self.transaction(|c| {
            let mut counts = ImportCounts::of(read, 0);
            let batch = insert_batch(c, meta, &counts)?;
            for v in versions {
                let upsert = put_version(c, meta, v)?;
                for _ in &v.bands {
                    counts.tally(upsert);
                }
            }
            update_batch_counts(c, batch, &counts)?;
            audit_import(c, meta, &counts)?;
            Ok(counts.checked())
        })
    }

    fn tariffs(&mut self, region: Option<Region>) -> Result<Vec<StoredTariff>> {
        let (cond, params) = match region {
            Some(r) => ("WHERE region = $1", vec![r.code().into()]),
            None => ("", vec![]),
        };
        self.conn()
            .query(
                &format!(
                    "SELECT {COLS} FROM tariff_versions {cond} ORDER BY region, category, valid_from"
                ),
                &params,
            )?
            .iter()
            .map(stored_of)
            .collect()
    }

    fn set_org_tariff(&mut self, code: &CreditCode, category: &str, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            let current = c.query(
                "SELECT category FROM org_tariffs WHERE credit_code = $1",
                &[code.as_str().into()],
            )?;
            let before = current.first().map(|r| r.text(0));
            let upsert = match before.as_deref() {
                Some(b) if b == category => return Ok(Upsert::Unchanged),
                Some(_) => {
                    c.execute(
                        "UPDATE org_tariffs SET category = $2, updated_at = $3 WHERE credit_code = $1",
                        &[code.as_str().into(), category.into(), now().into()],
                    )?;
                    Upsert::Updated
                }
                None => {
                    c.execute(
                        "INSERT INTO org_tariffs (credit_code, category, updated_at) VALUES ($1, $2, $3)",
                        &[code.as_str().into(), category.into(), now().into()],
                    )?;
                    Upsert::Inserted
                }
            };
            audit(
                c,
                actor,
                "set-tariff",
                "org_tariffs",
                code.as_str(),
                before,
                Some(category.to_string()),
            )?;
            Ok(upsert)
        })
    }

    fn org_tariff(&mut self, code: &CreditCode) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query(
                "SELECT category FROM org_tariffs WHERE credit_code = $1",
                &[code.as_str().into()],
            )?
            .first()
            .map(|r| r.text(0)))
    }
}
