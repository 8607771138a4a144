//! Storage of yearly energy and carbon budgets (of an enterprise, a park or a region, split
//! by month; see `zp_energy::budget`) and of the register of assessed projects (see
//! `zp_energy::assess`). Migration `0014_budgets`.
//!
//! A budget is keyed by (scope kind, scope, year); setting it again with other figures
//! replaces it, before and after in the audit log. An assessed project is keyed by its name:
//! assessing it again stores the new result (and puts the status back to `assessed` when
//! the result changed); its status changes are audited.

use crate::base::{audit, audit_upsert, dec, parse_dec, write_row};
use crate::conn::{Conn, Row, Value};
use crate::{Access, Result, SqlStore, StoreError, Upsert, now};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::{CreditCode, Region};

pub(crate) const BUDGETS_MIGRATION: &str = r#"
CREATE TABLE budgets (
    scope_kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    year BIGINT NOT NULL,
    tce TEXT NOT NULL,
    tco2 TEXT NOT NULL,
    split TEXT NOT NULL,
    monthly TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope_kind, scope, year)
);
CREATE TABLE assessed_projects (
    id {id},
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    park TEXT,
    industry TEXT NOT NULL,
    year BIGINT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    result TEXT NOT NULL,
    status TEXT NOT NULL,
    status_note TEXT NOT NULL DEFAULT '',
    assessed_by TEXT NOT NULL,
    assessed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assessed_projects_region ON assessed_projects(region);
"#;

/// Whose budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetScope {
    Org(CreditCode),
    Park(String),
    Region(Region),
}

impl BudgetScope {
    /// `org`, `park` or `region`.
    pub fn kind(&self) -> &'static str {
        match self {
            BudgetScope::Org(_) => "org",
            BudgetScope::Park(_) => "park",
            BudgetScope::Region(_) => "region",
        }
    }

    /// Credit code, park name or region code.
    pub fn id(&self) -> String {
        match self {
            BudgetScope::Org(c) => c.to_string(),
            BudgetScope::Park(p) => p.clone(),
            BudgetScope::Region(r) => r.code().to_string(),
        }
    }
}

/// A yearly budget and its monthly split (twelve months each, summing to the year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub scope_kind: String,
    pub scope: String,
    pub year: i32,
    pub tce: Decimal,
    pub tco2: Decimal,
    /// `even`, `last-year` or `given`.
    pub split: String,
    pub monthly_tce: Vec<Decimal>,
    pub monthly_tco2: Vec<Decimal>,
    /// Set by the store.
    pub updated_by: String,
    pub updated_at: String,
}

/// A project assessment to register.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssessment {
    pub name: String,
    pub region: Region,
    pub park: Option<String>,
    pub industry: String,
    pub year: i32,
    pub file: String,
    pub sha256: String,
    /// The assessment report as JSON.
    pub result: serde_json::Value,
}

/// An entry of the register of assessed projects.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AssessedProject {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub park: Option<String>,
    pub industry: String,
    pub year: i32,
    pub file: String,
    pub sha256: String,
    pub result: serde_json::Value,
    /// `assessed`, `approved` or `rejected`.
    pub status: String,
    pub status_note: String,
    pub assessed_by: String,
    pub assessed_at: String,
    pub updated_at: String,
}

pub trait BudgetStore {
    /// Stores the budget of (scope, year), replacing a different one (audited).
    fn set_budget(&mut self, budget: &Budget, actor: &str) -> Result<Upsert>;
    /// The budget of a scope and year, if set.
    fn budget(&mut self, scope: &BudgetScope, year: i32) -> Result<Option<Budget>>;
    /// Registers (or re-registers, by name) an assessed project; returns its id. A changed
    /// result puts the status back to `assessed`.
    fn save_assessment(&mut self, a: &NewAssessment, actor: &str) -> Result<(i64, Upsert)>;
    /// The register as `access` may see it (a region's or park's projects; none for an
    /// enterprise), newest first.
    fn assessments(&mut self, access: &Access) -> Result<Vec<AssessedProject>>;
    /// Links a registered project to the enterprise that built it, so that its metered
    /// reality can be compared with the assessment (audited; `access` must see both).
    fn link_assessment(
        &mut self,
        access: &Access,
        id: i64,
        org: &CreditCode,
        actor: &str,
    ) -> Result<Upsert>;
    /// The enterprise a registered project is linked to, if any.
    fn assessment_link(&mut self, id: i64) -> Result<Option<CreditCode>>;
    /// Sets the status of a registered project (audited).
    fn set_assessment_status(
        &mut self,
        access: &Access,
        id: i64,
        status: &str,
        note: &str,
        actor: &str,
    ) -> Result<AssessedProject>;
}

