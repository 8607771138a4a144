//! Long because: the finance area lists every finance route with its OpenAPI operation and UI
//! strings in one place, as each server area does.
//!
//! Climate investment and financing (气候投融资): the project library, products banks
//! publish, matching both ways with reasons, the application workflow, MRV of monitored
//! reductions and the banks' reports (JSON and Excel).
//!
//! Scope comes from [`zp_app::finance::Party`]: an enterprise user sees its enterprise's
//! projects and applications, a park administrator its park's, a region officer its
//! region's; a bank user (linked to a product issuer) its issuer's products, applications
//! and portfolio. Anything outside the scope is a 404. Every write is audit-logged with
//! the signed-in user.

#[path = "finance_pages.rs"]
mod pages;

use crate::auth::CurrentUser;
use crate::extract::{Json, Path, Query, trimmed};
use crate::layout::NavItem;
use crate::openapi::{Op, schema};
use crate::{AppError, AppState, Area};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use zp_app::finance::{self as fin, ApplicationView, MrvView, Party, ProjectView};
use zp_app::finance::{Action, Match, Method, Product, Project, SupportCatalogue};
use zp_app::{Application, ApplicationFilter, BalanceSheet, ProjectFilter, Role, Store, Upsert};
use zp_domain::{CreditCode, Decimal, Period, Region};

pub const AREA: Area = Area {
    name: "finance",
    routes,
    ops: OPS,
    nav: &[
        NavItem {
            href: "/finance",
            label: "nav.finance",
            roles: &[],
            group: crate::layout::NavGroup::Finance,
        },
        NavItem {
            href: "/matching",
            label: "nav.matching",
            roles: &[Role::Bank, Role::PlatformAdmin],
            group: crate::layout::NavGroup::Finance,
        },
    ],
    strings: pages::STRINGS,
};

const PROJECT_FILTERS: &[(&str, &str, bool)] = &[
    (
        "kind",
        "Project type: energy_efficiency, motor_system, waste_heat_recovery, \
         building_efficiency, fuel_switch, ccus, solid_waste_utilisation, distributed_pv, wind, \
         geothermal, energy_storage or ev_charging",
        false,
    ),
    (
        "category",
        "Catalogue code: the category or one under it",
        false,
    ),
    ("park", "Park name", false),
    ("org", "Enterprise credit code", false),
    ("region", "Region code (CQ, SC, ...)", false),
    (
        "status",
        "Financing status: an application in this status, or none",
        false,
    ),
    (
        "min_reduction",
        "Expected reduction at least this, tCO2/yr",
        false,
    ),
];

