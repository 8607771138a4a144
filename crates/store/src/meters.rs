//! Meter metadata and hourly grid factors. The readings themselves live in the columnar
//! store of `zp-readings`; the SQL database holds what describes them.

use crate::base::{audit, org_condition, push_org_filters, write_import};
use crate::conn::{Conn, Row, Value};
use crate::model::{
    Access, HourlyFactor, ImportCounts, ImportRows, Meter, MeterFilter, MeterKind, Upsert,
};
use crate::{Result, SqlStore, StoreError, now};
use zp_domain::{CreditCode, Region};

pub(crate) const METERS_MIGRATION: &str = r#"
CREATE TABLE meters (
    meter TEXT PRIMARY KEY,
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    kind TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    site TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meters_org ON meters(credit_code);
CREATE TABLE grid_hourly (
    region TEXT NOT NULL,
    ts BIGINT NOT NULL,
    tco2_per_mwh DOUBLE PRECISION NOT NULL,
    cfe_share DOUBLE PRECISION,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (region, ts)
);
"#;

/// Storage of meters and hourly grid factors.
pub trait MeterStore {
    fn upsert_meter(&mut self, m: &Meter, actor: &str) -> Result<Upsert>;
    fn meters(&mut self, access: &Access, filter: &MeterFilter) -> Result<Vec<Meter>>;
    /// Stores hourly factors: an existing (region, hour) with the same values is a
    /// duplicate; a different value is restated (and audited).
    fn import_grid_hourly(&mut self, import: ImportRows<'_, HourlyFactor>) -> Result<ImportCounts>;
    /// Hourly factors of a region with `from <= ts < to`, in time order.
    fn grid_hourly(&mut self, region: Region, from: i64, to: i64) -> Result<Vec<HourlyFactor>>;
}

fn row_to_meter(r: &Row) -> Result<Meter> {
    Ok(Meter {
        meter: r.text(0),
        credit_code: CreditCode::parse(&r.text(1))
            .map_err(|e| StoreError::Corrupt(format!("meter org: {e}")))?,
        kind: MeterKind::parse(&r.text(2))
            .ok_or_else(|| StoreError::Corrupt(format!("meter kind {}", r.text(2))))?,
        source: r.text(3),
        site: r.text(4),
        parent: r.text(5),
        end_use: r.text(6),
    })
}

fn opt_real(r: &Row, i: usize) -> Option<f64> {
    match r.0[i] {
        Value::Null => None,
        _ => Some(r.real(i)),
    }
}

impl<C: Conn> MeterStore for SqlStore<C> {
    fn upsert_meter(&mut self, m: &Meter, actor: &str) -> Result<Upsert> {
        let after = serde_json::to_string(m).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.transaction(|c| {
            let found = c.query("SELECT meter, credit_code, kind, source, site, parent, end_use FROM meters WHERE meter = $1", &[m.meter.as_str().into()])?;
            let params = [m.meter.as_str().into(), m.credit_code.as_str().into(), m.kind.key().into(), m.source.as_str().into(), m.site.as_str().into(), now().into(), m.parent.as_str().into(), m.end_use.as_str().into()];
            match found.first() {
                Some(r) => {
                    let old = row_to_meter(r)?;
                    if &old == m {
                        return Ok(Upsert::Unchanged);
                    }
                    c.execute("UPDATE meters SET credit_code = $2, kind = $3, source = $4, site = $5, updated_at = $6, parent = $7, end_use = $8 WHERE meter = $1", &params)?;
                    let before = serde_json::to_string(&old).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    audit(c, actor, "update", "meter", &m.meter, Some(before), Some(after.clone()))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute("INSERT INTO meters (meter, credit_code, kind, source, site, created_at, updated_at, parent, end_use) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)", &params)?;
                    audit(c, actor, "create", "meter", &m.meter, None, Some(after.clone()))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn meters(&mut self, access: &Access, filter: &MeterFilter) -> Result<Vec<Meter>> {
        let (cond, mut params) = org_condition(access, 1);
        let mut sql = format!(
            "SELECT m.meter, m.credit_code, m.kind, m.source, m.site, m.parent, m.end_use FROM meters m JOIN orgs o ON o.credit_code = m.credit_code WHERE {cond}"
        );
        if let Some(org) = &filter.org {
            params.push(org.as_str().into());
            sql += &format!(" AND m.credit_code = ${}", params.len());
        }
        push_org_filters(
            &mut sql,
            &mut params,
            filter.park.as_ref(),
            filter.region.as_ref(),
        );
        sql += " ORDER BY m.meter";
        self.conn()
            .query(&sql, &params)?
            .iter()
            .map(row_to_meter)
            .collect()
    }

    fn import_grid_hourly(&mut self, import: ImportRows<'_, HourlyFactor>) -> Result<ImportCounts> {
        let meta = import.meta;
        self.transaction(|c| {
            write_import(c, import, |c, batch, r, counts| {
                let key = [r.region.code().into(), r.ts.into()];
                let found = c.query("SELECT tco2_per_mwh, cfe_share FROM grid_hourly WHERE region = $1 AND ts = $2", &key)?;
                match found.first() {
                    Some(old) if old.real(0) == r.tco2_per_mwh && opt_real(old, 1) == r.cfe_share => {
                        counts.duplicates += 1;
                    }
                    Some(old) => {
                        c.execute(
                            "UPDATE grid_hourly SET tco2_per_mwh = $3, cfe_share = $4, batch_id = $5 WHERE region = $1 AND ts = $2",
                            &[key[0].clone(), key[1].clone(), r.tco2_per_mwh.into(), r.cfe_share.into(), batch.into()],
                        )?;
                        counts.restated += 1;
                        let id = format!("{}/{}", r.region, zp_domain::time::format_local(r.ts));
                        let before = format!("{} tCO2/MWh, cfe {:?}", old.real(0), opt_real(old, 1));
                        let after = format!("{} tCO2/MWh, cfe {:?}", r.tco2_per_mwh, r.cfe_share);
                        audit(c, &meta.actor, "restate", "grid_hourly", &id, Some(before), Some(after))?;
                    }
                    None => {
                        c.execute(
                            "INSERT INTO grid_hourly (region, ts, tco2_per_mwh, cfe_share, batch_id) VALUES ($1, $2, $3, $4, $5)",
                            &[key[0].clone(), key[1].clone(), r.tco2_per_mwh.into(), r.cfe_share.into(), batch.into()],
                        )?;
                    }
                }
                Ok(())
            })
        })
    }

    fn grid_hourly(&mut self, region: Region, from: i64, to: i64) -> Result<Vec<HourlyFactor>> {
        let rows = self.conn().query(
            "SELECT ts, tco2_per_mwh, cfe_share FROM grid_hourly WHERE region = $1 AND ts >= $2 AND ts < $3 ORDER BY ts",
            &[region.code().into(), from.into(), to.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| HourlyFactor {
                region,
                ts: r.int(0),
                tco2_per_mwh: r.real(1),
                cfe_share: opt_real(r, 2),
            })
            .collect())
    }
}
