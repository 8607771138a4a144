//! Long because: every finance use case checks the same party scope (enterprise, park, region,
//! bank) with one set of private helpers; split by workflow step they would have to be public.
//!
//! Climate investment and financing use cases (气候投融资): the project library, products
//! banks publish, matching, applications through review, approval, disbursement and
//! repayment, MRV of monitored reductions, and the banks' reports.
//!
//! Who may do what ([`Party`]):
//! - platform administrators and the local CLI: everything;
//! - enterprise users, park administrators and region officers: register projects of the
//!   enterprises they can see and apply for products; they read their own projects and
//!   applications;
//! - bank users (linked to a product issuer with `finance bank link`): publish their
//!   issuer's products, read the project library within their scope, and move the
//!   applications for their products through the workflow; they read only those
//!   applications;
//! - verifiers: read within their scope, change nothing.

/// The English template of every matching reason code (pages render others from the code).
pub use zp_finance::matching::REASONS_EN as MATCHING_REASONS_EN;
/// Climate-finance types the adapters show and pass.
pub use zp_finance::{
    Action, FinanceError, LoanReport, Match, Method, PcafReport, Product, Project, ProjectKind,
    RuleCheck, Status, SupportCatalogue, fen_to_yuan, loan_report_xlsx, pcaf_xlsx,
};

use crate::AppError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use zp_accounting::ActivityLine;
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Unit};
use zp_finance::schedule::next_month;
use zp_finance::{
    DataQuality, Exposure, Installment, LoanLine, MrvReport, ProductKind, Reduction, Tag,
    annual_from_ledger, expected_reduction, yuan_to_fen,
};
use zp_readings::ReadingStore;
use zp_store::{
    Access, Application, ApplicationEvent, ApplicationFilter, BalanceSheet, FinanceProduct,
    FinanceProject, FinanceView, MeterFilter, MeterKind, MrvLink, NewApplication, NewEvent,
    ProjectFilter, Role, Store, Upsert, User,
};

impl From<zp_finance::FinanceError> for AppError {
    fn from(e: zp_finance::FinanceError) -> Self {
        AppError::Invalid(e.to_string())
    }
}

/// Who is acting, for the finance rules (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// Platform administrators and the local CLI.
    Admin,
    /// Enterprise users, park administrators, region officers (`write`) and verifiers.
    Tenant { access: Access, write: bool },
    /// A bank user working for `issuer`, reading projects within `access`.
    Bank { issuer: String, access: Access },
}

impl Party {
    /// The party of a signed-in user. A bank user must have been linked to an issuer.
    pub fn for_user(store: &mut dyn Store, user: &User) -> Result<Party, AppError> {
        let access = user.access()?;
        Ok(match user.role {
            Role::PlatformAdmin => Party::Admin,
            Role::Bank => {
                let issuer = store.bank_issuer(&user.username)?.ok_or_else(|| {
                    AppError::Invalid(format!(
                        "bank user {} is not linked to a product issuer (zeropark finance bank link)",
                        user.username
                    ))
                })?;
                Party::Bank { issuer, access }
            }
            role => Party::Tenant {
                access,
                write: role.can_write(),
            },
        })
    }

    /// Which projects (enterprises) this party sees.
    pub fn access(&self) -> Access {
        match self {
            Party::Admin => Access::All,
            Party::Tenant { access, .. } | Party::Bank { access, .. } => access.clone(),
        }
    }

    /// Which applications this party sees.
    pub fn view(&self) -> FinanceView {
        match self {
            Party::Bank { issuer, .. } => FinanceView::Issuer(issuer.clone()),
            other => FinanceView::Access(other.access()),
        }
    }

    fn may_register(&self) -> Result<(), AppError> {
        match self {
            Party::Admin | Party::Tenant { write: true, .. } => Ok(()),
            _ => Err(forbidden(
                "only the enterprise, its park or region registers projects and applies",
            )),
        }
    }

    fn may_publish(&self, issuer: &str) -> Result<(), AppError> {
        match self {
            Party::Admin => Ok(()),
            Party::Bank { issuer: mine, .. } if mine == issuer => Ok(()),
            Party::Bank { issuer: mine, .. } => {
                Err(forbidden(&format!("you publish for {mine}, not {issuer}")))
            }
            _ => Err(forbidden(
                "only banks and programme owners publish products",
            )),
        }
    }
}

fn forbidden(why: &str) -> AppError {
    AppError::Store(zp_store::StoreError::Forbidden(why.into()))
}

/// The green finance support catalogue shipped with zeropark.
pub fn catalogue() -> SupportCatalogue {
    SupportCatalogue::builtin()
}

/// A project of the library with its computed expected reduction and catalogue tags.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProjectView {
    pub project: Project,
    pub tags: Vec<Tag>,
    pub expected: Reduction,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Store(zp_store::StoreError::Corrupt(format!("{what}: {e}")))
}

fn view_of(r: &FinanceProject) -> Result<ProjectView, AppError> {
    let project: Project =
        serde_json::from_str(&r.definition).map_err(|e| corrupt("project definition", e))?;
    let expected: Reduction =
        serde_json::from_str(&r.expected).map_err(|e| corrupt("expected reduction", e))?;
    let tags = catalogue().tag(&project)?;
    Ok(ProjectView {
        project,
        tags,
        expected,
        created_by: r.created_by.clone(),
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
    })
}

