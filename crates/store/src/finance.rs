//! Long because: one SQL implementation of the `FinanceStore` trait (projects, products,
//! applications, events, schedules, MRV links) sharing its row mappers and scope filters.
//!
//! Climate investment and financing (气候投融资) records: the project library, the products
//! banks publish, applications with their workflow state, events (reviews, disbursements,
//! repayments) and repayment schedule, MRV links, production outputs for baseline
//! adjustment, borrowers' balance sheets (PCAF) and which bank a bank user works for.
//!
//! The store does not depend on the finance core: definitions (a project, a product, an
//! expected reduction, a schedule) are kept as the JSON the core wrote, next to the columns
//! queries filter on. Every write is audited in the same transaction; project and
//! application reads filter by tenant in SQL ([`Access`] for enterprises, parks, regions;
//! [`FinanceView::Issuer`] for a bank's own applications).

use crate::base::{audit, org_condition, query_first, query_map};
use crate::conn::{Conn, Row, Value};
use crate::model::{Access, Upsert};
use crate::{Result, SqlStore, StoreError, now};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use zp_domain::{CreditCode, Decimal, Period, Region};

pub(crate) const FINANCE_MIGRATION: &str = r#"
CREATE TABLE finance_projects (
    id TEXT PRIMARY KEY,
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region TEXT NOT NULL,
    categories TEXT NOT NULL,
    capex_yuan TEXT NOT NULL,
    energy_saved_tce TEXT NOT NULL,
    annual_reduction_tco2 TEXT NOT NULL,
    definition TEXT NOT NULL,
    expected TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX finance_projects_org ON finance_projects(credit_code);
CREATE TABLE finance_products (
    id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX finance_products_issuer ON finance_products(issuer);
CREATE TABLE finance_applications (
    id {id},
    project_id TEXT NOT NULL REFERENCES finance_projects(id),
    product_id TEXT NOT NULL REFERENCES finance_products(id),
    issuer TEXT NOT NULL,
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    amount_fen BIGINT NOT NULL,
    status TEXT NOT NULL,
    method TEXT NOT NULL,
    annual_rate_pct TEXT,
    tenor_months BIGINT,
    schedule TEXT,
    disbursed_period TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX finance_applications_issuer ON finance_applications(issuer);
CREATE INDEX finance_applications_org ON finance_applications(credit_code);
CREATE TABLE finance_application_events (
    id {id},
    application_id BIGINT NOT NULL REFERENCES finance_applications(id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    period TEXT NOT NULL DEFAULT '',
    principal_fen BIGINT NOT NULL DEFAULT 0,
    interest_fen BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX finance_events_application ON finance_application_events(application_id);
CREATE TABLE finance_mrv_links (
    project_id TEXT NOT NULL REFERENCES finance_projects(id),
    source TEXT NOT NULL,
    meter TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, source, meter)
);
CREATE TABLE finance_mrv_outputs (
    project_id TEXT NOT NULL REFERENCES finance_projects(id),
    period TEXT NOT NULL,
    output TEXT NOT NULL,
    PRIMARY KEY (project_id, period)
);
CREATE TABLE finance_balance_sheets (
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    year BIGINT NOT NULL,
    equity_yuan TEXT NOT NULL,
    debt_yuan TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (credit_code, year)
);
CREATE TABLE finance_bank_users (
    username TEXT PRIMARY KEY,
    issuer TEXT NOT NULL
);
"#;

/// A project of the library as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinanceProject {
    pub id: String,
    pub credit_code: CreditCode,
    pub name: String,
    /// Project kind key (`energy_efficiency`, `distributed_pv`, ...).
    pub kind: String,
    pub region: Region,
    /// Green finance support catalogue codes.
    pub categories: Vec<String>,
    pub capex_yuan: Decimal,
    pub energy_saved_tce: Decimal,
    pub annual_reduction_tco2: Decimal,
    /// The definition as registered (JSON written by the finance core).
    pub definition: String,
    /// The expected reduction computed at registration, with its factors (JSON).
    pub expected: String,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

/// Filters of the project library (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub org: Option<CreditCode>,
    pub park: Option<String>,
    pub region: Option<Region>,
    pub kind: Option<String>,
    /// A catalogue code: the project has a category equal to it or under it.
    pub category: Option<String>,
    pub min_reduction_tco2: Option<Decimal>,
}

/// A product as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinanceProduct {
    pub id: String,
    pub issuer: String,
    pub name: String,
    /// Product kind key (`subsidy`, `carbon_reduction_loan`, ...).
    pub kind: String,
    /// The definition as published (JSON written by the finance core).
    pub definition: String,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

/// A new application (status `submitted`).
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub project_id: String,
    pub product_id: String,
    pub issuer: String,
    pub credit_code: CreditCode,
    pub amount_fen: i64,
    /// Repayment method key (`annuity`, `equal_principal`).
    pub method: String,
    pub annual_rate_pct: Option<Decimal>,
    pub tenor_months: Option<i64>,
}

/// An application and its current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Application {
    pub id: i64,
    pub project_id: String,
    pub product_id: String,
    pub issuer: String,
    pub credit_code: CreditCode,
    pub amount_fen: i64,
    pub status: String,
    pub method: String,
    pub annual_rate_pct: Option<Decimal>,
    pub tenor_months: Option<i64>,
    /// The repayment schedule fixed at disbursement (JSON), for repaid products.
    pub schedule: Option<String>,
    pub disbursed_period: Option<Period>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Who reads applications: tenants by the enterprise's [`Access`], a bank by issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinanceView {
    Access(Access),
    Issuer(String),
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub project: Option<String>,
    pub product: Option<String>,
    pub status: Option<String>,
}

/// A step of the workflow to record: the status change and what moved with it.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    /// Month the event belongs to (disbursement month, installment due month).
    pub period: String,
    /// Principal disbursed (positive) or repaid (positive), fen.
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub note: String,
}