const REPORT_QUERY: &[(&str, &str, bool)] = &[
    (
        "bank",
        "Issuer (a bank user's own issuer when omitted)",
        false,
    ),
    ("year", "Reporting year", true),
    ("format", "json (default) or xlsx", false),
];

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/finance/catalogue",
        "The green finance support catalogue (2025 edition)",
    )
    .returns(crate::openapi::response::<SupportCatalogue>),
    Op::get(
        "/api/v1/finance/projects",
        "Project library within the caller's scope",
    )
    .query(PROJECT_FILTERS)
    .returns(crate::openapi::response::<Vec<LibraryRow>>),
    Op::post(
        "/api/v1/finance/projects",
        "Register or update a project (JSON as the project file); expected reduction computed",
    )
    .returns(crate::openapi::response::<Registered>)
    .json_body(crate::openapi::schema::<Project>),
    Op::get(
        "/api/v1/finance/projects/{id}",
        "A project with its expected reductions, tags, meters and applications",
    )
    .returns(crate::openapi::response::<ProjectDetail>),
    Op::post(
        "/api/v1/finance/projects/{id}/meters",
        "Monitor the project from a meter of its enterprise ({meter})",
    )
    .json_body(schema::<MeterBody>)
    .returns(crate::openapi::response::<Written>),
    Op::post(
        "/api/v1/finance/projects/{id}/outputs",
        "A month's production output, the MRV baseline driver ({period, value})",
    )
    .json_body(schema::<OutputBody>)
    .returns(crate::openapi::response::<Written>),
    Op::get(
        "/api/v1/finance/projects/{id}/mrv",
        "Monitored reductions against expected, month by month, with alerts",
    )
    .query(&[
        ("from", "First month shown (YYYY-MM)", false),
        ("to", "Last month (YYYY-MM, default this month)", false),
    ])
    .returns(crate::openapi::response::<MrvView>),
    Op::get(
        "/api/v1/finance/projects/{id}/matches",
        "Products ranked for the project, with the reason for every rule",
    )
    .returns(crate::openapi::response::<Vec<Match>>),
    Op::get(
        "/api/v1/finance/products",
        "Published products (a bank user: its own)",
    )
    .query(&[("issuer", "Issuer name", false)])
    .returns(crate::openapi::response::<Vec<Product>>),
    Op::post(
        "/api/v1/finance/products",
        "Publish or update a product (bank users for their issuer; JSON as the product file)",
    )
    .returns(crate::openapi::response::<Published>)
    .json_body(crate::openapi::schema::<Product>),
    Op::get(
        "/api/v1/finance/products/{id}/matches",
        "Projects in the caller's scope ranked for a product, with reasons",
    )
    .returns(crate::openapi::response::<Vec<Match>>),
    Op::get(
        "/api/v1/finance/applications",
        "Applications within the caller's scope",
    )
    .query(&[
        ("project", "Project id", false),
        ("product", "Product id", false),
        ("status", "Workflow status", false),
    ])
    .returns(crate::openapi::response::<Vec<Application>>),
    Op::post(
        "/api/v1/finance/applications",
        "Apply for a product with an eligible project ({project, product, amount_yuan, method})",
    )
    .json_body(schema::<ApplyBody>)
    .returns(crate::openapi::response::<ApplicationView>),
    Op::get(
        "/api/v1/finance/applications/{id}",
        "An application with its events, repayment schedule and outstanding principal",
    )
    .returns(crate::openapi::response::<ApplicationView>),
    Op::post(
        "/api/v1/finance/applications/{id}/actions",
        "Move an application: review, approve, reject, disburse (period), repay, close",
    )
    .json_body(schema::<ActionBody>)
    .returns(crate::openapi::response::<ApplicationView>),
    Op::post(
        "/api/v1/finance/balance-sheets",
        "A borrower's equity and debt of a year (PCAF attribution)",
    )
    .returns(crate::openapi::response::<Written>)
    .json_body(crate::openapi::schema::<BalanceSheet>),
    Op::post(
        "/api/v1/finance/banks",
        "Link a bank user to the issuer its products carry (platform admin)",
    )
    .json_body(schema::<BankBody>)
    .returns(crate::openapi::response::<Written>),
    Op::get(
        "/api/v1/finance/reports/loans",
        "Carbon-reduction loan report of a bank (JSON or Excel)",
    )
    .query(REPORT_QUERY)
    .returns(crate::openapi::response::<zp_app::finance::LoanReport>),
    Op::get(
        "/api/v1/finance/reports/pcaf",
        "PCAF financed emissions of a bank's portfolio (JSON or Excel)",
    )
    .query(REPORT_QUERY)
    .returns(crate::openapi::response::<zp_app::finance::PcafReport>),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance", get(pages::library_page))
        .route("/finance/projects/{id}", get(pages::project_page))
        .route("/matching", get(pages::matching_page))
        .route("/api/v1/finance/catalogue", get(catalogue))
        .route("/api/v1/finance/projects", get(projects).post(register))
        .route("/api/v1/finance/projects/{id}", get(project))
        .route("/api/v1/finance/projects/{id}/meters", post(link_meter))
        .route("/api/v1/finance/projects/{id}/outputs", post(set_output))
        .route("/api/v1/finance/projects/{id}/mrv", get(mrv))
        .route(
            "/api/v1/finance/projects/{id}/matches",
            get(project_matches),
        )
        .route("/api/v1/finance/products", get(products).post(publish))
        .route(
            "/api/v1/finance/products/{id}/matches",
            get(product_matches),
        )
        .route(
            "/api/v1/finance/applications",
            get(applications).post(apply),
        )
        .route("/api/v1/finance/applications/{id}", get(application))
        .route("/api/v1/finance/applications/{id}/actions", post(advance))
        .route("/api/v1/finance/balance-sheets", post(balance_sheet))
        .route("/api/v1/finance/banks", post(link_bank))
        .route("/api/v1/finance/reports/loans", get(loan_report))
        .route("/api/v1/finance/reports/pcaf", get(pcaf_report))
}