/// Monthly ledgers of a project file (`side,period,carrier,quantity,unit`, side `baseline`
/// or `project`), summed into annual activity per side. All or nothing: a project's
/// expected reduction is never computed from part of its data.
fn ledger_file(project_id: &str, path: &Path, year: i32) -> Result<LedgerSides, AppError> {
    let table = crate::import::read_whole_table(path)?;
    let col = |name: &str| {
        table.column(name).ok_or_else(|| {
            AppError::Invalid(format!(
                "{}: missing column {name} (side,period,carrier,quantity,unit)",
                table.file
            ))
        })
    };
    let (side, period, carrier, quantity, unit) = (
        col("side")?,
        col("period")?,
        col("carrier")?,
        col("quantity")?,
        col("unit")?,
    );
    let mut sides: (Vec<ActivityLine>, Vec<ActivityLine>) = Default::default();
    let mut errors = Vec::new();
    for (row, cells) in &table.rows {
        let cell = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
        let bad = |field: &str, reason: String| {
            format!("{}: row {row}, field {field}: {reason}", table.file)
        };
        let parsed = (|| {
            let p = Period::parse(cell(period)).map_err(|e| bad("period", e.to_string()))?;
            let c = Carrier::parse(cell(carrier))
                .ok_or_else(|| bad("carrier", format!("unknown carrier {:?}", cell(carrier))))?;
            let u = Unit::parse(cell(unit)).map_err(|e| bad("unit", e.to_string()))?;
            let q: Decimal = cell(quantity)
                .parse()
                .map_err(|_| bad("quantity", format!("{:?} is not a number", cell(quantity))))?;
            if q < Decimal::ZERO {
                return Err(bad("quantity", format!("{q} is negative")));
            }
            if !c.accepts(u) {
                return Err(bad(
                    "unit",
                    format!("{c} cannot be given in {}", u.symbol()),
                ));
            }
            Ok(ActivityLine {
                steam: None,
                serials: None,
                id: *row,
                period: p,
                carrier: c,
                quantity: Quantity::new(q, u),
                source: format!("{}:{row}", table.file),
            })
        })();
        match (parsed, cell(side)) {
            (Ok(l), "baseline") => sides.0.push(l),
            (Ok(l), "project") => sides.1.push(l),
            (Ok(_), other) => {
                errors.push(bad("side", format!("{other:?} is not baseline or project")))
            }
            (Err(e), _) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(format!(
            "{} invalid row(s); a project ledger is accepted whole or not at all:\n{}",
            errors.len(),
            errors.join("\n")
        )));
    }
    let project_year = sides.1.first().map(|l| l.period.year()).unwrap_or(year);
    Ok(LedgerSides {
        baseline: annual_from_ledger(project_id, &sides.0, year)?,
        project: annual_from_ledger(project_id, &sides.1, project_year)?,
    })
}

struct LedgerSides {
    baseline: Vec<zp_finance::AnnualActivity>,
    project: Vec<zp_finance::AnnualActivity>,
}

/// The enterprise's imported ledger lines of `year`, `carriers` only.
pub(crate) fn org_ledger(
    store: &mut dyn Store,
    access: &Access,
    code: &CreditCode,
    year: i32,
    carriers: &BTreeSet<Carrier>,
) -> Result<Vec<ActivityLine>, AppError> {
    store
        .activity(access, code, year)?
        .into_iter()
        .filter(|r| carriers.contains(&r.carrier))
        .map(crate::inventory::ledger_line)
        .collect()
}

/// `finance project add FILE [--ledger FILE.csv]`: registers (or updates) a project from
/// its TOML definition. Baseline and project activity come from the file, from a monthly
/// ledger CSV, or (`baseline_from_ledger = true`) from the enterprise's imported ledger of
/// the baseline year. The expected reduction is computed, never typed in. The project is
/// monitored from the enterprise's ledgers until other sources are linked.
pub fn add_project(
    store: &mut dyn Store,
    party: &Party,
    text: &str,
    ledger: Option<&Path>,
    actor: &str,
) -> Result<(Upsert, ProjectView), AppError> {
    register_project(store, party, Project::parse_toml(text)?, ledger, actor)
}

