//! The [`Store`] implementation, written once over [`Conn`].

use crate::base::*;
use crate::conn::{Conn, Row, Value};
use crate::model::*;
use crate::{Result, Store, StoreError, now};
use zp_domain::{CreditCode, Decimal, Region};
use zp_factors::Factor;

const ORG_COLUMNS: &str = "o.credit_code, o.name, o.region, o.industry, o.attrs, (SELECT name FROM parks WHERE id = o.park_id)";
const ACTIVITY_COLUMNS: &str = "a.id, a.credit_code, a.site, a.period, a.carrier, a.quantity, a.unit, a.attrs, \
     a.batch_id, a.source_file, a.source_row, a.superseded_by, a.created_at";

impl<C: Conn> Store for SqlStore<C> {
    fn migrate(&mut self) -> Result<Vec<String>> {
        let extra = self.extra_migrations.clone();
        crate::migrations::migrate(&mut self.conn, &extra)
    }

    fn upsert_park(&mut self, name: &str, region: Region, actor: &str) -> Result<Park> {
        self.transaction(|c| {
            let found = c.query(
                "SELECT id, region FROM parks WHERE name = $1",
                &[name.into()],
            )?;
            if let Some(r) = found.first() {
                let (id, old) = (r.int(0), r.text(1));
                if old != region.code() {
                    c.execute(
                        "UPDATE parks SET region = $1 WHERE id = $2",
                        &[region.code().into(), id.into()],
                    )?;
                    audit(
                        c,
                        actor,
                        "update",
                        "park",
                        name,
                        Some(old),
                        Some(region.code().into()),
                    )?;
                }
                return Ok(Park {
                    id,
                    name: name.into(),
                    region,
                });
            }
            let id = c.query(
                "INSERT INTO parks (name, region, created_at) VALUES ($1, $2, $3) RETURNING id",
                &[name.into(), region.code().into(), now().into()],
            )?[0]
                .int(0);
            audit(
                c,
                actor,
                "create",
                "park",
                name,
                None,
                Some(region.code().into()),
            )?;
            Ok(Park {
                id,
                name: name.into(),
                region,
            })
        })
    }

    fn parks(&mut self, access: &Access) -> Result<Vec<Park>> {
        let (cond, params) = park_condition(access, 1);
        let rows = self.conn.query(
            &format!("SELECT p.id, p.name, p.region FROM parks p WHERE {cond} ORDER BY p.name"),
            &params,
        )?;
        rows.iter()
            .map(|r| {
                Ok(Park {
                    id: r.int(0),
                    name: r.text(1),
                    region: Region::parse(&r.text(2)).map_err(corrupt("region"))?,
                })
            })
            .collect()
    }

    fn park(&mut self, access: &Access, name: &str) -> Result<Option<Park>> {
        Ok(self.parks(access)?.into_iter().find(|p| p.name == name))
    }