/// The finance party of the caller.
/// A bank or verifier without a scope of its own reads its parties' enterprises only
/// (`who.access`, see [`CurrentUser::parties`]), not every project.
pub(crate) fn party(s: &mut dyn Store, who: &CurrentUser) -> Result<Party, AppError> {
    let mut party = Party::for_user(s, &who.user)?;
    if who.parties.is_some() {
        match &mut party {
            Party::Bank { access, .. } | Party::Tenant { access, .. } => {
                *access = who.access.clone();
            }
            Party::Admin => {}
        }
    }
    Ok(party)
}

/// Runs `f` on the store with the caller and their finance party.
pub(crate) async fn with_party<T, F>(st: &AppState, who: CurrentUser, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn Store, &Party, &CurrentUser) -> Result<T, AppError> + Send + 'static,
{
    st.run(move |s| {
        let p = party(s, &who)?;
        f(s, &p, &who)
    })
    .await
}

/// A write as the caller's party, answered `{"result": ...}` (inserted, updated, unchanged).
async fn write_as_party<F>(st: &AppState, who: CurrentUser, f: F) -> Result<Json<Written>, AppError>
where
    F: FnOnce(&mut dyn Store, &Party, &CurrentUser) -> Result<Upsert, AppError> + Send + 'static,
{
    let result = with_party(st, who, f).await?;
    Ok(Json(Written { result }))
}

/// What a write did: inserted, updated or unchanged.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Written {
    result: Upsert,
}

/// Finance writes: the roles that change data, and bank users (who move their own
/// applications and publish their own products; the finance rules check which).
fn require_finance_write(who: &CurrentUser) -> Result<(), AppError> {
    if who.role() == Role::Bank {
        Ok(())
    } else {
        who.require_write()
    }
}

fn bad(what: &str, value: &str, e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("{what} {value:?}: {e}"))
}

fn month(what: &str, s: &str) -> Result<Period, AppError> {
    Period::parse(s.trim()).map_err(|e| bad(what, s, e))
}

/// The current month in Asia/Shanghai.
pub(crate) fn this_month() -> Result<Period, AppError> {
    let d = zp_domain::time::local(jiff::Timestamp::now().as_second());
    Period::new(i32::from(d.year()), d.month() as u32)
        .map_err(|e| AppError::Internal(e.to_string()))
}

async fn catalogue(_who: CurrentUser) -> Json<SupportCatalogue> {
    Json(fin::catalogue())
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct LibraryQuery {
    pub kind: Option<String>,
    pub category: Option<String>,
    pub park: Option<String>,
    pub org: Option<String>,
    pub region: Option<String>,
    pub status: Option<String>,
    pub min_reduction: Option<Decimal>,
}

/// A project of the library with the statuses of the applications the caller sees.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct LibraryRow {
    #[serde(flatten)]
    pub view: ProjectView,
    pub org_name: String,
    pub statuses: Vec<String>,
}

/// The project library as `party` sees it, filtered.
pub(crate) fn library(
    s: &mut dyn Store,
    party: &Party,
    q: &LibraryQuery,
) -> Result<Vec<LibraryRow>, AppError> {
    let filter = ProjectFilter {
        org: trimmed(&q.org)
            .map(|c| CreditCode::parse(&c).map_err(|e| bad("org", &c, e)))
            .transpose()?,
        park: trimmed(&q.park),
        region: trimmed(&q.region)
            .map(|r| Region::parse(&r).map_err(|e| bad("region", &r, e)))
            .transpose()?,
        kind: trimmed(&q.kind)
            .map(|k| {
                fin::ProjectKind::parse(&k)
                    .map(|p| p.key().to_string())
                    .ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "kind {k:?}: one of {}",
                            fin::ProjectKind::ALL
                                .iter()
                                .map(|p| p.key())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })
            })
            .transpose()?,
        category: trimmed(&q.category),
        min_reduction_tco2: q.min_reduction,
    };
    let visible = fin::applications(s, party, &ApplicationFilter::default())?;
    let status = trimmed(&q.status);
    let mut rows = Vec::new();
    for view in fin::projects(s, party, &filter)? {
        let statuses = visible
            .iter()
            .filter(|a| a.project_id == view.project.id)
            .map(|a| a.status.clone())
            .collect();
        let org_name = s
            .org(&party.access(), &view.project.org)?
            .map(|o| o.name)
            .unwrap_or_default();
        rows.push(LibraryRow {
            view,
            org_name,
            statuses,
        });
    }
    Ok(rows
        .into_iter()
        .filter(|r| match status.as_deref() {
            None => true,
            Some("none") => r.statuses.is_empty(),
            Some(st) => r.statuses.iter().any(|x| x == st),
        })
        .collect())
}