fn months_text(m: &[Decimal]) -> Vec<String> {
    m.iter().map(|d| dec(*d)).collect()
}

fn monthly_json(b: &Budget) -> Result<String> {
    serde_json::to_string(&serde_json::json!({
        "tce": months_text(&b.monthly_tce),
        "tco2": months_text(&b.monthly_tco2),
    }))
    .map_err(|e| StoreError::Corrupt(format!("budget months: {e}")))
}

fn months_of(v: &serde_json::Value, key: &str) -> Result<Vec<Decimal>> {
    v.get(key)
        .and_then(|a| a.as_array())
        .ok_or_else(|| StoreError::Corrupt(format!("budget months: no {key}")))?
        .iter()
        .map(|x| parse_dec(x.as_str().unwrap_or_default()))
        .collect()
}

const BUDGET_COLS: &str =
    "scope_kind, scope, year, tce, tco2, split, monthly, updated_by, updated_at";

fn budget_of(r: &Row) -> Result<Budget> {
    let monthly: serde_json::Value = serde_json::from_str(&r.text(6))
        .map_err(|e| StoreError::Corrupt(format!("budget months: {e}")))?;
    Ok(Budget {
        scope_kind: r.text(0),
        scope: r.text(1),
        year: r.int(2) as i32,
        tce: parse_dec(&r.text(3))?,
        tco2: parse_dec(&r.text(4))?,
        split: r.text(5),
        monthly_tce: months_of(&monthly, "tce")?,
        monthly_tco2: months_of(&monthly, "tco2")?,
        updated_by: r.text(7),
        updated_at: r.text(8),
    })
}

/// The audited form of a budget: its figures, split and months.
fn budget_text(b: &Budget) -> Result<String> {
    Ok(format!(
        "tce={} tco2={} split={} monthly={}",
        dec(b.tce),
        dec(b.tco2),
        b.split,
        monthly_json(b)?
    ))
}

const PROJECT_COLS: &str = "id, name, region, park, industry, year, file, sha256, result, status, \
     status_note, assessed_by, assessed_at, updated_at";

fn project_of(r: &Row) -> Result<AssessedProject> {
    Ok(AssessedProject {
        id: r.int(0),
        name: r.text(1),
        region: r.text(2),
        park: r.opt_text(3),
        industry: r.text(4),
        year: r.int(5) as i32,
        file: r.text(6),
        sha256: r.text(7),
        result: serde_json::from_str(&r.text(8))
            .map_err(|e| StoreError::Corrupt(format!("assessment result: {e}")))?,
        status: r.text(9),
        status_note: r.text(10),
        assessed_by: r.text(11),
        assessed_at: r.text(12),
        updated_at: r.text(13),
    })
}

/// SQL condition restricting `assessed_projects` to what `access` may see.
fn project_condition(access: &Access, n: usize) -> (String, Vec<Value>) {
    match access {
        Access::All => ("1=1".into(), vec![]),
        Access::Region(r) => (format!("region = ${n}"), vec![r.code().into()]),
        Access::Park(p) => (format!("park = ${n}"), vec![p.into()]),
        Access::Org(_) => ("1=0".into(), vec![]),
    }
}

fn project_by_name(c: &mut dyn Conn, name: &str) -> Result<Option<AssessedProject>> {
    c.query(
        &format!("SELECT {PROJECT_COLS} FROM assessed_projects WHERE name = $1"),
        &[name.into()],
    )?
    .first()
    .map(project_of)
    .transpose()
}