/// Registers (or updates) a project given as data (the API's JSON body, or a parsed
/// file); see [`add_project`].
pub fn register_project(
    store: &mut dyn Store,
    party: &Party,
    mut p: Project,
    ledger: Option<&Path>,
    actor: &str,
) -> Result<(Upsert, ProjectView), AppError> {
    party.may_register()?;
    let access = party.access();
    store.org(&access, &p.org)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {} is not registered (or not visible to you)",
            p.org
        ))
    })?;
    if let Some(path) = ledger {
        let sides = ledger_file(&p.id, path, p.baseline_year)?;
        if !sides.baseline.is_empty() {
            p.baseline = sides.baseline;
        }
        if !sides.project.is_empty() {
            p.project = sides.project;
        }
    }
    if p.baseline_from_ledger && p.baseline.is_empty() {
        let carriers: BTreeSet<Carrier> = p.project.iter().map(|a| a.carrier).collect();
        let lines = org_ledger(store, &access, &p.org, p.baseline_year, &carriers)?;
        p.baseline = annual_from_ledger(&p.id, &lines, p.baseline_year)?;
        let missing: Vec<String> = carriers
            .iter()
            .filter(|c| !p.baseline.iter().any(|a| a.carrier == **c))
            .map(|c| c.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(AppError::Invalid(format!(
                "project {}: the {} ledger of {} has no {}; import it first (zeropark import activity)",
                p.id,
                p.baseline_year,
                p.org,
                missing.join(", ")
            )));
        }
    }
    p.validate()?;
    let tags = catalogue().tag(&p)?;
    let expected = expected_reduction(&p, &crate::catalog(store)?)?;
    if let Some(old) = store.finance_project(&Access::All, &p.id)? {
        if old.credit_code != p.org {
            return Err(AppError::Invalid(format!(
                "project id {} is taken by another enterprise",
                p.id
            )));
        }
        let committed = store
            .applications(
                &FinanceView::Access(Access::All),
                &ApplicationFilter {
                    project: Some(p.id.clone()),
                    ..Default::default()
                },
            )?
            .into_iter()
            .filter(|a| !matches!(a.status.as_str(), "submitted" | "rejected"))
            .map(|a| format!("{} ({})", a.id, a.status))
            .collect::<Vec<_>>();
        if !committed.is_empty() && old.expected != json(&expected)? {
            return Err(AppError::Invalid(format!(
                "project {} has applications under way [{}]: its expected reduction can no longer change",
                p.id,
                committed.join(", ")
            )));
        }
    }
    let record = FinanceProject {
        id: p.id.clone(),
        credit_code: p.org.clone(),
        name: p.name.clone(),
        kind: p.kind.key().into(),
        region: p.region,
        categories: p.categories.clone(),
        capex_yuan: p.capex_yuan,
        energy_saved_tce: expected.energy_saved_tce,
        annual_reduction_tco2: expected.total_tco2,
        definition: json(&p)?,
        expected: json(&expected)?,
        created_by: actor.into(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    let upsert = store.upsert_project(&record, actor)?;
    store.link_mrv(
        &MrvLink {
            project_id: p.id.clone(),
            source: LEDGER_SOURCE.into(),
            meter: String::new(),
        },
        actor,
    )?;
    let stored = store
        .finance_project(&Access::All, &p.id)?
        .ok_or_else(|| AppError::NotFound(format!("project {}", p.id)))?;
    Ok((
        upsert,
        ProjectView {
            tags,
            ..view_of(&stored)?
        },
    ))
}

fn json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Invalid(e.to_string()))
}

/// The project library as this party sees it.
pub fn projects(
    store: &mut dyn Store,
    party: &Party,
    filter: &ProjectFilter,
) -> Result<Vec<ProjectView>, AppError> {
    store
        .finance_projects(&party.access(), filter)?
        .iter()
        .map(view_of)
        .collect()
}

pub fn project(store: &mut dyn Store, party: &Party, id: &str) -> Result<ProjectView, AppError> {
    let r = store.finance_project(&party.access(), id)?.ok_or_else(|| {
        AppError::NotFound(format!("project {id} not found (or not visible to you)"))
    })?;
    view_of(&r)
}

/// `finance product add FILE`: publishes (or updates) a product from TOML.
pub fn add_product(
    store: &mut dyn Store,
    party: &Party,
    text: &str,
    actor: &str,
) -> Result<(Upsert, Product), AppError> {
    publish_product(store, party, Product::from_toml(text)?, actor)
}