    fn upsert_org(&mut self, org: &Org, actor: &str) -> Result<Upsert> {
        let attrs = serde_json::to_string(&org.attrs).map_err(corrupt("attrs"))?;
        let after = serde_json::to_string(org).map_err(corrupt("org"))?;
        self.transaction(|c| {
            let park_id = match &org.park {
                Some(p) => {
                    let found = c.query("SELECT id FROM parks WHERE name = $1", &[p.into()])?;
                    match found.first() {
                        Some(r) => Some(r.int(0)),
                        None => {
                            let id = c.query(
                                "INSERT INTO parks (name, region, created_at) VALUES ($1, $2, $3) RETURNING id",
                                &[p.into(), org.region.code().into(), now().into()],
                            )?[0]
                                .int(0);
                            audit(c, actor, "create", "park", p, None, Some(org.region.code().into()))?;
                            Some(id)
                        }
                    }
                }
                None => None,
            };
            let existing = c.query(
                &format!("SELECT {ORG_COLUMNS} FROM orgs o WHERE o.credit_code = $1"),
                &[org.credit_code.as_str().into()],
            )?;
            let ts = now();
            match existing.first() {
                Some(r) => {
                    let old = Self::row_to_org(r)?;
                    if &old == org {
                        return Ok(Upsert::Unchanged);
                    }
                    c.execute(
                        "UPDATE orgs SET name = $1, region = $2, park_id = $3, industry = $4, attrs = $5, updated_at = $6 WHERE credit_code = $7",
                        &[org.name.as_str().into(), org.region.code().into(), park_id.into(), org.industry.as_str().into(), attrs.as_str().into(), ts.into(), org.credit_code.as_str().into()],
                    )?;
                    let before = serde_json::to_string(&old).map_err(corrupt("org"))?;
                    audit(c, actor, "update", "org", org.credit_code.as_str(), Some(before), Some(after.clone()))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute(
                        "INSERT INTO orgs (credit_code, name, region, park_id, industry, attrs, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                        &[org.credit_code.as_str().into(), org.name.as_str().into(), org.region.code().into(), park_id.into(), org.industry.as_str().into(), attrs.as_str().into(), ts.into()],
                    )?;
                    audit(c, actor, "create", "org", org.credit_code.as_str(), None, Some(after.clone()))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn org(&mut self, access: &Access, code: &CreditCode) -> Result<Option<Org>> {
        let (cond, mut params) = org_condition(access, 2);
        params.insert(0, code.as_str().into());
        let rows = self.conn.query(
            &format!("SELECT {ORG_COLUMNS} FROM orgs o WHERE o.credit_code = $1 AND {cond}"),
            &params,
        )?;
        rows.first().map(Self::row_to_org).transpose()
    }

    fn orgs(&mut self, access: &Access, filter: &OrgFilter) -> Result<Vec<Org>> {
        let (cond, mut params) = org_condition(access, 1);
        let mut sql = format!("SELECT {ORG_COLUMNS} FROM orgs o WHERE {cond}");
        push_org_filters(
            &mut sql,
            &mut params,
            filter.park.as_ref(),
            filter.region.as_ref(),
        );
        sql += " ORDER BY o.credit_code";
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(Self::row_to_org)
            .collect()
    }

    fn upsert_site(&mut self, site: &Site, actor: &str) -> Result<Upsert> {
        let after = serde_json::to_string(site).map_err(corrupt("site"))?;
        self.transaction(|c| {
            let found = c.query(
                "SELECT address, lat, lon FROM sites WHERE credit_code = $1 AND name = $2",
                &[site.credit_code.as_str().into(), site.name.as_str().into()],
            )?;
            let params = [
                site.credit_code.as_str().into(),
                site.name.as_str().into(),
                site.address.as_str().into(),
                site.lat.into(),
                site.lon.into(),
            ];
            let id = format!("{}/{}", site.credit_code, site.name);
            match found.first() {
                Some(r) => {
                    let same = r.text(0) == site.address
                        && r.0[1] == Value::from(site.lat)
                        && r.0[2] == Value::from(site.lon);
                    if same {
                        return Ok(Upsert::Unchanged);
                    }
                    c.execute("UPDATE sites SET address = $3, lat = $4, lon = $5 WHERE credit_code = $1 AND name = $2", &params)?;
                    audit(c, actor, "update", "site", &id, None, Some(after.clone()))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute("INSERT INTO sites (credit_code, name, address, lat, lon) VALUES ($1, $2, $3, $4, $5)", &params)?;
                    audit(c, actor, "create", "site", &id, None, Some(after.clone()))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn sites(&mut self, access: &Access, code: &CreditCode) -> Result<Vec<Site>> {
        let (cond, mut params) = org_condition(access, 2);
        params.insert(0, code.as_str().into());
        let rows = self.conn.query(
            &format!(
                "SELECT s.credit_code, s.name, s.address, s.lat, s.lon FROM sites s JOIN orgs o ON o.credit_code = s.credit_code \
                 WHERE s.credit_code = $1 AND {cond} ORDER BY s.name"
            ),
            &params,
        )?;
        rows.iter()
            .map(|r| {
                let real = |i: usize| match r.0[i] {
                    Value::Null => None,
                    _ => Some(r.real(i)),
                };
                Ok(Site {
                    credit_code: CreditCode::parse(&r.text(0)).map_err(corrupt("credit code"))?,
                    name: r.text(1),
                    address: r.text(2),
                    lat: real(3),
                    lon: real(4),
                })
            })
            .collect()
    }

    fn add_designation(&mut self, d: &Designation, actor: &str) -> Result<Upsert> {
        let after = serde_json::to_string(d).map_err(corrupt("designation"))?;
        self.transaction(|c| {
            let n = c.execute(
                "INSERT INTO designations (scope_kind, scope_id, kind, level, granted_on, expires_on, notice) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope_kind, scope_id, kind, level, granted_on) DO NOTHING",
                &[d.scope_kind.as_str().into(), d.scope_id.as_str().into(), d.kind.key().into(), d.level.key().into(), d.granted_on.as_str().into(), d.expires_on.clone().into(), d.notice.as_str().into()],
            )?;
            if n == 0 {
                return Ok(Upsert::Unchanged);
            }
            audit(c, actor, "create", "designation", &d.scope_id, None, Some(after.clone()))?;
            Ok(Upsert::Inserted)
        })
    }

    fn designations(
        &mut self,
        access: &Access,
        scope_id: Option<&str>,
    ) -> Result<Vec<Designation>> {
        let (oc, mut params) = org_condition(access, 1);
        let (pc, pp) = park_condition(access, params.len() + 1);
        params.extend(pp);
        let mut sql = format!(
            "SELECT d.scope_kind, d.scope_id, d.kind, d.level, d.granted_on, d.expires_on, d.notice FROM designations d \
             WHERE ((d.scope_kind = 'org' AND d.scope_id IN (SELECT o.credit_code FROM orgs o WHERE {oc})) \
                 OR (d.scope_kind = 'park' AND d.scope_id IN (SELECT p.name FROM parks p WHERE {pc})))"
        );
        if let Some(s) = scope_id {
            params.push(s.into());
            sql += &format!(" AND d.scope_id = ${}", params.len());
        }
        sql += " ORDER BY d.scope_id, d.granted_on";
        self.conn
            .query(&sql, &params)?
            .iter()
            .map(|r| {
                Ok(Designation {
                    scope_kind: r.text(0),
                    scope_id: r.text(1),
                    kind: DesignationKind::parse(&r.text(2)).ok_or_else(|| {
                        StoreError::Corrupt(format!("designation kind {}", r.text(2)))
                    })?,
                    level: DesignationLevel::parse(&r.text(3)).ok_or_else(|| {
                        StoreError::Corrupt(format!("designation level {}", r.text(3)))
                    })?,
                    granted_on: r.text(4),
                    expires_on: r.opt_text(5),
                    notice: r.text(6),
                })
            })
            .collect()
    }

    fn set_output_value(
        &mut self,
        code: &CreditCode,
        year: i32,
        value: Decimal,
        actor: &str,
    ) -> Result<Upsert> {
        self.transaction(|c| {
            let old = c.query(
                "SELECT value_10k_yuan FROM org_output WHERE credit_code = $1 AND year = $2",
                &[code.as_str().into(), i64::from(year).into()],
            )?;
            let before = old.first().map(|r| r.text(0));
            if before.as_deref() == Some(dec(value).as_str()) {
                return Ok(Upsert::Unchanged);
            }
            c.execute(
                "INSERT INTO org_output (credit_code, year, value_10k_yuan) VALUES ($1, $2, $3) \
                 ON CONFLICT (credit_code, year) DO UPDATE SET value_10k_yuan = excluded.value_10k_yuan",
                &[code.as_str().into(), i64::from(year).into(), dec(value).into()],
            )?;
            let id = format!("{code}/{year}");
            let kind = if before.is_some() { Upsert::Updated } else { Upsert::Inserted };
            audit(c, actor, "set", "output_value_10k_yuan", &id, before, Some(dec(value)))?;
            Ok(kind)
        })
    }

    fn output_value(&mut self, code: &CreditCode, year: i32) -> Result<Option<Decimal>> {
        let rows = self.conn.query(
            "SELECT value_10k_yuan FROM org_output WHERE credit_code = $1 AND year = $2",
            &[code.as_str().into(), i64::from(year).into()],
        )?;
        rows.first().map(|r| parse_dec(&r.text(0))).transpose()
    }

    fn record_batch(
        &mut self,
        meta: &BatchMeta,
        counts: &ImportCounts,
        quarantined: &[Rejected],
    ) -> Result<i64> {
        self.transaction(|c| {
            let id = insert_batch(c, meta, counts)?;
            insert_quarantine(c, id, meta, quarantined)?;
            audit_import(c, meta, counts)?;
            Ok(id)
        })
    }

    fn readings_txn_recorded(&mut self, token: &str) -> Result<bool> {
        let rows = self.conn.query(
            "SELECT 1 FROM import_batches WHERE readings_txn = $1",
            &[token.into()],
        )?;
        Ok(!rows.is_empty())
    }

    fn import_activity(&mut self, import: ImportRows<'_, NewActivity>) -> Result<ImportCounts> {
        let meta = import.meta;
        self.transaction(|c| {
            write_import(c, import, |c, batch, r, counts| {
                let key = [
                    r.credit_code.as_str().into(),
                    r.site.as_str().into(),
                    r.period.to_string().into(),
                    r.carrier.key().into(),
                ];
                let current = c.query(
                    "SELECT id, base_quantity, quantity, unit, attrs FROM activity \
                     WHERE credit_code = $1 AND site = $2 AND period = $3 AND carrier = $4 AND superseded_by IS NULL",
                    &key,
                )?;
                // A duplicate has the same quantity and the same attributes (a steam row's
                // pressure or a certificate row's serials changing is a restatement).
                let same_attrs = |cur: &crate::conn::Row| {
                    serde_json::from_str::<std::collections::BTreeMap<String, String>>(&cur.text(4))
                        .is_ok_and(|a| a == r.attrs)
                };
                let previous = match current.first() {
                    Some(cur) if parse_dec(&cur.text(1))? == r.base_quantity && same_attrs(cur) => {
                        counts.duplicates += 1;
                        return Ok(());
                    }
                    Some(cur) => {
                        // Release the unique "current" slot before inserting the new value.
                        c.execute("UPDATE activity SET superseded_by = 0 WHERE id = $1", &[cur.int(0).into()])?;
                        Some((cur.int(0), format!("{} {}", cur.text(2), cur.text(3))))
                    }
                    None => None,
                };
                let attrs = serde_json::to_string(&r.attrs).map_err(corrupt("attrs"))?;
                let new_id = c.query(
                    "INSERT INTO activity (credit_code, site, period, carrier, quantity, unit, base_quantity, attrs, batch_id, source_file, source_row, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    &[
                        key[0].clone(), key[1].clone(), key[2].clone(), key[3].clone(),
                        dec(r.quantity.value).into(), r.quantity.unit.symbol().into(), dec(r.base_quantity).into(),
                        attrs.into(), batch.into(), meta.file.as_str().into(), r.source_row.into(), now().into(),
                    ],
                )?[0]
                    .int(0);
                if let Some((old_id, before)) = previous {
                    c.execute("UPDATE activity SET superseded_by = $1 WHERE id = $2", &[new_id.into(), old_id.into()])?;
                    counts.restated += 1;
                    let entity_id = format!("{}/{}/{}/{}", r.credit_code, r.site, r.period, r.carrier);
                    audit(c, &meta.actor, "restate", "activity", &entity_id, Some(before), Some(r.quantity.to_string()))?;
                }
                Ok(())
            })
        })
    }

    fn activity(
        &mut self,
        access: &Access,
        code: &CreditCode,
        year: i32,
    ) -> Result<Vec<ActivityRecord>> {
        let (cond, mut params) = org_condition(access, 3);
        params.insert(0, code.as_str().into());
        params.insert(1, format!("{year:04}-%").into());
        let rows = self.conn.query(
            &format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activity a JOIN orgs o ON o.credit_code = a.credit_code \
                 WHERE a.credit_code = $1 AND a.period LIKE $2 AND a.superseded_by IS NULL AND {cond} ORDER BY a.period, a.carrier, a.id"
            ),
            &params,
        )?;
        rows.iter().map(Self::row_to_activity).collect()
    }

    fn certificate_claims(&mut self) -> Result<Vec<ActivityRecord>> {
        let rows = self.conn.query(
            &format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activity a \
                 WHERE a.carrier = 'green_certificate' AND a.superseded_by IS NULL \
                 AND a.attrs LIKE '%\"serials\"%' ORDER BY a.id"
            ),
            &[],
        )?;
        rows.iter().map(Self::row_to_activity).collect()
    }

    fn activity_history(
        &mut self,
        access: &Access,
        code: &CreditCode,
    ) -> Result<Vec<ActivityRecord>> {
        let (cond, mut params) = org_condition(access, 2);
        params.insert(0, code.as_str().into());
        let rows = self.conn.query(
            &format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activity a JOIN orgs o ON o.credit_code = a.credit_code \
                 WHERE a.credit_code = $1 AND {cond} ORDER BY a.period, a.carrier, a.id"
            ),
            &params,
        )?;
        rows.iter().map(Self::row_to_activity).collect()
    }

    fn quarantine(&mut self, filter: &QuarantineFilter) -> Result<Vec<QuarantineEntry>> {
        let mut params: Vec<Value> = Vec::new();
        let mut sql = format!("SELECT {QUARANTINE_COLS} FROM quarantine q WHERE 1=1");
        if let Some(k) = &filter.kind {
            params.push(k.into());
            sql += &format!(" AND q.kind = ${}", params.len());
        }
        if let Some(f) = &filter.file {
            params.push(f.into());
            sql += &format!(" AND q.file = ${}", params.len());
        }
        sql += " ORDER BY q.id";
        if let Some(l) = filter.limit {
            sql += &format!(" LIMIT {l}");
        }
        query_map(&mut self.conn, &sql, &params, quarantine_of)
    }

    fn revert_activity_batch(&mut self, batch: i64, actor: &str) -> Result<RevertCounts> {
        self.transaction(|c| {
            let kind = c.query("SELECT kind FROM import_batches WHERE id = $1", &[batch.into()])?;
            match kind.first().map(|r| r.text(0)) {
                None => return Err(StoreError::NotFound(format!("import {batch}"))),
                Some(k) if k != "activity" => {
                    return Err(StoreError::Conflict(format!(
                        "import {batch} is a {k} import; only activity imports (ledger values) can be reverted"
                    )));
                }
                Some(_) => {}
            }
            let rows = c.query(
                "SELECT id, superseded_by, credit_code, site, period, carrier, quantity, unit FROM activity WHERE batch_id = $1 ORDER BY id",
                &[batch.into()],
            )?;
            if let Some(later) = rows.iter().find(|r| r.opt_int(1).is_some()) {
                let by = later.opt_int(1).unwrap_or_default();
                let why = if by == later.int(0) {
                    format!("import {batch} was already reverted")
                } else {
                    let b = c.query("SELECT batch_id FROM activity WHERE id = $1", &[by.into()])?;
                    format!(
                        "a later import ({}) restated {} {} {}: revert it first",
                        b.first().map(|r| r.int(0).to_string()).unwrap_or_else(|| "?".into()),
                        later.text(2),
                        later.text(4),
                        later.text(5)
                    )
                };
                return Err(StoreError::Conflict(why));
            }
            let mut counts = RevertCounts { batch, ..Default::default() };
            for r in &rows {
                let id = r.int(0);
                // Withdrawn rows point at themselves: history shows them, nothing current.
                c.execute("UPDATE activity SET superseded_by = $1 WHERE id = $1", &[id.into()])?;
                let prev = c.query("SELECT id, quantity, unit FROM activity WHERE superseded_by = $1 AND id <> $1", &[id.into()])?;
                let entity_id = format!("{}/{}/{}/{}", r.text(2), r.text(3), r.text(4), r.text(5));
                let before = Some(format!("{} {}", r.text(6), r.text(7)));
                match prev.first() {
                    Some(p) => {
                        c.execute("UPDATE activity SET superseded_by = NULL WHERE id = $1", &[p.int(0).into()])?;
                        counts.restored += 1;
                        audit(c, actor, "revert", "activity", &entity_id, before, Some(format!("{} {}", p.text(1), p.text(2))))?;
                    }
                    None => {
                        counts.withdrawn += 1;
                        audit(c, actor, "revert", "activity", &entity_id, before, None)?;
                    }
                }
            }
            let summary = serde_json::to_string(&counts).map_err(corrupt("counts"))?;
            audit(c, actor, "revert", "import", &batch.to_string(), None, Some(summary))?;
            Ok(counts)
        })
    }

    fn batches(&mut self, limit: usize) -> Result<Vec<BatchInfo>> {
        let sql = format!("SELECT {BATCH_COLS} FROM import_batches ORDER BY id DESC LIMIT {limit}");
        query_map(&mut self.conn, &sql, &[], batch_of)
    }

    fn save_factor_set(
        &mut self,
        info: &FactorSetInfo,
        factors: &[Factor],
        actor: &str,
    ) -> Result<()> {
        self.transaction(|c| {
            let exists = c.query("SELECT sha256 FROM factor_sets WHERE name = $1", &[info.name.as_str().into()])?;
            if let Some(r) = exists.first() {
                return Err(StoreError::Conflict(format!(
                    "factor set {:?} already exists (sha256 {}); published factors are immutable, import a new set name",
                    info.name,
                    r.text(0)
                )));
            }
            let ordinal = c.query("SELECT COALESCE(MAX(ordinal), 0) + 1 FROM factor_sets", &[])?[0].int(0);
            c.execute(
                "INSERT INTO factor_sets (name, file, sha256, ordinal, imported_at) VALUES ($1, $2, $3, $4, $5)",
                &[info.name.as_str().into(), info.file.as_str().into(), info.sha256.as_str().into(), ordinal.into(), now().into()],
            )?;
            for f in factors {
                let body = serde_json::to_string(f).map_err(corrupt("factor"))?;
                c.execute(
                    "INSERT INTO factors (id, set_name, body) VALUES ($1, $2, $3)",
                    &[f.id.as_str().into(), info.name.as_str().into(), body.into()],
                )?;
            }
            let after = format!("{} factors from {}", factors.len(), info.file);
            audit(c, actor, "import", "factor_set", &info.name, None, Some(after))
        })
    }

    fn factor_sets(&mut self) -> Result<Vec<FactorSetInfo>> {
        let rows = self.conn.query(
            "SELECT name, file, sha256, imported_at FROM factor_sets ORDER BY ordinal",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| FactorSetInfo {
                name: r.text(0),
                file: r.text(1),
                sha256: r.text(2),
                imported_at: r.text(3),
            })
            .collect())
    }

    fn user_factors(&mut self) -> Result<Vec<Factor>> {
        let rows = self.conn.query(
            "SELECT f.body FROM factors f JOIN factor_sets s ON s.name = f.set_name ORDER BY s.ordinal, f.id",
            &[],
        )?;
        rows.iter()
            .map(|r| serde_json::from_str(&r.text(0)).map_err(corrupt("factor")))
            .collect()
    }

    fn issued(&mut self, scope: &str, year: i32, grid_mode: &str) -> Result<Option<IssuedResult>> {
        let rows = self.conn.query(
            "SELECT scope, year, grid_mode, pins, figures, issued_at, updated_at FROM inventory_results \
             WHERE scope = $1 AND year = $2 AND grid_mode = $3",
            &[scope.into(), i64::from(year).into(), grid_mode.into()],
        )?;
        rows.first().map(row_to_issued).transpose()
    }

    fn issued_all(&mut self) -> Result<Vec<IssuedResult>> {
        let rows = self.conn.query(
            "SELECT scope, year, grid_mode, pins, figures, issued_at, updated_at FROM inventory_results ORDER BY scope, year, grid_mode",
            &[],
        )?;
        rows.iter().map(row_to_issued).collect()
    }

    fn save_issued(&mut self, r: &IssuedResult, actor: &str) -> Result<()> {
        let pins = serde_json::to_string(&r.pins).map_err(corrupt("pins"))?;
        let figures = r.figures.to_string();
        self.transaction(|c| {
            let old = c.query(
                "SELECT pins FROM inventory_results WHERE scope = $1 AND year = $2 AND grid_mode = $3",
                &[r.scope.as_str().into(), i64::from(r.year).into(), r.grid_mode.as_str().into()],
            )?;
            let before = old.first().map(|x| x.text(0));
            if before.as_deref() == Some(pins.as_str()) {
                c.execute(
                    "UPDATE inventory_results SET figures = $1, updated_at = $2 WHERE scope = $3 AND year = $4 AND grid_mode = $5",
                    &[figures.as_str().into(), now().into(), r.scope.as_str().into(), i64::from(r.year).into(), r.grid_mode.as_str().into()],
                )?;
                return Ok(());
            }
            c.execute(
                "INSERT INTO inventory_results (scope, year, grid_mode, pins, figures, issued_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT (scope, year, grid_mode) DO UPDATE SET pins = excluded.pins, figures = excluded.figures, updated_at = excluded.updated_at",
                &[r.scope.as_str().into(), i64::from(r.year).into(), r.grid_mode.as_str().into(), pins.as_str().into(), figures.as_str().into(), now().into()],
            )?;
            let id = format!("{}/{}/{}", r.scope, r.year, r.grid_mode);
            let action = if before.is_some() { "recompute" } else { "issue" };
            audit(c, actor, action, "inventory", &id, before, Some(pins.clone()))
        })
    }

    fn audit(&mut self, limit: usize) -> Result<Vec<AuditEntry>> {
        let sql = format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY id DESC LIMIT {limit}");
        query_map(&mut self.conn, &sql, &[], audit_entry_of)
    }

    fn data_version(&mut self) -> Result<i64> {
        let rows = self
            .conn
            .query("SELECT n FROM data_version WHERE id = 1", &[])?;
        Ok(rows.first().map(|r| r.int(0)).unwrap_or(0))
    }
}

fn row_to_issued(r: &Row) -> Result<IssuedResult> {
    Ok(IssuedResult {
        scope: r.text(0),
        year: r.int(1) as i32,
        grid_mode: r.text(2),
        pins: serde_json::from_str(&r.text(3)).map_err(corrupt("pins"))?,
        figures: serde_json::from_str(&r.text(4)).map_err(corrupt("figures"))?,
        issued_at: r.text(5),
        updated_at: r.text(6),
    })
}