impl<C: Conn> BudgetStore for SqlStore<C> {
    fn set_budget(&mut self, b: &Budget, actor: &str) -> Result<Upsert> {
        if b.monthly_tce.len() != 12 || b.monthly_tco2.len() != 12 {
            return Err(StoreError::Conflict(format!(
                "budget of {} {} {}: twelve months of tce and tCO2 needed",
                b.scope_kind, b.scope, b.year
            )));
        }
        let key = [
            b.scope_kind.as_str().into(),
            b.scope.as_str().into(),
            i64::from(b.year).into(),
        ];
        self.transaction(|c| {
            let before = c
                .query(
                    &format!(
                        "SELECT {BUDGET_COLS} FROM budgets WHERE scope_kind = $1 AND scope = $2 AND year = $3"
                    ),
                    &key,
                )?
                .first()
                .map(budget_of)
                .transpose()?;
            let same = |o: &Budget| {
                (o.tce, o.tco2, &o.split, &o.monthly_tce, &o.monthly_tco2)
                    == (b.tce, b.tco2, &b.split, &b.monthly_tce, &b.monthly_tco2)
            };
            let mut params = key.to_vec();
            params.extend([
                dec(b.tce).into(),
                dec(b.tco2).into(),
                b.split.as_str().into(),
                monthly_json(b)?.into(),
                actor.into(),
                now().into(),
            ]);
            let upsert = match &before {
                Some(o) if same(o) => return Ok(Upsert::Unchanged),
                _ => write_row(
                    c,
                    before.is_some(),
                    "UPDATE budgets SET tce = $4, tco2 = $5, split = $6, monthly = $7, updated_by = $8, updated_at = $9 \
                         WHERE scope_kind = $1 AND scope = $2 AND year = $3",
                    &format!(
                            "INSERT INTO budgets ({BUDGET_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        ),
                    &params,
                )?,
            };
            audit_upsert(
                c,
                actor,
                upsert,
                "budgets",
                &format!("{}/{}/{}", b.scope_kind, b.scope, b.year),
                before.as_ref().map(budget_text).transpose()?,
                Some(budget_text(b)?),
            )?;
            Ok(upsert)
        })
    }

    fn budget(&mut self, scope: &BudgetScope, year: i32) -> Result<Option<Budget>> {
        self.conn()
            .query(
                &format!(
                    "SELECT {BUDGET_COLS} FROM budgets WHERE scope_kind = $1 AND scope = $2 AND year = $3"
                ),
                &[scope.kind().into(), scope.id().into(), i64::from(year).into()],
            )?
            .first()
            .map(budget_of)
            .transpose()
    }

    fn save_assessment(&mut self, a: &NewAssessment, actor: &str) -> Result<(i64, Upsert)> {
        let result = serde_json::to_string(&a.result)
            .map_err(|e| StoreError::Corrupt(format!("assessment result: {e}")))?;
        self.transaction(|c| {
            let before = project_by_name(c, &a.name)?;
            let at = now();
            let fields: [Value; 8] = [
                a.name.as_str().into(),
                a.region.code().into(),
                a.park.clone().into(),
                a.industry.as_str().into(),
                i64::from(a.year).into(),
                a.file.as_str().into(),
                a.sha256.as_str().into(),
                result.as_str().into(),
            ];
            let (id, upsert) = match &before {
                Some(p)
                    if p.result == a.result
                        && (p.region.as_str(), p.park.as_deref(), p.industry.as_str(), p.year)
                            == (a.region.code(), a.park.as_deref(), a.industry.as_str(), a.year) =>
                {
                    return Ok((p.id, Upsert::Unchanged));
                }
                Some(p) => {
                    let mut params = fields.to_vec();
                    params.extend([actor.into(), at.as_str().into(), p.id.into()]);
                    c.execute(
                        "UPDATE assessed_projects SET name = $1, region = $2, park = $3, industry = $4, year = $5, \
                         file = $6, sha256 = $7, result = $8, status = 'assessed', status_note = '', \
                         assessed_by = $9, assessed_at = $10, updated_at = $10 WHERE id = $11",
                        &params,
                    )?;
                    (p.id, Upsert::Updated)
                }
                None => {
                    let mut params = fields.to_vec();
                    params.extend([actor.into(), at.as_str().into()]);
                    let rows = c.query(
                        "INSERT INTO assessed_projects (name, region, park, industry, year, file, sha256, result, \
                         status, status_note, assessed_by, assessed_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'assessed', '', $9, $10, $10) RETURNING id",
                        &params,
                    )?;
                    let id = rows
                        .first()
                        .map(|r| r.int(0))
                        .ok_or_else(|| StoreError::Sql("insert returned no id".into()))?;
                    (id, Upsert::Inserted)
                }
            };
            audit_upsert(
                c,
                actor,
                upsert,
                "assessed_projects",
                &a.name,
                before.map(|p| format!("status={} result={}", p.status, p.result)),
                Some(format!("status=assessed result={result}")),
            )?;
            Ok((id, upsert))
        })
    }

    fn link_assessment(
        &mut self,
        access: &Access,
        id: i64,
        org: &CreditCode,
        actor: &str,
    ) -> Result<Upsert> {
        let (cond, mut params) = project_condition(access, 2);
        params.insert(0, id.into());
        let (ocond, mut oparams) = crate::base::org_condition(access, 2);
        oparams.insert(0, org.as_str().into());
        self.transaction(|c| {
            let seen = c.query(
                &format!("SELECT id FROM assessed_projects WHERE id = $1 AND {cond}"),
                &params,
            )?;
            if seen.is_empty() {
                return Err(StoreError::NotFound(format!("assessed project {id}")));
            }
            let org_seen = c.query(
                &format!("SELECT 1 FROM orgs o WHERE o.credit_code = $1 AND {ocond}"),
                &oparams,
            )?;
            if org_seen.is_empty() {
                return Err(StoreError::NotFound(format!("enterprise {org}")));
            }
            let before = c
                .query(
                    "SELECT credit_code FROM assessed_project_orgs WHERE project_id = $1",
                    &[id.into()],
                )?
                .first()
                .map(|r| r.text(0));
            let upsert = match &before {
                Some(b) if b == org.as_str() => return Ok(Upsert::Unchanged),
                Some(_) => {
                    c.execute(
                        "UPDATE assessed_project_orgs SET credit_code = $2, linked_by = $3, linked_at = $4 WHERE project_id = $1",
                        &[id.into(), org.as_str().into(), actor.into(), now().into()],
                    )?;
                    Upsert::Updated
                }
                None => {
                    c.execute(
                        "INSERT INTO assessed_project_orgs (project_id, credit_code, linked_by, linked_at) VALUES ($1, $2, $3, $4)",
                        &[id.into(), org.as_str().into(), actor.into(), now().into()],
                    )?;
                    Upsert::Inserted
                }
            };
            audit_upsert(
                c,
                actor,
                upsert,
                "assessed_project_org",
                &id.to_string(),
                before,
                Some(org.to_string()),
            )?;
            Ok(upsert)
        })
    }

    fn assessment_link(&mut self, id: i64) -> Result<Option<CreditCode>> {
        self.conn()
            .query(
                "SELECT credit_code FROM assessed_project_orgs WHERE project_id = $1",
                &[id.into()],
            )?
            .first()
            .map(|r| {
                CreditCode::parse(&r.text(0))
                    .map_err(|e| StoreError::Corrupt(format!("linked enterprise: {e}")))
            })
            .transpose()
    }

    fn assessments(&mut self, access: &Access) -> Result<Vec<AssessedProject>> {
        let (cond, params) = project_condition(access, 1);
        self.conn()
            .query(
                &format!(
                    "SELECT {PROJECT_COLS} FROM assessed_projects WHERE {cond} ORDER BY id DESC"
                ),
                &params,
            )?
            .iter()
            .map(project_of)
            .collect()
    }

    fn set_assessment_status(
        &mut self,
        access: &Access,
        id: i64,
        status: &str,
        note: &str,
        actor: &str,
    ) -> Result<AssessedProject> {
        let (cond, mut params) = project_condition(access, 2);
        params.insert(0, id.into());
        self.transaction(|c| {
            let current = c
                .query(
                    &format!("SELECT {PROJECT_COLS} FROM assessed_projects WHERE id = $1 AND {cond}"),
                    &params,
                )?
                .first()
                .map(project_of)
                .transpose()?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "assessed project {id} (or not visible to you)"
                    ))
                })?;
            if (current.status.as_str(), current.status_note.as_str()) == (status, note) {
                return Ok(current);
            }
            c.execute(
                "UPDATE assessed_projects SET status = $2, status_note = $3, updated_at = $4 WHERE id = $1",
                &[id.into(), status.into(), note.into(), now().into()],
            )?;
            audit(
                c,
                actor,
                "set-status",
                "assessed_projects",
                &current.name,
                Some(current.status.clone()),
                Some(if note.is_empty() {
                    status.to_string()
                } else {
                    format!("{status}: {note}")
                }),
            )?;
            project_by_name(c, &current.name)?
                .ok_or_else(|| StoreError::NotFound(format!("assessed project {id}")))
        })
    }
}