/// Publishes (or updates) a product given as data (the API's JSON body); see
/// [`add_product`].
pub fn publish_product(
    store: &mut dyn Store,
    party: &Party,
    p: Product,
    actor: &str,
) -> Result<(Upsert, Product), AppError> {
    p.validate()?;
    party.may_publish(&p.issuer)?;
    for r in &p.rules {
        if let zp_finance::Rule::Category { prefixes } = r {
            for pre in prefixes {
                if catalogue().get(pre).is_none() {
                    return Err(AppError::Invalid(format!(
                        "product {}: category {pre} is not in the green finance catalogue",
                        p.id
                    )));
                }
            }
        }
    }
    let record = FinanceProduct {
        id: p.id.clone(),
        issuer: p.issuer.clone(),
        name: p.name.clone(),
        kind: p.kind.key().into(),
        definition: json(&p)?,
        created_by: actor.into(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    Ok((store.upsert_product(&record, actor)?, p))
}

fn parse_product(r: &FinanceProduct) -> Result<Product, AppError> {
    serde_json::from_str(&r.definition).map_err(|e| corrupt("product definition", e))
}

/// Published products (everyone may read them), optionally of one issuer.
pub fn products(store: &mut dyn Store, issuer: Option<&str>) -> Result<Vec<Product>, AppError> {
    store
        .finance_products(issuer)?
        .iter()
        .map(parse_product)
        .collect()
}

fn product(store: &mut dyn Store, id: &str) -> Result<Product, AppError> {
    let r = store
        .finance_product(id)?
        .ok_or_else(|| AppError::NotFound(format!("product {id} not found")))?;
    parse_product(&r)
}

/// `finance match --project ID`: every product ranked for a project, with reasons.
pub fn match_project(
    store: &mut dyn Store,
    party: &Party,
    project_id: &str,
) -> Result<Vec<Match>, AppError> {
    let v = project(store, party, project_id)?;
    let all = products(store, None)?;
    Ok(zp_finance::products_for_project(
        &v.project,
        &v.expected,
        &v.tags,
        &all,
    ))
}

/// `finance match --product ID`: the projects this party sees, ranked for a product.
pub fn match_product(
    store: &mut dyn Store,
    party: &Party,
    product_id: &str,
) -> Result<Vec<Match>, AppError> {
    let pr = product(store, product_id)?;
    let lib: Vec<(Project, Reduction, Vec<Tag>)> =
        projects(store, party, &ProjectFilter::default())?
            .into_iter()
            .map(|v| (v.project, v.expected, v.tags))
            .collect();
    Ok(zp_finance::projects_for_product(&pr, &lib))
}

/// `finance apply`: an application for an eligible project, for at most the offer.
pub fn apply(
    store: &mut dyn Store,
    party: &Party,
    project_id: &str,
    product_id: &str,
    amount_yuan: Decimal,
    method: Method,
    actor: &str,
) -> Result<Application, AppError> {
    party.may_register()?;
    let v = project(store, party, project_id)?;
    let pr = product(store, product_id)?;
    let m = zp_finance::evaluate(&pr, &v.project, &v.expected, &v.tags);
    if !m.eligible {
        let why: Vec<String> = m
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.rule, c.reason))
            .collect();
        return Err(AppError::Invalid(format!(
            "project {project_id} is not eligible for {product_id}: {}",
            why.join("; ")
        )));
    }
    let amount_fen = yuan_to_fen(amount_yuan)?;
    if amount_fen <= 0 {
        return Err(AppError::Invalid(format!(
            "amount {amount_yuan} yuan must be positive"
        )));
    }
    if amount_yuan > m.offer_yuan {
        return Err(AppError::Invalid(format!(
            "{amount_yuan} yuan is more than {product_id} offers this project ({} yuan)",
            m.offer_yuan.normalize()
        )));
    }
    Ok(store.create_application(
        &NewApplication {
            project_id: project_id.into(),
            product_id: product_id.into(),
            issuer: pr.issuer.clone(),
            credit_code: v.project.org.clone(),
            amount_fen,
            method: method.key().into(),
            annual_rate_pct: pr.annual_rate_pct,
            tenor_months: pr.tenor_months.map(i64::from),
        },
        actor,
    )?)
}

/// An application with its events, schedule and what is still owed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub application: Application,
    pub amount_yuan: Decimal,
    pub repaid: bool,
    pub installments: Vec<InstallmentView>,
    pub disbursed_fen: i64,
    pub principal_repaid_fen: i64,
    pub interest_paid_fen: i64,
    pub outstanding_fen: i64,
    pub events: Vec<ApplicationEvent>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct InstallmentView {
    #[serde(flatten)]
    pub installment: Installment,
    pub paid: bool,
}

fn status_of(a: &Application) -> Result<Status, AppError> {
    Status::parse(&a.status).ok_or_else(|| corrupt("application status", &a.status))
}

fn view_application(store: &mut dyn Store, a: Application) -> Result<ApplicationView, AppError> {
    let events = store.application_events(a.id)?;
    let schedule: Vec<Installment> = match &a.schedule {
        Some(s) => serde_json::from_str(s).map_err(|e| corrupt("schedule", e))?,
        None => Vec::new(),
    };
    let paid = events.iter().filter(|e| e.action == "repay").count();
    let sum = |action: &str, f: fn(&ApplicationEvent) -> i64| -> i64 {
        events.iter().filter(|e| e.action == action).map(f).sum()
    };
    let disbursed_fen = sum("disburse", |e| e.principal_fen);
    let principal_repaid_fen = sum("repay", |e| e.principal_fen);
    let repaid = product(store, &a.product_id)?.kind.is_repaid();
    Ok(ApplicationView {
        amount_yuan: fen_to_yuan(a.amount_fen),
        repaid,
        installments: schedule
            .into_iter()
            .enumerate()
            .map(|(i, installment)| InstallmentView {
                installment,
                paid: i < paid,
            })
            .collect(),
        disbursed_fen,
        principal_repaid_fen,
        interest_paid_fen: sum("repay", |e| e.interest_fen),
        outstanding_fen: if repaid {
            disbursed_fen - principal_repaid_fen
        } else {
            0
        },
        events,
        application: a,
    })
}

pub fn application(
    store: &mut dyn Store,
    party: &Party,
    id: i64,
) -> Result<ApplicationView, AppError> {
    let a = store.application(&party.view(), id)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "application {id} not found (or not visible to you)"
        ))
    })?;
    view_application(store, a)
}

pub fn applications(
    store: &mut dyn Store,
    party: &Party,
    filter: &ApplicationFilter,
) -> Result<Vec<Application>, AppError> {
    Ok(store.applications(&party.view(), filter)?)
}