async fn projects(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<LibraryQuery>,
) -> Result<Json<Vec<LibraryRow>>, AppError> {
    let rows = with_party(&st, who, move |s, p, _| library(s, p, &q)).await?;
    Ok(Json(rows))
}

/// A project stored, with its computed expected reduction.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Registered {
    result: Upsert,
    project: ProjectView,
}

async fn register(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(body): Json<Project>,
) -> Result<Json<Registered>, AppError> {
    who.require_write()?;
    let (result, project) = with_party(&st, who, move |s, p, who| {
        Ok(fin::register_project(s, p, body, None, &who.actor())?)
    })
    .await?;
    Ok(Json(Registered { result, project }))
}

/// A project with what the caller may see around it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct ProjectDetail {
    #[serde(flatten)]
    pub view: ProjectView,
    pub meters: Vec<String>,
    pub applications: Vec<Application>,
}

pub(crate) fn detail(s: &mut dyn Store, p: &Party, id: &str) -> Result<ProjectDetail, AppError> {
    let view = fin::project(s, p, id)?;
    let meters = s
        .mrv_links(id)?
        .into_iter()
        .filter(|l| l.source == fin::METER_SOURCE)
        .map(|l| l.meter)
        .collect();
    let applications = fin::applications(
        s,
        p,
        &ApplicationFilter {
            project: Some(id.into()),
            ..Default::default()
        },
    )?;
    Ok(ProjectDetail {
        view,
        meters,
        applications,
    })
}