/// A recorded workflow event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApplicationEvent {
    pub id: i64,
    pub application_id: i64,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub period: String,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub note: String,
    pub actor: String,
    pub at: String,
}

/// Where a project's monitored reductions come from: the enterprise's monthly ledgers
/// (`ledger`) or a meter (`meter`, with its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrvLink {
    pub project_id: String,
    pub source: String,
    pub meter: String,
}

/// A borrower's balance sheet of a year, for PCAF attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BalanceSheet {
    pub credit_code: CreditCode,
    pub year: i32,
    pub equity_yuan: Decimal,
    pub debt_yuan: Decimal,
    pub source: String,
}

/// Storage of the climate finance records.
pub trait FinanceStore {
    /// Registers or updates a project (by id). Same content is `Unchanged`.
    fn upsert_project(&mut self, p: &FinanceProject, actor: &str) -> Result<Upsert>;
    fn finance_project(&mut self, access: &Access, id: &str) -> Result<Option<FinanceProject>>;
    fn finance_projects(
        &mut self,
        access: &Access,
        filter: &ProjectFilter,
    ) -> Result<Vec<FinanceProject>>;

    /// Publishes or updates a product (by id). An id of another issuer is a conflict.
    fn upsert_product(&mut self, p: &FinanceProduct, actor: &str) -> Result<Upsert>;
    /// Products are public: everyone may read them.
    fn finance_product(&mut self, id: &str) -> Result<Option<FinanceProduct>>;
    fn finance_products(&mut self, issuer: Option<&str>) -> Result<Vec<FinanceProduct>>;

    fn create_application(&mut self, a: &NewApplication, actor: &str) -> Result<Application>;
    fn application(&mut self, view: &FinanceView, id: i64) -> Result<Option<Application>>;
    fn applications(
        &mut self,
        view: &FinanceView,
        filter: &ApplicationFilter,
    ) -> Result<Vec<Application>>;
    /// Moves an application from `event.from_status` to `event.to_status`, recording the
    /// event; `schedule` and `disbursed` are set when given. If the application is no
    /// longer in `from_status` (a concurrent change) nothing is written: a conflict.
    fn advance_application(
        &mut self,
        id: i64,
        event: &NewEvent,
        schedule: Option<&str>,
        disbursed: Option<Period>,
        actor: &str,
    ) -> Result<Application>;
    fn application_events(&mut self, id: i64) -> Result<Vec<ApplicationEvent>>;

