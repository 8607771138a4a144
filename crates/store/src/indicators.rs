//! Indicator data for evaluations (`zeropark import indicators`: values of a park or an
//! enterprise for a period, with evidence) and user indicator sets (TOML text kept
//! verbatim, immutable per id and version).
//!
//! Values keep their history like activity rows: the current row of a
//! (scope, indicator, period) has `superseded_by` NULL; a new value restates it.

use crate::base::{audit, org_condition, write_import};
use crate::conn::{Conn, Row, Value};
use crate::model::{
    Access, ImportCounts, ImportRows, IndicatorRecord, NewIndicatorValue, ScopeKind, Upsert,
};
use crate::{Result, SqlStore, StoreError, now};
use serde::Serialize;
use std::str::FromStr;
use zp_domain::Decimal;

pub(crate) const INDICATORS_MIGRATION: &str = r#"
CREATE TABLE indicator_values (
    id {id},
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    value TEXT NOT NULL,
    unit TEXT NOT NULL,
    evidence TEXT NOT NULL,
    batch_id BIGINT NOT NULL,
    source_file TEXT NOT NULL,
    source_row BIGINT NOT NULL,
    superseded_by BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX indicator_values_key ON indicator_values(scope_id, indicator, period);
CREATE TABLE indicator_schemes (
    scheme_id TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    toml TEXT NOT NULL,
    file TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (scheme_id, version)
);
"#;

/// A user indicator set as imported: the TOML text, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredScheme {
    pub scheme_id: String,
    pub version: String,
    pub sha256: String,
    pub toml: String,
    pub file: String,
    pub imported_at: String,
}

/// Storage of indicator data and user indicator sets.
pub trait IndicatorStore {
    /// Stores validated indicator values: equal values are duplicates, a different value,
    /// unit or evidence for the same (scope, indicator, period) restates the old row.
    fn import_indicators(
        &mut self,
        import: ImportRows<'_, NewIndicatorValue>,
    ) -> Result<ImportCounts>;
    /// Current values of a scope for a year (periods `YYYY` and `YYYY-MM`).
    fn indicator_values(
        &mut self,
        access: &Access,
        scope_id: &str,
        year: i32,
    ) -> Result<Vec<IndicatorRecord>>;
    /// Every version (current and superseded) of a scope's values.
    fn indicator_history(
        &mut self,
        access: &Access,
        scope_id: &str,
    ) -> Result<Vec<IndicatorRecord>>;
    /// Saves a user indicator set. The same id and version again is `Unchanged` with the
    /// same text and a conflict with a different one: a set version never changes.
    fn save_scheme(&mut self, scheme: &StoredScheme, actor: &str) -> Result<Upsert>;
    /// User indicator sets in import order.
    fn schemes(&mut self) -> Result<Vec<StoredScheme>>;
}

const COLUMNS: &str = "v.id, v.scope_kind, v.scope_id, v.indicator, v.period, v.value, v.unit, \
     v.evidence, v.batch_id, v.source_file, v.source_row, v.superseded_by, v.created_at";

fn row_to_record(r: &Row) -> Result<IndicatorRecord> {
    let value = r.text(5);
    Ok(IndicatorRecord {
        id: r.int(0),
        scope_kind: ScopeKind::parse(&r.text(1))
            .ok_or_else(|| StoreError::Corrupt(format!("scope kind {}", r.text(1))))?,
        scope_id: r.text(2),
        indicator: r.text(3),
        period: r.text(4),
        value: Decimal::from_str(&value)
            .map_err(|e| StoreError::Corrupt(format!("indicator value {value:?}: {e}")))?,
        unit: r.text(6),
        evidence: r.text(7),
        batch_id: r.int(8),
        source_file: r.text(9),
        source_row: r.int(10),
        superseded_by: r.opt_int(11),
        created_at: r.text(12),
    })
}

/// SQL condition restricting `indicator_values v` to what `access` may see: an
/// enterprise's values with its organisation, a park's with the park.
fn access_condition(access: &Access, n: usize) -> (String, Vec<Value>) {
    let (org_cond, params) = org_condition(access, n);
    let org_part = format!(
        "(v.scope_kind = 'org' AND EXISTS (SELECT 1 FROM orgs o WHERE o.credit_code = v.scope_id AND {org_cond}))"
    );
    let park_cond = match access {
        Access::All => "1=1".to_string(),
        Access::Region(_) => format!("p.region = ${n}"),
        Access::Park(_) => format!("p.name = ${n}"),
        Access::Org(_) => format!("p.id = (SELECT park_id FROM orgs WHERE credit_code = ${n})"),
    };
    let park_part = format!(
        "(v.scope_kind = 'park' AND EXISTS (SELECT 1 FROM parks p WHERE p.name = v.scope_id AND {park_cond}))"
    );
    // An enterprise user sees its own values, not its park's.
    let cond = match access {
        Access::Org(_) => org_part,
        _ => format!("({org_part} OR {park_part})"),
    };
    (cond, params)
}