/// `finance application advance ID --action ...`. `period` is the month of a
/// disbursement (the first installment falls due the month after); a repayment pays the
/// next installment of the schedule fixed at disbursement.
pub fn advance(
    store: &mut dyn Store,
    party: &Party,
    id: i64,
    action: Action,
    period: Option<Period>,
    note: &str,
    actor: &str,
) -> Result<ApplicationView, AppError> {
    let current = application(store, party, id)?;
    let a = &current.application;
    match (party, action) {
        (Party::Admin, _) => {}
        (Party::Bank { issuer, .. }, _) if *issuer == a.issuer => {}
        _ => {
            return Err(forbidden(&format!(
                "only {} moves application {id}",
                a.issuer
            )));
        }
    }
    let from = status_of(a)?;
    let to = from.next(action, current.repaid)?;
    let mut event = NewEvent {
        action: action.to_string(),
        from_status: from.key().into(),
        to_status: to.key().into(),
        note: note.into(),
        ..Default::default()
    };
    let mut schedule = None;
    let mut disbursed = None;
    match action {
        Action::Disburse => {
            let month = period.ok_or_else(|| {
                AppError::Invalid("a disbursement needs its month (--period YYYY-MM)".into())
            })?;
            event.period = month.to_string();
            event.principal_fen = a.amount_fen;
            disbursed = Some(month);
            if current.repaid {
                let rate = a.annual_rate_pct.unwrap_or_default();
                let months = a
                    .tenor_months
                    .and_then(|t| u32::try_from(t).ok())
                    .ok_or_else(|| AppError::Invalid(format!("application {id} has no tenor")))?;
                let method = Method::parse(&a.method).unwrap_or(Method::Annuity);
                let s =
                    zp_finance::schedule(a.amount_fen, rate, months, method, next_month(month))?;
                schedule = Some(json(&s)?);
            }
        }
        Action::Repay => {
            let next = current
                .installments
                .iter()
                .find(|i| !i.paid)
                .ok_or_else(|| {
                    AppError::Invalid(format!("application {id}: every installment is paid"))
                })?;
            event.period = next.installment.due.to_string();
            event.principal_fen = next.installment.principal_fen;
            event.interest_fen = next.installment.interest_fen;
        }
        Action::Close if current.repaid && current.outstanding_fen != 0 => {
            return Err(AppError::Invalid(format!(
                "application {id} still owes {} yuan; it closes when fully repaid",
                fen_to_yuan(current.outstanding_fen)
            )));
        }
        _ => {}
    }
    let updated = store.advance_application(id, &event, schedule.as_deref(), disbursed, actor)?;
    view_application(store, updated)
}

/// What a [`MonitoringSource`] is asked for: the project's activity lines for the months
/// `from..=to`, as `access` may see them.
pub struct MonitoringWindow<'a> {
    pub access: &'a Access,
    pub project: &'a Project,
    pub from: Period,
    pub to: Period,
}

/// Where monitored activity comes from: the enterprise's ledgers ([`LedgerSource`]) or the
/// project's linked meters ([`MeterSource`], with the ledger as its fallback).
pub trait MonitoringSource {
    fn name(&self) -> &'static str;
    /// Activity lines of the project's carriers for the window's months.
    fn lines(
        &mut self,
        store: &mut dyn Store,
        w: &MonitoringWindow<'_>,
    ) -> Result<Vec<ActivityLine>, AppError>;
    /// What the reader must know about the lines (fallbacks, incomplete months).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

pub const LEDGER_SOURCE: &str = "ledger";
pub const METER_SOURCE: &str = "meter";

/// The enterprise's monthly ledgers, as imported with `zeropark import activity`.
pub struct LedgerSource;

impl MonitoringSource for LedgerSource {
    fn name(&self) -> &'static str {
        LEDGER_SOURCE
    }

    fn lines(
        &mut self,
        store: &mut dyn Store,
        w: &MonitoringWindow<'_>,
    ) -> Result<Vec<ActivityLine>, AppError> {
        let (access, project, from, to) = (w.access, w.project, w.from, w.to);
        let carriers = project.carriers();
        let mut out = Vec::new();
        for year in from.year()..=to.year() {
            out.extend(
                org_ledger(store, access, &project.org, year, &carriers)?
                    .into_iter()
                    .filter(|l| l.period >= from && l.period <= to),
            );
        }
        Ok(out)
    }
}

/// The carrier a linked meter measures: a consumption meter at the project boundary
/// measures grid electricity (`electricity`), a generation meter on-site renewable
/// electricity (`electricity_onsite_renewable`). A battery meter measures energy moved in
/// time, no carrier of a boundary: `None`.
pub fn meter_carrier(kind: MeterKind) -> Option<Carrier> {
    match kind {
        MeterKind::Consumption => Some(Carrier::Electricity),
        MeterKind::Generation => Some(Carrier::ElectricityOnsiteRenewable),
        MeterKind::BatteryCharge | MeterKind::BatteryDischarge => None,
    }
}

/// One meter's month in the readings store (local calendar month).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeterMonth {
    pub meter: String,
    pub period: Period,
    pub wh: u64,
    /// Intervals with a reading, and intervals the month has at the meter's interval.
    pub present: u64,
    pub expected: u64,
}

impl MeterMonth {
    pub fn complete(&self) -> bool {
        self.expected > 0 && self.present == self.expected
    }

    /// Exact kWh (readings are whole Wh).
    pub fn kwh(&self) -> Decimal {
        Decimal::from(self.wh) / Decimal::from(1000)
    }
}