async fn project(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ProjectDetail>, AppError> {
    let d = with_party(&st, who, move |s, p, _| detail(s, p, &id)).await?;
    Ok(Json(d))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct MeterBody {
    meter: String,
}

async fn link_meter(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<MeterBody>,
) -> Result<Json<Written>, AppError> {
    who.require_write()?;
    write_as_party(&st, who, move |s, p, who| {
        Ok(fin::link_meter(s, p, &id, &body.meter, &who.actor())?)
    })
    .await
}

#[derive(Deserialize, schemars::JsonSchema)]
struct OutputBody {
    period: String,
    value: Decimal,
}

async fn set_output(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<OutputBody>,
) -> Result<Json<Written>, AppError> {
    who.require_write()?;
    let period = month("period", &body.period)?;
    write_as_party(&st, who, move |s, p, who| {
        Ok(fin::set_output(
            s,
            p,
            &id,
            period,
            body.value,
            &who.actor(),
        )?)
    })
    .await
}

#[derive(Deserialize, Default)]
struct MrvQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The server's interval readings store, when it has one.
fn open_readings(
    dir: Option<&std::path::Path>,
) -> Result<Option<zp_app::readings::ReadingStore>, AppError> {
    dir.filter(|d| d.exists())
        .map(|d| {
            zp_app::readings::ReadingStore::open(d)
                .map_err(|e| AppError::Internal(format!("readings store: {e}")))
        })
        .transpose()
}

/// MRV of a project, reading the linked meters from the server's readings store.
pub(crate) fn run_mrv(
    s: &mut dyn Store,
    readings_dir: Option<&std::path::Path>,
    p: &Party,
    id: &str,
    from: Option<Period>,
    to: Period,
) -> Result<MrvView, AppError> {
    let readings = open_readings(readings_dir)?;
    Ok(fin::mrv(s, readings.as_ref(), p, id, from, to)?)
}

async fn mrv(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<MrvQuery>,
) -> Result<Json<MrvView>, AppError> {
    let from = q.from.as_deref().map(|f| month("from", f)).transpose()?;
    let to = match q.to.as_deref() {
        Some(t) => month("to", t)?,
        None => this_month()?,
    };
    let dir = st.config.readings_dir.clone();
    let v = with_party(&st, who, move |s, p, _| {
        run_mrv(s, dir.as_deref(), p, &id, from, to)
    })
    .await?;
    Ok(Json(v))
}

async fn project_matches(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Match>>, AppError> {
    let m = with_party(&st, who, move |s, p, _| {
        let mut all = fin::match_project(s, p, &id)?;
        if let Party::Bank { issuer, .. } = p {
            all.retain(|m| &m.issuer == issuer);
        }
        Ok(all)
    })
    .await?;
    Ok(Json(m))
}

#[derive(Deserialize, Default)]
struct ProductQuery {
    issuer: Option<String>,
}

/// Products as `party` sees them: a bank its own issuer's, everyone else all published.
pub(crate) fn visible_products(
    s: &mut dyn Store,
    p: &Party,
    issuer: Option<&str>,
) -> Result<Vec<Product>, AppError> {
    let issuer = match p {
        Party::Bank { issuer: mine, .. } => Some(mine.as_str()),
        _ => issuer.filter(|i| !i.is_empty()),
    };
    Ok(fin::products(s, issuer)?)
}

async fn products(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ProductQuery>,
) -> Result<Json<Vec<Product>>, AppError> {
    let v = with_party(&st, who, move |s, p, _| {
        visible_products(s, p, q.issuer.as_deref())
    })
    .await?;
    Ok(Json(v))
}

/// A product published.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Published {
    result: Upsert,
    product: Product,
}

async fn publish(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(body): Json<Product>,
) -> Result<Json<Published>, AppError> {
    who.require_role(&[Role::Bank, Role::PlatformAdmin])?;
    let (result, product) = with_party(&st, who, move |s, p, who| {
        Ok(fin::publish_product(s, p, body, &who.actor())?)
    })
    .await?;
    Ok(Json(Published { result, product }))
}

/// Projects ranked for a product: a bank ranks only for its own products.
pub(crate) fn rank_for_product(
    s: &mut dyn Store,
    p: &Party,
    id: &str,
) -> Result<Vec<Match>, AppError> {
    if !visible_products(s, p, None)?.iter().any(|x| x.id == id) {
        return Err(AppError::NotFound(format!(
            "product {id} not found (or not yours)"
        )));
    }
    Ok(fin::match_product(s, p, id)?)
}

async fn product_matches(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Match>>, AppError> {
    let m = with_party(&st, who, move |s, p, _| rank_for_product(s, p, &id)).await?;
    Ok(Json(m))
}

#[derive(Deserialize, Default)]
struct ApplicationQuery {
    project: Option<String>,
    product: Option<String>,
    status: Option<String>,
}

async fn applications(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ApplicationQuery>,
) -> Result<Json<Vec<Application>>, AppError> {
    let filter = ApplicationFilter {
        project: trimmed(&q.project),
        product: trimmed(&q.product),
        status: trimmed(&q.status),
    };
    let v = with_party(&st, who, move |s, p, _| {
        Ok(fin::applications(s, p, &filter)?)
    })
    .await?;
    Ok(Json(v))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ApplyBody {
    project: String,
    product: String,
    amount_yuan: Decimal,
    #[serde(default)]
    #[schemars(schema_with = "method_schema")]
    method: Option<Method>,
}

async fn apply(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<ApplyBody>,
) -> Result<Json<ApplicationView>, AppError> {
    who.require_write()?;
    let v = with_party(&st, who, move |s, p, who| {
        let method = b.method.unwrap_or(Method::Annuity);
        let a = fin::apply(
            s,
            p,
            &b.project,
            &b.product,
            b.amount_yuan,
            method,
            &who.actor(),
        )?;
        Ok(fin::application(s, p, a.id)?)
    })
    .await?;
    Ok(Json(v))
}

async fn application(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationView>, AppError> {
    let v = with_party(&st, who, move |s, p, _| Ok(fin::application(s, p, id)?)).await?;
    Ok(Json(v))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ActionBody {
    #[schemars(schema_with = "action_schema")]
    action: Action,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    note: String,
}

fn method_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"anyOf": [{"type": "string", "enum": ["equal_principal", "annuity"]},
        {"type": "null"}]})
}

fn action_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string",
        "enum": ["review", "approve", "reject", "disburse", "repay", "close"]})
}

async fn advance(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(id): Path<i64>,
    Json(b): Json<ActionBody>,
) -> Result<Json<ApplicationView>, AppError> {
    require_finance_write(&who)?;
    let period = b
        .period
        .as_deref()
        .map(|p| month("period", p))
        .transpose()?;
    let v = with_party(&st, who, move |s, p, who| {
        Ok(fin::advance(
            s,
            p,
            id,
            b.action,
            period,
            &b.note,
            &who.actor(),
        )?)
    })
    .await?;
    Ok(Json(v))
}