impl<C: Conn> IndicatorStore for SqlStore<C> {
    fn import_indicators(
        &mut self,
        import: ImportRows<'_, NewIndicatorValue>,
    ) -> Result<ImportCounts> {
        let meta = import.meta;
        self.transaction(|c| {
            write_import(c, import, |c, batch, r, counts| {
                let key: [Value; 3] = [
                    r.scope_id.as_str().into(),
                    r.indicator.as_str().into(),
                    r.period.as_str().into(),
                ];
                let found = c.query(
                    &format!(
                        "SELECT {COLUMNS} FROM indicator_values v WHERE v.scope_id = $1 AND v.indicator = $2 AND v.period = $3 AND v.superseded_by IS NULL"
                    ),
                    &key,
                )?;
                let old = found.first().map(row_to_record).transpose()?;
                if let Some(old) = &old
                    && old.value == r.value
                    && old.unit == r.unit
                    && old.evidence == r.evidence
                    && old.scope_kind == r.scope_kind
                {
                    counts.duplicates += 1;
                    return Ok(());
                }
                let inserted = c.query(
                    "INSERT INTO indicator_values (scope_kind, scope_id, indicator, period, value, unit, evidence, batch_id, source_file, source_row, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    &[
                        r.scope_kind.key().into(),
                        key[0].clone(),
                        key[1].clone(),
                        key[2].clone(),
                        r.value.normalize().to_string().into(),
                        r.unit.as_str().into(),
                        r.evidence.as_str().into(),
                        batch.into(),
                        meta.file.as_str().into(),
                        r.source_row.into(),
                        now().into(),
                    ],
                )?;
                let new_id = inserted[0].int(0);
                if let Some(old) = old {
                    c.execute(
                        "UPDATE indicator_values SET superseded_by = $1 WHERE id = $2",
                        &[new_id.into(), old.id.into()],
                    )?;
                    counts.restated += 1;
                    let id = format!("{}/{}/{}", r.scope_id, r.indicator, r.period);
                    let before = format!("{} {} ({})", old.value, old.unit, old.evidence);
                    let after = format!("{} {} ({})", r.value.normalize(), r.unit, r.evidence);
                    audit(c, &meta.actor, "restate", "indicator_value", &id, Some(before), Some(after))?;
                }
                Ok(())
            })
        })
    }

    fn indicator_values(
        &mut self,
        access: &Access,
        scope_id: &str,
        year: i32,
    ) -> Result<Vec<IndicatorRecord>> {
        let (cond, mut params) = access_condition(access, 4);
        let mut all: Vec<Value> = vec![
            scope_id.into(),
            year.to_string().into(),
            format!("{year}-%").into(),
        ];
        all.append(&mut params);
        let sql = format!(
            "SELECT {COLUMNS} FROM indicator_values v WHERE v.scope_id = $1 AND (v.period = $2 OR v.period LIKE $3) \
             AND v.superseded_by IS NULL AND {cond} ORDER BY v.indicator, v.period"
        );
        self.conn()
            .query(&sql, &all)?
            .iter()
            .map(row_to_record)
            .collect()
    }

    fn indicator_history(
        &mut self,
        access: &Access,
        scope_id: &str,
    ) -> Result<Vec<IndicatorRecord>> {
        let (cond, mut params) = access_condition(access, 2);
        let mut all: Vec<Value> = vec![scope_id.into()];
        all.append(&mut params);
        let sql = format!(
            "SELECT {COLUMNS} FROM indicator_values v WHERE v.scope_id = $1 AND {cond} ORDER BY v.indicator, v.period, v.id"
        );
        self.conn()
            .query(&sql, &all)?
            .iter()
            .map(row_to_record)
            .collect()
    }

    fn save_scheme(&mut self, scheme: &StoredScheme, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            let found = c.query(
                "SELECT sha256 FROM indicator_schemes WHERE scheme_id = $1 AND version = $2",
                &[scheme.scheme_id.as_str().into(), scheme.version.as_str().into()],
            )?;
            if let Some(r) = found.first() {
                if r.text(0) == scheme.sha256 {
                    return Ok(Upsert::Unchanged);
                }
                return Err(StoreError::Conflict(format!(
                    "indicator set {} version {} is already imported with different content; give the changed set a new version",
                    scheme.scheme_id, scheme.version
                )));
            }
            c.execute(
                "INSERT INTO indicator_schemes (scheme_id, version, sha256, toml, file, imported_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    scheme.scheme_id.as_str().into(),
                    scheme.version.as_str().into(),
                    scheme.sha256.as_str().into(),
                    scheme.toml.as_str().into(),
                    scheme.file.as_str().into(),
                    now().into(),
                ],
            )?;
            let id = format!("{}@{}", scheme.scheme_id, scheme.version);
            audit(c, actor, "create", "indicator_scheme", &id, None, Some(format!("sha256 {} from {}", scheme.sha256, scheme.file)))?;
            Ok(Upsert::Inserted)
        })
    }

    fn schemes(&mut self) -> Result<Vec<StoredScheme>> {
        let rows = self.conn().query(
            "SELECT scheme_id, version, sha256, toml, file, imported_at FROM indicator_schemes ORDER BY imported_at, scheme_id, version",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| StoredScheme {
                scheme_id: r.text(0),
                version: r.text(1),
                sha256: r.text(2),
                toml: r.text(3),
                file: r.text(4),
                imported_at: r.text(5),
            })
            .collect())
    }
}