/// Sums a meter's readings of month `p` from the columnar readings store.
pub fn meter_month(
    readings: &ReadingStore,
    meter: &str,
    p: Period,
) -> Result<MeterMonth, AppError> {
    use zp_readings::calendar::local_midnight;
    let next = next_month(p);
    let from = local_midnight(p.year(), p.month(), 1);
    let to = local_midnight(next.year(), next.month(), 1);
    let (mut wh, mut present, mut expected) = (0u64, 0u64, 0u64);
    if let Some(interval) = readings.interval(meter) {
        expected = ((to - from) / interval.seconds()) as u64;
        for (_, v) in readings
            .readings(meter, from, to)
            .map_err(|e| AppError::Invalid(e.to_string()))?
        {
            wh += u64::from(v);
            present += 1;
        }
    }
    Ok(MeterMonth {
        meter: meter.into(),
        period: p,
        wh,
        present,
        expected,
    })
}

/// Metered energy of the project's linked meters, summed per calendar month from the
/// readings store (`zp-readings`). A carrier's month counts as metered only when every
/// meter of that carrier has all its intervals; otherwise the enterprise's ledger lines of
/// that month and carrier are used (the documented fallback), and when there are none the
/// whole month is left out (reported missing, never a reduction from absent data).
/// Carriers no meter measures (e.g. clinker) always come from the ledger.
pub struct MeterSource<'a> {
    pub readings: &'a ReadingStore,
    /// Linked meters and the carrier each measures.
    pub meters: Vec<(String, Carrier)>,
    notes: Vec<String>,
}

impl<'a> MeterSource<'a> {
    pub fn new(readings: &'a ReadingStore, meters: Vec<(String, Carrier)>) -> Self {
        MeterSource {
            readings,
            meters,
            notes: Vec::new(),
        }
    }

    /// The metered lines of `carrier` in month `p`, or why the month is not metered.
    fn metered(
        &self,
        carrier: Carrier,
        p: Period,
    ) -> Result<Result<Vec<ActivityLine>, String>, AppError> {
        let mut lines = Vec::new();
        for (meter, _) in self.meters.iter().filter(|(_, c)| *c == carrier) {
            let m = meter_month(self.readings, meter, p)?;
            if !m.complete() {
                return Ok(Err(format!(
                    "meter {meter} has {} of {} intervals",
                    m.present, m.expected
                )));
            }
            lines.push(ActivityLine {
                steam: None,
                serials: None,
                id: 0,
                period: p,
                carrier,
                quantity: Quantity::new(m.kwh(), Unit::Kwh),
                source: format!(
                    "meter:{meter}:{p} ({} kWh, {}/{} intervals)",
                    m.kwh().normalize(),
                    m.present,
                    m.expected
                ),
            });
        }
        Ok(Ok(lines))
    }
}

impl MonitoringSource for MeterSource<'_> {
    fn name(&self) -> &'static str {
        METER_SOURCE
    }

    fn lines(
        &mut self,
        store: &mut dyn Store,
        w: &MonitoringWindow<'_>,
    ) -> Result<Vec<ActivityLine>, AppError> {
        let ledger = LedgerSource.lines(store, w)?;
        let (project, from, to) = (w.project, w.from, w.to);
        let metered: BTreeSet<Carrier> = self.meters.iter().map(|(_, c)| *c).collect();
        let mut out = Vec::new();
        let mut p = from;
        while p <= to {
            let from_ledger = |c: Carrier| -> Vec<ActivityLine> {
                ledger
                    .iter()
                    .filter(|l| l.period == p && l.carrier == c)
                    .cloned()
                    .collect()
            };
            let mut month: Vec<ActivityLine> = Vec::new();
            let mut gap = false;
            for c in &metered {
                match self.metered(*c, p)? {
                    Ok(lines) => month.extend(lines),
                    Err(why) => {
                        let fallback = from_ledger(*c);
                        gap |= fallback.is_empty();
                        self.notes.push(format!(
                            "{p} {c}: {why}; {}",
                            if fallback.is_empty() {
                                "no ledger line either, month not monitored"
                            } else {
                                "ledger used instead"
                            }
                        ));
                        month.extend(fallback);
                    }
                }
            }
            if !gap {
                out.extend(month);
                for c in project.carriers().difference(&metered) {
                    out.extend(from_ledger(*c));
                }
            }
            p = next_month(p);
        }
        Ok(out)
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
}

/// `finance project link-meter`: monitors a project from a meter of its enterprise. The
/// meter must be registered (`import meters`) to the project's enterprise and measure a
/// carrier inside the project boundary.
pub fn link_meter(
    store: &mut dyn Store,
    party: &Party,
    project_id: &str,
    meter: &str,
    actor: &str,
) -> Result<Upsert, AppError> {
    party.may_register()?;
    let v = project(store, party, project_id)?;
    let m = store
        .meters(&party.access(), &MeterFilter::of_org(&v.project.org))?
        .into_iter()
        .find(|m| m.meter == meter)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "meter {meter} is not registered to {} (zeropark import meters)",
                v.project.org
            ))
        })?;
    let carrier = meter_carrier(m.kind).ok_or_else(|| {
        AppError::Invalid(format!(
            "meter {meter} is a {} meter: it measures energy a battery moves in time, not a carrier of project {project_id}'s boundary",
            m.kind.key()
        ))
    })?;
    if !v.project.carriers().contains(&carrier) {
        return Err(AppError::Invalid(format!(
            "meter {meter} measures {carrier}, which is outside project {project_id}'s boundary"
        )));
    }
    Ok(store.link_mrv(
        &MrvLink {
            project_id: project_id.into(),
            source: METER_SOURCE.into(),
            meter: meter.into(),
        },
        actor,
    )?)
}