async fn balance_sheet(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<BalanceSheet>,
) -> Result<Json<Written>, AppError> {
    require_finance_write(&who)?;
    write_as_party(&st, who, move |s, p, who| {
        Ok(fin::set_balance_sheet(s, p, &b, &who.actor())?)
    })
    .await
}

#[derive(Deserialize, schemars::JsonSchema)]
struct BankBody {
    user: String,
    issuer: String,
}

async fn link_bank(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<BankBody>,
) -> Result<Json<Written>, AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let result = st
        .run(move |s| {
            let user = s
                .user_by_name(&b.user)?
                .ok_or_else(|| AppError::NotFound(format!("no user {:?}", b.user)))?;
            if user.role != Role::Bank {
                return Err(AppError::BadRequest(format!(
                    "{} has the {} role; only bank users work for an issuer",
                    b.user,
                    user.role.key()
                )));
            }
            Ok(s.set_bank_issuer(&b.user, &b.issuer, &who.actor())?)
        })
        .await?;
    Ok(Json(Written { result }))
}

#[derive(Deserialize)]
struct ReportQuery {
    bank: Option<String>,
    year: Option<i32>,
    format: Option<String>,
}

/// The bank a report is for: a bank user's own issuer (another issuer's is not found);
/// the platform administrator names it.
fn report_bank(p: &Party, asked: Option<&str>) -> Result<String, AppError> {
    let asked = asked.map(str::trim).filter(|b| !b.is_empty());
    match (p, asked) {
        (Party::Bank { issuer, .. }, None) => Ok(issuer.clone()),
        (Party::Bank { issuer, .. }, Some(b)) if b == issuer => Ok(issuer.clone()),
        (Party::Bank { .. }, Some(b)) => Err(AppError::NotFound(format!(
            "no portfolio of {b} visible to you"
        ))),
        (Party::Admin, Some(b)) => Ok(b.into()),
        (Party::Admin, None) => Err(AppError::BadRequest("give bank=ISSUER".into())),
        (Party::Tenant { .. }, _) => Err(AppError::Forbidden(
            "bank reports are for banks and the platform administrator".into(),
        )),
    }
}

fn report_response<T: Serialize>(
    report: T,
    xlsx: bool,
    name: String,
    to_xlsx: fn(&T) -> Result<Vec<u8>, zp_app::finance::FinanceError>,
) -> Result<Response, AppError> {
    if !xlsx {
        return Ok(Json(report).into_response());
    }
    let format = zp_app::reports::ReportFormat::Xlsx;
    Ok(crate::report_files::download(
        zp_app::reports::RenderedReport {
            bytes: to_xlsx(&report).map_err(|e| AppError::Internal(e.to_string()))?,
            content_type: format.content_type(),
            file_name: format!("{name}.{}", format.extension()),
        },
    ))
}

/// Whether a report query asks for Excel, and its (required) year.
fn report_args(q: &ReportQuery) -> Result<(bool, i32), AppError> {
    let xlsx = match q.format.as_deref().unwrap_or("json") {
        "json" => false,
        "xlsx" => true,
        other => {
            return Err(AppError::BadRequest(format!(
                "format {other:?}: use json or xlsx"
            )));
        }
    };
    let year = q
        .year
        .ok_or_else(|| AppError::BadRequest("give year=YYYY".into()))?;
    Ok((xlsx, year))
}

async fn loan_report(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let (xlsx, year) = report_args(&q)?;
    let dir = st.config.readings_dir.clone();
    let r = with_party(&st, who, move |s, p, _| {
        let bank = report_bank(p, q.bank.as_deref())?;
        let readings = open_readings(dir.as_deref())?;
        Ok(fin::loan_report(s, readings.as_ref(), p, &bank, year)?)
    })
    .await?;
    report_response(
        r,
        xlsx,
        format!("carbon-reduction-loans-{year}"),
        zp_app::finance::loan_report_xlsx,
    )
}

async fn pcaf_report(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let (xlsx, year) = report_args(&q)?;
    let r = with_party(&st, who, move |s, p, _| {
        let bank = report_bank(p, q.bank.as_deref())?;
        Ok(fin::pcaf_report(s, p, &bank, year)?)
    })
    .await?;
    report_response(r, xlsx, format!("pcaf-{year}"), zp_app::finance::pcaf_xlsx)
}