    fn link_mrv(&mut self, link: &MrvLink, actor: &str) -> Result<Upsert>;
    fn mrv_links(&mut self, project_id: &str) -> Result<Vec<MrvLink>>;
    /// Records a month's production output (the MRV driver) of a project.
    fn set_mrv_output(
        &mut self,
        project_id: &str,
        period: Period,
        output: Decimal,
        actor: &str,
    ) -> Result<Upsert>;
    fn mrv_outputs(&mut self, project_id: &str) -> Result<Vec<(Period, Decimal)>>;

    fn set_balance_sheet(&mut self, b: &BalanceSheet, actor: &str) -> Result<Upsert>;
    fn balance_sheet(&mut self, code: &CreditCode, year: i32) -> Result<Option<BalanceSheet>>;

    /// Records which bank (product issuer) a bank user works for.
    fn set_bank_issuer(&mut self, username: &str, issuer: &str, actor: &str) -> Result<Upsert>;
    fn bank_issuer(&mut self, username: &str) -> Result<Option<String>>;
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

fn parse_dec(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::Corrupt(format!("decimal {s:?}: {e}")))
}

fn code(s: &str) -> Result<CreditCode> {
    CreditCode::parse(s).map_err(|e| StoreError::Corrupt(format!("credit code {s}: {e}")))
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const PROJECT_COLS: &str = "f.id, f.credit_code, f.name, f.kind, f.region, f.categories, f.capex_yuan, f.energy_saved_tce, f.annual_reduction_tco2, f.definition, f.expected, f.created_by, f.created_at, f.updated_at";

fn row_to_project(r: &Row) -> Result<FinanceProject> {
    Ok(FinanceProject {
        id: r.text(0),
        credit_code: code(&r.text(1))?,
        name: r.text(2),
        kind: r.text(3),
        region: Region::parse(&r.text(4))
            .map_err(|e| StoreError::Corrupt(format!("project region: {e}")))?,
        categories: r.text(5).split_whitespace().map(String::from).collect(),
        capex_yuan: parse_dec(&r.text(6))?,
        energy_saved_tce: parse_dec(&r.text(7))?,
        annual_reduction_tco2: parse_dec(&r.text(8))?,
        definition: r.text(9),
        expected: r.text(10),
        created_by: r.text(11),
        created_at: r.text(12),
        updated_at: r.text(13),
    })
}

/// The content of a project, without who and when (what "unchanged" compares).
fn project_content(p: &FinanceProject) -> FinanceProject {
    FinanceProject {
        created_by: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
        ..p.clone()
    }
}

/// The columns [`row_to_product`] reads.
const PRODUCT_COLS: &str = "id, issuer, name, kind, definition, created_by, created_at, updated_at";

fn row_to_product(r: &Row) -> FinanceProduct {
    FinanceProduct {
        id: r.text(0),
        issuer: r.text(1),
        name: r.text(2),
        kind: r.text(3),
        definition: r.text(4),
        created_by: r.text(5),
        created_at: r.text(6),
        updated_at: r.text(7),
    }
}

const APPLICATION_COLS: &str = "a.id, a.project_id, a.product_id, a.issuer, a.credit_code, a.amount_fen, a.status, a.method, a.annual_rate_pct, a.tenor_months, a.schedule, a.disbursed_period, a.created_by, a.created_at, a.updated_at";

fn row_to_application(r: &Row) -> Result<Application> {
    Ok(Application {
        id: r.int(0),
        project_id: r.text(1),
        product_id: r.text(2),
        issuer: r.text(3),
        credit_code: code(&r.text(4))?,
        amount_fen: r.int(5),
        status: r.text(6),
        method: r.text(7),
        annual_rate_pct: r.opt_text(8).map(|s| parse_dec(&s)).transpose()?,
        tenor_months: r.opt_int(9),
        schedule: r.opt_text(10),
        disbursed_period: r
            .opt_text(11)
            .map(|s| Period::parse(&s).map_err(|e| StoreError::Corrupt(format!("period {s}: {e}"))))
            .transpose()?,
        created_by: r.text(12),
        created_at: r.text(13),
        updated_at: r.text(14),
    })
}

/// `FROM finance_applications a` restricted to `view`; parameters start at `$1`.
fn application_scope(view: &FinanceView) -> (String, Vec<Value>) {
    match view {
        FinanceView::Access(access) => {
            let (cond, params) = org_condition(access, 1);
            (
                format!(
                    "FROM finance_applications a JOIN orgs o ON o.credit_code = a.credit_code WHERE {cond}"
                ),
                params,
            )
        }
        FinanceView::Issuer(issuer) => (
            "FROM finance_applications a WHERE a.issuer = $1".into(),
            vec![issuer.into()],
        ),
    }
}

fn get_application(c: &mut dyn Conn, id: i64) -> Result<Option<Application>> {
    c.query(
        &format!("SELECT {APPLICATION_COLS} FROM finance_applications a WHERE a.id = $1"),
        &[id.into()],
    )?
    .first()
    .map(row_to_application)
    .transpose()
}

impl<C: Conn> FinanceStore for SqlStore<C> {
    fn upsert_project(&mut self, p: &FinanceProject, actor: &str) -> Result<Upsert> {
        let after = json(&project_content(p))?;
        self.transaction(|c| {
            let found = c.query(
                &format!("SELECT {PROJECT_COLS} FROM finance_projects f WHERE f.id = $1"),
                &[p.id.as_str().into()],
            )?;
            let t = now();
            let params: Vec<Value> = vec![
                p.id.as_str().into(),
                p.credit_code.as_str().into(),
                p.name.as_str().into(),
                p.kind.as_str().into(),
                p.region.code().into(),
                p.categories.join(" ").into(),
                dec(p.capex_yuan).into(),
                dec(p.energy_saved_tce).into(),
                dec(p.annual_reduction_tco2).into(),
                p.definition.as_str().into(),
                p.expected.as_str().into(),
                actor.into(),
                t.into(),
            ];
            match found.first() {
                Some(r) => {
                    let old = project_content(&row_to_project(r)?);
                    if old == project_content(p) {
                        return Ok(Upsert::Unchanged);
                    }
                    if old.credit_code != p.credit_code {
                        return Err(StoreError::Conflict(format!(
                            "project {} belongs to {}; it cannot move to {}",
                            p.id, old.credit_code, p.credit_code
                        )));
                    }
                    let mut update = params[..11].to_vec();
                    update.push(params[12].clone());
                    c.execute(
                        "UPDATE finance_projects SET credit_code = $2, name = $3, kind = $4, region = $5, categories = $6, capex_yuan = $7, energy_saved_tce = $8, annual_reduction_tco2 = $9, definition = $10, expected = $11, updated_at = $12 WHERE id = $1",
                        &update,
                    )?;
                    audit(c, actor, "update", "finance_project", &p.id, Some(json(&old)?), Some(after.clone()))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute(
                        "INSERT INTO finance_projects (id, credit_code, name, kind, region, categories, capex_yuan, energy_saved_tce, annual_reduction_tco2, definition, expected, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
                        &params,
                    )?;
                    audit(c, actor, "create", "finance_project", &p.id, None, Some(after.clone()))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn finance_project(&mut self, access: &Access, id: &str) -> Result<Option<FinanceProject>> {
        let (cond, mut params) = org_condition(access, 1);
        params.push(id.into());
        let sql = format!(
            "SELECT {PROJECT_COLS} FROM finance_projects f JOIN orgs o ON o.credit_code = f.credit_code WHERE {cond} AND f.id = ${}",
            params.len()
        );
        self.conn()
            .query(&sql, &params)?
            .first()
            .map(row_to_project)
            .transpose()
    }

    fn finance_projects(
        &mut self,
        access: &Access,
        filter: &ProjectFilter,
    ) -> Result<Vec<FinanceProject>> {
        let (cond, mut params) = org_condition(access, 1);
        let mut sql = format!(
            "SELECT {PROJECT_COLS} FROM finance_projects f JOIN orgs o ON o.credit_code = f.credit_code WHERE {cond}"
        );
        if let Some(org) = &filter.org {
            params.push(org.as_str().into());
            sql += &format!(" AND f.credit_code = ${}", params.len());
        }
        if let Some(park) = &filter.park {
            params.push(park.into());
            sql += &format!(
                " AND o.park_id = (SELECT id FROM parks WHERE name = ${})",
                params.len()
            );
        }
        if let Some(r) = &filter.region {
            params.push(r.code().into());
            sql += &format!(" AND f.region = ${}", params.len());
        }
        if let Some(k) = &filter.kind {
            params.push(k.into());
            sql += &format!(" AND f.kind = ${}", params.len());
        }
        sql += " ORDER BY f.id";
        let rows = self.conn().query(&sql, &params)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = row_to_project(r)?;
            // Decimal comparison and whole-segment prefixes are exact here, not in SQL text.
            if let Some(min) = filter.min_reduction_tco2
                && p.annual_reduction_tco2 < min
            {
                continue;
            }
            if let Some(cat) = &filter.category
                && !p
                    .categories
                    .iter()
                    .any(|c| c == cat || c.starts_with(&format!("{cat}.")))
            {
                continue;
            }
            out.push(p);
        }
        Ok(out)
    }

    fn upsert_product(&mut self, p: &FinanceProduct, actor: &str) -> Result<Upsert> {
        let content = |x: &FinanceProduct| FinanceProduct {
            created_by: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            ..x.clone()
        };
        let after = json(&content(p))?;
        self.transaction(|c| {
            let found = c.query(
                &format!("SELECT {PRODUCT_COLS} FROM finance_products WHERE id = $1"),
                &[p.id.as_str().into()],
            )?;
            let t = now();
            match found.first() {
                Some(r) => {
                    let old = content(&row_to_product(r));
                    if old.issuer != p.issuer {
                        return Err(StoreError::Conflict(format!(
                            "product {} is published by {}, not {}",
                            p.id, old.issuer, p.issuer
                        )));
                    }
                    if old == content(p) {
                        return Ok(Upsert::Unchanged);
                    }
                    c.execute(
                        "UPDATE finance_products SET name = $2, kind = $3, definition = $4, updated_at = $5 WHERE id = $1",
                        &[p.id.as_str().into(), p.name.as_str().into(), p.kind.as_str().into(), p.definition.as_str().into(), t.into()],
                    )?;
                    audit(c, actor, "update", "finance_product", &p.id, Some(json(&old)?), Some(after.clone()))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute(
                        "INSERT INTO finance_products (id, issuer, name, kind, definition, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                        &[p.id.as_str().into(), p.issuer.as_str().into(), p.name.as_str().into(), p.kind.as_str().into(), p.definition.as_str().into(), actor.into(), t.into()],
                    )?;
                    audit(c, actor, "create", "finance_product", &p.id, None, Some(after.clone()))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn finance_product(&mut self, id: &str) -> Result<Option<FinanceProduct>> {
        let sql = format!("SELECT {PRODUCT_COLS} FROM finance_products WHERE id = $1");
        query_first(self.conn(), &sql, &[id.into()], row_to_product)
    }

    fn finance_products(&mut self, issuer: Option<&str>) -> Result<Vec<FinanceProduct>> {
        let (cond, params): (&str, Vec<Value>) = match issuer {
            Some(i) => ("WHERE issuer = $1", vec![i.into()]),
            None => ("", vec![]),
        };
        let sql = format!("SELECT {PRODUCT_COLS} FROM finance_products {cond} ORDER BY id");
        query_map(self.conn(), &sql, &params, row_to_product)
    }

    fn create_application(&mut self, a: &NewApplication, actor: &str) -> Result<Application> {
        self.transaction(|c| {
            let t = now();
            let rows = c.query(
                "INSERT INTO finance_applications (project_id, product_id, issuer, credit_code, amount_fen, status, method, annual_rate_pct, tenor_months, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $10, $10) RETURNING id",
                &[
                    a.project_id.as_str().into(),
                    a.product_id.as_str().into(),
                    a.issuer.as_str().into(),
                    a.credit_code.as_str().into(),
                    a.amount_fen.into(),
                    a.method.as_str().into(),
                    a.annual_rate_pct.map(dec).into(),
                    a.tenor_months.into(),
                    actor.into(),
                    t.into(),
                ],
            )?;
            let id = rows
                .first()
                .map(|r| r.int(0))
                .ok_or_else(|| StoreError::Sql("insert returned no id".into()))?;
            let app = get_application(c, id)?
                .ok_or_else(|| StoreError::NotFound(format!("application {id}")))?;
            audit(c, actor, "create", "finance_application", &id.to_string(), None, Some(json(&app)?))?;
            Ok(app)
        })
    }

    fn application(&mut self, view: &FinanceView, id: i64) -> Result<Option<Application>> {
        let (from, mut params) = application_scope(view);
        params.push(id.into());
        let sql = format!(
            "SELECT {APPLICATION_COLS} {from} AND a.id = ${}",
            params.len()
        );
        self.conn()
            .query(&sql, &params)?
            .first()
            .map(row_to_application)
            .transpose()
    }

    fn applications(
        &mut self,
        view: &FinanceView,
        filter: &ApplicationFilter,
    ) -> Result<Vec<Application>> {
        let (from, mut params) = application_scope(view);
        let mut sql = format!("SELECT {APPLICATION_COLS} {from}");
        for (col, v) in [
            ("a.project_id", &filter.project),
            ("a.product_id", &filter.product),
            ("a.status", &filter.status),
        ] {
            if let Some(v) = v {
                params.push(v.into());
                sql += &format!(" AND {col} = ${}", params.len());
            }
        }
        sql += " ORDER BY a.id";
        self.conn()
            .query(&sql, &params)?
            .iter()
            .map(row_to_application)
            .collect()
    }

    fn advance_application(
        &mut self,
        id: i64,
        e: &NewEvent,
        schedule: Option<&str>,
        disbursed: Option<Period>,
        actor: &str,
    ) -> Result<Application> {
        self.transaction(|c| {
            let t = now();
            let n = c.execute(
                "UPDATE finance_applications SET status = $3, schedule = COALESCE($4, schedule), disbursed_period = COALESCE($5, disbursed_period), updated_at = $6 WHERE id = $1 AND status = $2",
                &[
                    id.into(),
                    e.from_status.as_str().into(),
                    e.to_status.as_str().into(),
                    schedule.map(String::from).into(),
                    disbursed.map(|p| p.to_string()).into(),
                    t.as_str().into(),
                ],
            )?;
            if n != 1 {
                return Err(match get_application(c, id)? {
                    Some(a) => StoreError::Conflict(format!(
                        "application {id} is {}, not {}: it changed meanwhile",
                        a.status, e.from_status
                    )),
                    None => StoreError::NotFound(format!("application {id}")),
                });
            }
            c.execute(
                "INSERT INTO finance_application_events (application_id, action, from_status, to_status, period, principal_fen, interest_fen, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    id.into(),
                    e.action.as_str().into(),
                    e.from_status.as_str().into(),
                    e.to_status.as_str().into(),
                    e.period.as_str().into(),
                    e.principal_fen.into(),
                    e.interest_fen.into(),
                    e.note.as_str().into(),
                    actor.into(),
                    t.into(),
                ],
            )?;
            let before = format!("status {}", e.from_status);
            let after = format!(
                "{} -> status {}{}{}",
                e.action,
                e.to_status,
                if e.period.is_empty() { String::new() } else { format!(", period {}", e.period) },
                if e.principal_fen == 0 && e.interest_fen == 0 {
                    String::new()
                } else {
                    format!(", principal {} fen, interest {} fen", e.principal_fen, e.interest_fen)
                }
            );
            audit(c, actor, e.action.as_str(), "finance_application", &id.to_string(), Some(before), Some(after))?;
            get_application(c, id)?.ok_or_else(|| StoreError::NotFound(format!("application {id}")))
        })
    }

    fn application_events(&mut self, id: i64) -> Result<Vec<ApplicationEvent>> {
        query_map(
            self.conn(),
            "SELECT id, application_id, action, from_status, to_status, period, principal_fen, interest_fen, note, actor, at FROM finance_application_events WHERE application_id = $1 ORDER BY id",
            &[id.into()],
            |r| ApplicationEvent {
                id: r.int(0),
                application_id: r.int(1),
                action: r.text(2),
                from_status: r.text(3),
                to_status: r.text(4),
                period: r.text(5),
                principal_fen: r.int(6),
                interest_fen: r.int(7),
                note: r.text(8),
                actor: r.text(9),
                at: r.text(10),
            },
        )
    }

    fn link_mrv(&mut self, link: &MrvLink, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            let key: [Value; 3] = [
                link.project_id.as_str().into(),
                link.source.as_str().into(),
                link.meter.as_str().into(),
            ];
            let found = c.query(
                "SELECT 1 FROM finance_mrv_links WHERE project_id = $1 AND source = $2 AND meter = $3",
                &key,
            )?;
            if !found.is_empty() {
                return Ok(Upsert::Unchanged);
            }
            c.execute(
                "INSERT INTO finance_mrv_links (project_id, source, meter, created_at) VALUES ($1, $2, $3, $4)",
                &[key[0].clone(), key[1].clone(), key[2].clone(), now().into()],
            )?;
            audit(c, actor, "create", "finance_mrv_link", &link.project_id, None, Some(json(link)?))?;
            Ok(Upsert::Inserted)
        })
    }

    fn mrv_links(&mut self, project_id: &str) -> Result<Vec<MrvLink>> {
        query_map(
            self.conn(),
            "SELECT project_id, source, meter FROM finance_mrv_links WHERE project_id = $1 ORDER BY source, meter",
            &[project_id.into()],
            |r| MrvLink {
                project_id: r.text(0),
                source: r.text(1),
                meter: r.text(2),
            },
        )
    }

    fn set_mrv_output(
        &mut self,
        project_id: &str,
        period: Period,
        output: Decimal,
        actor: &str,
    ) -> Result<Upsert> {
        self.transaction(|c| {
            let key: [Value; 2] = [project_id.into(), period.to_string().into()];
            let found = c.query(
                "SELECT output FROM finance_mrv_outputs WHERE project_id = $1 AND period = $2",
                &key,
            )?;
            let id = format!("{project_id}/{period}");
            match found.first() {
                Some(r) if parse_dec(&r.text(0))? == output => Ok(Upsert::Unchanged),
                Some(r) => {
                    c.execute(
                        "UPDATE finance_mrv_outputs SET output = $3 WHERE project_id = $1 AND period = $2",
                        &[key[0].clone(), key[1].clone(), dec(output).into()],
                    )?;
                    audit(c, actor, "update", "finance_mrv_output", &id, Some(r.text(0)), Some(dec(output)))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute(
                        "INSERT INTO finance_mrv_outputs (project_id, period, output) VALUES ($1, $2, $3)",
                        &[key[0].clone(), key[1].clone(), dec(output).into()],
                    )?;
                    audit(c, actor, "create", "finance_mrv_output", &id, None, Some(dec(output)))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn mrv_outputs(&mut self, project_id: &str) -> Result<Vec<(Period, Decimal)>> {
        self.conn()
            .query(
                "SELECT period, output FROM finance_mrv_outputs WHERE project_id = $1 ORDER BY period",
                &[project_id.into()],
            )?
            .iter()
            .map(|r| {
                let p = Period::parse(&r.text(0))
                    .map_err(|e| StoreError::Corrupt(format!("mrv output period: {e}")))?;
                Ok((p, parse_dec(&r.text(1))?))
            })
            .collect()
    }

    fn set_balance_sheet(&mut self, b: &BalanceSheet, actor: &str) -> Result<Upsert> {
        let after = json(b)?;
        self.transaction(|c| {
            let key: [Value; 2] = [b.credit_code.as_str().into(), i64::from(b.year).into()];
            let found = c.query(
                "SELECT equity_yuan, debt_yuan, source FROM finance_balance_sheets WHERE credit_code = $1 AND year = $2",
                &key,
            )?;
            let params = [
                key[0].clone(),
                key[1].clone(),
                dec(b.equity_yuan).into(),
                dec(b.debt_yuan).into(),
                b.source.as_str().into(),
            ];
            let id = format!("{}/{}", b.credit_code, b.year);
            match found.first() {
                Some(r) => {
                    let old = BalanceSheet {
                        credit_code: b.credit_code.clone(),
                        year: b.year,
                        equity_yuan: parse_dec(&r.text(0))?,
                        debt_yuan: parse_dec(&r.text(1))?,
                        source: r.text(2),
                    };
                    if &old == b {
                        return Ok(Upsert::Unchanged);
                    }
                    c.execute(
                        "UPDATE finance_balance_sheets SET equity_yuan = $3, debt_yuan = $4, source = $5 WHERE credit_code = $1 AND year = $2",
                        &params,
                    )?;
                    audit(c, actor, "update", "finance_balance_sheet", &id, Some(json(&old)?), Some(after.clone()))?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute(
                        "INSERT INTO finance_balance_sheets (credit_code, year, equity_yuan, debt_yuan, source) VALUES ($1, $2, $3, $4, $5)",
                        &params,
                    )?;
                    audit(c, actor, "create", "finance_balance_sheet", &id, None, Some(after.clone()))?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn balance_sheet(&mut self, code_: &CreditCode, year: i32) -> Result<Option<BalanceSheet>> {
        self.conn()
            .query(
                "SELECT equity_yuan, debt_yuan, source FROM finance_balance_sheets WHERE credit_code = $1 AND year = $2",
                &[code_.as_str().into(), i64::from(year).into()],
            )?
            .first()
            .map(|r| {
                Ok(BalanceSheet {
                    credit_code: code_.clone(),
                    year,
                    equity_yuan: parse_dec(&r.text(0))?,
                    debt_yuan: parse_dec(&r.text(1))?,
                    source: r.text(2),
                })
            })
            .transpose()
    }

    fn set_bank_issuer(&mut self, username: &str, issuer: &str, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            let found = c.query(
                "SELECT issuer FROM finance_bank_users WHERE username = $1",
                &[username.into()],
            )?;
            match found.first() {
                Some(r) if r.text(0) == issuer => Ok(Upsert::Unchanged),
                Some(r) => {
                    c.execute(
                        "UPDATE finance_bank_users SET issuer = $2 WHERE username = $1",
                        &[username.into(), issuer.into()],
                    )?;
                    audit(
                        c,
                        actor,
                        "update",
                        "finance_bank_user",
                        username,
                        Some(r.text(0)),
                        Some(issuer.into()),
                    )?;
                    Ok(Upsert::Updated)
                }
                None => {
                    c.execute(
                        "INSERT INTO finance_bank_users (username, issuer) VALUES ($1, $2)",
                        &[username.into(), issuer.into()],
                    )?;
                    audit(
                        c,
                        actor,
                        "create",
                        "finance_bank_user",
                        username,
                        None,
                        Some(issuer.into()),
                    )?;
                    Ok(Upsert::Inserted)
                }
            }
        })
    }

    fn bank_issuer(&mut self, username: &str) -> Result<Option<String>> {
        query_first(
            self.conn(),
            "SELECT issuer FROM finance_bank_users WHERE username = $1",
            &[username.into()],
            |r| r.text(0),
        )
    }
}