/// The monitoring source of a project: its linked meters (with the ledger as fallback)
/// when it has any, else the ledger.
fn source_for<'a>(
    store: &mut dyn Store,
    readings: Option<&'a ReadingStore>,
    project: &Project,
) -> Result<Box<dyn MonitoringSource + 'a>, AppError> {
    let links: Vec<MrvLink> = store
        .mrv_links(&project.id)?
        .into_iter()
        .filter(|l| l.source == METER_SOURCE)
        .collect();
    if links.is_empty() {
        return Ok(Box::new(LedgerSource));
    }
    let names: Vec<&str> = links.iter().map(|l| l.meter.as_str()).collect();
    let readings = readings.ok_or_else(|| {
        AppError::Invalid(format!(
            "project {} is monitored from meters {}; the readings store is not available",
            project.id,
            names.join(", ")
        ))
    })?;
    let registered = store.meters(&Access::All, &MeterFilter::of_org(&project.org))?;
    let meters = links
        .iter()
        .map(|l| {
            registered
                .iter()
                .find(|m| m.meter == l.meter)
                .and_then(|m| Some((l.meter.clone(), meter_carrier(m.kind)?)))
                .ok_or_else(|| corrupt("linked meter", &l.meter))
        })
        .collect::<Result<_, _>>()?;
    Ok(Box::new(MeterSource::new(readings, meters)))
}

/// MRV of a project with the months `from..=to` shown (cumulative figures count from the
/// first month of operation).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MrvView {
    pub source: String,
    /// Linked meters (empty when monitored from the ledger).
    pub meters: Vec<String>,
    pub expected_annual_tco2: Decimal,
    #[serde(flatten)]
    pub report: MrvReport,
}

/// `finance mrv --project ID [--from --to]`. `readings` is the interval readings store;
/// projects with linked meters need it.
pub fn mrv(
    store: &mut dyn Store,
    readings: Option<&ReadingStore>,
    party: &Party,
    project_id: &str,
    from: Option<Period>,
    to: Period,
) -> Result<MrvView, AppError> {
    let v = project(store, party, project_id)?;
    let mut source = source_for(store, readings, &v.project)?;
    let start = v.project.operation_start;
    let lines = if start <= to {
        let window = MonitoringWindow {
            access: &party.access(),
            project: &v.project,
            from: start,
            to,
        };
        source.lines(store, &window)?
    } else {
        Vec::new()
    };
    let outputs: BTreeMap<Period, Decimal> = store.mrv_outputs(project_id)?.into_iter().collect();
    let mut report = zp_finance::monitor(
        &v.project,
        &v.expected,
        &lines,
        &outputs,
        to,
        zp_finance::mrv::default_threshold(),
        &crate::catalog(store)?,
    )?;
    report.notes.extend(source.notes());
    if let Some(from) = from {
        report.months.retain(|m| m.period >= from);
    }
    let meters = store
        .mrv_links(project_id)?
        .into_iter()
        .filter(|l| l.source == METER_SOURCE)
        .map(|l| l.meter)
        .collect();
    Ok(MrvView {
        source: source.name().into(),
        meters,
        expected_annual_tco2: v.expected.total_tco2,
        report,
    })
}

/// Records a month's production output (the MRV driver) of a project.
pub fn set_output(
    store: &mut dyn Store,
    party: &Party,
    project_id: &str,
    period: Period,
    output: Decimal,
    actor: &str,
) -> Result<Upsert, AppError> {
    party.may_register()?;
    project(store, party, project_id)?;
    Ok(store.set_mrv_output(project_id, period, output, actor)?)
}

fn bank_only(party: &Party, bank: &str) -> Result<(), AppError> {
    match party {
        Party::Admin => Ok(()),
        Party::Bank { issuer, .. } if issuer == bank => Ok(()),
        _ => Err(forbidden(&format!("only {bank} reads its portfolio"))),
    }
}

/// Principal outstanding at the end of `year`: disbursed by then, less repayments due by then.
fn outstanding_at(v: &ApplicationView, year: i32) -> i64 {
    let end = format!("{year}-12");
    let disbursed: i64 = v
        .events
        .iter()
        .filter(|e| e.action == "disburse" && e.period.as_str() <= end.as_str())
        .map(|e| e.principal_fen)
        .sum();
    let repaid: i64 = v
        .events
        .iter()
        .filter(|e| e.action == "repay" && e.period.as_str() <= end.as_str())
        .map(|e| e.principal_fen)
        .sum();
    if v.repaid { disbursed - repaid } else { 0 }
}

fn bank_applications(store: &mut dyn Store, bank: &str) -> Result<Vec<ApplicationView>, AppError> {
    store
        .applications(
            &FinanceView::Issuer(bank.into()),
            &ApplicationFilter::default(),
        )?
        .into_iter()
        .filter(|a| Status::parse(&a.status).is_some_and(Status::is_disbursed))
        .map(|a| view_application(store, a))
        .collect()
}

/// `finance report loans --bank NAME --year`: the carbon-reduction loans (products of kind
/// `carbon_reduction_loan`; other loans and bonds are not 碳减排贷款) the bank disbursed in
/// the year, with amounts, balances at year end, the reduction each drives and what MRV
/// has monitored to the end of the year.
pub fn loan_report(
    store: &mut dyn Store,
    readings: Option<&ReadingStore>,
    party: &Party,
    bank: &str,
    year: i32,
) -> Result<LoanReport, AppError> {
    bank_only(party, bank)?;
    let mut lines = Vec::new();
    for v in bank_applications(store, bank)? {
        let a = &v.application;
        if !v.repaid || a.disbursed_period.is_none_or(|p| p.year() != year) {
            continue;
        }
        if product(store, &a.product_id)?.kind != ProductKind::CarbonReductionLoan {
            continue;
        }
        let p = project(store, &Party::Admin, &a.project_id)?;
        let org = store.org(&Access::All, &a.credit_code)?;
        let dec_end = Period::new(year, 12).map_err(|e| AppError::Invalid(e.to_string()))?;
        let monitored = mrv(store, readings, &Party::Admin, &a.project_id, None, dec_end)
            .ok()
            .filter(|m| !m.report.months.is_empty())
            .map(|m| m.report.monitored_tco2);
        lines.push(
            LoanLine {
                application_id: a.id,
                borrower: a.credit_code.to_string(),
                borrower_name: org.map(|o| o.name).unwrap_or_default(),
                project_id: a.project_id.clone(),
                project_name: p.project.name.clone(),
                product_id: a.product_id.clone(),
                categories: p.project.categories.clone(),
                amount_fen: a.amount_fen,
                outstanding_fen: outstanding_at(&v, year),
                annual_rate_pct: a.annual_rate_pct,
                project_capex_yuan: p.project.capex_yuan,
                project_annual_reduction_tco2: p.expected.total_tco2,
                attributed_annual_reduction_tco2: Decimal::ZERO,
                monitored_tco2: monitored,
            }
            .attribute(),
        );
    }
    Ok(zp_finance::loan_report(bank, lines))
}

/// `finance report pcaf --bank NAME --year`: financed emissions of the bank's loans
/// outstanding at year end. Borrower emissions are the enterprise's Scope 1 + 2
/// (location-based) inventory of the year from its ledgers (PCAF option 2a, score 2);
/// equity and debt come from `finance balance-sheet set`. Loans whose borrower lacks
/// either are listed in the notes, not guessed.
pub fn pcaf_report(
    store: &mut dyn Store,
    party: &Party,
    bank: &str,
    year: i32,
) -> Result<PcafReport, AppError> {
    bank_only(party, bank)?;
    let mut exposures = Vec::new();
    let mut notes = Vec::new();
    let mut emissions: BTreeMap<CreditCode, Option<Decimal>> = BTreeMap::new();
    for v in bank_applications(store, bank)? {
        let a = &v.application;
        let outstanding = outstanding_at(&v, year);
        if outstanding <= 0 {
            continue;
        }
        let Some(bs) = store.balance_sheet(&a.credit_code, year)? else {
            notes.push(format!(
                "application {}: no {year} balance sheet of {} (finance balance-sheet set); not attributed",
                a.id, a.credit_code
            ));
            continue;
        };
        let e = match emissions.get(&a.credit_code) {
            Some(e) => *e,
            None => {
                let has_ledger = !store
                    .activity(&Access::All, &a.credit_code, year)?
                    .is_empty();
                let e = if has_ledger {
                    let catalog = crate::catalog(store)?;
                    let inv = crate::org_inventory(
                        store,
                        &catalog,
                        &Access::All,
                        &a.credit_code,
                        year,
                        Default::default(),
                        "finance:pcaf",
                    )?;
                    Some(inv.total_location_tco2())
                } else {
                    None
                };
                emissions.insert(a.credit_code.clone(), e);
                e
            }
        };
        let Some(e) = e else {
            notes.push(format!(
                "application {}: no {year} ledger of {}; emissions unknown, not attributed",
                a.id, a.credit_code
            ));
            continue;
        };
        exposures.push(Exposure {
            loan: format!("{} {}", a.id, a.product_id),
            borrower: a.credit_code.to_string(),
            outstanding_yuan: fen_to_yuan(outstanding),
            equity_yuan: bs.equity_yuan,
            debt_yuan: bs.debt_yuan,
            emissions_tco2: e,
            data_quality: DataQuality::EnergyActivity,
        });
    }
    let mut r = zp_finance::pcaf(bank, year, &exposures)?;
    r.notes.extend(notes);
    Ok(r)
}

/// `finance balance-sheet set`: a borrower's equity and debt of a year.
pub fn set_balance_sheet(
    store: &mut dyn Store,
    party: &Party,
    b: &BalanceSheet,
    actor: &str,
) -> Result<Upsert, AppError> {
    match party {
        Party::Admin | Party::Bank { .. } | Party::Tenant { write: true, .. } => {}
        _ => return Err(forbidden("read-only")),
    }
    if b.equity_yuan + b.debt_yuan <= Decimal::ZERO {
        return Err(AppError::Invalid(format!(
            "{} {}: equity + debt must be positive",
            b.credit_code, b.year
        )));
    }
    store.org(&party.access(), &b.credit_code)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "enterprise {} is not registered (or not visible to you)",
            b.credit_code
        ))
    })?;
    Ok(store.set_balance_sheet(b, actor)?)
}
